/* api/vpn_gateway_update.c: gateway configuration update (PUT, spec §3.1/3.3), flavor change
 * (POST update-specification) and the availability zone lists.
 *
 * An update moves an ACTIVE gateway to PENDING_UPDATE (compare-and-set in the store, so of two
 * racing updates one wins and the other gets VPN.0507); the status engine settles it back to
 * ACTIVE after --status-delay. While it is not ACTIVE, connection creates get 409 VPN.0016. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "api/pool.h"
#include "model/model.h"
#include "store/store.h"
#include "util/ids.h"
#include "util/log.h"

#define UPDATE_ATTEMPTS 8

static const struct api_error_code err_creating = {400, "VPN.0506"};
static const struct api_error_code err_updating = {400, "VPN.0507"};
static const struct api_error_code err_deleting = {400, "VPN.0508"};

/* The stored gateway with the columns the store maintains; answers the error itself (returns
 * -1). The gateway must be ACTIVE. */
static int load_active(struct api *api, const struct api_call *call, struct model_vgw *g,
                       struct http_response *resp)
{
    const struct http_request *req = call->req;
    struct store_vgw_row row = {0};
    char status[sizeof(row.status)];
    int r = store_vgw_get(api->store, call->project_id, call->id, &row);

    if (r == -ENOENT) {
        api_fail(req, resp, &API_ERR_NOT_FOUND, "resource not found: vpn gateway \"%.64s\"",
                 call->id);
        return -1;
    }
    if (r < 0) {
        api_fail_errno(req, resp, r, "vpn_gateway.get");
        return -1;
    }
    r = model_vgw_from_internal(row.spec, strlen(row.spec), g);
    g->used_connection_number = row.used_connection_number;
    g->connection_number = row.connection_number;
    g->updated_at = row.updated_at;
    memcpy(status, row.status, sizeof(status));
    store_vgw_row_done(&row);
    if (r < 0) {
        api_fail_errno(req, resp, r, "vpn_gateway.decode");
        return -1;
    }
    if (strcmp(status, "ACTIVE") == 0)
        return 0;
    if (strcmp(status, "PENDING_UPDATE") == 0)
        api_fail(req, resp, &err_updating,
                 "The VPN gateway is being updated, please try again later: gateway %s is "
                 "PENDING_UPDATE",
                 call->id);
    else if (strcmp(status, "PENDING_CREATE") == 0)
        api_fail(req, resp, &err_creating,
                 "The VPN gateway is being created, please try again later: gateway %s is "
                 "PENDING_CREATE",
                 call->id);
    else if (strcmp(status, "PENDING_DELETE") == 0)
        api_fail(req, resp, &err_deleting,
                 "The VPN gateway is being deleted: gateway %s is PENDING_DELETE", call->id);
    else
        api_fail(req, resp, &API_ERR_GW_NOT_READY,
                 "VPN gateway is not ready, please try again later: gateway %s is %s", call->id,
                 status);
    return -1;
}

/* New local subnets must not overlap a peer subnet of the gateway's connections. *stamp gets
 * the connections as checked (read first: a change after it makes the update -ESTALE). Answers
 * the error itself (returns -1). */
static int check_connections(struct api *api, const struct api_call *call,
                             const struct model_vgw *g, struct store_vgw_conns *stamp,
                             struct http_response *resp)
{
    _cleanup_(buf_free) struct buf docs = {0};
    struct store_conn_filter f = {.vgw_id = g->id};
    char next[STORE_MARKER_LEN];
    struct verr err = {0};
    size_t count = 0;
    int r = store_vgw_conns_stamp(api->store, call->project_id, g->id, stamp);

    if (r < 0)
        return api_fail_errno(call->req, resp, r, "vpn_gateway.connections"), -1;
    if (stamp->n == 0)
        return 0;
    r = buf_puts(&docs, "[");

    /* a gateway holds at most connection_number connections: one page has them all */
    if (r == 0)
        r = store_conn_list(api->store, call->project_id, &f, (size_t)g->connection_number + 1,
                            &docs, &count, next, NULL);
    if (r == 0)
        r = buf_puts(&docs, "]");
    if (r == 0)
        r = model_vgw_check_peer_overlap(g, docs.data, docs.len, &err);
    if (r == -EINVAL)
        return api_fail_verr(call->req, resp, &err), -1;
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "vpn_gateway.connections"), -1;
    return 0;
}

struct vgw_update_claims {
    struct store_claim v[4];
    const char *released[2];
    const char *released_field[2];
    size_t n_released;
};

/* The public gateway's EIP claims after the update (all of them: the store replaces the set),
 * with fresh pool addresses for the replaced EIPs, and the EIP ids taken away. */
static int eip_claims(struct api *api, const struct model_vgw *cur, struct model_vgw *g,
                      unsigned changed, struct vgw_update_claims *cl)
{
    struct model_eip *e[2] = {&g->eip1, &g->eip2};
    const struct model_eip *old[2] = {&cur->eip1, &cur->eip2};
    static const char *const field[2] = {"eip_id_1", "eip_id_2"};

    cl->n_released = 0;
    for (size_t i = 0; i < 2; i++) {
        if (!(changed & (1u << i)))
            continue;
        if (pool_pick(api->eip_base, api->eip_size, e[i]->ip_address) < 0)
            return -EIO;
        cl->released_field[cl->n_released] = field[i];
        cl->released[cl->n_released++] = old[i]->id;
    }
    cl->v[0] = (struct store_claim){"eip_id", g->eip1.id};
    cl->v[1] = (struct store_claim){"eip_id", g->eip2.id};
    cl->v[2] = (struct store_claim){"eip_address", g->eip1.ip_address};
    cl->v[3] = (struct store_claim){"eip_address", g->eip2.ip_address};
    return 0;
}

/* Writes the updated gateway (PENDING_UPDATE) and answers 200 with it. from = "ACTIVE";
 * conns (or NULL) as checked. Returns -ESTALE without answering when the gateway's connections
 * changed since they were checked. */
static int save_and_reply(struct api *api, const struct api_call *call, const struct model_vgw *cur,
                          struct model_vgw *g, unsigned eip_changed,
                          const struct store_vgw_conns *conns, struct http_response *resp)
{
    const struct http_request *req = call->req;
    bool public = strcmp(g->network_type, "public") == 0;
    _cleanup_(buf_free) struct buf spec = {0};
    _cleanup_(buf_free) struct buf out = {0};
    struct store_vgw_row row = {0};
    struct vgw_update_claims cl = {0};
    struct store_vgw_update u = {.row = &row, .from_status = "ACTIVE", .conns = conns};
    size_t busy = 0;
    int r = -EEXIST;

    g->status = "PENDING_UPDATE";
    g->updated_at = ids_now_ms();
    if (g->updated_at <= cur->updated_at)
        g->updated_at = cur->updated_at + 1;
    snprintf(row.project_id, sizeof(row.project_id), "%s", call->project_id);
    snprintf(row.id, sizeof(row.id), "%s", g->id);
    snprintf(row.status, sizeof(row.status), "%s", g->status);
    row.connection_number = g->connection_number;
    row.status_due = engine_due_at(&api->engine, g->updated_at);
    row.updated_at = g->updated_at;
    /* a collision on a drawn address is retried; one on a given EIP id is the client's */
    for (int attempt = 0; r == -EEXIST && attempt < (eip_changed ? UPDATE_ATTEMPTS : 1);
         attempt++) {
        if (public && eip_changed && eip_claims(api, cur, g, eip_changed, &cl) < 0)
            return api_fail_errno(req, resp, -EIO, "vpn_gateway.addresses");
        buf_reset(&spec);
        if (model_vgw_to_internal(g, &spec) < 0)
            return api_fail_errno(req, resp, -ENOMEM, "vpn_gateway.render");
        row.spec = spec.data;
        u.claims = public && eip_changed ? cl.v : NULL;
        u.n_claims = u.claims ? 4 : 0;
        u.released = cl.released;
        u.n_released = cl.n_released;
        r = store_vgw_update(api->store, &u, &busy);
    }
    if (r == -ESTALE)
        return r;
    if (r == -ENOENT)
        return api_fail(req, resp, &API_ERR_NOT_FOUND, "resource not found: vpn gateway \"%.64s\"",
                        call->id);
    if (r == -EAGAIN)
        return api_fail(req, resp, &err_updating,
                        "The VPN gateway is being updated, please try again later: gateway %s is "
                        "no longer ACTIVE",
                        call->id);
    if (r == -ENOSPC)
        return api_fail(req, resp, &API_ERR_INVALID,
                        "invalid request: vpn_gateway.flavor: %s allows %lld connections but "
                        "the gateway has more, got \"%s\"",
                        g->flavor, (long long)g->connection_number, g->flavor);
    if (r == -ENOTEMPTY)
        return api_fail(req, resp, &API_ERR_INVALID,
                        "invalid request: vpn_gateway.%s: the EIP it replaces (%s) is the vgw_ip "
                        "of a VPN connection of this gateway; delete or move that connection first",
                        cl.released_field[busy], cl.released[busy]);
    if (r == -EEXIST)
        return api_fail(req, resp, &API_ERR_EIP_BOUND,
                        "invalid request: vpn_gateway.eip_id_1 or eip_id_2: the EIP is already "
                        "bound to another VPN gateway");
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_gateway.update");
    log_info("request_id=%s op=vpn_gateway.update project_id=%s id=%s", req->request_id,
             call->project_id, g->id);
    if (model_vgw_render(g, &out) < 0)
        return api_fail_errno(req, resp, -ENOMEM, "vpn_gateway.render");
    return api_reply_wrapped(call, resp, 200, "vpn_gateway", &out);
}

/* One attempt; -ESTALE (nothing answered) when a connection of the gateway changed between
 * the overlap check and the write: the caller checks again. */
static int update_once(struct api *api, const struct api_call *call, struct model_vgw *cur,
                       struct model_vgw *g, struct http_response *resp)
{
    const struct http_request *req = call->req;
    struct store_vgw_conns stamp;
    struct verr err = {0};
    unsigned eip_changed = 0;

    if (load_active(api, call, cur, resp) < 0)
        return 0;
    int r = model_vgw_parse_update(cur, req->body, req->body_len, g, &eip_changed, &err);
    if (r == -EINVAL)
        return api_fail_verr(req, resp, &err);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_gateway.parse");
    bool subnets_changed = g->n_local_subnets != cur->n_local_subnets ||
                           memcmp(g->local_subnets, cur->local_subnets,
                                  g->n_local_subnets * sizeof(g->local_subnets[0])) != 0;
    if (subnets_changed && check_connections(api, call, g, &stamp, resp) < 0)
        return 0;
    return save_and_reply(api, call, cur, g, eip_changed, subnets_changed ? &stamp : NULL, resp);
}

int vpn_gateway_update(struct api *api, const struct api_call *call, struct http_response *resp)
{
    _cleanup_free_ struct model_vgw *cur = calloc(1, sizeof(*cur));
    _cleanup_free_ struct model_vgw *g = calloc(1, sizeof(*g));

    if (!cur || !g)
        return api_fail_errno(call->req, resp, -ENOMEM, "vpn_gateway.update");
    for (int attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
        if (update_once(api, call, cur, g, resp) != -ESTALE)
            return 0;
    }
    return api_fail_errno(call->req, resp, -EBUSY, "vpn_gateway.update");
}

/* POST update-specification: {"vpn_gateway":{"flavor":...}}; connection_number follows. */
int vpn_gateway_update_specification(struct api *api, const struct api_call *call,
                                     struct http_response *resp)
{
    const struct http_request *req = call->req;
    _cleanup_free_ struct model_vgw *cur = calloc(1, sizeof(*cur));
    _cleanup_free_ struct model_vgw *g = calloc(1, sizeof(*g));
    struct verr err = {0};

    if (!cur || !g)
        return api_fail_errno(req, resp, -ENOMEM, "vpn_gateway.update_specification");
    if (load_active(api, call, cur, resp) < 0)
        return 0;
    int r = model_vgw_parse_flavor(cur, req->body, req->body_len, g, &err);
    if (r == -EINVAL)
        return api_fail_verr(req, resp, &err);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_gateway.parse");
    if (g->connection_number < cur->used_connection_number)
        return api_fail(req, resp, &API_ERR_INVALID,
                        "invalid request: vpn_gateway.flavor: %s allows %lld connections but the "
                        "gateway has %lld, got \"%s\"",
                        g->flavor, (long long)g->connection_number,
                        (long long)cur->used_connection_number, g->flavor);
    return save_and_reply(api, call, cur, g, 0, NULL, resp);
}

/* Simulated: vpnd has no regions; every flavor is offered in the same three zones. */
int vpn_gateway_availability_zones(struct api *api, const struct api_call *call,
                                   struct http_response *resp)
{
    static const char *const flavors[] = {"basic",
                                          "professional1",
                                          "professional2",
                                          "Professional1-NonFixedIP",
                                          "Professional2-NonFixedIP",
                                          "gm"};
    static const char zones[] = "[\"az1\",\"az2\",\"az3\"]";
    struct buf *b = &resp->body;
    int r;
    (void)api;

    buf_reset(b);
    r = buf_puts(b, "{\"availability_zones\":{");
    for (size_t i = 0; r == 0 && i < ARRAY_SIZE(flavors); i++)
        r = buf_printf(b, "%s\"%s\":{\"vpc\":%s,\"er\":%s}", i ? "," : "", flavors[i], zones,
                       zones);
    if (r == 0)
        r = buf_printf(b, "},\"request_id\":\"%s\"}", call->req->request_id);
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "vpn_gateway.availability_zones");
    resp->status = 200;
    return 0;
}
