/* Unit tests for util/buf and util/ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
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

static void test_int_writes_what_printf_writes_for_every_magnitude_and_sign(void **state)
{
    (void)state;
    static const int64_t v[] = {0, 7, -7, 9, 10, -10, 99, 100, 1669470094626, -1669470094626,
                                INT64_MAX, INT64_MIN, INT64_MIN + 1};
    struct buf b = {0}, want = {0};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        assert_int_equal(buf_puts(&b, ","), 0);
        assert_int_equal(buf_int(&b, v[i]), 0);
        assert_int_equal(buf_printf(&want, ",%" PRId64, v[i]), 0);
    }
    assert_string_equal(b.data, want.data);
    assert_int_equal(b.len, want.len);
    buf_free(&b);
    buf_free(&want);
}

static void test_timestamp_pads_each_field_and_keeps_the_edges_of_the_day_and_era(void **state)
{
    (void)state;
    char ts[TIMESTAMP_STR_LEN];
    ids_format_ts(0, ts);
    assert_string_equal(ts, "1970-01-01T00:00:00.000Z");
    ids_format_ts(1704067199999, ts);
    assert_string_equal(ts, "2023-12-31T23:59:59.999Z");
    ids_format_ts(1000000000007, ts);
    assert_string_equal(ts, "2001-09-09T01:46:40.007Z");
    ids_format_ts(253402300799999, ts); /* the last millisecond of year 9999 */
    assert_string_equal(ts, "9999-12-31T23:59:59.999Z");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_str_escapes_quotes_backslashes_and_controls),
        cmocka_unit_test(test_printf_appends_after_existing_content),
        cmocka_unit_test(test_uuid4_is_lower_case_version_4),
        cmocka_unit_test(test_timestamp_has_three_fraction_digits_and_round_trips),
        cmocka_unit_test(test_int_writes_what_printf_writes_for_every_magnitude_and_sign),
        cmocka_unit_test(test_timestamp_pads_each_field_and_keeps_the_edges_of_the_day_and_era),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
