/* store/postgres/pg_open.c: opening and closing the PostgreSQL backend, its statement table, and
 * the helpers the operations share (parameters, error mapping, transactions with retry,
 * reconnects, column reads).
 *
 * Durability is the server's: a commit is acknowledged once PostgreSQL reports it committed
 * (synchronous_commit as configured on the server; the default flushes the WAL first).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/postgres/pg_int.h"
#include "store/postgres/store_postgres.h"
#include "util/log.h"

#define PG_STMT_NAME_LEN 24 /* "vpnd_" and a statement number */

#define PG_CONN_COLS                                                                               \
    "project_id, id, vgw_id, cgw_id, vgw_ip, enterprise_project_id, status, status_due, "          \
    "created_at, updated_at, spec, doc"
#define PG_CONN_FILTER                                                                             \
    "project_id = $1 AND ($2::text IS NULL OR vgw_id = $2) AND ($3::text IS NULL OR vgw_ip = $3) " \
    "AND ($4::text[] IS NULL OR enterprise_project_id = ANY ($4::text[]))"
#define PG_MONITOR_COLS                                                                            \
    "project_id, id, vpn_connection_id, enterprise_project_id, status, source_ip, "               \
    "destination_ip, created_at, status_due"
#define PG_VGW_COLS                                                                                \
    "project_id, id, status, enterprise_project_id, connection_number, used_connection_number, "   \
    "created_at, updated_at, spec"

const char *const store_postgres_sql[PG_N_STMT] = {
    [PG_VGW_INSERT] = "INSERT INTO vpn_gateway (project_id, id, status, enterprise_project_id, "
                      "connection_number, used_connection_number, created_at, updated_at, spec, "
                      "status_due) VALUES ($1, $2, $3, $4, $5::bigint, 0, $6::bigint, $7::bigint, "
                      "$8, $9::bigint)",
    [PG_VGW_GET] = "SELECT " PG_VGW_COLS " FROM vpn_gateway WHERE project_id = $1 AND id = $2",
    [PG_VGW_EXISTS] = "SELECT status FROM vpn_gateway WHERE project_id = $1 AND id = $2",
    /* the row lock this takes serializes every writer of the gateway's counter (and a gateway
     * update, which locks the row too), and READ COMMITTED re-checks the condition on the
     * newest row version after waiting for it */
    [PG_VGW_USE] = "UPDATE vpn_gateway SET used_connection_number = used_connection_number + 1 "
                   "WHERE project_id = $1 AND id = $2 AND status = 'ACTIVE' "
                   "AND used_connection_number < connection_number",
    [PG_VGW_RELEASE] = "UPDATE vpn_gateway SET used_connection_number = used_connection_number - 1 "
                       "WHERE project_id = $1 AND id = $2 AND used_connection_number > 0",
    [PG_VGW_LOCK_USED] = "SELECT used_connection_number FROM vpn_gateway "
                         "WHERE project_id = $1 AND id = $2 FOR UPDATE",
    [PG_VGW_DELETE] = "DELETE FROM vpn_gateway WHERE project_id = $1 AND id = $2",
    [PG_VGW_LIST] = "SELECT " PG_VGW_COLS " FROM vpn_gateway WHERE project_id = $1 "
                    "ORDER BY created_at DESC, id DESC",
    /* compare-and-set: only the node that still sees the old status moves it */
    [PG_VGW_SET_STATUS] = "UPDATE vpn_gateway SET status = $4, status_due = $5::bigint, "
                          "updated_at = $6::bigint WHERE project_id = $1 AND id = $2 "
                          "AND status = $3",
    [PG_CGW_INSERT] = "INSERT INTO customer_gateway (project_id, id, created_at, updated_at, spec) "
                      "VALUES ($1, $2, $3::bigint, $4::bigint, $5)",
    [PG_CGW_GET] = "SELECT project_id, id, created_at, updated_at, spec FROM customer_gateway "
                   "WHERE project_id = $1 AND id = $2",
    [PG_CGW_LOCK] = "SELECT 1 FROM customer_gateway WHERE project_id = $1 AND id = $2 FOR UPDATE",
    [PG_CGW_USERS] = "SELECT count(*) FROM vpn_connection WHERE project_id = $1 AND cgw_id = $2",
    [PG_CGW_DELETE] = "DELETE FROM customer_gateway WHERE project_id = $1 AND id = $2",
    [PG_CONN_INSERT] = "INSERT INTO vpn_connection (" PG_CONN_COLS ") VALUES ($1, $2, $3, $4, $5, "
                       "$6, $7, $8::bigint, $9::bigint, $10::bigint, $11, $12)",
    [PG_CONN_GET_DOC] = "SELECT doc, status FROM vpn_connection WHERE project_id = $1 AND id = $2",
    [PG_CONN_GET] = "SELECT " PG_CONN_COLS " FROM vpn_connection WHERE project_id = $1 AND id = $2",
    [PG_CONN_UPDATE] = "UPDATE vpn_connection SET status = $3, status_due = $4::bigint, "
                       "updated_at = $5::bigint, spec = $6, doc = $7, cgw_id = $8 "
                       "WHERE project_id = $1 AND id = $2",
    [PG_CONN_DELETE] = "DELETE FROM vpn_connection WHERE project_id = $1 AND id = $2 "
                       "RETURNING vgw_id",
    [PG_CONN_LIST] = "SELECT doc, status, created_at, id FROM vpn_connection WHERE " PG_CONN_FILTER
                     " AND (created_at, id) < ($5::bigint, $6::text) "
                     "ORDER BY created_at DESC, id DESC LIMIT $7::bigint",
    /* a gateway filter bounds the count to one gateway's connections (its index) */
    [PG_CONN_COUNT_BY_VGW] = "SELECT count(*) FROM vpn_connection WHERE project_id = $1 "
                             "AND vgw_id = $2 AND ($3::text IS NULL OR vgw_ip = $3) "
                             "AND ($4::text[] IS NULL OR enterprise_project_id = ANY ($4::text[]))",
    [PG_CLAIM_INSERT] = "INSERT INTO claim (kind, value, owner_id) VALUES ($1, $2, $3)",
    [PG_CLAIM_RELEASE] = "DELETE FROM claim WHERE owner_id = $1",
    [PG_CLAIMS_LIST] = "SELECT value FROM claim WHERE kind = $1 ORDER BY value",
    [PG_DUE_LIST] = "SELECT 0, project_id, id, status, status_due FROM vpn_gateway "
                    "WHERE status_due > 0 AND status_due <= $1::bigint "
                    "UNION ALL SELECT 1, project_id, id, status, status_due FROM vpn_connection "
                    "WHERE status_due > 0 AND status_due <= $1::bigint ORDER BY 5 LIMIT $2::bigint",
    /* kept by triggers (schema 8 and 7), one row per project and kind */
    /* The count is read under a transaction-scoped advisory lock on (project, kind), so racing
     * inserts of one project (on any node) are counted one after the other; kind 0 gateways, 1
     * customer gateways (project_count), 2 connections (conn_count). */
    [PG_QUOTA_USED] =
        "SELECT pg_advisory_xact_lock(hashtext('vpnd-quota:' || $1 || ':' || $2::int)), "
        "CASE WHEN $2::int = 2 THEN (SELECT coalesce(sum(n), 0) FROM conn_count "
        "WHERE project_id = $1) ELSE (SELECT coalesce(sum(n), 0) FROM project_count "
        "WHERE project_id = $1 AND kind = $2::int) END",
    [PG_PROJECT_COUNTS] =
        "SELECT (SELECT coalesce(sum(n), 0) FROM project_count WHERE project_id = $1 AND kind = 0),"
        " (SELECT coalesce(sum(n), 0) FROM project_count WHERE project_id = $1 AND kind = 1),"
        " (SELECT coalesce(sum(n), 0) FROM conn_count WHERE project_id = $1)",
    /* the page when vgw_id / vgw_ip is given, spelled so that the planner walks
     * vpn_connection_by_vgw_created / _by_vgw_ip_created in order */
    [PG_CONN_LIST_BY_VGW] = "SELECT doc, status, created_at, id FROM vpn_connection WHERE "
                            "project_id = $1 AND vgw_id = $2 AND ($3::text IS NULL OR vgw_ip = $3) "
                            "AND ($4::text[] IS NULL OR enterprise_project_id = ANY ($4::text[])) "
                            "AND (created_at, id) < ($5::bigint, $6::text) "
                            "ORDER BY created_at DESC, id DESC LIMIT $7::bigint",
    [PG_CONN_LIST_BY_VGW_IP] = "SELECT doc, status, created_at, id FROM vpn_connection WHERE "
                               "project_id = $1 AND vgw_ip = $3 AND ($2::text IS NULL OR vgw_id = $2) "
                               "AND ($4::text[] IS NULL OR enterprise_project_id = ANY ($4::text[])) "
                               "AND (created_at, id) < ($5::bigint, $6::text) "
                               "ORDER BY created_at DESC, id DESC LIMIT $7::bigint",
    [PG_CONN_TOTAL] = "SELECT coalesce(sum(n), 0) FROM conn_count WHERE project_id = $1 "
                      "AND ($2::text[] IS NULL OR enterprise_project_id = ANY ($2::text[]))",
    [PG_CONN_COUNT_BY_VGW_IP] = "SELECT count(*) FROM vpn_connection WHERE project_id = $1 "
                                "AND vgw_ip = $3 AND ($2::text IS NULL OR vgw_id = $2) "
                                "AND ($4::text[] IS NULL OR enterprise_project_id = ANY ($4::text[]))",
    /* compare-and-set: READ COMMITTED re-evaluates the WHERE clause on the newest version of a
     * row another transaction changed meanwhile, so of two writers that read the same row the
     * second updates nothing */
    [PG_CONN_CAS] = "UPDATE vpn_connection SET status = $3, status_due = $4::bigint, "
                    "updated_at = $5::bigint, spec = $6, doc = $7, cgw_id = $8 "
                    "WHERE project_id = $1 AND id = $2 AND status = $9 "
                    "AND ($10::text IS NULL OR spec = $10)",
    [PG_CONN_SET_STATUS] = "UPDATE vpn_connection SET status = $3, status_due = $4::bigint "
                           "WHERE project_id = $1 AND id = $2 AND status = $5 "
                           "AND ($6::bigint < 0 OR status_due = $6::bigint)",
    [PG_CONN_DELETE_IF] = "DELETE FROM vpn_connection WHERE project_id = $1 AND id = $2 "
                          "AND status = $3 RETURNING vgw_id",
    [PG_CONN_EXISTS] = "SELECT 1 FROM vpn_connection WHERE project_id = $1 AND id = $2",
    [PG_EVENT_INSERT] = "INSERT INTO connection_event (project_id, connection_id, at, message) "
                        "VALUES ($1, $2, $3::bigint, $4)",
    [PG_EVENTS_LIST] = "SELECT at, message FROM connection_event "
                       "WHERE project_id = $1 AND connection_id = $2 ORDER BY seq",
    [PG_MONITOR_INSERT] = "INSERT INTO connection_monitor (" PG_MONITOR_COLS ") "
                          "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint, $9::bigint)",
    [PG_MONITOR_GET] = "SELECT " PG_MONITOR_COLS " FROM connection_monitor "
                       "WHERE project_id = $1 AND id = $2",
    [PG_MONITOR_LIST] = "SELECT " PG_MONITOR_COLS " FROM connection_monitor WHERE project_id = $1 "
                        "AND ($2::text IS NULL OR vpn_connection_id = $2) "
                        "AND ($3::text[] IS NULL OR enterprise_project_id = ANY ($3::text[])) "
                        "ORDER BY created_at DESC, id DESC",
    [PG_MONITOR_DELETE] = "DELETE FROM connection_monitor WHERE project_id = $1 AND id = $2 "
                          "AND vpn_connection_id = $3",
    [PG_MONITOR_DUE_LIST] = "SELECT project_id, id, status, status_due FROM connection_monitor "
                            "WHERE status_due > 0 AND status_due <= $1::bigint "
                            "ORDER BY status_due LIMIT $2::bigint",
    [PG_MONITOR_SET_STATUS] = "UPDATE connection_monitor SET status = $4, status_due = $5::bigint "
                              "WHERE project_id = $1 AND id = $2 AND status = $3",
    [PG_TAG_RESOURCE_EXISTS] = "SELECT 1 FROM tag_resource WHERE project_id = $1 "
                               "AND resource_type = $2 AND resource_id = $3",
    [PG_TAGS_GET] = "SELECT key, value FROM tag WHERE project_id = $1 AND resource_type = $2 "
                    "AND resource_id = $3 ORDER BY key",
    [PG_TAGS_PROJECT] = "SELECT DISTINCT key, value FROM tag WHERE project_id = $1 "
                        "AND resource_type = $2 ORDER BY key, value",
    [PG_CGW_LIST] = "SELECT project_id, id, created_at, updated_at, spec FROM customer_gateway "
                    "WHERE project_id = $1 AND (created_at, id) < ($2::bigint, $3::text) "
                    "ORDER BY created_at DESC, id DESC LIMIT $4::bigint",
    [PG_CGW_LIST_ONE] = "SELECT project_id, id, created_at, updated_at, spec FROM customer_gateway "
                        "WHERE project_id = $1 AND id = $5 "
                        "AND (created_at, id) < ($2::bigint, $3::text) LIMIT $4::bigint",
    [PG_CGW_COUNT] = "SELECT count(*) FROM customer_gateway "
                     "WHERE project_id = $1 AND ($2::text IS NULL OR id = $2)",
    [PG_CGW_UPDATE] = "UPDATE customer_gateway SET updated_at = $3::bigint, spec = $4 "
                      "WHERE project_id = $1 AND id = $2",
    /* a gateway update locks the row: connection inserts (which update its counter) wait */
    [PG_VGW_LOCK_STATE] = "SELECT status, used_connection_number FROM vpn_gateway "
                          "WHERE project_id = $1 AND id = $2 FOR NO KEY UPDATE",
    [PG_VGW_IP_USERS] = "SELECT count(*) FROM vpn_connection "
                        "WHERE project_id = $1 AND vgw_id = $2 AND vgw_ip = $3",
    [PG_VGW_UPDATE] = "UPDATE vpn_gateway SET status = $4, status_due = $5::bigint, "
                      "connection_number = $6::bigint, updated_at = $7::bigint, spec = $8 "
                      "WHERE project_id = $1 AND id = $2 AND status = $3",
    [PG_CTL_GET] = "SELECT value, n FROM control WHERE key = $1",
};

static void pg_close(struct store *s)
{
    struct pg_store *p = pg_from(s);

    if (p->group != PG_GROUP_OFF) /* a group left open: kept as if ended */
        (void)store_postgres_group_end(s);
    PQfinish(p->conn);
    free(p);
}

static const char *pg_errmsg(struct store *s)
{
    return pg_from(s)->errmsg;
}

static int pg_schema_version(struct store *s)
{
    return pg_from(s)->schema_version;
}

/* Every read takes a fresh snapshot: with several nodes writing, a snapshot shared across
 * requests could serve another node's superseded write (store.h "read batching"). */
static void pg_read_batch(struct store *s, bool on)
{
    (void)s;
    (void)on;
}

static const struct store_ops pg_ops = {
    .name = "postgres",
    .close = pg_close,
    .errmsg = pg_errmsg,
    .schema_version = pg_schema_version,
    .vgw_insert = store_postgres_vgw_insert,
    .vgw_get = store_postgres_vgw_get,
    .cgw_insert = store_postgres_cgw_insert,
    .cgw_get = store_postgres_cgw_get,
    .conn_insert = store_postgres_conn_insert,
    .conn_get_doc = store_postgres_conn_get_doc,
    .conn_get = store_postgres_conn_get,
    .conn_update = store_postgres_conn_update,
    .conn_delete = store_postgres_conn_delete,
    .conn_list = store_postgres_conn_list,
    .claims_list = store_postgres_claims_list,
    .vgw_list = store_postgres_vgw_list,
    .vgw_delete = store_postgres_vgw_delete,
    .cgw_delete = store_postgres_cgw_delete,
    .project_counts = store_postgres_project_counts,
    .due_list = store_postgres_due_list,
    .vgw_set_status = store_postgres_vgw_set_status,
    .conn_insert_batch = store_postgres_conn_insert_batch,
    .conn_update_if = store_postgres_conn_update_if,
    .conn_set_status = store_postgres_conn_set_status,
    .vgw_conns_stamp = store_postgres_vgw_conns_stamp,
    .leases_take = store_postgres_leases_take,
    .lease_get = store_postgres_lease_get,
    .conn_delete_if = store_postgres_conn_delete_if,
    .conn_events = store_postgres_conn_events,
    .monitor_insert = store_postgres_monitor_insert,
    .monitor_get = store_postgres_monitor_get,
    .monitor_list = store_postgres_monitor_list,
    .monitor_delete = store_postgres_monitor_delete,
    .monitor_due_list = store_postgres_monitor_due_list,
    .monitor_set_status = store_postgres_monitor_set_status,
    .tags_get = store_postgres_tags_get,
    .tags_project = store_postgres_tags_project,
    .tags_write_spec = store_postgres_tags_write_spec,
    .tags_filter = store_postgres_tags_filter,
    .cgw_list = store_postgres_cgw_list,
    .cgw_update = store_postgres_cgw_update,
    .vgw_update = store_postgres_vgw_update,
    .bulk_begin = store_postgres_bulk_begin,
    .bulk_end = store_postgres_bulk_end,
    .dump = store_postgres_dump,
    .read_batch = pg_read_batch,
    .ctl_get = store_postgres_ctl_get,
    .ctl_list = store_postgres_ctl_list,
    .ctl_put = store_postgres_ctl_put,
    .ctl_delete = store_postgres_ctl_delete,
    .ctl_add = store_postgres_ctl_add,
    .reset = store_postgres_reset,
    .ping = store_postgres_ping,
    /* no bulk batches: every write of a bulk load is its own savepoint (pg_bulk.c) */
    .group_begin = store_postgres_group_begin,
    .group_pending = store_postgres_group_pending,
    .group_end = store_postgres_group_end,
};

/* Server notices (e.g. "schema already exists, skipping") are not errors: keep stderr clean. */
static void pg_notice_ignore(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The last line of a libpq message, without its trailing newline, into p->errmsg. */
static void pg_set_errmsg(struct pg_store *p, const char *what, const char *msg,
                          const char *sqlstate)
{
    size_t n = strlen(msg);

    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    if (sqlstate)
        snprintf(p->errmsg, sizeof(p->errmsg), "%s: %.*s (sqlstate %s)", what, (int)n, msg,
                 sqlstate);
    else
        snprintf(p->errmsg, sizeof(p->errmsg), "%s: %.*s", what, (int)n, msg);
    for (char *c = p->errmsg; *c; c++) {
        if (*c == '\n')
            *c = ' ';
    }
}

/* The server is one thread: a statement waiting forever on a lock another client holds (or
 * a session left in a transaction by a crashed peer) would stall every request. Unless the URL,
 * the role or the database already set them, a session gets limits: a statement gives up after
 * 15 s, a lock wait after 10 s (the request gets 500 with the documented body), and an idle
 * transaction is ended after 60 s. Bulk loads lift the statement limit for their transaction
 * (pg_bulk.c). Run after every (re)connect: a reset starts a new session. */
static const char *const pg_session_limits[][2] = {
    {"statement_timeout", "15s"},
    {"lock_timeout", "10s"},
    {"idle_in_transaction_session_timeout", "60s"},
};

int store_postgres_session_setup(struct pg_store *p)
{
    _cleanup_pgres_ PGresult *res = PQexec(p->conn, "SELECT current_setting('statement_timeout'), "
                                                    "current_setting('lock_timeout'), "
                                                    "current_setting('idle_in_transaction_"
                                                    "session_timeout')");
    char sql[256] = "";
    size_t len = 0;

    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) != 3)
        return store_postgres_corrupt(p, "session setup", "cannot read the session's timeouts");
    for (int i = 0; i < 3; i++) {
        if (strcmp(PQgetvalue(res, 0, i), "0") != 0)
            continue; /* set by the URL's options, the role or the database: theirs */
        int n = snprintf(sql + len, sizeof(sql) - len, "SET %s = '%s';",
                         pg_session_limits[i][0], pg_session_limits[i][1]);
        if (n > 0 && (size_t)n < sizeof(sql) - len)
            len += (size_t)n;
    }
    return len ? store_postgres_simple(p, sql, "session setup") : 0;
}

int store_postgres_open(const char *url, struct store **ret, char *errbuf, size_t errlen)
{
    /* A connect (and every reconnect, which reuses these) gives up after 5 s unless the URL says
     * otherwise: its own connect_timeout overrides this one. */
    const char *const keys[] = {"connect_timeout", "dbname", NULL};
    const char *const values[] = {"5", url, NULL};
    struct pg_store *p = calloc(1, sizeof(*p));
    int r;

    errbuf[0] = '\0';
    if (!p) {
        snprintf(errbuf, errlen, "out of memory");
        return -ENOMEM;
    }
    p->base.ops = &pg_ops;
    p->conn = PQconnectdbParams(keys, values, 1);
    if (!p->conn) {
        free(p);
        snprintf(errbuf, errlen, "out of memory");
        return -ENOMEM;
    }
    if (PQstatus(p->conn) != CONNECTION_OK) {
        pg_set_errmsg(p, "cannot connect to PostgreSQL", PQerrorMessage(p->conn), NULL);
        snprintf(errbuf, errlen, "%s", p->errmsg);
        pg_close(&p->base);
        return -EIO;
    }
    PQsetNoticeProcessor(p->conn, pg_notice_ignore, NULL);
    r = store_postgres_session_setup(p);
    if (r < 0) {
        snprintf(errbuf, errlen, "%s", p->errmsg);
        pg_close(&p->base);
        return r;
    }
    r = store_postgres_migrate(p, errbuf, errlen);
    if (r < 0) {
        pg_close(&p->base);
        return r;
    }
    *ret = &p->base;
    return 0;
}

void store_postgres_clearp(PGresult **p)
{
    PQclear(*p);
    *p = NULL;
}

int store_postgres_corrupt(struct pg_store *p, const char *what, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(p->errmsg, sizeof(p->errmsg), "%s: ", what);

    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof(p->errmsg))
        vsnprintf(p->errmsg + n, sizeof(p->errmsg) - (size_t)n, fmt, ap);
    va_end(ap);
    return -EIO;
}

/* Maps a failed result (or a NULL one: the connection or memory failed) to the contract. */
static int pg_fail(struct pg_store *p, const PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

    /* primary messages name constraints, never values (those are in DETAIL): no secrets */
    pg_set_errmsg(p, what, msg ? msg : PQerrorMessage(p->conn), state);
    if (!state)
        return res || PQstatus(p->conn) == CONNECTION_BAD ? -EIO : -ENOMEM;
    if (strcmp(state, "23505") == 0) /* unique_violation */
        return -EEXIST;
    if (strcmp(state, "23503") == 0) /* foreign_key_violation */
        return -ENOENT;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) /* serialization, deadlock */
        return PG_ERETRY;
    if (strcmp(state, "53300") == 0 || strcmp(state, "55P03") == 0) /* too many conns, lock */
        return -EBUSY;
    if (strcmp(state, "53100") == 0) /* disk_full */
        return -ENOSPC;
    return -EIO;
}

static int pg_params_fill(struct pg_params *pp, const char *types, va_list ap)
{
    pp->n = 0;
    for (int i = 0; types[i]; i++) {
        if (i >= PG_MAX_PARAMS)
            return -EINVAL;
        if (types[i] == 's') {
            pp->v[i] = va_arg(ap, const char *);
        } else {
            snprintf(pp->num[i], sizeof(pp->num[i]), "%lld", (long long)va_arg(ap, int64_t));
            pp->v[i] = pp->num[i];
        }
        pp->n = i + 1;
    }
    return 0;
}

static int pg_result(struct pg_store *p, PGresult *res, const char *what, PGresult **ret)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        *ret = res;
        return 0;
    }
    int r = pg_fail(p, res, what);
    PQclear(res);
    return r;
}

/* The name statement id is prepared under on a connection. */
static void pg_stmt_name(enum pg_stmt id, char name[PG_STMT_NAME_LEN])
{
    snprintf(name, PG_STMT_NAME_LEN, "vpnd_%d", (int)id);
}

static int pg_prepare(struct pg_store *p, enum pg_stmt id, const char *what)
{
    char name[PG_STMT_NAME_LEN];
    PGresult *res;
    int r;

    if (p->prepared[id])
        return 0;
    pg_stmt_name(id, name);
    res = PQprepare(p->conn, name, store_postgres_sql[id], 0, NULL);
    r = pg_result(p, res, what, &res);
    if (r < 0)
        return r;
    PQclear(res);
    p->prepared[id] = true;
    return 0;
}

/* Runs cached statement id with parameters pp; when the running op's savepoint is deferred
 * (pg_group.c), in one pipeline behind it: one round trip for both. */
static int pg_exec_params(struct pg_store *p, enum pg_stmt id, const char *what,
                          const struct pg_params *pp, PGresult **ret)
{
    char name[PG_STMT_NAME_LEN];
    int r;

    if (p->sp_deferred) {
        struct pg_pipe_stmt st = {id, what, *pp};
        PGresult *res = NULL;
        int err = 0;
        r = store_postgres_pipeline(p, &st, 1, &res, &err);
        if (r == 0 && err == 0) {
            *ret = res;
            return 0;
        }
        PQclear(res);
        return r < 0 ? r : err;
    }
    r = pg_prepare(p, id, what);
    if (r < 0)
        return r;
    pg_stmt_name(id, name);
    return pg_result(p, PQexecPrepared(p->conn, name, pp->n, pp->v, NULL, NULL, 0), what, ret);
}

static int pg_vquery(struct pg_store *p, enum pg_stmt id, const char *what, PGresult **ret,
                     const char *types, va_list ap)
{
    struct pg_params pp;
    int r = pg_params_fill(&pp, types, ap);

    return r < 0 ? r : pg_exec_params(p, id, what, &pp, ret);
}

int store_postgres_params(struct pg_params *pp, const char *types, ...)
{
    va_list ap;
    int r;

    va_start(ap, types);
    r = pg_params_fill(pp, types, ap);
    va_end(ap);
    return r;
}

/* Reads the results of a pipeline's statement i into res[i] / errs[i] (pipeline above). */
static int pg_pipe_read(struct pg_store *p, const struct pg_pipe_stmt *st, PGresult **res,
                        int *errs)
{
    PGresult *x = PQgetResult(p->conn);

    if (!x) /* the connection broke: the statement's results never came */
        return pg_fail(p, NULL, st->what);
    if (PQresultStatus(x) == PGRES_PIPELINE_ABORTED)
        PQclear(x); /* skipped after an earlier failure: errs stays -ECANCELED */
    else
        *errs = pg_result(p, x, st->what, res);
    while ((x = PQgetResult(p->conn)) != NULL) /* the statement's end (NULL) */
        PQclear(x);
    return 0;
}

int store_postgres_pipeline(struct pg_store *p, const struct pg_pipe_stmt *st, size_t n,
                            PGresult **res, int *errs)
{
    const struct pg_pipe_stmt savepoint = {PG_N_STMT, "savepoint", {0}};
    const char *sp[2];
    char name[PG_STMT_NAME_LEN];
    size_t sent = 0, n_sp = 0, sp_sent = 0;
    int r = 0;

    for (size_t i = 0; i < n; i++) {
        res[i] = NULL;
        errs[i] = -ECANCELED;
        if ((r = pg_prepare(p, st[i].id, st[i].what)) < 0)
            return r;
    }
    if (!PQenterPipelineMode(p->conn))
        return pg_fail(p, NULL, "pipeline");
    n_sp = store_postgres_savepoint_take(p, sp); /* the op's deferred savepoint goes first */
    while (sp_sent < n_sp && PQsendQueryParams(p->conn, sp[sp_sent], 0, NULL, NULL, NULL, NULL, 0))
        sp_sent++;
    for (; sp_sent == n_sp && sent < n; sent++) { /* never outside the op's savepoint */
        pg_stmt_name(st[sent].id, name);
        if (!PQsendQueryPrepared(p->conn, name, st[sent].pp.n, st[sent].pp.v, NULL, NULL, 0))
            break;
    }
    p->sp_lost = p->sp_lost || n_sp > 0; /* until its results say it was taken */
    if (!PQpipelineSync(p->conn)) {      /* nothing reached the server: the connection is gone */
        r = pg_fail(p, NULL, "pipeline");
        (void)PQexitPipelineMode(p->conn);
        return r;
    }
    /* every result up to the sync is read (or the connection broke): the connection leaves
     * pipeline mode with nothing pending */
    int taken = 0;
    for (size_t i = 0; r == 0 && i < sp_sent; i++) {
        PGresult *x = NULL;
        int e = -ECANCELED;
        r = pg_pipe_read(p, &savepoint, &x, &e);
        PQclear(x);
        taken += e == 0;
    }
    if (n_sp > 0 && r == 0 && (size_t)taken == n_sp)
        p->sp_lost = false;
    for (size_t i = 0; r == 0 && i < sent; i++)
        r = pg_pipe_read(p, &st[i], &res[i], &errs[i]);
    if (r == 0) {
        PGresult *sync = PQgetResult(p->conn);
        if (PQresultStatus(sync) != PGRES_PIPELINE_SYNC)
            r = pg_fail(p, NULL, "pipeline");
        PQclear(sync);
    }
    if (!PQexitPipelineMode(p->conn) && r == 0)
        r = pg_fail(p, NULL, "pipeline");
    if (r == 0 && p->sp_lost && n_sp > 0)
        r = store_postgres_corrupt(p, "savepoint", "the operation's savepoint was not taken");
    if (r == 0 && sent < n)
        r = pg_fail(p, NULL, st[sent].what);
    return r;
}

int store_postgres_query(struct pg_store *p, enum pg_stmt id, const char *what, PGresult **ret,
                         const char *types, ...)
{
    va_list ap;
    int r;

    va_start(ap, types);
    r = pg_vquery(p, id, what, ret, types, ap);
    va_end(ap);
    return r;
}

int store_postgres_exec(struct pg_store *p, enum pg_stmt id, const char *what,
                        int64_t *ret_affected, const char *types, ...)
{
    _cleanup_pgres_ PGresult *res = NULL;
    va_list ap;
    int r;

    va_start(ap, types);
    r = pg_vquery(p, id, what, &res, types, ap);
    va_end(ap);
    if (r == 0 && ret_affected)
        *ret_affected = store_postgres_affected(res);
    return r;
}

int store_postgres_query_sql(struct pg_store *p, const char *sql, const char *what, PGresult **ret,
                             const char *types, ...)
{
    struct pg_params pp;
    va_list ap;
    int r;

    va_start(ap, types);
    r = pg_params_fill(&pp, types, ap);
    va_end(ap);
    if (r == 0)
        r = store_postgres_savepoint_flush(p, what);
    if (r < 0)
        return r;
    if (pp.n == 0) /* the simple protocol: several statements allowed (migrations) */
        return pg_result(p, PQexec(p->conn, sql), what, ret);
    return pg_result(p, PQexecParams(p->conn, sql, pp.n, NULL, pp.v, NULL, NULL, 0), what, ret);
}

int store_postgres_query_sqlv(struct pg_store *p, const char *sql, const char *what,
                              PGresult **ret, int n, const char *const *values)
{
    int r = store_postgres_savepoint_flush(p, what);

    if (r < 0)
        return r;
    return pg_result(p, PQexecParams(p->conn, sql, n, NULL, values, NULL, NULL, 0), what, ret);
}

/* Makes sure the connection is up, resetting it if it broke. Inside a bulk load or an open
 * group a reset would lose their transaction: the op fails instead (and the group with it). */
static int pg_ensure(struct pg_store *p)
{
    if (PQstatus(p->conn) == CONNECTION_OK)
        return 0;
    if (p->bulk)
        return store_postgres_corrupt(p, "bulk load", "the connection to PostgreSQL broke");
    if (p->group == PG_GROUP_OPEN || p->group == PG_GROUP_BROKEN) {
        p->group = PG_GROUP_BROKEN;
        return store_postgres_corrupt(p, "group commit", "the connection to PostgreSQL broke");
    }
    PQreset(p->conn);
    memset(p->prepared, 0, sizeof(p->prepared));
    if (PQstatus(p->conn) == CONNECTION_OK)
        return store_postgres_session_setup(p);
    pg_set_errmsg(p, "reconnect to PostgreSQL", PQerrorMessage(p->conn), NULL);
    return -EIO;
}

struct pg_read {
    enum pg_stmt id;
    const char *what;
    const struct pg_params *pp;
    PGresult **ret;
};

static int pg_read_op(struct pg_store *p, void *ud)
{
    const struct pg_read *a = ud;

    *a->ret = NULL;
    return pg_exec_params(p, a->id, a->what, a->pp, a->ret);
}

int store_postgres_read(struct pg_store *p, enum pg_stmt id, const char *what, PGresult **ret,
                        const char *types, ...)
{
    struct pg_params pp;
    va_list ap;
    int r;

    va_start(ap, types);
    r = pg_params_fill(&pp, types, ap);
    va_end(ap);
    if (r < 0)
        return r;
    if (p->group == PG_GROUP_OPEN || p->group == PG_GROUP_BROKEN) {
        /* inside the group's transaction: its own savepoint, so a statement PostgreSQL refuses
         * (which aborts the transaction it is in) undoes only the read */
        struct pg_read a = {id, what, &pp, ret};
        return store_postgres_group_tx(p, PG_TX_READ_SNAPSHOT, what, pg_read_op, &a);
    }
    r = pg_ensure(p);
    if (r == 0)
        r = pg_exec_params(p, id, what, &pp, ret);
    if (r < 0 && PQstatus(p->conn) == CONNECTION_BAD && pg_ensure(p) == 0)
        r = pg_exec_params(p, id, what, &pp, ret);
    return r;
}

int store_postgres_simple(struct pg_store *p, const char *sql, const char *what)
{
    _cleanup_pgres_ PGresult *res = NULL;

    return store_postgres_query_sql(p, sql, what, &res, "");
}

static void pg_rollback(struct pg_store *p)
{
    PGTransactionStatusType ts = PQtransactionStatus(p->conn);

    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
        (void)store_postgres_simple(p, "ROLLBACK", "rollback");
}

void store_postgres_backoff(int attempt)
{
    /* 1, 2, 4, ... ms plus up to 1 ms of jitter, so two nodes that collided drift apart */
    long ns = (1L << attempt) * 1000000L + (long)(rand() % 1000) * 1000L;
    struct timespec ts = {.tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L};

    nanosleep(&ts, NULL);
}

/* One transaction of kind around fn with retries (store_postgres_tx); commit false leaves it
 * open after a success (a group's first write: pg_group.c commits it). */
static int pg_tx_run(struct pg_store *p, enum pg_tx_kind kind, const char *what, pg_tx_fn fn,
                     void *ud, bool commit)
{
    static const char *const begin_sql[] = {
        [PG_TX_WRITE] = "BEGIN ISOLATION LEVEL READ COMMITTED",
        [PG_TX_READ_SNAPSHOT] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    };
    int r = 0;

    for (int attempt = 0;; attempt++) {
        r = pg_ensure(p);
        if (r == 0) {
            r = store_postgres_simple(p, begin_sql[kind], what);
            if (r < 0 && PQstatus(p->conn) == CONNECTION_BAD && pg_ensure(p) == 0)
                r = store_postgres_simple(p, begin_sql[kind],
                                          what); /* nothing was sent: safe to redo */
        }
        if (r == 0)
            r = fn(p, ud);
        if (r == 0 && commit)
            r = store_postgres_simple(p, "COMMIT", what);
        if (r < 0)
            pg_rollback(p);
        if (r != PG_ERETRY || attempt + 1 >= PG_TX_ATTEMPTS)
            break;
        log_debug("op=store.retry what=\"%s\" attempt=%d error=\"%s\"", what, attempt + 1,
                  p->errmsg);
        store_postgres_backoff(attempt);
    }
    return r == PG_ERETRY ? -EBUSY : r;
}

int store_postgres_tx(struct pg_store *p, enum pg_tx_kind kind, const char *what, pg_tx_fn fn,
                      void *ud)
{
    int r;

    if (p->bulk) /* each op of a bulk load is a savepoint of the load's transaction */
        return store_postgres_savepoint(p, what, fn, ud);
    r = store_postgres_group_tx(p, kind, what, fn, ud);
    if (r <= 0)
        return r;
    if (p->group == PG_GROUP_ARMED && kind == PG_TX_WRITE) {
        /* the group's first write opens its transaction (no savepoint: nothing else is in it;
         * a failure rolls it back and leaves the group armed), and the group's commit ends it */
        r = pg_tx_run(p, kind, what, fn, ud, false);
        if (r == 0)
            p->group = PG_GROUP_OPEN;
        return r;
    }
    return pg_tx_run(p, kind, what, fn, ud, true);
}

int64_t store_postgres_affected(const PGresult *res)
{
    const char *n = PQcmdTuples((PGresult *)res);

    return n && *n ? strtoll(n, NULL, 10) : 0;
}

int store_postgres_col_copy(struct pg_store *p, const PGresult *res, int row, int col, char *dst,
                            size_t size)
{
    const char *t = PQgetvalue(res, row, col);
    size_t n = (size_t)PQgetlength(res, row, col);

    if (n >= size)
        return store_postgres_corrupt(p, "read row", "column %s holds %zu bytes, at most %zu fit",
                                      PQfname(res, col), n, size - 1);
    memcpy(dst, t, n);
    dst[n] = '\0';
    return 0;
}

int store_postgres_col_dup(const PGresult *res, int row, int col, char **ret)
{
    size_t n = (size_t)PQgetlength(res, row, col);
    char *c = malloc(n + 1);

    if (!c)
        return -ENOMEM;
    memcpy(c, PQgetvalue(res, row, col), n);
    c[n] = '\0';
    *ret = c;
    return 0;
}

int store_postgres_col_int(struct pg_store *p, const PGresult *res, int row, int col, int64_t *ret)
{
    const char *t = PQgetvalue(res, row, col);
    char *end = NULL;
    long long v;

    errno = 0;
    v = strtoll(t, &end, 10);
    if (errno || end == t || *end)
        return store_postgres_corrupt(p, "read row", "column %s is not an integer",
                                      PQfname(res, col));
    *ret = (int64_t)v;
    return 0;
}
