/* http/http_int.h: private to src/http. The server, its per-connection state and the helpers
 * that server.c (loop, lifecycle), conn.c (MHD callbacks, responses) and listen.c share.
 *
 * One struct http_conn exists per TCP connection, from MHD's STARTED notification to CLOSED.
 * HTTP/1.1 handles one request at a time per connection, so the per-request state (raw target,
 * body, request id) lives in it too and its buffers are reused by the next request.
 */
#ifndef VPND_HTTP_INT_H
#define VPND_HTTP_INT_H

#include <microhttpd.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"
#include "util/buf.h"

/* What the next access-handler call for the connection's current request means. */
enum http_phase {
    HTTP_PHASE_IDLE,    /* between requests */
    HTTP_PHASE_HEADERS, /* request line seen; next call: headers complete */
    HTTP_PHASE_BODY,    /* next call: body data, or the end of the request */
    HTTP_PHASE_DONE,    /* a response is queued; later calls only discard */
};

struct http_request_priv {
    struct MHD_Connection *mhd; /* NULL in requests built without a connection */
};

struct http_conn {
    struct http_conn *prev, *next; /* server list, ordered by waiting_since */
    struct http_server *srv;
    struct http_request_priv priv;
    int fd;                /* MHD's socket; only shutdown() by us, never closed */
    int64_t waiting_since; /* mono ms: start of the wait for the current request */
    int64_t started_ms;    /* mono ms: headers complete (for the debug log) */
    bool answering;        /* request complete, response under way: deadline exempt */
    bool shut;             /* deadline passed, shutdown() issued */
    bool in_request;       /* counted in srv->in_flight */
    bool oom;              /* an allocation for this request failed: answer 503 */
    bool too_large;        /* body passed max_body: discard the rest, answer 413 */
    enum http_phase phase;
    struct buf target; /* raw request-target; '?' replaced by NUL */
    const char *query; /* into target, "" if none */
    struct buf body;
    char request_id[33];
    char client_ip[INET6_ADDRSTRLEN];
};

struct http_server {
    struct http_config cfg; /* cfg.listen is not kept */
    http_handler_fn handler;
    http_error_fn on_error;
    http_tick_fn tick;
    http_turn_fn turn; /* NULL: none (http_server_set_turn) */
    void *ud;
    struct MHD_Daemon *mhd;
    int listen_fd;          /* ours until MHD takes it; -1 after */
    int epoll_fd;           /* MHD's, polled (never waited on with epoll_wait) */
    struct http_conn *head; /* oldest waiting_since first */
    struct http_conn *tail;
    size_t in_flight;     /* requests started (request line seen) and not completed */
    bool run_again;       /* a connection closed: MHD re-arms its listener on the next run */
    bool draining;        /* stopped accepting; responses carry Connection: close */
    int64_t drain_end;    /* mono ms: when draining gives up on in-flight requests */
    uint64_t id_counter;  /* request ids: id_prefix + this counter in hex */
    char id_prefix[17];   /* 16 random hex chars drawn at the first request */
    char address[64];     /* "ADDR:PORT" as bound */
    char mhd_error[160];  /* last MHD log line, for start-up errors */
};

/* listen.c: parses spec ("ADDR:PORT" or "[ADDR]:PORT"), opens a non-blocking listening socket
 * and writes the bound address to ret_addr. Returns 0, or -EINVAL (bad address), -EADDRINUSE,
 * -EACCES, -EIO with a reason in errbuf. */
int http_listen_open(const char *spec, int *ret_fd, char *ret_addr, size_t addrlen, char *errbuf,
                     size_t errlen);

/* conn.c: MHD callbacks, registered by server.c. */
void http_on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
                        enum MHD_ConnectionNotificationCode toe);
void *http_on_uri(void *cls, const char *uri, struct MHD_Connection *mc);
enum MHD_Result http_on_access(void *cls, struct MHD_Connection *mc, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **req_cls);
void http_on_completed(void *cls, struct MHD_Connection *mc, void **req_cls,
                       enum MHD_RequestTerminationCode toe);
size_t http_on_unescape(void *cls, struct MHD_Connection *mc, char *s);

/* server.c: keeps the connection list ordered by waiting_since. */
void http_conn_link(struct http_server *s, struct http_conn *c);
void http_conn_unlink(struct http_server *s, struct http_conn *c);

#endif
