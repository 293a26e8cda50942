/* model/tunnel.c: tunnel interface /30s in 169.254.0.0/16 (spec §2.4). */
#include "model/model_int.h"

#include <errno.h>
#include <string.h>

#define LINK_LOCAL 0xa9fe0000u /* 169.254.0.0 */
#define SKIPPED_OCTET 195u     /* 169.254.195.0/24 is reserved by the service */
#define BLOCKS_PER_OCTET 64u   /* /30s in a /24 */

static const char LOCAL_PATH[] = "vpn_connection.tunnel_local_address";
static const char PEER_PATH[] = "vpn_connection.tunnel_peer_address";

/* The rules one address must meet on its own; *ret gets the address. */
static int check_one(const char *s, const char *path, uint32_t *ret, struct verr *err)
{
    uint32_t addr;
    unsigned prefix;
    const char *rule = NULL;

    if (model_parse_prefix(s, &addr, &prefix) < 0)
        rule = "must be an address like 169.254.56.225/30";
    else if (prefix != 30)
        rule = "must have prefix length /30";
    else if ((addr & 0xffff0000u) != LINK_LOCAL)
        rule = "must be in 169.254.0.0/16";
    else if (((addr >> 8) & 255u) == SKIPPED_OCTET)
        rule = "must not be in 169.254.195.0/24";
    else if ((addr & 3u) != 1 && (addr & 3u) != 2)
        rule = "must be host 1 or 2 of its /30";
    if (rule) {
        char echo[MODEL_ECHO_LEN];
        model_echo(echo, s, strlen(s));
        return verr_set(err, path, "%s, got %s", rule, echo);
    }
    *ret = addr;
    return 0;
}

int model_tunnel_check_one(const char *s, const char *path, struct verr *err)
{
    uint32_t addr;

    return check_one(s, path, &addr, err);
}

/* Checks a given pair; err paths are those of the connection body. Returns 0 or -EINVAL. */
int model_tunnel_check(const char *local, const char *peer, struct verr *err)
{
    uint32_t la, pa;
    char echo[MODEL_ECHO_LEN];
    int r = check_one(local, LOCAL_PATH, &la, err);

    if (r == 0)
        r = check_one(peer, PEER_PATH, &pa, err);
    if (r < 0)
        return r;
    model_echo(echo, peer, strlen(peer));
    if ((la & ~3u) != (pa & ~3u))
        return verr_set(err, PEER_PATH,
                        "must be in the same /30 as tunnel_local_address %s, got %s", local, echo);
    if (la == pa)
        return verr_set(err, PEER_PATH, "must differ from tunnel_local_address, got %s", echo);
    return 0;
}

/* Index i is the i-th /30 of 169.254.0.0/16 in address order, 169.254.195.0/24 left out. */
int model_tunnel_from_index(uint32_t index, char local[MODEL_CIDR_LEN], char peer[MODEL_CIDR_LEN])
{
    uint32_t octet = index / BLOCKS_PER_OCTET;

    if (octet >= SKIPPED_OCTET)
        octet++;
    if (octet > 255)
        return -ENOSPC;
    uint32_t net = LINK_LOCAL | octet << 8 | (index % BLOCKS_PER_OCTET) * 4;
    model_format_ip(local, net + 1, 30);
    model_format_ip(peer, net + 2, 30);
    return 0;
}

/* Accepts "a.b.c.d" or "a.b.c.d/n" and writes "<network>/30". Returns 0 or -EINVAL. */
int model_tunnel_network(const char *addr, char out[MODEL_CIDR_LEN])
{
    uint32_t a;
    unsigned prefix;

    if (model_parse_ipv4(addr, &a) < 0 && model_parse_prefix(addr, &a, &prefix) < 0)
        return -EINVAL;
    model_format_ip(out, a & ~3u, 30);
    return 0;
}
