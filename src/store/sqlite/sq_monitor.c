/* store/sqlite/sq_monitor.c: connection monitors (spec §5.1).
 *
 * A monitor row and its connection's re-rendered doc change in one transaction; the
 * connection's part is the compare-and-set of sq_lifecycle.c. UNIQUE (project_id,
 * vpn_connection_id) keeps one monitor per connection; the foreign key deletes it with the
 * connection. Statements are prepared per call (SQ_ONCE).
 */
#include <errno.h>
#include <string.h>

#include "store/sqlite/sq_int.h"

#define SQ_MONITOR_COLS                                                                            \
    "project_id, id, vpn_connection_id, enterprise_project_id, status, source_ip, "               \
    "destination_ip, created_at, status_due"

static const char sq_insert_sql[] = "INSERT INTO connection_monitor (" SQ_MONITOR_COLS
                                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char sq_get_sql[] = "SELECT " SQ_MONITOR_COLS " FROM connection_monitor "
                                 "WHERE project_id = ?1 AND id = ?2";
static const char sq_list_sql[] =
    "SELECT " SQ_MONITOR_COLS " FROM connection_monitor WHERE project_id = ?1 "
    "AND (?2 IS NULL OR vpn_connection_id = ?2) "
    "AND (?3 IS NULL OR enterprise_project_id IN (SELECT value FROM json_each(?3))) "
    "ORDER BY created_at DESC, id DESC";
static const char sq_due_sql[] =
    "SELECT project_id, id, status, status_due FROM connection_monitor "
    "WHERE status_due > 0 AND status_due <= ?1 ORDER BY status_due LIMIT ?2";
/* compare-and-set: only the node that still sees the old status moves it */
static const char sq_set_status_sql[] =
    "UPDATE connection_monitor SET status = ?4, status_due = ?5 "
    "WHERE project_id = ?1 AND id = ?2 AND status = ?3";
static const char sq_delete_sql[] =
    "DELETE FROM connection_monitor WHERE project_id = ?1 AND id = ?2 AND vpn_connection_id = ?3";

static int sq_read_monitor(struct sq_store *q, sqlite3_stmt *st, struct store_monitor_row *m)
{
    int r;

    memset(m, 0, sizeof(*m));
    if ((r = store_sqlite_col_copy(q, st, 0, m->project_id, sizeof(m->project_id))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 1, m->id, sizeof(m->id))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 2, m->vpn_connection_id,
                                   sizeof(m->vpn_connection_id))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 3, m->enterprise_project_id,
                                   sizeof(m->enterprise_project_id))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 4, m->status, sizeof(m->status))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 5, m->source_ip, sizeof(m->source_ip))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 6, m->destination_ip, sizeof(m->destination_ip))) < 0)
        return r;
    m->created_at = sqlite3_column_int64(st, 7);
    m->status_due = sqlite3_column_int64(st, 8);
    return 0;
}

static int sq_monitor_insert_tx(struct sq_store *q, const struct store_monitor_row *m,
                                const struct store_conn_row *conn,
                                const struct store_conn_expect *from)
{
    SQ_ONCE(st);
    int r = store_sqlite_conn_cas_tx(q, conn, from);

    if (r == 0)
        r = store_sqlite_prepare_once(q, sq_insert_sql, &st, "monitor insert");
    if (r == 0)
        r = store_sqlite_bind(q, st, "monitor insert", "sssssssII", m->project_id, m->id,
                              m->vpn_connection_id, m->enterprise_project_id, m->status,
                              m->source_ip, m->destination_ip, m->created_at, m->status_due);
    return r < 0 ? r : store_sqlite_exec(q, st, "monitor insert");
}

int store_sqlite_monitor_insert(struct store *s, const struct store_monitor_row *m,
                                const struct store_conn_row *conn,
                                const struct store_conn_expect *from)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "monitor insert: begin");

    if (r < 0)
        return r;
    return store_sqlite_end(q, sq_monitor_insert_tx(q, m, conn, from), "monitor insert: commit");
}

int store_sqlite_monitor_get(struct store *s, const char *project_id, const char *id,
                             struct store_monitor_row *ret)
{
    struct sq_store *q = sq_from(s);
    struct store_monitor_row m;
    SQ_ONCE(st);
    int r = store_sqlite_prepare_once(q, sq_get_sql, &st, "monitor get");

    if (r == 0)
        r = store_sqlite_bind(q, st, "monitor get", "ss", project_id, id);
    if (r == 0)
        r = store_sqlite_step_row(q, st, "monitor get");
    if (r == 1)
        r = sq_read_monitor(q, st, &m);
    if (r < 0)
        return r;
    *ret = m;
    return 0;
}

/* The enterprise_project_id filter as a JSON array for json_each(); out stays empty for none. */
static int sq_eps_json(const struct store_monitor_filter *f, struct buf *out)
{
    return store_sqlite_json_strings(f->enterprise_project_ids, f->n_enterprise_project_ids, out);
}

int store_sqlite_monitor_list(struct store *s, const char *project_id,
                              const struct store_monitor_filter *f,
                              int (*cb)(void *ud, const struct store_monitor_row *m), void *ud)
{
    struct sq_store *q = sq_from(s);
    _cleanup_(buf_free) struct buf eps = {0};
    SQ_ONCE(st);
    int rc = SQLITE_DONE;
    int r = sq_eps_json(f, &eps);

    if (r == 0)
        r = store_sqlite_prepare_once(q, sq_list_sql, &st, "monitor list");
    if (r == 0)
        r = store_sqlite_bind(q, st, "monitor list", "sss", project_id, f->vpn_connection_id,
                              eps.len ? eps.data : NULL);
    while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_monitor_row m;
        r = sq_read_monitor(q, st, &m);
        if (r == 0)
            r = cb(ud, &m);
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = store_sqlite_fail(q, rc, "monitor list");
    return r < 0 ? r : 0;
}

static int sq_monitor_delete_tx(struct sq_store *q, const char *project_id, const char *id,
                                const struct store_conn_row *conn,
                                const struct store_conn_expect *from)
{
    SQ_ONCE(st);
    int r = store_sqlite_prepare_once(q, sq_delete_sql, &st, "monitor delete");

    if (r == 0)
        r = store_sqlite_bind(q, st, "monitor delete", "sss", project_id, id, conn->id);
    if (r == 0)
        r = store_sqlite_exec(q, st, "monitor delete");
    if (r < 0)
        return r;
    if (sqlite3_changes(q->db) != 1)
        return -ENOENT;
    return store_sqlite_conn_cas_tx(q, conn, from);
}

int store_sqlite_monitor_delete(struct store *s, const char *project_id, const char *id,
                                const struct store_conn_row *conn,
                                const struct store_conn_expect *from)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "monitor delete: begin");

    if (r < 0)
        return r;
    return store_sqlite_end(q, sq_monitor_delete_tx(q, project_id, id, conn, from),
                            "monitor delete: commit");
}

int store_sqlite_monitor_due_list(struct store *s, int64_t now, size_t max,
                                  struct store_due *out, size_t *ret_n)
{
    struct sq_store *q = sq_from(s);
    SQ_ONCE(st);
    size_t n = 0;
    int rc = SQLITE_DONE;
    int r = store_sqlite_prepare_once(q, sq_due_sql, &st, "monitor due list");

    if (r == 0)
        r = store_sqlite_bind(q, st, "monitor due list", "II", now, (int64_t)max);
    while (r == 0 && n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_due *d = &out[n];
        d->kind = STORE_KIND_MONITOR;
        if ((r = store_sqlite_col_copy(q, st, 0, d->project_id, sizeof(d->project_id))) < 0 ||
            (r = store_sqlite_col_copy(q, st, 1, d->id, sizeof(d->id))) < 0 ||
            (r = store_sqlite_col_copy(q, st, 2, d->status, sizeof(d->status))) < 0)
            break;
        d->status_due = sqlite3_column_int64(st, 3);
        n++;
    }
    if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
        r = store_sqlite_fail(q, rc, "monitor due list");
    if (r < 0)
        return r;
    *ret_n = n;
    return 0;
}

int store_sqlite_monitor_set_status(struct store *s, const char *project_id, const char *id,
                                    const char *from, const char *to, int64_t status_due)
{
    struct sq_store *q = sq_from(s);
    SQ_ONCE(st);
    int r = store_sqlite_prepare_once(q, sq_set_status_sql, &st, "monitor set status");

    if (r == 0)
        r = store_sqlite_bind(q, st, "monitor set status", "ssssI", project_id, id, from, to,
                              status_due);
    if (r == 0)
        r = store_sqlite_exec(q, st, "monitor set status");
    if (r < 0)
        return r;
    return sqlite3_changes(q->db) == 1 ? 0 : -ENOENT;
}
