/* store/store.c: opens a store by URL and dispatches the store.h calls to its backend.
 *
 * The URL picks the backend by scheme ("sqlite:PATH"); a string without a scheme is a SQLite
 * file path. A scheme is what a URL scheme looks like (RFC 3986: a letter, then letters, digits,
 * '+', '-' or '.') followed by ':', at least two characters long so that nothing a plain path
 * would start with by accident ("./a:b", "/x:y") is mistaken for one.
 */
#include "store/store.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "store/postgres/store_postgres.h"
#include "store/sqlite/store_sqlite.h"
#include "store/store_backend.h"

struct store_backend {
    const char *scheme;
    int (*open)(const char *location, struct store **ret, char *errbuf, size_t errlen);
    bool whole_url; /* open gets the URL itself (libpq parses it), not what follows "scheme:" */
};

static const struct store_backend store_backends[] = {
    {"sqlite", store_sqlite_open, false},
    {"postgres", store_postgres_open, true},
    {"postgresql", store_postgres_open, true},
};

static bool store_is_scheme_char(char c, bool first)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return true;
    return !first && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.');
}

/* Length of url's scheme (the part before ':'), or 0 if url has none. */
static size_t store_scheme_len(const char *url)
{
    size_t n = 0;

    while (url[n] && store_is_scheme_char(url[n], n == 0))
        n++;
    return url[n] == ':' && n >= 2 ? n : 0;
}

/* Every member of a backend's ops table but the optional ones is required (store_backend.h): a
 * backend that leaves one NULL is refused at open, with its name, rather than crashing on the
 * first call. */
static int store_check_ops(int r, struct store **ret, char *errbuf, size_t errlen)
{
    typedef void (*store_fn)(void);
    static const size_t optional[] = {offsetof(struct store_ops, read_batch),
                                      offsetof(struct store_ops, bulk_batch),
                                      offsetof(struct store_ops, bulk_undo),
                                      offsetof(struct store_ops, set_sync),
                                      offsetof(struct store_ops, compact),
                                      offsetof(struct store_ops, group_begin),
                                      offsetof(struct store_ops, group_pending),
                                      offsetof(struct store_ops, group_end)};
    const size_t first = offsetof(struct store_ops, close);
    const struct store_ops *ops;

    /* the members after name are all function pointers, of one size */
    _Static_assert((sizeof(struct store_ops) - offsetof(struct store_ops, close)) %
                           sizeof(store_fn) ==
                       0,
                   "struct store_ops: only function pointers after name");
    if (r < 0)
        return r;
    ops = (*ret)->ops;
    for (size_t off = first; off < sizeof(*ops); off += sizeof(store_fn)) {
        store_fn fn;

        bool may_lack = false;

        memcpy(&fn, (const char *)ops + off, sizeof(fn));
        for (size_t i = 0; i < ARRAY_SIZE(optional); i++)
            may_lack = may_lack || optional[i] == off;
        if (fn || may_lack)
            continue;
        snprintf(errbuf, errlen,
                 "store backend %s is incomplete: operation %zu of struct store_ops is missing",
                 ops->name, (off - first) / sizeof(store_fn));
        store_close(*ret);
        *ret = NULL;
        return -EIO;
    }
    return 0;
}

/* ---- timing (store_stats) ---- */

static int64_t store_mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int store_observe(struct store *s, int64_t t0, int r)
{
    int64_t us = store_mono_us() - t0;

    metrics_hist_observe(&s->stats.latency, us > 0 ? (uint64_t)us : 0);
    if (r == -EBUSY)
        s->stats.busy++;
    else if (r == -EIO)
        s->stats.io++;
    else if (r == -ENOMEM)
        s->stats.nomem++;
    else if (r == -ENOSPC)
        s->stats.full++;
    return r;
}

/* Times one backend call and counts its failure. */
#define STORE_TIMED(s, call)                                                                       \
    ({                                                                                             \
        int64_t store_t0_ = store_mono_us();                                                      \
        store_observe((s), store_t0_, (call));                                                     \
    })

const struct store_stats *store_stats(const struct store *s)
{
    return &s->stats;
}

const char *store_backend_name(const struct store *s)
{
    return s->ops->name;
}

int store_open(const char *url, struct store **ret, char *errbuf, size_t errlen)
{
    size_t n;

    assert(url && ret && errbuf && errlen > 0);
    errbuf[0] = '\0';
    if (!url[0]) {
        snprintf(errbuf, errlen, "empty store URL");
        return -EINVAL;
    }
    n = store_scheme_len(url);
    if (n == 0)
        return store_check_ops(store_backends[0].open(url, ret, errbuf, errlen), ret, errbuf,
                               errlen);
    for (size_t i = 0; i < ARRAY_SIZE(store_backends); i++) {
        const struct store_backend *b = &store_backends[i];

        if (strlen(b->scheme) != n || strncasecmp(url, b->scheme, n) != 0)
            continue;
        if (!url[n + 1]) {
            snprintf(errbuf, errlen, "store URL \"%s\" names no database", url);
            return -EINVAL;
        }
        return store_check_ops(b->open(b->whole_url ? url : url + n + 1, ret, errbuf, errlen),
                               ret, errbuf, errlen);
    }
    snprintf(errbuf, errlen, "unsupported store URL scheme \"%.*s\" (supported: sqlite, postgres, postgresql)",
             (int)(n > 32 ? 32 : n), url);
    return -EINVAL;
}

void store_url_redact(const char *url, char *out, size_t size)
{
    const char *auth = strstr(url, "://");
    const char *at, *colon;

    assert(size > 0);
    if (auth) {
        auth += 3;
        at = auth + strcspn(auth, "@/?");
        colon = memchr(auth, ':', (size_t)(at - auth));
        if (*at == '@' && colon) {
            snprintf(out, size, "%.*s***%s", (int)(colon + 1 - url), url, at);
            return;
        }
    }
    snprintf(out, size, "%s", url);
}

void store_close(struct store *s)
{
    if (s)
        s->ops->close(s);
}

const char *store_errmsg(struct store *s)
{
    return s->ops->errmsg(s);
}

int store_schema_version(struct store *s)
{
    return s->ops->schema_version(s);
}

int store_vgw_insert(struct store *s, const struct store_vgw_row *row,
                     const struct store_claim *claims, size_t n_claims)
{
    assert(row && row->spec && (claims || n_claims == 0));
    return STORE_TIMED(s, s->ops->vgw_insert(s, row, claims, n_claims));
}

int store_vgw_get(struct store *s, const char *project_id, const char *id,
                  struct store_vgw_row *ret)
{
    assert(project_id && id && ret);
    return STORE_TIMED(s, s->ops->vgw_get(s, project_id, id, ret));
}

int store_cgw_insert(struct store *s, const struct store_cgw_row *row)
{
    assert(row && row->spec);
    return STORE_TIMED(s, s->ops->cgw_insert(s, row));
}

int store_cgw_get(struct store *s, const char *project_id, const char *id,
                  struct store_cgw_row *ret)
{
    assert(project_id && id && ret);
    return STORE_TIMED(s, s->ops->cgw_get(s, project_id, id, ret));
}

int store_conn_insert(struct store *s, const struct store_conn_row *row,
                      const struct store_claim *claims, size_t n_claims)
{
    assert(row && row->spec && row->doc && (claims || n_claims == 0));
    return STORE_TIMED(s, s->ops->conn_insert(s, row, claims, n_claims));
}

int store_conn_get_doc(struct store *s, const char *project_id, const char *id, struct buf *out)
{
    assert(project_id && id && out);
    return STORE_TIMED(s, s->ops->conn_get_doc(s, project_id, id, out));
}

int store_conn_get(struct store *s, const char *project_id, const char *id,
                   struct store_conn_row *ret)
{
    assert(project_id && id && ret);
    return STORE_TIMED(s, s->ops->conn_get(s, project_id, id, ret));
}

int store_conn_update(struct store *s, const struct store_conn_row *row,
                      const struct store_claim *claims, size_t n_claims)
{
    assert(row && row->spec && row->doc && (claims || n_claims == 0));
    return STORE_TIMED(s, s->ops->conn_update(s, row, claims, n_claims));
}

int store_conn_delete(struct store *s, const char *project_id, const char *id)
{
    assert(project_id && id);
    return STORE_TIMED(s, s->ops->conn_delete(s, project_id, id));
}

int store_conn_list(struct store *s, const char *project_id, const struct store_conn_filter *f,
                    size_t limit, struct buf *out, size_t *ret_count,
                    char ret_next_marker[STORE_MARKER_LEN], int64_t *ret_total)
{
    static const struct store_conn_filter none = {0};

    assert(project_id && out && ret_count && ret_next_marker);
    assert(!f || f->enterprise_project_ids || f->n_enterprise_project_ids == 0);
    return STORE_TIMED(s, s->ops->conn_list(s, project_id, f ? f : &none, limit, out, ret_count,
                                            ret_next_marker, ret_total));
}

int store_claims_list(struct store *s, const char *kind, struct buf *out, size_t *ret_n)
{
    assert(kind && out && ret_n);
    return STORE_TIMED(s, s->ops->claims_list(s, kind, out, ret_n));
}

int store_vgw_list(struct store *s, const char *project_id,
                   int (*cb)(void *ud, const struct store_vgw_row *row), void *ud)
{
    assert(project_id && cb);
    return STORE_TIMED(s, s->ops->vgw_list(s, project_id, cb, ud));
}

int store_vgw_delete(struct store *s, const char *project_id, const char *id, int64_t *ret_users)
{
    assert(project_id && id && ret_users);
    return STORE_TIMED(s, s->ops->vgw_delete(s, project_id, id, ret_users));
}

int store_cgw_delete(struct store *s, const char *project_id, const char *id, int64_t *ret_users)
{
    assert(project_id && id && ret_users);
    return STORE_TIMED(s, s->ops->cgw_delete(s, project_id, id, ret_users));
}

int store_project_counts(struct store *s, const char *project_id, struct store_counts *ret)
{
    assert(project_id && ret);
    return STORE_TIMED(s, s->ops->project_counts(s, project_id, ret));
}

int store_due_list(struct store *s, int64_t now, size_t max, struct store_due *out,
                   size_t *ret_n)
{
    assert(out && ret_n);
    return STORE_TIMED(s, s->ops->due_list(s, now, max, out, ret_n));
}

int store_vgw_set_status(struct store *s, const char *project_id, const char *id,
                         const char *from, const char *to, int64_t status_due,
                         int64_t updated_at)
{
    assert(project_id && id && from && to);
    return STORE_TIMED(
        s, s->ops->vgw_set_status(s, project_id, id, from, to, status_due, updated_at));
}

int store_conn_insert_batch(struct store *s, const struct store_conn_new *items, size_t n,
                            size_t *ret_failed)
{
    assert(items && n > 0);
    for (size_t i = 0; i < n; i++)
        assert(items[i].row && items[i].row->spec && items[i].row->doc &&
               (items[i].claims || items[i].n_claims == 0));
    return STORE_TIMED(s, s->ops->conn_insert_batch(s, items, n, ret_failed));
}

int store_conn_update_if(struct store *s, const struct store_conn_row *row,
                         const struct store_conn_expect *from, const struct store_claim *claims,
                         size_t n_claims, const struct store_event *ev)
{
    assert(row && row->spec && row->doc && from && from->status && (claims || n_claims == 0));
    return STORE_TIMED(s, s->ops->conn_update_if(s, row, from, claims, n_claims, ev));
}

int store_conn_delete_if(struct store *s, const char *project_id, const char *id,
                         const char *from_status)
{
    assert(project_id && id && from_status);
    return STORE_TIMED(s, s->ops->conn_delete_if(s, project_id, id, from_status));
}

int store_conn_events(struct store *s, const char *project_id, const char *id,
                      int (*cb)(void *ud, const struct store_event *ev), void *ud)
{
    assert(project_id && id && cb);
    return STORE_TIMED(s, s->ops->conn_events(s, project_id, id, cb, ud));
}

int store_monitor_insert(struct store *s, const struct store_monitor_row *m,
                         const struct store_conn_row *conn, const struct store_conn_expect *from)
{
    assert(m && conn && conn->spec && conn->doc && from && from->status);
    assert(strcmp(m->vpn_connection_id, conn->id) == 0 &&
           strcmp(m->project_id, conn->project_id) == 0);
    return STORE_TIMED(s, s->ops->monitor_insert(s, m, conn, from));
}

int store_monitor_get(struct store *s, const char *project_id, const char *id,
                      struct store_monitor_row *ret)
{
    assert(project_id && id && ret);
    return STORE_TIMED(s, s->ops->monitor_get(s, project_id, id, ret));
}

int store_monitor_list(struct store *s, const char *project_id,
                       const struct store_monitor_filter *f,
                       int (*cb)(void *ud, const struct store_monitor_row *m), void *ud)
{
    static const struct store_monitor_filter none = {0};

    assert(project_id && cb);
    assert(!f || f->enterprise_project_ids || f->n_enterprise_project_ids == 0);
    return STORE_TIMED(s, s->ops->monitor_list(s, project_id, f ? f : &none, cb, ud));
}

int store_monitor_delete(struct store *s, const char *project_id, const char *id,
                         const struct store_conn_row *conn, const struct store_conn_expect *from)
{
    assert(project_id && id && conn && conn->spec && conn->doc && from && from->status);
    return STORE_TIMED(s, s->ops->monitor_delete(s, project_id, id, conn, from));
}

int store_monitor_due_list(struct store *s, int64_t now, size_t max, struct store_due *out,
                           size_t *ret_n)
{
    assert(out && ret_n);
    return STORE_TIMED(s, s->ops->monitor_due_list(s, now, max, out, ret_n));
}

int store_monitor_set_status(struct store *s, const char *project_id, const char *id,
                             const char *from, const char *to, int64_t status_due)
{
    assert(project_id && id && from && to);
    return STORE_TIMED(s, s->ops->monitor_set_status(s, project_id, id, from, to, status_due));
}

void store_vgw_row_done(struct store_vgw_row *row)
{
    free(row->spec);
    row->spec = NULL;
}

void store_cgw_row_done(struct store_cgw_row *row)
{
    free(row->spec);
    row->spec = NULL;
}

void store_conn_row_done(struct store_conn_row *row)
{
    free(row->spec);
    free(row->doc);
    row->spec = NULL;
    row->doc = NULL;
}

/* ---- tags ---- */

static bool store_res_type_is_valid(enum store_res_type type)
{
    return type == STORE_RES_VPN_GATEWAY || type == STORE_RES_CUSTOMER_GATEWAY ||
           type == STORE_RES_VPN_CONNECTION;
}

int store_tags_get(struct store *s, enum store_res_type type, const char *project_id,
                   const char *id, int (*cb)(void *ud, const char *key, const char *value),
                   void *ud)
{
    assert(store_res_type_is_valid(type) && project_id && id && cb);
    return STORE_TIMED(s, s->ops->tags_get(s, type, project_id, id, cb, ud));
}

int store_tags_project(struct store *s, enum store_res_type type, const char *project_id,
                       int (*cb)(void *ud, const char *key, const char *value), void *ud)
{
    assert(store_res_type_is_valid(type) && project_id && cb);
    return STORE_TIMED(s, s->ops->tags_project(s, type, project_id, cb, ud));
}

int store_tags_write_spec(struct store *s, enum store_res_type type, const char *project_id,
                          const char *id, const char *old_spec, const char *spec,
                          const char *doc)
{
    assert(store_res_type_is_valid(type) && project_id && id && old_spec && spec);
    assert((type == STORE_RES_VPN_CONNECTION) == (doc != NULL));
    return STORE_TIMED(s, s->ops->tags_write_spec(s, type, project_id, id, old_spec, spec, doc));
}

int store_tags_filter(struct store *s, enum store_res_type type, const char *project_id,
                      const struct store_tag_filter *f, size_t limit, size_t offset,
                      int (*cb)(void *ud, const char *id, const char *name, const char *key,
                                const char *value),
                      void *ud, int64_t *ret_total)
{
    assert(store_res_type_is_valid(type) && project_id && (cb || limit == 0));
    assert(!f || f->tags || f->n_tags == 0);
    return STORE_TIMED(
        s, s->ops->tags_filter(s, type, project_id, f, limit, offset, cb, ud, ret_total));
}

/* ---- customer-gateway list/update, gateway update ---- */

int store_cgw_list(struct store *s, const char *project_id, const struct store_cgw_filter *f,
                   size_t limit, int (*cb)(void *ud, const struct store_cgw_row *row), void *ud,
                   size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN], int64_t *ret_total)
{
    static const struct store_cgw_filter none = {0};

    assert(project_id && cb && ret_count && ret_next_marker);
    return STORE_TIMED(s, s->ops->cgw_list(s, project_id, f ? f : &none, limit, cb, ud,
                                           ret_count, ret_next_marker, ret_total));
}

int store_cgw_update(struct store *s, const struct store_cgw_row *row)
{
    assert(row && row->spec);
    return STORE_TIMED(s, s->ops->cgw_update(s, row));
}

int store_vgw_update(struct store *s, const struct store_vgw_update *u,
                     size_t *ret_released_index)
{
    assert(u && u->row && u->row->spec && u->from_status);
    assert(u->released || u->n_released == 0);
    return STORE_TIMED(s, s->ops->vgw_update(s, u, ret_released_index));
}

/* ---- bulk load and dump (vpnd import / export) ---- */

int store_bulk_begin(struct store *s)
{
    return STORE_TIMED(s, s->ops->bulk_begin(s));
}

int store_bulk_end(struct store *s, bool commit)
{
    return STORE_TIMED(s, s->ops->bulk_end(s, commit));
}

int store_dump(struct store *s, const struct store_dump_cbs *cbs, void *ud)
{
    assert(cbs && cbs->vgw && cbs->cgw && cbs->conn);
    return STORE_TIMED(s, s->ops->dump(s, cbs, ud));
}

void store_set_quotas(struct store *s, const struct store_quotas *q)
{
    assert(s && q);
    s->quotas = *q;
}

/* ---- read batching (one event-loop turn of the server) ---- */

void store_read_batch(struct store *s, bool on)
{
    if (s->ops->read_batch)
        s->ops->read_batch(s, on);
}

int store_compact(struct store *s, size_t batch, size_t *ret_rows)
{
    *ret_rows = 0;
    return s->ops->compact ? s->ops->compact(s, batch, ret_rows) : 0;
}

int store_set_sync(struct store *s, bool full)
{
    return s->ops->set_sync ? s->ops->set_sync(s, full) : 0;
}

int store_group_begin(struct store *s)
{
    return s->ops->group_begin ? s->ops->group_begin(s) : 0;
}

bool store_group_pending(struct store *s)
{
    return s->ops->group_pending && s->ops->group_pending(s);
}

int store_group_end(struct store *s)
{
    return s->ops->group_end ? STORE_TIMED(s, s->ops->group_end(s)) : 0;
}

int store_conn_set_status(struct store *s, struct store_conn_status *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert(items[i].project_id && items[i].id && items[i].from && items[i].to);
    return n ? STORE_TIMED(s, s->ops->conn_set_status(s, items, n)) : 0;
}

int store_vgw_conns_stamp(struct store *s, const char *project_id, const char *vgw_id,
                          struct store_vgw_conns *ret)
{
    return STORE_TIMED(s, s->ops->vgw_conns_stamp(s, project_id, vgw_id, ret));
}

/* ---- bulk load batches (vpnd import) ---- */

int store_bulk_batch(struct store *s)
{
    return s->ops->bulk_batch ? s->ops->bulk_batch(s) : -EOPNOTSUPP;
}

int store_bulk_undo(struct store *s)
{
    return s->ops->bulk_undo ? s->ops->bulk_undo(s) : -EINVAL; /* no batch is ever open */
}

/* ---- data-plane leases ---- */

int store_leases_take(struct store *s, const char *node, int64_t now, int64_t until,
                      struct buf *out, size_t *ret_n)
{
    size_t n = strlen(node);

    if (n == 0 || n >= STORE_NODE_LEN)
        return -EINVAL;
    return s->ops->leases_take(s, node, now, until, out, ret_n);
}

int store_lease_get(struct store *s, const char *project_id, const char *vgw_id,
                    char ret_node[STORE_NODE_LEN], int64_t *ret_until)
{
    return s->ops->lease_get(s, project_id, vgw_id, ret_node, ret_until);
}

const char *store_url_file(const char *url)
{
    size_t n = store_scheme_len(url);
    const char *path = url;

    if (n && (n != strlen(store_backends[0].scheme) ||
              strncasecmp(url, store_backends[0].scheme, n) != 0))
        return NULL;
    if (n)
        path = url + n + 1;
    return *path && strcmp(path, ":memory:") != 0 ? path : NULL;
}

/* ---- the control table, reset, ping ---- */

/* A key of the control table: 1 to STORE_CTL_KEY_MAX - 1 printable ASCII characters. */
static bool store_ctl_key_ok(const char *key)
{
    size_t n = 0;

    for (; key[n]; n++) {
        if ((unsigned char)key[n] < 0x20 || (unsigned char)key[n] > 0x7e)
            return false;
    }
    return n > 0 && n < STORE_CTL_KEY_MAX;
}

int store_ctl_get(struct store *s, const char *key, struct buf *value, int64_t *ret_n)
{
    assert(key && store_ctl_key_ok(key));
    return STORE_TIMED(s, s->ops->ctl_get(s, key, value, ret_n));
}

int store_ctl_list(struct store *s, const char *prefix,
                   int (*cb)(void *ud, const struct store_ctl_row *row), void *ud)
{
    assert(prefix && cb);
    return STORE_TIMED(s, s->ops->ctl_list(s, prefix, cb, ud));
}

int store_ctl_put(struct store *s, const char *key, const char *value, int64_t n)
{
    assert(key && value && store_ctl_key_ok(key) && strcmp(key, STORE_CTL_GENERATION) != 0);
    return STORE_TIMED(s, s->ops->ctl_put(s, key, value, n));
}

int store_ctl_delete(struct store *s, const char *key, bool prefix, int64_t *ret_n)
{
    assert(key && (prefix || store_ctl_key_ok(key)));
    return STORE_TIMED(s, s->ops->ctl_delete(s, key, prefix, ret_n));
}

int store_ctl_add(struct store *s, const char *key, int64_t delta, int64_t *ret_n)
{
    assert(key && store_ctl_key_ok(key));
    return STORE_TIMED(s, s->ops->ctl_add(s, key, delta, ret_n));
}

int store_reset(struct store *s, const char *project_id)
{
    return STORE_TIMED(s, s->ops->reset(s, project_id));
}

int store_ping(struct store *s)
{
    return STORE_TIMED(s, s->ops->ping(s));
}
