/* store/sqlite/sq_list.c: the newest-first, marker-paged connection list.
 *
 * Order is (created_at DESC, id DESC), served by the vpn_connection_by_created index. A marker
 * is the created_at of the last item sent ("yyyy-MM-ddTHH:mm:ss.SSSZ", spec §1.6) and the next
 * page holds the rows strictly older. When the next row has the very same created_at (a batch
 * create in one millisecond), a created_at alone would skip it, so the marker then carries the
 * last id too ("<created_at>|<id>") and the next page holds the rows below (created_at, id).
 * One SQL comparison serves both: (created_at, id) < (ts, id-or-"").
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store/sqlite/sq_internal.h"
#include "util/ids.h"

struct sq_marker {
    int64_t created_at;
    char id[UUID_STR_LEN]; /* "" = every id at created_at is already sent */
};

/* Parses a marker written by sq_format_marker; NULL or "" is the first page. */
static int sq_parse_marker(const char *s, struct sq_marker *ret)
{
    const char *bar;
    char ts[TIMESTAMP_STR_LEN];
    size_t n;

    ret->id[0] = '\0';
    if (!s || !*s) {
        ret->created_at = INT64_MAX;
        return 0;
    }
    bar = strchr(s, '|');
    n = bar ? (size_t)(bar - s) : strlen(s);
    if (n != TIMESTAMP_STR_LEN - 1)
        return -EINVAL;
    memcpy(ts, s, n);
    ts[n] = '\0';
    if (ids_parse_ts(ts, &ret->created_at) < 0)
        return -EINVAL;
    if (!bar)
        return 0;
    n = strlen(bar + 1);
    if (n == 0 || n >= sizeof(ret->id))
        return -EINVAL;
    memcpy(ret->id, bar + 1, n + 1);
    return 0;
}

static void sq_format_marker(int64_t created_at, const char *id, char out[STORE_MARKER_LEN])
{
    char ts[TIMESTAMP_STR_LEN];

    ids_format_ts(created_at, ts);
    if (id)
        snprintf(out, STORE_MARKER_LEN, "%s|%s", ts, id);
    else
        snprintf(out, STORE_MARKER_LEN, "%s", ts);
}

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
                   const char *eps, const struct sq_marker *m, size_t limit, struct buf *out,
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
                sq_format_marker(last_at, at == last_at ? last_id : NULL, ret_next_marker);
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
                      const struct sq_marker *m, size_t limit, struct buf *out, size_t *ret_count,
                      char ret_next_marker[STORE_MARKER_LEN], int64_t *ret_total)
{
    _cleanup_(buf_free) struct buf eps = {0};
    int r = sq_eps_json(f, &eps);

    if (r < 0)
        return r;
    r = sq_page(q, project_id, f, eps.data, m, limit, out, ret_count, ret_next_marker);
    if (r < 0 || !ret_total)
        return r;
    if (!f->vgw_id && !f->vgw_ip && f->n_enterprise_project_ids == 0) {
        /* no filter: the per-project count the triggers keep, not a count of every row */
        struct store_counts counts;
        r = store_sqlite_project_counts(&q->base, project_id, &counts);
        if (r == 0)
            *ret_total = counts.vpn_connections;
        return r;
    }
    return sq_count(q, project_id, f, eps.data, ret_total);
}

int store_sqlite_conn_list(struct store *s, const char *project_id,
                           const struct store_conn_filter *f, size_t limit, struct buf *out,
                           size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN],
                           int64_t *ret_total)
{
    struct sq_store *q = sq_from(s);
    char next[STORE_MARKER_LEN];
    struct sq_marker m;
    size_t len0 = out->len, count = 0;
    int64_t total = 0;
    int r = sq_parse_marker(f->marker, &m);

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
