/* Unit tests for the batch create body and the connection monitor model. */
#include "test_model_util.h"

#define ELEM "{" CONN_REQ SUBNETS "}"
#define MONITOR_ID "e0e0e0e0-1f2d-4c3b-9a8e-1234567890ab"
#define CONN_ID "00000000-0000-4000-8000-000000000001"

static void batch_err(const char *body, const char *want)
{
    struct model_vpn_conn *c = test_zalloc(2 * sizeof(*c));
    struct verr err = {0};
    size_t n = 99;

    assert_int_equal(tm_conn_parse_batch(body, strlen(body), c, 2, &n, &err), -EINVAL);
    assert_string_equal(err.msg, want);
    assert_int_equal(n, 99);
    free(c);
}

static void test_batch_of_two_parses_each_element_with_defaults(void **state)
{
    static const char body[] =
        "{\"vpn_connections\":[" ELEM ",{" CONN_REQ SUBNETS ",\"name\":\"b\"}]}";
    struct model_vpn_conn *c = test_zalloc(2 * sizeof(*c));
    struct verr err = {0};
    size_t n = 0;
    (void)state;

    assert_int_equal(tm_conn_parse_batch(body, strlen(body), c, 2, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(c[0].vgw_id, VGW_ID);
    assert_string_equal(c[0].name, "");
    assert_string_equal(c[1].name, "b");
    assert_string_equal(c[1].style, "STATIC");
    assert_int_equal(c[1].ikepolicy.lifetime_seconds, 86400);
    free(c);
}

static void test_batch_element_errors_name_the_element_path(void **state)
{
    (void)state;
    batch_err("{\"vpn_connections\":[" ELEM ",{" CONN_REQ SUBNETS
              ",\"ikepolicy\":{\"lifetime_seconds\":30}}]}",
              "vpn_connections[1].ikepolicy.lifetime_seconds: must be an integer from 60 to "
              "604800, got 30");
    batch_err("{\"vpn_connections\":[{\"vgw_ip\":\"" EIP1_ID "\"}]}",
              "vpn_connections[0].vgw_id: is required");
    batch_err("{\"vpn_connections\":[" ELEM ",\"x\"]}",
              "vpn_connections[1]: must be an object, got string");
}

static void test_batch_size_and_shape_are_checked(void **state)
{
    (void)state;
    batch_err("{\"vpn_connections\":[]}", "vpn_connections: must have 1 to 2 items, got 0");
    batch_err("{\"vpn_connections\":[" ELEM "," ELEM "," ELEM "]}",
              "vpn_connections: must have 1 to 2 items, got 3");
    batch_err("{\"vpn_connections\":{}}", "vpn_connections: must be an array, got object");
    batch_err("{}", "vpn_connections: is required");
    batch_err("[]", "request body: must be an object, got array");
}

static void test_reprefix_rewrites_only_single_body_paths(void **state)
{
    struct verr err = {0};
    (void)state;

    snprintf(err.msg, sizeof(err.msg), "vpn_connection.vgw_ip: must be ...");
    model_verr_reprefix(&err, "vpn_connections[1]");
    assert_string_equal(err.msg, "vpn_connections[1].vgw_ip: must be ...");
    snprintf(err.msg, sizeof(err.msg), "vpn_connection: is required");
    model_verr_reprefix(&err, "vpn_connections[0]");
    assert_string_equal(err.msg, "vpn_connections[0]: is required");
    snprintf(err.msg, sizeof(err.msg), "vpn_connections: x");
    model_verr_reprefix(&err, "vpn_connections[0]");
    assert_string_equal(err.msg, "vpn_connections: x");
}

static void test_monitor_body_needs_a_uuid_vpn_connection_id(void **state)
{
    struct model_monitor m;
    struct verr err = {0};
    static const char ok[] = "{\"connection_monitor\":{\"vpn_connection_id\":\"" CONN_ID "\"}}";
    static const char missing[] = "{\"connection_monitor\":{}}";
    static const char bad[] = "{\"connection_monitor\":{\"vpn_connection_id\":7}}";
    (void)state;

    assert_int_equal(tm_monitor_parse_create(ok, strlen(ok), &m, &err), 0);
    assert_string_equal(m.vpn_connection_id, CONN_ID);
    assert_int_equal(tm_monitor_parse_create(missing, strlen(missing), &m, &err), -EINVAL);
    assert_string_equal(err.msg, "connection_monitor.vpn_connection_id: is required");
    assert_int_equal(tm_monitor_parse_create(bad, strlen(bad), &m, &err), -EINVAL);
    assert_string_equal(err.msg, "connection_monitor.vpn_connection_id: must be a string, got "
                                 "number");
}

static void test_monitor_renders_documented_fields_in_order(void **state)
{
    struct model_monitor m = {.id = MONITOR_ID, .vpn_connection_id = CONN_ID,
                              .source_ip = "10.1.1.134", .destination_ip = "88.1.1.7"};
    (void)state;

    char *out = RENDER(model_monitor_render, &m);
    assert_string_equal(out, "{\"id\":\"" MONITOR_ID "\",\"vpn_connection_id\":\"" CONN_ID
                             "\",\"type\":\"gateway\",\"source_ip\":\"10.1.1.134\","
                             "\"destination_ip\":\"88.1.1.7\",\"proto_type\":\"icmp\"}");
    free(out);
    m.status = "ACTIVE";
    out = RENDER(model_monitor_render, &m);
    assert_non_null(strstr(out, "{\"id\":\"" MONITOR_ID "\",\"status\":\"ACTIVE\","));
    free(out);
}

static void test_monitor_addresses_follow_vgw_ip_and_the_customer_gateway(void **state)
{
    struct model_vgw *g = vgw_active(VGW_BODY(VGW_PUBLIC));
    struct model_cgw *cgw = cgw_ok("{\"customer_gateway\":{\"id_value\":\"88.1.1.7\"}}");
    struct model_cgw *fqdn =
        cgw_ok("{\"customer_gateway\":{\"id_type\":\"fqdn\",\"id_value\":\"peer.example\"}}");
    struct model_vpn_conn *c = conn_ok(CONN_BODY(SUBNETS));
    struct model_monitor m;
    (void)state;

    model_monitor_addresses(c, g, cgw, &m);
    assert_string_equal(m.source_ip, "10.1.1.134");
    assert_string_equal(m.destination_ip, "88.1.1.7");
    strcpy(c->vgw_ip, EIP2_ID);
    model_monitor_addresses(c, g, fqdn, &m);
    assert_string_equal(m.source_ip, "10.1.1.135");
    assert_string_equal(m.destination_ip, ""); /* no address to probe */
    free(g);
    free(cgw);
    free(fqdn);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batch_of_two_parses_each_element_with_defaults),
        cmocka_unit_test(test_batch_element_errors_name_the_element_path),
        cmocka_unit_test(test_batch_size_and_shape_are_checked),
        cmocka_unit_test(test_reprefix_rewrites_only_single_body_paths),
        cmocka_unit_test(test_monitor_body_needs_a_uuid_vpn_connection_id),
        cmocka_unit_test(test_monitor_renders_documented_fields_in_order),
        cmocka_unit_test(test_monitor_addresses_follow_vgw_ip_and_the_customer_gateway),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
