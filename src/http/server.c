/* http/server.c: server lifecycle, the event loop, accepting, timers and slot pressure.
 *
 * One epoll set: the listener (level-triggered) and every connection (edge-triggered, in and
 * out). A loop turn waits (at most LOOP_MAX_WAIT_MS, less when a timer or the tick is due),
 * hands the ready sockets to conn.c between turn(true) and turn(false), then serves the
 * owner's other descriptors and timers (watch.c), frees what was closed, closes what is overdue
 * and calls tick. Everything, handlers included, runs on the caller's thread.
 *
 * Protections and where they live:
 *   framing, head syntax  head.c, chunked.c (400/431/501/505 through on_error)
 *   body size, budget     conn.c (413; 503 and shedding of the slowest body past max_buffered)
 *   idle timeout          timer list IDLE (and SEND: a client that stops reading a response)
 *   request deadline      timer list REQ: from the first byte of a request, plus one second
 *                         per BODY_MIN_RATE body bytes received
 *   slot pressure         both timeouts shrink linearly once more than half of
 *                         max_connections are in use, down to IDLE_FLOOR_MS and
 *                         REQUEST_FLOOR_MS when full; the lists are ordered by waiting time,
 *                         so the connections that have waited longest go first
 *   connection limits     accept_some(): at max_connections the listener leaves the epoll set
 *                         (clients wait in the kernel's backlog); max_per_client per address
 */
#include <arpa/inet.h>
#include <errno.h>
#include <http_parser.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/http_int.h"
#include "util/ids.h"
#include "util/log.h"

#define LOOP_MAX_WAIT_MS 500 /* upper bound on one wait, so *stop is seen even without EINTR */
#define MAX_EVENTS 256
#define ACCEPTS_PER_TURN 64
#define IDLE_FLOOR_MS 400      /* idle timeout when every slot is in use */
#define REQUEST_FLOOR_MS 1000  /* request deadline when every slot is in use */
#define LINGER_MS 2000         /* after a refusal, at most this long for the client to close */
#define BODY_MIN_RATE 8192     /* body bytes per second that earn a second of deadline */
#define ACCEPT_RETRY_MS 100    /* out of descriptors: accept again after this */
#define DEFAULT_MAX_BUFFERED ((size_t)64 << 20)

void http_config_defaults(struct http_config *cfg)
{
    *cfg = (struct http_config){
        .listen = "127.0.0.1:8080",
        .max_body = 1024 * 1024,
        .max_header = 8 * 1024,
        .idle_timeout_ms = 30000,
        .request_deadline_ms = 60000,
        .max_connections = 1000,
        .max_per_client = 100,
        .drain_ms = 10000,
        .tick_ms = 0,
        .max_buffered = DEFAULT_MAX_BUFFERED,
    };
}

int64_t http_mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- lists ------------------------------------------------------------------------------ */

void http_list_append(struct http_list *l, struct http_link *k)
{
    k->next = NULL;
    k->prev = l->tail;
    if (l->tail)
        l->tail->next = k;
    else
        l->head = k;
    l->tail = k;
}

void http_list_remove(struct http_list *l, struct http_link *k)
{
    if (k->prev)
        k->prev->next = k->next;
    else
        l->head = k->next;
    if (k->next)
        k->next->prev = k->prev;
    else
        l->tail = k->prev;
    k->prev = k->next = NULL;
}

void http_timer_set(struct http_server *s, struct http_conn *c, enum http_timer t)
{
    if (c->timer != HTTP_TL_NONE)
        http_list_remove(&s->timers[c->timer], &c->tlink);
    c->timer = t;
    if (t == HTTP_TL_NONE)
        return;
    c->since = ids_mono_ms();
    http_list_append(&s->timers[t], &c->tlink);
}

void http_ready_push(struct http_server *s, struct http_conn *c)
{
    if (c->on_ready || c->state == HTTP_ST_DEAD)
        return;
    c->on_ready = true;
    c->ready_next = s->ready;
    s->ready = c;
}

/* ---- clients (max_per_client) ------------------------------------------------------------ */

static size_t client_bucket(const struct http_server *s, const unsigned char key[16])
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (int i = 0; i < 16; i++)
        h = (h ^ key[i]) * 1099511628211ULL;
    return (size_t)h & (s->n_buckets - 1);
}

static struct http_client *client_get(struct http_server *s, const unsigned char key[16])
{
    size_t b = client_bucket(s, key);

    for (struct http_client *cl = s->clients[b]; cl; cl = cl->next) {
        if (!memcmp(cl->addr, key, 16))
            return cl;
    }
    struct http_client *cl = calloc(1, sizeof(*cl));
    if (!cl)
        return NULL;
    memcpy(cl->addr, key, 16);
    cl->next = s->clients[b];
    s->clients[b] = cl;
    return cl;
}

static void client_put(struct http_server *s, struct http_client *cl)
{
    if (!cl || --cl->count > 0)
        return;
    for (struct http_client **p = &s->clients[client_bucket(s, cl->addr)]; *p; p = &(*p)->next) {
        if (*p == cl) {
            *p = cl->next;
            free(cl);
            return;
        }
    }
}

void http_slot_released(struct http_server *s, struct http_conn *c)
{
    http_list_remove(&s->all, &c->link);
    s->n_conns--;
    client_put(s, c->client);
    c->client = NULL;
}

/* ---- accepting --------------------------------------------------------------------------- */

static void set_listening(struct http_server *s, bool on)
{
    struct epoll_event ev = {.events = on ? EPOLLIN : 0, .data.ptr = s};

    if (s->listening == on || s->listen_fd < 0)
        return;
    if (epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, s->listen_fd, &ev) == 0)
        s->listening = on;
}

/* The peer as a 16-byte key (IPv4 mapped into IPv6) and as text. */
static void peer_key(const struct sockaddr_storage *ss, unsigned char key[16], char *text,
                     size_t textlen)
{
    memset(key, 0, 16);
    snprintf(text, textlen, "?");
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &a->sin_addr, 4);
        inet_ntop(AF_INET, &a->sin_addr, text, (socklen_t)textlen);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        memcpy(key, &a->sin6_addr, 16);
        inet_ntop(AF_INET6, &a->sin6_addr, text, (socklen_t)textlen);
    }
}

static void accept_one(struct http_server *s, int fd, const struct sockaddr_storage *ss)
{
    const int one = 1;
    unsigned char key[16];
    char ip[INET6_ADDRSTRLEN];
    struct http_client *cl;

    peer_key(ss, key, ip, sizeof(ip));
    cl = client_get(s, key);
    if (!cl || cl->count >= s->cfg.max_per_client) {
        s->stats.refused_total++;
        log_debug("http: client=%s over max_per_client=%u, closing", ip, s->cfg.max_per_client);
        close(fd);
        if (cl && cl->count == 0) {
            cl->count = 1;
            client_put(s, cl);
        }
        return;
    }
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    cl->count++;
    if (http_conn_accepted(s, fd, ip, cl) < 0) {
        close(fd);
        client_put(s, cl);
    }
}

static void accept_some(struct http_server *s)
{
    for (int i = 0; i < ACCEPTS_PER_TURN; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);

        if (s->n_conns >= s->cfg.max_connections) {
            set_listening(s, false); /* back in when a slot frees */
            return;
        }
        int fd = accept4(s->listen_fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                log_warn("http: cannot accept: %s", strerror(errno));
                set_listening(s, false);
                s->accept_retry = ids_mono_ms() + ACCEPT_RETRY_MS;
            }
            return; /* EAGAIN, or an aborted connection: the next turn goes on */
        }
        accept_one(s, fd, &ss);
    }
}

/* ---- timers ---------------------------------------------------------------------------- */

/* base, shrunk linearly from full at half occupancy to floor when every slot is in use. */
static int64_t under_pressure(const struct http_server *s, unsigned base, unsigned floor)
{
    size_t max = s->cfg.max_connections, half = max / 2, n = s->n_conns;

    if (floor > base)
        floor = base;
    if (n <= half)
        return base;
    if (n >= max)
        return floor;
    int64_t v = (int64_t)((uint64_t)base * (max - n) / (max - half));
    return v > floor ? v : floor;
}

static int64_t timeout_of(const struct http_server *s, enum http_timer t)
{
    switch (t) {
    case HTTP_TL_IDLE:
    case HTTP_TL_SEND:
        return under_pressure(s, s->cfg.idle_timeout_ms, IDLE_FLOOR_MS);
    case HTTP_TL_REQ:
        return under_pressure(s, s->cfg.request_deadline_ms, REQUEST_FLOOR_MS);
    case HTTP_TL_HANDSHAKE:
        return under_pressure(s,
                              s->cfg.request_deadline_ms < HTTP_TLS_HANDSHAKE_MS
                                  ? s->cfg.request_deadline_ms
                                  : HTTP_TLS_HANDSHAKE_MS,
                              REQUEST_FLOOR_MS);
    default:
        return s->cfg.idle_timeout_ms < LINGER_MS ? s->cfg.idle_timeout_ms : LINGER_MS;
    }
}

/* Closes what is overdue. Every list is ordered by `since`, so its walk stops at the first
 * connection not yet due; only a request whose body earned extra time is stepped over.
 * Returns the next due time. */
static int64_t sweep(struct http_server *s, int64_t now)
{
    int64_t next = INT64_MAX;

    for (int t = HTTP_TL_IDLE; t < HTTP_TL_COUNT; t++) {
        int64_t tmo = timeout_of(s, (enum http_timer)t);
        struct http_link *k = s->timers[t].head, *following;

        for (; k; k = following) {
            struct http_conn *c = k->conn;
            int64_t due = c->since + tmo;
            following = k->next;
            if (due > now) {
                next = due < next ? due : next;
                break;
            }
            if (t == HTTP_TL_REQ && c->state == HTTP_ST_BODY) {
                int64_t credit = (int64_t)(c->bytes_in * 1000 / BODY_MIN_RATE);
                if (due + credit > now) {
                    next = due + credit < next ? due + credit : next;
                    continue;
                }
            }
            http_conn_timed_out(c);
        }
    }
    return next;
}

/* ---- lifecycle --------------------------------------------------------------------------- */

int http_config_check(const struct http_config *cfg, char *errbuf, size_t errlen)
{
    const char *bad = NULL;

    if (!cfg->listen)
        bad = "listen: is required";
    else if (cfg->max_header < 256 || cfg->max_header > 1024 * 1024)
        bad = "max_header: must be from 256 to 1048576";
    else if (cfg->max_body > SIZE_MAX / 4)
        bad = "max_body: is too large";
    else if (!cfg->idle_timeout_ms || !cfg->request_deadline_ms)
        bad = "idle_timeout_ms, request_deadline_ms: must be at least 1";
    else if (!cfg->max_connections || !cfg->max_per_client)
        bad = "max_connections, max_per_client: must be at least 1";
    if (!bad)
        return 0;
    snprintf(errbuf, errlen, "http.%s", bad);
    return -EINVAL;
}

/* Each connection is a descriptor: make sure max_connections of them fit under RLIMIT_NOFILE. */
static void raise_nofile(unsigned max_connections)
{
    struct rlimit rl;
    rlim_t need = (rlim_t)max_connections + 64;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? need : rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur < need)
        log_warn("http: open-file limit %llu is below max_connections + 64 = %llu",
                 (unsigned long long)rl.rlim_cur, (unsigned long long)need);
}

static int open_loop(struct http_server *s, char *errbuf, size_t errlen)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
    size_t n = 64;

    while (n < s->cfg.max_connections)
        n *= 2;
    s->n_buckets = n;
    s->clients = calloc(n, sizeof(*s->clients));
    s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (!s->clients || s->epoll_fd < 0 ||
        epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->listen_fd, &ev) < 0) {
        snprintf(errbuf, errlen, "cannot start HTTP server on %s: %s", s->address,
                 s->clients ? strerror(errno) : "out of memory");
        return s->clients ? -EIO : -ENOMEM;
    }
    s->listening = true;
    return 0;
}

/* The limits of cfg as the server keeps them (all but listen, drain_ms and tick_ms, which the
 * caller sets once). */
static void set_limits(struct http_server *s, const struct http_config *cfg)
{
    s->cfg.max_body = cfg->max_body;
    s->cfg.max_header = cfg->max_header;
    /* whole seconds, as the idle timeout always was (clients tuned their keep-alive to it) */
    s->cfg.idle_timeout_ms = (cfg->idle_timeout_ms + 999) / 1000 * 1000;
    s->cfg.request_deadline_ms = cfg->request_deadline_ms;
    s->cfg.max_connections = cfg->max_connections;
    s->cfg.max_per_client = cfg->max_per_client;
    s->cfg.max_buffered = cfg->max_buffered ? cfg->max_buffered : DEFAULT_MAX_BUFFERED;
}

static void set_config(struct http_server *s, const struct http_config *cfg)
{
    s->cfg = *cfg;
    s->cfg.listen = NULL;
    set_limits(s, cfg);
}

int http_server_set_limits(struct http_server *s, const struct http_config *cfg, char *errbuf,
                           size_t errlen)
{
    struct http_config check = *cfg;

    check.listen = "-";
    int r = http_config_check(&check, errbuf, errlen);
    if (r < 0)
        return r;
    if (cfg->max_connections != s->cfg.max_connections)
        raise_nofile(cfg->max_connections);
    set_limits(s, cfg);
    /* a lower max_connections takes effect as slots free; the listener is re-armed by the
     * loop once n_conns is below it again */
    s->next_due = 0; /* timers are swept with the new timeouts at the next turn */
    return 0;
}

void http_server_stats(const struct http_server *s, struct http_stats *ret)
{
    *ret = s->stats;
    ret->connections_open = s->n_conns;
    ret->requests_in_flight = s->in_flight;
    ret->buffered_bytes = s->buffered;
}

int http_server_set_tls(struct http_server *s, struct http_tls *t)
{
    if (s->tls_locked && (!s->tls || !t))
        return -EINVAL;
    http_tls_free(s->tls);
    s->tls = t;
    return 0;
}

bool http_server_is_tls(const struct http_server *s)
{
    return s->tls != NULL;
}

const struct http_tls *http_server_tls(const struct http_server *s)
{
    return s->tls;
}

int http_server_new(const struct http_config *cfg, http_handler_fn handler, http_error_fn on_error,
                    http_tick_fn tick, void *ud, struct http_server **ret, char *errbuf,
                    size_t errlen)
{
    struct http_server *s;
    int r;

    if (!handler) {
        snprintf(errbuf, errlen, "http: a handler is required");
        return -EINVAL;
    }
    r = http_config_check(cfg, errbuf, errlen);
    if (r < 0)
        return r;
    s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(errbuf, errlen, "http: out of memory");
        return -ENOMEM;
    }
    set_config(s, cfg);
    s->handler = handler;
    s->on_error = on_error;
    s->tick = tick;
    s->ud = ud;
    s->listen_fd = s->epoll_fd = -1;
    /* the head is bounded by max_header before the parser sees it */
    http_parser_set_max_header_size(1024 * 1024 + 1024);
    r = http_listen_open(cfg->listen, &s->listen_fd, s->address, sizeof(s->address), errbuf,
                         errlen);
    if (r == 0) {
        raise_nofile(cfg->max_connections);
        r = open_loop(s, errbuf, errlen);
    }
    if (r < 0) {
        http_server_free(s);
        return r;
    }
    *ret = s;
    return 0;
}

const char *http_server_address(const struct http_server *s)
{
    return s->address;
}

static void free_dead(struct http_server *s)
{
    struct http_conn **p = &s->dead;

    while (*p) {
        struct http_conn *c = *p;
        if (c->on_ready) { /* still on the ready list: freed once it is off */
            p = &c->dead_next;
            continue;
        }
        *p = c->dead_next;
        http_conn_free(c);
    }
}

static int wait_ms(const struct http_server *s, int64_t now, int64_t next_tick)
{
    int64_t w = LOOP_MAX_WAIT_MS;

    if (s->ready)
        return 0;
    if (s->draining && s->drain_end - now < w)
        w = s->drain_end - now;
    if (s->next_due - now < w)
        w = s->next_due - now;
    if (s->tick && s->cfg.tick_ms && next_tick - now < w)
        w = next_tick - now;
    if (s->tick && s->tick_at && s->tick_at - now < w)
        w = s->tick_at - now;
    if (!s->listening && s->accept_retry && s->accept_retry - now < w)
        w = s->accept_retry - now;
    if (http_watch_next(s) - now < w)
        w = http_watch_next(s) - now;
    return w < 0 ? 0 : (int)w;
}

static void run_ready(struct http_server *s)
{
    struct http_conn *c = s->ready;

    s->ready = NULL;
    while (c) {
        struct http_conn *following = c->ready_next;
        c->on_ready = false;
        c->ready_next = NULL;
        if (c->state != HTTP_ST_DEAD)
            http_conn_advance(c);
        c = following;
    }
}

/* One loop turn: wait, serve the ready sockets, free, time out, tick. */
static int serve_once(struct http_server *s, int64_t *next_tick)
{
    struct epoll_event ev[MAX_EVENTS];
    int64_t now = ids_mono_ms();
    int n = epoll_wait(s->epoll_fd, ev, MAX_EVENTS, wait_ms(s, now, *next_tick));

    if (n < 0 && errno != EINTR) {
        log_error("http: event loop failed: %s", strerror(errno));
        return -EIO;
    }
    if (n > 0 || s->ready) {
        if (s->turn)
            s->turn(s->ud, true);
        for (int i = 0; i < n; i++) {
            if (ev[i].data.ptr == s)
                accept_some(s);
            else if (!http_watch_of(s, ev[i].data.ptr))
                http_conn_on_event(ev[i].data.ptr, ev[i].events);
        }
        run_ready(s);
        if (s->turn)
            s->turn(s->ud, false);
    }
    /* the watches' descriptors, outside the turn (their callbacks may write to the store) */
    for (int i = 0; i < n; i++) {
        struct http_watch *w = http_watch_of(s, ev[i].data.ptr);
        if (w && w->fd >= 0)
            w->fn(w->ud, ev[i].events);
    }
    now = ids_mono_ms();
    http_watch_timers(s, now);
    s->next_due = sweep(s, now);
    free_dead(s);
    if (!s->listening && s->n_conns < s->cfg.max_connections && now >= s->accept_retry) {
        s->accept_retry = 0;
        set_listening(s, true);
    }
    if (s->tick && s->tick_at && now >= s->tick_at) {
        s->tick_at = 0; /* the tick may ask for the next one */
        s->tick(s->ud);
    } else if (s->tick && s->cfg.tick_ms && now >= *next_tick) {
        s->tick(s->ud);
        *next_tick = now + s->cfg.tick_ms;
    }
    return 0;
}

/* Stops accepting (new connects are refused by the kernel instead of waiting in the backlog)
 * and closes the connections that have no request under way. */
static void stop_accepting(struct http_server *s)
{
    if (s->listen_fd >= 0) {
        (void)epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, s->listen_fd, NULL);
        close(s->listen_fd);
        s->listen_fd = -1;
        s->listening = false;
    }
    s->draining = true;
    for (struct http_link *k = s->all.head, *following; k; k = following) {
        following = k->next;
        if (!k->conn->in_flight)
            http_conn_close(k->conn);
    }
}

int http_server_run(struct http_server *s, volatile sig_atomic_t *stop)
{
    int64_t next_tick = ids_mono_ms() + s->cfg.tick_ms;
    int r = 0;

    if (s->running)
        return -EINVAL;
    s->running = true;
    s->tls_locked = true;
    while (!*stop && r == 0)
        r = serve_once(s, &next_tick);
    if (r < 0)
        return r;
    stop_accepting(s);
    log_info("http: stopped accepting, draining in_flight=%zu", s->in_flight);
    s->drain_end = ids_mono_ms() + s->cfg.drain_ms;
    while (s->in_flight > 0 && ids_mono_ms() < s->drain_end && r == 0)
        r = serve_once(s, &next_tick);
    if (s->in_flight > 0)
        log_warn("http: drain time over, dropping in_flight=%zu", s->in_flight);
    while (s->all.head) {
        struct http_conn *c = s->all.head->conn;
        if (c->state == HTTP_ST_HANDLING && c->deferred)
            http_conn_orphan(c); /* its owner may still complete it until http_server_free */
        else
            http_conn_close(c);
    }
    free_dead(s);
    return r;
}

void http_server_free(struct http_server *s)
{
    if (!s)
        return;
    while (s->all.head)
        http_conn_close(s->all.head->conn);
    s->ready = NULL;
    for (struct http_conn *c = s->dead; c; c = s->dead) {
        s->dead = c->dead_next;
        http_conn_free(c);
    }
    while (s->orphans.head) {
        struct http_conn *c = s->orphans.head->conn;
        http_list_remove(&s->orphans, &c->link);
        http_conn_free(c);
    }
    for (size_t i = 0; s->clients && i < s->n_buckets; i++) {
        while (s->clients[i]) {
            struct http_client *cl = s->clients[i];
            s->clients[i] = cl->next;
            free(cl);
        }
    }
    free(s->clients);
    for (size_t i = 0; i < HTTP_MAX_WATCHES; i++)
        http_watch_free(s->watches[i]);
    http_tls_free(s->tls);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->epoll_fd >= 0)
        close(s->epoll_fd);
    free(s);
}

void http_server_set_turn(struct http_server *s, http_turn_fn turn)
{
    s->turn = turn;
}

void http_server_set_access(struct http_server *s, http_access_fn fn)
{
    s->access = fn;
}

void http_server_tick_at(struct http_server *s, int64_t mono_ms)
{
    if (!s->tick_at || mono_ms < s->tick_at)
        s->tick_at = mono_ms;
}
