/* model/net6.c: strict IPv6 address and CIDR parsing (RFC 4291 §2.2 text forms), the RFC 5952
 * text every stored IPv6 value is kept in, and the helpers both address families share. */
#include "model/model_int.h"
#include "util/hex.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define GROUPS 8

/* One group of 1-4 hex digits at *s; advances *s. */
static int parse_group(const char **s, uint16_t *ret)
{
    unsigned v = 0;
    int n = 0, d;

    while (n < 5 && (d = hex_digit((*s)[n])) >= 0) {
        v = v << 4 | (unsigned)d;
        n++;
    }
    if (n == 0 || n > 4)
        return -EINVAL;
    *s += n;
    *ret = (uint16_t)v;
    return 0;
}

/* True when the text at s up to the end is a dotted IPv4 tail (its digits run into a '.'). */
static bool is_ipv4_tail(const char *s)
{
    size_t n = strspn(s, "0123456789");

    return n > 0 && s[n] == '.';
}

/* The groups of s into g[0..*ret_n); *ret_gap gets the index "::" stands at, or -1. */
static int parse_groups(const char *s, uint16_t g[GROUPS], size_t *ret_n, int *ret_gap)
{
    size_t n = 0;
    int gap = -1;
    uint32_t v4;

    if (s[0] == ':') {
        if (s[1] != ':')
            return -EINVAL;
        gap = 0;
        s += 2;
    }
    while (*s) {
        if (is_ipv4_tail(s)) {
            if (n + 2 > GROUPS || model_parse_ipv4(s, &v4) < 0)
                return -EINVAL;
            g[n++] = (uint16_t)(v4 >> 16);
            g[n++] = (uint16_t)(v4 & 0xffffu);
            break;
        }
        if (n == GROUPS || parse_group(&s, &g[n]) < 0)
            return -EINVAL;
        n++;
        if (*s == '\0')
            break;
        if (*s++ != ':' || *s == '\0')
            return -EINVAL; /* a lone trailing ':' too */
        if (*s == ':') {
            if (gap >= 0)
                return -EINVAL;
            gap = (int)n;
            s++;
        }
    }
    *ret_n = n;
    *ret_gap = gap;
    return 0;
}

int model_parse_ipv6(const char *s, struct model_ip6 *ret)
{
    uint16_t g[GROUPS], full[GROUPS] = {0};
    size_t n;
    int gap;

    if (parse_groups(s, g, &n, &gap) < 0)
        return -EINVAL;
    if (gap < 0 ? n != GROUPS : n > GROUPS - 1) /* "::" stands for at least one group */
        return -EINVAL;
    size_t head = gap < 0 ? n : (size_t)gap, tail = n - head;
    memcpy(full, g, head * sizeof(g[0]));
    memcpy(full + GROUPS - tail, g + head, tail * sizeof(g[0]));
    for (size_t i = 0; i < GROUPS; i++) {
        ret->b[2 * i] = (uint8_t)(full[i] >> 8);
        ret->b[2 * i + 1] = (uint8_t)(full[i] & 0xffu);
    }
    return 0;
}

int model_parse_prefix6(const char *s, struct model_ip6 *ret, unsigned *ret_prefix)
{
    char addr[64];
    const char *slash = strchr(s, '/'), *p;
    size_t n = slash ? (size_t)(slash - s) : 0;
    unsigned prefix;

    if (!slash || n >= sizeof(addr))
        return -EINVAL;
    memcpy(addr, s, n);
    addr[n] = '\0';
    p = slash + 1;
    if (model_parse_ipv6(addr, ret) < 0 || model_parse_dec(&p, 128, &prefix) < 0 || *p != '\0')
        return -EINVAL;
    *ret_prefix = prefix;
    return 0;
}

bool model_ip6_host_bits_zero(const struct model_ip6 *a, unsigned prefix)
{
    for (unsigned bit = prefix; bit < 128; bit++) {
        if (a->b[bit / 8] & (0x80u >> (bit % 8)))
            return false;
    }
    return true;
}

/* True if a and b agree on their first bits bits. */
static bool same_network(const struct model_ip6 *a, const struct model_ip6 *b, unsigned bits)
{
    unsigned whole = bits / 8, rest = bits % 8;
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));

    if (memcmp(a->b, b->b, whole) != 0)
        return false;
    return rest == 0 || ((a->b[whole] ^ b->b[whole]) & mask) == 0;
}

bool model_cidr6_overlap(const struct model_cidr *a, const struct model_cidr *b)
{
    struct model_ip6 x, y;
    unsigned xp, yp;

    if (model_parse_prefix6(a->s, &x, &xp) < 0 || model_parse_prefix6(b->s, &y, &yp) < 0)
        return false;
    return same_network(&x, &y, xp < yp ? xp : yp);
}

/* The longest run of two or more zero groups: *ret_at and *ret_len (0 when there is none). */
static void zero_run(const uint16_t g[GROUPS], size_t *ret_at, size_t *ret_len)
{
    size_t best_at = 0, best_len = 0;

    for (size_t i = 0; i < GROUPS;) {
        size_t j = i;
        while (j < GROUPS && g[j] == 0)
            j++;
        if (j - i > best_len && j - i >= 2) {
            best_at = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    *ret_at = best_at;
    *ret_len = best_len;
}

void model_format_ip6(char out[MODEL_CIDR_LEN], const struct model_ip6 *a, int prefix)
{
    uint16_t g[GROUPS];
    size_t at, len, n = 0;

    for (size_t i = 0; i < GROUPS; i++)
        g[i] = (uint16_t)(a->b[2 * i] << 8 | a->b[2 * i + 1]);
    zero_run(g, &at, &len);
    for (size_t i = 0; i < GROUPS; i++) {
        if (len && i == at) {
            n += (size_t)snprintf(out + n, MODEL_CIDR_LEN - n, "::");
            i += len - 1;
            continue;
        }
        bool after_gap = len && i == at + len;
        n += (size_t)snprintf(out + n, MODEL_CIDR_LEN - n, "%s%x", i && !after_gap ? ":" : "",
                              (unsigned)g[i]);
    }
    if (prefix >= 0)
        snprintf(out + n, MODEL_CIDR_LEN - n, "/%u", (unsigned)prefix & 255u);
}

int model_ip_canonical(const char *s, char out[MODEL_IP_LEN])
{
    uint32_t v4;
    struct model_ip6 v6;
    char text[MODEL_CIDR_LEN];

    if (model_parse_ipv4(s, &v4) == 0) {
        model_format_ip(text, v4, -1);
        memcpy(out, text, strlen(text) + 1);
        return 4;
    }
    if (model_parse_ipv6(s, &v6) < 0)
        return -EINVAL;
    model_format_ip6(text, &v6, -1);
    memcpy(out, text, strlen(text) + 1); /* at most 39 characters */
    return 6;
}

int model_cidr_family(const char *s)
{
    uint32_t v4;
    struct model_ip6 v6;
    unsigned prefix;

    if (model_parse_prefix(s, &v4, &prefix) == 0)
        return 4;
    return model_parse_prefix6(s, &v6, &prefix) == 0 ? 6 : 0;
}

int model_cidr_cmp(const struct model_cidr *a, const struct model_cidr *b)
{
    struct model_ip6 x = {{0}}, y = {{0}};
    unsigned xp = 0, yp = 0;
    uint32_t x4 = 0, y4 = 0;
    bool x_is4 = model_parse_prefix(a->s, &x4, &xp) == 0;
    bool y_is4 = model_parse_prefix(b->s, &y4, &yp) == 0;

    if (x_is4 != y_is4)
        return x_is4 ? -1 : 1;
    if (x_is4 && x4 != y4)
        return x4 < y4 ? -1 : 1;
    if (!x_is4) {
        (void)model_parse_prefix6(a->s, &x, &xp);
        (void)model_parse_prefix6(b->s, &y, &yp);
        int c = memcmp(x.b, y.b, sizeof(x.b));
        if (c != 0)
            return c < 0 ? -1 : 1;
    }
    return xp == yp ? 0 : xp < yp ? -1 : 1;
}
