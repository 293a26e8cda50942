/* store/sqlite/sq_lease.c: data-plane leases (store.h "data-plane leases"). One write
 * transaction (BEGIN IMMEDIATE) serializes nodes: the second sees the first's leases as taken.
 * Prepared per call (SQ_ONCE): a node renews every few seconds. */
#include <errno.h>
#include <string.h>

#include "store/sqlite/sq_int.h"

static const char sq_lease_prune_sql[] =
    "DELETE FROM vgw_lease WHERE NOT EXISTS (SELECT 1 FROM vpn_gateway g "
    "WHERE g.project_id = vgw_lease.project_id AND g.id = vgw_lease.vgw_id)";
static const char sq_lease_take_sql[] =
    "INSERT INTO vgw_lease (project_id, vgw_id, node, expires_at) "
    "SELECT project_id, id, ?1, ?3 FROM vpn_gateway WHERE true "
    "ON CONFLICT (project_id, vgw_id) DO UPDATE SET node = excluded.node, "
    "expires_at = excluded.expires_at "
    "WHERE vgw_lease.node = excluded.node OR vgw_lease.expires_at <= ?2";
static const char sq_lease_held_sql[] =
    "SELECT project_id, vgw_id FROM vgw_lease WHERE node = ?1 ORDER BY project_id, vgw_id";
static const char sq_lease_get_sql[] =
    "SELECT node, expires_at FROM vgw_lease WHERE project_id = ?1 AND vgw_id = ?2";

static int sq_leases_tx(struct sq_store *q, const char *node, int64_t now, int64_t until,
                        struct buf *out, size_t *ret_n)
{
    SQ_ONCE(prune);
    SQ_ONCE(take);
    SQ_ONCE(held);
    size_t n = 0;
    int rc = SQLITE_ROW;
    int r = store_sqlite_prepare_once(q, sq_lease_prune_sql, &prune, "leases: prune");

    if (r == 0)
        r = store_sqlite_exec(q, prune, "leases: prune");
    if (r == 0)
        r = store_sqlite_prepare_once(q, sq_lease_take_sql, &take, "leases: take");
    if (r == 0)
        r = store_sqlite_bind(q, take, "leases: take", "sII", node, now, until);
    if (r == 0)
        r = store_sqlite_exec(q, take, "leases: take");
    if (r == 0)
        r = store_sqlite_prepare_once(q, sq_lease_held_sql, &held, "leases: held");
    if (r == 0)
        r = store_sqlite_bind(q, held, "leases: held", "s", node);
    while (r == 0 && (rc = sqlite3_step(held)) == SQLITE_ROW) {
        const char *project = (const char *)sqlite3_column_text(held, 0);
        const char *vgw = (const char *)sqlite3_column_text(held, 1);
        if (!project || !vgw)
            return store_sqlite_corrupt(q, "leases: held", "a lease without a gateway");
        r = buf_append(out, project, strlen(project) + 1);
        if (r == 0)
            r = buf_append(out, vgw, strlen(vgw) + 1);
        n++;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = store_sqlite_fail(q, rc, "leases: held");
    if (r == 0)
        *ret_n = n;
    return r;
}

int store_sqlite_leases_take(struct store *s, const char *node, int64_t now, int64_t until,
                             struct buf *out, size_t *ret_n)
{
    struct sq_store *q = sq_from(s);
    size_t len = out->len;
    int r = store_sqlite_begin(q, "leases: begin");

    if (r < 0)
        return r;
    r = store_sqlite_end(q, sq_leases_tx(q, node, now, until, out, ret_n), "leases: commit");
    if (r < 0 && out->data) { /* nothing of a failed call */
        out->len = len;
        out->data[len] = '\0';
    }
    return r;
}

int store_sqlite_lease_get(struct store *s, const char *project_id, const char *vgw_id,
                           char ret_node[STORE_NODE_LEN], int64_t *ret_until)
{
    struct sq_store *q = sq_from(s);
    SQ_ONCE(st);
    int r = store_sqlite_prepare_once(q, sq_lease_get_sql, &st, "lease get");

    if (r == 0)
        r = store_sqlite_bind(q, st, "lease get", "ss", project_id, vgw_id);
    if (r == 0)
        r = store_sqlite_step_row(q, st, "lease get");
    if (r < 0)
        return r;
    r = store_sqlite_col_copy(q, st, 0, ret_node, STORE_NODE_LEN);
    if (r == 0)
        *ret_until = sqlite3_column_int64(st, 1);
    return r;
}
