/* api/api_int.h: what the API's files share: one request in hand (struct api_ctx) and the
 * replies. Not part of the module's interface (api.h). */
#ifndef VPND_API_API_INT_H
#define VPND_API_API_INT_H

#include "api/api.h"
#include "api/errors.h"
#include "model/model.h"
#include "service/svc.h"

/* One request being answered. */
struct api_ctx {
    struct api *api;
    struct svc *svc;
    const struct http_request *req;
    struct http_response *resp;
    const struct route *route;
    struct api_call call;          /* the path parameters */
    const struct model_body *body; /* ROUTE_JSON: the parsed body */
    struct verr err;               /* the refusal a handler returns -EINVAL with */
};

/* A refusal of the request itself (a query parameter): fills ctx->err, returns -EINVAL. */
int api_refuse(struct api_ctx *ctx, enum verr_code code, const char *fmt, ...) _printf_(3, 4);

/* A reply body: api_reply_open replaces it with head (e.g. "{\"vpn_connection\":"), the service
 * appends to it (ctx->resp->body), api_reply_close appends tail, ",\"request_id\":\"<id>\"}"
 * (with_id) or "}" and sets the status. After a write the service left room for the close
 * (svc.h "Replies"), so it does not fail. Each returns 0 or -ENOMEM. */
int api_reply_open(struct api_ctx *ctx, const char *head);
int api_reply_close(struct api_ctx *ctx, int status, const char *tail, bool with_id);
/* An empty reply (204) or {"request_id":"<id>"} (200). */
int api_reply_none(struct api_ctx *ctx);
int api_reply_request_id(struct api_ctx *ctx);

/* The parts of the marker-paged lists (spec §1.6): appends `],"page_info":{["next_marker":...,]
 * "current_count":N},"total_count":T,"request_id":"..."}` and sets 200. */
int api_reply_page(struct api_ctx *ctx, const struct svc_page *page);

/* Answers a request a fault rule fired on (api/fault.c): the rule's error answer, a dropped
 * connection, and its latency (the answer is deferred); logged. resp holds the operation's
 * answer when it ran. */
struct model_ctl_fault;
void api_fault_answer(struct api *api, const struct http_request *req, struct http_response *resp,
                      const struct model_ctl_fault *f, const char *op);
/* Frees the delayed answers (the HTTP server has freed their requests). */
void api_delayed_free(struct api *api);

/* The handlers of the route table (api/routes.c), one file per resource: conn.c, monitor.c,
 * vgw.c, vgw_extra.c, cgw.c, tags.c, quota.c, peer.c. */
int api_conn_create(struct api_ctx *ctx);
int api_conn_batch_create(struct api_ctx *ctx);
int api_conn_show(struct api_ctx *ctx);
int api_conn_list(struct api_ctx *ctx);
int api_conn_update(struct api_ctx *ctx);
int api_conn_delete(struct api_ctx *ctx);
int api_conn_reset(struct api_ctx *ctx);
int api_conn_log(struct api_ctx *ctx);
int api_conn_ipsec_sa(struct api_ctx *ctx);
int api_conn_peer_config(struct api_ctx *ctx);
int api_peer_devices(struct api_ctx *ctx);
int api_monitor_create(struct api_ctx *ctx);
int api_monitor_show(struct api_ctx *ctx);
int api_monitor_list(struct api_ctx *ctx);
int api_monitor_delete(struct api_ctx *ctx);
int api_vgw_create(struct api_ctx *ctx);
int api_vgw_show(struct api_ctx *ctx);
int api_vgw_list(struct api_ctx *ctx);
int api_vgw_delete(struct api_ctx *ctx);
int api_vgw_update(struct api_ctx *ctx);
int api_vgw_update_flavor(struct api_ctx *ctx);
int api_vgw_availability_zones(struct api_ctx *ctx);
int api_vgw_availability_zones_extended(struct api_ctx *ctx);
int api_vgw_certs(struct api_ctx *ctx);
int api_vgw_cert_create(struct api_ctx *ctx);
int api_vgw_cert_show(struct api_ctx *ctx);
int api_vgw_cert_update(struct api_ctx *ctx);
int api_vgw_upgrade(struct api_ctx *ctx);
int api_vgw_jobs(struct api_ctx *ctx);
int api_vgw_job_delete(struct api_ctx *ctx);
int api_vgw_routing_table(struct api_ctx *ctx);
int api_cgw_create(struct api_ctx *ctx);
int api_cgw_show(struct api_ctx *ctx);
int api_cgw_list(struct api_ctx *ctx);
int api_cgw_update(struct api_ctx *ctx);
int api_cgw_delete(struct api_ctx *ctx);
int api_quotas(struct api_ctx *ctx);
int api_metrics(struct api_ctx *ctx);
int api_openapi(struct api_ctx *ctx);
/* tags (spec §5.2), for each resource type */
#define API_TAG_HANDLERS(prefix)                                                                   \
    int prefix##_tags_create(struct api_ctx *ctx);                                                \
    int prefix##_tags_delete(struct api_ctx *ctx);                                                \
    int prefix##_tags_show(struct api_ctx *ctx);                                                  \
    int prefix##_tags_project(struct api_ctx *ctx);                                               \
    int prefix##_tags_filter(struct api_ctx *ctx);                                                \
    int prefix##_tags_count(struct api_ctx *ctx);
API_TAG_HANDLERS(api_vgw)
API_TAG_HANDLERS(api_cgw)
API_TAG_HANDLERS(api_conn)
/* vpnd's own routes (api/control.c): health, readiness and the control surface */
int api_vpnd_health(struct api_ctx *ctx);
int api_vpnd_ready(struct api_ctx *ctx);
int api_vpnd_reset(struct api_ctx *ctx);
int api_vpnd_seed(struct api_ctx *ctx);
int api_vpnd_state(struct api_ctx *ctx);
int api_vpnd_status(struct api_ctx *ctx);
int api_vpnd_advance(struct api_ctx *ctx);
int api_vpnd_transitions(struct api_ctx *ctx);
int api_vpnd_transition_add(struct api_ctx *ctx);
int api_vpnd_transition_delete(struct api_ctx *ctx);
int api_vpnd_faults(struct api_ctx *ctx);
int api_vpnd_fault_add(struct api_ctx *ctx);
int api_vpnd_fault_delete(struct api_ctx *ctx);
int api_vpnd_clock(struct api_ctx *ctx);
int api_vpnd_clock_set(struct api_ctx *ctx);

#endif
