/* Unit tests for model_conn_render and the connection's internal form. */
#include "test_model_util.h"

#include <jansson.h>

/* with a CA certificate, which a connection on a GM gateway needs (spec §2.2) */
#define CGW_IP                                                                                     \
    "{\"customer_gateway\":{\"id_value\":\"88.1.1.164\",\"ca_certificate\":{\"content\":\"" UNIT_CA_JSON  \
    "\"}}}"
#define SEED_MS INT64_C(1669470094626) /* 2022-11-26T13:41:34.626Z */
#define OTHER_MONITOR "c0ffee00-1111-4222-8333-444455556666"

/* The show example of the seed document (vpn_api_0028), masked values filled in. */
static const char seed_example[] = "{\n"
                                   "    \"id\": \"98c5af8a-0000-4000-8000-ae2280a6f4c3\",\n"
                                   "    \"name\": \"vpn-1655\",\n"
                                   "    \"status\": \"DOWN\",\n"
                                   "    \"vgw_id\": \"" VGW_ID "\",\n"
                                   "    \"vgw_ip\": \"" EIP1_ID "\",\n"
                                   "    \"style\": \"POLICY\",\n"
                                   "    \"cgw_id\": \"" CGW_ID "\",\n"
                                   "    \"peer_subnets\": [\"192.168.0.0/24\"],\n"
                                   "    \"tunnel_local_address\": \"169.254.56.225/30\",\n"
                                   "    \"tunnel_peer_address\": \"169.254.56.226/30\",\n"
                                   "    \"policy_rules\": [{\n"
                                   "        \"rule_index\": 1,\n"
                                   "        \"source\": \"10.0.0.0/24\",\n"
                                   "        \"destination\": [\n"
                                   "            \"192.168.0.0/24\"\n"
                                   "        ]\n"
                                   "    }],\n"
                                   "    \"ikepolicy\": {\n"
                                   "        \"ike_version\": \"v2\",\n"
                                   "        \"authentication_algorithm\": \"sha2-256\",\n"
                                   "        \"encryption_algorithm\": \"aes-128\",\n"
                                   "        \"dh_group\": \"group15\",\n"
                                   "        \"authentication_method\": \"pre-share\",\n"
                                   "        \"lifetime_seconds\": 86400,\n"
                                   "        \"local_id_type\": \"ip\",\n"
                                   "        \"local_id\": \"10.1.1.134\",\n"
                                   "        \"peer_id_type\": \"ip\",\n"
                                   "        \"peer_id\": \"88.1.1.164\",\n"
                                   "        \"dpd\": {\n"
                                   "            \"timeout\": 15,\n"
                                   "            \"interval\": 30,\n"
                                   "            \"msg\": \"seq-hash-notify\"\n"
                                   "        }\n"
                                   "    },\n"
                                   "    \"ipsecpolicy\": {\n"
                                   "        \"authentication_algorithm\": \"sha2-256\",\n"
                                   "        \"encryption_algorithm\": \"aes-128\",\n"
                                   "        \"pfs\": \"group15\",\n"
                                   "        \"transform_protocol\": \"esp\",\n"
                                   "        \"lifetime_seconds\": 3600,\n"
                                   "        \"encapsulation_mode\": \"tunnel\"\n"
                                   "    },\n"
                                   "    \"created_at\": \"2022-11-26T13:41:34.626Z\",\n"
                                   "    \"updated_at\": \"2022-11-26T13:41:34.626Z\",\n"
                                   "    \"enterprise_project_id\": \"0\",\n"
                                   "    \"ha_role\":\"master\"\n"
                                   "}";

/* Parses, binds to a public gateway (or an ER one), stamps id and times: what the API stores. */
static struct model_vpn_conn *stored(const char *body, const char *vgw_body)
{
    struct model_vpn_conn *c = conn_ok(body);
    struct model_vgw *g = vgw_active(vgw_body);
    struct model_cgw *cg = cgw_ok(CGW_IP);
    struct verr err = {0};

    if (model_conn_bind(c, g, cg, &err) != 0)
        fail_msg("bind: %s", err.msg);
    strcpy(c->id, "98c5af8a-0000-4000-8000-ae2280a6f4c3");
    c->created_at = c->updated_at = SEED_MS;
    free(g);
    free(cg);
    return c;
}

#define PUBLIC VGW_BODY(VGW_PUBLIC)
#define ER                                                                                         \
    VGW_BODY("\"attachment_type\":\"er\",\"er_id\":\"" ER_ID "\",\"eip1\":{\"id\":\"" EIP1_ID      \
             "\"},\"eip2\":{\"id\":\"" EIP2_ID "\"}")
#define GM VGW_BODY(VGW_PUBLIC ",\"flavor\":\"GM\"")

static char *render(const char *body, const char *vgw_body)
{
    struct model_vpn_conn *c = stored(body, vgw_body);
    char *s = RENDER(model_conn_render, c);
    free(c);
    return s;
}

static void test_seed_example_is_rendered_in_field_order(void **state)
{
    (void)state;
    struct model_vpn_conn *c = stored(
        CONN_BODY(",\"name\":\"vpn-1655\",\"style\":\"policy\",\"peer_subnets\":[\"192.168.0.0/"
                  "24\"],\"tunnel_local_address\":\"169.254.56.225/30\",\"tunnel_peer_address\":"
                  "\"169.254.56.226/30\",\"psk\":\"Abcd1234!x\"" RULE),
        PUBLIC);
    c->status = "DOWN";
    char *out = RENDER(model_conn_render, c);

    /* the seed shows no tags key for an untagged connection, and neither do we */
    json_t *got = json_loads(out, JSON_REJECT_DUPLICATES, NULL);
    json_t *want = json_loads(seed_example, 0, NULL);
    assert_non_null(got);
    assert_non_null(want);
    assert_null(json_object_get(got, "tags"));
    char *got_s = json_dumps(got, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *want_s = json_dumps(want, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(got_s, want_s);
    free(got_s);
    free(want_s);
    json_decref(got);
    json_decref(want);
    free(out);
    free(c);
}

static void test_static_connection_renders_exactly(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(SUBNETS ",\"name\":\"n1\",\"tunnel_local_address\":\"169.254.0.1/"
                                         "30\",\"tunnel_peer_address\":\"169.254.0.2/30\""),
                       PUBLIC);
    assert_string_equal(
        out, "{\"id\":\"98c5af8a-0000-4000-8000-ae2280a6f4c3\",\"name\":\"n1\",\"vgw_id\":\"" VGW_ID
             "\",\"vgw_ip\":\"" EIP1_ID "\",\"style\":\"STATIC\",\"cgw_id\":\"" CGW_ID
             "\",\"peer_subnets\":[\"192.168.0.0/24\"],\"tunnel_local_address\":\"169.254.0.1/30\","
             "\"tunnel_peer_address\":\"169.254.0.2/30\",\"enable_nqa\":false,\"ikepolicy\":{"
             "\"ike_version\":\"v2\",\"authentication_algorithm\":\"sha2-256\","
             "\"encryption_algorithm\":\"aes-128\",\"dh_group\":\"group15\","
             "\"authentication_method\":\"pre-share\",\"lifetime_seconds\":86400,"
             "\"local_id_type\":\"ip\",\"local_id\":\"10.1.1.134\",\"peer_id_type\":\"ip\","
             "\"peer_id\":\"88.1.1.164\",\"dpd\":{\"timeout\":15,\"interval\":30,\"msg\":\"seq-"
             "hash-notify\"}},\"ipsecpolicy\":{\"authentication_algorithm\":\"sha2-256\","
             "\"encryption_algorithm\":\"aes-128\",\"pfs\":\"group15\",\"transform_protocol\":"
             "\"esp\",\"lifetime_seconds\":3600,\"encapsulation_mode\":\"tunnel\"},\"created_at\":"
             "\"2022-11-26T13:41:34.626Z\",\"updated_at\":\"2022-11-26T13:41:34.626Z\","
             "\"enterprise_project_id\":\"0\",\"ha_role\":\"master\"}");
    free(out);
}

static void test_create_response_without_status_omits_it(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(SUBNETS), PUBLIC);
    assert_false(has_key(out, "status"));
    free(out);
}

static void test_static_style_shows_nqa_but_not_hub_or_rules(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(SUBNETS ",\"enable_nqa\":true"), PUBLIC);
    assert_non_null(strstr(out, "\"enable_nqa\":true"));
    assert_false(has_key(out, "enable_hub"));
    assert_false(has_key(out, "policy_rules"));
    free(out);
}

static void test_bgp_style_shows_hub_but_not_nqa_or_rules(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(SUBNETS ",\"style\":\"bgp\",\"enable_hub\":true"), PUBLIC);
    assert_non_null(strstr(out, "\"style\":\"BGP\""));
    assert_non_null(strstr(out, "\"enable_hub\":true"));
    assert_false(has_key(out, "enable_nqa"));
    assert_false(has_key(out, "policy_rules"));
    free(out);
}

static void test_policy_style_shows_rules_but_not_nqa_or_hub(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(SUBNETS ",\"style\":\"policy\"" RULE), PUBLIC);
    assert_non_null(strstr(out, ",\"policy_rules\":[{\"rule_index\":1,\"source\":\"10.0.0.0/24\","
                                "\"destination\":[\"192.168.0.0/24\"]}],\"ikepolicy\""));
    assert_false(has_key(out, "enable_nqa"));
    assert_false(has_key(out, "enable_hub"));
    free(out);
}

static void test_policy_template_style_shows_none_of_the_style_fields(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(SUBNETS ",\"style\":\"POLICY-TEMPLATE\""), PUBLIC);
    assert_non_null(strstr(out, "\"style\":\"POLICY-TEMPLATE\""));
    assert_false(has_key(out, "enable_nqa"));
    assert_false(has_key(out, "enable_hub"));
    assert_false(has_key(out, "policy_rules"));
    free(out);
}

static void test_er_gateway_with_policy_style_omits_peer_subnets(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(",\"style\":\"policy\"" RULE), ER);
    assert_false(has_key(out, "peer_subnets"));
    free(out);
}

static void test_er_gateway_with_bgp_style_omits_given_peer_subnets(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(SUBNETS ",\"style\":\"bgp\""), ER);
    assert_false(has_key(out, "peer_subnets"));
    free(out);
}

static void test_er_gateway_with_static_style_shows_peer_subnets(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(SUBNETS), ER);
    assert_non_null(strstr(out, "\"peer_subnets\":[\"192.168.0.0/24\"]"));
    free(out);
}

static void test_gm_gateway_hides_dh_group_ids_and_pfs(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(SUBNETS), GM);
    assert_non_null(strstr(out, "\"ikepolicy\":{\"ike_version\":\"v2\",\"authentication_algorithm"
                                "\":\"sha2-256\",\"encryption_algorithm\":\"aes-128\","
                                "\"authentication_method\":\"pre-share\",\"lifetime_seconds\":"
                                "86400,\"dpd\":{"));
    assert_non_null(strstr(out, "\"ipsecpolicy\":{\"authentication_algorithm\":\"sha2-256\","
                                "\"encryption_algorithm\":\"aes-128\",\"transform_protocol\""));
    free(out);
}

static void test_ike_v1_shows_the_negotiation_mode(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(SUBNETS ",\"ikepolicy\":{\"ike_version\":\"v1\","
                                         "\"phase1_negotiation_mode\":\"aggressive\"}"),
                       PUBLIC);
    assert_non_null(strstr(out, "\"ike_version\":\"v1\",\"phase1_negotiation_mode\":\"aggressive\","
                                "\"authentication_algorithm\""));
    free(out);
}

static void test_ike_v2_hides_the_negotiation_mode(void **state)
{
    (void)state;
    char *out =
        render(CONN_BODY(SUBNETS ",\"ikepolicy\":{\"phase1_negotiation_mode\":\"main\"}"), PUBLIC);
    assert_false(has_key(out, "phase1_negotiation_mode"));
    free(out);
}

static void test_peer_id_type_any_without_peer_id_omits_it(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(SUBNETS ",\"ikepolicy\":{\"peer_id_type\":\"any\"}"), PUBLIC);
    assert_non_null(strstr(out, "\"peer_id_type\":\"any\",\"dpd\""));
    free(out);
}

static void test_psk_is_never_rendered(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(SUBNETS ",\"psk\":\"Abcd1234!x\""), PUBLIC);
    assert_false(has_key(out, "psk"));
    assert_null(strstr(out, "Abcd1234"));
    free(out);
}

static void test_connection_monitor_id_is_shown_only_when_set(void **state)
{
    (void)state;
    struct model_vpn_conn *c = stored(CONN_BODY(SUBNETS), PUBLIC);
    char *out = RENDER(model_conn_render, c);
    assert_false(has_key(out, "connection_monitor_id"));
    free(out);
    strcpy(c->connection_monitor_id, OTHER_MONITOR);
    out = RENDER(model_conn_render, c);
    assert_non_null(
        strstr(out, "\"enterprise_project_id\":\"0\",\"connection_monitor_id\":\"" OTHER_MONITOR
                    "\",\"ha_role\""));
    free(out);
    free(c);
}

static void test_tags_are_rendered_as_key_value_objects(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(SUBNETS ",\"tags\":[{\"key\":\"env\",\"value\":\"prod\"},"
                                         "{\"key\":\"环境\"}]"),
                       PUBLIC);
    assert_non_null(strstr(out, ",\"tags\":[{\"key\":\"env\",\"value\":\"prod\"},{\"key\":\"环境\","
                                "\"value\":\"\"}]}"));
    free(out);
}

static void test_empty_tunnel_addresses_are_omitted(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(SUBNETS), PUBLIC);
    assert_false(has_key(out, "tunnel_local_address"));
    assert_false(has_key(out, "tunnel_peer_address"));
    free(out);
}

static void test_rendered_strings_are_json_escaped(void **state)
{
    (void)state;
    char *out = render(CONN_BODY(SUBNETS ",\"ikepolicy\":{\"peer_id_type\":\"fqdn\",\"peer_id\":"
                                         "\"a\\\"b\"}"),
                       PUBLIC);
    assert_non_null(strstr(out, "\"peer_id\":\"a\\\"b\""));
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    json_decref(j);
    free(out);
}

/* ---- internal form ---- */

static void test_policy_connection_round_trips_through_the_internal_form(void **state)
{
    (void)state;
    struct model_vpn_conn *c = stored(
        CONN_BODY(
            ",\"name\":\"vpn-1\",\"style\":\"policy\",\"psk\":\"Abcd1234!x\","
            "\"tunnel_local_address\":\"169.254.0.2/30\",\"tunnel_peer_address\":\"169.254."
            "0.1/30\",\"policy_rules\":[{\"source\":\"10.0.0.0/24\",\"destination\":[\"1.1.1.0/"
            "24\",\"2.2.0.0/16\"]},{\"rule_index\":7,\"source\":\"10.0.1.0/24\",\"destination\":"
            "[\"3.3.3.3/32\"]}],\"ikepolicy\":{\"ike_version\":\"v1\",\"local_id_type\":\"fqdn\","
            "\"local_id\":\"x.y\",\"peer_id_type\":\"any\"},\"ha_role\":\"slave\",\"tags\":[{"
            "\"key\":\"k\",\"value\":\"v\"}]"),
        ER);
    c->status = MODEL_STATUS_PENDING_CREATE;
    c->updated_at = SEED_MS + 1;
    strcpy(c->connection_monitor_id, OTHER_MONITOR);
    assert_conn_round_trip(c);
    free(c);
}

static void test_gm_bgp_connection_round_trips_through_the_internal_form(void **state)
{
    (void)state;
    struct model_vpn_conn *c =
        stored(CONN_BODY(SUBNETS ",\"style\":\"bgp\",\"enable_hub\":true,\"ipsecpolicy\":{\"pfs\":"
                                 "\"disable\",\"lifetime_seconds\":30}"),
               GM);
    assert_conn_round_trip(c);
    free(c);
}

static void test_internal_form_keeps_the_psk_and_gateway_facts(void **state)
{
    (void)state;
    struct model_vpn_conn *c = stored(CONN_BODY(SUBNETS ",\"psk\":\"Abcd1234!x\""), GM);
    char *out = RENDER(model_conn_to_internal, c);
    assert_non_null(strstr(out, "\"psk\":\"Abcd1234!x\""));
    assert_non_null(strstr(out, "\"gw_is_er\":false,\"gw_is_gm\":true"));
    assert_non_null(strstr(out, "\"created_at\":1669470094626"));
    free(out);
    free(c);
}

static void test_from_internal_rejects_garbage(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "[]",
        "null",
        "{\"style\":1}",
        "{\"vgw_id\":\"x\"}",
        "\x01\x02",
        "{\"psk\":\"short\"}",
        "{\"vgw_id\":\"" VGW_ID "\",\"vgw_ip\":\"" EIP1_ID "\",\"cgw_id\":\"" CGW_ID
        "\",\"created_at\":\"2022-11-26T13:41:34.626Z\"}",
    };
    struct model_vpn_conn *c = test_zalloc(sizeof(*c));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(model_conn_from_internal(bad[i], strlen(bad[i]), c), -EINVAL);
    free(c);
}

static void test_from_internal_rejects_every_truncation(void **state)
{
    (void)state;
    struct model_vpn_conn *c = stored(CONN_BODY(SUBNETS ",\"style\":\"policy\"" RULE), PUBLIC);
    struct model_vpn_conn *back = test_zalloc(sizeof(*back));
    char *in = RENDER(model_conn_to_internal, c);
    size_t n = strlen(in);

    for (size_t len = 0; len < n; len++)
        assert_int_equal(model_conn_from_internal(in, len, back), -EINVAL);
    assert_int_equal(model_conn_from_internal(in, n, back), 0);
    free(in);
    free(back);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_example_is_rendered_in_field_order),
        cmocka_unit_test(test_static_connection_renders_exactly),
        cmocka_unit_test(test_create_response_without_status_omits_it),
        cmocka_unit_test(test_static_style_shows_nqa_but_not_hub_or_rules),
        cmocka_unit_test(test_bgp_style_shows_hub_but_not_nqa_or_rules),
        cmocka_unit_test(test_policy_style_shows_rules_but_not_nqa_or_hub),
        cmocka_unit_test(test_policy_template_style_shows_none_of_the_style_fields),
        cmocka_unit_test(test_er_gateway_with_policy_style_omits_peer_subnets),
        cmocka_unit_test(test_er_gateway_with_bgp_style_omits_given_peer_subnets),
        cmocka_unit_test(test_er_gateway_with_static_style_shows_peer_subnets),
        cmocka_unit_test(test_gm_gateway_hides_dh_group_ids_and_pfs),
        cmocka_unit_test(test_ike_v1_shows_the_negotiation_mode),
        cmocka_unit_test(test_ike_v2_hides_the_negotiation_mode),
        cmocka_unit_test(test_peer_id_type_any_without_peer_id_omits_it),
        cmocka_unit_test(test_psk_is_never_rendered),
        cmocka_unit_test(test_connection_monitor_id_is_shown_only_when_set),
        cmocka_unit_test(test_tags_are_rendered_as_key_value_objects),
        cmocka_unit_test(test_empty_tunnel_addresses_are_omitted),
        cmocka_unit_test(test_rendered_strings_are_json_escaped),
        cmocka_unit_test(test_policy_connection_round_trips_through_the_internal_form),
        cmocka_unit_test(test_gm_bgp_connection_round_trips_through_the_internal_form),
        cmocka_unit_test(test_internal_form_keeps_the_psk_and_gateway_facts),
        cmocka_unit_test(test_from_internal_rejects_garbage),
        cmocka_unit_test(test_from_internal_rejects_every_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
