/* api/peer.c: what a connection's data plane shows (spec §9): its IPsec SAs with their counters,
 * the peer configuration export and the devices it supports; thin adapters over
 * service/peer.c. ipsec-sa waits for charon under the strongSwan driver: the response is
 * deferred (http_request_defer) and completed when the service answers, never blocking the
 * loop. */
#include "api/api_int.h"

#include <errno.h>
#include <stdlib.h>

#include "util/log.h"

#define UNREACHABLE "the data plane cannot be reached, please try again later"

/* A deferred ipsec-sa: completed by sas_done. */
struct sas_defer {
    struct http_pending *pending; /* NULL: a request that cannot be deferred (built by hand) */
};

static void sas_done(void *ud, int r, const char *text)
{
    struct sas_defer *w = ud;
    struct http_response resp = {0};

    if (!w->pending) {
        free(w);
        return;
    }
    const struct http_request *req = http_pending_request(w->pending);
    if (r == 0 && buf_printf(&resp.body, "{\"sa_infos\":[%s],\"request_id\":\"%s\"}", text,
                             req->request_id) == 0) {
        resp.status = 200;
    } else {
        log_warn("request_id=%s op=vpn_connection.ipsec_sa error=\"%s\"", req->request_id,
                 r == 0 ? "out of memory" : "the data plane went away");
        api_error_render(req, &resp, API_ERR_UNAVAILABLE, UNREACHABLE);
    }
    http_pending_complete(w->pending, &resp);
    buf_free(&resp.body);
    free(w);
}

int api_conn_ipsec_sa(struct api_ctx *ctx)
{
    struct sas_defer *w = calloc(1, sizeof(*w));
    struct buf now = {0};
    int r = w ? 0 : -ENOMEM;

    if (r == 0)
        r = svc_conn_sas(ctx->svc, ctx->call.project_id, ctx->call.id, &now, sas_done, w,
                         &ctx->err);
    if (r == 1) { /* the data plane answers later */
        w->pending = http_request_defer(ctx->req);
        if (!w->pending)
            api_error_render(ctx->req, ctx->resp, API_ERR_UNAVAILABLE, UNREACHABLE);
        return 0;
    }
    free(w);
    if (r == -EIO && ctx->svc->driver) {
        log_warn("request_id=%s op=vpn_connection.ipsec_sa error=\"the data plane is not "
                 "reachable\"",
                 ctx->req->request_id);
        api_error_render(ctx->req, ctx->resp, API_ERR_UNAVAILABLE, UNREACHABLE);
        buf_free(&now);
        return 0;
    }
    if (r == 0)
        r = api_reply_open(ctx, "{\"sa_infos\":[");
    if (r == 0)
        r = buf_append(&ctx->resp->body, now.data ? now.data : "", now.len);
    buf_free(&now);
    return r < 0 ? r : api_reply_close(ctx, 200, "]", true);
}

int api_conn_peer_config(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"peer_config\":");

    if (r == 0)
        r = svc_conn_peer_config(ctx->svc, ctx->call.project_id, ctx->call.id, ctx->body,
                                 &ctx->resp->body, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

int api_peer_devices(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"supported_devices\":[");

    if (r == 0)
        r = svc_peer_devices(ctx->svc, &ctx->resp->body);
    return r < 0 ? r : api_reply_close(ctx, 200, "]", true);
}
