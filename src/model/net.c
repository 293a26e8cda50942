/* model/net.c: strict dotted IPv4 and CIDR parsing and formatting (IPv6: net6.c). */
#include "model/model_int.h"

#include <errno.h>
#include <stdio.h>

int model_parse_dec(const char **s, unsigned max, unsigned *ret)
{
    const char *p = *s;
    unsigned v = 0;

    if (*p < '0' || *p > '9')
        return -EINVAL;
    if (*p == '0' && p[1] >= '0' && p[1] <= '9')
        return -EINVAL;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (unsigned)(*p - '0');
        if (v > max)
            return -EINVAL;
    }
    *s = p;
    *ret = v;
    return 0;
}

/* Parses "a.b.c.d" at *s, advancing past it. */
static int parse_quad(const char **s, uint32_t *ret)
{
    uint32_t addr = 0;
    unsigned octet;

    for (int i = 0; i < 4; i++) {
        if (i > 0 && *(*s)++ != '.')
            return -EINVAL;
        if (model_parse_dec(s, 255, &octet) < 0)
            return -EINVAL;
        addr = addr << 8 | octet;
    }
    *ret = addr;
    return 0;
}

int model_parse_ipv4(const char *s, uint32_t *ret)
{
    uint32_t addr;

    if (parse_quad(&s, &addr) < 0 || *s != '\0')
        return -EINVAL;
    *ret = addr;
    return 0;
}

int model_parse_prefix(const char *s, uint32_t *ret_addr, unsigned *ret_prefix)
{
    uint32_t addr;
    unsigned prefix;

    if (parse_quad(&s, &addr) < 0 || *s++ != '/' || model_parse_dec(&s, 32, &prefix) < 0 ||
        *s != '\0')
        return -EINVAL;
    *ret_addr = addr;
    *ret_prefix = prefix;
    return 0;
}

uint32_t model_prefix_mask(unsigned prefix)
{
    return prefix == 0 ? 0 : UINT32_MAX << (32 - prefix);
}

int model_parse_cidr(const char *s, uint32_t *ret_addr, unsigned *ret_prefix)
{
    uint32_t addr;
    unsigned prefix;

    if (model_parse_prefix(s, &addr, &prefix) < 0 || (addr & ~model_prefix_mask(prefix)) != 0)
        return -EINVAL;
    *ret_addr = addr;
    *ret_prefix = prefix;
    return 0;
}

/* Two networks overlap when the shorter prefix's mask maps both to the same network. Networks
 * of different families never overlap; two IPv6 ones are net6.c's. */
bool model_cidr_overlap(const struct model_cidr *a, const struct model_cidr *b)
{
    uint32_t aa, ba;
    unsigned ap, bp;

    if (model_parse_prefix(a->s, &aa, &ap) < 0 || model_parse_prefix(b->s, &ba, &bp) < 0)
        return model_cidr6_overlap(a, b);
    uint32_t mask = model_prefix_mask(ap < bp ? ap : bp);
    return (aa & mask) == (ba & mask);
}

void model_format_ip(char out[MODEL_CIDR_LEN], uint32_t addr, int prefix)
{
    unsigned a = addr >> 24, b = (addr >> 16) & 255, c = (addr >> 8) & 255, d = addr & 255;

    if (prefix < 0)
        snprintf(out, MODEL_CIDR_LEN, "%u.%u.%u.%u", a & 255, b, c, d);
    else
        snprintf(out, MODEL_CIDR_LEN, "%u.%u.%u.%u/%u", a & 255, b, c, d, (unsigned)prefix & 63);
}
