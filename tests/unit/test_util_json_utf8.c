/* Unit tests for buf_json_str on bytes that are not UTF-8 (raw request paths echoed in error
 * messages: found by tests/api/test_hostile_input.py, an error body that was not valid JSON). */
/* clang-format off: cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
/* clang-format on */

#include "util/buf.h"

static void expect_json(const char *in, const char *want)
{
    struct buf b = {0};
    assert_int_equal(buf_json_str(&b, in), 0);
    assert_string_equal(b.data, want);
    buf_free(&b);
}

static void test_well_formed_multibyte_utf8_is_copied_unchanged(void **state)
{
    (void)state;
    expect_json("a\xc3\xa9\xe8\xbf\x9e\xf0\x9f\x98\x80z", "\"a\xc3\xa9\xe8\xbf\x9e\xf0\x9f\x98\x80z\"");
    expect_json("\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf", "\"\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf\"");
}

static void test_each_byte_that_is_not_utf8_becomes_u_fffd(void **state)
{
    (void)state;
    expect_json("G\xffT /v5", "\"G\\ufffdT /v5\"");
    expect_json("\xff\xfe\xfd", "\"\\ufffd\\ufffd\\ufffd\"");
    expect_json("x\x80", "\"x\\ufffd\"");
}

static void test_overlong_surrogate_and_above_10ffff_forms_become_u_fffd(void **state)
{
    (void)state;
    expect_json("\xc0\xaf", "\"\\ufffd\\ufffd\"");             /* overlong '/' */
    expect_json("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");  /* overlong, 3 bytes */
    expect_json("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");  /* U+D800 */
    expect_json("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* U+110000 */
}

static void test_a_sequence_cut_by_the_end_of_the_string_becomes_u_fffd(void **state)
{
    (void)state;
    expect_json("ab\xe8\xbf", "\"ab\\ufffd\\ufffd\"");
    expect_json("\xf0\x9f\x98", "\"\\ufffd\\ufffd\\ufffd\"");
    expect_json("\xc3\"", "\"\\ufffd\\\"\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_well_formed_multibyte_utf8_is_copied_unchanged),
        cmocka_unit_test(test_each_byte_that_is_not_utf8_becomes_u_fffd),
        cmocka_unit_test(test_overlong_surrogate_and_above_10ffff_forms_become_u_fffd),
        cmocka_unit_test(test_a_sequence_cut_by_the_end_of_the_string_becomes_u_fffd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
