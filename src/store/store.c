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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
        return store_backends[0].open(url, ret, errbuf, errlen);
    for (size_t i = 0; i < ARRAY_SIZE(store_backends); i++) {
        const struct store_backend *b = &store_backends[i];

        if (strlen(b->scheme) != n || strncasecmp(url, b->scheme, n) != 0)
            continue;
        if (!url[n + 1]) {
            snprintf(errbuf, errlen, "store URL \"%s\" names no database", url);
            return -EINVAL;
        }
        return b->open(b->whole_url ? url : url + n + 1, ret, errbuf, errlen);
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
    return s->ops->vgw_insert(s, row, claims, n_claims);
}

int store_vgw_get(struct store *s, const char *project_id, const char *id,
                  struct store_vgw_row *ret)
{
    assert(project_id && id && ret);
    return s->ops->vgw_get(s, project_id, id, ret);
}

int store_cgw_insert(struct store *s, const struct store_cgw_row *row)
{
    assert(row && row->spec);
    return s->ops->cgw_insert(s, row);
}

int store_cgw_get(struct store *s, const char *project_id, const char *id,
                  struct store_cgw_row *ret)
{
    assert(project_id && id && ret);
    return s->ops->cgw_get(s, project_id, id, ret);
}

int store_conn_insert(struct store *s, const struct store_conn_row *row,
                      const struct store_claim *claims, size_t n_claims)
{
    assert(row && row->spec && row->doc && (claims || n_claims == 0));
    return s->ops->conn_insert(s, row, claims, n_claims);
}

int store_conn_get_doc(struct store *s, const char *project_id, const char *id, struct buf *out)
{
    assert(project_id && id && out);
    return s->ops->conn_get_doc(s, project_id, id, out);
}

int store_conn_get(struct store *s, const char *project_id, const char *id,
                   struct store_conn_row *ret)
{
    assert(project_id && id && ret);
    return s->ops->conn_get(s, project_id, id, ret);
}

int store_conn_update(struct store *s, const struct store_conn_row *row,
                      const struct store_claim *claims, size_t n_claims)
{
    assert(row && row->spec && row->doc && (claims || n_claims == 0));
    return s->ops->conn_update(s, row, claims, n_claims);
}

int store_conn_delete(struct store *s, const char *project_id, const char *id)
{
    assert(project_id && id);
    return s->ops->conn_delete(s, project_id, id);
}

int store_conn_list(struct store *s, const char *project_id, const struct store_conn_filter *f,
                    size_t limit, struct buf *out, size_t *ret_count,
                    char ret_next_marker[STORE_MARKER_LEN], int64_t *ret_total)
{
    static const struct store_conn_filter none = {0};

    assert(project_id && out && ret_count && ret_next_marker);
    assert(!f || f->enterprise_project_ids || f->n_enterprise_project_ids == 0);
    return s->ops->conn_list(s, project_id, f ? f : &none, limit, out, ret_count, ret_next_marker,
                             ret_total);
}

int store_claims_list(struct store *s, const char *kind, struct buf *out, size_t *ret_n)
{
    assert(kind && out && ret_n);
    return s->ops->claims_list(s, kind, out, ret_n);
}

int store_vgw_list(struct store *s, const char *project_id,
                   int (*cb)(void *ud, const struct store_vgw_row *row), void *ud)
{
    assert(project_id && cb);
    return s->ops->vgw_list(s, project_id, cb, ud);
}

int store_vgw_delete(struct store *s, const char *project_id, const char *id, int64_t *ret_users)
{
    assert(project_id && id && ret_users);
    return s->ops->vgw_delete(s, project_id, id, ret_users);
}

int store_cgw_delete(struct store *s, const char *project_id, const char *id, int64_t *ret_users)
{
    assert(project_id && id && ret_users);
    return s->ops->cgw_delete(s, project_id, id, ret_users);
}

int store_project_counts(struct store *s, const char *project_id, struct store_counts *ret)
{
    assert(project_id && ret);
    return s->ops->project_counts(s, project_id, ret);
}

int store_due_list(struct store *s, int64_t now, size_t max, struct store_due *out,
                   size_t *ret_n)
{
    assert(out && ret_n);
    return s->ops->due_list(s, now, max, out, ret_n);
}

int store_vgw_set_status(struct store *s, const char *project_id, const char *id,
                         const char *from, const char *to, int64_t status_due,
                         int64_t updated_at)
{
    assert(project_id && id && from && to);
    return s->ops->vgw_set_status(s, project_id, id, from, to, status_due, updated_at);
}

int store_conn_update_if(struct store *s, const struct store_conn_row *row,
                         const struct store_claim *claims, size_t n_claims,
                         const char *from_status, int64_t from_updated_at)
{
    assert(row && row->spec && row->doc && from_status && (claims || n_claims == 0));
    return s->ops->conn_update_if(s, row, claims, n_claims, from_status, from_updated_at);
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
