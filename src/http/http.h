/* http/http.h: the HTTP/1.1 front end: our own epoll loop, heads parsed by Debian's
 * libhttp-parser, everything else (strictness, chunked bodies, limits, responses) ours.
 * Why and what was measured: docs/http-front.md.
 *
 * The layer owns every protection against hostile clients: body and header size caps, strict
 * framing (CRLF only, one Content-Length, Host on HTTP/1.1, no control bytes in headers), an
 * idle timeout, a deadline for receiving a whole request, both tightened as slots fill (the
 * longest-waiting connections are shed first), a budget for buffered request bodies, total and
 * per-client connection limits. It knows nothing of the API: it hands each complete request
 * to one handler and sends what the handler put in the response. Every request it refuses
 * itself is rendered by the error callback, so the body shape stays the API's. Everything runs
 * on the thread that calls http_server_run.
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
    unsigned idle_timeout_ms;      /* close a connection idle this long (default 30 000) */
    unsigned request_deadline_ms;  /* a whole request must arrive within this (default 60 000) */
    unsigned max_connections;      /* total (default 1000) */
    unsigned max_per_client;       /* per client IP (default 100) */
    unsigned drain_ms;             /* on stop: how long in-flight requests may finish (10 000) */
    unsigned tick_ms;              /* how often tick is called (0 = never) */
    size_t max_buffered;           /* bytes of bodies of incomplete requests, all connections
                                    * together (default 64 MiB; 0 = the default) */
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
    const char *content_type; /* of a non-empty body, a static string; NULL: application/json */
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
 * syntax, target not starting with '/', missing Host), 413 (body), 431 (header), 501
 * (Transfer-Encoding other than chunked), 505 (HTTP version), 503 (out of memory or of the
 * body budget). The connection is closed after the reply. When on_error is NULL the body is
 * {"error_msg":msg,"request_id":id}. Every refusal goes through it, with X-Request-Id; only a
 * connection cut by a deadline or shed under slot pressure is closed without an answer. */
typedef void (*http_error_fn)(void *ud, const struct http_request *req, int status,
                              const char *msg, struct http_response *resp);
typedef void (*http_tick_fn)(void *ud);

/* Fills cfg with the defaults above (listen "127.0.0.1:8080"). */
void http_config_defaults(struct http_config *cfg);
/* Checks cfg's values as http_server_new does. Returns 0 or -EINVAL (errbuf says which). */
int http_config_check(const struct http_config *cfg, char *errbuf, size_t errlen);

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

/* ---- Deferred responses ----
 * A handler may leave its response for later: it calls http_request_defer(req), leaves resp
 * untouched and returns. The request (req and every string it points to: path, query, body,
 * headers) stays valid until the response is completed with http_pending_complete or
 * http_pending_drop, which must be called exactly once, on the loop's thread (from tick, turn,
 * another handler or a later handler of the same server). Nothing else is read from that
 * connection meanwhile (pipelined requests wait). If the client goes away meanwhile, its slot
 * is released at once, http_pending_client_gone() turns true, and completing it just frees the
 * request. While stopping, http_server_run waits for deferred requests like for any in-flight
 * one (up to drain_ms); requests still pending when http_server_free runs are freed by it, and
 * their http_pending pointers must not be used afterwards. */
struct http_pending;
/* Returns the handle that completes req later; NULL for a request built by hand (no
 * connection), which cannot be deferred, and for one the handler already deferred or dropped
 * (its answer is not resp). Only valid inside the handler call for req. */
struct http_pending *http_request_defer(const struct http_request *req);
const struct http_request *http_pending_request(const struct http_pending *p);
bool http_pending_client_gone(const struct http_pending *p);
/* Sends resp (its body is taken, resp->body is left empty) and releases p. */
void http_pending_complete(struct http_pending *p, struct http_response *resp);
/* Closes the connection without an answer (as http_request_drop) and releases p. */
void http_pending_drop(struct http_pending *p);

/* Drop on purpose: inside the handler, the connection is closed (reset) without any answer
 * once the handler returns; resp is ignored. For fault injection ("dropped connection"). */
void http_request_drop(const struct http_request *req);

/* Calls tick no later than mono_ms (ids_mono_ms time) besides its regular period, once: for
 * work due between two ticks (a delayed answer). Call on the loop's thread. */
void http_server_tick_at(struct http_server *s, int64_t mono_ms);

/* ---- Per-request completion hook (access log, metrics) ----
 * Called once per request the layer started reading a head for, when its response has been
 * written (or the connection ended before). Strings live for the call only. */
struct http_access {
    const char *method;     /* "" if the request line was not understood */
    const char *path;       /* raw path (no query) as received, "" if not understood */
    const char *request_id; /* "" when no id was given (closed before the head was complete) */
    const char *client_ip;
    int status;             /* sent; 0 if none was (closed, dropped, cut by a deadline) */
    uint64_t bytes_in;      /* request bytes on the wire: head, body and its framing */
    uint64_t bytes_out;     /* response bytes written */
    uint64_t usec;          /* first byte of the request to last byte of the response */
    unsigned tag;           /* what the handler noted (http_request_note), else 0 */
    const char *principal;  /* what the handler noted, else "" */
};
typedef void (*http_access_fn)(void *ud, const struct http_access *a);
void http_server_set_access(struct http_server *s, http_access_fn fn);

/* Inside the handler (or before completing a deferred request): notes what the completion hook
 * reports for this request: a tag of the caller's (the API: its route) and who asked (an access
 * key id; copied, cut at HTTP_PRINCIPAL_MAX - 1 bytes; NULL keeps the one noted before). */
#define HTTP_PRINCIPAL_MAX 64
void http_request_note(const struct http_request *req, unsigned tag, const char *principal);

/* ---- Counters and gauges (metrics) ---- */
struct http_stats {
    uint64_t connections_open;   /* slots in use now */
    uint64_t connections_total;  /* accepted since start */
    uint64_t requests_in_flight; /* started and not completed */
    uint64_t buffered_bytes;     /* request bodies held now */
    uint64_t timed_out_total;    /* closed by the idle timeout or a deadline */
    uint64_t shed_total;         /* closed to make room for request bodies */
    uint64_t refused_total;      /* over max_per_client at accept */
    uint64_t tls_handshakes_total;        /* completed */
    uint64_t tls_handshake_failures_total; /* failed or cut by the handshake deadline */
};
void http_server_stats(const struct http_server *s, struct http_stats *ret);

/* ---- Live settings ----
 * Applies the limits of cfg to a running server (SIGHUP): max_body, max_header,
 * idle_timeout_ms, request_deadline_ms, max_connections, max_per_client, max_buffered.
 * listen, drain_ms and tick_ms are kept. Connections already open keep requests under way;
 * the next request and every timer use the new values. Returns 0 or -EINVAL (errbuf). */
int http_server_set_limits(struct http_server *s, const struct http_config *cfg, char *errbuf,
                           size_t errlen);

/* ---- TLS (http/tls.c, OpenSSL) ----
 * A certificate chain and its key, loaded once; a server with one speaks only TLS (1.2 and
 * 1.3, ALPN http/1.1). The handshake runs inside the connection's reads and writes on the
 * event loop, under its own deadline (the request deadline, at most HTTP_TLS_HANDSHAKE_MS,
 * shrunk under slot pressure like the others). */
#define HTTP_TLS_HANDSHAKE_MS 10000
struct http_tls;
/* Loads cert_file (PEM: the certificate, then its chain) and key_file (PEM, unencrypted; it
 * must not be readable or writable by other users). On failure writes "<path>: <why>" to
 * errbuf and returns -ENOENT, -EACCES, -EINVAL (not PEM, key and certificate differ), -ENOMEM
 * or -EIO. */
int http_tls_new(const char *cert_file, const char *key_file, struct http_tls **ret,
                 char *errbuf, size_t errlen);
void http_tls_free(struct http_tls *t); /* NULL is a no-op */
/* The certificate's subject (one line) and notAfter (Unix seconds). */
const char *http_tls_subject(const struct http_tls *t);
int64_t http_tls_not_after(const struct http_tls *t);
/* Makes s serve TLS with t (taken; the previous one is freed once no connection uses it).
 * Call before http_server_run for a TLS server, or while running to replace the certificate:
 * connections that have started keep theirs, new ones get t. A server started without TLS
 * cannot switch to it (nor back): -EINVAL. */
int http_server_set_tls(struct http_server *s, struct http_tls *t);
bool http_server_is_tls(const struct http_server *s);
/* The TLS in use (borrowed until the next http_server_set_tls), or NULL. */
const struct http_tls *http_server_tls(const struct http_server *s);

/* ---- Other descriptors and timers on the loop ----
 * The owner of another non-blocking socket (the data plane's VICI client) serves it on the same
 * epoll loop through a watch: a callback with at most one descriptor and one timer, both
 * changed with http_watch_set whenever the owner's needs change (after every call into the
 * socket's code). The descriptor is level-triggered: fn(ud, events) runs in each loop turn in
 * which it is ready for an asked event (EPOLLIN, EPOLLOUT; EPOLLERR and EPOLLHUP always count);
 * fn(ud, 0) runs once the deadline has passed, and the timer is then disarmed. Callbacks run on
 * the loop's thread outside request handling (not inside turn(true)..turn(false)); they may set
 * any watch, but free none. At most HTTP_MAX_WATCHES per server. */
#define HTTP_MAX_WATCHES 4
struct http_watch;
typedef void (*http_watch_fn)(void *ud, uint32_t events);
/* Adds a watch with nothing to watch yet. Returns 0, -ENOSPC (HTTP_MAX_WATCHES in use) or
 * -ENOMEM. */
int http_watch_new(struct http_server *s, http_watch_fn fn, void *ud, struct http_watch **ret);
/* Watches fd (-1: none) for events (EPOLLIN | EPOLLOUT) and arms the timer at deadline (an
 * ids_mono_ms time; -1: none). A descriptor the owner closed and reopened under the same number
 * is handled. Returns 0 or the epoll_ctl errno (negative; the descriptor is then not watched). */
int http_watch_set(struct http_watch *w, int fd, uint32_t events, int64_t deadline);
/* Removes the watch (its descriptor leaves the epoll set; the owner closes it). NULL is a
 * no-op. */
void http_watch_free(struct http_watch *w);

#endif
