/* api/quotas.c: per-project quotas (spec §5.3): reported by GET vpn/quotas, checked on create. */
#include <errno.h>
#include <stdio.h>

#include "api/api.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "store/store.h"

static int64_t used_of(const struct store_counts *n, enum api_quota kind)
{
    switch (kind) {
    case API_QUOTA_VPN_GATEWAY: return n->vpn_gateways;
    case API_QUOTA_CUSTOMER_GATEWAY: return n->customer_gateways;
    case API_QUOTA_VPN_CONNECTION: return n->vpn_connections;
    }
    return 0;
}

static unsigned quota_of(const struct api *api, enum api_quota kind)
{
    switch (kind) {
    case API_QUOTA_VPN_GATEWAY: return api->cfg.quota_vpn_gateway;
    case API_QUOTA_CUSTOMER_GATEWAY: return api->cfg.quota_customer_gateway;
    case API_QUOTA_VPN_CONNECTION: return api->cfg.quota_vpn_connection;
    }
    return 0;
}

static const char *quota_name(enum api_quota kind)
{
    switch (kind) {
    case API_QUOTA_VPN_GATEWAY: return "vpn_gateway";
    case API_QUOTA_CUSTOMER_GATEWAY: return "customer_gateway";
    case API_QUOTA_VPN_CONNECTION: return "vpn_connection";
    }
    return "unknown";
}

/* A check before the work of a create, for its message; the store enforces the same limits
 * inside the insert's transaction (store_set_quotas), which decides a race for the last unit. */
int api_quota_check(struct api *api, const struct api_call *call, enum api_quota kind,
                    struct http_response *resp)
{
    return api_quota_check_n(api, call, kind, 1, resp);
}

static int quota_exceeded(struct api *api, const struct api_call *call, enum api_quota kind,
                          int64_t used, struct http_response *resp)
{
    return api_fail(call->req, resp, &API_ERR_INVALID,
                    "invalid request: quota exceeded: the project may hold %u %s resources and "
                    "holds %lld",
                    quota_of(api, kind), quota_name(kind), (long long)used);
}

int api_quota_check_n(struct api *api, const struct api_call *call, enum api_quota kind,
                      int64_t want, struct http_response *resp)
{
    struct store_counts n;
    int r = store_project_counts(api->store, call->project_id, &n);

    if (r < 0) {
        api_fail_errno(call->req, resp, r, "quota");
        return -1;
    }
    if (used_of(&n, kind) + want <= (int64_t)quota_of(api, kind))
        return 0;
    quota_exceeded(api, call, kind, used_of(&n, kind), resp);
    return -1;
}

int api_quota_fail(struct api *api, const struct api_call *call, enum api_quota kind,
                   struct http_response *resp)
{
    struct store_counts n;
    int r = store_project_counts(api->store, call->project_id, &n);

    return quota_exceeded(api, call, kind, r == 0 ? used_of(&n, kind) : quota_of(api, kind), resp);
}

int vpn_quotas_show(struct api *api, const struct api_call *call, struct http_response *resp)
{
    struct store_counts n;
    struct buf *b = &resp->body;
    int r = store_project_counts(api->store, call->project_id, &n);

    if (r < 0)
        return api_fail_errno(call->req, resp, r, "quota");
    buf_reset(b);
    r = buf_puts(b, "{\"quotas\":{\"resources\":[");
    for (int k = 0; r == 0 && k <= API_QUOTA_VPN_CONNECTION; k++)
        r = buf_printf(b, "%s{\"type\":\"%s\",\"quota\":%u,\"used\":%lld}", k ? "," : "",
                       quota_name((enum api_quota)k), quota_of(api, (enum api_quota)k),
                       (long long)used_of(&n, (enum api_quota)k));
    if (r == 0)
        r = buf_printf(b, "]},\"request_id\":\"%s\"}", call->req->request_id);
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "quota");
    resp->status = 200;
    return 0;
}
