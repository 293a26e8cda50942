/* api/monitor.c: the connection monitor routes (spec §5.1) over service/monitor.c. */
#include "api/api_int.h"

#include <stdio.h>
#include <string.h>

#include "api/query.h"

int api_monitor_create(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"connection_monitor\":");

    if (r == 0)
        r = svc_monitor_create(ctx->svc, ctx->call.project_id, ctx->body, &ctx->resp->body,
                               &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 201, "", true);
}

int api_monitor_show(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"connection_monitor\":");

    if (r == 0)
        r = svc_monitor_show(ctx->svc, ctx->call.project_id, ctx->call.id, &ctx->resp->body,
                             &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

/* No pagination (spec §5.1); filters vpn_connection_id and repeatable enterprise_project_id. */
int api_monitor_list(struct api_ctx *ctx)
{
    struct query_list l;
    int r;

    if (query_list_parse(ctx->req->query, 0, true, &l) < 0)
        return api_refuse(ctx, VERR_INVALID, "%s", l.error);
    struct svc_monitor_query q = {.vpn_connection_id = l.text[QUERY_CONN_ID]};
    query_eps_bind(&l.eps, &q.eps);
    r = api_reply_open(ctx, "{\"connection_monitors\":[");
    if (r == 0)
        r = svc_monitor_list(ctx->svc, ctx->call.project_id, &q, &ctx->resp->body, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "]", true);
}

int api_monitor_delete(struct api_ctx *ctx)
{
    int r = svc_monitor_delete(ctx->svc, ctx->call.project_id, ctx->call.id, &ctx->err);

    return r < 0 ? r : api_reply_none(ctx);
}
