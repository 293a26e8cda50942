/* model/conn_policy.c: the connection's ikepolicy (with dpd) and ipsecpolicy objects (§2.3). */
#include "model/model_int.h"

#include <stddef.h>
#include <string.h>

#define IKE(m) offsetof(struct model_ikepolicy, m)
#define DPD(m) offsetof(struct model_dpd, m)
#define IPSEC(m) offsetof(struct model_ipsecpolicy, m)

/* Fills the documented defaults (the canonical strings come from the enum tables). */
void model_conn_policy_defaults(struct model_ikepolicy *ike, struct model_ipsecpolicy *ipsec)
{
    *ike = (struct model_ikepolicy){
        .ike_version = model_enum_find(&MODEL_E_IKE_VERSION, "v2"),
        .phase1_negotiation_mode = model_enum_find(&MODEL_E_PHASE1_MODE, "main"),
        .authentication_algorithm = model_enum_find(&MODEL_E_AUTH_ALG, "sha2-256"),
        .encryption_algorithm = model_enum_find(&MODEL_E_ENC_ALG, "aes-128"),
        .dh_group = model_enum_find(&MODEL_E_DH_GROUP, "group15"),
        .authentication_method = model_enum_find(&MODEL_E_AUTH_METHOD, "pre-share"),
        .lifetime_seconds = 86400,
        .local_id_type = model_enum_find(&MODEL_E_LOCAL_ID_TYPE, "ip"),
        .peer_id_type = model_enum_find(&MODEL_E_PEER_ID_TYPE, "ip"),
        .dpd = {.timeout = 15,
                .interval = 30,
                .msg = model_enum_find(&MODEL_E_DPD_MSG, "seq-hash-notify")},
    };
    *ipsec = (struct model_ipsecpolicy){
        .authentication_algorithm = model_enum_find(&MODEL_E_AUTH_ALG, "sha2-256"),
        .encryption_algorithm = model_enum_find(&MODEL_E_ENC_ALG, "aes-128"),
        .pfs = model_enum_find(&MODEL_E_PFS, "group15"),
        .transform_protocol = model_enum_find(&MODEL_E_TRANSFORM, "esp"),
        .lifetime_seconds = 3600,
        .encapsulation_mode = model_enum_find(&MODEL_E_ENCAP, "tunnel"),
    };
}

/* local_id / peer_id for their *_id_type: ip -> an IPv4 or IPv6 address if given (canonical;
 * model_conn_bind checks local_id's family against the gateway); fqdn -> required FQDN;
 * any (peer only) -> FQDN rule if given. */
static int want_id(const json_t *v, const char *path, const char *type,
                   char ret[MODEL_ID_VALUE_LEN], struct verr *err)
{
    char ip[MODEL_IP_LEN];
    int r;

    if (!v && model_streq(type, "fqdn"))
        return verr_set(err, path, "is required when %s_type is fqdn", strrchr(path, '.') + 1);
    if (!v)
        return 0;
    if (!model_streq(type, "ip"))
        return model_want_fqdn(v, path, ret, err);
    r = model_want_ip(v, path, 0, ip, err);
    return r < 0 ? r : model_copy(ret, MODEL_ID_VALUE_LEN, ip);
}

static int local_id_field(const json_t *v, const char *path, void *dst, bool internal,
                          struct verr *err)
{
    struct model_ikepolicy *ike = dst;
    (void)internal;

    return want_id(v, path, ike->local_id_type, ike->local_id, err);
}

static int peer_id_field(const json_t *v, const char *path, void *dst, bool internal,
                         struct verr *err)
{
    struct model_ikepolicy *ike = dst;
    (void)internal;

    return want_id(v, path, ike->peer_id_type, ike->peer_id, err);
}

static const struct model_fspec dpd_fields[] = {
    MODEL_F("timeout", MF_INT, DPD(timeout), .lo = 2, .hi = 60),
    MODEL_F("interval", MF_INT, DPD(interval), .lo = 10, .hi = 3600),
    MODEL_F("msg", MF_ENUM, DPD(msg), .en = &MODEL_E_DPD_MSG),
};

static int dpd_field(const json_t *v, const char *path, void *dst, bool internal, struct verr *err)
{
    if (!v)
        return 0;
    int r = model_want_object(v, path, err);
    return r < 0 ? r
                 : model_fields_parse(v, path, dpd_fields, ARRAY_SIZE(dpd_fields), dst, internal,
                                      err);
}

static const struct model_fspec ike_fields[] = {
    MODEL_F("ike_version", MF_ENUM, IKE(ike_version), .en = &MODEL_E_IKE_VERSION),
    MODEL_F("phase1_negotiation_mode", MF_ENUM, IKE(phase1_negotiation_mode),
            .en = &MODEL_E_PHASE1_MODE),
    MODEL_F("authentication_algorithm", MF_ENUM, IKE(authentication_algorithm),
            .en = &MODEL_E_AUTH_ALG),
    MODEL_F("encryption_algorithm", MF_ENUM, IKE(encryption_algorithm), .en = &MODEL_E_ENC_ALG),
    MODEL_F("dh_group", MF_ENUM, IKE(dh_group), .en = &MODEL_E_DH_GROUP),
    MODEL_F("authentication_method", MF_ENUM, IKE(authentication_method),
            .en = &MODEL_E_AUTH_METHOD),
    MODEL_F("lifetime_seconds", MF_INT, IKE(lifetime_seconds), .lo = 60, .hi = 604800),
    MODEL_F("local_id_type", MF_ENUM, IKE(local_id_type), .en = &MODEL_E_LOCAL_ID_TYPE),
    MODEL_F("local_id", MF_CUSTOM, 0, .fn = local_id_field),
    MODEL_F("peer_id_type", MF_ENUM, IKE(peer_id_type), .en = &MODEL_E_PEER_ID_TYPE),
    MODEL_F("peer_id", MF_CUSTOM, 0, .fn = peer_id_field),
    MODEL_F("dpd", MF_CUSTOM, IKE(dpd), .fn = dpd_field),
};

static const struct model_fspec ipsec_fields[] = {
    MODEL_F("authentication_algorithm", MF_ENUM, IPSEC(authentication_algorithm),
            .en = &MODEL_E_AUTH_ALG),
    MODEL_F("encryption_algorithm", MF_ENUM, IPSEC(encryption_algorithm), .en = &MODEL_E_ENC_ALG),
    MODEL_F("pfs", MF_ENUM, IPSEC(pfs), .en = &MODEL_E_PFS),
    MODEL_F("transform_protocol", MF_ENUM, IPSEC(transform_protocol), .en = &MODEL_E_TRANSFORM),
    MODEL_F("lifetime_seconds", MF_INT, IPSEC(lifetime_seconds), .lo = 30, .hi = 604800),
    MODEL_F("encapsulation_mode", MF_ENUM, IPSEC(encapsulation_mode), .en = &MODEL_E_ENCAP),
};

/* Custom field functions: an absent object keeps the defaults; unknown members (such as the
 * deprecated ikepolicy.pfs that Terraform sends) are ignored. */
int model_ikepolicy_field(const json_t *v, const char *path, void *dst, bool internal,
                          struct verr *err)
{
    if (!v)
        return 0;
    int r = model_want_object(v, path, err);
    return r < 0 ? r
                 : model_fields_parse(v, path, ike_fields, ARRAY_SIZE(ike_fields), dst, internal,
                                      err);
}

int model_ipsecpolicy_field(const json_t *v, const char *path, void *dst, bool internal,
                            struct verr *err)
{
    if (!v)
        return 0;
    int r = model_want_object(v, path, err);
    return r < 0 ? r
                 : model_fields_parse(v, path, ipsec_fields, ARRAY_SIZE(ipsec_fields), dst,
                                      internal, err);
}
