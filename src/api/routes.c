/* api/routes.c: the whole API in one table (spec §2-5), and vpnd's own routes (/metrics,
 * /openapi.json, /_vpnd/). The dispatcher (api.c) answers 404 for what no route matches and
 * makes the checks the flags ask for before a handler runs; `vpnd routes` prints the table, and
 * the API tests read it from there. */
#include "api/api_int.h"

#include <stdio.h>

#define J ROUTE_JSON
#define W ROUTE_WRITE

static const struct route routes[] = {
    /* connections (spec §2); "vpn-connection/tags" is a literal: router_match prefers it */
    {"POST", "/v5/{project_id}/vpn-connection", api_conn_create, J | W, "vpn_connection.create"},
    {"GET", "/v5/{project_id}/vpn-connection/{id}", api_conn_show, 0, "vpn_connection.show"},
    {"GET", "/v5/{project_id}/vpn-connection", api_conn_list, 0, "vpn_connection.list"},
    {"PUT", "/v5/{project_id}/vpn-connection/{id}", api_conn_update, J | W,
     "vpn_connection.update"},
    {"DELETE", "/v5/{project_id}/vpn-connection/{id}", api_conn_delete, W,
     "vpn_connection.delete"},
    {"POST", "/v5/{project_id}/vpn-connection/{id}/reset", api_conn_reset, W,
     "vpn_connection.reset"},
    {"GET", "/v5/{project_id}/vpn-connection/{id}/log", api_conn_log, 0, "vpn_connection.log"},
    /* the data plane (spec §9): SAs and their counters, the customer side's configuration */
    {"GET", "/v5/{project_id}/vpn-connection/{id}/ipsec-sa", api_conn_ipsec_sa, 0,
     "vpn_connection.ipsec_sa"},
    {"POST", "/v5/{project_id}/vpn-connection/{id}/peer-configuration/export",
     api_conn_peer_config, J, "vpn_connection.peer_configuration.export"},
    {"GET", "/v5/{project_id}/peer-configuration/supported-devices", api_peer_devices, 0,
     "peer_configuration.supported_devices"},
    {"POST", "/v5/{project_id}/vpn-connections/batch-create", api_conn_batch_create, J | W,
     "vpn_connection.batch_create"},
    /* connection monitors (spec §5.1) */
    {"POST", "/v5/{project_id}/connection-monitors", api_monitor_create, J | W,
     "connection_monitor.create"},
    {"GET", "/v5/{project_id}/connection-monitors", api_monitor_list, 0,
     "connection_monitor.list"},
    {"GET", "/v5/{project_id}/connection-monitors/{id}", api_monitor_show, 0,
     "connection_monitor.show"},
    {"DELETE", "/v5/{project_id}/connection-monitors/{id}", api_monitor_delete, W,
     "connection_monitor.delete"},
    /* gateways (spec §3); "jobs" and "availability-zones" are literals */
    {"POST", "/v5/{project_id}/vpn-gateways", api_vgw_create, J | W, "vpn_gateway.create"},
    {"GET", "/v5/{project_id}/vpn-gateways", api_vgw_list, 0, "vpn_gateway.list"},
    {"GET", "/v5/{project_id}/vpn-gateways/{id}", api_vgw_show, 0, "vpn_gateway.show"},
    {"PUT", "/v5/{project_id}/vpn-gateways/{id}", api_vgw_update, J | W, "vpn_gateway.update"},
    {"DELETE", "/v5/{project_id}/vpn-gateways/{id}", api_vgw_delete, W, "vpn_gateway.delete"},
    {"POST", "/v5/{project_id}/vpn-gateways/{id}/update-specification", api_vgw_update_flavor,
     J | W, "vpn_gateway.update_specification"},
    {"GET", "/v5/{project_id}/vpn-gateways/availability-zones", api_vgw_availability_zones, 0,
     "vpn_gateway.availability_zones"},
    {"GET", "/v5.1/{project_id}/vpn-gateways/availability-zones",
     api_vgw_availability_zones_extended, 0, "vpn_gateway.availability_zones_extended"},
    {"POST", "/v5/{project_id}/vpn-gateways/{id}/certificate", api_vgw_cert_create, J | W,
     "vpn_gateway.certificate.create"},
    {"GET", "/v5/{project_id}/vpn-gateways/{id}/certificate", api_vgw_cert_show, 0,
     "vpn_gateway.certificate.show"},
    {"PUT", "/v5/{project_id}/vpn-gateways/{id}/certificate/{sub_id}", api_vgw_cert_update,
     J | W, "vpn_gateway.certificate.update"},
    {"POST", "/v5/{project_id}/vpn-gateways/{id}/upgrade", api_vgw_upgrade, J | W,
     "vpn_gateway.upgrade"},
    {"GET", "/v5/{project_id}/vpn-gateways/jobs", api_vgw_jobs, 0, "vpn_gateway.jobs"},
    {"DELETE", "/v5/{project_id}/vpn-gateways/jobs/{id}", api_vgw_job_delete, W,
     "vpn_gateway.jobs.delete"},
    {"GET", "/v5/{project_id}/vpn-gateways/{id}/routing-table", api_vgw_routing_table, 0,
     "vpn_gateway.routing_table"},
    {"GET", "/v5/{project_id}/vpn-gateway-certificates", api_vgw_certs, 0,
     "vpn_gateway.certificate.list"},
    /* customer gateways (spec §4) */
    {"POST", "/v5/{project_id}/customer-gateways", api_cgw_create, J | W,
     "customer_gateway.create"},
    {"GET", "/v5/{project_id}/customer-gateways", api_cgw_list, 0, "customer_gateway.list"},
    {"GET", "/v5/{project_id}/customer-gateways/{id}", api_cgw_show, 0, "customer_gateway.show"},
    {"PUT", "/v5/{project_id}/customer-gateways/{id}", api_cgw_update, J | W,
     "customer_gateway.update"},
    {"DELETE", "/v5/{project_id}/customer-gateways/{id}", api_cgw_delete, W,
     "customer_gateway.delete"},
    /* quotas (spec §5.3) */
    {"GET", "/v5/{project_id}/vpn/quotas", api_quotas, 0, "quotas.show"},
    /* tags (spec §5.2): per resource type, one resource's, the project's, filter and count */
#define TAG_ROUTES(type, prefix, kind)                                                             \
    {"POST", "/v5/{project_id}/" type "/{id}/tags/create", prefix##_tags_create, J | W,           \
     kind ".tags.create"},                                                                         \
        {"POST", "/v5/{project_id}/" type "/{id}/tags/delete", prefix##_tags_delete, J | W,       \
         kind ".tags.delete"},                                                                     \
        {"GET", "/v5/{project_id}/" type "/{id}/tags", prefix##_tags_show, 0, kind ".tags.show"}, \
        {"GET", "/v5/{project_id}/" type "/tags", prefix##_tags_project, 0,                        \
         kind ".tags.project"},                                                                    \
        {"POST", "/v5/{project_id}/" type "/resource-instances/filter", prefix##_tags_filter,      \
         J | ROUTE_EMPTY_OK, kind ".tags.filter"},                                                 \
        {"POST", "/v5/{project_id}/" type "/resource-instances/count", prefix##_tags_count,       \
         J | ROUTE_EMPTY_OK, kind ".tags.count"}
    TAG_ROUTES("vpn-gateway", api_vgw, "vpn_gateway"),
    TAG_ROUTES("customer-gateway", api_cgw, "customer_gateway"),
    TAG_ROUTES("vpn-connection", api_conn, "vpn_connection"),
#undef TAG_ROUTES
    /* vpnd's own: the metrics, an operator surface, and the API's description (api/meta.c) */
    {"GET", "/metrics", api_metrics, ROUTE_OWN | ROUTE_OPERATOR, "vpnd.metrics"},
    {"GET", "/openapi.json", api_openapi, ROUTE_OWN | ROUTE_NO_AUTH, "vpnd.openapi"},
    /* vpnd's own (README "Testing against vpnd"): health and readiness, open to anyone who can
     * connect (service managers, load balancers; no data in them) ... */
    {"GET", "/_vpnd/health", api_vpnd_health, ROUTE_NO_AUTH | ROUTE_OWN, "vpnd.health"},
    {"GET", "/_vpnd/ready", api_vpnd_ready, ROUTE_NO_AUTH | ROUTE_OWN, "vpnd.ready"},
    /* ... and the control surface: an operator's (an admin credential), gone with
     * --control-api off */
#define C (ROUTE_OWN | ROUTE_OPERATOR | ROUTE_CONTROL)
    {"POST", "/_vpnd/reset", api_vpnd_reset, C | J | ROUTE_EMPTY_OK | W, "vpnd.reset"},
    {"POST", "/_vpnd/seed", api_vpnd_seed, C | W, "vpnd.seed"},
    {"GET", "/_vpnd/state", api_vpnd_state, C, "vpnd.state"},
    {"POST", "/_vpnd/status", api_vpnd_status, C | J | W, "vpnd.status"},
    {"POST", "/_vpnd/advance", api_vpnd_advance, C | J | ROUTE_EMPTY_OK | W, "vpnd.advance"},
    {"GET", "/_vpnd/transitions", api_vpnd_transitions, C, "vpnd.transitions.list"},
    {"POST", "/_vpnd/transitions", api_vpnd_transition_add, C | J | W, "vpnd.transitions.add"},
    {"DELETE", "/_vpnd/transitions", api_vpnd_transition_delete, C | W,
     "vpnd.transitions.clear"},
    {"DELETE", "/_vpnd/transitions/{id}", api_vpnd_transition_delete, C | W,
     "vpnd.transitions.delete"},
    {"GET", "/_vpnd/faults", api_vpnd_faults, C, "vpnd.faults.list"},
    {"POST", "/_vpnd/faults", api_vpnd_fault_add, C | J | W, "vpnd.faults.add"},
    {"DELETE", "/_vpnd/faults", api_vpnd_fault_delete, C | W, "vpnd.faults.clear"},
    {"DELETE", "/_vpnd/faults/{id}", api_vpnd_fault_delete, C | W, "vpnd.faults.delete"},
    {"GET", "/_vpnd/clock", api_vpnd_clock, C, "vpnd.clock.show"},
    {"POST", "/_vpnd/clock", api_vpnd_clock_set, C | J | W, "vpnd.clock.set"},
#undef C
};

const struct route *api_routes(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(routes);
    return routes;
}

const char *api_route_flags(unsigned flags, char *buf, size_t size)
{
    static const struct {
        unsigned flag;
        const char *name;
    } names[] = {{ROUTE_NO_AUTH, "no_auth"},
                 {ROUTE_JSON, "json"},
                 {ROUTE_EMPTY_OK, "empty_ok"},
                 {ROUTE_WRITE, "write"},
                 {ROUTE_OWN, "own"},
                 {ROUTE_OPERATOR, "operator"},
                 {ROUTE_CONTROL, "control"}};
    size_t n = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (flags & names[i].flag)
            n += (size_t)snprintf(buf + n, n < size ? size - n : 0, "%s%s", n ? "," : "",
                                  names[i].name);
    }
    if (!n)
        snprintf(buf, size, "-");
    return buf;
}
