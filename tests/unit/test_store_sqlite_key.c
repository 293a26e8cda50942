/* SQLite backend: the connection lookup key (vpn_connection.gkey, sq_key.c). The key is a 31-bit
 * hash, so different connections can share one; a GET must still answer each with its own doc,
 * with and without read batching, and a store made before the key existed gets it filled. */
#include <sqlite3.h>

#include "store/sqlite/sq_int.h"
#include "test_store_fixture.h"

#define KEY_SLOTS (1u << 20)

static int64_t key_of(int n)
{
    char id[37];

    fx_conn_id(n, id);
    return store_sqlite_conn_key(PROJECT_A, strlen(PROJECT_A), id, strlen(id));
}

/* Two connection numbers whose ids have the same key in PROJECT_A (a birthday search: a pair
 * turns up after ~60 000 ids among 2^31 keys). */
static void colliding_pair(int *a, int *b)
{
    int *slot = calloc(KEY_SLOTS, sizeof(*slot)); /* n + 1 by key, open addressing */

    assert_non_null(slot);
    for (int n = 0; n < 2000000; n++) {
        int64_t k = key_of(n);

        for (uint32_t i = (uint32_t)k & (KEY_SLOTS - 1);; i = (i + 1) & (KEY_SLOTS - 1)) {
            if (!slot[i]) {
                slot[i] = n + 1;
                break;
            }
            if (key_of(slot[i] - 1) == k) {
                *a = slot[i] - 1;
                *b = n;
                free(slot);
                return;
            }
        }
    }
    free(slot);
    fail_msg("no two ids share a key");
}

static void seed_pair(struct fx *f, struct fx_conn *c1, struct fx_conn *c2)
{
    int a, b;

    colliding_pair(&a, &b);
    assert_int_equal(key_of(a), key_of(b));
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(c1, PROJECT_A, VGW_1, a, T0);
    fx_conn_init(c2, PROJECT_A, VGW_1, b, T0 + 1);
    assert_int_equal(store_conn_insert(f->s, &c1->row, NULL, 0), 0);
    assert_int_equal(store_conn_insert(f->s, &c2->row, NULL, 0), 0);
}

static void assert_doc(struct fx *f, const struct fx_conn *c)
{
    struct buf b = {0};

    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c->row.id, &b), 0);
    assert_string_equal(b.data, c->doc);
    buf_free(&b);
}

static void assert_gone(struct fx *f, const struct fx_conn *c)
{
    struct buf b = {0};

    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c->row.id, &b), -ENOENT);
    buf_free(&b);
}

static void check_pair(struct fx *f, bool batch)
{
    struct fx_conn c1, c2;

    FX_SQLITE_ONLY();
    seed_pair(f, &c1, &c2);
    store_read_batch(f->s, batch);
    assert_doc(f, &c1);
    assert_doc(f, &c2);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, c1.row.id), 0);
    assert_gone(f, &c1);
    assert_doc(f, &c2);
    store_read_batch(f->s, false);
}

static void test_connections_sharing_a_key_each_get_their_own_doc(void **state)
{
    check_pair(*state, false);
}

static void test_connections_sharing_a_key_each_get_their_own_doc_in_a_read_batch(void **state)
{
    check_pair(*state, true);
}

static void test_a_connection_of_another_project_with_the_same_id_is_not_found(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct buf b = {0};

    FX_SQLITE_ONLY();
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_B, c.row.id, &b), -ENOENT);
    buf_free(&b);
}

/* Takes the store back to the schema before the key (no column, no index, version - 1). */
/* The schema version the key migration brings (the steps after it change no schema: they run
 * again). */
#define KEY_SCHEMA_VERSION 10

static void undo_key_migration(struct fx *f)
{
    sqlite3 *db = NULL;
    char sql[256];

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    snprintf(sql, sizeof(sql),
             "DROP INDEX vpn_connection_by_gkey; ALTER TABLE vpn_connection DROP COLUMN gkey;"
             "PRAGMA user_version = %d",
             KEY_SCHEMA_VERSION - 1);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void test_a_store_from_before_the_key_gets_the_key_of_every_connection(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2;
    int latest;

    FX_SQLITE_ONLY();
    seed_pair(f, &c1, &c2);
    latest = store_schema_version(f->s);
    store_close(f->s);
    f->s = NULL;
    fx_open(f);
    undo_key_migration(f);
    fx_reopen(f);
    assert_int_equal(store_schema_version(f->s), latest);
    assert_doc(f, &c1);
    assert_doc(f, &c2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
        T(test_connections_sharing_a_key_each_get_their_own_doc),
        T(test_connections_sharing_a_key_each_get_their_own_doc_in_a_read_batch),
        T(test_a_connection_of_another_project_with_the_same_id_is_not_found),
        T(test_a_store_from_before_the_key_gets_the_key_of_every_connection),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
