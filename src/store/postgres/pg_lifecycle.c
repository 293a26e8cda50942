/* store/postgres/pg_lifecycle.c: batch insert, compare-and-set updates and deletes of
 * connections, and their event log, on PostgreSQL.
 *
 * The compare-and-set is in the WHERE clause of the one UPDATE / DELETE (status = $ and, when
 * asked, spec = $). Writes run READ COMMITTED: a writer that finds the row locked by another
 * waits for it, then re-evaluates the clause on the newest committed version, so of two writers
 * (on one node or two) that read the same row exactly one changes it and the other gets -ENOENT.
 * A connection's monitor and events go with it through ON DELETE CASCADE; the tag index follows
 * a spec change by trigger.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres/pg_int.h"

static int pg_event_tx(struct pg_store *p, const char *project_id, const char *id,
                       const struct store_event *ev)
{
    if (!ev || !ev->message)
        return 0;
    return store_postgres_exec(p, PG_EVENT_INSERT, "event insert", NULL, "ssIs", project_id, id,
                               ev->at, ev->message);
}

int store_postgres_conn_cas_tx(struct pg_store *p, const struct store_conn_row *row,
                               const struct store_conn_expect *from)
{
    int64_t n = 0;
    int r = 0;

    /* store_conn_expect.vgw_updated_at: FOR SHARE keeps a gateway update (which locks the row
     * FOR UPDATE first) out until this commit, or, if one committed first, re-reads the row's
     * newest version, whose updated_at then differs */
    if (from->vgw_updated_at) {
        _cleanup_pgres_ PGresult *res = NULL;
        r = store_postgres_query_sql(p,
                                     "SELECT 1 FROM vpn_gateway WHERE project_id = $1 AND id = $2 "
                                     "AND updated_at = $3::bigint FOR SHARE",
                                     "conn cas: gateway", &res, "ssI", row->project_id,
                                     row->vgw_id, from->vgw_updated_at);
        if (r < 0)
            return r;
        if (PQntuples(res) == 0)
            return -ENOENT;
    }
    r = store_postgres_exec(p, PG_CONN_CAS, "conn cas", &n, "sssIIsssss", row->project_id,
                            row->id, row->status, row->status_due, row->updated_at, row->spec,
                            row->doc, row->cgw_id, from->status, from->spec);

    return r < 0 ? r : n == 1 ? 0 : -ENOENT;
}

struct pg_batch {
    const struct store_conn_new *items;
    size_t n;
    size_t failed;
};

static int pg_insert_batch_tx(struct pg_store *p, void *ud)
{
    struct pg_batch *b = ud;

    for (size_t i = 0; i < b->n; i++) {
        const struct store_conn_new *it = &b->items[i];
        int r = store_postgres_conn_insert_tx(p, it->row, it->claims, it->n_claims, &it->event);

        if (r < 0) {
            b->failed = i;
            return r;
        }
    }
    return 0;
}

int store_postgres_conn_insert_batch(struct store *s, const struct store_conn_new *items, size_t n,
                                     size_t *ret_failed)
{
    struct pg_batch b = {items, n, 0};
    int r = store_postgres_tx(pg_from(s), PG_TX_WRITE, "conn insert batch", pg_insert_batch_tx, &b);

    if (r < 0 && ret_failed)
        *ret_failed = b.failed;
    return r;
}

struct pg_update_if {
    const struct store_conn_row *row;
    const struct store_conn_expect *from;
    const struct store_claim *claims;
    size_t n_claims;
    const struct store_event *ev;
};

static int pg_update_if_tx(struct pg_store *p, void *ud)
{
    const struct pg_update_if *a = ud;
    int r = store_postgres_conn_cas_tx(p, a->row, a->from);

    if (r == 0 && a->claims) {
        r = store_postgres_release_claims(p, a->row->id);
        if (r == 0)
            r = store_postgres_take_claims(p, a->claims, a->n_claims, a->row->id);
    }
    return r < 0 ? r : pg_event_tx(p, a->row->project_id, a->row->id, a->ev);
}

int store_postgres_conn_update_if(struct store *s, const struct store_conn_row *row,
                                  const struct store_conn_expect *from,
                                  const struct store_claim *claims, size_t n_claims,
                                  const struct store_event *ev)
{
    struct pg_update_if a = {row, from, claims, n_claims, ev};

    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "conn update if", pg_update_if_tx, &a);
}

static int pg_set_status_one(struct pg_store *p, struct store_conn_status *it)
{
    int64_t n = 0;
    int r = store_postgres_exec(p, PG_CONN_SET_STATUS, "conn set status", &n, "sssIsI",
                                it->project_id, it->id, it->to, it->due, it->from, it->from_due);

    if (r < 0)
        return r;
    it->result = n == 1 ? 0 : -ENOENT;
    return it->result == 0 ? pg_event_tx(p, it->project_id, it->id, &it->ev) : 0;
}

struct pg_set_status {
    struct store_conn_status *items;
    const size_t *order; /* items by (project_id, id) */
    size_t n;
};

static int pg_set_status_tx(struct pg_store *p, void *ud)
{
    const struct pg_set_status *a = ud;

    for (size_t i = 0; i < a->n; i++) {
        int r = pg_set_status_one(p, &a->items[a->order[i]]);
        if (r < 0)
            return r;
    }
    return 0;
}

static int pg_status_cmp(const void *x, const void *y, void *ud)
{
    const struct store_conn_status *items = ud;
    const struct store_conn_status *a = &items[*(const size_t *)x];
    const struct store_conn_status *b = &items[*(const size_t *)y];
    int c = strcmp(a->project_id, b->project_id);

    return c ? c : strcmp(a->id, b->id);
}

/* store_conn_set_status: the whole batch in one transaction (one commit), each item a
 * conditional UPDATE that matches or not (no statement fails for a mismatch). Rows are updated
 * in key order, so two nodes settling overlapping batches lock them in the same order. */
int store_postgres_conn_set_status(struct store *s, struct store_conn_status *items, size_t n)
{
    _cleanup_free_ size_t *order = malloc((n ? n : 1) * sizeof(*order));
    struct pg_set_status a = {items, order, n};

    if (!order)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof(*order), pg_status_cmp, items);
    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "conn set status", pg_set_status_tx, &a);
}

struct pg_delete_if {
    const char *project_id, *id, *from_status;
};

static int pg_delete_if_tx(struct pg_store *p, void *ud)
{
    const struct pg_delete_if *a = ud;
    _cleanup_pgres_ PGresult *res = NULL;
    int r = store_postgres_query(p, PG_CONN_DELETE_IF, "conn delete if", &res, "sss",
                                 a->project_id, a->id, a->from_status);

    return r < 0 ? r : store_postgres_conn_deleted(p, res, a->project_id, a->id);
}

int store_postgres_conn_delete_if(struct store *s, const char *project_id, const char *id,
                                  const char *from_status)
{
    struct pg_delete_if a = {project_id, id, from_status};

    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "conn delete if", pg_delete_if_tx, &a);
}

struct pg_events {
    const char *project_id, *id;
    int (*cb)(void *ud, const struct store_event *ev);
    void *ud;
};

/* The callbacks run inside the snapshot; a snapshot read never needs a retry, so they run once. */
static int pg_events_tx(struct pg_store *p, void *ud)
{
    const struct pg_events *a = ud;
    _cleanup_pgres_ PGresult *exists = NULL;
    _cleanup_pgres_ PGresult *res = NULL;
    int r = store_postgres_query(p, PG_CONN_EXISTS, "conn events", &exists, "ss", a->project_id,
                                 a->id);

    if (r < 0)
        return r;
    if (PQntuples(exists) == 0)
        return -ENOENT;
    r = store_postgres_query(p, PG_EVENTS_LIST, "conn events", &res, "ss", a->project_id, a->id);
    for (int i = 0; r == 0 && i < PQntuples(res); i++) {
        struct store_event ev = {.message = PQgetvalue(res, i, 1)};

        r = store_postgres_col_int(p, res, i, 0, &ev.at);
        if (r == 0)
            r = a->cb(a->ud, &ev);
    }
    return r < 0 ? r : 0;
}

int store_postgres_conn_events(struct store *s, const char *project_id, const char *id,
                               int (*cb)(void *ud, const struct store_event *ev), void *ud)
{
    struct pg_events a = {project_id, id, cb, ud};

    return store_postgres_tx(pg_from(s), PG_TX_READ_SNAPSHOT, "conn events", pg_events_tx, &a);
}
