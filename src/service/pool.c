/* service/pool.c: random picks from a CIDR; uniqueness is enforced by store claims, so a pick
 * that collides is simply retried by the caller. */
#include "service/pool.h"

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>

#include "model/model.h"

/* Writes addr as dotted IPv4. */
static void pool_format(uint32_t addr, char out[16])
{
    snprintf(out, 16, "%u.%u.%u.%u", (addr >> 24) & 255u, (addr >> 16) & 255u, (addr >> 8) & 255u,
             addr & 255u);
}

int svc_pool_parse(const char *cidr, uint32_t *ret_base, uint32_t *ret_size)
{
    uint32_t addr;
    unsigned prefix;

    if (model_parse_cidr(cidr, &addr, &prefix) < 0 || prefix > 30 || prefix < 8)
        return -EINVAL;
    uint32_t total = (uint32_t)1 << (32 - prefix);
    *ret_base = addr + 1;
    *ret_size = total - 2;
    return 0;
}

int svc_pool_pick(uint32_t base, uint32_t size, char out[16])
{
    uint32_t r;

    if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
        return -EIO;
    pool_format(base + r % size, out);
    return 0;
}
