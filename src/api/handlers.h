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

int vpn_gateway_create(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_gateway_list(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_gateway_delete(struct api *api, const struct api_call *call, struct http_response *resp);
int vpn_gateway_show(struct api *api, const struct api_call *call, struct http_response *resp);

int customer_gateway_create(struct api *api, const struct api_call *call,
                            struct http_response *resp);
int customer_gateway_delete(struct api *api, const struct api_call *call,
                            struct http_response *resp);
int customer_gateway_show(struct api *api, const struct api_call *call,
                          struct http_response *resp);

/* feat/gwcgw */
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

/* Shared by handlers: "{"<key>":<object>,"request_id":"<id>"}" around a rendered object. */
int api_reply_wrapped(const struct api_call *call, struct http_response *resp, int status,
                      const char *key, const struct buf *object);

#endif
