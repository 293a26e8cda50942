/* api/query.c: query string pairs, percent-decoded into bounded stack buffers, and the
 * parameters the lists share. */
#include "api/query.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUERY_PART_MAX 256

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into out; false when malformed, too long or containing NUL. */
static bool decode(const char *s, size_t n, char out[QUERY_PART_MAX])
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = hi >= 0 ? hexval(s[i + 2]) : -1;
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
    e->n++;
    return 0;
}

void query_eps_bind(const struct query_eps *e, struct svc_eps *out)
{
    for (size_t i = 0; i < e->n; i++)
        out->ids[i] = e->buf[i];
    out->n = e->n;
}

int query_limit(const char *value, long long max, long long *ret, char *error, size_t errlen)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(value, &end, 10);
    if (!*value || *end || errno || v < 0 || v > max || (*value < '0' || *value > '9')) {
        snprintf(error, errlen, "limit: must be an integer from 0 to %lld, got \"%.32s\"", max,
                 value);
        return -1;
    }
    *ret = v;
    return 0;
}
