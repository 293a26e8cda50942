/* http/http.h: the HTTP/1.1 front end (libmicrohttpd, driven by our own epoll loop).
 *
 * The layer owns every protection against hostile clients: body and header size caps, an idle
 * timeout, a deadline for receiving a whole request, total and per-client connection limits,
 * rejection of ambiguous framing. It knows nothing of the API: it hands each complete request
 * to one handler and sends what the handler put in the response. Requests it refuses itself
 * (413, 400 framing) are rendered by the error callback so the body shape stays the API's.
 * Everything runs on the thread that calls http_server_run.
 */
#ifndef VPND_HTTP_H
#define VPND_HTTP_H

#include <stdbool.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

struct http_server;
struct http_request_priv;

struct http_config {
    const char *listen;            /* "ADDR:PORT", IPv4 or [IPv6]; port 0 = ephemeral */
    size_t max_body;               /* bytes; larger bodies get 413 (default 1 MiB) */
    size_t max_header;             /* bytes for request line + headers (default 8 KiB) */
    unsigned idle_timeout_ms;      /* close a connection idle this long (default 30 000);
                                    * MHD counts whole seconds, so this is rounded up */
    unsigned request_deadline_ms;  /* a whole request must arrive within this (default 60 000) */
    unsigned max_connections;      /* total (default 1000) */
    unsigned max_per_client;       /* per client IP (default 100) */
    unsigned drain_ms;             /* on stop: how long in-flight requests may finish (10 000) */
    unsigned tick_ms;              /* how often tick is called (0 = never) */
};

struct http_request {
    const char *method;     /* "GET", "POST", ... as received */
    const char *path;       /* raw path, not percent-decoded, no query */
    const char *query;      /* raw query string after '?', "" if none */
    const char *body;       /* NUL-terminated copy of the body ("" if none) */
    size_t body_len;
    const char *request_id; /* 32 lower-case hex, also sent as X-Request-Id */
    const char *client_ip;  /* textual address of the peer */
    struct http_request_priv *priv; /* NULL in a request built by hand (tests): no headers */
};

struct http_response {
    int status;          /* 0 is treated as 500 */
    struct buf body;     /* sent as application/json when non-empty; 204 sends none */
    const char *allow;   /* if set, sent as the Allow header */
};

/* Case-insensitive header lookup; NULL if absent. The pointer lives as long as the request. */
const char *http_request_header(const struct http_request *req, const char *name);
/* Calls cb for every received header (name as received). Stops early if cb returns non-zero
 * and returns that value; returns 0 after a full walk. */
int http_request_foreach_header(const struct http_request *req,
                                int (*cb)(void *ud, const char *name, const char *value),
                                void *ud);

typedef void (*http_handler_fn)(void *ud, const struct http_request *req,
                                struct http_response *resp);
/* Renders a refusal decided by the HTTP layer; msg is plain text. Statuses: 400 (framing,
 * target not starting with '/'), 413 (body), 431 (header), 501 (Transfer-Encoding other than
 * chunked), 503 (out of memory). The connection is closed after the reply. When on_error is NULL
 * the body is {"error_msg":msg,"request_id":id}. Requests MHD refuses by itself before the
 * headers are complete (malformed Content-Length or chunk framing: 400; header flood far beyond
 * max_header: 431/414; unknown HTTP version: 505) get MHD's HTML body and no X-Request-Id. */
typedef void (*http_error_fn)(void *ud, const struct http_request *req, int status,
                              const char *msg, struct http_response *resp);
typedef void (*http_tick_fn)(void *ud);

/* Fills cfg with the defaults above (listen "127.0.0.1:8080"). */
void http_config_defaults(struct http_config *cfg);

/* Binds and prepares the server. On failure writes a reason to errbuf and returns -EINVAL
 * (bad address, missing handler, zero limits), -EADDRINUSE/-EACCES (bind), -ENOMEM or -EIO.
 * Raises the RLIMIT_NOFILE soft limit (up to the hard one) if below max_connections + 64. */
int http_server_new(const struct http_config *cfg, http_handler_fn handler, http_error_fn on_error,
                    http_tick_fn tick, void *ud, struct http_server **ret, char *errbuf,
                    size_t errlen);
/* The bound address as "ADDR:PORT" (the real port when 0 was asked). */
const char *http_server_address(const struct http_server *s);
/* Serves until *stop becomes non-zero (set from a signal handler), then stops accepting,
 * lets in-flight requests finish (up to drain_ms) and returns 0. Noticed within 500 ms, or at
 * once when the signal lands on the thread running the loop. Call it once per server. Returns -EIO (logged) if
 * the event loop itself fails, -EINVAL if called again. */
int http_server_run(struct http_server *s, volatile sig_atomic_t *stop);
void http_server_free(struct http_server *s); /* NULL is a no-op */

/* Optional: turn(ud, true) right before each event-loop turn hands sockets to the handlers and
 * turn(ud, false) right after it (before deadlines and tick), so the handlers of the requests of one
 * turn can share work (a read snapshot: store_read_batch). Never called around idle waits. */
typedef void (*http_turn_fn)(void *ud, bool start);
void http_server_set_turn(struct http_server *s, http_turn_fn turn);

#endif
