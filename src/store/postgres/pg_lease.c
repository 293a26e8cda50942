/* store/postgres/pg_lease.c: data-plane leases (store.h "data-plane leases") on PostgreSQL.
 *
 * One READ COMMITTED transaction per call. The take is one INSERT ... ON CONFLICT DO UPDATE
 * whose WHERE is the compare-and-set: a node that meets a lease row another node just took
 * waits for that node's commit, then re-evaluates the clause on the committed row (held, not
 * expired) and leaves it. Gateways are taken in key order, so two nodes taking at once lock rows
 * in the same order and never deadlock. */
#include <errno.h>
#include <string.h>

#include "store/postgres/pg_int.h"

static const char pg_lease_prune_sql[] =
    "DELETE FROM vgw_lease l WHERE NOT EXISTS (SELECT 1 FROM vpn_gateway g "
    "WHERE g.project_id = l.project_id AND g.id = l.vgw_id)";
static const char pg_lease_take_sql[] =
    "INSERT INTO vgw_lease AS l (project_id, vgw_id, node, expires_at) "
    "SELECT project_id, id, $1, $3::bigint FROM vpn_gateway ORDER BY project_id, id "
    "ON CONFLICT (project_id, vgw_id) DO UPDATE SET node = EXCLUDED.node, "
    "expires_at = EXCLUDED.expires_at "
    "WHERE l.node = EXCLUDED.node OR l.expires_at <= $2::bigint";
static const char pg_lease_held_sql[] =
    "SELECT project_id, vgw_id FROM vgw_lease WHERE node = $1 ORDER BY project_id, vgw_id";
static const char pg_lease_get_sql[] =
    "SELECT node, expires_at FROM vgw_lease WHERE project_id = $1 AND vgw_id = $2";

struct pg_leases {
    const char *node;
    int64_t now, until;
    struct buf *out;
    size_t start; /* out's length on entry: a retried transaction starts over from it */
    size_t n;
};

static int pg_leases_tx(struct pg_store *p, void *ud)
{
    struct pg_leases *a = ud;
    _cleanup_pgres_ PGresult *prune = NULL, *take = NULL, *held = NULL;
    int r = store_postgres_query_sql(p, pg_lease_prune_sql, "leases: prune", &prune, "");

    if (a->out->data) {
        a->out->len = a->start;
        a->out->data[a->start] = '\0';
    }
    a->n = 0;
    if (r == 0)
        r = store_postgres_query_sql(p, pg_lease_take_sql, "leases: take", &take, "sII", a->node,
                                     a->now, a->until);
    if (r == 0)
        r = store_postgres_query_sql(p, pg_lease_held_sql, "leases: held", &held, "s", a->node);
    for (int i = 0; r == 0 && i < PQntuples(held); i++) {
        const char *project = PQgetvalue(held, i, 0), *vgw = PQgetvalue(held, i, 1);
        r = buf_append(a->out, project, strlen(project) + 1);
        if (r == 0)
            r = buf_append(a->out, vgw, strlen(vgw) + 1);
        a->n++;
    }
    return r;
}

int store_postgres_leases_take(struct store *s, const char *node, int64_t now, int64_t until,
                               struct buf *out, size_t *ret_n)
{
    struct pg_leases a = {node, now, until, out, out->len, 0};
    int r = store_postgres_tx(pg_from(s), PG_TX_WRITE, "leases", pg_leases_tx, &a);

    if (r < 0 && out->data) { /* nothing of a failed call */
        out->len = a.start;
        out->data[a.start] = '\0';
    }
    if (r == 0)
        *ret_n = a.n;
    return r;
}

struct pg_lease_get {
    const char *project_id, *vgw_id;
    char *node;
    int64_t until;
};

static int pg_lease_get_tx(struct pg_store *p, void *ud)
{
    struct pg_lease_get *a = ud;
    _cleanup_pgres_ PGresult *res = NULL;
    int r = store_postgres_query_sql(p, pg_lease_get_sql, "lease get", &res, "ss", a->project_id,
                                     a->vgw_id);

    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return -ENOENT;
    r = store_postgres_col_copy(p, res, 0, 0, a->node, STORE_NODE_LEN);
    return r < 0 ? r : store_postgres_col_int(p, res, 0, 1, &a->until);
}

int store_postgres_lease_get(struct store *s, const char *project_id, const char *vgw_id,
                             char ret_node[STORE_NODE_LEN], int64_t *ret_until)
{
    char node[STORE_NODE_LEN];
    struct pg_lease_get a = {project_id, vgw_id, node, 0};
    int r = store_postgres_tx(pg_from(s), PG_TX_READ_SNAPSHOT, "lease get", pg_lease_get_tx, &a);

    if (r < 0)
        return r;
    memcpy(ret_node, node, STORE_NODE_LEN);
    *ret_until = a.until;
    return 0;
}
