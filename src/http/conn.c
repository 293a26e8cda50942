/* http/conn.c: one connection's state machine, from accept to close.
 *
 *   IDLE -> HEAD      first byte of a request (leading empty lines are skipped)
 *   HEAD -> BODY      head complete and accepted (head.c), a body announced
 *   HEAD/BODY -> (handler) -> WRITING, or HANDLING until http_pending_complete
 *   WRITING -> IDLE   response written, keep-alive: the next pipelined request starts
 *   WRITING -> LINGER response written, connection to end: our side is shut, what the client
 *                     still sends is read and dropped (so the close sends no RST that would
 *                     destroy the response in the client's buffers), then closed
 *   any -> DEAD       closed (deadline, error, end of stream, shed, dropped)
 * Refusals (400, 413, 431, 501, 505, 503) are rendered by on_error and end the connection.
 * Reads and writes go through c->tr (transport.c): edge-triggered, so c->readable remembers
 * that the socket may still hold bytes; at most REQUESTS_PER_TURN requests of one connection
 * are served per loop turn, the rest waits on srv->ready for the next one.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

#include <http_parser.h>

#include "http/http_int.h"
#include "util/ids.h"
#include "util/log.h"

#define READ_CHUNK 16384          /* one read of a body */
#define HEAD_CHUNK 4000           /* one read of a head: a 4 KiB buffer for most clients */
#define IN_KEEP_MAX (8 * 1024)    /* an idle connection's larger input buffer is freed */
#define BODY_KEEP_MAX (64 * 1024) /* a larger body buffer is freed, not kept for the next one */
#define REQUESTS_PER_TURN 16
#define LINGER_DISCARD_MAX (4u << 20) /* bytes read and dropped after a refusal, then close */

enum step {
    STEP_AGAIN,   /* progress made: go on */
    STEP_INPUT,   /* needs more bytes from the client */
    STEP_BLOCKED, /* waits for an event (socket writable, deferred completion) */
    STEP_CLOSED,  /* the connection is closed */
};

static void start_response(struct http_conn *c, struct http_response *resp, bool close);

/* ---- request lifecycle ---------------------------------------------------------------- */

/* Request ids only need to be unique, not secret: a random per-process prefix drawn once plus
 * a counter, so the hot path makes no getrandom syscall per request. */
static void new_request_id(struct http_conn *c)
{
    static const char hex[] = "0123456789abcdef";
    struct http_server *s = c->srv;

    if (s->id_prefix[0] == '\0' && ids_hex(s->id_prefix, 16) < 0)
        snprintf(s->id_prefix, sizeof(s->id_prefix), "%016llx",
                 (unsigned long long)ids_now_ms());
    uint64_t n = ++s->id_counter;
    memcpy(c->request_id, s->id_prefix, 16);
    for (int i = 31; i >= 16; i--, n >>= 4)
        c->request_id[i] = hex[n & 15];
    c->request_id[32] = '\0';
}

static void fill_request(struct http_conn *c)
{
    const char *in = c->in.data;

    c->req = (struct http_request){
        .method = c->have_head ? c->head.method : "",
        .path = c->have_head ? in + c->head.target : "",
        .query = c->have_head ? in + c->head.query : "",
        .body = c->body.data ? c->body.data : "",
        .body_len = c->body.len,
        .request_id = c->request_id,
        .client_ip = c->client_ip,
        .priv = &c->priv,
    };
}

static void begin_request(struct http_conn *c)
{
    struct http_server *s = c->srv;

    c->state = HTTP_ST_HEAD;
    c->in_flight = true;
    s->in_flight++;
    c->have_head = false;
    c->request_id[0] = '\0';
    c->started_us = http_mono_us();
    c->bytes_in = c->bytes_out = 0;
    c->status = 0;
    c->scan = 0;
    c->close_after = false;
    c->head_only = false;
    c->tag = 0;
    c->principal[0] = '\0';
    http_timer_set(s, c, HTTP_TL_REQ);
}

/* The request is over (answered or not): the access hook, then its memory is released. */
static void end_request(struct http_conn *c)
{
    struct http_server *s = c->srv;

    if (!c->in_flight)
        return;
    c->in_flight = false;
    s->in_flight--;
    if (s->access) {
        struct http_access a = {
            .method = c->have_head ? c->head.method : "",
            .path = c->have_head ? c->in.data + c->head.target : "",
            .request_id = c->request_id,
            .client_ip = c->client_ip,
            .status = c->status,
            .bytes_in = c->bytes_in,
            .bytes_out = c->bytes_out,
            .usec = (uint64_t)(http_mono_us() - c->started_us),
            .tag = c->tag,
            .principal = c->principal,
        };
        s->access(s->ud, &a);
    }
    s->buffered -= c->counted;
    c->counted = 0;
    if (c->body.cap > BODY_KEEP_MAX)
        buf_free(&c->body);
    else
        buf_reset(&c->body);
    buf_reset(&c->out);
    buf_free(&c->out_body);
    c->have_head = false;
}

/* Drops the head of the finished request (its first end bytes) from the input; pipelined
 * bytes move to the front. */
static void consume_head(struct http_conn *c, size_t end)
{
    if (end > c->in.len)
        end = c->in.len;
    memmove(c->in.data, c->in.data + end, c->in.len - end);
    c->in.len -= end;
    if (c->in.data)
        c->in.data[c->in.len] = '\0';
}

/* ---- closing ------------------------------------------------------------------------- */

void http_conn_close(struct http_conn *c)
{
    struct http_server *s = c->srv;

    if (c->state == HTTP_ST_DEAD)
        return;
    end_request(c);
    http_timer_set(s, c, HTTP_TL_NONE);
    if (c->fd >= 0)
        c->tr->close(c);
    http_slot_released(s, c);
    c->state = HTTP_ST_DEAD;
    c->dead_next = s->dead;
    s->dead = c;
}

/* Closes with a reset: for http_request_drop, the fault-injection "dropped connection". */
static void abort_conn(struct http_conn *c)
{
    struct linger l = {.l_onoff = 1, .l_linger = 0};

    if (c->fd >= 0)
        (void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    c->status = 0;
    http_conn_close(c);
}

void http_conn_orphan(struct http_conn *c)
{
    struct http_server *s = c->srv;

    c->gone = true;
    http_timer_set(s, c, HTTP_TL_NONE);
    if (c->fd >= 0)
        c->tr->close(c);
    http_slot_released(s, c);
    http_list_append(&s->orphans, &c->link);
}

void http_conn_free(struct http_conn *c)
{
    buf_free(&c->in);
    buf_free(&c->body);
    buf_free(&c->out);
    buf_free(&c->out_body);
    free(c);
}

void http_conn_timed_out(struct http_conn *c)
{
    log_debug("http: %s, closing client=%s",
              c->timer == HTTP_TL_HANDSHAKE  ? "TLS handshake deadline passed"
              : c->state == HTTP_ST_IDLE     ? "idle timeout"
              : c->state == HTTP_ST_LINGER   ? "linger over"
              : c->state == HTTP_ST_WRITING  ? "client stopped reading"
                                             : "request deadline passed",
              c->client_ip);
    if (c->state != HTTP_ST_LINGER)
        c->srv->stats.timed_out_total++;
    http_conn_close(c);
}

/* ---- refusals and responses ----------------------------------------------------------- */

static void default_error(const struct http_request *req, const char *msg,
                          struct http_response *resp)
{
    if (buf_puts(&resp->body, "{\"error_msg\":") < 0 || buf_json_str(&resp->body, msg) < 0 ||
        buf_printf(&resp->body, ",\"request_id\":\"%s\"}", req->request_id) < 0)
        buf_free(&resp->body);
}

/* Answers the current request with an error rendered by on_error; the connection ends. */
static enum step _printf_(3, 4) refuse(struct http_conn *c, int status, const char *fmt, ...)
{
    struct http_server *s = c->srv;
    struct http_response resp = {0};
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!c->in_flight)
        begin_request(c);
    if (!c->request_id[0])
        new_request_id(c);
    fill_request(c);
    if (s->on_error)
        s->on_error(s->ud, &c->req, status, msg, &resp);
    else
        default_error(&c->req, msg, &resp);
    if (!resp.status)
        resp.status = status;
    log_debug("http: refused request_id=%s status=%d client=%s: %s", c->request_id, status,
              c->client_ip, msg);
    start_response(c, &resp, true);
    return STEP_AGAIN;
}

static void update_date(struct http_server *s)
{
    struct timespec now;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &now);
    if (now.tv_sec == s->date_s)
        return;
    s->date_s = now.tv_sec;
    gmtime_r(&now.tv_sec, &tm);
    strftime(s->date, sizeof(s->date), "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
}

/* Takes resp's body; builds the status line and headers; the connection starts writing. */
static void start_response(struct http_conn *c, struct http_response *resp, bool close)
{
    struct http_server *s = c->srv;
    int status = resp->status >= 100 && resp->status <= 599 ? resp->status : 500;
    bool no_length = status < 200 || status == 204 || status == 304;
    bool has_body = resp->body.len > 0 && !no_length;
    struct buf *o = &c->out;
    int err = 0;

    c->status = status;
    c->close_after = close || s->draining || !c->have_head || !c->head.keep_alive;
    buf_free(&c->out_body);
    if (has_body) {
        c->out_body = resp->body;
        resp->body = (struct buf){0};
    }
    buf_free(&resp->body);
    update_date(s);
    buf_reset(o);
    err |= buf_printf(o, "HTTP/1.1 %d %s\r\n", status, http_status_str((enum http_status)status));
    err |= buf_puts(o, s->date);
    if (has_body && !resp->content_type) /* every answer of the API passes here */
        err |= buf_puts(o, "Content-Type: application/json\r\n");
    else if (has_body)
        err |= buf_printf(o, "Content-Type: %s\r\n", resp->content_type);
    if (!no_length)
        err |= buf_printf(o, "Content-Length: %zu\r\n", c->out_body.len);
    if (c->request_id[0])
        err |= buf_printf(o, "X-Request-Id: %s\r\n", c->request_id);
    if (resp->allow)
        err |= buf_printf(o, "Allow: %s\r\n", resp->allow);
    if (c->close_after)
        err |= buf_puts(o, "Connection: close\r\n");
    else if (c->head.minor == 0)
        err |= buf_puts(o, "Connection: keep-alive\r\n");
    err |= buf_puts(o, "\r\n");
    if (err) { /* out of memory: nothing sensible can be sent */
        buf_reset(o);
        buf_free(&c->out_body);
        c->close_after = true;
    }
    c->out_off = 0;
    c->state = HTTP_ST_WRITING;
    http_timer_set(s, c, HTTP_TL_NONE);
    log_debug("http: request_id=%s method=\"%.16s\" path=\"%.128s\" status=%d us=%lld",
              c->request_id, c->req.method, c->req.path, status,
              (long long)(http_mono_us() - c->started_us));
}

/* Response written: the next request, or the end of the connection. */
static enum step finish_response(struct http_conn *c)
{
    struct http_server *s = c->srv;
    bool close = c->close_after;
    size_t head_end = c->have_head ? c->head.end : c->in.len;

    end_request(c);
    if (close) {
        c->in.len = 0;
        if (c->fd >= 0)
            c->tr->shut(c);
        c->state = HTTP_ST_LINGER;
        c->body_left = 0; /* bytes dropped while lingering */
        http_timer_set(s, c, HTTP_TL_LINGER);
        return STEP_AGAIN;
    }
    consume_head(c, head_end);
    if (c->in.len == 0 && c->in.cap > IN_KEEP_MAX)
        buf_free(&c->in);
    c->state = HTTP_ST_IDLE;
    http_timer_set(s, c, HTTP_TL_IDLE);
    return STEP_AGAIN;
}

static enum step write_out(struct http_conn *c)
{
    for (;;) {
        size_t head_len = c->out.len, body_len = c->head_only ? 0 : c->out_body.len;
        size_t done = c->out_off;
        struct iovec iov[2];
        int n = 0;

        if (done >= head_len + body_len)
            return finish_response(c);
        if (done < head_len)
            iov[n++] = (struct iovec){c->out.data + done, head_len - done};
        if (body_len)
            iov[n++] = done < head_len
                           ? (struct iovec){c->out_body.data, body_len}
                           : (struct iovec){c->out_body.data + done - head_len,
                                            body_len - (done - head_len)};
        ssize_t w = c->tr->send(c, iov, n);
        if (w == -EAGAIN) {
            if (c->timer != HTTP_TL_SEND)
                http_timer_set(c->srv, c, HTTP_TL_SEND);
            return STEP_BLOCKED;
        }
        if (w < 0) {
            log_debug("http: write failed client=%s: %s", c->client_ip, strerror((int)-w));
            http_conn_close(c);
            return STEP_CLOSED;
        }
        c->out_off += (size_t)w;
        c->bytes_out += (uint64_t)w;
        if (c->timer == HTTP_TL_SEND)
            http_timer_set(c->srv, c, HTTP_TL_SEND); /* progress: the wait starts again */
    }
}

/* ---- the handler ---------------------------------------------------------------------- */

static enum step dispatch(struct http_conn *c)
{
    struct http_server *s = c->srv;
    struct http_response resp = {0};

    c->state = HTTP_ST_HANDLING;
    http_timer_set(s, c, HTTP_TL_NONE);
    c->deferred = c->drop = false;
    fill_request(c);
    s->handler(s->ud, &c->req, &resp);
    if (c->drop) {
        buf_free(&resp.body);
        abort_conn(c);
        return STEP_CLOSED;
    }
    if (c->deferred) {
        buf_free(&resp.body);
        return STEP_BLOCKED;
    }
    start_response(c, &resp, false);
    return STEP_AGAIN;
}

/* ---- reading a request ---------------------------------------------------------------- */

/* Makes room for body bytes in the budget of all connections: the incomplete request that has
 * waited longest (the slowest) is shed until `need` fits. Returns false if it cannot fit. */
static bool budget_take(struct http_conn *c, size_t need)
{
    struct http_server *s = c->srv;

    while (s->buffered + need > s->cfg.max_buffered) {
        struct http_conn *victim = NULL;
        for (struct http_link *k = s->timers[HTTP_TL_REQ].head; k; k = k->next) {
            if (k->conn != c && k->conn->state == HTTP_ST_BODY && k->conn->body.len > 0) {
                victim = k->conn;
                break;
            }
        }
        if (!victim)
            return false;
        log_info("http: request bodies over %zu bytes, shedding the slowest client=%s",
                 s->cfg.max_buffered, victim->client_ip);
        s->stats.shed_total++;
        http_conn_close(victim);
    }
    s->buffered += need;
    c->counted += need;
    return true;
}

static enum step body_start(struct http_conn *c)
{
    const struct http_config *cfg = &c->srv->cfg;
    char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

    if (c->head.has_length && c->head.length > cfg->max_body)
        return refuse(c, 413, "request body exceeds %zu bytes", cfg->max_body);
    if (!c->head.chunked && c->head.length == 0)
        return dispatch(c);
    if (!c->head.chunked) {
        c->body_left = c->head.length;
        if (!budget_take(c, (size_t)c->head.length))
            return refuse(c, 503, "server busy: too many request bodies in progress");
        c->srv->buffered -= (size_t)c->head.length; /* room made; counted as it arrives */
        c->counted -= (size_t)c->head.length;
        /* memory follows the bytes that come, not the length announced */
        size_t first = c->head.length < BODY_KEEP_MAX ? (size_t)c->head.length : BODY_KEEP_MAX;
        if (buf_reserve(&c->body, first) < 0)
            return refuse(c, 503, "out of memory");
    } else {
        c->chunked = (struct http_chunked){0};
    }
    c->state = HTTP_ST_BODY;
    if (c->head.expect_continue && c->in.len == c->head.end) {
        struct iovec iov = {cont, sizeof(cont) - 1};
        (void)c->tr->send(c, &iov, 1); /* the socket is empty: 25 bytes fit */
    }
    return STEP_AGAIN;
}

static enum step on_head_bytes(struct http_conn *c)
{
    const struct http_config *cfg = &c->srv->cfg;
    char msg[200];

    if (c->state == HTTP_ST_IDLE) {
        size_t skip = 0;
        while (skip + 1 < c->in.len && c->in.data[skip] == '\r' && c->in.data[skip + 1] == '\n')
            skip += 2; /* empty lines before a request line are ignored (RFC 9112 §2.2) */
        if (skip) {
            memmove(c->in.data, c->in.data + skip, c->in.len - skip);
            c->in.len -= skip;
        }
        if (c->in.len == 0 || (c->in.len == 1 && c->in.data[0] == '\r'))
            return STEP_INPUT;
        begin_request(c);
    }
    ssize_t end = http_head_end(c->in.data, c->in.len, &c->scan);
    if (end < 0)
        return refuse(c, 400, "request line and header lines must end with CRLF, got a bare LF");
    if (end == 0 && c->in.len <= cfg->max_header)
        return STEP_INPUT;
    if (end == 0 || (size_t)end > cfg->max_header)
        return refuse(c, 431, "request header exceeds %zu bytes", cfg->max_header);
    new_request_id(c);
    int status = http_head_parse(c->in.data, (uint32_t)end, &c->head, msg, sizeof(msg));
    if (status)
        return refuse(c, status, "%s", msg);
    c->have_head = true;
    c->bytes_in += (uint64_t)end;
    c->head_only = !strcmp(c->head.method, "HEAD");
    return body_start(c);
}

static void drop_input(struct http_conn *c, size_t at, size_t n)
{
    memmove(c->in.data + at, c->in.data + at + n, c->in.len - at - n);
    c->in.len -= n;
    c->in.data[c->in.len] = '\0';
}

static enum step on_body_bytes(struct http_conn *c)
{
    struct http_server *s = c->srv;
    size_t at = c->head.end, avail = c->in.len - at, before = c->body.len;
    char msg[160];
    bool done;

    if (avail == 0)
        return STEP_INPUT;
    if (!c->head.chunked) {
        size_t n = avail < c->body_left ? avail : (size_t)c->body_left;
        if (!budget_take(c, n))
            return refuse(c, 503, "server busy: too many request bodies in progress");
        if (buf_append(&c->body, c->in.data + at, n) < 0)
            return refuse(c, 503, "out of memory");
        c->body_left -= n;
        c->bytes_in += n;
        drop_input(c, at, n);
        return c->body_left ? STEP_INPUT : dispatch(c);
    }
    ssize_t r = http_chunked_feed(&c->chunked, c->in.data + at, avail, &c->body,
                                  s->cfg.max_body, s->cfg.max_header, &done, msg, sizeof(msg));
    if (r == -EFBIG)
        return refuse(c, 413, "request body exceeds %zu bytes", s->cfg.max_body);
    if (r == -ENOMEM)
        return refuse(c, 503, "out of memory");
    if (r < 0)
        return refuse(c, 400, "%s", msg);
    c->bytes_in += (uint64_t)r;
    drop_input(c, at, (size_t)r);
    if (!budget_take(c, c->body.len - before))
        return refuse(c, 503, "server busy: too many request bodies in progress");
    return done ? dispatch(c) : STEP_INPUT;
}

/* Reads what the socket has (one chunk). */
static enum step fill(struct http_conn *c)
{
    if (!c->readable)
        return STEP_BLOCKED;
    if (buf_reserve(&c->in, c->state == HTTP_ST_BODY ? READ_CHUNK : HEAD_CHUNK) < 0)
        return refuse(c, 503, "out of memory");
    size_t room = c->in.cap - c->in.len - 1;
    ssize_t n = c->tr->recv(c, c->in.data + c->in.len, room);
    /* A short read emptied the socket: bytes arriving later raise a new edge, so no read that
     * would only say EAGAIN is needed (one syscall less per request). Not once the peer has
     * closed its side: that edge is spent, the end of stream must be read. */
    if (n > 0 && (size_t)n < room && !c->peer_closed)
        c->readable = false;
    if (n == -EAGAIN) {
        c->readable = false;
        return STEP_BLOCKED;
    }
    if (n <= 0) {
        /* end of stream or error: an unfinished request cannot be answered */
        if (c->state != HTTP_ST_IDLE || c->in.len)
            log_debug("http: client=%s closed mid-request", c->client_ip);
        http_conn_close(c);
        return STEP_CLOSED;
    }
    c->in.len += (size_t)n;
    c->in.data[c->in.len] = '\0';
    return STEP_AGAIN;
}

/* After a refusal: drop what the client still sends until it closes or the linger ends. */
static enum step linger_read(struct http_conn *c)
{
    while (c->readable) {
        if (buf_reserve(&c->in, HEAD_CHUNK) < 0) {
            http_conn_close(c);
            return STEP_CLOSED;
        }
        ssize_t n = c->tr->recv(c, c->in.data, c->in.cap - 1);
        if (n == -EAGAIN) {
            c->readable = false;
            break;
        }
        c->body_left += n > 0 ? (uint64_t)n : 0;
        if (n <= 0 || c->body_left > LINGER_DISCARD_MAX) {
            http_conn_close(c);
            return STEP_CLOSED;
        }
    }
    return STEP_BLOCKED;
}

void http_conn_advance(struct http_conn *c)
{
    unsigned served = 0;

    for (;;) {
        enum step r;

        if (c->state == HTTP_ST_IDLE && served >= REQUESTS_PER_TURN) {
            http_ready_push(c->srv, c); /* fairness: the rest next turn */
            return;
        }
        switch (c->state) {
        case HTTP_ST_IDLE:
        case HTTP_ST_HEAD:
            r = on_head_bytes(c);
            break;
        case HTTP_ST_BODY:
            r = on_body_bytes(c);
            break;
        case HTTP_ST_WRITING:
            r = write_out(c);
            if (r == STEP_AGAIN)
                served++;
            break;
        case HTTP_ST_LINGER:
            r = linger_read(c);
            break;
        default: /* HANDLING, DEAD */
            return;
        }
        if (r == STEP_INPUT)
            r = fill(c);
        if (r == STEP_BLOCKED || r == STEP_CLOSED)
            return;
    }
}

void http_conn_on_event(struct http_conn *c, uint32_t events)
{
    if (c->state == HTTP_ST_DEAD)
        return;
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR) || c->tr->any_event_reads)
        c->readable = true; /* a read tells end of stream or the error */
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        c->peer_closed = true;
    if ((events & (EPOLLHUP | EPOLLERR)) && c->state == HTTP_ST_HANDLING) {
        http_conn_orphan(c);
        return;
    }
    http_conn_advance(c);
}

/* ---- accept --------------------------------------------------------------------------- */

int http_conn_accepted(struct http_server *s, int fd, const char *client_ip,
                       struct http_client *client)
{
    struct http_conn *c = calloc(1, sizeof(*c));
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET};

    if (!c)
        return -ENOMEM;
    c->srv = s;
    c->tr = &http_plain_transport;
    c->fd = fd;
    c->priv.conn = c;
    c->pending.conn = c;
    c->client = client;
    c->readable = true;
    snprintf(c->client_ip, sizeof(c->client_ip), "%s", client_ip);
    ev.data.ptr = c;
    if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int e = errno;
        free(c);
        return -e;
    }
    if (s->tls && http_tls_attach(s->tls, c) < 0) {
        (void)epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
        free(c);
        return -ENOMEM;
    }
    c->link.conn = c->tlink.conn = c;
    http_list_append(&s->all, &c->link);
    s->n_conns++;
    s->stats.connections_total++;
    c->state = HTTP_ST_IDLE;
    http_timer_set(s, c, s->tls ? HTTP_TL_HANDSHAKE : HTTP_TL_IDLE);
    http_ready_push(s, c); /* bytes may already be there */
    return 0;
}

/* ---- the request API ------------------------------------------------------------------- */

static struct http_conn *conn_of(const struct http_request *req)
{
    return req && req->priv ? req->priv->conn : NULL;
}

const char *http_request_header(const struct http_request *req, const char *name)
{
    struct http_conn *c = conn_of(req);

    if (!c || !c->have_head)
        return NULL;
    for (unsigned i = 0; i < c->head.n_headers; i++) {
        if (!strcasecmp(c->in.data + c->head.headers[i].name, name))
            return c->in.data + c->head.headers[i].value;
    }
    return NULL;
}

int http_request_foreach_header(const struct http_request *req,
                                int (*cb)(void *ud, const char *name, const char *value), void *ud)
{
    struct http_conn *c = conn_of(req);

    if (!c || !c->have_head)
        return 0;
    for (unsigned i = 0; i < c->head.n_headers; i++) {
        int r = cb(ud, c->in.data + c->head.headers[i].name,
                   c->in.data + c->head.headers[i].value);
        if (r)
            return r;
    }
    return 0;
}

struct http_pending *http_request_defer(const struct http_request *req)
{
    struct http_conn *c = conn_of(req);

    if (!c || c->state != HTTP_ST_HANDLING || c->deferred || c->drop)
        return NULL;
    c->deferred = true;
    return &c->pending;
}

void http_request_note(const struct http_request *req, unsigned tag, const char *principal)
{
    struct http_conn *c = conn_of(req);

    if (!c)
        return;
    c->tag = tag;
    if (principal)
        snprintf(c->principal, sizeof(c->principal), "%s", principal);
}

void http_request_drop(const struct http_request *req)
{
    struct http_conn *c = conn_of(req);

    if (c && c->state == HTTP_ST_HANDLING)
        c->drop = true;
}

const struct http_request *http_pending_request(const struct http_pending *p)
{
    return &p->conn->req;
}

bool http_pending_client_gone(const struct http_pending *p)
{
    return p->conn->gone;
}

/* Completes a deferred request: resp is sent, or (NULL) the connection is dropped; a request
 * whose client went away only has memory to free. */
static void pending_finish(struct http_pending *p, struct http_response *resp)
{
    struct http_conn *c = p->conn;
    struct http_server *s = c->srv;

    c->deferred = false;
    if (!c->gone) {
        if (!resp) {
            abort_conn(c);
            return;
        }
        start_response(c, resp, false);
        http_ready_push(s, c); /* written by the loop, on its next turn */
        return;
    }
    c->status = resp ? resp->status : 0;
    if (resp)
        buf_free(&resp->body);
    end_request(c);
    http_list_remove(&s->orphans, &c->link);
    c->state = HTTP_ST_DEAD;
    c->dead_next = s->dead;
    s->dead = c;
}

void http_pending_complete(struct http_pending *p, struct http_response *resp)
{
    pending_finish(p, resp);
}

void http_pending_drop(struct http_pending *p)
{
    pending_finish(p, NULL);
}
