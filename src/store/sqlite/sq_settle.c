/* store/sqlite/sq_settle.c: the status engine's settles of one tick in one transaction
 * (store_conn_settle_batch). Each item is the compare-and-set of store_conn_update_if
 * (store_sqlite_conn_cas_tx) plus its event; an item that does not match changes nothing and
 * the transaction goes on, so the batch commits once for the whole tick. */
#include <errno.h>

#include "store/sqlite/sq_internal.h"

static const char sq_settle_event_sql[] =
    "INSERT INTO connection_event (project_id, connection_id, at, message) "
    "VALUES (?1, ?2, ?3, ?4)";

static int sq_settle_one(struct sq_store *q, struct store_conn_settle *it)
{
    SQ_ONCE(st);
    int r = store_sqlite_conn_cas_tx(q, it->row, &it->from);

    it->result = r == -ENOENT ? -ENOENT : 0;
    if (r == -ENOENT)
        return 0;
    if (r < 0 || !it->ev.message)
        return r;
    r = store_sqlite_prepare_once(q, sq_settle_event_sql, &st, "settle event insert");
    if (r == 0)
        r = store_sqlite_bind(q, st, "settle event insert", "ssIs", it->row->project_id,
                              it->row->id, it->ev.at, it->ev.message);
    return r < 0 ? r : store_sqlite_exec(q, st, "settle event insert");
}

static int sq_settle_tx(struct sq_store *q, struct store_conn_settle *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int r = sq_settle_one(q, &items[i]);
        if (r < 0)
            return r;
    }
    return 0;
}

int store_sqlite_conn_settle_batch(struct store *s, struct store_conn_settle *items, size_t n)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "conn settle batch: begin");

    if (r < 0)
        return r;
    return store_sqlite_end(q, sq_settle_tx(q, items, n), "conn settle batch: commit");
}
