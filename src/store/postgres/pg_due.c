/* store/postgres/pg_due.c: the status engine's queue (rows with status_due set) and the
 * per-project counts quotas are checked against.
 *
 * The due list is a plain read: several nodes may list the same rows, and every transition is
 * a compare-and-set (store_vgw_set_status, store_conn_update_if), so exactly one node applies it
 * and the others get -ENOENT. A node that dies mid-transition leaves the row due (its
 * transaction never committed), and the next tick of any node applies it.
 */
#include <errno.h>
#include <string.h>

#include "store/postgres/pg_int.h"

int store_postgres_due_list(struct store *s, int64_t now, size_t max, struct store_due *out,
                            size_t *ret_n)
{
    struct pg_store *p = pg_from(s);
    _cleanup_pgres_ PGresult *res = NULL;
    size_t n = 0;
    int r = store_postgres_read(p, PG_DUE_LIST, "due list", &res, "II", now, (int64_t)max);
    int rows = r == 0 ? PQntuples(res) : 0;

    for (int i = 0; r == 0 && i < rows && n < max; i++) {
        struct store_due *d = &out[n];

        d->kind = strcmp(PQgetvalue(res, i, 0), "0") == 0 ? STORE_KIND_VGW : STORE_KIND_CONN;
        if ((r = store_postgres_col_copy(p, res, i, 1, d->project_id, sizeof(d->project_id))) < 0 ||
            (r = store_postgres_col_copy(p, res, i, 2, d->id, sizeof(d->id))) < 0 ||
            (r = store_postgres_col_copy(p, res, i, 3, d->status, sizeof(d->status))) < 0 ||
            (r = store_postgres_col_int(p, res, i, 4, &d->status_due)) < 0)
            break;
        n++;
    }
    if (r < 0)
        return r;
    *ret_n = n;
    return 0;
}

struct pg_set_status {
    const char *project_id, *id, *from, *to;
    int64_t status_due, updated_at;
};

static int pg_vgw_set_status_tx(struct pg_store *p, void *ud)
{
    const struct pg_set_status *a = ud;
    int64_t n = 0;
    int r = store_postgres_exec(p, PG_VGW_SET_STATUS, "vgw set status", &n, "ssssII", a->project_id,
                                a->id, a->from, a->to, a->status_due, a->updated_at);

    return r < 0 ? r : n == 1 ? 0 : -ENOENT;
}

int store_postgres_vgw_set_status(struct store *s, const char *project_id, const char *id,
                                  const char *from, const char *to, int64_t status_due,
                                  int64_t updated_at)
{
    struct pg_set_status a = {project_id, id, from, to, status_due, updated_at};

    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "vgw set status", pg_vgw_set_status_tx, &a);
}

int store_postgres_project_counts(struct store *s, const char *project_id, struct store_counts *ret)
{
    struct pg_store *p = pg_from(s);
    _cleanup_pgres_ PGresult *res = NULL;
    struct store_counts c;
    int r = store_postgres_bulk_fold(p); /* a bulk load's own writes count */

    if (r == 0)
        r = store_postgres_read(p, PG_PROJECT_COUNTS, "project counts", &res, "s", project_id);

    if (r == 0)
        r = store_postgres_col_int(p, res, 0, 0, &c.vpn_gateways);
    if (r == 0)
        r = store_postgres_col_int(p, res, 0, 1, &c.customer_gateways);
    if (r == 0)
        r = store_postgres_col_int(p, res, 0, 2, &c.vpn_connections);
    if (r < 0)
        return r;
    *ret = c;
    return 0;
}
