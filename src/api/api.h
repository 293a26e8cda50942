/* api/api.h: the VPN v5 API on top of the HTTP layer: routing, handlers, error bodies. */
#ifndef VPND_API_H
#define VPND_API_H

#include <stdint.h>

#include "api/router.h"
#include "api/spec_cache.h"
#include "engine/engine.h"
#include "http/http.h"

struct store;
struct auth_creds;

struct api_config {
    const char *eip_pool;     /* CIDR the EIP addresses are drawn from (default 198.18.0.0/15) */
    const char *private_pool; /* CIDR private gateway access IPs are drawn from (10.0.0.0/8) */
    unsigned status_delay_ms; /* how long PENDING_* statuses last (default 300) */
    const char *settle_status; /* what connections settle to: "DOWN" (default) or "ACTIVE" */
    const char *credentials;   /* credentials file; NULL = no authentication (loopback only) */
    unsigned max_skew_s;       /* allowed X-Sdk-Date clock skew (default 900) */
    unsigned quota_vpn_gateway;      /* per project (default 50) */
    unsigned quota_customer_gateway; /* per project (default 100) */
    unsigned quota_vpn_connection;   /* per project (default 5000) */
};

struct api {
    struct api_config cfg;
    struct store *store; /* borrowed */
    uint32_t eip_base, eip_size;         /* parsed eip_pool: first address, number of addresses */
    uint32_t private_base, private_size; /* parsed private_pool */
    struct engine engine;
    struct auth_creds *creds; /* owned; NULL = no authentication */
    struct router router;          /* the route table of api.c, compiled by api_init */
    /* parsed gateway / customer gateway specs for connection creates (spec_cache.h) */
    struct spec_cache vgw_specs, cgw_specs;
};

/* Fills cfg with the defaults above. */
void api_config_defaults(struct api_config *cfg);
/* Prepares the API over an open store. Returns 0 or -EINVAL (errbuf says which pool is bad). */
int api_init(struct api *api, const struct api_config *cfg, struct store *store, char *errbuf,
             size_t errlen);

/* http_handler_fn / http_error_fn for http_server_new, with ud = struct api *. */
void api_handle(void *ud, const struct http_request *req, struct http_response *resp);
/* Releases what api_init loaded. */
void api_done(struct api *api);
/* http_tick_fn: runs the status engine. */
void api_tick(void *ud);
/* http_turn_fn: the GETs of one event-loop turn share one store read snapshot (store_read_batch). */
void api_turn(void *ud, bool start);
void api_on_http_error(void *ud, const struct http_request *req, int status, const char *msg,
                       struct http_response *resp);

/* The route table, read-only (for the router fuzzer, fuzz/fuzz_router.c). */
struct route;
const struct route *api_routes(size_t *ret_n);

#endif
