/* Unit tests for the newest-first, marker-paged connection list. */
#include "test_store_fixture.h"
#include "util/ids.h"

/* Inserts connection number n of project on gateway vgw, with the given columns. */
static void add_conn(struct fx *f, const char *project, const char *vgw, int n, int64_t created_at,
                     const char *vgw_ip, const char *eps)
{
    struct fx_conn c;

    fx_conn_init(&c, project, vgw, n, created_at);
    snprintf(c.row.vgw_ip, sizeof(c.row.vgw_ip), "%s", vgw_ip);
    snprintf(c.row.enterprise_project_id, sizeof(c.row.enterprise_project_id), "%s", eps);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
}

static int setup_gateways(void **state)
{
    int r = fx_setup(state);

    if (r == 0) {
        struct fx *f = *state;

        fx_add_vgw(f, PROJECT_A, VGW_1, 100);
        fx_add_vgw(f, PROJECT_A, VGW_2, 100);
        fx_add_cgw(f, PROJECT_A, CGW_1);
        fx_add_vgw(f, PROJECT_B, VGW_1, 100);
        fx_add_cgw(f, PROJECT_B, CGW_1);
    }
    return r;
}

/* The ids in a comma-separated list of {"id":"..."} docs, as their numbers: "3 2 1". */
static void doc_numbers(const struct buf *b, char *out, size_t size)
{
    const char *p = b->data ? b->data : "";

    out[0] = '\0';
    while ((p = strstr(p, "-8000-")) != NULL) {
        p += 6;
        snprintf(out + strlen(out), size - strlen(out), "%s%d", out[0] ? " " : "", atoi(p));
    }
}

struct page {
    char numbers[256];
    size_t count;
    char next[STORE_MARKER_LEN];
    int64_t total;
};

static int list_page(struct fx *f, const char *project, const struct store_conn_filter *filter,
                     size_t limit, struct page *ret)
{
    struct buf b = {0};
    int r = store_conn_list(f->s, project, filter, limit, &b, &ret->count, ret->next, &ret->total);

    doc_numbers(&b, ret->numbers, sizeof(ret->numbers));
    buf_free(&b);
    return r;
}

static void test_list_returns_docs_newest_first_separated_by_commas(void **state)
{
    struct fx *f = *state;
    struct buf b = {0};
    char next[STORE_MARKER_LEN];
    size_t count = 0;

    add_conn(f, PROJECT_A, VGW_1, 1, T0, "eip-1", "0");
    add_conn(f, PROJECT_A, VGW_1, 2, T0 + 20, "eip-1", "0");
    add_conn(f, PROJECT_A, VGW_1, 3, T0 + 10, "eip-1", "0");
    assert_int_equal(store_conn_list(f->s, PROJECT_A, NULL, 10, &b, &count, next, NULL), 0);
    assert_int_equal(count, 3);
    assert_string_equal(b.data, "{\"id\":\"00000000-0000-4000-8000-000000000002\"},"
                                "{\"id\":\"00000000-0000-4000-8000-000000000003\"},"
                                "{\"id\":\"00000000-0000-4000-8000-000000000001\"}");
    assert_string_equal(next, "");
    buf_free(&b);
}

static void test_list_pages_by_created_at_marker_until_the_marker_is_empty(void **state)
{
    struct fx *f = *state;
    struct store_conn_filter filter = {0};
    struct page p;
    char ts[TIMESTAMP_STR_LEN];

    for (int i = 1; i <= 5; i++)
        add_conn(f, PROJECT_A, VGW_1, i, T0 + i * 1000, "eip-1", "0");
    assert_int_equal(list_page(f, PROJECT_A, &filter, 2, &p), 0);
    assert_string_equal(p.numbers, "5 4");
    ids_format_ts(T0 + 4000, ts);
    assert_string_equal(p.next, ts); /* "2022-11-26T13:41:38.626Z": spec §1.6 */
    assert_string_equal(p.next, "2022-11-26T13:41:38.626Z");
    assert_int_equal(p.total, 5);
    filter.marker = p.next;
    assert_int_equal(list_page(f, PROJECT_A, &filter, 2, &p), 0);
    assert_string_equal(p.numbers, "3 2");
    assert_int_equal(p.total, 5);
    filter.marker = p.next;
    assert_int_equal(list_page(f, PROJECT_A, &filter, 2, &p), 0);
    assert_string_equal(p.numbers, "1");
    assert_int_equal(p.count, 1);
    assert_string_equal(p.next, "");
}

static void test_last_full_page_has_an_empty_marker_when_nothing_follows(void **state)
{
    struct fx *f = *state;
    struct page p;

    add_conn(f, PROJECT_A, VGW_1, 1, T0, "eip-1", "0");
    add_conn(f, PROJECT_A, VGW_1, 2, T0 + 1, "eip-1", "0");
    assert_int_equal(list_page(f, PROJECT_A, NULL, 2, &p), 0);
    assert_string_equal(p.numbers, "2 1");
    assert_string_equal(p.next, "");
}

static void test_marker_carries_the_id_when_created_at_ties_across_pages(void **state)
{
    struct fx *f = *state;
    struct store_conn_filter filter = {0};
    char seen[512] = "";
    struct page p;
    int pages = 0;

    for (int i = 1; i <= 5; i++) /* a batch in one millisecond, and one older */
        add_conn(f, PROJECT_A, VGW_1, i, i == 1 ? T0 : T0 + 7, "eip-1", "0");
    do {
        assert_int_equal(list_page(f, PROJECT_A, &filter, 2, &p), 0);
        snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s", seen[0] ? " " : "",
                 p.numbers);
        if (pages == 0)
            assert_string_equal(p.next, "2022-11-26T13:41:34.633Z|"
                                        "00000000-0000-4000-8000-000000000004");
        if (pages == 1) /* 3 and 2 share the time, 1 is older: the plain form suffices */
            assert_string_equal(p.next, "2022-11-26T13:41:34.633Z");
        filter.marker = p.next;
        pages++;
    } while (p.next[0]);
    assert_string_equal(seen, "5 4 3 2 1");
    assert_int_equal(pages, 3);
}

static void test_list_filters_by_gateway_gateway_ip_and_enterprise_projects(void **state)
{
    struct fx *f = *state;
    const char *const eps[] = {"eps-a", "eps-b"};
    struct store_conn_filter filter = {0};
    struct page p;

    add_conn(f, PROJECT_A, VGW_1, 1, T0 + 1, "eip-1", "eps-a");
    add_conn(f, PROJECT_A, VGW_1, 2, T0 + 2, "eip-2", "eps-b");
    add_conn(f, PROJECT_A, VGW_2, 3, T0 + 3, "eip-3", "eps-c");
    add_conn(f, PROJECT_A, VGW_2, 4, T0 + 4, "eip-1", "0");
    filter.vgw_id = VGW_1;
    assert_int_equal(list_page(f, PROJECT_A, &filter, 10, &p), 0);
    assert_string_equal(p.numbers, "2 1");
    assert_int_equal(p.total, 2);
    filter.vgw_id = NULL;
    filter.vgw_ip = "eip-1";
    assert_int_equal(list_page(f, PROJECT_A, &filter, 10, &p), 0);
    assert_string_equal(p.numbers, "4 1");
    filter.vgw_ip = NULL;
    filter.enterprise_project_ids = eps;
    filter.n_enterprise_project_ids = 2;
    assert_int_equal(list_page(f, PROJECT_A, &filter, 10, &p), 0);
    assert_string_equal(p.numbers, "2 1");
    filter.vgw_ip = "eip-2";
    assert_int_equal(list_page(f, PROJECT_A, &filter, 10, &p), 0);
    assert_string_equal(p.numbers, "2");
    assert_int_equal(p.total, 1);
}

static void test_total_counts_every_match_while_the_page_is_limited(void **state)
{
    struct fx *f = *state;
    struct store_conn_filter filter = {.vgw_id = VGW_2};
    struct page p;

    for (int i = 1; i <= 6; i++)
        add_conn(f, PROJECT_A, i % 2 ? VGW_1 : VGW_2, i, T0 + i, "eip-1", "0");
    assert_int_equal(list_page(f, PROJECT_A, &filter, 1, &p), 0);
    assert_string_equal(p.numbers, "6");
    assert_int_equal(p.total, 3);
    filter.marker = p.next;
    assert_int_equal(list_page(f, PROJECT_A, &filter, 1, &p), 0);
    assert_string_equal(p.numbers, "4");
    assert_int_equal(p.total, 3);
}

/* The unfiltered and enterprise-project totals come from counters kept by the insert and delete
 * transactions: they must follow every insert and delete, per enterprise project. */
static void test_totals_follow_inserts_and_deletes_per_enterprise_project(void **state)
{
    struct fx *f = *state;
    const char *eps_a[] = {"eps-a"};
    const char *eps_ab[] = {"eps-a", "eps-b"};
    struct store_conn_filter filter = {0};
    char id[37];
    struct page p;

    for (int i = 1; i <= 5; i++)
        add_conn(f, PROJECT_A, VGW_1, i, T0 + i, "eip-1", i <= 3 ? "eps-a" : "eps-b");
    add_conn(f, PROJECT_B, VGW_1, 6, T0 + 6, "eip-1", "eps-a");
    fx_conn_id(2, id);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, id), 0);
    fx_conn_id(5, id);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, id), 0);
    assert_int_equal(list_page(f, PROJECT_A, NULL, 0, &p), 0);
    assert_int_equal(p.total, 3);
    filter.enterprise_project_ids = eps_a;
    filter.n_enterprise_project_ids = 1;
    assert_int_equal(list_page(f, PROJECT_A, &filter, 0, &p), 0);
    assert_int_equal(p.total, 2);
    filter.enterprise_project_ids = eps_ab;
    filter.n_enterprise_project_ids = 2;
    assert_int_equal(list_page(f, PROJECT_A, &filter, 0, &p), 0);
    assert_int_equal(p.total, 3);
    assert_int_equal(list_page(f, PROJECT_B, NULL, 0, &p), 0);
    assert_int_equal(p.total, 1);
}

static void test_list_shows_no_connection_of_another_project(void **state)
{
    struct fx *f = *state;
    struct page p;

    add_conn(f, PROJECT_B, VGW_1, 1, T0, "eip-1", "0");
    assert_int_equal(list_page(f, PROJECT_A, NULL, 10, &p), 0);
    assert_int_equal(p.count, 0);
    assert_int_equal(p.total, 0);
    assert_string_equal(p.next, "");
    assert_int_equal(list_page(f, PROJECT_B, NULL, 10, &p), 0);
    assert_string_equal(p.numbers, "1");
}

static void test_malformed_marker_is_einval_and_leaves_the_buffer_unchanged(void **state)
{
    static const char *const bad[] = {
        "yesterday",
        "2022-11-26T13:41:34Z",
        "2022-11-26T13:41:34.626Z|",
        "2022-11-26T13:41:34.626Zx",
        "2022-11-26T13:41:34.626Z|00000000-0000-4000-8000-0000000000001",
    };
    struct fx *f = *state;
    struct store_conn_filter filter = {0};
    struct buf b = {0};
    char next[STORE_MARKER_LEN] = "untouched";
    size_t count = 99;

    add_conn(f, PROJECT_A, VGW_1, 1, T0, "eip-1", "0");
    assert_int_equal(buf_puts(&b, "["), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        filter.marker = bad[i];
        assert_int_equal(store_conn_list(f->s, PROJECT_A, &filter, 10, &b, &count, next, NULL),
                         -EINVAL);
        assert_string_equal(b.data, "[");
        assert_int_equal(count, 99);
        assert_string_equal(next, "untouched");
    }
    buf_free(&b);
}

static void test_limit_zero_returns_no_docs_but_the_total(void **state)
{
    struct fx *f = *state;
    struct page p;

    add_conn(f, PROJECT_A, VGW_1, 1, T0, "eip-1", "0");
    assert_int_equal(list_page(f, PROJECT_A, NULL, 0, &p), 0);
    assert_int_equal(p.count, 0);
    assert_string_equal(p.numbers, "");
    assert_string_equal(p.next, "");
    assert_int_equal(p.total, 1);
}

static void test_deleted_connection_leaves_the_list(void **state)
{
    struct fx *f = *state;
    struct page p;
    char id[37];

    add_conn(f, PROJECT_A, VGW_1, 1, T0, "eip-1", "0");
    add_conn(f, PROJECT_A, VGW_1, 2, T0 + 1, "eip-1", "0");
    fx_conn_id(2, id);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, id), 0);
    assert_int_equal(list_page(f, PROJECT_A, NULL, 10, &p), 0);
    assert_string_equal(p.numbers, "1");
    assert_int_equal(p.total, 1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup_gateways, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_list_returns_docs_newest_first_separated_by_commas),
        T(test_list_pages_by_created_at_marker_until_the_marker_is_empty),
        T(test_last_full_page_has_an_empty_marker_when_nothing_follows),
        T(test_marker_carries_the_id_when_created_at_ties_across_pages),
        T(test_list_filters_by_gateway_gateway_ip_and_enterprise_projects),
        T(test_total_counts_every_match_while_the_page_is_limited),
        T(test_totals_follow_inserts_and_deletes_per_enterprise_project),
        T(test_list_shows_no_connection_of_another_project),
        T(test_malformed_marker_is_einval_and_leaves_the_buffer_unchanged),
        T(test_limit_zero_returns_no_docs_but_the_total),
        T(test_deleted_connection_leaves_the_list),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
