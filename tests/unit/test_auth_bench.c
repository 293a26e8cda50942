/* Micro-benchmark of auth_check on the spec §7.4 requests (a GET list with a query, a POST
 * create with a 218-byte body; PY-style, four signed headers) with 10,000 access keys loaded.
 * Prints ns/op; asserts only that every check succeeds (timing under the sanitizers says
 * little: build with release flags for real numbers, see bench/). Iterations:
 * $AUTH_BENCH_ITERS, default 20000. */
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
#define PROJECT "0605767dd1000ffd2f5cc0009a2d6d21"
#define DATE "20250626T134134Z"
#define NOW 1750945294 /* DATE as Unix seconds */
#define SIGNED "content-type;host;x-project-id;x-sdk-date"
#define BODY                                                                                       \
    "{\"vpn_connection\":{\"vgw_id\":\"7b6c5e0a-1f2d-4c3b-9a8e-1234567890ab\",\"vgw_ip\":"        \
    "\"0c464dad-2a1b-4c5d-8e9f-c22bb0eb0bde\",\"cgw_id\":\"5247ae10-3c4d-4e5f-9a0b-"              \
    "dd36659a7f5d\",\"peer_subnets\":[\"192.168.44.0/24\"],\"psk\":\"Abcd1234!x\"}}"

struct hdr {
    const char *name, *value;
};

static const char *fake_header(void *ud, const char *name)
{
    const struct hdr *h = ud;

    for (; h->name; h++) {
        if (strcasecmp(h->name, name) == 0)
            return h->value;
    }
    return NULL;
}

static int64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long iterations(void)
{
    const char *s = getenv("AUTH_BENCH_ITERS");
    char *end;
    long n;

    if (!s || !*s)
        return 20000;
    errno = 0;
    n = strtol(s, &end, 10);
    assert_true(errno == 0 && *end == '\0' && n > 0 && n <= 100000000);
    return n;
}

static struct auth_creds *many_keys(void)
{
    struct auth_creds *c = NULL;
    char ak[32], sk[48];

    assert_int_equal(auth_creds_new(&c), 0);
    for (unsigned i = 0; i < 10000; i++) {
        snprintf(ak, sizeof(ak), "BENCHAK%08u", i);
        snprintf(sk, sizeof(sk), "bench-secret-%08u", i);
        assert_int_equal(auth_creds_add_aksk(c, ak, sk, PROJECT), 0);
    }
    assert_int_equal(auth_creds_add_aksk(c, AK, SK, PROJECT), 0);
    return c;
}

static void bench(const char *label, struct auth_request *req, struct hdr *h)
{
    struct auth_creds *c = many_keys();
    char authz[512];
    struct auth_result res;
    long n = iterations();
    int64_t t0, t1;

    assert_int_equal(auth_sign(req, AK, SK, SIGNED, authz, sizeof(authz)), 0);
    for (struct hdr *p = h; p->name; p++) {
        if (strcmp(p->name, "Authorization") == 0)
            p->value = authz;
    }
    for (long i = 0; i < 100; i++) /* warm up */
        assert_int_equal(auth_check(c, req, PROJECT, NOW, 900, &res), 0);
    t0 = mono_ns();
    for (long i = 0; i < n; i++) {
        if (auth_check(c, req, PROJECT, NOW, 900, &res) != 0)
            fail_msg("iteration %ld: %s", i, res.msg);
    }
    t1 = mono_ns();
    print_message("# bench auth_check %s: %.0f ns/op (%ld iterations, 10001 keys)\n", label,
                  (double)(t1 - t0) / (double)n, n);
    auth_creds_free(c);
}

static void test_bench_signed_list_request(void **state)
{
    struct hdr h[] = {
        {"Content-Type", "application/json"},
        {"Host", "vpn.cn-north-4.myhuaweicloud.com"},
        {"X-Project-Id", PROJECT},
        {"X-Sdk-Date", DATE},
        {"User-Agent", "huaweicloud-usdk-python/3.0"},
        {"Accept", "application/json"},
        {"Authorization", NULL},
        {NULL, NULL},
    };
    struct auth_request req = {
        .method = "GET",
        .raw_path = "/v5/" PROJECT "/vpn-connection",
        .raw_query = "vgw_id=7b6c5e0a-1f2d-4c3b-9a8e-1234567890ab&limit=10",
        .header = fake_header,
        .ud = h,
    };

    (void)state;
    bench("GET list", &req, h);
}

static void test_bench_signed_create_request(void **state)
{
    struct hdr h[] = {
        {"Content-Type", "application/json"},
        {"Host", "vpn.cn-north-4.myhuaweicloud.com"},
        {"X-Project-Id", PROJECT},
        {"X-Sdk-Date", DATE},
        {"User-Agent", "huaweicloud-usdk-python/3.0"},
        {"Accept", "application/json"},
        {"Authorization", NULL},
        {NULL, NULL},
    };
    struct auth_request req = {
        .method = "POST",
        .raw_path = "/v5/" PROJECT "/vpn-connection",
        .body = BODY,
        .body_len = sizeof(BODY) - 1,
        .header = fake_header,
        .ud = h,
    };

    (void)state;
    bench("POST create (218-byte body)", &req, h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bench_signed_list_request),
        cmocka_unit_test(test_bench_signed_create_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
