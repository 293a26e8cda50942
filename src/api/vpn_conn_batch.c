/* api/vpn_conn_batch.c: POST vpn-connections/batch-create (spec §2.1): 1-2 connections of one
 * gateway, all or nothing. Every element is validated first (errors name the element path);
 * then all are inserted in one store transaction, so a gateway with one free slot left takes
 * none of a pair. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/vpn_conn_int.h"
#include "util/ids.h"
#include "util/log.h"

#define BATCH_MAX 2
#define BATCH_ATTEMPTS 4

struct batch {
    size_t n;
    struct model_vpn_conn c[BATCH_MAX];
    struct model_cgw cgw[BATCH_MAX];
    bool auto_tunnel[BATCH_MAX];
    char path[BATCH_MAX][48];
};

/* Checks what needs the gateway and customer gateways, and names the connections. Returns 0,
 * or -1 after answering. */
static int batch_bind(struct api *api, const struct api_call *call, struct batch *b,
                      struct model_vgw *g, struct http_response *resp)
{
    const struct http_request *req = call->req;
    struct verr err = {0};

    for (size_t i = 1; i < b->n; i++) {
        if (strcmp(b->c[i].vgw_id, b->c[0].vgw_id) != 0) {
            api_fail(req, resp, &API_ERR_INVALID,
                     "invalid request: %s.vgw_id: must be the VPN gateway of "
                     "vpn_connections[0].vgw_id (\"%s\"), got \"%s\"",
                     b->path[i], b->c[0].vgw_id, b->c[i].vgw_id);
            return -1;
        }
    }
    if (vpn_conn_load_gateway(api, call, b->path[0], b->c[0].vgw_id, g, resp) < 0)
        return -1;
    for (size_t i = 0; i < b->n; i++) {
        if (vpn_conn_load_customer_gateway(api, call, b->path[i], b->c[i].cgw_id, &b->cgw[i],
                                           resp) < 0)
            return -1;
    }
    if (api_quota_check_n(api, call, API_QUOTA_VPN_CONNECTION, (int64_t)b->n, resp) < 0)
        return -1;
    int64_t now = ids_now_ms();
    for (size_t i = 0; i < b->n; i++) {
        struct model_vpn_conn *c = &b->c[i];

        if (model_conn_bind(c, g, &b->cgw[i], &err) < 0) {
            model_verr_reprefix(&err, b->path[i]);
            api_fail_verr(req, resp, &err);
            return -1;
        }
        b->auto_tunnel[i] = c->tunnel_local_address[0] == '\0';
        char hex[5];
        if (ids_uuid4(c->id) < 0 || (c->name[0] == '\0' && ids_hex(hex, 4) < 0)) {
            api_fail_errno(req, resp, -EIO, "vpn_connection.id");
            return -1;
        }
        if (c->name[0] == '\0')
            snprintf(c->name, sizeof(c->name), "vpn-%s", hex);
        c->status = MODEL_STATUS_PENDING_CREATE;
        c->created_at = c->updated_at = now;
    }
    return 0;
}

/* Picks the automatic tunnels, each avoiding the ones the other elements use. */
static int batch_tunnels(struct api *api, struct batch *b)
{
    char nets[BATCH_MAX][MODEL_CIDR_LEN];
    const char *also[BATCH_MAX];
    size_t n_also = 0;

    for (size_t i = 0; i < b->n; i++) {
        if (b->auto_tunnel[i])
            continue;
        model_tunnel_network(b->c[i].tunnel_local_address, nets[n_also]);
        also[n_also] = nets[n_also];
        n_also++;
    }
    for (size_t i = 0; i < b->n; i++) {
        if (!b->auto_tunnel[i])
            continue;
        int r = vpn_conn_allocate_tunnel(api, &b->c[i], also, n_also);
        if (r < 0)
            return r;
        model_tunnel_network(b->c[i].tunnel_local_address, nets[n_also]);
        also[n_also] = nets[n_also];
        n_also++;
    }
    return 0;
}

/* Renders every element and inserts them in one transaction. */
static int batch_insert(struct api *api, const struct api_call *call, struct batch *b,
                        size_t *ret_failed)
{
    struct buf spec[BATCH_MAX] = {0}, doc[BATCH_MAX] = {0};
    struct store_conn_row rows[BATCH_MAX];
    struct tunnel_claim t[BATCH_MAX];
    struct store_conn_new items[BATCH_MAX];
    int r = 0;

    for (size_t i = 0; r == 0 && i < b->n; i++) {
        r = vpn_conn_row_build(api, call->project_id, &b->c[i], b->c[i].created_at, &spec[i],
                               &doc[i], &rows[i]);
        vpn_conn_tunnel_claim_init(&t[i], &b->c[i]);
        items[i] = (struct store_conn_new){
            .row = &rows[i],
            .claims = &t[i].claim,
            .n_claims = 1,
            .event = {.at = b->c[i].created_at, .message = VPN_CONN_EVENT_CREATED},
        };
    }
    if (r == 0)
        r = store_conn_insert_batch(api->store, items, b->n, ret_failed);
    for (size_t i = 0; i < BATCH_MAX; i++) {
        buf_free(&spec[i]);
        buf_free(&doc[i]);
    }
    return r;
}

static int batch_reply(const struct api_call *call, struct batch *b, struct http_response *resp)
{
    struct buf *out = &resp->body;
    int r;

    buf_reset(out);
    r = buf_puts(out, "{\"vpn_connections\":[");
    for (size_t i = 0; r == 0 && i < b->n; i++) {
        if (i)
            r = buf_puts(out, ",");
        if (r == 0) /* CreateResponseVpnConnection: no status (spec §2.5) */
            r = model_conn_render_create(&b->c[i], out);
    }
    if (r == 0)
        r = buf_printf(out, "],\"request_id\":\"%s\"}", call->req->request_id);
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "vpn_connection.render");
    resp->status = 201;
    return 0;
}

static int batch_fail(struct api *api, const struct api_call *call, struct batch *b,
                      const struct model_vgw *g,
                      int r, size_t failed, struct http_response *resp)
{
    const struct http_request *req = call->req;

    if (failed >= b->n)
        failed = 0;
    if (r == -EEXIST)
        return vpn_conn_fail_tunnel_taken(req, resp, &b->c[failed]);
    if (r == -EDQUOT)
        return api_quota_fail(api, call, API_QUOTA_VPN_CONNECTION, resp);
    if (r == -ENOSPC)
        return api_fail(req, resp, &API_ERR_INVALID,
                        "invalid request: %s: VPN gateway %s has no free connection capacity "
                        "(%lld connections allowed, %lld used); none of the %zu connections was "
                        "created",
                        b->path[failed], g->id, (long long)g->connection_number,
                        (long long)g->used_connection_number, b->n);
    if (r == -ENOENT)
        return api_fail(req, resp, &API_ERR_NOT_FOUND,
                        "resource not found: %s: its VPN gateway or customer gateway is gone",
                        b->path[failed]);
    return api_fail_errno(req, resp, r, "vpn_connection.batch_insert");
}

int vpn_conn_batch_create(struct api *api, const struct api_call *call, struct http_response *resp)
{
    const struct http_request *req = call->req;
    _cleanup_free_ struct batch *b = calloc(1, sizeof(*b));
    _cleanup_free_ struct model_vgw *g = calloc(1, sizeof(*g));
    struct verr err = {0};
    size_t failed = 0;
    int r;

    if (!b || !g)
        return api_fail_errno(req, resp, -ENOMEM, "vpn_connection.batch_create");
    r = model_conn_parse_batch(req->body, req->body_len, b->c, BATCH_MAX, &b->n, &err);
    if (r == -EINVAL)
        return api_fail_verr(req, resp, &err);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_connection.parse");
    for (size_t i = 0; i < b->n; i++)
        snprintf(b->path[i], sizeof(b->path[i]), "vpn_connections[%zu]", i);
    if (batch_bind(api, call, b, g, resp) < 0)
        return 0;
    bool any_auto = false;
    for (size_t i = 0; i < b->n; i++)
        any_auto = any_auto || b->auto_tunnel[i];
    for (int attempt = 0;; attempt++) {
        r = batch_tunnels(api, b);
        if (r == -ENOSPC)
            return api_fail(req, resp, &API_ERR_INVALID,
                            "invalid request: vpn_connections: no free 169.254.0.0/16 /30 left "
                            "on VPN gateway %s",
                            g->id);
        if (r < 0)
            return api_fail_errno(req, resp, r, "vpn_connection.tunnel");
        r = batch_insert(api, call, b, &failed);
        /* a racing create took an automatic /30: pick again */
        if (r != -EEXIST || !any_auto || attempt + 1 == BATCH_ATTEMPTS)
            break;
    }
    if (r < 0)
        return batch_fail(api, call, b, g, r, failed, resp);
    for (size_t i = 0; i < b->n; i++)
        log_info("request_id=%s op=vpn_connection.batch_create project_id=%s id=%s",
                 req->request_id, call->project_id, b->c[i].id);
    return batch_reply(call, b, resp);
}
