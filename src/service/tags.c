/* service/tags.c: the tag operations of the three resource types (spec §5.2).
 *
 * A resource's tags live in its spec document (the source of truth, so GET of a gateway or a
 * customer gateway, rendered from the spec, shows them); the store mirrors them into an index
 * that answers the tag reads, the filter and the count. tags/create and tags/delete read the
 * spec, change the tag set, and write the spec back (for a connection also its doc, rendered
 * again: no "tags" key while it has none, as in the seed document) with a compare-and-set,
 * retried when another writer got in between.
 *
 * Choices where the documents are silent: tags/delete removes a key whatever its value (a value
 * in the body is validated, not compared); tags are listed by key (byte order); the
 * resource_name match is a substring match, ASCII letters case-insensitive, "" matching only an
 * empty name; filter results are newest first; resource_detail is an empty object. */
#include "service/svc_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_label[] = {
    [MODEL_KIND_VGW] = "vpn gateway",
    [MODEL_KIND_CGW] = "customer gateway",
    [MODEL_KIND_CONN] = "vpn connection",
    [MODEL_KIND_MONITOR] = "connection monitor",
};

static enum store_res_type res_type(enum model_kind kind)
{
    return kind == MODEL_KIND_VGW   ? STORE_RES_VPN_GATEWAY
           : kind == MODEL_KIND_CGW ? STORE_RES_CUSTOMER_GATEWAY
                                    : STORE_RES_VPN_CONNECTION;
}

static int not_found(enum model_kind kind, const char *id, struct verr *err)
{
    return verr_fail(err, VERR_NOT_FOUND, "%s \"%.64s\"", kind_label[kind], id);
}

/* ---- tags/create, tags/delete ---- */

/* One resource as read for a tag write: its stored spec and its parsed model. */
struct tag_target {
    enum model_kind kind;
    char *old_spec;             /* malloc'd by the store */
    struct store_conn_row conn; /* a connection's row (its status and doc position) */
    struct model_vgw *vgw;
    struct model_cgw *cgw;
    struct model_vpn_conn *c;
    struct model_tags *tags; /* inside the model */
};

static void target_done(struct tag_target *t)
{
    if (t->kind == MODEL_KIND_CONN)
        store_conn_row_done(&t->conn);
    else
        free(t->old_spec);
    free(t->vgw);
    free(t->cgw);
    free(t->c);
}

/* Reads the resource and parses its spec. -ENOENT, -ENOMEM, -EIO (a spec that does not parse). */
static int target_load(struct svc *svc, const char *project_id, const char *id,
                       struct tag_target *t)
{
    int r;

    if (t->kind == MODEL_KIND_VGW) {
        struct store_vgw_row row = {0};
        t->vgw = calloc(1, sizeof(*t->vgw));
        r = t->vgw ? store_vgw_get(svc->store, project_id, id, &row) : -ENOMEM;
        t->old_spec = row.spec;
        if (r == 0)
            r = svc_stored(model_vgw_from_internal(t->old_spec, strlen(t->old_spec), t->vgw));
        t->tags = t->vgw ? &t->vgw->tags : NULL;
    } else if (t->kind == MODEL_KIND_CGW) {
        struct store_cgw_row row = {0};
        t->cgw = calloc(1, sizeof(*t->cgw));
        r = t->cgw ? store_cgw_get(svc->store, project_id, id, &row) : -ENOMEM;
        t->old_spec = row.spec;
        if (r == 0)
            r = svc_stored(model_cgw_from_internal(t->old_spec, strlen(t->old_spec), t->cgw));
        t->tags = t->cgw ? &t->cgw->tags : NULL;
    } else {
        t->c = calloc(1, sizeof(*t->c));
        r = t->c ? store_conn_get(svc->store, project_id, id, &t->conn) : -ENOMEM;
        t->old_spec = t->conn.spec;
        if (r == 0)
            r = svc_stored(
                model_conn_from_internal_fresh(t->old_spec, strlen(t->old_spec), t->c));
        t->tags = t->c ? &t->c->tags : NULL;
    }
    return r;
}

/* Writes the changed model back: spec, and for a connection the doc rendered again. */
static int target_store(struct svc *svc, const char *project_id, const char *id,
                        const struct tag_target *t)
{
    _cleanup_(buf_free) struct buf spec = {0};
    _cleanup_(buf_free) struct buf doc = {0};
    int r;

    if (t->kind == MODEL_KIND_VGW)
        r = model_vgw_store(t->vgw, &spec);
    else if (t->kind == MODEL_KIND_CGW)
        r = model_cgw_to_internal(t->cgw, &spec);
    else
        r = model_conn_store(t->c, &spec, &doc);
    if (r < 0)
        return r;
    return store_tags_write_spec(svc->store, res_type(t->kind), project_id, id, t->old_spec,
                                 spec.data, t->kind == MODEL_KIND_CONN ? doc.data : NULL);
}

int svc_tags_write(struct svc *svc, enum model_kind kind, const char *project_id, const char *id,
                   const struct model_body *body, bool create, struct verr *err)
{
    _cleanup_free_ struct model_tags *tags = calloc(1, sizeof(*tags));
    int r = tags ? model_tag_body_parse(body, tags, err) : -ENOMEM;

    if (r < 0)
        return r;
    r = -EBUSY;
    for (int attempt = 0; r == -EBUSY && attempt < SVC_CAS_ATTEMPTS; attempt++) {
        struct tag_target t = {.kind = kind};
        r = target_load(svc, project_id, id, &t);
        if (r == 0 && create)
            r = model_tags_merge(t.tags, tags, err);
        else if (r == 0)
            model_tags_remove(t.tags, tags);
        if (r == 0)
            r = target_store(svc, project_id, id, &t);
        target_done(&t);
    }
    return r == -ENOENT ? not_found(kind, id, err) : r;
}

/* ---- reads ---- */

struct tag_json {
    struct buf *b;
    size_t n;
    char *key; /* project listing: the key whose values are open */
};

/* Appends {"key":..,"value":..} to b, after a comma unless it is the first (*n counts them). */
static int append_pair(struct buf *b, size_t *n, const char *key, const char *value)
{
    int r = buf_puts(b, (*n)++ ? ",{\"key\":" : "{\"key\":");

    if (r == 0)
        r = buf_json_str(b, key);
    if (r == 0)
        r = buf_puts(b, ",\"value\":");
    if (r == 0)
        r = buf_json_str(b, value);
    return r == 0 ? buf_puts(b, "}") : r;
}

static int put_pair(void *ud, const char *key, const char *value)
{
    struct tag_json *j = ud;

    return append_pair(j->b, &j->n, key, value);
}

int svc_tags_show(struct svc *svc, enum model_kind kind, const char *project_id, const char *id,
                  struct buf *out, struct verr *err)
{
    struct tag_json j = {.b = out};
    int r = store_tags_get(svc->store, res_type(kind), project_id, id, put_pair, &j);

    return r == -ENOENT ? not_found(kind, id, err) : r;
}

/* Rows come by key then value: a new key closes the previous key's values. */
static int put_key_value(void *ud, const char *key, const char *value)
{
    struct tag_json *j = ud;
    int r = 0;

    if (!j->key || strcmp(j->key, key) != 0) {
        free(j->key);
        j->key = strdup(key);
        if (!j->key)
            return -ENOMEM;
        r = buf_puts(j->b, j->n++ ? "]},{\"key\":" : "{\"key\":");
        if (r == 0)
            r = buf_json_str(j->b, key);
        if (r == 0)
            r = buf_puts(j->b, ",\"values\":[");
    } else {
        r = buf_puts(j->b, ",");
    }
    return r == 0 ? buf_json_str(j->b, value) : r;
}

int svc_tags_project(struct svc *svc, enum model_kind kind, const char *project_id,
                     struct buf *out, struct verr *err)
{
    struct tag_json j = {.b = out};
    int r = store_tags_project(svc->store, res_type(kind), project_id, put_key_value, &j);

    (void)err;
    free(j.key);
    return r == 0 && j.n ? buf_puts(out, "]}") : r;
}

/* ---- resource-instances filter / count ---- */

/* The store's view of a parsed filter body; points into f. */
struct filter_bind {
    struct store_tag_filter sf;
    struct store_tag_match tags[MODEL_FILTER_MAX_TAGS];
    const char *values[MODEL_FILTER_MAX_TAGS][MODEL_FILTER_MAX_VALUES];
};

static void filter_bind(const struct model_tag_filter *f, struct filter_bind *fb)
{
    fb->sf.without_any_tag = f->without_any_tag;
    fb->sf.tags = fb->tags;
    fb->sf.n_tags = f->n_tags;
    fb->sf.name_contains = f->has_name ? f->name : NULL;
    for (size_t i = 0; i < f->n_tags; i++) {
        for (size_t k = 0; k < f->tags[i].n_values; k++)
            fb->values[i][k] = f->tags[i].values[k];
        fb->tags[i].key = f->tags[i].key;
        fb->tags[i].values = fb->values[i];
        fb->tags[i].n_values = f->tags[i].n_values;
    }
}

struct resource_json {
    struct buf *b;
    size_t n;
    char id[MODEL_UUID_LEN + 32];
    size_t n_tags;
};

/* Rows of one resource are consecutive: a new id closes the previous resource's tags. */
static int put_resource(void *ud, const char *id, const char *name, const char *key,
                        const char *value)
{
    struct resource_json *j = ud;
    int r = 0;

    if (j->n == 0 || strcmp(j->id, id) != 0) {
        snprintf(j->id, sizeof(j->id), "%s", id);
        j->n_tags = 0;
        r = buf_puts(j->b, j->n++ ? "]},{\"resource_id\":" : "{\"resource_id\":");
        if (r == 0)
            r = buf_json_str(j->b, id);
        if (r == 0)
            r = buf_puts(j->b, ",\"resource_name\":");
        if (r == 0)
            r = buf_json_str(j->b, name);
        if (r == 0)
            r = buf_puts(j->b, ",\"resource_detail\":{},\"tags\":[");
    }
    if (r < 0 || !key)
        return r;
    return append_pair(j->b, &j->n_tags, key, value);
}

int svc_tags_filter(struct svc *svc, enum model_kind kind, const char *project_id,
                    const struct model_body *body, size_t limit, size_t offset, struct buf *out,
                    int64_t *ret_total, struct verr *err)
{
    _cleanup_free_ struct model_tag_filter *f = calloc(1, sizeof(*f));
    _cleanup_free_ struct filter_bind *fb = calloc(1, sizeof(*fb));
    struct resource_json j = {.b = out};
    int r = f && fb ? model_tag_filter_parse(body, f, err) : -ENOMEM;

    if (r < 0)
        return r;
    filter_bind(f, fb);
    r = store_tags_filter(svc->store, res_type(kind), project_id, &fb->sf, limit, offset,
                          limit ? put_resource : NULL, &j, ret_total);
    return r == 0 && j.n ? buf_puts(out, "]}") : r;
}
