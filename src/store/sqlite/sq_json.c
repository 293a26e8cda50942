/* store/sqlite/sq_json.c: JSON text helpers of the backend: top-level members of a stored spec,
 * found without parsing it, so a write that changes neither "name" nor "tags" can skip the tag
 * index sync (sq_lifecycle.c); string arrays for json_each() filters. */
#include <stdbool.h>
#include <string.h>

#include "store/sqlite/sq_int.h"
#include "util/jscan.h"

int store_sqlite_members(const char *json, const char *const *keys, size_t n,
                         struct sq_member *out)
{
    const char *p = jscan_ws(json);

    for (size_t i = 0; i < n; i++)
        out[i] = (struct sq_member){NULL, 0, false};
    if (*p++ != '{')
        return -1;
    p = jscan_ws(p);
    if (*p == '}')
        return 0;
    for (;;) {
        const char *k = p, *v, *end;
        size_t klen;

        if (*p != '"' || !(p = jscan_string(p)))
            return -1;
        klen = (size_t)(p - k) - 2;
        p = jscan_ws(p);
        if (*p++ != ':')
            return -1;
        v = jscan_ws(p);
        if (!(end = jscan_value(v)))
            return -1;
        for (size_t i = 0; i < n; i++) {
            if (strlen(keys[i]) != klen || memcmp(k + 1, keys[i], klen) != 0)
                continue;
            if (out[i].found)
                return -1; /* twice: which one a reader takes is not ours to guess */
            out[i] = (struct sq_member){v, (size_t)(end - v), true};
        }
        p = end;
        if (*p == '}')
            return 0;
        if (*p++ != ',')
            return -1;
        p = jscan_ws(p);
    }
}

bool store_sqlite_same_members(const char *a, const char *b, const char *const *keys, size_t n)
{
    struct sq_member ma[SQ_MAX_MEMBERS], mb[SQ_MAX_MEMBERS];

    if (n > SQ_MAX_MEMBERS || store_sqlite_members(a, keys, n, ma) < 0 ||
        store_sqlite_members(b, keys, n, mb) < 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (ma[i].found != mb[i].found || ma[i].len != mb[i].len ||
            (ma[i].found && memcmp(ma[i].val, mb[i].val, ma[i].len) != 0))
            return false;
    }
    return true;
}

int store_sqlite_json_strings(const char *const *v, size_t n, struct buf *out)
{
    int r;

    if (n == 0)
        return 0;
    r = buf_puts(out, "[");
    for (size_t i = 0; r == 0 && i < n; i++) {
        if (i)
            r = buf_puts(out, ",");
        if (r == 0)
            r = buf_json_str(out, v[i]);
    }
    return r < 0 ? r : buf_puts(out, "]");
}
