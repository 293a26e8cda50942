/* api/conn.c: the VPN connection routes (spec §2): thin adapters over service/conn*.c. */
#include "api/api_int.h"

#include <stdio.h>
#include <string.h>

#include "api/query.h"
#include "util/ids.h"

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

/* Marker-paged (spec §1.6), newest first; filters vgw_id, vgw_ip, the repeatable
 * enterprise_project_id and the Go model's vpn_id (one connection) and eip_id (its vgw_ip),
 * both UUIDs. */
int api_conn_list(struct api_ctx *ctx)
{
    static const enum query_text uuids[] = {QUERY_VPN_ID, QUERY_EIP_ID};
    static const char *const uuid_keys[] = {"vpn_id", "eip_id"};
    struct query_list l;
    struct svc_page page = {0};
    int r;

    if (query_list_parse(ctx->req->query, LIST_LIMIT_MAX, true, &l) < 0)
        return api_refuse(ctx, VERR_INVALID, "%s", l.error);
    for (size_t i = 0; i < ARRAY_SIZE(uuids); i++) {
        const char *v = l.text[uuids[i]];
        if (v && !ids_is_uuid(v))
            return api_refuse(ctx, VERR_INVALID, "%s: must be a UUID, got \"%.64s\"",
                              uuid_keys[i], v);
    }
    struct svc_conn_query q = {.vgw_id = l.text[QUERY_VGW_ID],
                               .vgw_ip = l.text[QUERY_VGW_IP],
                               .marker = l.text[QUERY_MARKER],
                               .vpn_id = l.text[QUERY_VPN_ID],
                               .eip_id = l.text[QUERY_EIP_ID],
                               .limit = (size_t)l.limit};
    query_eps_bind(&l.eps, &q.eps);
    r = api_reply_open(ctx, "{\"vpn_connections\":[");
    if (r == 0)
        r = svc_conn_list(ctx->svc, ctx->call.project_id, &q, &ctx->resp->body, &page, &ctx->err);
    return r < 0 ? r : api_reply_page(ctx, &page);
}
