/* Store: bulk loads (one transaction, each write undone alone on failure), per-project counts
 * kept by the schema, and the dump of every row. */
#include <sys/stat.h>

#include "test_store_fixture.h"

static void test_a_failed_write_in_a_bulk_load_undoes_only_itself(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2;
    struct buf b = {0};

    assert_int_equal(store_bulk_begin(f->s), 0);
    fx_add_vgw(f, PROJECT_A, VGW_1, 1);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0);
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), 0);
    assert_int_equal(store_conn_insert(f->s, &c2.row, NULL, 0), -EOVERFLOW);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1); /* read inside the load */
    assert_int_equal(store_bulk_end(f->s, true), 0);
    fx_reopen(f);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c1.row.id, &b), 0);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c2.row.id, &b), -ENOENT);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1);
    buf_free(&b);
}

static void test_a_bulk_load_ended_without_commit_keeps_nothing(void **state)
{
    struct fx *f = *state;
    struct store_vgw_row row;
    struct store_counts n;

    assert_int_equal(store_bulk_begin(f->s), 0);
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    assert_int_equal(store_bulk_end(f->s, false), 0);
    assert_int_equal(store_vgw_get(f->s, PROJECT_A, VGW_1, &row), -ENOENT);
    assert_int_equal(store_project_counts(f->s, PROJECT_A, &n), 0);
    assert_int_equal(n.vpn_gateways + n.customer_gateways, 0);
}

static void test_bulk_begin_twice_and_end_without_begin_are_einval(void **state)
{
    struct fx *f = *state;

    assert_int_equal(store_bulk_end(f->s, true), -EINVAL);
    assert_int_equal(store_bulk_begin(f->s), 0);
    assert_int_equal(store_bulk_begin(f->s), -EINVAL);
    assert_int_equal(store_bulk_end(f->s, true), 0);
}

static void test_after_a_bulk_load_the_store_is_back_on_its_write_ahead_log(void **state)
{
    struct fx *f = *state;
    struct stat st;
    char wal[1100];

    FX_SQLITE_ONLY(); /* the write-ahead log file is SQLite's */
    assert_int_equal(store_bulk_begin(f->s), 0);
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    assert_int_equal(store_bulk_end(f->s, true), 0);
    fx_add_vgw(f, PROJECT_A, VGW_2, 10);
    fx_path(f, "-wal", wal, sizeof(wal));
    assert_int_equal(stat(wal, &st), 0);
}

static void test_project_counts_follow_inserts_and_deletes(void **state)
{
    struct fx *f = *state;
    struct store_counts n;
    struct fx_conn c0, c1, c2;
    int64_t users;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_vgw(f, PROJECT_B, VGW_2, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c0, PROJECT_A, VGW_1, 0, T0);
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0 + 1);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0 + 2);
    assert_int_equal(store_conn_insert(f->s, &c0.row, NULL, 0), 0);
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), 0);
    assert_int_equal(store_conn_insert(f->s, &c2.row, NULL, 0), 0);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, c1.row.id), 0);
    assert_int_equal(store_project_counts(f->s, PROJECT_A, &n), 0);
    assert_int_equal(n.vpn_gateways, 1);
    assert_int_equal(n.customer_gateways, 1);
    assert_int_equal(n.vpn_connections, 2);
    assert_int_equal(store_vgw_delete(f->s, PROJECT_B, VGW_2, &users), 0);
    assert_int_equal(store_project_counts(f->s, PROJECT_B, &n), 0);
    assert_int_equal(n.vpn_gateways + n.customer_gateways + n.vpn_connections, 0);
}

static int64_t listed_total(struct fx *f, const char *project)
{
    struct buf b = {0};
    size_t count = 0;
    char next[STORE_MARKER_LEN];
    int64_t total = -1;

    assert_int_equal(store_conn_list(f->s, project, NULL, 0, &b, &count, next, &total), 0);
    buf_free(&b);
    return total;
}

static void test_counts_inside_a_bulk_load_see_its_writes_and_a_discarded_load_leaves_none(
    void **state)
{
    struct fx *f = *state;
    struct store_counts n;
    struct fx_conn c0, c1, c2, c3;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    for (int round = 0; round < 2; round++) { /* discarded, then committed */
        assert_int_equal(store_bulk_begin(f->s), 0);
        fx_add_vgw(f, PROJECT_A, VGW_2, 10);
        fx_conn_init(&c0, PROJECT_A, VGW_1, 0, T0);
        fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0 + 1);
        fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0 + 2);
        assert_int_equal(store_conn_insert(f->s, &c0.row, NULL, 0), 0);
        assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), 0);
        assert_int_equal(store_conn_insert(f->s, &c2.row, NULL, 0), 0);
        assert_int_equal(store_conn_delete(f->s, PROJECT_A, c1.row.id), 0);
        assert_int_equal(store_project_counts(f->s, PROJECT_A, &n), 0);
        assert_int_equal(n.vpn_gateways, 2);
        assert_int_equal(n.vpn_connections, 2);
        assert_int_equal(listed_total(f, PROJECT_A), 2);
        fx_conn_init(&c3, PROJECT_A, VGW_1, 3, T0 + 3); /* more after a count was read */
        assert_int_equal(store_conn_insert(f->s, &c3.row, NULL, 0), 0);
        assert_int_equal(store_bulk_end(f->s, round == 1), 0);
        assert_int_equal(store_project_counts(f->s, PROJECT_A, &n), 0);
        assert_int_equal(n.vpn_gateways, round == 1 ? 2 : 1);
        assert_int_equal(n.customer_gateways, 1);
        assert_int_equal(n.vpn_connections, round == 1 ? 3 : 0);
        assert_int_equal(listed_total(f, PROJECT_A), round == 1 ? 3 : 0);
    }
}

struct dump_seen {
    char order[256];
};

static void dump_note(struct dump_seen *d, char kind, const char *id)
{
    size_t len = strlen(d->order);
    snprintf(d->order + len, sizeof(d->order) - len, "%c:%.4s%s ", kind, id + 32, "");
}

static int dump_vgw(void *ud, const struct store_vgw_row *row)
{
    dump_note(ud, 'g', row->id);
    return 0;
}

static int dump_cgw(void *ud, const struct store_cgw_row *row)
{
    dump_note(ud, 'c', row->id);
    return 0;
}

static int dump_conn(void *ud, const struct store_conn_row *row)
{
    assert_non_null(strstr(row->spec, "\"psk\""));
    assert_null(row->doc);
    dump_note(ud, 'n', row->id);
    return 0;
}

static int dump_stop(void *ud, const struct store_conn_row *row)
{
    (void)ud;
    (void)row;
    return -ENOMEM;
}

static void test_dump_calls_back_every_row_gateways_first_oldest_first(void **state)
{
    struct fx *f = *state;
    struct store_dump_cbs cbs = {dump_vgw, dump_cgw, dump_conn};
    struct dump_seen seen = {{0}};
    struct fx_conn c7, c8;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c7, PROJECT_A, VGW_1, 7, T0 + 5);
    fx_conn_init(&c8, PROJECT_A, VGW_1, 8, T0 + 1);
    assert_int_equal(store_conn_insert(f->s, &c7.row, NULL, 0), 0);
    assert_int_equal(store_conn_insert(f->s, &c8.row, NULL, 0), 0);
    assert_int_equal(store_dump(f->s, &cbs, &seen), 0);
    assert_string_equal(seen.order, "g:90ab c:90ab n:0008 n:0007 ");
    cbs.conn = dump_stop;
    assert_int_equal(store_dump(f->s, &cbs, &seen), -ENOMEM);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_a_failed_write_in_a_bulk_load_undoes_only_itself),
        T(test_a_bulk_load_ended_without_commit_keeps_nothing),
        T(test_bulk_begin_twice_and_end_without_begin_are_einval),
        T(test_after_a_bulk_load_the_store_is_back_on_its_write_ahead_log),
        T(test_project_counts_follow_inserts_and_deletes),
        T(test_counts_inside_a_bulk_load_see_its_writes_and_a_discarded_load_leaves_none),
        T(test_dump_calls_back_every_row_gateways_first_oldest_first),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
