/* Unit tests for the model's shared rules: verr, names, IPv4/CIDR parsing, tunnel /30s. */
#include "model/model_int.h"
#include "test_model_util.h"

/* ---- verr ---- */

static void test_verr_set_prefixes_the_path_and_returns_einval(void **state)
{
    (void)state;
    struct verr e;
    assert_int_equal(verr_set(&e, "a.b[1]", "must be %d, got %s", 5, "x"), -EINVAL);
    assert_string_equal(e.msg, "a.b[1]: must be 5, got x");
}

static void test_verr_set_cuts_a_long_message_on_a_utf8_boundary(void **state)
{
    (void)state;
    struct verr e;
    char big[1024];
    size_t o = 0;
    big[o++] = 'x'; /* shift so a 3-byte character straddles the end of msg */
    while (o + 3 < sizeof(big)) {
        memcpy(big + o, "连", 3);
        o += 3;
    }
    big[o] = '\0';
    verr_set(&e, "p", "%s", big);
    size_t n = strlen(e.msg);
    assert_true(n < sizeof(e.msg));
    assert_true(n >= sizeof(e.msg) - 4);
    /* ends on a whole character: "p: x" then complete 3-byte sequences */
    assert_int_equal((n - 4) % 3, 0);
}

/* ---- names ---- */

static void test_name_rule_accepts_letters_digits_and_symbols(void **state)
{
    (void)state;
    assert_true(model_name_is_valid("vpn-1655_a.B"));
    assert_true(model_name_is_valid("一")); /* U+4E00 */
    assert_true(model_name_is_valid("龥")); /* U+9FA5 */
}

static void test_name_rule_rejects_outside_the_cjk_range(void **state)
{
    (void)state;
    assert_false(model_name_is_valid("龦")); /* U+9FA6 */
    assert_false(model_name_is_valid("é"));
    assert_false(model_name_is_valid(""));
}

static void test_name_rule_counts_characters_not_bytes(void **state)
{
    (void)state;
    char s[64 * 3 + 4] = "";
    for (int i = 0; i < 64; i++)
        strcat(s, "连");
    assert_true(model_name_is_valid(s));
    strcat(s, "连");
    assert_false(model_name_is_valid(s));
}

static void test_name_rule_rejects_malformed_utf8(void **state)
{
    (void)state;
    assert_false(model_name_is_valid("\xe4\xb8"));     /* truncated */
    assert_false(model_name_is_valid("\xc0\xae"));     /* overlong */
    assert_false(model_name_is_valid("\xed\xa0\x80")); /* surrogate */
    assert_false(model_name_is_valid("\xff"));
}

static void test_tag_rule_accepts_any_non_ascii_character(void **state)
{
    (void)state;
    assert_true(model_tag_key_is_valid("ñ ç ü 环境 \xf0\x9f\x98\x80")); /* 4-byte emoji */
    assert_true(model_tag_value_is_valid(""));
    assert_false(model_tag_key_is_valid(""));
    assert_false(model_tag_key_is_valid("a#b"));
    assert_false(model_tag_value_is_valid("tab\there"));
}

static void test_fqdn_rule_rejects_spaces_controls_and_listed_symbols(void **state)
{
    (void)state;
    assert_true(model_fqdn_is_valid("vpn.example.com"));
    static const char *const bad[] = {"",    "a b",  "a&b", "a<b",   "a>b",
                                      "a]b", "a\\b", "a?b", "a\x01", "é"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(model_fqdn_is_valid(bad[i]));
}

static void test_psk_rule_needs_three_of_four_classes(void **state)
{
    (void)state;
    assert_true(model_psk_is_valid("Abcdefg1"));
    assert_true(model_psk_is_valid("abcdef1:"));
    assert_true(model_psk_is_valid("ABCDEF{1"));
    assert_false(model_psk_is_valid("ABCDEF{}"));
    assert_false(model_psk_is_valid("abcdefg1"));
    assert_false(model_psk_is_valid("Abcdef1"));
    assert_false(model_psk_is_valid("Abcdefg1\\")); /* backslash is not a special */
}

static void test_echo_escapes_and_marks_a_cut(void **state)
{
    (void)state;
    char out[MODEL_ECHO_LEN], in[100];
    model_echo(out, "a\"\\\t\x7f", 5);
    assert_string_equal(out, "\"a\\\"\\\\\\t\\u007f\"");
    memset(in, '\x01', sizeof(in));
    model_echo(out, in, sizeof(in));
    assert_int_equal(strlen(out), 64 * 6 + 2 + 3);
    assert_string_equal(out + strlen(out) - 4, "\"...");
}

/* ---- IPv4 and CIDR ---- */

static void test_ipv4_parse_is_strict(void **state)
{
    (void)state;
    uint32_t a = 0;
    assert_int_equal(model_parse_ipv4("192.168.0.1", &a), 0);
    assert_int_equal(a, 0xc0a80001);
    assert_int_equal(model_parse_ipv4("0.0.0.0", &a), 0);
    assert_int_equal(model_parse_ipv4("255.255.255.255", &a), 0);
    static const char *const bad[] = {"",         "1.2.3",    "1.2.3.4.",  "1.2.3.256",
                                      "01.2.3.4", "1.2.3.4 ", " 1.2.3.4",  "1..3.4",
                                      "a.b.c.d",  "1.2.3.-4", "1.2.3.4/32"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(model_parse_ipv4(bad[i], &a), -EINVAL);
}

static void test_cidr_parse_requires_zero_host_bits(void **state)
{
    (void)state;
    uint32_t a = 0;
    unsigned p = 0;
    assert_int_equal(model_parse_cidr("10.0.0.0/8", &a, &p), 0);
    assert_int_equal(a, 0x0a000000);
    assert_int_equal(p, 8);
    assert_int_equal(model_parse_cidr("0.0.0.0/0", &a, &p), 0);
    assert_int_equal(model_parse_cidr("10.0.0.1/32", &a, &p), 0);
    static const char *const bad[] = {"10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/08",
                                      "10.0.0.0/",  "10.0.0.0",    "10.0.0.0/8/8"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(model_parse_cidr(bad[i], &a, &p), -EINVAL);
}

/* ---- tunnel /30s ---- */

static void assert_index(uint32_t index, const char *local, const char *peer)
{
    char l[MODEL_CIDR_LEN], p[MODEL_CIDR_LEN];
    assert_int_equal(model_tunnel_from_index(index, l, p), 0);
    assert_string_equal(l, local);
    assert_string_equal(p, peer);
}

static void test_tunnel_index_0_is_the_first_30(void **state)
{
    (void)state;
    assert_index(0, "169.254.0.1/30", "169.254.0.2/30");
}

static void test_tunnel_index_64_starts_the_next_third_octet(void **state)
{
    (void)state;
    assert_index(63, "169.254.0.253/30", "169.254.0.254/30");
    assert_index(64, "169.254.1.1/30", "169.254.1.2/30");
}

static void test_tunnel_indexes_skip_third_octet_195(void **state)
{
    (void)state;
    assert_index(194 * 64 + 63, "169.254.194.253/30", "169.254.194.254/30");
    assert_index(195 * 64, "169.254.196.1/30", "169.254.196.2/30");
}

static void test_tunnel_index_past_the_end_is_enospc(void **state)
{
    (void)state;
    char l[MODEL_CIDR_LEN], p[MODEL_CIDR_LEN];
    assert_index(255 * 64 - 1, "169.254.255.253/30", "169.254.255.254/30");
    assert_int_equal(model_tunnel_from_index(255 * 64, l, p), -ENOSPC);
    assert_int_equal(model_tunnel_from_index(UINT32_MAX, l, p), -ENOSPC);
}

static void test_tunnel_network_of_an_address_is_its_30(void **state)
{
    (void)state;
    char out[MODEL_CIDR_LEN];
    assert_int_equal(model_tunnel_network("169.254.56.225/30", out), 0);
    assert_string_equal(out, "169.254.56.224/30");
    assert_int_equal(model_tunnel_network("169.254.56.227", out), 0);
    assert_string_equal(out, "169.254.56.224/30");
    assert_int_equal(model_tunnel_network("169.254.56", out), -EINVAL);
}

static void tunnel_err(const char *local, const char *peer, const char *want)
{
    struct verr e = {0};
    assert_int_equal(model_tunnel_check(local, peer, &e), -EINVAL);
    assert_string_equal(e.msg, want);
}

static void test_tunnel_pair_in_one_30_is_accepted_either_way(void **state)
{
    (void)state;
    struct verr e;
    assert_int_equal(model_tunnel_check("169.254.56.225/30", "169.254.56.226/30", &e), 0);
    assert_int_equal(model_tunnel_check("169.254.56.226/30", "169.254.56.225/30", &e), 0);
}

static void test_tunnel_address_without_prefix_is_rejected(void **state)
{
    (void)state;
    tunnel_err("169.254.1.1", "169.254.1.2/30",
               "vpn_connection.tunnel_local_address: must be an address like 169.254.56.225/30, "
               "got \"169.254.1.1\"");
}

static void test_tunnel_address_with_prefix_29_is_rejected(void **state)
{
    (void)state;
    tunnel_err("169.254.1.1/30", "169.254.1.2/29",
               "vpn_connection.tunnel_peer_address: must have prefix length /30, got "
               "\"169.254.1.2/29\"");
}

static void test_tunnel_address_outside_link_local_is_rejected(void **state)
{
    (void)state;
    tunnel_err(
        "10.0.0.1/30", "10.0.0.2/30",
        "vpn_connection.tunnel_local_address: must be in 169.254.0.0/16, got \"10.0.0.1/30\"");
}

static void test_tunnel_address_in_third_octet_195_is_rejected(void **state)
{
    (void)state;
    tunnel_err("169.254.195.1/30", "169.254.195.2/30",
               "vpn_connection.tunnel_local_address: must not be in 169.254.195.0/24, got "
               "\"169.254.195.1/30\"");
}

static void test_tunnel_network_or_broadcast_address_is_rejected(void **state)
{
    (void)state;
    tunnel_err("169.254.1.0/30", "169.254.1.1/30",
               "vpn_connection.tunnel_local_address: must be host 1 or 2 of its /30, got "
               "\"169.254.1.0/30\"");
    tunnel_err("169.254.1.1/30", "169.254.1.3/30",
               "vpn_connection.tunnel_peer_address: must be host 1 or 2 of its /30, got "
               "\"169.254.1.3/30\"");
}

static void test_tunnel_pair_in_different_30s_is_rejected(void **state)
{
    (void)state;
    tunnel_err("169.254.1.1/30", "169.254.1.6/30",
               "vpn_connection.tunnel_peer_address: must be in the same /30 as "
               "tunnel_local_address 169.254.1.1/30, got \"169.254.1.6/30\"");
}

static void test_tunnel_pair_with_equal_addresses_is_rejected(void **state)
{
    (void)state;
    tunnel_err("169.254.1.1/30", "169.254.1.1/30",
               "vpn_connection.tunnel_peer_address: must differ from tunnel_local_address, got "
               "\"169.254.1.1/30\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verr_set_prefixes_the_path_and_returns_einval),
        cmocka_unit_test(test_verr_set_cuts_a_long_message_on_a_utf8_boundary),
        cmocka_unit_test(test_name_rule_accepts_letters_digits_and_symbols),
        cmocka_unit_test(test_name_rule_rejects_outside_the_cjk_range),
        cmocka_unit_test(test_name_rule_counts_characters_not_bytes),
        cmocka_unit_test(test_name_rule_rejects_malformed_utf8),
        cmocka_unit_test(test_tag_rule_accepts_any_non_ascii_character),
        cmocka_unit_test(test_fqdn_rule_rejects_spaces_controls_and_listed_symbols),
        cmocka_unit_test(test_psk_rule_needs_three_of_four_classes),
        cmocka_unit_test(test_echo_escapes_and_marks_a_cut),
        cmocka_unit_test(test_ipv4_parse_is_strict),
        cmocka_unit_test(test_cidr_parse_requires_zero_host_bits),
        cmocka_unit_test(test_tunnel_index_0_is_the_first_30),
        cmocka_unit_test(test_tunnel_index_64_starts_the_next_third_octet),
        cmocka_unit_test(test_tunnel_indexes_skip_third_octet_195),
        cmocka_unit_test(test_tunnel_index_past_the_end_is_enospc),
        cmocka_unit_test(test_tunnel_network_of_an_address_is_its_30),
        cmocka_unit_test(test_tunnel_pair_in_one_30_is_accepted_either_way),
        cmocka_unit_test(test_tunnel_address_without_prefix_is_rejected),
        cmocka_unit_test(test_tunnel_address_with_prefix_29_is_rejected),
        cmocka_unit_test(test_tunnel_address_outside_link_local_is_rejected),
        cmocka_unit_test(test_tunnel_address_in_third_octet_195_is_rejected),
        cmocka_unit_test(test_tunnel_network_or_broadcast_address_is_rejected),
        cmocka_unit_test(test_tunnel_pair_in_different_30s_is_rejected),
        cmocka_unit_test(test_tunnel_pair_with_equal_addresses_is_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
