/* Unit tests for the VICI codec (driver/strongswan/vici_msg): the README's encoding example,
 * packet framing, and every structure rule the reader and the builder enforce. */
/* clang-format off: cmocka.h needs these first */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
/* clang-format on */

#include "driver/strongswan/vici_msg.h"

/* The encoding example of strongSwan's vici README:
 *   key1 = value1
 *   section1 = { sub-section = { key2 = value2 } list1 = [ item1, item2 ] } */
static const uint8_t readme_msg[] = {
    3,   4,   'k', 'e', 'y', '1', 0,   6,   'v', 'a', 'l', 'u', 'e', '1', 1,   8,
    's', 'e', 'c', 't', 'i', 'o', 'n', '1', 1,   11,  's', 'u', 'b', '-', 's', 'e',
    'c', 't', 'i', 'o', 'n', 3,   4,   'k', 'e', 'y', '2', 0,   6,   'v', 'a', 'l',
    'u', 'e', '2', 2,   4,   5,   'l', 'i', 's', 't', '1', 5,   0,   5,   'i', 't',
    'e', 'm', '1', 5,   0,   5,   'i', 't', 'e', 'm', '2', 6,   2,
};

/* Reads a whole message; returns what the last vici_reader_next call returned. */
static int read_all(const void *msg, size_t len)
{
    struct vici_reader r;
    struct vici_item it;
    int k;
    vici_reader_init(&r, msg, len);
    while ((k = vici_reader_next(&r, &it)) > 0)
        ;
    return k;
}

static void test_builder_writes_the_readme_example_byte_for_byte(void **state)
{
    (void)state;
    struct vici_builder b;
    vici_builder_init(&b);
    vici_add_kv(&b, "key1", "value1");
    vici_add_section(&b, "section1");
    vici_add_section(&b, "sub-section");
    vici_add_kv(&b, "key2", "value2");
    vici_end_section(&b);
    vici_add_list(&b, "list1");
    vici_add_item(&b, "item1");
    vici_add_item(&b, "item2");
    vici_end_list(&b);
    vici_end_section(&b);
    assert_int_equal(vici_builder_finish(&b), 0);
    assert_int_equal(b.buf.len, sizeof(readme_msg));
    assert_memory_equal(b.buf.data, readme_msg, sizeof(readme_msg));
    vici_builder_done(&b);
}

static void test_tree_of_the_readme_example_finds_values_by_path(void **state)
{
    (void)state;
    struct vici_tree t;
    char s[16];
    assert_int_equal(vici_tree_parse(readme_msg, sizeof(readme_msg), &t), 0);
    assert_true(vici_tree_value_is(&t, vici_tree_find(&t, 0, "key1"), "value1"));
    static const char *const path[] = {"section1", "sub-section", "key2"};
    assert_int_equal(vici_tree_str(&t, vici_tree_path(&t, 0, path, 3), s, sizeof(s)), 0);
    assert_string_equal(s, "value2");
    uint32_t list = vici_tree_path(&t, 0, path, 1);
    list = vici_tree_find(&t, list, "list1");
    assert_int_equal(t.nodes[list].type, VICI_NODE_LIST);
    uint32_t item = t.nodes[list].first_child;
    assert_true(vici_tree_value_is(&t, item, "item1"));
    assert_true(vici_tree_value_is(&t, t.nodes[item].next, "item2"));
    assert_int_equal(t.nodes[t.nodes[item].next].next, VICI_NONE);
    assert_int_equal(vici_tree_find(&t, 0, "missing"), VICI_NONE);
    vici_tree_done(&t);
}

static void test_command_request_is_framed_with_length_type_and_name(void **state)
{
    (void)state;
    struct buf b = {0};
    static const uint8_t want[] = {0, 0, 0, 9, 0, 7, 'v', 'e', 'r', 's', 'i', 'o', 'n'};
    assert_int_equal(vici_packet_encode(&b, VICI_CMD_REQUEST, "version", NULL, 0), 0);
    assert_int_equal(b.len, sizeof(want));
    assert_memory_equal(b.data, want, sizeof(want));
    buf_free(&b);
}

static void test_encode_refuses_a_name_on_an_unnamed_type_and_none_on_a_named_one(void **state)
{
    (void)state;
    struct buf b = {0};
    assert_int_equal(vici_packet_encode(&b, VICI_CMD_RESPONSE, "x", NULL, 0), -EINVAL);
    assert_int_equal(vici_packet_encode(&b, VICI_EVENT, NULL, NULL, 0), -EINVAL);
    assert_int_equal(vici_packet_encode(&b, VICI_EVENT_REGISTER, "ike-updown", "x", 1), -EINVAL);
    assert_int_equal(b.len, 0);
    buf_free(&b);
}

static void test_encode_refuses_a_segment_above_512_kib(void **state)
{
    (void)state;
    struct buf b = {0};
    size_t len = VICI_MAX_SEGMENT - 1 - 1 - 3 + 1; /* type, name length, "cmd", one too many */
    uint8_t *msg = calloc(1, len);
    assert_non_null(msg);
    assert_int_equal(vici_packet_encode(&b, VICI_CMD_REQUEST, "cmd", msg, len), -EINVAL);
    assert_int_equal(vici_packet_encode(&b, VICI_CMD_REQUEST, "cmd", msg, len - 1), 0);
    assert_int_equal(b.len, 4 + VICI_MAX_SEGMENT);
    free(msg);
    buf_free(&b);
}

static void test_frame_waits_for_the_whole_segment(void **state)
{
    (void)state;
    static const uint8_t pk[] = {0, 0, 0, 1, VICI_EVENT_CONFIRM};
    struct vici_packet p;
    size_t used = 0;
    for (size_t n = 0; n < sizeof(pk); n++)
        assert_int_equal(vici_frame_next(pk, n, &used, &p), 0);
    assert_int_equal(vici_frame_next(pk, sizeof(pk), &used, &p), 1);
    assert_int_equal(used, 5);
    assert_int_equal(p.op, VICI_EVENT_CONFIRM);
    assert_null(p.name);
    assert_null(p.msg);
}

static void test_frame_refuses_length_zero_and_lengths_above_512_kib(void **state)
{
    (void)state;
    static const uint8_t zero[] = {0, 0, 0, 0};
    static const uint8_t big[] = {0, 8, 0, 1};
    struct vici_packet p;
    size_t used;
    assert_int_equal(vici_frame_next(zero, sizeof(zero), &used, &p), -EPROTO);
    assert_int_equal(vici_frame_next(big, sizeof(big), &used, &p), -EPROTO);
}

static void test_event_packet_has_name_and_message(void **state)
{
    (void)state;
    static const uint8_t pk[] = {VICI_EVENT, 3, 'l', 'o', 'g', 3, 1, 'k', 0, 1, 'v'};
    struct vici_packet p;
    assert_int_equal(vici_packet_parse(pk, sizeof(pk), &p), 0);
    assert_int_equal(p.op, VICI_EVENT);
    assert_int_equal(p.name_len, 3);
    assert_memory_equal(p.name, "log", 3);
    assert_int_equal(p.msg_len, 6);
    assert_ptr_equal(p.msg, pk + 5);
}

static void test_packet_parse_refuses_malformed_packets(void **state)
{
    (void)state;
    static const uint8_t unknown_type[] = {8};
    static const uint8_t no_name[] = {VICI_EVENT};
    static const uint8_t empty_name[] = {VICI_EVENT, 0};
    static const uint8_t short_name[] = {VICI_CMD_REQUEST, 5, 'a', 'b'};
    static const uint8_t nul_name[] = {VICI_EVENT_REGISTER, 2, 'a', 0};
    static const uint8_t confirm_with_bytes[] = {VICI_EVENT_CONFIRM, 0};
    static const uint8_t register_with_msg[] = {VICI_EVENT_REGISTER, 1, 'a', 2};
    struct vici_packet p;
    assert_int_equal(vici_packet_parse(unknown_type, 0, &p), -EPROTO);
    assert_int_equal(vici_packet_parse(unknown_type, 1, &p), -EPROTO);
    assert_int_equal(vici_packet_parse(no_name, 1, &p), -EPROTO);
    assert_int_equal(vici_packet_parse(empty_name, 2, &p), -EPROTO);
    assert_int_equal(vici_packet_parse(short_name, 4, &p), -EPROTO);
    assert_int_equal(vici_packet_parse(nul_name, 4, &p), -EPROTO);
    assert_int_equal(vici_packet_parse(confirm_with_bytes, 2, &p), -EPROTO);
    assert_int_equal(vici_packet_parse(register_with_msg, 4, &p), -EPROTO);
}

static void test_reader_refuses_structure_the_readme_forbids(void **state)
{
    (void)state;
    static const uint8_t end_without_start[] = {2};
    static const uint8_t open_section[] = {1, 1, 's'};
    static const uint8_t open_list[] = {4, 1, 'l'};
    static const uint8_t nested_list[] = {4, 1, 'l', 4, 1, 'm', 6, 6};
    static const uint8_t kv_in_list[] = {4, 1, 'l', 3, 1, 'k', 0, 0, 6};
    static const uint8_t section_in_list[] = {4, 1, 'l', 1, 1, 's', 2, 6};
    static const uint8_t item_outside_list[] = {5, 0, 0};
    static const uint8_t list_end_outside_list[] = {6};
    static const uint8_t section_end_in_list[] = {1, 1, 's', 4, 1, 'l', 2, 6, 2};
    static const uint8_t type_zero[] = {0};
    static const uint8_t type_seven[] = {7};
    static const uint8_t nul_in_name[] = {3, 2, 'k', 0, 0, 0};
    static const uint8_t short_value[] = {3, 1, 'k', 0, 5, 'a'};
    static const uint8_t short_value_length[] = {3, 1, 'k', 0};
    static const uint8_t short_name[] = {1, 9, 's'};
    static const uint8_t no_name_length[] = {1};
    assert_int_equal(read_all(end_without_start, sizeof(end_without_start)), -EPROTO);
    assert_int_equal(read_all(open_section, sizeof(open_section)), -EPROTO);
    assert_int_equal(read_all(open_list, sizeof(open_list)), -EPROTO);
    assert_int_equal(read_all(nested_list, sizeof(nested_list)), -EPROTO);
    assert_int_equal(read_all(kv_in_list, sizeof(kv_in_list)), -EPROTO);
    assert_int_equal(read_all(section_in_list, sizeof(section_in_list)), -EPROTO);
    assert_int_equal(read_all(item_outside_list, sizeof(item_outside_list)), -EPROTO);
    assert_int_equal(read_all(list_end_outside_list, sizeof(list_end_outside_list)), -EPROTO);
    assert_int_equal(read_all(section_end_in_list, sizeof(section_end_in_list)), -EPROTO);
    assert_int_equal(read_all(type_zero, sizeof(type_zero)), -EPROTO);
    assert_int_equal(read_all(type_seven, sizeof(type_seven)), -EPROTO);
    assert_int_equal(read_all(nul_in_name, sizeof(nul_in_name)), -EPROTO);
    assert_int_equal(read_all(short_value, sizeof(short_value)), -EPROTO);
    assert_int_equal(read_all(short_value_length, sizeof(short_value_length)), -EPROTO);
    assert_int_equal(read_all(short_name, sizeof(short_name)), -EPROTO);
    assert_int_equal(read_all(no_name_length, sizeof(no_name_length)), -EPROTO);
}

static void test_reader_keeps_failing_after_an_error(void **state)
{
    (void)state;
    static const uint8_t bad_then_good[] = {9, 3, 1, 'k', 0, 0};
    struct vici_reader r;
    struct vici_item it;
    vici_reader_init(&r, bad_then_good, sizeof(bad_then_good));
    assert_int_equal(vici_reader_next(&r, &it), -EPROTO);
    assert_int_equal(vici_reader_next(&r, &it), -EPROTO);
}

static void test_empty_message_and_empty_list_are_valid(void **state)
{
    (void)state;
    static const uint8_t empty_list[] = {4, 1, 'l', 6};
    struct vici_tree t;
    assert_int_equal(read_all("", 0), 0);
    assert_int_equal(vici_tree_parse(empty_list, sizeof(empty_list), &t), 0);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.nodes[1].first_child, VICI_NONE);
    vici_tree_done(&t);
}

/* n nested sections "s" around nothing. */
static uint8_t *nested(unsigned n, size_t *ret_len)
{
    uint8_t *m = malloc(4 * (size_t)n);
    assert_non_null(m);
    size_t k = 0;
    for (unsigned i = 0; i < n; i++) {
        m[k++] = VICI_SECTION_START;
        m[k++] = 1;
        m[k++] = 's';
    }
    for (unsigned i = 0; i < n; i++)
        m[k++] = VICI_SECTION_END;
    *ret_len = k;
    return m;
}

static void test_sections_nest_32_deep_and_not_33(void **state)
{
    (void)state;
    size_t len;
    uint8_t *ok = nested(VICI_MAX_DEPTH, &len);
    assert_int_equal(read_all(ok, len), 0);
    free(ok);
    uint8_t *deep = nested(VICI_MAX_DEPTH + 1, &len);
    assert_int_equal(read_all(deep, len), -EPROTO);
    free(deep);
}

static void test_tree_refuses_more_than_65536_elements(void **state)
{
    (void)state;
    size_t n = VICI_MAX_ELEMENTS - 2; /* list start, items, list end */
    uint8_t *m = malloc(3 + 3 * (n + 1) + 1);
    assert_non_null(m);
    size_t k = 0;
    m[k++] = VICI_LIST_START;
    m[k++] = 1;
    m[k++] = 'l';
    for (size_t i = 0; i < n; i++) {
        m[k++] = VICI_LIST_ITEM;
        m[k++] = 0;
        m[k++] = 0;
    }
    m[k++] = VICI_LIST_END;
    struct vici_tree t;
    assert_int_equal(vici_tree_parse(m, k, &t), 0);
    assert_int_equal(t.n, n + 2);
    vici_tree_done(&t);
    memmove(m + 6, m + 3, k - 3); /* one more item */
    m[3] = VICI_LIST_ITEM;
    m[4] = 0;
    m[5] = 0;
    assert_int_equal(vici_tree_parse(m, k + 3, &t), -EPROTO);
    free(m);
}

static void test_counters_read_as_u64_and_refuse_non_digits_and_overflow(void **state)
{
    (void)state;
    struct vici_builder b;
    struct vici_tree t;
    uint64_t v = 0;
    vici_builder_init(&b);
    vici_add_kv(&b, "max", "18446744073709551615");
    vici_add_kv(&b, "over", "18446744073709551616");
    vici_add_kv(&b, "sign", "-1");
    vici_add_kv(&b, "empty", "");
    assert_int_equal(vici_builder_finish(&b), 0);
    assert_int_equal(vici_tree_parse(b.buf.data, b.buf.len, &t), 0);
    assert_int_equal(vici_tree_u64(&t, vici_tree_find(&t, 0, "max"), &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(vici_tree_u64(&t, vici_tree_find(&t, 0, "over"), &v), -EPROTO);
    assert_int_equal(vici_tree_u64(&t, vici_tree_find(&t, 0, "sign"), &v), -EPROTO);
    assert_int_equal(vici_tree_u64(&t, vici_tree_find(&t, 0, "empty"), &v), -EPROTO);
    assert_int_equal(vici_tree_u64(&t, vici_tree_find(&t, 0, "none"), &v), -ENOENT);
    vici_tree_done(&t);
    vici_builder_done(&b);
}

static void test_str_refuses_a_nul_inside_and_a_short_buffer(void **state)
{
    (void)state;
    struct vici_builder b;
    struct vici_tree t;
    char s[4];
    vici_builder_init(&b);
    vici_add_kv_blob(&b, "nul", "a\0b", 3);
    vici_add_kv(&b, "long", "abcd");
    vici_add_kv(&b, "fits", "abc");
    assert_int_equal(vici_builder_finish(&b), 0);
    assert_int_equal(vici_tree_parse(b.buf.data, b.buf.len, &t), 0);
    assert_int_equal(vici_tree_str(&t, vici_tree_find(&t, 0, "nul"), s, sizeof(s)), -EPROTO);
    assert_int_equal(vici_tree_str(&t, vici_tree_find(&t, 0, "long"), s, sizeof(s)), -EINVAL);
    assert_int_equal(vici_tree_str(&t, vici_tree_find(&t, 0, "fits"), s, sizeof(s)), 0);
    assert_string_equal(s, "abc");
    assert_false(vici_tree_value_is(&t, vici_tree_find(&t, 0, "nul"), "a"));
    vici_tree_done(&t);
    vici_builder_done(&b);
}

static void test_builder_error_sticks_and_finish_reports_it(void **state)
{
    (void)state;
    struct vici_builder b;
    vici_builder_init(&b);
    vici_add_list(&b, "l");
    assert_int_equal(vici_add_kv(&b, "k", "v"), -EINVAL);
    assert_int_equal(vici_end_list(&b), -EINVAL);
    assert_int_equal(vici_add_kv(&b, "k", "v"), -EINVAL);
    assert_int_equal(vici_builder_finish(&b), -EINVAL);
    vici_builder_done(&b);
}

static void test_builder_refuses_unbalanced_and_oversized_elements(void **state)
{
    (void)state;
    struct vici_builder b;
    char name[VICI_MAX_NAME + 2];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';

    vici_builder_init(&b);
    vici_add_section(&b, "s");
    assert_int_equal(vici_builder_finish(&b), -EINVAL);
    vici_builder_done(&b);

    vici_builder_init(&b);
    assert_int_equal(vici_end_section(&b), -EINVAL);
    vici_builder_done(&b);

    vici_builder_init(&b);
    assert_int_equal(vici_add_item(&b, "x"), -EINVAL);
    vici_builder_done(&b);

    vici_builder_init(&b);
    assert_int_equal(vici_add_section(&b, name), -EINVAL);
    vici_builder_done(&b);

    vici_builder_init(&b);
    name[VICI_MAX_NAME] = '\0';
    assert_int_equal(vici_add_section(&b, name), 0);
    vici_builder_done(&b);

    char *big = calloc(1, VICI_MAX_VALUE + 1);
    assert_non_null(big);
    vici_builder_init(&b);
    assert_int_equal(vici_add_kv_blob(&b, "k", big, VICI_MAX_VALUE + 1), -EINVAL);
    vici_builder_done(&b);
    vici_builder_init(&b);
    assert_int_equal(vici_add_kv_blob(&b, "k", big, VICI_MAX_VALUE), 0);
    assert_int_equal(vici_builder_finish(&b), 0);
    vici_builder_done(&b);
    free(big);

    vici_builder_init(&b);
    for (unsigned i = 0; i < VICI_MAX_DEPTH; i++)
        assert_int_equal(vici_add_section(&b, "s"), 0);
    assert_int_equal(vici_add_section(&b, "s"), -EINVAL);
    vici_builder_done(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builder_writes_the_readme_example_byte_for_byte),
        cmocka_unit_test(test_tree_of_the_readme_example_finds_values_by_path),
        cmocka_unit_test(test_command_request_is_framed_with_length_type_and_name),
        cmocka_unit_test(test_encode_refuses_a_name_on_an_unnamed_type_and_none_on_a_named_one),
        cmocka_unit_test(test_encode_refuses_a_segment_above_512_kib),
        cmocka_unit_test(test_frame_waits_for_the_whole_segment),
        cmocka_unit_test(test_frame_refuses_length_zero_and_lengths_above_512_kib),
        cmocka_unit_test(test_event_packet_has_name_and_message),
        cmocka_unit_test(test_packet_parse_refuses_malformed_packets),
        cmocka_unit_test(test_reader_refuses_structure_the_readme_forbids),
        cmocka_unit_test(test_reader_keeps_failing_after_an_error),
        cmocka_unit_test(test_empty_message_and_empty_list_are_valid),
        cmocka_unit_test(test_sections_nest_32_deep_and_not_33),
        cmocka_unit_test(test_tree_refuses_more_than_65536_elements),
        cmocka_unit_test(test_counters_read_as_u64_and_refuse_non_digits_and_overflow),
        cmocka_unit_test(test_str_refuses_a_nul_inside_and_a_short_buffer),
        cmocka_unit_test(test_builder_error_sticks_and_finish_reports_it),
        cmocka_unit_test(test_builder_refuses_unbalanced_and_oversized_elements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
