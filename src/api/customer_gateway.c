/* api/customer_gateway.c: create and show customer gateways (spec §4). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "model/model.h"
#include "store/store.h"
#include "util/ids.h"
#include "util/log.h"

int customer_gateway_ca_id(struct model_cgw *cgw)
{
    return cgw->ca.present && !cgw->ca.id[0] ? ids_uuid4(cgw->ca.id) : 0;
}

/* The stored form and the response of cgw, and its row (spec points into *spec). */
static int cgw_row_build(const char *project_id, const struct model_cgw *cgw, struct buf *spec,
                         struct buf *out, struct store_cgw_row *row)
{
    if (model_cgw_to_internal(cgw, spec) < 0 || model_cgw_render(cgw, out) < 0)
        return -ENOMEM;
    snprintf(row->project_id, sizeof(row->project_id), "%s", project_id);
    snprintf(row->id, sizeof(row->id), "%s", cgw->id);
    row->created_at = cgw->created_at;
    row->updated_at = cgw->updated_at;
    row->spec = spec->data;
    return 0;
}

int customer_gateway_create(struct api *api, const struct api_call *call,
                            struct http_response *resp)
{
    const struct http_request *req = call->req;
    _cleanup_free_ struct model_cgw *cgw = calloc(1, sizeof(*cgw));
    _cleanup_(buf_free) struct buf spec = {0};
    _cleanup_(buf_free) struct buf out = {0};
    struct store_cgw_row row = {0};
    struct verr err = {0};

    if (!cgw)
        return api_fail_errno(req, resp, -ENOMEM, "customer_gateway.create");
    int r = model_cgw_parse_create(req->body, req->body_len, cgw, &err);
    if (r == -EINVAL)
        return api_fail_verr(req, resp, &err);
    if (r < 0)
        return api_fail_errno(req, resp, r, "customer_gateway.parse");
    if (api_quota_check(api, call, API_QUOTA_CUSTOMER_GATEWAY, resp) < 0)
        return 0;
    if (ids_uuid4(cgw->id) < 0 || customer_gateway_ca_id(cgw) < 0)
        return api_fail_errno(req, resp, -EIO, "customer_gateway.id");
    if (cgw->name[0] == '\0') {
        char hex[5];
        if (ids_hex(hex, 4) < 0)
            return api_fail_errno(req, resp, -EIO, "customer_gateway.name");
        snprintf(cgw->name, sizeof(cgw->name), "cgw-%s", hex);
    }
    cgw->created_at = cgw->updated_at = ids_now_ms();
    if (cgw_row_build(call->project_id, cgw, &spec, &out, &row) < 0)
        return api_fail_errno(req, resp, -ENOMEM, "customer_gateway.render");
    r = store_cgw_insert(api->store, &row);
    if (r == -EDQUOT)
        return api_quota_fail(api, call, API_QUOTA_CUSTOMER_GATEWAY, resp);
    if (r < 0)
        return api_fail_errno(req, resp, r, "customer_gateway.insert");
    log_info("request_id=%s op=customer_gateway.create project_id=%s id=%s", req->request_id,
             call->project_id, cgw->id);
    return api_reply_wrapped(call, resp, 201, "customer_gateway", &out);
}

/* Reads the customer gateway call->id into cgw; answers 404 / 5xx itself and returns -1. */
static int cgw_load(struct api *api, const struct api_call *call, struct model_cgw *cgw,
                    struct http_response *resp)
{
    struct store_cgw_row row = {0};
    int r = store_cgw_get(api->store, call->project_id, call->id, &row);

    if (r == 0) {
        r = model_cgw_from_internal(row.spec, strlen(row.spec), cgw);
        store_cgw_row_done(&row);
    }
    if (r == 0)
        return 0;
    if (r == -ENOENT)
        api_fail(call->req, resp, &API_ERR_NOT_FOUND,
                 "resource not found: customer gateway \"%.64s\"", call->id);
    else
        api_fail_errno(call->req, resp, r, "customer_gateway.get");
    return -1;
}

int customer_gateway_show(struct api *api, const struct api_call *call,
                          struct http_response *resp)
{
    const struct http_request *req = call->req;
    _cleanup_free_ struct model_cgw *cgw = calloc(1, sizeof(*cgw));
    _cleanup_(buf_free) struct buf out = {0};

    if (!cgw)
        return api_fail_errno(req, resp, -ENOMEM, "customer_gateway.show");
    if (cgw_load(api, call, cgw, resp) < 0)
        return 0;
    if (model_cgw_render(cgw, &out) < 0)
        return api_fail_errno(req, resp, -ENOMEM, "customer_gateway.render");
    return api_reply_wrapped(call, resp, 200, "customer_gateway", &out);
}

int customer_gateway_delete(struct api *api, const struct api_call *call,
                            struct http_response *resp)
{
    int64_t users = 0;
    int r = store_cgw_delete(api->store, call->project_id, call->id, &users);

    if (r == -ENOENT)
        return api_fail(call->req, resp, &API_ERR_NOT_FOUND,
                        "resource not found: customer gateway \"%.64s\"", call->id);
    if (r == -ENOTEMPTY)
        return api_fail(call->req, resp, &API_ERR_INVALID,
                        "invalid request: customer gateway %s has %lld connection(s); delete them "
                        "first",
                        call->id, (long long)users);
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "customer_gateway.delete");
    log_info("request_id=%s op=customer_gateway.delete project_id=%s id=%s",
             call->req->request_id, call->project_id, call->id);
    buf_reset(&resp->body);
    resp->status = 204;
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
    if (cgw_load(api, call, cur, resp) < 0)
        return 0;
    int r = model_cgw_parse_update(cur, req->body, req->body_len, cgw, &err);
    if (r == -EINVAL)
        return api_fail_verr(req, resp, &err);
    if (r < 0)
        return api_fail_errno(req, resp, r, "customer_gateway.parse");
    if (customer_gateway_ca_id(cgw) < 0)
        return api_fail_errno(req, resp, -EIO, "customer_gateway.ca_certificate.id");
    cgw->updated_at = ids_now_ms();
    if (cgw->updated_at <= cur->updated_at)
        cgw->updated_at = cur->updated_at + 1; /* updated_at always moves */
    if (cgw_row_build(call->project_id, cgw, &spec, &out, &row) < 0)
        return api_fail_errno(req, resp, -ENOMEM, "customer_gateway.render");
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
