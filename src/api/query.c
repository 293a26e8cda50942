/* api/query.c: query string pairs, percent-decoded into bounded stack buffers, and the
 * parameters the lists share. */
#include "api/query.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Adds one value; past QUERY_MAX_EPS writes "enterprise_project_id: must be given at most 16
 * times" into error and returns -1. */
static int eps_add(struct query_eps *e, const char *value, char *error, size_t errlen)
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

int query_count(const char *key, const char *value, long long max, long long *ret, char *error,
                size_t errlen)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(value, &end, 10);
    if (!*value || *end || errno || v < 0 || v > max || (*value < '0' || *value > '9')) {
        snprintf(error, errlen, "%s: must be an integer from 0 to %lld, got \"%.32s\"", key, max,
                 value);
        return -1;
    }
    *ret = v;
    return 0;
}

int query_limit(const char *value, long long max, long long *ret, char *error, size_t errlen)
{
    return query_count("limit", value, max, ret, error, errlen);
}

struct list_parse {
    struct query_list *l;
    long long limit_max;
    bool takes_eps;
};

static int list_param(void *ud, const char *key, const char *value)
{
    static const char *const keys[QUERY_N_TEXT] = {
        [QUERY_MARKER] = "marker",           [QUERY_VGW_ID] = "vgw_id",
        [QUERY_VGW_IP] = "vgw_ip",           [QUERY_CGW_ID] = "cgw_id",
        [QUERY_CONN_ID] = "vpn_connection_id", [QUERY_VPN_ID] = "vpn_id",
        [QUERY_EIP_ID] = "eip_id",           [QUERY_RESOURCE_ID] = "resource_id",
        [QUERY_PRE_EXPIRE_DAYS] = "pre_expire_days"};
    struct list_parse *p = ud;
    struct query_list *l = p->l;

    if (!value) {
        snprintf(l->error, sizeof(l->error), "%.32s: must be percent-encoded text under 256 bytes",
                 key);
        return -1;
    }
    if (p->limit_max > 0 && strcmp(key, "limit") == 0)
        return query_limit(value, p->limit_max, &l->limit, l->error, sizeof(l->error));
    if (p->takes_eps && strcmp(key, "enterprise_project_id") == 0)
        return eps_add(&l->eps, value, l->error, sizeof(l->error));
    for (size_t i = 0; i < QUERY_N_TEXT; i++) {
        if (strcmp(key, keys[i]) == 0) {
            snprintf(l->buf[i], sizeof(l->buf[i]), "%s", value);
            l->text[i] = l->buf[i];
        }
    }
    return 0;
}

int query_list_parse(const char *raw, long long limit_max, bool takes_eps, struct query_list *l)
{
    struct list_parse p = {l, limit_max, takes_eps};

    memset(l, 0, sizeof(*l));
    l->limit = limit_max;
    return query_foreach(raw, list_param, &p) != 0 ? -1 : 0;
}
