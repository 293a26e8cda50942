/* api/errors.c: the error table (errors.h) and the error body. The README's "Errors" table lists
 * the same rows; tests/unit/test_api_errors.c reaches each one. */
#include "api/errors.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"

static const struct api_error api_errors[API_ERR_N] = {
    [VERR_INVALID] = {400, "VPN.0001", "invalid request: "},
    [VERR_NOT_FOUND] = {404, "VPN.0004", "resource not found: "},
    [VERR_CONN_DELETING] = {425, "VPN.0009", ""},
    [VERR_IP_OCCUPIED] = {400, "VPN.0012", ""},
    [VERR_VGW_NOT_READY] = {409, "VPN.0016", ""},
    [VERR_PRIVATE_IP_SAME] = {400, "VPN.0107", "invalid request: "},
    [VERR_PRIVATE_IP_PAIR] = {400, "VPN.0109", "invalid request: "},
    [VERR_EIP_BOUND] = {400, "VPN.0112", "invalid request: "},
    [VERR_CONN_NO_LOG] = {400, "VPN.0305", ""},
    [VERR_CONN_UPDATING] = {400, "VPN.0306", ""},
    [VERR_CONN_HAS_MONITOR] = {400, "VPN.0381", ""},
    [VERR_VGW_CREATING] = {400, "VPN.0506", ""},
    [VERR_VGW_UPDATING] = {400, "VPN.0507", ""},
    [VERR_VGW_DELETING] = {400, "VPN.0508", ""},
    [API_ERR_SERVER] = {500, "VPN.0002", "server error: "},
    [API_ERR_UNAVAILABLE] = {503, "VPN.0002", "server error: "},
    [API_ERR_BUSY] = {504, "VPN.0014", ""},
    [API_ERR_NO_API] = {404, "APIGW.0101", ""},
    [API_ERR_BAD_REQUEST] = {400, "APIGW.0201", ""},
    [API_ERR_TOO_LARGE] = {413, "APIGW.0201", ""},
    [API_ERR_UNAUTHENTICATED] = {401, "APIGW.0301", ""},
    [API_ERR_FORBIDDEN] = {403, "APIGW.0302", ""},
};

const struct api_error *api_error_of(int e)
{
    return &api_errors[e >= 0 && e < API_ERR_N && api_errors[e].code ? e : API_ERR_SERVER];
}

void api_error_render(const struct http_request *req, struct http_response *resp, int e,
                      const char *msg)
{
    const struct api_error *row = api_error_of(e);
    char text[1024];

    snprintf(text, sizeof(text), "%s%s", row->prefix, msg);
    api_error_render_as(req, resp, row->status, row->code, text);
}

void api_error_render_as(const struct http_request *req, struct http_response *resp, int status,
                         const char *code, const char *msg)
{
    char text[1024];
    struct buf *b = &resp->body;

    snprintf(text, sizeof(text), "%s", msg);
    for (char *p = text; *p; p++) {
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    }
    resp->status = status;
    resp->content_type = NULL;
    buf_reset(b);
    /* On -ENOMEM the body stays partial; the HTTP layer then sends what it has with the
     * status, which is the best we can do without memory. */
    if (buf_puts(b, "{\"error_code\":") == 0 && buf_json_str(b, code) == 0 &&
        buf_puts(b, ",\"error_msg\":") == 0 && buf_json_str(b, text) == 0 &&
        buf_puts(b, ",\"request_id\":") == 0 && buf_json_str(b, req->request_id) == 0)
        buf_puts(b, "}");
}

int api_error_for(int r, const struct verr *err, const char **ret_msg)
{
    switch (r) {
    case -EINVAL:
        *ret_msg = err->msg;
        return (int)err->code;
    case -ENOMEM:
        *ret_msg = "the server is out of memory, please try again later";
        return API_ERR_UNAVAILABLE;
    case -EBUSY:
        *ret_msg = "The system is busy, please try again later";
        return API_ERR_BUSY;
    case -ENOSPC: /* the store's disk is full: nothing was written (the log names the file) */
        *ret_msg = "no space left on the server's store: writes are refused until space is "
                   "freed, reads still work; please try again later";
        return API_ERR_UNAVAILABLE;
    default:
        *ret_msg = NULL; /* the caller names the request to look up in the log */
        return API_ERR_SERVER;
    }
}
