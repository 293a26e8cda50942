/* auth/auth.h: request -> principal.
 *
 * Verifies Huawei Cloud AK/SK signatures (SDK-HMAC-SHA256, spec §7.1-7.2) and opaque
 * X-Auth-Token bearer tokens (§7.6) against a credential set, then checks that the principal
 * holds the project named in the path. Nothing here knows HTTP types: the caller describes the
 * request with struct auth_request. Library code: it never logs; every failure is described in
 * struct auth_result.msg, which never contains a secret key, a token or an expected signature.
 *
 * Thread safety: a struct auth_creds is immutable once built; auth_check() and the helpers may
 * run concurrently on one set. Building (auth_creds_add_*) needs exclusive access.
 */
#ifndef VPND_AUTH_AUTH_H
#define VPND_AUTH_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/macro.h"

#define AUTH_MSG_MAX 2048
#define AUTH_PRINCIPAL_MAX 144
/* APIG rejects an X-Sdk-Date more than 15 minutes from server time (spec §7.1). */
#define AUTH_DEFAULT_MAX_SKEW_S 900
/* Pass as max_skew_s to skip the clock-skew check (replaying recorded requests in tests). */
#define AUTH_SKEW_UNCHECKED (-1)

/* One received request, as the HTTP layer saw it. All strings are borrowed for the call. */
struct auth_request {
    const char *method;    /* "GET", as on the request line */
    const char *raw_path;  /* path as sent, still percent-encoded, no query; NULL = "/" */
    const char *raw_query; /* text after '?', still encoded; NULL or "" = no query */
    const char *body;      /* exact received body bytes; may be NULL when body_len is 0 */
    size_t body_len;
    /* Case-insensitive header lookup: the value, or NULL if absent. Called only during the
     * auth_* call that received this request. */
    const char *(*header)(void *ud, const char *name);
    void *ud;
};

enum auth_method {
    AUTH_METHOD_NONE,  /* no credential recognised */
    AUTH_METHOD_AKSK,  /* Authorization: SDK-HMAC-SHA256 ... */
    AUTH_METHOD_TOKEN, /* X-Auth-Token */
};

/* What failed, for metrics (auth_cause_name). */
enum auth_cause {
    AUTH_CAUSE_MISSING,       /* no Authorization nor X-Auth-Token */
    AUTH_CAUSE_MALFORMED,     /* Authorization not SDK-HMAC-SHA256 as the SDKs send it */
    AUTH_CAUSE_UNKNOWN_KEY,   /* no such access key */
    AUTH_CAUSE_DATE,          /* X-Sdk-Date missing, malformed, unsigned or too far off */
    AUTH_CAUSE_SIGNATURE,     /* the signature does not match (or a signed header is absent) */
    AUTH_CAUSE_UNKNOWN_TOKEN, /* X-Auth-Token or bearer token empty or unknown */
    AUTH_CAUSE_PROJECT,       /* authenticated, not for this project (403) */
    AUTH_CAUSE_NOT_ADMIN,     /* authenticated, not an operator's credential (403) */
    AUTH_CAUSE_COUNT,
};
/* "missing", "malformed", "unknown_key", "date", "signature", "unknown_token", "project",
 * "not_admin". */
const char *auth_cause_name(enum auth_cause cause);

struct auth_result {
    enum auth_method method;
    enum auth_cause cause; /* on failure: what failed */
    /* Who asked, for logs: the access key, or "token#N" (N = 1-based order in which the token
     * was added). Set once the credential is identified (even if the check fails later),
     * else "". Never a secret. */
    char principal[AUTH_PRINCIPAL_MAX];
    /* On failure: the complete error_msg to send, e.g. "Incorrect IAM authentication
     * information: verify aksk signature fail; canonical request: GET|/v5/...". "" on success. */
    char msg[AUTH_MSG_MAX];
};

struct auth_creds;

/* Creates an empty credential set. Returns 0, -ENOMEM or -EIO (OpenSSL init failed). */
int auth_creds_new(struct auth_creds **ret);

/* Reads a credentials file (format in README / auth/creds.c head comment):
 *     # comment
 *     ak    <AK>    <SK>  <project_id>[,<project_id>...]
 *     token <TOKEN>       <project_id>[,<project_id>...]
 *     admin ak <AK> <SK>  |  admin token <TOKEN>   (the operator surfaces; no project)
 *     admin <TOKEN>       (the older form of "admin token <TOKEN>")
 * Refuses a file that "other" users may read or write, a non-regular file, and a file with no
 * credentials. On failure writes "<path>[:<line>]: <what is wrong>" to errbuf (no SK or token
 * is ever quoted). Returns 0 and *ret (caller frees with auth_creds_free), -ENOENT (missing),
 * -EACCES (permissions, or cannot be opened), -EINVAL (syntax, duplicates, empty), -EIO,
 * -ENOMEM. */
int auth_creds_load(const char *path, struct auth_creds **ret, char *errbuf, size_t errlen);

/* Adds a credential; projects is a comma-separated list of project ids (1-64 of A-Z a-z 0-9 _ -).
 * AK: 1-128 of A-Z a-z 0-9 . _ -; SK and token: printable ASCII without spaces (SK <= 256,
 * token <= 16384 bytes). The SK/token is copied (the SK only into an OpenSSL HMAC key).
 * Returns 0, -EINVAL (syntax), -EEXIST (AK or token already present), -ENOMEM, -EIO. */
int auth_creds_add_aksk(struct auth_creds *c, const char *ak, const char *sk,
                        const char *projects);
int auth_creds_add_token(struct auth_creds *c, const char *token, const char *projects);
/* Add an operator's credential (the file's "admin ak" and "admin token" lines): it holds no
 * project, only the operator surfaces (auth_check_admin). As auth_creds_add_aksk/_token. */
int auth_creds_add_admin_aksk(struct auth_creds *c, const char *ak, const char *sk);
int auth_creds_add_admin_token(struct auth_creds *c, const char *token);

/* Number of credentials (AK/SK pairs + tokens). */
size_t auth_creds_count(const struct auth_creds *c);

/* Frees c and wipes secrets; NULL is a no-op. Returns NULL. */
struct auth_creds *auth_creds_free(struct auth_creds *c);
void auth_creds_freep(struct auth_creds **c);
#define _cleanup_auth_creds_ _cleanup_(auth_creds_freep)

/* Authenticates req and checks it may act on path_project_id (NULL: authentication only).
 * now_s is the server's wall clock (Unix seconds); max_skew_s the allowed |X-Sdk-Date - now|
 * (AUTH_DEFAULT_MAX_SKEW_S, or AUTH_SKEW_UNCHECKED).
 *
 * Authorization (AK/SK) is used when present, else X-Auth-Token. A present X-Project-Id must
 * equal path_project_id. Returns
 *   0        authenticated and allowed; res->principal set, res->msg ""
 *   -EPERM   not authenticated (-> 401 APIGW.0301); res->msg says exactly what failed
 *   -EACCES  authenticated, but the credential does not hold path_project_id or X-Project-Id
 *            names another project (-> 403 APIGW.0302); res->msg says which
 *   -ENOMEM
 * res is always fully written. */
int auth_check(const struct auth_creds *c, const struct auth_request *req,
               const char *path_project_id, int64_t now_s, int64_t max_skew_s,
               struct auth_result *res);

/* The operator surfaces (metrics, the control surface): req must carry an admin credential (an
 * "admin" line of the credentials file): an admin token as "Authorization: Bearer <TOKEN>"
 * (what Prometheus sends) or X-Auth-Token, or an AK/SK signature by an admin access key (what
 * the CLI and the SDKs send). now_s and max_skew_s as for auth_check. Returns 0 (res->principal
 * set), -EPERM (missing, malformed or unknown: -> 401), -EACCES (a tenant's credential: -> 403,
 * cause AUTH_CAUSE_NOT_ADMIN), -ENOMEM; res is always fully written. */
int auth_check_admin(const struct auth_creds *c, const struct auth_request *req, int64_t now_s,
                     int64_t max_skew_s, struct auth_result *res);

/* How the canonical URI treats percent-escapes already in the received path (spec §7.1 step 4).
 * AUTH_URI_DECODED (the spec): decode each segment, then re-encode. AUTH_URI_AS_SENT: encode
 * the segment bytes as received (an incoming %20 becomes %2520), which is what the Node.js SDK
 * signs for path parameters it escaped itself. auth_check accepts either. */
enum auth_uri_mode {
    AUTH_URI_DECODED,
    AUTH_URI_AS_SENT,
};

/* Appends to out the canonical request (spec §7.1 step 7) of req for the given SignedHeaders
 * list ("content-type;host;x-sdk-date"), without a trailing newline. Returns 0, -EINVAL
 * (malformed list), -ENOENT (a signed header is absent from req), -ENOMEM. */
int auth_canonical_request(const struct auth_request *req, const char *signed_headers,
                           enum auth_uri_mode mode, struct buf *out);

/* Appends "SDK-HMAC-SHA256\n<sdk_date>\n<hex sha256(canonical)>" to out. 0 or -ENOMEM. */
int auth_string_to_sign(const char *sdk_date, const char *canonical, size_t canonical_len,
                        struct buf *out);

/* Writes the lower-hex HMAC-SHA256(sk, string to sign) and a NUL to ret_hex. 0 or -EIO. */
int auth_signature(const char *sk, const char *sdk_date, const char *canonical,
                   size_t canonical_len, char ret_hex[65]);

#endif
