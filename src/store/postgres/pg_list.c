/* store/postgres/pg_list.c: the newest-first, marker-paged connection list.
 *
 * Order is (created_at DESC, id DESC) (ids in the "C" collation), served by the
 * vpn_connection_by_created index; the marker (store_marker.h) selects the rows below
 * (created_at, id). The page and the total are read in one REPEATABLE READ snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store/postgres/pg_internal.h"
#include "store/store_marker.h"

/* The enterprise_project_id filter as a PostgreSQL text[] literal, or NULL for none. */
static int pg_eps_array(const struct store_conn_filter *f, struct buf *out)
{
    int r;

    if (f->n_enterprise_project_ids == 0)
        return 0;
    r = buf_puts(out, "{");
    for (size_t i = 0; r == 0 && i < f->n_enterprise_project_ids; i++) {
        r = buf_puts(out, i ? ",\"" : "\"");
        for (const char *c = f->enterprise_project_ids[i]; r == 0 && *c; c++) {
            if (*c == '"' || *c == '\\')
                r = buf_puts(out, "\\");
            if (r == 0)
                r = buf_append(out, c, 1);
        }
        if (r == 0)
            r = buf_puts(out, "\"");
    }
    return r < 0 ? r : buf_puts(out, "}");
}

struct pg_list {
    const char *project_id;
    const struct store_conn_filter *f;
    const char *eps;
    struct store_marker m;
    size_t limit;
    struct buf *out;
    size_t len0;
    size_t count;
    char next[STORE_MARKER_LEN];
    int64_t *total;
};

static int pg_list_tx(struct pg_store *p, void *ud)
{
    struct pg_list *l = ud;
    _cleanup_pgres_ PGresult *res = NULL;
    _cleanup_pgres_ PGresult *cnt = NULL;
    int64_t last_at = 0;
    int r, rows;

    /* a retried attempt starts over */
    l->out->len = l->len0;
    if (l->out->data)
        l->out->data[l->len0] = '\0';
    l->count = 0;
    l->next[0] = '\0';
    r = store_postgres_query(p, PG_CONN_LIST, "conn list", &res, "ssssIsI", l->project_id,
                             l->f->vgw_id, l->f->vgw_ip, l->eps, l->m.created_at, l->m.id,
                             (int64_t)l->limit + 1); /* one more: is there a next page? */
    rows = r == 0 ? PQntuples(res) : 0;
    for (int i = 0; r == 0 && i < rows; i++) {
        int64_t at = 0;

        r = store_postgres_col_int(p, res, i, 1, &at);
        if (r < 0)
            break;
        if (l->count == l->limit) { /* the extra row: there is a next page */
            if (l->count > 0)
                store_marker_format(last_at, PQgetvalue(res, i - 1, 2), at == last_at, l->next);
            break;
        }
        if (l->count > 0)
            r = buf_puts(l->out, ",");
        if (r == 0)
            r = buf_append(l->out, PQgetvalue(res, i, 0), (size_t)PQgetlength(res, i, 0));
        last_at = at;
        l->count++;
    }
    if (r == 0 && l->total) {
        r = store_postgres_query(p, PG_CONN_COUNT, "conn count", &cnt, "ssss", l->project_id,
                                 l->f->vgw_id, l->f->vgw_ip, l->eps);
        if (r == 0)
            r = store_postgres_col_int(p, cnt, 0, 0, l->total);
    }
    return r;
}

int store_postgres_conn_list(struct store *s, const char *project_id,
                             const struct store_conn_filter *f, size_t limit, struct buf *out,
                             size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN],
                             int64_t *ret_total)
{
    _cleanup_(buf_free) struct buf eps = {0};
    int64_t total = 0;
    struct pg_list l = {.project_id = project_id, .f = f, .out = out, .len0 = out->len};
    int r = store_marker_parse(f->marker, &l.m);

    if (r < 0)
        return r;
    l.limit = limit > INT32_MAX ? INT32_MAX : limit;
    l.total = ret_total ? &total : NULL;
    r = pg_eps_array(f, &eps);
    if (r < 0)
        return r;
    l.eps = eps.data;
    r = store_postgres_tx(pg_from(s), PG_TX_READ_SNAPSHOT, "conn list", pg_list_tx, &l);
    if (r < 0) {
        if (out->data) {
            out->len = l.len0;
            out->data[l.len0] = '\0';
        }
        return r;
    }
    *ret_count = l.count;
    memcpy(ret_next_marker, l.next, STORE_MARKER_LEN);
    if (ret_total)
        *ret_total = total;
    return 0;
}
