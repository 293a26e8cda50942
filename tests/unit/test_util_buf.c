/* Unit tests for util/buf and util/ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/ids.h"

static void test_json_str_escapes_quotes_backslashes_and_controls(void **state)
{
    (void)state;
    struct buf b = {0};
    assert_int_equal(buf_json_str(&b, "a\"b\\c\n\x01z"), 0);
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001z\"");
    buf_free(&b);
}

static void test_printf_appends_after_existing_content(void **state)
{
    (void)state;
    struct buf b = {0};
    assert_int_equal(buf_puts(&b, "x="), 0);
    assert_int_equal(buf_printf(&b, "%d", 42), 0);
    assert_string_equal(b.data, "x=42");
    assert_int_equal(b.len, 4);
    buf_free(&b);
}

static void test_uuid4_is_lower_case_version_4(void **state)
{
    (void)state;
    char u[UUID_STR_LEN];
    assert_int_equal(ids_uuid4(u), 0);
    assert_true(ids_is_uuid(u));
    assert_int_equal(u[14], '4');
    for (size_t i = 0; i < 36; i++)
        assert_false(u[i] >= 'A' && u[i] <= 'F');
}

static void test_timestamp_has_three_fraction_digits_and_round_trips(void **state)
{
    (void)state;
    char ts[TIMESTAMP_STR_LEN];
    int64_t ms = 0;
    ids_format_ts(1669470094626, ts);
    assert_string_equal(ts, "2022-11-26T13:41:34.626Z");
    assert_int_equal(ids_parse_ts(ts, &ms), 0);
    assert_int_equal(ms, 1669470094626);
    assert_int_equal(ids_parse_ts("2022-11-26T13:41:34Z", &ms), -22);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_str_escapes_quotes_backslashes_and_controls),
        cmocka_unit_test(test_printf_appends_after_existing_content),
        cmocka_unit_test(test_uuid4_is_lower_case_version_4),
        cmocka_unit_test(test_timestamp_has_three_fraction_digits_and_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
