/* config/types.c: the value types of the key table (config.h enum config_type), and the listen
 * address, which the HTTP layer receives in numeric form only. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_int.h"
#include "model/model.h"
#include "util/macro.h"

/* A decimal integer without sign, spaces or leading '+': 0 and *ret, or -EINVAL. */
static int parse_u64(const char *s, uint64_t *ret)
{
    char *end;

    if (*s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -EINVAL;
    *ret = v;
    return 0;
}

static int parse_port(const char *s, unsigned *ret)
{
    uint64_t v;

    if (parse_u64(s, &v) < 0 || v > 65535)
        return -EINVAL;
    *ret = (unsigned)v;
    return 0;
}

int config_listen_resolve(const char *text, char *out, size_t outlen)
{
    const char *colon = strrchr(text, ':');
    char host[INET6_ADDRSTRLEN + 2];
    unsigned char addr[sizeof(struct in6_addr)];
    unsigned port;

    if (!colon || parse_port(colon + 1, &port) < 0)
        return -EINVAL;
    size_t hlen = (size_t)(colon - text);
    if (hlen == 0 || hlen >= sizeof(host))
        return -EINVAL;
    memcpy(host, text, hlen);
    host[hlen] = '\0';
    if (strcmp(host, "localhost") == 0) {
        snprintf(out, outlen, "127.0.0.1:%u", port);
        return 0;
    }
    if (host[0] == '[' && host[hlen - 1] == ']') {
        host[hlen - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, addr) != 1)
            return -EINVAL;
        inet_ntop(AF_INET6, addr, host, sizeof(host));
        snprintf(out, outlen, "[%s]:%u", host, port);
        return 0;
    }
    if (inet_pton(AF_INET, host, addr) != 1)
        return -EINVAL;
    inet_ntop(AF_INET, addr, host, sizeof(host));
    snprintf(out, outlen, "%s:%u", host, port);
    return 0;
}

bool config_listen_is_loopback(const char *numeric)
{
    return strncmp(numeric, "127.", 4) == 0 || strncmp(numeric, "[::1]:", 6) == 0;
}

/* "A.B.C.D/N" with N in [lo, hi] and no host bits set (the rule of the API's pools). */
static int check_cidr(const char *text, uint64_t lo, uint64_t hi)
{
    uint32_t addr;
    unsigned bits;

    if (model_parse_cidr(text, &addr, &bits) < 0 || bits < lo || bits > hi)
        return -EINVAL;
    return 0;
}

/* An IPv6 network: host bits zero, in its RFC 5952 text (the text the pool is logged by). */
static int check_cidr6(const char *text, uint64_t lo, uint64_t hi)
{
    struct model_ip6 addr;
    unsigned bits;
    char canonical[MODEL_CIDR_LEN];

    if (model_parse_prefix6(text, &addr, &bits) < 0 || bits < lo || bits > hi)
        return -EINVAL;
    model_format_ip6(canonical, &addr, (int)bits);
    return strcmp(canonical, text) == 0 ? 0 : -EINVAL;
}

static int check_enum(const struct config_key_def *d, const char *text, uint64_t *ret_num,
                      char *rule, size_t rulelen)
{
    size_t n = 0;

    for (size_t i = 0; d->choices[i]; i++) {
        if (strcmp(text, d->choices[i]) == 0) {
            *ret_num = i;
            return 0;
        }
    }
    n += (size_t)snprintf(rule, rulelen, "must be one of");
    for (size_t i = 0; d->choices[i] && n < rulelen; i++)
        n += (size_t)snprintf(rule + n, rulelen - n, "%s %s", i ? "," : "", d->choices[i]);
    return -EINVAL;
}

int config_check_text(const struct config_key_def *d, const char *text, uint64_t *ret_num,
                      char *numeric, size_t numlen, char *rule, size_t rulelen)
{
    uint64_t v = 0;

    switch (d->type) {
    case CONFIG_STR:
        if (*text)
            return 0;
        snprintf(rule, rulelen, "must not be empty");
        return -EINVAL;
    case CONFIG_UINT:
        if (parse_u64(text, &v) == 0 && v >= d->min && v <= d->max) {
            *ret_num = v;
            return 0;
        }
        snprintf(rule, rulelen, "must be an integer from %llu to %llu",
                 (unsigned long long)d->min, (unsigned long long)d->max);
        return -EINVAL;
    case CONFIG_ENUM:
        return check_enum(d, text, ret_num, rule, rulelen);
    case CONFIG_ADDR:
        if (config_listen_resolve(text, numeric, numlen) == 0)
            return 0;
        snprintf(rule, rulelen, "must be IPV4:PORT, [IPV6]:PORT or localhost:PORT (port 0 to "
                                "65535)");
        return -EINVAL;
    case CONFIG_CIDR:
        if (check_cidr(text, d->min, d->max) == 0)
            return 0;
        snprintf(rule, rulelen, "must be an IPv4 CIDR from /%llu to /%llu",
                 (unsigned long long)d->min, (unsigned long long)d->max);
        return -EINVAL;
    case CONFIG_CIDR6:
        if (check_cidr6(text, d->min, d->max) == 0)
            return 0;
        snprintf(rule, rulelen,
                 "must be an IPv6 network in RFC 5952 text (like 2001:db8::/48) from /%llu to "
                 "/%llu",
                 (unsigned long long)d->min, (unsigned long long)d->max);
        return -EINVAL;
    case CONFIG_BOOL:
        *ret_num = strcmp(text, "1") == 0;
        return 0;
    case CONFIG_IDENT: {
        size_t len = strlen(text);
        if (len >= d->min && len <= d->max &&
            text[strspn(text, "0123456789abcdefghijklmnopqrstuvwxyz"
                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_")] == '\0')
            return 0;
        snprintf(rule, rulelen, "must be %llu to %llu letters, digits, - or _",
                 (unsigned long long)d->min, (unsigned long long)d->max);
        return -EINVAL;
    }
    }
    snprintf(rule, rulelen, "has an unknown type");
    return -EINVAL;
}

/* Levenshtein distance of a and b, capped: returns cap + 1 as soon as it exceeds cap. */
static size_t edit_distance(const char *a, const char *b, size_t cap)
{
    size_t la = strlen(a), lb = strlen(b), row[64];

    if (la >= ARRAY_SIZE(row) || lb >= ARRAY_SIZE(row))
        return cap + 1;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0], best;
        row[0] = best = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t v = diag + (a[i - 1] != b[j - 1]);
            if (row[j - 1] + 1 < v)
                v = row[j - 1] + 1;
            if (up + 1 < v)
                v = up + 1;
            row[j] = v;
            diag = up;
            if (v < best)
                best = v;
        }
        if (best > cap)
            return cap + 1;
    }
    return row[lb];
}

const char *config_nearest_key(const char *name)
{
    const char *best = NULL;
    size_t best_d = 3;

    for (size_t k = 0; k < CONFIG_KEY_COUNT; k++) {
        const struct config_key_def *d = config_key((enum config_key)k);
        size_t dist = edit_distance(name, d->name, 2);
        if (!(d->flags & CONFIG_FLAG_ONLY) && dist < best_d) {
            best = d->name;
            best_d = dist;
        }
    }
    return best;
}
