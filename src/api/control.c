/* api/control.c: vpnd's own routes (README "Testing against vpnd"): health and readiness for
 * operators and service managers, and the control surface for people who test against vpnd:
 * reset, seed, state, forced statuses, advance, transition rules, fault rules, virtual time.
 * Thin adapters over control/ (the dispatcher already checked the operator's credential). */
#include "api/api_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/query.h"
#include "control/control.h"

#ifndef VPND_VERSION
#define VPND_VERSION "0.0.0"
#endif

/* With a data-plane driver: ,"dataplane":{"connected":bool} (its daemon reachable now). */
static int dataplane_write(struct api_ctx *ctx)
{
    bool connected = false;

    if (!svc_dataplane(ctx->svc, &connected))
        return 0;
    return buf_printf(&ctx->resp->body, ",\"dataplane\":{\"connected\":%s}",
                      connected ? "true" : "false");
}

int api_vpnd_health(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"status\":\"ok\",\"version\":\"" VPND_VERSION "\",\"store\":");

    if (r == 0)
        r = buf_json_str(&ctx->resp->body, svc_store_name(ctx->svc));
    if (r == 0)
        r = buf_printf(&ctx->resp->body, ",\"driver\":\"%s\",\"control_api\":%s",
                       ctx->api->driver ? ctx->api->driver : "sim",
                       ctx->api->control ? "true" : "false");
    if (r == 0)
        r = dataplane_write(ctx);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

/* 200 only when the store answers; otherwise the error body of the store's failure (500, 503
 * or 504: the dispatcher logs the cause), which every probe reads as "not ready". A data plane
 * whose daemon cannot be reached is said, not refused: the API serves meanwhile (its
 * connections are UNKNOWN, the driver reconnects by itself), and a probe that took vpnd out of
 * service for it would take the API away too. */
int api_vpnd_ready(struct api_ctx *ctx)
{
    int r = svc_ping(ctx->svc);

    if (r == 0)
        r = api_reply_open(ctx, "{\"status\":\"ready\",\"store\":");
    if (r == 0)
        r = buf_json_str(&ctx->resp->body, svc_store_name(ctx->svc));
    if (r == 0)
        r = dataplane_write(ctx);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

/* Room for a reply written after a write commits, so that nothing fails once it has (svc.h
 * "Replies"). */
#define REPLY_ROOM 1024

/* Opens the reply with head and reserves REPLY_ROOM after it. */
static int reply_ready(struct api_ctx *ctx, const char *head)
{
    int r = api_reply_open(ctx, head);

    return r < 0 ? r : buf_reserve(&ctx->resp->body, REPLY_ROOM);
}

int api_vpnd_reset(struct api_ctx *ctx)
{
    struct model_ctl_target t;
    int r = model_ctl_target_parse(ctx->body, true, &t, &ctx->err);

    if (r == 0)
        r = reply_ready(ctx, "{\"reset\":");
    if (r == 0)
        r = control_reset(ctx->api->control, t.project_id[0] ? t.project_id : NULL);
    if (r == 0)
        r = buf_json_str(&ctx->resp->body, t.project_id[0] ? t.project_id : "all");
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

/* ---- seed and state ---- */

struct seed_query {
    struct control_seed *s;
    char project_id[MODEL_PROJECT_ID_LEN];
    struct api_ctx *ctx;
};

static int seed_bool(struct api_ctx *ctx, const char *key, const char *value, bool *ret)
{
    if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0) {
        *ret = value[0] == 't';
        return 0;
    }
    return api_refuse(ctx, VERR_INVALID, "%s: must be true or false, got \"%.64s\"", key, value);
}

static int seed_param(void *ud, const char *key, const char *value)
{
    struct seed_query *q = ud;

    if (!value)
        return api_refuse(q->ctx, VERR_INVALID, "query: a parameter does not decode");
    if (strcmp(key, "keep_ids") == 0)
        return seed_bool(q->ctx, key, value, &q->s->keep);
    if (strcmp(key, "skip_invalid") == 0)
        return seed_bool(q->ctx, key, value, &q->s->skip_invalid);
    if (strcmp(key, "project_id") == 0) {
        size_t n = strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789-_");
        if (n == 0 || value[n] || n >= sizeof(q->project_id))
            return api_refuse(q->ctx, VERR_INVALID,
                              "project_id: must be 1 to 64 characters from A-Z a-z 0-9 - _, got "
                              "\"%.64s\"",
                              value);
        snprintf(q->project_id, sizeof(q->project_id), "%s", value);
        q->s->project_id = q->project_id;
        return 0;
    }
    return 0; /* as the lists: other keys are ignored */
}

/* The first line of text (the first refused record's message). */
static void first_line(const char *text, char *out, size_t size)
{
    size_t n = strcspn(text, "\n");

    snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), text);
}

int api_vpnd_seed(struct api_ctx *ctx)
{
    _cleanup_(buf_free) struct buf report = {0};
    struct control_seed s = {.keep = true};
    struct seed_query q = {.s = &s, .ctx = ctx};
    struct buf *b = &ctx->resp->body;
    int r = query_foreach(ctx->req->query, seed_param, &q);

    if (r == 0)
        r = reply_ready(ctx, "");
    if (r < 0)
        return r;
    r = control_seed(ctx->api->control, ctx->req->body, ctx->req->body_len, &s, &report);
    if (r == -EINVAL && !s.skip_invalid) {
        char line[512];
        first_line(report.data ? report.data : "seed: refused", line, sizeof(line));
        return api_refuse(ctx, VERR_INVALID, "%s", line);
    }
    if (r < 0 && r != -EINVAL)
        return r;
    r = buf_printf(b,
                       "{\"records\":%zu,\"imported\":%zu,\"vpn_gateways\":%zu,"
                       "\"customer_gateways\":%zu,\"vpn_connections\":%zu,\"refused\":%zu,"
                       "\"refusals\":[",
                       s.records, s.imported, s.by_kind[0], s.by_kind[1], s.by_kind[2], s.refused);
    /* with skip_invalid: each refused record's message, as vpnd import prints them */
    for (const char *p = report.data; r == 0 && p && *p;) {
        size_t n = strcspn(p, "\n");
        char line[512];
        snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1), p);
        r = buf_puts(b, p == report.data ? "" : ",");
        if (r == 0)
            r = buf_json_str(b, line);
        p += n + (p[n] == '\n');
    }
    return r < 0 ? r : api_reply_close(ctx, 200, "]", true);
}

int api_vpnd_state(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "");

    if (r == 0)
        r = control_state(ctx->api->control, &ctx->resp->body);
    if (r < 0)
        return r;
    ctx->resp->status = 200;
    ctx->resp->content_type = "application/x-ndjson";
    return 0;
}

/* ---- statuses ---- */

int api_vpnd_status(struct api_ctx *ctx)
{
    struct model_ctl_status st;
    int r = model_ctl_status_parse(ctx->body, &st, &ctx->err);

    if (r == 0)
        r = reply_ready(ctx, "{\"resource\":");
    if (r == 0)
        r = control_status_force(ctx->api->control, &st, &ctx->resp->body, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

int api_vpnd_advance(struct api_ctx *ctx)
{
    struct model_ctl_target t;
    size_t n = 0;
    int r = model_ctl_target_parse(ctx->body, false, &t, &ctx->err);

    if (r == 0)
        r = reply_ready(ctx, "");
    if (r == 0)
        r = control_advance(ctx->api->control, &t, &n, &ctx->err);
    if (r == 0)
        r = buf_printf(&ctx->resp->body, "{\"advanced\":%zu", n);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

/* ---- transition rules ---- */

int api_vpnd_transitions(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"transitions\":");

    if (r == 0)
        r = control_transitions_write(ctx->api->control, &ctx->resp->body);
    if (r == 0)
        r = buf_puts(&ctx->resp->body, ",\"held\":");
    if (r == 0)
        r = control_held_write(ctx->api->control, &ctx->resp->body);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

int api_vpnd_transition_add(struct api_ctx *ctx)
{
    struct model_ctl_transition t;
    int r = model_ctl_transition_parse(ctx->body, &t, &ctx->err);

    if (r == 0)
        r = api_reply_open(ctx, "{\"transition\":");
    if (r == 0)
        r = control_transition_add(ctx->api->control, &t, &ctx->resp->body);
    return r < 0 ? r : api_reply_close(ctx, 201, "", true);
}

int api_vpnd_transition_delete(struct api_ctx *ctx)
{
    int r = control_transition_delete(ctx->api->control, ctx->call.id[0] ? ctx->call.id : NULL,
                                      &ctx->err);

    return r < 0 ? r : api_reply_none(ctx);
}

/* ---- fault rules ---- */

/* An operation name must be one of the cloud API's (a typo would match nothing, silently). */
static int check_operation(struct api_ctx *ctx, const char *op)
{
    size_t n;
    const struct route *routes = api_routes(&n);

    if (!op[0])
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!(routes[i].flags & ROUTE_OWN) && strcmp(routes[i].op, op) == 0)
            return 0;
    }
    return api_refuse(ctx, VERR_INVALID,
                      "operation: must be an operation of the cloud API (vpnd routes lists them, "
                      "e.g. vpn_connection.show), got \"%.64s\"",
                      op);
}

int api_vpnd_faults(struct api_ctx *ctx)
{
    const struct control_stats *st = &ctx->api->control->stats;
    int r = api_reply_open(ctx, "{\"faults\":");

    if (r == 0)
        r = control_faults_write(ctx->api->control, &ctx->resp->body);
    if (r == 0) /* this node's own count, whichever rules fired */
        r = buf_printf(&ctx->resp->body,
                       ",\"node\":{\"injected\":%llu,\"errors\":%llu,\"latencies\":%llu,"
                       "\"drops\":%llu}",
                       (unsigned long long)st->faults_injected, (unsigned long long)st->faults_error,
                       (unsigned long long)st->faults_latency, (unsigned long long)st->faults_drop);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

int api_vpnd_fault_add(struct api_ctx *ctx)
{
    struct model_ctl_fault f;
    int r = model_ctl_fault_parse(ctx->body, &f, &ctx->err);

    if (r == 0)
        r = check_operation(ctx, f.operation);
    if (r == 0)
        r = api_reply_open(ctx, "{\"fault\":");
    if (r == 0)
        r = control_fault_add(ctx->api->control, &f, &ctx->resp->body);
    return r < 0 ? r : api_reply_close(ctx, 201, "", true);
}

int api_vpnd_fault_delete(struct api_ctx *ctx)
{
    int r = control_fault_delete(ctx->api->control, ctx->call.id[0] ? ctx->call.id : NULL,
                                 &ctx->err);

    return r < 0 ? r : api_reply_none(ctx);
}

/* ---- virtual time ---- */

int api_vpnd_clock(struct api_ctx *ctx)
{
    int r = control_refresh(ctx->api->control, false);

    if (r == 0)
        r = api_reply_open(ctx, "{\"clock\":");
    if (r == 0)
        r = control_clock_write(ctx->api->control, &ctx->resp->body);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

int api_vpnd_clock_set(struct api_ctx *ctx)
{
    struct model_ctl_clock cl;
    int r = model_ctl_clock_parse(ctx->body, &cl, &ctx->err);

    if (r == 0)
        r = control_refresh(ctx->api->control, false);
    if (r == 0)
        r = control_clock_set(ctx->api->control, &cl);
    if (r == 0)
        r = api_reply_open(ctx, "{\"clock\":");
    if (r == 0)
        r = control_clock_write(ctx->api->control, &ctx->resp->body);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}
