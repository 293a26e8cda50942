/* tests/unit/auth_sign.h: the client side of AK/SK signing, for the tests and the fuzzer (vpnd
 * only verifies): the Authorization header value for req (whose X-Sdk-Date header must be set)
 * with the given SignedHeaders list, using AUTH_URI_DECODED. Returns 0, -EINVAL (no X-Sdk-Date,
 * malformed list, or size too small), -ENOENT (signed header absent), -ENOMEM, -EIO. */
#ifndef VPND_TEST_AUTH_SIGN_H
#define VPND_TEST_AUTH_SIGN_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "util/buf.h"

static inline int auth_sign(const struct auth_request *req, const char *ak, const char *sk,
                            const char *signed_headers, char *ret_authorization, size_t size)
{
    const char *date = req->header(req->ud, "X-Sdk-Date");
    struct buf canon = {0};
    char sig[65];
    int r, n;

    if (!date || strlen(date) > 64)
        return -EINVAL;
    r = auth_canonical_request(req, signed_headers, AUTH_URI_DECODED, &canon);
    if (r == 0)
        r = auth_signature(sk, date, canon.data, canon.len, sig);
    buf_free(&canon);
    if (r < 0)
        return r;
    n = snprintf(ret_authorization, size,
                 "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s", ak, signed_headers,
                 sig);
    if (n < 0 || (size_t)n >= size)
        return -EINVAL;
    return 0;
}

#endif
