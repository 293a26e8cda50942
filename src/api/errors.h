/* api/errors.h: the one place that turns failures into the documented error body
 * {"error_code","error_msg","request_id"} (spec §1.5, §6). */
#ifndef VPND_API_ERRORS_H
#define VPND_API_ERRORS_H

#include "http/http.h"
#include "util/macro.h"

/* Error codes with their HTTP status (spec §6). */
struct api_error_code {
    int status;
    const char *code;
};

extern const struct api_error_code API_ERR_INVALID;     /* 400 VPN.0001 */
extern const struct api_error_code API_ERR_SERVER;      /* 500 VPN.0002 */
extern const struct api_error_code API_ERR_NOT_FOUND;   /* 404 VPN.0004 */
extern const struct api_error_code API_ERR_OCCUPIED;    /* 400 VPN.0012 */
extern const struct api_error_code API_ERR_BUSY;        /* 504 VPN.0014 */
extern const struct api_error_code API_ERR_GW_NOT_READY; /* 409 VPN.0016 */
extern const struct api_error_code API_ERR_EIP_BOUND;   /* 400 VPN.0112 */
extern const struct api_error_code API_ERR_NO_API;      /* 404 APIGW.0101 */
extern const struct api_error_code API_ERR_BAD_REQUEST; /* 400 APIGW.0201 */
extern const struct api_error_code API_ERR_TOO_LARGE;   /* 413 APIGW.0201 */

/* Replaces resp with an error body. The message is formatted, then control characters are
 * replaced by spaces. Returns 0 (so handlers can `return api_fail(...)`). */
int api_fail(const struct http_request *req, struct http_response *resp,
             const struct api_error_code *err, const char *fmt, ...) _printf_(4, 5);
/* Answers a validation failure: 400 with the rule's code (VPN.0001 unless it names one). */
struct verr;
int api_fail_verr(const struct http_request *req, struct http_response *resp,
                  const struct verr *err);
/* Maps an unexpected negative errno from a lower layer to 500/504 and logs it once. */
int api_fail_errno(const struct http_request *req, struct http_response *resp, int err,
                   const char *what);

#endif
