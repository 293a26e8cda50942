/* auth/check.c: auth_check(), the server side of SDK-HMAC-SHA256 and X-Auth-Token.
 *
 * AK/SK order of checks (the first failure is reported): Authorization syntax -> algorithm ->
 * access key known -> x-sdk-date signed -> X-Sdk-Date present and well-formed -> clock skew ->
 * every signed header present -> signature -> project. Only then is X-Project-Id compared, so
 * that nobody learns about projects without a valid signature.
 *
 * The canonical URI is tried as the spec says (segments decoded, then re-encoded); only when
 * that does not verify and the path holds a '%', it is tried again with the segments encoded
 * as received, which is what the Node.js SDK signs for path parameters it escaped itself (see
 * aksk-sdk-vectors.json "edge-id-with-space"). The cost: a signature for a path segment that
 * literally contains "%20" also verifies for one that contains a space there. Resource ids
 * are UUIDs, so no two addressable resources differ that way.
 *
 * A typical request costs no heap allocation here: canonical text, query scratch and
 * messages use bounded stack buffers that spill to the heap only for oversized requests
 * (OpenSSL allocates internally for the digest and the HMAC duplicate).
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/auth_int.h"

#define CANON_STACK_BYTES 2048
#define STS_BYTES 160
#define ALG "SDK-HMAC-SHA256"
#define SDK_DATE_LEN 16

static const char msg_401[] = "Incorrect IAM authentication information: ";
static const char msg_403[] = "The IAM user is not authorized to access the API: ";
static const char authz_shape[] =
    "expected \"SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2;...>, Signature=<64 hex "
    "digits>\"";

static _printf_(3, 4) int fail(struct auth_result *res, int err, const char *fmt, ...)
{
    const char *prefix = err == -EACCES ? msg_403 : msg_401;
    size_t n = strlen(prefix);
    va_list ap;

    memcpy(res->msg, prefix, n + 1);
    va_start(ap, fmt);
    vsnprintf(res->msg + n, sizeof(res->msg) - n, fmt, ap);
    va_end(ap);
    return err;
}

/* check.c uses the quote inline in messages, so it wants the buffer back. */
static const char *quote(char *dst, size_t size, const char *s, size_t n)
{
    auth_quote(dst, size, s, n);
    return dst;
}

#define QUOTE_BUF AUTH_QUOTE_BUF

struct authz {
    struct auth_span ak, signed_headers, sig;
};

static bool span_eq(struct auth_span s, const char *lit)
{
    return s.n == strlen(lit) && strncasecmp(s.p, lit, s.n) == 0;
}

static struct auth_span span_trim(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t'))
        p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return (struct auth_span){p, n};
}

/* Parses the parameters after the algorithm name. */
static int parse_params(const char *p, struct authz *a, struct auth_result *res)
{
    static const char *const names[] = {"Access", "SignedHeaders", "Signature"};
    struct auth_span *slots[] = {&a->ak, &a->signed_headers, &a->sig};
    char q[QUOTE_BUF];
    size_t n = strlen(p);

    *a = (struct authz){0};
    for (size_t i = 0; i <= n;) {
        const char *comma = memchr(p + i, ',', n - i);
        size_t end = comma ? (size_t)(comma - p) : n;
        struct auth_span part = span_trim(p + i, end - i);
        const char *eq = memchr(part.p, '=', part.n);
        struct auth_span key = span_trim(part.p, eq ? (size_t)(eq - part.p) : part.n);
        size_t k;

        if (!eq)
            return fail(res, -EPERM, "malformed Authorization header: parameter %s has no '='; %s",
                        quote(q, sizeof(q), part.p, part.n), authz_shape);
        for (k = 0; k < ARRAY_SIZE(names) && !span_eq(key, names[k]); k++)
            ;
        if (k == ARRAY_SIZE(names))
            return fail(res, -EPERM, "malformed Authorization header: unexpected parameter %s; %s",
                        quote(q, sizeof(q), key.p, key.n), authz_shape);
        if (slots[k]->p)
            return fail(res, -EPERM, "malformed Authorization header: %s given twice; %s",
                        names[k], authz_shape);
        *slots[k] = span_trim(eq + 1, (size_t)(part.p + part.n - eq - 1));
        if (!slots[k]->n)
            return fail(res, -EPERM, "malformed Authorization header: %s is empty; %s", names[k],
                        authz_shape);
        if (!comma)
            break;
        i = end + 1;
    }
    for (size_t k = 0; k < ARRAY_SIZE(names); k++) {
        if (!slots[k]->p)
            return fail(res, -EPERM, "malformed Authorization header: %s is missing; %s",
                        names[k], authz_shape);
    }
    return 0;
}

/* Splits "ALG params" and checks the algorithm. */
static int parse_authz(const char *v, struct authz *a, struct auth_result *res)
{
    char q[QUOTE_BUF];
    size_t alen;

    while (*v == ' ' || *v == '\t')
        v++;
    alen = strcspn(v, " \t");
    if (alen == 0)
        return fail(res, -EPERM, "malformed Authorization header: it is empty; %s", authz_shape);
    if (alen != strlen(ALG) || memcmp(v, ALG, alen) != 0)
        return fail(res, -EPERM,
                    "unsupported signing algorithm %s in the Authorization header; only "
                    "SDK-HMAC-SHA256 is accepted",
                    quote(q, sizeof(q), v, alen));
    v += alen;
    while (*v == ' ' || *v == '\t')
        v++;
    if (!*v)
        return fail(res, -EPERM,
                    "malformed Authorization header: no parameters after SDK-HMAC-SHA256; %s",
                    authz_shape);
    return parse_params(v, a, res);
}

/* Checks the provided signature is 64 hex digits; writes it lower-cased with a NUL. */
static int parse_sig(struct auth_span s, char out[65], struct auth_result *res)
{
    if (s.n != AUTH_HEX_LEN)
        return fail(res, -EPERM,
                    "malformed Authorization header: Signature must be 64 hex digits, got %zu "
                    "characters; %s",
                    s.n, authz_shape);
    for (size_t i = 0; i < AUTH_HEX_LEN; i++) {
        char ch = s.p[i];
        if (ch >= 'A' && ch <= 'F')
            ch = (char)(ch - 'A' + 'a');
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return fail(res, -EPERM,
                        "malformed Authorization header: Signature must be 64 hex digits, "
                        "found %s; %s",
                        quote((char[QUOTE_BUF]){0}, QUOTE_BUF, s.p + i, 1), authz_shape);
        out[i] = ch;
    }
    out[AUTH_HEX_LEN] = '\0';
    return 0;
}

static bool list_has(struct auth_span list, const char *name)
{
    size_t nl = strlen(name);

    for (size_t i = 0; i <= list.n;) {
        const char *semi = memchr(list.p + i, ';', list.n - i);
        size_t end = semi ? (size_t)(semi - list.p) : list.n;
        if (end - i == nl && strncasecmp(list.p + i, name, nl) == 0)
            return true;
        if (!semi)
            break;
        i = end + 1;
    }
    return false;
}

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t digits(const char *s, size_t n)
{
    int64_t v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Parses YYYYMMDDTHHMMSSZ (UTC). Returns 0 or -EINVAL. */
static int parse_sdk_date(const char *s, int64_t *ret)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t y, mo, d, h, mi, se;

    if (strlen(s) != SDK_DATE_LEN || s[8] != 'T' || s[15] != 'Z')
        return -EINVAL;
    y = digits(s, 4), mo = digits(s + 4, 2), d = digits(s + 6, 2);
    h = digits(s + 9, 2), mi = digits(s + 11, 2), se = digits(s + 13, 2);
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        se < 0 || se > 59)
        return -EINVAL;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return -EINVAL;
    *ret = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return 0;
}

static void format_sdk_date(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (!gmtime_r(&tt, &tm) || !strftime(out, 32, "%Y%m%dT%H%M%SZ", &tm))
        snprintf(out, 32, "@%lld", (long long)t);
}

static int check_date(const struct auth_request *req, struct auth_span signed_headers,
                      int64_t now_s, int64_t max_skew_s, struct auth_span *ret_date,
                      struct auth_result *res)
{
    char q[QUOTE_BUF], server[32];
    const char *date;
    int64_t t, diff;

    if (!list_has(signed_headers, "x-sdk-date"))
        return fail(res, -EPERM, "x-sdk-date is not in SignedHeaders %s; the date must be signed",
                    quote(q, sizeof(q), signed_headers.p, signed_headers.n));
    date = req->header(req->ud, "X-Sdk-Date");
    if (!date)
        return fail(res, -EPERM,
                    "X-Sdk-Date header not found; AK/SK requests carry the signing time as "
                    "YYYYMMDDTHHMMSSZ (UTC)");
    if (parse_sdk_date(date, &t) < 0)
        return fail(res, -EPERM, "X-Sdk-Date must be YYYYMMDDTHHMMSSZ (UTC), got %s",
                    quote(q, sizeof(q), date, strlen(date)));
    diff = t - now_s;
    if (max_skew_s >= 0 && (diff > max_skew_s || diff < -max_skew_s)) {
        format_sdk_date(now_s, server);
        return fail(res, -EPERM,
                    "X-Sdk-Date %s is %lld s %s server time %s; the allowed clock skew is %lld s",
                    date, (long long)(diff < 0 ? -diff : diff), diff < 0 ? "behind" : "ahead of",
                    server, (long long)max_skew_s);
    }
    *ret_date = (struct auth_span){date, SDK_DATE_LEN};
    return 0;
}

static int key_hmac_hex(const struct auth_key *k, const char *msg, size_t len, char out[65])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t maclen = 0;
    EVP_MAC_CTX *m = EVP_MAC_CTX_dup(k->mac);
    int ok = m && EVP_MAC_update(m, (const unsigned char *)msg, len) &&
             EVP_MAC_final(m, mac, &maclen, sizeof(mac)) && maclen == AUTH_SHA256_LEN;

    EVP_MAC_CTX_free(m);
    if (!ok)
        return -ENOMEM; /* OpenSSL fails here only when it cannot allocate */
    auth_hex(mac, AUTH_SHA256_LEN, out);
    return 0;
}

/* Builds the canonical request in mode and compares signatures; returns 0 (match), 1
 * (mismatch), or a negative errno with res filled. */
static int verify_mode(const struct auth_creds *c, EVP_MD_CTX *md, const struct auth_key *k,
                       const struct auth_request *req, const struct authz *a,
                       struct auth_span date, const char *payload, const char *sig,
                       enum auth_uri_mode mode, struct auth_sbuf *canon,
                       struct auth_result *res)
{
    char sts[STS_BYTES], mine[65], q[QUOTE_BUF];
    struct auth_span missing = {0};
    int r, n;

    r = auth_canon_build(req, a->signed_headers, mode, payload, canon, &missing);
    if (r == -ENOENT)
        return fail(res, -EPERM, "signed header %s not found in the request",
                    quote(q, sizeof(q), missing.p, missing.n));
    if (r == -EINVAL)
        return fail(res, -EPERM,
                    "malformed Authorization header: SignedHeaders %s must be 1 to %d header "
                    "names joined by ';'; %s",
                    quote(q, sizeof(q), a->signed_headers.p, a->signed_headers.n),
                    AUTH_MAX_SIGNED_HEADERS, authz_shape);
    if (r < 0)
        return r;
    n = auth_build_sts(md, c->sha256, date, canon->p, canon->len, sts, sizeof(sts));
    if (n < 0)
        return -ENOMEM;
    r = key_hmac_hex(k, sts, (size_t)n, mine);
    if (r < 0)
        return r;
    r = CRYPTO_memcmp(mine, sig, AUTH_HEX_LEN) == 0 ? 0 : 1;
    OPENSSL_cleanse(mine, sizeof(mine));
    return r;
}

static bool starts_with_ci(const char *p, size_t n, const char *prefix)
{
    size_t pl = strlen(prefix);
    return n >= pl && strncasecmp(p, prefix, pl) == 0;
}

/* Appends the canonical request with lines joined by '|', as APIG does. Values of headers
 * that carry credentials are replaced by "<redacted>". Cut with "...(truncated)" if needed. */
static void append_canonical(struct auth_result *res, const char *canon, size_t len)
{
    static const char *const secret[] = {"authorization:", "x-auth-token:", "x-security-token:"};
    static const char cut[] = "...(truncated)";
    size_t o = strlen(res->msg), room = sizeof(res->msg) - sizeof(cut);

    for (size_t i = 0; i < len && o < room;) {
        const char *nl = memchr(canon + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - canon) : len, show = end - i;
        bool redact = false;
        for (size_t s = 0; s < ARRAY_SIZE(secret) && !redact; s++) {
            if (starts_with_ci(canon + i, end - i, secret[s])) {
                redact = true;
                show = strlen(secret[s]);
            }
        }
        for (size_t j = 0; j < show && o < room; j++)
            res->msg[o++] = canon[i + j];
        if (redact)
            o += (size_t)snprintf(res->msg + o, sizeof(res->msg) - o, "<redacted>");
        if (nl && o < room)
            res->msg[o++] = '|';
        i = end + 1;
        if (!nl)
            break;
    }
    if (o >= room)
        o = room, memcpy(res->msg + o, cut, sizeof(cut));
    else
        res->msg[o] = '\0';
}

static int verify_signature(const struct auth_creds *c, const struct auth_key *k,
                            const struct auth_request *req, const struct authz *a,
                            struct auth_span date, const char *sig, struct auth_result *res)
{
    char stack[CANON_STACK_BYTES], stack2[CANON_STACK_BYTES], payload[65];
    struct auth_sbuf canon, alt;
    EVP_MD_CTX *md = EVP_MD_CTX_new(); /* one digest context for the body and the canon */
    int r;

    if (!md)
        return -ENOMEM;
    if (auth_payload_hash(md, c->sha256, req, payload) < 0) {
        EVP_MD_CTX_free(md);
        return -ENOMEM;
    }
    auth_sbuf_init(&canon, stack, sizeof(stack));
    r = verify_mode(c, md, k, req, a, date, payload, sig, AUTH_URI_DECODED, &canon, res);
    if (r == 1 && req->raw_path && strchr(req->raw_path, '%')) {
        auth_sbuf_init(&alt, stack2, sizeof(stack2));
        r = verify_mode(c, md, k, req, a, date, payload, sig, AUTH_URI_AS_SENT, &alt, res);
        auth_sbuf_done(&alt);
    }
    EVP_MD_CTX_free(md);
    if (r == 1) {
        fail(res, -EPERM, "verify aksk signature fail; canonical request: ");
        append_canonical(res, canon.p, canon.len);
        r = -EPERM;
    }
    auth_sbuf_done(&canon);
    return r;
}

static int check_aksk(const struct auth_creds *c, const struct auth_request *req,
                      const char *authorization, int64_t now_s, int64_t max_skew_s,
                      const struct auth_key **ret_key, struct auth_result *res)
{
    char q[QUOTE_BUF], sig[65];
    struct auth_span date;
    const struct auth_key *k;
    struct authz a;
    int r;

    res->method = AUTH_METHOD_AKSK;
    res->cause = AUTH_CAUSE_MALFORMED;
    r = parse_authz(authorization, &a, res);
    if (r < 0)
        return r;
    r = parse_sig(a.sig, sig, res);
    if (r < 0)
        return r;
    res->cause = AUTH_CAUSE_UNKNOWN_KEY;
    k = auth_creds_find_key(c, a.ak.p, a.ak.n);
    if (!k)
        return fail(res, -EPERM, "unknown access key %s", quote(q, sizeof(q), a.ak.p, a.ak.n));
    snprintf(res->principal, sizeof(res->principal), "%s", k->ak);
    res->cause = AUTH_CAUSE_DATE;
    r = check_date(req, a.signed_headers, now_s, max_skew_s, &date, res);
    if (r < 0)
        return r;
    res->cause = AUTH_CAUSE_SIGNATURE;
    r = verify_signature(c, k, req, &a, date, sig, res);
    if (r < 0)
        return r;
    *ret_key = k;
    return 0;
}

static int check_project(const struct auth_request *req, const char *path_project_id,
                         const char *projects, size_t nprojects, struct auth_result *res)
{
    const char *xp = req->header(req->ud, "X-Project-Id");
    char q[QUOTE_BUF], q2[QUOTE_BUF];

    if (!path_project_id)
        return 0;
    res->cause = AUTH_CAUSE_PROJECT;
    if (xp && strcmp(xp, path_project_id) != 0)
        return fail(res, -EACCES, "X-Project-Id %s does not match project %s in the path",
                    quote(q, sizeof(q), xp, strlen(xp)),
                    quote(q2, sizeof(q2), path_project_id, strlen(path_project_id)));
    if (!auth_projects_has(projects, nprojects, path_project_id))
        return fail(res, -EACCES, "%s%s%s is not authorized for project %s",
                    res->method == AUTH_METHOD_AKSK ? "access key \"" : "", res->principal,
                    res->method == AUTH_METHOD_AKSK ? "\"" : "",
                    quote(q, sizeof(q), path_project_id, strlen(path_project_id)));
    return 0;
}

/* "Bearer <token>" (scheme case-insensitive): the token, or NULL. */
static const char *bearer_token(const char *authorization)
{
    if (strncasecmp(authorization, "Bearer ", 7) != 0)
        return NULL;
    authorization += 7;
    while (*authorization == ' ')
        authorization++;
    return authorization;
}

/* Looks up token, sent as what ("X-Auth-Token", "the bearer token"): 0 and *ret, or -EPERM. */
static int find_token(const struct auth_creds *c, const char *token, const char *what,
                      const struct auth_token **ret, struct auth_result *res)
{
    const struct auth_token *t;

    res->method = AUTH_METHOD_TOKEN;
    res->cause = AUTH_CAUSE_UNKNOWN_TOKEN;
    if (!*token)
        return fail(res, -EPERM, "decrypt token fail: %s is empty", what);
    t = auth_creds_find_token(c, token);
    if (!t)
        return fail(res, -EPERM, "decrypt token fail: %s is not a known token", what);
    snprintf(res->principal, sizeof(res->principal), "token#%u", t->ordinal);
    *ret = t;
    return 0;
}

/* Identifies the credential of req (AK/SK signature, else X-Auth-Token; with bearer, also
 * "Authorization: Bearer <TOKEN>"): 0 with *ret_projects, *ret_n and *ret_admin set, or the
 * refusal (res->msg and res->cause say why). */
static int identify(const struct auth_creds *c, const struct auth_request *req, bool bearer,
                    int64_t now_s, int64_t max_skew_s, const char **ret_projects, size_t *ret_n,
                    bool *ret_admin, struct auth_result *res)
{
    const char *authorization = req->header(req->ud, "Authorization");
    const char *token = bearer && authorization ? bearer_token(authorization) : NULL;
    const struct auth_token *t = NULL;
    int r;

    res->method = AUTH_METHOD_NONE;
    res->cause = AUTH_CAUSE_MISSING;
    res->principal[0] = '\0';
    res->msg[0] = '\0';
    if (token) {
        r = find_token(c, token, "the bearer token", &t, res);
    } else if (authorization) {
        const struct auth_key *k = NULL;
        r = check_aksk(c, req, authorization, now_s, max_skew_s, &k, res);
        if (r < 0)
            return r;
        *ret_projects = k->projects;
        *ret_n = k->nprojects;
        *ret_admin = k->admin;
        return 0;
    } else {
        token = req->header(req->ud, "X-Auth-Token");
        if (!token)
            return fail(res, -EPERM,
                        "x-auth-token not found; send X-Auth-Token, or sign the request with "
                        "AK/SK (Authorization: SDK-HMAC-SHA256 ...)");
        r = find_token(c, token, "X-Auth-Token", &t, res);
    }
    if (r < 0)
        return r;
    *ret_projects = t->projects;
    *ret_n = t->nprojects;
    *ret_admin = t->admin;
    return 0;
}

int auth_check(const struct auth_creds *c, const struct auth_request *req,
               const char *path_project_id, int64_t now_s, int64_t max_skew_s,
               struct auth_result *res)
{
    const char *projects = NULL;
    size_t n = 0;
    bool admin = false;
    int r = identify(c, req, false, now_s, max_skew_s, &projects, &n, &admin, res);

    return r < 0 ? r : check_project(req, path_project_id, projects, n, res);
}

int auth_check_admin(const struct auth_creds *c, const struct auth_request *req, int64_t now_s,
                     int64_t max_skew_s, struct auth_result *res)
{
    const char *projects = NULL;
    size_t n = 0;
    bool admin = false;
    int r = identify(c, req, true, now_s, max_skew_s, &projects, &n, &admin, res);

    if (r == -EPERM && res->cause == AUTH_CAUSE_MISSING)
        return fail(res, -EPERM,
                    "no admin token nor signature; send Authorization: Bearer <TOKEN> or "
                    "X-Auth-Token with the token of an \"admin\" line of the credentials file, or "
                    "sign the request with its admin access key");
    if (r < 0)
        return r;
    if (!admin) {
        res->cause = AUTH_CAUSE_NOT_ADMIN;
        return fail(res, -EACCES, "%s%s%s is not an admin credential (the operator surfaces need "
                                  "an \"admin\" line in the credentials file)",
                    res->method == AUTH_METHOD_AKSK ? "access key \"" : "", res->principal,
                    res->method == AUTH_METHOD_AKSK ? "\"" : "");
    }
    return 0;
}

const char *auth_cause_name(enum auth_cause cause)
{
    static const char *const names[AUTH_CAUSE_COUNT] = {
        [AUTH_CAUSE_MISSING] = "missing",
        [AUTH_CAUSE_MALFORMED] = "malformed",
        [AUTH_CAUSE_UNKNOWN_KEY] = "unknown_key",
        [AUTH_CAUSE_DATE] = "date",
        [AUTH_CAUSE_SIGNATURE] = "signature",
        [AUTH_CAUSE_UNKNOWN_TOKEN] = "unknown_token",
        [AUTH_CAUSE_PROJECT] = "project",
        [AUTH_CAUSE_NOT_ADMIN] = "not_admin",
    };

    return (unsigned)cause < AUTH_CAUSE_COUNT ? names[cause] : "other";
}
