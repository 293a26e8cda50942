/* Unit tests for model_conn_bind: rules that need the gateway and customer gateway (§2.4). */
#include "test_model_util.h"

#define OTHER_ID "deadbeef-0000-4000-8000-000000000001"
#define CGW_IP "{\"customer_gateway\":{\"id_value\":\"88.1.1.164\"}}"
#define CGW_IP_CA                                                                                  \
    "{\"customer_gateway\":{\"id_value\":\"88.1.1.164\",\"ca_certificate\":{\"content\":\"" UNIT_CA_JSON  \
    "\"}}}"
#define CGW_FQDN "{\"customer_gateway\":{\"id_type\":\"fqdn\",\"id_value\":\"cgw.example.com\"}}"
#define VGW_STANDBY VGW_BODY(VGW_PUBLIC ",\"ha_mode\":\"active-standby\"")
#define VGW_PRIVATE_FIELDS                                                                         \
    "\"network_type\":\"private\",\"vpc_id\":\"" VPC_ID "\",\"connect_subnet\":\"" SUBNET_ID       \
    "\",\"local_subnets\":[\"10.0.0.0/16\"],\"access_private_ip_1\":\"172.16.0.10\","              \
    "\"access_private_ip_2\":\"172.16.0.11\""
#define VGW_ER                                                                                     \
    VGW_BODY("\"attachment_type\":\"er\",\"er_id\":\"" ER_ID "\",\"eip1\":{\"id\":\"" EIP1_ID      \
             "\"},\"eip2\":{\"id\":\"" EIP2_ID "\"}")
/* A connection body with its own vgw_ip. */
#define CONN_VIA(ip, extra)                                                                        \
    "{\"vpn_connection\":{\"vgw_id\":\"" VGW_ID "\",\"vgw_ip\":\"" ip "\",\"cgw_id\":\"" CGW_ID    \
    "\"" extra "}}"

static void test_vgw_ip_that_is_not_a_gateway_eip_is_rejected(void **state)
{
    (void)state;
    bind_err(CONN_VIA(OTHER_ID, SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP,
             "vpn_connection.vgw_ip: must be the id of the gateway's eip1 or eip2 (" EIP1_ID
             ", " EIP2_ID "), got \"" OTHER_ID "\"");
}

static void test_private_gateway_requires_one_of_its_access_ips(void **state)
{
    (void)state;
    bind_err(CONN_VIA("172.16.0.12", SUBNETS), VGW_BODY(VGW_PRIVATE_FIELDS), CGW_IP,
             "vpn_connection.vgw_ip: must be the gateway's access_private_ip_1 or "
             "access_private_ip_2 (172.16.0.10, 172.16.0.11), got \"172.16.0.12\"");
}

static void test_eip_id_as_vgw_ip_of_a_private_gateway_is_rejected(void **state)
{
    (void)state;
    bind_err(CONN_VIA(EIP1_ID, SUBNETS), VGW_BODY(VGW_PRIVATE_FIELDS), CGW_IP,
             "vpn_connection.vgw_ip: must be the gateway's access_private_ip_1 or "
             "access_private_ip_2 (172.16.0.10, 172.16.0.11), got \"" EIP1_ID "\"");
}

static void test_active_standby_master_must_use_eip1(void **state)
{
    (void)state;
    bind_err(CONN_VIA(EIP2_ID, SUBNETS), VGW_STANDBY, CGW_IP,
             "vpn_connection.ha_role: must be slave when vgw_ip is the gateway's eip2 "
             "(active-standby), got \"master\"");
}

static void test_active_standby_slave_must_use_eip2(void **state)
{
    (void)state;
    bind_err(CONN_VIA(EIP1_ID, SUBNETS ",\"ha_role\":\"slave\""), VGW_STANDBY, CGW_IP,
             "vpn_connection.ha_role: must be master when vgw_ip is the gateway's eip1 "
             "(active-standby), got \"slave\"");
}

static void test_active_standby_private_slave_must_use_access_private_ip_2(void **state)
{
    (void)state;
    bind_err(CONN_VIA("172.16.0.10", SUBNETS ",\"ha_role\":\"slave\""),
             VGW_BODY(VGW_PRIVATE_FIELDS ",\"ha_mode\":\"active-standby\""), CGW_IP,
             "vpn_connection.ha_role: must be master when vgw_ip is the gateway's "
             "access_private_ip_1 (active-standby), got \"slave\"");
}

static void test_active_standby_slave_on_eip2_is_accepted(void **state)
{
    (void)state;
    free(bound(CONN_VIA(EIP2_ID, SUBNETS ",\"ha_role\":\"slave\""), VGW_STANDBY, CGW_IP));
}

static void test_active_active_accepts_slave_on_eip1(void **state)
{
    (void)state;
    struct model_vpn_conn *c =
        bound(CONN_BODY(SUBNETS ",\"ha_role\":\"slave\""), VGW_BODY(VGW_PUBLIC), CGW_IP);
    assert_string_equal(c->ha_role, "slave");
    free(c);
}

static void test_peer_subnets_are_required_for_a_vpc_gateway(void **state)
{
    (void)state;
    bind_err(CONN_BODY(",\"style\":\"bgp\""), VGW_BODY(VGW_PUBLIC), CGW_IP,
             "vpn_connection.peer_subnets: is required unless the gateway attachment_type is er "
             "and style is POLICY or BGP");
}

static void test_er_gateway_with_bgp_style_needs_no_peer_subnets(void **state)
{
    (void)state;
    struct model_vpn_conn *c = bound(CONN_BODY(",\"style\":\"bgp\""), VGW_ER, CGW_IP);
    assert_true(c->gw_is_er);
    assert_int_equal(c->n_peer_subnets, 0);
    free(c);
}

static void test_er_gateway_with_policy_style_needs_no_peer_subnets(void **state)
{
    (void)state;
    free(bound(CONN_BODY(",\"style\":\"policy\"" RULE), VGW_ER, CGW_IP));
}

static void test_er_gateway_with_static_style_requires_peer_subnets(void **state)
{
    (void)state;
    bind_err(CONN_BODY(""), VGW_ER, CGW_IP,
             "vpn_connection.peer_subnets: is required unless the gateway attachment_type is er "
             "and style is POLICY or BGP");
}

static void test_peer_subnet_overlapping_a_local_subnet_names_both(void **state)
{
    (void)state;
    bind_err(CONN_BODY(",\"peer_subnets\":[\"192.168.0.0/24\",\"10.0.8.0/24\"]"),
             VGW_BODY(VGW_PUBLIC), CGW_IP,
             "vpn_connection.peer_subnets[1]: must not overlap gateway local subnet 10.0.0.0/16, "
             "got \"10.0.8.0/24\"");
}

static void test_peer_subnet_containing_a_local_subnet_is_rejected(void **state)
{
    (void)state;
    bind_err(CONN_BODY(",\"peer_subnets\":[\"10.0.0.0/8\"]"), VGW_BODY(VGW_PUBLIC), CGW_IP,
             "vpn_connection.peer_subnets[0]: must not overlap gateway local subnet 10.0.0.0/16, "
             "got \"10.0.0.0/8\"");
}

static void test_local_id_defaults_to_the_address_of_the_matched_eip(void **state)
{
    (void)state;
    struct model_vpn_conn *c = bound(CONN_VIA(EIP2_ID, SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP);
    assert_string_equal(c->ikepolicy.local_id, "10.1.1.135");
    free(c);
}

static void test_local_id_defaults_to_the_private_ip_of_a_private_gateway(void **state)
{
    (void)state;
    struct model_vpn_conn *c =
        bound(CONN_VIA("172.16.0.11", SUBNETS), VGW_BODY(VGW_PRIVATE_FIELDS), CGW_IP);
    assert_string_equal(c->ikepolicy.local_id, "172.16.0.11");
    free(c);
}

static void test_given_local_and_peer_ids_are_kept(void **state)
{
    (void)state;
    struct model_vpn_conn *c = bound(
        CONN_BODY(SUBNETS ",\"ikepolicy\":{\"local_id\":\"1.2.3.4\",\"peer_id\":\"5.6.7.8\"}"),
        VGW_BODY(VGW_PUBLIC), CGW_IP);
    assert_string_equal(c->ikepolicy.local_id, "1.2.3.4");
    assert_string_equal(c->ikepolicy.peer_id, "5.6.7.8");
    free(c);
}

static void test_peer_id_defaults_to_the_customer_gateway_id_value(void **state)
{
    (void)state;
    struct model_vpn_conn *c = bound(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP);
    assert_string_equal(c->ikepolicy.peer_id, "88.1.1.164");
    free(c);
}

static void test_ip_peer_id_type_with_an_fqdn_customer_gateway_requires_peer_id(void **state)
{
    (void)state;
    bind_err(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_FQDN,
             "vpn_connection.ikepolicy.peer_id: is required when peer_id_type is ip and the "
             "customer gateway id_type is fqdn");
}

static void test_fqdn_ids_get_no_defaults(void **state)
{
    (void)state;
    struct model_vpn_conn *c =
        bound(CONN_BODY(SUBNETS ",\"ikepolicy\":{\"local_id_type\":\"fqdn\",\"local_id\":\"a.b\","
                                "\"peer_id_type\":\"any\"}"),
              VGW_BODY(VGW_PUBLIC), CGW_FQDN);
    assert_string_equal(c->ikepolicy.local_id, "a.b");
    assert_string_equal(c->ikepolicy.peer_id, "");
    free(c);
}

static void test_enterprise_project_and_gateway_facts_are_copied(void **state)
{
    (void)state;
    struct model_vpn_conn *c = bound(
        CONN_BODY(SUBNETS),
        VGW_BODY(VGW_PUBLIC ",\"flavor\":\"GM\",\"enterprise_project_id\":\"" EPID "\""), CGW_IP_CA);
    assert_string_equal(c->enterprise_project_id, EPID);
    assert_true(c->gw_is_gm);
    assert_false(c->gw_is_er);
    free(c);
}

static void test_a_gm_connection_needs_a_customer_gateway_with_a_ca_certificate(void **state)
{
    (void)state;
    bind_err(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC ",\"flavor\":\"GM\""), CGW_IP,
             "vpn_connection.cgw_id: customer gateway " CGW_ID " has no CA certificate, which "
             "a connection on GM gateway " VGW_ID " needs; set one first (PUT "
             "customer-gateways/" CGW_ID " with ca_certificate.content), got \"" CGW_ID "\"");
}

static void test_policy_rules_on_an_ipv6_gateway_are_rejected(void **state)
{
    (void)state;
    bind_err(CONN_BODY(SUBNETS SUBNETS6 ",\"style\":\"policy\"" RULE),
             VGW_BODY(VGW_PUBLIC6), CGW_IP6,
             "vpn_connection.policy_rules: must match the gateway ip_version ipv6, got IPv4 rules");
}

static void test_failed_bind_leaves_the_connection_untouched(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok(CONN_VIA(EIP2_ID, SUBNETS));
    struct model_vpn_conn *copy = test_zalloc(sizeof(*copy));
    struct model_vgw *g = vgw_active(VGW_STANDBY);
    struct model_cgw *cg = cgw_ok(CGW_IP);
    struct verr err;

    memcpy(copy, c, sizeof(*c));
    assert_int_equal(model_conn_bind(c, g, cg, &err), -EINVAL);
    assert_memory_equal(c, copy, sizeof(*c));
    free(c);
    free(copy);
    free(g);
    free(cg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vgw_ip_that_is_not_a_gateway_eip_is_rejected),
        cmocka_unit_test(test_private_gateway_requires_one_of_its_access_ips),
        cmocka_unit_test(test_eip_id_as_vgw_ip_of_a_private_gateway_is_rejected),
        cmocka_unit_test(test_active_standby_master_must_use_eip1),
        cmocka_unit_test(test_active_standby_slave_must_use_eip2),
        cmocka_unit_test(test_active_standby_private_slave_must_use_access_private_ip_2),
        cmocka_unit_test(test_active_standby_slave_on_eip2_is_accepted),
        cmocka_unit_test(test_active_active_accepts_slave_on_eip1),
        cmocka_unit_test(test_peer_subnets_are_required_for_a_vpc_gateway),
        cmocka_unit_test(test_er_gateway_with_bgp_style_needs_no_peer_subnets),
        cmocka_unit_test(test_er_gateway_with_policy_style_needs_no_peer_subnets),
        cmocka_unit_test(test_er_gateway_with_static_style_requires_peer_subnets),
        cmocka_unit_test(test_peer_subnet_overlapping_a_local_subnet_names_both),
        cmocka_unit_test(test_peer_subnet_containing_a_local_subnet_is_rejected),
        cmocka_unit_test(test_local_id_defaults_to_the_address_of_the_matched_eip),
        cmocka_unit_test(test_local_id_defaults_to_the_private_ip_of_a_private_gateway),
        cmocka_unit_test(test_given_local_and_peer_ids_are_kept),
        cmocka_unit_test(test_peer_id_defaults_to_the_customer_gateway_id_value),
        cmocka_unit_test(test_ip_peer_id_type_with_an_fqdn_customer_gateway_requires_peer_id),
        cmocka_unit_test(test_fqdn_ids_get_no_defaults),
        cmocka_unit_test(test_enterprise_project_and_gateway_facts_are_copied),
        cmocka_unit_test(test_a_gm_connection_needs_a_customer_gateway_with_a_ca_certificate),
        cmocka_unit_test(test_policy_rules_on_an_ipv6_gateway_are_rejected),
        cmocka_unit_test(test_failed_bind_leaves_the_connection_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
