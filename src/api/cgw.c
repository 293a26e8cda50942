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

/* Marker-paged (spec §1.6), newest first; filter cgw_id. */
int api_cgw_list(struct api_ctx *ctx)
{
    struct query_list l;
    struct svc_page page = {0};
    int r;

    if (query_list_parse(ctx->req->query, LIST_LIMIT_MAX, false, &l) < 0)
        return api_refuse(ctx, VERR_INVALID, "%s", l.error);
    const struct svc_cgw_query q = {
        .cgw_id = l.text[QUERY_CGW_ID], .marker = l.text[QUERY_MARKER], .limit = (size_t)l.limit};
    r = api_reply_open(ctx, "{\"customer_gateways\":[");
    if (r == 0)
        r = svc_cgw_list(ctx->svc, ctx->call.project_id, &q, &ctx->resp->body, &page, &ctx->err);
    return r < 0 ? r : api_reply_page(ctx, &page);
}
