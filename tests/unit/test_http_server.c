/* Unit tests for http/: a real server on 127.0.0.1:0, run on a thread, spoken to over sockets.
 *
 * Every test starts its own server (small limits unless the test says otherwise) and its
 * teardown stops it the way main does: *stop = 1 and a signal to wake the loop. Client sockets
 * are registered with the fixture so a failing assertion still closes them.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "http/http.h"
#include "util/buf.h"
#include "util/ids.h"
#include "util/log.h"

#define WAIT_MS 3000 /* bound on every wait for the server */
#define MAX_FDS 16

struct fixture {
    struct http_server *srv;
    pthread_t thread;
    bool running;
    volatile sig_atomic_t stop;
    int run_ret;
    unsigned port;
    atomic_int ticks;
    int fds[MAX_FDS];
    size_t n_fds;
    bool no_on_error; /* start without an error callback */
    atomic_int turn_starts, turn_ends, in_turn, handled_in_turn; /* http_server_set_turn */
    struct http_pending *pending; /* /defer: completed by the tick once `release` is set */
    atomic_int release, gone_seen;
    atomic_int accesses; /* http_server_set_access: count, then the last one's fields */
    int access_status;
    unsigned long long access_in, access_out, access_usec;
    char access_method[16], access_path[64], access_id[40], access_ip[48];
};

/* ---- server side ---------------------------------------------------------------------- */

static int count_header(void *ud, const char *name, const char *value)
{
    (void)name;
    (void)value;
    (*(int *)ud)++;
    return 0;
}

/* Echoes what the handler was given; /empty answers 204, /allow 405 with Allow. */
static void handle(void *ud, const struct http_request *req, struct http_response *resp)
{
    const char *x_test = http_request_header(req, "x-test");
    struct fixture *f = ud;
    int n_headers = 0;

    if (atomic_load(&f->in_turn))
        atomic_fetch_add(&f->handled_in_turn, 1);
    if (!strcmp(req->path, "/defer")) {
        f->pending = http_request_defer(req);
        return;
    }
    if (!strcmp(req->path, "/drop")) {
        http_request_drop(req);
        return;
    }
    if (!strcmp(req->path, "/empty")) {
        resp->status = 204;
        return;
    }
    if (!strcmp(req->path, "/allow")) {
        resp->status = 405;
        resp->allow = "GET, POST";
        buf_puts(&resp->body, "{}");
        return;
    }
    http_request_foreach_header(req, count_header, &n_headers);
    resp->status = 200;
    buf_puts(&resp->body, "{\"method\":");
    buf_json_str(&resp->body, req->method);
    buf_puts(&resp->body, ",\"path\":");
    buf_json_str(&resp->body, req->path);
    buf_puts(&resp->body, ",\"query\":");
    buf_json_str(&resp->body, req->query);
    buf_printf(&resp->body, ",\"body_len\":%zu,\"nul_ok\":%s,\"body\":", req->body_len,
               strlen(req->body) == req->body_len ? "true" : "false");
    buf_json_str(&resp->body, req->body);
    buf_puts(&resp->body, ",\"x_test\":");
    buf_json_str(&resp->body, x_test ? x_test : "(none)");
    buf_printf(&resp->body, ",\"headers\":%d,\"client\":", n_headers);
    buf_json_str(&resp->body, req->client_ip);
    buf_puts(&resp->body, "}");
}

static void render_error(void *ud, const struct http_request *req, int status, const char *msg,
                         struct http_response *resp)
{
    (void)ud;
    (void)req;
    resp->status = status;
    buf_printf(&resp->body, "{\"status\":%d,\"msg\":", status);
    buf_json_str(&resp->body, msg);
    buf_puts(&resp->body, "}");
}

/* Completes a deferred /defer request once the test sets `release`: the body echoes what the
 * request still holds (path, X-Test), proving its memory outlived the handler call. */
static void count_tick(void *ud)
{
    struct fixture *f = ud;
    atomic_fetch_add(&f->ticks, 1);
    if (!f->pending)
        return;
    if (http_pending_client_gone(f->pending))
        atomic_store(&f->gone_seen, 1);
    if (!atomic_load(&f->release))
        return;
    const struct http_request *req = http_pending_request(f->pending);
    const char *x_test = http_request_header(req, "x-test");
    struct http_response resp = {.status = 202};
    buf_printf(&resp.body, "{\"deferred\":\"%s\",\"x_test\":\"%s\"}", req->path,
               x_test ? x_test : "(none)");
    http_pending_complete(f->pending, &resp);
    f->pending = NULL;
}

static void record_access(void *ud, const struct http_access *a)
{
    struct fixture *f = ud;

    f->access_status = a->status;
    f->access_in = (unsigned long long)a->bytes_in;
    f->access_out = (unsigned long long)a->bytes_out;
    f->access_usec = (unsigned long long)a->usec;
    snprintf(f->access_method, sizeof(f->access_method), "%s", a->method);
    snprintf(f->access_path, sizeof(f->access_path), "%s", a->path);
    snprintf(f->access_id, sizeof(f->access_id), "%s", a->request_id);
    snprintf(f->access_ip, sizeof(f->access_ip), "%s", a->client_ip);
    atomic_fetch_add(&f->accesses, 1);
}

static void count_turn(void *ud, bool start)
{
    struct fixture *f = ud;
    atomic_fetch_add(start ? &f->turn_starts : &f->turn_ends, 1);
    atomic_store(&f->in_turn, start);
}

static void *run_server(void *arg)
{
    struct fixture *f = arg;
    f->run_ret = http_server_run(f->srv, &f->stop);
    return NULL;
}

static void small_config(struct http_config *cfg)
{
    http_config_defaults(cfg);
    cfg->listen = "127.0.0.1:0";
    cfg->idle_timeout_ms = 300;
    cfg->request_deadline_ms = 800;
    cfg->max_body = 1024;
    cfg->max_header = 4096;
    cfg->max_per_client = 8;
    cfg->max_connections = 64;
    cfg->drain_ms = 3000;
    cfg->tick_ms = 20;
}

/* Creates the server without running it (fixture_run starts its thread). */
static void fixture_new(struct fixture *f, const struct http_config *cfg)
{
    char err[256] = "";
    const char *addr;

    assert_int_equal(http_server_new(cfg, handle, f->no_on_error ? NULL : render_error, count_tick,
                                     f, &f->srv, err, sizeof(err)),
                     0);
    http_server_set_turn(f->srv, count_turn);
    http_server_set_access(f->srv, record_access);
    addr = http_server_address(f->srv);
    assert_int_equal(strncmp(addr, "127.0.0.1:", 10), 0);
    f->port = (unsigned)strtoul(addr + 10, NULL, 10);
    assert_true(f->port > 0 && f->port < 65536);
}

static void fixture_run(struct fixture *f)
{
    assert_int_equal(pthread_create(&f->thread, NULL, run_server, f), 0);
    f->running = true;
}

static void fixture_start(struct fixture *f, const struct http_config *cfg)
{
    fixture_new(f, cfg);
    fixture_run(f);
}

/* Sets *stop, wakes the loop with a signal as a real signal handler would, joins (bounded). */
static int fixture_stop(struct fixture *f)
{
    struct timespec until;

    if (!f->running)
        return 0;
    f->stop = 1;
    pthread_kill(f->thread, SIGUSR1);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    if (pthread_timedjoin_np(f->thread, NULL, &until) != 0)
        return -ETIMEDOUT;
    f->running = false;
    return 0;
}

static int setup_bare(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    *state = f;
    return 0;
}

static int setup_small(void **state)
{
    struct http_config cfg;

    if (setup_bare(state) < 0)
        return -1;
    small_config(&cfg);
    fixture_start(*state, &cfg);
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    int r = fixture_stop(f);

    for (size_t i = 0; i < f->n_fds; i++)
        close(f->fds[i]);
    if (r == 0)
        http_server_free(f->srv);
    r = r == 0 && f->run_ret == 0 ? 0 : -1;
    free(f);
    return r;
}

/* ---- client side ---------------------------------------------------------------------- */

static int64_t now_ms(void)
{
    return ids_mono_ms();
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* A client socket to the server, from source address src (NULL: any). Tracked by f. */
static int client_from(struct fixture *f, const char *src)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)f->port)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    assert_true(f->n_fds < MAX_FDS);
    f->fds[f->n_fds++] = fd;
    if (src) {
        struct sockaddr_in s = {.sin_family = AF_INET};
        inet_pton(AF_INET, src, &s.sin_addr);
        assert_int_equal(bind(fd, (struct sockaddr *)&s, sizeof(s)), 0);
    }
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

static int client(struct fixture *f)
{
    return client_from(f, NULL);
}

/* Sends all of s; false if the peer is gone. */
static bool send_str(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w < 0)
            return false;
        s += w;
        n -= (size_t)w;
    }
    return true;
}

struct reply {
    int status;
    char head[4096];
    char body[8192];
    size_t body_len;
};

/* Reads up to n bytes within the remaining time; 0 on EOF, -1 on error or timeout. */
static ssize_t recv_until(int fd, char *p, size_t n, int64_t until)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int64_t left = until - now_ms();

    if (left <= 0 || poll(&pfd, 1, (int)left) != 1)
        return -1;
    return recv(fd, p, n, 0);
}

static bool header_value(const struct reply *r, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);

    for (const char *line = strstr(r->head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        const char *h = line + 2;
        if (!strncasecmp(h, name, nlen) && h[nlen] == ':') {
            h += nlen + 1;
            while (*h == ' ')
                h++;
            size_t vlen = strcspn(h, "\r\n");
            snprintf(out, outlen, "%.*s", (int)vlen, h);
            return true;
        }
    }
    return false;
}

/* Reads one response (no pipelining, so no bytes of a next one). 0, or -1 if the connection
 * ended or the time ran out first. */
static int read_reply(int fd, struct reply *r)
{
    static char buf[sizeof(r->head) + sizeof(r->body)];
    int64_t until = now_ms() + WAIT_MS;
    size_t len = 0;
    char *end = NULL, cl[32];

    memset(r, 0, sizeof(*r));
    while (!end) {
        ssize_t got = recv_until(fd, buf + len, sizeof(buf) - 1 - len, until);
        if (got <= 0)
            return -1;
        len += (size_t)got;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    size_t head_len = (size_t)(end - buf) + 2;
    if (head_len >= sizeof(r->head) || sscanf(buf, "HTTP/1.%*d %d", &r->status) != 1)
        return -1;
    memcpy(r->head, buf, head_len);
    size_t want = 0;
    if (header_value(r, "Content-Length", cl, sizeof(cl)))
        want = (size_t)strtoul(cl, NULL, 10);
    if (want >= sizeof(r->body))
        return -1;
    r->body_len = len - head_len - 2;
    memcpy(r->body, end + 4, r->body_len);
    while (r->body_len < want) {
        ssize_t got = recv_until(fd, r->body + r->body_len, want - r->body_len, until);
        if (got <= 0)
            return -1;
        r->body_len += (size_t)got;
    }
    r->body[r->body_len] = '\0';
    return 0;
}

static void request(int fd, const char *raw, struct reply *r)
{
    assert_true(send_str(fd, raw));
    assert_int_equal(read_reply(fd, r), 0);
}

/* Milliseconds until the server ends the connection (EOF or reset; data is drained), or -1 if
 * it is still open after timeout_ms. */
static int64_t ms_until_closed(int fd, int64_t timeout_ms)
{
    int64_t start = now_ms(), until = start + timeout_ms;
    char scratch[4096];

    for (;;) {
        ssize_t got = recv_until(fd, scratch, sizeof(scratch), until);
        if (got == 0 || (got < 0 && (errno == ECONNRESET || errno == EPIPE)))
            return now_ms() - start;
        if (got < 0)
            return -1;
    }
}

static void assert_request_id(const struct reply *r)
{
    char id[64];
    assert_true(header_value(r, "X-Request-Id", id, sizeof(id)));
    assert_int_equal(strlen(id), 32);
    assert_int_equal(strspn(id, "0123456789abcdef"), 32);
}

/* ---- tests ---------------------------------------------------------------------------- */

static void test_keep_alive_serves_two_requests_on_one_socket(void **state)
{
    struct fixture *f = *state;
    int fd = client(f);
    struct reply r1, r2;
    char id1[64], id2[64];

    request(fd, "GET /one HTTP/1.1\r\nHost: x\r\n\r\n", &r1);
    request(fd, "GET /two HTTP/1.1\r\nHost: x\r\n\r\n", &r2);
    assert_int_equal(r1.status, 200);
    assert_int_equal(r2.status, 200);
    assert_non_null(strstr(r1.body, "\"path\":\"/one\""));
    assert_non_null(strstr(r2.body, "\"path\":\"/two\""));
    assert_true(header_value(&r1, "X-Request-Id", id1, sizeof(id1)));
    assert_true(header_value(&r2, "X-Request-Id", id2, sizeof(id2)));
    assert_string_not_equal(id1, id2);
}

static void test_every_request_is_handled_inside_a_turn_and_turns_end(void **state)
{
    struct fixture *f = *state;
    int fd = client(f);
    struct reply r1, r2;

    request(fd, "GET /one HTTP/1.1\r\nHost: x\r\n\r\n", &r1);
    request(fd, "GET /two HTTP/1.1\r\nHost: x\r\n\r\n", &r2);
    assert_int_equal(r1.status, 200);
    assert_int_equal(r2.status, 200);
    assert_int_equal(atomic_load(&f->handled_in_turn), 2);
    assert_int_equal(fixture_stop(f), 0);
    assert_true(atomic_load(&f->turn_starts) >= 2);
    assert_int_equal(atomic_load(&f->turn_starts), atomic_load(&f->turn_ends));
    assert_false(atomic_load(&f->in_turn));
}

static void test_json_reply_has_content_type_request_id_and_client_ip(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    char ct[64];

    request(client(f), "GET /x HTTP/1.1\r\nHost: x\r\n\r\n", &r);
    assert_true(header_value(&r, "Content-Type", ct, sizeof(ct)));
    assert_string_equal(ct, "application/json");
    assert_request_id(&r);
    assert_non_null(strstr(r.body, "\"client\":\"127.0.0.1\""));
}

static void test_raw_path_and_query_are_passed_undecoded(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    request(client(f), "GET /a%2Fb?x=1+2&y=%41 HTTP/1.1\r\nHost: x\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"path\":\"/a%2Fb\""));
    assert_non_null(strstr(r.body, "\"query\":\"x=1+2&y=%41\""));
}

static void test_path_without_query_has_empty_query(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    request(client(f), "DELETE /v5/p/x HTTP/1.1\r\nHost: x\r\n\r\n", &r);
    assert_non_null(strstr(r.body, "\"method\":\"DELETE\",\"path\":\"/v5/p/x\",\"query\":\"\""));
}

static void test_request_target_not_starting_with_slash_gets_400(void **state)
{
    struct fixture *f = *state;
    int fd = client(f);
    struct reply r;

    request(fd, "GET http://example.com/a HTTP/1.1\r\nHost: x\r\n\r\n", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "{\"status\":400,\"msg\":\"request-target must start with '/'\"}");
    assert_request_id(&r);
}

static void test_headers_are_found_case_insensitively_and_all_iterated(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    request(client(f), "GET / HTTP/1.1\r\nHost: x\r\nX-TEST: hello\r\nAccept: */*\r\n\r\n", &r);
    assert_non_null(strstr(r.body, "\"x_test\":\"hello\",\"headers\":3"));
}

static void test_content_length_body_is_passed_nul_terminated(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    request(client(f), "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{\"a\":1}", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"body_len\":7,\"nul_ok\":true,\"body\":\"{\\\"a\\\":1}\""));
}

static void test_body_over_max_body_gets_413_from_on_error_with_request_id(void **state)
{
    struct fixture *f = *state;
    int fd = client(f);
    struct reply r;

    /* the body is never sent: the size alone decides */
    request(fd, "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n", &r);
    assert_int_equal(r.status, 413);
    assert_string_equal(r.body, "{\"status\":413,\"msg\":\"request body exceeds 1024 bytes\"}");
    assert_request_id(&r);
    assert_true(ms_until_closed(fd, WAIT_MS) >= 0);
}

static void test_body_of_exactly_max_body_is_accepted(void **state)
{
    struct fixture *f = *state;
    char raw[2048];
    struct reply r;

    int n =
        snprintf(raw, sizeof(raw), "PUT /p HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n");
    memset(raw + n, 'b', 1024);
    raw[n + 1024] = '\0';
    request(client(f), raw, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"body_len\":1024"));
}

static void test_oversized_body_announced_with_expect_gets_413_instead_of_continue(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    request(client(f),
            "PUT /p HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n",
            &r);
    assert_int_equal(r.status, 413);
}

static void test_without_on_error_refusals_get_a_default_json_body(void **state)
{
    struct fixture *f = *state;
    struct http_config cfg;
    struct reply r;
    char want[160], id[64];

    small_config(&cfg);
    f->no_on_error = true;
    fixture_start(f, &cfg);
    request(client(f), "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n", &r);
    assert_int_equal(r.status, 413);
    assert_true(header_value(&r, "X-Request-Id", id, sizeof(id)));
    snprintf(want, sizeof(want),
             "{\"error_msg\":\"request body exceeds 1024 bytes\",\"request_id\":\"%s\"}", id);
    assert_string_equal(r.body, want);
}

static void test_content_length_and_transfer_encoding_together_get_400(void **state)
{
    struct fixture *f = *state;
    int fd = client(f);
    struct reply r;

    request(fd,
            "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
            "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nhello",
            &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "{\"status\":400,\"msg\":\"request has both Content-Length and "
                                "Transfer-Encoding\"}");
    assert_request_id(&r);
    assert_true(ms_until_closed(fd, WAIT_MS) >= 0);
}

static void test_two_content_lengths_get_400(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    request(client(f),
            "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
            &r);
    assert_int_equal(r.status, 400);
}

static void test_transfer_encoding_other_than_chunked_gets_501(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    request(client(f), "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", &r);
    assert_int_equal(r.status, 501);
    assert_string_equal(r.body, "{\"status\":501,\"msg\":\"Transfer-Encoding must be chunked\"}");
}

static void test_chunked_body_is_reassembled(void **state)
{
    struct fixture *f = *state;
    int fd = client(f);
    struct reply r;

    request(fd,
            "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
            &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"body_len\":11,\"nul_ok\":true,\"body\":\"hello world\""));
    /* and the connection stays usable */
    request(fd, "GET /again HTTP/1.1\r\nHost: x\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
}

static void test_chunked_body_over_max_body_gets_413(void **state)
{
    struct fixture *f = *state;
    char raw[4096], chunk[801];
    int fd = client(f);
    struct reply r;

    memset(chunk, 'c', 800);
    chunk[800] = '\0';
    snprintf(raw, sizeof(raw),
             "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "320\r\n%s\r\n320\r\n%s\r\n0\r\n\r\n",
             chunk, chunk);
    request(fd, raw, &r);
    assert_int_equal(r.status, 413);
    assert_string_equal(r.body, "{\"status\":413,\"msg\":\"request body exceeds 1024 bytes\"}");
    assert_request_id(&r);
    assert_true(ms_until_closed(fd, WAIT_MS) >= 0);
}

static void test_header_just_over_max_header_gets_431_from_on_error(void **state)
{
    struct fixture *f = *state;
    char raw[8192], pad[4201];
    int fd = client(f);
    struct reply r;

    memset(pad, 'a', 4200);
    pad[4200] = '\0';
    snprintf(raw, sizeof(raw), "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: %s\r\n\r\n", pad);
    request(fd, raw, &r);
    assert_int_equal(r.status, 431);
    assert_string_equal(r.body, "{\"status\":431,\"msg\":\"request header exceeds 4096 bytes\"}");
    assert_request_id(&r);
    assert_true(ms_until_closed(fd, WAIT_MS) >= 0);
}

static void test_header_flood_far_beyond_max_header_is_refused_and_closed(void **state)
{
    struct fixture *f = *state;
    size_t n = 256 * 1024;
    char *raw = malloc(n + 1);
    int fd = client(f);
    struct reply r;

    assert_non_null(raw);
    /* many small headers: both the byte count and the header count are hostile */
    strcpy(raw, "GET / HTTP/1.1\r\nHost: x\r\n");
    for (size_t len = strlen(raw); len + 16 < n; len += 12)
        memcpy(raw + len, "X-Flood: a\r\n", 13);
    (void)send_str(fd, raw); /* may fail half-way: the server stops reading */
    free(raw);
    /* MHD answers a gross flood itself (431, its own body) or resets; never a 200 */
    if (read_reply(fd, &r) == 0)
        assert_int_equal(r.status, 431);
    assert_true(ms_until_closed(fd, WAIT_MS) >= 0);
    request(client(f), "GET /still-up HTTP/1.1\r\nHost: x\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
}

static void test_idle_socket_is_closed_after_the_idle_timeout(void **state)
{
    struct fixture *f = *state;
    struct http_config cfg;

    small_config(&cfg);
    cfg.request_deadline_ms = 10000; /* so only the idle timeout can close it */
    fixture_start(f, &cfg);
    int64_t ms = ms_until_closed(client(f), WAIT_MS);
    /* MHD counts whole seconds: 300 ms becomes 1 s */
    assert_true(ms >= 250 && ms <= 2500);
}

static void test_client_dripping_one_header_byte_every_100ms_is_cut_at_the_deadline(void **state)
{
    struct fixture *f = *state;
    int fd = client(f);
    int64_t start = now_ms(), closed = -1;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};

    assert_true(send_str(fd, "GET / HTTP/1.1\r\nHost: x\r\nX-Drip: "));
    /* each byte resets MHD's idle timer; only the deadline (800 ms) can end this */
    while (closed < 0 && now_ms() - start < WAIT_MS) {
        if (!send_str(fd, "a") || poll(&pfd, 1, 100) == 1)
            closed = now_ms() - start;
    }
    assert_true(closed >= 700 && closed <= 2000);
    assert_true(ms_until_closed(fd, 500) >= 0);
}

static void test_completed_request_restarts_the_deadline(void **state)
{
    struct fixture *f = *state;
    int fd = client(f);
    struct reply r;

    /* three requests 500 ms apart: 1 s after connecting, well past the 800 ms deadline */
    for (int i = 0; i < 3; i++) {
        if (i)
            sleep_ms(500);
        request(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", &r);
        assert_int_equal(r.status, 200);
    }
}

static void test_pipelined_requests_are_answered_in_order(void **state)
{
    struct fixture *f = *state;
    int fd = client(f);
    int64_t until = now_ms() + WAIT_MS;
    char buf[4096];
    size_t len = 0;
    char *first = NULL, *second = NULL;

    assert_true(
        send_str(fd, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2?b HTTP/1.1\r\nHost: x\r\n\r\n"));
    while (!second) {
        ssize_t got = recv_until(fd, buf + len, sizeof(buf) - 1 - len, until);
        assert_true(got > 0);
        len += (size_t)got;
        buf[len] = '\0';
        first = strstr(buf, "\"path\":\"/1\",\"query\":\"\"");
        second = first ? strstr(first, "\"path\":\"/2\",\"query\":\"b\"") : NULL;
    }
}

static void test_client_over_max_connections_waits_and_is_served_when_a_slot_frees(void **state)
{
    struct fixture *f = *state;
    struct http_config cfg;
    struct pollfd pfd = {.events = POLLIN};
    struct reply r;
    int idle[4];

    small_config(&cfg);
    cfg.max_connections = 4;
    cfg.request_deadline_ms = 10000;
    cfg.idle_timeout_ms = 10000;
    fixture_start(f, &cfg);
    for (int i = 0; i < 4; i++)
        idle[i] = client_from(f, i % 2 ? "127.0.0.3" : "127.0.0.4");
    pfd.fd = client(f); /* the kernel completes the handshake; the server does not accept */
    assert_true(send_str(pfd.fd, "GET /waited HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert_int_equal(poll(&pfd, 1, 200), 0);
    int64_t freed = now_ms();
    shutdown(idle[0], SHUT_RDWR);
    assert_int_equal(read_reply(pfd.fd, &r), 0);
    assert_int_equal(r.status, 200);
    assert_true(now_ms() - freed < 400); /* accepted as soon as the slot frees */
}

static void
test_idle_sockets_exhaust_the_per_client_limit_but_another_address_is_served(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    int fd;

    for (int i = 0; i < 8; i++)
        (void)client(f);
    fd = client(f); /* the 9th from 127.0.0.1: accepted by the kernel, dropped by the server */
    (void)send_str(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(read_reply(fd, &r), -1);
    request(client_from(f, "127.0.0.2"), "GET /other HTTP/1.1\r\nHost: x\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"client\":\"127.0.0.2\""));
}

static void test_stop_returns_0_after_the_in_flight_slow_request_finishes(void **state)
{
    struct fixture *f = *state;
    int fd = client(f);
    struct reply r;
    char conn[32];

    /* "100 Continue" proves the server holds the request (headers read, body pending) */
    request(fd,
            "POST /slow HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n",
            &r);
    assert_int_equal(r.status, 100);
    assert_true(send_str(fd, "01234"));
    f->stop = 1;
    pthread_kill(f->thread, SIGUSR1);

    /* new connections are refused once the listener is closed */
    bool refused = false;
    for (int64_t until = now_ms() + WAIT_MS; !refused && now_ms() < until;) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)f->port)};
        int probe = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
        refused = connect(probe, (struct sockaddr *)&a, sizeof(a)) < 0 && errno == ECONNREFUSED;
        close(probe);
        if (!refused)
            sleep_ms(10);
    }
    assert_true(refused);

    assert_true(send_str(fd, "56789"));
    assert_int_equal(read_reply(fd, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"body\":\"0123456789\""));
    assert_true(header_value(&r, "Connection", conn, sizeof(conn)));
    assert_string_equal(conn, "close");
    assert_int_equal(fixture_stop(f), 0);
    assert_int_equal(f->run_ret, 0);
}

static void test_stop_gives_up_on_a_request_unfinished_after_drain_ms(void **state)
{
    struct fixture *f = *state;
    struct http_config cfg;
    int64_t start;

    small_config(&cfg);
    cfg.drain_ms = 200;
    cfg.request_deadline_ms = 10000;
    fixture_start(f, &cfg);
    int fd = client(f);
    struct reply r;
    request(fd, "POST /p HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n",
            &r);
    assert_int_equal(r.status, 100); /* the request is in flight */
    assert_true(send_str(fd, "01"));
    start = now_ms();
    assert_int_equal(fixture_stop(f), 0);
    assert_int_equal(f->run_ret, 0);
    assert_true(now_ms() - start < 1500);
    assert_true(ms_until_closed(fd, WAIT_MS) >= 0);
}

static void test_address_reports_the_real_port(void **state)
{
    struct fixture *f = *state;
    char want[32];
    struct reply r;

    /* fixture_start parsed the port from the address; being served through it proves it */
    snprintf(want, sizeof(want), "127.0.0.1:%u", f->port);
    assert_string_equal(http_server_address(f->srv), want);
    request(client(f), "GET / HTTP/1.1\r\nHost: x\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
}

static void test_no_content_reply_has_no_body_or_content_type(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    char v[64];

    request(client(f), "DELETE /empty HTTP/1.1\r\nHost: x\r\n\r\n", &r);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.body_len, 0);
    assert_false(header_value(&r, "Content-Type", v, sizeof(v)));
    assert_request_id(&r);
}

static void test_allow_is_sent_when_the_handler_sets_it(void **state)
{
    struct fixture *f = *state;
    struct reply r;
    char v[64];

    request(client(f), "PATCH /allow HTTP/1.1\r\nHost: x\r\n\r\n", &r);
    assert_int_equal(r.status, 405);
    assert_true(header_value(&r, "Allow", v, sizeof(v)));
    assert_string_equal(v, "GET, POST");
}

static void test_tick_is_called_every_tick_ms(void **state)
{
    struct fixture *f = *state;
    struct http_config cfg;
    int64_t start = now_ms();

    small_config(&cfg);
    cfg.tick_ms = 50;
    fixture_start(f, &cfg);
    while (atomic_load(&f->ticks) < 4 && now_ms() - start < WAIT_MS)
        sleep_ms(10);
    assert_true(atomic_load(&f->ticks) >= 4);
    assert_true(now_ms() - start >= 150);
}

static void test_bad_listen_address_is_rejected_with_a_reason(void **state)
{
    struct fixture *f = *state;
    struct http_config cfg;
    char err[256];

    small_config(&cfg);
    cfg.listen = "localhost";
    assert_int_equal(
        http_server_new(&cfg, handle, render_error, NULL, NULL, &f->srv, err, sizeof(err)),
        -EINVAL);
    assert_string_equal(err, "listen: must be IPV4:PORT or [IPV6]:PORT, got \"localhost\"");
    cfg.listen = "127.0.0.1:65536";
    assert_int_equal(
        http_server_new(&cfg, handle, render_error, NULL, NULL, &f->srv, err, sizeof(err)),
        -EINVAL);
    f->srv = NULL;
}

static void test_port_in_use_fails_with_eaddrinuse_and_a_reason(void **state)
{
    struct fixture *f = *state;
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t alen = sizeof(a);
    struct http_config cfg;
    char listen_on[32], err[256], want[128];
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    f->fds[f->n_fds++] = fd;
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 1), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    snprintf(listen_on, sizeof(listen_on), "127.0.0.1:%u", (unsigned)ntohs(a.sin_port));
    small_config(&cfg);
    cfg.listen = listen_on;
    assert_int_equal(
        http_server_new(&cfg, handle, render_error, NULL, NULL, &f->srv, err, sizeof(err)),
        -EADDRINUSE);
    snprintf(want, sizeof(want), "cannot listen on %s: Address already in use", listen_on);
    assert_string_equal(err, want);
    f->srv = NULL;
}

static void test_ipv6_loopback_address_is_bracketed(void **state)
{
    struct fixture *f = *state;
    struct http_config cfg;
    char err[256];

    small_config(&cfg);
    cfg.listen = "[::1]:0";
    int r = http_server_new(&cfg, handle, render_error, NULL, NULL, &f->srv, err, sizeof(err));
    if (r < 0) {
        f->srv = NULL;
        skip(); /* no IPv6 on this machine */
    }
    assert_int_equal(strncmp(http_server_address(f->srv), "[::1]:", 6), 0);
    assert_true(strtoul(http_server_address(f->srv) + 6, NULL, 10) > 0);
}

static size_t count_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    size_t n = 0;

    assert_non_null(d);
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static void test_stopping_and_freeing_closes_every_descriptor(void **state)
{
    struct fixture *f = *state;
    struct http_config cfg;
    struct reply r;
    size_t before = count_open_fds();

    small_config(&cfg);
    fixture_start(f, &cfg);
    int fd = client(f);
    request(fd, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", &r); /* leaves a keep-alive connection */
    assert_int_equal(fixture_stop(f), 0);
    http_server_free(f->srv);
    f->srv = NULL;
    close(fd);
    f->n_fds = 0;
    assert_int_equal(count_open_fds(), before);
}

/* ---- issue 12: strict framing, seams for deferred responses, drops and the access hook ---- */

static void test_deferred_response_is_sent_when_completed_from_the_loop(void **state)
{
    struct fixture *f = *state;
    struct pollfd pfd = {.events = POLLIN};
    struct reply r;

    pfd.fd = client(f);
    assert_true(send_str(pfd.fd, "GET /defer HTTP/1.1\r\nHost: x\r\nX-Test: kept\r\n\r\n"));
    assert_int_equal(poll(&pfd, 1, 200), 0); /* pending: nothing sent */
    atomic_store(&f->release, 1);
    assert_int_equal(read_reply(pfd.fd, &r), 0);
    assert_int_equal(r.status, 202);
    assert_string_equal(r.body, "{\"deferred\":\"/defer\",\"x_test\":\"kept\"}");
    assert_request_id(&r);
    /* the connection goes on with the next request */
    request(pfd.fd, "GET /after HTTP/1.1\r\nHost: x\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
}

static void test_deferred_request_of_a_client_that_reset_is_freed_at_completion(void **state)
{
    struct fixture *f = *state;
    struct linger l = {.l_onoff = 1, .l_linger = 0};
    int fd = client(f);
    struct reply r;

    assert_true(send_str(fd, "GET /defer HTTP/1.1\r\nHost: x\r\n\r\n"));
    sleep_ms(100);
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    close(fd); /* with SO_LINGER 0: a reset */
    f->fds[f->n_fds - 1] = -1;
    for (int64_t until = now_ms() + WAIT_MS; !atomic_load(&f->gone_seen) && now_ms() < until;)
        sleep_ms(10);
    assert_true(atomic_load(&f->gone_seen));
    atomic_store(&f->release, 1); /* completing frees it; ASan would report a leak */
    request(client(f), "GET /other HTTP/1.1\r\nHost: x\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
}

static void test_dropped_request_gets_no_answer_and_the_connection_ends(void **state)
{
    struct fixture *f = *state;
    int fd = client(f);
    struct reply r;

    assert_true(send_str(fd, "GET /drop HTTP/1.1\r\nHost: x\r\n\r\n"));
    assert_int_equal(read_reply(fd, &r), -1);
    assert_true(ms_until_closed(fd, WAIT_MS) >= 0);
}

static void wait_accesses(struct fixture *f, int n)
{
    for (int64_t until = now_ms() + WAIT_MS; atomic_load(&f->accesses) < n && now_ms() < until;)
        sleep_ms(5);
    assert_int_equal(atomic_load(&f->accesses), n);
}

static void test_completion_hook_reports_method_path_status_bytes_and_time(void **state)
{
    struct fixture *f = *state;
    const char *raw = "POST /hook?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}";
    char id[64];
    struct reply r;

    request(client(f), raw, &r);
    wait_accesses(f, 1);
    assert_true(header_value(&r, "X-Request-Id", id, sizeof(id)));
    assert_string_equal(f->access_method, "POST");
    assert_string_equal(f->access_path, "/hook");
    assert_string_equal(f->access_id, id);
    assert_string_equal(f->access_ip, "127.0.0.1");
    assert_int_equal(f->access_status, 200);
    assert_int_equal(f->access_in, strlen(raw));
    assert_int_equal(f->access_out, strlen(r.head) + 2 + r.body_len);
    assert_true(f->access_usec > 0 && f->access_usec < 3000000);
}

static void test_completion_hook_reports_a_request_cut_by_the_deadline_with_status_0(void **state)
{
    struct fixture *f = *state;
    int fd = client(f);

    assert_true(send_str(fd, "GET /slow HTTP/1.1\r\nHost: x\r\n"));
    assert_true(ms_until_closed(fd, WAIT_MS) >= 0);
    wait_accesses(f, 1);
    assert_int_equal(f->access_status, 0);
    assert_string_equal(f->access_path, ""); /* the head never completed */
}

static void test_head_request_gets_the_headers_without_the_body(void **state)
{
    struct fixture *f = *state;
    int fd = client(f);
    struct reply r;
    char len[32];

    assert_true(send_str(fd, "HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n"));
    /* read_reply would wait for Content-Length bytes: read the head only */
    char buf[2048];
    ssize_t n = recv_until(fd, buf, sizeof(buf) - 1, now_ms() + WAIT_MS);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "\r\n\r\n"));
    assert_string_equal(strstr(buf, "\r\n\r\n"), "\r\n\r\n"); /* nothing after the head */
    memset(&r, 0, sizeof(r));
    snprintf(r.head, sizeof(r.head), "%s", buf);
    assert_true(header_value(&r, "Content-Length", len, sizeof(len)));
    assert_true(atoi(len) > 0);
    request(fd, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n", &r); /* framing intact */
    assert_int_equal(r.status, 200);
}

static void test_http_1_0_keep_alive_is_honoured_and_said(void **state)
{
    struct fixture *f = *state;
    int fd = client(f);
    struct reply r;
    char v[32];

    request(fd, "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_true(header_value(&r, "Connection", v, sizeof(v)));
    assert_string_equal(v, "keep-alive");
    request(fd, "GET /b HTTP/1.0\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_true(ms_until_closed(fd, WAIT_MS) >= 0); /* 1.0 without keep-alive: closed */
}

static void test_http_version_2_gets_505(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    request(client(f), "GET / HTTP/2.0\r\nHost: x\r\n\r\n", &r);
    assert_int_equal(r.status, 505);
    assert_string_equal(r.body, "{\"status\":505,\"msg\":\"HTTP version must be 1.0 or 1.1, got 2.0\"}");
}

static void test_chunk_data_not_followed_by_crlf_gets_400(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    request(client(f),
            "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}xx0\r\n\r\n",
            &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "{\"status\":400,\"msg\":\"chunked body: chunk data must be "
                                "followed by CRLF\"}");
}

static void test_chunk_size_line_with_a_bare_cr_gets_400(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    request(client(f),
            "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\rX{}\r\n0\r\n\r\n",
            &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(r.body, "{\"status\":400,\"msg\":\"chunked body: chunk-size line must "
                                "end with CRLF\"}");
}

static void test_empty_lines_before_a_request_line_are_ignored(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    request(client(f), "\r\n\r\nGET /after-blank HTTP/1.1\r\nHost: x\r\n\r\n", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"path\":\"/after-blank\""));
}

static void test_bodies_past_the_buffer_budget_shed_the_slowest_request(void **state)
{
    struct fixture *f = *state;
    struct http_config cfg;
    char raw[2048];
    struct reply r;

    small_config(&cfg);
    cfg.max_buffered = 1500;
    fixture_start(f, &cfg);
    int slow = client(f);
    memset(raw, 'a', 600);
    raw[600] = '\0';
    assert_true(send_str(slow, "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"));
    assert_true(send_str(slow, raw)); /* 600 of 1000 bytes held */
    sleep_ms(100);
    int n = snprintf(raw, sizeof(raw), "POST /fast HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
    memset(raw + n, 'b', 1000);
    raw[n + 1000] = '\0';
    request(client(f), raw, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"body_len\":1000"));
    assert_int_equal(read_reply(slow, &r), -1); /* shed without an answer */
}

static void test_idle_timeout_shrinks_to_400_ms_when_every_slot_is_taken(void **state)
{
    struct fixture *f = *state;
    struct http_config cfg;
    int fds[4];

    small_config(&cfg);
    cfg.max_connections = 4;
    cfg.idle_timeout_ms = 10000;
    cfg.request_deadline_ms = 10000;
    fixture_start(f, &cfg);
    for (int i = 0; i < 4; i++)
        fds[i] = client_from(f, i % 2 ? "127.0.0.3" : "127.0.0.4");
    int64_t ms = ms_until_closed(fds[0], WAIT_MS);
    assert_true(ms >= 300 && ms <= 1500); /* 10 s when the server is not full */
}

/* ---- watches: other descriptors and timers on the loop ---- */

struct watch_fx {
    struct http_watch *w;
    int fd;         /* the watched end */
    int other;      /* the test's end */
    int reopen_other; /* after the first read: the test's end of the reopened pair */
    bool reopen;    /* the first read closes fd and reopens a pair under its number */
    pthread_t loop; /* the thread callbacks must run on */
    atomic_int reads, timers, wrong_thread;
    atomic_int reopened;
    int64_t fired_at;
};

static void watch_cb(void *ud, uint32_t events)
{
    struct watch_fx *x = ud;
    char b[16];

    if (!pthread_equal(pthread_self(), x->loop))
        atomic_fetch_add(&x->wrong_thread, 1);
    if (events == 0) {
        x->fired_at = ids_mono_ms();
        atomic_fetch_add(&x->timers, 1);
        return;
    }
    if (read(x->fd, b, sizeof(b)) <= 0)
        return;
    atomic_fetch_add(&x->reads, 1);
    if (x->reopen && !atomic_load(&x->reopened)) {
        int sv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
        close(x->fd); /* leaves the epoll set */
        assert_int_equal(dup2(sv[0], x->fd), x->fd);
        close(sv[0]);
        x->reopen_other = sv[1];
        assert_int_equal(http_watch_set(x->w, x->fd, EPOLLIN, -1), 0);
        atomic_store(&x->reopened, 1);
    }
}

static bool wait_for(atomic_int *v, int at_least)
{
    for (int64_t until = now_ms() + WAIT_MS; now_ms() < until; sleep_ms(5))
        if (atomic_load(v) >= at_least)
            return true;
    return false;
}

static void watch_start(struct fixture *f, struct watch_fx *x, int64_t deadline)
{
    struct http_config cfg;
    int sv[2];

    small_config(&cfg);
    fixture_new(f, &cfg);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    x->fd = sv[0];
    x->other = sv[1];
    x->reopen_other = -1;
    assert_int_equal(http_watch_new(f->srv, watch_cb, x, &x->w), 0);
    assert_int_equal(http_watch_set(x->w, x->fd, EPOLLIN, deadline), 0);
    fixture_run(f);
    x->loop = f->thread;
}

static void watch_end(struct fixture *f, struct watch_fx *x)
{
    assert_int_equal(fixture_stop(f), 0);
    http_watch_free(x->w);
    close(x->fd);
    close(x->other);
    if (x->reopen_other >= 0)
        close(x->reopen_other);
    assert_int_equal(atomic_load(&x->wrong_thread), 0);
}

static void test_a_watched_descriptor_is_served_on_the_loop_thread(void **state)
{
    struct fixture *f = *state;
    struct watch_fx x = {0};

    watch_start(f, &x, -1);
    assert_int_equal(write(x.other, "a", 1), 1);
    assert_true(wait_for(&x.reads, 1));
    assert_int_equal(write(x.other, "b", 1), 1);
    assert_true(wait_for(&x.reads, 2));
    assert_int_equal(atomic_load(&x.timers), 0);
    watch_end(f, &x);
}

static void test_a_watch_timer_fires_once_after_its_deadline(void **state)
{
    struct fixture *f = *state;
    struct watch_fx x = {0};
    int64_t armed = now_ms();

    watch_start(f, &x, armed + 100);
    assert_true(wait_for(&x.timers, 1));
    assert_true(x.fired_at >= armed + 100);
    sleep_ms(200);
    assert_int_equal(atomic_load(&x.timers), 1); /* disarmed once fired */
    watch_end(f, &x);
}

static void test_a_descriptor_reopened_under_the_same_number_is_watched_again(void **state)
{
    struct fixture *f = *state;
    struct watch_fx x = {.reopen = true};

    watch_start(f, &x, -1);
    assert_int_equal(write(x.other, "a", 1), 1);
    assert_true(wait_for(&x.reopened, 1));
    assert_int_equal(write(x.reopen_other, "b", 1), 1);
    assert_true(wait_for(&x.reads, 2));
    watch_end(f, &x);
}

static void test_more_watches_than_the_slots_are_refused(void **state)
{
    struct fixture *f = *state;
    struct http_config cfg;
    struct http_watch *w[HTTP_MAX_WATCHES + 1];
    struct watch_fx x = {0};

    small_config(&cfg);
    fixture_new(f, &cfg);
    for (size_t i = 0; i < HTTP_MAX_WATCHES; i++)
        assert_int_equal(http_watch_new(f->srv, watch_cb, &x, &w[i]), 0);
    assert_int_equal(http_watch_new(f->srv, watch_cb, &x, &w[HTTP_MAX_WATCHES]), -ENOSPC);
    http_watch_free(w[0]);
    assert_int_equal(http_watch_new(f->srv, watch_cb, &x, &w[0]), 0);
    /* the rest are freed with the server */
}

static void on_usr1(int sig)
{
    (void)sig;
}

int main(void)
{
    /* the stop signal: no SA_RESTART, so poll() in the server loop returns EINTR */
    struct sigaction sa = {.sa_handler = on_usr1};
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    log_set_level(getenv("TEST_HTTP_DEBUG") ? LOG_DEBUG : LOG_ERROR);

#define SMALL(t) cmocka_unit_test_setup_teardown(t, setup_small, teardown)
#define BARE(t) cmocka_unit_test_setup_teardown(t, setup_bare, teardown)
    const struct CMUnitTest tests[] = {
        SMALL(test_keep_alive_serves_two_requests_on_one_socket),
        SMALL(test_every_request_is_handled_inside_a_turn_and_turns_end),
        SMALL(test_json_reply_has_content_type_request_id_and_client_ip),
        SMALL(test_raw_path_and_query_are_passed_undecoded),
        SMALL(test_path_without_query_has_empty_query),
        SMALL(test_request_target_not_starting_with_slash_gets_400),
        SMALL(test_headers_are_found_case_insensitively_and_all_iterated),
        SMALL(test_content_length_body_is_passed_nul_terminated),
        SMALL(test_body_over_max_body_gets_413_from_on_error_with_request_id),
        SMALL(test_body_of_exactly_max_body_is_accepted),
        SMALL(test_oversized_body_announced_with_expect_gets_413_instead_of_continue),
        BARE(test_without_on_error_refusals_get_a_default_json_body),
        SMALL(test_content_length_and_transfer_encoding_together_get_400),
        SMALL(test_two_content_lengths_get_400),
        SMALL(test_transfer_encoding_other_than_chunked_gets_501),
        SMALL(test_chunked_body_is_reassembled),
        SMALL(test_chunked_body_over_max_body_gets_413),
        SMALL(test_header_just_over_max_header_gets_431_from_on_error),
        SMALL(test_header_flood_far_beyond_max_header_is_refused_and_closed),
        BARE(test_idle_socket_is_closed_after_the_idle_timeout),
        SMALL(test_client_dripping_one_header_byte_every_100ms_is_cut_at_the_deadline),
        SMALL(test_completed_request_restarts_the_deadline),
        SMALL(test_idle_sockets_exhaust_the_per_client_limit_but_another_address_is_served),
        SMALL(test_pipelined_requests_are_answered_in_order),
        BARE(test_client_over_max_connections_waits_and_is_served_when_a_slot_frees),
        SMALL(test_stop_returns_0_after_the_in_flight_slow_request_finishes),
        BARE(test_stop_gives_up_on_a_request_unfinished_after_drain_ms),
        SMALL(test_address_reports_the_real_port),
        SMALL(test_no_content_reply_has_no_body_or_content_type),
        SMALL(test_allow_is_sent_when_the_handler_sets_it),
        BARE(test_tick_is_called_every_tick_ms),
        BARE(test_bad_listen_address_is_rejected_with_a_reason),
        BARE(test_port_in_use_fails_with_eaddrinuse_and_a_reason),
        BARE(test_ipv6_loopback_address_is_bracketed),
        BARE(test_stopping_and_freeing_closes_every_descriptor),
        BARE(test_a_watched_descriptor_is_served_on_the_loop_thread),
        BARE(test_a_watch_timer_fires_once_after_its_deadline),
        BARE(test_a_descriptor_reopened_under_the_same_number_is_watched_again),
        BARE(test_more_watches_than_the_slots_are_refused),
        SMALL(test_deferred_response_is_sent_when_completed_from_the_loop),
        SMALL(test_deferred_request_of_a_client_that_reset_is_freed_at_completion),
        SMALL(test_dropped_request_gets_no_answer_and_the_connection_ends),
        SMALL(test_completion_hook_reports_method_path_status_bytes_and_time),
        SMALL(test_completion_hook_reports_a_request_cut_by_the_deadline_with_status_0),
        SMALL(test_head_request_gets_the_headers_without_the_body),
        SMALL(test_http_1_0_keep_alive_is_honoured_and_said),
        SMALL(test_http_version_2_gets_505),
        SMALL(test_chunk_data_not_followed_by_crlf_gets_400),
        SMALL(test_chunk_size_line_with_a_bare_cr_gets_400),
        SMALL(test_empty_lines_before_a_request_line_are_ignored),
        BARE(test_bodies_past_the_buffer_budget_shed_the_slowest_request),
        BARE(test_idle_timeout_shrinks_to_400_ms_when_every_slot_is_taken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
