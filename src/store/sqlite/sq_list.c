/* store/sqlite/sq_list.c: the newest-first, marker-paged connection list, and the page walker
 * every marker-paged list of this backend shares.
 *
 * Order is (created_at DESC, id DESC), served by the vpn_connection_by_created index; markers
 * are those of store/store_marker.h. One SQL comparison serves both marker forms:
 * (created_at, id) < (ts, id-or-"").
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "store/sqlite/sq_int.h"
#include "store/store_marker.h"
#include "util/ids.h"

/* The enterprise_project_id filter as a JSON array for json_each(), or NULL for none. */
static int sq_eps_json(const struct store_conn_filter *f, struct buf *out)
{
    return store_sqlite_json_strings(f->enterprise_project_ids, f->n_enterprise_project_ids, out);
}

static int sq_count(struct sq_store *q, const char *project_id, const struct store_conn_filter *f,
                    const char *eps, int64_t *ret)
{
    /* A gateway filter counts at most one gateway's connections through its index; without one
     * the per-project counters answer (a count(*) would read the whole project). */
    bool by_gateway = f->vgw_id || f->vgw_ip;
    SQ_STMT(st, q, f->vgw_id ? SQ_CONN_COUNT_BY_VGW
                   : f->vgw_ip ? SQ_CONN_COUNT_BY_VGW_IP
                               : SQ_CONN_TOTAL);
    int r = by_gateway ? store_sqlite_bind(q, st, "conn count", "ssss", project_id, f->vgw_id,
                                           f->vgw_ip, eps)
                       : store_sqlite_bind(q, st, "conn count", "ss", project_id, eps);
    int rc;

    if (r < 0)
        return r;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        return store_sqlite_fail(q, rc, "conn count");
    *ret = sqlite3_column_int64(st, 0);
    return 0;
}

int store_sqlite_page(struct sq_store *q, sqlite3_stmt *st, int at_col, int id_col,
                      size_t limit, int (*emit)(void *ud, sqlite3_stmt *st, size_t i), void *ud,
                      size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN], const char *what)
{
    struct store_page page;
    char id[UUID_STR_LEN];
    int r = 0, rc = SQLITE_DONE;

    store_page_init(&page, limit);
    while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        r = store_sqlite_col_copy(q, st, id_col, id, sizeof(id));
        if (r < 0 || store_page_offer(&page, sqlite3_column_int64(st, at_col), id) == 1)
            break;
        r = emit(ud, st, page.count - 1);
    }
    if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
        r = store_sqlite_fail(q, rc, what);
    if (r < 0)
        return r;
    *ret_count = page.count;
    memcpy(ret_next_marker, page.next_marker, STORE_MARKER_LEN);
    return 0;
}

struct sq_doc_sink {
    struct sq_store *q;
    struct buf *out;
};

/* Appends the served doc (columns 0-1) of a connection page row, comma-separated. */
static int sq_emit_doc(void *ud, sqlite3_stmt *st, size_t i)
{
    struct sq_doc_sink *k = ud;
    int r = i > 0 ? buf_puts(k->out, ",") : 0;

    return r < 0 ? r : store_sqlite_serve_doc(k->q, st, 0, k->out, "conn list");
}

/* Appends one page to out; writes the count and the next marker. */
static int sq_page(struct sq_store *q, const char *project_id, const struct store_conn_filter *f,
                   const char *eps, const struct store_marker *m, size_t limit, struct buf *out,
                   size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN])
{
    SQ_STMT(st, q, f->vgw_id ? SQ_CONN_LIST_BY_VGW
                   : f->vgw_ip ? SQ_CONN_LIST_BY_VGW_IP
                               : SQ_CONN_LIST);
    struct sq_doc_sink sink = {q, out};
    int64_t fetch = (int64_t)limit + 1; /* one more: is there a next page? */
    int r = store_sqlite_bind(q, st, "conn list", "ssssIsI", project_id, f->vgw_id, f->vgw_ip, eps,
                              m->created_at, m->id, fetch);

    return r < 0 ? r
                 : store_sqlite_page(q, st, 2, 3, limit, sq_emit_doc, &sink, ret_count,
                                     ret_next_marker, "conn list");
}

static int sq_list_tx(struct sq_store *q, const char *project_id, const struct store_conn_filter *f,
                      const struct store_marker *m, size_t limit, struct buf *out, size_t *ret_count,
                      char ret_next_marker[STORE_MARKER_LEN], int64_t *ret_total)
{
    _cleanup_(buf_free) struct buf eps = {0};
    int r = sq_eps_json(f, &eps);

    if (r < 0)
        return r;
    r = sq_page(q, project_id, f, eps.data, m, limit, out, ret_count, ret_next_marker);
    if (r < 0 || !ret_total)
        return r;
    return sq_count(q, project_id, f, eps.data, ret_total);
}

int store_sqlite_conn_list(struct store *s, const char *project_id,
                           const struct store_conn_filter *f, size_t limit, struct buf *out,
                           size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN],
                           int64_t *ret_total)
{
    struct sq_store *q = sq_from(s);
    char next[STORE_MARKER_LEN];
    struct store_marker m;
    size_t len0 = out->len, count = 0;
    int64_t total = 0;
    int r = store_marker_parse(f->marker, &m);

    if (r < 0)
        return r;
    if (limit > INT32_MAX)
        limit = INT32_MAX;
    r = store_sqlite_begin_read(q, "conn list: begin");
    if (r < 0)
        return r;
    r = sq_list_tx(q, project_id, f, &m, limit, out, &count, next, ret_total ? &total : NULL);
    if (r == 0)
        r = store_sqlite_commit(q, "conn list: commit");
    if (r < 0) {
        store_sqlite_rollback(q);
        if (out->data) {
            out->len = len0;
            out->data[len0] = '\0';
        }
        return r;
    }
    *ret_count = count;
    memcpy(ret_next_marker, next, STORE_MARKER_LEN);
    if (ret_total)
        *ret_total = total;
    return 0;
}
