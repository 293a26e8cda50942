/* store/postgres/pg_list.c: the newest-first, marker-paged connection list, and the page walker
 * every marker-paged list of this backend shares.
 *
 * Order is (created_at DESC, id DESC) (ids in the "C" collation), served by
 * vpn_connection_by_created, or by vpn_connection_by_vgw_created / _by_vgw_ip_created when the
 * list is filtered by gateway; the marker (store_marker.h) selects the rows below
 * (created_at, id). The total comes from the conn_count counters (kept by a trigger), or, with a
 * gateway filter, from a count bounded to that gateway's connections, so a page and its total
 * cost O(limit) (plus one gateway) at any project size. Page and total share one REPEATABLE
 * READ snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store/postgres/pg_int.h"
#include "store/store_marker.h"
#include "util/ids.h"

int store_postgres_text_array(const char *const *values, size_t n, struct buf *out)
{
    int r;

    if (n == 0)
        return 0;
    r = buf_puts(out, "{");
    for (size_t i = 0; r == 0 && i < n; i++) {
        r = buf_puts(out, i ? ",\"" : "\"");
        for (const char *c = values[i]; r == 0 && *c; c++) {
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

int store_postgres_page(struct pg_store *p, const PGresult *res, int at_col, int id_col,
                        size_t limit, int (*emit)(void *ud, const PGresult *res, int row, size_t i),
                        void *ud, size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN])
{
    struct store_page page;
    char id[UUID_STR_LEN];
    int rows = PQntuples(res);
    int r = 0;

    store_page_init(&page, limit);
    for (int i = 0; r == 0 && i < rows; i++) {
        int64_t at = 0;

        r = store_postgres_col_int(p, res, i, at_col, &at);
        if (r == 0)
            r = store_postgres_col_copy(p, res, i, id_col, id, sizeof(id));
        if (r < 0 || store_page_offer(&page, at, id) == 1)
            break;
        r = emit(ud, res, i, page.count - 1);
    }
    if (r < 0)
        return r;
    *ret_count = page.count;
    memcpy(ret_next_marker, page.next_marker, STORE_MARKER_LEN);
    return 0;
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

/* Appends the served doc (columns 0-1) of a page row, comma-separated. */
static int pg_emit_doc(void *ud, const PGresult *res, int row, size_t i)
{
    struct pg_list *l = ud;
    int r = i > 0 ? buf_puts(l->out, ",") : 0;

    return r < 0 ? r : store_postgres_serve_doc(res, row, 0, l->out);
}

static int pg_list_tx(struct pg_store *p, void *ud)
{
    struct pg_list *l = ud;
    const struct store_conn_filter *f = l->f;
    _cleanup_pgres_ PGresult *res = NULL;
    _cleanup_pgres_ PGresult *cnt = NULL;
    enum pg_stmt page = f->vgw_id ? PG_CONN_LIST_BY_VGW
                        : f->vgw_ip ? PG_CONN_LIST_BY_VGW_IP
                                    : PG_CONN_LIST;
    int r;

    /* a retried attempt starts over */
    l->out->len = l->len0;
    if (l->out->data)
        l->out->data[l->len0] = '\0';
    l->count = 0;
    l->next[0] = '\0';
    r = store_postgres_query(p, page, "conn list", &res, "ssssIsI", l->project_id, f->vgw_id,
                             f->vgw_ip, l->eps, l->m.created_at, l->m.id,
                             (int64_t)l->limit + 1); /* one more: is there a next page? */
    if (r == 0)
        r = store_postgres_page(p, res, 2, 3, l->limit, pg_emit_doc, l, &l->count, l->next);
    if (r < 0 || !l->total)
        return r;
    if (f->vgw_id || f->vgw_ip)
        r = store_postgres_query(p, f->vgw_id ? PG_CONN_COUNT_BY_VGW : PG_CONN_COUNT_BY_VGW_IP,
                                 "conn count", &cnt, "ssss", l->project_id, f->vgw_id, f->vgw_ip,
                                 l->eps);
    else if ((r = store_postgres_bulk_fold(p)) == 0) /* a bulk load's own writes count */
        r = store_postgres_query(p, PG_CONN_TOTAL, "conn count", &cnt, "ss", l->project_id,
                                 l->eps);
    return r < 0 ? r : store_postgres_col_int(p, cnt, 0, 0, l->total);
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
    r = store_postgres_text_array(f->enterprise_project_ids, f->n_enterprise_project_ids, &eps);
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
