/* model/vgw_parse.c: the VPN gateway create body (spec §3.2) and the internal form. Rules
 * that depend on an earlier field (network_type, attachment_type, flavor) are checked with the
 * later one, in documented field order. */
#include "model/model_int.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define VGW(m) offsetof(struct model_vgw, m)
#define WRAPPER "vpn_gateway"

/* A UUID required when attachment_type is `when` (er_id for er; vpc_id, connect_subnet for
 * vpc); optional otherwise. */
static int uuid_for(const json_t *v, const char *path, const struct model_vgw *g, const char *when,
                    char ret[MODEL_UUID_LEN], struct verr *err)
{
    if (!v && model_streq(g->attachment_type, when))
        return verr_set(err, path, "is required when attachment_type is %s", when);
    return v ? model_want_uuid(v, path, ret, err) : 0;
}

static int er_id_field(const json_t *v, const char *path, void *dst, bool internal,
                       struct verr *err)
{
    struct model_vgw *g = dst;
    (void)internal;

    return uuid_for(v, path, g, "er", g->er_id, err);
}

static int vpc_id_field(const json_t *v, const char *path, void *dst, bool internal,
                        struct verr *err)
{
    struct model_vgw *g = dst;
    (void)internal;

    return uuid_for(v, path, g, "vpc", g->vpc_id, err);
}

static int connect_subnet_field(const json_t *v, const char *path, void *dst, bool internal,
                                struct verr *err)
{
    struct model_vgw *g = dst;
    (void)internal;

    return uuid_for(v, path, g, "vpc", g->connect_subnet, err);
}

int model_vgw_local_subnets(const json_t *v, const char *path, struct model_vgw *g, int family,
                            bool update, struct verr *err)
{
    bool v6 = model_streq(g->ip_version, "ipv6");
    bool needed = model_streq(g->attachment_type, "vpc") && (family == 6) == v6;
    struct model_cidr *dst = family == 6 ? g->local_subnets_v6 : g->local_subnets;
    size_t *n = family == 6 ? &g->n_local_subnets_v6 : &g->n_local_subnets;

    if (v && model_streq(g->attachment_type, "er"))
        return verr_set(err, path, "is not allowed when attachment_type is er");
    if (v && family == 6 && !v6)
        return verr_set(err, path, "is not allowed when ip_version is %s (IPv6 gateways only)",
                        g->ip_version);
    if (!v)
        return needed && !update ? verr_set(err, path,
                                 "is required when attachment_type is vpc and "
                                 "ip_version is %s",
                                 g->ip_version)
                      : 0;
    return model_want_cidrs_of(v, path, family, needed ? 1 : 0, MODEL_MAX_LOCAL_SUBNETS, false,
                               dst, n, err);
}

static int local_subnets_field(const json_t *v, const char *path, void *dst, bool internal,
                               struct verr *err)
{
    (void)internal;
    return model_vgw_local_subnets(v, path, dst, 4, false, err);
}

static int local_subnets_v6_field(const json_t *v, const char *path, void *dst, bool internal,
                                  struct verr *err)
{
    (void)internal;
    return model_vgw_local_subnets(v, path, dst, 6, false, err);
}

static bool az_char_ok(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    return n > 0 && n < 64 && s[n] == '\0';
}

static int azs_field(const json_t *v, const char *path, void *dst, bool internal, struct verr *err)
{
    struct model_vgw *g = dst;
    char ipath[MODEL_PATH_LEN], echo[MODEL_ECHO_LEN];
    const char *s;
    (void)internal;

    if (!v)
        return 0;
    int r = model_want_array(v, path, 0, MODEL_MAX_AZS, err);
    for (size_t i = 0; r == 0 && i < json_array_size(v); i++) {
        model_path_index(ipath, path, i);
        r = model_want_str(json_array_get(v, i), ipath, &s, err);
        if (r == 0 && !az_char_ok(s)) {
            model_echo(echo, s, strlen(s));
            return verr_set(err, ipath,
                            "must be 1 to 63 characters of letters, digits, . _ -, got %s", echo);
        }
        for (size_t j = 0; r == 0 && j < i; j++) {
            if (strcmp(g->availability_zone_ids[j], s) == 0)
                return verr_set(err, ipath,
                                "must not repeat availability_zone_ids[%zu], got \"%s\"", j, s);
        }
        if (r == 0)
            r = model_copy(g->availability_zone_ids[i], sizeof(g->availability_zone_ids[i]), s);
    }
    if (r == 0)
        g->n_availability_zone_ids = json_array_size(v);
    return r;
}

/* eip1 / eip2: required for public gateways, refused for private ones. */
static int eip_common(const json_t *v, const char *path, struct model_vgw *g, bool internal,
                      struct model_eip *e, struct verr *err)
{
    bool public = model_streq(g->network_type, "public");

    if (!v && public)
        return verr_set(err, path, "is required when network_type is public");
    if (v && !public)
        return verr_set(err, path, "is not allowed when network_type is private");
    if (!v)
        return 0;
    int r =
        model_eip_parse(v, path, g->flavor, model_flavor_bandwidth(g->flavor), internal, e, err);
    if (r == 0 && !internal) /* an IPv6 gateway's EIPs are IPv6 EIPs */
        e->ip_version = model_streq(g->ip_version, "ipv6") ? 6 : 4;
    return r;
}

static int eip1_field(const json_t *v, const char *path, void *dst, bool internal, struct verr *err)
{
    struct model_vgw *g = dst;

    return eip_common(v, path, g, internal, &g->eip1, err);
}

static int eip2_field(const json_t *v, const char *path, void *dst, bool internal, struct verr *err)
{
    struct model_vgw *g = dst;
    char ipath[MODEL_PATH_LEN];
    int r = eip_common(v, path, g, internal, &g->eip2, err);

    if (r < 0 || !g->eip2.id[0] || strcmp(g->eip1.id, g->eip2.id) != 0)
        return r;
    model_path_key(ipath, path, "id");
    return verr_set(err, ipath, "must differ from eip1.id, got \"%s\"", g->eip2.id);
}

/* access_private_ip_1 / _2: private gateways only, of the gateway's ip_version; both or
 * neither; different. */
static int private_ip(const json_t *v, const char *path, const struct model_vgw *g,
                      char ret[MODEL_IP_LEN], struct verr *err)
{
    if (v && !model_streq(g->network_type, "private"))
        return verr_set(err, path, "is not allowed when network_type is public");
    return v ? model_want_ip(v, path, model_streq(g->ip_version, "ipv6") ? 6 : 4, ret, err) : 0;
}

static int private_ip_1_field(const json_t *v, const char *path, void *dst, bool internal,
                              struct verr *err)
{
    struct model_vgw *g = dst;
    (void)internal;

    return private_ip(v, path, g, g->access_private_ip_1, err);
}

static int private_ip_2_field(const json_t *v, const char *path, void *dst, bool internal,
                              struct verr *err)
{
    struct model_vgw *g = dst;
    (void)internal;

    int r = private_ip(v, path, g, g->access_private_ip_2, err);
    if (r < 0)
        return r;
    if (!v && g->access_private_ip_1[0])
        return verr_set_code(err, VERR_PRIVATE_IP_PAIR, path,
                             "is required when access_private_ip_1 is given");
    if (v && !g->access_private_ip_1[0])
        return verr_set_code(err, VERR_PRIVATE_IP_PAIR, WRAPPER ".access_private_ip_1",
                        "is required when access_private_ip_2 is given");
    if (v && strcmp(g->access_private_ip_1, g->access_private_ip_2) == 0)
        return verr_set_code(err, VERR_PRIVATE_IP_SAME, path,
                             "must differ from access_private_ip_1, got \"%s\"",
                        g->access_private_ip_2);
    return 0;
}

static const struct model_fspec create_fields[] = {
    MODEL_F("name", MF_NAME, VGW(name)),
    MODEL_F("network_type", MF_ENUM, VGW(network_type), .en = &MODEL_E_NETWORK_TYPE),
    MODEL_F("attachment_type", MF_ENUM, VGW(attachment_type), .en = &MODEL_E_ATTACHMENT),
    MODEL_F("ip_version", MF_ENUM, VGW(ip_version), .en = &MODEL_E_IP_VERSION),
    MODEL_F("er_id", MF_CUSTOM, 0, .fn = er_id_field),
    MODEL_F("vpc_id", MF_CUSTOM, 0, .fn = vpc_id_field),
    MODEL_F("local_subnets", MF_CUSTOM, 0, .fn = local_subnets_field),
    MODEL_F("local_subnets_v6", MF_CUSTOM, 0, .fn = local_subnets_v6_field),
    MODEL_F("connect_subnet", MF_CUSTOM, 0, .fn = connect_subnet_field),
    MODEL_F("bgp_asn", MF_INT, VGW(bgp_asn), .lo = 1, .hi = 4294967295),
    MODEL_F("flavor", MF_CUSTOM, 0, .fn = model_flavor_field),
    MODEL_F("availability_zone_ids", MF_CUSTOM, 0, .fn = azs_field),
    MODEL_F("enterprise_project_id", MF_EPID, VGW(enterprise_project_id)),
    MODEL_F("eip1", MF_CUSTOM, 0, .fn = eip1_field),
    MODEL_F("eip2", MF_CUSTOM, 0, .fn = eip2_field),
    MODEL_F("access_vpc_id", MF_UUID, VGW(access_vpc_id)),
    MODEL_F("access_subnet_id", MF_UUID, VGW(access_subnet_id)),
    MODEL_F("access_private_ip_1", MF_CUSTOM, 0, .fn = private_ip_1_field),
    MODEL_F("access_private_ip_2", MF_CUSTOM, 0, .fn = private_ip_2_field),
    MODEL_F("ha_mode", MF_ENUM, VGW(ha_mode), .en = &MODEL_E_HA_MODE),
    MODEL_F("tags", MF_CUSTOM, VGW(tags), .fn = model_tags_field),
};

static const struct model_fspec internal_fields[] = {
    MODEL_F("id", MF_UUID, VGW(id)),
    MODEL_F("status", MF_ENUM, VGW(status), .en = &MODEL_E_VGW_STATUS),
    MODEL_F("connection_number", MF_INT, VGW(connection_number), .lo = 0, .hi = INT32_MAX),
    MODEL_F("used_connection_number", MF_INT, VGW(used_connection_number), .lo = 0,
            .hi = INT32_MAX),
    MODEL_F("created_at", MF_INT, VGW(created_at), .lo = 0, .hi = MODEL_TS_MAX),
    MODEL_F("updated_at", MF_INT, VGW(updated_at), .lo = 0, .hi = MODEL_TS_MAX),
    MODEL_F("policy_template", MF_CUSTOM, 0, .fn = model_vgw_policy_template_field),
    MODEL_F("certificate", MF_CUSTOM, 0, .fn = model_vgw_certificate_field),
    MODEL_F("jobs", MF_CUSTOM, 0, .fn = model_vgw_jobs_field),
};

static void vgw_defaults(struct model_vgw *g)
{
    g->network_type = model_enum_find(&MODEL_E_NETWORK_TYPE, "public");
    g->attachment_type = model_enum_find(&MODEL_E_ATTACHMENT, "vpc");
    g->ip_version = model_enum_find(&MODEL_E_IP_VERSION, "ipv4");
    g->bgp_asn = 64512;
    g->flavor = model_enum_find(&MODEL_E_FLAVOR, "Professional1");
    g->ha_mode = model_enum_find(&MODEL_E_HA_MODE, "active-active");
    memcpy(g->enterprise_project_id, "0", 2);
}

/* Defaults that depend on other fields of a create body. */
static void vgw_derive(struct model_vgw *g)
{
    if (!g->access_vpc_id[0])
        memcpy(g->access_vpc_id, g->vpc_id, sizeof(g->access_vpc_id));
    if (!g->access_subnet_id[0])
        memcpy(g->access_subnet_id, g->connect_subnet, sizeof(g->access_subnet_id));
    if (g->n_availability_zone_ids == 0) {
        memcpy(g->availability_zone_ids[0], "az1", 4);
        memcpy(g->availability_zone_ids[1], "az2", 4);
        g->n_availability_zone_ids = 2;
    }
    g->connection_number = model_flavor_connections(g->flavor);
}

/* Parses obj into the zeroed *t; on failure *t is left partly written. */
static int vgw_parse_into(const json_t *obj, struct model_vgw *t, bool internal, struct verr *err)
{
    vgw_defaults(t);
    int r = model_fields_parse(obj, WRAPPER, create_fields, ARRAY_SIZE(create_fields), t, internal,
                               err);
    if (r == 0 && internal)
        r = model_fields_parse(obj, WRAPPER, internal_fields, ARRAY_SIZE(internal_fields), t,
                               internal, err);
    else if (r == 0)
        vgw_derive(t);
    return r;
}

/* Parses obj into *g (written only on success). */
static int vgw_parse(const json_t *obj, struct model_vgw *g, bool internal, struct verr *err)
{
    _cleanup_free_ struct model_vgw *t = calloc(1, sizeof(*t));

    if (!t)
        return -ENOMEM;
    int r = vgw_parse_into(obj, t, internal, err);
    if (r == 0)
        memcpy(g, t, sizeof(*g));
    return r;
}

int model_vgw_parse_create(const struct model_body *body, struct model_vgw *g, struct verr *err)
{
    const json_t *obj;
    int r = model_body_wrapped(body, WRAPPER, &obj, err);

    return r < 0 ? r : vgw_parse(obj, g, false, err);
}

/* fresh: as conn_parse_internal (conn_parse.c). */
static int vgw_parse_internal(const char *json, size_t len, struct model_vgw *g, bool fresh)
{
    struct verr ignored;
    json_t *root;
    int r = model_load_internal(json, len, &root);

    if (r < 0)
        return r;
    r = fresh ? vgw_parse_into(root, g, true, &ignored) : vgw_parse(root, g, true, &ignored);
    json_decref(root);
    return r;
}

int model_vgw_from_internal(const char *json, size_t len, struct model_vgw *g)
{
    return vgw_parse_internal(json, len, g, false);
}

int model_vgw_from_internal_fresh(const char *json, size_t len, struct model_vgw *g)
{
    return vgw_parse_internal(json, len, g, true);
}

int model_vgw_parse_object(const json_t *obj, struct model_vgw *g, struct verr *err)
{
    return vgw_parse(obj, g, false, err);
}
