/* api/conn.c: the VPN connection routes (spec §2): thin adapters over service/conn*.c. */
#include "api/api_int.h"

#include <stdio.h>
#include <string.h>

#include "api/query.h"

#define LIST_LIMIT_MAX 2000

/* The hot path: the served document, wrapped in place. */
int api_conn_show(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"vpn_connection\":");

    if (r == 0)
        r = svc_conn_show(ctx->svc, ctx->call.project_id, ctx->call.id, &ctx->resp->body,
                          &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

int api_conn_create(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"vpn_connection\":");

    if (r == 0)
        r = svc_conn_create(ctx->svc, ctx->call.project_id, ctx->body, &ctx->resp->body,
                            &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 201, "", true);
}

int api_conn_batch_create(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"vpn_connections\":[");

    if (r == 0)
        r = svc_conn_batch_create(ctx->svc, ctx->call.project_id, ctx->body, &ctx->resp->body,
                                  &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 201, "]", true);
}

int api_conn_update(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"vpn_connection\":");

    if (r == 0)
        r = svc_conn_update(ctx->svc, ctx->call.project_id, ctx->call.id, ctx->body,
                            &ctx->resp->body, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

int api_conn_delete(struct api_ctx *ctx)
{
    int r = svc_conn_delete(ctx->svc, ctx->call.project_id, ctx->call.id, &ctx->err);

    return r < 0 ? r : api_reply_none(ctx);
}

/* Reset renegotiates the tunnels (spec §2.6); the simulated data plane has nothing to
 * renegotiate, so the service only checks the connection may be reset. */
int api_conn_reset(struct api_ctx *ctx)
{
    int r = svc_conn_reset(ctx->svc, ctx->call.project_id, ctx->call.id, &ctx->err);

    return r < 0 ? r : api_reply_request_id(ctx);
}

struct log_writer {
    struct buf *b;
    size_t n;
};

static int log_entry(void *ud, int64_t at, const char *msg)
{
    struct log_writer *w = ud;
    int r = buf_printf(w->b, "%s{\"time\":%lld,\"raw_message\":", w->n++ ? "," : "",
                       (long long)(at / 1000));

    if (r == 0)
        r = buf_json_str(w->b, msg);
    return r < 0 ? r : buf_puts(w->b, "}");
}

/* The status transitions this server made for the connection, oldest first ({"time": unix
 * seconds, "raw_message"}); there is no IKE negotiation to log. */
int api_conn_log(struct api_ctx *ctx)
{
    struct log_writer w = {.b = &ctx->resp->body};
    int r = api_reply_open(ctx, "{\"logs\":[");

    if (r == 0)
        r = svc_conn_log(ctx->svc, ctx->call.project_id, ctx->call.id, log_entry, &w, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "]", true);
}

struct list_query {
    struct svc_conn_query q;
    struct query_eps eps;
    char vgw_id[MODEL_UUID_LEN], vgw_ip[MODEL_UUID_LEN], marker[SVC_MARKER_LEN];
    long long limit;
    char error[160];
};

static int list_param(void *ud, const char *key, const char *value)
{
    struct list_query *l = ud;

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
    } else if (strcmp(key, "vgw_id") == 0) {
        snprintf(l->vgw_id, sizeof(l->vgw_id), "%s", value);
        l->q.vgw_id = l->vgw_id;
    } else if (strcmp(key, "vgw_ip") == 0) {
        snprintf(l->vgw_ip, sizeof(l->vgw_ip), "%s", value);
        l->q.vgw_ip = l->vgw_ip;
    } else if (strcmp(key, "enterprise_project_id") == 0) {
        return query_eps_add(&l->eps, value, l->error, sizeof(l->error));
    }
    return 0; /* other parameters (vpn_id, eip_id: legacy) are accepted and ignored */
}

int api_conn_list(struct api_ctx *ctx)
{
    struct list_query l = {.limit = LIST_LIMIT_MAX};
    struct svc_page page = {0};
    int r;

    if (query_foreach(ctx->req->query, list_param, &l) != 0)
        return api_refuse(ctx, VERR_INVALID, "%s", l.error);
    query_eps_bind(&l.eps, &l.q.eps);
    l.q.limit = (size_t)l.limit;
    r = api_reply_open(ctx, "{\"vpn_connections\":[");
    if (r == 0)
        r = svc_conn_list(ctx->svc, ctx->call.project_id, &l.q, &ctx->resp->body, &page,
                          &ctx->err);
    return r < 0 ? r : api_reply_page(ctx, &page);
}
