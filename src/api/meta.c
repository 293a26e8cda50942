/* api/meta.c: what vpnd serves about itself: GET /metrics (the operator surface: Prometheus
 * text, rendered by the server, which sees every part) and GET /openapi.json (the OpenAPI 3
 * document of everything vpnd serves, spec/openapi.json, built into the binary). */
#include "api/api_int.h"

#include <errno.h>
#include <string.h>

/* spec/openapi.json, NUL-terminated (api/openapi_blob.S). */
extern const char api_openapi_json[];
extern const char api_openapi_json_end[];

int api_metrics(struct api_ctx *ctx)
{
    struct http_response *resp = ctx->resp;

    if (!ctx->api->metrics)
        return api_refuse(ctx, VERR_NOT_FOUND, "metrics are not served by this server");
    buf_reset(&resp->body);
    int r = ctx->api->metrics(ctx->api->metrics_ud, &resp->body);
    if (r < 0)
        return r;
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return 0;
}

int api_openapi(struct api_ctx *ctx)
{
    size_t n = (size_t)(api_openapi_json_end - api_openapi_json);
    int r;

    buf_reset(&ctx->resp->body);
    r = buf_append(&ctx->resp->body, api_openapi_json, n);
    if (r < 0)
        return r;
    ctx->resp->status = 200;
    return 0;
}
