/* service/pool.h: address pools the server hands EIP and private addresses out of, IPv4 or
 * IPv6 (the pool of a gateway is the one of its ip_version). */
#ifndef VPND_SERVICE_POOL_H
#define VPND_SERVICE_POOL_H

#include "model/model.h"

#include <stdint.h>

struct svc_pool {
    int family;             /* 4 or 6 */
    struct model_ip6 first; /* the network (IPv4: in the last 4 bytes) */
    unsigned prefix;
};

/* Parses a CIDR of family 4 ("a.b.c.d/n", n 8..30) or 6 (n 48..120). Returns 0 or -EINVAL. */
int svc_pool_parse(const char *cidr, int family, struct svc_pool *ret);
/* Writes a random host address of the pool (IPv4: not the network or broadcast address; IPv6:
 * not the all-zero host, the subnet-router anycast) in its canonical text. 0 or -EIO. */
int svc_pool_pick(const struct svc_pool *p, char out[MODEL_IP_LEN]);

#endif
