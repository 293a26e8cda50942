/* store/sqlite/sq_dump.c: every row of the store, oldest first, for vpnd export. The statements
 * run once per dump, so they are prepared here rather than cached. */
#include <errno.h>
#include <string.h>

#include "store/sqlite/sq_int.h"

static const char sq_dump_vgw[] =
    "SELECT project_id, id, status, enterprise_project_id, connection_number, "
    "used_connection_number, status_due, created_at, updated_at, spec FROM vpn_gateway "
    "ORDER BY project_id, created_at, id";
static const char sq_dump_cgw[] = "SELECT project_id, id, created_at, updated_at, spec "
                                  "FROM customer_gateway ORDER BY project_id, created_at, id";
static const char sq_dump_conn[] =
    "SELECT project_id, id, vgw_id, cgw_id, vgw_ip, enterprise_project_id, status, status_due, "
    "created_at, updated_at, spec FROM vpn_connection ORDER BY project_id, created_at, id";

static void sq_finalizep(sqlite3_stmt **p)
{
    sqlite3_finalize(*p);
}

static int sq_copy_cols(struct sq_store *q, sqlite3_stmt *st, int first, char *const dst[],
                        const size_t size[], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int r = store_sqlite_col_copy(q, st, first + (int)i, dst[i], size[i]);
        if (r < 0)
            return r;
    }
    return 0;
}

/* A spec, compressed (a connection's, sq_zip.c) or not, borrowed until the next row. */
static int sq_spec(struct sq_store *q, sqlite3_stmt *st, int col, char **ret)
{
    const char *text;
    size_t len;
    int r = store_sqlite_col_json(q, st, col, &text, &len);

    if (r == 0)
        *ret = (char *)text;
    return r;
}

static int sq_dump_vgw_row(struct sq_store *q, sqlite3_stmt *st, const struct store_dump_cbs *cbs,
                           void *ud)
{
    struct store_vgw_row row = {0};
    char *const dst[] = {row.project_id, row.id, row.status, row.enterprise_project_id};
    const size_t size[] = {sizeof(row.project_id), sizeof(row.id), sizeof(row.status),
                           sizeof(row.enterprise_project_id)};
    int r = sq_copy_cols(q, st, 0, dst, size, ARRAY_SIZE(dst));

    if (r < 0)
        return r;
    row.connection_number = sqlite3_column_int64(st, 4);
    row.used_connection_number = sqlite3_column_int64(st, 5);
    row.status_due = sqlite3_column_int64(st, 6);
    row.created_at = sqlite3_column_int64(st, 7);
    row.updated_at = sqlite3_column_int64(st, 8);
    r = sq_spec(q, st, 9, &row.spec);
    return r < 0 ? r : cbs->vgw(ud, &row);
}

static int sq_dump_cgw_row(struct sq_store *q, sqlite3_stmt *st, const struct store_dump_cbs *cbs,
                           void *ud)
{
    struct store_cgw_row row = {0};
    char *const dst[] = {row.project_id, row.id};
    const size_t size[] = {sizeof(row.project_id), sizeof(row.id)};
    int r = sq_copy_cols(q, st, 0, dst, size, ARRAY_SIZE(dst));

    if (r < 0)
        return r;
    row.created_at = sqlite3_column_int64(st, 2);
    row.updated_at = sqlite3_column_int64(st, 3);
    r = sq_spec(q, st, 4, &row.spec);
    return r < 0 ? r : cbs->cgw(ud, &row);
}

static int sq_dump_conn_row(struct sq_store *q, sqlite3_stmt *st,
                            const struct store_dump_cbs *cbs, void *ud)
{
    struct store_conn_row row = {0};
    char *const dst[] = {row.project_id, row.id,     row.vgw_id,
                         row.cgw_id,     row.vgw_ip, row.enterprise_project_id, row.status};
    const size_t size[] = {sizeof(row.project_id), sizeof(row.id),
                           sizeof(row.vgw_id),     sizeof(row.cgw_id),
                           sizeof(row.vgw_ip),     sizeof(row.enterprise_project_id),
                           sizeof(row.status)};
    int r = sq_copy_cols(q, st, 0, dst, size, ARRAY_SIZE(dst));

    if (r < 0)
        return r;
    row.status_due = sqlite3_column_int64(st, 7);
    row.created_at = sqlite3_column_int64(st, 8);
    row.updated_at = sqlite3_column_int64(st, 9);
    r = sq_spec(q, st, 10, &row.spec);
    return r < 0 ? r : cbs->conn(ud, &row);
}

typedef int sq_dump_row_fn(struct sq_store *q, sqlite3_stmt *st,
                           const struct store_dump_cbs *cbs, void *ud);

static int sq_dump_table(struct sq_store *q, const char *sql, sq_dump_row_fn *fn,
                         const struct store_dump_cbs *cbs, void *ud)
{
    _cleanup_(sq_finalizep) sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);
    int r = 0;

    if (rc != SQLITE_OK)
        return store_sqlite_fail(q, rc, "dump: prepare");
    while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
        r = fn(q, st, cbs, ud);
    if (r == 0 && rc != SQLITE_DONE)
        r = store_sqlite_fail(q, rc, "dump");
    return r;
}

int store_sqlite_dump(struct store *s, const struct store_dump_cbs *cbs, void *ud)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin_read(q, "dump: begin");

    if (r < 0)
        return r;
    r = sq_dump_table(q, sq_dump_vgw, sq_dump_vgw_row, cbs, ud);
    if (r == 0)
        r = sq_dump_table(q, sq_dump_cgw, sq_dump_cgw_row, cbs, ud);
    if (r == 0)
        r = sq_dump_table(q, sq_dump_conn, sq_dump_conn_row, cbs, ud);
    if (r == 0)
        r = store_sqlite_commit(q, "dump: commit");
    if (r < 0)
        store_sqlite_rollback(q);
    return r;
}
