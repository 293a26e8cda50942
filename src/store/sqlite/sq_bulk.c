/* store/sqlite/sq_bulk.c: bulk loads (vpnd import).
 *
 * A bulk load is one BEGIN IMMEDIATE ... COMMIT around many writes. Each write op still runs
 * between store_sqlite_begin and commit/rollback; while a load is open those become
 * SAVEPOINT / RELEASE / ROLLBACK TO, so one failed record undoes only itself. The savepoint
 * statements are prepared once per load. The page cache is raised for the load (index pages of
 * a million-row table stay in memory) and set back at the end.
 *
 * Batches (store_bulk_batch): a savepoint around many records instead of one per record. Inside
 * a batch the per-op savepoints are skipped (each one copied every page its record touched into
 * the savepoint journal); an op that fails marks the batch tainted, and until store_bulk_undo
 * rolls the batch back nothing else may write or commit.
 *
 * Deferred indexes: a load into a store without connections drops the non-unique secondary
 * indexes of the tables it fills per connection (sq_bulk_tables) right after BEGIN and creates
 * them again, from the CREATE INDEX text read from sqlite_master at that moment, just before
 * COMMIT: one sort per index instead of one b-tree insert per row and index. It is all one
 * transaction, so a crash or a failed load leaves the old schema and rows. UNIQUE and primary
 * key indexes stay: the load's own checks (ids, claims) and lookups use them; the statements a
 * load runs use no non-unique index of these tables (test_store_bulk_batch.c checks that none
 * of them scans a table).
 *
 * Connection counts: in a load into a store without connections (as the deferred indexes),
 * the trigger that counts each inserted connection in conn_count (an upsert: it made every
 * connection insert a statement with a statement journal, into which each page the insert
 * touched was copied) is dropped, and store_sqlite_bulk_count counts each insert with two
 * one-row statements instead (no statement journal), so counts read inside the load stay
 * exact. The trigger is created again from its sqlite_master text before COMMIT; a failed or
 * killed load leaves it as it was, with everything else.
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

#include "store/sqlite/sq_int.h"

/* While loading: a 256 MiB page cache, and savepoint journals in memory (each record's savepoint
 * journals the pages it changes: on disk that was most of the load's time). */
#define SQ_BULK_PRAGMAS "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY"
#define SQ_NORMAL_PRAGMAS "PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY"

/* The batch statements follow the per-op ones of enum sq_bulk_op. */
enum {
    SQ_BULK_BATCH = SQ_BULK_ROLLBACK_TO + 1,
    SQ_BULK_BATCH_RELEASE,
    SQ_BULK_BATCH_UNDO,
    SQ_BULK_COUNT_ROW,
    SQ_BULK_COUNT_ADD
};

static const char *const sq_bulk_sql[] = {
    [SQ_BULK_SAVEPOINT] = "SAVEPOINT vpnd_bulk_record",
    [SQ_BULK_RELEASE] = "RELEASE vpnd_bulk_record",
    [SQ_BULK_ROLLBACK_TO] = "ROLLBACK TO vpnd_bulk_record",
    [SQ_BULK_BATCH] = "SAVEPOINT vpnd_bulk_batch",
    [SQ_BULK_BATCH_RELEASE] = "RELEASE vpnd_bulk_batch",
    [SQ_BULK_BATCH_UNDO] = "ROLLBACK TO vpnd_bulk_batch",
    [SQ_BULK_COUNT_ROW] = "INSERT OR IGNORE INTO conn_count (project_id, enterprise_project_id, n)"
                          " VALUES (?1, ?2, 0)",
    [SQ_BULK_COUNT_ADD] = "UPDATE conn_count SET n = n + 1"
                          " WHERE project_id = ?1 AND enterprise_project_id = ?2",
};

/* The tables a load fills once or more per connection; their other indexes are small. */
#define SQ_BULK_TABLES "'vpn_connection', 'claim', 'tag_resource', 'tag'"

/* The connection counter's insert trigger (SQ_BULK_COUNT_ROW and SQ_BULK_COUNT_ADD count in its
 * place during a load). */
static const char sq_bulk_count_trigger_sql[] =
    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'conn_count_insert'";

static const char sq_bulk_empty_sql[] = "SELECT NOT EXISTS (SELECT 1 FROM vpn_connection)";
/* The non-unique indexes created by CREATE INDEX (sql is NULL for the automatic ones of
 * PRIMARY KEY and UNIQUE constraints; CREATE UNIQUE INDEX ones are unique), oldest first. */
static const char sq_bulk_deferrable_sql[] =
    "SELECT m.name, m.sql, m.tbl_name FROM sqlite_master AS m"
    " WHERE m.type = 'index' AND m.sql IS NOT NULL AND m.tbl_name IN (" SQ_BULK_TABLES ")"
    " AND NOT EXISTS (SELECT 1 FROM pragma_index_list(m.tbl_name) AS l"
    " WHERE l.name = m.name AND l.\"unique\")"
    /* the GET by id's way in (sq_key.c): reads inside a load keep their plan */
    " AND m.name <> 'vpn_connection_by_gkey'"
    " ORDER BY m.rowid";
/* (and not those sq_bulk_serves_fk keeps) */
/* The columns of an index, of the table's primary key index, and of its foreign keys (one row
 * per column, id numbering the keys). */
static const char sq_bulk_index_cols_sql[] = "SELECT name FROM pragma_index_info(?1) ORDER BY seqno";
static const char sq_bulk_pk_cols_sql[] =
    "SELECT i.name FROM pragma_index_list(?1) AS l, pragma_index_info(l.name) AS i"
    " WHERE l.origin = 'pk' ORDER BY i.seqno";
static const char sq_bulk_fk_cols_sql[] =
    "SELECT id, \"from\" FROM pragma_foreign_key_list(?1) ORDER BY id, seq";

#define SQ_BULK_MAX_COLS 16

struct sq_cols {
    size_t n;
    char name[SQ_BULK_MAX_COLS][64];
};

struct sq_bulk {
    sqlite3_stmt *stmt[ARRAY_SIZE(sq_bulk_sql)];
    bool left_wal; /* the load switched the journal to DELETE: set WAL back at the end */
    bool batch;    /* a batch is open: per-op savepoints are skipped */
    bool tainted;  /* an op of the open batch failed: only store_bulk_undo may follow */
    char **deferred; /* CREATE INDEX texts of the indexes dropped at begin (sqlite3_malloc) */
    size_t n_deferred;
    char *count_trigger; /* CREATE TRIGGER text of conn_count_insert, dropped at begin */
};

/* Sets the journal mode; returns true if it is now `mode`. */
static bool sq_journal_mode(struct sq_store *q, const char *mode)
{
    char sql[48];
    sqlite3_stmt *st = NULL;
    bool ok = false;

    snprintf(sql, sizeof(sql), "PRAGMA journal_mode = %s", mode);
    int rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *now = (const char *)sqlite3_column_text(st, 0);
        ok = now && strcasecmp(now, mode) == 0;
    }
    if (rc != SQLITE_OK && rc != SQLITE_ROW)
        q->last_fail_rc = rc; /* why it failed (out of memory: the caller may say so) */
    sqlite3_finalize(st);
    return ok;
}

static void sq_bulk_release(struct sq_bulk *b)
{
    for (size_t i = 0; i < ARRAY_SIZE(sq_bulk_sql); i++)
        sqlite3_finalize(b->stmt[i]);
    for (size_t i = 0; i < b->n_deferred; i++)
        sqlite3_free(b->deferred[i]);
    free(b->deferred);
    sqlite3_free(b->count_trigger);
    free(b);
}

void store_sqlite_bulk_free(struct sq_store *q)
{
    if (!q->bulk)
        return;
    sq_bulk_release(q->bulk);
    q->bulk = NULL;
}

static int sq_bulk_step(struct sq_store *q, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    int r = rc == SQLITE_DONE ? 0 : store_sqlite_fail(q, rc, what);

    sqlite3_reset(st);
    return r;
}

/* SQLite rolls the whole transaction back on some errors (disk full, I/O, out of memory): a
 * savepoint opened after that would start a new transaction and commit records on its own. */
static int sq_bulk_alive(struct sq_store *q, const char *what)
{
    if (sqlite3_get_autocommit(q->db) && ((q->last_fail_rc & 0xff) == SQLITE_NOMEM ||
                                          (q->last_fail_rc & 0xff) == SQLITE_FULL)) {
        bool full = (q->last_fail_rc & 0xff) == SQLITE_FULL;
        (void)store_sqlite_corrupt(q, what, "the bulk transaction was rolled back by SQLite, %s",
                                   full ? "the disk is full" : "out of memory");
        return full ? -ENOSPC : -ENOMEM; /* what the caller answers: try again later (503) */
    }
    if (sqlite3_get_autocommit(q->db))
        return store_sqlite_corrupt(q, what, "the bulk transaction was rolled back by SQLite");
    return 0;
}

int store_sqlite_bulk_tx(struct sq_store *q, enum sq_bulk_op op, const char *what)
{
    struct sq_bulk *b = q->bulk;
    int r = sq_bulk_alive(q, what);

    if (r < 0)
        return r;
    if (b->tainted && op != SQ_BULK_ROLLBACK_TO)
        return store_sqlite_corrupt(q, what, "a failed write of the batch was not undone");
    if (b->batch) {
        /* the batch's savepoint undoes a failed op (store_bulk_undo), with its whole batch */
        if (op == SQ_BULK_ROLLBACK_TO)
            b->tainted = true;
        return 0;
    }
    r = sq_bulk_step(q, b->stmt[op], what);
    if (r == 0 && op == SQ_BULK_ROLLBACK_TO) /* ROLLBACK TO keeps the savepoint open */
        r = sq_bulk_step(q, b->stmt[SQ_BULK_RELEASE], what);
    return r;
}

int store_sqlite_bulk_batch(struct store *s)
{
    struct sq_store *q = sq_from(s);
    struct sq_bulk *b = q->bulk;

    if (!b)
        return -EINVAL;
    int r = sq_bulk_alive(q, "bulk: batch");
    if (r == 0 && b->tainted)
        r = store_sqlite_corrupt(q, "bulk: batch", "a failed write of the batch was not undone");
    if (r == 0 && b->batch)
        r = sq_bulk_step(q, b->stmt[SQ_BULK_BATCH_RELEASE], "bulk: batch release");
    b->batch = false;
    if (r == 0)
        r = sq_bulk_step(q, b->stmt[SQ_BULK_BATCH], "bulk: batch");
    b->batch = r == 0;
    return r;
}

int store_sqlite_bulk_undo(struct store *s)
{
    struct sq_store *q = sq_from(s);
    struct sq_bulk *b = q->bulk;

    if (!b || !b->batch)
        return -EINVAL;
    int r = sq_bulk_alive(q, "bulk: undo");
    if (r == 0)
        r = sq_bulk_step(q, b->stmt[SQ_BULK_BATCH_UNDO], "bulk: undo");
    if (r == 0) /* ROLLBACK TO keeps the savepoint open */
        r = sq_bulk_step(q, b->stmt[SQ_BULK_BATCH_RELEASE], "bulk: undo");
    b->batch = false;
    if (r == 0)
        b->tainted = false;
    return r;
}

/* 1 if the store holds no connection yet, 0 if it does, or an error. */
static int sq_bulk_store_empty(struct sq_store *q)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(q->db, sq_bulk_empty_sql, -1, &st, NULL);

    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int empty = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        return empty;
    }
    sqlite3_finalize(st);
    return store_sqlite_fail(q, rc, "bulk: count connections");
}

/* Appends the text of column col of each row of sql (?1 = arg) to out, or of the rows whose
 * column 0 equals group when group >= 0. */
static int sq_cols_read(struct sq_store *q, const char *sql, const char *arg, int group, int col,
                        struct sq_cols *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);

    out->n = 0;
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(st)) != SQLITE_ROW)
            break;
        if (group >= 0 && sqlite3_column_int(st, 0) != group)
            continue;
        if (out->n == SQ_BULK_MAX_COLS)
            break; /* more columns than any index here: the rest is not compared */
        const unsigned char *v = sqlite3_column_text(st, col);
        snprintf(out->name[out->n++], sizeof(out->name[0]), "%s", v ? (const char *)v : "");
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_sqlite_fail(q, rc, "bulk: index columns");
}

static bool sq_cols_has(const struct sq_cols *c, size_t n, const char *name)
{
    for (size_t i = 0; i < n && i < c->n; i++)
        if (name[0] && strcmp(c->name[i], name) == 0)
            return true;
    return false;
}

/* How many leading columns of c are in set. */
static size_t sq_cols_lead(const struct sq_cols *c, const struct sq_cols *set)
{
    size_t i = 0;

    while (i < c->n && sq_cols_has(set, set->n, c->name[i]))
        i++;
    return i;
}

/* 1 if index serves the child-side lookups of one of table's foreign keys better than the
 * primary key does (its leading columns, all of the key, go beyond the primary key's): SQLite
 * runs those lookups when a parent row is inserted by a statement with a trigger (a gateway
 * insert looks for connections of it), so the index must stay. 0 if not, or an error. */
static int sq_bulk_serves_fk(struct sq_store *q, const char *table, const char *index)
{
    struct sq_cols idx, pk, fk;
    int r = sq_cols_read(q, sq_bulk_index_cols_sql, index, -1, 0, &idx);

    if (r == 0)
        r = sq_cols_read(q, sq_bulk_pk_cols_sql, table, -1, 0, &pk);
    for (int id = 0; r == 0; id++) {
        r = sq_cols_read(q, sq_bulk_fk_cols_sql, table, id, 1, &fk);
        if (r < 0 || fk.n == 0)
            break;
        size_t run = sq_cols_lead(&idx, &fk), pk_run = sq_cols_lead(&pk, &fk);
        for (size_t i = 0; i < run; i++)
            if (!sq_cols_has(&pk, pk_run, idx.name[i]))
                return 1;
    }
    return r;
}

/* Inside the load's transaction: remembers and drops the connection counter's insert trigger
 * (store_sqlite_bulk_count counts in its place). */
static int sq_bulk_defer_count(struct sq_store *q, struct sq_bulk *b)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(q->db, sq_bulk_count_trigger_sql, -1, &st, NULL);

    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        b->count_trigger = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(st, 0));
        rc = b->count_trigger ? SQLITE_DONE : SQLITE_NOMEM;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE && b->count_trigger)
        rc = sqlite3_exec(q->db, "DROP TRIGGER conn_count_insert", NULL, NULL, NULL);
    return rc == SQLITE_DONE || rc == SQLITE_OK ? 0 : store_sqlite_fail(q, rc, "bulk: defer count");
}

int store_sqlite_bulk_count(struct sq_store *q, const char *project_id,
                            const char *enterprise_project_id)
{
    struct sq_bulk *b = q->bulk;

    if (!b || !b->count_trigger)
        return 0; /* the trigger counts */
    sqlite3_stmt *row = b->stmt[SQ_BULK_COUNT_ROW], *add = b->stmt[SQ_BULK_COUNT_ADD];
    int r = store_sqlite_bind(q, row, "bulk: count", "ss", project_id, enterprise_project_id);
    if (r == 0)
        r = sq_bulk_step(q, row, "bulk: count");
    if (r == 0)
        r = store_sqlite_bind(q, add, "bulk: count", "ss", project_id, enterprise_project_id);
    if (r == 0)
        r = sq_bulk_step(q, add, "bulk: count");
    return r;
}

/* Before the commit: the counter's trigger again. */
static int sq_bulk_count_again(struct sq_store *q, struct sq_bulk *b)
{
    int rc = b->count_trigger ? sqlite3_exec(q->db, b->count_trigger, NULL, NULL, NULL) : SQLITE_OK;

    return rc == SQLITE_OK ? 0 : store_sqlite_fail(q, rc, "bulk: count trigger");
}

/* Inside the load's transaction, into a store without connections: remembers and drops the
 * deferrable indexes and the connection counter's trigger. */
static int sq_bulk_defer_indexes(struct sq_store *q, struct sq_bulk *b)
{
    sqlite3_stmt *st = NULL;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int r = sq_bulk_store_empty(q), rc, keep = 0;

    if (r <= 0)
        return r;
    rc = sqlite3_prepare_v2(q->db, sq_bulk_deferrable_sql, -1, &st, NULL);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(st)) != SQLITE_ROW)
            break;
        keep = sq_bulk_serves_fk(q, (const char *)sqlite3_column_text(st, 2),
                                 (const char *)sqlite3_column_text(st, 0));
        if (keep < 0)
            break;
        if (keep)
            continue;
        if (n == cap) {
            size_t ncap = cap ? 2 * cap : 8;
            char **nn = realloc(names, ncap * sizeof(*nn));
            char **ns = realloc(b->deferred, ncap * sizeof(*ns));
            if (nn)
                names = nn;
            if (ns)
                b->deferred = ns;
            if (!nn || !ns) {
                rc = SQLITE_NOMEM;
                break;
            }
            cap = ncap;
        }
        names[n] = sqlite3_mprintf("DROP INDEX \"%w\"", (const char *)sqlite3_column_text(st, 0));
        b->deferred[n] = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(st, 1));
        b->n_deferred = ++n;
        if (!names[n - 1] || !b->deferred[n - 1]) {
            rc = SQLITE_NOMEM;
            break;
        }
    }
    sqlite3_finalize(st);
    r = keep < 0 ? keep : rc == SQLITE_DONE ? 0 : store_sqlite_fail(q, rc, "bulk: read indexes");
    for (size_t i = 0; i < n && r == 0; i++) {
        rc = sqlite3_exec(q->db, names[i], NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            r = store_sqlite_fail(q, rc, "bulk: drop index");
    }
    for (size_t i = 0; i < n; i++)
        sqlite3_free(names[i]);
    free(names);
    return r < 0 ? r : sq_bulk_defer_count(q, b);
}

/* Before the commit: the dropped indexes again, as they were. */
static int sq_bulk_create_indexes(struct sq_store *q, struct sq_bulk *b)
{
    for (size_t i = 0; i < b->n_deferred; i++) {
        int rc = sqlite3_exec(q->db, b->deferred[i], NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return store_sqlite_fail(q, rc, "bulk: create index");
    }
    return 0;
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
    r = sq_bulk_defer_indexes(q, b);
    if (r < 0) {
        store_sqlite_rollback(q);
        goto out_free;
    }
    q->bulk = b;
    return 0;

out_free:
    (void)sqlite3_exec(q->db, SQ_NORMAL_PRAGMAS, NULL, NULL, NULL);
    if (b->left_wal)
        (void)sq_journal_mode(q, "wal");
    sq_bulk_release(b);
    return r;
}

int store_sqlite_bulk_end(struct store *s, bool commit)
{
    struct sq_store *q = sq_from(s);
    struct sq_bulk *b = q->bulk;
    int r = 0;

    if (!b)
        return -EINVAL;
    bool left_wal = b->left_wal;
    if (sqlite3_get_autocommit(q->db))
        r = commit ? store_sqlite_corrupt(q, "bulk: commit",
                                          "the bulk transaction was rolled back by SQLite")
                   : 0;
    else if (commit && b->tainted)
        r = store_sqlite_corrupt(q, "bulk: commit", "a failed write of the batch was not undone");
    else if (commit && (r = sq_bulk_count_again(q, b)) == 0)
        r = sq_bulk_create_indexes(q, b);
    store_sqlite_bulk_free(q); /* from here on begin/commit/rollback are the plain ones */
    if (r == 0 && commit && !sqlite3_get_autocommit(q->db))
        r = store_sqlite_commit(q, "bulk: commit");
    if (r < 0 || !commit)
        store_sqlite_rollback(q);
    (void)sqlite3_exec(q->db, SQ_NORMAL_PRAGMAS, NULL, NULL, NULL);
    /* the load's outcome is its commit's (store.h: an error means nothing was kept): a journal
     * left in DELETE mode still works, and the next load sets WAL again */
    if (left_wal && !sq_journal_mode(q, "wal"))
        (void)store_sqlite_corrupt(q, "bulk: end", "cannot set journal_mode back to WAL");
    return r;
}
