/* api/router.c: segment-by-segment match of a raw path against "{param}" patterns. */
#include "api/router.h"

#include <stdint.h>
#include <string.h>

/* Copies the captured segment into its slot; segments that are empty or too long never
 * match, so a handler always sees a non-empty parameter that fits. */
static bool capture(const char *name, size_t name_len, const char *seg, size_t seg_len,
                    struct api_call *call)
{
    char *slot;

    if (seg_len == 0 || seg_len >= ROUTER_MAX_PARAM)
        return false;
    if (name_len == 10 && memcmp(name, "project_id", 10) == 0)
        slot = call->project_id;
    else if (name_len == 6 && memcmp(name, "sub_id", 6) == 0)
        slot = call->sub_id;
    else
        slot = call->id;
    memcpy(slot, seg, seg_len);
    slot[seg_len] = '\0';
    return true;
}

static bool pattern_match(const char *pattern, const char *path, struct api_call *call)
{
    const char *p = pattern, *s = path;

    while (*p && *s) {
        if (*p == '{') {
            const char *name = p + 1, *close = strchr(p, '}');
            size_t seg_len = strcspn(s, "/");
            if (!close || !capture(name, (size_t)(close - name), s, seg_len, call))
                return false;
            p = close + 1;
            s += seg_len;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *p == '\0' && (*s == '\0' || (s[0] == '/' && s[1] == '\0'));
}

/* Number of {param} segments of a pattern: of two matching routes the one with fewer wins, so a
 * literal segment ("vpn-gateways/availability-zones") is never taken for an {id}. */
static size_t param_count(const char *pattern)
{
    size_t n = 0;

    for (const char *p = pattern; (p = strchr(p, '{')) != NULL; p++)
        n++;
    return n;
}

const struct route *router_match(const struct route *routes, size_t n, const char *method,
                                 const char *path, struct api_call *call)
{
    const struct route *best = NULL;
    size_t best_params = SIZE_MAX;

    for (size_t i = 0; i < n; i++) {
        struct api_call c = {.req = call->req};
        size_t params;

        if (strcmp(routes[i].method, method) != 0)
            continue;
        params = param_count(routes[i].pattern);
        if (params >= best_params || !pattern_match(routes[i].pattern, path, &c))
            continue;
        best = &routes[i];
        best_params = params;
        *call = c;
    }
    return best;
}
