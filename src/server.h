/* server.h: struct server, the one mutable context of a running vpnd: its configuration, clock,
 * store, service, status engine, API and HTTP server. main.c builds one from the command line;
 * everything below it receives the part it needs (the API its struct api, the service its
 * struct svc, ...) and reads "now" from the one clock (server_now_ms). */
#ifndef VPND_SERVER_H
#define VPND_SERVER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "engine/engine.h"
#include "http/http.h"
#include "service/svc.h"
#include "util/clock.h"

struct store;

struct server_config {
    struct http_config http;
    struct svc_config svc;
    struct api_config api;
    const char *db; /* store URL (store_open) */
};

struct server {
    struct server_config cfg;
    const struct clock *clock; /* the one source of "now"; the wall clock unless replaced */
    struct store *store;       /* owned */
    struct svc svc;
    struct engine engine;
    struct api api;
    struct http_server *http;          /* owned; NULL for a server without HTTP (server_open_store) */
    volatile sig_atomic_t *reload;     /* set by SIGHUP: re-read the credentials file */
};

/* Fills cfg with the defaults (http 127.0.0.1:8080, store vpnd.db, ...). */
void server_config_defaults(struct server_config *cfg);

/* Opens the store, the service and the API over it and binds the HTTP server. On failure writes
 * a reason into errbuf (the store URL redacted), releases what it opened and returns a negative
 * errno. reload (may be NULL) is polled by the server's tick. */
int server_open(struct server *srv, const struct server_config *cfg,
                volatile sig_atomic_t *reload, char *errbuf, size_t errlen);
/* A server without HTTP, API or engine: the store and the service (vpnd import, export).
 * Returns 0, -EIO (the store cannot be opened) or -EINVAL (a bad setting); errbuf says why. */
int server_open_store(struct server *srv, const struct server_config *cfg, char *errbuf,
                      size_t errlen);
/* Serves until *stop is set (http_server_run). Returns 0 or -EIO. */
int server_run(struct server *srv, volatile sig_atomic_t *stop);
/* Releases everything server_open or server_open_store opened. */
void server_close(struct server *srv);

/* The bound address "ADDR:PORT". */
const char *server_address(const struct server *srv);
/* The server's clock. */
int64_t server_now_ms(const struct server *srv);

#endif
