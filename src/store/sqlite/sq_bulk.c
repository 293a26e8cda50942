/* store/sqlite/sq_bulk.c: bulk loads (vpnd import).
 *
 * A bulk load is one BEGIN IMMEDIATE ... COMMIT around many writes. Each write op still runs
 * between store_sqlite_begin and commit/rollback; while a load is open those become
 * SAVEPOINT / RELEASE / ROLLBACK TO, so one failed record undoes only itself. The savepoint
 * statements are prepared once per load. The page cache is raised for the load (index pages of
 * a million-row table stay in memory) and set back at the end.
 *
 * Journal: in WAL mode every page of the load is written twice (to the WAL at commit, then to
 * the database by the checkpoint). When no other connection has the database open, the load
 * runs in rollback-journal mode instead, where pages added beyond the old end of the file are
 * not journaled at all, and WAL mode is set back at the end. A crash mid-load leaves a hot
 * journal that the next open rolls back (and that open sets WAL again). While another process
 * (a running server) holds the database, SQLite refuses the switch and the load stays in WAL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/sqlite/sq_internal.h"

/* While loading: a 256 MiB page cache, and savepoint journals in memory (each record's savepoint
 * journals the pages it changes: on disk that was most of the load's time). */
#define SQ_BULK_PRAGMAS "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY"
#define SQ_NORMAL_PRAGMAS "PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY"

static const char *const sq_bulk_sql[] = {
    [SQ_BULK_SAVEPOINT] = "SAVEPOINT vpnd_bulk_record",
    [SQ_BULK_RELEASE] = "RELEASE vpnd_bulk_record",
    [SQ_BULK_ROLLBACK_TO] = "ROLLBACK TO vpnd_bulk_record",
};

struct sq_bulk {
    sqlite3_stmt *stmt[ARRAY_SIZE(sq_bulk_sql)];
    bool left_wal; /* the load switched the journal to DELETE: set WAL back at the end */
};

/* Sets the journal mode; returns true if it is now `mode`. */
static bool sq_journal_mode(struct sq_store *q, const char *mode)
{
    char sql[48];
    sqlite3_stmt *st = NULL;
    bool ok = false;

    snprintf(sql, sizeof(sql), "PRAGMA journal_mode = %s", mode);
    if (sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const char *now = (const char *)sqlite3_column_text(st, 0);
        ok = now && strcasecmp(now, mode) == 0;
    }
    sqlite3_finalize(st);
    return ok;
}

void store_sqlite_bulk_free(struct sq_store *q)
{
    if (!q->bulk)
        return;
    for (size_t i = 0; i < ARRAY_SIZE(sq_bulk_sql); i++)
        sqlite3_finalize(q->bulk->stmt[i]);
    free(q->bulk);
    q->bulk = NULL;
}

static int sq_bulk_step(struct sq_store *q, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    int r = rc == SQLITE_DONE ? 0 : store_sqlite_fail(q, rc, what);

    sqlite3_reset(st);
    return r;
}

int store_sqlite_bulk_tx(struct sq_store *q, enum sq_bulk_op op, const char *what)
{
    /* SQLite rolls the whole transaction back on some errors (disk full, I/O, out of memory):
     * a savepoint opened now would start a new transaction and commit records on its own. */
    if (sqlite3_get_autocommit(q->db))
        return store_sqlite_corrupt(q, what, "the bulk transaction was rolled back by SQLite");
    int r = sq_bulk_step(q, q->bulk->stmt[op], what);
    if (r == 0 && op == SQ_BULK_ROLLBACK_TO) /* ROLLBACK TO keeps the savepoint open */
        r = sq_bulk_step(q, q->bulk->stmt[SQ_BULK_RELEASE], what);
    return r;
}

int store_sqlite_bulk_begin(struct store *s)
{
    struct sq_store *q = sq_from(s);
    int r;

    if (q->bulk)
        return -EINVAL;
    struct sq_bulk *b = calloc(1, sizeof(*b));
    if (!b)
        return -ENOMEM;
    for (size_t i = 0; i < ARRAY_SIZE(sq_bulk_sql); i++) {
        int rc = sqlite3_prepare_v3(q->db, sq_bulk_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                    &b->stmt[i], NULL);
        if (rc != SQLITE_OK) {
            r = store_sqlite_fail(q, rc, "bulk: prepare");
            goto out_free;
        }
    }
    (void)sqlite3_exec(q->db, SQ_BULK_PRAGMAS, NULL, NULL, NULL);
    b->left_wal = sq_journal_mode(q, "wal") && sq_journal_mode(q, "delete");
    r = store_sqlite_begin(q, "bulk: begin");
    if (r < 0)
        goto out_free;
    q->bulk = b;
    return 0;

out_free:
    if (b->left_wal)
        (void)sq_journal_mode(q, "wal");
    for (size_t i = 0; i < ARRAY_SIZE(sq_bulk_sql); i++)
        sqlite3_finalize(b->stmt[i]);
    free(b);
    return r;
}

int store_sqlite_bulk_end(struct store *s, bool commit)
{
    struct sq_store *q = sq_from(s);
    int r = 0;

    if (!q->bulk)
        return -EINVAL;
    bool left_wal = q->bulk->left_wal;
    store_sqlite_bulk_free(q); /* from here on begin/commit/rollback are the plain ones */
    if (sqlite3_get_autocommit(q->db))
        r = commit ? store_sqlite_corrupt(q, "bulk: commit",
                                          "the bulk transaction was rolled back by SQLite")
                   : 0;
    else if (commit)
        r = store_sqlite_commit(q, "bulk: commit");
    if (r < 0 || !commit)
        store_sqlite_rollback(q);
    (void)sqlite3_exec(q->db, SQ_NORMAL_PRAGMAS, NULL, NULL, NULL);
    if (left_wal && !sq_journal_mode(q, "wal") && r == 0)
        r = store_sqlite_corrupt(q, "bulk: end", "cannot set journal_mode back to WAL");
    return r;
}
