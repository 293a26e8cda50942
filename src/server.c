/* server.c: the server context (server.h): how the parts are put together and driven. */
#include "server.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

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
 * delayed answers), then the status engine. */
static void server_tick(void *ud)
{
    struct server *srv = ud;

    if (srv->on_tick)
        srv->on_tick(srv->on_tick_ud);
    if (srv->has_control) {
        control_tick(&srv->control);
        api_tick(&srv->api);
    }
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

/* http_turn_fn: the GETs of one event-loop turn share one store read snapshot, and its log
 * lines (the access lines) go out in one write at its end. */
static void server_turn(void *ud, bool start)
{
    struct server *srv = ud;

    svc_read_batch(&srv->svc, start);
    log_hold(start);
}

static void server_handle(void *ud, const struct http_request *req, struct http_response *resp)
{
    struct server *srv = ud;

    api_handle(&srv->api, req, resp);
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
                                  .driver_ctx = srv->svc.settle_status};
    r = api_init(&srv->api, &cfg->api, &srv->svc, errbuf, errlen);
    if (r == 0 && cfg->tls_cert && cfg->tls_key)
        r = http_tls_new(cfg->tls_cert, cfg->tls_key, &tls, errbuf, errlen);
    if (r == 0)
        r = http_server_new(&cfg->http, server_handle, server_on_http_error, server_tick, srv,
                            &srv->http, errbuf, errlen);
    if (r < 0) {
        http_tls_free(tls);
        server_close(srv);
        return r;
    }
    if (tls)
        (void)http_server_set_tls(srv->http, tls); /* not running yet: cannot fail */
    if (cfg->control_api) {
        /* a store that cannot be read yet only delays the rules: the ticks load them */
        (void)control_init(&srv->control, &srv->svc,
                           cfg->clock ? NULL : &srv->vclock, cfg->svc.status_delay_ms,
                           server_kick, srv);
        srv->has_control = true;
        api_attach_control(&srv->api, &srv->control, srv->engine.driver->name, server_wake, srv);
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
    http_server_free(srv->http);
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
