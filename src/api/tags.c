/* api/tags.c: the tag routes of the three resource types (spec §5.2) over service/tags.c. Tag
 * bodies carry no request_id (X-Request-Id is still sent). */
#include "api/api_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/query.h"

#define FILTER_LIMIT_MAX 1000

static int tags_write(struct api_ctx *ctx, enum model_kind kind, bool create)
{
    int r = svc_tags_write(ctx->svc, kind, ctx->call.project_id, ctx->call.id, ctx->body, create,
                           &ctx->err);

    return r < 0 ? r : api_reply_none(ctx);
}

static int tags_show(struct api_ctx *ctx, enum model_kind kind)
{
    int r = api_reply_open(ctx, "{\"tags\":[");

    if (r == 0)
        r = svc_tags_show(ctx->svc, kind, ctx->call.project_id, ctx->call.id, &ctx->resp->body,
                          &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "]", false);
}

static int tags_project(struct api_ctx *ctx, enum model_kind kind)
{
    int r = api_reply_open(ctx, "{\"tags\":[");

    if (r == 0)
        r = svc_tags_project(ctx->svc, kind, ctx->call.project_id, &ctx->resp->body, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "]", false);
}

struct filter_query {
    long long limit, offset;
    char error[160];
};

static int filter_param(void *ud, const char *key, const char *value)
{
    struct filter_query *q = ud;
    bool is_limit = strcmp(key, "limit") == 0;
    char *end;

    if (!is_limit && strcmp(key, "offset") != 0)
        return 0; /* other parameters are ignored, as elsewhere */
    if (!value) {
        snprintf(q->error, sizeof(q->error), "%s: must be percent-encoded text under 256 bytes",
                 key);
        return -1;
    }
    errno = 0;
    long long v = strtoll(value, &end, 10);
    bool bad = !*value || *end || errno != 0 || v < (is_limit ? 1 : 0) ||
               (is_limit && v > FILTER_LIMIT_MAX);
    if (bad && is_limit)
        snprintf(q->error, sizeof(q->error),
                 "limit: must be an integer from 1 to %d, got \"%.32s\"", FILTER_LIMIT_MAX, value);
    else if (bad)
        snprintf(q->error, sizeof(q->error),
                 "offset: must be an integer of at least 0, got \"%.32s\"", value);
    if (bad)
        return -1;
    if (is_limit)
        q->limit = v;
    else
        q->offset = v;
    return 0;
}

static int tags_filter(struct api_ctx *ctx, enum model_kind kind, bool count_only)
{
    struct filter_query q = {.limit = FILTER_LIMIT_MAX};
    int64_t total = 0;
    int r;

    if (!count_only && query_foreach(ctx->req->query, filter_param, &q) != 0)
        return api_refuse(ctx, VERR_INVALID, "%s", q.error);
    r = api_reply_open(ctx, count_only ? "{" : "{\"resources\":[");
    if (r == 0)
        r = svc_tags_filter(ctx->svc, kind, ctx->call.project_id, ctx->body,
                            count_only ? 0 : (size_t)q.limit, (size_t)q.offset, &ctx->resp->body,
                            &total, &ctx->err);
    if (r == 0)
        r = buf_printf(&ctx->resp->body, "%s\"total_count\":%lld", count_only ? "" : "],",
                       (long long)total);
    return r < 0 ? r : api_reply_close(ctx, 200, "", false);
}

#define TAG_HANDLERS(prefix, kind)                                                                 \
    int prefix##_tags_create(struct api_ctx *ctx)                                                 \
    {                                                                                              \
        return tags_write(ctx, kind, true);                                                       \
    }                                                                                              \
    int prefix##_tags_delete(struct api_ctx *ctx)                                                 \
    {                                                                                              \
        return tags_write(ctx, kind, false);                                                      \
    }                                                                                              \
    int prefix##_tags_show(struct api_ctx *ctx)                                                   \
    {                                                                                              \
        return tags_show(ctx, kind);                                                              \
    }                                                                                              \
    int prefix##_tags_project(struct api_ctx *ctx)                                                \
    {                                                                                              \
        return tags_project(ctx, kind);                                                           \
    }                                                                                              \
    int prefix##_tags_filter(struct api_ctx *ctx)                                                 \
    {                                                                                              \
        return tags_filter(ctx, kind, false);                                                     \
    }                                                                                              \
    int prefix##_tags_count(struct api_ctx *ctx)                                                  \
    {                                                                                              \
        return tags_filter(ctx, kind, true);                                                      \
    }

TAG_HANDLERS(api_vgw, MODEL_KIND_VGW)
TAG_HANDLERS(api_cgw, MODEL_KIND_CGW)
TAG_HANDLERS(api_conn, MODEL_KIND_CONN)
