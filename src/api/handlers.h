/* api/handlers.h: one handler per operation; each answers through resp and returns 0. */
#ifndef VPND_API_HANDLERS_H
#define VPND_API_HANDLERS_H

#include "api/router.h"

int vpn_conn_create(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_conn_list(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_conn_delete(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_conn_update(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_conn_reset(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_conn_show(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_conn_log(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_conn_batch_create(struct api *api, const struct api_call *call,
                          struct http_response *resp);

int connection_monitor_create(struct api *api, const struct api_call *call,
                              struct http_response *resp);
int connection_monitor_list(struct api *api, const struct api_call *call,
                            struct http_response *resp);
int connection_monitor_show(struct api *api, const struct api_call *call,
                            struct http_response *resp);
int connection_monitor_delete(struct api *api, const struct api_call *call,
                              struct http_response *resp);

int vpn_gateway_create(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_gateway_list(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_gateway_delete(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_gateway_show(struct api *api, const struct api_call *call, struct http_response *resp);

/* Gives cgw's CA certificate a fresh id when one was just set without an id (the request may
 * name one). Returns 0 or -EIO. */
struct model_cgw;
int customer_gateway_ca_id(struct model_cgw *cgw);
int customer_gateway_create(struct api *api, const struct api_call *call,
                            struct http_response *resp);
int customer_gateway_delete(struct api *api, const struct api_call *call,
                            struct http_response *resp);
int customer_gateway_show(struct api *api, const struct api_call *call,
                          struct http_response *resp);

/* gateway update, customer-gateway list and update */
int customer_gateway_list(struct api *api, const struct api_call *call,
                          struct http_response *resp);
int customer_gateway_update(struct api *api, const struct api_call *call,
                            struct http_response *resp);
int vpn_gateway_update(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_gateway_update_specification(struct api *api, const struct api_call *call,
                                     struct http_response *resp);
int vpn_gateway_availability_zones(struct api *api, const struct api_call *call,
                                   struct http_response *resp);

int vpn_quotas_show(struct api *api, const struct api_call *call, struct http_response *resp);

enum api_quota { API_QUOTA_VPN_GATEWAY, API_QUOTA_CUSTOMER_GATEWAY, API_QUOTA_VPN_CONNECTION };
/* 0 when the project may create one more of kind; otherwise answers 400 and returns -1. */
int api_quota_check(struct api *api, const struct api_call *call, enum api_quota kind,
                    struct http_response *resp);
/* The same for n more at once (batch create). */
int api_quota_check_n(struct api *api, const struct api_call *call, enum api_quota kind,
                      int64_t n, struct http_response *resp);
/* Answers the quota error of kind (for an insert the store refused with -EDQUOT: a racing
 * create took the last unit after api_quota_check passed). Returns 0. */
int api_quota_fail(struct api *api, const struct api_call *call, enum api_quota kind,
                   struct http_response *resp);

/* Shared by handlers: "{"<key>":<object>,"request_id":"<id>"}" around a rendered object. */
int api_reply_wrapped(const struct api_call *call, struct http_response *resp, int status,
                      const char *key, const struct buf *object);

/* Tags (spec §5.2; api/tags.c): create, delete, show (one resource), project (all keys and
 * values of the project), filter and count (resource-instances), for each resource type. */
int vpn_gateway_tags_create(struct api *api, const struct api_call *call,
                            struct http_response *resp);
int vpn_gateway_tags_delete(struct api *api, const struct api_call *call,
                            struct http_response *resp);
int vpn_gateway_tags_show(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_gateway_tags_project(struct api *api, const struct api_call *call,
                             struct http_response *resp);
int vpn_gateway_tags_filter(struct api *api, const struct api_call *call,
                            struct http_response *resp);
int vpn_gateway_tags_count(struct api *api, const struct api_call *call,
                           struct http_response *resp);
int customer_gateway_tags_create(struct api *api, const struct api_call *call,
                                 struct http_response *resp);
int customer_gateway_tags_delete(struct api *api, const struct api_call *call,
                                 struct http_response *resp);
int customer_gateway_tags_show(struct api *api, const struct api_call *call,
                               struct http_response *resp);
int customer_gateway_tags_project(struct api *api, const struct api_call *call,
                                  struct http_response *resp);
int customer_gateway_tags_filter(struct api *api, const struct api_call *call,
                                 struct http_response *resp);
int customer_gateway_tags_count(struct api *api, const struct api_call *call,
                                struct http_response *resp);
int vpn_conn_tags_create(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_conn_tags_delete(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_conn_tags_show(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_conn_tags_project(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_conn_tags_filter(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_conn_tags_count(struct api *api, const struct api_call *call, struct http_response *resp);

/* Gateway certificate, upgrade and jobs, routing table (spec §3.1; api/vpn_gateway_cert.c,
 * api/vpn_gateway_upgrade.c, api/vpn_gateway_routes.c). */
int vpn_gateway_cert_create(struct api *api, const struct api_call *call,
                            struct http_response *resp);
int vpn_gateway_cert_show(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_gateway_cert_update(struct api *api, const struct api_call *call,
                            struct http_response *resp);
int vpn_gateway_upgrade(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_gateway_jobs_list(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_gateway_jobs_delete(struct api *api, const struct api_call *call,
                            struct http_response *resp);
int vpn_gateway_routing_table(struct api *api, const struct api_call *call,
                              struct http_response *resp);

#endif
