/* api/vgw_extra.c: load / compare-and-set write of a gateway whose spec holds the state of
 * the certificate and upgrade operations (no store operation of their own). */
#include "api/vgw_extra.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/errors.h"
#include "store/store.h"
#include "util/ids.h"

static const struct api_error_code err_creating = {400, "VPN.0506"};
static const struct api_error_code err_updating = {400, "VPN.0507"};
static const struct api_error_code err_deleting = {400, "VPN.0508"};

static int not_active(const struct api_call *call, const char *id, const char *status,
                      struct http_response *resp)
{
    const struct http_request *req = call->req;

    if (strcmp(status, "PENDING_UPDATE") == 0)
        api_fail(req, resp, &err_updating,
                 "The VPN gateway is being updated, please try again later: gateway %s is "
                 "PENDING_UPDATE",
                 id);
    else if (strcmp(status, "PENDING_CREATE") == 0)
        api_fail(req, resp, &err_creating,
                 "The VPN gateway is being created, please try again later: gateway %s is "
                 "PENDING_CREATE",
                 id);
    else if (strcmp(status, "PENDING_DELETE") == 0)
        api_fail(req, resp, &err_deleting,
                 "The VPN gateway is being deleted: gateway %s is PENDING_DELETE", id);
    else
        api_fail(req, resp, &API_ERR_GW_NOT_READY,
                 "VPN gateway is not ready, please try again later: gateway %s is %s", id,
                 status);
    return -1;
}

int vgw_extra_load(struct api *api, const struct api_call *call, const char *id,
                   struct vgw_loaded *l, struct http_response *resp)
{
    const struct http_request *req = call->req;
    struct store_vgw_row row = {0};
    int r = store_vgw_get(api->store, call->project_id, id, &row);

    if (r == -ENOENT) {
        api_fail(req, resp, &API_ERR_NOT_FOUND, "resource not found: vpn gateway \"%.64s\"", id);
        return -1;
    }
    if (r < 0) {
        api_fail_errno(req, resp, r, "vpn_gateway.get");
        return -1;
    }
    r = model_vgw_from_internal(row.spec, strlen(row.spec), &l->g);
    l->g.used_connection_number = row.used_connection_number;
    l->g.connection_number = row.connection_number;
    l->g.updated_at = row.updated_at;
    l->g.status = model_vgw_status(row.status);
    snprintf(l->status, sizeof(l->status), "%s", row.status);
    store_vgw_row_done(&row);
    if (r < 0) {
        api_fail_errno(req, resp, r, "vpn_gateway.decode");
        return -1;
    }
    return 0;
}

int vgw_extra_active(const struct api_call *call, const struct vgw_loaded *l,
                     struct http_response *resp)
{
    return strcmp(l->status, "ACTIVE") == 0 ? 0 : not_active(call, l->g.id, l->status, resp);
}

int vgw_extra_save(struct api *api, const char *project_id, struct vgw_loaded *l, bool pending)
{
    _cleanup_(buf_free) struct buf spec = {0};
    struct store_vgw_row row = {0};
    struct store_vgw_update u = {.row = &row, .from_status = l->status};
    struct model_vgw *g = &l->g;
    int64_t now = ids_now_ms();

    g->updated_at = now > g->updated_at ? now : g->updated_at + 1;
    if (pending)
        g->status = model_vgw_status("PENDING_UPDATE");
    int r = model_vgw_to_internal(g, &spec);
    if (r < 0)
        return r;
    snprintf(row.project_id, sizeof(row.project_id), "%s", project_id);
    snprintf(row.id, sizeof(row.id), "%s", g->id);
    snprintf(row.status, sizeof(row.status), "%s", pending ? "PENDING_UPDATE" : l->status);
    row.connection_number = g->connection_number;
    row.status_due = pending || strncmp(l->status, "PENDING_", 8) == 0
                         ? engine_due_at(&api->engine, g->updated_at)
                         : 0;
    row.updated_at = g->updated_at;
    row.spec = spec.data;
    r = store_vgw_update(api->store, &u, NULL);
    if (r == 0 && pending)
        snprintf(l->status, sizeof(l->status), "PENDING_UPDATE");
    return r;
}

int vgw_extra_not_gm(const struct api_call *call, const struct model_vgw *g,
                     struct http_response *resp)
{
    return api_fail(call->req, resp, &API_ERR_INVALID,
                    "invalid request: vpn gateway %s: certificates are only for GM gateways, "
                    "flavor is %s",
                    g->id, g->flavor);
}

int vgw_extra_save_reply(struct api *api, const struct api_call *call, struct vgw_loaded *l,
                         const char *what, struct http_response *resp)
{
    const struct http_request *req = call->req;
    int r = vgw_extra_save(api, call->project_id, l, true);

    if (r == 0)
        return 0;
    if (r == -ENOENT)
        api_fail(req, resp, &API_ERR_NOT_FOUND, "resource not found: vpn gateway \"%.64s\"",
                 call->id);
    else if (r == -EAGAIN)
        api_fail(req, resp, &err_updating,
                 "The VPN gateway is being updated, please try again later: gateway %s is no "
                 "longer ACTIVE",
                 call->id);
    else
        api_fail_errno(req, resp, r, what);
    return -1;
}
