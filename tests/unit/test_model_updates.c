/* Unit tests for the update bodies of gateways and customer gateways (model/vgw_update.c,
 * model/cgw.c, model/update_rules.c). */
#include "test_model_util.h"

/* The stored form of a freshly created gateway, read back (as the API layer loads it). */
static struct model_vgw *stored_vgw(void)
{
    struct model_vgw *g = vgw_active(VGW_BODY(VGW_PUBLIC));
    struct model_vgw *back = test_zalloc(sizeof(*back));
    struct buf b = {0};

    g->created_at = g->updated_at = 1669470094626;
    assert_int_equal(model_vgw_to_internal(g, &b), 0);
    assert_int_equal(model_vgw_from_internal(b.data, b.len, back), 0);
    buf_free(&b);
    free(g);
    return back;
}

static int vgw_update(const struct model_vgw *cur, const char *body, struct model_vgw *out,
                      unsigned *changed, struct verr *err)
{
    return tm_vgw_parse_update(cur, body, strlen(body), out, changed, err);
}

static void test_policy_template_survives_the_internal_round_trip(void **state)
{
    struct model_vgw *cur = stored_vgw(), *g = test_zalloc(sizeof(*g));
    struct model_vgw *back = test_zalloc(sizeof(*back));
    struct verr err = {0};
    struct buf b = {0};
    unsigned changed = 9;
    (void)state;

    assert_int_equal(vgw_update(cur,
                                VGW_BODY("\"policy_template\":{\"ipsec_policy\":{\"pfs\":"
                                         "\"group21\",\"lifetime_seconds\":100}}"),
                                g, &changed, &err),
                     0);
    assert_int_equal(changed, 0);
    assert_true(g->has_policy_template);
    assert_string_equal(g->policy_template.ipsec_policy.pfs, "group21");
    assert_string_equal(g->policy_template.ike_policy.dh_group, "group15");
    assert_int_equal(model_vgw_to_internal(g, &b), 0);
    assert_int_equal(model_vgw_from_internal(b.data, b.len, back), 0);
    assert_memory_equal(&back->policy_template, &g->policy_template,
                        sizeof(g->policy_template));
    assert_true(back->has_policy_template);
    buf_free(&b);
    free(back);
    free(g);
    free(cur);
}

static void test_a_gateway_without_template_renders_none(void **state)
{
    struct model_vgw *cur = stored_vgw();
    struct buf b = {0};
    (void)state;

    assert_false(cur->has_policy_template);
    assert_int_equal(model_vgw_render(cur, &b), 0);
    assert_null(strstr(b.data, "policy_template"));
    buf_free(&b);
    free(cur);
}

static void test_replaced_eip_keeps_only_its_id_and_reports_the_change(void **state)
{
    struct model_vgw *cur = stored_vgw(), *g = test_zalloc(sizeof(*g));
    struct verr err = {0};
    unsigned changed = 0;
    (void)state;

    assert_int_equal(vgw_update(cur, VGW_BODY("\"eip_id_2\":\"" CGW_ID "\""), g, &changed, &err),
                     0);
    assert_int_equal(changed, 2);
    assert_string_equal(g->eip2.id, CGW_ID);
    assert_string_equal(g->eip2.ip_address, "");
    assert_string_equal(g->eip1.id, EIP1_ID);
    assert_string_equal(g->eip1.ip_address, "10.1.1.134");
    free(g);
    free(cur);
}

static void test_first_not_updatable_member_in_body_order_is_named(void **state)
{
    struct model_vgw *cur = stored_vgw(), *g = test_zalloc(sizeof(*g));
    struct verr err = {0};
    unsigned changed = 0;
    (void)state;

    assert_int_equal(vgw_update(cur, VGW_BODY("\"name\":\"ok\",\"bgp_asn\":1,\"flavor\":\"GM\""),
                                g, &changed, &err),
                     -EINVAL);
    assert_string_equal(err.msg, "vpn_gateway.bgp_asn: is not updatable (updatable: name, "
                                 "local_subnets, local_subnets_v6, eip_id_1, eip_id_2, "
                                 "policy_template)");
    assert_int_equal(vgw_update(cur, VGW_BODY("\"a b\":1"), g, &changed, &err), -EINVAL);
    assert_string_equal(err.msg, "vpn_gateway: member \"a b\" is not updatable (updatable: name, "
                                 "local_subnets, local_subnets_v6, eip_id_1, eip_id_2, "
                                 "policy_template)");
    free(g);
    free(cur);
}

static void test_local_subnets_overlap_names_the_connection_and_the_subnet(void **state)
{
    static const char docs[] = "[{\"id\":\"c1\",\"peer_subnets\":[\"192.168.1.0/24\"]},"
                               "{\"id\":\"c2\",\"peer_subnets\":[\"172.16.0.0/24\"]}]";
    struct model_vgw *g = stored_vgw();
    struct verr err = {0};
    (void)state;

    assert_int_equal(model_vgw_check_peer_overlap(g, docs, strlen(docs), &err), 0);
    strcpy(g->local_subnets[0].s, "172.16.0.0/12");
    assert_int_equal(model_vgw_check_peer_overlap(g, docs, strlen(docs), &err), -EINVAL);
    assert_string_equal(err.msg, "vpn_gateway.local_subnets[0]: must not overlap peer subnet "
                                 "172.16.0.0/24 of VPN connection c2, got \"172.16.0.0/12\"");
    assert_int_equal(model_vgw_check_peer_overlap(g, "{}", 2, &err), -EPROTO);
    assert_int_equal(model_vgw_check_peer_overlap(g, "[{\"id\":1}]", 10, &err), -EPROTO);
    free(g);
}

static void test_flavor_change_sets_the_capacity_of_the_flavor(void **state)
{
    static const char body[] = VGW_BODY("\"flavor\":\"Professional3\"");
    struct model_vgw *cur = stored_vgw(), *g = test_zalloc(sizeof(*g));
    struct verr err = {0};
    (void)state;

    assert_int_equal(tm_vgw_parse_flavor(cur, body, strlen(body), g, &err), 0);
    assert_string_equal(g->flavor, "Professional3");
    assert_int_equal(g->connection_number, 1000);
    free(g);
    free(cur);
}

static void test_cgw_update_changes_only_the_name(void **state)
{
    static const char body[] = "{\"customer_gateway\":{\"name\":\"renamed\"}}";
    struct model_cgw *cur = cgw_ok("{\"customer_gateway\":{\"id_value\":\"1.2.3.4\","
                                   "\"bgp_asn\":7}}");
    struct model_cgw *c = test_zalloc(sizeof(*c));
    struct verr err = {0};
    (void)state;

    assert_int_equal(tm_cgw_parse_update(cur, body, strlen(body), c, &err), 0);
    assert_string_equal(c->name, "renamed");
    assert_string_equal(c->id_value, "1.2.3.4");
    assert_int_equal(c->bgp_asn, 7);
    free(c);
    free(cur);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_template_survives_the_internal_round_trip),
        cmocka_unit_test(test_a_gateway_without_template_renders_none),
        cmocka_unit_test(test_replaced_eip_keeps_only_its_id_and_reports_the_change),
        cmocka_unit_test(test_first_not_updatable_member_in_body_order_is_named),
        cmocka_unit_test(test_local_subnets_overlap_names_the_connection_and_the_subnet),
        cmocka_unit_test(test_flavor_change_sets_the_capacity_of_the_flavor),
        cmocka_unit_test(test_cgw_update_changes_only_the_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
