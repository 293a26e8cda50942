/* model/vgw_eip.c: a public gateway's eip1 / eip2 (spec §3.2-3.3). */
#include "model/model_int.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define EIP(m) offsetof(struct model_eip, m)

/* Given instead of an id: the EIP the service creates. Split at the size for the cap check. */
static const struct model_fspec spec_fields[] = {
    MODEL_F("type", MF_ENUM, EIP(type), .required = true, .en = &MODEL_E_EIP_TYPE),
    MODEL_F("charge_mode", MF_ENUM, EIP(charge_mode), .required = true, .en = &MODEL_E_CHARGE_MODE),
    MODEL_F("bandwidth_size", MF_INT, EIP(bandwidth_size), .required = true, .lo = 1, .hi = 1000),
    MODEL_F("bandwidth_name", MF_NAME, EIP(bandwidth_name)),
};

static const struct model_fspec internal_fields[] = {
    MODEL_F("ip_version", MF_INT, EIP(ip_version), .lo = 4, .hi = 6), /* 4 or 6 */
    MODEL_F("ip_address", MF_IP, EIP(ip_address)),
    MODEL_F("bandwidth_id", MF_UUID, EIP(bandwidth_id)),
    MODEL_F("share_type", MF_ENUM, EIP(share_type), .en = &MODEL_E_SHARE_TYPE),
};

/* type, charge_mode, bandwidth_size (capped by the flavor), bandwidth_name. */
static int parse_spec(const json_t *v, const char *path, const char *flavor, int64_t cap,
                      struct model_eip *e, struct verr *err)
{
    char spath[MODEL_PATH_LEN];
    int r = model_fields_parse(v, path, spec_fields, 3, e, false, err);

    if (r == 0 && e->bandwidth_size > cap) {
        model_path_key(spath, path, "bandwidth_size");
        return verr_set(err, spath, "must be at most %lld for flavor %s, got %lld", (long long)cap,
                        flavor, (long long)e->bandwidth_size);
    }
    return r < 0 ? r : model_fields_parse(v, path, spec_fields + 3, 1, e, false, err);
}

int model_eip_parse(const json_t *v, const char *path, const char *flavor, int64_t cap,
                    bool internal, struct model_eip *ret, struct verr *err)
{
    struct model_eip e;
    char fpath[MODEL_PATH_LEN];
    int r = model_want_object(v, path, err);

    if (r < 0)
        return r;
    memset(&e, 0, sizeof(e)); /* padding too: internal round trips compare with memcmp */
    e.present = true;
    e.ip_version = 4;
    const json_t *id = model_member(v, "id");
    model_path_key(fpath, path, "id");
    if (id)
        r = model_want_uuid(id, fpath, e.id, err);
    if (r == 0 && (!id || (internal && model_member(v, "type"))))
        r = parse_spec(v, path, flavor, cap, &e, err);
    if (r == 0 && internal)
        r = model_fields_parse(v, path, internal_fields, ARRAY_SIZE(internal_fields), &e, true,
                               err);
    else if (r == 0)
        e.share_type = model_enum_find(&MODEL_E_SHARE_TYPE, "PER");
    if (r == 0)
        memcpy(ret, &e, sizeof(*ret));
    return r;
}

/* What an EIP given by id shows in a response: the bandwidth the real service would read from
 * the EIP (vpnd knows none: a derived id, the console's default 5 Mbit/s). */
#define EIP_DEFAULT_BANDWIDTH 5

void model_eip_write(struct model_jw *w, const char *key, const struct model_eip *e, bool all)
{
    char bandwidth_id[MODEL_UUID_LEN] = "", bandwidth_name[MODEL_NAME_LEN] = "";
    bool by_id = !all && !e->type;

    if (by_id && e->id[0]) {
        model_derive_uuid("bandwidth", e->id, bandwidth_id);
        snprintf(bandwidth_name, sizeof(bandwidth_name), "vpngw-bandwidth-%.4s", bandwidth_id);
    }
    model_jw_obj(w, key);
    model_jw_opt_str(w, "id", e->id);
    if (e->ip_version)
        model_jw_int(w, "ip_version", e->ip_version);
    model_jw_opt_str(w, "type", by_id ? "5_bgp" : e->type);
    model_jw_opt_str(w, "ip_address", e->ip_address);
    model_jw_opt_str(w, "charge_mode", by_id ? "traffic" : e->charge_mode);
    model_jw_opt_str(w, "bandwidth_id", by_id ? bandwidth_id : e->bandwidth_id);
    if (by_id || e->bandwidth_size > 0)
        model_jw_int(w, "bandwidth_size", by_id ? EIP_DEFAULT_BANDWIDTH : e->bandwidth_size);
    model_jw_opt_str(w, "bandwidth_name", by_id ? bandwidth_name : e->bandwidth_name);
    model_jw_opt_str(w, "share_type", e->share_type);
    model_jw_obj_end(w);
}
