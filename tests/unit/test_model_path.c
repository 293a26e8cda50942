/* Unit tests for model_path_key: the same text snprintf("%s.%s") would write, truncated alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model/model_int.h"

static void expect_like_snprintf(const char *parent, const char *key)
{
    char want[MODEL_PATH_LEN], got[MODEL_PATH_LEN];

    snprintf(want, sizeof(want), "%s.%s", parent, key);
    memset(got, 'x', sizeof(got));
    model_path_key(got, parent, key);
    assert_string_equal(got, want);
}

static void test_path_key_joins_parent_and_key_with_a_dot(void **state)
{
    (void)state;
    char p[MODEL_PATH_LEN];

    expect_like_snprintf("vpn_connection", "ikepolicy");
    expect_like_snprintf("", "k");
    expect_like_snprintf("a", "");
    snprintf(p, sizeof(p), "vpn_connection");
    model_path_key(p, p, "psk"); /* in place, as nested parsers do */
    assert_string_equal(p, "vpn_connection.psk");
}

static void test_path_key_truncates_where_snprintf_would(void **state)
{
    (void)state;
    char longp[300], longk[300];

    memset(longp, 'p', sizeof(longp) - 1);
    longp[sizeof(longp) - 1] = '\0';
    memset(longk, 'k', sizeof(longk) - 1);
    longk[sizeof(longk) - 1] = '\0';
    for (size_t n = MODEL_PATH_LEN - 3; n <= MODEL_PATH_LEN + 1; n++) {
        char p[300];
        memcpy(p, longp, n);
        p[n] = '\0';
        expect_like_snprintf(p, "key");
        expect_like_snprintf("parent", longk + sizeof(longk) - 1 - n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_key_joins_parent_and_key_with_a_dot),
        cmocka_unit_test(test_path_key_truncates_where_snprintf_would),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
