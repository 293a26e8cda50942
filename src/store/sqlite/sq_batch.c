/* store/sqlite/sq_batch.c: read batching (store_read_batch) for the hot GET of a connection.
 *
 * While a batch is on, store_conn_get_doc reads through a second, read-only handle on the same
 * file whose read transaction stays open across calls: the WAL read lock is taken once per batch
 * (one event-loop turn) instead of once per GET. The main handle is never inside a long
 * transaction, so writes, checkpoints and every other operation work as without batching. A
 * commit hook on the main handle marks the snapshot stale, so the next get_doc after any write
 * through this store starts a fresh snapshot (read-your-writes). The batch handle is opened at
 * the first batched get_doc, so a bulk import (which never reads docs) sees no other handle. If it
 * cannot be opened (":memory:", a read-only directory, ...) get_doc reads through the main
 * handle as without batching.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "store/sqlite/sq_int.h"
#include "util/buf.h"

struct sq_batch {
    bool on;       /* between store_read_batch(s, true) and (s, false) */
    bool open;     /* rdb's read transaction is open */
    bool stale;    /* the main handle committed since the snapshot started */
    bool disabled; /* rdb could not be opened: read through the main handle */
    sqlite3 *rdb;
    sqlite3_stmt *get, *begin, *commit;
};

static int on_commit(void *ud)
{
    struct sq_batch *b = ud;
    b->stale = true;
    return 0; /* never turns a commit into a rollback */
}

static void batch_close_rdb(struct sq_batch *b)
{
    sqlite3_finalize(b->get);
    sqlite3_finalize(b->begin);
    sqlite3_finalize(b->commit);
    sqlite3_close(b->rdb);
    b->get = b->begin = b->commit = NULL;
    b->rdb = NULL;
    b->open = false;
}

static int batch_open_rdb(struct sq_store *q, struct sq_batch *b)
{
    const char *path = sqlite3_db_filename(q->db, "main");

    if (!path || !path[0] ||
        sqlite3_open_v2(path, &b->rdb, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        /* 48 MiB: at a million connections the key index (~12-17 MB) and the table's interior
         * pages (~10 MB) stay cached, so a GET reads one page, the row's (1.07 reads per GET
         * measured, 2.6 through the primary key with 16 MiB) */
        sqlite3_exec(b->rdb, "PRAGMA query_only = ON; PRAGMA cache_size = -49152", NULL, NULL,
                     NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(b->rdb, store_sqlite_sql[SQ_CONN_GET_DOC], -1,
                           SQLITE_PREPARE_PERSISTENT, &b->get, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(b->rdb, "BEGIN DEFERRED", -1, &b->begin, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(b->rdb, "COMMIT", -1, &b->commit, NULL) != SQLITE_OK) {
        batch_close_rdb(b);
        b->disabled = true;
        return -EIO;
    }
    sqlite3_busy_timeout(b->rdb, 5000);
    sqlite3_extended_result_codes(b->rdb, 1);
    return 0;
}

static void batch_end_snapshot(struct sq_batch *b)
{
    if (!b->open)
        return;
    (void)sqlite3_step(b->commit); /* a read transaction: COMMIT only releases the snapshot */
    sqlite3_reset(b->commit);
    if (!sqlite3_get_autocommit(b->rdb)) /* cannot happen; never keep a snapshot by mistake */
        (void)sqlite3_exec(b->rdb, "ROLLBACK", NULL, NULL, NULL);
    b->open = false;
}

void store_sqlite_read_batch(struct store *s, bool on)
{
    struct sq_store *q = sq_from(s);

    if (!q->batch) {
        if (!on)
            return;
        q->batch = calloc(1, sizeof(*q->batch));
        if (!q->batch)
            return; /* no batching: every get_doc reads fresh */
        sqlite3_commit_hook(q->db, on_commit, q->batch);
    }
    if (!on)
        batch_end_snapshot(q->batch);
    q->batch->on = on;
}

int store_sqlite_batch_get_doc(struct sq_store *q, const char *project_id, const char *id,
                               struct buf *out)
{
    struct sq_batch *b = q->batch;
    int rc;

    if (!b->on || b->disabled || q->bulk || !sqlite3_get_autocommit(q->db))
        return 1; /* inside a write of the main handle: read what it sees */
    if (!b->rdb && batch_open_rdb(q, b) < 0)
        return 1;
    if (b->open && b->stale)
        batch_end_snapshot(b);
    if (!b->open) {
        rc = sqlite3_step(b->begin);
        sqlite3_reset(b->begin);
        if (rc != SQLITE_DONE)
            return 1;
        b->open = true;
        b->stale = false;
    }
    if (store_sqlite_bind_get_doc(b->get, project_id, id) != SQLITE_OK) {
        sqlite3_reset(b->get);
        return 1;
    }
    rc = sqlite3_step(b->get);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(b->get);
        sqlite3_clear_bindings(b->get);
        return -ENOENT;
    }
    if (rc != SQLITE_ROW || sqlite3_column_type(b->get, 0) == SQLITE_NULL ||
        sqlite3_column_type(b->get, 1) == SQLITE_NULL) {
        /* anything unusual (busy, I/O, NULL doc): let the main handle answer and report */
        sqlite3_reset(b->get);
        sqlite3_clear_bindings(b->get);
        batch_end_snapshot(b);
        return 1;
    }
    rc = store_sqlite_serve_doc(q, b->get, 0, out, "conn get doc");
    sqlite3_reset(b->get);
    sqlite3_clear_bindings(b->get);
    return rc;
}

void store_sqlite_batch_free(struct sq_store *q)
{
    if (!q->batch)
        return;
    sqlite3_commit_hook(q->db, NULL, NULL);
    batch_close_rdb(q->batch);
    free(q->batch);
    q->batch = NULL;
}
