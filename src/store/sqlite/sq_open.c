/* store/sqlite/sq_open.c: opening and closing the SQLite backend, its statement cache, and the
 * helpers the operations share (error mapping, transactions, binding, column copies).
 *
 * Durability: journal_mode=WAL with synchronous=NORMAL. A commit is acknowledged once its frames
 * are written to the WAL file (in the OS page cache), so every acknowledged write survives a
 * crash or kill -9 of this process; only an OS crash or power loss can lose the last commits
 * before the next checkpoint syncs them (the database itself never corrupts). synchronous=FULL
 * would fsync on every commit to close that window, at a large cost in write latency. Under
 * group commit (sq_group.c) an op's commit is a RELEASE of its savepoint, and the acknowledgement
 * waits for the group's COMMIT (store_group_end).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sq_int.h"
#include "store/sqlite/store_sqlite.h"

#define SQ_BUSY_TIMEOUT_MS 5000

#define SQ_CONN_COLS                                                                               \
    "project_id, id, vgw_id, cgw_id, vgw_ip, enterprise_project_id, status, status_due, "          \
    "created_at, updated_at, spec, doc"
#define SQ_CONN_FILTER                                                                             \
    "project_id = ?1 AND (?2 IS NULL OR vgw_id = ?2) AND (?3 IS NULL OR vgw_ip = ?3) "             \
    "AND (?4 IS NULL OR enterprise_project_id IN (SELECT value FROM json_each(?4)))"

/* Transaction statements come first: they are prepared before the migrations run. */
#define SQ_FIRST_TABLE_STMT SQ_VGW_INSERT

/* The three steps of a tag index sync for one resource table (sq_tags.c): ?1 project_id,
 * ?2 id, ?3 resource_type. */
#define SQ_TAG_SYNC_SQL(TABLE)                                                                     \
    "INSERT INTO tag_resource (project_id, resource_type, resource_id, name, created_at)"          \
    " SELECT project_id, ?3, id, coalesce(json_extract(vpnd_json(spec), '$.name'), ''), created_at"           \
    " FROM " TABLE " WHERE project_id = ?1 AND id = ?2"                                            \
    " ON CONFLICT (project_id, resource_type, resource_id) DO UPDATE SET name = excluded.name",    \
    "DELETE FROM tag WHERE project_id = ?1 AND resource_id = ?2 AND resource_type = ?3",           \
    "INSERT OR REPLACE INTO tag SELECT r.project_id, ?3, r.id, json_extract(j.value, '$.key'),"    \
    " coalesce(json_extract(j.value, '$.value'), '') FROM " TABLE " r,"                            \
    " json_each(vpnd_json(r.spec), '$.tags') j WHERE r.project_id = ?1 AND r.id = ?2"                         \
    " AND json_type(vpnd_json(r.spec), '$.tags') = 'array' AND j.type = 'object'"                             \
    " AND json_type(j.value, '$.key') = 'text'"

const char *const store_sqlite_sql[SQ_N_STMT] = {
    [SQ_BEGIN] = "BEGIN IMMEDIATE",
    [SQ_BEGIN_READ] = "BEGIN DEFERRED",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",
    [SQ_VGW_INSERT] = "INSERT INTO vpn_gateway (project_id, id, status, enterprise_project_id, "
                      "connection_number, used_connection_number, created_at, updated_at, spec, "
                      "status_due) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8, ?9)",
    [SQ_VGW_GET] = "SELECT project_id, id, status, enterprise_project_id, connection_number, "
                   "used_connection_number, created_at, updated_at, spec FROM vpn_gateway "
                   "WHERE project_id = ?1 AND id = ?2",
    [SQ_VGW_EXISTS] = "SELECT 1 FROM vpn_gateway WHERE project_id = ?1 AND id = ?2",
    [SQ_VGW_USE] = "UPDATE vpn_gateway SET used_connection_number = used_connection_number + 1 "
                   "WHERE project_id = ?1 AND id = ?2 AND status = 'ACTIVE' "
                   "AND used_connection_number < connection_number",
    [SQ_VGW_RELEASE] = "UPDATE vpn_gateway SET used_connection_number = used_connection_number - 1 "
                       "WHERE project_id = ?1 AND id = ?2 AND used_connection_number > 0",
    [SQ_CGW_INSERT] = "INSERT INTO customer_gateway (project_id, id, created_at, updated_at, spec) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)",
    [SQ_CGW_GET] = "SELECT project_id, id, created_at, updated_at, spec FROM customer_gateway "
                   "WHERE project_id = ?1 AND id = ?2",
    [SQ_CONN_INSERT] = "INSERT INTO vpn_connection (" SQ_CONN_COLS ", gkey) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                       "vpnd_conn_key(?1, ?2))",
    /* the hot GET walks the small key index (sq_key.c), never the primary key's: the unary
     * '+' keeps project_id and id out of index selection (they are compared on the row) */
    [SQ_CONN_GET_DOC] = "SELECT doc, status FROM vpn_connection "
                        "WHERE gkey = ?3 AND +project_id = ?1 AND +id = ?2",
    [SQ_CONN_GET] = "SELECT " SQ_CONN_COLS " FROM vpn_connection "
                    "WHERE project_id = ?1 AND id = ?2",
    [SQ_CONN_UPDATE] = "UPDATE vpn_connection SET status = ?3, status_due = ?4, updated_at = ?5, "
                       "spec = ?6, doc = ?7, cgw_id = ?8 WHERE project_id = ?1 AND id = ?2",
    [SQ_CONN_DELETE] = "DELETE FROM vpn_connection WHERE project_id = ?1 AND id = ?2 "
                       "RETURNING vgw_id",
    [SQ_CONN_LIST] = "SELECT doc, status, created_at, id FROM vpn_connection WHERE " SQ_CONN_FILTER
                     " AND (created_at, id) < (?5, ?6) "
                     "ORDER BY created_at DESC, id DESC LIMIT ?7",
    /* the same page when vgw_id / vgw_ip is given, spelled so that the planner walks
     * vpn_connection_by_vgw_created / _by_vgw_ip_created in order */
    [SQ_CONN_LIST_BY_VGW] = "SELECT doc, status, created_at, id FROM vpn_connection WHERE "
                            "project_id = ?1 AND vgw_id = ?2 AND (?3 IS NULL OR vgw_ip = ?3) "
                            "AND (?4 IS NULL OR enterprise_project_id IN "
                            "(SELECT value FROM json_each(?4))) AND (created_at, id) < (?5, ?6) "
                            "ORDER BY created_at DESC, id DESC LIMIT ?7",
    [SQ_CONN_LIST_BY_VGW_IP] = "SELECT doc, status, created_at, id FROM vpn_connection WHERE "
                               "project_id = ?1 AND vgw_ip = ?3 AND (?2 IS NULL OR vgw_id = ?2) "
                               "AND (?4 IS NULL OR enterprise_project_id IN "
                               "(SELECT value FROM json_each(?4))) AND (created_at, id) < (?5, ?6) "
                               "ORDER BY created_at DESC, id DESC LIMIT ?7",
    [SQ_CONN_COUNT_BY_VGW] = "SELECT count(*) FROM vpn_connection WHERE project_id = ?1 AND "
                             "vgw_id = ?2 AND (?3 IS NULL OR vgw_ip = ?3) AND (?4 IS NULL OR "
                             "enterprise_project_id IN (SELECT value FROM json_each(?4)))",
    [SQ_CONN_COUNT_BY_VGW_IP] = "SELECT count(*) FROM vpn_connection WHERE project_id = ?1 AND "
                                "vgw_ip = ?3 AND (?2 IS NULL OR vgw_id = ?2) AND (?4 IS NULL OR "
                                "enterprise_project_id IN (SELECT value FROM json_each(?4)))",
    [SQ_QUOTA_USED_GATEWAYS] = "SELECT coalesce(sum(n), 0) FROM project_count "
                               "WHERE project_id = ?1 AND kind = ?2",
    [SQ_QUOTA_USED_CONNECTIONS] = "SELECT coalesce(sum(n), 0) FROM conn_count WHERE project_id = ?1",
    [SQ_CONN_TOTAL] = "SELECT coalesce(sum(n), 0) FROM conn_count WHERE project_id = ?1 "
                      "AND (?2 IS NULL OR enterprise_project_id IN (SELECT value FROM json_each(?2)))",
    [SQ_CLAIM_INSERT] = "INSERT INTO claim (kind, value, owner_id) VALUES (?1, ?2, ?3)",
    [SQ_CLAIM_RELEASE] = "DELETE FROM claim WHERE owner_id = ?1",
    [SQ_CLAIMS_LIST] = "SELECT value FROM claim WHERE kind = ?1 ORDER BY value",
    /* both queues through their partial status_due indexes, oldest due first */
    [SQ_DUE_LIST] = "SELECT 0, project_id, id, status, status_due FROM vpn_gateway "
                    "WHERE status_due > 0 AND status_due <= ?1 "
                    "UNION ALL SELECT 1, project_id, id, status, status_due FROM vpn_connection "
                    "WHERE status_due > 0 AND status_due <= ?1 ORDER BY 5 LIMIT ?2",
    /* compare-and-set: only the node that still sees the old status moves it */
    [SQ_VGW_SET_STATUS] = "UPDATE vpn_gateway SET status = ?4, status_due = ?5, updated_at = ?6 "
                          "WHERE project_id = ?1 AND id = ?2 AND status = ?3",
    [SQ_VGW_USED] = "SELECT used_connection_number FROM vpn_gateway "
                    "WHERE project_id = ?1 AND id = ?2",
    [SQ_VGW_DELETE] = "DELETE FROM vpn_gateway WHERE project_id = ?1 AND id = ?2",
    [SQ_CGW_USERS] = "SELECT count(*) FROM vpn_connection WHERE project_id = ?1 AND cgw_id = ?2",
    [SQ_CGW_DELETE] = "DELETE FROM customer_gateway WHERE project_id = ?1 AND id = ?2",
    [SQ_VGW_LIST] = "SELECT project_id, id, status, enterprise_project_id, connection_number, "
                    "used_connection_number, created_at, updated_at, spec FROM vpn_gateway "
                    "WHERE project_id = ?1 ORDER BY created_at DESC, id DESC",
    /* kept by triggers (schema 3), one row per project and kind */
    [SQ_PROJECT_COUNTS] =
        "SELECT (SELECT coalesce(sum(n), 0) FROM project_count WHERE project_id = ?1 AND kind = 0),"
        " (SELECT coalesce(sum(n), 0) FROM project_count WHERE project_id = ?1 AND kind = 1),"
        " (SELECT coalesce(sum(n), 0) FROM conn_count WHERE project_id = ?1)",
    /* in enum store_res_type order: vpn-gateway, customer-gateway, vpn-connection */
    [SQ_TAG_SYNC_FIRST] = SQ_TAG_SYNC_SQL("vpn_gateway"),
    SQ_TAG_SYNC_SQL("customer_gateway"),
    SQ_TAG_SYNC_SQL("vpn_connection"),
    /* customer gateway pages through customer_gateway_by_created */
    [SQ_CGW_LIST] = "SELECT project_id, id, created_at, updated_at, spec FROM customer_gateway "
                    "WHERE project_id = ?1 AND (created_at, id) < (?2, ?3) "
                    "ORDER BY created_at DESC, id DESC LIMIT ?4",
    [SQ_CGW_LIST_ONE] = "SELECT project_id, id, created_at, updated_at, spec FROM customer_gateway "
                        "WHERE project_id = ?1 AND id = ?5 AND (created_at, id) < (?2, ?3) "
                        "LIMIT ?4",
    [SQ_CGW_COUNT] = "SELECT count(*) FROM customer_gateway "
                     "WHERE project_id = ?1 AND (?2 IS NULL OR id = ?2)",
    [SQ_CGW_UPDATE] = "UPDATE customer_gateway SET updated_at = ?3, spec = ?4 "
                      "WHERE project_id = ?1 AND id = ?2",
    [SQ_VGW_UPDATE] = "UPDATE vpn_gateway SET status = ?4, status_due = ?5, connection_number = ?6, "
                      "updated_at = ?7, spec = ?8 WHERE project_id = ?1 AND id = ?2 AND status = ?3",
    [SQ_VGW_CAPACITY] = "SELECT status, used_connection_number FROM vpn_gateway "
                        "WHERE project_id = ?1 AND id = ?2",
    [SQ_VGW_IP_USERS] = "SELECT count(*) FROM vpn_connection "
                        "WHERE project_id = ?1 AND vgw_id = ?2 AND vgw_ip = ?3",
};

static void sq_close(struct store *s)
{
    struct sq_store *q = sq_from(s);

    store_sqlite_bulk_free(q); /* a bulk load left open is rolled back by the close */
    if (q->group != SQ_GROUP_OFF) /* a group left open: kept as if ended (close commits) */
        (void)store_sqlite_group_end(s);
    store_sqlite_batch_free(q);
    store_sqlite_ckpt_free(q);
    for (size_t i = 0; i < SQ_N_STMT; i++)
        sqlite3_finalize(q->stmt[i]);
    for (size_t i = 0; i < q->n_once; i++)
        sqlite3_finalize(q->once[i]);
    free(q->once);
    sqlite3_close(q->db); /* every statement is finalized: cannot be SQLITE_BUSY */
    store_sqlite_zip_free(q);
    free(q);
}

static const char *sq_errmsg(struct store *s)
{
    return sq_from(s)->errmsg;
}

static int sq_schema_version(struct store *s)
{
    return sq_from(s)->schema_version;
}

/* store_set_sync: synchronous=FULL syncs the WAL at every commit (a group's commit under group
 * commit), before the answers held for it go out. */
static int sq_set_sync(struct store *s, bool full)
{
    struct sq_store *q = sq_from(s);
    int rc = sqlite3_exec(q->db, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                          NULL, NULL, NULL);

    return rc == SQLITE_OK ? 0 : store_sqlite_fail(q, rc, "set synchronous");
}

static const struct store_ops sq_ops = {
    .name = "sqlite",
    .close = sq_close,
    .read_batch = store_sqlite_read_batch,
    .set_sync = sq_set_sync,
    .compact = store_sqlite_compact,
    .group_begin = store_sqlite_group_begin,
    .group_pending = store_sqlite_group_pending,
    .group_end = store_sqlite_group_end,
    .errmsg = sq_errmsg,
    .schema_version = sq_schema_version,
    .vgw_insert = store_sqlite_vgw_insert,
    .vgw_get = store_sqlite_vgw_get,
    .cgw_insert = store_sqlite_cgw_insert,
    .cgw_get = store_sqlite_cgw_get,
    .conn_insert = store_sqlite_conn_insert,
    .conn_get_doc = store_sqlite_conn_get_doc,
    .conn_get = store_sqlite_conn_get,
    .conn_update = store_sqlite_conn_update,
    .conn_delete = store_sqlite_conn_delete,
    .conn_list = store_sqlite_conn_list,
    .claims_list = store_sqlite_claims_list,
    .due_list = store_sqlite_due_list,
    .vgw_set_status = store_sqlite_vgw_set_status,
    .vgw_delete = store_sqlite_vgw_delete,
    .cgw_delete = store_sqlite_cgw_delete,
    .project_counts = store_sqlite_project_counts,
    .vgw_list = store_sqlite_vgw_list,
    .conn_insert_batch = store_sqlite_conn_insert_batch,
    .conn_update_if = store_sqlite_conn_update_if,
    .conn_set_status = store_sqlite_conn_set_status,
    .conn_delete_if = store_sqlite_conn_delete_if,
    .conn_events = store_sqlite_conn_events,
    .monitor_insert = store_sqlite_monitor_insert,
    .monitor_get = store_sqlite_monitor_get,
    .monitor_list = store_sqlite_monitor_list,
    .monitor_delete = store_sqlite_monitor_delete,
    .monitor_due_list = store_sqlite_monitor_due_list,
    .monitor_set_status = store_sqlite_monitor_set_status,
    .tags_get = store_sqlite_tags_get,
    .tags_project = store_sqlite_tags_project,
    .tags_write_spec = store_sqlite_tags_write_spec,
    .tags_filter = store_sqlite_tags_filter,
    .cgw_list = store_sqlite_cgw_list,
    .cgw_update = store_sqlite_cgw_update,
    .vgw_update = store_sqlite_vgw_update,
    .bulk_begin = store_sqlite_bulk_begin,
    .bulk_end = store_sqlite_bulk_end,
    .dump = store_sqlite_dump,
    .vgw_conns_stamp = store_sqlite_vgw_conns_stamp,
    .bulk_batch = store_sqlite_bulk_batch,
    .bulk_undo = store_sqlite_bulk_undo,
    .leases_take = store_sqlite_leases_take,
    .lease_get = store_sqlite_lease_get,
    .ctl_get = store_sqlite_ctl_get,
    .ctl_list = store_sqlite_ctl_list,
    .ctl_put = store_sqlite_ctl_put,
    .ctl_delete = store_sqlite_ctl_delete,
    .ctl_add = store_sqlite_ctl_add,
    .reset = store_sqlite_reset,
    .ping = store_sqlite_ping,
};

static int sq_prepare(struct sq_store *q, size_t from, size_t to, char *errbuf, size_t errlen)
{
    for (size_t i = from; i < to; i++) {
        int rc = sqlite3_prepare_v3(q->db, store_sqlite_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                    &q->stmt[i], NULL);
        if (rc != SQLITE_OK) {
            int r = store_sqlite_fail(q, rc, "prepare");
            snprintf(errbuf, errlen, "%s", q->errmsg);
            return r;
        }
    }
    return 0;
}

/* Sets the per-connection options and pragmas; see the head comment on durability. */
static int sq_configure(struct sq_store *q, bool memory, char *errbuf, size_t errlen)
{
    static const char pragmas[] = "PRAGMA foreign_keys = ON;"
                                  "PRAGMA synchronous = NORMAL;"
                                  /* 16 MiB page cache per handle: the docs of ~8000
                                   * connections stay in memory for the hot GET path */
                                  "PRAGMA cache_size = -16384;"
                                  /* statement journals (a multi-row write inside a
                                   * transaction) in memory, not a temp file per write */
                                  "PRAGMA temp_store = MEMORY;"
                                  /* the WAL file is cut back to this each time it starts
                                   * over (sq_checkpoint.c: the disk space the store needs) */
                                  "PRAGMA journal_size_limit = " SQ_STR(SQ_WAL_KEEP_BYTES) ";";
    sqlite3_stmt *st = NULL;
    const char *mode;
    int rc;

    sqlite3_extended_result_codes(q->db, 1);
    sqlite3_busy_timeout(q->db, SQ_BUSY_TIMEOUT_MS);
    sqlite3_db_config(q->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(q->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    rc = store_sqlite_register_key(q->db); /* before the migrations: one of them calls it */
    if (rc == SQLITE_OK)
        rc = store_sqlite_register_zip(q); /* the same */
    if (rc != SQLITE_OK) {
        int r = store_sqlite_fail(q, rc, "register SQL functions");
        snprintf(errbuf, errlen, "%s", q->errmsg);
        return r;
    }
    rc = sqlite3_prepare_v2(q->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        int r = store_sqlite_fail(q, rc, "set journal_mode");
        snprintf(errbuf, errlen, "%s", q->errmsg);
        sqlite3_finalize(st);
        return r;
    }
    mode = (const char *)sqlite3_column_text(st, 0);
    if (!memory && (!mode || strcmp(mode, "wal") != 0)) {
        snprintf(errbuf, errlen, "cannot enable WAL journal mode (got \"%s\")", mode ? mode : "?");
        sqlite3_finalize(st);
        return -EIO;
    }
    sqlite3_finalize(st);
    rc = sqlite3_exec(q->db, pragmas, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        int r = store_sqlite_fail(q, rc, "set pragmas");
        snprintf(errbuf, errlen, "%s", q->errmsg);
        return r;
    }
    if (!memory)
        store_sqlite_ckpt_init(q);
    return 0;
}

int store_sqlite_open(const char *path, struct store **ret, char *errbuf, size_t errlen)
{
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    struct sq_store *q;
    int rc, r;

    /* No memory statistics (nothing reads them): each of SQLite's allocations then takes no
     * global mutex, a few hundred instructions per GET. Only before SQLite initializes (the first
     * open); afterwards the call is refused and changes nothing. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    q = calloc(1, sizeof(*q));
    errbuf[0] = '\0';
    if (!q) {
        snprintf(errbuf, errlen, "out of memory");
        return -ENOMEM;
    }
    q->base.ops = &sq_ops;
    rc = sqlite3_open_v2(path, &q->db, flags, NULL);
    if (rc != SQLITE_OK) {
        r = q->db ? store_sqlite_fail(q, rc, "open") : -ENOMEM;
        snprintf(errbuf, errlen, "cannot open SQLite database \"%s\": %s", path,
                 q->db ? sqlite3_errmsg(q->db) : "out of memory");
        goto out_close;
    }
    r = sq_configure(q, strcmp(path, ":memory:") == 0, errbuf, errlen);
    if (r < 0)
        goto out_close;
    r = sq_prepare(q, 0, SQ_FIRST_TABLE_STMT, errbuf, errlen);
    if (r < 0)
        goto out_close;
    r = store_sqlite_migrate(q, errbuf, errlen);
    if (r == 0)
        r = store_sqlite_zip_init(q, errbuf, errlen);
    if (r < 0)
        goto out_close;
    r = sq_prepare(q, SQ_FIRST_TABLE_STMT, SQ_N_STMT, errbuf, errlen);
    if (r < 0)
        goto out_close;
    *ret = &q->base;
    return 0;

out_close:
    sq_close(&q->base);
    return r;
}

int store_sqlite_fail(struct sq_store *q, int rc, const char *what)
{
    int r;

    q->last_fail_rc = rc;
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        r = -EBUSY;
        break;
    case SQLITE_NOMEM:
        r = -ENOMEM;
        break;
    case SQLITE_FULL: /* a write of the database or its WAL met a full disk; rolled back */
        r = -ENOSPC;
        break;
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
            r = -EEXIST;
        else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
            r = -ENOENT;
        else
            r = -EIO;
        break;
    default:
        r = -EIO;
        break;
    }
    /* SQLite messages name tables, columns and constraints, never bound values: no secrets */
    if (r == -ENOSPC)
        snprintf(q->errmsg, sizeof(q->errmsg),
                 "%s: no space left on the disk of %s (free at least %d MiB there: the WAL and "
                 "the database file grow by up to that much beyond the data)",
                 what, q->db ? sqlite3_db_filename(q->db, "main") : "the store",
                 STORE_SQLITE_HEADROOM_MIB);
    else
        snprintf(q->errmsg, sizeof(q->errmsg), "%s: %s (sqlite %d)", what,
                 q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc), rc);
    return r;
}

int store_sqlite_corrupt(struct sq_store *q, const char *what, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(q->errmsg, sizeof(q->errmsg), "%s: ", what);

    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof(q->errmsg))
        vsnprintf(q->errmsg + n, sizeof(q->errmsg) - (size_t)n, fmt, ap);
    va_end(ap);
    return -EIO;
}

static int sq_step_tx(struct sq_store *q, enum sq_stmt id, const char *what)
{
    _cleanup_(store_sqlite_stmt_donep) sqlite3_stmt *st = store_sqlite_stmt(q, id);

    return store_sqlite_exec(q, st, what);
}

/* Starts an op's savepoint in the group (sq_group.c); the group's first write opens it. */
static int sq_group_op_begin(struct sq_store *q, const char *what)
{
    int r = store_sqlite_group_tx(q, SQ_GROUP_SAVEPOINT, what);

    q->group_op = r == 0;
    return r;
}

int store_sqlite_begin(struct sq_store *q, const char *what)
{
    if (q->bulk)
        return store_sqlite_bulk_tx(q, SQ_BULK_SAVEPOINT, what);
    if (q->group != SQ_GROUP_OFF)
        return sq_group_op_begin(q, what);
    return sq_step_tx(q, SQ_BEGIN, what);
}

int store_sqlite_begin_read(struct sq_store *q, const char *what)
{
    if (q->bulk)
        return store_sqlite_bulk_tx(q, SQ_BULK_SAVEPOINT, what);
    if (store_sqlite_group_pending(&q->base)) /* a read after the group's first write */
        return sq_group_op_begin(q, what);
    return sq_step_tx(q, SQ_BEGIN_READ, what);
}

int store_sqlite_commit(struct sq_store *q, const char *what)
{
    if (q->bulk)
        return store_sqlite_bulk_tx(q, SQ_BULK_RELEASE, what);
    if (q->group_op) {
        q->group_op = false;
        return store_sqlite_group_tx(q, SQ_GROUP_RELEASE, what);
    }
    return sq_step_tx(q, SQ_COMMIT, what);
}

void store_sqlite_rollback(struct sq_store *q)
{
    if (q->bulk) {
        (void)store_sqlite_bulk_tx(q, SQ_BULK_ROLLBACK_TO, "rollback");
    } else if (q->group_op) {
        q->group_op = false;
        (void)store_sqlite_group_tx(q, SQ_GROUP_ROLLBACK_TO, "rollback");
    } else if (!sqlite3_get_autocommit(q->db) && q->group != SQ_GROUP_OPEN) {
        (void)sq_step_tx(q, SQ_ROLLBACK, "rollback");
    }
}

int store_sqlite_prepare_once(struct sq_store *q, const char *sql, sqlite3_stmt **ret,
                              const char *what)
{
    sqlite3_stmt *st = NULL;
    int rc;

    *ret = NULL;
    for (size_t i = 0; i < q->n_once; i++) {
        if (!sqlite3_stmt_busy(q->once[i]) && strcmp(sqlite3_sql(q->once[i]), sql) == 0) {
            *ret = q->once[i];
            return 0;
        }
    }
    if (q->n_once == q->cap_once) {
        size_t cap = q->cap_once ? 2 * q->cap_once : 32;
        sqlite3_stmt **n = realloc(q->once, cap * sizeof(*n));
        if (!n)
            return -ENOMEM;
        q->once = n;
        q->cap_once = cap;
    }
    rc = sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(st);
        return store_sqlite_fail(q, rc, what);
    }
    q->once[q->n_once++] = st;
    *ret = st;
    return 0;
}

void store_sqlite_stmt_donep(sqlite3_stmt **p)
{
    if (!*p)
        return;
    (void)sqlite3_reset(*p);
    (void)sqlite3_clear_bindings(*p);
}

int store_sqlite_bind(struct sq_store *q, sqlite3_stmt *st, const char *what, const char *types,
                      ...)
{
    va_list ap;
    int rc = SQLITE_OK;

    va_start(ap, types);
    for (int i = 0; rc == SQLITE_OK && types[i]; i++) {
        if (types[i] == 's') {
            const char *s = va_arg(ap, const char *);
            rc = s ? sqlite3_bind_text(st, i + 1, s, -1, SQLITE_STATIC)
                   : sqlite3_bind_null(st, i + 1);
        } else if (types[i] == 'z') {
            rc = store_sqlite_bind_json(q, st, i + 1, va_arg(ap, const char *));
        } else {
            rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
        }
    }
    va_end(ap);
    return rc == SQLITE_OK ? 0 : store_sqlite_fail(q, rc, what);
}

int store_sqlite_col_copy(struct sq_store *q, sqlite3_stmt *st, int col, char *dst, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);

    if (!t && sqlite3_errcode(q->db) == SQLITE_NOMEM)
        return -ENOMEM;
    if (!t)
        n = 0;
    if (n >= size)
        return store_sqlite_corrupt(q, "read row", "column %s holds %zu bytes, at most %zu fit",
                                    sqlite3_column_name(st, col), n, size - 1);
    if (n)
        memcpy(dst, t, n);
    dst[n] = '\0';
    return 0;
}

int store_sqlite_col_dup(struct sq_store *q, sqlite3_stmt *st, int col, char **ret)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    char *p;

    if (!t && sqlite3_errcode(q->db) == SQLITE_NOMEM)
        return -ENOMEM;
    p = malloc(n + 1);
    if (!p)
        return -ENOMEM;
    if (n)
        memcpy(p, t, n);
    p[n] = '\0';
    *ret = p;
    return 0;
}

int store_sqlite_exec(struct sq_store *q, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    return store_sqlite_fail(q, rc, what);
}
