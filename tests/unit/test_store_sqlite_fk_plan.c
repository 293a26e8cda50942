/* SQLite store: the foreign-key checks of a gateway or customer-gateway delete find the
 * connections through an index (never a scan of every connection), with the schema's newest
 * set of indexes. Read from the delete statement's own program (EXPLAIN). */
#include <sqlite3.h>

#include "test_store_fixture.h"

/* true if the program of sql (foreign keys on) opens an index of vpn_connection for reading, and
 * (when covering) never the table itself. */
static bool reads_connections_through_an_index(const char *path, const char *sql, bool covering)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char explain[256];
    int table_root = -1, n_index_reads = 0, n_table_reads = 0;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT rootpage FROM sqlite_schema WHERE type = 'table'"
                                        " AND name = 'vpn_connection'",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    table_root = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    snprintf(explain, sizeof(explain), "EXPLAIN %s", sql);
    assert_int_equal(sqlite3_prepare_v2(db, explain, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *op = (const char *)sqlite3_column_text(st, 1);
        int root = sqlite3_column_int(st, 3);
        sqlite3_stmt *idx = NULL;

        if (strcmp(op, "OpenRead") != 0)
            continue;
        if (root == table_root) {
            n_table_reads++;
            continue;
        }
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT 1 FROM sqlite_schema WHERE type = 'index'"
                                            " AND tbl_name = 'vpn_connection' AND rootpage = ?",
                                            -1, &idx, NULL),
                         SQLITE_OK);
        sqlite3_bind_int(idx, 1, root);
        if (sqlite3_step(idx) == SQLITE_ROW)
            n_index_reads++;
        sqlite3_finalize(idx);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n_index_reads > 0 && (!covering || n_table_reads == 0);
}

static void test_a_gateway_delete_checks_its_connections_through_an_index(void **state)
{
    struct fx *f = *state;

    FX_SQLITE_ONLY(); /* SQLite query plans (PostgreSQL: tests/api/test_pg_plans.py) */
    assert_true(reads_connections_through_an_index(
        f->path, "DELETE FROM vpn_gateway WHERE project_id = 'p' AND id = 'g'", true));
}

static void test_a_customer_gateway_delete_checks_its_connections_through_an_index(void **state)
{
    struct fx *f = *state;

    FX_SQLITE_ONLY(); /* SQLite query plans (PostgreSQL: tests/api/test_pg_plans.py) */
    assert_true(reads_connections_through_an_index(
        f->path, "DELETE FROM customer_gateway WHERE project_id = 'p' AND id = 'c'", false));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_gateway_delete_checks_its_connections_through_an_index, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_customer_gateway_delete_checks_its_connections_through_an_index, fx_setup,
            fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
