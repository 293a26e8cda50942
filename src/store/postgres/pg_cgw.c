/* store/postgres/pg_cgw.c: the marker-paged customer gateway list, the customer gateway update
 * and the gateway update transaction, on PostgreSQL.
 *
 * Pages are read through customer_gateway_by_created (project_id, created_at DESC, id DESC)
 * with the page walker of pg_list.c, so a page costs O(limit); a cgw_id filter is a primary-key
 * lookup. A gateway update locks the gateway row first: a connection insert (whose slot UPDATE
 * needs the same row) waits for it and then, READ COMMITTED, sees the new status (-EAGAIN while
 * it is not ACTIVE), so no connection lands on an EIP the update takes away.
 */
#include <errno.h>
#include <string.h>

#include "store/postgres/pg_int.h"
#include "store/store_marker.h"

struct pg_cgw_list {
    struct pg_store *p;
    const char *project_id;
    const struct store_cgw_filter *f;
    struct store_marker m;
    size_t limit;
    int (*cb)(void *ud, const struct store_cgw_row *row);
    void *ud;
    size_t count;
    char next[STORE_MARKER_LEN];
    int64_t total;
    bool want_total;
};

/* Reads a PG_CGW_LIST row (project_id, id, created_at, updated_at, spec), spec borrowed. */
static int pg_emit_cgw(void *ud, const PGresult *res, int i, size_t n)
{
    struct pg_cgw_list *l = ud;
    struct store_cgw_row row = {0};
    int r;
    (void)n;

    if ((r = store_postgres_col_copy(l->p, res, i, 0, row.project_id, sizeof(row.project_id))) <
            0 ||
        (r = store_postgres_col_copy(l->p, res, i, 1, row.id, sizeof(row.id))) < 0 ||
        (r = store_postgres_col_int(l->p, res, i, 2, &row.created_at)) < 0 ||
        (r = store_postgres_col_int(l->p, res, i, 3, &row.updated_at)) < 0)
        return r;
    row.spec = PQgetvalue(res, i, 4);
    r = l->cb(l->ud, &row);
    return r < 0 ? r : 0;
}

static int pg_cgw_list_tx(struct pg_store *p, void *ud)
{
    struct pg_cgw_list *l = ud;
    _cleanup_pgres_ PGresult *res = NULL;
    _cleanup_pgres_ PGresult *cnt = NULL;
    int64_t fetch = (int64_t)l->limit + 1; /* one more: is there a next page? */
    int r = l->f->cgw_id ? store_postgres_query(p, PG_CGW_LIST_ONE, "cgw list", &res, "sIsIs",
                                                l->project_id, l->m.created_at, l->m.id, fetch,
                                                l->f->cgw_id)
                         : store_postgres_query(p, PG_CGW_LIST, "cgw list", &res, "sIsI",
                                                l->project_id, l->m.created_at, l->m.id, fetch);

    l->count = 0;
    l->next[0] = '\0';
    if (r == 0)
        r = store_postgres_page(p, res, 2, 1, l->limit, pg_emit_cgw, l, &l->count, l->next);
    if (r < 0 || !l->want_total)
        return r;
    r = store_postgres_query(p, PG_CGW_COUNT, "cgw count", &cnt, "ss", l->project_id,
                             l->f->cgw_id);
    return r < 0 ? r : store_postgres_col_int(p, cnt, 0, 0, &l->total);
}

int store_postgres_cgw_list(struct store *s, const char *project_id,
                            const struct store_cgw_filter *f, size_t limit,
                            int (*cb)(void *ud, const struct store_cgw_row *row), void *ud,
                            size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN],
                            int64_t *ret_total)
{
    struct pg_cgw_list l = {.p = pg_from(s), .project_id = project_id, .f = f, .cb = cb,
                            .ud = ud, .want_total = ret_total != NULL};
    int r = store_marker_parse(f->marker, &l.m);

    if (r < 0)
        return r;
    l.limit = limit > INT32_MAX ? INT32_MAX : limit;
    r = store_postgres_tx(l.p, PG_TX_READ_SNAPSHOT, "cgw list", pg_cgw_list_tx, &l);
    if (r < 0)
        return r;
    *ret_count = l.count;
    memcpy(ret_next_marker, l.next, STORE_MARKER_LEN);
    if (ret_total)
        *ret_total = l.total;
    return 0;
}

static int pg_cgw_update_tx(struct pg_store *p, void *ud)
{
    const struct store_cgw_row *row = ud;
    int64_t n = 0;
    /* a new name reaches the tag index (resource_name match) by trigger */
    int r = store_postgres_exec(p, PG_CGW_UPDATE, "cgw update", &n, "ssIs", row->project_id,
                                row->id, row->updated_at, row->spec);

    return r < 0 ? r : n == 1 ? 0 : -ENOENT;
}

int store_postgres_cgw_update(struct store *s, const struct store_cgw_row *row)
{
    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "cgw update", pg_cgw_update_tx,
                             (void *)row);
}

struct pg_vgw_update {
    const struct store_vgw_update *u;
    size_t released_index;
};

/* The gateway must exist (-ENOENT), still be in from_status (-EAGAIN) and keep room for the
 * connections it has (-EOVERFLOW); the row stays locked until the commit. */
static int pg_vgw_check(struct pg_store *p, const struct store_vgw_update *u)
{
    _cleanup_pgres_ PGresult *res = NULL;
    int64_t used = 0;
    int r = store_postgres_query(p, PG_VGW_LOCK_STATE, "vgw update", &res, "ss",
                                 u->row->project_id, u->row->id);

    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return -ENOENT;
    if (strcmp(PQgetvalue(res, 0, 0), u->from_status) != 0)
        return -EAGAIN;
    r = store_postgres_col_int(p, res, 0, 1, &used);
    return r < 0 ? r : used > u->row->connection_number ? -EOVERFLOW : 0;
}

static const char pg_stamp_sql[] =
    "SELECT count(*), coalesce(sum(updated_at), 0), count(DISTINCT cgw_id) FROM vpn_connection "
    "WHERE project_id = $1 AND vgw_id = $2";

static int pg_stamp(struct pg_store *p, const char *project_id, const char *vgw_id,
                    struct store_vgw_conns *ret)
{
    _cleanup_pgres_ PGresult *res = NULL;
    int r = store_postgres_query_sql(p, pg_stamp_sql, "vgw conns stamp", &res, "ss", project_id,
                                     vgw_id);

    if (r == 0)
        r = store_postgres_col_int(p, res, 0, 0, &ret->n);
    if (r == 0)
        r = store_postgres_col_int(p, res, 0, 1, &ret->updated_at_sum);
    if (r == 0)
        r = store_postgres_col_int(p, res, 0, 2, &ret->groups);
    return r;
}

struct pg_stamp_args {
    const char *project_id, *vgw_id;
    struct store_vgw_conns *ret;
};

static int pg_stamp_tx(struct pg_store *p, void *ud)
{
    struct pg_stamp_args *a = ud;

    return pg_stamp(p, a->project_id, a->vgw_id, a->ret);
}

int store_postgres_vgw_conns_stamp(struct store *s, const char *project_id, const char *vgw_id,
                                   struct store_vgw_conns *ret)
{
    struct pg_stamp_args a = {project_id, vgw_id, ret};

    return store_postgres_tx(pg_from(s), PG_TX_READ_SNAPSHOT, "vgw conns stamp", pg_stamp_tx, &a);
}

static int pg_vgw_update_tx(struct pg_store *p, void *ud)
{
    struct pg_vgw_update *a = ud;
    const struct store_vgw_update *u = a->u;
    const struct store_vgw_row *row = u->row;
    int64_t n = 0;
    struct store_vgw_conns now;
    int r = pg_vgw_check(p, u);

    /* the row is locked now: a connection write that takes it (a create's slot, a PUT's FOR
     * SHARE) has committed before this statement reads, or waits for this commit */
    if (r == 0 && u->conns && (r = pg_stamp(p, row->project_id, row->id, &now)) == 0 &&
        (now.n != u->conns->n || now.updated_at_sum != u->conns->updated_at_sum))
        r = -ESTALE;

    for (size_t i = 0; r == 0 && i < u->n_released; i++) {
        _cleanup_pgres_ PGresult *res = NULL;
        int64_t users = 0;

        r = store_postgres_query(p, PG_VGW_IP_USERS, "vgw update", &res, "sss", row->project_id,
                                 row->id, u->released[i]);
        if (r == 0)
            r = store_postgres_col_int(p, res, 0, 0, &users);
        if (r == 0 && users > 0) {
            a->released_index = i;
            r = -ENOTEMPTY;
        }
    }
    if (r == 0 && u->claims) {
        r = store_postgres_release_claims(p, row->id);
        if (r == 0)
            r = store_postgres_take_claims(p, u->claims, u->n_claims, row->id);
    }
    if (r == 0)
        r = store_postgres_exec(p, PG_VGW_UPDATE, "vgw update", &n, "ssssIIIs", row->project_id,
                                row->id, u->from_status, row->status, row->status_due,
                                row->connection_number, row->updated_at, row->spec);
    return r < 0 ? r : n == 1 ? 0 : -EAGAIN;
}

int store_postgres_vgw_update(struct store *s, const struct store_vgw_update *u,
                              size_t *ret_released_index)
{
    struct pg_vgw_update a = {u, 0};
    int r = store_postgres_tx(pg_from(s), PG_TX_WRITE, "vgw update", pg_vgw_update_tx, &a);

    if (r == -ENOTEMPTY && ret_released_index)
        *ret_released_index = a.released_index;
    return r;
}
