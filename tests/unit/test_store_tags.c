/* Unit tests for the tag index of the SQLite store (store.h "tags"): what specs put in it, how
 * spec writes and deletes keep it in step, and the filter's matching rules. */
#include "test_store_fixture.h"

#define CGW_N(n) "c0c0c0c0-0000-4000-8000-0000000000" n

/* A customer gateway whose spec is given (created_at orders the filter's results). */
static void add_cgw(struct fx *f, const char *project, const char *id, int64_t created_at,
                    const char *spec)
{
    struct store_cgw_row row = {.created_at = created_at, .updated_at = created_at};
    char buf[1024];

    snprintf(buf, sizeof(buf), "%s", spec);
    row.spec = buf;
    snprintf(row.project_id, sizeof(row.project_id), "%s", project);
    snprintf(row.id, sizeof(row.id), "%s", id);
    assert_int_equal(store_cgw_insert(f->s, &row), 0);
}

struct joined {
    char s[2048];
    char last[40]; /* filter: the resource written last */
};

static int join_pair(void *ud, const char *key, const char *value)
{
    struct joined *j = ud;
    size_t n = strlen(j->s);

    snprintf(j->s + n, sizeof(j->s) - n, "%s%s=%s", n ? "," : "", key, value);
    return 0;
}

/* "k=v,k2=v2" ("" for none), or "ENOENT". */
static const char *tags_of(struct fx *f, enum store_res_type type, const char *project,
                           const char *id, struct joined *j)
{
    j->s[0] = '\0';
    int r = store_tags_get(f->s, type, project, id, join_pair, j);
    if (r == -ENOENT)
        return "ENOENT";
    assert_int_equal(r, 0);
    return j->s;
}

static const char *project_of(struct fx *f, enum store_res_type type, const char *project,
                              struct joined *j)
{
    j->s[0] = '\0';
    assert_int_equal(store_tags_project(f->s, type, project, join_pair, j), 0);
    return j->s;
}

/* Filter results as "<last 2 chars of id>[k=v;k=v] ..."; the rows of one resource are
 * consecutive, so a row for the resource just written reopens its brackets. */
static int join_resource(void *ud, const char *id, const char *name, const char *key,
                         const char *value)
{
    struct joined *j = ud;
    size_t n = strlen(j->s);
    bool same = strcmp(j->last, id) == 0;

    (void)name;
    if (same && key) {
        snprintf(j->s + n - 1, sizeof(j->s) - n + 1, ";%s=%s]", key, value);
        return 0;
    }
    snprintf(j->last, sizeof(j->last), "%s", id);
    if (key)
        snprintf(j->s + n, sizeof(j->s) - n, "%s%s[%s=%s]", n ? " " : "", id + strlen(id) - 2,
                 key, value);
    else
        snprintf(j->s + n, sizeof(j->s) - n, "%s%s[]", n ? " " : "", id + strlen(id) - 2);
    return 0;
}

static const char *filter_of(struct fx *f, const struct store_tag_filter *flt, size_t limit,
                             size_t offset, int64_t *total, struct joined *j)
{
    j->s[0] = '\0';
    j->last[0] = '\0';
    assert_int_equal(store_tags_filter(f->s, STORE_RES_CUSTOMER_GATEWAY, PROJECT_A, flt, limit,
                                       offset, join_resource, j, total),
                     0);
    return j->s;
}

static void test_tags_in_a_spec_are_indexed_at_insert_and_listed_by_key(void **state)
{
    struct fx *f = *state;
    struct joined j;

    add_cgw(f, PROJECT_A, CGW_N("01"), T0,
            "{\"name\":\"a\",\"tags\":[{\"key\":\"z\",\"value\":\"1\"},{\"key\":\"b\"}]}");
    assert_string_equal(tags_of(f, STORE_RES_CUSTOMER_GATEWAY, PROJECT_A, CGW_N("01"), &j),
                        "b=,z=1");
}

static void test_a_spec_without_tags_has_none_and_an_absent_resource_is_enoent(void **state)
{
    struct fx *f = *state;
    struct joined j;

    add_cgw(f, PROJECT_A, CGW_N("01"), T0, "{\"name\":\"a\"}");
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    assert_string_equal(tags_of(f, STORE_RES_CUSTOMER_GATEWAY, PROJECT_A, CGW_N("01"), &j), "");
    assert_string_equal(tags_of(f, STORE_RES_VPN_GATEWAY, PROJECT_A, VGW_1, &j), "");
    assert_string_equal(tags_of(f, STORE_RES_CUSTOMER_GATEWAY, PROJECT_A, CGW_N("02"), &j),
                        "ENOENT");
    /* the type is part of the key: a gateway id is not a customer gateway */
    assert_string_equal(tags_of(f, STORE_RES_CUSTOMER_GATEWAY, PROJECT_A, VGW_1, &j), "ENOENT");
}

static void test_another_project_sees_no_tags_and_cannot_write_them(void **state)
{
    struct fx *f = *state;
    struct joined j;
    const char *spec = "{\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}";

    add_cgw(f, PROJECT_A, CGW_N("01"), T0, spec);
    assert_string_equal(tags_of(f, STORE_RES_CUSTOMER_GATEWAY, PROJECT_B, CGW_N("01"), &j),
                        "ENOENT");
    assert_string_equal(project_of(f, STORE_RES_CUSTOMER_GATEWAY, PROJECT_B, &j), "");
    assert_int_equal(store_tags_write_spec(f->s, STORE_RES_CUSTOMER_GATEWAY, PROJECT_B,
                                           CGW_N("01"), spec, "{}", NULL),
                     -ENOENT);
    assert_string_equal(filter_of(f, NULL, 10, 0, NULL, &j), "01[k=v]");
    int64_t total = -1;
    assert_int_equal(store_tags_filter(f->s, STORE_RES_CUSTOMER_GATEWAY, PROJECT_B, NULL, 0, 0,
                                       NULL, NULL, &total),
                     0);
    assert_int_equal(total, 0);
}

static void test_write_spec_replaces_the_tags_when_the_spec_is_unchanged(void **state)
{
    struct fx *f = *state;
    struct joined j;
    struct store_cgw_row row;
    const char *old = "{\"name\":\"a\",\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}";
    const char *next = "{\"name\":\"b\",\"tags\":[{\"key\":\"n\",\"value\":\"1\"}]}";

    add_cgw(f, PROJECT_A, CGW_N("01"), T0, old);
    assert_int_equal(store_tags_write_spec(f->s, STORE_RES_CUSTOMER_GATEWAY, PROJECT_A,
                                           CGW_N("01"), old, next, NULL),
                     0);
    assert_string_equal(tags_of(f, STORE_RES_CUSTOMER_GATEWAY, PROJECT_A, CGW_N("01"), &j),
                        "n=1");
    assert_int_equal(store_cgw_get(f->s, PROJECT_A, CGW_N("01"), &row), 0);
    assert_string_equal(row.spec, next);
    assert_int_equal(row.updated_at, T0); /* a tag change is not a configuration update */
    store_cgw_row_done(&row);
    /* the name is re-indexed too */
    struct store_tag_filter flt = {.name_contains = "B"};
    assert_string_equal(filter_of(f, &flt, 10, 0, NULL, &j), "01[n=1]");
}

static void test_write_spec_is_busy_and_changes_nothing_when_the_spec_moved_on(void **state)
{
    struct fx *f = *state;
    struct joined j;
    const char *cur = "{\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}";

    add_cgw(f, PROJECT_A, CGW_N("01"), T0, cur);
    assert_int_equal(store_tags_write_spec(f->s, STORE_RES_CUSTOMER_GATEWAY, PROJECT_A,
                                           CGW_N("01"), "{\"stale\":1}", "{}", NULL),
                     -EBUSY);
    assert_string_equal(tags_of(f, STORE_RES_CUSTOMER_GATEWAY, PROJECT_A, CGW_N("01"), &j),
                        "k=v");
    assert_int_equal(store_tags_write_spec(f->s, STORE_RES_CUSTOMER_GATEWAY, PROJECT_A,
                                           CGW_N("99"), cur, "{}", NULL),
                     -ENOENT);
}

static void test_write_spec_of_a_connection_replaces_its_doc_too(void **state)
{
    struct fx *f = *state;
    struct joined j;
    struct fx_conn c;
    struct buf b = {0};
    char spec[] = "{\"tags\":[{\"key\":\"env\",\"value\":\"prod\"}]}";
    char doc[] = "{\"tags\":[{\"key\":\"env\",\"value\":\"prod\"}]}";

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    assert_string_equal(tags_of(f, STORE_RES_VPN_CONNECTION, PROJECT_A, c.row.id, &j), "");
    assert_int_equal(store_tags_write_spec(f->s, STORE_RES_VPN_CONNECTION, PROJECT_A, c.row.id,
                                           c.spec, spec, doc),
                     0);
    assert_string_equal(tags_of(f, STORE_RES_VPN_CONNECTION, PROJECT_A, c.row.id, &j),
                        "env=prod");
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c.row.id, &b), 0);
    assert_string_equal(b.data, doc);
    buf_free(&b);
}

static void test_a_connection_update_reindexes_its_tags(void **state)
{
    struct fx *f = *state;
    struct joined j;
    struct fx_conn c;
    char spec[] = "{\"name\":\"x\",\"tags\":[{\"key\":\"a\",\"value\":\"1\"}]}";

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    c.row.spec = spec;
    assert_int_equal(store_conn_update(f->s, &c.row, NULL, 0), 0);
    assert_string_equal(tags_of(f, STORE_RES_VPN_CONNECTION, PROJECT_A, c.row.id, &j), "a=1");
}

static void test_deleting_a_resource_deletes_its_tags(void **state)
{
    struct fx *f = *state;
    struct joined j;
    struct fx_conn c;
    struct store_vgw_row vrow = {.connection_number = 10, .created_at = T0, .updated_at = T0};
    char vspec[] = "{\"tags\":[{\"key\":\"g\",\"value\":\"1\"}]}";
    char cspec[] = "{\"tags\":[{\"key\":\"c\",\"value\":\"1\"}]}";
    int64_t users = 0;

    snprintf(vrow.project_id, sizeof(vrow.project_id), PROJECT_A);
    snprintf(vrow.id, sizeof(vrow.id), VGW_1);
    snprintf(vrow.status, sizeof(vrow.status), "ACTIVE");
    snprintf(vrow.enterprise_project_id, sizeof(vrow.enterprise_project_id), "0");
    vrow.spec = vspec;
    assert_int_equal(store_vgw_insert(f->s, &vrow, NULL, 0), 0);
    add_cgw(f, PROJECT_A, CGW_1, T0, "{\"tags\":[{\"key\":\"cg\",\"value\":\"1\"}]}");
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    c.row.spec = cspec;
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    assert_string_equal(project_of(f, STORE_RES_VPN_CONNECTION, PROJECT_A, &j), "c=1");

    assert_int_equal(store_conn_delete(f->s, PROJECT_A, c.row.id), 0);
    assert_string_equal(project_of(f, STORE_RES_VPN_CONNECTION, PROJECT_A, &j), "");
    assert_string_equal(tags_of(f, STORE_RES_VPN_CONNECTION, PROJECT_A, c.row.id, &j), "ENOENT");
    assert_int_equal(store_vgw_delete(f->s, PROJECT_A, VGW_1, &users), 0);
    assert_string_equal(project_of(f, STORE_RES_VPN_GATEWAY, PROJECT_A, &j), "");
    assert_int_equal(store_cgw_delete(f->s, PROJECT_A, CGW_1, &users), 0);
    assert_string_equal(project_of(f, STORE_RES_CUSTOMER_GATEWAY, PROJECT_A, &j), "");
    assert_string_equal(filter_of(f, NULL, 10, 0, NULL, &j), "");
}

static void test_project_listing_gives_each_distinct_pair_once_by_key_then_value(void **state)
{
    struct fx *f = *state;
    struct joined j;

    add_cgw(f, PROJECT_A, CGW_N("01"), T0,
            "{\"tags\":[{\"key\":\"env\",\"value\":\"prod\"},{\"key\":\"a\",\"value\":\"\"}]}");
    add_cgw(f, PROJECT_A, CGW_N("02"), T0, "{\"tags\":[{\"key\":\"env\",\"value\":\"dev\"}]}");
    add_cgw(f, PROJECT_A, CGW_N("03"), T0, "{\"tags\":[{\"key\":\"env\",\"value\":\"prod\"}]}");
    add_cgw(f, PROJECT_B, CGW_N("04"), T0, "{\"tags\":[{\"key\":\"other\",\"value\":\"b\"}]}");
    assert_string_equal(project_of(f, STORE_RES_CUSTOMER_GATEWAY, PROJECT_A, &j),
                        "a=,env=dev,env=prod");
    assert_string_equal(project_of(f, STORE_RES_VPN_GATEWAY, PROJECT_A, &j), "");
}

/* Four customer gateways, oldest first: 01 env=prod team=a "Red"; 02 env=dev team=a "blue";
 * 03 env=prod "green"; 04 none "plain". */
static void add_four(struct fx *f)
{
    add_cgw(f, PROJECT_A, CGW_N("01"), T0 + 1,
            "{\"name\":\"cgw-Red\",\"tags\":[{\"key\":\"env\",\"value\":\"prod\"},"
            "{\"key\":\"team\",\"value\":\"a\"}]}");
    add_cgw(f, PROJECT_A, CGW_N("02"), T0 + 2,
            "{\"name\":\"cgw-blue\",\"tags\":[{\"key\":\"env\",\"value\":\"dev\"},"
            "{\"key\":\"team\",\"value\":\"a\"}]}");
    add_cgw(f, PROJECT_A, CGW_N("03"), T0 + 3,
            "{\"name\":\"green\",\"tags\":[{\"key\":\"env\",\"value\":\"prod\"}]}");
    add_cgw(f, PROJECT_A, CGW_N("04"), T0 + 4, "{\"name\":\"plain\"}");
}

static void test_filter_without_conditions_lists_all_newest_first_with_their_tags(void **state)
{
    struct fx *f = *state;
    struct joined j;
    int64_t total = 0;

    add_four(f);
    assert_string_equal(filter_of(f, NULL, 10, 0, &total, &j),
                        "04[] 03[env=prod] 02[env=dev;team=a] 01[env=prod;team=a]");
    assert_int_equal(total, 4);
}

static void test_filter_ors_values_and_ands_keys_and_empty_values_match_any(void **state)
{
    struct fx *f = *state;
    struct joined j;
    int64_t total = 0;
    const char *prod_dev[] = {"prod", "dev"}, *prod[] = {"prod"}, *a[] = {"a"};

    add_four(f);
    struct store_tag_match or_values[] = {{"env", prod_dev, 2}};
    struct store_tag_filter flt = {.tags = or_values, .n_tags = 1};
    filter_of(f, &flt, 10, 0, &total, &j);
    assert_int_equal(total, 3);

    struct store_tag_match both[] = {{"env", prod, 1}, {"team", a, 1}};
    flt = (struct store_tag_filter){.tags = both, .n_tags = 2};
    assert_string_equal(filter_of(f, &flt, 10, 0, &total, &j), "01[env=prod;team=a]");
    assert_int_equal(total, 1);

    struct store_tag_match any[] = {{"team", NULL, 0}};
    flt = (struct store_tag_filter){.tags = any, .n_tags = 1};
    assert_string_equal(filter_of(f, &flt, 10, 0, &total, &j),
                        "02[env=dev;team=a] 01[env=prod;team=a]");

    struct store_tag_match none[] = {{"missing", NULL, 0}};
    flt = (struct store_tag_filter){.tags = none, .n_tags = 1};
    assert_string_equal(filter_of(f, &flt, 10, 0, &total, &j), "");
    assert_int_equal(total, 0);
}

static void test_without_any_tag_selects_untagged_and_ignores_tag_conditions(void **state)
{
    struct fx *f = *state;
    struct joined j;
    int64_t total = 0;
    const char *prod[] = {"prod"};

    add_four(f);
    struct store_tag_match m[] = {{"env", prod, 1}};
    struct store_tag_filter flt = {.without_any_tag = true, .tags = m, .n_tags = 1};
    assert_string_equal(filter_of(f, &flt, 10, 0, &total, &j), "04[]");
    assert_int_equal(total, 1);
}

static void test_name_match_is_an_ascii_case_insensitive_substring_and_empty_is_exact(void **state)
{
    struct fx *f = *state;
    struct joined j;
    int64_t total = 0;

    add_four(f);
    struct store_tag_filter flt = {.name_contains = "CGW-"};
    filter_of(f, &flt, 10, 0, &total, &j);
    assert_int_equal(total, 2);
    flt.name_contains = "red";
    assert_string_equal(filter_of(f, &flt, 10, 0, &total, &j), "01[env=prod;team=a]");
    flt.name_contains = "%"; /* no LIKE wildcards */
    filter_of(f, &flt, 10, 0, &total, &j);
    assert_int_equal(total, 0);
    flt.name_contains = "";
    filter_of(f, &flt, 10, 0, &total, &j);
    assert_int_equal(total, 0);
}

static void test_limit_and_offset_page_the_matches_and_the_total_ignores_them(void **state)
{
    struct fx *f = *state;
    struct joined j;
    int64_t total = 0;

    add_four(f);
    assert_string_equal(filter_of(f, NULL, 2, 1, &total, &j), "03[env=prod] 02[env=dev;team=a]");
    assert_int_equal(total, 4);
    assert_string_equal(filter_of(f, NULL, 10, 4, &total, &j), "");
    assert_int_equal(total, 4);
    total = -1;
    assert_int_equal(store_tags_filter(f->s, STORE_RES_CUSTOMER_GATEWAY, PROJECT_A, NULL, 0, 0,
                                       NULL, NULL, &total),
                     0);
    assert_int_equal(total, 4);
}

static void test_tags_survive_a_reopen(void **state)
{
    struct fx *f = *state;
    struct joined j;

    add_cgw(f, PROJECT_A, CGW_N("01"), T0, "{\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}");
    fx_reopen(f);
    assert_string_equal(tags_of(f, STORE_RES_CUSTOMER_GATEWAY, PROJECT_A, CGW_N("01"), &j),
                        "k=v");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_tags_in_a_spec_are_indexed_at_insert_and_listed_by_key),
        T(test_a_spec_without_tags_has_none_and_an_absent_resource_is_enoent),
        T(test_another_project_sees_no_tags_and_cannot_write_them),
        T(test_write_spec_replaces_the_tags_when_the_spec_is_unchanged),
        T(test_write_spec_is_busy_and_changes_nothing_when_the_spec_moved_on),
        T(test_write_spec_of_a_connection_replaces_its_doc_too),
        T(test_a_connection_update_reindexes_its_tags),
        T(test_deleting_a_resource_deletes_its_tags),
        T(test_project_listing_gives_each_distinct_pair_once_by_key_then_value),
        T(test_filter_without_conditions_lists_all_newest_first_with_their_tags),
        T(test_filter_ors_values_and_ands_keys_and_empty_values_match_any),
        T(test_without_any_tag_selects_untagged_and_ignores_tag_conditions),
        T(test_name_match_is_an_ascii_case_insensitive_substring_and_empty_is_exact),
        T(test_limit_and_offset_page_the_matches_and_the_total_ignores_them),
        T(test_tags_survive_a_reopen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
