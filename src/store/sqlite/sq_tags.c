/* store/sqlite/sq_tags.c: the tag index (store.h "tags"): its sync, reads and the tag write.
 *
 * The index tables (tag_resource, tag; sq_schema.c) mirror the specs: every write of a spec
 * calls store_sqlite_tags_sync in its transaction (cached statements), and delete triggers
 * drop a resource's rows. The reads and tags_write_spec are not on a hot path and the filter's
 * text depends on the request, so they are prepared per call.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "store/sqlite/sq_int.h"
#include "util/buf.h"

static const char *const sq_res_type_name[] = {
    [STORE_RES_VPN_GATEWAY] = "vpn-gateway",
    [STORE_RES_CUSTOMER_GATEWAY] = "customer-gateway",
    [STORE_RES_VPN_CONNECTION] = "vpn-connection",
};

static const char *const sq_res_table[] = {
    [STORE_RES_VPN_GATEWAY] = "vpn_gateway",
    [STORE_RES_CUSTOMER_GATEWAY] = "customer_gateway",
    [STORE_RES_VPN_CONNECTION] = "vpn_connection",
};


/* Steps st to its end, handing each row's two text columns to cb. */
static int sq_pairs(struct sq_store *q, sqlite3_stmt *st,
                    int (*cb)(void *ud, const char *key, const char *value), void *ud,
                    const char *what)
{
    int rc, r = 0;

    while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        const char *v = (const char *)sqlite3_column_text(st, 1);
        if (!k || !v)
            return -ENOMEM;
        r = cb(ud, k, v);
    }
    if (r < 0)
        return r;
    return rc == SQLITE_DONE ? 0 : store_sqlite_fail(q, rc, what);
}

/* 0 if the resource has an index row, -ENOENT if not. */
static int sq_res_exists(struct sq_store *q, const char *type, const char *project_id,
                         const char *id)
{
    SQ_ONCE(st);
    int r = store_sqlite_prepare_once(q,
                            "SELECT 1 FROM tag_resource WHERE project_id = ? AND resource_type = ?"
                            " AND resource_id = ?",
                            &st, "tag resource");
    int rc;

    if (r == 0)
        r = store_sqlite_bind(q, st, "tag resource", "sss", project_id, type, id);
    if (r < 0)
        return r;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? -ENOENT : store_sqlite_fail(q, rc, "tag resource");
}

int store_sqlite_tags_sync(struct sq_store *q, enum store_res_type type, const char *project_id,
                           const char *id)
{
    int r = 0;

    for (int i = 0; r == 0 && i < 3; i++) {
        SQ_STMT(st, q, (enum sq_stmt)(SQ_TAG_SYNC_FIRST + 3 * (int)type + i));
        r = store_sqlite_bind(q, st, "tags sync", "sss", project_id, id, sq_res_type_name[type]);
        if (r == 0)
            r = store_sqlite_exec(q, st, "tags sync");
    }
    return r;
}

static int sq_tags_get_tx(struct sq_store *q, const char *type, const char *project_id,
                          const char *id, int (*cb)(void *ud, const char *key, const char *value),
                          void *ud)
{
    SQ_ONCE(st);
    int r = sq_res_exists(q, type, project_id, id);

    if (r == 0)
        r = store_sqlite_prepare_once(q,
                            "SELECT key, value FROM tag WHERE project_id = ? AND resource_type = ?"
                            " AND resource_id = ? ORDER BY key",
                            &st, "tags get");
    if (r == 0)
        r = store_sqlite_bind(q, st, "tags get", "sss", project_id, type, id);
    if (r == 0)
        r = sq_pairs(q, st, cb, ud, "tags get");
    return r;
}

int store_sqlite_tags_get(struct store *s, enum store_res_type type, const char *project_id,
                          const char *id, int (*cb)(void *ud, const char *key, const char *value),
                          void *ud)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin_read(q, "tags get: begin");

    if (r < 0)
        return r;
    r = sq_tags_get_tx(q, sq_res_type_name[type], project_id, id, cb, ud);
    store_sqlite_rollback(q); /* read only: nothing to commit */
    return r;
}

int store_sqlite_tags_project(struct store *s, enum store_res_type type, const char *project_id,
                              int (*cb)(void *ud, const char *key, const char *value), void *ud)
{
    struct sq_store *q = sq_from(s);
    SQ_ONCE(st);
    /* answered from the covering index tag_by_key */
    int r = store_sqlite_prepare_once(q,
                            "SELECT DISTINCT key, value FROM tag WHERE project_id = ?"
                            " AND resource_type = ? ORDER BY key, value",
                            &st, "tags project");

    if (r == 0)
        r = store_sqlite_bind(q, st, "tags project", "ss", project_id, sq_res_type_name[type]);
    if (r == 0)
        r = sq_pairs(q, st, cb, ud, "tags project");
    return r;
}

static int sq_tags_write_tx(struct sq_store *q, enum store_res_type type, const char *project_id,
                            const char *id, const char *old_spec, const char *spec,
                            const char *doc)
{
    SQ_ONCE(st);
    char sql[192];
    int r;

    if (doc)
        snprintf(sql, sizeof(sql),
                 "UPDATE %s SET spec = ?, doc = ? WHERE project_id = ? AND id = ? "
                 "AND vpnd_json(spec) = ?",
                 sq_res_table[type]);
    else
        snprintf(sql, sizeof(sql),
                 "UPDATE %s SET spec = ? WHERE project_id = ? AND id = ? AND vpnd_json(spec) = ?",
                 sq_res_table[type]);
    r = store_sqlite_prepare_once(q, sql, &st, "tags write");
    if (r == 0)
        r = doc ? store_sqlite_bind(q, st, "tags write",
                                    type == STORE_RES_VPN_CONNECTION ? "zzsss" : "sssss", spec,
                                    doc, project_id, id, old_spec)
                : store_sqlite_bind(q, st, "tags write",
                                    type == STORE_RES_VPN_CONNECTION ? "zsss" : "ssss", spec,
                                    project_id, id, old_spec);
    if (r == 0)
        r = store_sqlite_exec(q, st, "tags write");
    if (r == 0 && sqlite3_changes(q->db) == 1)
        return store_sqlite_tags_sync(q, type, project_id, id);
    if (r < 0)
        return r;
    r = sq_res_exists(q, sq_res_type_name[type], project_id, id);
    return r == 0 ? -EBUSY : r; /* present but its spec changed since it was read */
}

int store_sqlite_tags_write_spec(struct store *s, enum store_res_type type,
                                 const char *project_id, const char *id, const char *old_spec,
                                 const char *spec, const char *doc)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "tags write: begin");

    if (r < 0)
        return r;
    r = sq_tags_write_tx(q, type, project_id, id, old_spec, spec, doc);
    if (r == 0)
        r = store_sqlite_commit(q, "tags write: commit");
    if (r < 0)
        store_sqlite_rollback(q);
    return r;
}

/* ---- filter ---- */

/* Appends the WHERE conditions of f on tag_resource r (after "project_id = ? AND
 * resource_type = ?"); binds are taken in text order by sq_filter_bind. Each tag condition is
 * an IN over the (project_id, resource_type, key, value) index. */
static int sq_filter_sql(struct buf *b, const struct store_tag_filter *f)
{
    int r = buf_puts(b, "r.project_id = ? AND r.resource_type = ?");

    if (!f)
        return r;
    if (r == 0 && f->without_any_tag)
        r = buf_puts(b, " AND NOT EXISTS (SELECT 1 FROM tag t WHERE t.project_id = r.project_id"
                        " AND t.resource_type = r.resource_type"
                        " AND t.resource_id = r.resource_id)");
    for (size_t i = 0; r == 0 && !f->without_any_tag && i < f->n_tags; i++) {
        r = buf_puts(b, " AND r.resource_id IN (SELECT resource_id FROM tag WHERE project_id = ?"
                        " AND resource_type = ? AND key = ?");
        for (size_t j = 0; r == 0 && j < f->tags[i].n_values; j++)
            r = buf_puts(b, j == 0 ? " AND value IN (?" : ", ?");
        if (r == 0 && f->tags[i].n_values > 0)
            r = buf_puts(b, ")");
        if (r == 0)
            r = buf_puts(b, ")");
    }
    if (r == 0 && f->name_contains && f->name_contains[0])
        r = buf_puts(b, " AND instr(lower(r.name), lower(?)) > 0");
    else if (r == 0 && f->name_contains)
        r = buf_puts(b, " AND r.name = ?");
    return r;
}

static int sq_filter_bind(struct sq_store *q, sqlite3_stmt *st, int *pos, const char *type,
                          const char *project_id, const struct store_tag_filter *f)
{
    int rc = sqlite3_bind_text(st, (*pos)++, project_id, -1, SQLITE_STATIC);

    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, (*pos)++, type, -1, SQLITE_STATIC);
    for (size_t i = 0; f && rc == SQLITE_OK && !f->without_any_tag && i < f->n_tags; i++) {
        rc = sqlite3_bind_text(st, (*pos)++, project_id, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(st, (*pos)++, type, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(st, (*pos)++, f->tags[i].key, -1, SQLITE_STATIC);
        for (size_t j = 0; rc == SQLITE_OK && j < f->tags[i].n_values; j++)
            rc = sqlite3_bind_text(st, (*pos)++, f->tags[i].values[j], -1, SQLITE_STATIC);
    }
    if (f && rc == SQLITE_OK && f->name_contains)
        rc = sqlite3_bind_text(st, (*pos)++, f->name_contains, -1, SQLITE_STATIC);
    return rc == SQLITE_OK ? 0 : store_sqlite_fail(q, rc, "tags filter: bind");
}

static int sq_filter_count(struct sq_store *q, const char *type, const char *project_id,
                           const struct store_tag_filter *f, int64_t *ret)
{
    _cleanup_(buf_free) struct buf sql = {0};
    SQ_ONCE(st);
    int pos = 1, rc;
    int r = buf_puts(&sql, "SELECT count(*) FROM tag_resource r WHERE ");

    if (r == 0)
        r = sq_filter_sql(&sql, f);
    if (r == 0)
        r = store_sqlite_prepare_once(q, sql.data, &st, "tags count");
    if (r == 0)
        r = sq_filter_bind(q, st, &pos, type, project_id, f);
    if (r < 0)
        return r;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        return store_sqlite_fail(q, rc, "tags count");
    *ret = sqlite3_column_int64(st, 0);
    return 0;
}

static int sq_filter_page(struct sq_store *q, const char *type, const char *project_id,
                          const struct store_tag_filter *f, size_t limit, size_t offset,
                          int (*cb)(void *ud, const char *id, const char *name, const char *key,
                                    const char *value),
                          void *ud)
{
    _cleanup_(buf_free) struct buf sql = {0};
    SQ_ONCE(st);
    int pos = 1, rc = SQLITE_DONE;
    int r = buf_puts(&sql, "SELECT p.resource_id, p.name, t.key, t.value FROM"
                           " (SELECT r.resource_id, r.name, r.created_at FROM tag_resource r"
                           " WHERE ");

    if (r == 0)
        r = sq_filter_sql(&sql, f);
    if (r == 0)
        r = buf_puts(&sql, " ORDER BY r.created_at DESC, r.resource_id DESC LIMIT ? OFFSET ?) p"
                           " LEFT JOIN tag t ON t.project_id = ? AND t.resource_type = ?"
                           " AND t.resource_id = p.resource_id"
                           " ORDER BY p.created_at DESC, p.resource_id DESC, t.key");
    if (r == 0)
        r = store_sqlite_prepare_once(q, sql.data, &st, "tags filter");
    if (r == 0)
        r = sq_filter_bind(q, st, &pos, type, project_id, f);
    if (r < 0)
        return r;
    rc = sqlite3_bind_int64(st, pos++, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, pos++, offset > INT64_MAX ? INT64_MAX : (int64_t)offset);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, pos++, project_id, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, pos++, type, -1, SQLITE_STATIC);
    if (rc != SQLITE_OK)
        return store_sqlite_fail(q, rc, "tags filter: bind");
    while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        const char *key = (const char *)sqlite3_column_text(st, 2);
        const char *value = key ? (const char *)sqlite3_column_text(st, 3) : NULL;
        if (!id || !name || (key && !value))
            return -ENOMEM;
        r = cb(ud, id, name, key, value);
    }
    if (r < 0)
        return r;
    return rc == SQLITE_DONE ? 0 : store_sqlite_fail(q, rc, "tags filter");
}

int store_sqlite_tags_filter(struct store *s, enum store_res_type type, const char *project_id,
                             const struct store_tag_filter *f, size_t limit, size_t offset,
                             int (*cb)(void *ud, const char *id, const char *name,
                                       const char *key, const char *value),
                             void *ud, int64_t *ret_total)
{
    struct sq_store *q = sq_from(s);
    const char *tname = sq_res_type_name[type];
    int64_t total = 0;
    int r = store_sqlite_begin_read(q, "tags filter: begin");

    if (r < 0)
        return r;
    if (ret_total)
        r = sq_filter_count(q, tname, project_id, f, &total);
    if (r == 0 && limit > 0)
        r = sq_filter_page(q, tname, project_id, f, limit, offset, cb, ud);
    store_sqlite_rollback(q); /* read only */
    if (r == 0 && ret_total)
        *ret_total = total;
    return r;
}
