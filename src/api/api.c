/* api/api.c: the entry point the HTTP layer calls for every request. The dispatcher makes the
 * generic checks once, in this order, before any handler runs: a route for the method and path
 * (404 APIGW.0101), a plausible project id, authentication (401/403) unless the route is exempt
 * (the operator surface, ROUTE_OPERATOR, has its own rule: operator_check), printable path ids
 * (404), and for ROUTE_JSON a body that is a JSON object (400), parsed once. The route and who
 * asked are noted on the request for the access log and the metrics (http_request_note).
 * Then it calls the handler and answers its failure from the error table (api/errors.c),
 * logging it once; writes are logged with their outcome. */
#include "api/api_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "control/control.h"
#include "util/ids.h"
#include "util/log.h"

void api_config_defaults(struct api_config *cfg)
{
    *cfg = (struct api_config){.credentials = NULL, .max_skew_s = 900};
}

int api_init(struct api *api, const struct api_config *cfg, struct svc *svc, char *errbuf,
             size_t errlen)
{
    size_t n;
    const struct route *routes = api_routes(&n);

    memset(api, 0, sizeof(*api));
    api->cfg = *cfg;
    api->svc = svc;
    if (router_init(&api->router, routes, n) < 0) {
        snprintf(errbuf, errlen, "route table: more than %d routes or a malformed pattern",
                 ROUTER_MAX_ROUTES);
        return -EINVAL;
    }
    if (cfg->credentials) {
        char why[512];
        int r = auth_creds_load(cfg->credentials, &api->creds, why, sizeof(why));
        if (r < 0) {
            snprintf(errbuf, errlen, "cannot load credentials: %s", why);
            return r;
        }
    }
    return 0;
}

void api_done(struct api *api)
{
    api->creds = auth_creds_free(api->creds);
    api_delayed_free(api);
}

static const char *request_header(void *ud, const char *name)
{
    return http_request_header(ud, name);
}

/* A route's tag for http_request_note: its index in the table + 1 (0: no route). */
static unsigned route_tag(const struct route *route)
{
    size_t n;
    const struct route *routes = api_routes(&n);

    return route ? (unsigned)(route - routes) + 1 : 0;
}

const struct route *api_route_of_tag(unsigned tag)
{
    size_t n;
    const struct route *routes = api_routes(&n);

    return tag >= 1 && tag <= n ? &routes[tag - 1] : NULL;
}

void api_set_metrics(struct api *api, api_metrics_fn fn, void *ud)
{
    api->metrics = fn;
    api->metrics_ud = ud;
}

/* The request as auth/ sees it. */
static struct auth_request auth_request_of(const struct http_request *req)
{
    return (struct auth_request){
        .method = req->method,
        .raw_path = req->path,
        .raw_query = req->query,
        .body = req->body,
        .body_len = req->body_len,
        .header = request_header,
        .ud = (void *)req,
    };
}

/* What auth/ said (r, res) noted on the request; a refusal counted by its cause and logged
 * once. Returns 0, or the refusal (API_ERR_UNAUTHENTICATED, _FORBIDDEN, or a failure of the
 * check) with its message in msg. */
static int auth_outcome(struct api_ctx *ctx, int r, const struct auth_result *res,
                        const char *surface, char *msg, size_t size)
{
    const struct http_request *req = ctx->req;

    http_request_note(req, route_tag(ctx->route), res->principal);
    if (r == 0)
        return 0;
    if (r == -EACCES || r == -EPERM)
        ctx->api->stats.auth_failures[res->cause]++;
    log_info("request_id=%s op=auth result=%s principal=\"%s\" cause=%s surface=%s",
             req->request_id, r == -EACCES ? "forbidden" : "unauthenticated", res->principal,
             auth_cause_name(res->cause), surface);
    snprintf(msg, size, "%.1023s", res->msg); /* as much as an error message holds */
    return r == -EACCES ? API_ERR_FORBIDDEN : r == -EPERM ? API_ERR_UNAUTHENTICATED : r;
}

/* A tenant's request: an AK/SK signature or a token that holds the path's project. */
static int authenticate(struct api_ctx *ctx, char *msg, size_t size)
{
    struct auth_request areq = auth_request_of(ctx->req);
    struct auth_result res;
    /* the signature's time is the wall clock's: the SDK signs with real time */
    int r = auth_check(ctx->api->creds, &areq, ctx->call.project_id, ids_now_ms() / 1000,
                       (int64_t)ctx->api->cfg.max_skew_s, &res);

    return auth_outcome(ctx, r, &res, "api", msg, size);
}

/* The operator surfaces (ROUTE_OPERATOR: /metrics, the control surface): tenants never reach
 * them. Without credentials vpnd serves loopback only (protected mode) and they are open like
 * the rest; with credentials they take an operator's credential (an "admin" line of the
 * credentials file: a token, also as a bearer token, or a signing AK/SK), and a tenant's is
 * refused. One rule, here, for every operator route. */
static int operator_check(struct api_ctx *ctx, char *msg, size_t size)
{
    struct auth_request areq = auth_request_of(ctx->req);
    struct auth_result res;

    if (!ctx->api->creds)
        return 0;
    return auth_outcome(ctx,
                        auth_check_admin(ctx->api->creds, &areq, ids_now_ms() / 1000,
                                         (int64_t)ctx->api->cfg.max_skew_s, &res),
                        &res, "operator", msg, size);
}

/* Project ids are 32 hex characters on the real cloud; any id of letters, digits, '-' and '_'
 * is accepted so fixtures can use readable ones. (A table: this runs for every request.) */
static bool project_id_is_valid(const char *s)
{
#define R(a, b) [a ... b] = 1
    static const unsigned char ok[256] = {R('0', '9'), R('a', 'z'), R('A', 'Z'), ['-'] = 1,
                                          ['_'] = 1};
#undef R

    while (ok[(unsigned char)*s])
        s++;
    return *s == '\0';
}

/* Path ids ({id}, {sub_id}) are server-generated UUIDs or names of printable ASCII. */
static bool resource_id_is_plausible(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

/* The generic checks (see the head of this file): 0, or the error to answer with its message. */
static int admit(struct api_ctx *ctx, struct model_body **body, char *msg, size_t size)
{
    const struct http_request *req = ctx->req;
    unsigned flags;

    ctx->route = router_match(&ctx->api->router, req->method, req->path, &ctx->call);
    if (!ctx->route || !project_id_is_valid(ctx->call.project_id) ||
        ((ctx->route->flags & ROUTE_CONTROL) && !ctx->api->control)) {
        snprintf(msg, size,
                 "The API does not exist or has not been published in the environment: %.16s "
                 "%.64s",
                 req->method, req->path);
        ctx->route = NULL;
        return API_ERR_NO_API;
    }
    flags = ctx->route->flags;
    http_request_note(req, route_tag(ctx->route), NULL);
    if (flags & ROUTE_OPERATOR) {
        int r = operator_check(ctx, msg, size);
        if (r != 0)
            return r;
    } else if (ctx->api->creds && !(flags & ROUTE_NO_AUTH)) {
        int r = authenticate(ctx, msg, size);
        if (r != 0)
            return r;
    }
    if (!resource_id_is_plausible(ctx->call.id) || !resource_id_is_plausible(ctx->call.sub_id)) {
        /* no stored id is anything but printable ASCII; PostgreSQL would refuse such a value
         * as a parameter (invalid UTF-8), so it is answered here like any unknown id */
        snprintf(msg, size, "no resource has the id \"%.64s\"",
                 resource_id_is_plausible(ctx->call.id) ? ctx->call.sub_id : ctx->call.id);
        return VERR_NOT_FOUND;
    }
    if (flags & ROUTE_JSON) {
        int r = model_body_parse(req->body, req->body_len, flags & ROUTE_EMPTY_OK, body,
                                 &ctx->err);
        if (r < 0)
            return r;
        ctx->body = *body;
    }
    return 0;
}

/* The id a write acted on, for its log line: the path's, or the created resource's (the first
 * "id" of the reply: every object the model renders starts with it). */
static void written_id(const struct api_ctx *ctx, char out[MODEL_UUID_LEN])
{
    const char *p = ctx->call.id[0] ? NULL : strstr(ctx->resp->body.data ? ctx->resp->body.data
                                                                        : "",
                                                    "{\"id\":\"");

    snprintf(out, MODEL_UUID_LEN, "%.36s", ctx->call.id[0] ? ctx->call.id : "-");
    if (p)
        snprintf(out, MODEL_UUID_LEN, "%.36s", p + 7);
}

/* Answers the failure r of the request (its message, for a refusal, in ctx->err); logs a
 * failure of the server once. */
static void fail(struct api_ctx *ctx, int r)
{
    const char *op = ctx->route ? ctx->route->op : "dispatch";
    const char *msg;
    char text[128];
    int e = api_error_for(r, &ctx->err, &msg);

    if (e == API_ERR_SERVER) {
        log_error("request_id=%s op=%s error=\"%s\" store=\"%s\"", ctx->req->request_id, op,
                  strerror(-r), svc_errmsg(ctx->svc));
        snprintf(text, sizeof(text), "see request %s in the server log", ctx->req->request_id);
        msg = text;
    } else if (r == -ENOSPC) { /* the operator must act: say where and how much */
        log_error("request_id=%s op=%s error=\"%s\" store=\"%s\"", ctx->req->request_id, op,
                  strerror(-r), svc_errmsg(ctx->svc));
    } else if (e == API_ERR_BUSY || e == API_ERR_UNAVAILABLE) {
        log_warn("request_id=%s op=%s error=\"%s\"", ctx->req->request_id, op, strerror(-r));
    }
    api_error_render(ctx->req, ctx->resp, e, msg);
}

/* A GET of one gateway, connection or monitor: the kind whose reads a transition may count. */
static int shown_kind(const struct route *route)
{
    if (route->handler == api_conn_show)
        return MODEL_KIND_CONN;
    if (route->handler == api_vgw_show)
        return MODEL_KIND_VGW;
    return route->handler == api_monitor_show ? MODEL_KIND_MONITOR : -1;
}

/* The control surface's part of a cloud API request, before its handler: a read counted for a
 * transition held until N reads, and the fault rules (true with *f when one fired). */
static bool before_handler(struct api_ctx *ctx, struct model_ctl_fault *f)
{
    struct control *ctl = ctx->api->control;

    if (control_watches_reads(ctl)) {
        int kind = shown_kind(ctx->route);
        if (kind >= 0)
            control_on_read(ctl, (enum model_kind)kind, ctx->call.project_id, ctx->call.id);
    }
    if (!control_has_faults(ctl))
        return false;
    struct control_request rq = {
        .method = ctx->req->method,
        .operation = ctx->route->op,
        .path = ctx->req->path,
        .project_id = ctx->call.project_id,
        .resource_id = ctx->call.id,
    };
    return control_fault_match(ctl, &rq, f);
}

void api_handle(void *ud, const struct http_request *req, struct http_response *resp)
{
    struct api *api = ud;
    struct api_ctx ctx;
    _cleanup_(model_body_freep) struct model_body *body = NULL;
    struct model_ctl_fault fault;
    bool faulted = false;
    char msg[1024];
    int e;

    /* field by field: ctx.err is written only by a refusal (the hot path does not clear it) */
    ctx.api = api;
    ctx.svc = api->svc;
    ctx.req = req;
    ctx.resp = resp;
    ctx.route = NULL;
    ctx.body = NULL;
    ctx.call.req = req;
    ctx.err.code = VERR_INVALID;
    ctx.err.msg[0] = '\0';
    e = admit(&ctx, &body, msg, sizeof(msg));
    if (e < 0) { /* the body's refusal, or a failure of a check */
        fail(&ctx, e);
        return;
    }
    if (e > 0) {
        api_error_render(req, resp, e, msg);
        return;
    }
    if (api->control && !(ctx.route->flags & ROUTE_OWN))
        faulted = before_handler(&ctx, &fault);
    /* an error answer or a drop replaces the operation, unless the rule says to apply it */
    if (!faulted || fault.apply || (!fault.status && !fault.drop)) {
        int r = ctx.route->handler(&ctx);
        if (r < 0) {
            fail(&ctx, r);
        } else if (ctx.route->flags & ROUTE_WRITE) {
            char id[MODEL_UUID_LEN];

            written_id(&ctx, id);
            log_info("request_id=%s op=%s project_id=%s id=%s status=%d", req->request_id,
                     ctx.route->op, ctx.call.project_id, id, resp->status);
        }
    }
    if (faulted)
        api_fault_answer(api, req, resp, &fault, ctx.route->op);
}

void api_on_http_error(void *ud, const struct http_request *req, int status, const char *msg,
                       struct http_response *resp)
{
    (void)ud;
    /* 503: out of memory or of the body budget, the server's condition (try again), not a
     * fault of the request */
    api_error_render(req, resp,
                     status == 413   ? API_ERR_TOO_LARGE
                     : status == 503 ? API_ERR_UNAVAILABLE
                                     : API_ERR_BAD_REQUEST,
                     msg);
}

int api_refuse(struct api_ctx *ctx, enum verr_code code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(ctx->err.msg, sizeof(ctx->err.msg), fmt, ap);
    va_end(ap);
    ctx->err.code = code;
    return -EINVAL;
}

int api_reply_open(struct api_ctx *ctx, const char *head)
{
    buf_reset(&ctx->resp->body);
    return buf_puts(&ctx->resp->body, head);
}

int api_reply_close(struct api_ctx *ctx, int status, const char *tail, bool with_id)
{
    static const char key[] = ",\"request_id\":\"";
    struct buf *b = &ctx->resp->body;
    size_t tlen = strlen(tail), idlen = with_id ? strlen(ctx->req->request_id) : 0;
    size_t n = tlen + (with_id ? sizeof(key) - 1 + idlen + 2 : 1);
    int r = buf_reserve(b, n);
    char *p;

    if (r < 0)
        return r;
    /* every reply ends here: one reserve (after a write, within the room the service left),
     * then the pieces copied in place */
    p = b->data + b->len;
    memcpy(p, tail, tlen);
    p += tlen;
    if (with_id) {
        memcpy(p, key, sizeof(key) - 1);
        p += sizeof(key) - 1;
        memcpy(p, ctx->req->request_id, idlen);
        p += idlen;
        *p++ = '"';
    }
    *p = '}';
    b->len += n;
    b->data[b->len] = '\0';
    ctx->resp->status = status;
    return 0;
}

int api_reply_none(struct api_ctx *ctx)
{
    buf_reset(&ctx->resp->body);
    ctx->resp->status = 204;
    return 0;
}

int api_reply_request_id(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"request_id\":\"");

    if (r == 0)
        r = buf_puts(&ctx->resp->body, ctx->req->request_id);
    return r < 0 ? r : api_reply_close(ctx, 200, "\"", false);
}

int api_reply_page(struct api_ctx *ctx, const struct svc_page *page)
{
    struct buf *b = &ctx->resp->body;
    int r = buf_puts(b, "],\"page_info\":{");

    if (r == 0 && page->next_marker[0])
        r = buf_printf(b, "\"next_marker\":\"%s\",", page->next_marker);
    if (r == 0)
        r = buf_printf(b, "\"current_count\":%zu},\"total_count\":%lld", page->count,
                       (long long)page->total);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}
