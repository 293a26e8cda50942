/* Unit tests for model/ipsec.c and model/peer_config.c: a connection as strongSwan configures it
 * (docs/strongswan-mapping.md) and the customer side's swanctl.conf. The data-plane suite
 * (tests/dataplane) loads both into real charons. */
#include "model/ipsec.h"
#include "test_model_util.h"

#define CONN_ID "7e2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a"
#define CGW_IP_BODY "{\"customer_gateway\":{\"id_value\":\"88.1.1.164\"}}"
#define CGW_FQDN_BODY                                                                              \
    "{\"customer_gateway\":{\"id_type\":\"fqdn\",\"id_value\":\"cgw.example.com\"}}"
#define PSK_PART ",\"psk\":\"Abc@12345678\""
#define V1 ",\"ikepolicy\":{\"ike_version\":\"v1\"}"

struct fx {
    struct model_vpn_conn *c;
    struct model_vgw *g;
    struct model_cgw *cgw;
};

/* Parses and binds the three bodies (the gateway with its EIP addresses, see vgw_active). */
static struct fx fx_new(const char *conn, const char *vgw, const char *cgw)
{
    struct fx f = {conn_ok(conn), vgw_active(vgw), cgw_ok(cgw)};
    struct verr err = {0};
    strcpy(f.c->id, CONN_ID);
    if (model_conn_bind(f.c, f.g, f.cgw, &err) != 0)
        fail_msg("bind: %s", err.msg);
    return f;
}

static void fx_free(struct fx *f)
{
    free(f->c);
    free(f->g);
    free(f->cgw);
}

static struct model_ipsec_conn *build_ok(const struct fx *f, enum model_ipsec_side side)
{
    struct model_ipsec_conn *x = test_zalloc(sizeof(*x));
    struct verr err = {0};
    if (model_ipsec_conn_build(f->c, f->g, f->cgw, side, x, &err) != 0)
        fail_msg("build: %s", err.msg);
    return x;
}

static void build_err(const struct fx *f, const char *want)
{
    struct model_ipsec_conn *x = test_zalloc(sizeof(*x));
    struct verr err = {0};
    assert_int_equal(model_ipsec_conn_build(f->c, f->g, f->cgw, MODEL_IPSEC_CLOUD, x, &err),
                     -EINVAL);
    assert_string_equal(err.msg, want);
    assert_string_equal(x->name, ""); /* written only on success */
    free(x);
}

static void test_defaults_map_to_aes128_sha256_modp3072_both_phases(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct model_ipsec_conn *x = build_ok(&f, MODEL_IPSEC_CLOUD);
    assert_string_equal(x->name, "vpnd-" CONN_ID);
    assert_int_equal(x->version, 2);
    assert_false(x->aggressive);
    assert_string_equal(x->ike_proposal, "aes128-sha256-modp3072");
    assert_string_equal(x->esp_proposal, "aes128-sha256-modp3072");
    fx_free(&f);
    free(x);
}

static void test_endpoints_are_the_eip_behind_vgw_ip_and_the_customer_address(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct model_ipsec_conn *x = build_ok(&f, MODEL_IPSEC_CLOUD);
    assert_string_equal(x->local_addr, "10.1.1.134");
    assert_string_equal(x->remote_addr, "88.1.1.164");
    assert_string_equal(x->local_id, "10.1.1.134");
    assert_string_equal(x->remote_id, "88.1.1.164");
    fx_free(&f);
    free(x);
}

static void test_lifetimes_are_hard_limits_with_rekeying_a_tenth_earlier(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct model_ipsec_conn *x = build_ok(&f, MODEL_IPSEC_CLOUD);
    assert_int_equal(x->rekey_time, 77760);
    assert_int_equal(x->reauth_time, 0);
    assert_int_equal(x->over_time, 8640);
    assert_int_equal(x->rand_time, 8640);
    assert_int_equal(x->child_life_time, 3600);
    assert_int_equal(x->child_rekey_time, 3240);
    assert_int_equal(x->child_rand_time, 360);
    fx_free(&f);
    free(x);
}

static void test_ikev2_dpd_has_a_delay_and_no_timeout(void **state)
{
    (void)state;
    struct fx f =
        fx_new(CONN_BODY(SUBNETS ",\"ikepolicy\":{\"dpd\":{\"interval\":10,\"timeout\":5}}"),
               VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct model_ipsec_conn *x = build_ok(&f, MODEL_IPSEC_CLOUD);
    assert_int_equal(x->dpd_delay, 10);
    assert_int_equal(x->dpd_timeout, 0);
    fx_free(&f);
    free(x);
}

static void test_ikev1_dpd_timeout_is_interval_plus_timeout(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS ",\"ikepolicy\":{\"ike_version\":\"v1\",\"dpd\":{"
                                           "\"interval\":10,\"timeout\":2}}"),
                         VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct model_ipsec_conn *x = build_ok(&f, MODEL_IPSEC_CLOUD);
    assert_int_equal(x->dpd_delay, 10);
    assert_int_equal(x->dpd_timeout, 12);
    fx_free(&f);
    free(x);
}

static void test_ikev1_reauthenticates_instead_of_rekeying(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS V1), VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct model_ipsec_conn *x = build_ok(&f, MODEL_IPSEC_CLOUD);
    assert_int_equal(x->version, 1);
    assert_int_equal(x->rekey_time, 0);
    assert_int_equal(x->reauth_time, 77760);
    fx_free(&f);
    free(x);
}

static void test_aggressive_mode_applies_to_ikev1_only(void **state)
{
    (void)state;
    struct fx v1 = fx_new(CONN_BODY(SUBNETS ",\"ikepolicy\":{\"ike_version\":\"v1\","
                                            "\"phase1_negotiation_mode\":\"aggressive\"}"),
                          VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct fx v2 = fx_new(CONN_BODY(SUBNETS ",\"ikepolicy\":{\"phase1_negotiation_mode\":"
                                            "\"aggressive\"}"),
                          VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct model_ipsec_conn *x1 = build_ok(&v1, MODEL_IPSEC_CLOUD);
    struct model_ipsec_conn *x2 = build_ok(&v2, MODEL_IPSEC_CLOUD);
    assert_true(x1->aggressive);
    assert_false(x2->aggressive);
    fx_free(&v1);
    fx_free(&v2);
    free(x1);
    free(x2);
}

static void test_gcm_ike_names_only_the_prf_and_gcm_esp_no_integrity(void **state)
{
    (void)state;
    struct fx f = fx_new(
        CONN_BODY(SUBNETS ",\"ikepolicy\":{\"encryption_algorithm\":\"aes-256-gcm-16\","
                          "\"authentication_algorithm\":\"sha2-384\",\"dh_group\":\"group20\"},"
                          "\"ipsecpolicy\":{\"encryption_algorithm\":\"aes-128-gcm-128\","
                          "\"pfs\":\"disable\"}"),
        VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct model_ipsec_conn *x = build_ok(&f, MODEL_IPSEC_CLOUD);
    assert_string_equal(x->ike_proposal, "aes256gcm16-prfsha384-ecp384");
    assert_string_equal(x->esp_proposal, "aes128gcm16");
    fx_free(&f);
    free(x);
}

static void test_pfs_group_is_appended_to_the_esp_proposal(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS ",\"ipsecpolicy\":{\"encryption_algorithm\":\"3des\","
                                           "\"authentication_algorithm\":\"md5\","
                                           "\"pfs\":\"group21\"}"),
                         VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct model_ipsec_conn *x = build_ok(&f, MODEL_IPSEC_CLOUD);
    assert_string_equal(x->esp_proposal, "3des-md5-ecp521");
    fx_free(&f);
    free(x);
}

static void test_gcm_ike_proposal_with_ikev1_is_refused(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS ",\"ikepolicy\":{\"ike_version\":\"v1\","
                                           "\"encryption_algorithm\":\"aes-128-gcm-16\"}"),
                         VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    build_err(&f, "vpn_connection.ikepolicy.encryption_algorithm: AES-GCM needs ike_version v2 "
                  "(IKEv1 has no AEAD IKE SA in strongSwan), got \"aes-128-gcm-16\"");
    fx_free(&f);
}

static void test_sm4_is_refused_with_the_field_and_a_reason(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    f.c->ikepolicy.encryption_algorithm = "sm4";
    build_err(&f, "vpn_connection.ikepolicy.encryption_algorithm: sm4 (GM) is not supported by "
                  "the strongSwan data plane, got \"sm4\"");
    fx_free(&f);
}

static void test_sm3_in_the_ipsec_policy_is_refused(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    f.c->ipsecpolicy.authentication_algorithm = "sm3";
    build_err(&f, "vpn_connection.ipsecpolicy.authentication_algorithm: sm3 (GM) is not "
                  "supported by the strongSwan data plane, got \"sm3\"");
    fx_free(&f);
}

static void test_gm_gateway_is_refused(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    f.c->gw_is_gm = true;
    build_err(&f, "vpn_connection.vgw_id: GM gateways (SM algorithms, digital envelopes) are not "
                  "supported by the strongSwan data plane, got a GM gateway");
    fx_free(&f);
}

static void test_digital_envelope_authentication_is_refused(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    f.c->ikepolicy.authentication_method = "digital-envelope-v2";
    build_err(&f, "vpn_connection.ikepolicy.authentication_method: only pre-share is supported "
                  "by the strongSwan data plane, got \"digital-envelope-v2\"");
    fx_free(&f);
}

static void test_policy_template_style_is_refused(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    f.c->style = "POLICY-TEMPLATE";
    build_err(&f, "vpn_connection.style: POLICY-TEMPLATE is not supported by the strongSwan data "
                  "plane, got \"POLICY-TEMPLATE\"");
    fx_free(&f);
}

static void test_gateway_without_an_address_for_vgw_ip_is_refused(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    f.g->eip1.ip_address[0] = '\0';
    build_err(&f,
              "vpn_connection.vgw_ip: the gateway has no address assigned for it, got \"" EIP1_ID
              "\"");
    fx_free(&f);
}

static void test_static_connection_without_peer_subnets_is_refused(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    f.c->n_peer_subnets = 0;
    build_err(&f, "vpn_connection.peer_subnets: a STATIC connection needs peer subnets (a "
                  "route-based tunnel is not supported by the strongSwan data plane), got none");
    fx_free(&f);
}

static void test_static_child_joins_local_subnets_and_peer_subnets(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(",\"peer_subnets\":[\"192.168.0.0/24\",\"192.168.9.0/24\"]"),
                         VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct model_ipsec_conn *x = build_ok(&f, MODEL_IPSEC_CLOUD);
    assert_int_equal(x->n_children, 1);
    assert_string_equal(x->children[0].name, "tunnel");
    assert_int_equal(x->children[0].n_local_ts, 1);
    assert_string_equal(x->children[0].local_ts[0].s, "10.0.0.0/16");
    assert_int_equal(x->children[0].n_remote_ts, 2);
    assert_string_equal(x->children[0].remote_ts[1].s, "192.168.9.0/24");
    fx_free(&f);
    free(x);
}

static void test_policy_connection_has_one_child_per_rule(void **state)
{
    (void)state;
    struct fx f = fx_new(
        CONN_BODY(SUBNETS ",\"style\":\"policy\",\"policy_rules\":["
                          "{\"source\":\"10.0.1.0/24\",\"destination\":[\"192.168.0.0/25\"]},"
                          "{\"source\":\"10.0.2.0/24\",\"destination\":[\"192.168.0.128/26\","
                          "\"192.168.0.192/26\"]}]"),
        VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct model_ipsec_conn *x = build_ok(&f, MODEL_IPSEC_CLOUD);
    assert_int_equal(x->n_children, 2);
    assert_string_equal(x->children[0].name, "rule1");
    assert_string_equal(x->children[0].local_ts[0].s, "10.0.1.0/24");
    assert_string_equal(x->children[1].name, "rule2");
    assert_int_equal(x->children[1].n_remote_ts, 2);
    assert_string_equal(x->children[1].remote_ts[1].s, "192.168.0.192/26");
    fx_free(&f);
    free(x);
}

static void test_a_dual_stack_tunnel_selects_both_families_between_ipv6_endpoints(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS SUBNETS6), VGW_BODY(VGW_PUBLIC6), CGW_IP6);
    struct model_ipsec_conn *x = build_ok(&f, MODEL_IPSEC_CLOUD);
    assert_string_equal(x->local_addr, "2001:db8:e1::134");
    assert_string_equal(x->remote_addr, "2001:db8:ff::1");
    assert_string_equal(x->local_id, "2001:db8:e1::134");
    assert_int_equal(x->n_children, 1);
    assert_int_equal(x->children[0].n_local_ts, 2);
    assert_string_equal(x->children[0].local_ts[0].s, "10.0.0.0/16");
    assert_string_equal(x->children[0].local_ts[1].s, "2001:db8:10::/48");
    assert_int_equal(x->children[0].n_remote_ts, 2);
    assert_string_equal(x->children[0].remote_ts[1].s, "2001:db8:20::/48");
    fx_free(&f);
    free(x);
}

static void test_an_ipv6_policy_connection_has_one_child_per_ipv6_rule(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS6 ",\"style\":\"policy\"" RULE6), VGW_BODY(VGW_PUBLIC6),
                         CGW_IP6);
    struct model_ipsec_conn *x = build_ok(&f, MODEL_IPSEC_PEER);
    assert_int_equal(x->n_children, 1);
    assert_string_equal(x->children[0].name, "rule1");
    assert_string_equal(x->children[0].local_ts[0].s, "2001:db8:20::/48");
    assert_string_equal(x->children[0].remote_ts[0].s, "2001:db8:10::/48");
    assert_string_equal(x->local_addr, "2001:db8:ff::1");
    fx_free(&f);
    free(x);
}

static void test_fqdn_identities_are_typed_and_any_peer_is_percent_any(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS ",\"ikepolicy\":{\"local_id_type\":\"fqdn\","
                                           "\"local_id\":\"10.9.9.9\",\"peer_id_type\":\"any\"}"),
                         VGW_BODY(VGW_PUBLIC), CGW_FQDN_BODY);
    struct model_ipsec_conn *x = build_ok(&f, MODEL_IPSEC_CLOUD);
    assert_string_equal(x->local_id, "fqdn:10.9.9.9");
    assert_string_equal(x->remote_id, "%any");
    assert_string_equal(x->remote_addr, "cgw.example.com");
    fx_free(&f);
    free(x);
}

static void test_peer_side_mirrors_addresses_identities_and_selectors(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct model_ipsec_conn *x = build_ok(&f, MODEL_IPSEC_PEER);
    assert_string_equal(x->local_addr, "88.1.1.164");
    assert_string_equal(x->remote_addr, "10.1.1.134");
    assert_string_equal(x->local_id, "88.1.1.164");
    assert_string_equal(x->remote_id, "10.1.1.134");
    assert_string_equal(x->children[0].local_ts[0].s, "192.168.0.0/24");
    assert_string_equal(x->children[0].remote_ts[0].s, "10.0.0.0/16");
    fx_free(&f);
    free(x);
}

static void test_peer_side_of_an_any_peer_identifies_by_its_fqdn(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS ",\"ikepolicy\":{\"peer_id_type\":\"any\"}"),
                         VGW_BODY(VGW_PUBLIC), CGW_FQDN_BODY);
    struct model_ipsec_conn *x = build_ok(&f, MODEL_IPSEC_PEER);
    assert_string_equal(x->local_id, "fqdn:cgw.example.com");
    assert_string_equal(x->remote_id, "10.1.1.134");
    fx_free(&f);
    free(x);
}

static void test_only_vpnd_uuid_names_are_ours(void **state)
{
    (void)state;
    assert_true(model_ipsec_name_is_ours("vpnd-" CONN_ID));
    assert_false(model_ipsec_name_is_ours("vpnd-" CONN_ID "x"));
    assert_false(model_ipsec_name_is_ours("vpnd-1234"));
    assert_false(model_ipsec_name_is_ours("site-" CONN_ID));
    assert_false(model_ipsec_name_is_ours(CONN_ID));
}

static const char peer_config_want[] =
    "# strongSwan swanctl.conf for the customer gateway of VPN connection " CONN_ID ".\n"
    "# Load it with: swanctl --load-all --file <this file>\n"
    "connections {\n"
    "    vpnd-" CONN_ID " {\n"
    "        version = 2\n"
    "        local_addrs = 88.1.1.164\n"
    "        remote_addrs = 10.1.1.134\n"
    "        proposals = aes128-sha256-modp3072\n"
    "        mobike = no\n"
    "        rekey_time = 77760\n"
    "        reauth_time = 0\n"
    "        over_time = 8640\n"
    "        rand_time = 8640\n"
    "        dpd_delay = 30\n"
    "        keyingtries = 0\n"
    "        local {\n"
    "            auth = psk\n"
    "            id = 88.1.1.164\n"
    "        }\n"
    "        remote {\n"
    "            auth = psk\n"
    "            id = 10.1.1.134\n"
    "        }\n"
    "        children {\n"
    "            tunnel {\n"
    "                local_ts = 192.168.0.0/24\n"
    "                remote_ts = 10.0.0.0/16\n"
    "                esp_proposals = aes128-sha256-modp3072\n"
    "                mode = tunnel\n"
    "                rekey_time = 3240\n"
    "                life_time = 3600\n"
    "                rand_time = 360\n"
    "                start_action = start\n"
    "                dpd_action = restart\n"
    "                close_action = none\n"
    "            }\n"
    "        }\n"
    "    }\n"
    "}\n"
    "secrets {\n"
    "    ike-vpnd-" CONN_ID " {\n"
    "        id-1 = 88.1.1.164\n"
    "        id-2 = 10.1.1.134\n"
    "        secret = \"Abc@12345678\"\n"
    "    }\n"
    "}\n";

static void test_peer_config_is_a_complete_swanctl_conf(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS PSK_PART), VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct buf out = {0};
    struct verr err = {0};
    assert_int_equal(model_peer_config_swanctl(f.c, f.g, f.cgw, &out, &err), 0);
    assert_string_equal(out.data, peer_config_want);
    buf_free(&out);
    fx_free(&f);
}

static void test_peer_config_quotes_values_with_spaces_and_braces(void **state)
{
    (void)state;
    struct fx f =
        fx_new(CONN_BODY(SUBNETS ",\"psk\":\"a{ }B1#=x\""), VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct buf out = {0};
    struct verr err = {0};
    assert_int_equal(model_peer_config_swanctl(f.c, f.g, f.cgw, &out, &err), 0);
    assert_non_null(strstr(out.data, "        secret = \"a{ }B1#=x\"\n"));
    buf_free(&out);
    fx_free(&f);
}

static void test_peer_config_without_a_psk_is_refused_and_writes_nothing(void **state)
{
    (void)state;
    struct fx f = fx_new(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP_BODY);
    struct buf out = {0};
    struct verr err = {0};
    assert_int_equal(model_peer_config_swanctl(f.c, f.g, f.cgw, &out, &err), -EINVAL);
    assert_string_equal(err.msg,
                        "vpn_connection.psk: is required for a strongSwan peer configuration");
    assert_int_equal(out.len, 0);
    buf_free(&out);
    fx_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_map_to_aes128_sha256_modp3072_both_phases),
        cmocka_unit_test(test_endpoints_are_the_eip_behind_vgw_ip_and_the_customer_address),
        cmocka_unit_test(test_lifetimes_are_hard_limits_with_rekeying_a_tenth_earlier),
        cmocka_unit_test(test_ikev2_dpd_has_a_delay_and_no_timeout),
        cmocka_unit_test(test_ikev1_dpd_timeout_is_interval_plus_timeout),
        cmocka_unit_test(test_ikev1_reauthenticates_instead_of_rekeying),
        cmocka_unit_test(test_aggressive_mode_applies_to_ikev1_only),
        cmocka_unit_test(test_gcm_ike_names_only_the_prf_and_gcm_esp_no_integrity),
        cmocka_unit_test(test_pfs_group_is_appended_to_the_esp_proposal),
        cmocka_unit_test(test_gcm_ike_proposal_with_ikev1_is_refused),
        cmocka_unit_test(test_sm4_is_refused_with_the_field_and_a_reason),
        cmocka_unit_test(test_sm3_in_the_ipsec_policy_is_refused),
        cmocka_unit_test(test_gm_gateway_is_refused),
        cmocka_unit_test(test_digital_envelope_authentication_is_refused),
        cmocka_unit_test(test_policy_template_style_is_refused),
        cmocka_unit_test(test_gateway_without_an_address_for_vgw_ip_is_refused),
        cmocka_unit_test(test_static_connection_without_peer_subnets_is_refused),
        cmocka_unit_test(test_static_child_joins_local_subnets_and_peer_subnets),
        cmocka_unit_test(test_policy_connection_has_one_child_per_rule),
        cmocka_unit_test(test_a_dual_stack_tunnel_selects_both_families_between_ipv6_endpoints),
        cmocka_unit_test(test_an_ipv6_policy_connection_has_one_child_per_ipv6_rule),
        cmocka_unit_test(test_fqdn_identities_are_typed_and_any_peer_is_percent_any),
        cmocka_unit_test(test_peer_side_mirrors_addresses_identities_and_selectors),
        cmocka_unit_test(test_peer_side_of_an_any_peer_identifies_by_its_fqdn),
        cmocka_unit_test(test_only_vpnd_uuid_names_are_ours),
        cmocka_unit_test(test_peer_config_is_a_complete_swanctl_conf),
        cmocka_unit_test(test_peer_config_quotes_values_with_spaces_and_braces),
        cmocka_unit_test(test_peer_config_without_a_psk_is_refused_and_writes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
