/* Store: batches inside a bulk load (store_bulk_batch / store_bulk_undo), and the SQLite
 * backend's deferred indexes of a load into a store without connections. */
#include "test_store_fixture.h"

#include "store/sqlite/sq_int.h"

/* Starts a batch, or skips the test on a backend without batches (which must say so). */
static void batch_or_skip(struct fx *f)
{
    int r = store_bulk_batch(f->s);

    if (r == -EOPNOTSUPP) {
        assert_int_equal(store_bulk_undo(f->s), -EINVAL);
        assert_int_equal(store_bulk_end(f->s, true), 0);
        skip();
    }
    assert_int_equal(r, 0);
}

static bool conn_exists(struct fx *f, int n)
{
    struct buf b = {0};
    char id[37];

    fx_conn_id(n, id);
    int r = store_conn_get_doc(f->s, PROJECT_A, id, &b);
    buf_free(&b);
    assert_true(r == 0 || r == -ENOENT);
    return r == 0;
}

static void test_an_undo_discards_the_open_batch_and_keeps_the_batches_before_it(void **state)
{
    struct fx *f = *state;
    struct fx_conn c0, c1, c2, c3;
    struct fx_conn *c[4] = {&c0, &c1, &c2, &c3};
    struct store_claim claim = {"tunnel:x", "169.254.0.0/30"};

    assert_int_equal(store_bulk_begin(f->s), 0);
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    batch_or_skip(f);
    fx_conn_init(&c0, PROJECT_A, VGW_1, 0, T0);
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0 + 1);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0 + 2);
    fx_conn_init(&c3, PROJECT_A, VGW_1, 3, T0 + 3);
    assert_int_equal(store_conn_insert(f->s, &c[0]->row, &claim, 1), 0);
    assert_int_equal(store_bulk_batch(f->s), 0); /* keeps c0 */
    assert_int_equal(store_conn_insert(f->s, &c[1]->row, NULL, 0), 0);
    /* the claim is taken: the op fails after it took a gateway slot (a partial write) */
    assert_int_equal(store_conn_insert(f->s, &c[2]->row, &claim, 1), -EEXIST);
    assert_int_equal(store_bulk_undo(f->s), 0);
    assert_true(conn_exists(f, 0));
    assert_false(conn_exists(f, 1));
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1);
    /* after the undo each op is atomic on its own again */
    assert_int_equal(store_bulk_undo(f->s), -EINVAL);
    assert_int_equal(store_conn_insert(f->s, &c[2]->row, &claim, 1), -EEXIST);
    assert_int_equal(store_conn_insert(f->s, &c[1]->row, NULL, 0), 0);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 2);
    assert_int_equal(store_bulk_batch(f->s), 0); /* a batch open at the end is committed */
    assert_int_equal(store_conn_insert(f->s, &c[3]->row, NULL, 0), 0);
    assert_int_equal(store_bulk_end(f->s, true), 0);
    fx_reopen(f);
    assert_true(conn_exists(f, 0) && conn_exists(f, 1) && conn_exists(f, 3));
    assert_false(conn_exists(f, 2));
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 3);
}

static void test_after_a_failed_write_in_a_batch_only_the_undo_is_accepted(void **state)
{
    struct fx *f = *state;
    struct fx_conn c0, c1;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    assert_int_equal(store_bulk_begin(f->s), 0);
    batch_or_skip(f);
    fx_conn_init(&c0, PROJECT_A, VGW_1, 0, T0);
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c0.row, NULL, 0), 0);
    assert_int_equal(store_conn_insert(f->s, &c0.row, NULL, 0), -EEXIST);
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), -EIO);
    assert_int_equal(store_bulk_batch(f->s), -EIO);
    assert_int_equal(store_bulk_end(f->s, true), -EIO);
    assert_false(conn_exists(f, 0));
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 0);
}

static void test_batches_need_an_open_bulk_load_and_undo_an_open_batch(void **state)
{
    struct fx *f = *state;
    int r = store_bulk_batch(f->s);

    assert_true(r == -EINVAL || r == -EOPNOTSUPP);
    assert_int_equal(store_bulk_undo(f->s), -EINVAL);
    assert_int_equal(store_bulk_begin(f->s), 0);
    assert_int_equal(store_bulk_undo(f->s), -EINVAL);
    assert_int_equal(store_bulk_end(f->s, true), 0);
}

/* ---- SQLite: deferred indexes ---- */

/* Every index of the schema as "name sql" lines in name order (sql empty for automatic ones). */
static void index_sql(struct fx *f, struct buf *out)
{
    sqlite3_stmt *st = NULL;

    buf_reset(out);
    assert_int_equal(sqlite3_prepare_v2(sq_from(f->s)->db,
                                        "SELECT name, coalesce(sql, '') FROM sqlite_master "
                                        "WHERE type = 'index' ORDER BY name",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        assert_int_equal(buf_printf(out, "%s %s\n", sqlite3_column_text(st, 0),
                                    sqlite3_column_text(st, 1)),
                         0);
    sqlite3_finalize(st);
}

static bool has_index(struct fx *f, const char *name)
{
    struct buf b = {0};
    char key[128];

    index_sql(f, &b);
    snprintf(key, sizeof(key), "\n%s ", name);
    bool found = strncmp(b.data, key + 1, strlen(key + 1)) == 0 || strstr(b.data, key);
    buf_free(&b);
    return found;
}

/* Resets the run counters of every statement of the handle. */
static void reset_runs(sqlite3 *db)
{
    for (sqlite3_stmt *st = sqlite3_next_stmt(db, NULL); st; st = sqlite3_next_stmt(db, st))
        sqlite3_stmt_status(st, SQLITE_STMTSTATUS_RUN, 1);
}

/* The SQL of every statement run since reset_runs, as NUL-separated strings. */
static void run_sql(sqlite3 *db, struct buf *out)
{
    buf_reset(out);
    for (sqlite3_stmt *st = sqlite3_next_stmt(db, NULL); st; st = sqlite3_next_stmt(db, st)) {
        const char *sql = sqlite3_sql(st);
        if (sqlite3_stmt_status(st, SQLITE_STMTSTATUS_RUN, 0) > 0 && sql &&
            strncmp(sql, "SAVEPOINT", 9) != 0 && strncmp(sql, "RELEASE", 7) != 0 &&
            strncmp(sql, "ROLLBACK", 8) != 0)
            assert_int_equal(buf_append(out, sql, strlen(sql) + 1), 0);
    }
}

/* Appends the query plan of each statement of sqls (run_sql) to out. */
static void plans(sqlite3 *db, const struct buf *sqls, struct buf *out)
{
    buf_reset(out);
    for (size_t pos = 0; pos < sqls->len; pos += strlen(sqls->data + pos) + 1) {
        char *q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sqls->data + pos);
        sqlite3_stmt *st = NULL;

        assert_non_null(q);
        assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(buf_printf(out, "%s\n", sqls->data + pos), 0);
        while (sqlite3_step(st) == SQLITE_ROW)
            assert_int_equal(buf_printf(out, "  %s\n", sqlite3_column_text(st, 3)), 0);
        sqlite3_finalize(st);
        sqlite3_free(q);
    }
}

/* plans (normal) without the lookups a connection insert makes only while the connection
 * counter's trigger exists: with a trigger the insert is a multi-row write, and SQLite then
 * checks the tables whose foreign keys name vpn_connection for rows waiting on the new one. A
 * load drops that trigger (sq_bulk.c), so its inserts skip them. */
static void plans_without_trigger_lookups(const struct buf *normal, struct buf *out)
{
    bool in_insert = false;

    buf_reset(out);
    for (const char *p = normal->data, *end; *p; p = end) {
        end = strchr(p, '\n');
        end = end ? end + 1 : p + strlen(p);
        if (p[0] != ' ')
            in_insert = strncmp(p, "INSERT INTO vpn_connection ", 27) == 0;
        else if (in_insert && (strncmp(p, "  SEARCH connection_event ", 26) == 0 ||
                               strncmp(p, "  SEARCH connection_monitor ", 28) == 0))
            continue;
        assert_int_equal(buf_append(out, p, (size_t)(end - p)), 0);
    }
}

static void test_a_load_into_a_store_without_connections_builds_its_indexes_at_the_end(
    void **state)
{
    struct fx *f = *state;
    struct buf before = {0}, after = {0};
    struct store_claim claims[2] = {{"tunnel:" VGW_1, "169.254.0.0/30"},
                                    {"tunnel:" VGW_1, "169.254.0.4/30"}};
    struct fx_conn c0, c1, c2;
    struct fx_conn *c[3] = {&c0, &c1, &c2};
    struct buf b = {0}, sqls = {0}, during = {0}, normal = {0};
    size_t n = 0;

    FX_SQLITE_ONLY();
    fx_add_vgw(f, PROJECT_A, VGW_1, 10); /* gateways alone do not count: no connection yet */
    fx_add_cgw(f, PROJECT_A, CGW_1);
    index_sql(f, &before);
    assert_true(has_index(f, "vpn_connection_by_created"));
    assert_int_equal(store_bulk_begin(f->s), 0);
    assert_false(has_index(f, "vpn_connection_by_created"));
    assert_false(has_index(f, "claim_by_owner"));
    assert_true(has_index(f, "vpn_connection_by_vgw_created")); /* a gateway's connections */
    assert_true(has_index(f, "sqlite_autoindex_vpn_connection_1")); /* the primary key stays */
    reset_runs(sq_from(f->s)->db);
    /* what an import runs per record, each kind of failure included */
    fx_add_vgw(f, PROJECT_A, VGW_2, 1); /* looks for connections of the gateway (the trigger) */
    fx_add_cgw(f, PROJECT_A, "c0c0c0c0-1f2d-4c3b-9a8e-1234567890ac"); /* likewise */
    fx_conn_init(&c0, PROJECT_A, VGW_1, 0, T0);
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0 + 1);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0 + 2);
    assert_int_equal(store_bulk_batch(f->s), 0);
    assert_int_equal(store_conn_insert(f->s, &c[0]->row, &claims[0], 1), 0);
    assert_int_equal(store_conn_insert(f->s, &c[1]->row, &claims[1], 1), 0);
    assert_int_equal(store_conn_insert(f->s, &c[2]->row, &claims[1], 1), -EEXIST);
    assert_int_equal(store_bulk_undo(f->s), 0);
    assert_int_equal(store_conn_insert(f->s, &c[0]->row, &claims[0], 1), 0);
    assert_int_equal(store_conn_insert(f->s, &c[1]->row, NULL, 0), 0);
    assert_int_equal(store_conn_insert(f->s, &c[1]->row, NULL, 0), -EEXIST);
    assert_int_equal(store_conn_insert(f->s, &c[2]->row, &claims[0], 1), -EEXIST);
    snprintf(c2.row.vgw_id, sizeof(c2.row.vgw_id), "%s", VGW_2);
    assert_int_equal(store_conn_insert(f->s, &c[2]->row, NULL, 0), 0);
    assert_int_equal(store_conn_insert(f->s, &c[0]->row, NULL, 0), -EEXIST);
    fx_conn_init(&c0, PROJECT_A, VGW_2, 9, T0);
    assert_int_equal(store_conn_insert(f->s, &c[0]->row, NULL, 0), -EOVERFLOW); /* slots */
    assert_true(conn_exists(f, 1));
    assert_int_equal(store_claims_list(f->s, claims[0].kind, &b, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 2);
    /* each statement the load ran has the plan it has with every index */
    run_sql(sq_from(f->s)->db, &sqls);
    plans(sq_from(f->s)->db, &sqls, &during);
    assert_non_null(strstr(during.data, "\nINSERT INTO vpn_connection"));
    assert_non_null(strstr(during.data, "\nSELECT value FROM claim"));
    assert_int_equal(store_bulk_end(f->s, true), 0);
    index_sql(f, &after);
    assert_string_equal(after.data, before.data);
    plans(sq_from(f->s)->db, &sqls, &normal);
    plans_without_trigger_lookups(&normal, &b);
    assert_string_equal(during.data, b.data);
    assert_true(strstr(normal.data, "  SEARCH connection_event ") != NULL); /* it had them */
    fx_reopen(f);
    assert_true(conn_exists(f, 1) && conn_exists(f, 2));
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 2);
    buf_free(&b);
    buf_free(&sqls);
    buf_free(&during);
    buf_free(&normal);
    buf_free(&before);
    buf_free(&after);
}

static void test_a_discarded_load_leaves_the_indexes_as_they_were(void **state)
{
    struct fx *f = *state;
    struct buf before = {0}, after = {0};
    struct fx_conn c0;

    FX_SQLITE_ONLY();
    index_sql(f, &before);
    assert_int_equal(store_bulk_begin(f->s), 0);
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c0, PROJECT_A, VGW_1, 0, T0);
    assert_int_equal(store_conn_insert(f->s, &c0.row, NULL, 0), 0);
    assert_int_equal(store_bulk_end(f->s, false), 0);
    index_sql(f, &after);
    assert_string_equal(after.data, before.data);
    buf_free(&before);
    buf_free(&after);
}

static void test_a_load_into_a_store_with_connections_keeps_its_indexes(void **state)
{
    struct fx *f = *state;
    struct fx_conn c0, c1;

    FX_SQLITE_ONLY();
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c0, PROJECT_A, VGW_1, 0, T0);
    assert_int_equal(store_conn_insert(f->s, &c0.row, NULL, 0), 0);
    assert_int_equal(store_bulk_begin(f->s), 0);
    assert_true(has_index(f, "vpn_connection_by_created"));
    assert_true(has_index(f, "claim_by_owner"));
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0 + 1);
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), 0);
    assert_int_equal(store_bulk_end(f->s, true), 0);
    assert_true(conn_exists(f, 0) && conn_exists(f, 1));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_an_undo_discards_the_open_batch_and_keeps_the_batches_before_it),
        T(test_after_a_failed_write_in_a_batch_only_the_undo_is_accepted),
        T(test_batches_need_an_open_bulk_load_and_undo_an_open_batch),
        T(test_a_load_into_a_store_without_connections_builds_its_indexes_at_the_end),
        T(test_a_discarded_load_leaves_the_indexes_as_they_were),
        T(test_a_load_into_a_store_with_connections_keeps_its_indexes),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
