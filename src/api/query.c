/* api/query.c: query string pairs, percent-decoded into bounded stack buffers. */
#include "api/query.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/hex.h"

#define QUERY_PART_MAX 256

/* Decodes s[0..n) into out; false when malformed, too long or containing NUL. */
static bool decode(const char *s, size_t n, char out[QUERY_PART_MAX])
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = i + 2 < n ? hex_digit(s[i + 1]) : -1;
            int lo = hi >= 0 ? hex_digit(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return false;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (o + 1 >= QUERY_PART_MAX)
            return false;
        out[o++] = c;
    }
    out[o] = '\0';
    return true;
}

int query_foreach(const char *raw, int (*cb)(void *ud, const char *key, const char *value),
                  void *ud)
{
    char key[QUERY_PART_MAX], value[QUERY_PART_MAX];

    for (const char *p = raw; p && *p;) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;
        bool ok = decode(p, klen, key);
        if (ok && klen > 0) {
            ok = eq ? decode(eq + 1, len - klen - 1, value) : (value[0] = '\0', true);
            int r = cb(ud, key, ok ? value : NULL);
            if (r)
                return r;
        }
        p += len;
        if (*p == '&')
            p++;
    }
    return 0;
}

int query_eps_add(struct query_eps *e, const char *value, char *error, size_t errlen)
{
    if (e->n == QUERY_MAX_EPS) {
        snprintf(error, errlen, "enterprise_project_id: must be given at most %d times",
                 QUERY_MAX_EPS);
        return -1;
    }
    snprintf(e->buf[e->n], sizeof(e->buf[e->n]), "%s", value);
    e->ptr[e->n] = e->buf[e->n];
    e->n++;
    return 0;
}
