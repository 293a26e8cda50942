/* http/server.c: server lifecycle and the event loop.
 *
 * MHD runs in "external epoll" mode: no thread of its own. http_server_run polls MHD's epoll fd
 * (poll(), so MHD's edge-triggered events stay MHD's), calls MHD_run, then enforces the request
 * deadline and calls tick. Everything, handlers included, runs on the caller's thread.
 *
 * Protections and where they live:
 *   idle timeout        MHD_OPTION_CONNECTION_TIMEOUT (whole seconds, rounded up)
 *   request deadline    deadline_sweep() below: shutdown() of connections whose current
 *                       request has not fully arrived within request_deadline_ms
 *   connection limits   MHD_OPTION_CONNECTION_LIMIT, MHD_OPTION_PER_IP_CONNECTION_LIMIT
 *   header size         MHD's memory pool (gross floods) + exact check in conn.c (431)
 *   body size, framing  conn.c (413, 400, 501 through on_error)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http_int.h"
#include "util/ids.h"
#include "util/log.h"

#define LOOP_MAX_WAIT_MS 500 /* upper bound on one poll(), so *stop is seen even without EINTR */
#define POOL_SLACK 8192 /* MHD pool beyond max_header: parsed headers, response head */

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
    };
}

/* Appends c at the tail: its waiting_since is now, the newest. */
void http_conn_link(struct http_server *s, struct http_conn *c)
{
    c->next = NULL;
    c->prev = s->tail;
    if (s->tail)
        s->tail->next = c;
    else
        s->head = c;
    s->tail = c;
}

void http_conn_unlink(struct http_server *s, struct http_conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        s->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        s->tail = c->prev;
    c->prev = c->next = NULL;
}

static int check_config(const struct http_config *cfg, char *errbuf, size_t errlen)
{
    const char *bad = NULL;

    if (!cfg->listen)
        bad = "listen: is required";
    else if (cfg->max_header < 256 || cfg->max_header > 1024 * 1024)
        bad = "max_header: must be from 256 to 1048576";
    else if (cfg->max_body > SIZE_MAX / 2)
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

static void _printf_(2, 0) on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct http_server *s = cls;

    /* MHD's messages name no header values; keep the last one for start-up errors */
    vsnprintf(s->mhd_error, sizeof(s->mhd_error), fmt, ap);
    size_t n = strlen(s->mhd_error);
    while (n > 0 && (s->mhd_error[n - 1] == '\n' || s->mhd_error[n - 1] == '.'))
        s->mhd_error[--n] = '\0';
    log_debug("http: mhd: %s", s->mhd_error);
}

static int start_mhd(struct http_server *s, char *errbuf, size_t errlen)
{
    const struct http_config *cfg = &s->cfg;
    unsigned idle_s = (cfg->idle_timeout_ms + 999) / 1000;
    size_t pool = cfg->max_header + POOL_SLACK;
    const union MHD_DaemonInfo *info;

    s->mhd = MHD_start_daemon(
        MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ERROR_LOG, 0, NULL, NULL, http_on_access, s,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, (void *)s, MHD_OPTION_LISTEN_SOCKET,
        (MHD_socket)s->listen_fd, MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_per_client, MHD_OPTION_CONNECTION_TIMEOUT,
        idle_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool, MHD_OPTION_URI_LOG_CALLBACK, http_on_uri,
        (void *)s, MHD_OPTION_UNESCAPE_CALLBACK, http_on_unescape, (void *)s,
        MHD_OPTION_NOTIFY_CONNECTION, http_on_connection, (void *)s, MHD_OPTION_NOTIFY_COMPLETED,
        http_on_completed, (void *)s, MHD_OPTION_END);
    if (!s->mhd) {
        /* whether MHD closed the socket it was given on failure differs between versions */
        if (fcntl(s->listen_fd, F_GETFD) < 0)
            s->listen_fd = -1;
        snprintf(errbuf, errlen, "cannot start HTTP server on %s: %s", s->address,
                 s->mhd_error[0] ? s->mhd_error : "libmicrohttpd refused the options");
        return -EIO;
    }
    s->listen_fd = -1; /* MHD's now: closed by MHD_stop_daemon, or returned by quiesce */
    info = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
    if (!info || info->epoll_fd < 0) {
        snprintf(errbuf, errlen, "cannot start HTTP server: no epoll descriptor");
        return -EIO;
    }
    s->epoll_fd = info->epoll_fd;
    return 0;
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
    r = check_config(cfg, errbuf, errlen);
    if (r < 0)
        return r;
    s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(errbuf, errlen, "http: out of memory");
        return -ENOMEM;
    }
    s->cfg = *cfg;
    s->cfg.listen = NULL;
    s->handler = handler;
    s->on_error = on_error;
    s->tick = tick;
    s->ud = ud;
    s->listen_fd = s->epoll_fd = -1;
    r = http_listen_open(cfg->listen, &s->listen_fd, s->address, sizeof(s->address), errbuf,
                         errlen);
    if (r == 0) {
        raise_nofile(cfg->max_connections);
        r = start_mhd(s, errbuf, errlen);
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

/* Shuts down connections whose current request is overdue. The list is ordered by
 * waiting_since, so the walk stops at the first live connection not yet due (the few exempt or
 * already shut ones before it are skipped). Returns the next due time, INT64_MAX if none. */
static int64_t deadline_sweep(struct http_server *s, int64_t now)
{
    for (struct http_conn *c = s->head; c; c = c->next) {
        if (c->answering || c->shut)
            continue;
        int64_t due = c->waiting_since + (int64_t)s->cfg.request_deadline_ms;
        if (due > now)
            return due;
        /* MHD sees EOF on its next run and closes the connection itself */
        (void)shutdown(c->fd, SHUT_RDWR);
        c->shut = true;
        log_debug("http: request deadline passed, closing client=%s", c->client_ip);
    }
    return INT64_MAX;
}

static int wait_ms(struct http_server *s, int64_t now, int64_t next_due, int64_t next_tick)
{
    int64_t w = s->draining ? s->drain_end - now : LOOP_MAX_WAIT_MS;

    if (w > LOOP_MAX_WAIT_MS)
        w = LOOP_MAX_WAIT_MS;
    MHD_UNSIGNED_LONG_LONG t;

    /* at max_connections MHD takes its listener out of the epoll set and puts it back only at
     * the start of a run: after a close, run again at once so waiting clients are accepted */
    if (s->run_again) {
        s->run_again = false;
        return 0;
    }
    if (MHD_get_timeout(s->mhd, &t) == MHD_YES && t < (MHD_UNSIGNED_LONG_LONG)w)
        w = (int64_t)t;
    if (next_due - now < w)
        w = next_due - now;
    if (s->tick && s->cfg.tick_ms && next_tick - now < w)
        w = next_tick - now;
    return w < 0 ? 0 : (int)w;
}

/* One loop turn: wait for MHD's sockets (or a timer), run MHD, then deadlines and tick. */
static int serve_once(struct http_server *s, int64_t *next_due, int64_t *next_tick)
{
    struct pollfd p = {.fd = s->epoll_fd, .events = POLLIN};
    int64_t now = ids_mono_ms();

    enum MHD_Result ran;

    (void)poll(&p, 1, wait_ms(s, now, *next_due, *next_tick)); /* EINTR: a signal, go on */
    if (s->turn)
        s->turn(s->ud, true);
    ran = MHD_run(s->mhd);
    if (s->turn)
        s->turn(s->ud, false);
    if (ran != MHD_YES) {
        log_error("http: event loop failed: %s", s->mhd_error[0] ? s->mhd_error : "MHD_run");
        return -EIO;
    }
    now = ids_mono_ms();
    /* between MHD_run calls every listed fd is still open: CLOSED comes before MHD's close() */
    *next_due = deadline_sweep(s, now);
    if (s->tick && s->cfg.tick_ms && now >= *next_tick) {
        s->tick(s->ud);
        *next_tick = now + s->cfg.tick_ms;
    }
    return 0;
}

/* Stops accepting: MHD hands the listening socket back and we close it, so new connects are
 * refused by the kernel instead of waiting in the backlog. */
static void stop_accepting(struct http_server *s)
{
    MHD_socket fd = MHD_quiesce_daemon(s->mhd);

    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    s->draining = true;
}

/* While draining: a client that closed its side in the middle of sending a request will never
 * finish it. MHD notices such a close only when its (edge-triggered) epoll reports the socket
 * again, which it may not if the FIN came in with the last bytes it read; a peek finds it, and
 * shutdown() makes MHD see the end on its next run, so the drain does not wait for nothing. */
static void drain_sweep(struct http_server *s)
{
    for (struct http_conn *c = s->head; c; c = c->next) {
        char byte;

        if (!c->in_request || c->answering || c->shut || c->fd < 0)
            continue;
        if (recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0) {
            (void)shutdown(c->fd, SHUT_RDWR);
            c->shut = true;
            s->run_again = true;
            log_debug("http: client closed mid-request while draining, client=%s", c->client_ip);
        }
    }
}

int http_server_run(struct http_server *s, volatile sig_atomic_t *stop)
{
    int64_t now = ids_mono_ms();
    int64_t next_due = now, next_tick = now + s->cfg.tick_ms;
    int r = 0;

    if (!s->mhd)
        return -EINVAL; /* already ran */
    while (!*stop && r == 0)
        r = serve_once(s, &next_due, &next_tick);
    if (r < 0)
        return r;
    stop_accepting(s);
    log_info("http: stopped accepting, draining in_flight=%zu", s->in_flight);
    s->drain_end = ids_mono_ms() + s->cfg.drain_ms;
    while (s->in_flight > 0 && ids_mono_ms() < s->drain_end && r == 0) {
        drain_sweep(s);
        r = serve_once(s, &next_due, &next_tick);
    }
    if (s->in_flight > 0)
        log_warn("http: drain time over, dropping in_flight=%zu", s->in_flight);
    MHD_stop_daemon(s->mhd); /* closes what is left; CLOSED notifications free our state */
    s->mhd = NULL;
    return r;
}

void http_server_free(struct http_server *s)
{
    if (!s)
        return;
    if (s->mhd)
        MHD_stop_daemon(s->mhd);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    free(s);
}

void http_server_set_turn(struct http_server *s, http_turn_fn turn)
{
    s->turn = turn;
}
