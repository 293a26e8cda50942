/* Store: read batching (store_read_batch): one snapshot shared by the GETs of an event-loop
 * turn, fresh after every write through the store, released when the batch ends. */
#include <sqlite3.h>

#include "test_store_fixture.h"

static void fx_seed(struct fx *f, struct fx_conn *c1)
{
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(c1, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c1->row, NULL, 0), 0);
}

static void test_writes_through_the_store_are_seen_by_the_next_read_of_the_batch(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2;
    struct buf b = {0};

    fx_seed(f, &c1);
    store_read_batch(f->s, true);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c1.row.id, &b), 0);
    assert_string_equal(b.data, c1.doc);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0 + 1);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c2.row.id, &b), -ENOENT);
    assert_int_equal(store_conn_insert(f->s, &c2.row, NULL, 0), 0);
    buf_reset(&b);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c2.row.id, &b), 0);
    assert_string_equal(b.data, c2.doc);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, c1.row.id), 0);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c1.row.id, &b), -ENOENT);
    store_read_batch(f->s, false);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c1.row.id, &b), -ENOENT);
    buf_free(&b);
}

static int wal_checkpoint_busy(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int busy = -1;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    busy = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return busy;
}

static void test_another_handle_writes_during_a_batch_and_is_seen_after_it(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2;
    struct store *s2 = NULL;
    struct buf b = {0};
    char err[256];

    FX_SQLITE_ONLY(); /* WAL checkpoints; PostgreSQL has no batching (a no-op) */
    fx_seed(f, &c1);
    assert_int_equal(store_open(f->path, &s2, err, sizeof(err)), 0);
    store_read_batch(f->s, true);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c1.row.id, &b), 0);
    /* the batch's snapshot blocks no writer */
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0 + 1);
    assert_int_equal(store_conn_insert(s2, &c2.row, NULL, 0), 0);
    /* ... but it is held: a full checkpoint cannot complete while it is open */
    assert_int_equal(wal_checkpoint_busy(f->path), 1);
    store_read_batch(f->s, false);
    assert_int_equal(wal_checkpoint_busy(f->path), 0);
    buf_reset(&b);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c2.row.id, &b), 0);
    assert_string_equal(b.data, c2.doc);
    /* a new batch starts from a new snapshot */
    store_read_batch(f->s, true);
    assert_int_equal(store_conn_delete(s2, PROJECT_A, c2.row.id), 0);
    store_read_batch(f->s, false);
    store_read_batch(f->s, true);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c2.row.id, &b), -ENOENT);
    store_read_batch(f->s, false);
    store_close(s2);
    buf_free(&b);
}

static void test_a_store_without_batches_reads_fresh_every_time(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2;
    struct store *s2 = NULL;
    struct buf b = {0};
    char err[256];

    fx_seed(f, &c1);
    assert_int_equal(store_open(f->path, &s2, err, sizeof(err)), 0);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c1.row.id, &b), 0);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0 + 1);
    assert_int_equal(store_conn_insert(s2, &c2.row, NULL, 0), 0);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c2.row.id, &b), 0);
    if (!fx_pg_url())
        assert_int_equal(wal_checkpoint_busy(f->path), 0);
    store_close(s2);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_writes_through_the_store_are_seen_by_the_next_read_of_the_batch, fx_setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_another_handle_writes_during_a_batch_and_is_seen_after_it, fx_setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(test_a_store_without_batches_reads_fresh_every_time,
                                        fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
