/* api/fault.c: what an injected fault does to an answer (control/control.h "fault rules"): the
 * rule's error body, a connection closed without an answer, and latency, for which the answer
 * is deferred (http_request_defer) and sent by a later tick: nothing sleeps on the loop. */
#include "api/api_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "util/ids.h"
#include "util/log.h"

/* An answer held back by an injected latency. */
struct api_delayed {
    struct api_delayed *next;
    struct http_pending *pending;
    struct http_response resp; /* owns its body */
    int64_t due;               /* ids_mono_ms time */
    bool drop;                 /* closed without an answer when due */
};

void api_attach_control(struct api *api, struct control *ctl, const char *driver,
                        api_wake_fn wake, void *wake_ud)
{
    api->control = ctl;
    api->driver = driver;
    api->wake = wake;
    api->wake_ud = wake_ud;
}

/* Holds resp back until ms from now (resp's body is taken). Without a connection to defer (a
 * request built by hand) or memory, the answer goes now. */
static void delay_answer(struct api *api, const struct http_request *req,
                         struct http_response *resp, int64_t ms, bool drop)
{
    struct api_delayed *d = calloc(1, sizeof(*d));
    struct http_pending *p = d ? http_request_defer(req) : NULL;

    if (!p) {
        free(d);
        if (drop)
            http_request_drop(req);
        return;
    }
    d->pending = p;
    d->resp = *resp;
    resp->body = (struct buf){0};
    d->due = ids_mono_ms() + ms;
    d->drop = drop;
    struct api_delayed **at = &api->delayed;
    while (*at && (*at)->due <= d->due)
        at = &(*at)->next;
    d->next = *at;
    *at = d;
    if (api->wake)
        api->wake(api->wake_ud, d->due);
}

void api_tick(struct api *api)
{
    int64_t now = ids_mono_ms();

    while (api->delayed && api->delayed->due <= now) {
        struct api_delayed *d = api->delayed;
        api->delayed = d->next;
        if (d->drop)
            http_pending_drop(d->pending);
        else
            http_pending_complete(d->pending, &d->resp);
        buf_free(&d->resp.body);
        free(d);
    }
    if (api->delayed && api->wake)
        api->wake(api->wake_ud, api->delayed->due);
}

void api_delayed_free(struct api *api)
{
    while (api->delayed) {
        struct api_delayed *d = api->delayed;
        api->delayed = d->next;
        buf_free(&d->resp.body);
        free(d);
    }
}

void api_fault_answer(struct api *api, const struct http_request *req, struct http_response *resp,
                      const struct model_ctl_fault *f, const char *op)
{
    char msg[600];

    log_info("request_id=%s op=%s event=fault_injected rule=%s status=%d latency_ms=%lld "
             "drop=%s applied=%s",
             req->request_id, op, f->id, f->status, (long long)f->latency_ms,
             f->drop ? "true" : "false", f->apply ? "true" : "false");
    if (f->status) {
        if (!f->error_msg[0])
            snprintf(msg, sizeof(msg), "fault injected by vpnd (rule %s)", f->id);
        api_error_render_as(req, resp, f->status, f->error_code, f->error_msg[0] ? f->error_msg : msg);
    }
    if (f->latency_ms)
        delay_answer(api, req, resp, f->latency_ms, f->drop);
    else if (f->drop)
        http_request_drop(req);
}
