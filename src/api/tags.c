/* api/tags.c: the tag operations of the three resource types (spec §5.2).
 *
 * A resource's tags live in its spec document (the source of truth, so GET of a gateway or a
 * customer gateway, rendered from the spec, shows them); the store mirrors them into an index
 * that answers the tag reads, the filter and the count. tags/create and tags/delete read the
 * spec, change the tag set, and write the spec back (for a connection also the served doc,
 * rendered again: no "tags" key while it has none, as in the seed document) with a
 * compare-and-set, retried when another writer got in between. Tag bodies carry no
 * request_id; X-Request-Id is still sent.
 *
 * Choices where the documents are silent: tags/delete removes a key whatever its value (a
 * value in the body is validated, not compared); tags are listed by key (byte order); the
 * resource_name match is a substring match, ASCII letters case-insensitive, "" matching only
 * an empty name; filter results are newest first; resource_detail is an empty object.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "api/query.h"
#include "model/model.h"
#include "store/store.h"
#include "util/log.h"

#define TAG_WRITE_ATTEMPTS 4
#define FILTER_LIMIT_MAX 1000

static const char *const res_label[] = {
    [STORE_RES_VPN_GATEWAY] = "vpn gateway",
    [STORE_RES_CUSTOMER_GATEWAY] = "customer gateway",
    [STORE_RES_VPN_CONNECTION] = "vpn connection",
};

static const char *const res_type_name[] = {
    [STORE_RES_VPN_GATEWAY] = "vpn-gateway",
    [STORE_RES_CUSTOMER_GATEWAY] = "customer-gateway",
    [STORE_RES_VPN_CONNECTION] = "vpn-connection",
};

static int fail_not_found(const struct api_call *call, struct http_response *resp,
                          enum store_res_type type)
{
    return api_fail(call->req, resp, &API_ERR_NOT_FOUND, "resource not found: %s \"%.64s\"",
                    res_label[type], call->id);
}

/* ---- tags/create, tags/delete ---- */

/* One resource as read for a tag write: its stored spec and its parsed model. */
struct tag_target {
    enum store_res_type type;
    char *old_spec; /* malloc'd by the store */
    struct model_vgw *vgw;
    struct model_cgw *cgw;
    struct model_vpn_conn *conn;
    struct model_tags *tags; /* inside the model */
};

static void target_done(struct tag_target *t)
{
    free(t->old_spec);
    free(t->vgw);
    free(t->cgw);
    free(t->conn);
    t->old_spec = NULL;
    t->vgw = NULL;
    t->cgw = NULL;
    t->conn = NULL;
}

/* Reads the resource and parses its spec. -ENOENT, -ENOMEM, -EIO (a spec that does not parse). */
static int target_load(struct api *api, const char *project_id, const char *id,
                       struct tag_target *t)
{
    int r;

    if (t->type == STORE_RES_VPN_GATEWAY) {
        struct store_vgw_row row = {0};
        t->vgw = calloc(1, sizeof(*t->vgw));
        r = t->vgw ? store_vgw_get(api->store, project_id, id, &row) : -ENOMEM;
        t->old_spec = row.spec;
        if (r == 0 && model_vgw_from_internal(t->old_spec, strlen(t->old_spec), t->vgw) < 0)
            r = -EIO;
        t->tags = t->vgw ? &t->vgw->tags : NULL;
    } else if (t->type == STORE_RES_CUSTOMER_GATEWAY) {
        struct store_cgw_row row = {0};
        t->cgw = calloc(1, sizeof(*t->cgw));
        r = t->cgw ? store_cgw_get(api->store, project_id, id, &row) : -ENOMEM;
        t->old_spec = row.spec;
        if (r == 0 && model_cgw_from_internal(t->old_spec, strlen(t->old_spec), t->cgw) < 0)
            r = -EIO;
        t->tags = t->cgw ? &t->cgw->tags : NULL;
    } else {
        struct store_conn_row row = {0};
        t->conn = calloc(1, sizeof(*t->conn));
        r = t->conn ? store_conn_get(api->store, project_id, id, &row) : -ENOMEM;
        free(row.doc);
        t->old_spec = row.spec;
        if (r == 0 && model_conn_from_internal(t->old_spec, strlen(t->old_spec), t->conn) < 0)
            r = -EIO;
        t->tags = t->conn ? &t->conn->tags : NULL;
    }
    return r;
}

/* Writes the changed model back: spec, and for a connection the doc rendered again. */
static int target_store(struct api *api, const char *project_id, const char *id,
                        const struct tag_target *t)
{
    _cleanup_(buf_free) struct buf spec = {0};
    _cleanup_(buf_free) struct buf doc = {0};
    int r;

    if (t->type == STORE_RES_VPN_GATEWAY)
        r = model_vgw_to_internal(t->vgw, &spec);
    else if (t->type == STORE_RES_CUSTOMER_GATEWAY)
        r = model_cgw_to_internal(t->cgw, &spec);
    else if ((r = model_conn_to_internal(t->conn, &spec)) == 0)
        r = model_conn_render(t->conn, &doc);
    if (r < 0)
        return r;
    return store_tags_write_spec(api->store, t->type, project_id, id, t->old_spec, spec.data,
                                 t->type == STORE_RES_VPN_CONNECTION ? doc.data : NULL);
}

static int tags_write(struct api *api, const struct api_call *call, struct http_response *resp,
                      enum store_res_type type, bool create)
{
    const struct http_request *req = call->req;
    const char *op = create ? "tags.create" : "tags.delete";
    _cleanup_free_ struct model_tags *body = calloc(1, sizeof(*body));
    struct verr err = {0};
    int r;

    if (!body)
        return api_fail_errno(req, resp, -ENOMEM, op);
    r = model_tag_body_parse(req->body, req->body_len, body, &err);
    if (r == -EINVAL)
        return api_fail_verr(req, resp, &err);
    if (r < 0)
        return api_fail_errno(req, resp, r, op);
    r = -EBUSY;
    for (int attempt = 0; r == -EBUSY && attempt < TAG_WRITE_ATTEMPTS; attempt++) {
        struct tag_target t = {.type = type};
        r = target_load(api, call->project_id, call->id, &t);
        if (r == 0 && create)
            r = model_tags_merge(t.tags, body, &err);
        else if (r == 0)
            model_tags_remove(t.tags, body);
        if (r == 0)
            r = target_store(api, call->project_id, call->id, &t);
        target_done(&t);
    }
    if (r == -ENOENT)
        return fail_not_found(call, resp, type);
    if (r == -EINVAL)
        return api_fail_verr(req, resp, &err);
    if (r < 0)
        return api_fail_errno(req, resp, r, op);
    log_info("request_id=%s op=%s project_id=%s resource_type=%s id=%s tags=%zu",
             req->request_id, op, call->project_id, res_type_name[type], call->id, body->n);
    buf_reset(&resp->body);
    resp->status = 204;
    return 0;
}

/* ---- reads ---- */

struct tag_json {
    struct buf *b;
    size_t n;
    const char *last_key; /* project listing: the key whose values are open */
    char *key_copy;
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

static int tags_show(struct api *api, const struct api_call *call, struct http_response *resp,
                     enum store_res_type type)
{
    struct buf *b = &resp->body;
    struct tag_json j = {.b = b};
    int r;

    buf_reset(b);
    r = buf_puts(b, "{\"tags\":[");
    if (r == 0)
        r = store_tags_get(api->store, type, call->project_id, call->id, put_pair, &j);
    if (r == -ENOENT)
        return fail_not_found(call, resp, type);
    if (r == 0)
        r = buf_puts(b, "]}");
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "tags.show");
    resp->status = 200;
    return 0;
}

/* Rows come by key then value: a new key closes the previous key's values. */
static int put_key_value(void *ud, const char *key, const char *value)
{
    struct tag_json *j = ud;
    int r = 0;

    if (!j->key_copy || strcmp(j->key_copy, key) != 0) {
        free(j->key_copy);
        j->key_copy = strdup(key);
        if (!j->key_copy)
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

static int tags_project(struct api *api, const struct api_call *call, struct http_response *resp,
                        enum store_res_type type)
{
    struct buf *b = &resp->body;
    struct tag_json j = {.b = b};
    int r;

    buf_reset(b);
    r = buf_puts(b, "{\"tags\":[");
    if (r == 0)
        r = store_tags_project(api->store, type, call->project_id, put_key_value, &j);
    free(j.key_copy);
    if (r == 0)
        r = buf_puts(b, j.n ? "]}]}" : "]}");
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "tags.project");
    resp->status = 200;
    return 0;
}

/* ---- resource-instances filter / count ---- */

struct filter_query {
    long long limit, offset;
    char error[160];
};

static int filter_param(void *ud, const char *key, const char *value)
{
    struct filter_query *q = ud;
    bool is_limit = strcmp(key, "limit") == 0;
    char *end;

    if (!is_limit && strcmp(key, "offset") != 0)
        return 0; /* other parameters are ignored, as elsewhere */
    if (!value) {
        snprintf(q->error, sizeof(q->error), "%s: must be percent-encoded text under 256 bytes",
                 key);
        return -1;
    }
    errno = 0;
    long long v = strtoll(value, &end, 10);
    bool bad = !*value || *end || errno != 0 || v < (is_limit ? 1 : 0) ||
               (is_limit && v > FILTER_LIMIT_MAX);
    if (bad && is_limit)
        snprintf(q->error, sizeof(q->error),
                 "limit: must be an integer from 1 to %d, got \"%.32s\"", FILTER_LIMIT_MAX, value);
    else if (bad)
        snprintf(q->error, sizeof(q->error),
                 "offset: must be an integer of at least 0, got \"%.32s\"", value);
    if (bad)
        return -1;
    if (is_limit)
        q->limit = v;
    else
        q->offset = v;
    return 0;
}

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
    char id[ROUTER_MAX_PARAM];
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

static int tags_filter(struct api *api, const struct api_call *call, struct http_response *resp,
                       enum store_res_type type, bool count_only)
{
    const struct http_request *req = call->req;
    const char *op = count_only ? "tags.count" : "tags.filter";
    _cleanup_free_ struct model_tag_filter *f = calloc(1, sizeof(*f));
    _cleanup_free_ struct filter_bind *fb = calloc(1, sizeof(*fb));
    struct filter_query q = {.limit = FILTER_LIMIT_MAX};
    struct resource_json j = {.b = &resp->body};
    struct verr err = {0};
    int64_t total = 0;
    int r;

    if (!f || !fb)
        return api_fail_errno(req, resp, -ENOMEM, op);
    if (!count_only && query_foreach(req->query, filter_param, &q) != 0)
        return api_fail(req, resp, &API_ERR_INVALID, "invalid request: %s", q.error);
    r = model_tag_filter_parse(req->body, req->body_len, f, &err);
    if (r == -EINVAL)
        return api_fail_verr(req, resp, &err);
    if (r < 0)
        return api_fail_errno(req, resp, r, op);
    filter_bind(f, fb);
    buf_reset(&resp->body);
    if (count_only) {
        r = store_tags_filter(api->store, type, call->project_id, &fb->sf, 0, 0, NULL, NULL,
                              &total);
        if (r == 0)
            r = buf_printf(&resp->body, "{\"total_count\":%lld}", (long long)total);
    } else {
        r = buf_puts(&resp->body, "{\"resources\":[");
        if (r == 0)
            r = store_tags_filter(api->store, type, call->project_id, &fb->sf, (size_t)q.limit,
                                  (size_t)q.offset, put_resource, &j, &total);
        if (r == 0)
            r = buf_printf(&resp->body, "%s],\"total_count\":%lld}", j.n ? "]}" : "",
                           (long long)total);
    }
    if (r < 0)
        return api_fail_errno(req, resp, r, op);
    resp->status = 200;
    return 0;
}

/* ---- the route handlers: six per resource type ---- */

#define TAG_HANDLERS(prefix, type)                                                                 \
    int prefix##_tags_create(struct api *api, const struct api_call *call,                        \
                             struct http_response *resp)                                          \
    {                                                                                              \
        return tags_write(api, call, resp, type, true);                                           \
    }                                                                                              \
    int prefix##_tags_delete(struct api *api, const struct api_call *call,                        \
                             struct http_response *resp)                                          \
    {                                                                                              \
        return tags_write(api, call, resp, type, false);                                          \
    }                                                                                              \
    int prefix##_tags_show(struct api *api, const struct api_call *call,                          \
                           struct http_response *resp)                                            \
    {                                                                                              \
        return tags_show(api, call, resp, type);                                                  \
    }                                                                                              \
    int prefix##_tags_project(struct api *api, const struct api_call *call,                       \
                              struct http_response *resp)                                         \
    {                                                                                              \
        return tags_project(api, call, resp, type);                                               \
    }                                                                                              \
    int prefix##_tags_filter(struct api *api, const struct api_call *call,                        \
                             struct http_response *resp)                                          \
    {                                                                                              \
        return tags_filter(api, call, resp, type, false);                                         \
    }                                                                                              \
    int prefix##_tags_count(struct api *api, const struct api_call *call,                         \
                            struct http_response *resp)                                           \
    {                                                                                              \
        return tags_filter(api, call, resp, type, true);                                          \
    }

TAG_HANDLERS(vpn_gateway, STORE_RES_VPN_GATEWAY)
TAG_HANDLERS(customer_gateway, STORE_RES_CUSTOMER_GATEWAY)
TAG_HANDLERS(vpn_conn, STORE_RES_VPN_CONNECTION)
