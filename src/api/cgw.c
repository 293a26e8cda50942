/* api/cgw.c: the customer gateway routes (spec §4) over service/cgw.c. */
#include "api/api_int.h"

#include <stdio.h>
#include <string.h>

#include "api/query.h"

#define LIST_LIMIT_MAX 200

int api_cgw_create(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"customer_gateway\":");

    if (r == 0)
        r = svc_cgw_create(ctx->svc, ctx->call.project_id, ctx->body, &ctx->resp->body,
                           &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 201, "", true);
}

int api_cgw_show(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"customer_gateway\":");

    if (r == 0)
        r = svc_cgw_show(ctx->svc, ctx->call.project_id, ctx->call.id, &ctx->resp->body,
                         &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

int api_cgw_update(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"customer_gateway\":");

    if (r == 0)
        r = svc_cgw_update(ctx->svc, ctx->call.project_id, ctx->call.id, ctx->body,
                           &ctx->resp->body, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

int api_cgw_delete(struct api_ctx *ctx)
{
    int r = svc_cgw_delete(ctx->svc, ctx->call.project_id, ctx->call.id, &ctx->err);

    return r < 0 ? r : api_reply_none(ctx);
}

struct cgw_list_query {
    struct svc_cgw_query q;
    char cgw_id[MODEL_UUID_LEN];
    char marker[SVC_MARKER_LEN];
    long long limit;
    char error[160];
};

static int list_param(void *ud, const char *key, const char *value)
{
    struct cgw_list_query *l = ud;

    if (!value) {
        snprintf(l->error, sizeof(l->error), "%.32s: must be percent-encoded text under 256 bytes",
                 key);
        return -1;
    }
    if (strcmp(key, "limit") == 0)
        return query_limit(value, LIST_LIMIT_MAX, &l->limit, l->error, sizeof(l->error));
    if (strcmp(key, "marker") == 0) {
        snprintf(l->marker, sizeof(l->marker), "%s", value);
        l->q.marker = l->marker;
    } else if (strcmp(key, "cgw_id") == 0) {
        snprintf(l->cgw_id, sizeof(l->cgw_id), "%s", value);
        l->q.cgw_id = l->cgw_id;
    }
    return 0;
}

/* Marker-paged (spec §1.6), newest first. */
int api_cgw_list(struct api_ctx *ctx)
{
    struct cgw_list_query l = {.limit = LIST_LIMIT_MAX};
    struct svc_page page = {0};
    int r;

    if (query_foreach(ctx->req->query, list_param, &l) != 0)
        return api_refuse(ctx, VERR_INVALID, "%s", l.error);
    l.q.limit = (size_t)l.limit;
    r = api_reply_open(ctx, "{\"customer_gateways\":[");
    if (r == 0)
        r = svc_cgw_list(ctx->svc, ctx->call.project_id, &l.q, &ctx->resp->body, &page,
                         &ctx->err);
    return r < 0 ? r : api_reply_page(ctx, &page);
}
