/* store/postgres/pg_bulk.c: bulk loads (vpnd import) and the dump (vpnd export) on PostgreSQL.
 *
 * A bulk load is one READ COMMITTED transaction around many writes: while it is open,
 * store_postgres_tx runs each operation as a savepoint of it (pg_open.c), so a failed record
 * undoes only itself, and nothing is visible to other handles or nodes before the commit. The
 * triggers keep the tag index in step with every record, as for any writer; the counters get
 * the load's deltas once, at its end (or before a count is read inside it), since one counter
 * row updated per record would cost each update a walk over the row's versions so far.
 * If the connection breaks during a load, the load fails (a reconnect would lose what it holds).
 *
 * The dump reads one REPEATABLE READ snapshot through a cursor, a batch of rows at a time, so
 * a store of a million connections is never held in memory at once.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store/postgres/pg_int.h"

#define PG_DUMP_BATCH "500"

/* The load's counter deltas (the counting triggers append to it while vpnd.bulk is on: see
 * pg_schema.c), dropped with the transaction either way. */
#define PG_BULK_SETUP                                                                              \
    "CREATE TEMP TABLE vpnd_bulk_count (project_id TEXT NOT NULL,"                                 \
    " enterprise_project_id TEXT NOT NULL, kind INTEGER NOT NULL, d INTEGER NOT NULL)"             \
    " ON COMMIT DROP;"                                                                             \
    "SET LOCAL vpnd.bulk = 'on'"
/* Adds the deltas to the counters (one update per counter row) and empties them: at the end of
 * the load, and before a read of the counters inside it. */
#define PG_BULK_FOLD                                                                               \
    "INSERT INTO conn_count (project_id, enterprise_project_id, n)"                                \
    " SELECT project_id, enterprise_project_id, sum(d) FROM pg_temp.vpnd_bulk_count"               \
    " WHERE kind = -1 GROUP BY project_id, enterprise_project_id"                                  \
    " ON CONFLICT (project_id, enterprise_project_id) DO UPDATE SET n = conn_count.n + excluded.n;" \
    "INSERT INTO project_count (project_id, kind, n)"                                              \
    " SELECT project_id, kind, sum(d) FROM pg_temp.vpnd_bulk_count"                                \
    " WHERE kind >= 0 GROUP BY project_id, kind"                                                   \
    " ON CONFLICT (project_id, kind) DO UPDATE SET n = project_count.n + excluded.n;"              \
    "DELETE FROM pg_temp.vpnd_bulk_count"

int store_postgres_bulk_begin(struct store *s)
{
    struct pg_store *p = pg_from(s);
    int r;

    if (p->bulk)
        return -EINVAL;
    if (PQstatus(p->conn) != CONNECTION_OK) {
        PQreset(p->conn);
        memset(p->prepared, 0, sizeof(p->prepared));
        if (PQstatus(p->conn) != CONNECTION_OK)
            return store_postgres_corrupt(p, "bulk: begin", "cannot reconnect to PostgreSQL");
        if ((r = store_postgres_session_setup(p)) < 0)
            return r;
    }
    r = store_postgres_simple(p, "BEGIN ISOLATION LEVEL READ COMMITTED", "bulk: begin");
    /* a load of a million records runs statements (the counters, index upkeep) longer than
     * the per-request limit; LOCAL: the session's limits are back after the transaction */
    if (r == 0)
        r = store_postgres_simple(p, "SET LOCAL statement_timeout = 0; SET LOCAL "
                                     "idle_in_transaction_session_timeout = 0",
                                  "bulk: begin");
    if (r == 0)
        r = store_postgres_simple(p, PG_BULK_SETUP, "bulk: begin");
    if (r < 0) {
        if (PQtransactionStatus(p->conn) != PQTRANS_IDLE)
            (void)store_postgres_simple(p, "ROLLBACK", "bulk: rollback");
        return r == PG_ERETRY ? -EBUSY : r;
    }
    p->bulk = true;
    p->op_savepoint = false;
    return 0;
}

int store_postgres_bulk_fold(struct pg_store *p)
{
    return p->bulk ? store_postgres_simple(p, PG_BULK_FOLD, "bulk: counters") : 0;
}

int store_postgres_bulk_end(struct store *s, bool commit)
{
    struct pg_store *p = pg_from(s);
    PGTransactionStatusType ts;
    int r = 0;

    if (!p->bulk)
        return -EINVAL;
    p->bulk = false; /* from here on transactions are the plain ones */
    p->op_savepoint = false;
    ts = PQstatus(p->conn) == CONNECTION_OK ? PQtransactionStatus(p->conn) : PQTRANS_UNKNOWN;
    if (commit && ts != PQTRANS_INTRANS)
        r = store_postgres_corrupt(p, "bulk: commit", "the bulk load's transaction was lost");
    else if (commit) {
        r = store_postgres_simple(p, PG_BULK_FOLD, "bulk: counters");
        if (r == 0)
            r = store_postgres_simple(p, "COMMIT", "bulk: commit");
    }
    if ((r < 0 || !commit) && PQstatus(p->conn) == CONNECTION_OK &&
        PQtransactionStatus(p->conn) != PQTRANS_IDLE)
        (void)store_postgres_simple(p, "ROLLBACK", "bulk: rollback");
    return r == PG_ERETRY ? -EBUSY : r;
}

static const char pg_dump_vgw[] =
    "SELECT project_id, id, status, enterprise_project_id, connection_number, "
    "used_connection_number, status_due, created_at, updated_at, spec FROM vpn_gateway "
    "ORDER BY project_id, created_at, id";
static const char pg_dump_cgw[] = "SELECT project_id, id, created_at, updated_at, spec "
                                  "FROM customer_gateway ORDER BY project_id, created_at, id";
static const char pg_dump_conn[] =
    "SELECT project_id, id, vgw_id, cgw_id, vgw_ip, enterprise_project_id, status, status_due, "
    "created_at, updated_at, spec FROM vpn_connection ORDER BY project_id, created_at, id";

static int pg_copy_cols(struct pg_store *p, const PGresult *res, int i, int first,
                        char *const dst[], const size_t size[], size_t n)
{
    for (size_t c = 0; c < n; c++) {
        int r = store_postgres_col_copy(p, res, i, first + (int)c, dst[c], size[c]);
        if (r < 0)
            return r;
    }
    return 0;
}

static int pg_ints(struct pg_store *p, const PGresult *res, int i, int first, int64_t *const dst[],
                   size_t n)
{
    for (size_t c = 0; c < n; c++) {
        int r = store_postgres_col_int(p, res, i, first + (int)c, dst[c]);
        if (r < 0)
            return r;
    }
    return 0;
}

static int pg_dump_vgw_row(struct pg_store *p, const PGresult *res, int i,
                           const struct store_dump_cbs *cbs, void *ud)
{
    struct store_vgw_row row = {0};
    char *const dst[] = {row.project_id, row.id, row.status, row.enterprise_project_id};
    const size_t size[] = {sizeof(row.project_id), sizeof(row.id), sizeof(row.status),
                           sizeof(row.enterprise_project_id)};
    int64_t *const num[] = {&row.connection_number, &row.used_connection_number,
                            &row.status_due, &row.created_at, &row.updated_at};
    int r = pg_copy_cols(p, res, i, 0, dst, size, ARRAY_SIZE(dst));

    if (r == 0)
        r = pg_ints(p, res, i, 4, num, ARRAY_SIZE(num));
    if (r < 0)
        return r;
    row.spec = PQgetvalue(res, i, 9);
    return cbs->vgw(ud, &row);
}

static int pg_dump_cgw_row(struct pg_store *p, const PGresult *res, int i,
                           const struct store_dump_cbs *cbs, void *ud)
{
    struct store_cgw_row row = {0};
    char *const dst[] = {row.project_id, row.id};
    const size_t size[] = {sizeof(row.project_id), sizeof(row.id)};
    int64_t *const num[] = {&row.created_at, &row.updated_at};
    int r = pg_copy_cols(p, res, i, 0, dst, size, ARRAY_SIZE(dst));

    if (r == 0)
        r = pg_ints(p, res, i, 2, num, ARRAY_SIZE(num));
    if (r < 0)
        return r;
    row.spec = PQgetvalue(res, i, 4);
    return cbs->cgw(ud, &row);
}

static int pg_dump_conn_row(struct pg_store *p, const PGresult *res, int i,
                            const struct store_dump_cbs *cbs, void *ud)
{
    struct store_conn_row row = {0};
    char *const dst[] = {row.project_id, row.id,     row.vgw_id,
                         row.cgw_id,     row.vgw_ip, row.enterprise_project_id, row.status};
    const size_t size[] = {sizeof(row.project_id), sizeof(row.id),
                           sizeof(row.vgw_id),     sizeof(row.cgw_id),
                           sizeof(row.vgw_ip),     sizeof(row.enterprise_project_id),
                           sizeof(row.status)};
    int64_t *const num[] = {&row.status_due, &row.created_at, &row.updated_at};
    int r = pg_copy_cols(p, res, i, 0, dst, size, ARRAY_SIZE(dst));

    if (r == 0)
        r = pg_ints(p, res, i, 7, num, ARRAY_SIZE(num));
    if (r < 0)
        return r;
    row.spec = PQgetvalue(res, i, 10);
    return cbs->conn(ud, &row);
}

typedef int pg_dump_row_fn(struct pg_store *p, const PGresult *res, int i,
                           const struct store_dump_cbs *cbs, void *ud);

static int pg_dump_table(struct pg_store *p, const char *sql, pg_dump_row_fn *fn,
                         const struct store_dump_cbs *cbs, void *ud)
{
    char declare[512];
    int r, rows;

    snprintf(declare, sizeof(declare), "DECLARE vpnd_dump NO SCROLL CURSOR FOR %s", sql);
    r = store_postgres_simple(p, declare, "dump: cursor");
    do {
        _cleanup_pgres_ PGresult *res = NULL;

        if (r < 0)
            return r;
        r = store_postgres_query_sql(p, "FETCH " PG_DUMP_BATCH " FROM vpnd_dump", "dump", &res,
                                     "");
        rows = r == 0 ? PQntuples(res) : 0;
        for (int i = 0; r == 0 && i < rows; i++)
            r = fn(p, res, i, cbs, ud);
    } while (r == 0 && rows > 0);
    return r < 0 ? r : store_postgres_simple(p, "CLOSE vpnd_dump", "dump: cursor");
}

struct pg_dump {
    const struct store_dump_cbs *cbs;
    void *ud;
};

static int pg_dump_tx(struct pg_store *p, void *ud)
{
    const struct pg_dump *d = ud;
    int r = pg_dump_table(p, pg_dump_vgw, pg_dump_vgw_row, d->cbs, d->ud);

    if (r == 0)
        r = pg_dump_table(p, pg_dump_cgw, pg_dump_cgw_row, d->cbs, d->ud);
    return r < 0 ? r : pg_dump_table(p, pg_dump_conn, pg_dump_conn_row, d->cbs, d->ud);
}

int store_postgres_dump(struct store *s, const struct store_dump_cbs *cbs, void *ud)
{
    struct pg_dump d = {cbs, ud};

    return store_postgres_tx(pg_from(s), PG_TX_READ_SNAPSHOT, "dump", pg_dump_tx, &d);
}
