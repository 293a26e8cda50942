/* service/pool.h: address pools the server hands EIP and private addresses out of. */
#ifndef VPND_SERVICE_POOL_H
#define VPND_SERVICE_POOL_H

#include <stdint.h>

/* Parses "a.b.c.d/n" into its first usable address and number of usable addresses (network
 * and broadcast excluded for prefixes below /31). Returns 0 or -EINVAL. */
int svc_pool_parse(const char *cidr, uint32_t *ret_base, uint32_t *ret_size);
/* Writes a random address of the pool as dotted IPv4. Returns 0 or -EIO. */
int svc_pool_pick(uint32_t base, uint32_t size, char out[16]);

#endif
