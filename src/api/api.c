/* api/api.c: the route table and the entry point the HTTP layer calls for every request. */
#include "api/api.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/pool.h"
#include "auth/auth.h"
#include "store/store.h"
#include "util/ids.h"
#include "util/log.h"
#include "util/macro.h"

/* The whole API in one table (spec §2-4). */
static const struct route routes[] = {
    /* before the {id} route: the project's connection tags, not a connection named "tags" */
    {"GET", "/v5/{project_id}/vpn-connection/tags", vpn_conn_tags_project},
    {"GET", "/v5/{project_id}/vpn-connection/{id}", vpn_conn_show},
    {"POST", "/v5/{project_id}/vpn-connection", vpn_conn_create},
    {"GET", "/v5/{project_id}/vpn-connection", vpn_conn_list},
    {"DELETE", "/v5/{project_id}/vpn-connection/{id}", vpn_conn_delete},
    {"PUT", "/v5/{project_id}/vpn-connection/{id}", vpn_conn_update},
    {"POST", "/v5/{project_id}/vpn-connection/{id}/reset", vpn_conn_reset},
    {"GET", "/v5/{project_id}/vpn/quotas", vpn_quotas_show},
    {"POST", "/v5/{project_id}/vpn-gateways", vpn_gateway_create},
    {"GET", "/v5/{project_id}/vpn-gateways", vpn_gateway_list},
    {"GET", "/v5/{project_id}/vpn-gateways/{id}", vpn_gateway_show},
    {"DELETE", "/v5/{project_id}/vpn-gateways/{id}", vpn_gateway_delete},
    {"POST", "/v5/{project_id}/customer-gateways", customer_gateway_create},
    {"GET", "/v5/{project_id}/customer-gateways/{id}", customer_gateway_show},
    {"DELETE", "/v5/{project_id}/customer-gateways/{id}", customer_gateway_delete},
    /* connection lifecycle and monitors (spec §2.1, §5.1) */
    {"GET", "/v5/{project_id}/vpn-connection/{id}/log", vpn_conn_log},
    {"POST", "/v5/{project_id}/vpn-connections/batch-create", vpn_conn_batch_create},
    {"POST", "/v5/{project_id}/connection-monitors", connection_monitor_create},
    {"GET", "/v5/{project_id}/connection-monitors", connection_monitor_list},
    {"GET", "/v5/{project_id}/connection-monitors/{id}", connection_monitor_show},
    {"DELETE", "/v5/{project_id}/connection-monitors/{id}", connection_monitor_delete},
    /* Tags (spec §5.2), with "GET vpn-connection/tags" above. */
    {"POST", "/v5/{project_id}/vpn-gateway/{id}/tags/create", vpn_gateway_tags_create},
    {"POST", "/v5/{project_id}/vpn-gateway/{id}/tags/delete", vpn_gateway_tags_delete},
    {"GET", "/v5/{project_id}/vpn-gateway/{id}/tags", vpn_gateway_tags_show},
    {"GET", "/v5/{project_id}/vpn-gateway/tags", vpn_gateway_tags_project},
    {"POST", "/v5/{project_id}/vpn-gateway/resource-instances/filter", vpn_gateway_tags_filter},
    {"POST", "/v5/{project_id}/vpn-gateway/resource-instances/count", vpn_gateway_tags_count},
    {"POST", "/v5/{project_id}/customer-gateway/{id}/tags/create", customer_gateway_tags_create},
    {"POST", "/v5/{project_id}/customer-gateway/{id}/tags/delete", customer_gateway_tags_delete},
    {"GET", "/v5/{project_id}/customer-gateway/{id}/tags", customer_gateway_tags_show},
    {"GET", "/v5/{project_id}/customer-gateway/tags", customer_gateway_tags_project},
    {"POST", "/v5/{project_id}/customer-gateway/resource-instances/filter",
     customer_gateway_tags_filter},
    {"POST", "/v5/{project_id}/customer-gateway/resource-instances/count",
     customer_gateway_tags_count},
    {"POST", "/v5/{project_id}/vpn-connection/{id}/tags/create", vpn_conn_tags_create},
    {"POST", "/v5/{project_id}/vpn-connection/{id}/tags/delete", vpn_conn_tags_delete},
    {"GET", "/v5/{project_id}/vpn-connection/{id}/tags", vpn_conn_tags_show},
    {"POST", "/v5/{project_id}/vpn-connection/resource-instances/filter", vpn_conn_tags_filter},
    {"POST", "/v5/{project_id}/vpn-connection/resource-instances/count", vpn_conn_tags_count},
    /* gateway update, customer-gateway list and update (literal segments win over {id}: see router_match) */
    {"GET", "/v5/{project_id}/customer-gateways", customer_gateway_list},
    {"PUT", "/v5/{project_id}/customer-gateways/{id}", customer_gateway_update},
    {"PUT", "/v5/{project_id}/vpn-gateways/{id}", vpn_gateway_update},
    {"POST", "/v5/{project_id}/vpn-gateways/{id}/update-specification",
     vpn_gateway_update_specification},
    {"GET", "/v5/{project_id}/vpn-gateways/availability-zones", vpn_gateway_availability_zones},
    {"GET", "/v5.1/{project_id}/vpn-gateways/availability-zones", vpn_gateway_availability_zones},
    /* gateway certificate (GM), upgrade and jobs, routing table ("jobs" is a literal segment) */
    {"POST", "/v5/{project_id}/vpn-gateways/{id}/certificate", vpn_gateway_cert_create},
    {"GET", "/v5/{project_id}/vpn-gateways/{id}/certificate", vpn_gateway_cert_show},
    {"PUT", "/v5/{project_id}/vpn-gateways/{id}/certificate/{sub_id}", vpn_gateway_cert_update},
    {"POST", "/v5/{project_id}/vpn-gateways/{id}/upgrade", vpn_gateway_upgrade},
    {"GET", "/v5/{project_id}/vpn-gateways/jobs", vpn_gateway_jobs_list},
    {"DELETE", "/v5/{project_id}/vpn-gateways/jobs/{id}", vpn_gateway_jobs_delete},
    {"GET", "/v5/{project_id}/vpn-gateways/{id}/routing-table", vpn_gateway_routing_table},
};

const struct route *api_routes(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(routes);
    return routes;
}

void api_config_defaults(struct api_config *cfg)
{
    cfg->eip_pool = "198.18.0.0/15";
    cfg->private_pool = "10.0.0.0/8";
    cfg->status_delay_ms = 300;
    cfg->settle_status = "DOWN";
    cfg->credentials = NULL;
    cfg->max_skew_s = 900;
    cfg->quota_vpn_gateway = 50;
    cfg->quota_customer_gateway = 100;
    cfg->quota_vpn_connection = 5000;
}

int api_init(struct api *api, const struct api_config *cfg, struct store *store, char *errbuf,
             size_t errlen)
{
    memset(api, 0, sizeof(*api));
    api->cfg = *cfg;
    api->store = store;
    if (router_init(&api->router, routes, ARRAY_SIZE(routes)) < 0) {
        snprintf(errbuf, errlen, "route table: more than %d routes or a malformed pattern",
                 ROUTER_MAX_ROUTES);
        return -EINVAL;
    }
    if (pool_parse(cfg->eip_pool, &api->eip_base, &api->eip_size) < 0) {
        snprintf(errbuf, errlen, "--eip-pool: must be an IPv4 CIDR from /8 to /30, got \"%.64s\"",
                 cfg->eip_pool);
        return -EINVAL;
    }
    if (pool_parse(cfg->private_pool, &api->private_base, &api->private_size) < 0) {
        snprintf(errbuf, errlen,
                 "--private-pool: must be an IPv4 CIDR from /8 to /30, got \"%.64s\"",
                 cfg->private_pool);
        return -EINVAL;
    }
    if (strcmp(cfg->settle_status, "DOWN") != 0 && strcmp(cfg->settle_status, "ACTIVE") != 0) {
        snprintf(errbuf, errlen, "--settle-status: must be DOWN or ACTIVE, got \"%.64s\"",
                 cfg->settle_status);
        return -EINVAL;
    }
    if (cfg->credentials) {
        char why[512];
        int r = auth_creds_load(cfg->credentials, &api->creds, why, sizeof(why));
        if (r < 0) {
            snprintf(errbuf, errlen, "cannot load credentials: %s", why);
            return r;
        }
    }
    api->engine.store = store;
    api->engine.driver = &engine_sim_driver;
    api->engine.driver_ctx = cfg->settle_status;
    api->engine.delay_ms = cfg->status_delay_ms;
    return 0;
}

void api_done(struct api *api)
{
    api->creds = auth_creds_free(api->creds);
    spec_cache_done(&api->vgw_specs);
    spec_cache_done(&api->cgw_specs);
}

void api_tick(void *ud)
{
    struct api *api = ud;
    engine_tick(&api->engine, ids_now_ms());
}

void api_turn(void *ud, bool start)
{
    struct api *api = ud;
    store_read_batch(api->store, start);
}

static const char *request_header(void *ud, const char *name)
{
    return http_request_header(ud, name);
}

/* Answers 401/403 itself and returns false when the request may not proceed. */
static bool authorized(struct api *api, const struct http_request *req, const char *project_id,
                       struct http_response *resp)
{
    static const struct api_error_code unauthenticated = {401, "APIGW.0301"};
    static const struct api_error_code forbidden = {403, "APIGW.0302"};
    struct auth_request areq = {
        .method = req->method,
        .raw_path = req->path,
        .raw_query = req->query,
        .body = req->body,
        .body_len = req->body_len,
        .header = request_header,
        .ud = (void *)req,
    };
    struct auth_result res;

    if (!api->creds)
        return true;
    int r = auth_check(api->creds, &areq, project_id, ids_now_ms() / 1000,
                       (int64_t)api->cfg.max_skew_s, &res);
    if (r == 0)
        return true;
    if (r == -EACCES)
        api_fail(req, resp, &forbidden, "%s", res.msg);
    else if (r == -EPERM)
        api_fail(req, resp, &unauthenticated, "%s", res.msg);
    else
        api_fail_errno(req, resp, r, "auth");
    log_info("request_id=%s op=auth result=%s principal=\"%s\"", req->request_id,
             r == -EACCES ? "forbidden" : "unauthenticated", res.principal);
    return false;
}

/* Project ids are 32 hex characters on the real cloud; any id of letters, digits, '-' and '_'
 * is accepted so fixtures can use readable ones. */
static bool project_id_is_valid(const char *s)
{
    return s[strspn(s, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_")] == '\0';
}

/* Path ids ({id}, {sub_id}) are server-generated UUIDs or names of printable ASCII. */
static bool resource_id_is_plausible(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

void api_handle(void *ud, const struct http_request *req, struct http_response *resp)
{
    struct api *api = ud;
    struct api_call call = {.req = req};
    const struct route *route =
        router_match(&api->router, req->method, req->path, &call);

    if (!route || !project_id_is_valid(call.project_id)) {
        api_fail(req, resp, &API_ERR_NO_API,
                 "The API does not exist or has not been published in the environment: %.16s "
                 "%.64s",
                 req->method, req->path);
        return;
    }
    if (!authorized(api, req, call.project_id, resp))
        return;
    if (!resource_id_is_plausible(call.id) || !resource_id_is_plausible(call.sub_id)) {
        /* no stored id is anything but printable ASCII; PostgreSQL would refuse such a value
         * as a parameter (invalid UTF-8), so it is answered here like any unknown id */
        api_fail(req, resp, &API_ERR_NOT_FOUND,
                 "resource not found: no resource has the id \"%.64s\"",
                 resource_id_is_plausible(call.id) ? call.sub_id : call.id);
        return;
    }
    route->handler(api, &call, resp);
}

void api_on_http_error(void *ud, const struct http_request *req, int status, const char *msg,
                       struct http_response *resp)
{
    (void)ud;
    api_fail(req, resp, status == 413 ? &API_ERR_TOO_LARGE : &API_ERR_BAD_REQUEST, "%s", msg);
}

int api_reply_wrapped(const struct api_call *call, struct http_response *resp, int status,
                      const char *key, const struct buf *object)
{
    struct buf *b = &resp->body;

    buf_reset(b);
    if (buf_reserve(b, object->len + strlen(key) + 64) < 0)
        return api_fail_errno(call->req, resp, -ENOMEM, "reply");
    buf_puts(b, "{\"");
    buf_puts(b, key);
    buf_puts(b, "\":");
    buf_append(b, object->data, object->len);
    buf_puts(b, ",\"request_id\":\"");
    buf_puts(b, call->req->request_id);
    buf_puts(b, "\"}");
    resp->status = status;
    return 0;
}
