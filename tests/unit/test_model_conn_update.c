/* Unit tests for model_conn_parse_update (spec §2.8). */
#include "test_model_util.h"

static void update_err(const struct model_vpn_conn *cur, const char *body, const char *want)
{
    struct model_vpn_conn *c = test_zalloc(sizeof(*c));
    struct verr err = {0};

    assert_int_equal(tm_conn_parse_update(cur, body, strlen(body), c, &err), -EINVAL);
    assert_string_equal(err.msg, want);
    free(c);
}

static void test_update_keeps_every_field_not_sent(void **state)
{
    (void)state;
    struct model_vpn_conn *cur = conn_ok(CONN_BODY(SUBNETS ",\"ikepolicy\":{\"dh_group\":\"group14\"}"));
    struct model_vpn_conn *c = test_zalloc(sizeof(*c));
    struct verr err = {0};
    const char *body = "{\"vpn_connection\":{\"ikepolicy\":{\"lifetime_seconds\":3600}}}";

    assert_int_equal(tm_conn_parse_update(cur, body, strlen(body), c, &err), 0);
    assert_int_equal(c->ikepolicy.lifetime_seconds, 3600);
    assert_string_equal(c->ikepolicy.dh_group, "group14");
    assert_string_equal(c->peer_subnets[0].s, "192.168.0.0/24");
    assert_string_equal(c->psk, cur->psk);
    free(c);
    free(cur);
}

static void test_update_that_changes_vgw_ip_is_rejected_with_the_current_value(void **state)
{
    (void)state;
    struct model_vpn_conn *cur = conn_ok(CONN_BODY(SUBNETS));
    char want[256];

    snprintf(want, sizeof(want),
             "vpn_connection.vgw_ip: cannot be changed after creation (is \"%s\"), got \"x\"",
             cur->vgw_ip);
    update_err(cur, "{\"vpn_connection\":{\"vgw_ip\":\"x\"}}", want);
    free(cur);
}

static void test_update_repeating_style_in_another_case_is_accepted(void **state)
{
    (void)state;
    struct model_vpn_conn *cur = conn_ok(CONN_BODY(SUBNETS));
    struct model_vpn_conn *c = test_zalloc(sizeof(*c));
    struct verr err = {0};
    const char *body = "{\"vpn_connection\":{\"style\":\"static\"}}";

    assert_int_equal(tm_conn_parse_update(cur, body, strlen(body), c, &err), 0);
    free(c);
    free(cur);
}

static void test_update_is_validated_like_a_create(void **state)
{
    (void)state;
    struct model_vpn_conn *cur = conn_ok(CONN_BODY(SUBNETS));
    update_err(cur, "{\"vpn_connection\":{\"ipsecpolicy\":{\"lifetime_seconds\":29}}}",
               "vpn_connection.ipsecpolicy.lifetime_seconds: must be an integer from 30 to "
               "604800, got 29");
    free(cur);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_keeps_every_field_not_sent),
        cmocka_unit_test(test_update_that_changes_vgw_ip_is_rejected_with_the_current_value),
        cmocka_unit_test(test_update_repeating_style_in_another_case_is_accepted),
        cmocka_unit_test(test_update_is_validated_like_a_create),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
