/* api/customer_gateway_list.c: list (marker-paged, spec §1.6, §4) and update (spec §4) of
 * customer gateways. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "api/list_page.h"
#include "api/query.h"
#include "model/model.h"
#include "store/store.h"
#include "util/ids.h"
#include "util/log.h"

#define CGW_LIST_LIMIT_MAX 200

struct cgw_list_query {
    struct store_cgw_filter f;
    char cgw_id[MODEL_UUID_LEN];
    char marker[STORE_MARKER_LEN];
    long long limit;
    char error[160];
};

static int cgw_list_param(void *ud, const char *key, const char *value)
{
    struct cgw_list_query *q = ud;

    if (!value) {
        snprintf(q->error, sizeof(q->error), "%.32s: must be percent-encoded text under 256 bytes",
                 key);
        return -1;
    }
    if (strcmp(key, "limit") == 0)
        return api_list_limit(value, CGW_LIST_LIMIT_MAX, &q->limit, q->error, sizeof(q->error)) < 0
                   ? -1
                   : 0;
    if (strcmp(key, "marker") == 0) {
        snprintf(q->marker, sizeof(q->marker), "%s", value);
        q->f.marker = q->marker;
    } else if (strcmp(key, "cgw_id") == 0) {
        snprintf(q->cgw_id, sizeof(q->cgw_id), "%s", value);
        q->f.cgw_id = q->cgw_id;
    }
    return 0;
}

struct cgw_list_sink {
    struct model_cgw *cgw;
    struct buf *out;
    size_t n;
};

static int cgw_list_row(void *ud, const struct store_cgw_row *row)
{
    struct cgw_list_sink *k = ud;
    int r = model_cgw_from_internal(row->spec, strlen(row->spec), k->cgw);

    if (r < 0)
        return r;
    if (k->n++ > 0 && buf_puts(k->out, ",") < 0)
        return -ENOMEM;
    return model_cgw_render(k->cgw, k->out);
}

int customer_gateway_list(struct api *api, const struct api_call *call, struct http_response *resp)
{
    const struct http_request *req = call->req;
    _cleanup_free_ struct model_cgw *cgw = calloc(1, sizeof(*cgw));
    struct cgw_list_query q = {.limit = CGW_LIST_LIMIT_MAX};
    struct cgw_list_sink sink = {cgw, &resp->body, 0};
    char next[STORE_MARKER_LEN] = "";
    size_t count = 0;
    int64_t total = 0;

    if (!cgw)
        return api_fail_errno(req, resp, -ENOMEM, "customer_gateway.list");
    if (query_foreach(req->query, cgw_list_param, &q) != 0)
        return api_fail(req, resp, &API_ERR_INVALID, "invalid request: %s", q.error);
    buf_reset(&resp->body);
    int r = buf_puts(&resp->body, "{\"customer_gateways\":[");
    if (r == 0)
        r = store_cgw_list(api->store, call->project_id, &q.f, (size_t)q.limit, cgw_list_row,
                           &sink, &count, next, &total);
    if (r == -EINVAL)
        return api_list_bad_marker(req, resp, q.marker);
    if (r == 0)
        r = api_list_tail(&resp->body, next, count, total, req->request_id);
    if (r < 0)
        return api_fail_errno(req, resp, r, "customer_gateway.list");
    resp->status = 200;
    return 0;
}

/* PUT: name and ca_certificate only; validated like a create; updated_at moves. */
int customer_gateway_update(struct api *api, const struct api_call *call,
                            struct http_response *resp)
{
    const struct http_request *req = call->req;
    _cleanup_free_ struct model_cgw *cur = calloc(1, sizeof(*cur));
    _cleanup_free_ struct model_cgw *cgw = calloc(1, sizeof(*cgw));
    _cleanup_(buf_free) struct buf spec = {0};
    _cleanup_(buf_free) struct buf out = {0};
    struct store_cgw_row row = {0};
    struct verr err = {0};

    if (!cur || !cgw)
        return api_fail_errno(req, resp, -ENOMEM, "customer_gateway.update");
    int r = store_cgw_get(api->store, call->project_id, call->id, &row);
    if (r == -ENOENT)
        return api_fail(req, resp, &API_ERR_NOT_FOUND,
                        "resource not found: customer gateway \"%.64s\"", call->id);
    if (r < 0)
        return api_fail_errno(req, resp, r, "customer_gateway.get");
    r = model_cgw_from_internal(row.spec, strlen(row.spec), cur);
    store_cgw_row_done(&row);
    if (r < 0)
        return api_fail_errno(req, resp, r, "customer_gateway.decode");
    r = model_cgw_parse_update(cur, req->body, req->body_len, cgw, &err);
    if (r == -EINVAL)
        return api_fail_verr(req, resp, &err);
    if (r < 0)
        return api_fail_errno(req, resp, r, "customer_gateway.parse");
    cgw->updated_at = ids_now_ms();
    if (cgw->updated_at <= cur->updated_at)
        cgw->updated_at = cur->updated_at + 1; /* updated_at always moves */
    if (model_cgw_to_internal(cgw, &spec) < 0 || model_cgw_render(cgw, &out) < 0)
        return api_fail_errno(req, resp, -ENOMEM, "customer_gateway.render");
    snprintf(row.project_id, sizeof(row.project_id), "%s", call->project_id);
    snprintf(row.id, sizeof(row.id), "%s", cgw->id);
    row.created_at = cgw->created_at;
    row.updated_at = cgw->updated_at;
    row.spec = spec.data;
    r = store_cgw_update(api->store, &row);
    if (r == -ENOENT)
        return api_fail(req, resp, &API_ERR_NOT_FOUND,
                        "resource not found: customer gateway \"%.64s\"", call->id);
    if (r < 0)
        return api_fail_errno(req, resp, r, "customer_gateway.update");
    log_info("request_id=%s op=customer_gateway.update project_id=%s id=%s", req->request_id,
             call->project_id, cgw->id);
    return api_reply_wrapped(call, resp, 200, "customer_gateway", &out);
}
