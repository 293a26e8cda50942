/* fuzz/fuzz_router.c: src/api/router.c over the real route table (api_routes()), and the query
 * string decoder (src/api/query.c).
 * Input: "<method> <raw path>[?<raw query>]" (the first space splits; no space: the whole input
 * is the path of a GET). Query invariants: each pair reported has a non-empty key, key and
 * value (or NULL) under 256 bytes, at most one pair per '&'-separated part. Route invariants: a matched route has the input's method; its captured parameters are
 * non-empty, shorter than ROUTER_MAX_PARAM and hold no '/'; putting them back into the
 * pattern gives the path again (one trailing slash tolerated). */
#include "api/api.h"
#include "api/query.h"
#include "api/router.h"
#include "fuzz/fuzz.h"

static void check_match(const struct route *rt, const char *method, const char *path,
                        const struct api_call *call)
{
    struct buf b = {0};
    const char *p = rt->pattern;

    if (strcmp(rt->method, method) != 0)
        fuzz_fail("route %s %s matched method %s", rt->method, rt->pattern, method);
    while (*p) {
        if (*p != '{') {
            buf_append(&b, p++, 1);
            continue;
        }
        const char *close = strchr(p, '}');
        const char *v = strncmp(p, "{project_id}", 12) == 0 ? call->project_id
                        : strncmp(p, "{sub_id}", 8) == 0    ? call->sub_id
                                                            : call->id;
        size_t n = strnlen(v, ROUTER_MAX_PARAM);
        if (n == 0 || n == ROUTER_MAX_PARAM || strchr(v, '/'))
            fuzz_fail("bad parameter \"%.*s\" for %s", (int)n, v, rt->pattern);
        buf_puts(&b, v);
        p = close + 1;
    }
    size_t plen = strlen(path);
    if (!(b.len == plen || (b.len + 1 == plen && path[plen - 1] == '/')) ||
        memcmp(b.data, path, b.len) != 0)
        fuzz_fail("%s %s matched %s but rebuilds as %.*s", method, path, rt->pattern, (int)b.len,
                  b.data);
    buf_free(&b);
}

struct pairs {
    size_t n, max;
};

static int on_pair(void *ud, const char *key, const char *value)
{
    struct pairs *p = ud;
    size_t kn = strnlen(key, 256);

    if (kn == 0 || kn == 256 || (value && strnlen(value, 256) == 256))
        fuzz_fail("bad pair \"%.*s\"", (int)kn, key);
    if (++p->n > p->max)
        fuzz_fail("%zu pairs from %zu parts", p->n, p->max);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    char *sp = memchr(s, ' ', size);
    const char *method = "GET", *path = s;
    size_t n;
    static struct router router;
    static bool router_ready;
    struct api_call call = {0};

    if (sp) {
        *sp = '\0';
        method = s;
        path = sp + 1;
    }
    char *q = strchr(path, '?');
    if (q) {
        struct pairs pr = {.max = 1};
        *q++ = '\0';
        for (const char *c = q; *c; c++)
            pr.max += *c == '&';
        if (query_foreach(q, on_pair, &pr) != 0)
            fuzz_fail("query_foreach returned non-zero");
    }
    if (!router_ready) {
        const struct route *routes = api_routes(&n);
        if (router_init(&router, routes, n) < 0)
            fuzz_fail("router_init refused the route table");
        router_ready = true;
    }
    const struct route *rt = router_match(&router, method, path, &call);
    if (rt)
        check_match(rt, method, path, &call);
    free(s);
    return 0;
}
