/* api/vpn_gateway_routes.c: GET vpn-gateways/{id}/routing-table (spec §3.1): the routes the
 * gateway's connections configure (model_vgw_routes), paged by offset / limit or marker. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "api/list_page.h"
#include "api/query.h"
#include "api/vgw_extra.h"
#include "model/model.h"
#include "store/store.h"

#define ROUTES_MAX_LIMIT 2000
#define ROUTES_MAX_OFFSET 1000000

struct routes_query {
    long long limit, offset;
    bool has_offset, has_marker, nexthop_resource;
    char error[256];
};

/* offset and marker: a decimal position (a marker is the next_marker of a previous page). */
static int position(const char *value, long long *ret)
{
    char *end;

    if (*value < '0' || *value > '9')
        return -EINVAL;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (*end || errno || v > ROUTES_MAX_OFFSET)
        return -EINVAL;
    *ret = v;
    return 0;
}

static int routes_param(void *ud, const char *key, const char *value)
{
    struct routes_query *q = ud;

    if (!value) {
        snprintf(q->error, sizeof(q->error),
                 "query parameters must be percent-encoded text under 256 bytes");
        return -1;
    }
    if (strcmp(key, "limit") == 0)
        return api_list_limit(value, ROUTES_MAX_LIMIT, &q->limit, q->error, sizeof(q->error));
    if (strcmp(key, "offset") == 0) {
        q->has_offset = true;
        if (position(value, &q->offset) < 0) {
            snprintf(q->error, sizeof(q->error),
                     "offset: must be an integer from 0 to %d, got \"%.32s\"", ROUTES_MAX_OFFSET,
                     value);
            return -1;
        }
    } else if (strcmp(key, "marker") == 0) {
        q->has_marker = true;
        if (position(value, &q->offset) < 0) {
            snprintf(q->error, sizeof(q->error),
                     "marker: must be a next_marker from a previous page, got \"%.64s\"", value);
            return -1;
        }
    } else if (strcmp(key, "is_include_nexthop_resource") == 0) {
        if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
            snprintf(q->error, sizeof(q->error),
                     "is_include_nexthop_resource: must be true or false, got \"%.32s\"", value);
            return -1;
        }
        q->nexthop_resource = strcmp(value, "true") == 0;
    }
    if (q->has_offset && q->has_marker) {
        snprintf(q->error, sizeof(q->error), "marker: cannot be combined with offset");
        return -1;
    }
    return 0;
}

/* Policy routes lead to the customer gateway's address (none for an fqdn one); BGP routes
 * carry its ASN. One read per
 * distinct customer gateway (routes of one connection are adjacent only before sorting, so
 * remember the last one). */
static int fill_cgw_facts(struct api *api, const char *project_id, struct model_route *v,
                          size_t n)
{
    _cleanup_free_ struct model_cgw *cgw = calloc(1, sizeof(*cgw));
    char loaded[MODEL_UUID_LEN] = "";

    if (!cgw)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!v[i].policy && strcmp(v[i].origin, "bgp") != 0)
            continue;
        if (strcmp(loaded, v[i].cgw_id) != 0) {
            struct store_cgw_row row = {0};
            int r = store_cgw_get(api->store, project_id, v[i].cgw_id, &row);
            if (r == 0)
                r = model_cgw_from_internal(row.spec, strlen(row.spec), cgw);
            store_cgw_row_done(&row);
            if (r == -ENOENT) {
                memset(cgw, 0, sizeof(*cgw)); /* deleted meanwhile: nothing to show */
                r = 0;
            }
            if (r < 0)
                return r;
            snprintf(loaded, sizeof(loaded), "%s", v[i].cgw_id);
        }
        if (v[i].policy && cgw->id_type && strcmp(cgw->id_type, "ip") == 0)
            snprintf(v[i].nexthop, sizeof(v[i].nexthop), "%s", cgw->id_value);
        if (strcmp(v[i].origin, "bgp") == 0 && cgw->has_bgp_asn)
            snprintf(v[i].as_path, sizeof(v[i].as_path), "%lld", (long long)cgw->bgp_asn);
    }
    return 0;
}

static int connection_docs(struct api *api, const char *project_id, const struct model_vgw *g,
                           struct buf *docs)
{
    struct store_conn_filter f = {.vgw_id = g->id};
    char next[STORE_MARKER_LEN];
    size_t count = 0;
    int r = buf_puts(docs, "[");

    /* a gateway holds at most connection_number connections: one page has them all */
    if (r == 0)
        r = store_conn_list(api->store, project_id, &f, (size_t)g->connection_number + 1, docs,
                            &count, next, NULL);
    return r == 0 ? buf_puts(docs, "]") : r;
}

int vpn_gateway_routing_table(struct api *api, const struct api_call *call,
                              struct http_response *resp)
{
    const struct http_request *req = call->req;
    _cleanup_free_ struct vgw_loaded *l = calloc(1, sizeof(*l));
    _cleanup_(buf_free) struct buf docs = {0};
    struct routes_query q = {.limit = ROUTES_MAX_LIMIT};
    struct model_route *v = NULL;
    struct buf *b = &resp->body;
    size_t n = 0;

    if (!l)
        return api_fail_errno(req, resp, -ENOMEM, "vpn_gateway.routing_table");
    if (query_foreach(req->query, routes_param, &q) != 0)
        return api_fail(req, resp, &API_ERR_INVALID, "invalid request: %s", q.error);
    if (vgw_extra_load(api, call, call->id, l, resp) < 0)
        return 0;
    int r = connection_docs(api, call->project_id, &l->g, &docs);
    if (r == 0)
        r = model_vgw_routes(&l->g, docs.data, docs.len, &v, &n);
    if (r == 0)
        r = fill_cgw_facts(api, call->project_id, v, n);
    size_t from = (size_t)q.offset < n ? (size_t)q.offset : n;
    size_t to = from + (size_t)q.limit < n ? from + (size_t)q.limit : n;
    char next[32] = "";
    if (to < n)
        snprintf(next, sizeof(next), "%zu", to);
    buf_reset(b);
    if (r == 0)
        r = buf_puts(b, "{\"routing_table\":[");
    for (size_t i = from; r == 0 && i < to; i++) {
        if (i > from)
            r = buf_puts(b, ",");
        if (r == 0)
            r = model_route_render(&v[i], q.nexthop_resource, b);
    }
    if (r == 0)
        r = api_list_tail(b, next, to - from, (int64_t)n, req->request_id);
    free(v);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_gateway.routing_table");
    resp->status = 200;
    return 0;
}
