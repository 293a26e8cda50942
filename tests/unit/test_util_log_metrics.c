/* Unit tests for util/log (the text and JSON renderings of a line) and util/metrics (histogram
 * buckets, label escaping, the exposition lines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/metrics.h"

#define STAMP "2025-01-02T03:04:05.678Z"

static void assert_rendered(enum log_format format, enum log_level level, const char *msg,
                            const char *want)
{
    struct buf b = {0};

    assert_int_equal(log_render(&b, format, STAMP, level, msg), 0);
    assert_string_equal(b.data, want);
    buf_free(&b);
}

static void test_text_line_is_stamp_level_then_the_message(void **state)
{
    (void)state;
    assert_rendered(LOG_FORMAT_TEXT, LOG_WARN, "event=x a=\"b c\"",
                    STAMP " level=warn event=x a=\"b c\"");
}

static void test_json_line_has_each_pair_as_a_member(void **state)
{
    (void)state;
    assert_rendered(LOG_FORMAT_JSON, LOG_INFO,
                    "event=access path=\"/v5/p x\" status=200 us=17 request_id=0123",
                    "{\"time\":\"" STAMP "\",\"level\":\"info\",\"event\":\"access\","
                    "\"path\":\"/v5/p x\",\"status\":200,\"us\":17,\"request_id\":\"0123\"}");
}

static void test_json_free_text_becomes_msg_before_the_pairs(void **state)
{
    (void)state;
    assert_rendered(LOG_FORMAT_JSON, LOG_ERROR, "http: stopped accepting, draining in_flight=2",
                    "{\"time\":\"" STAMP "\",\"level\":\"error\",\"msg\":\"http: stopped "
                    "accepting, draining\",\"in_flight\":2}");
}

static void test_json_keeps_long_digit_strings_and_escapes_values(void **state)
{
    (void)state;
    /* 16 digits stay a string (ids); a value's backslash and control bytes are escaped */
    assert_rendered(LOG_FORMAT_JSON, LOG_DEBUG, "id=1234567890123456 v=a\\b w=\"x\ty\"",
                    "{\"time\":\"" STAMP "\",\"level\":\"debug\",\"id\":\"1234567890123456\","
                    "\"v\":\"a\\\\b\",\"w\":\"x\\ty\"}");
}

static void test_histogram_counts_a_value_in_the_first_bucket_that_holds_it(void **state)
{
    struct metrics_hist h = {0};
    struct buf b = {0};
    (void)state;

    metrics_hist_observe(&h, 100);      /* le 0.0001 */
    metrics_hist_observe(&h, 101);      /* le 0.00025 */
    metrics_hist_observe(&h, 20000000); /* +Inf */
    assert_int_equal(metrics_hist_write(&b, "x", "op=\"a\"", &h), 0);
    assert_non_null(strstr(b.data, "x_bucket{op=\"a\",le=\"0.0001\"} 1\n"));
    assert_non_null(strstr(b.data, "x_bucket{op=\"a\",le=\"0.00025\"} 2\n"));
    assert_non_null(strstr(b.data, "x_bucket{op=\"a\",le=\"10\"} 2\n"));
    assert_non_null(strstr(b.data, "x_bucket{op=\"a\",le=\"+Inf\"} 3\n"));
    assert_non_null(strstr(b.data, "x_sum{op=\"a\"} 20.000201\n"));
    assert_non_null(strstr(b.data, "x_count{op=\"a\"} 3\n"));
    buf_free(&b);
}

static void test_label_values_are_escaped(void **state)
{
    char out[32];
    (void)state;

    metrics_label_escape("a\"b\\c\nd\x01", out, sizeof(out));
    assert_string_equal(out, "a\\\"b\\\\c\\nd?");
    metrics_label_escape("0123456789", out, 8); /* cut to fit */
    assert_string_equal(out, "01234"); /* room kept for an escape pair and the NUL */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_line_is_stamp_level_then_the_message),
        cmocka_unit_test(test_json_line_has_each_pair_as_a_member),
        cmocka_unit_test(test_json_free_text_becomes_msg_before_the_pairs),
        cmocka_unit_test(test_json_keeps_long_digit_strings_and_escapes_values),
        cmocka_unit_test(test_histogram_counts_a_value_in_the_first_bucket_that_holds_it),
        cmocka_unit_test(test_label_values_are_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
