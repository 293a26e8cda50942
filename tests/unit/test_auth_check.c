/* Behaviour of auth_check: what is accepted, what is refused, and the exact message. The base
 * request is the worked list example of spec §7.4 (PY style, four signed headers). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>

#include "auth/auth.h"
#include "auth_sign.h"

#define AK "EXAMPLEAK0000000001"
#define SK "EXAMPLEsk0000000000000000000000000000001"
#define HOST "vpn.cn-north-4.myhuaweicloud.com"
#define PROJECT "0605767dd1000ffd2f5cc0009a2d6d21"
#define OTHER_PROJECT "ffffffffffffffffffffffffffffffff"
#define DATE "20250626T134134Z"
#define PATH "/v5/" PROJECT "/vpn-connection"
#define QUERY "vgw_id=7b6c5e0a-1f2d-4c3b-9a8e-1234567890ab&limit=10"
#define SIGNED "content-type;host;x-project-id;x-sdk-date"
#define PY_SIG "0af502ef6020929b378983e1df547841665fd8937070178d6ffa7fe4e379b6fb"
#define PY_AUTHZ "SDK-HMAC-SHA256 Access=" AK ", SignedHeaders=" SIGNED ", Signature=" PY_SIG
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define P401 "Incorrect IAM authentication information: "
#define P403 "The IAM user is not authorized to access the API: "
#define CANON_PIPED                                                                                \
    "GET|/v5/" PROJECT "/vpn-connection/|limit=10&vgw_id=7b6c5e0a-1f2d-4c3b-9a8e-1234567890ab|"    \
    "content-type:application/json|host:" HOST "|x-project-id:" PROJECT "|x-sdk-date:" DATE        \
    "||" SIGNED "|" EMPTY_SHA
#define BODY "{\"vpn_connection\":{\"name\":\"vpn-1\",\"psk\":\"Abcd1234!x\"}}"
#define TOKEN "MIIDtoken-example-0123456789abcdef"

struct hdr {
    const char *name, *value;
};

/* A test fixture: one request, its headers, and a credential set. */
struct fx {
    struct hdr h[24];
    size_t n;
    struct auth_request req;
    struct auth_creds *creds;
    int64_t now;
    struct auth_result res;
    char authz[512];
};

static const char *fake_header(void *ud, const char *name)
{
    const struct fx *f = ud;

    for (size_t i = 0; i < f->n; i++) {
        if (strcasecmp(f->h[i].name, name) == 0)
            return f->h[i].value;
    }
    return NULL;
}

static void set_header(struct fx *f, const char *name, const char *value)
{
    for (size_t i = 0; i < f->n; i++) {
        if (strcasecmp(f->h[i].name, name) == 0) {
            f->h[i].value = value;
            return;
        }
    }
    assert_true(f->n < 24);
    f->h[f->n++] = (struct hdr){name, value};
}

static void del_header(struct fx *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++) {
        if (strcasecmp(f->h[i].name, name) == 0) {
            f->h[i] = f->h[--f->n];
            return;
        }
    }
}

static int64_t epoch(const char *s)
{
    struct tm tm = {0};

    assert_int_equal(sscanf(s, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                            &tm.tm_hour, &tm.tm_min, &tm.tm_sec),
                     6);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    f->req = (struct auth_request){
        .method = "GET", .raw_path = PATH, .raw_query = QUERY, .header = fake_header, .ud = f};
    set_header(f, "Content-Type", "application/json");
    set_header(f, "Host", HOST);
    set_header(f, "X-Project-Id", PROJECT);
    set_header(f, "X-Sdk-Date", DATE);
    set_header(f, "Authorization", PY_AUTHZ);
    set_header(f, "User-Agent", "unit-test");
    assert_int_equal(auth_creds_new(&f->creds), 0);
    assert_int_equal(auth_creds_add_aksk(f->creds, AK, SK, PROJECT), 0);
    assert_int_equal(auth_creds_add_aksk(f->creds, "OTHERAK", "other-secret", OTHER_PROJECT), 0);
    assert_int_equal(auth_creds_add_token(f->creds, TOKEN, PROJECT), 0);
    f->now = epoch(DATE);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    auth_creds_free(f->creds);
    free(f);
    return 0;
}

static int check(struct fx *f)
{
    return auth_check(f->creds, &f->req, PROJECT, f->now, AUTH_DEFAULT_MAX_SKEW_S, &f->res);
}

/* Re-signs the current request with SK (client side) over the given signed headers. */
static void resign(struct fx *f, const char *ak, const char *sk, const char *signed_headers)
{
    del_header(f, "Authorization");
    assert_int_equal(auth_sign(&f->req, ak, sk, signed_headers, f->authz, sizeof(f->authz)), 0);
    set_header(f, "Authorization", f->authz);
}

static void assert_rejected(struct fx *f, int err, const char *msg)
{
    int r = check(f);

    if (r != err || strcmp(f->res.msg, msg) != 0)
        fail_msg("want %d \"%s\"\n got %d \"%s\"", err, msg, r, f->res.msg);
}

static void test_worked_example_request_is_accepted(void **state)
{
    struct fx *f = *state;

    assert_int_equal(check(f), 0);
    assert_int_equal(f->res.method, AUTH_METHOD_AKSK);
    assert_string_equal(f->res.principal, AK);
    assert_string_equal(f->res.msg, "");
}

static void test_wrong_sk_fails_with_canonical_request_but_no_secret(void **state)
{
    struct fx *f = *state;
    char server_sig[65];
    struct buf canon = {0};

    resign(f, AK, "not-the-secret", SIGNED);
    assert_rejected(f, -EPERM, P401 "verify aksk signature fail; canonical request: " CANON_PIPED);
    assert_null(strstr(f->res.msg, SK));
    assert_int_equal(auth_canonical_request(&f->req, SIGNED, AUTH_URI_DECODED, &canon), 0);
    assert_int_equal(auth_signature(SK, DATE, canon.data, canon.len, server_sig), 0);
    assert_null(strstr(f->res.msg, server_sig));
    assert_string_equal(f->res.principal, AK);
    buf_free(&canon);
}

static void test_unknown_access_key_is_named(void **state)
{
    struct fx *f = *state;

    resign(f, "NOSUCHAK", SK, SIGNED);
    assert_rejected(f, -EPERM, P401 "unknown access key \"NOSUCHAK\"");
    assert_string_equal(f->res.principal, "");
}

static void test_date_beyond_skew_says_by_how_much_and_the_window(void **state)
{
    struct fx *f = *state;

    f->now = epoch(DATE) + 901;
    assert_rejected(f, -EPERM,
                    P401 "X-Sdk-Date " DATE " is 901 s behind server time 20250626T135635Z; the "
                         "allowed clock skew is 900 s");
    f->now = epoch(DATE) - 3600;
    assert_rejected(f, -EPERM,
                    P401 "X-Sdk-Date " DATE " is 3600 s ahead of server time 20250626T124134Z; the "
                         "allowed clock skew is 900 s");
}

static void test_date_exactly_at_the_skew_limit_is_accepted(void **state)
{
    struct fx *f = *state;

    f->now = epoch(DATE) + 900;
    assert_int_equal(check(f), 0);
    f->now = epoch(DATE) - 900;
    assert_int_equal(check(f), 0);
}

static void test_tampered_method_fails_signature(void **state)
{
    struct fx *f = *state;

    f->req.method = "DELETE";
    assert_int_equal(check(f), -EPERM);
    assert_non_null(strstr(f->res.msg, P401 "verify aksk signature fail; canonical request: DELETE|"));
}

static void test_tampered_path_fails_signature(void **state)
{
    struct fx *f = *state;

    f->req.raw_path = "/v5/" PROJECT "/vpn-gateways";
    assert_int_equal(check(f), -EPERM);
    assert_non_null(strstr(f->res.msg, "verify aksk signature fail; canonical request: GET|/v5/" PROJECT
                                       "/vpn-gateways/|"));
}

static void test_tampered_query_fails_signature(void **state)
{
    struct fx *f = *state;

    f->req.raw_query = "vgw_id=7b6c5e0a-1f2d-4c3b-9a8e-1234567890ab&limit=11";
    assert_int_equal(check(f), -EPERM);
    assert_non_null(strstr(f->res.msg, "|limit=11&vgw_id="));
}

static void test_tampered_signed_header_fails_signature(void **state)
{
    struct fx *f = *state;

    set_header(f, "Host", "evil.example.com");
    assert_int_equal(check(f), -EPERM);
    assert_non_null(strstr(f->res.msg, "verify aksk signature fail"));
    assert_non_null(strstr(f->res.msg, "|host:evil.example.com|"));
}

static void test_tampered_body_byte_fails_signature(void **state)
{
    struct fx *f = *state;
    char body[] = BODY;

    f->req.method = "POST";
    f->req.raw_query = NULL;
    f->req.body = body;
    f->req.body_len = sizeof(body) - 1;
    resign(f, AK, SK, SIGNED);
    assert_int_equal(check(f), 0);
    body[30] ^= 1;
    assert_int_equal(check(f), -EPERM);
    assert_non_null(strstr(f->res.msg, "verify aksk signature fail"));
    assert_null(strstr(f->res.msg, "Abcd1234")); /* the body itself is never echoed */
}

static void test_unsigned_header_may_be_added(void **state)
{
    struct fx *f = *state;

    set_header(f, "X-Request-Id", "added-by-a-proxy");
    set_header(f, "User-Agent", "changed");
    assert_int_equal(check(f), 0);
}

static void test_signed_header_missing_from_request_is_named(void **state)
{
    struct fx *f = *state;

    del_header(f, "Host");
    assert_rejected(f, -EPERM, P401 "signed header \"host\" not found in the request");
}

static void test_unsigned_sdk_date_is_refused(void **state)
{
    struct fx *f = *state;

    resign(f, AK, SK, "content-type;host;x-project-id");
    assert_rejected(f, -EPERM,
                    P401 "x-sdk-date is not in SignedHeaders \"content-type;host;x-project-id\"; the "
                         "date must be signed");
}

static void test_missing_sdk_date_is_refused(void **state)
{
    struct fx *f = *state;

    del_header(f, "X-Sdk-Date");
    assert_rejected(f, -EPERM,
                    P401 "X-Sdk-Date header not found; AK/SK requests carry the signing time as "
                         "YYYYMMDDTHHMMSSZ (UTC)");
}

static void test_malformed_sdk_date_is_quoted(void **state)
{
    struct fx *f = *state;

    set_header(f, "X-Sdk-Date", "2025-06-26T13:41:34Z");
    assert_rejected(f, -EPERM,
                    P401 "X-Sdk-Date must be YYYYMMDDTHHMMSSZ (UTC), got \"2025-06-26T13:41:34Z\"");
    set_header(f, "X-Sdk-Date", "20250230T134134Z");
    assert_rejected(f, -EPERM,
                    P401 "X-Sdk-Date must be YYYYMMDDTHHMMSSZ (UTC), got \"20250230T134134Z\"");
}

static void test_no_credentials_says_x_auth_token_not_found(void **state)
{
    struct fx *f = *state;

    del_header(f, "Authorization");
    assert_rejected(f, -EPERM,
                    P401 "x-auth-token not found; send X-Auth-Token, or sign the request with AK/SK "
                         "(Authorization: SDK-HMAC-SHA256 ...)");
    assert_int_equal(f->res.method, AUTH_METHOD_NONE);
}

static void test_other_signing_algorithm_is_unsupported(void **state)
{
    struct fx *f = *state;

    set_header(f, "Authorization",
               "V11-HMAC-SHA256 Credential=" AK "/20250626/cn-north-4/vpn, SignedHeaders=" SIGNED
               ", Signature=" PY_SIG);
    assert_rejected(f, -EPERM,
                    P401 "unsupported signing algorithm \"V11-HMAC-SHA256\" in the Authorization "
                         "header; only SDK-HMAC-SHA256 is accepted");
}

#define SHAPE                                                                                      \
    "; expected \"SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2;...>, Signature=<64 hex "      \
    "digits>\""

static void test_malformed_authorization_headers_say_what_is_wrong(void **state)
{
    static const struct {
        const char *value, *msg;
    } cases[] = {
        {"SDK-HMAC-SHA256 Access=" AK ", SignedHeaders=" SIGNED,
         "malformed Authorization header: Signature is missing" SHAPE},
        {"SDK-HMAC-SHA256 Access=" AK ", SignedHeaders=" SIGNED ", Signature=abc",
         "malformed Authorization header: Signature must be 64 hex digits, got 3 characters" SHAPE},
        {"SDK-HMAC-SHA256 Access=" AK ", SignedHeaders=" SIGNED ", Signature=" PY_SIG
         ", Nonce=1",
         "malformed Authorization header: unexpected parameter \"Nonce\"" SHAPE},
        {"SDK-HMAC-SHA256 Access=" AK ", Access=" AK ", SignedHeaders=" SIGNED
         ", Signature=" PY_SIG,
         "malformed Authorization header: Access given twice" SHAPE},
        {"SDK-HMAC-SHA256 Access=, SignedHeaders=" SIGNED ", Signature=" PY_SIG,
         "malformed Authorization header: Access is empty" SHAPE},
        {"SDK-HMAC-SHA256", "malformed Authorization header: no parameters after SDK-HMAC-SHA256" SHAPE},
        {"", "malformed Authorization header: it is empty" SHAPE},
        {"SDK-HMAC-SHA256 " AK, "malformed Authorization header: parameter \"" AK "\" has no '='" SHAPE},
        {"SDK-HMAC-SHA256 Access=" AK ", SignedHeaders=content-type;;x-sdk-date, Signature=" PY_SIG,
         "malformed Authorization header: SignedHeaders \"content-type;;x-sdk-date\" must be 1 to "
         "64 header names joined by ';'" SHAPE},
    };
    struct fx *f = *state;
    char want[1024];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        set_header(f, "Authorization", cases[i].value);
        snprintf(want, sizeof(want), P401 "%s", cases[i].msg);
        assert_rejected(f, -EPERM, want);
    }
}

static void test_upper_case_signature_hex_is_accepted(void **state)
{
    struct fx *f = *state;
    char v[512];

    snprintf(v, sizeof(v), "SDK-HMAC-SHA256 Access=%s,SignedHeaders=%s,  Signature=%s", AK, SIGNED,
             "0AF502EF6020929B378983E1DF547841665FD8937070178D6FFA7FE4E379B6FB");
    set_header(f, "Authorization", v);
    assert_int_equal(check(f), 0);
}

static void test_project_not_held_is_403(void **state)
{
    struct fx *f = *state;

    f->req.raw_path = "/v5/" OTHER_PROJECT "/vpn-connection";
    set_header(f, "X-Project-Id", OTHER_PROJECT);
    resign(f, AK, SK, SIGNED);
    int r = auth_check(f->creds, &f->req, OTHER_PROJECT, f->now, 900, &f->res);
    assert_int_equal(r, -EACCES);
    assert_string_equal(f->res.msg, P403 "access key \"" AK "\" is not authorized for project "
                                         "\"" OTHER_PROJECT "\"");
    assert_string_equal(f->res.principal, AK);
}

static void test_x_project_id_naming_another_project_is_403(void **state)
{
    struct fx *f = *state;
    _cleanup_auth_creds_ struct auth_creds *both = NULL;

    assert_int_equal(auth_creds_new(&both), 0);
    assert_int_equal(auth_creds_add_aksk(both, AK, SK, PROJECT "," OTHER_PROJECT), 0);
    f->req.raw_path = "/v5/" OTHER_PROJECT "/vpn-connection";
    resign(f, AK, SK, SIGNED); /* X-Project-Id stays PROJECT */
    int r = auth_check(both, &f->req, OTHER_PROJECT, f->now, 900, &f->res);
    assert_int_equal(r, -EACCES);
    assert_string_equal(f->res.msg, P403 "X-Project-Id \"" PROJECT "\" does not match project \"" OTHER_PROJECT
                                         "\" in the path");
    del_header(f, "X-Project-Id");
    resign(f, AK, SK, "content-type;host;x-sdk-date");
    assert_int_equal(auth_check(both, &f->req, OTHER_PROJECT, f->now, 900, &f->res), 0);
}

static void test_null_path_project_only_authenticates(void **state)
{
    struct fx *f = *state;

    assert_int_equal(auth_check(f->creds, &f->req, NULL, f->now, 900, &f->res), 0);
}

static void test_unsigned_payload_header_is_honoured(void **state)
{
    struct fx *f = *state;
    char body[] = BODY;
    struct buf canon = {0};

    f->req.method = "POST";
    f->req.body = body;
    f->req.body_len = sizeof(body) - 1;
    set_header(f, "X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD");
    resign(f, AK, SK, "x-project-id;x-sdk-content-sha256;x-sdk-date");
    assert_int_equal(auth_canonical_request(&f->req, "x-sdk-date", AUTH_URI_DECODED, &canon), 0);
    assert_non_null(strstr(canon.data, "\nx-sdk-date\nUNSIGNED-PAYLOAD"));
    buf_free(&canon);
    assert_int_equal(check(f), 0);
    body[5] = 'X'; /* the client chose not to sign the body */
    assert_int_equal(check(f), 0);
}

static void test_content_sha256_header_with_a_hash_cannot_cover_a_swapped_body(void **state)
{
    struct fx *f = *state;
    char body[] = BODY;
    char h[65];
    struct buf canon = {0};

    f->req.method = "POST";
    f->req.body = body;
    f->req.body_len = sizeof(body) - 1;
    resign(f, AK, SK, SIGNED);
    assert_int_equal(check(f), 0);
    assert_int_equal(auth_canonical_request(&f->req, SIGNED, AUTH_URI_DECODED, &canon), 0);
    memcpy(h, canon.data + canon.len - 64, 64);
    h[64] = '\0';
    buf_free(&canon);
    set_header(f, "X-Sdk-Content-Sha256", h); /* the original body's hash */
    body[5] = 'X';
    assert_int_equal(check(f), -EPERM);
}

static void test_known_token_is_accepted_for_its_project(void **state)
{
    struct fx *f = *state;

    del_header(f, "Authorization");
    set_header(f, "X-Auth-Token", TOKEN);
    assert_int_equal(check(f), 0);
    assert_int_equal(f->res.method, AUTH_METHOD_TOKEN);
    assert_string_equal(f->res.principal, "token#1");
}

static void test_unknown_token_says_decrypt_token_fail(void **state)
{
    struct fx *f = *state;

    del_header(f, "Authorization");
    set_header(f, "X-Auth-Token", TOKEN "x");
    assert_rejected(f, -EPERM, P401 "decrypt token fail: X-Auth-Token is not a known token");
    set_header(f, "X-Auth-Token", "");
    assert_rejected(f, -EPERM, P401 "decrypt token fail: X-Auth-Token is empty");
    set_header(f, "X-Auth-Token", "MIID");
    assert_int_equal(check(f), -EPERM);
}

static void test_token_for_another_project_is_403(void **state)
{
    struct fx *f = *state;

    del_header(f, "Authorization");
    del_header(f, "X-Project-Id");
    set_header(f, "X-Auth-Token", TOKEN);
    int r = auth_check(f->creds, &f->req, OTHER_PROJECT, f->now, 900, &f->res);
    assert_int_equal(r, -EACCES);
    assert_string_equal(f->res.msg,
                        P403 "token#1 is not authorized for project \"" OTHER_PROJECT "\"");
}

static void test_authorization_wins_over_x_auth_token(void **state)
{
    struct fx *f = *state;

    set_header(f, "X-Auth-Token", TOKEN);
    resign(f, AK, "not-the-secret", SIGNED);
    assert_int_equal(check(f), -EPERM);
    assert_non_null(strstr(f->res.msg, "verify aksk signature fail"));
}

static void test_signed_credential_headers_are_redacted_in_messages(void **state)
{
    struct fx *f = *state;

    set_header(f, "X-Auth-Token", TOKEN);
    set_header(f, "X-Security-Token", "sts-secret-value");
    resign(f, AK, "not-the-secret", "host;x-auth-token;x-sdk-date;x-security-token");
    assert_int_equal(check(f), -EPERM);
    assert_non_null(strstr(f->res.msg, "|x-auth-token:<redacted>|"));
    assert_non_null(strstr(f->res.msg, "|x-security-token:<redacted>||"));
    assert_null(strstr(f->res.msg, TOKEN));
    assert_null(strstr(f->res.msg, "sts-secret-value"));
}

static void test_percent_encoded_path_verifies_in_either_sdk_form(void **state)
{
    struct fx *f = *state;
    struct buf canon = {0};
    char sig[65];

    /* signed as the spec says: decoded then re-encoded -> a%20b */
    f->req.raw_path = "/v5/" PROJECT "/vpn-connection/a%20b";
    resign(f, AK, SK, SIGNED);
    assert_int_equal(check(f), 0);
    /* signed as the Node.js SDK does for an id it escaped itself -> a%2520b */
    assert_int_equal(auth_canonical_request(&f->req, SIGNED, AUTH_URI_AS_SENT, &canon), 0);
    assert_non_null(strstr(canon.data, "/vpn-connection/a%2520b/\n"));
    assert_int_equal(auth_signature(SK, DATE, canon.data, canon.len, sig), 0);
    snprintf(f->authz, sizeof(f->authz), "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s",
             AK, SIGNED, sig);
    buf_free(&canon);
    assert_int_equal(check(f), 0);
}

static void test_long_canonical_request_is_cut_in_the_message(void **state)
{
    struct fx *f = *state;
    char *q = malloc(5000);

    assert_non_null(q);
    memset(q, 'a', 4999);
    memcpy(q, "marker=", 7);
    q[4999] = '\0';
    f->req.raw_query = q;
    assert_int_equal(check(f), -EPERM);
    assert_int_equal(strlen(f->res.msg), AUTH_MSG_MAX - 1);
    assert_string_equal(f->res.msg + AUTH_MSG_MAX - 1 - strlen("...(truncated)"), "...(truncated)");
    free(q);
}

/* The canonical query and URI rules of spec §7.1 steps 4-5, one request line at a time. */
static void canon_lines(const char *path, const char *query, char *ret_uri, char *ret_query)
{
    struct auth_request req = {.method = "GET", .raw_path = path, .raw_query = query,
                               .header = fake_header};
    struct fx f = {0};
    struct buf b = {0};

    req.ud = &f;
    set_header(&f, "X-Sdk-Date", DATE);
    assert_int_equal(auth_canonical_request(&req, "x-sdk-date", AUTH_URI_DECODED, &b), 0);
    assert_int_equal(sscanf(b.data, "GET\n%255[^\n]\n%255[^\n]", ret_uri, ret_query) >= 1, 1);
    if (b.data[strlen("GET\n") + strlen(ret_uri) + 1] == '\n')
        ret_query[0] = '\0';
    buf_free(&b);
}

static void test_canonical_query_decodes_sorts_and_reencodes(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"b=2&a=1", "a=1&b=2"},
        {"k=2&k=10&k=1", "k=1&k=10&k=2"},
        {"flag&x=", "flag=&x="},
        {"&&a=1&", "a=1"},
        {"s=a+b%2Bc", "s=a%20b%2Bc"},
        {"p=%2f%7e%zz%", "p=%2F~%25zz%25"},
        {"z=%C3%A9&z=~", "z=~&z=%C3%A9"}, /* sorted on decoded bytes: '~' < 0xC3 */
        {"a.b=1&a%2Fb=2", "a.b=1&a%2Fb=2"}, /* decoded "a.b" < "a/b" though "%2F" < "." */
        {"=v", "=v"},
        {"", ""},
    };
    char uri[256], q[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        canon_lines("/x", cases[i].in, uri, q);
        if (strcmp(q, cases[i].out) != 0)
            fail_msg("query \"%s\": got \"%s\", want \"%s\"", cases[i].in, q, cases[i].out);
    }
}

static void test_canonical_uri_reencodes_segments_and_appends_slash(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"/v5/p/vpn-connection", "/v5/p/vpn-connection/"},
        {"/v5/p/", "/v5/p/"},
        {"", "/"},
        {"/", "/"},
        {"/a%2fb/c", "/a%2Fb/c/"},
        {"/%c3%bc-1", "/%C3%BC-1/"},
        {"/a b/(x)*", "/a%20b/%28x%29%2A/"},
        {"//v5", "//v5/"},
        {"/%7Euser", "/~user/"},
    };
    char uri[256], q[256];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        canon_lines(cases[i].in, NULL, uri, q);
        if (strcmp(uri, cases[i].out) != 0)
            fail_msg("path \"%s\": got \"%s\", want \"%s\"", cases[i].in, uri, cases[i].out);
    }
}

static void test_canonical_header_values_are_trimmed(void **state)
{
    struct fx *f = *state;
    struct buf b = {0};

    set_header(f, "Host", " \t" HOST "  ");
    assert_int_equal(check(f), 0);
    assert_int_equal(auth_canonical_request(&f->req, "host;x-sdk-date", AUTH_URI_DECODED, &b), 0);
    assert_non_null(strstr(b.data, "\nhost:" HOST "\nx-sdk-date:" DATE "\n\n"));
    buf_free(&b);
}

static uint64_t xorshift(uint64_t *st)
{
    *st ^= *st << 13;
    *st ^= *st >> 7;
    *st ^= *st << 17;
    return *st;
}

/* Fills buf with n random bytes (no NUL) drawn mostly from the characters the parsers split
 * on, so that the random inputs reach deep into them. */
static void random_text(uint64_t *st, char *buf, size_t n)
{
    static const char alphabet[] = "%%%+&&==;;,, \t/AFaf09-._~SDK-HMAC-SHA256 Access=Signature"
                                   "SignedHeaders=x-sdk-date\x80\xff\x01";

    for (size_t i = 0; i < n; i++) {
        uint64_t r = xorshift(st);
        buf[i] = (r & 0x300) ? alphabet[r % (sizeof(alphabet) - 1)] : (char)(1 + r % 255);
    }
    buf[n] = '\0';
}

static void test_random_hostile_inputs_are_rejected_without_crashing(void **state)
{
    struct fx *f = *state;
    char authz[600], path[300], query[300], date[40];
    uint64_t st = 0x9e3779b97f4a7c15u;

    for (int i = 0; i < 3000; i++) {
        static const char prefix[] = "SDK-HMAC-SHA256 Access=" AK ", SignedHeaders=";
        size_t keep = i % 3 == 0 ? sizeof(prefix) - 1 : 0; /* a valid start a third of the time */
        memcpy(authz, prefix, keep);
        random_text(&st, authz + keep, xorshift(&st) % 512);
        random_text(&st, path, xorshift(&st) % 256);
        random_text(&st, query, xorshift(&st) % 256);
        random_text(&st, date, xorshift(&st) % 20);
        f->req.raw_path = path;
        f->req.raw_query = query;
        bool shaped = i % 3 == 1; /* well-formed header: random path/query reach the canon */
        set_header(f, "Authorization", shaped ? PY_AUTHZ : authz);
        set_header(f, "X-Sdk-Date", shaped || i % 2 ? DATE : date);
        int r = check(f);
        assert_int_equal(r, -EPERM);
        if (shaped && !strstr(f->res.msg, "verify aksk signature fail; canonical request: GET|"))
            fail_msg("iteration %d: %s", i, f->res.msg);
        assert_true(strlen(f->res.msg) > strlen(P401));
        assert_true(strlen(f->res.msg) < AUTH_MSG_MAX);
    }
}

#define ADMIN_TOKEN "admin-token-0123456789abcdef"

static int check_admin(struct fx *f)
{
    return auth_check_admin(f->creds, &f->req, f->now, AUTH_DEFAULT_MAX_SKEW_S, &f->res);
}

static void test_an_admin_token_passes_the_operator_check(void **state)
{
    struct fx *f = *state;

    assert_int_equal(auth_creds_add_admin_token(f->creds, ADMIN_TOKEN), 0);
    del_header(f, "Authorization");
    set_header(f, "X-Auth-Token", ADMIN_TOKEN);
    assert_int_equal(check_admin(f), 0);
    assert_string_equal(f->res.principal, "token#2");
}

static void test_a_signed_admin_access_key_passes_the_operator_check(void **state)
{
    struct fx *f = *state;

    assert_int_equal(auth_creds_add_admin_aksk(f->creds, "ADMINAK", "admin-secret"), 0);
    resign(f, "ADMINAK", "admin-secret", SIGNED);
    assert_int_equal(check_admin(f), 0);
    assert_string_equal(f->res.principal, "ADMINAK");
}

static void test_a_tenant_credential_is_refused_by_the_operator_check_with_403(void **state)
{
    struct fx *f = *state;

    assert_int_equal(check_admin(f), -EACCES);
    assert_string_equal(f->res.msg, P403 "access key \"" AK "\" is not an admin credential (the "
                                         "operator surfaces need an \"admin\" line in the "
                                         "credentials file)");
    del_header(f, "Authorization");
    set_header(f, "X-Auth-Token", TOKEN);
    assert_int_equal(check_admin(f), -EACCES);
    assert_string_equal(f->res.msg, P403 "token#1 is not an admin credential (the operator "
                                         "surfaces need an \"admin\" line in the credentials "
                                         "file)");
}

static void test_no_credential_is_refused_by_the_operator_check_with_401(void **state)
{
    struct fx *f = *state;

    del_header(f, "Authorization");
    assert_int_equal(check_admin(f), -EPERM);
    set_header(f, "X-Auth-Token", "not-a-token");
    assert_int_equal(check_admin(f), -EPERM);
}

static void test_an_admin_credential_holds_no_project_of_the_cloud_api(void **state)
{
    struct fx *f = *state;

    assert_int_equal(auth_creds_add_admin_token(f->creds, ADMIN_TOKEN), 0);
    del_header(f, "Authorization");
    set_header(f, "X-Auth-Token", ADMIN_TOKEN);
    assert_int_equal(check(f), -EACCES);
    assert_string_equal(f->res.msg,
                        P403 "token#2 is not authorized for project \"" PROJECT "\"");
}

static void test_an_admin_token_passes_the_operator_check_as_a_bearer_token(void **state)
{
    struct fx *f = *state;

    assert_int_equal(auth_creds_add_admin_token(f->creds, ADMIN_TOKEN), 0);
    set_header(f, "Authorization", "bearer  " ADMIN_TOKEN); /* the scheme in any case */
    assert_int_equal(check_admin(f), 0);
    assert_string_equal(f->res.principal, "token#2");
}

static void test_a_tenant_bearer_token_is_refused_by_the_operator_check_with_403(void **state)
{
    struct fx *f = *state;

    set_header(f, "Authorization", "Bearer " TOKEN);
    assert_int_equal(check_admin(f), -EACCES);
    assert_int_equal(f->res.cause, AUTH_CAUSE_NOT_ADMIN);
    set_header(f, "Authorization", "Bearer nope");
    assert_int_equal(check_admin(f), -EPERM);
    assert_int_equal(f->res.cause, AUTH_CAUSE_UNKNOWN_TOKEN);
    assert_string_equal(f->res.msg, P401 "decrypt token fail: the bearer token is not a known "
                                         "token");
}

static void test_a_bearer_token_does_not_open_the_cloud_api(void **state)
{
    struct fx *f = *state;

    assert_int_equal(auth_creds_add_admin_token(f->creds, ADMIN_TOKEN), 0);
    set_header(f, "Authorization", "Bearer " TOKEN);
    assert_int_equal(check(f), -EPERM);
    assert_int_equal(f->res.cause, AUTH_CAUSE_MALFORMED);
}

static void test_no_credential_on_the_operator_check_says_what_to_send(void **state)
{
    struct fx *f = *state;

    del_header(f, "Authorization");
    assert_int_equal(check_admin(f), -EPERM);
    assert_int_equal(f->res.cause, AUTH_CAUSE_MISSING);
    assert_string_equal(f->res.msg,
                        P401 "no admin token nor signature; send Authorization: Bearer <TOKEN> or "
                             "X-Auth-Token with the token of an \"admin\" line of the "
                             "credentials file, or sign the request with its admin access key");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_worked_example_request_is_accepted),
        T(test_wrong_sk_fails_with_canonical_request_but_no_secret),
        T(test_unknown_access_key_is_named),
        T(test_date_beyond_skew_says_by_how_much_and_the_window),
        T(test_date_exactly_at_the_skew_limit_is_accepted),
        T(test_tampered_method_fails_signature),
        T(test_tampered_path_fails_signature),
        T(test_tampered_query_fails_signature),
        T(test_tampered_signed_header_fails_signature),
        T(test_tampered_body_byte_fails_signature),
        T(test_unsigned_header_may_be_added),
        T(test_signed_header_missing_from_request_is_named),
        T(test_unsigned_sdk_date_is_refused),
        T(test_missing_sdk_date_is_refused),
        T(test_malformed_sdk_date_is_quoted),
        T(test_no_credentials_says_x_auth_token_not_found),
        T(test_other_signing_algorithm_is_unsupported),
        T(test_malformed_authorization_headers_say_what_is_wrong),
        T(test_upper_case_signature_hex_is_accepted),
        T(test_project_not_held_is_403),
        T(test_x_project_id_naming_another_project_is_403),
        T(test_null_path_project_only_authenticates),
        T(test_unsigned_payload_header_is_honoured),
        T(test_content_sha256_header_with_a_hash_cannot_cover_a_swapped_body),
        T(test_known_token_is_accepted_for_its_project),
        T(test_unknown_token_says_decrypt_token_fail),
        T(test_token_for_another_project_is_403),
        T(test_authorization_wins_over_x_auth_token),
        T(test_signed_credential_headers_are_redacted_in_messages),
        T(test_percent_encoded_path_verifies_in_either_sdk_form),
        T(test_long_canonical_request_is_cut_in_the_message),
        cmocka_unit_test(test_canonical_query_decodes_sorts_and_reencodes),
        cmocka_unit_test(test_canonical_uri_reencodes_segments_and_appends_slash),
        T(test_canonical_header_values_are_trimmed),
        T(test_random_hostile_inputs_are_rejected_without_crashing),
        T(test_an_admin_token_passes_the_operator_check),
        T(test_a_signed_admin_access_key_passes_the_operator_check),
        T(test_a_tenant_credential_is_refused_by_the_operator_check_with_403),
        T(test_no_credential_is_refused_by_the_operator_check_with_401),
        T(test_an_admin_credential_holds_no_project_of_the_cloud_api),
        T(test_an_admin_token_passes_the_operator_check_as_a_bearer_token),
        T(test_a_tenant_bearer_token_is_refused_by_the_operator_check_with_403),
        T(test_a_bearer_token_does_not_open_the_cloud_api),
        T(test_no_credential_on_the_operator_check_says_what_to_send),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
