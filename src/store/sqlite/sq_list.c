/* store/sqlite/sq_list.c: the newest-first, marker-paged connection list.
 *
 * Order is (created_at DESC, id DESC), served by the vpn_connection_by_created index; the marker
 * (store_marker.h) selects the rows below (created_at, id).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store/sqlite/sq_internal.h"
#include "store/store_marker.h"

/* The enterprise_project_id filter as a JSON array for json_each(), or NULL for none. */
static int sq_eps_json(const struct store_conn_filter *f, struct buf *out)
{
    int r;

    if (f->n_enterprise_project_ids == 0)
        return 0;
    r = buf_puts(out, "[");
    for (size_t i = 0; r == 0 && i < f->n_enterprise_project_ids; i++) {
        if (i)
            r = buf_puts(out, ",");
        if (r == 0)
            r = buf_json_str(out, f->enterprise_project_ids[i]);
    }
    return r < 0 ? r : buf_puts(out, "]");
}

static int sq_count(struct sq_store *q, const char *project_id, const struct store_conn_filter *f,
                    const char *eps, int64_t *ret)
{
    SQ_STMT(st, q, SQ_CONN_COUNT);
    int r = store_sqlite_bind(q, st, "conn count", "ssss", project_id, f->vgw_id, f->vgw_ip, eps);
    int rc;

    if (r < 0)
        return r;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        return store_sqlite_fail(q, rc, "conn count");
    *ret = sqlite3_column_int64(st, 0);
    return 0;
}

/* Appends one page to out; writes the count and the next marker. */
static int sq_page(struct sq_store *q, const char *project_id, const struct store_conn_filter *f,
                   const char *eps, const struct store_marker *m, size_t limit, struct buf *out,
                   size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN])
{
    SQ_STMT(st, q, SQ_CONN_LIST);
    char last_id[UUID_STR_LEN] = "";
    int64_t last_at = 0, fetch = (int64_t)limit + 1; /* one more: is there a next page? */
    size_t n = 0;
    int r = store_sqlite_bind(q, st, "conn list", "ssssIsI", project_id, f->vgw_id, f->vgw_ip, eps,
                              m->created_at, m->id, fetch);
    int rc = SQLITE_DONE;

    ret_next_marker[0] = '\0';
    while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t at = sqlite3_column_int64(st, 1);

        const unsigned char *doc;

        if (n == limit) { /* the extra row: there is a next page (none after a 0-item page) */
            if (n > 0)
                store_marker_format(last_at, at == last_at ? last_id : NULL, ret_next_marker);
            break;
        }
        doc = sqlite3_column_text(st, 0);
        if (!doc) {
            r = store_sqlite_corrupt(q, "conn list", "doc is NULL");
            if (sqlite3_errcode(q->db) == SQLITE_NOMEM)
                r = -ENOMEM;
            break;
        }
        if (n > 0)
            r = buf_puts(out, ",");
        if (r == 0)
            r = buf_append(out, doc, (size_t)sqlite3_column_bytes(st, 0));
        if (r == 0)
            r = store_sqlite_col_copy(q, st, 2, last_id, sizeof(last_id));
        last_at = at;
        n++;
    }
    if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
        r = store_sqlite_fail(q, rc, "conn list");
    if (r == 0)
        *ret_count = n;
    return r;
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
    if (r == 0 && ret_total)
        r = sq_count(q, project_id, f, eps.data, ret_total);
    return r;
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
