/* api/quota.c: GET vpn/quotas (spec §5.3) over service/quota.c. */
#include "api/api_int.h"

int api_quotas(struct api_ctx *ctx)
{
    int r = api_reply_open(ctx, "{\"quotas\":{\"resources\":[");

    if (r == 0)
        r = svc_quotas(ctx->svc, ctx->call.project_id, &ctx->resp->body, &ctx->err);
    return r < 0 ? r : api_reply_close(ctx, 200, "]}", true);
}
