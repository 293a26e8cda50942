/* api/customer_gateway_list.c: the customer gateway list (marker-paged, spec §1.6, §4). */
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
