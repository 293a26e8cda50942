/* api/vpn_gateway.c: create and show VPN gateways (spec §3). There is no EIP service behind
 * vpnd: an EIP given by id keeps it, one given as a bandwidth spec gets generated ids, and each
 * gets an address from the EIP pool; private gateways get access IPs from the private pool. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "api/pool.h"
#include "api/query.h"
#include "model/model.h"
#include "store/store.h"
#include "util/ids.h"
#include "util/log.h"

#define CREATE_ATTEMPTS 8
#define MAX_CLAIMS 4

struct vgw_claims {
    size_t n;
    struct store_claim v[MAX_CLAIMS];
    char kinds[MAX_CLAIMS][128];
};

static void claim_add(struct vgw_claims *cl, const char *kind, const char *value)
{
    snprintf(cl->kinds[cl->n], sizeof(cl->kinds[cl->n]), "%s", kind);
    cl->v[cl->n].kind = cl->kinds[cl->n];
    cl->v[cl->n].value = value;
    cl->n++;
}

/* Fills generated EIP ids and fresh pool addresses; given ids are kept. */
static int assign_eip(struct api *api, struct model_eip *eip, bool fresh_ids)
{
    if (fresh_ids && eip->id[0] == '\0') {
        char hex[5];
        if (ids_uuid4(eip->id) < 0 || ids_uuid4(eip->bandwidth_id) < 0 || ids_hex(hex, 4) < 0)
            return -EIO;
        if (eip->bandwidth_name[0] == '\0')
            snprintf(eip->bandwidth_name, sizeof(eip->bandwidth_name), "vpngw-bandwidth-%s", hex);
    }
    eip->ip_version = 4;
    return pool_pick(api->eip_base, api->eip_size, eip->ip_address);
}

/* Draws addresses (and ids) for the gateway and lists what must be unique. */
static int assign_addresses(struct api *api, const char *project_id, struct model_vgw *g,
                            bool keep_private, struct vgw_claims *cl)
{
    char scope[128];

    cl->n = 0;
    if (strcmp(g->network_type, "public") == 0) {
        if (assign_eip(api, &g->eip1, true) < 0 || assign_eip(api, &g->eip2, true) < 0)
            return -EIO;
        claim_add(cl, "eip_id", g->eip1.id);
        claim_add(cl, "eip_id", g->eip2.id);
        claim_add(cl, "eip_address", g->eip1.ip_address);
        claim_add(cl, "eip_address", g->eip2.ip_address);
        return 0;
    }
    if (!keep_private) {
        do {
            if (pool_pick(api->private_base, api->private_size, g->access_private_ip_1) < 0 ||
                pool_pick(api->private_base, api->private_size, g->access_private_ip_2) < 0)
                return -EIO;
        } while (strcmp(g->access_private_ip_1, g->access_private_ip_2) == 0);
    }
    /* private addresses are unique within one VPC of one project, not globally */
    snprintf(scope, sizeof(scope), "private_ip:%s:%s", project_id, g->access_vpc_id);
    claim_add(cl, scope, g->access_private_ip_1);
    claim_add(cl, scope, g->access_private_ip_2);
    return 0;
}

static int insert_vgw(struct api *api, const char *project_id, const struct model_vgw *g,
                      const struct vgw_claims *cl)
{
    _cleanup_(buf_free) struct buf spec = {0};
    struct store_vgw_row row = {0};

    if (model_vgw_to_internal(g, &spec) < 0)
        return -ENOMEM;
    snprintf(row.project_id, sizeof(row.project_id), "%s", project_id);
    snprintf(row.id, sizeof(row.id), "%s", g->id);
    snprintf(row.status, sizeof(row.status), "%s", g->status);
    snprintf(row.enterprise_project_id, sizeof(row.enterprise_project_id), "%s",
             g->enterprise_project_id);
    row.connection_number = g->connection_number;
    row.status_due = engine_due_at(&api->engine, g->created_at);
    row.created_at = g->created_at;
    row.updated_at = g->updated_at;
    row.spec = spec.data;
    return store_vgw_insert(api->store, &row, cl->v, cl->n);
}

int vpn_gateway_create(struct api *api, const struct api_call *call, struct http_response *resp)
{
    const struct http_request *req = call->req;
    _cleanup_free_ struct model_vgw *g = calloc(1, sizeof(*g));
    struct vgw_claims cl;
    struct verr err = {0};
    int r;

    if (!g)
        return api_fail_errno(req, resp, -ENOMEM, "vpn_gateway.create");
    r = model_vgw_parse_create(req->body, req->body_len, g, &err);
    if (r == -EINVAL)
        return api_fail_verr(req, resp, &err);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_gateway.parse");
    if (api_quota_check(api, call, API_QUOTA_VPN_GATEWAY, resp) < 0)
        return 0;
    if (ids_uuid4(g->id) < 0)
        return api_fail_errno(req, resp, -EIO, "vpn_gateway.id");
    if (g->name[0] == '\0') {
        char hex[5];
        if (ids_hex(hex, 4) < 0)
            return api_fail_errno(req, resp, -EIO, "vpn_gateway.name");
        snprintf(g->name, sizeof(g->name), "vpngw-%s", hex);
    }
    g->status = "PENDING_CREATE";
    g->created_at = g->updated_at = ids_now_ms();

    bool keep_private = g->access_private_ip_1[0] != '\0';
    bool given_eip = g->eip1.id[0] != '\0' || g->eip2.id[0] != '\0';
    for (int attempt = 0;; attempt++) {
        r = assign_addresses(api, call->project_id, g, keep_private, &cl);
        if (r < 0)
            return api_fail_errno(req, resp, r, "vpn_gateway.addresses");
        r = insert_vgw(api, call->project_id, g, &cl);
        /* a collision on a drawn address is retried; on given ones it is the client's */
        if (r != -EEXIST || attempt + 1 == CREATE_ATTEMPTS)
            break;
    }
    if (r == -EEXIST && given_eip)
        return api_fail(req, resp, &API_ERR_EIP_BOUND,
                        "invalid request: vpn_gateway.eip1.id or eip2.id: the EIP is already bound "
                        "to another VPN gateway");
    if (r == -EEXIST && keep_private)
        return api_fail(req, resp, &API_ERR_OCCUPIED,
                        "IP address %s or %s is occupied in VPC %s", g->access_private_ip_1,
                        g->access_private_ip_2, g->access_vpc_id);
    if (r == -EDQUOT)
        return api_quota_fail(api, call, API_QUOTA_VPN_GATEWAY, resp);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_gateway.insert");

    log_info("request_id=%s op=vpn_gateway.create project_id=%s id=%s", req->request_id,
             call->project_id, g->id);
    _cleanup_(buf_free) struct buf out = {0};
    if (model_vgw_render_create(g, &out) < 0) /* CreateResponseVpnGateway (spec §3.3) */
        return api_fail_errno(req, resp, -ENOMEM, "vpn_gateway.render");
    return api_reply_wrapped(call, resp, 201, "vpn_gateway", &out);
}

int vpn_gateway_show(struct api *api, const struct api_call *call, struct http_response *resp)
{
    const struct http_request *req = call->req;
    _cleanup_free_ struct model_vgw *g = calloc(1, sizeof(*g));
    struct store_vgw_row row = {0};
    _cleanup_(buf_free) struct buf out = {0};

    if (!g)
        return api_fail_errno(req, resp, -ENOMEM, "vpn_gateway.show");
    int r = store_vgw_get(api->store, call->project_id, call->id, &row);
    if (r == -ENOENT)
        return api_fail(req, resp, &API_ERR_NOT_FOUND, "resource not found: vpn gateway \"%.64s\"",
                        call->id);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_gateway.get");
    r = model_vgw_from_internal(row.spec, strlen(row.spec), g);
    if (r == 0) {
        /* status and the connection count live in columns the store maintains */
        g->used_connection_number = row.used_connection_number;
        g->updated_at = row.updated_at;
        g->status = row.status; /* borrowed until row_done below */
        r = model_vgw_render(g, &out);
    }
    store_vgw_row_done(&row);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_gateway.render");
    return api_reply_wrapped(call, resp, 200, "vpn_gateway", &out);
}

int vpn_gateway_delete(struct api *api, const struct api_call *call, struct http_response *resp)
{
    int64_t users = 0;
    int r = store_vgw_delete(api->store, call->project_id, call->id, &users);

    if (r == -ENOENT)
        return api_fail(call->req, resp, &API_ERR_NOT_FOUND,
                        "resource not found: vpn gateway \"%.64s\"", call->id);
    if (r == -ENOTEMPTY)
        return api_fail(call->req, resp, &API_ERR_INVALID,
                        "invalid request: vpn gateway %s has %lld connection(s); delete them first",
                        call->id, (long long)users);
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "vpn_gateway.delete");
    log_info("request_id=%s op=vpn_gateway.delete project_id=%s id=%s", call->req->request_id,
             call->project_id, call->id);
    buf_reset(&resp->body);
    resp->status = 204;
    return 0;
}


struct vgw_list_ctx {
    struct model_vgw *g;
    struct buf *out;
    size_t n;
    struct query_eps eps;
    char vgw_id[MODEL_UUID_LEN];
    char error[160];
};

static int vgw_list_param(void *ud, const char *key, const char *value)
{
    struct vgw_list_ctx *l = ud;

    if (!value) {
        snprintf(l->error, sizeof(l->error), "%.32s: must be percent-encoded text under 256 bytes",
                 key);
        return -1;
    }
    if (strcmp(key, "enterprise_project_id") == 0) /* more than it holds: 400, never dropped */
        return query_eps_add(&l->eps, value, l->error, sizeof(l->error));
    if (strcmp(key, "vgw_id") == 0)
        snprintf(l->vgw_id, sizeof(l->vgw_id), "%s", value);
    return 0;
}

static bool vgw_list_wants(const struct vgw_list_ctx *l, const struct store_vgw_row *row)
{
    if (l->vgw_id[0] && strcmp(l->vgw_id, row->id) != 0)
        return false;
    for (size_t i = 0; i < l->eps.n; i++) {
        if (strcmp(l->eps.ptr[i], row->enterprise_project_id) == 0)
            return true;
    }
    return l->eps.n == 0;
}

static int vgw_list_row(void *ud, const struct store_vgw_row *row)
{
    struct vgw_list_ctx *l = ud;
    int r;

    if (!vgw_list_wants(l, row))
        return 0;
    r = model_vgw_from_internal(row->spec, strlen(row->spec), l->g);
    if (r < 0)
        return r;
    l->g->used_connection_number = row->used_connection_number;
    l->g->updated_at = row->updated_at;
    l->g->status = row->status;
    if (l->n++ > 0 && buf_puts(l->out, ",") < 0)
        return -ENOMEM;
    return model_vgw_render(l->g, l->out);
}

/* No pagination on this list (spec §3.1); a project holds at most its gateway quota. */
int vpn_gateway_list(struct api *api, const struct api_call *call, struct http_response *resp)
{
    const struct http_request *req = call->req;
    _cleanup_free_ struct model_vgw *g = calloc(1, sizeof(*g));
    _cleanup_free_ struct vgw_list_ctx *l = calloc(1, sizeof(*l));

    if (!g || !l)
        return api_fail_errno(req, resp, -ENOMEM, "vpn_gateway.list");
    l->g = g;
    l->out = &resp->body;
    if (query_foreach(req->query, vgw_list_param, l) != 0)
        return api_fail(req, resp, &API_ERR_INVALID, "invalid request: %s", l->error);
    buf_reset(l->out);
    int r = buf_puts(l->out, "{\"vpn_gateways\":[");
    if (r == 0)
        r = store_vgw_list(api->store, call->project_id, vgw_list_row, l);
    if (r == 0)
        r = buf_printf(l->out, "],\"request_id\":\"%s\"}", req->request_id);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_gateway.list");
    resp->status = 200;
    return 0;
}
