/* Store: a connection insert and a compare-and-set update (store_conn_update_if) keep the tag
 * index in step with the spec, whether it has tags or not (an insert without tags and a status
 * change skip the JSON work), changes the name, the tags, both, or neither. */
#include "test_store_fixture.h"

struct joined {
    char s[512];
};

static int join_pair(void *ud, const char *key, const char *value)
{
    struct joined *j = ud;
    size_t n = strlen(j->s);

    snprintf(j->s + n, sizeof(j->s) - n, "%s%s=%s", n ? "," : "", key, value);
    return 0;
}

static const char *tags_of(struct fx *f, const char *id, struct joined *j)
{
    j->s[0] = '\0';
    assert_int_equal(store_tags_get(f->s, STORE_RES_VPN_CONNECTION, PROJECT_A, id, join_pair, j),
                     0);
    return j->s;
}

static int join_name(void *ud, const char *id, const char *name, const char *key,
                     const char *value)
{
    struct joined *j = ud;
    (void)id, (void)key, (void)value;
    snprintf(j->s, sizeof(j->s), "%s", name);
    return 0;
}

static const char *name_of(struct fx *f, struct joined *j)
{
    j->s[0] = '\0';
    assert_int_equal(store_tags_filter(f->s, STORE_RES_VPN_CONNECTION, PROJECT_A, NULL, 10, 0,
                                       join_name, j, NULL),
                     0);
    return j->s;
}

/* Replaces c's stored spec by spec (compare-and-set on the previous one, or none if cas_spec
 * is false) and makes it c's current spec. */
static void cas(struct fx *f, struct fx_conn *c, const char *status, const char *spec,
                bool cas_spec)
{
    struct store_conn_expect from = {.status = c->row.status, .spec = cas_spec ? c->spec : NULL};
    struct fx_conn next = *c;

    snprintf(next.spec, sizeof(next.spec), "%s", spec);
    next.row.spec = next.spec;
    next.row.doc = next.doc;
    snprintf(next.row.status, sizeof(next.row.status), "%s", status);
    assert_int_equal(store_conn_update_if(f->s, &next.row, &from, NULL, 0, NULL), 0);
    snprintf(c->spec, sizeof(c->spec), "%s", spec);
    snprintf(c->row.status, sizeof(c->row.status), "%s", status);
}

static void setup_conn(struct fx *f, struct fx_conn *c, const char *spec)
{
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(c, PROJECT_A, VGW_1, 1, T0);
    snprintf(c->spec, sizeof(c->spec), "%s", spec);
    assert_int_equal(store_conn_insert(f->s, &c->row, NULL, 0), 0);
}

static void test_a_status_change_keeps_the_tags_and_name(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct joined j;

    setup_conn(f, &c, "{\"name\":\"a\",\"status\":\"P\",\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}");
    cas(f, &c, "DOWN", "{\"name\":\"a\",\"status\":\"DOWN\",\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}",
        true);
    assert_string_equal(tags_of(f, c.row.id, &j), "k=v");
    assert_string_equal(name_of(f, &j), "a");
}

static void test_new_tags_or_a_new_name_reach_the_index(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct joined j;

    setup_conn(f, &c, "{\"name\":\"a\",\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}");
    cas(f, &c, "DOWN", "{\"name\":\"a\",\"tags\":[{\"key\":\"k\",\"value\":\"w\"}]}", true);
    assert_string_equal(tags_of(f, c.row.id, &j), "k=w");
    cas(f, &c, "ACTIVE", "{\"name\":\"b\",\"tags\":[{\"key\":\"k\",\"value\":\"w\"}]}", true);
    assert_string_equal(name_of(f, &j), "b");
    cas(f, &c, "ACTIVE", "{\"name\":\"b\"}", true); /* tags member gone */
    assert_string_equal(tags_of(f, c.row.id, &j), "");
    cas(f, &c, "ACTIVE", "{\"name\":\"b\",\"tags\":[{\"key\":\"x\",\"value\":\"1\"}]}", false);
    assert_string_equal(tags_of(f, c.row.id, &j), "x=1");
}

static void test_member_text_inside_strings_does_not_fool_the_comparison(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct joined j;

    /* the name holds what looks like a tags member; the real tags member changes */
    setup_conn(f, &c,
               "{\"name\":\"n\\\",\\\"tags\\\":[]\",\"d\":{\"tags\":1},\"tags\":[{\"key\":\"k\","
               "\"value\":\"v\"}]}");
    assert_string_equal(tags_of(f, c.row.id, &j), "k=v");
    cas(f, &c, "DOWN",
        "{\"name\":\"n\\\",\\\"tags\\\":[]\",\"d\":{\"tags\":1},\"tags\":[{\"key\":\"k\","
        "\"value\":\"z\"}]}",
        true);
    assert_string_equal(tags_of(f, c.row.id, &j), "k=z");
    assert_string_equal(name_of(f, &j), "n\",\"tags\":[]");
}

static void test_an_insert_without_tags_indexes_the_decoded_name_and_no_tags(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct joined j;

    setup_conn(f, &c, "{\"id\":\"x\",\"name\":\"a\\\"b\\u0041\" ,\"tags\": [] }");
    assert_string_equal(tags_of(f, c.row.id, &j), "");
    assert_string_equal(name_of(f, &j), "a\"bA");
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, c.row.id), 0);
    snprintf(c.spec, sizeof(c.spec), "{\"psk\":\"s\"}"); /* neither name nor tags */
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    assert_string_equal(tags_of(f, c.row.id, &j), "");
    j.s[0] = 'x';
    assert_string_equal(name_of(f, &j), "");
    cas(f, &c, "DOWN", "{\"name\":\"later\",\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}", true);
    assert_string_equal(tags_of(f, c.row.id, &j), "k=v");
    assert_string_equal(name_of(f, &j), "later");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_status_change_keeps_the_tags_and_name, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_new_tags_or_a_new_name_reach_the_index, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_member_text_inside_strings_does_not_fool_the_comparison, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_an_insert_without_tags_indexes_the_decoded_name_and_no_tags, fx_setup,
            fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
