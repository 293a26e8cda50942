/* Unit tests for IPv6 and dual stack in the model: address text (net6.c), IPv6 gateways
 * (local_subnets_v6, IPv6 EIPs and private IPs), IPv6 connections (peer_subnets_v6,
 * policy_rules_v6) and the rules that bind them to their gateway and customer gateway. */
#include "test_model_util.h"

#include <arpa/inet.h>

#define CGW_IP4 "{\"customer_gateway\":{\"id_value\":\"88.1.1.164\"}}"
#define VGW_V6 VGW_BODY(VGW_PUBLIC6)
#define VGW_V6_ONLY                                                                                \
    VGW_BODY("\"ip_version\":\"ipv6\",\"vpc_id\":\"" VPC_ID "\",\"connect_subnet\":\"" SUBNET_ID   \
             "\",\"local_subnets_v6\":[\"2001:db8:10::/48\"],\"eip1\":{\"id\":\"" EIP1_ID          \
             "\"},\"eip2\":{\"id\":\"" EIP2_ID "\"}")
#define VGW_PRIVATE6(ip1, ip2)                                                                     \
    VGW_BODY("\"network_type\":\"private\",\"ip_version\":\"ipv6\",\"vpc_id\":\"" VPC_ID           \
             "\",\"connect_subnet\":\"" SUBNET_ID                                                  \
             "\",\"local_subnets_v6\":[\"2001:db8:10::/48\"],\"access_private_ip_1\":\"" ip1       \
             "\",\"access_private_ip_2\":\"" ip2 "\"")
#define CONN_VIA(ip, extra)                                                                        \
    "{\"vpn_connection\":{\"vgw_id\":\"" VGW_ID "\",\"vgw_ip\":\"" ip "\",\"cgw_id\":\"" CGW_ID    \
    "\"" extra "}}"
#define CONN_ID "c0ffee00-1111-4222-8333-444455556666"

/* ---- address text ---- */

static void canonical_is(const char *in, const char *want)
{
    char out[MODEL_IP_LEN];

    assert_int_equal(model_ip_canonical(in, out), 6);
    assert_string_equal(out, want);
}

static void test_ipv6_text_forms_of_one_address_share_one_canonical_text(void **state)
{
    (void)state;
    canonical_is("2001:DB8:0:0:0:0:0:1", "2001:db8::1");
    canonical_is("2001:0db8::0001", "2001:db8::1");
    canonical_is("2001:db8::1", "2001:db8::1");
}

static void test_rfc5952_compresses_the_first_longest_zero_run_only(void **state)
{
    (void)state;
    canonical_is("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
    canonical_is("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");
    canonical_is("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7");
    canonical_is("0:0:0:0:0:0:0:0", "::");
    canonical_is("0:0:0:0:0:0:0:1", "::1");
    canonical_is("1:0:0:0:0:0:0:0", "1::");
    canonical_is("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0");
}

static void test_a_dotted_ipv4_tail_is_written_in_hex(void **state)
{
    (void)state;
    canonical_is("::ffff:192.0.2.1", "::ffff:c000:201");
    canonical_is("64:ff9b::10.0.0.1", "64:ff9b::a00:1");
}

static void test_malformed_ipv6_addresses_are_rejected(void **state)
{
    static const char *const bad[] = {
        "",
        ":",
        ":::",
        "1::2::3",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "12345::",
        "1:",
        ":1",
        "fe80::1%eth0",
        "g::1",
        "1:2:3:4:5:6:7::8",
        "::1.2.3",
        "1.2.3.4",
        "::ffff:1.2.3.256",
        "1:2:3:4:5:6:7:1.2.3.4",
        "::1/128",
        " ::1",
        "::01.2.3.4",
        "1::2:",
    };
    struct model_ip6 a;
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (model_parse_ipv6(bad[i], &a) == 0)
            fail_msg("accepted \"%s\"", bad[i]);
    }
}

static void test_ipv6_prefix_lengths_are_0_to_128_without_leading_zeros(void **state)
{
    struct model_ip6 a;
    unsigned p;
    (void)state;

    assert_int_equal(model_parse_prefix6("::/0", &a, &p), 0);
    assert_int_equal(p, 0);
    assert_int_equal(model_parse_prefix6("2001:db8::1/128", &a, &p), 0);
    assert_int_equal(p, 128);
    assert_int_equal(model_parse_prefix6("2001:db8::/129", &a, &p), -EINVAL);
    assert_int_equal(model_parse_prefix6("2001:db8::/032", &a, &p), -EINVAL);
    assert_int_equal(model_parse_prefix6("2001:db8::/", &a, &p), -EINVAL);
    assert_int_equal(model_parse_prefix6("2001:db8::", &a, &p), -EINVAL);
}

/* libc's inet_pton / inet_ntop as an oracle: random addresses with runs of zero groups, written
 * in random spellings (case, leading zeros, "::" at a zero run, a dotted tail), parse to what
 * inet_pton reads, and their text is inet_ntop's wherever inet_ntop writes no dotted tail. */
static void spell(const uint16_t g[8], unsigned seed, char *out, size_t size)
{
    size_t n = 0;
    int gap_at = -1, gap_len = 0;

    for (int i = 0; i < 8; i++) { /* a zero run to write as "::", if the seed says so */
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > gap_len && (seed & 1)) {
            gap_at = i;
            gap_len = j - i;
        }
        i = j > i ? j - 1 : i;
    }
    bool tail = (seed & 2) && gap_at != 6 && !(gap_at >= 0 && gap_at + gap_len > 6);
    for (int i = 0; i < (tail ? 6 : 8); i++) {
        if (i == gap_at) {
            n += (size_t)snprintf(out + n, size - n, "::");
            i += gap_len - 1;
            continue;
        }
        const char *sep = i == 0 || (gap_at >= 0 && i == gap_at + gap_len) ? "" : ":";
        n += (size_t)snprintf(out + n, size - n, (seed & 4) ? "%s%04X" : "%s%x", sep, g[i]);
    }
    if (tail)
        snprintf(out + n, size - n, "%s%u.%u.%u.%u",
                 gap_at >= 0 && gap_at + gap_len == 6 ? "" : ":", g[6] >> 8, g[6] & 255u, g[7] >> 8,
                 g[7] & 255u);
}

static void test_ipv6_text_agrees_with_inet_pton_and_inet_ntop(void **state)
{
    unsigned x = 12345;
    (void)state;

    for (int round = 0; round < 20000; round++) {
        uint16_t g[8];
        for (int i = 0; i < 8; i++) {
            x = x * 1103515245u + 12345u;
            g[i] = (x >> 16) % 3 ? 0 : (uint16_t)(x >> 8);
        }
        char text[64], mine[MODEL_CIDR_LEN], theirs[INET6_ADDRSTRLEN];
        struct model_ip6 a;
        struct in6_addr b;
        spell(g, x >> 24, text, sizeof(text));
        if (model_parse_ipv6(text, &a) != 0 || inet_pton(AF_INET6, text, &b) != 1)
            fail_msg("\"%s\": model %d, inet_pton %d", text, model_parse_ipv6(text, &a),
                     inet_pton(AF_INET6, text, &b));
        assert_memory_equal(a.b, b.s6_addr, 16);
        model_format_ip6(mine, &a, -1);
        assert_non_null(inet_ntop(AF_INET6, &b, theirs, sizeof(theirs)));
        if (!strchr(theirs, '.'))
            assert_string_equal(mine, theirs);
    }
}

/* ---- gateways ---- */

static void test_an_ipv6_vpc_gateway_requires_local_subnets_v6(void **state)
{
    (void)state;
    vgw_err(VGW_BODY("\"ip_version\":\"ipv6\"," VGW_PUBLIC),
            "vpn_gateway.local_subnets_v6: is required when attachment_type is vpc and "
            "ip_version is ipv6");
}

static void test_local_subnets_v6_is_refused_on_an_ipv4_gateway(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VGW_PUBLIC ",\"local_subnets_v6\":[\"2001:db8::/32\"]"),
            "vpn_gateway.local_subnets_v6: is not allowed when ip_version is ipv4 (IPv6 gateways "
            "only)");
}

static void test_local_subnets_v6_is_refused_on_an_er_gateway(void **state)
{
    (void)state;
    vgw_err(VGW_BODY("\"ip_version\":\"ipv6\",\"attachment_type\":\"er\",\"er_id\":\"" ER_ID
                     "\",\"local_subnets_v6\":[\"2001:db8::/32\"]"),
            "vpn_gateway.local_subnets_v6: is not allowed when attachment_type is er");
}

static void test_an_ipv4_cidr_in_local_subnets_v6_is_rejected(void **state)
{
    (void)state;
    vgw_err(
        VGW_BODY("\"ip_version\":\"ipv6\"," VGW_PUBLIC ",\"local_subnets_v6\":[\"10.0.0.0/24\"]"),
        "vpn_gateway.local_subnets_v6[0]: must be an IPv6 CIDR like 2001:db8::/32, got "
        "\"10.0.0.0/24\"");
}

static void test_an_ipv6_cidr_with_host_bits_is_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY("\"ip_version\":\"ipv6\"," VGW_PUBLIC
                     ",\"local_subnets_v6\":[\"2001:db8::1/64\"]"),
            "vpn_gateway.local_subnets_v6[0]: must be an IPv6 CIDR with host bits zero like "
            "2001:db8::/32, got \"2001:db8::1/64\"");
}

static void test_one_network_in_two_spellings_is_a_duplicate(void **state)
{
    (void)state;
    vgw_err(VGW_BODY("\"ip_version\":\"ipv6\"," VGW_PUBLIC
                     ",\"local_subnets_v6\":[\"2001:db8::/32\",\"2001:DB8:0::/32\"]"),
            "vpn_gateway.local_subnets_v6[1]: must not repeat local_subnets_v6[0], got "
            "\"2001:DB8:0::/32\"");
}

static void test_local_subnets_v6_are_kept_in_rfc5952_text(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_ok(VGW_BODY("\"ip_version\":\"ipv6\"," VGW_PUBLIC
                                          ",\"local_subnets_v6\":[\"2001:DB8:0010::/48\"]"));
    assert_int_equal(g->n_local_subnets_v6, 1);
    assert_string_equal(g->local_subnets_v6[0].s, "2001:db8:10::/48");
    free(g);
}

static void test_an_ipv6_gateway_has_ipv6_eips_and_an_ipv4_one_ipv4_eips(void **state)
{
    (void)state;
    struct model_vgw *g6 = vgw_ok(VGW_V6), *g4 = vgw_ok(VGW_BODY(VGW_PUBLIC));
    assert_int_equal(g6->eip1.ip_version, 6);
    assert_int_equal(g6->eip2.ip_version, 6);
    assert_int_equal(g4->eip1.ip_version, 4);
    free(g6);
    free(g4);
}

static void test_an_ipv6_private_gateway_takes_ipv6_access_addresses(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_ok(VGW_PRIVATE6("FD00::A", "fd00::b"));
    assert_string_equal(g->access_private_ip_1, "fd00::a");
    assert_string_equal(g->access_private_ip_2, "fd00::b");
    free(g);
    vgw_err(VGW_PRIVATE6("172.16.0.10", "fd00::b"),
            "vpn_gateway.access_private_ip_1: must be an IPv6 address like 2001:db8::1, got "
            "\"172.16.0.10\"");
}

static void test_the_same_ipv6_access_address_twice_is_refused_in_any_spelling(void **state)
{
    (void)state;
    vgw_err(VGW_PRIVATE6("fd00::a", "FD00:0::A"),
            "vpn_gateway.access_private_ip_2: must differ from access_private_ip_1, got "
            "\"fd00::a\"");
}

static void test_a_dual_stack_gateway_renders_both_subnet_families(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_active(VGW_V6);
    char *out = RENDER(model_vgw_render, g);
    assert_non_null(strstr(out, "\"local_subnets\":[\"10.0.0.0/16\"],\"local_subnets_v6\":"
                                "[\"2001:db8:10::/48\"]"));
    assert_non_null(strstr(out, "\"ip_version\":6,\"type\":\"5_bgp\",\"ip_address\":"
                                "\"2001:db8:e1::134\""));
    free(out);
    free(g);
}

static void test_an_ipv4_gateway_renders_no_local_subnets_v6(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_active(VGW_BODY(VGW_PUBLIC));
    char *out = RENDER(model_vgw_render, g);
    assert_false(has_key(out, "local_subnets_v6"));
    free(out);
    free(g);
}

static void test_a_dual_stack_gateway_round_trips_through_the_internal_form(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_active(VGW_V6);

    g->status = MODEL_STATUS_PENDING_CREATE; /* the canonical pointer a parse finds */
    assert_vgw_round_trip(g);
    free(g);
}

static void test_an_update_replaces_the_local_subnets_v6_of_an_ipv6_gateway(void **state)
{
    (void)state;
    static const char body[] = "{\"vpn_gateway\":{\"local_subnets_v6\":[\"2001:db8:30::/48\"]}}";
    struct model_vgw *cur = vgw_active(VGW_V6), *g = test_zalloc(sizeof(*g));
    struct verr err = {0};
    unsigned changed;

    assert_int_equal(tm_vgw_parse_update(cur, body, strlen(body), g, &changed, &err), 0);
    assert_int_equal(g->n_local_subnets_v6, 1);
    assert_string_equal(g->local_subnets_v6[0].s, "2001:db8:30::/48");
    assert_int_equal(g->n_local_subnets, 1);
    free(cur);
    free(g);
}

static void test_new_local_subnets_v6_may_not_overlap_a_connection_s_ipv6_subnets(void **state)
{
    (void)state;
    static const char docs[] = "[{\"id\":\"" CONN_ID "\",\"peer_subnets\":[\"192.168.0.0/24\"],"
                               "\"peer_subnets_v6\":[\"2001:db8:20::/48\"]}]";
    struct model_vgw *g = vgw_active(VGW_V6);
    struct verr err = {0};

    strcpy(g->local_subnets_v6[0].s, "2001:db8::/32");
    assert_int_equal(model_vgw_check_peer_overlap(g, docs, strlen(docs), &err), -EINVAL);
    assert_string_equal(err.msg,
                        "vpn_gateway.local_subnets_v6[0]: must not overlap peer subnet "
                        "2001:db8:20::/48 of VPN connection " CONN_ID ", got \"2001:db8::/32\"");
    strcpy(g->local_subnets_v6[0].s, "2001:db8:10::/48");
    assert_int_equal(model_vgw_check_peer_overlap(g, docs, strlen(docs), &err), 0);
    free(g);
}

/* ---- connections: the body ---- */

static void test_a_reserved_ipv6_block_is_refused_in_peer_subnets_v6(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"peer_subnets_v6\":[\"2001:db8:20::/48\",\"fe80::/64\"]"),
             "vpn_connection.peer_subnets_v6[1]: must not overlap reserved block fe80::/10, got "
             "\"fe80::/64\"");
    CONN_ERR(CONN_BODY(",\"peer_subnets_v6\":[\"ff02::/16\"]"),
             "vpn_connection.peer_subnets_v6[0]: must not overlap reserved block ff00::/8, got "
             "\"ff02::/16\"");
}

static void test_an_ipv6_rule_source_must_be_an_ipv6_cidr(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"style\":\"policy\",\"policy_rules_v6\":[{\"source\":\"10.0.0.0/24\","
                       "\"destination\":[\"2001:db8:20::/48\"]}]"),
             "vpn_connection.policy_rules_v6[0].source: must be an IPv6 CIDR like 2001:db8::/32, "
             "got \"10.0.0.0/24\"");
}

static void test_ipv6_rules_repeat_no_source_and_number_themselves(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"style\":\"policy\",\"policy_rules_v6\":["
                       "{\"source\":\"2001:db8:10::/48\",\"destination\":[\"2001:db8:20::/48\"]},"
                       "{\"source\":\"2001:DB8:10::/48\",\"destination\":[\"2001:db8:21::/48\"]}]"),
             "vpn_connection.policy_rules_v6[1].source: must not repeat policy_rules_v6[0].source, "
             "got \"2001:db8:10::/48\"");
    struct model_vpn_conn *c = conn_ok(CONN_BODY(",\"style\":\"policy\"" RULE6));
    assert_int_equal(c->n_policy_rules_v6, 1);
    assert_int_equal(c->policy_rules_v6[0].rule_index, 1);
    assert_int_equal(c->n_policy_rules, 0);
    free(c);
}

static void test_a_policy_connection_needs_rules_of_one_family(void **state)
{
    (void)state;
    CONN_ERR(CONN_BODY(",\"style\":\"policy\"" SUBNETS6),
             "vpn_connection.policy_rules: is required when style is POLICY");
}

static void test_an_ipv6_connection_round_trips_through_the_internal_form(void **state)
{
    (void)state;
    struct model_vpn_conn *c =
        bound(CONN_BODY(SUBNETS SUBNETS6 ",\"style\":\"policy\"" RULE6), VGW_V6, CGW_IP6);

    assert_conn_round_trip(c);
    free(c);
}

/* ---- connections: bound to their gateway ---- */

static void test_an_ipv6_gateway_requires_peer_subnets_v6(void **state)
{
    (void)state;
    bind_err(CONN_BODY(SUBNETS), VGW_V6, CGW_IP6,
             "vpn_connection.peer_subnets_v6: is required when the gateway ip_version is ipv6, "
             "unless its attachment_type is er and style is POLICY or BGP");
}

static void test_an_ipv4_gateway_refuses_peer_subnets_v6(void **state)
{
    (void)state;
    bind_err(CONN_BODY(SUBNETS SUBNETS6), VGW_BODY(VGW_PUBLIC), CGW_IP4,
             "vpn_connection.peer_subnets_v6: is not allowed when the gateway ip_version is ipv4 "
             "(IPv6 gateways only)");
}

static void test_an_ipv4_gateway_refuses_ipv6_policy_rules(void **state)
{
    (void)state;
    bind_err(CONN_BODY(SUBNETS ",\"style\":\"policy\"" RULE6), VGW_BODY(VGW_PUBLIC), CGW_IP4,
             "vpn_connection.policy_rules_v6: must match the gateway ip_version ipv4, got IPv6 "
             "rules");
}

static void test_ipv6_customer_subnets_may_not_overlap_the_ipv6_local_ones(void **state)
{
    (void)state;
    bind_err(CONN_BODY(",\"peer_subnets_v6\":[\"2001:db8:10:1::/64\"]"), VGW_V6, CGW_IP6,
             "vpn_connection.peer_subnets_v6[0]: must not overlap gateway local subnet "
             "2001:db8:10::/48, got \"2001:db8:10:1::/64\"");
}

static void test_a_customer_gateway_of_the_other_family_is_refused(void **state)
{
    (void)state;
    bind_err(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP6,
             "vpn_connection.cgw_id: customer gateway " CGW_ID " has an IPv6 address "
             "(2001:db8:ff::1), which gateway " VGW_ID
             " (ip_version ipv4) cannot reach, got \"" CGW_ID "\"");
    bind_err(CONN_BODY(SUBNETS6), VGW_V6, CGW_IP4,
             "vpn_connection.cgw_id: customer gateway " CGW_ID " has an IPv4 address "
             "(88.1.1.164), which gateway " VGW_ID " (ip_version ipv6) cannot reach, got \"" CGW_ID
             "\"");
}

static void test_an_ip_local_id_is_of_the_gateway_s_family(void **state)
{
    (void)state;
    bind_err(CONN_BODY(SUBNETS6 ",\"ikepolicy\":{\"local_id\":\"10.1.1.134\"}"), VGW_V6, CGW_IP6,
             "vpn_connection.ikepolicy.local_id: must be an IPv6 address: the gateway's "
             "ip_version is ipv6, got \"10.1.1.134\"");
}

static void test_a_dual_stack_connection_binds_with_ipv6_ids(void **state)
{
    (void)state;
    struct model_vpn_conn *c = bound(CONN_BODY(SUBNETS SUBNETS6), VGW_V6, CGW_IP6);
    assert_true(c->gw_is_v6);
    assert_string_equal(c->ikepolicy.local_id, "2001:db8:e1::134");
    assert_string_equal(c->ikepolicy.peer_id, "2001:db8:ff::1");
    assert_int_equal(c->peer_asn, 65000);
    free(c);
}

static void test_an_ipv6_only_connection_binds_without_ipv4_subnets(void **state)
{
    (void)state;
    struct model_vpn_conn *c = bound(CONN_BODY(SUBNETS6), VGW_V6_ONLY, CGW_IP6);
    char *out = RENDER(model_conn_render, c);
    assert_false(has_key(out, "peer_subnets"));
    assert_non_null(strstr(out, "\"peer_subnets_v6\":[\"2001:db8:20::/48\"]"));
    free(out);
    free(c);
}

static void test_a_private_ipv6_gateway_matches_vgw_ip_in_any_spelling(void **state)
{
    (void)state;
    struct model_vpn_conn *c = bound(CONN_VIA("FD00:0::B", SUBNETS6 ",\"ha_role\":\"slave\""),
                                     VGW_PRIVATE6("fd00::a", "fd00::b"), CGW_IP6);
    assert_string_equal(c->vgw_ip, "fd00::b");
    assert_string_equal(c->ikepolicy.local_id, "fd00::b");
    free(c);
}

static void test_an_ipv6_policy_connection_renders_its_ipv6_rules_and_no_ipv4_ones(void **state)
{
    (void)state;
    struct model_vpn_conn *c =
        bound(CONN_BODY(SUBNETS SUBNETS6 ",\"style\":\"policy\"" RULE6), VGW_V6, CGW_IP6);
    char *out = RENDER(model_conn_render, c);
    assert_non_null(strstr(out, "\"peer_subnets\":[\"192.168.0.0/24\"],\"peer_subnets_v6\":"
                                "[\"2001:db8:20::/48\"]"));
    assert_non_null(strstr(out, "\"policy_rules_v6\":[{\"rule_index\":1,\"source\":"
                                "\"2001:db8:10::/48\",\"destination\":[\"2001:db8:20::/48\"]}]"));
    assert_non_null(strstr(out, "\"policy_rules\":[]"));
    free(out);
    free(c);
}

static void test_an_ipv4_connection_renders_no_ipv6_members(void **state)
{
    (void)state;
    struct model_vpn_conn *c = bound(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_IP4);
    char *out = RENDER(model_conn_render, c);
    assert_false(has_key(out, "peer_subnets_v6"));
    assert_false(has_key(out, "policy_rules_v6"));
    free(out);
    free(c);
}

/* ---- routes and monitors ---- */

static void test_ipv6_routes_follow_the_ipv4_ones(void **state)
{
    (void)state;
    static const char docs[] =
        "[{\"id\":\"" CONN_ID "\",\"name\":\"c\",\"status\":\"DOWN\",\"style\":\"STATIC\","
        "\"vgw_ip\":\"" EIP1_ID "\",\"cgw_id\":\"" CGW_ID "\","
        "\"peer_subnets_v6\":[\"2001:db8:21::/48\",\"2001:db8:20::/48\"],"
        "\"peer_subnets\":[\"192.168.1.0/24\"],\"tunnel_local_address\":\"169.254.1.1/30\","
        "\"tunnel_peer_address\":\"169.254.1.2/30\"}]";
    struct model_vgw *g = vgw_active(VGW_V6);
    struct model_route *v = NULL;
    size_t n = 0;

    assert_int_equal(model_vgw_routes(g, docs, strlen(docs), &v, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].destination.s, "192.168.1.0/24");
    assert_string_equal(v[1].destination.s, "2001:db8:20::/48");
    assert_string_equal(v[2].destination.s, "2001:db8:21::/48");
    assert_string_equal(v[2].nexthop, "169.254.1.2");
    free(v);
    free(g);
}

static void test_a_monitor_of_an_ipv6_connection_probes_ipv6_addresses(void **state)
{
    (void)state;
    struct model_vpn_conn *c = bound(CONN_BODY(SUBNETS6), VGW_V6, CGW_IP6);
    struct model_vgw *g = vgw_active(VGW_V6);
    struct model_cgw *cgw = cgw_ok(CGW_IP6);
    struct model_monitor m = {.status = NULL};

    model_monitor_addresses(c, g, cgw, &m);
    assert_string_equal(m.source_ip, "2001:db8:e1::134");
    assert_string_equal(m.destination_ip, "2001:db8:ff::1");
    free(c);
    free(g);
    free(cgw);
}

static void test_an_ipv6_customer_gateway_address_is_kept_in_rfc5952_text(void **state)
{
    (void)state;
    struct model_cgw *g = cgw_ok("{\"customer_gateway\":{\"id_value\":\"2001:DB8:FF:0::1\"}}");
    assert_string_equal(g->id_value, "2001:db8:ff::1");
    free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv6_text_forms_of_one_address_share_one_canonical_text),
        cmocka_unit_test(test_rfc5952_compresses_the_first_longest_zero_run_only),
        cmocka_unit_test(test_a_dotted_ipv4_tail_is_written_in_hex),
        cmocka_unit_test(test_malformed_ipv6_addresses_are_rejected),
        cmocka_unit_test(test_ipv6_text_agrees_with_inet_pton_and_inet_ntop),
        cmocka_unit_test(test_ipv6_prefix_lengths_are_0_to_128_without_leading_zeros),
        cmocka_unit_test(test_an_ipv6_vpc_gateway_requires_local_subnets_v6),
        cmocka_unit_test(test_local_subnets_v6_is_refused_on_an_ipv4_gateway),
        cmocka_unit_test(test_local_subnets_v6_is_refused_on_an_er_gateway),
        cmocka_unit_test(test_an_ipv4_cidr_in_local_subnets_v6_is_rejected),
        cmocka_unit_test(test_an_ipv6_cidr_with_host_bits_is_rejected),
        cmocka_unit_test(test_one_network_in_two_spellings_is_a_duplicate),
        cmocka_unit_test(test_local_subnets_v6_are_kept_in_rfc5952_text),
        cmocka_unit_test(test_an_ipv6_gateway_has_ipv6_eips_and_an_ipv4_one_ipv4_eips),
        cmocka_unit_test(test_an_ipv6_private_gateway_takes_ipv6_access_addresses),
        cmocka_unit_test(test_the_same_ipv6_access_address_twice_is_refused_in_any_spelling),
        cmocka_unit_test(test_a_dual_stack_gateway_renders_both_subnet_families),
        cmocka_unit_test(test_an_ipv4_gateway_renders_no_local_subnets_v6),
        cmocka_unit_test(test_a_dual_stack_gateway_round_trips_through_the_internal_form),
        cmocka_unit_test(test_an_update_replaces_the_local_subnets_v6_of_an_ipv6_gateway),
        cmocka_unit_test(test_new_local_subnets_v6_may_not_overlap_a_connection_s_ipv6_subnets),
        cmocka_unit_test(test_a_reserved_ipv6_block_is_refused_in_peer_subnets_v6),
        cmocka_unit_test(test_an_ipv6_rule_source_must_be_an_ipv6_cidr),
        cmocka_unit_test(test_ipv6_rules_repeat_no_source_and_number_themselves),
        cmocka_unit_test(test_a_policy_connection_needs_rules_of_one_family),
        cmocka_unit_test(test_an_ipv6_connection_round_trips_through_the_internal_form),
        cmocka_unit_test(test_an_ipv6_gateway_requires_peer_subnets_v6),
        cmocka_unit_test(test_an_ipv4_gateway_refuses_peer_subnets_v6),
        cmocka_unit_test(test_an_ipv4_gateway_refuses_ipv6_policy_rules),
        cmocka_unit_test(test_ipv6_customer_subnets_may_not_overlap_the_ipv6_local_ones),
        cmocka_unit_test(test_a_customer_gateway_of_the_other_family_is_refused),
        cmocka_unit_test(test_an_ip_local_id_is_of_the_gateway_s_family),
        cmocka_unit_test(test_a_dual_stack_connection_binds_with_ipv6_ids),
        cmocka_unit_test(test_an_ipv6_only_connection_binds_without_ipv4_subnets),
        cmocka_unit_test(test_a_private_ipv6_gateway_matches_vgw_ip_in_any_spelling),
        cmocka_unit_test(test_an_ipv6_policy_connection_renders_its_ipv6_rules_and_no_ipv4_ones),
        cmocka_unit_test(test_an_ipv4_connection_renders_no_ipv6_members),
        cmocka_unit_test(test_ipv6_routes_follow_the_ipv4_ones),
        cmocka_unit_test(test_a_monitor_of_an_ipv6_connection_probes_ipv6_addresses),
        cmocka_unit_test(test_an_ipv6_customer_gateway_address_is_kept_in_rfc5952_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
