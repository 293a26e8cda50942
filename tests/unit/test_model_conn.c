/* Unit tests for model_conn_parse_create: the connection create body (spec §2.2-2.3). */
#include "test_model_util.h"

/* ---- body and wrapper ---- */

static void test_malformed_json_reports_reason_line_and_column(void **state)
{
    (void)state;
    CONN_ERR("{\n  \"vpn_connection\": {,}}",
             "request body is not valid JSON: string or '}' expected near ',' at line 2 column 22");
}

static void test_empty_body_is_not_valid_json(void **state)
{
    (void)state;
    CONN_ERR("", "request body is not valid JSON: '[' or '{' expected near end of file at line 1 "
                 "column 0");
}

static void test_string_token_of_a_json_error_is_not_echoed(void **state)
{
    (void)state;
    CONN_ERR("{\"vpn_connection\":{\"psk\":\"Secret12\x01\"}}",
             "request body is not valid JSON: control character 0x1 at line 1 column 34");
}

static void test_duplicate_member_names_are_rejected(void **state)
{
    (void)state;
    CONN_ERR(
        CONN_BODY(",\"name\":\"a\",\"name\":\"b\""),
        "request body is not valid JSON: duplicate object key near '\"name\"' at line 1 column "
        "180");
}

static void test_top_level_array_is_rejected(void **state)
{
    (void)state;
    CONN_ERR("[]", "request body: must be an object, got array");
}

static void test_missing_wrapper_is_required(void **state)
{
    (void)state;
    CONN_ERR("{\"vpn_gateway\":{}}", "vpn_connection: is required");
}

static void test_wrapper_array_is_rejected_with_its_type(void **state)
{
    (void)state;
    CONN_ERR("{\"vpn_connection\":[]}", "vpn_connection: must be an object, got array");
}

static void test_unknown_and_deprecated_members_are_ignored(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok(CONN_BODY(
        ",\"enterprise_project_id\":\"" EPID "\",\"foo\":[1],\"ikepolicy\":{\"pfs\":\"group2\"}"));
    assert_string_equal(c->enterprise_project_id, "0");
    free(c);
}

static void test_null_member_counts_as_absent(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok(CONN_BODY(",\"name\":null,\"style\":null"));
    assert_string_equal(c->name, "");
    assert_string_equal(c->style, "STATIC");
    free(c);
}

/* ---- required ids ---- */

static void test_missing_vgw_id_is_required(void **state)
{
    (void)state;
    CONN_ERR("{\"vpn_connection\":{\"vgw_ip\":\"" EIP1_ID "\",\"cgw_id\":\"" CGW_ID "\"}}",
             "vpn_connection.vgw_id: is required");
}

static void test_missing_vgw_ip_is_required(void **state)
{
    (void)state;
    CONN_ERR("{\"vpn_connection\":{\"vgw_id\":\"" VGW_ID "\",\"cgw_id\":\"" CGW_ID "\"}}",
             "vpn_connection.vgw_ip: is required");
}

static void test_missing_cgw_id_is_required(void **state)
{
    (void)state;
    CONN_ERR("{\"vpn_connection\":{\"vgw_id\":\"" VGW_ID "\",\"vgw_ip\":\"" EIP1_ID "\"}}",
             "vpn_connection.cgw_id: is required");
}

static void test_vgw_id_that_is_not_a_uuid_is_rejected(void **state)
{
    (void)state;
    CONN_ERR("{\"vpn_connection\":{\"vgw_id\":\"b32d91a4\"}}",
             "vpn_connection.vgw_id: must be a UUID, got \"b32d91a4\"");
}

static void test_vgw_ip_accepts_a_private_address(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok("{\"vpn_connection\":{\"vgw_id\":\"" VGW_ID
                                       "\",\"vgw_ip\":\"172.16.0.10\",\"cgw_id\":\"" CGW_ID "\"}}");
    assert_string_equal(c->vgw_ip, "172.16.0.10");
    free(c);
}

static void test_vgw_ip_neither_uuid_nor_address_is_rejected(void **state)
{
    (void)state;
    CONN_ERR("{\"vpn_connection\":{\"vgw_id\":\"" VGW_ID "\",\"vgw_ip\":\"10.0.0\"}}",
             "vpn_connection.vgw_ip: must be a UUID, an IPv4 address or an IPv6 address, got "
             "\"10.0.0\"");
}

/* ---- name ---- */

static void test_name_of_wrong_type_is_rejected_with_type(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"name\":12"), "vpn_connection.name: must be a string, got number");
}

static void test_name_with_a_space_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"name\":\"a b\""),
             "vpn_connection.name: must be 1 to 64 characters of letters, digits, _ - . or CJK, "
             "got \"a b\"");
}

static void test_empty_name_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"name\":\"\""),
             "vpn_connection.name: must be 1 to 64 characters of letters, digits, _ - . or CJK, "
             "got \"\"");
}

static void test_name_of_cjk_characters_is_accepted(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok(CONN_BODY(",\"name\":\"连接-1.a_b\""));
    assert_string_equal(c->name, "连接-1.a_b");
    free(c);
}

static void test_name_of_64_characters_is_accepted_and_65_rejected(void **state)
{
    (void)state;
    char body[512], want[512];
    char name[66];
    memset(name, 'n', 65);
    name[65] = '\0';
    snprintf(body, sizeof(body), CONN_BODY(",\"name\":\"%s\""), name);
    snprintf(want, sizeof(want),
             "vpn_connection.name: must be 1 to 64 characters of letters, digits, _ - . or CJK, "
             "got \"%.64s\"...",
             name);
    CONN_ERR(body, want);
    name[64] = '\0';
    snprintf(body, sizeof(body), CONN_BODY(",\"name\":\"%s\""), name);
    free(conn_ok(body));
}

static void test_name_is_left_empty_when_not_given(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok(CONN_BODY(""));
    assert_string_equal(c->name, "");
    free(c);
}

/* ---- hostile input ---- */

static void test_huge_name_is_echoed_cut_at_64_bytes(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *body = malloc(n + 200);
    assert_non_null(body);
    int head = sprintf(body, "{\"vpn_connection\":{\"name\":\"");
    memset(body + head, 'x', n);
    strcpy(body + head + n, "\"}}");
    char want[256];
    snprintf(want, sizeof(want),
             "vpn_connection.name: must be 1 to 64 characters of letters, digits, _ - . or CJK, "
             "got \"%s\"...",
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    CONN_ERR(body, want);
    free(body);
}

static void test_echo_cut_does_not_split_a_utf8_character(void **state)
{
    (void)state;
    /* 63 ASCII bytes then a 3-byte character: the cut falls inside it, so it is dropped */
    CONN_ERR(
        CONN_BODY(
            ",\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa连x\""),
        "vpn_connection.name: must be 1 to 64 characters of letters, digits, _ - . or CJK, "
        "got \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"...");
}

static void test_deep_nesting_is_rejected_as_invalid_json(void **state)
{
    (void)state;
    char *body = malloc(10000);
    assert_non_null(body);
    memset(body, '[', 10000);
    conn_err(body, 10000,
             "request body is not valid JSON: maximum parsing depth reached near '[' at line 1 "
             "column 2049");
    free(body);
}

static void test_nul_character_in_a_string_is_rejected_and_escaped(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"name\":\"ab\\u0000c\""),
             "vpn_connection.name: must not contain NUL characters, got \"ab\\u0000c\"");
}

static void test_nul_character_in_an_enum_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"style\":\"bgp\\u0000\""),
             "vpn_connection.style: must be one of policy, static, bgp, policy-template, got "
             "\"bgp\\u0000\"");
}

static void test_echoed_value_escapes_quotes_and_controls(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"name\":\"a\\\"b\\n\""),
             "vpn_connection.name: must be 1 to 64 characters of letters, digits, _ - . or CJK, "
             "got \"a\\\"b\\n\"");
}

static void test_huge_peer_subnet_list_is_rejected_by_count(void **state)
{
    (void)state;
    size_t n = 10000;
    char *body = malloc(n * 18 + 300);
    assert_non_null(body);
    char *p = body + sprintf(body, "{\"vpn_connection\":{" CONN_REQ ",\"peer_subnets\":[");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s\"10.0.0.0/24\"", i ? "," : "");
    strcpy(p, "]}}");
    CONN_ERR(body, "vpn_connection.peer_subnets: must have at most 50 items, got 10000");
    free(body);
}

/* ---- style ---- */

static void test_style_is_case_insensitive_and_upper_cased(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok(CONN_BODY(",\"style\":\"Bgp\""));
    assert_string_equal(c->style, "BGP");
    free(c);
}

static void test_unknown_style_lists_the_allowed_values(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"style\":\"foo\""),
             "vpn_connection.style: must be one of policy, static, bgp, policy-template, got "
             "\"foo\"");
}

static void test_style_of_wrong_type_names_the_type(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"style\":true"),
             "vpn_connection.style: must be one of policy, static, bgp, policy-template, got "
             "boolean");
}

/* ---- defaults ---- */

static void test_defaults_are_filled_for_a_minimal_body(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok(CONN_BODY(SUBNETS));
    const struct model_ikepolicy *ike = &c->ikepolicy;
    const struct model_ipsecpolicy *ipsec = &c->ipsecpolicy;

    assert_string_equal(c->style, "STATIC");
    assert_string_equal(c->ha_role, "master");
    assert_false(c->enable_nqa);
    assert_false(c->enable_hub);
    assert_false(c->has_psk);
    assert_null(c->status);
    assert_string_equal(c->id, "");
    assert_string_equal(c->tunnel_local_address, "");
    assert_string_equal(ike->ike_version, "v2");
    assert_string_equal(ike->phase1_negotiation_mode, "main");
    assert_string_equal(ike->authentication_algorithm, "sha2-256");
    assert_string_equal(ike->encryption_algorithm, "aes-128");
    assert_string_equal(ike->dh_group, "group15");
    assert_string_equal(ike->authentication_method, "pre-share");
    assert_int_equal(ike->lifetime_seconds, 86400);
    assert_string_equal(ike->local_id_type, "ip");
    assert_string_equal(ike->peer_id_type, "ip");
    assert_string_equal(ike->local_id, "");
    assert_int_equal(ike->dpd.timeout, 15);
    assert_int_equal(ike->dpd.interval, 30);
    assert_string_equal(ike->dpd.msg, "seq-hash-notify");
    assert_string_equal(ipsec->authentication_algorithm, "sha2-256");
    assert_string_equal(ipsec->encryption_algorithm, "aes-128");
    assert_string_equal(ipsec->pfs, "group15");
    assert_string_equal(ipsec->transform_protocol, "esp");
    assert_int_equal(ipsec->lifetime_seconds, 3600);
    assert_string_equal(ipsec->encapsulation_mode, "tunnel");
    assert_int_equal(c->n_peer_subnets, 1);
    assert_string_equal(c->peer_subnets[0].s, "192.168.0.0/24");
    free(c);
}

/* ---- peer_subnets ---- */

static void test_more_than_50_peer_subnets_are_rejected(void **state)
{
    (void)state;
    char body[4096];
    char *p = body + sprintf(body, "{\"vpn_connection\":{" CONN_REQ ",\"peer_subnets\":[");
    for (int i = 0; i < 51; i++)
        p += sprintf(p, "%s\"10.%d.0.0/16\"", i ? "," : "", i);
    strcpy(p, "]}}");
    CONN_ERR(body, "vpn_connection.peer_subnets: must have at most 50 items, got 51");
}

static void test_peer_subnet_with_three_octets_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"peer_subnets\":[\"10.0.0/24\"]"),
             "vpn_connection.peer_subnets[0]: must be a CIDR like 10.0.0.0/24, got \"10.0.0/24\"");
}

static void test_peer_subnet_with_leading_zero_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(
        CONN_BODY(",\"peer_subnets\":[\"010.0.0.0/8\"]"),
        "vpn_connection.peer_subnets[0]: must be a CIDR like 10.0.0.0/24, got \"010.0.0.0/8\"");
}

static void test_peer_subnet_with_host_bits_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"peer_subnets\":[\"172.16.0.0/12\",\"10.0.0.1/24\"]"),
             "vpn_connection.peer_subnets[1]: must be a CIDR with host bits zero like "
             "10.0.0.0/24, got \"10.0.0.1/24\"");
}

static void test_peer_subnet_in_shared_address_space_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"peer_subnets\":[\"100.100.0.0/16\"]"),
             "vpn_connection.peer_subnets[0]: must not overlap reserved block 100.64.0.0/10, got "
             "\"100.100.0.0/16\"");
}

static void test_peer_subnet_in_214_block_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"peer_subnets\":[\"214.1.2.0/24\"]"),
             "vpn_connection.peer_subnets[0]: must not overlap reserved block 214.0.0.0/8, got "
             "\"214.1.2.0/24\"");
}

static void test_peer_subnet_containing_a_reserved_block_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"peer_subnets\":[\"96.0.0.0/4\"]"),
             "vpn_connection.peer_subnets[0]: must not overlap reserved block 100.64.0.0/10, got "
             "\"96.0.0.0/4\"");
}

static void test_duplicate_peer_subnet_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(
        CONN_BODY(",\"peer_subnets\":[\"10.1.0.0/16\",\"10.2.0.0/16\",\"10.1.0.0/16\"]"),
        "vpn_connection.peer_subnets[2]: must not repeat peer_subnets[0], got \"10.1.0.0/16\"");
}

static void test_peer_subnets_of_wrong_type_are_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"peer_subnets\":\"10.1.0.0/16\""),
             "vpn_connection.peer_subnets: must be an array, got string");
}

/* ---- tunnel addresses ---- */

static void test_tunnel_local_without_peer_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"tunnel_local_address\":\"169.254.1.1/30\""),
             "vpn_connection.tunnel_peer_address: is required when tunnel_local_address is given");
}

static void test_tunnel_peer_without_local_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"tunnel_peer_address\":\"169.254.1.2/30\""),
             "vpn_connection.tunnel_local_address: is required when tunnel_peer_address is given");
}

static void test_tunnel_pair_is_checked_and_kept(void **state)
{
    (void)state;
    struct model_vpn_conn *c =
        conn_ok(CONN_BODY(",\"tunnel_local_address\":\"169.254.56.226/"
                          "30\",\"tunnel_peer_address\":\"169.254.56.225/30\""));
    assert_string_equal(c->tunnel_local_address, "169.254.56.226/30");
    assert_string_equal(c->tunnel_peer_address, "169.254.56.225/30");
    free(c);
}

static void test_tunnel_local_in_the_reserved_third_octet_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"tunnel_local_address\":\"169.254.195.1/30\""),
             "vpn_connection.tunnel_local_address: must not be in 169.254.195.0/24, got "
             "\"169.254.195.1/30\"");
}

/* ---- style-bound flags ---- */

static void test_enable_nqa_with_bgp_style_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"style\":\"bgp\",\"enable_nqa\":true"),
             "vpn_connection.enable_nqa: must be false unless style is STATIC, got true");
}

static void test_enable_nqa_with_static_style_is_kept(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok(CONN_BODY(",\"enable_nqa\":true"));
    assert_true(c->enable_nqa);
    free(c);
}

static void test_enable_hub_with_static_style_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"enable_hub\":true"),
             "vpn_connection.enable_hub: must be false unless style is BGP, got true");
}

static void test_enable_hub_with_bgp_style_is_kept(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok(CONN_BODY(",\"style\":\"BGP\",\"enable_hub\":true"));
    assert_true(c->enable_hub);
    free(c);
}

static void test_enable_nqa_of_wrong_type_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"enable_nqa\":\"true\""),
             "vpn_connection.enable_nqa: must be a boolean, got string");
}

/* ---- psk ---- */

#define PSK_ERR                                                                                    \
    "vpn_connection.psk: must be 8 to 128 characters with at least 3 of upper case, lower case, "  \
    "digits and special characters ~!@#$%^*()-_+={ },./:;"

static void test_short_psk_is_rejected_without_echo(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"psk\":\"Ab1!xyz\""), PSK_ERR);
}

static void test_psk_with_two_classes_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"psk\":\"abcdefgh123\""), PSK_ERR);
}

static void test_psk_with_a_character_outside_the_set_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"psk\":\"Abcdefg1&\""), PSK_ERR);
}

static void test_psk_of_129_characters_is_rejected(void **state)
{
    (void)state;
    char body[512], psk[130];
    memset(psk, 'a', 129);
    memcpy(psk, "A1", 2);
    psk[129] = '\0';
    snprintf(body, sizeof(body), CONN_BODY(",\"psk\":\"%s\""), psk);
    CONN_ERR(body, PSK_ERR);
    psk[128] = '\0';
    snprintf(body, sizeof(body), CONN_BODY(",\"psk\":\"%s\""), psk);
    free(conn_ok(body));
}

static void test_psk_with_nul_is_rejected_without_echo(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"psk\":\"Abcdefg1\\u0000x\""), PSK_ERR);
}

static void test_psk_of_wrong_type_names_only_the_type(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"psk\":12345678"), "vpn_connection.psk: must be a string, got number");
}

static void test_psk_with_star_and_space_is_accepted(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok(CONN_BODY(",\"psk\":\"abc def*12\""));
    assert_true(c->has_psk);
    assert_string_equal(c->psk, "abc def*12");
    free(c);
}

/* ---- policy rules ---- */

#define POLICY_BODY(rules) CONN_BODY(",\"style\":\"policy\",\"policy_rules\":[" rules "]")
#define R(src, dst) "{\"source\":\"" src "\",\"destination\":[\"" dst "\"]}"

static void test_policy_style_without_rules_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"style\":\"policy\""),
             "vpn_connection.policy_rules: is required when style is POLICY");
}

static void test_policy_style_with_empty_rules_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(POLICY_BODY(""), "vpn_connection.policy_rules: must have 1 to 5 items, got 0");
}

static void test_more_than_5_policy_rules_are_rejected(void **state)
{
    (void)state;
    CONN_ERR(
        POLICY_BODY(R("10.0.1.0/24", "192.168.0.0/24") "," R("10.0.2.0/24", "192.168.0.0/24") "," R(
            "10.0.3.0/24",
            "192.168.0.0/24") "," R("10.0.4.0/24",
                                    "192.168.0.0/24") "," R("10.0.5.0/24",
                                                            "192.168.0.0/24") "," R("10.0.6.0/24",
                                                                                    "192.168.0.0/"
                                                                                    "24")),
        "vpn_connection.policy_rules: must have 1 to 5 items, got 6");
}

static void test_policy_rule_source_is_checked_with_its_index(void **state)
{
    (void)state;
    CONN_ERR(POLICY_BODY(R("10.0.1.0/24", "192.168.0.0/24") "," R(
                 "10.0.2.0/24", "192.168.0.0/24") "," R("10.0.0/24", "192.168.0.0/24")),
             "vpn_connection.policy_rules[2].source: must be a CIDR like 10.0.0.0/24, got "
             "\"10.0.0/24\"");
}

static void test_duplicate_policy_rule_source_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(POLICY_BODY(R("10.0.0.0/24", "192.168.0.0/24") "," R("10.0.0.0/24", "192.168.1.0/24")),
             "vpn_connection.policy_rules[1].source: must not repeat policy_rules[0].source, got "
             "\"10.0.0.0/24\"");
}

static void test_policy_rule_without_source_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(POLICY_BODY("{\"destination\":[\"192.168.0.0/24\"]}"),
             "vpn_connection.policy_rules[0].source: is required");
}

static void test_policy_rule_without_destination_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(POLICY_BODY("{\"source\":\"10.0.0.0/24\"}"),
             "vpn_connection.policy_rules[0].destination: is required");
}

static void test_more_than_50_destinations_are_rejected(void **state)
{
    (void)state;
    char body[4096];
    char *p = body + sprintf(body, "{\"vpn_connection\":{" CONN_REQ
                                   ",\"style\":\"policy\",\"policy_rules\":[{\"source\":\"10.0.0.0/"
                                   "24\",\"destination\":[");
    for (int i = 0; i < 51; i++)
        p += sprintf(p, "%s\"192.168.%d.0/24\"", i ? "," : "", i);
    strcpy(p, "]}]}}");
    CONN_ERR(body, "vpn_connection.policy_rules[0].destination: must have 1 to 50 items, got 51");
}

static void test_destination_is_checked_with_its_index(void **state)
{
    (void)state;
    CONN_ERR(POLICY_BODY("{\"source\":\"10.0.0.0/24\",\"destination\":[\"192.168.0.0/24\",\"x\"]}"),
             "vpn_connection.policy_rules[0].destination[1]: must be a CIDR like 10.0.0.0/24, got "
             "\"x\"");
}

static void test_rule_index_above_50_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(POLICY_BODY("{\"rule_index\":51,\"source\":\"10.0.0.0/24\",\"destination\":[\"192.168."
                         "0.0/24\"]}"),
             "vpn_connection.policy_rules[0].rule_index: must be an integer from 0 to 50, got 51");
}

static void test_duplicate_rule_index_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(POLICY_BODY("{\"rule_index\":3,\"source\":\"10.0.1.0/24\",\"destination\":[\"1.1.1.0/"
                         "24\"]},{\"rule_index\":3,\"source\":\"10.0.2.0/24\",\"destination\":[\"1."
                         "1.1.0/24\"]}"),
             "vpn_connection.policy_rules[1].rule_index: must not repeat "
             "policy_rules[0].rule_index, got 3");
}

static void test_missing_rule_indexes_are_generated_from_1_around_given_ones(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok(POLICY_BODY(
        R("10.0.1.0/24", "1.1.1.0/24") ",{\"rule_index\":1,\"source\":\"10.0.2.0/24\","
                                       "\"destination\":[\"1.1.1.0/24\"]}," R("10.0.3.0/24",
                                                                              "1.1.1.0/24")));
    assert_int_equal(c->n_policy_rules, 3);
    assert_int_equal(c->policy_rules[0].rule_index, 2);
    assert_int_equal(c->policy_rules[1].rule_index, 1);
    assert_int_equal(c->policy_rules[2].rule_index, 3);
    assert_int_equal(c->policy_rules[2].n_destination, 1);
    assert_string_equal(c->policy_rules[2].destination[0].s, "1.1.1.0/24");
    free(c);
}

/* ---- ikepolicy / ipsecpolicy ---- */

static void test_ike_lifetime_below_60_is_rejected_with_field_path(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"ikepolicy\":{\"lifetime_seconds\":30}"),
             "vpn_connection.ikepolicy.lifetime_seconds: must be an integer from 60 to 604800, got "
             "30");
}

static void test_ike_lifetime_that_is_a_fraction_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"ikepolicy\":{\"lifetime_seconds\":1.5}"),
             "vpn_connection.ikepolicy.lifetime_seconds: must be an integer from 60 to 604800, got "
             "1.5");
}

static void test_ike_lifetime_that_is_a_string_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"ikepolicy\":{\"lifetime_seconds\":\"30\"}"),
             "vpn_connection.ikepolicy.lifetime_seconds: must be an integer from 60 to 604800, got "
             "string");
}

static void test_unknown_dh_group_lists_the_groups(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"ikepolicy\":{\"dh_group\":\"group3\"}"),
             "vpn_connection.ikepolicy.dh_group: must be one of group1, group2, group5, group14, "
             "group15, group16, group19, group20, group21, got \"group3\"");
}

static void test_ike_version_is_case_sensitive(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"ikepolicy\":{\"ike_version\":\"V2\"}"),
             "vpn_connection.ikepolicy.ike_version: must be one of v1, v2, got \"V2\"");
}

static void test_algorithm_union_with_gcm_128_and_sm_is_accepted(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok(CONN_BODY(
        ",\"ikepolicy\":{\"authentication_algorithm\":\"sm3\",\"encryption_algorithm\":\"aes-128-"
        "gcm-128\"},\"ipsecpolicy\":{\"authentication_algorithm\":\"sha1\",\"encryption_"
        "algorithm\":"
        "\"sm4\",\"pfs\":\"disable\"}"));
    assert_string_equal(c->ikepolicy.authentication_algorithm, "sm3");
    assert_string_equal(c->ikepolicy.encryption_algorithm, "aes-128-gcm-128");
    assert_string_equal(c->ipsecpolicy.encryption_algorithm, "sm4");
    assert_string_equal(c->ipsecpolicy.pfs, "disable");
    free(c);
    c = conn_ok(CONN_BODY(",\"ikepolicy\":{\"encryption_algorithm\":\"aes-256-gcm-128\"}"));
    assert_string_equal(c->ikepolicy.encryption_algorithm, "aes-256-gcm-128");
    free(c);
}

static void test_all_ike_fields_are_read(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok(CONN_BODY(
        ",\"ikepolicy\":{\"ike_version\":\"v1\",\"phase1_negotiation_mode\":\"aggressive\","
        "\"authentication_algorithm\":\"sha2-512\",\"encryption_algorithm\":\"aes-256\","
        "\"dh_group\":\"group21\",\"authentication_method\":\"digital-envelope-v2\","
        "\"lifetime_seconds\":604800,\"local_id_type\":\"fqdn\",\"local_id\":\"gw.example.com\","
        "\"peer_id_type\":\"any\",\"dpd\":{\"timeout\":60,\"interval\":3600,\"msg\":\"seq-notify-"
        "hash\"}}"));
    const struct model_ikepolicy *ike = &c->ikepolicy;
    assert_string_equal(ike->ike_version, "v1");
    assert_string_equal(ike->phase1_negotiation_mode, "aggressive");
    assert_string_equal(ike->authentication_algorithm, "sha2-512");
    assert_string_equal(ike->encryption_algorithm, "aes-256");
    assert_string_equal(ike->dh_group, "group21");
    assert_string_equal(ike->authentication_method, "digital-envelope-v2");
    assert_int_equal(ike->lifetime_seconds, 604800);
    assert_string_equal(ike->local_id_type, "fqdn");
    assert_string_equal(ike->local_id, "gw.example.com");
    assert_string_equal(ike->peer_id_type, "any");
    assert_string_equal(ike->peer_id, "");
    assert_int_equal(ike->dpd.timeout, 60);
    assert_int_equal(ike->dpd.interval, 3600);
    assert_string_equal(ike->dpd.msg, "seq-notify-hash");
    free(c);
}

static void test_fqdn_local_id_type_requires_local_id(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"ikepolicy\":{\"local_id_type\":\"fqdn\"}"),
             "vpn_connection.ikepolicy.local_id: is required when local_id_type is fqdn");
}

static void test_fqdn_peer_id_type_requires_peer_id(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"ikepolicy\":{\"peer_id_type\":\"fqdn\"}"),
             "vpn_connection.ikepolicy.peer_id: is required when peer_id_type is fqdn");
}

static void test_ip_local_id_must_be_an_address(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"ikepolicy\":{\"local_id\":\"gw.example.com\"}"),
             "vpn_connection.ikepolicy.local_id: must be an IPv4 address like 192.168.0.1 or an "
             "IPv6 address like 2001:db8::1, got \"gw.example.com\"");
}

static void test_fqdn_peer_id_with_a_bracket_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"ikepolicy\":{\"peer_id_type\":\"fqdn\",\"peer_id\":\"a[b\"}"),
             "vpn_connection.ikepolicy.peer_id: must be 1 to 128 printable ASCII characters "
             "without spaces or & < > [ ] \\ ?, got \"a[b\"");
}

static void test_dpd_timeout_below_2_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"ikepolicy\":{\"dpd\":{\"timeout\":1}}"),
             "vpn_connection.ikepolicy.dpd.timeout: must be an integer from 2 to 60, got 1");
}

static void test_ikepolicy_of_wrong_type_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"ikepolicy\":\"v2\""),
             "vpn_connection.ikepolicy: must be an object, got string");
}

static void test_ipsec_lifetime_below_30_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"ipsecpolicy\":{\"lifetime_seconds\":29}"),
             "vpn_connection.ipsecpolicy.lifetime_seconds: must be an integer from 30 to 604800, "
             "got 29");
}

static void test_ipsec_transform_protocol_other_than_esp_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"ipsecpolicy\":{\"transform_protocol\":\"ah\"}"),
             "vpn_connection.ipsecpolicy.transform_protocol: must be one of esp, got \"ah\"");
}

static void test_unknown_ha_role_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"ha_role\":\"backup\""),
             "vpn_connection.ha_role: must be one of master, slave, got \"backup\"");
}

/* ---- tags ---- */

static void test_more_than_20_tags_are_rejected(void **state)
{
    (void)state;
    char body[4096];
    char *p = body + sprintf(body, "{\"vpn_connection\":{" CONN_REQ ",\"tags\":[");
    for (int i = 0; i < 21; i++)
        p += sprintf(p, "%s{\"key\":\"k%d\",\"value\":\"v\"}", i ? "," : "", i);
    strcpy(p, "]}}");
    CONN_ERR(body, "vpn_connection.tags: must have at most 20 items, got 21");
}

static void test_tag_key_with_a_slash_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"tags\":[{\"key\":\"a/b\",\"value\":\"v\"}]"),
             "vpn_connection.tags[0].key: must be 1 to 128 characters of letters, digits, spaces "
             "and _ . : = + - @, got \"a/b\"");
}

static void test_tag_without_key_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"tags\":[{\"value\":\"v\"}]"), "vpn_connection.tags[0].key: is required");
}

static void test_duplicate_tag_key_is_rejected(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(
                 ",\"tags\":[{\"key\":\"env\",\"value\":\"a\"},{\"key\":\"env\",\"value\":\"b\"}]"),
             "vpn_connection.tags[1].key: must not repeat tags[0].key, got \"env\"");
}

static void test_tag_value_of_256_characters_is_rejected(void **state)
{
    (void)state;
    char body[1024], value[257], want[512];
    memset(value, 'v', 256);
    value[256] = '\0';
    snprintf(body, sizeof(body), CONN_BODY(",\"tags\":[{\"key\":\"k\",\"value\":\"%s\"}]"), value);
    snprintf(want, sizeof(want),
             "vpn_connection.tags[0].value: must be 0 to 255 characters of letters, digits, spaces "
             "and _ . : = + - @, got \"%.64s\"...",
             value);
    CONN_ERR(body, want);
    value[255] = '\0';
    snprintf(body, sizeof(body), CONN_BODY(",\"tags\":[{\"key\":\"k\",\"value\":\"%s\"}]"), value);
    free(conn_ok(body));
}

static void test_tag_key_of_129_characters_is_rejected(void **state)
{
    (void)state;
    char body[1024], key[130], want[512];
    memset(key, 'k', 129);
    key[129] = '\0';
    snprintf(body, sizeof(body), CONN_BODY(",\"tags\":[{\"key\":\"%s\"}]"), key);
    snprintf(want, sizeof(want),
             "vpn_connection.tags[0].key: must be 1 to 128 characters of letters, digits, spaces "
             "and _ . : = + - @, got \"%.64s\"...",
             key);
    CONN_ERR(body, want);
}

static void test_tags_accept_unicode_letters_and_the_listed_symbols(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok(CONN_BODY(
        ",\"tags\":[{\"key\":\"año café\",\"value\":\"ação_.:=+-@ 1\"},{\"key\":\"环境\"}]"));
    assert_int_equal(c->tags.n, 2);
    assert_string_equal(c->tags.v[0].key, "año café");
    assert_string_equal(c->tags.v[0].value, "ação_.:=+-@ 1");
    assert_string_equal(c->tags.v[1].key, "环境");
    assert_string_equal(c->tags.v[1].value, "");
    free(c);
}

/* ---- order ---- */

static void test_first_failure_in_field_order_is_reported(void **state)
{
    (void)state;
    /* tags and ha_role come first in the body, name first in field order */
    CONN_ERR("{\"vpn_connection\":{\"tags\":5,\"ha_role\":\"x\",\"name\":\"a b\"}}",
             "vpn_connection.name: must be 1 to 64 characters of letters, digits, _ - . or CJK, "
             "got \"a b\"");
}

static void test_failed_parse_leaves_the_output_untouched(void **state)
{
    (void)state;
    struct model_vpn_conn *c = test_zalloc(sizeof(*c));
    struct verr err;
    const char *body = CONN_BODY(",\"name\":\"ok\",\"ha_role\":\"x\"");
    memset(c, 0x5a, sizeof(*c));
    assert_int_equal(tm_conn_parse_create(body, strlen(body), c, &err), -EINVAL);
    for (size_t i = 0; i < sizeof(*c); i++)
        assert_int_equal(((unsigned char *)c)[i], 0x5a);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_json_reports_reason_line_and_column),
        cmocka_unit_test(test_empty_body_is_not_valid_json),
        cmocka_unit_test(test_string_token_of_a_json_error_is_not_echoed),
        cmocka_unit_test(test_duplicate_member_names_are_rejected),
        cmocka_unit_test(test_top_level_array_is_rejected),
        cmocka_unit_test(test_missing_wrapper_is_required),
        cmocka_unit_test(test_wrapper_array_is_rejected_with_its_type),
        cmocka_unit_test(test_unknown_and_deprecated_members_are_ignored),
        cmocka_unit_test(test_null_member_counts_as_absent),
        cmocka_unit_test(test_missing_vgw_id_is_required),
        cmocka_unit_test(test_missing_vgw_ip_is_required),
        cmocka_unit_test(test_missing_cgw_id_is_required),
        cmocka_unit_test(test_vgw_id_that_is_not_a_uuid_is_rejected),
        cmocka_unit_test(test_vgw_ip_accepts_a_private_address),
        cmocka_unit_test(test_vgw_ip_neither_uuid_nor_address_is_rejected),
        cmocka_unit_test(test_name_of_wrong_type_is_rejected_with_type),
        cmocka_unit_test(test_name_with_a_space_is_rejected),
        cmocka_unit_test(test_empty_name_is_rejected),
        cmocka_unit_test(test_name_of_cjk_characters_is_accepted),
        cmocka_unit_test(test_name_of_64_characters_is_accepted_and_65_rejected),
        cmocka_unit_test(test_name_is_left_empty_when_not_given),
        cmocka_unit_test(test_huge_name_is_echoed_cut_at_64_bytes),
        cmocka_unit_test(test_echo_cut_does_not_split_a_utf8_character),
        cmocka_unit_test(test_deep_nesting_is_rejected_as_invalid_json),
        cmocka_unit_test(test_nul_character_in_a_string_is_rejected_and_escaped),
        cmocka_unit_test(test_nul_character_in_an_enum_is_rejected),
        cmocka_unit_test(test_echoed_value_escapes_quotes_and_controls),
        cmocka_unit_test(test_huge_peer_subnet_list_is_rejected_by_count),
        cmocka_unit_test(test_style_is_case_insensitive_and_upper_cased),
        cmocka_unit_test(test_unknown_style_lists_the_allowed_values),
        cmocka_unit_test(test_style_of_wrong_type_names_the_type),
        cmocka_unit_test(test_defaults_are_filled_for_a_minimal_body),
        cmocka_unit_test(test_more_than_50_peer_subnets_are_rejected),
        cmocka_unit_test(test_peer_subnet_with_three_octets_is_rejected),
        cmocka_unit_test(test_peer_subnet_with_leading_zero_is_rejected),
        cmocka_unit_test(test_peer_subnet_with_host_bits_is_rejected),
        cmocka_unit_test(test_peer_subnet_in_shared_address_space_is_rejected),
        cmocka_unit_test(test_peer_subnet_in_214_block_is_rejected),
        cmocka_unit_test(test_peer_subnet_containing_a_reserved_block_is_rejected),
        cmocka_unit_test(test_duplicate_peer_subnet_is_rejected),
        cmocka_unit_test(test_peer_subnets_of_wrong_type_are_rejected),
        cmocka_unit_test(test_tunnel_local_without_peer_is_rejected),
        cmocka_unit_test(test_tunnel_peer_without_local_is_rejected),
        cmocka_unit_test(test_tunnel_pair_is_checked_and_kept),
        cmocka_unit_test(test_tunnel_local_in_the_reserved_third_octet_is_rejected),
        cmocka_unit_test(test_enable_nqa_with_bgp_style_is_rejected),
        cmocka_unit_test(test_enable_nqa_with_static_style_is_kept),
        cmocka_unit_test(test_enable_hub_with_static_style_is_rejected),
        cmocka_unit_test(test_enable_hub_with_bgp_style_is_kept),
        cmocka_unit_test(test_enable_nqa_of_wrong_type_is_rejected),
        cmocka_unit_test(test_short_psk_is_rejected_without_echo),
        cmocka_unit_test(test_psk_with_two_classes_is_rejected),
        cmocka_unit_test(test_psk_with_a_character_outside_the_set_is_rejected),
        cmocka_unit_test(test_psk_of_129_characters_is_rejected),
        cmocka_unit_test(test_psk_with_nul_is_rejected_without_echo),
        cmocka_unit_test(test_psk_of_wrong_type_names_only_the_type),
        cmocka_unit_test(test_psk_with_star_and_space_is_accepted),
        cmocka_unit_test(test_policy_style_without_rules_is_rejected),
        cmocka_unit_test(test_policy_style_with_empty_rules_is_rejected),
        cmocka_unit_test(test_more_than_5_policy_rules_are_rejected),
        cmocka_unit_test(test_policy_rule_source_is_checked_with_its_index),
        cmocka_unit_test(test_duplicate_policy_rule_source_is_rejected),
        cmocka_unit_test(test_policy_rule_without_source_is_rejected),
        cmocka_unit_test(test_policy_rule_without_destination_is_rejected),
        cmocka_unit_test(test_more_than_50_destinations_are_rejected),
        cmocka_unit_test(test_destination_is_checked_with_its_index),
        cmocka_unit_test(test_rule_index_above_50_is_rejected),
        cmocka_unit_test(test_duplicate_rule_index_is_rejected),
        cmocka_unit_test(test_missing_rule_indexes_are_generated_from_1_around_given_ones),
        cmocka_unit_test(test_ike_lifetime_below_60_is_rejected_with_field_path),
        cmocka_unit_test(test_ike_lifetime_that_is_a_fraction_is_rejected),
        cmocka_unit_test(test_ike_lifetime_that_is_a_string_is_rejected),
        cmocka_unit_test(test_unknown_dh_group_lists_the_groups),
        cmocka_unit_test(test_ike_version_is_case_sensitive),
        cmocka_unit_test(test_algorithm_union_with_gcm_128_and_sm_is_accepted),
        cmocka_unit_test(test_all_ike_fields_are_read),
        cmocka_unit_test(test_fqdn_local_id_type_requires_local_id),
        cmocka_unit_test(test_fqdn_peer_id_type_requires_peer_id),
        cmocka_unit_test(test_ip_local_id_must_be_an_address),
        cmocka_unit_test(test_fqdn_peer_id_with_a_bracket_is_rejected),
        cmocka_unit_test(test_dpd_timeout_below_2_is_rejected),
        cmocka_unit_test(test_ikepolicy_of_wrong_type_is_rejected),
        cmocka_unit_test(test_ipsec_lifetime_below_30_is_rejected),
        cmocka_unit_test(test_ipsec_transform_protocol_other_than_esp_is_rejected),
        cmocka_unit_test(test_unknown_ha_role_is_rejected),
        cmocka_unit_test(test_more_than_20_tags_are_rejected),
        cmocka_unit_test(test_tag_key_with_a_slash_is_rejected),
        cmocka_unit_test(test_tag_without_key_is_rejected),
        cmocka_unit_test(test_duplicate_tag_key_is_rejected),
        cmocka_unit_test(test_tag_value_of_256_characters_is_rejected),
        cmocka_unit_test(test_tag_key_of_129_characters_is_rejected),
        cmocka_unit_test(test_tags_accept_unicode_letters_and_the_listed_symbols),
        cmocka_unit_test(test_first_failure_in_field_order_is_reported),
        cmocka_unit_test(test_failed_parse_leaves_the_output_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
