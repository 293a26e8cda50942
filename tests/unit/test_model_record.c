/* Model: import / export records (model_record_parse, model_record_write_*). */
#include "test_model_util.h"

struct rec_fx {
    struct model_record rec;
    struct model_vgw g;
    struct model_cgw cgw;
    struct model_vpn_conn c;
    struct verr err;
};

static int rec_parse(struct rec_fx *f, const char *text)
{
    memset(f, 0, sizeof(*f));
    return model_record_parse(text, strlen(text), &f->rec, &f->g, &f->cgw, &f->c, &f->err);
}

static void rec_fails(const char *text, const char *want)
{
    struct rec_fx *f = test_zalloc(sizeof(*f));

    assert_int_equal(rec_parse(f, text), -EINVAL);
    assert_string_equal(f->err.msg, want);
    free(f);
}

#define CONN_REC(extra) "{\"project_id\":\"p1\",\"vpn_connection\":{" CONN_REQ SUBNETS extra "}}"

static void test_a_connection_record_keeps_id_times_and_a_settled_status(void **state)
{
    struct rec_fx *f = test_zalloc(sizeof(*f));
    (void)state;

    assert_int_equal(rec_parse(f, CONN_REC(",\"id\":\"" VPC_ID "\",\"created_at\":"
                                           "\"2024-01-31T12:00:00.000Z\",\"updated_at\":5,"
                                           "\"status\":\"ACTIVE\"")),
                     0);
    assert_int_equal(f->rec.kind, MODEL_RECORD_CONN);
    assert_string_equal(f->rec.project_id, "p1");
    assert_true(f->rec.has_id && f->rec.has_created_at && f->rec.has_updated_at);
    assert_string_equal(f->c.id, VPC_ID);
    assert_int_equal(f->c.created_at, INT64_C(1706702400000));
    assert_int_equal(f->c.updated_at, 5);
    assert_string_equal(f->rec.status, "ACTIVE");
    free(f);
}

static void test_a_kept_eip_address_is_of_the_gateway_s_family(void **state)
{
    (void)state;
    rec_fails("{\"vpn_gateway\":{\"ip_version\":\"ipv6\",\"vpc_id\":\"" VPC_ID
              "\",\"connect_subnet\":\"" SUBNET_ID "\",\"local_subnets_v6\":[\"2001:db8::/32\"],"
              "\"eip1\":{\"id\":\"" EIP1_ID "\",\"ip_address\":\"198.18.0.7\"},\"eip2\":{\"id\":\""
              EIP2_ID "\"}}}",
              "vpn_gateway.eip1.ip_address: must be an IPv6 address: the gateway's ip_version is "
              "ipv6, got \"198.18.0.7\"");
}

static void test_a_record_is_validated_like_the_create_body(void **state)
{
    (void)state;
    rec_fails(CONN_REC(",\"ikepolicy\":{\"lifetime_seconds\":30}"),
              "vpn_connection.ikepolicy.lifetime_seconds: must be an integer from 60 to 604800, "
              "got 30");
}

static void test_a_pending_status_is_refused_with_the_settled_ones_listed(void **state)
{
    (void)state;
    rec_fails(CONN_REC(",\"status\":\"PENDING_UPDATE\""),
              "vpn_connection.status: must be one of ACTIVE, DOWN, ERROR, FREEZED, UNKNOWN "
              "(pending statuses are not imported), got \"PENDING_UPDATE\"");
}

static void test_a_bad_time_stamp_names_both_accepted_forms(void **state)
{
    (void)state;
    rec_fails(CONN_REC(",\"created_at\":\"yesterday\""),
              "vpn_connection.created_at: must be milliseconds since 1970 from 0 to "
              "253402300799999 or a time like \"2024-01-31T12:00:00.000Z\", got \"yesterday\"");
}

static void test_a_record_needs_exactly_one_wrapper(void **state)
{
    (void)state;
    rec_fails("{\"project_id\":\"p1\"}",
              "record: must hold one of vpn_gateway, customer_gateway, vpn_connection");
    rec_fails("{\"vpn_gateway\":{},\"customer_gateway\":{}}",
              "record: must hold one of vpn_gateway, customer_gateway, vpn_connection, got both "
              "vpn_gateway and customer_gateway");
    rec_fails("[1]", "record: must be an object, got array");
}

static void test_a_bad_project_id_is_refused(void **state)
{
    (void)state;
    rec_fails("{\"project_id\":\"a/b\",\"customer_gateway\":{\"id_value\":\"1.2.3.4\"}}",
              "project_id: must be 1 to 64 letters, digits, - or _, got \"a/b\"");
}

static void test_malformed_json_reports_its_line_without_echoing_strings(void **state)
{
    struct rec_fx *f = test_zalloc(sizeof(*f));
    (void)state;

    assert_int_equal(rec_parse(f, "{\"customer_gateway\":\n{\"id_value\": \"Secret1!\" x}}"),
                     -EINVAL);
    assert_int_equal(f->rec.json_line, 2);
    assert_null(strstr(f->err.msg, "Secret1!"));
    free(f);
}

static void test_a_written_gateway_record_parses_back_with_its_addresses(void **state)
{
    struct rec_fx *f = test_zalloc(sizeof(*f));
    struct buf a = {0}, b = {0};
    (void)state;

    assert_int_equal(rec_parse(f, "{\"project_id\":\"p1\",\"vpn_gateway\":{" VGW_PUBLIC "}}"), 0);
    memcpy(f->g.id, VGW_ID, sizeof(VGW_ID));
    memcpy(f->g.eip1.ip_address, "198.18.0.7", 11);
    memcpy(f->g.eip2.ip_address, "198.18.0.8", 11);
    f->g.status = model_vgw_status("ACTIVE");
    assert_int_equal(model_record_write_vgw("p1", &f->g, &a), 0);
    assert_int_equal(a.data[a.len - 1], '\n');
    assert_int_equal(rec_parse(f, a.data), 0);
    assert_string_equal(f->g.eip2.ip_address, "198.18.0.8");
    assert_string_equal(f->rec.status, "ACTIVE");
    f->g.status = f->rec.status;
    assert_int_equal(model_record_write_vgw("p1", &f->g, &b), 0);
    assert_string_equal(a.data, b.data);
    buf_free(&a);
    buf_free(&b);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_connection_record_keeps_id_times_and_a_settled_status),
        cmocka_unit_test(test_a_kept_eip_address_is_of_the_gateway_s_family),
        cmocka_unit_test(test_a_record_is_validated_like_the_create_body),
        cmocka_unit_test(test_a_pending_status_is_refused_with_the_settled_ones_listed),
        cmocka_unit_test(test_a_bad_time_stamp_names_both_accepted_forms),
        cmocka_unit_test(test_a_record_needs_exactly_one_wrapper),
        cmocka_unit_test(test_a_bad_project_id_is_refused),
        cmocka_unit_test(test_malformed_json_reports_its_line_without_echoing_strings),
        cmocka_unit_test(test_a_written_gateway_record_parses_back_with_its_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
