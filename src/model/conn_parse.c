/* model/conn_parse.c: the VPN connection create body (spec §2.2-2.3) and the internal form.
 *
 * Fields are parsed in the documented order; a rule that depends on an earlier field (style,
 * tunnel_local_address) is checked with the later one, so the first failure in field order is
 * the one reported. */
#include "model/model_int.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define CONN(m) offsetof(struct model_vpn_conn, m)
#define WRAPPER "vpn_connection"

static int peer_subnets_field(const json_t *v, const char *path, void *dst, bool internal,
                              struct verr *err)
{
    struct model_vpn_conn *c = dst;
    (void)internal;

    if (!v)
        return 0;
    return model_want_cidrs(v, path, 0, MODEL_MAX_PEER_SUBNETS, true, c->peer_subnets,
                            &c->n_peer_subnets, err);
}

static int tunnel_local_field(const json_t *v, const char *path, void *dst, bool internal,
                              struct verr *err)
{
    struct model_vpn_conn *c = dst;
    const char *s;
    (void)internal;

    if (!v)
        return 0;
    int r = model_want_str(v, path, &s, err);
    if (r == 0)
        r = model_tunnel_check_one(s, path, err);
    return r < 0 ? r : model_copy(c->tunnel_local_address, MODEL_CIDR_LEN, s);
}

/* The peer address also checks the pair: both or neither, same /30, different hosts. */
static int tunnel_peer_field(const json_t *v, const char *path, void *dst, bool internal,
                             struct verr *err)
{
    struct model_vpn_conn *c = dst;
    const char *s;
    (void)internal;

    if (!v && c->tunnel_local_address[0])
        return verr_set(err, path, "is required when tunnel_local_address is given");
    if (!v)
        return 0;
    int r = model_want_str(v, path, &s, err);
    if (r == 0)
        r = model_tunnel_check_one(s, path, err);
    if (r == 0 && !c->tunnel_local_address[0])
        return verr_set(err, WRAPPER ".tunnel_local_address",
                        "is required when tunnel_peer_address is given");
    if (r == 0)
        r = model_tunnel_check(c->tunnel_local_address, s, err);
    return r < 0 ? r : model_copy(c->tunnel_peer_address, MODEL_CIDR_LEN, s);
}

/* A boolean that may be true only with one style. */
static int style_flag(const json_t *v, const char *path, const char *style, const char *only,
                      bool *ret, struct verr *err)
{
    if (!v)
        return 0;
    int r = model_want_bool(v, path, ret, err);
    if (r == 0 && *ret && !model_streq(style, only))
        return verr_set(err, path, "must be false unless style is %s, got true", only);
    return r;
}

static int enable_nqa_field(const json_t *v, const char *path, void *dst, bool internal,
                            struct verr *err)
{
    struct model_vpn_conn *c = dst;
    (void)internal;

    return style_flag(v, path, c->style, "STATIC", &c->enable_nqa, err);
}

static int enable_hub_field(const json_t *v, const char *path, void *dst, bool internal,
                            struct verr *err)
{
    struct model_vpn_conn *c = dst;
    (void)internal;

    return style_flag(v, path, c->style, "BGP", &c->enable_hub, err);
}

/* The key is never echoed, whatever is wrong with it. */
static int psk_field(const json_t *v, const char *path, void *dst, bool internal, struct verr *err)
{
    struct model_vpn_conn *c = dst;
    (void)internal;

    if (!v)
        return 0;
    if (!json_is_string(v))
        return verr_set(err, path, "must be a string, got %s", model_json_type(v));
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v) || !model_psk_is_valid(s))
        return verr_set(err, path, "%s", MODEL_PSK_RULE);
    c->has_psk = true;
    return model_copy(c->psk, MODEL_PSK_LEN, s);
}

static const struct model_fspec create_fields[] = {
    MODEL_F("name", MF_NAME, CONN(name)),
    MODEL_F("vgw_id", MF_UUID, CONN(vgw_id), .required = true),
    MODEL_F("vgw_ip", MF_UUID_OR_IP, CONN(vgw_ip), .required = true),
    MODEL_F("style", MF_ENUM, CONN(style), .en = &MODEL_E_STYLE),
    MODEL_F("cgw_id", MF_UUID, CONN(cgw_id), .required = true),
    MODEL_F("peer_subnets", MF_CUSTOM, 0, .fn = peer_subnets_field),
    MODEL_F("peer_subnets_v6", MF_CUSTOM, 0, .fn = model_peer_subnets_v6_field),
    MODEL_F("tunnel_local_address", MF_CUSTOM, 0, .fn = tunnel_local_field),
    MODEL_F("tunnel_peer_address", MF_CUSTOM, 0, .fn = tunnel_peer_field),
    MODEL_F("enable_nqa", MF_CUSTOM, 0, .fn = enable_nqa_field),
    MODEL_F("enable_hub", MF_CUSTOM, 0, .fn = enable_hub_field),
    MODEL_F("psk", MF_CUSTOM, 0, .fn = psk_field),
    MODEL_F("policy_rules_v6", MF_CUSTOM, 0, .fn = model_policy_rules_v6_field),
    MODEL_F("policy_rules", MF_CUSTOM, 0, .fn = model_policy_rules_field),
    MODEL_F("ikepolicy", MF_CUSTOM, CONN(ikepolicy), .fn = model_ikepolicy_field),
    MODEL_F("ipsecpolicy", MF_CUSTOM, CONN(ipsecpolicy), .fn = model_ipsecpolicy_field),
    MODEL_F("ha_role", MF_ENUM, CONN(ha_role), .en = &MODEL_E_HA_ROLE),
    MODEL_F("tags", MF_CUSTOM, CONN(tags), .fn = model_tags_field),
    MODEL_F("enable_health_check", MF_BOOL, CONN(enable_health_check)),
};

/* What the store keeps besides the create fields. */
static const struct model_fspec internal_fields[] = {
    MODEL_F("id", MF_UUID, CONN(id)),
    MODEL_F("status", MF_ENUM, CONN(status), .en = &MODEL_E_CONN_STATUS),
    MODEL_F("created_at", MF_INT, CONN(created_at), .lo = 0, .hi = MODEL_TS_MAX),
    MODEL_F("updated_at", MF_INT, CONN(updated_at), .lo = 0, .hi = MODEL_TS_MAX),
    MODEL_F("enterprise_project_id", MF_EPID, CONN(enterprise_project_id)),
    MODEL_F("connection_monitor_id", MF_UUID, CONN(connection_monitor_id)),
    MODEL_F("gw_is_er", MF_BOOL, CONN(gw_is_er)),
    MODEL_F("gw_is_gm", MF_BOOL, CONN(gw_is_gm)),
    MODEL_F("gw_is_v6", MF_BOOL, CONN(gw_is_v6)),
    MODEL_F("peer_asn", MF_INT, CONN(peer_asn), .lo = 0, .hi = 4294967295),
};

/* Parses obj into the zeroed *t, defaults first; on failure *t is left partly written. */
static int conn_parse_into(const json_t *obj, struct model_vpn_conn *t, bool internal,
                           struct verr *err)
{
    t->style = model_enum_find(&MODEL_E_STYLE, "STATIC");
    t->ha_role = model_enum_find(&MODEL_E_HA_ROLE, "master");
    memcpy(t->enterprise_project_id, "0", 2);
    model_conn_policy_defaults(&t->ikepolicy, &t->ipsecpolicy);
    int r = model_fields_parse(obj, WRAPPER, create_fields, ARRAY_SIZE(create_fields), t, internal,
                               err);
    if (r == 0 && internal)
        r = model_fields_parse(obj, WRAPPER, internal_fields, ARRAY_SIZE(internal_fields), t,
                               internal, err);
    return r;
}

/* Parses obj into *c (written only on success), defaults first. */
static int conn_parse(const json_t *obj, struct model_vpn_conn *c, bool internal, struct verr *err)
{
    _cleanup_free_ struct model_vpn_conn *t = calloc(1, sizeof(*t));

    if (!t)
        return -ENOMEM;
    int r = conn_parse_into(obj, t, internal, err);
    if (r == 0)
        memcpy(c, t, sizeof(*c));
    return r;
}

/* fresh: c is a just-zeroed struct the caller discards on failure, so the parse may write it in
 * place (no scratch copy); otherwise c is written only on success. */
static int conn_parse_body(const struct model_body *body, struct model_vpn_conn *c, bool fresh,
                           struct verr *err)
{
    const json_t *obj;
    int r = model_body_wrapped(body, WRAPPER, &obj, err);

    if (r < 0)
        return r;
    return fresh ? conn_parse_into(obj, c, false, err) : conn_parse(obj, c, false, err);
}

static int conn_parse_internal(const char *json, size_t len, struct model_vpn_conn *c, bool fresh)
{
    struct verr ignored;
    json_t *root;
    int r = model_load_internal(json, len, &root);

    if (r < 0)
        return r;
    r = fresh ? conn_parse_into(root, c, true, &ignored) : conn_parse(root, c, true, &ignored);
    json_decref(root);
    return r;
}

int model_conn_parse_create(const struct model_body *body, struct model_vpn_conn *c,
                            struct verr *err)
{
    return conn_parse_body(body, c, false, err);
}

int model_conn_from_internal(const char *json, size_t len, struct model_vpn_conn *c)
{
    return conn_parse_internal(json, len, c, false);
}

int model_conn_from_internal_fresh(const char *json, size_t len, struct model_vpn_conn *c)
{
    return conn_parse_internal(json, len, c, true);
}

int model_conn_parse_create_fresh(const struct model_body *body, struct model_vpn_conn *c,
                                  struct verr *err)
{
    return conn_parse_body(body, c, true, err);
}

/* Fields fixed at creation (spec §2.8; TF treats them as ForceNew). */
static int check_immutable(const json_t *obj, const struct model_vpn_conn *cur, struct verr *err)
{
    static const char *const keys[] = {"vgw_id", "vgw_ip", "style", "ha_role"};
    const char *now[] = {cur->vgw_id, cur->vgw_ip, cur->style, cur->ha_role};
    char echo[MODEL_ECHO_LEN];

    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        const json_t *v = model_member(obj, keys[i]);
        if (!v)
            continue;
        const char *s = json_string_value(v);
        bool same = s && (i == 2 ? strcasecmp(s, now[i]) == 0 : strcmp(s, now[i]) == 0);
        if (same)
            continue;
        char path[MODEL_PATH_LEN];
        model_path_key(path, WRAPPER, keys[i]);
        if (s)
            model_echo(echo, s, json_string_length(v));
        return verr_set(err, path, "cannot be changed after creation (is \"%s\"), got %s", now[i],
                        s ? echo : model_json_type(v));
    }
    const json_t *ike = model_member(obj, "ikepolicy");
    const json_t *am = ike && json_is_object(ike) ? model_member(ike, "authentication_method") : NULL;
    if (am && !(json_is_string(am) &&
                strcmp(json_string_value(am), cur->ikepolicy.authentication_method) == 0))
        return verr_set(err, WRAPPER ".ikepolicy.authentication_method",
                        "cannot be changed after creation (is \"%s\")",
                        cur->ikepolicy.authentication_method);
    return 0;
}

/* Overlays the request's members on the stored ones; nested policy objects (and dpd) merge
 * member by member, so an update that sends only ikepolicy.lifetime_seconds keeps the rest. */
static int merge_into(json_t *dst, const json_t *src, int depth)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)src, key, v) {
        json_t *old = json_object_get(dst, key);
        if (depth < 2 && json_is_object(v) && json_is_object(old)) {
            if (merge_into(old, v, depth + 1) < 0)
                return -ENOMEM;
        } else if (json_object_set(dst, key, v) < 0) {
            return -ENOMEM;
        }
    }
    return 0;
}

/* The merged document: the stored one (root) with obj's members, validated like a create body;
 * what a create does not set comes from cur. */
static int parse_merged(json_t *root, const json_t *obj, const struct model_vpn_conn *cur,
                        struct model_vpn_conn *c, struct verr *err)
{
    int r = merge_into(root, obj, 0);

    if (r == 0)
        r = conn_parse_into(root, c, false, err);
    if (r < 0)
        return r;
    memcpy(c->id, cur->id, sizeof(c->id));
    c->status = cur->status;
    c->created_at = cur->created_at;
    c->updated_at = cur->updated_at;
    memcpy(c->enterprise_project_id, cur->enterprise_project_id, sizeof(c->enterprise_project_id));
    memcpy(c->connection_monitor_id, cur->connection_monitor_id, sizeof(c->connection_monitor_id));
    c->gw_is_er = cur->gw_is_er;
    c->gw_is_gm = cur->gw_is_gm;
    c->gw_is_v6 = cur->gw_is_v6;
    c->peer_asn = cur->peer_asn;
    return 0;
}

int model_conn_parse_update(const char *spec, size_t len, const struct model_body *body,
                            struct model_vpn_conn *cur, struct model_vpn_conn *c,
                            struct verr *err)
{
    struct verr ignored;
    const json_t *obj;
    json_t *root = NULL;
    int r = model_body_wrapped(body, WRAPPER, &obj, err);

    if (r == 0 && model_load_internal(spec, len, &root) < 0)
        r = -EIO;
    /* the stored connection first: the merge below changes root */
    if (r == 0 && conn_parse_into(root, cur, true, &ignored) < 0)
        r = -EIO;
    if (r == 0)
        r = check_immutable(obj, cur, err);
    if (r == 0)
        r = parse_merged(root, obj, cur, c, err);
    json_decref(root);
    return r;
}

int model_conn_parse_object_fresh(const json_t *obj, struct model_vpn_conn *c, struct verr *err)
{
    return conn_parse_into(obj, c, false, err);
}
