/* model/vgw_routes.c: a gateway's routing table (spec §3.1), derived from its connections:
 * vpnd runs no routing protocol, so the table is what the connections configure, IPv4 and IPv6
 * customer subnets alike (an IPv6 route through a tunnel has the tunnel interface's peer as its
 * next hop: the model has no IPv6 tunnel addresses). */
#include "model/model_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *str_of(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

/* "169.254.56.225/30" -> "169.254.56.225". */
static void strip_prefix(char out[MODEL_IP_LEN], const char *s)
{
    size_t n = strcspn(s, "/");
    if (n >= MODEL_IP_LEN)
        n = 0;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* The gateway address a connection's vgw_ip stands for (EIP id or private IP). */
static const char *gateway_address(const struct model_vgw *g, const char *vgw_ip)
{
    if (strcmp(g->eip1.id, vgw_ip) == 0)
        return g->eip1.ip_address;
    if (strcmp(g->eip2.id, vgw_ip) == 0)
        return g->eip2.ip_address;
    return vgw_ip;
}

/* IPv4 routes first, then IPv6 ones; by address, prefix length, then connection. */
static int route_cmp(const void *a, const void *b)
{
    const struct model_route *x = a, *y = b;
    int c = model_cidr_cmp(&x->destination, &y->destination);

    return c != 0 ? c : strcmp(x->conn_id, y->conn_id);
}

/* The routes of one peer subnet list (peer_subnets or peer_subnets_v6) of connection c. */
static int subnet_routes(const struct model_vgw *g, const json_t *c, const json_t *subnets,
                         bool bgp, bool policy, struct model_route **v, size_t *n, size_t *cap)
{
    size_t i;
    const json_t *s;

    if (!subnets)
        return 0;
    if (!json_is_array(subnets))
        return -EPROTO;
    json_array_foreach(subnets, i, s) {
        if (!json_is_string(s) || strlen(json_string_value(s)) >= MODEL_CIDR_LEN)
            return -EPROTO;
        if (*n == *cap) {
            size_t ncap = *cap ? 2 * *cap : 64;
            struct model_route *nv = realloc(*v, ncap * sizeof(*nv));
            if (!nv)
                return -ENOMEM;
            *v = nv;
            *cap = ncap;
        }
        struct model_route *r = &(*v)[(*n)++];
        memset(r, 0, sizeof(*r));
        (void)model_copy(r->destination.s, sizeof(r->destination.s), json_string_value(s));
        r->origin = bgp ? "bgp" : "static";
        r->policy = policy;
        if (policy) {
            (void)model_copy(r->outbound_interface_ip, sizeof(r->outbound_interface_ip),
                             gateway_address(g, str_of(c, "vgw_ip")));
        } else {
            strip_prefix(r->nexthop, str_of(c, "tunnel_peer_address"));
            strip_prefix(r->outbound_interface_ip, str_of(c, "tunnel_local_address"));
        }
        (void)model_copy(r->conn_id, sizeof(r->conn_id), str_of(c, "id"));
        (void)model_copy(r->conn_name, sizeof(r->conn_name), str_of(c, "name"));
        (void)model_copy(r->cgw_id, sizeof(r->cgw_id), str_of(c, "cgw_id"));
    }
    return 0;
}

static int conn_routes(const struct model_vgw *g, const json_t *c, struct model_route **v,
                       size_t *n, size_t *cap)
{
    const char *status = str_of(c, "status"), *style = str_of(c, "style");
    bool bgp = strcmp(style, "BGP") == 0, policy = strcmp(style, "POLICY") == 0;

    if (!json_is_object(c))
        return -EPROTO;
    if (strcmp(status, "PENDING_CREATE") == 0 || strcmp(status, "PENDING_DELETE") == 0 ||
        (bgp && strcmp(status, "ACTIVE") != 0))
        return 0;
    int r = subnet_routes(g, c, json_object_get(c, "peer_subnets"), bgp, policy, v, n, cap);
    return r < 0 ? r
                 : subnet_routes(g, c, json_object_get(c, "peer_subnets_v6"), bgp, policy, v, n,
                                 cap);
}

int model_vgw_routes(const struct model_vgw *g, const char *docs, size_t len,
                     struct model_route **ret, size_t *ret_n)
{
    json_error_t je;
    json_t *root = json_loadb(docs, len, 0, &je);
    struct model_route *v = NULL;
    size_t n = 0, cap = 0, i;
    const json_t *c;
    int r = 0;

    if (!root || !json_is_array(root)) {
        json_decref(root);
        return !root && model_json_oom(&je) ? -ENOMEM : -EPROTO;
    }
    json_array_foreach(root, i, c) {
        r = conn_routes(g, c, &v, &n, &cap);
        if (r < 0)
            break;
    }
    json_decref(root);
    if (r < 0) {
        free(v);
        return r;
    }
    if (n)
        qsort(v, n, sizeof(v[0]), route_cmp);
    *ret = v;
    *ret_n = n;
    return 0;
}

int model_route_render(const struct model_route *r, bool nexthop_resource, struct buf *out)
{
    struct model_jw w;

    model_jw_init(&w, out);
    model_jw_obj(&w, NULL);
    model_jw_str(&w, "destination", r->destination.s);
    model_jw_str(&w, "nexthop", r->nexthop);
    model_jw_str(&w, "outbound_interface_ip", r->outbound_interface_ip);
    model_jw_str(&w, "origin", r->origin);
    model_jw_str(&w, "as_path", r->as_path);
    model_jw_int(&w, "med", r->med);
    if (nexthop_resource) {
        model_jw_obj(&w, "nexthop_resource");
        model_jw_str(&w, "id", r->conn_id);
        model_jw_str(&w, "name", r->conn_name);
        model_jw_str(&w, "type", "vpn_connection");
        model_jw_obj_end(&w);
    }
    model_jw_obj_end(&w);
    return model_jw_done(&w);
}
