/* api/vgw.c: the VPN gateway routes (spec §3) over service/vgw*.c: the gateway itself, its
 * certificate (GM), upgrade jobs and routing table, and the availability zones. */
#include "api/api_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/query.h"

#define ROUTES_MAX_LIMIT 2000
#define ROUTES_MAX_OFFSET 1000000

int api_vgw_create(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"vpn_gateway\":");

    if (r == 0)
        r = svc_vgw_create(ctx->svc, ctx->call.project_id, ctx->body, &ctx->resp->body,
                           &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 201, "", true);
}

int api_vgw_show(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"vpn_gateway\":");

    if (r == 0)
        r = svc_vgw_show(ctx->svc, ctx->call.project_id, ctx->call.id, &ctx->resp->body,
                         &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

int api_vgw_update(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"vpn_gateway\":");

    if (r == 0)
        r = svc_vgw_update(ctx->svc, ctx->call.project_id, ctx->call.id, ctx->body,
                           &ctx->resp->body, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

/* POST update-specification: {"vpn_gateway":{"flavor":...}}; connection_number follows. */
int api_vgw_update_flavor(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"vpn_gateway\":");

    if (r == 0)
        r = svc_vgw_update_flavor(ctx->svc, ctx->call.project_id, ctx->call.id, ctx->body,
                                  &ctx->resp->body, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

int api_vgw_delete(struct api_ctx *ctx)
{
    int r = svc_vgw_delete(ctx->svc, ctx->call.project_id, ctx->call.id, &ctx->err);

    return r < 0 ? r : api_reply_none(ctx);
}

/* No pagination on this list (spec §3.1); a project holds at most its gateway quota. Filters
 * vgw_id (empty: any) and the repeatable enterprise_project_id (more than it holds: 400, never
 * dropped). */
int api_vgw_list(struct api_ctx *ctx)
{
    struct query_list l;
    int r;

    if (query_list_parse(ctx->req->query, 0, true, &l) < 0)
        return api_refuse(ctx, VERR_INVALID, "%s", l.error);
    const char *vgw_id = l.text[QUERY_VGW_ID];
    struct svc_vgw_query q = {.vgw_id = vgw_id && *vgw_id ? vgw_id : NULL};
    query_eps_bind(&l.eps, &q.eps);
    r = api_reply_open(ctx, "{\"vpn_gateways\":[");
    if (r == 0)
        r = svc_vgw_list(ctx->svc, ctx->call.project_id, &q, &ctx->resp->body, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "]", true);
}

/* Simulated: vpnd has no regions; every flavor is offered in the same three zones (model/azs.c):
 * v5 keyed by flavor, v5.1 a list of zones with the specs each offers. */
int api_vgw_availability_zones(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"availability_zones\":");

    if (r == 0)
        r = model_azs_render(&ctx->resp->body);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

int api_vgw_availability_zones_extended(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"availability_zones\":");

    if (r == 0)
        r = model_azs_render_extended(&ctx->resp->body);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

/* ---- certificate (GM gateways), upgrade and jobs ---- */

static int cert_write(struct api_ctx *ctx, const char *cert_id, int status)
{
    int r = api_reply_open(ctx, "{\"certificate\":");

    if (r == 0)
        r = svc_vgw_cert_write(ctx->svc, ctx->call.project_id, ctx->call.id, cert_id, ctx->body,
                               &ctx->resp->body, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, status, "", true);
}

int api_vgw_cert_create(struct api_ctx *ctx)
{
    return cert_write(ctx, NULL, 201);
}

int api_vgw_cert_update(struct api_ctx *ctx)
{
    return cert_write(ctx, ctx->call.sub_id, 200);
}

int api_vgw_cert_show(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"certificate\":");

    if (r == 0)
        r = svc_vgw_cert_show(ctx->svc, ctx->call.project_id, ctx->call.id, &ctx->resp->body,
                              &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

/* The reply is {job_id, request_id} (UpgradeVpnGatewayResponse); the job is listed by jobs. */
int api_vgw_upgrade(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"job_id\":");

    if (r == 0)
        r = svc_vgw_upgrade(ctx->svc, ctx->call.project_id, ctx->call.id, ctx->body,
                            &ctx->resp->body, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "", true);
}

#define JOBS_LIMIT_MAX 1000
#define CERTS_LIMIT_MAX 1000
#define PRE_EXPIRE_DAYS_MAX 3650

/* limit (0-1000, default 1000), marker (the created_at of the last job of the previous page),
 * resource_id; newest first. The model's answer has no page_info or total_count. */
int api_vgw_jobs(struct api_ctx *ctx)
{
    struct query_list l;
    int r;

    if (query_list_parse(ctx->req->query, JOBS_LIMIT_MAX, false, &l) < 0)
        return api_refuse(ctx, VERR_INVALID, "%s", l.error);
    struct svc_jobs_query q = {.resource_id = l.text[QUERY_RESOURCE_ID],
                               .marker = l.text[QUERY_MARKER],
                               .limit = (size_t)l.limit};
    r = api_reply_open(ctx, "{\"jobs\":[");
    if (r == 0)
        r = svc_vgw_jobs(ctx->svc, ctx->call.project_id, &q, &ctx->resp->body, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "]", true);
}

/* GET vpn-gateway-certificates: the project's GM gateway certificates; limit (0-1000, default
 * 1000), marker (the created_at of the last certificate of the previous page), pre_expire_days
 * (0-3650: those whose first certificate expires within that many days); newest first. */
int api_vgw_certs(struct api_ctx *ctx)
{
    struct query_list l;
    long long days = -1;
    int r;

    if (query_list_parse(ctx->req->query, CERTS_LIMIT_MAX, false, &l) < 0)
        return api_refuse(ctx, VERR_INVALID, "%s", l.error);
    if (l.text[QUERY_PRE_EXPIRE_DAYS] &&
        query_count("pre_expire_days", l.text[QUERY_PRE_EXPIRE_DAYS], PRE_EXPIRE_DAYS_MAX, &days,
                    l.error, sizeof(l.error)) < 0)
        return api_refuse(ctx, VERR_INVALID, "%s", l.error);
    struct svc_certs_query q = {
        .marker = l.text[QUERY_MARKER], .limit = (size_t)l.limit, .pre_expire_days = days};
    r = api_reply_open(ctx, "{\"vpn_gateway_certificates\":[");
    if (r == 0)
        r = svc_vgw_certs(ctx->svc, ctx->call.project_id, &q, &ctx->resp->body, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "]", true);
}

int api_vgw_job_delete(struct api_ctx *ctx)
{
    int r = svc_vgw_job_delete(ctx->svc, ctx->call.project_id, ctx->call.id, &ctx->err);

    return r < 0 ? r : api_reply_none(ctx);
}

/* ---- routing table ---- */

struct routes_query {
    long long limit, offset;
    bool has_offset, has_marker, nexthop_resource;
    char error[256];
};

/* offset and marker: a decimal position (a marker is the next_marker of a previous page). */
static int position(const char *value, long long *ret)
{
    char *end;

    if (*value < '0' || *value > '9')
        return -EINVAL;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (*end || errno || v > ROUTES_MAX_OFFSET)
        return -EINVAL;
    *ret = v;
    return 0;
}

static int routes_param(void *ud, const char *key, const char *value)
{
    struct routes_query *q = ud;

    if (!value) {
        snprintf(q->error, sizeof(q->error),
                 "query parameters must be percent-encoded text under 256 bytes");
        return -1;
    }
    if (strcmp(key, "limit") == 0)
        return query_limit(value, ROUTES_MAX_LIMIT, &q->limit, q->error, sizeof(q->error));
    if (strcmp(key, "offset") == 0) {
        q->has_offset = true;
        if (position(value, &q->offset) < 0) {
            snprintf(q->error, sizeof(q->error),
                     "offset: must be an integer from 0 to %d, got \"%.32s\"", ROUTES_MAX_OFFSET,
                     value);
            return -1;
        }
    } else if (strcmp(key, "marker") == 0) {
        q->has_marker = true;
        if (position(value, &q->offset) < 0) {
            snprintf(q->error, sizeof(q->error),
                     "marker: must be a next_marker from a previous page, got \"%.64s\"", value);
            return -1;
        }
    } else if (strcmp(key, "is_include_nexthop_resource") == 0) {
        if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
            snprintf(q->error, sizeof(q->error),
                     "is_include_nexthop_resource: must be true or false, got \"%.32s\"", value);
            return -1;
        }
        q->nexthop_resource = strcmp(value, "true") == 0;
    }
    if (q->has_offset && q->has_marker) {
        snprintf(q->error, sizeof(q->error), "marker: cannot be combined with offset");
        return -1;
    }
    return 0;
}

/* spec §3.1: the routes the gateway's connections configure, paged by offset / limit or
 * marker. */
int api_vgw_routing_table(struct api_ctx *ctx)
{
    struct routes_query q = {.limit = ROUTES_MAX_LIMIT};
    struct svc_page page = {0};
    int r;

    if (query_foreach(ctx->req->query, routes_param, &q) != 0)
        return api_refuse(ctx, VERR_INVALID, "%s", q.error);
    const struct svc_routes_query sq = {.limit = (size_t)q.limit,
                                        .offset = (size_t)q.offset,
                                        .nexthop_resource = q.nexthop_resource};
    r = api_reply_open(ctx, "{\"routing_table\":[");
    if (r == 0)
        r = svc_vgw_routes(ctx->svc, ctx->call.project_id, ctx->call.id, &sq, &ctx->resp->body,
                           &page, &ctx->err);
    return r < 0 ? r : api_reply_page(ctx, &page);
}
