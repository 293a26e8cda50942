/* http/conn.c: per-connection state and the MHD callbacks that turn MHD's calls into one
 * handler call per complete request.
 *
 * MHD's calls for one request, in order:
 *   http_on_uri         request line read: keep the raw target (MHD would decode its copy)
 *   http_on_access      headers complete (phase HEADERS): framing and size checks, may refuse
 *   http_on_access      body pieces (phase BODY, *upload_data_size > 0): copied, capped
 *   http_on_access      request complete (phase BODY, size 0): handler, response queued
 *   http_on_completed   response sent or request aborted: the deadline clock restarts
 * Refusals decided here are rendered by on_error and always close the connection: the rest of
 * the request is unread or its framing is in doubt.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/http_int.h"
#include "util/ids.h"
#include "util/log.h"

#define BODY_KEEP_MAX (64 * 1024) /* a larger body buffer is freed, not kept for the next one */

static void format_client_ip(const struct sockaddr *sa, char *out, size_t outlen)
{
    snprintf(out, outlen, "?");
    if (!sa)
        return;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)outlen);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)outlen);
}

static void conn_start(struct http_server *s, struct MHD_Connection *mc, void **socket_context)
{
    struct http_conn *c = calloc(1, sizeof(*c));
    const union MHD_ConnectionInfo *info;

    *socket_context = c;
    if (!c)
        return; /* later callbacks find no state and close the connection */
    c->srv = s;
    c->priv.mhd = mc;
    c->query = "";
    info = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
    c->fd = info ? info->connect_fd : -1;
    info = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    format_client_ip(info ? info->client_addr : NULL, c->client_ip, sizeof(c->client_ip));
    c->waiting_since = ids_mono_ms();
    http_conn_link(s, c);
}

static void conn_end(struct http_server *s, struct http_conn *c)
{
    if (!c)
        return;
    if (c->in_request)
        s->in_flight--;
    s->run_again = true;
    http_conn_unlink(s, c);
    buf_free(&c->target);
    buf_free(&c->body);
    free(c);
}

void http_on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
                        enum MHD_ConnectionNotificationCode toe)
{
    struct http_server *s = cls;

    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_start(s, mc, socket_context);
        return;
    }
    conn_end(s, *socket_context);
    *socket_context = NULL;
}

/* Request line seen: a new request starts on c. Its value becomes MHD's per-request pointer. */
void *http_on_uri(void *cls, const char *uri, struct MHD_Connection *mc)
{
    const union MHD_ConnectionInfo *info;
    struct http_conn *c;

    (void)cls;
    info = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    c = info ? info->socket_context : NULL;
    if (!c)
        return NULL;
    if (!c->in_request) {
        c->in_request = true;
        c->srv->in_flight++;
    }
    c->phase = HTTP_PHASE_HEADERS;
    c->answering = c->oom = c->too_large = false;
    c->query = "";
    buf_reset(&c->target);
    buf_reset(&c->body);
    if (buf_puts(&c->target, uri) < 0) {
        c->oom = true;
        return c;
    }
    char *q = strchr(c->target.data, '?');
    if (q) {
        *q = '\0';
        c->query = q + 1;
    }
    return c;
}

/* Keeps paths and query values raw: AK/SK signatures are computed over the encoded form. */
size_t http_on_unescape(void *cls, struct MHD_Connection *mc, char *s)
{
    (void)cls;
    (void)mc;
    return strlen(s);
}

void http_on_completed(void *cls, struct MHD_Connection *mc, void **req_cls,
                       enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    struct http_conn *c = *req_cls;

    (void)mc;
    (void)toe;
    *req_cls = NULL;
    if (!c)
        return;
    if (c->in_request) {
        c->in_request = false;
        s->in_flight--;
    }
    c->phase = HTTP_PHASE_IDLE;
    c->answering = false;
    if (c->body.cap > BODY_KEEP_MAX)
        buf_free(&c->body);
    /* the deadline clock restarts: move to the tail to keep the list ordered */
    c->waiting_since = ids_mono_ms();
    http_conn_unlink(s, c);
    http_conn_link(s, c);
}

/* Request ids only need to be unique, not secret: a random per-process prefix drawn once plus
 * a counter, so the hot path makes no getrandom syscall per request. */
static void new_request_id(struct http_conn *c)
{
    struct http_server *s = c->srv;

    if (s->id_prefix[0] == '\0' && ids_hex(s->id_prefix, 16) < 0)
        snprintf(s->id_prefix, sizeof(s->id_prefix), "%016llx",
                 (unsigned long long)ids_now_ms());
    static const char hex[] = "0123456789abcdef";
    uint64_t n = ++s->id_counter;
    memcpy(c->request_id, s->id_prefix, 16);
    for (int i = 31; i >= 16; i--, n >>= 4)
        c->request_id[i] = hex[n & 15];
    c->request_id[32] = '\0';
}

static void fill_request(struct http_conn *c, const char *method, struct http_request *req)
{
    *req = (struct http_request){
        .method = method,
        .path = c->target.data ? c->target.data : "",
        .query = c->query,
        .body = "",
        .body_len = 0,
        .request_id = c->request_id,
        .client_ip = c->client_ip,
        .priv = &c->priv,
    };
}

static int add_header(struct MHD_Response *r, const char *name, const char *value)
{
    return MHD_add_response_header(r, name, value) == MHD_YES ? 0 : -ENOMEM;
}

/* Queues resp (taking its body) on c's connection. close adds Connection: close. */
static enum MHD_Result respond(struct http_conn *c, const char *method, struct http_response *resp,
                               bool close)
{
    unsigned status = resp->status >= 100 && resp->status <= 599 ? (unsigned)resp->status : 500;
    bool has_body = resp->body.len > 0 && status >= 200 && status != 204 && status != 304;
    struct MHD_Response *r;
    enum MHD_Result ret;
    int err = 0;

    if (has_body) {
        r = MHD_create_response_from_buffer(resp->body.len, resp->body.data, MHD_RESPMEM_MUST_FREE);
        if (r)
            (void)buf_steal(&resp->body); /* MHD frees it with free() */
    } else {
        r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    }
    buf_free(&resp->body);
    if (!r)
        return MHD_NO;
    if (has_body)
        err |= add_header(r, "Content-Type", "application/json");
    err |= add_header(r, "X-Request-Id", c->request_id);
    if (resp->allow)
        err |= add_header(r, "Allow", resp->allow);
    if (close || c->srv->draining)
        err |= add_header(r, "Connection", "close");
    ret = err ? MHD_NO : MHD_queue_response(c->priv.mhd, status, r);
    MHD_destroy_response(r);
    log_debug("http: request_id=%s method=\"%.16s\" path=\"%.128s\" status=%u ms=%lld",
              c->request_id, method, c->target.data ? c->target.data : "", status,
              (long long)(ids_mono_ms() - c->started_ms));
    return ret;
}

static void default_error(const struct http_request *req, const char *msg,
                          struct http_response *resp)
{
    if (buf_puts(&resp->body, "{\"error_msg\":") < 0 || buf_json_str(&resp->body, msg) < 0 ||
        buf_printf(&resp->body, ",\"request_id\":\"%s\"}", req->request_id) < 0)
        buf_free(&resp->body);
}

/* Answers the current request with an error rendered by on_error; the connection closes. */
static enum MHD_Result _printf_(4, 5)
    refuse(struct http_conn *c, const char *method, int status, const char *fmt, ...)
{
    struct http_server *s = c->srv;
    struct http_response resp = {0};
    struct http_request req;
    char msg[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->phase = HTTP_PHASE_DONE;
    c->answering = true;
    fill_request(c, method, &req);
    if (s->on_error)
        s->on_error(s->ud, &req, status, msg, &resp);
    else
        default_error(&req, msg, &resp);
    if (!resp.status)
        resp.status = status;
    return respond(c, method, &resp, true);
}

struct framing {
    unsigned n_length, n_encoding;
    const char *length, *encoding;
};

static enum MHD_Result scan_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    struct framing *f = cls;

    (void)kind;
    if (!strcasecmp(key, "Content-Length")) {
        f->n_length++;
        f->length = value ? value : "";
    } else if (!strcasecmp(key, "Transfer-Encoding")) {
        f->n_encoding++;
        f->encoding = value ? value : "";
    }
    return MHD_YES;
}

/* Strict decimal: digits only, no sign or spaces. */
static int parse_length(const char *s, uint64_t *ret)
{
    uint64_t v = 0;

    if (!*s)
        return -EINVAL;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || __builtin_mul_overflow(v, 10, &v) ||
            __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
            return -EINVAL;
    }
    *ret = v;
    return 0;
}

/* Headers complete: everything decided before reading the body. */
static enum MHD_Result on_headers(struct http_conn *c, const char *method)
{
    const struct http_config *cfg = &c->srv->cfg;
    const union MHD_ConnectionInfo *info;
    struct framing f = {0};
    uint64_t length = 0;

    c->phase = HTTP_PHASE_BODY;
    c->started_ms = ids_mono_ms();
    new_request_id(c);
    if (c->oom)
        return refuse(c, method, 503, "out of memory");
    if (c->target.data[0] != '/')
        return refuse(c, method, 400, "request-target must start with '/'");
    info = MHD_get_connection_info(c->priv.mhd, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    if (info && info->header_size > cfg->max_header)
        return refuse(c, method, 431, "request header exceeds %zu bytes", cfg->max_header);
    MHD_get_connection_values(c->priv.mhd, MHD_HEADER_KIND, scan_framing, &f);
    if (f.n_length && f.n_encoding)
        return refuse(c, method, 400, "request has both Content-Length and Transfer-Encoding");
    if (f.n_length > 1 || f.n_encoding > 1)
        return refuse(c, method, 400,
                      "request has more than one Content-Length or Transfer-Encoding");
    if (f.encoding && strcasecmp(f.encoding, "chunked"))
        return refuse(c, method, 501, "Transfer-Encoding must be chunked");
    if (f.length && parse_length(f.length, &length) < 0)
        return refuse(c, method, 400, "Content-Length must be a decimal number");
    if (length > cfg->max_body)
        return refuse(c, method, 413, "request body exceeds %zu bytes", cfg->max_body);
    if (length && buf_reserve(&c->body, (size_t)length) < 0)
        c->oom = true;
    return MHD_YES;
}

static void on_body(struct http_conn *c, const char *data, size_t n)
{
    size_t max = c->srv->cfg.max_body;

    if (c->oom || c->too_large)
        return; /* discarding until the end, then 503/413 */
    if (n > max - c->body.len) {
        c->too_large = true; /* chunked: the size was not known up front */
        buf_free(&c->body);
        return;
    }
    if (buf_append(&c->body, data, n) < 0) {
        c->oom = true;
        buf_free(&c->body);
    }
}

static enum MHD_Result on_complete(struct http_conn *c, const char *method)
{
    struct http_server *s = c->srv;
    struct http_response resp = {0};
    struct http_request req;

    if (c->too_large)
        return refuse(c, method, 413, "request body exceeds %zu bytes", s->cfg.max_body);
    if (c->oom)
        return refuse(c, method, 503, "out of memory");
    c->phase = HTTP_PHASE_DONE;
    c->answering = true;
    fill_request(c, method, &req);
    if (c->body.data) {
        req.body = c->body.data;
        req.body_len = c->body.len;
    }
    s->handler(s->ud, &req, &resp);
    return respond(c, method, &resp, false);
}

enum MHD_Result http_on_access(void *cls, struct MHD_Connection *mc, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **req_cls)
{
    struct http_conn *c = *req_cls;

    (void)cls;
    (void)mc;
    (void)url; /* decoded by MHD and without the query: we use the raw target instead */
    (void)version;
    if (!c)
        return MHD_NO; /* no state (allocation failed): close */
    switch (c->phase) {
    case HTTP_PHASE_HEADERS:
        return on_headers(c, method);
    case HTTP_PHASE_BODY:
        if (*upload_data_size == 0)
            return on_complete(c, method);
        on_body(c, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    case HTTP_PHASE_DONE: /* answered early: MHD discards the rest */
        *upload_data_size = 0;
        return MHD_YES;
    case HTTP_PHASE_IDLE:
        break;
    }
    return MHD_NO; /* a call outside any request: cannot happen, close rather than loop */
}

const char *http_request_header(const struct http_request *req, const char *name)
{
    if (!req->priv || !req->priv->mhd)
        return NULL;
    return MHD_lookup_connection_value(req->priv->mhd, MHD_HEADER_KIND, name);
}

struct foreach_ctx {
    int (*cb)(void *ud, const char *name, const char *value);
    void *ud;
    int ret;
};

static enum MHD_Result foreach_one(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct foreach_ctx *f = cls;

    (void)kind;
    f->ret = f->cb(f->ud, key, value ? value : "");
    return f->ret ? MHD_NO : MHD_YES;
}

int http_request_foreach_header(const struct http_request *req,
                                int (*cb)(void *ud, const char *name, const char *value), void *ud)
{
    struct foreach_ctx f = {.cb = cb, .ud = ud, .ret = 0};

    if (!req->priv || !req->priv->mhd)
        return 0;
    MHD_get_connection_values(req->priv->mhd, MHD_HEADER_KIND, foreach_one, &f);
    return f.ret;
}
