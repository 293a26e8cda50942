/* Unit tests for the tag operation bodies and tag set arithmetic (model/tag_body.c). */
#include "test_model_util.h"

static struct model_tags *tags_ok(const char *body)
{
    struct model_tags *t = test_zalloc(sizeof(*t));
    struct verr err = {0};
    int r = tm_tag_body_parse(body, strlen(body), t, &err);

    if (r != 0)
        fail_msg("unexpected error %d: %s", r, err.msg);
    return t;
}

static void tags_bad(const char *body, const char *want)
{
    struct model_tags *t = test_zalloc(sizeof(*t));
    struct verr err = {0};

    assert_int_equal(tm_tag_body_parse(body, strlen(body), t, &err), -EINVAL);
    assert_string_equal(err.msg, want);
    free(t);
}

static void test_tag_body_keeps_the_order_and_an_omitted_value_is_empty(void **state)
{
    (void)state;
    struct model_tags *t = tags_ok("{\"tags\":[{\"key\":\"b\",\"value\":\"1\"},{\"key\":\"a\"}]}");
    assert_int_equal(t->n, 2);
    assert_string_equal(t->v[0].key, "b");
    assert_string_equal(t->v[0].value, "1");
    assert_string_equal(t->v[1].key, "a");
    assert_string_equal(t->v[1].value, "");
    free(t);
}

static void test_tag_body_rules_have_precise_messages(void **state)
{
    (void)state;
    tags_bad("{}", "tags: is required");
    tags_bad("{\"tags\":[]}", "tags: must have 1 to 20 items, got 0");
    tags_bad("[]", "request body: must be an object, got array");
    tags_bad("{\"tags\":[{\"key\":\"a\"},{\"key\":\"a\"}]}",
             "tags[1].key: must not repeat tags[0].key, got \"a\"");
    tags_bad("{\"tags\":[{\"key\":\"a\",\"value\":\"x/y\"}]}",
             "tags[0].value: must be 0 to 255 characters of letters, digits, spaces and _ . : = + "
             "- @, got \"x/y\"");
}

static void test_merge_overwrites_in_place_and_appends_new_keys(void **state)
{
    (void)state;
    struct model_tags *cur = tags_ok("{\"tags\":[{\"key\":\"a\",\"value\":\"1\"},"
                                     "{\"key\":\"b\",\"value\":\"2\"}]}");
    struct model_tags *add = tags_ok("{\"tags\":[{\"key\":\"c\",\"value\":\"3\"},"
                                     "{\"key\":\"a\",\"value\":\"9\"}]}");
    struct verr err = {0};

    assert_int_equal(model_tags_merge(cur, add, &err), 0);
    assert_int_equal(cur->n, 3);
    assert_string_equal(cur->v[0].value, "9");
    assert_string_equal(cur->v[1].key, "b");
    assert_string_equal(cur->v[2].key, "c");
    free(cur);
    free(add);
}

static void test_merge_beyond_20_tags_fails_and_leaves_the_set_as_it_was(void **state)
{
    (void)state;
    struct model_tags *cur = test_zalloc(sizeof(*cur)), *add = test_zalloc(sizeof(*add));
    struct verr err = {0};

    for (size_t i = 0; i < 19; i++)
        snprintf(cur->v[i].key, sizeof(cur->v[i].key), "k%zu", i);
    cur->n = 19;
    snprintf(add->v[0].key, sizeof(add->v[0].key), "k0"); /* existing: no new slot */
    snprintf(add->v[0].value, sizeof(add->v[0].value), "new");
    snprintf(add->v[1].key, sizeof(add->v[1].key), "x");
    snprintf(add->v[2].key, sizeof(add->v[2].key), "y");
    snprintf(add->v[2].value, sizeof(add->v[2].value), "v");
    add->n = 3;
    assert_int_equal(model_tags_merge(cur, add, &err), -EINVAL);
    assert_string_equal(err.msg, "tags: a resource may have at most 20 tags; it has 19 and 2 of "
                                 "these keys are new, which would make 21");
    assert_int_equal(cur->n, 19);
    assert_string_equal(cur->v[0].value, "");
    add->n = 2;
    assert_int_equal(model_tags_merge(cur, add, &err), 0);
    assert_int_equal(cur->n, 20);
    assert_string_equal(cur->v[0].value, "new");
    free(cur);
    free(add);
}

static void test_remove_drops_named_keys_keeps_the_order_and_ignores_absent_ones(void **state)
{
    (void)state;
    struct model_tags *cur = tags_ok("{\"tags\":[{\"key\":\"a\"},{\"key\":\"b\"},{\"key\":\"c\"}]}");
    struct model_tags *del = tags_ok("{\"tags\":[{\"key\":\"b\",\"value\":\"any\"},"
                                     "{\"key\":\"zz\"}]}");

    model_tags_remove(cur, del);
    assert_int_equal(cur->n, 2);
    assert_string_equal(cur->v[0].key, "a");
    assert_string_equal(cur->v[1].key, "c");
    free(cur);
    free(del);
}

static void test_filter_body_accepts_string_booleans_and_an_empty_body(void **state)
{
    (void)state;
    struct model_tag_filter *f = test_zalloc(sizeof(*f));
    struct verr err = {0};
    const char *body = "{\"without_any_tag\":\"true\",\"tags\":[{\"key\":\"env\",\"values\":[]}],"
                       "\"matches\":[{\"key\":\"resource_name\",\"value\":\"gw\"}]}";

    assert_int_equal(tm_tag_filter_parse(body, strlen(body), f, &err), 0);
    assert_true(f->without_any_tag);
    assert_int_equal(f->n_tags, 1);
    assert_int_equal(f->tags[0].n_values, 0);
    assert_true(f->has_name);
    assert_string_equal(f->name, "gw");
    assert_int_equal(tm_tag_filter_parse("", 0, f, &err), 0);
    assert_false(f->without_any_tag);
    assert_int_equal(f->n_tags, 0);
    assert_false(f->has_name);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tag_body_keeps_the_order_and_an_omitted_value_is_empty),
        cmocka_unit_test(test_tag_body_rules_have_precise_messages),
        cmocka_unit_test(test_merge_overwrites_in_place_and_appends_new_keys),
        cmocka_unit_test(test_merge_beyond_20_tags_fails_and_leaves_the_set_as_it_was),
        cmocka_unit_test(test_remove_drops_named_keys_keeps_the_order_and_ignores_absent_ones),
        cmocka_unit_test(test_filter_body_accepts_string_booleans_and_an_empty_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
