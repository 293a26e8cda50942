/* model/vgw_update.c: the gateway update bodies (spec §3.1: PUT configuration, POST
 * update-specification), its policy_template, and the check of new local subnets against the
 * gateway's connections. */
#include "model/model_int.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define WRAPPER "vpn_gateway"
#define PT(m) offsetof(struct model_policy_template, m)

static const char *const update_members[] = {
    "name", "local_subnets", "local_subnets_v6", "eip_id_1", "eip_id_2", "policy_template", NULL,
};
static const char *const template_members[] = {"ike_policy", "ipsec_policy", NULL};
static const char *const ike_members[] = {"encryption_algorithm", "dh_group",
                                          "authentication_algorithm", "lifetime_seconds", NULL};
static const char *const ipsec_members[] = {"authentication_algorithm", "encryption_algorithm",
                                            "pfs", "lifetime_seconds", NULL};

static const struct model_fspec ike_fields[] = {
    MODEL_F("encryption_algorithm", MF_ENUM, PT(ike_policy.encryption_algorithm),
            .en = &MODEL_E_ENC_ALG),
    MODEL_F("dh_group", MF_ENUM, PT(ike_policy.dh_group), .en = &MODEL_E_DH_GROUP),
    MODEL_F("authentication_algorithm", MF_ENUM, PT(ike_policy.authentication_algorithm),
            .en = &MODEL_E_AUTH_ALG),
    MODEL_F("lifetime_seconds", MF_INT, PT(ike_policy.lifetime_seconds), .lo = 60, .hi = 604800),
};

static const struct model_fspec ipsec_fields[] = {
    MODEL_F("authentication_algorithm", MF_ENUM, PT(ipsec_policy.authentication_algorithm),
            .en = &MODEL_E_AUTH_ALG),
    MODEL_F("encryption_algorithm", MF_ENUM, PT(ipsec_policy.encryption_algorithm),
            .en = &MODEL_E_ENC_ALG),
    MODEL_F("pfs", MF_ENUM, PT(ipsec_policy.pfs), .en = &MODEL_E_PFS),
    MODEL_F("lifetime_seconds", MF_INT, PT(ipsec_policy.lifetime_seconds), .lo = 30,
            .hi = 604800),
};

/* The connection policy defaults (spec §2.3), for a gateway that has no template yet. */
static void template_defaults(struct model_policy_template *t)
{
    struct model_ikepolicy ike;
    struct model_ipsecpolicy ipsec;

    model_conn_policy_defaults(&ike, &ipsec);
    t->ike_policy.encryption_algorithm = ike.encryption_algorithm;
    t->ike_policy.dh_group = ike.dh_group;
    t->ike_policy.authentication_algorithm = ike.authentication_algorithm;
    t->ike_policy.lifetime_seconds = ike.lifetime_seconds;
    t->ipsec_policy.authentication_algorithm = ipsec.authentication_algorithm;
    t->ipsec_policy.encryption_algorithm = ipsec.encryption_algorithm;
    t->ipsec_policy.pfs = ipsec.pfs;
    t->ipsec_policy.lifetime_seconds = ipsec.lifetime_seconds;
}

/* One of the two policy objects: an object of only its members, merged into t. */
static int template_part(const json_t *obj, const char *parent, const char *key,
                         const char *const *members, const struct model_fspec *fields, size_t n,
                         struct model_policy_template *t, bool internal, struct verr *err)
{
    char path[MODEL_PATH_LEN];
    const json_t *v = model_member(obj, key);
    int r;

    if (!v)
        return 0;
    model_path_key(path, parent, key);
    r = model_want_object(v, path, err);
    if (r == 0 && !internal)
        r = model_only_members(v, path, members, err);
    return r < 0 ? r : model_fields_parse(v, path, fields, n, t, internal, err);
}

int model_vgw_policy_template_field(const json_t *v, const char *path, void *dst, bool internal,
                                    struct verr *err)
{
    struct model_vgw *g = dst;
    struct model_policy_template t;
    int r;

    if (!v)
        return 0;
    r = model_want_object(v, path, err);
    if (r == 0 && !internal)
        r = model_only_members(v, path, template_members, err);
    if (r < 0)
        return r;
    if (g->has_policy_template)
        t = g->policy_template;
    else
        template_defaults(&t);
    r = template_part(v, path, "ike_policy", ike_members, ike_fields, ARRAY_SIZE(ike_fields), &t,
                      internal, err);
    if (r == 0)
        r = template_part(v, path, "ipsec_policy", ipsec_members, ipsec_fields,
                          ARRAY_SIZE(ipsec_fields), &t, internal, err);
    if (r < 0)
        return r;
    g->policy_template = t;
    g->has_policy_template = true;
    return 0;
}

void model_vgw_policy_template_write(struct model_jw *w, const struct model_vgw *g)
{
    const struct model_policy_template *t = &g->policy_template;

    if (!g->has_policy_template)
        return;
    model_jw_obj(w, "policy_template");
    model_jw_obj(w, "ike_policy");
    model_jw_str(w, "encryption_algorithm", t->ike_policy.encryption_algorithm);
    model_jw_str(w, "dh_group", t->ike_policy.dh_group);
    model_jw_str(w, "authentication_algorithm", t->ike_policy.authentication_algorithm);
    model_jw_int(w, "lifetime_seconds", t->ike_policy.lifetime_seconds);
    model_jw_obj_end(w);
    model_jw_obj(w, "ipsec_policy");
    model_jw_str(w, "authentication_algorithm", t->ipsec_policy.authentication_algorithm);
    model_jw_str(w, "encryption_algorithm", t->ipsec_policy.encryption_algorithm);
    model_jw_str(w, "pfs", t->ipsec_policy.pfs);
    model_jw_int(w, "lifetime_seconds", t->ipsec_policy.lifetime_seconds);
    model_jw_obj_end(w);
    model_jw_obj_end(w);
}

static int local_subnets_field(const json_t *v, const char *path, void *dst, bool internal,
                               struct verr *err)
{
    (void)internal;
    return model_vgw_local_subnets(v, path, dst, 4, true, err);
}

static int local_subnets_v6_field(const json_t *v, const char *path, void *dst, bool internal,
                                  struct verr *err)
{
    (void)internal;
    return model_vgw_local_subnets(v, path, dst, 6, true, err);
}

/* eip_id_N: a public gateway's EIP N replaced by an existing EIP given by id. */
static int eip_id(const json_t *v, const char *path, struct model_vgw *g, struct model_eip *e,
                  struct verr *err)
{
    char id[MODEL_UUID_LEN];
    int r;

    if (!v)
        return 0;
    if (!model_streq(g->network_type, "public"))
        return verr_set(err, path, "is not allowed when network_type is private");
    r = model_want_uuid(v, path, id, err);
    if (r < 0 || strcmp(id, e->id) == 0)
        return r;
    memset(e, 0, sizeof(*e));
    e->present = true;
    e->ip_version = model_streq(g->ip_version, "ipv6") ? 6 : 4;
    e->share_type = model_enum_find(&MODEL_E_SHARE_TYPE, "PER");
    return model_copy(e->id, sizeof(e->id), id);
}

static int eip_id_1_field(const json_t *v, const char *path, void *dst, bool internal,
                          struct verr *err)
{
    struct model_vgw *g = dst;
    (void)internal;

    return eip_id(v, path, g, &g->eip1, err);
}

static int eip_id_2_field(const json_t *v, const char *path, void *dst, bool internal,
                          struct verr *err)
{
    struct model_vgw *g = dst;
    int r;
    (void)internal;

    r = eip_id(v, path, g, &g->eip2, err);
    if (r < 0 || !g->eip2.id[0] || strcmp(g->eip1.id, g->eip2.id) != 0)
        return r;
    if (!v)
        path = WRAPPER ".eip_id_1";
    return verr_set(err, path, "must differ from the gateway's other EIP (%s), got \"%s\"",
                    v ? g->eip1.id : g->eip2.id, g->eip2.id);
}

static const struct model_fspec update_fields[] = {
    MODEL_F("name", MF_NAME, offsetof(struct model_vgw, name)),
    MODEL_F("local_subnets", MF_CUSTOM, 0, .fn = local_subnets_field),
    MODEL_F("local_subnets_v6", MF_CUSTOM, 0, .fn = local_subnets_v6_field),
    MODEL_F("eip_id_1", MF_CUSTOM, 0, .fn = eip_id_1_field),
    MODEL_F("eip_id_2", MF_CUSTOM, 0, .fn = eip_id_2_field),
    MODEL_F("policy_template", MF_CUSTOM, 0, .fn = model_vgw_policy_template_field),
};

int model_vgw_parse_update(const struct model_vgw *cur, const struct model_body *body,
                           struct model_vgw *g, unsigned *ret_eip_changed, struct verr *err)
{
    _cleanup_free_ struct model_vgw *t = malloc(sizeof(*t));
    int r;

    if (!t)
        return -ENOMEM;
    memcpy(t, cur, sizeof(*t));
    r = model_parse_partial(body, WRAPPER, update_members, update_fields,
                            ARRAY_SIZE(update_fields), t, err);
    if (r < 0)
        return r;
    *ret_eip_changed = (strcmp(t->eip1.id, cur->eip1.id) != 0 ? 1u : 0u) |
                       (strcmp(t->eip2.id, cur->eip2.id) != 0 ? 2u : 0u);
    memcpy(g, t, sizeof(*g));
    return 0;
}

/* One family of a connection doc's peer subnets (member key) against the gateway's local
 * subnets of that family (local[0..n), path lpath). */
static int check_family(const json_t *doc, const char *key, const struct model_cidr *local,
                        size_t n, const char *lpath, struct verr *err)
{
    const json_t *id = model_member(doc, "id"), *peers = model_member(doc, key);
    struct model_cidr peer;
    char path[MODEL_PATH_LEN];

    if (!json_is_string(id) || (peers && !json_is_array(peers)))
        return -EPROTO;
    for (size_t i = 0; i < json_array_size(peers); i++) {
        const char *s = json_string_value(json_array_get(peers, i));
        if (!s || model_copy(peer.s, sizeof(peer.s), s) < 0)
            return -EPROTO;
        for (size_t j = 0; j < n; j++) {
            if (!model_cidr_overlap(&peer, &local[j]))
                continue;
            model_path_index(path, lpath, j);
            return verr_set(err, path,
                            "must not overlap peer subnet %s of VPN connection %s, got \"%s\"",
                            peer.s, json_string_value(id), local[j].s);
        }
    }
    return 0;
}

/* One connection doc against the local subnets of both families. */
static int check_one_conn(const struct model_vgw *g, const json_t *doc, struct verr *err)
{
    int r = check_family(doc, "peer_subnets", g->local_subnets, g->n_local_subnets,
                         WRAPPER ".local_subnets", err);

    return r < 0 ? r
                 : check_family(doc, "peer_subnets_v6", g->local_subnets_v6,
                                g->n_local_subnets_v6, WRAPPER ".local_subnets_v6", err);
}

int model_vgw_check_peer_overlap(const struct model_vgw *g, const char *docs, size_t len,
                                 struct verr *err)
{
    json_error_t je;
    json_t *arr = json_loadb(docs, len, 0, &je);
    int r = 0;

    if (!arr)
        return model_json_oom(&je) ? -ENOMEM : -EPROTO;
    if (!json_is_array(arr))
        r = -EPROTO;
    for (size_t i = 0; r == 0 && i < json_array_size(arr); i++)
        r = check_one_conn(g, json_array_get(arr, i), err);
    json_decref(arr);
    return r;
}

static const char *const flavor_members[] = {"flavor", NULL};

int model_vgw_parse_flavor(const struct model_vgw *cur, const struct model_body *body,
                           struct model_vgw *g, struct verr *err)
{
    _cleanup_free_ struct model_vgw *t = malloc(sizeof(*t));
    const json_t *obj, *v;
    int r;

    if (!t)
        return -ENOMEM;
    r = model_body_wrapped(body, WRAPPER, &obj, err);
    if (r < 0)
        return r;
    memcpy(t, cur, sizeof(*t));
    r = model_only_members(obj, WRAPPER, flavor_members, err);
    v = model_member(obj, "flavor");
    if (r == 0 && !v)
        r = verr_set(err, WRAPPER ".flavor", "is required");
    if (r == 0)
        r = model_flavor_field(v, WRAPPER ".flavor", t, false, err);
    if (r == 0)
        r = model_vgw_flavor_change_check(cur, t->flavor, err);
    if (r < 0)
        return r;
    t->connection_number = model_flavor_connections(t->flavor);
    memcpy(g, t, sizeof(*g));
    return 0;
}
