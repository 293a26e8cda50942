/* server.c: the server context (server.h): how the parts are put together and driven. */
#include "server.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "util/log.h"

void server_config_defaults(struct server_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    http_config_defaults(&cfg->http);
    cfg->http.tick_ms = 50;
    svc_config_defaults(&cfg->svc);
    api_config_defaults(&cfg->api);
    cfg->db = "vpnd.db";
}

int server_open_store(struct server *srv, const struct server_config *cfg, char *errbuf,
                      size_t errlen)
{
    char err[512];
    int r;

    memset(srv, 0, sizeof(*srv));
    srv->cfg = *cfg;
    srv->clock = &clock_wall;
    r = store_open(cfg->db, &srv->store, err, sizeof(err));
    if (r < 0) {
        char shown[512];

        store_url_redact(cfg->db, shown, sizeof(shown));
        snprintf(errbuf, errlen, "cannot open store %s: %s", shown, err);
        return -EIO;
    }
    r = svc_init(&srv->svc, &cfg->svc, srv->store, srv->clock, errbuf, errlen);
    if (r < 0) {
        store_close(srv->store);
        srv->store = NULL;
    }
    return r;
}

/* http_tick_fn: re-reads the credentials when asked, runs the status engine. */
static void server_tick(void *ud)
{
    struct server *srv = ud;

    if (srv->reload && *srv->reload) {
        *srv->reload = 0;
        api_reload_credentials(&srv->api);
    }
    engine_tick(&srv->engine);
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

int server_open(struct server *srv, const struct server_config *cfg,
                volatile sig_atomic_t *reload, char *errbuf, size_t errlen)
{
    int r = server_open_store(srv, cfg, errbuf, errlen);

    if (r < 0)
        return r;
    srv->reload = reload;
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
    if (srv->store)
        svc_done(&srv->svc);
    store_close(srv->store);
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
