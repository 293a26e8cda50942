/* server.c: the server context (server.h): how the parts are put together and driven. */
#include "server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/errors.h"
#include "driver/strongswan/strongswan.h"
#include "engine/plane.h"
#include "store/store.h"
#include "util/ids.h"
#include "util/log.h"

void server_config_defaults(struct server_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    http_config_defaults(&cfg->http);
    cfg->http.tick_ms = 50;
    svc_config_defaults(&cfg->svc);
    api_config_defaults(&cfg->api);
    cfg->control_api = true;
    cfg->plane = (struct server_dataplane){.vici = "unix:///var/run/charon.vici",
                                           .node = "vpnd",
                                           .lease_ms = 15000,
                                           .reconcile_ms = 30000,
                                           .retry_ms = 5000};
}

int server_open_service(struct server *srv, const struct server_config *cfg, struct store *store,
                        char *errbuf, size_t errlen)
{
    memset(srv, 0, sizeof(*srv));
    srv->cfg = *cfg;
    clock_virtual_init(&srv->vclock);
    srv->clock = cfg->clock ? cfg->clock : cfg->control_api ? &srv->vclock.base : &clock_wall;
    srv->store = store;
    int r = svc_init(&srv->svc, &cfg->svc, store, srv->clock, errbuf, errlen);
    if (r < 0)
        srv->store = NULL;
    return r;
}

/* http_tick_fn: the owner's hook, the control surface (its copy of the rules, held delays,
 * delayed answers, the virtual clock), the data plane (leases, reconciliation), then the status
 * engine. */
static void server_tick(void *ud)
{
    struct server *srv = ud;

    if (srv->on_tick)
        srv->on_tick(srv->on_tick_ud);
    if (srv->has_control) {
        control_tick(&srv->control);
        api_tick(&srv->api);
    }
    if (srv->plane)
        plane_tick(srv->plane); /* leases first: the engine hands over only what this node drives */
    engine_tick(&srv->engine);
}

/* control_kick_fn: the status engine, now, until nothing it can apply is due (a few batches at
 * most: what one control request released). */
static void server_kick(void *ud)
{
    struct server *srv = ud;

    for (int i = 0; i < 8 && engine_tick(&srv->engine) > 0; i++)
        ;
}

/* api_wake_fn: a delayed answer's time. */
static void server_wake(void *ud, int64_t mono_ms)
{
    struct server *srv = ud;

    if (srv->http)
        http_server_tick_at(srv->http, mono_ms);
}

/* Group commit: the writes of one event-loop turn share one store commit (store_group_begin).
 * From the turn's first write on, every answer of the turn (a write's, or a read's that may
 * have seen the group's writes) is held (http_request_defer) until the group's commit at the
 * turn's end, so nothing is acknowledged, or shown, before it is as durable as a write
 * committed on its own (SQLite: in the WAL, so it survives kill -9). If the commit fails,
 * nothing of the group was kept, and every held request is answered with the error instead. */
struct server_held {
    struct http_pending *pending;
    struct http_response resp; /* the answer as the handler made it */
};

/* Replaces resp with the answer to a request whose group commit failed with r (logged). */
static void server_group_failed(struct server *srv, const struct http_request *req,
                                struct http_response *resp, int r)
{
    const char *msg;
    char text[128];
    struct verr none = {0};
    int e = api_error_for(r == -EINVAL ? -EIO : r, &none, &msg);

    log_error("request_id=%s op=group_commit error=\"%s\" store=\"%s\"", req->request_id,
              strerror(-r), svc_errmsg(&srv->svc));
    if (!msg) {
        snprintf(text, sizeof(text), "see request %s in the server log", req->request_id);
        msg = text;
    }
    resp->allow = NULL;
    resp->content_type = NULL;
    api_error_render(req, resp, e, msg);
}

/* Commits the turn's group and sends the answers held for it. Returns the commit's result. */
static int server_group_end(struct server *srv)
{
    bool wrote = store_group_pending(srv->store);
    int r = store_group_end(srv->store);

    srv->stats.group_commits += wrote;
    srv->stats.group_held += srv->n_held;
    srv->stats.group_failures += r < 0;
    for (size_t i = 0; i < srv->n_held; i++) {
        struct server_held *h = &srv->held[i];
        if (r < 0)
            server_group_failed(srv, http_pending_request(h->pending), &h->resp, r);
        http_pending_complete(h->pending, &h->resp);
        buf_free(&h->resp.body);
    }
    srv->n_held = 0;
    return r;
}

/* Holds resp for the group's commit; false when it cannot be (then it is answered now). */
static bool server_hold(struct server *srv, const struct http_request *req,
                        struct http_response *resp)
{
    struct http_pending *p;

    if (srv->n_held == srv->cap_held) {
        size_t cap = srv->cap_held ? 2 * srv->cap_held : 64;
        struct server_held *n = realloc(srv->held, cap * sizeof(*n));
        if (!n)
            return false;
        srv->held = n;
        srv->cap_held = cap;
    }
    p = http_request_defer(req);
    if (!p)
        return false;
    srv->held[srv->n_held].pending = p;
    srv->held[srv->n_held].resp = *resp;
    srv->n_held++;
    *resp = (struct http_response){0};
    return true;
}

/* http_turn_fn: the GETs of one event-loop turn share one store read snapshot, its writes one
 * commit (above), and its log lines (the access lines) go out in one write at its end. */
static void server_turn(void *ud, bool start)
{
    struct server *srv = ud;

    if (start) {
        srv->grouping = store_group_begin(srv->store) > 0;
    } else if (srv->grouping) {
        srv->grouping = false;
        (void)server_group_end(srv);
    }
    svc_read_batch(&srv->svc, start);
    log_hold(start);
}

static void server_handle(void *ud, const struct http_request *req, struct http_response *resp)
{
    struct server *srv = ud;

    api_handle(&srv->api, req, resp);
    if (!srv->grouping || !store_group_pending(srv->store) || server_hold(srv, req, resp))
        return;
    /* not held (built by hand, answered later by the handler itself, or no memory): the
     * group commits now, before this answer, and the turn's next writes start another */
    int r = server_group_end(srv);

    (void)store_group_begin(srv->store);
    if (r < 0)
        server_group_failed(srv, req, resp, r);
}

/* Copies a raw path for a quoted log value: at most 128 bytes, '"', '\\', controls and bytes
 * outside ASCII as '?'. */
static void log_path(const char *path, char *out, size_t size)
{
    size_t o = 0;

    for (; *path && o + 1 < size; path++) {
        unsigned char c = (unsigned char)*path;
        out[o++] = c < 0x21 || c > 0x7e || c == '"' || c == '\\' ? '?' : (char)c;
    }
    out[o] = '\0';
}

/* http_access_fn: the access log line of every request (5xx at error, the rest at info) and
 * its counters. Never a secret: the principal is an access key id or "token#N". */
static void server_access(void *ud, const struct http_access *a)
{
    struct server *srv = ud;
    enum log_level level = a->status >= 500 ? LOG_ERROR : LOG_INFO;

    server_metrics_count(srv, a);
    if (!log_enabled(level))
        return;
    const struct route *route = api_route_of_tag(a->tag);
    char path[129];
    log_path(a->path, path, sizeof(path));
    log_msg(level,
            "event=access request_id=%s client=%s access_key=\"%s\" op=%s method=%s path=\"%s\" "
            "status=%d bytes_in=%llu bytes_out=%llu us=%llu",
            a->request_id[0] ? a->request_id : "-", a->client_ip,
            a->principal[0] ? a->principal : "-", route ? route->op : "-",
            a->method[0] ? a->method : "-", path, a->status, (unsigned long long)a->bytes_in,
            (unsigned long long)a->bytes_out, (unsigned long long)a->usec);
}

static void server_on_http_error(void *ud, const struct http_request *req, int status,
                                 const char *msg, struct http_response *resp)
{
    struct server *srv = ud;

    api_on_http_error(&srv->api, req, status, msg, resp);
}

/* driver_loop.watch: the driver's descriptor and timer on the HTTP loop. */
static void server_watch(void *ud, int fd, uint32_t events, int64_t deadline)
{
    struct server *srv = ud;
    int r = http_watch_set(srv->watch, fd, events, deadline);

    if (r < 0)
        log_error("op=dataplane.watch fd=%d error=\"%s\"", fd, strerror(-r));
}

static void server_on_watch(void *ud, uint32_t events)
{
    struct server *srv = ud;

    if (events)
        driver_on_ready(srv->driver, events);
    else
        driver_on_timer(srv->driver);
}

/* --driver strongswan: the driver on the HTTP loop, the data plane as the engine's driver. */
static int open_dataplane(struct server *srv, const struct server_dataplane *cfg, char *errbuf,
                          size_t errlen)
{
    struct driver_loop loop = {.ud = srv, .watch = server_watch};
    struct plane_config pc = {.node = cfg->node,
                              .lease_ms = cfg->lease_ms,
                              .reconcile_ms = cfg->reconcile_ms,
                              .retry_ms = cfg->retry_ms};
    int r = http_watch_new(srv->http, server_on_watch, srv, &srv->watch);

    if (r == 0) {
        /* a local socket: retrying every second at most is cheap, and charon is back sooner */
        struct sw_opts o = {.backoff_min_ms = 100, .backoff_max_ms = 1000};
        r = driver_strongswan_new(cfg->vici, &loop, &o, &srv->driver);
        if (r == -EINVAL)
            snprintf(errbuf, errlen,
                     "vici: must be a Unix socket URL like unix:///var/run/charon.vici, got "
                     "\"%.200s\"",
                     cfg->vici);
    }
    if (r == 0) {
        r = plane_new(&srv->svc, srv->driver, &pc, &srv->plane);
        if (r == -EINVAL)
            snprintf(errbuf, errlen, "node-id: is required with the strongswan driver");
    }
    if (r == -ENOMEM || r == -ENOSPC)
        snprintf(errbuf, errlen, "data plane: %s", strerror(-r));
    if (r < 0)
        return r;
    srv->svc.driver = srv->driver;
    srv->engine.driver = &plane_engine_driver;
    srv->engine.driver_ctx = srv->plane;
    driver_start(srv->driver); /* an unreachable charon is retried with back-off */
    return 0;
}

int server_open(struct server *srv, const struct server_config *cfg, struct store *store,
                server_tick_fn on_tick, void *ud, char *errbuf, size_t errlen)
{
    struct http_tls *tls = NULL;
    int r = server_open_service(srv, cfg, store, errbuf, errlen);

    if (r < 0)
        return r;
    srv->on_tick = on_tick;
    srv->on_tick_ud = ud;
    srv->engine = (struct engine){.svc = &srv->svc,
                                  .driver = &engine_sim_driver,
                                  .driver_ctx = &srv->svc};
    r = api_init(&srv->api, &cfg->api, &srv->svc, errbuf, errlen);
    if (r == 0 && cfg->tls_cert && cfg->tls_key)
        r = http_tls_new(cfg->tls_cert, cfg->tls_key, &tls, errbuf, errlen);
    if (r == 0)
        r = http_server_new(&cfg->http, server_handle, server_on_http_error, server_tick, srv,
                            &srv->http, errbuf, errlen);
    if (r == 0 && cfg->plane.driver && strcmp(cfg->plane.driver, "strongswan") == 0)
        r = open_dataplane(srv, &cfg->plane, errbuf, errlen);
    if (r < 0) {
        http_tls_free(tls);
        server_close(srv);
        return r;
    }
    if (tls)
        (void)http_server_set_tls(srv->http, tls); /* not running yet: cannot fail */
    srv->api.driver = srv->driver ? cfg->plane.driver : "sim"; /* health, also without control */
    if (cfg->control_api) {
        /* a store that cannot be read yet only delays the rules: the ticks load them */
        (void)control_init(&srv->control, &srv->svc,
                           cfg->clock ? NULL : &srv->vclock, cfg->svc.status_delay_ms,
                           server_kick, srv);
        srv->has_control = true;
        api_attach_control(&srv->api, &srv->control, srv->api.driver, server_wake, srv);
    }
    http_server_set_turn(srv->http, server_turn);
    http_server_set_access(srv->http, server_access);
    api_set_metrics(&srv->api, server_metrics_render, srv);
    srv->stats.started_ms = ids_now_ms();
    return 0;
}

int server_run(struct server *srv, volatile sig_atomic_t *stop)
{
    return http_server_run(srv->http, stop);
}

void server_close(struct server *srv)
{
    if (srv->driver) {
        const struct driver_stats *d = driver_stats(srv->driver);
        const struct plane_stats *p = plane_stats(srv->plane);
        log_info("event=dataplane_stats connects=%llu events=%llu reports=%llu commands=%llu "
                 "command_errors=%llu refreshes=%llu refresh_last_us=%llu refresh_last_sas=%llu "
                 "reconciles=%llu reconcile_last_us=%llu reconcile_last_conns=%llu periodic=%llu "
                 "periodic_last_us=%llu leases=%llu "
                 "lease_failures=%llu status_writes=%llu applies=%llu removes=%llu",
                 (unsigned long long)d->connects, (unsigned long long)d->events,
                 (unsigned long long)d->state_reports, (unsigned long long)d->commands,
                 (unsigned long long)d->command_errors, (unsigned long long)d->refreshes,
                 (unsigned long long)d->refresh_last_us, (unsigned long long)d->refresh_last_sas,
                 (unsigned long long)p->reconciles, (unsigned long long)p->reconcile_last_us,
                 (unsigned long long)p->reconcile_last_conns, (unsigned long long)p->periodic,
                 (unsigned long long)p->periodic_last_us, (unsigned long long)p->leases_held,
                 (unsigned long long)p->lease_failures, (unsigned long long)p->status_writes,
                 (unsigned long long)p->applies, (unsigned long long)p->removes);
    }
    /* the driver first: a deferred ipsec-sa it still owes is answered before the HTTP server
     * frees the request */
    driver_free(srv->driver);
    srv->driver = NULL;
    srv->svc.driver = NULL;
    plane_free(srv->plane);
    srv->plane = NULL;
    http_server_free(srv->http); /* frees srv->watch */
    free(srv->held); /* empty: every turn sends what it held */
    srv->held = NULL;
    srv->n_held = srv->cap_held = 0;
    srv->watch = NULL;
    srv->http = NULL;
    api_done(&srv->api);
    if (srv->has_control)
        control_done(&srv->control);
    srv->has_control = false;
    if (srv->store)
        svc_done(&srv->svc);
    srv->store = NULL;
}

const char *server_address(const struct server *srv)
{
    return http_server_address(srv->http);
}

const char *server_scheme(const struct server *srv)
{
    return http_server_is_tls(srv->http) ? "https" : "http";
}

int server_apply_limits(struct server *srv, const struct server_config *cfg, char *errbuf,
                        size_t errlen)
{
    int r = http_server_set_limits(srv->http, &cfg->http, errbuf, errlen);

    if (r < 0)
        return r;
    srv->cfg.http = cfg->http;
    srv->cfg.http.listen = NULL; /* bound once; the text is not kept */
    srv->api.cfg.max_skew_s = cfg->api.max_skew_s;
    srv->cfg.api.max_skew_s = cfg->api.max_skew_s;
    svc_set_quotas(&srv->svc, cfg->svc.quota_vpn_gateway, cfg->svc.quota_customer_gateway,
                   cfg->svc.quota_vpn_connection);
    return 0;
}

int server_reload_tls(struct server *srv, const char *cert, const char *key, char *errbuf,
                      size_t errlen)
{
    struct http_tls *tls = NULL;
    bool want = cert && key;

    if (want != http_server_is_tls(srv->http)) {
        snprintf(errbuf, errlen, "tls-cert, tls-key: turning TLS %s needs a restart",
                 want ? "on" : "off");
        return -EINVAL;
    }
    if (!want)
        return 0;
    int r = http_tls_new(cert, key, &tls, errbuf, errlen);
    if (r == 0)
        r = http_server_set_tls(srv->http, tls);
    if (r < 0)
        http_tls_free(tls);
    return r;
}

bool server_tls_describe(const struct server *srv, const char **ret_subject,
                         int64_t *ret_not_after)
{
    const struct http_tls *tls = srv->http ? http_server_tls(srv->http) : NULL;

    if (!tls)
        return false;
    *ret_subject = http_tls_subject(tls);
    *ret_not_after = http_tls_not_after(tls);
    return true;
}

int64_t server_now_ms(const struct server *srv)
{
    return clock_now_ms(srv->clock);
}
