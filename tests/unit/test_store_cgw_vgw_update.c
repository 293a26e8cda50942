/* Unit tests for the customer gateway list and update, the gateway update transaction, and the
 * shared page marker (store/store_marker.c). */
#include "test_store_fixture.h"
#include "store/store_marker.h"
#include "util/ids.h"

/* Customer gateway number n: id "c0000000-0000-4000-8000-<n, 12 digits>", spec {"n":n}. */
static void cgw_id(int n, char out[37])
{
    snprintf(out, 37, "c0000000-0000-4000-8000-%012d", n);
}

static void add_cgw(struct fx *f, const char *project, int n, int64_t created_at)
{
    struct store_cgw_row row = {.created_at = created_at, .updated_at = created_at};
    char spec[32];

    snprintf(row.project_id, sizeof(row.project_id), "%s", project);
    cgw_id(n, row.id);
    snprintf(spec, sizeof(spec), "{\"n\":%d}", n);
    row.spec = spec;
    assert_int_equal(store_cgw_insert(f->s, &row), 0);
}

struct seen {
    char numbers[512];
    int stop_after; /* > 0: the callback fails with -EPROTO on that call */
    int calls;
};

static int collect(void *ud, const struct store_cgw_row *row)
{
    struct seen *s = ud;
    char want[32];
    int n = atoi(strstr(row->id, "-8000-") + 6);

    if (++s->calls == s->stop_after)
        return -EPROTO;
    snprintf(want, sizeof(want), "{\"n\":%d}", n);
    assert_string_equal(row->spec, want);
    snprintf(s->numbers + strlen(s->numbers), sizeof(s->numbers) - strlen(s->numbers), "%s%d",
             s->numbers[0] ? " " : "", n);
    return 0;
}

struct cgw_page {
    struct seen seen;
    size_t count;
    char next[STORE_MARKER_LEN];
    int64_t total;
};

static int cgw_page(struct fx *f, const char *project, const char *only, const char *marker,
                    size_t limit, struct cgw_page *p)
{
    struct store_cgw_filter filter = {.cgw_id = only, .marker = marker};

    memset(p, 0, sizeof(*p));
    return store_cgw_list(f->s, project, &filter, limit, collect, &p->seen, &p->count, p->next,
                          &p->total);
}

static void test_cgw_list_is_newest_first_with_ties_broken_by_id_descending(void **state)
{
    struct fx *f = *state;
    struct cgw_page p;

    add_cgw(f, PROJECT_A, 1, T0);
    add_cgw(f, PROJECT_A, 2, T0 + 5);
    add_cgw(f, PROJECT_A, 3, T0);
    add_cgw(f, PROJECT_A, 4, T0 + 5);
    assert_int_equal(cgw_page(f, PROJECT_A, NULL, NULL, 10, &p), 0);
    assert_string_equal(p.seen.numbers, "4 2 3 1");
    assert_int_equal(p.count, 4);
    assert_string_equal(p.next, "");
    assert_int_equal(p.total, 4);
}

static void test_cgw_pages_follow_the_marker_through_ties_until_it_is_empty(void **state)
{
    struct fx *f = *state;
    char all[1024] = "";
    char marker[STORE_MARKER_LEN] = "";
    struct cgw_page p;
    int pages = 0;

    for (int n = 1; n <= 9; n++)
        add_cgw(f, PROJECT_A, n, T0 + (n - 1) / 4); /* 1-4, 5-8 and 9 share created_at */
    do {
        assert_int_equal(cgw_page(f, PROJECT_A, NULL, marker, 2, &p), 0);
        if (all[0])
            strcat(all, " ");
        strcat(all, p.seen.numbers); /* at most 9 short numbers: fits */
        assert_int_equal(p.total, 9);
        memcpy(marker, p.next, sizeof(marker));
        pages++;
    } while (marker[0]);
    assert_string_equal(all, "9 8 7 6 5 4 3 2 1");
    assert_int_equal(pages, 5);
}

static void test_cgw_marker_carries_the_id_only_when_the_next_row_ties(void **state)
{
    struct fx *f = *state;
    char ts[TIMESTAMP_STR_LEN], want[STORE_MARKER_LEN], id[37];
    struct cgw_page p;

    add_cgw(f, PROJECT_A, 1, T0);
    add_cgw(f, PROJECT_A, 2, T0 + 1);
    add_cgw(f, PROJECT_A, 3, T0 + 1);
    assert_int_equal(cgw_page(f, PROJECT_A, NULL, NULL, 1, &p), 0);
    ids_format_ts(T0 + 1, ts);
    cgw_id(3, id);
    snprintf(want, sizeof(want), "%s|%s", ts, id);
    assert_string_equal(p.next, want);
    assert_int_equal(cgw_page(f, PROJECT_A, NULL, want, 1, &p), 0);
    assert_string_equal(p.seen.numbers, "2");
    ids_format_ts(T0 + 1, want);
    assert_string_equal(p.next, want);
}

static void test_cgw_id_filter_finds_one_row_and_counts_only_it(void **state)
{
    struct fx *f = *state;
    char id[37];
    struct cgw_page p;

    add_cgw(f, PROJECT_A, 1, T0);
    add_cgw(f, PROJECT_A, 2, T0 + 1);
    cgw_id(1, id);
    assert_int_equal(cgw_page(f, PROJECT_A, id, NULL, 10, &p), 0);
    assert_string_equal(p.seen.numbers, "1");
    assert_int_equal(p.total, 1);
    assert_int_equal(cgw_page(f, PROJECT_B, id, NULL, 10, &p), 0);
    assert_string_equal(p.seen.numbers, "");
    assert_int_equal(p.total, 0);
}

static void test_cgw_list_shows_no_row_of_another_project(void **state)
{
    struct fx *f = *state;
    struct cgw_page p;

    add_cgw(f, PROJECT_A, 1, T0);
    add_cgw(f, PROJECT_B, 2, T0);
    assert_int_equal(cgw_page(f, PROJECT_B, NULL, NULL, 10, &p), 0);
    assert_string_equal(p.seen.numbers, "2");
    assert_int_equal(p.total, 1);
}

static void test_cgw_limit_zero_has_no_rows_no_marker_but_the_total(void **state)
{
    struct fx *f = *state;
    struct cgw_page p;

    add_cgw(f, PROJECT_A, 1, T0);
    add_cgw(f, PROJECT_A, 2, T0 + 1);
    assert_int_equal(cgw_page(f, PROJECT_A, NULL, NULL, 0, &p), 0);
    assert_int_equal(p.seen.calls, 0);
    assert_int_equal(p.count, 0);
    assert_string_equal(p.next, "");
    assert_int_equal(p.total, 2);
}

static void test_cgw_malformed_marker_is_einval_before_any_row(void **state)
{
    static const char *const bad[] = {
        "x", "2022-11-26T13:41:34.626Z|", "2022-13-26T13:41:34.626Z", "2022-11-26T13:41:34.626",
        "2022-11-26T13:41:34.626Z|0123456789012345678901234567890123456789",
    };
    struct fx *f = *state;
    struct cgw_page p;

    add_cgw(f, PROJECT_A, 1, T0);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        assert_int_equal(cgw_page(f, PROJECT_A, NULL, bad[i], 10, &p), -EINVAL);
        assert_int_equal(p.seen.calls, 0);
    }
}

static void test_cgw_list_stops_with_the_callback_error(void **state)
{
    struct fx *f = *state;
    struct store_cgw_filter filter = {0};
    struct seen seen = {.stop_after = 2};
    char next[STORE_MARKER_LEN];
    size_t count = 99;

    for (int n = 1; n <= 3; n++)
        add_cgw(f, PROJECT_A, n, T0 + n);
    assert_int_equal(store_cgw_list(f->s, PROJECT_A, &filter, 10, collect, &seen, &count, next,
                                    NULL),
                     -EPROTO);
    assert_int_equal(seen.calls, 2);
    assert_int_equal(count, 99); /* not written on failure */
}

static void test_cgw_update_replaces_spec_and_updated_at_and_keeps_created_at(void **state)
{
    struct fx *f = *state;
    struct store_cgw_row row = {.updated_at = T0 + 10}, got;
    char spec[] = "{\"n\":\"new\"}";

    add_cgw(f, PROJECT_A, 1, T0);
    snprintf(row.project_id, sizeof(row.project_id), "%s", PROJECT_A);
    cgw_id(1, row.id);
    row.created_at = 42; /* ignored: created_at stays */
    row.spec = spec;
    assert_int_equal(store_cgw_update(f->s, &row), 0);
    assert_int_equal(store_cgw_get(f->s, PROJECT_A, row.id, &got), 0);
    assert_string_equal(got.spec, spec);
    assert_int_equal(got.created_at, T0);
    assert_int_equal(got.updated_at, T0 + 10);
    store_cgw_row_done(&got);
}

static void test_cgw_update_of_another_project_or_unknown_id_is_enoent(void **state)
{
    struct fx *f = *state;
    struct store_cgw_row row = {.updated_at = T0 + 10}, got;
    char spec[] = "{\"n\":\"theirs\"}";

    add_cgw(f, PROJECT_A, 1, T0);
    snprintf(row.project_id, sizeof(row.project_id), "%s", PROJECT_B);
    cgw_id(1, row.id);
    row.spec = spec;
    assert_int_equal(store_cgw_update(f->s, &row), -ENOENT);
    snprintf(row.project_id, sizeof(row.project_id), "%s", PROJECT_A);
    cgw_id(2, row.id);
    assert_int_equal(store_cgw_update(f->s, &row), -ENOENT);
    cgw_id(1, row.id);
    assert_int_equal(store_cgw_get(f->s, PROJECT_A, row.id, &got), 0);
    assert_string_equal(got.spec, "{\"n\":1}");
    store_cgw_row_done(&got);
}

/* ---- gateway update ---- */

static void add_claimed_vgw(struct fx *f, const char *project, const char *id, const char *eip)
{
    struct store_vgw_row row = {.connection_number = 10, .created_at = T0, .updated_at = T0};
    struct store_claim claim = {"eip_id", eip};
    char spec[] = "{\"v\":1}";

    snprintf(row.project_id, sizeof(row.project_id), "%s", project);
    snprintf(row.id, sizeof(row.id), "%s", id);
    snprintf(row.status, sizeof(row.status), "ACTIVE");
    snprintf(row.enterprise_project_id, sizeof(row.enterprise_project_id), "0");
    row.spec = spec;
    assert_int_equal(store_vgw_insert(f->s, &row, &claim, 1), 0);
}

static void assert_vgw_unchanged(struct fx *f, const char *project, const char *id)
{
    struct store_vgw_row got;

    assert_int_equal(store_vgw_get(f->s, project, id, &got), 0);
    assert_string_equal(got.status, "ACTIVE");
    assert_string_equal(got.spec, "{\"v\":1}");
    assert_int_equal(got.connection_number, 10);
    assert_int_equal(got.updated_at, T0);
    store_vgw_row_done(&got);
}

static void test_vgw_update_writes_status_spec_capacity_and_keeps_used(void **state)
{
    struct fx *f = *state;
    struct store_due due[4];
    struct store_vgw_row got;
    struct fx_conn c;
    struct fx_vgw_upd v;
    size_t n = 0;

    add_claimed_vgw(f, PROJECT_A, VGW_1, "eip-a");
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    c.row.status_due = 0;
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    fx_vgw_upd_init(&v, PROJECT_A, VGW_1, 1000);
    assert_int_equal(store_vgw_update(f->s, &v.u, NULL), 0);
    assert_int_equal(store_vgw_get(f->s, PROJECT_A, VGW_1, &got), 0);
    assert_string_equal(got.status, "PENDING_UPDATE");
    assert_string_equal(got.spec, v.spec);
    assert_int_equal(got.connection_number, 1000);
    assert_int_equal(got.used_connection_number, 1);
    assert_int_equal(got.created_at, T0);
    assert_int_equal(got.updated_at, T0 + 100);
    store_vgw_row_done(&got);
    assert_int_equal(store_due_list(f->s, T0 + 500, 4, due, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(due[0].id, VGW_1);
    assert_string_equal(due[0].status, "PENDING_UPDATE");
}

static void test_vgw_update_is_eagain_when_the_status_moved_and_changes_nothing(void **state)
{
    struct fx *f = *state;
    struct fx_vgw_upd v;

    add_claimed_vgw(f, PROJECT_A, VGW_1, "eip-a");
    fx_vgw_upd_init(&v, PROJECT_A, VGW_1, 10);
    v.u.from_status = "PENDING_CREATE";
    assert_int_equal(store_vgw_update(f->s, &v.u, NULL), -EAGAIN);
    assert_vgw_unchanged(f, PROJECT_A, VGW_1);
    /* the first of two racing updates wins; the second sees the status it left */
    fx_vgw_upd_init(&v, PROJECT_A, VGW_1, 10);
    assert_int_equal(store_vgw_update(f->s, &v.u, NULL), 0);
    assert_int_equal(store_vgw_update(f->s, &v.u, NULL), -EAGAIN);
}

static void test_vgw_update_of_another_project_or_unknown_gateway_is_enoent(void **state)
{
    struct fx *f = *state;
    struct fx_vgw_upd v;

    add_claimed_vgw(f, PROJECT_A, VGW_1, "eip-a");
    fx_vgw_upd_init(&v, PROJECT_B, VGW_1, 10);
    assert_int_equal(store_vgw_update(f->s, &v.u, NULL), -ENOENT);
    fx_vgw_upd_init(&v, PROJECT_A, VGW_2, 10);
    assert_int_equal(store_vgw_update(f->s, &v.u, NULL), -ENOENT);
    assert_vgw_unchanged(f, PROJECT_A, VGW_1);
}

static void test_vgw_update_below_the_used_connections_is_enospc(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct fx_vgw_upd v;

    add_claimed_vgw(f, PROJECT_A, VGW_1, "eip-a");
    fx_add_cgw(f, PROJECT_A, CGW_1);
    for (int n = 1; n <= 2; n++) {
        fx_conn_init(&c, PROJECT_A, VGW_1, n, T0);
        assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    }
    fx_vgw_upd_init(&v, PROJECT_A, VGW_1, 1);
    assert_int_equal(store_vgw_update(f->s, &v.u, NULL), -EOVERFLOW);
    fx_vgw_upd_init(&v, PROJECT_A, VGW_1, 2);
    assert_int_equal(store_vgw_update(f->s, &v.u, NULL), 0);
}

static void test_vgw_update_releasing_a_vgw_ip_in_use_is_enotempty_with_its_index(void **state)
{
    static const char *const released[] = {"eip-free", "eip-1"}; /* fx_conn vgw_ip: eip-1 */
    static const struct store_claim claims[] = {{"eip_id", "eip-new"}};
    struct fx *f = *state;
    struct fx_conn c;
    struct fx_vgw_upd v;
    size_t index = 99;
    char taken[128];

    add_claimed_vgw(f, PROJECT_A, VGW_1, "eip-a");
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    fx_vgw_upd_init(&v, PROJECT_A, VGW_1, 10);
    v.u.released = released;
    v.u.n_released = 2;
    v.u.claims = claims;
    v.u.n_claims = 1;
    assert_int_equal(store_vgw_update(f->s, &v.u, &index), -ENOTEMPTY);
    assert_int_equal(index, 1);
    fx_claims(f, "eip_id", taken, sizeof(taken));
    assert_string_equal(taken, "eip-a");
    v.u.n_released = 1;
    assert_int_equal(store_vgw_update(f->s, &v.u, &index), 0);
}

static void test_vgw_update_replaces_the_claims_in_the_same_transaction(void **state)
{
    static const struct store_claim claims[] = {{"eip_id", "eip-b"}, {"eip_id", "eip-c"}};
    struct fx *f = *state;
    struct fx_vgw_upd v;
    char taken[128];

    add_claimed_vgw(f, PROJECT_A, VGW_1, "eip-a");
    fx_vgw_upd_init(&v, PROJECT_A, VGW_1, 10);
    v.u.claims = claims;
    v.u.n_claims = 2;
    assert_int_equal(store_vgw_update(f->s, &v.u, NULL), 0);
    fx_claims(f, "eip_id", taken, sizeof(taken));
    assert_string_equal(taken, "eip-b eip-c");
    add_claimed_vgw(f, PROJECT_B, VGW_2, "eip-a"); /* released: free for another gateway */
}

static void test_vgw_update_with_a_claim_of_another_gateway_is_eexist_and_changes_nothing(
    void **state)
{
    static const struct store_claim claims[] = {{"eip_id", "eip-new"}, {"eip_id", "eip-b"}};
    struct fx *f = *state;
    struct fx_vgw_upd v;
    char taken[128];

    add_claimed_vgw(f, PROJECT_A, VGW_1, "eip-a");
    add_claimed_vgw(f, PROJECT_B, VGW_2, "eip-b");
    fx_vgw_upd_init(&v, PROJECT_A, VGW_1, 10);
    v.u.claims = claims;
    v.u.n_claims = 2;
    assert_int_equal(store_vgw_update(f->s, &v.u, NULL), -EEXIST);
    fx_claims(f, "eip_id", taken, sizeof(taken));
    assert_string_equal(taken, "eip-a eip-b");
    assert_vgw_unchanged(f, PROJECT_A, VGW_1);
}

static void test_vgw_update_without_claims_keeps_the_current_ones(void **state)
{
    struct fx *f = *state;
    struct fx_vgw_upd v;
    char taken[128];

    add_claimed_vgw(f, PROJECT_A, VGW_1, "eip-a");
    fx_vgw_upd_init(&v, PROJECT_A, VGW_1, 10);
    assert_int_equal(store_vgw_update(f->s, &v.u, NULL), 0);
    fx_claims(f, "eip_id", taken, sizeof(taken));
    assert_string_equal(taken, "eip-a");
}

static void test_connection_insert_on_a_gateway_being_updated_is_eagain(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct fx_vgw_upd v;
    struct buf b = {0};

    add_claimed_vgw(f, PROJECT_A, VGW_1, "eip-a");
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_vgw_upd_init(&v, PROJECT_A, VGW_1, 10);
    assert_int_equal(store_vgw_update(f->s, &v.u, NULL), 0);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), -EAGAIN);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 0);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c.row.id, &b), -ENOENT);
    assert_int_equal(store_vgw_set_status(f->s, PROJECT_A, VGW_1, "PENDING_UPDATE", "ACTIVE", 0,
                                          T0 + 200),
                     0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    buf_free(&b);
}

/* ---- the shared marker ---- */

static void test_marker_round_trips_and_the_first_page_is_empty_or_null(void **state)
{
    struct store_marker m;
    char out[STORE_MARKER_LEN];
    (void)state;

    store_marker_format(T0, VGW_1, false, out);
    assert_string_equal(out, "2022-11-26T13:41:34.626Z");
    assert_int_equal(store_marker_parse(out, &m), 0);
    assert_int_equal(m.created_at, T0);
    assert_string_equal(m.id, "");
    store_marker_format(T0, VGW_1, true, out);
    assert_string_equal(out, "2022-11-26T13:41:34.626Z|" VGW_1);
    assert_int_equal(store_marker_parse(out, &m), 0);
    assert_string_equal(m.id, VGW_1);
    assert_int_equal(store_marker_parse(NULL, &m), 0);
    assert_true(m.created_at == INT64_MAX);
    assert_int_equal(store_marker_parse("", &m), 0);
    assert_true(m.created_at == INT64_MAX);
}

static void test_page_accounting_sets_the_marker_only_when_a_row_follows(void **state)
{
    struct store_page p;
    (void)state;

    store_page_init(&p, 2);
    assert_int_equal(store_page_offer(&p, T0 + 2, "b"), 0);
    assert_int_equal(store_page_offer(&p, T0 + 1, "a"), 0);
    assert_string_equal(p.next_marker, "");
    assert_int_equal(store_page_offer(&p, T0 + 1, "0"), 1);
    assert_string_equal(p.next_marker, "2022-11-26T13:41:34.627Z|a");
    assert_int_equal(p.count, 2);
    store_page_init(&p, 0);
    assert_int_equal(store_page_offer(&p, T0, "a"), 1);
    assert_string_equal(p.next_marker, "");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_cgw_list_is_newest_first_with_ties_broken_by_id_descending),
        T(test_cgw_pages_follow_the_marker_through_ties_until_it_is_empty),
        T(test_cgw_marker_carries_the_id_only_when_the_next_row_ties),
        T(test_cgw_id_filter_finds_one_row_and_counts_only_it),
        T(test_cgw_list_shows_no_row_of_another_project),
        T(test_cgw_limit_zero_has_no_rows_no_marker_but_the_total),
        T(test_cgw_malformed_marker_is_einval_before_any_row),
        T(test_cgw_list_stops_with_the_callback_error),
        T(test_cgw_update_replaces_spec_and_updated_at_and_keeps_created_at),
        T(test_cgw_update_of_another_project_or_unknown_id_is_enoent),
        T(test_vgw_update_writes_status_spec_capacity_and_keeps_used),
        T(test_vgw_update_is_eagain_when_the_status_moved_and_changes_nothing),
        T(test_vgw_update_of_another_project_or_unknown_gateway_is_enoent),
        T(test_vgw_update_below_the_used_connections_is_enospc),
        T(test_vgw_update_releasing_a_vgw_ip_in_use_is_enotempty_with_its_index),
        T(test_vgw_update_replaces_the_claims_in_the_same_transaction),
        T(test_vgw_update_with_a_claim_of_another_gateway_is_eexist_and_changes_nothing),
        T(test_vgw_update_without_claims_keeps_the_current_ones),
        T(test_connection_insert_on_a_gateway_being_updated_is_eagain),
        cmocka_unit_test(test_marker_round_trips_and_the_first_page_is_empty_or_null),
        cmocka_unit_test(test_page_accounting_sets_the_marker_only_when_a_row_follows),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
