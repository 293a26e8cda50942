/* fuzz/fuzz_auth.c: the AK/SK and token checks of src/auth (Authorization header parser,
 * X-Sdk-Date, canonical request builder, signature, project) with a fixed credential set.
 *
 * Input, '\n'-separated: method, raw path, raw query, then "Name: value" header lines up to an
 * empty line; the rest is the body. Each input is
 *  1. checked as received (auth_check, skew unchecked and at a fixed clock);
 *  2. canonicalised for its X-Fuzz-Signed list (default "host;x-sdk-date") in both URI modes;
 *  3. signed with the fixed AK/SK (auth_sign) and checked again with that Authorization.
 * Invariants: messages are NUL-terminated and never hold an SK or token the client did not send
 * itself (a token pasted into Authorization is quoted back to its sender); a request we
 * signed ourselves never fails with a signature mismatch. */
#include <errno.h>
#include <stdbool.h>
#include <strings.h>

#include "auth/auth.h"
#include "tests/unit/auth_sign.h"
#include "fuzz/fuzz.h"

#define AK "FUZZAK0123456789"
#define SK "SK-secret-key-0123456789abcdef"
#define TOKEN "Tok-fuzz-0123456789abcdef0123456789"
#define MAX_HEADERS 32
#define SIG_FAIL "Incorrect IAM authentication information: verify aksk signature fail"

static struct auth_creds *creds;

struct fuzz_req {
    size_t n;
    const char *name[MAX_HEADERS];
    const char *value[MAX_HEADERS];
    const char *authz; /* replaces Authorization when set */
};

static const char *header(void *ud, const char *name)
{
    struct fuzz_req *r = ud;

    if (r->authz && strcasecmp(name, "Authorization") == 0)
        return r->authz;
    for (size_t i = 0; i < r->n; i++)
        if (strcasecmp(r->name[i], name) == 0)
            return r->value[i];
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (auth_creds_new(&creds) < 0 || auth_creds_add_aksk(creds, AK, SK, "p1,p2") < 0 ||
        auth_creds_add_aksk(creds, "OTHERAK", "other-secret", "p3") < 0 ||
        auth_creds_add_token(creds, TOKEN, "p1") < 0)
        fuzz_fail("fixture credentials");
    return 0;
}

static const uint8_t *input;
static size_t input_len;

/* A secret of the credential set in the message that the client did not send itself. The
 * secrets start with a non-hex character and hold no 'x' or '\\', so that auth_quote's escapes
 * ("\xff", "\\\"") cannot complete one from the bytes around them. */
static bool leaks(const char *msg, const char *secret)
{
    return strstr(msg, secret) && !memmem(input, input_len, secret, strlen(secret));
}

static void check_result(int r, const struct auth_result *res)
{
    if (r != 0 && r != -EPERM && r != -EACCES && r != -ENOMEM)
        fuzz_fail("auth_check returned %d", r);
    if (strnlen(res->msg, sizeof(res->msg)) == sizeof(res->msg) ||
        strnlen(res->principal, sizeof(res->principal)) == sizeof(res->principal))
        fuzz_fail("unterminated result");
    if ((r == 0) != (res->msg[0] == '\0'))
        fuzz_fail("result %d with message \"%s\"", r, res->msg);
    if (leaks(res->msg, SK) || leaks(res->msg, TOKEN) || leaks(res->msg, "other-secret"))
        fuzz_fail("a secret in the message: %s", res->msg);
}

/* Splits the next '\n'-terminated line off *p (NUL-terminating it), or NULL at the end. */
static char *next_line(char **p, char *end)
{
    char *s = *p, *nl;

    if (s >= end)
        return NULL;
    nl = memchr(s, '\n', (size_t)(end - s));
    if (!nl)
        nl = end;
    *nl = '\0';
    *p = nl + 1;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size), *p = s, *end = s + size;
    struct fuzz_req fr = {0};
    struct auth_request req = {.header = header, .ud = &fr};
    struct auth_result res;
    const char *line;

    input = data;
    input_len = size;
    req.method = next_line(&p, end);
    req.raw_path = next_line(&p, end);
    req.raw_query = next_line(&p, end);
    if (!req.method)
        req.method = "GET";
    while ((line = next_line(&p, end)) && *line && fr.n < MAX_HEADERS) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        fr.name[fr.n] = line;
        fr.value[fr.n++] = colon + 1 + strspn(colon + 1, " ");
    }
    if (p < end) {
        req.body = p;
        req.body_len = (size_t)(end - p);
    }

    int r = auth_check(creds, &req, "p1", 1700000000, AUTH_SKEW_UNCHECKED, &res);
    check_result(r, &res);
    r = auth_check(creds, &req, NULL, 1700000000, AUTH_DEFAULT_MAX_SKEW_S, &res);
    check_result(r, &res);

    const char *signed_headers = header(&fr, "X-Fuzz-Signed");
    if (!signed_headers)
        signed_headers = "host;x-sdk-date";
    struct buf canon = {0};
    r = auth_canonical_request(&req, signed_headers, AUTH_URI_DECODED, &canon);
    if (r != 0 && r != -EINVAL && r != -ENOENT && r != -ENOMEM)
        fuzz_fail("auth_canonical_request returned %d", r);
    buf_free(&canon);
    r = auth_canonical_request(&req, signed_headers, AUTH_URI_AS_SENT, &canon);
    if (r != 0 && r != -EINVAL && r != -ENOENT && r != -ENOMEM)
        fuzz_fail("auth_canonical_request returned %d", r);
    buf_free(&canon);

    char authz[1024];
    if (!strcasestr(signed_headers, "authorization") &&
        auth_sign(&req, AK, SK, signed_headers, authz, sizeof(authz)) == 0) {
        fr.authz = authz;
        r = auth_check(creds, &req, "p1", 1700000000, AUTH_SKEW_UNCHECKED, &res);
        check_result(r, &res);
        if (r == -EPERM && strncmp(res.msg, SIG_FAIL, strlen(SIG_FAIL)) == 0)
            fuzz_fail("a request signed with the right key was refused: %s", res.msg);
    }
    free(s);
    return 0;
}
