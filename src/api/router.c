/* api/router.c: segment-by-segment match of a raw path against "{param}" patterns.
 *
 * router_init splits every pattern into segments once. Per request the path is split once;
 * a route is then only compared when its method and segment count agree, literal segments
 * with memcmp, and the comparison stops at the first literal that differs or as soon as the
 * route holds as many {params} as the best match so far. Only the winner's parameters are
 * copied into the call. */
#include "api/router.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

_Static_assert(ROUTER_MAX_ROUTES <= 256, "router.by_nseg holds route indexes in a uint8_t");

struct seg {
    const char *p;
    size_t len;
};

int router_init(struct router *rt, const struct route *routes, size_t n)
{
    memset(rt, 0, sizeof(*rt));
    if (n > ROUTER_MAX_ROUTES)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        struct router_entry *e = &rt->e[i];
        const char *pat = routes[i].pattern, *p = pat + 1;

        if (pat[0] != '/' || strlen(pat) > UINT8_MAX)
            return -EINVAL;
        e->route = &routes[i];
        for (;;) {
            const char *end = strchr(p, '/');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            struct router_seg *s = &e->seg[e->nseg];

            if (e->nseg == ROUTER_MAX_SEGMENTS)
                return -EINVAL;
            s->off = (uint8_t)(p - pat);
            s->len = (uint8_t)len;
            if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
                if (len == 12 && memcmp(p, "{project_id}", 12) == 0)
                    s->param = ROUTER_PROJECT_ID;
                else if (len == 8 && memcmp(p, "{sub_id}", 8) == 0)
                    s->param = ROUTER_SUB_ID;
                else
                    s->param = ROUTER_ID;
                e->nparams++;
            }
            e->nseg++;
            if (!end)
                break;
            p = end + 1;
        }
        rt->by_nseg[e->nseg][rt->n_by_nseg[e->nseg]++] = (uint8_t)i;
    }
    rt->n = n;
    return 0;
}

/* Splits path ("/a/b/c", one trailing slash tolerated) into segments; -1 if it cannot match. */
static int split_path(const char *path, struct seg *segs)
{
    size_t len = strlen(path);
    int n = 0;

    if (len == 0 || path[0] != '/')
        return -1;
    if (len > 1 && path[len - 1] == '/')
        len--;
    for (size_t i = 1; i <= len;) {
        const char *slash = memchr(path + i, '/', len - i);
        size_t end = slash ? (size_t)(slash - path) : len;

        if (n == ROUTER_MAX_SEGMENTS)
            return -1;
        segs[n++] = (struct seg){path + i, end - i};
        i = end + 1;
    }
    return n;
}

/* A {param} matches one non-empty segment that fits its slot; a literal matches itself. */
static bool entry_match(const struct router_entry *e, const struct seg *segs)
{
    const char *pat = e->route->pattern;

    for (unsigned i = 0; i < e->nseg; i++) {
        const struct router_seg *s = &e->seg[i];

        if (s->param) {
            if (segs[i].len == 0 || segs[i].len >= ROUTER_MAX_PARAM)
                return false;
        } else if (s->len != segs[i].len || memcmp(pat + s->off, segs[i].p, s->len) != 0) {
            return false;
        }
    }
    return true;
}

const struct route *router_match(const struct router *rt, const char *method, const char *path,
                                 struct api_call *call)
{
    struct seg segs[ROUTER_MAX_SEGMENTS];
    const struct router_entry *best = NULL;
    int nseg = split_path(path, segs);

    if (nseg < 0)
        return NULL;
    for (size_t k = 0; k < rt->n_by_nseg[nseg]; k++) {
        const struct router_entry *e = &rt->e[rt->by_nseg[nseg][k]];
        const char *m = e->route->method;

        if ((best && e->nparams >= best->nparams) || m[0] != method[0] ||
            strcmp(m, method) != 0 || !entry_match(e, segs))
            continue;
        best = e;
        if (e->nparams == 0)
            break;
    }
    if (!best)
        return NULL;
    *call = (struct api_call){.req = call->req};
    for (unsigned i = 0; i < best->nseg; i++) {
        enum router_param param = best->seg[i].param;
        char *slot = param == ROUTER_PROJECT_ID ? call->project_id
                     : param == ROUTER_SUB_ID   ? call->sub_id
                                                : call->id;

        if (!best->seg[i].param)
            continue;
        memcpy(slot, segs[i].p, segs[i].len);
        slot[segs[i].len] = '\0';
    }
    return best->route;
}
