/* service/pool.c: random picks from a CIDR; uniqueness is enforced by store claims, so a pick
 * that collides is simply retried by the caller. */
#include "service/pool.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

int svc_pool_parse(const char *cidr, int family, struct svc_pool *ret)
{
    struct svc_pool p = {.family = family};
    uint32_t addr;

    if (family == 4) {
        if (model_parse_cidr(cidr, &addr, &p.prefix) < 0 || p.prefix > 30 || p.prefix < 8)
            return -EINVAL;
        for (int i = 0; i < 4; i++)
            p.first.b[12 + i] = (uint8_t)(addr >> (24 - 8 * i));
    } else if (model_parse_prefix6(cidr, &p.first, &p.prefix) < 0 || p.prefix > 120 ||
               p.prefix < 48) {
        return -EINVAL;
    }
    *ret = p;
    return 0;
}

/* The random host bits of a pick: below the prefix of a 32 (IPv4) or 128 bit address. */
static int random_host(const struct svc_pool *p, struct model_ip6 *a)
{
    unsigned bits = p->family == 4 ? 96 + p->prefix : p->prefix;
    uint8_t rnd[16];

    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return -EIO;
    *a = p->first;
    for (unsigned bit = bits; bit < 128; bit++) {
        uint8_t mask = (uint8_t)(0x80u >> (bit % 8));
        a->b[bit / 8] = (uint8_t)((a->b[bit / 8] & ~mask) | (rnd[bit / 8] & mask));
    }
    return 0;
}

/* True if the host bits of a (below bits) are all zero or (IPv4) all one. */
static bool reserved_host(const struct svc_pool *p, const struct model_ip6 *a)
{
    unsigned bits = p->family == 4 ? 96 + p->prefix : p->prefix;
    bool zero = true, ones = true;

    for (unsigned bit = bits; bit < 128; bit++) {
        bool set = a->b[bit / 8] & (0x80u >> (bit % 8));
        zero = zero && !set;
        ones = ones && set;
    }
    return zero || (p->family == 4 && ones);
}

int svc_pool_pick(const struct svc_pool *p, char out[MODEL_IP_LEN])
{
    struct model_ip6 a;
    char text[MODEL_CIDR_LEN];

    do {
        if (random_host(p, &a) < 0)
            return -EIO;
    } while (reserved_host(p, &a));
    if (p->family == 4) {
        uint32_t v4 =
            (uint32_t)a.b[12] << 24 | (uint32_t)a.b[13] << 16 | (uint32_t)a.b[14] << 8 | a.b[15];
        char quad[MODEL_IP_LEN];
        snprintf(quad, sizeof(quad), "%u.%u.%u.%u", v4 >> 24, (v4 >> 16) & 255u, (v4 >> 8) & 255u,
                 v4 & 255u);
        memcpy(out, quad, strlen(quad) + 1);
        return 0;
    }
    model_format_ip6(text, &a, -1);
    memcpy(out, text, strlen(text) + 1);
    return 0;
}
