/* api/vpn_gateway_upgrade.c: gateway upgrade (POST vpn-gateways/{id}/upgrade) and its jobs
 * (GET vpn-gateways/jobs, DELETE vpn-gateways/jobs/{job_id}) (spec §3.1). Jobs live in the
 * gateway's spec (its newest MODEL_MAX_JOBS); every action is one compare-and-set write of the
 * gateway, which goes PENDING_UPDATE until the status engine settles it ACTIVE. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "api/query.h"
#include "api/vgw_extra.h"
#include "model/model.h"
#include "store/store.h"
#include "util/ids.h"
#include "util/log.h"

#define SAVE_ATTEMPTS 8


int vpn_gateway_upgrade(struct api *api, const struct api_call *call, struct http_response *resp)
{
    const struct http_request *req = call->req;
    _cleanup_free_ struct vgw_loaded *l = calloc(1, sizeof(*l));
    _cleanup_(buf_free) struct buf out = {0};
    char job_id[MODEL_UUID_LEN];
    const char *action = NULL;
    struct verr err = {0};

    if (!l)
        return api_fail_errno(req, resp, -ENOMEM, "vpn_gateway.upgrade");
    if (vgw_extra_load(api, call, call->id, l, resp) < 0)
        return 0;
    int r = model_vgw_upgrade_parse(req->body, req->body_len, &action, &err);
    if (r == -EINVAL)
        return api_fail_verr(req, resp, &err);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_gateway.upgrade.parse");
    if (vgw_extra_active(call, l, resp) < 0)
        return 0;
    if (ids_uuid4(job_id) < 0)
        return api_fail_errno(req, resp, -EIO, "vpn_gateway.upgrade.id");
    int64_t now = ids_now_ms();
    int at = model_vgw_upgrade_apply(&l->g, action, job_id, now, &err);
    if (at < 0)
        return api_fail_verr(req, resp, &err);
    const struct model_vgw_job *job = &l->g.jobs[at];
    if (vgw_extra_save_reply(api, call, l, "vpn_gateway.upgrade.save", resp) < 0)
        return 0;
    log_info("request_id=%s op=vpn_gateway.upgrade project_id=%s id=%s action=%s job_id=%s",
             req->request_id, call->project_id, call->id, action, job->id);
    if (model_vgw_job_render(&l->g, job, "PENDING_UPDATE", 0, &out) < 0)
        return api_fail_errno(req, resp, -ENOMEM, "vpn_gateway.upgrade.render");
    return api_reply_wrapped(call, resp, 200, "job", &out);
}

/* ---- job list ---- */

struct job_item {
    int64_t created_at;
    char id[MODEL_UUID_LEN];
    size_t off, len; /* of its rendered object in jobs_ctx.text */
};

struct jobs_ctx {
    struct model_vgw *g;
    char resource_id[ROUTER_MAX_PARAM];
    bool bad_param;
    struct buf text;
    struct job_item *items;
    size_t n, cap;
};

static int jobs_param(void *ud, const char *key, const char *value)
{
    struct jobs_ctx *x = ud;

    if (!value) {
        x->bad_param = true;
        return -1;
    }
    if (strcmp(key, "resource_id") == 0)
        snprintf(x->resource_id, sizeof(x->resource_id), "%s", value);
    return 0;
}

static int jobs_row(void *ud, const struct store_vgw_row *row)
{
    struct jobs_ctx *x = ud;

    if (x->resource_id[0] && strcmp(x->resource_id, row->id) != 0)
        return 0;
    int r = model_vgw_from_internal(row->spec, strlen(row->spec), x->g);
    for (size_t i = 0; r == 0 && i < x->g->n_jobs; i++) {
        if (x->n == x->cap) {
            size_t cap = x->cap ? 2 * x->cap : 32;
            struct job_item *v = realloc(x->items, cap * sizeof(*v));
            if (!v)
                return -ENOMEM;
            x->items = v;
            x->cap = cap;
        }
        struct job_item *it = &x->items[x->n];
        it->created_at = x->g->jobs[i].created_at;
        snprintf(it->id, sizeof(it->id), "%s", x->g->jobs[i].id);
        it->off = x->text.len;
        r = model_vgw_job_render(x->g, &x->g->jobs[i], row->status, 0, &x->text);
        it->len = x->text.len - it->off;
        x->n++;
    }
    return r;
}

/* Newest first; ties by id. */
static int job_cmp(const void *a, const void *b)
{
    const struct job_item *x = a, *y = b;

    if (x->created_at != y->created_at)
        return x->created_at > y->created_at ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* No pagination: a project holds at most its gateway quota times MODEL_MAX_JOBS jobs. An
 * unknown resource_id lists nothing. */
int vpn_gateway_jobs_list(struct api *api, const struct api_call *call, struct http_response *resp)
{
    const struct http_request *req = call->req;
    _cleanup_free_ struct model_vgw *g = calloc(1, sizeof(*g));
    struct jobs_ctx x = {.g = g};
    struct buf *b = &resp->body;
    int r = 0;

    if (!g)
        return api_fail_errno(req, resp, -ENOMEM, "vpn_gateway.jobs");
    if (query_foreach(req->query, jobs_param, &x) != 0 || x.bad_param)
        return api_fail(req, resp, &API_ERR_INVALID,
                        "invalid request: query parameters must be percent-encoded text under "
                        "256 bytes");
    r = store_vgw_list(api->store, call->project_id, jobs_row, &x);
    if (r == 0 && x.n)
        qsort(x.items, x.n, sizeof(x.items[0]), job_cmp);
    buf_reset(b);
    if (r == 0)
        r = buf_puts(b, "{\"jobs\":[");
    for (size_t i = 0; r == 0 && i < x.n; i++) {
        if (i)
            r = buf_puts(b, ",");
        if (r == 0)
            r = buf_append(b, x.text.data + x.items[i].off, x.items[i].len);
    }
    if (r == 0)
        r = buf_printf(b, "],\"total_count\":%zu,\"request_id\":\"%s\"}", x.n, req->request_id);
    free(x.items);
    buf_free(&x.text);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_gateway.jobs");
    resp->status = 200;
    return 0;
}

/* ---- job delete ---- */

struct find_ctx {
    const char *job_id;
    char vgw_id[MODEL_UUID_LEN];
    struct model_vgw *g;
};

static int find_row(void *ud, const struct store_vgw_row *row)
{
    struct find_ctx *f = ud;

    /* a job id is a UUID: a quick text test before decoding the spec */
    if (!strstr(row->spec, f->job_id))
        return 0;
    int r = model_vgw_from_internal(row->spec, strlen(row->spec), f->g);
    if (r < 0)
        return r;
    if (model_vgw_job_find(f->g, f->job_id) < 0)
        return 0;
    snprintf(f->vgw_id, sizeof(f->vgw_id), "%s", row->id);
    return 0;
}

int vpn_gateway_jobs_delete(struct api *api, const struct api_call *call,
                            struct http_response *resp)
{
    const struct http_request *req = call->req;
    _cleanup_free_ struct vgw_loaded *l = calloc(1, sizeof(*l));
    _cleanup_free_ struct model_vgw *scratch = calloc(1, sizeof(*scratch));
    int r = -EAGAIN;

    if (!l || !scratch)
        return api_fail_errno(req, resp, -ENOMEM, "vpn_gateway.jobs.delete");
    for (int attempt = 0; r == -EAGAIN && attempt < SAVE_ATTEMPTS; attempt++) {
        struct find_ctx f = {.job_id = call->id, .g = scratch};
        r = ids_is_uuid(call->id) ? store_vgw_list(api->store, call->project_id, find_row, &f)
                                  : 0;
        if (r < 0)
            return api_fail_errno(req, resp, r, "vpn_gateway.jobs.find");
        if (!f.vgw_id[0])
            return api_fail(req, resp, &API_ERR_NOT_FOUND, "resource not found: job \"%.64s\"",
                            call->id);
        if (vgw_extra_load(api, call, f.vgw_id, l, resp) < 0)
            return 0;
        int i = model_vgw_job_find(&l->g, call->id);
        if (i < 0) {
            r = -EAGAIN; /* gone between the two reads: look again */
            continue;
        }
        if (strcmp(l->g.jobs[i].status, "RUNNING") == 0)
            return api_fail(req, resp, &API_ERR_INVALID,
                            "invalid request: job %s is RUNNING; finish or rollback the upgrade "
                            "of gateway %s first",
                            call->id, l->g.id);
        model_vgw_job_remove(&l->g, (size_t)i);
        r = vgw_extra_save(api, call->project_id, l, false);
    }
    if (r == -ENOENT || r == -EAGAIN)
        return api_fail(req, resp, &API_ERR_NOT_FOUND, "resource not found: job \"%.64s\"",
                        call->id);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_gateway.jobs.delete");
    log_info("request_id=%s op=vpn_gateway.jobs.delete project_id=%s job_id=%s", req->request_id,
             call->project_id, call->id);
    buf_reset(&resp->body);
    resp->status = 204;
    return 0;
}
