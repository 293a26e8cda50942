/* store/sqlite/sq_status.c: store_conn_set_status, the compare-and-set of connections' status
 * columns (the status engine's settles of one tick, a data plane's status change). The items of
 * one call share one transaction: an item that does not match changes nothing and the
 * transaction goes on, so the call commits once. */
#include <errno.h>

#include "store/sqlite/sq_int.h"

static const char sq_set_status_sql[] =
    "UPDATE vpn_connection SET status = ?3, status_due = ?4 "
    "WHERE project_id = ?1 AND id = ?2 AND status = ?5 AND (?6 < 0 OR status_due = ?6)";
static const char sq_status_event_sql[] =
    "INSERT INTO connection_event (project_id, connection_id, at, message) "
    "VALUES (?1, ?2, ?3, ?4)";

static int sq_set_one(struct sq_store *q, struct store_conn_status *it)
{
    SQ_ONCE(st);
    SQ_ONCE(ev);
    int r = store_sqlite_prepare_once(q, sq_set_status_sql, &st, "conn set status");

    if (r == 0)
        r = store_sqlite_bind(q, st, "conn set status", "sssIsI", it->project_id, it->id, it->to,
                              it->due, it->from, it->from_due);
    if (r == 0)
        r = store_sqlite_exec(q, st, "conn set status");
    if (r < 0)
        return r;
    it->result = sqlite3_changes(q->db) == 1 ? 0 : -ENOENT;
    if (it->result < 0 || !it->ev.message)
        return 0;
    r = store_sqlite_prepare_once(q, sq_status_event_sql, &ev, "conn status event");
    if (r == 0)
        r = store_sqlite_bind(q, ev, "conn status event", "ssIs", it->project_id, it->id,
                              it->ev.at, it->ev.message);
    return r < 0 ? r : store_sqlite_exec(q, ev, "conn status event");
}

static int sq_set_status_tx(struct sq_store *q, struct store_conn_status *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int r = sq_set_one(q, &items[i]);
        if (r < 0)
            return r;
    }
    return 0;
}

int store_sqlite_conn_set_status(struct store *s, struct store_conn_status *items, size_t n)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "conn set status: begin");

    if (r < 0)
        return r;
    return store_sqlite_end(q, sq_set_status_tx(q, items, n), "conn set status: commit");
}
