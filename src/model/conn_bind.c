/* model/conn_bind.c: connection rules that need its gateway and customer gateway (spec §2.4). */
#include "model/model_int.h"

#include <string.h>

#define WRAPPER "vpn_connection"

/* The gateway side vgw_ip names: 1 (eip1 / access_private_ip_1), 2, or 0 when neither. */
static int gateway_side(const struct model_vpn_conn *c, const struct model_vgw *g)
{
    bool public = model_streq(g->network_type, "public");
    const char *one = public ? g->eip1.id : g->access_private_ip_1;
    const char *two = public ? g->eip2.id : g->access_private_ip_2;

    if (one[0] && strcmp(c->vgw_ip, one) == 0)
        return 1;
    if (two[0] && strcmp(c->vgw_ip, two) == 0)
        return 2;
    return 0;
}

static int check_vgw_ip(const struct model_vpn_conn *c, const struct model_vgw *g, int side,
                        struct verr *err)
{
    char echo[MODEL_ECHO_LEN];

    if (side != 0)
        return 0;
    model_echo(echo, c->vgw_ip, strlen(c->vgw_ip));
    if (model_streq(g->network_type, "public"))
        return verr_set(err, WRAPPER ".vgw_ip",
                        "must be the id of the gateway's eip1 or eip2 (%s, %s), got %s", g->eip1.id,
                        g->eip2.id, echo);
    return verr_set(err, WRAPPER ".vgw_ip",
                    "must be the gateway's access_private_ip_1 or access_private_ip_2 (%s, %s), "
                    "got %s",
                    g->access_private_ip_1, g->access_private_ip_2, echo);
}

/* Active-standby: master uses side 1 (eip1 / access_private_ip_1), slave side 2. Active-active
 * accepts either role on either side (spec §8 #8). */
static int check_ha_role(const struct model_vpn_conn *c, const struct model_vgw *g, int side,
                         struct verr *err)
{
    const char *want = side == 1 ? "master" : "slave";
    const char *what = model_streq(g->network_type, "public") ? "eip" : "access_private_ip_";

    if (!model_streq(g->ha_mode, "active-standby") || model_streq(c->ha_role, want))
        return 0;
    return verr_set(err, WRAPPER ".ha_role",
                    "must be %s when vgw_ip is the gateway's %s%d (active-standby), got \"%s\"",
                    want, what, side, c->ha_role);
}

/* One family of customer subnets against the gateway's local subnets of that family: a local
 * subnet may not contain a customer subnet, nor the other way round. */
static int check_overlap(const struct model_cidr *peer, size_t n_peer, const char *key,
                         const struct model_cidr *local, size_t n_local, struct verr *err)
{
    char path[MODEL_PATH_LEN], ppath[MODEL_PATH_LEN];

    for (size_t i = 0; i < n_peer; i++) {
        for (size_t j = 0; j < n_local; j++) {
            if (!model_cidr_overlap(&peer[i], &local[j]))
                continue;
            model_path_key(ppath, WRAPPER, key);
            model_path_index(path, ppath, i);
            return verr_set(err, path, "must not overlap gateway local subnet %s, got \"%s\"",
                            local[j].s, peer[i].s);
        }
    }
    return 0;
}

/* Customer subnets of the gateway's ip_version are required unless the gateway routes through an
 * ER (POLICY/BGP): peer_subnets on an IPv4 gateway, peer_subnets_v6 on an IPv6 one, which is dual
 * stack and may have IPv4 ones too; an IPv4 gateway has no IPv6 ones. None may overlap a local
 * subnet. */
static int check_peer_subnets(const struct model_vpn_conn *c, const struct model_vgw *g,
                              struct verr *err)
{
    bool er_routed = model_streq(g->attachment_type, "er") &&
                     (model_streq(c->style, "POLICY") || model_streq(c->style, "BGP"));
    bool v6 = model_streq(g->ip_version, "ipv6");

    if (c->n_peer_subnets == 0 && !er_routed && !v6)
        return verr_set(err, WRAPPER ".peer_subnets",
                        "is required unless the gateway attachment_type is er and style is POLICY "
                        "or BGP");
    int r = check_overlap(c->peer_subnets, c->n_peer_subnets, "peer_subnets", g->local_subnets,
                          g->n_local_subnets, err);
    if (r == 0 && c->n_peer_subnets_v6 > 0 && !v6)
        return verr_set(err, WRAPPER ".peer_subnets_v6",
                        "is not allowed when the gateway ip_version is %s (IPv6 gateways only)",
                        g->ip_version);
    if (r == 0 && c->n_peer_subnets_v6 == 0 && !er_routed && v6)
        return verr_set(err, WRAPPER ".peer_subnets_v6",
                        "is required when the gateway ip_version is ipv6, unless its "
                        "attachment_type is er and style is POLICY or BGP");
    if (r == 0)
        r = check_overlap(c->peer_subnets_v6, c->n_peer_subnets_v6, "peer_subnets_v6",
                          g->local_subnets_v6, g->n_local_subnets_v6, err);
    return r;
}

/* Policy rules are of the gateway's family: policy_rules (IPv4) on an IPv4 gateway,
 * policy_rules_v6 on an IPv6 one (spec §2.3 "IP version must match the gateway"). */
static int check_rules_version(const struct model_vpn_conn *c, const struct model_vgw *g,
                               struct verr *err)
{
    bool v6 = model_streq(g->ip_version, "ipv6");

    if (c->n_policy_rules > 0 && v6)
        return verr_set(err, WRAPPER ".policy_rules",
                        "must match the gateway ip_version ipv6, got IPv4 rules");
    if (c->n_policy_rules_v6 > 0 && !v6)
        return verr_set(err, WRAPPER ".policy_rules_v6",
                        "must match the gateway ip_version %s, got IPv6 rules", g->ip_version);
    return 0;
}

/* The customer gateway's address (id_type ip) is the far end of the tunnel: of the gateway's
 * family. An FQDN customer gateway resolves to whatever the gateway speaks. */
static int check_cgw_family(const struct model_vpn_conn *c, const struct model_vgw *g,
                            const struct model_cgw *cgw, struct verr *err)
{
    char text[MODEL_IP_LEN];
    bool v6 = model_streq(g->ip_version, "ipv6");
    int family = model_streq(cgw->id_type, "ip") ? model_ip_canonical(cgw->id_value, text) : 0;

    if (family <= 0 || (family == 6) == v6)
        return 0;
    return verr_set(err, WRAPPER ".cgw_id",
                    "customer gateway %s has an IPv%d address (%s), which gateway %s "
                    "(ip_version %s) cannot reach, got \"%s\"",
                    c->cgw_id, family, cgw->id_value, g->id, g->ip_version, c->cgw_id);
}

/* A local_id of type ip is one of the gateway's addresses: of its family. */
static int check_local_id(const struct model_vpn_conn *c, const struct model_vgw *g,
                          struct verr *err)
{
    const struct model_ikepolicy *ike = &c->ikepolicy;
    char text[MODEL_IP_LEN];
    bool v6 = model_streq(g->ip_version, "ipv6");

    if (!model_streq(ike->local_id_type, "ip") || !ike->local_id[0] ||
        (model_ip_canonical(ike->local_id, text) == 6) == v6)
        return 0;
    return verr_set(err, WRAPPER ".ikepolicy.local_id",
                    "must be an IPv%d address: the gateway's ip_version is %s, got \"%s\"",
                    v6 ? 6 : 4, g->ip_version, ike->local_id);
}

/* peer_id defaults to the customer gateway's id_value, which must then be an address. */
static int check_peer_id(const struct model_vpn_conn *c, const struct model_cgw *cgw,
                         struct verr *err)
{
    const struct model_ikepolicy *ike = &c->ikepolicy;

    if (!model_streq(ike->peer_id_type, "ip") || ike->peer_id[0] || model_streq(cgw->id_type, "ip"))
        return 0;
    return verr_set(err, WRAPPER ".ikepolicy.peer_id",
                    "is required when peer_id_type is ip and the customer gateway id_type is %s",
                    cgw->id_type ? cgw->id_type : "unknown");
}

/* Default ids for type ip: the gateway address vgw_ip stands for; the customer gateway's id.
 * Both sources are at most 36 bytes and always fit. */
static void fill_ids(struct model_vpn_conn *c, const struct model_vgw *g,
                     const struct model_cgw *cgw, int side)
{
    struct model_ikepolicy *ike = &c->ikepolicy;
    const struct model_eip *eip = side == 1 ? &g->eip1 : &g->eip2;
    const char *addr = model_streq(g->network_type, "public") ? eip->ip_address : c->vgw_ip;

    if (model_streq(ike->local_id_type, "ip") && !ike->local_id[0])
        (void)model_copy(ike->local_id, sizeof(ike->local_id), addr);
    if (model_streq(ike->peer_id_type, "ip") && !ike->peer_id[0])
        (void)model_copy(ike->peer_id, sizeof(ike->peer_id), cgw->id_value);
}

/* Spec §2.2 vgw_id: a GM gateway must already have its certificate. */
static int check_gm_certificate(const struct model_vpn_conn *c, const struct model_vgw *g,
                                struct verr *err)
{
    if (!model_streq(g->flavor, "GM") || g->certificate.present)
        return 0;
    return verr_set(err, WRAPPER ".vgw_id",
                    "GM gateway %s has no certificate; upload one first (POST "
                    "vpn-gateways/%s/certificate), got \"%s\"",
                    g->id, g->id, c->vgw_id);
}

/* Spec §2.2 cgw_id: on a GM gateway the customer gateway must have a CA certificate. */
static int check_gm_ca(const struct model_vpn_conn *c, const struct model_vgw *g,
                       const struct model_cgw *cgw, struct verr *err)
{
    if (!model_streq(g->flavor, "GM") || cgw->ca.present)
        return 0;
    return verr_set(err, WRAPPER ".cgw_id",
                    "customer gateway %s has no CA certificate, which a connection on GM gateway "
                    "%s needs; set one first (PUT customer-gateways/%s with "
                    "ca_certificate.content), got \"%s\"",
                    c->cgw_id, g->id, c->cgw_id, c->cgw_id);
}

/* Checks everything first, so *c changes only on success. */
int model_conn_bind(struct model_vpn_conn *c, const struct model_vgw *g,
                    const struct model_cgw *cgw, struct verr *err)
{
    int side = gateway_side(c, g);
    int r = check_gm_certificate(c, g, err);

    /* in field order: vgw_id, vgw_ip, cgw_id, peer_subnets(_v6), policy_rules(_v6), ikepolicy,
     * ha_role */
    if (r == 0)
        r = check_vgw_ip(c, g, side, err);
    if (r == 0)
        r = check_gm_ca(c, g, cgw, err);
    if (r == 0)
        r = check_cgw_family(c, g, cgw, err);
    if (r == 0)
        r = check_peer_subnets(c, g, err);
    if (r == 0)
        r = check_rules_version(c, g, err);
    if (r == 0)
        r = check_local_id(c, g, err);
    if (r == 0)
        r = check_peer_id(c, cgw, err);
    if (r == 0)
        r = check_ha_role(c, g, side, err);
    if (r < 0)
        return r;
    fill_ids(c, g, cgw, side);
    memcpy(c->enterprise_project_id, g->enterprise_project_id, sizeof(c->enterprise_project_id));
    c->gw_is_er = model_streq(g->attachment_type, "er");
    c->gw_is_gm = model_streq(g->flavor, "GM");
    c->gw_is_v6 = model_streq(g->ip_version, "ipv6");
    c->peer_asn = cgw->has_bgp_asn ? cgw->bgp_asn : 0;
    return 0;
}
