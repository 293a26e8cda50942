/* server.c: the server context (server.h): how the parts are put together and driven. */
#include "server.h"

#include <string.h>

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

/* http_turn_fn: the GETs of one event-loop turn share one store read snapshot. */
static void server_turn(void *ud, bool start)
{
    struct server *srv = ud;

    svc_read_batch(&srv->svc, start);
}

static void server_handle(void *ud, const struct http_request *req, struct http_response *resp)
{
    struct server *srv = ud;

    api_handle(&srv->api, req, resp);
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
    int r = server_open_service(srv, cfg, store, errbuf, errlen);

    if (r < 0)
        return r;
    srv->on_tick = on_tick;
    srv->on_tick_ud = ud;
    srv->engine = (struct engine){.svc = &srv->svc,
                                  .driver = &engine_sim_driver,
                                  .driver_ctx = srv->svc.settle_status};
    r = api_init(&srv->api, &cfg->api, &srv->svc, errbuf, errlen);
    if (r == 0)
        r = http_server_new(&cfg->http, server_handle, server_on_http_error, server_tick, srv,
                            &srv->http, errbuf, errlen);
    if (r < 0) {
        server_close(srv);
        return r;
    }
    if (cfg->control_api) {
        /* a store that cannot be read yet only delays the rules: the ticks load them */
        (void)control_init(&srv->control, &srv->svc,
                           cfg->clock ? NULL : &srv->vclock, cfg->svc.status_delay_ms,
                           server_kick, srv);
        srv->has_control = true;
        api_attach_control(&srv->api, &srv->control, srv->engine.driver->name, server_wake, srv);
    }
    http_server_set_turn(srv->http, server_turn);
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

int64_t server_now_ms(const struct server *srv)
{
    return clock_now_ms(srv->clock);
}
