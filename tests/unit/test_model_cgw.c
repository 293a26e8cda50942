/* Unit tests for the customer gateway model (spec §4). */
#include "test_model_util.h"

#define CGW_BODY(fields) "{\"customer_gateway\":{" fields "}}"
#define CGW_ID_VALUE "\"id_value\":\"88.1.1.164\""
#define FQDN_PART "\"id_type\":\"fqdn\",\"id_value\":\"cgw.example.com\""

static void test_defaults_are_filled_for_an_ip_customer_gateway(void **state)
{
    (void)state;
    struct model_cgw *g = cgw_ok(CGW_BODY(CGW_ID_VALUE));
    assert_string_equal(g->name, "");
    assert_string_equal(g->id_type, "ip");
    assert_string_equal(g->id_value, "88.1.1.164");
    assert_true(g->has_bgp_asn);
    assert_int_equal(g->bgp_asn, 65000);
    assert_int_equal(g->tags.n, 0);
    free(g);
}

static void test_missing_wrapper_is_required(void **state)
{
    (void)state;
    cgw_err("{\"vpn_gateway\":{}}", "customer_gateway: is required");
}

static void test_id_value_is_required(void **state)
{
    (void)state;
    cgw_err(CGW_BODY("\"name\":\"c1\""), "customer_gateway.id_value: is required");
}

static void test_ip_id_value_must_be_an_address(void **state)
{
    (void)state;
    cgw_err(CGW_BODY("\"id_value\":\"cgw.example.com\""),
            "customer_gateway.id_value: must be an IPv4 address like 192.168.0.1 or an IPv6 "
            "address like 2001:db8::1, got \"cgw.example.com\"");
}

static void test_fqdn_customer_gateway_has_no_bgp_asn(void **state)
{
    (void)state;
    struct model_cgw *g = cgw_ok(CGW_BODY(FQDN_PART));
    assert_string_equal(g->id_type, "fqdn");
    assert_string_equal(g->id_value, "cgw.example.com");
    assert_false(g->has_bgp_asn);
    free(g);
}

static void test_fqdn_with_a_space_is_rejected(void **state)
{
    (void)state;
    cgw_err(CGW_BODY("\"id_type\":\"fqdn\",\"id_value\":\"a b\""),
            "customer_gateway.id_value: must be 1 to 128 printable ASCII characters without spaces "
            "or & < > [ ] \\ ?, got \"a b\"");
}

static void test_fqdn_of_129_characters_is_rejected(void **state)
{
    (void)state;
    char body[512], fqdn[130], want[512];
    memset(fqdn, 'f', 129);
    fqdn[129] = '\0';
    snprintf(body, sizeof(body), CGW_BODY("\"id_type\":\"fqdn\",\"id_value\":\"%s\""), fqdn);
    snprintf(want, sizeof(want),
             "customer_gateway.id_value: must be 1 to 128 printable ASCII characters without "
             "spaces or & < > [ ] \\ ?, got \"%.64s\"...",
             fqdn);
    cgw_err(body, want);
    fqdn[128] = '\0';
    snprintf(body, sizeof(body), CGW_BODY("\"id_type\":\"fqdn\",\"id_value\":\"%s\""), fqdn);
    free(cgw_ok(body));
}

static void test_bgp_asn_with_fqdn_is_rejected(void **state)
{
    (void)state;
    cgw_err(CGW_BODY(FQDN_PART ",\"bgp_asn\":65000"),
            "customer_gateway.bgp_asn: is not allowed when id_type is fqdn");
}

static void test_bgp_asn_above_the_32_bit_range_is_rejected(void **state)
{
    (void)state;
    cgw_err(CGW_BODY(CGW_ID_VALUE ",\"bgp_asn\":4294967296"),
            "customer_gateway.bgp_asn: must be an integer from 1 to 4294967295, got 4294967296");
}

static void test_given_bgp_asn_is_kept(void **state)
{
    (void)state;
    struct model_cgw *g = cgw_ok(CGW_BODY(CGW_ID_VALUE ",\"bgp_asn\":4294967295"));
    assert_int_equal(g->bgp_asn, 4294967295);
    free(g);
}

static void test_unknown_id_type_is_rejected(void **state)
{
    (void)state;
    cgw_err(CGW_BODY("\"id_type\":\"IP\"," CGW_ID_VALUE),
            "customer_gateway.id_type: must be one of ip, fqdn, got \"IP\"");
}

static void test_legacy_ip_is_taken_as_id_value(void **state)
{
    (void)state;
    struct model_cgw *g = cgw_ok(CGW_BODY("\"ip\":\"1.2.3.4\",\"route_mode\":\"static\""));
    assert_string_equal(g->id_value, "1.2.3.4");
    free(g);
}

static void test_invalid_legacy_ip_is_reported_under_its_own_name(void **state)
{
    (void)state;
    cgw_err(CGW_BODY("\"ip\":\"1.2.3\""),
            "customer_gateway.ip: must be an IPv4 address like 192.168.0.1 or an IPv6 address "
            "like 2001:db8::1, got \"1.2.3\"");
}

static void test_id_value_wins_over_legacy_ip(void **state)
{
    (void)state;
    struct model_cgw *g = cgw_ok(CGW_BODY("\"ip\":\"bad\"," CGW_ID_VALUE));
    assert_string_equal(g->id_value, "88.1.1.164");
    free(g);
}

static void test_a_ca_certificate_is_read_and_survives_the_internal_form(void **state)
{
    (void)state;
    struct model_cgw *g = cgw_ok(
        CGW_BODY(CGW_ID_VALUE ",\"ca_certificate\":{\"content\":\"" UNIT_CA_JSON "\"}"));
    struct model_cgw *back = calloc(1, sizeof(*back));
    struct buf internal = {0}, a = {0}, b = {0};

    assert_true(g->ca.present);
    assert_string_equal(g->ca.facts.serial_number, "2A");
    assert_string_equal(g->ca.facts.subject, "CN=unit-ca,O=vpnd");
    assert_string_equal(g->ca.facts.issuer, "CN=unit-ca,O=vpnd");
    assert_string_equal(g->ca.facts.signature_algorithm, "ecdsa-with-SHA256");
    assert_string_equal(g->ca.id, ""); /* the caller assigns one */
    snprintf(g->ca.id, sizeof(g->ca.id), "%s", "5f0e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b");
    assert_int_equal(model_cgw_to_internal(g, &internal), 0);
    assert_int_equal(model_cgw_from_internal(internal.data, internal.len, back), 0);
    assert_int_equal(model_cgw_render(g, &a), 0);
    assert_int_equal(model_cgw_render(back, &b), 0);
    assert_string_equal(a.data, b.data);
    assert_non_null(strstr(a.data, "\"ca_certificate\":{\"id\":\"5f0e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b\","
                                   "\"serial_number\":\"2A\""));
    assert_null(strstr(a.data, "BEGIN")); /* the response shows facts, not the PEM text */
    buf_free(&internal);
    buf_free(&a);
    buf_free(&b);
    free(back);
    free(g);
}

static void test_ca_certificate_content_that_is_no_certificate_is_rejected(void **state)
{
    (void)state;
    cgw_err(CGW_BODY(CGW_ID_VALUE ",\"ca_certificate\":{\"content\":\"-----BEGIN "
                                  "CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\"}"),
            "customer_gateway.ca_certificate.content: is not a valid PEM X.509 certificate");
    cgw_err(CGW_BODY(CGW_ID_VALUE ",\"ca_certificate\":{}"),
            "customer_gateway.ca_certificate.content: is required (a PEM X.509 CA certificate)");
}

static void test_ca_certificate_of_wrong_type_is_rejected(void **state)
{
    (void)state;
    cgw_err(CGW_BODY(CGW_ID_VALUE ",\"ca_certificate\":\"pem\""),
            "customer_gateway.ca_certificate: must be an object, got string");
}

static void test_ca_certificate_content_must_be_a_string(void **state)
{
    (void)state;
    cgw_err(CGW_BODY(CGW_ID_VALUE ",\"ca_certificate\":{\"content\":1}"),
            "customer_gateway.ca_certificate.content: must be a string, got number");
}

static void test_customer_gateway_name_is_checked(void **state)
{
    (void)state;
    cgw_err(CGW_BODY("\"name\":\"c/1\"," CGW_ID_VALUE),
            "customer_gateway.name: must be 1 to 64 characters of letters, digits, _ - . or CJK, "
            "got \"c/1\"");
}

static void test_customer_gateway_tags_are_checked(void **state)
{
    (void)state;
    cgw_err(CGW_BODY(CGW_ID_VALUE ",\"tags\":{}"),
            "customer_gateway.tags: must be an array, got object");
}

/* ---- render and internal form ---- */

static struct model_cgw *stored(const char *body)
{
    struct model_cgw *g = cgw_ok(body);
    strcpy(g->id, CGW_ID);
    g->created_at = g->updated_at = INT64_C(1669470094626);
    return g;
}

static void test_ip_customer_gateway_renders_exactly(void **state)
{
    (void)state;
    struct model_cgw *g = stored(CGW_BODY("\"name\":\"cgw-1\"," CGW_ID_VALUE ",\"bgp_asn\":65100"));
    char *out = RENDER(model_cgw_render, g);
    assert_string_equal(out, "{\"id\":\"" CGW_ID "\",\"name\":\"cgw-1\",\"id_type\":\"ip\","
                             "\"id_value\":\"88.1.1.164\",\"bgp_asn\":65100,\"created_at\":\"2022-"
                             "11-26T13:41:34.626Z\",\"updated_at\":\"2022-11-26T13:41:34.626Z\","
                             "\"tags\":[]}");
    free(out);
    free(g);
}

static void test_fqdn_customer_gateway_renders_without_bgp_asn(void **state)
{
    (void)state;
    struct model_cgw *g = stored(CGW_BODY(FQDN_PART));
    char *out = RENDER(model_cgw_render, g);
    assert_non_null(strstr(out, "\"id_value\":\"cgw.example.com\",\"created_at\""));
    assert_false(has_key(out, "bgp_asn"));
    free(out);
    free(g);
}

static void assert_round_trip(const struct model_cgw *g)
{
    struct buf b = {0};
    struct model_cgw *back = test_zalloc(sizeof(*back));

    assert_int_equal(model_cgw_to_internal(g, &b), 0);
    assert_int_equal(model_cgw_from_internal(b.data, b.len, back), 0);
    assert_memory_equal(back, g, sizeof(*g));
    buf_free(&b);
    free(back);
}

static void test_ip_customer_gateway_round_trips(void **state)
{
    (void)state;
    struct model_cgw *g = stored(CGW_BODY("\"name\":\"c\"," CGW_ID_VALUE ",\"bgp_asn\":7,\"tags\":"
                                          "[{\"key\":\"a\",\"value\":\"b\"}]"));
    assert_round_trip(g);
    free(g);
}

static void test_fqdn_customer_gateway_round_trips(void **state)
{
    (void)state;
    struct model_cgw *g = stored(CGW_BODY(FQDN_PART));
    assert_round_trip(g);
    free(g);
}

static void test_customer_gateway_from_internal_rejects_garbage_and_truncation(void **state)
{
    (void)state;
    struct model_cgw *g = stored(CGW_BODY(CGW_ID_VALUE));
    struct model_cgw *back = test_zalloc(sizeof(*back));
    char *in = RENDER(model_cgw_to_internal, g);
    size_t n = strlen(in);

    for (size_t len = 0; len < n; len++)
        assert_int_equal(model_cgw_from_internal(in, len, back), -EINVAL);
    assert_int_equal(model_cgw_from_internal("{}", 2, back), -EINVAL);
    assert_int_equal(model_cgw_from_internal("{\"id_value\":[]}", 15, back), -EINVAL);
    free(in);
    free(back);
    free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_filled_for_an_ip_customer_gateway),
        cmocka_unit_test(test_missing_wrapper_is_required),
        cmocka_unit_test(test_id_value_is_required),
        cmocka_unit_test(test_ip_id_value_must_be_an_address),
        cmocka_unit_test(test_fqdn_customer_gateway_has_no_bgp_asn),
        cmocka_unit_test(test_fqdn_with_a_space_is_rejected),
        cmocka_unit_test(test_fqdn_of_129_characters_is_rejected),
        cmocka_unit_test(test_bgp_asn_with_fqdn_is_rejected),
        cmocka_unit_test(test_bgp_asn_above_the_32_bit_range_is_rejected),
        cmocka_unit_test(test_given_bgp_asn_is_kept),
        cmocka_unit_test(test_unknown_id_type_is_rejected),
        cmocka_unit_test(test_legacy_ip_is_taken_as_id_value),
        cmocka_unit_test(test_invalid_legacy_ip_is_reported_under_its_own_name),
        cmocka_unit_test(test_id_value_wins_over_legacy_ip),
        cmocka_unit_test(test_a_ca_certificate_is_read_and_survives_the_internal_form),
        cmocka_unit_test(test_ca_certificate_content_that_is_no_certificate_is_rejected),
        cmocka_unit_test(test_ca_certificate_of_wrong_type_is_rejected),
        cmocka_unit_test(test_ca_certificate_content_must_be_a_string),
        cmocka_unit_test(test_customer_gateway_name_is_checked),
        cmocka_unit_test(test_customer_gateway_tags_are_checked),
        cmocka_unit_test(test_ip_customer_gateway_renders_exactly),
        cmocka_unit_test(test_fqdn_customer_gateway_renders_without_bgp_asn),
        cmocka_unit_test(test_ip_customer_gateway_round_trips),
        cmocka_unit_test(test_fqdn_customer_gateway_round_trips),
        cmocka_unit_test(test_customer_gateway_from_internal_rejects_garbage_and_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
