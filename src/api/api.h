/* api/api.h: the VPN v5 API on top of the HTTP layer: the route table, the dispatcher that makes
 * the generic checks of every request once (route, project id, authentication, path ids, JSON
 * body), thin handlers over the service (service/svc.h), and the error table (api/errors.h). */
#ifndef VPND_API_H
#define VPND_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/router.h"
#include "auth/auth.h"
#include "http/http.h"

struct svc;
struct auth_creds;
struct clock;
struct control;
struct api_delayed;

struct api_config {
    const char *credentials; /* credentials file; NULL = no authentication (loopback only) */
    unsigned max_skew_s;     /* allowed X-Sdk-Date clock skew (default 900) */
};

/* Asks the event loop to call api_tick no later than mono_ms (ids_mono_ms time). */
typedef void (*api_wake_fn)(void *ud, int64_t mono_ms);

/* Writes the metrics text (Prometheus exposition format) of the whole server to out; 0 or
 * -ENOMEM. Set by the server (api_set_metrics): the API does not know the other parts. */
typedef int (*api_metrics_fn)(void *ud, struct buf *out);

struct api_stats {
    uint64_t auth_failures[AUTH_CAUSE_COUNT]; /* by auth_result.cause */
};

struct api {
    struct api_config cfg;
    struct svc *svc;          /* borrowed */
    struct auth_creds *creds; /* owned; NULL = no authentication */
    struct router router;     /* the route table (api/routes.c), compiled by api_init */
    /* the control surface (api_attach_control); NULL: --control-api off, its routes are 404 */
    struct control *control;
    const char *driver;       /* the data plane's driver ("sim", "strongswan"), /_vpnd/health */
    api_wake_fn wake;         /* may be NULL: delayed answers wait for the next tick */
    void *wake_ud;
    struct api_delayed *delayed; /* answers an injected latency holds back, soonest first */
    struct api_stats stats;
    api_metrics_fn metrics;   /* GET /metrics; NULL: 404 */
    void *metrics_ud;
};

/* GET /metrics renders with fn(ud, body) (the server's renderer; ud borrowed). */
void api_set_metrics(struct api *api, api_metrics_fn fn, void *ud);
/* The route of a tag noted on a request (http_access.tag): NULL for 0 (no route). */
const struct route *api_route_of_tag(unsigned tag);

/* Fills cfg with the defaults above. */
void api_config_defaults(struct api_config *cfg);
/* Prepares the API over the service (borrowed). Returns 0, or -EINVAL / a credentials load
 * error (errbuf says why). */
int api_init(struct api *api, const struct api_config *cfg, struct svc *svc, char *errbuf,
             size_t errlen);
/* Releases what api_init loaded. */
void api_done(struct api *api);

/* Serves the control surface (/_vpnd/...) over ctl (borrowed) and injects its faults; driver
 * is the data plane's driver name (health: "sim" or "strongswan"); wake (may be NULL) is how a delayed answer asks
 * for a tick. */
void api_attach_control(struct api *api, struct control *ctl, const char *driver,
                        api_wake_fn wake, void *wake_ud);
/* Sends the answers an injected latency held back whose time has come; call it from the event
 * loop's tick. */
void api_tick(struct api *api);

/* http_handler_fn / http_error_fn for http_server_new, with ud = struct api *. */
void api_handle(void *ud, const struct http_request *req, struct http_response *resp);
void api_on_http_error(void *ud, const struct http_request *req, int status, const char *msg,
                       struct http_response *resp);

/* The route table, read-only (vpnd routes, the router fuzzer). */
const struct route *api_routes(size_t *ret_n);
/* The names of a route's flags ("json,write"; "-" for none) into buf. */
const char *api_route_flags(unsigned flags, char *buf, size_t size);

#endif
