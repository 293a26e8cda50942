/* api/errors.h: the one table that turns every failure into the documented error body
 * {"error_code","error_msg","request_id"} (spec §1.5, §6) with its HTTP status. */
#ifndef VPND_API_ERRORS_H
#define VPND_API_ERRORS_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"
#include "model/model.h"

/* Every error the server answers: the refusals the model and the service name (enum verr_code,
 * first), then the API's own. */
enum api_err {
    API_ERR_SERVER = VERR_N_CODES, /* an internal failure (500 VPN.0002) */
    API_ERR_UNAVAILABLE,           /* out of memory (503 VPN.0002) */
    API_ERR_BUSY,                  /* a lock wait or race past its retries (504 VPN.0014) */
    API_ERR_NO_API,                /* no such route or method (404 APIGW.0101) */
    API_ERR_BAD_REQUEST,           /* refused by the HTTP layer (400 APIGW.0201) */
    API_ERR_TOO_LARGE,             /* a body over --max-body (413 APIGW.0201) */
    API_ERR_UNAUTHENTICATED,       /* 401 APIGW.0301 */
    API_ERR_FORBIDDEN,             /* 403 APIGW.0302 */
    API_ERR_N
};

/* One row of the table. */
struct api_error {
    int status;
    const char *code;   /* error_code */
    const char *prefix; /* what error_msg starts with, before the failure's own message */
};

/* The row of error e (0 <= e < API_ERR_N). */
const struct api_error *api_error_of(int e);

/* Replaces resp's body with the error body of e: error_msg is the row's prefix and then msg,
 * control characters replaced by spaces. */
void api_error_render(const struct http_request *req, struct http_response *resp, int e,
                      const char *msg);

/* The same body for a status and error_code outside the table (an injected fault's); msg is
 * the whole error_msg. */
void api_error_render_as(const struct http_request *req, struct http_response *resp, int status,
                         const char *code, const char *msg);

/* The error a handler's failure is answered with: -EINVAL carries its refusal in *err (code and
 * message); any other errno is a failure of the server, answered by errno (-ENOMEM 503,
 * -EBUSY 504, the rest 500; the message names no internals). *ret_msg points into err or at a
 * fixed text. */
int api_error_for(int r, const struct verr *err, const char **ret_msg);

#endif
