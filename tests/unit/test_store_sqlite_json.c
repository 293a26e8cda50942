/* SQLite store: store_sqlite_members, the top-level member scan that lets a write skip the tag
 * index sync, agrees with a real JSON parser (jansson) on tricky texts and refuses what it
 * cannot read. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store/sqlite/sq_int.h"

/* The member's text, parsed on its own, equals what jansson finds under that key. */
static void expect_agrees(const char *json)
{
    static const char *const keys[] = {"name", "tags"};
    struct sq_member m[2];
    json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, NULL);

    assert_non_null(root);
    assert_int_equal(store_sqlite_members(json, keys, 2, m), 0);
    for (size_t i = 0; i < 2; i++) {
        json_t *want = json_object_get(root, keys[i]);
        assert_int_equal(m[i].found, want != NULL);
        if (!want)
            continue;
        json_t *got = json_loadb(m[i].val, m[i].len, JSON_DECODE_ANY, NULL);
        assert_non_null(got);
        assert_true(json_equal(got, want));
        json_decref(got);
    }
    json_decref(root);
}

static void test_members_agree_with_a_json_parser(void **state)
{
    (void)state;
    expect_agrees("{}");
    expect_agrees("{\"name\":\"a\"}");
    expect_agrees(" { \"tags\" : [ ] , \"name\" : \"x\" } ");
    expect_agrees("{\"a\":{\"name\":\"inner\",\"tags\":[1]},\"name\":\"outer\",\"tags\":[]}");
    expect_agrees("{\"name\":\"q\\\"\\\\\",\"x\":\"}]\",\"tags\":[{\"key\":\"k,}\",\"value\":\"\"}]}");
    expect_agrees("{\"n\":1.5e3,\"b\":true,\"z\":null,\"name\":\"\\u00e9\",\"arr\":[[],[{}]]}");
    expect_agrees("{\"name\":12,\"tags\":{\"k\":\"v\"}}");
    expect_agrees("{\"names\":\"no\",\"nam\":\"no\",\"tag\":[1]}");
}

static void test_unreadable_texts_and_repeated_keys_are_refused(void **state)
{
    (void)state;
    static const char *const keys[] = {"name"};
    static const char *const bad[] = {
        "",         "[]",         "{\"name\":\"a\",\"name\":\"b\"}", "{\"name\":\"a",
        "{\"name\"", "{name:1}",  "{\"name\":[1,2}",                "{\"a\":1,}x",
    };
    struct sq_member m[1];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (store_sqlite_members(bad[i], keys, 1, m) >= 0)
            fail_msg("accepted %s", bad[i]);
    }
    assert_false(store_sqlite_same_members("{\"name\":\"a\",\"name\":\"a\"}",
                                           "{\"name\":\"a\",\"name\":\"a\"}", keys, 1));
    assert_true(store_sqlite_same_members("{\"x\":1,\"name\":\"a\"}", "{\"name\":\"a\",\"x\":2}",
                                          keys, 1));
    assert_false(store_sqlite_same_members("{\"name\":\"a\"}", "{\"x\":2}", keys, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_members_agree_with_a_json_parser),
        cmocka_unit_test(test_unreadable_texts_and_repeated_keys_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
