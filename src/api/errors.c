/* api/errors.c: error bodies and the errno -> status mapping. */
#include "api/errors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"
#include "util/log.h"

const struct api_error_code API_ERR_INVALID = {400, "VPN.0001"};
const struct api_error_code API_ERR_SERVER = {500, "VPN.0002"};
const struct api_error_code API_ERR_NOT_FOUND = {404, "VPN.0004"};
const struct api_error_code API_ERR_OCCUPIED = {400, "VPN.0012"};
const struct api_error_code API_ERR_BUSY = {504, "VPN.0014"};
const struct api_error_code API_ERR_GW_NOT_READY = {409, "VPN.0016"};
const struct api_error_code API_ERR_EIP_BOUND = {400, "VPN.0112"};
const struct api_error_code API_ERR_NO_API = {404, "APIGW.0101"};
const struct api_error_code API_ERR_BAD_REQUEST = {400, "APIGW.0201"};
const struct api_error_code API_ERR_TOO_LARGE = {413, "APIGW.0201"};

int api_fail(const struct http_request *req, struct http_response *resp,
             const struct api_error_code *err, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++) {
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    }
    resp->status = err->status;
    buf_reset(&resp->body);
    /* On -ENOMEM the body stays partial; the HTTP layer then sends what it has with the
     * status, which is the best we can do without memory. */
    if (buf_puts(&resp->body, "{\"error_code\":") == 0 && buf_json_str(&resp->body, err->code) == 0 &&
        buf_puts(&resp->body, ",\"error_msg\":") == 0 && buf_json_str(&resp->body, msg) == 0 &&
        buf_puts(&resp->body, ",\"request_id\":") == 0 &&
        buf_json_str(&resp->body, req->request_id) == 0)
        buf_puts(&resp->body, "}");
    return 0;
}

int api_fail_verr(const struct http_request *req, struct http_response *resp,
                  const struct verr *err)
{
    struct api_error_code code = {400, err->code ? err->code : API_ERR_INVALID.code};
    return api_fail(req, resp, &code, "invalid request: %s", err->msg);
}

int api_fail_errno(const struct http_request *req, struct http_response *resp, int err,
                   const char *what)
{
    if (err == -EBUSY) {
        log_warn("request_id=%s op=%s error=busy", req->request_id, what);
        return api_fail(req, resp, &API_ERR_BUSY, "The system is busy, please try again later");
    }
    log_error("request_id=%s op=%s error=\"%s\"", req->request_id, what, strerror(-err));
    return api_fail(req, resp, &API_ERR_SERVER, "server error: see request %s in the server log",
                    req->request_id);
}
