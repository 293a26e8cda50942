/* model/ipsec.c: a VPN connection as a strongSwan IKE connection (see model/ipsec.h and
 * docs/strongswan-mapping.md, which lists every row of the tables below). */
#include "model/ipsec.h"

#include "model/model_int.h"
#include "util/ids.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define WRAPPER "vpn_connection"

struct alg {
    const char *api;
    const char *sw; /* strongSwan keyword; NULL: not supported */
    bool aead;      /* encryption with integrity built in */
};

static const struct alg encryption[] = {
    {"aes-128", "aes128", false},
    {"aes-192", "aes192", false},
    {"aes-256", "aes256", false},
    {"3des", "3des", false},
    /* "-16" counts ICV bytes, "-128" ICV bits: both are the 16-byte ICV strongSwan calls gcm16 */
    {"aes-128-gcm-16", "aes128gcm16", true},
    {"aes-256-gcm-16", "aes256gcm16", true},
    {"aes-128-gcm-128", "aes128gcm16", true},
    {"aes-256-gcm-128", "aes256gcm16", true},
    {"sm4", NULL, false},
};

/* One keyword names both the integrity algorithm (HMAC, truncated per RFC 4868) and the PRF. */
static const struct alg integrity[] = {
    {"md5", "md5", false},         {"sha1", "sha1", false},       {"sha2-256", "sha256", false},
    {"sha2-384", "sha384", false}, {"sha2-512", "sha512", false}, {"sm3", NULL, false},
};

static const struct alg dh_groups[] = {
    {"group1", "modp768", false},   {"group2", "modp1024", false},  {"group5", "modp1536", false},
    {"group14", "modp2048", false}, {"group15", "modp3072", false}, {"group16", "modp4096", false},
    {"group19", "ecp256", false},   {"group20", "ecp384", false},   {"group21", "ecp521", false},
};

static const struct alg *alg_find(const struct alg *t, size_t n, const char *api)
{
    for (size_t i = 0; i < n; i++) {
        if (model_streq(t[i].api, api))
            return &t[i];
    }
    return NULL;
}

/* The table row of value at path, or -EINVAL naming why strongSwan cannot use it. */
static int alg_want(const struct alg *t, size_t n, const char *path, const char *value,
                    const struct alg **ret, struct verr *err)
{
    const struct alg *a = value ? alg_find(t, n, value) : NULL;
    char echo[MODEL_ECHO_LEN];

    model_echo(echo, value ? value : "", value ? strlen(value) : 0);
    if (!a)
        return verr_set(err, path, "has no strongSwan equivalent, got %s", echo);
    if (!a->sw)
        return verr_set(err, path, "%s (GM) is not supported by the strongSwan data plane, got %s",
                        a->api, echo);
    *ret = a;
    return 0;
}

static int proposal_ike(const struct model_vpn_conn *c, struct model_ipsec_conn *x,
                        struct verr *err)
{
    const struct model_ikepolicy *p = &c->ikepolicy;
    const struct alg *enc, *integ, *dh;
    int r = alg_want(encryption, ARRAY_SIZE(encryption), WRAPPER ".ikepolicy.encryption_algorithm",
                     p->encryption_algorithm, &enc, err);
    if (r == 0)
        r = alg_want(integrity, ARRAY_SIZE(integrity),
                     WRAPPER ".ikepolicy.authentication_algorithm", p->authentication_algorithm,
                     &integ, err);
    if (r == 0)
        r = alg_want(dh_groups, ARRAY_SIZE(dh_groups), WRAPPER ".ikepolicy.dh_group", p->dh_group,
                     &dh, err);
    if (r < 0)
        return r;
    if (enc->aead && x->version == 1)
        return verr_set(err, WRAPPER ".ikepolicy.encryption_algorithm",
                        "AES-GCM needs ike_version v2 (IKEv1 has no AEAD IKE SA in strongSwan), "
                        "got \"%s\"",
                        enc->api);
    /* AEAD: the keyword names only the PRF; otherwise one keyword is integrity and PRF */
    snprintf(x->ike_proposal, sizeof(x->ike_proposal), "%s-%s%s-%s", enc->sw,
             enc->aead ? "prf" : "", integ->sw, dh->sw);
    return 0;
}

static int proposal_esp(const struct model_vpn_conn *c, struct model_ipsec_conn *x,
                        struct verr *err)
{
    const struct model_ipsecpolicy *p = &c->ipsecpolicy;
    const struct alg *enc, *integ, *dh = NULL;
    int r =
        alg_want(encryption, ARRAY_SIZE(encryption), WRAPPER ".ipsecpolicy.encryption_algorithm",
                 p->encryption_algorithm, &enc, err);
    if (r == 0)
        r = alg_want(integrity, ARRAY_SIZE(integrity),
                     WRAPPER ".ipsecpolicy.authentication_algorithm", p->authentication_algorithm,
                     &integ, err);
    if (r == 0 && !model_streq(p->pfs, "disable"))
        r = alg_want(dh_groups, ARRAY_SIZE(dh_groups), WRAPPER ".ipsecpolicy.pfs", p->pfs, &dh,
                     err);
    if (r < 0)
        return r;
    /* AEAD ESP has no separate integrity algorithm; PFS appends a DH group */
    snprintf(x->esp_proposal, sizeof(x->esp_proposal), "%s%s%s%s%s", enc->sw, enc->aead ? "" : "-",
             enc->aead ? "" : integ->sw, dh ? "-" : "", dh ? dh->sw : "");
    return 0;
}

/* strongSwan identity of an id of type "ip" or "fqdn" (typed, so an FQDN that reads like an
 * address stays an FQDN). */
static void ident(char out[MODEL_IPSEC_IDENT_LEN], const char *type, const char *value)
{
    snprintf(out, MODEL_IPSEC_IDENT_LEN, "%s%s", model_streq(type, "fqdn") ? "fqdn:" : "", value);
}

/* Identities and addresses of the cloud side. */
static int endpoints(const struct model_vpn_conn *c, const struct model_vgw *g,
                     const struct model_cgw *cgw, struct model_ipsec_conn *x, struct verr *err)
{
    const struct model_ikepolicy *p = &c->ikepolicy;
    struct model_monitor m;
    char echo[MODEL_ECHO_LEN];

    model_monitor_addresses(c, g, cgw, &m);
    if (!m.source_ip[0]) {
        model_echo(echo, c->vgw_ip, strlen(c->vgw_ip));
        return verr_set(err, WRAPPER ".vgw_ip",
                        "the gateway has no address assigned for it, got %s", echo);
    }
    (void)model_copy(x->local_addr, sizeof(x->local_addr), m.source_ip);
    (void)model_copy(x->remote_addr, sizeof(x->remote_addr), cgw->id_value);
    ident(x->local_id, p->local_id_type, p->local_id[0] ? p->local_id : x->local_addr);
    if (model_streq(p->peer_id_type, "any"))
        (void)model_copy(x->remote_id, sizeof(x->remote_id), "%any");
    else
        ident(x->remote_id, p->peer_id_type, p->peer_id[0] ? p->peer_id : cgw->id_value);
    return 0;
}

/* The customer gateway's own identity when the cloud accepts any: its address or FQDN. */
static void mirror(const struct model_cgw *cgw, struct model_ipsec_conn *x)
{
    char addr[MODEL_ID_VALUE_LEN], id[MODEL_IPSEC_IDENT_LEN];

    memcpy(addr, x->local_addr, sizeof(addr));
    memcpy(x->local_addr, x->remote_addr, sizeof(addr));
    memcpy(x->remote_addr, addr, sizeof(addr));
    memcpy(id, x->local_id, sizeof(id));
    if (strcmp(x->remote_id, "%any") == 0)
        ident(x->local_id, cgw->id_type, cgw->id_value);
    else
        memcpy(x->local_id, x->remote_id, sizeof(id));
    memcpy(x->remote_id, id, sizeof(id));
    for (size_t i = 0; i < x->n_children; i++) {
        struct model_ipsec_child *ch = &x->children[i], t = *ch;
        memcpy(ch->local_ts, t.remote_ts, sizeof(t.remote_ts));
        memcpy(ch->remote_ts, t.local_ts, sizeof(t.local_ts));
        ch->n_local_ts = t.n_remote_ts;
        ch->n_remote_ts = t.n_local_ts;
    }
}

/* Appends the CHILD_SA of each rule of v[0..n) ("rule1", ... numbered across both families). */
static void rule_children(const struct model_policy_rule *v, size_t n, struct model_ipsec_conn *x)
{
    for (size_t i = 0; i < n && x->n_children < MODEL_IPSEC_MAX_CHILDREN; i++) {
        const struct model_policy_rule *rule = &v[i];
        struct model_ipsec_child *ch = &x->children[x->n_children++];
        snprintf(ch->name, sizeof(ch->name), "rule%zu", x->n_children);
        ch->local_ts[ch->n_local_ts++] = rule->source;
        for (size_t k = 0; k < rule->n_destination && k < MODEL_IPSEC_MAX_TS; k++)
            ch->remote_ts[ch->n_remote_ts++] = rule->destination[k];
    }
}

/* Appends v[0..n) to the selectors ts[0..*n_ts). */
static void add_ts(struct model_cidr *ts, size_t *n_ts, const struct model_cidr *v, size_t n)
{
    for (size_t i = 0; i < n && *n_ts < MODEL_IPSEC_MAX_TS; i++)
        ts[(*n_ts)++] = v[i];
}

/* POLICY: one CHILD_SA per rule, source -> destinations (the rules of the gateway's family:
 * policy_rules or policy_rules_v6). STATIC, BGP: one CHILD_SA between the gateway's local
 * subnets and the peer subnets, both families (a dual-stack gateway's tunnel carries both). The
 * tunnel /30 has no interface here (a route-based tunnel needs XFRM interfaces): its host
 * addresses are not in any selector, since charon cannot route them without an address of the
 * /30 on the gateway. */
static int children(const struct model_vpn_conn *c, const struct model_vgw *g,
                    struct model_ipsec_conn *x, struct verr *err)
{
    if (model_streq(c->style, "POLICY")) {
        rule_children(c->policy_rules, c->n_policy_rules, x);
        rule_children(c->policy_rules_v6, c->n_policy_rules_v6, x);
        if (x->n_children == 0)
            return verr_set(err, WRAPPER ".policy_rules",
                            "a POLICY connection needs at least one rule, got none");
        return 0;
    }
    if (g->n_local_subnets == 0 && g->n_local_subnets_v6 == 0)
        return verr_set(err, WRAPPER ".vgw_id",
                        "a %s connection needs the gateway's local_subnets (a route-based tunnel "
                        "is not supported by the strongSwan data plane), got a gateway without "
                        "local subnets",
                        c->style);
    if (c->n_peer_subnets == 0 && c->n_peer_subnets_v6 == 0)
        return verr_set(err, WRAPPER ".peer_subnets",
                        "a %s connection needs peer subnets (a route-based tunnel is not "
                        "supported by the strongSwan data plane), got none",
                        c->style);
    struct model_ipsec_child *ch = &x->children[x->n_children++];
    strcpy(ch->name, "tunnel");
    add_ts(ch->local_ts, &ch->n_local_ts, g->local_subnets, g->n_local_subnets);
    add_ts(ch->local_ts, &ch->n_local_ts, g->local_subnets_v6, g->n_local_subnets_v6);
    add_ts(ch->remote_ts, &ch->n_remote_ts, c->peer_subnets, c->n_peer_subnets);
    add_ts(ch->remote_ts, &ch->n_remote_ts, c->peer_subnets_v6, c->n_peer_subnets_v6);
    return 0;
}

/* API lifetimes are hard lifetimes; rekeying starts a tenth earlier, randomized by a tenth. */
static void lifetimes(const struct model_vpn_conn *c, struct model_ipsec_conn *x)
{
    int64_t ike = c->ikepolicy.lifetime_seconds, ike_margin = ike / 10;
    int64_t esp = c->ipsecpolicy.lifetime_seconds, esp_margin = esp / 10;

    if (x->version == 2)
        x->rekey_time = ike - ike_margin;
    else
        x->reauth_time = ike - ike_margin; /* IKEv1 has no IKE rekeying */
    x->over_time = ike_margin;
    x->rand_time = ike_margin;
    x->child_life_time = esp;
    x->child_rekey_time = esp - esp_margin;
    x->child_rand_time = esp_margin;
    /* IKEv1: charon declares the peer dead when, at a DPD instant (every dpd_delay s of
     * silence), nothing came in for dpd_timeout s; a dpd_timeout below dpd_delay kills live
     * peers at the first R_U_THERE. So: probe after interval s, dead after interval + timeout
     * s without an answer (noticed at the next probe). IKEv2 has no such setting: charon's
     * retransmission of the DPD exchange decides. */
    x->dpd_delay = c->ikepolicy.dpd.interval;
    x->dpd_timeout = x->version == 1 ? c->ikepolicy.dpd.interval + c->ikepolicy.dpd.timeout : 0;
}

/* What strongSwan cannot do at all, checked before the algorithms. */
static int unsupported(const struct model_vpn_conn *c, struct verr *err)
{
    char echo[MODEL_ECHO_LEN];

    if (model_streq(c->style, "POLICY-TEMPLATE"))
        return verr_set(err, WRAPPER ".style",
                        "POLICY-TEMPLATE is not supported by the strongSwan data plane, got "
                        "\"POLICY-TEMPLATE\"");
    if (c->gw_is_gm)
        return verr_set(err, WRAPPER ".vgw_id",
                        "GM gateways (SM algorithms, digital envelopes) are not supported by the "
                        "strongSwan data plane, got a GM gateway");
    if (!model_streq(c->ikepolicy.authentication_method, "pre-share")) {
        const char *m =
            c->ikepolicy.authentication_method ? c->ikepolicy.authentication_method : "";
        model_echo(echo, m, strlen(m));
        return verr_set(err, WRAPPER ".ikepolicy.authentication_method",
                        "only pre-share is supported by the strongSwan data plane, got %s", echo);
    }
    return 0;
}

int model_ipsec_conn_build(const struct model_vpn_conn *c, const struct model_vgw *g,
                           const struct model_cgw *cgw, enum model_ipsec_side side,
                           struct model_ipsec_conn *ret, struct verr *err)
{
    struct model_ipsec_conn conn = {.version = 0}, *x = &conn;
    int r = unsupported(c, err);
    if (r < 0)
        return r;

    snprintf(x->name, sizeof(x->name), MODEL_IPSEC_NAME_PREFIX "%s", c->id);
    x->version = model_streq(c->ikepolicy.ike_version, "v1") ? 1 : 2;
    x->aggressive =
        x->version == 1 && model_streq(c->ikepolicy.phase1_negotiation_mode, "aggressive");
    r = proposal_ike(c, x, err);
    if (r == 0)
        r = proposal_esp(c, x, err);
    if (r == 0)
        r = endpoints(c, g, cgw, x, err);
    if (r == 0)
        r = children(c, g, x, err);
    if (r < 0)
        return r;
    lifetimes(c, x);
    /* both ends initiate at load and after DPD declared the other dead */
    x->start_action = "start";
    x->dpd_action = "restart";
    x->close_action = "none";
    x->keyingtries = 0;
    if (side == MODEL_IPSEC_PEER)
        mirror(cgw, x);
    *ret = conn;
    return 0;
}

bool model_ipsec_name_is_ours(const char *name)
{
    size_t pre = strlen(MODEL_IPSEC_NAME_PREFIX);
    return strncmp(name, MODEL_IPSEC_NAME_PREFIX, pre) == 0 && ids_is_uuid(name + pre);
}

/* ---- emitting ---- */

static void emit_int(const struct model_ipsec_emit *e, void *ctx, const char *key, int64_t v)
{
    char s[24];
    snprintf(s, sizeof(s), "%lld", (long long)v);
    e->kv(ctx, key, s);
}

static void emit_list1(const struct model_ipsec_emit *e, void *ctx, const char *key,
                       const char *value)
{
    e->list(ctx, key);
    e->item(ctx, value);
    e->end_list(ctx);
}

static void emit_ts(const struct model_ipsec_emit *e, void *ctx, const char *key,
                    const struct model_cidr *ts, size_t n)
{
    e->list(ctx, key);
    for (size_t i = 0; i < n; i++)
        e->item(ctx, ts[i].s);
    e->end_list(ctx);
}

static void emit_auth(const struct model_ipsec_emit *e, void *ctx, const char *round,
                      const char *id)
{
    e->section(ctx, round);
    e->kv(ctx, "auth", "psk");
    e->kv(ctx, "id", id);
    e->end_section(ctx);
}

static void emit_child(const struct model_ipsec_conn *x, const struct model_ipsec_child *ch,
                       const struct model_ipsec_emit *e, void *ctx)
{
    e->section(ctx, ch->name);
    emit_ts(e, ctx, "local_ts", ch->local_ts, ch->n_local_ts);
    emit_ts(e, ctx, "remote_ts", ch->remote_ts, ch->n_remote_ts);
    emit_list1(e, ctx, "esp_proposals", x->esp_proposal);
    e->kv(ctx, "mode", "tunnel");
    emit_int(e, ctx, "rekey_time", x->child_rekey_time);
    emit_int(e, ctx, "life_time", x->child_life_time);
    emit_int(e, ctx, "rand_time", x->child_rand_time);
    e->kv(ctx, "start_action", x->start_action);
    e->kv(ctx, "dpd_action", x->dpd_action);
    e->kv(ctx, "close_action", x->close_action);
    e->end_section(ctx);
}

void model_ipsec_conn_emit(const struct model_ipsec_conn *x, const struct model_ipsec_emit *e,
                           void *ctx)
{
    e->section(ctx, x->name);
    emit_int(e, ctx, "version", x->version);
    emit_list1(e, ctx, "local_addrs", x->local_addr);
    emit_list1(e, ctx, "remote_addrs", x->remote_addr);
    emit_list1(e, ctx, "proposals", x->ike_proposal);
    if (x->version == 1)
        e->kv(ctx, "aggressive", x->aggressive ? "yes" : "no");
    else
        e->kv(ctx, "mobike", "no");
    emit_int(e, ctx, "rekey_time", x->rekey_time);
    emit_int(e, ctx, "reauth_time", x->reauth_time);
    emit_int(e, ctx, "over_time", x->over_time);
    emit_int(e, ctx, "rand_time", x->rand_time);
    emit_int(e, ctx, "dpd_delay", x->dpd_delay);
    if (x->version == 1)
        emit_int(e, ctx, "dpd_timeout", x->dpd_timeout);
    emit_int(e, ctx, "keyingtries", x->keyingtries);
    emit_auth(e, ctx, "local", x->local_id);
    emit_auth(e, ctx, "remote", x->remote_id);
    e->section(ctx, "children");
    for (size_t i = 0; i < x->n_children; i++)
        emit_child(x, &x->children[i], e, ctx);
    e->end_section(ctx);
    e->end_section(ctx);
}
