/* model/conn_render.c: a connection as JSON, in three forms written by one function:
 *  - the response object: the seed's field order, presence rules of spec §2.5, never the psk;
 *    the create response (CreateResponseVpnConnection) without status, monitor and bgp_peer;
 *  - the internal form (all = true): every field, psk and gateway facts included, timestamps
 *    as integers, empty optional strings left out; read back by model_conn_from_internal. */
#include "model/model_int.h"

#include <errno.h>
#include <string.h>

static bool is_style(const struct model_vpn_conn *c, const char *style)
{
    return model_streq(c->style, style);
}

static void write_cidrs(struct model_jw *w, const char *key, const struct model_cidr *v, size_t n)
{
    model_jw_arr(w, key);
    for (size_t i = 0; i < n; i++)
        model_jw_str(w, NULL, v[i].s);
    model_jw_arr_end(w);
}

static void write_rules(struct model_jw *w, const char *key, const struct model_policy_rule *v,
                        size_t n)
{
    model_jw_arr(w, key);
    for (size_t i = 0; i < n && i < MODEL_MAX_POLICY_RULES; i++) {
        const struct model_policy_rule *rule = &v[i];
        model_jw_obj(w, NULL);
        model_jw_int(w, "rule_index", rule->rule_index);
        model_jw_str(w, "source", rule->source.s);
        write_cidrs(w, "destination", rule->destination, rule->n_destination);
        model_jw_obj_end(w);
    }
    model_jw_arr_end(w);
}

/* GM gateways show no dh_group and no local/peer ids; phase 1 mode is shown for IKEv1 only. */
static void write_ike(struct model_jw *w, const struct model_ikepolicy *ike, bool gm, bool all)
{
    model_jw_obj(w, "ikepolicy");
    model_jw_str(w, "ike_version", ike->ike_version);
    if (all || model_streq(ike->ike_version, "v1"))
        model_jw_str(w, "phase1_negotiation_mode", ike->phase1_negotiation_mode);
    model_jw_str(w, "authentication_algorithm", ike->authentication_algorithm);
    model_jw_str(w, "encryption_algorithm", ike->encryption_algorithm);
    if (all || !gm)
        model_jw_str(w, "dh_group", ike->dh_group);
    model_jw_str(w, "authentication_method", ike->authentication_method);
    model_jw_int(w, "lifetime_seconds", ike->lifetime_seconds);
    if (all || !gm) {
        model_jw_str(w, "local_id_type", ike->local_id_type);
        /* ids are empty only before bind, or for peer_id_type any: then left out */
        model_jw_opt_str(w, "local_id", ike->local_id);
        model_jw_str(w, "peer_id_type", ike->peer_id_type);
        model_jw_opt_str(w, "peer_id", ike->peer_id);
    }
    model_jw_obj(w, "dpd");
    model_jw_int(w, "timeout", ike->dpd.timeout);
    model_jw_int(w, "interval", ike->dpd.interval);
    model_jw_str(w, "msg", ike->dpd.msg);
    model_jw_obj_end(w);
    model_jw_obj_end(w);
}

static void write_ipsec(struct model_jw *w, const struct model_ipsecpolicy *ipsec, bool gm,
                        bool all)
{
    model_jw_obj(w, "ipsecpolicy");
    model_jw_str(w, "authentication_algorithm", ipsec->authentication_algorithm);
    model_jw_str(w, "encryption_algorithm", ipsec->encryption_algorithm);
    if (all || !gm)
        model_jw_str(w, "pfs", ipsec->pfs);
    model_jw_str(w, "transform_protocol", ipsec->transform_protocol);
    model_jw_int(w, "lifetime_seconds", ipsec->lifetime_seconds);
    model_jw_str(w, "encapsulation_mode", ipsec->encapsulation_mode);
    model_jw_obj_end(w);
}

/* BgpPeer of a BGP connection: the session's configuration. vpnd runs no BGP, so what only a
 * running session knows (state, its duration, route and message counts) is left out. */
static void write_bgp_peer(struct model_jw *w, const struct model_vpn_conn *c)
{
    char peer[MODEL_CIDR_LEN];
    size_t n = strcspn(c->tunnel_peer_address, "/");

    memcpy(peer, c->tunnel_peer_address, n);
    peer[n] = '\0';
    model_jw_obj(w, "bgp_peer");
    model_jw_opt_str(w, "peer_ip_address", peer);
    if (c->peer_asn > 0)
        model_jw_int(w, "peer_asn", c->peer_asn);
    model_jw_obj_end(w);
}

/* form: the response of show, list and update (FORM_SHOW); the create response (FORM_CREATE:
 * no status, connection_monitor_id or bgp_peer); the internal form (FORM_INTERNAL). status:
 * written (after name) when non-NULL. */
enum conn_form { FORM_SHOW, FORM_CREATE, FORM_INTERNAL };

static int write_conn(const struct model_vpn_conn *c, const char *status, struct buf *out,
                      enum conn_form f)
{
    struct model_jw w;
    bool all = f == FORM_INTERNAL;
    bool er_routed = c->gw_is_er && (is_style(c, "POLICY") || is_style(c, "BGP"));
    bool policy = is_style(c, "POLICY");

    model_jw_init(&w, out);
    model_jw_obj(&w, NULL);
    model_jw_req_str(&w, "id", c->id, all);
    model_jw_req_str(&w, "name", c->name, all);
    if (status && f != FORM_CREATE)
        model_jw_str(&w, "status", status);
    model_jw_str(&w, "vgw_id", c->vgw_id);
    model_jw_str(&w, "vgw_ip", c->vgw_ip);
    model_jw_str(&w, "style", c->style);
    model_jw_str(&w, "cgw_id", c->cgw_id);
    /* an IPv6 gateway is dual stack: its IPv4 customer subnets show when it has some */
    if (all || (!er_routed && (!c->gw_is_v6 || c->n_peer_subnets > 0)))
        write_cidrs(&w, "peer_subnets", c->peer_subnets, c->n_peer_subnets);
    if (all ? c->n_peer_subnets_v6 > 0 : c->gw_is_v6 && !er_routed)
        write_cidrs(&w, "peer_subnets_v6", c->peer_subnets_v6, c->n_peer_subnets_v6);
    model_jw_opt_str(&w, "tunnel_local_address", c->tunnel_local_address);
    model_jw_opt_str(&w, "tunnel_peer_address", c->tunnel_peer_address);
    if (all || is_style(c, "STATIC"))
        model_jw_bool(&w, "enable_nqa", c->enable_nqa);
    if (all || is_style(c, "BGP"))
        model_jw_bool(&w, "enable_hub", c->enable_hub);
    /* the create model's (release 0.1.203), shown when set; absent in older specs */
    if ((f == FORM_CREATE || all) && c->enable_health_check)
        model_jw_bool(&w, "enable_health_check", c->enable_health_check);
    if (all && c->has_psk)
        model_jw_str(&w, "psk", c->psk);
    /* an IPv6 gateway's POLICY connection shows its (empty) IPv4 rules too: the models have
     * policy_rules on every POLICY connection */
    if (all || policy)
        write_rules(&w, "policy_rules", c->policy_rules, c->n_policy_rules);
    if (all ? c->n_policy_rules_v6 > 0 : policy && c->gw_is_v6)
        write_rules(&w, "policy_rules_v6", c->policy_rules_v6, c->n_policy_rules_v6);
    write_ike(&w, &c->ikepolicy, c->gw_is_gm, all);
    write_ipsec(&w, &c->ipsecpolicy, c->gw_is_gm, all);
    model_jw_time(&w, "created_at", c->created_at, all);
    model_jw_time(&w, "updated_at", c->updated_at, all);
    model_jw_req_str(&w, "enterprise_project_id", c->enterprise_project_id, all);
    if (f != FORM_CREATE)
        model_jw_opt_str(&w, "connection_monitor_id", c->connection_monitor_id);
    model_jw_str(&w, "ha_role", c->ha_role);
    /* the seed's GET example has no tags key for an untagged connection: the seed wins over
     * spec §2.5's "[]" */
    if (all || c->tags.n > 0)
        model_tags_write(&w, &c->tags);
    if (f == FORM_SHOW && is_style(c, "BGP"))
        write_bgp_peer(&w, c);
    if (all) {
        model_jw_bool(&w, "gw_is_er", c->gw_is_er);
        model_jw_bool(&w, "gw_is_gm", c->gw_is_gm);
        if (c->gw_is_v6) /* absent in specs written before IPv6 gateways */
            model_jw_bool(&w, "gw_is_v6", true);
        if (c->peer_asn > 0)
            model_jw_int(&w, "peer_asn", c->peer_asn);
    }
    model_jw_obj_end(&w);
    return model_jw_done(&w);
}

int model_conn_render(const struct model_vpn_conn *c, struct buf *out)
{
    return write_conn(c, c->status, out, FORM_SHOW);
}

int model_conn_render_create(const struct model_vpn_conn *c, struct buf *out)
{
    return write_conn(c, NULL, out, FORM_CREATE);
}

int model_conn_to_internal(const struct model_vpn_conn *c, struct buf *out)
{
    return write_conn(c, c->status, out, FORM_INTERNAL);
}

int model_conn_store(const struct model_vpn_conn *c, struct buf *spec, struct buf *doc)
{
    int r = write_conn(c, NULL, spec, FORM_INTERNAL);

    return r < 0 ? r : write_conn(c, NULL, doc, FORM_SHOW);
}

/* The offset in doc where the status member goes: after `{"id":"<id>","name":"<name>",`, the
 * way write_conn writes a response object (neither value holds a '"': an id is a UUID, a name
 * passes the name rule; an escape would hold a '\\'). 0 when doc does not start that way. */
static size_t status_offset(const char *doc, size_t len)
{
    static const char id[] = "{\"id\":\"", name[] = "\",\"name\":\"";
    const char *end = doc + len, *p = doc + sizeof(id) - 1, *q;

    if (len < sizeof(id) - 1 || memcmp(doc, id, sizeof(id) - 1) != 0 ||
        !(q = memchr(p, '"', (size_t)(end - p))) || (size_t)(end - q) < sizeof(name) - 1 ||
        memcmp(q, name, sizeof(name) - 1) != 0)
        return 0;
    p = q + sizeof(name) - 1;
    q = memchr(p, '"', (size_t)(end - p));
    if (!q || q + 2 >= end || q[1] != ',' || memchr(p, '\\', (size_t)(q - p)))
        return 0;
    return (size_t)(q + 2 - doc);
}

int model_conn_serve(const char *doc, size_t len, const char *status, struct buf *out)
{
    static const char head[] = "\"status\":\"", tail[] = "\",";
    size_t at = status_offset(doc, len), slen = strlen(status);
    size_t n = len + sizeof(head) - 1 + slen + sizeof(tail) - 1;
    char *p;

    if (at == 0)
        return buf_append(out, doc, len);
    if (buf_reserve(out, n) < 0)
        return -ENOMEM;
    /* the hot path (every GET): one reserve, then the pieces copied in place */
    p = out->data + out->len;
    memcpy(p, doc, at);
    p += at;
    memcpy(p, head, sizeof(head) - 1);
    p += sizeof(head) - 1;
    memcpy(p, status, slen);
    p += slen;
    memcpy(p, tail, sizeof(tail) - 1);
    p += sizeof(tail) - 1;
    memcpy(p, doc + at, len - at);
    out->len += n;
    out->data[out->len] = '\0';
    return 0;
}
