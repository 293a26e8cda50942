/* store/postgres/pg_tags.c: the tag index (store.h "tags") on PostgreSQL: its reads and the tag
 * write.
 *
 * The index tables (tag_resource, tag; pg_schema.c) are kept by triggers on the three resource
 * tables, in the writing transaction, for every writer (the API, a bulk import, another node).
 * The filter's text depends on the request, so it runs unprepared with numbered parameters.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres/pg_int.h"
#include "util/buf.h"

static const char *const pg_res_type_name[] = {
    [STORE_RES_VPN_GATEWAY] = "vpn-gateway",
    [STORE_RES_CUSTOMER_GATEWAY] = "customer-gateway",
    [STORE_RES_VPN_CONNECTION] = "vpn-connection",
};

static const char *const pg_res_table[] = {
    [STORE_RES_VPN_GATEWAY] = "vpn_gateway",
    [STORE_RES_CUSTOMER_GATEWAY] = "customer_gateway",
    [STORE_RES_VPN_CONNECTION] = "vpn_connection",
};

typedef int pg_pair_cb(void *ud, const char *key, const char *value);

static int pg_pairs(const PGresult *res, pg_pair_cb *cb, void *ud)
{
    for (int i = 0; i < PQntuples(res); i++) {
        int r = cb(ud, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
        if (r < 0)
            return r;
    }
    return 0;
}

struct pg_tags_get {
    const char *type, *project_id, *id;
    pg_pair_cb *cb;
    void *ud;
};

static int pg_tags_get_tx(struct pg_store *p, void *ud)
{
    const struct pg_tags_get *a = ud;
    _cleanup_pgres_ PGresult *exists = NULL;
    _cleanup_pgres_ PGresult *res = NULL;
    int r = store_postgres_query(p, PG_TAG_RESOURCE_EXISTS, "tags get", &exists, "sss",
                                 a->project_id, a->type, a->id);

    if (r < 0)
        return r;
    if (PQntuples(exists) == 0)
        return -ENOENT;
    r = store_postgres_query(p, PG_TAGS_GET, "tags get", &res, "sss", a->project_id, a->type,
                             a->id);
    return r < 0 ? r : pg_pairs(res, a->cb, a->ud);
}

int store_postgres_tags_get(struct store *s, enum store_res_type type, const char *project_id,
                            const char *id, pg_pair_cb *cb, void *ud)
{
    struct pg_tags_get a = {pg_res_type_name[type], project_id, id, cb, ud};

    return store_postgres_tx(pg_from(s), PG_TX_READ_SNAPSHOT, "tags get", pg_tags_get_tx, &a);
}

int store_postgres_tags_project(struct store *s, enum store_res_type type, const char *project_id,
                                pg_pair_cb *cb, void *ud)
{
    struct pg_store *p = pg_from(s);
    _cleanup_pgres_ PGresult *res = NULL;
    int r = store_postgres_read(p, PG_TAGS_PROJECT, "tags project", &res, "ss", project_id,
                                pg_res_type_name[type]);

    return r < 0 ? r : pg_pairs(res, cb, ud);
}

struct pg_tags_write {
    enum store_res_type type;
    const char *project_id, *id, *old_spec, *spec, *doc;
};

static int pg_tags_write_tx(struct pg_store *p, void *ud)
{
    const struct pg_tags_write *a = ud;
    _cleanup_pgres_ PGresult *res = NULL;
    _cleanup_pgres_ PGresult *exists = NULL;
    char sql[192];
    int r;

    if (a->doc)
        snprintf(sql, sizeof(sql),
                 "UPDATE %s SET spec = $1, doc = $5 WHERE project_id = $2 AND id = $3 AND spec = $4",
                 pg_res_table[a->type]);
    else
        snprintf(sql, sizeof(sql),
                 "UPDATE %s SET spec = $1 WHERE project_id = $2 AND id = $3 AND spec = $4",
                 pg_res_table[a->type]);
    /* the tag index follows by trigger */
    r = a->doc ? store_postgres_query_sql(p, sql, "tags write", &res, "sssss", a->spec,
                                          a->project_id, a->id, a->old_spec, a->doc)
               : store_postgres_query_sql(p, sql, "tags write", &res, "ssss", a->spec,
                                          a->project_id, a->id, a->old_spec);
    if (r < 0)
        return r;
    if (store_postgres_affected(res) == 1)
        return 0;
    r = store_postgres_query(p, PG_TAG_RESOURCE_EXISTS, "tags write", &exists, "sss",
                             a->project_id, pg_res_type_name[a->type], a->id);
    if (r < 0)
        return r;
    return PQntuples(exists) > 0 ? -EBUSY : -ENOENT; /* present: its spec changed since read */
}

int store_postgres_tags_write_spec(struct store *s, enum store_res_type type,
                                   const char *project_id, const char *id, const char *old_spec,
                                   const char *spec, const char *doc)
{
    struct pg_tags_write a = {type, project_id, id, old_spec, spec, doc};

    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "tags write", pg_tags_write_tx, &a);
}

/* ---- filter ---- */

/* The text and the parameters of a filter query. $1 is the project, $2 the resource type. */
struct pg_q {
    struct buf sql;
    const char **v;
    int n, cap;
    char num[2][24];
};

static void pg_q_free(struct pg_q *q)
{
    buf_free(&q->sql);
    free(q->v);
}

/* Adds a parameter ($n, n = its position). */
static int pg_q_add(struct pg_q *q, const char *value)
{
    if (q->n == q->cap) {
        int cap = q->cap ? 2 * q->cap : 16;
        const char **v = realloc(q->v, (size_t)cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        q->v = v;
        q->cap = cap;
    }
    q->v[q->n++] = value;
    return 0;
}

/* Adds a parameter and appends its "$n" to the text. */
static int pg_q_param(struct pg_q *q, const char *value)
{
    char ref[16];
    int r = pg_q_add(q, value);

    snprintf(ref, sizeof(ref), "$%d", q->n);
    return r < 0 ? r : buf_puts(&q->sql, ref);
}

/* The conditions of f on tag_resource r. Each tag condition is an IN over the
 * (project_id, resource_type, key, value) index. */
static int pg_filter_sql(struct pg_q *q, const struct store_tag_filter *f)
{
    int r = buf_puts(&q->sql, "r.project_id = $1 AND r.resource_type = $2");

    if (!f)
        return r;
    if (r == 0 && f->without_any_tag)
        r = buf_puts(&q->sql, " AND NOT EXISTS (SELECT 1 FROM tag t WHERE t.project_id = $1"
                              " AND t.resource_type = $2 AND t.resource_id = r.resource_id)");
    for (size_t i = 0; r == 0 && !f->without_any_tag && i < f->n_tags; i++) {
        r = buf_puts(&q->sql, " AND r.resource_id IN (SELECT resource_id FROM tag"
                              " WHERE project_id = $1 AND resource_type = $2 AND key = ");
        if (r == 0)
            r = pg_q_param(q, f->tags[i].key);
        for (size_t j = 0; r == 0 && j < f->tags[i].n_values; j++) {
            r = buf_puts(&q->sql, j == 0 ? " AND value IN (" : ", ");
            if (r == 0)
                r = pg_q_param(q, f->tags[i].values[j]);
        }
        if (r == 0 && f->tags[i].n_values > 0)
            r = buf_puts(&q->sql, ")");
        if (r == 0)
            r = buf_puts(&q->sql, ")");
    }
    /* lower() in the "C" collation folds ASCII letters only, as the contract asks */
    if (r == 0 && f->name_contains && f->name_contains[0]) {
        r = buf_puts(&q->sql, " AND strpos(lower(r.name), lower(");
        if (r == 0)
            r = pg_q_param(q, f->name_contains);
        if (r == 0)
            r = buf_puts(&q->sql, "::text COLLATE \"C\")) > 0");
    } else if (r == 0 && f->name_contains) {
        r = buf_puts(&q->sql, " AND r.name = ");
        if (r == 0)
            r = pg_q_param(q, f->name_contains);
    }
    return r;
}

static int pg_q_start(struct pg_q *q, const char *head, const char *type, const char *project_id,
                      const struct store_tag_filter *f)
{
    int r = buf_puts(&q->sql, head);

    if (r == 0)
        r = pg_q_add(q, project_id); /* $1 */
    if (r == 0)
        r = pg_q_add(q, type); /* $2 */
    return r < 0 ? r : pg_filter_sql(q, f);
}

struct pg_filter {
    const char *type, *project_id;
    const struct store_tag_filter *f;
    size_t limit, offset;
    int (*cb)(void *ud, const char *id, const char *name, const char *key, const char *value);
    void *ud;
    int64_t total;
    bool want_total;
};

static int pg_filter_count(struct pg_store *p, const struct pg_filter *a, int64_t *ret)
{
    _cleanup_(pg_q_free) struct pg_q q = {0};
    _cleanup_pgres_ PGresult *res = NULL;
    int r = pg_q_start(&q, "SELECT count(*) FROM tag_resource r WHERE ", a->type, a->project_id,
                       a->f);

    if (r == 0)
        r = store_postgres_query_sqlv(p, q.sql.data, "tags count", &res, q.n, q.v);
    return r < 0 ? r : store_postgres_col_int(p, res, 0, 0, ret);
}

static int pg_filter_page(struct pg_store *p, const struct pg_filter *a)
{
    _cleanup_(pg_q_free) struct pg_q q = {0};
    _cleanup_pgres_ PGresult *res = NULL;
    int r = pg_q_start(&q,
                       "SELECT p.resource_id, p.name, t.key, t.value FROM"
                       " (SELECT r.resource_id, r.name, r.created_at FROM tag_resource r WHERE ",
                       a->type, a->project_id, a->f);

    snprintf(q.num[0], sizeof(q.num[0]), "%lld",
             (long long)(a->limit > INT64_MAX ? INT64_MAX : (int64_t)a->limit));
    snprintf(q.num[1], sizeof(q.num[1]), "%lld",
             (long long)(a->offset > INT64_MAX ? INT64_MAX : (int64_t)a->offset));
    if (r == 0)
        r = buf_puts(&q.sql, " ORDER BY r.created_at DESC, r.resource_id DESC LIMIT ");
    if (r == 0)
        r = pg_q_param(&q, q.num[0]);
    if (r == 0)
        r = buf_puts(&q.sql, "::bigint OFFSET ");
    if (r == 0)
        r = pg_q_param(&q, q.num[1]);
    if (r == 0)
        r = buf_puts(&q.sql, "::bigint) p LEFT JOIN tag t ON t.project_id = $1"
                             " AND t.resource_type = $2 AND t.resource_id = p.resource_id"
                             " ORDER BY p.created_at DESC, p.resource_id DESC, t.key");
    if (r == 0)
        r = store_postgres_query_sqlv(p, q.sql.data, "tags filter", &res, q.n, q.v);
    for (int i = 0; r == 0 && i < PQntuples(res); i++) {
        bool untagged = PQgetisnull(res, i, 2);

        r = a->cb(a->ud, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                  untagged ? NULL : PQgetvalue(res, i, 2), untagged ? NULL : PQgetvalue(res, i, 3));
    }
    return r < 0 ? r : 0;
}

static int pg_filter_tx(struct pg_store *p, void *ud)
{
    struct pg_filter *a = ud;
    int r = a->want_total ? pg_filter_count(p, a, &a->total) : 0;

    return r == 0 && a->limit > 0 ? pg_filter_page(p, a) : r;
}

int store_postgres_tags_filter(struct store *s, enum store_res_type type, const char *project_id,
                               const struct store_tag_filter *f, size_t limit, size_t offset,
                               int (*cb)(void *ud, const char *id, const char *name,
                                         const char *key, const char *value),
                               void *ud, int64_t *ret_total)
{
    struct pg_filter a = {pg_res_type_name[type], project_id, f, limit, offset, cb, ud, 0,
                          ret_total != NULL};
    int r = store_postgres_tx(pg_from(s), PG_TX_READ_SNAPSHOT, "tags filter", pg_filter_tx, &a);

    if (r == 0 && ret_total)
        *ret_total = a.total;
    return r;
}
