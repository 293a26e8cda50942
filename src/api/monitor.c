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

struct monitor_query {
    struct svc_monitor_query q;
    struct query_eps eps;
    char conn_id[MODEL_UUID_LEN];
    char error[160];
};

static int list_param(void *ud, const char *key, const char *value)
{
    struct monitor_query *m = ud;

    if (!value) {
        snprintf(m->error, sizeof(m->error), "%.32s: must be percent-encoded text under 256 bytes",
                 key);
        return -1;
    }
    if (strcmp(key, "vpn_connection_id") == 0) {
        snprintf(m->conn_id, sizeof(m->conn_id), "%s", value);
        m->q.vpn_connection_id = m->conn_id;
    } else if (strcmp(key, "enterprise_project_id") == 0) {
        return query_eps_add(&m->eps, value, m->error, sizeof(m->error));
    }
    return 0;
}

/* No pagination (spec §5.1); filters vpn_connection_id and repeatable enterprise_project_id. */
int api_monitor_list(struct api_ctx *ctx)
{
    struct monitor_query m = {0};
    int r;

    if (query_foreach(ctx->req->query, list_param, &m) != 0)
        return api_refuse(ctx, VERR_INVALID, "%s", m.error);
    query_eps_bind(&m.eps, &m.q.eps);
    r = api_reply_open(ctx, "{\"connection_monitors\":[");
    if (r == 0)
        r = svc_monitor_list(ctx->svc, ctx->call.project_id, &m.q, &ctx->resp->body, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "]", true);
}

int api_monitor_delete(struct api_ctx *ctx)
{
    int r = svc_monitor_delete(ctx->svc, ctx->call.project_id, ctx->call.id, &ctx->err);

    return r < 0 ? r : api_reply_none(ctx);
}
