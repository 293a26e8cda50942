/* The SQLite backend's list and count statements are answered through an index in order: a page
 * costs O(limit) and a total costs O(1) (or one gateway's connections), never a scan of the
 * project. Checked with EXPLAIN QUERY PLAN on the very statement texts the backend prepares. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>

#include "store/sqlite/sq_int.h"
#include "store/store.h"

struct plan_fx {
    char dir[256];
    char path[300];
    sqlite3 *db;
};

static int setup(void **state)
{
    struct plan_fx *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");
    struct store *s = NULL;
    char err[256] = "";

    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s/vpnd-plan-XXXXXX", tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof(f->path), "%s/store.db", f->dir);
    if (store_open(f->path, &s, err, sizeof(err)) < 0) /* creates and migrates the schema */
        return -1;
    store_close(s);
    if (sqlite3_open_v2(f->path, &f->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct plan_fx *f = *state;
    char path[400];

    sqlite3_close(f->db);
    for (const char *const *sfx = (const char *const[]){"", "-wal", "-shm", NULL}; *sfx; sfx++) {
        snprintf(path, sizeof(path), "%s%s", f->path, *sfx);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* The plan of statement id as one string of its detail lines. */
static void plan_of(struct plan_fx *f, enum sq_stmt id, char *out, size_t size)
{
    char sql[4096];
    sqlite3_stmt *st = NULL;
    size_t len = 0;

    snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", store_sqlite_sql[id]);
    assert_int_equal(sqlite3_prepare_v2(f->db, sql, -1, &st, NULL), SQLITE_OK);
    out[0] = '\0';
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(st, 3);
        int n = snprintf(out + len, size - len, "%s; ", detail ? detail : "");
        if (n > 0 && (size_t)n < size - len)
            len += (size_t)n;
    }
    sqlite3_finalize(st);
}

static void assert_ordered_search(struct plan_fx *f, enum sq_stmt id, const char *index)
{
    char plan[2048];

    plan_of(f, id, plan, sizeof(plan));
    if (!strstr(plan, index) || strstr(plan, "TEMP B-TREE") || strstr(plan, "SCAN vpn_connection") ||
        strstr(plan, "SCAN customer_gateway"))
        fail_msg("statement %d: want an ordered search of %s, got: %s", (int)id, index, plan);
}

static void test_the_get_by_id_searches_the_small_key_index(void **state)
{
    char plan[1024];

    plan_of(*state, SQ_CONN_GET_DOC, plan, sizeof(plan));
    assert_non_null(strstr(plan, "USING INDEX vpn_connection_by_gkey (gkey=?)"));
}

static void test_the_connection_page_walks_the_created_index(void **state)
{
    assert_ordered_search(*state, SQ_CONN_LIST, "vpn_connection_by_created");
}

static void test_a_page_filtered_by_gateway_walks_the_gateway_index(void **state)
{
    assert_ordered_search(*state, SQ_CONN_LIST_BY_VGW, "vpn_connection_by_vgw_created");
}

static void test_a_page_filtered_by_gateway_ip_walks_the_gateway_ip_index(void **state)
{
    assert_ordered_search(*state, SQ_CONN_LIST_BY_VGW_IP, "vpn_connection_by_vgw_ip_created");
}

static void test_the_total_count_reads_the_project_counters(void **state)
{
    char plan[2048];

    plan_of(*state, SQ_CONN_TOTAL, plan, sizeof(plan));
    if (!strstr(plan, "SEARCH conn_count") || strstr(plan, "vpn_connection"))
        fail_msg("want a search of conn_count only, got: %s", plan);
}

static void test_a_count_filtered_by_gateway_searches_the_gateway_index(void **state)
{
    assert_ordered_search(*state, SQ_CONN_COUNT_BY_VGW, "vpn_connection_by_vgw_created");
    assert_ordered_search(*state, SQ_CONN_COUNT_BY_VGW_IP, "vpn_connection_by_vgw_ip_created");
}

static void test_the_customer_gateway_page_walks_its_created_index(void **state)
{
    assert_ordered_search(*state, SQ_CGW_LIST, "customer_gateway_by_created");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_the_get_by_id_searches_the_small_key_index),
        T(test_the_connection_page_walks_the_created_index),
        T(test_a_page_filtered_by_gateway_walks_the_gateway_index),
        T(test_a_page_filtered_by_gateway_ip_walks_the_gateway_ip_index),
        T(test_the_total_count_reads_the_project_counters),
        T(test_a_count_filtered_by_gateway_searches_the_gateway_index),
        T(test_the_customer_gateway_page_walks_its_created_index),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
