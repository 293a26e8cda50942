/* http/http_int.h: private to src/http. The server, its per-connection state and the helpers
 * that server.c (loop, accept, timers), conn.c (one connection's state machine, responses),
 * head.c (request line + headers), chunked.c (chunked body), transport.c and listen.c share.
 *
 * One struct http_conn exists per accepted TCP connection. HTTP/1.1 handles one request at a
 * time per connection (pipelined requests wait in the input buffer), so the per-request state
 * (parsed head, body, request id, response) lives in it too and its buffers are reused.
 */
#ifndef VPND_HTTP_INT_H
#define VPND_HTTP_INT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "http/http.h"
#include "util/buf.h"

#define HTTP_MAX_HEADERS 100     /* header fields in one request (more: 431) */
#define HTTP_CHUNK_LINE_MAX 1024 /* chunk-size line with its extensions (longer: 400) */

struct http_conn;

/* The byte stream of a connection: plain TCP today, TLS later (issue 16) behind the same three
 * calls. recv/send return bytes moved, 0 for end of stream (recv only), -EAGAIN when the
 * socket would block, another negative errno when the connection is broken. */
struct http_transport_ops {
    ssize_t (*recv)(struct http_conn *c, void *buf, size_t len);
    ssize_t (*send)(struct http_conn *c, struct iovec *iov, int iovcnt);
    void (*shut)(struct http_conn *c);  /* ends our direction (TLS: close_notify first) */
    void (*close)(struct http_conn *c); /* releases the transport; the fd is closed */
    /* recv may wait for the socket to be writable (TLS): any event makes the socket worth
     * reading again, and recv returns everything it could read (a short read still means the
     * socket is empty) */
    bool any_event_reads;
};
extern const struct http_transport_ops http_plain_transport;
extern const struct http_transport_ops http_tls_transport;

enum http_state {
    HTTP_ST_IDLE,     /* no byte of a request yet: fresh, or between keep-alive requests */
    HTTP_ST_HEAD,     /* receiving the request line and headers */
    HTTP_ST_BODY,     /* receiving the body */
    HTTP_ST_HANDLING, /* the handler deferred its response (http_request_defer) */
    HTTP_ST_WRITING,  /* response being written */
    HTTP_ST_LINGER,   /* refused: our side shut, reading what the client still sends */
    HTTP_ST_DEAD,     /* closed; freed at the end of the loop turn (or at completion) */
};

/* The timer list a connection is on; each list is ordered by `since`, and every member of a
 * list has the same timeout, so a sweep stops at the first member not yet due. */
enum http_timer {
    HTTP_TL_NONE,   /* no timer: handling, or writing without being blocked */
    HTTP_TL_IDLE,   /* IDLE: idle timeout */
    HTTP_TL_REQ,    /* HEAD, BODY: request deadline (+ credit for body bytes received) */
    HTTP_TL_SEND,   /* WRITING, blocked by the client: idle timeout without progress */
    HTTP_TL_LINGER, /* LINGER: fixed */
    HTTP_TL_HANDSHAKE, /* IDLE before the TLS handshake is done: handshake deadline */
    HTTP_TL_COUNT,
};

/* Doubly linked lists of connections; a connection is on two at most (`link`: all or orphans,
 * `tlink`: its timer list), so the link carries its connection. */
struct http_link {
    struct http_link *prev, *next;
    struct http_conn *conn;
};

struct http_list {
    struct http_link *head, *tail;
};

/* Offsets (into the connection's input buffer) of a NUL-terminated header name and value. */
struct http_header {
    uint32_t name, value;
};

/* Chunked-body decoder state (chunked.c). */
struct http_chunked {
    int state;
    uint64_t left;      /* bytes of chunk data still to come */
    size_t line;        /* bytes of the current chunk-size line or trailer section */
    unsigned digits;    /* hex digits of the chunk size */
};

/* A parsed request head; offsets into the connection's input buffer. */
struct http_head {
    uint32_t method_len;
    const char *method; /* static string from the parser's method table */
    uint32_t target;    /* raw request-target; '?' replaced by NUL */
    uint32_t query;     /* query after '?', or the offset of an empty string */
    uint32_t end;       /* bytes of the head, final empty line included */
    unsigned minor;     /* HTTP/1.minor */
    bool keep_alive, chunked, has_length, expect_continue;
    uint64_t length;
    struct http_header headers[HTTP_MAX_HEADERS];
    unsigned n_headers;
};

struct http_request_priv {
    struct http_conn *conn; /* NULL in requests built without a connection */
};

struct http_pending {
    struct http_conn *conn;
};

struct http_conn {
    struct http_link link;        /* srv->all (or srv->orphans) */
    struct http_link tlink;       /* srv->timers[timer], ordered by `since` */
    struct http_conn *ready_next; /* srv->ready (work left for the next turn) */
    struct http_conn *dead_next;  /* srv->dead */
    struct http_server *srv;
    const struct http_transport_ops *tr;
    int fd;
    enum http_state state;
    enum http_timer timer;
    int64_t since;         /* mono ms: start of the current timer */
    bool readable;         /* edge-triggered: bytes may wait (no EAGAIN or short read yet) */
    bool peer_closed;      /* the client shut its side (or reset): read to the end */
    bool on_ready;         /* linked on srv->ready */
    bool in_flight;        /* counted in srv->in_flight */
    bool gone;             /* the client went away while the response was deferred */
    bool deferred, drop;   /* set by the handler: http_request_defer, http_request_drop */
    bool close_after;      /* the current response ends the connection */
    bool head_only;        /* HEAD request: the body is not sent */
    bool have_head;        /* head parsed: method, path and headers are readable */
    struct http_request_priv priv;
    struct http_pending pending;
    struct http_request req; /* what the handler got; valid until the response is done */
    struct buf in;         /* bytes read and not yet consumed; the head stays at its start */
    size_t scan;           /* where the search for the end of the head goes on */
    struct http_head head;
    struct http_chunked chunked;
    uint64_t body_left;    /* Content-Length bytes still to come; LINGER: bytes dropped */
    size_t counted;        /* bytes this request added to srv->buffered */
    struct buf body;
    struct buf out;        /* status line and headers of the response */
    struct buf out_body;   /* the response body (taken from the handler's response) */
    size_t out_off;        /* bytes of out + out_body written */
    int status;            /* of the response being written */
    int64_t started_us;    /* mono us: first byte of the current request */
    uint64_t bytes_in, bytes_out;
    char request_id[33];
    char client_ip[INET6_ADDRSTRLEN];
    struct http_client *client; /* per-address connection count */
    unsigned tag;               /* http_request_note */
    char principal[HTTP_PRINCIPAL_MAX];
    struct ssl_st *ssl;         /* TLS transport: the session (NULL for plain TCP) */
    bool tls_done;              /* TLS: handshake completed */
    bool tls_shut;              /* TLS: close_notify sent */
};

/* Connections counted per client address (max_per_client). */
struct http_client {
    struct http_client *next;
    unsigned char addr[16]; /* IPv4 as ::ffff:a.b.c.d */
    unsigned count;
};

/* A foreign descriptor and timer on the loop (http.h "Other descriptors"). */
struct http_watch {
    struct http_server *s;
    http_watch_fn fn;
    void *ud;
    int fd;           /* in the epoll set; -1: none */
    uint32_t events;  /* asked for fd */
    int64_t deadline; /* mono ms; -1: no timer */
};

struct http_server {
    struct http_config cfg; /* cfg.listen is not kept */
    http_handler_fn handler;
    http_error_fn on_error;
    http_tick_fn tick;
    int64_t tick_at; /* http_server_tick_at: an extra tick due at this time (0: none) */
    http_turn_fn turn;     /* NULL: none (http_server_set_turn) */
    http_access_fn access; /* NULL: none (http_server_set_access) */
    void *ud;
    int listen_fd;  /* -1 once closed */
    int epoll_fd;
    bool listening; /* the listener is in the epoll set (not while at max_connections) */
    bool running;   /* http_server_run was called */
    bool draining;  /* stopped accepting; responses carry Connection: close */
    struct http_list all;           /* connections holding a slot */
    struct http_list orphans;       /* deferred requests whose client went away */
    struct http_list timers[HTTP_TL_COUNT];
    struct http_conn *ready;        /* connections with work left (pipelined, completed) */
    struct http_conn *dead;         /* closed this turn, freed at its end */
    struct http_client **clients;   /* hash buckets */
    size_t n_buckets;
    size_t n_conns;   /* open connections (slots in use) */
    size_t in_flight; /* requests started and not completed */
    size_t buffered;  /* bytes of request bodies held by incomplete requests */
    int64_t next_due;     /* mono ms: the earliest timer (sweep) */
    int64_t drain_end;    /* mono ms: when draining gives up on in-flight requests */
    int64_t accept_retry; /* mono ms: accept again after running out of descriptors (0: no) */
    uint64_t id_counter; /* request ids: id_prefix + this counter in hex */
    char id_prefix[17];  /* 16 random hex chars drawn at the first request */
    char address[64];    /* "ADDR:PORT" as bound */
    char date[40];       /* "Date: ...\r\n" for date_s */
    int64_t date_s;
    struct http_tls *tls; /* NULL: plain TCP */
    bool tls_locked;      /* running: TLS can be replaced, not turned on or off */
    struct http_stats stats; /* the counters; gauges are filled in by http_server_stats */
    struct http_watch *watches[HTTP_MAX_WATCHES]; /* watch.c; NULL: free slot */
};

/* listen.c: parses spec ("ADDR:PORT" or "[ADDR]:PORT"), opens a non-blocking listening socket
 * and writes the bound address to ret_addr. Returns 0, or -EINVAL (bad address), -EADDRINUSE,
 * -EACCES, -EIO with a reason in errbuf. */
int http_listen_open(const char *spec, int *ret_fd, char *ret_addr, size_t addrlen, char *errbuf,
                     size_t errlen);

/* head.c: finds the end of the head in in[*scan..len) (resumable through *scan). Returns the
 * head's length, 0 if it is not complete yet, or -EPROTO (a bare LF ends a line: the head is
 * refused; *scan is left where the line ends). */
ssize_t http_head_end(const char *in, size_t len, size_t *scan);
/* head.c: parses and checks the complete head in[0..end) in place (NULs written into it) into
 * h. Returns 0, or an HTTP status (400, 431, 501, 505) with a message for the client in msg. */
int http_head_parse(char *in, uint32_t end, struct http_head *h, char *msg, size_t msglen);

/* chunked.c: decodes chunked framing from in[0..len), appending data to body (at most
 * max_body bytes in all). Returns the bytes consumed (all of them unless the message ended
 * first), with *done set once the last chunk and trailers are read; or -EPROTO (framing: 400,
 * reason in msg), -EFBIG (413), -ENOMEM. */
ssize_t http_chunked_feed(struct http_chunked *st, const char *in, size_t len, struct buf *body,
                          size_t max_body, size_t max_trailer, bool *done, char *msg,
                          size_t msglen);

/* watch.c: the watch whose epoll data is ptr, or NULL (a connection). */
struct http_watch *http_watch_of(const struct http_server *s, const void *ptr);
/* watch.c: calls the callbacks of the watches whose deadline is <= now. */
void http_watch_timers(struct http_server *s, int64_t now);
/* watch.c: the earliest deadline of the watches, or INT64_MAX. */
int64_t http_watch_next(const struct http_server *s);

/* conn.c */
/* Takes fd (on success) and one count of client; -ENOMEM or the epoll_ctl errno. */
int http_conn_accepted(struct http_server *s, int fd, const char *client_ip,
                       struct http_client *client);
void http_conn_on_event(struct http_conn *c, uint32_t events);
void http_conn_advance(struct http_conn *c); /* does what can be done without blocking */
void http_conn_close(struct http_conn *c);    /* closes now (no response); c stays valid */
void http_conn_free(struct http_conn *c);     /* frees a DEAD connection */
/* A deferred request whose connection ends (client gone, server stopping): the slot and the
 * socket go now, the request lives on srv->orphans until it is completed or the server freed. */
void http_conn_orphan(struct http_conn *c);
void http_conn_timed_out(struct http_conn *c);

/* server.c: bookkeeping conn.c calls. */
void http_timer_set(struct http_server *s, struct http_conn *c, enum http_timer t);
void http_ready_push(struct http_server *s, struct http_conn *c);
void http_slot_released(struct http_server *s, struct http_conn *c); /* off `all` */
void http_list_append(struct http_list *l, struct http_link *k);
void http_list_remove(struct http_list *l, struct http_link *k);
int64_t http_mono_us(void);

/* tls.c: sets up the TLS session of a new connection (c->ssl, c->tr). Returns 0, -ENOMEM. */
int http_tls_attach(struct http_tls *t, struct http_conn *c);

#endif
