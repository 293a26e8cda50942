/* store/sqlite/sq_cgw.c: the marker-paged customer gateway list and the customer gateway
 * update. Pages are read through customer_gateway_by_created (project_id, created_at DESC,
 * id DESC) with the page walker of sq_list.c, so a page costs O(limit); a cgw_id filter is a
 * primary-key lookup. */
#include <errno.h>
#include <string.h>

#include "store/sqlite/sq_int.h"
#include "store/store_marker.h"

struct sq_cgw_sink {
    struct sq_store *q;
    int (*cb)(void *ud, const struct store_cgw_row *row);
    void *ud;
};

/* Reads a SQ_CGW_LIST row (project_id, id, created_at, updated_at, spec), spec borrowed. */
static int sq_emit_cgw(void *ud, sqlite3_stmt *st, size_t i)
{
    struct sq_cgw_sink *k = ud;
    struct store_cgw_row row = {0};
    int r;
    (void)i;

    if ((r = store_sqlite_col_copy(k->q, st, 0, row.project_id, sizeof(row.project_id))) < 0 ||
        (r = store_sqlite_col_copy(k->q, st, 1, row.id, sizeof(row.id))) < 0)
        return r;
    row.created_at = sqlite3_column_int64(st, 2);
    row.updated_at = sqlite3_column_int64(st, 3);
    row.spec = (char *)sqlite3_column_text(st, 4);
    if (!row.spec)
        return sqlite3_errcode(k->q->db) == SQLITE_NOMEM
                   ? -ENOMEM
                   : store_sqlite_corrupt(k->q, "cgw list", "spec is NULL");
    r = k->cb(k->ud, &row);
    return r < 0 ? r : 0;
}

static int sq_cgw_count(struct sq_store *q, const char *project_id, const char *cgw_id,
                        int64_t *ret)
{
    SQ_STMT(st, q, SQ_CGW_COUNT);
    int r = store_sqlite_bind(q, st, "cgw count", "ss", project_id, cgw_id);

    if (r == 0)
        r = store_sqlite_step_row(q, st, "cgw count");
    if (r < 0)
        return r;
    *ret = sqlite3_column_int64(st, 0);
    return 0;
}

static int sq_cgw_list_tx(struct sq_store *q, const char *project_id,
                          const struct store_cgw_filter *f, const struct store_marker *m,
                          size_t limit, struct sq_cgw_sink *sink, size_t *ret_count,
                          char ret_next_marker[STORE_MARKER_LEN], int64_t *ret_total)
{
    SQ_STMT(st, q, f->cgw_id ? SQ_CGW_LIST_ONE : SQ_CGW_LIST);
    int64_t fetch = (int64_t)limit + 1; /* one more: is there a next page? */
    int r = f->cgw_id ? store_sqlite_bind(q, st, "cgw list", "sIsIs", project_id, m->created_at,
                                          m->id, fetch, f->cgw_id)
                      : store_sqlite_bind(q, st, "cgw list", "sIsI", project_id, m->created_at,
                                          m->id, fetch);

    if (r == 0)
        r = store_sqlite_page(q, st, 2, 1, limit, sq_emit_cgw, sink, ret_count, ret_next_marker,
                              "cgw list");
    if (r == 0 && ret_total)
        r = sq_cgw_count(q, project_id, f->cgw_id, ret_total);
    return r;
}

int store_sqlite_cgw_list(struct store *s, const char *project_id,
                          const struct store_cgw_filter *f, size_t limit,
                          int (*cb)(void *ud, const struct store_cgw_row *row), void *ud,
                          size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN],
                          int64_t *ret_total)
{
    struct sq_store *q = sq_from(s);
    struct sq_cgw_sink sink = {q, cb, ud};
    char next[STORE_MARKER_LEN];
    struct store_marker m;
    size_t count = 0;
    int64_t total = 0;
    int r = store_marker_parse(f->marker, &m);

    if (r < 0)
        return r;
    if (limit > INT32_MAX)
        limit = INT32_MAX;
    r = store_sqlite_begin_read(q, "cgw list: begin");
    if (r < 0)
        return r;
    r = sq_cgw_list_tx(q, project_id, f, &m, limit, &sink, &count, next,
                       ret_total ? &total : NULL);
    if (r == 0)
        r = store_sqlite_commit(q, "cgw list: commit");
    if (r < 0) {
        store_sqlite_rollback(q);
        return r;
    }
    *ret_count = count;
    memcpy(ret_next_marker, next, STORE_MARKER_LEN);
    if (ret_total)
        *ret_total = total;
    return 0;
}

int store_sqlite_cgw_update(struct store *s, const struct store_cgw_row *row)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "cgw update: begin");

    if (r < 0)
        return r;
    {
        SQ_STMT(st, q, SQ_CGW_UPDATE);

        r = store_sqlite_bind(q, st, "cgw update", "ssIs", row->project_id, row->id,
                              row->updated_at, row->spec);
        if (r == 0)
            r = store_sqlite_exec(q, st, "cgw update");
        if (r == 0 && sqlite3_changes(q->db) == 0)
            r = -ENOENT;
    }
    if (r == 0) /* a new name must be found by the tag filter's resource_name match */
        r = store_sqlite_tags_sync(q, STORE_RES_CUSTOMER_GATEWAY, row->project_id, row->id);
    return store_sqlite_end(q, r, "cgw update: commit");
}
