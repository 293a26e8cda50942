/* api/vpn_conn.c: create and show VPN connections (spec §2). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "api/list_page.h"
#include "api/query.h"
#include "api/spec_cache.h"
#include "api/vpn_conn_int.h"
#include "model/model.h"
#include "store/store.h"
#include "util/ids.h"
#include "util/log.h"

#define CREATE_ATTEMPTS 4

/* The hot path: one indexed lookup of the rendered document, wrapped in place. */
int vpn_conn_show(struct api *api, const struct api_call *call, struct http_response *resp)
{
    struct buf *b = &resp->body;
    static const char head[] = "{\"vpn_connection\":";

    buf_reset(b);
    if (buf_append(b, head, sizeof(head) - 1) < 0)
        return api_fail_errno(call->req, resp, -ENOMEM, "vpn_connection.show");
    int r = store_conn_get_doc(api->store, call->project_id, call->id, b);
    if (r == -ENOENT)
        return api_fail(call->req, resp, &API_ERR_NOT_FOUND,
                        "resource not found: vpn connection \"%.64s\"", call->id);
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "vpn_connection.show");
    if (buf_puts(b, ",\"request_id\":\"") < 0 || buf_puts(b, call->req->request_id) < 0 ||
        buf_puts(b, "\"}") < 0)
        return api_fail_errno(call->req, resp, -ENOMEM, "vpn_connection.show");
    resp->status = 200;
    return 0;
}

/* vpn_conn_load_gateway into *g; or, with cached, the parsed gateway of api->vgw_specs
 * (read-only, spec_cache.h: its used_connection_number is not the row's). */
static int load_gateway(struct api *api, const struct api_call *call, const char *path,
                        const char *vgw_id, struct model_vgw *g, const struct model_vgw **cached,
                        struct http_response *resp)
{
    struct store_vgw_row row = {0};
    int r = store_vgw_get(api->store, call->project_id, vgw_id, &row);

    if (r == -ENOENT) {
        api_fail(call->req, resp, &API_ERR_NOT_FOUND,
                 "resource not found: %s.vgw_id: no VPN gateway \"%.64s\" in this project", path,
                 vgw_id);
        return -1;
    }
    if (r < 0) {
        api_fail_errno(call->req, resp, r, "vpn_gateway.get");
        return -1;
    }
    if (cached)
        *cached = spec_cache_vgw(&api->vgw_specs, row.spec, strlen(row.spec), &r);
    else
        r = model_vgw_from_internal(row.spec, strlen(row.spec), g);
    if (r == 0 && !cached) {
        g->used_connection_number = row.used_connection_number;
        g->updated_at = row.updated_at; /* the row's: what a write's compare-and-set names */
    }
    bool active = strcmp(row.status, "ACTIVE") == 0;
    char status[sizeof(row.status)];
    memcpy(status, row.status, sizeof(status));
    store_vgw_row_done(&row);
    if (r < 0) {
        api_fail_errno(call->req, resp, r, "vpn_gateway.decode");
        return -1;
    }
    if (!active) {
        api_fail(call->req, resp, &API_ERR_GW_NOT_READY,
                 "VPN gateway is not ready, please try again later: gateway \"%s\" is %s", vgw_id,
                 status);
        return -1;
    }
    return 0;
}

int vpn_conn_load_gateway(struct api *api, const struct api_call *call, const char *path,
                          const char *vgw_id, struct model_vgw *g, struct http_response *resp)
{
    return load_gateway(api, call, path, vgw_id, g, NULL, resp);
}

/* vpn_conn_load_customer_gateway into *cgw; or, with cached, from api->cgw_specs. */
static int load_customer_gateway(struct api *api, const struct api_call *call, const char *path,
                                 const char *cgw_id, struct model_cgw *cgw,
                                 const struct model_cgw **cached, struct http_response *resp)
{
    struct store_cgw_row row = {0};
    int r = store_cgw_get(api->store, call->project_id, cgw_id, &row);

    if (r == -ENOENT) {
        api_fail(call->req, resp, &API_ERR_NOT_FOUND,
                 "resource not found: %s.cgw_id: no customer gateway \"%.64s\" in this project",
                 path, cgw_id);
        return -1;
    }
    if (r < 0) {
        api_fail_errno(call->req, resp, r, "customer_gateway.get");
        return -1;
    }
    if (cached)
        *cached = spec_cache_cgw(&api->cgw_specs, row.spec, strlen(row.spec), &r);
    else
        r = model_cgw_from_internal(row.spec, strlen(row.spec), cgw);
    store_cgw_row_done(&row);
    if (r < 0) {
        api_fail_errno(call->req, resp, r, "customer_gateway.decode");
        return -1;
    }
    return 0;
}

int vpn_conn_load_customer_gateway(struct api *api, const struct api_call *call,
                                   const char *path, const char *cgw_id, struct model_cgw *cgw,
                                   struct http_response *resp)
{
    return load_customer_gateway(api, call, path, cgw_id, cgw, NULL, resp);
}

static void tunnel_claim_kind(char kind[sizeof(TUNNEL_CLAIM_PREFIX) + MODEL_UUID_LEN],
                              const char *vgw_id)
{
    snprintf(kind, sizeof(TUNNEL_CLAIM_PREFIX) + MODEL_UUID_LEN, "%s%s", TUNNEL_CLAIM_PREFIX,
             vgw_id);
}

void vpn_conn_tunnel_claim_init(struct tunnel_claim *t, const struct model_vpn_conn *c)
{
    tunnel_claim_kind(t->kind, c->vgw_id);
    model_tunnel_network(c->tunnel_local_address, t->net);
    t->claim.kind = t->kind;
    t->claim.value = t->net;
}

int vpn_conn_allocate_tunnel(struct api *api, struct model_vpn_conn *c, const char *const *also,
                             size_t n_also)
{
    _cleanup_(buf_free) struct buf taken = {0};
    char kind[sizeof(TUNNEL_CLAIM_PREFIX) + MODEL_UUID_LEN];
    size_t n = 0;

    tunnel_claim_kind(kind, c->vgw_id);
    int r = store_claims_list(api->store, kind, &taken, &n);

    if (r < 0)
        return r;
    for (uint32_t idx = 0;; idx++) {
        char net[MODEL_CIDR_LEN];
        r = model_tunnel_from_index(idx, c->tunnel_local_address, c->tunnel_peer_address);
        if (r < 0)
            return r;
        model_tunnel_network(c->tunnel_local_address, net);
        bool used = false;
        const char *v = taken.data;
        for (size_t i = 0; i < n && !used; i++, v += strlen(v) + 1)
            used = strcmp(v, net) == 0;
        for (size_t i = 0; i < n_also && !used; i++)
            used = strcmp(also[i], net) == 0;
        if (!used)
            return 0;
    }
}

int vpn_conn_row_build(struct api *api, const char *project_id, const struct model_vpn_conn *c,
                       int64_t changed_at, struct buf *spec, struct buf *doc,
                       struct store_conn_row *row)
{
    if (model_conn_to_internal(c, spec) < 0 || model_conn_render(c, doc) < 0)
        return -ENOMEM;
    memset(row, 0, sizeof(*row));
    snprintf(row->project_id, sizeof(row->project_id), "%s", project_id);
    snprintf(row->id, sizeof(row->id), "%s", c->id);
    snprintf(row->vgw_id, sizeof(row->vgw_id), "%s", c->vgw_id);
    snprintf(row->cgw_id, sizeof(row->cgw_id), "%s", c->cgw_id);
    snprintf(row->vgw_ip, sizeof(row->vgw_ip), "%s", c->vgw_ip);
    snprintf(row->enterprise_project_id, sizeof(row->enterprise_project_id), "%s",
             c->enterprise_project_id);
    snprintf(row->status, sizeof(row->status), "%s", c->status);
    row->status_due = engine_due_at(&api->engine, changed_at);
    row->created_at = c->created_at;
    row->updated_at = c->updated_at;
    row->spec = spec->data;
    row->doc = doc->data;
    return 0;
}

/* Renders and inserts; returns the store's answer. *doc is the stored document. */
static int insert_conn(struct api *api, const struct api_call *call,
                       const struct model_vpn_conn *c, struct buf *doc)
{
    _cleanup_(buf_free) struct buf spec = {0};
    struct store_conn_row row;
    struct tunnel_claim t;

    buf_reset(doc);
    if (vpn_conn_row_build(api, call->project_id, c, c->created_at, &spec, doc, &row) < 0)
        return -ENOMEM;
    vpn_conn_tunnel_claim_init(&t, c);
    struct store_conn_new item = {
        .row = &row,
        .claims = &t.claim,
        .n_claims = 1,
        .event = {.at = c->created_at, .message = VPN_CONN_EVENT_CREATED},
    };
    return store_conn_insert_batch(api->store, &item, 1, NULL);
}

int vpn_conn_fail_tunnel_taken(const struct http_request *req, struct http_response *resp,
                               const struct model_vpn_conn *c)
{
    return api_fail(req, resp, &API_ERR_OCCUPIED,
                    "IP address %s is occupied: the /30 of vpn_connection.tunnel_local_address is "
                    "used by another connection of VPN gateway %s",
                    c->tunnel_local_address, c->vgw_id);
}

int vpn_conn_create(struct api *api, const struct api_call *call, struct http_response *resp)
{
    const struct http_request *req = call->req;
    _cleanup_free_ struct model_vpn_conn *c = calloc(1, sizeof(*c));
    const struct model_vgw *g = NULL;     /* api->vgw_specs' */
    const struct model_cgw *cgw = NULL;   /* api->cgw_specs' */
    struct verr err = {0};
    int r;

    if (!c)
        return api_fail_errno(req, resp, -ENOMEM, "vpn_connection.create");
    r = model_conn_parse_create_fresh(req->body, req->body_len, c, &err);
    if (r == -EINVAL)
        return api_fail_verr(req, resp, &err);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_connection.parse");
    if (load_gateway(api, call, "vpn_connection", c->vgw_id, NULL, &g, resp) < 0 ||
        load_customer_gateway(api, call, "vpn_connection", c->cgw_id, NULL, &cgw, resp) < 0 ||
        api_quota_check(api, call, API_QUOTA_VPN_CONNECTION, resp) < 0)
        return 0;
    if (model_conn_bind(c, g, cgw, &err) < 0)
        return api_fail_verr(req, resp, &err);

    bool auto_tunnel = c->tunnel_local_address[0] == '\0';
    if (ids_uuid4(c->id) < 0)
        return api_fail_errno(req, resp, -EIO, "vpn_connection.id");
    if (c->name[0] == '\0') {
        char hex[5];
        if (ids_hex(hex, 4) < 0)
            return api_fail_errno(req, resp, -EIO, "vpn_connection.name");
        snprintf(c->name, sizeof(c->name), "vpn-%s", hex);
    }
    c->status = MODEL_STATUS_PENDING_CREATE;
    c->created_at = c->updated_at = ids_now_ms();

    /* Tunnel /30s are claimed in the same transaction as the insert: a racing create that
     * took the same /30 makes ours fail with -EEXIST, and an automatic pick is retried. */
    _cleanup_(buf_free) struct buf doc = {0};
    for (int attempt = 0;; attempt++) {
        if (auto_tunnel) {
            r = vpn_conn_allocate_tunnel(api, c, NULL, 0);
            if (r == -ENOSPC)
                return api_fail(req, resp, &API_ERR_INVALID,
                                "invalid request: vpn_connection.tunnel_local_address: no free "
                                "169.254.0.0/16 /30 left on VPN gateway %s",
                                g->id);
            if (r < 0)
                return api_fail_errno(req, resp, r, "vpn_connection.tunnel");
        }
        r = insert_conn(api, call, c, &doc);
        if (r != -EEXIST || !auto_tunnel || attempt + 1 == CREATE_ATTEMPTS)
            break;
    }
    if (r == -EEXIST)
        return vpn_conn_fail_tunnel_taken(req, resp, c);
    if (r == -EDQUOT)
        return api_quota_fail(api, call, API_QUOTA_VPN_CONNECTION, resp);
    if (r == -ENOSPC)
        return api_fail(req, resp, &API_ERR_INVALID,
                        "invalid request: VPN gateway %s has no free connection capacity (%lld "
                        "connections allowed)",
                        g->id, (long long)g->connection_number);
    if (r == -ENOENT)
        return api_fail(req, resp, &API_ERR_NOT_FOUND,
                        "resource not found: vpn_connection.vgw_id: no VPN gateway \"%s\" in this "
                        "project",
                        g->id);
    if (r == -EAGAIN) /* the gateway left ACTIVE after load_gateway read it */
        return api_fail(req, resp, &API_ERR_GW_NOT_READY,
                        "VPN gateway is not ready, please try again later: gateway \"%s\" is no "
                        "longer ACTIVE",
                        g->id);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_connection.insert");

    log_info("request_id=%s op=vpn_connection.create project_id=%s id=%s", req->request_id,
             call->project_id, c->id);
    /* The create response (CreateResponseVpnConnection) has no status, monitor or bgp_peer */
    _cleanup_(buf_free) struct buf out = {0};
    r = model_conn_render_create(c, &out);
    if (r < 0)
        return api_fail_errno(req, resp, -ENOMEM, "vpn_connection.render");
    return api_reply_wrapped(call, resp, 201, "vpn_connection", &out);
}

#define LIST_LIMIT_MAX 2000

struct list_query {
    struct store_conn_filter f;
    struct query_eps eps;
    char vgw_id[MODEL_UUID_LEN], vgw_ip[MODEL_UUID_LEN], marker[STORE_MARKER_LEN];
    long long limit;
    char error[160];
};

static int list_param(void *ud, const char *key, const char *value)
{
    struct list_query *q = ud;

    if (!value) {
        snprintf(q->error, sizeof(q->error), "%.32s: must be percent-encoded text under 256 bytes",
                 key);
        return -1;
    }
    if (strcmp(key, "limit") == 0) {
        if (api_list_limit(value, LIST_LIMIT_MAX, &q->limit, q->error, sizeof(q->error)) < 0)
            return -1;
    } else if (strcmp(key, "marker") == 0) {
        snprintf(q->marker, sizeof(q->marker), "%s", value);
        q->f.marker = q->marker;
    } else if (strcmp(key, "vgw_id") == 0) {
        snprintf(q->vgw_id, sizeof(q->vgw_id), "%s", value);
        q->f.vgw_id = q->vgw_id;
    } else if (strcmp(key, "vgw_ip") == 0) {
        snprintf(q->vgw_ip, sizeof(q->vgw_ip), "%s", value);
        q->f.vgw_ip = q->vgw_ip;
    } else if (strcmp(key, "enterprise_project_id") == 0) {
        if (query_eps_add(&q->eps, value, q->error, sizeof(q->error)) < 0)
            return -1;
        q->f.n_enterprise_project_ids = q->eps.n;
    }
    return 0; /* other parameters (vpn_id, eip_id: legacy) are accepted and ignored */
}

int vpn_conn_list(struct api *api, const struct api_call *call, struct http_response *resp)
{
    const struct http_request *req = call->req;
    struct list_query q = {.limit = LIST_LIMIT_MAX};
    struct buf *b = &resp->body;
    char next[STORE_MARKER_LEN] = "";
    size_t count = 0;
    int64_t total = 0;

    q.f.enterprise_project_ids = q.eps.ptr;
    if (query_foreach(req->query, list_param, &q) != 0)
        return api_fail(req, resp, &API_ERR_INVALID, "invalid request: %s", q.error);
    buf_reset(b);
    int r = buf_puts(b, "{\"vpn_connections\":[");
    if (r == 0)
        r = store_conn_list(api->store, call->project_id, &q.f, (size_t)q.limit, b, &count, next,
                            &total);
    if (r == -EINVAL)
        return api_list_bad_marker(req, resp, q.marker);
    if (r == 0)
        r = api_list_tail(b, next, count, total, req->request_id);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_connection.list");
    resp->status = 200;
    return 0;
}

/* One attempt of a PUT against the connection as read now. Returns 0 when answered, -EAGAIN
 * when the compare-and-set lost a race (nothing answered; try again on a fresh read). */
static int update_once(struct api *api, const struct api_call *call, struct model_vpn_conn *c,
                       struct model_vgw *g, struct model_cgw *cgw, struct http_response *resp)
{
    const struct http_request *req = call->req;
    _cleanup_(buf_free) struct buf spec = {0};
    _cleanup_(buf_free) struct buf doc = {0};
    _cleanup_(vpn_conn_cur_done) struct vpn_conn_cur cur = {0};
    struct store_conn_row row = {0};
    struct verr err = {0};
    struct tunnel_claim t;
    char msg[96];

    if (vpn_conn_cur_load(api, call, call->id, &cur, resp) < 0 ||
        vpn_conn_is_deleting(call, &cur, resp))
        return 0;
    if (strcmp(cur.row.status, "PENDING_UPDATE") == 0) {
        static const struct api_error_code busy = {400, "VPN.0306"};
        return api_fail(req, resp, &busy,
                        "The connection is being updated, please try again later.");
    }
    int r = model_conn_parse_update(cur.c, req->body, req->body_len, c, &err);
    if (r == -EINVAL)
        return api_fail_verr(req, resp, &err);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_connection.parse");
    if (vpn_conn_load_gateway(api, call, "vpn_connection", c->vgw_id, g, resp) < 0 ||
        vpn_conn_load_customer_gateway(api, call, "vpn_connection", c->cgw_id, cgw, resp) < 0)
        return 0;
    if (c->tunnel_local_address[0] == '\0') { /* a cleared pair keeps the current one */
        memcpy(c->tunnel_local_address, cur.c->tunnel_local_address, MODEL_CIDR_LEN);
        memcpy(c->tunnel_peer_address, cur.c->tunnel_peer_address, MODEL_CIDR_LEN);
    }
    if (model_conn_bind(c, g, cgw, &err) < 0)
        return api_fail_verr(req, resp, &err);
    c->status = "PENDING_UPDATE";
    c->updated_at = ids_now_ms();

    bool moved = strcmp(c->tunnel_local_address, cur.c->tunnel_local_address) != 0;
    vpn_conn_tunnel_claim_init(&t, c);
    if (vpn_conn_row_build(api, call->project_id, c, c->updated_at, &spec, &doc, &row) < 0)
        return api_fail_errno(req, resp, -ENOMEM, "vpn_connection.render");
    /* validated against g's local subnets: a gateway update in between makes it a retry */
    struct store_conn_expect from = {.status = cur.row.status, .spec = cur.row.spec,
                                     .vgw_updated_at = g->updated_at};
    struct store_event ev = {.at = c->updated_at, .message = msg};
    snprintf(msg, sizeof(msg), "status %s -> PENDING_UPDATE (updated)", cur.row.status);
    r = store_conn_update_if(api->store, &row, &from, moved ? &t.claim : NULL, moved ? 1 : 0,
                             &ev);
    if (r == -EEXIST)
        return vpn_conn_fail_tunnel_taken(req, resp, c);
    if (r == -ENOENT)
        return -EAGAIN;
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_connection.update");
    log_info("request_id=%s op=vpn_connection.update project_id=%s id=%s", req->request_id,
             call->project_id, c->id);
    return api_reply_wrapped(call, resp, 200, "vpn_connection", &doc);
}

/* PUT: only the fields sent change; validated like a create; the connection goes
 * PENDING_UPDATE and the status engine settles it again. The write is a compare-and-set on the
 * connection as read, so a concurrent status change is never overwritten. */
int vpn_conn_update(struct api *api, const struct api_call *call, struct http_response *resp)
{
    _cleanup_free_ struct model_vpn_conn *c = calloc(1, sizeof(*c));
    _cleanup_free_ struct model_vgw *g = calloc(1, sizeof(*g));
    _cleanup_free_ struct model_cgw *cgw = calloc(1, sizeof(*cgw));

    if (!c || !g || !cgw)
        return api_fail_errno(call->req, resp, -ENOMEM, "vpn_connection.update");
    for (int attempt = 0; attempt < VPN_CONN_CAS_ATTEMPTS; attempt++) {
        if (update_once(api, call, c, g, cgw, resp) != -EAGAIN)
            return 0;
    }
    return api_fail_errno(call->req, resp, -EBUSY, "vpn_connection.update");
}
