/* server.h: struct server, the one mutable context of a running vpnd: its configuration, clock,
 * service, status engine, API and HTTP server, over a store main.c opened. Everything below it
 * receives the part it needs (the API its struct api, the service its struct svc, ...) and reads
 * "now" from the one clock (server_now_ms; svc_now_ms for the service and the engine). */
#ifndef VPND_SERVER_H
#define VPND_SERVER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "control/control.h"
#include "engine/engine.h"
#include "http/http.h"
#include "service/svc.h"
#include "util/clock.h"
#include "util/metrics.h"

struct store;
struct driver;
struct plane;
struct http_watch;

/* The data plane (engine/plane.h) and its driver. */
struct server_dataplane {
    const char *driver;    /* "strongswan"; NULL or "sim": the simulated cloud */
    const char *vici;      /* charon's VICI socket, "unix:///var/run/charon.vici" */
    const char *node;      /* this node's name in the leases */
    unsigned lease_ms;     /* plane_config */
    unsigned reconcile_ms;
    unsigned retry_ms;
};

struct server_config {
    struct http_config http;
    struct svc_config svc;
    struct api_config api;
    const struct clock *clock; /* the source of "now" (borrowed); NULL: the wall clock, or
                                * with control_api the control surface's virtual clock */
    bool control_api;          /* the control surface (/_vpnd/..., control/); default on */
    struct server_dataplane plane;
    const char *tls_cert;      /* PEM certificate chain; with tls_key: serve TLS only */
    const char *tls_key;       /* PEM private key (not readable by others) */
    const char *version;       /* for the build_info metric */
};

/* Requests by operation (route tag: 0 none, 1.. the route table) and status, with latency. */
#define SERVER_STATUS_SLOTS 24
struct server_op_stats {
    uint64_t by_status[SERVER_STATUS_SLOTS]; /* indexed like server.c's status_slots[] */
    struct metrics_hist latency;
};

struct server_stats {
    struct server_op_stats ops[ROUTER_MAX_ROUTES + 1];
    int64_t started_ms; /* wall clock at server_open */
    uint64_t group_commits, group_failures; /* group commits (server.c) run, and failed */
    uint64_t group_held;                    /* answers held for a group commit */
};

/* Called at the start of every tick of the event loop, before the status engine (main.c: a
 * pending SIGHUP reload). */
typedef void (*server_tick_fn)(void *ud);

struct server {
    struct server_config cfg;
    const struct clock *clock; /* the one source of "now" (cfg.clock, else the wall clock) */
    struct store *store;       /* borrowed: opened and closed by the caller */
    struct svc svc;
    struct engine engine;
    struct api api;
    struct clock_virtual vclock; /* the clock with the control surface on (cfg.clock NULL) */
    struct control control;      /* with cfg.control_api: the control surface's state */
    bool has_control;
    struct http_server *http; /* owned; NULL for a server without HTTP (server_open_service) */
    server_tick_fn on_tick;   /* may be NULL */
    void *on_tick_ud;
    struct server_stats stats; /* the access hook's counters (metrics) */
    /* the data plane (--driver strongswan), owned; all NULL for the simulated cloud. The
     * driver's socket and timer are served on the HTTP loop through watch. */
    struct driver *driver;
    struct plane *plane;
    struct http_watch *watch;
    /* group commit (server.c): the turn's store group is armed, and the answers held for it */
    bool grouping;
    struct server_held *held;
    size_t n_held, cap_held;
};

/* Fills cfg with the defaults (http 127.0.0.1:8080, tick 50 ms, service and API defaults). */
void server_config_defaults(struct server_config *cfg);

/* Builds the service, the status engine and the API over store and binds the HTTP server; on_tick
 * (may be NULL) runs first in every tick. With cfg->plane.driver "strongswan" it also builds the
 * data plane and starts connecting to charon (an unreachable charon is retried, not an error).
 * On failure writes a reason into errbuf, releases what it built and returns a negative errno
 * (-EINVAL: a bad setting; else the HTTP server's error). */
int server_open(struct server *srv, const struct server_config *cfg, struct store *store,
                server_tick_fn on_tick, void *ud, char *errbuf, size_t errlen);
/* A server without HTTP, API or engine: the service over store (vpnd import, export). Returns 0
 * or -EINVAL (a bad setting; errbuf says which). */
int server_open_service(struct server *srv, const struct server_config *cfg, struct store *store,
                        char *errbuf, size_t errlen);
/* Serves until *stop is set (http_server_run). Returns 0 or -EIO. */
int server_run(struct server *srv, volatile sig_atomic_t *stop);
/* Releases what server_open or server_open_service built (not the store). */
void server_close(struct server *srv);

/* The bound address "ADDR:PORT". */
const char *server_address(const struct server *srv);
/* "https" when the server speaks TLS, else "http". */
const char *server_scheme(const struct server *srv);

/* ---- live settings (SIGHUP) ----
 * Applies the limits (cfg->http's, max_skew_s) and quotas of cfg to the running server.
 * Returns 0 or -EINVAL (errbuf says which). */
int server_apply_limits(struct server *srv, const struct server_config *cfg, char *errbuf,
                        size_t errlen);
/* Loads cert/key again (new files or the same renewed) and makes new connections use them;
 * connections under way keep theirs. On failure nothing changes: errbuf says why and -errno is
 * returned (http_tls_new's). -EINVAL when TLS would be turned on or off (a restart does that). */
int server_reload_tls(struct server *srv, const char *cert, const char *key, char *errbuf,
                      size_t errlen);
/* The TLS certificate in use: its subject and expiry (Unix s); false without TLS. */
bool server_tls_describe(const struct server *srv, const char **ret_subject,
                         int64_t *ret_not_after);

/* server_metrics.c: the Prometheus text of the whole server (GET /metrics). 0 or -ENOMEM. */
int server_metrics_render(void *ud, struct buf *out);
/* server_metrics.c: counts one request (the access hook, with the access log line). */
void server_metrics_count(struct server *srv, const struct http_access *a);
/* The server's clock. */
int64_t server_now_ms(const struct server *srv);

#endif
