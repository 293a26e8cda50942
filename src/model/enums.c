/* model/enums.c: every enum value set of the model. Enum fields point at these strings. */
#include "model/model_int.h"

#include <string.h>
#include <strings.h>

#define ENUM(name, icase, ...)                                                                     \
    static const char *const name##_values[] = {__VA_ARGS__, NULL};                                \
    const struct model_enum name = {name##_values, icase}

/* One object per status, so the status the service sets and the one a parse finds are the same
 * pointer. */
static const char st_pending_create[] = "PENDING_CREATE", st_pending_update[] = "PENDING_UPDATE",
                  st_pending_delete[] = "PENDING_DELETE", st_active[] = "ACTIVE",
                  st_down[] = "DOWN", st_error[] = "ERROR", st_fault[] = "FAULT",
                  st_freezed[] = "FREEZED", st_unknown[] = "UNKNOWN";

const char *const model_status_names[MODEL_N_STATUSES] = {
    [MODEL_PENDING_CREATE] = st_pending_create,
    [MODEL_PENDING_UPDATE] = st_pending_update,
    [MODEL_PENDING_DELETE] = st_pending_delete,
    [MODEL_ACTIVE] = st_active,
    [MODEL_DOWN] = st_down,
    [MODEL_ERROR] = st_error,
    [MODEL_FAULT] = st_fault,
    [MODEL_FREEZED] = st_freezed,
    [MODEL_UNKNOWN] = st_unknown,
};
const char *const MODEL_STATUS_PENDING_CREATE = st_pending_create;

ENUM(MODEL_E_STYLE, true, "POLICY", "STATIC", "BGP", "POLICY-TEMPLATE");
ENUM(MODEL_E_HA_ROLE, false, "master", "slave");
ENUM(MODEL_E_CONN_STATUS, false, st_pending_create, st_active, st_down, st_error,
     st_pending_update, st_pending_delete, st_freezed, st_unknown);
ENUM(MODEL_E_IKE_VERSION, false, "v1", "v2");
ENUM(MODEL_E_PHASE1_MODE, false, "main", "aggressive");
ENUM(MODEL_E_AUTH_ALG, false, "sha2-512", "sha2-384", "sha2-256", "sha1", "md5", "sm3");
ENUM(MODEL_E_ENC_ALG, false, "aes-256-gcm-16", "aes-128-gcm-16", "aes-256-gcm-128",
     "aes-128-gcm-128", "aes-256", "aes-192", "aes-128", "3des", "sm4");
ENUM(MODEL_E_DH_GROUP, false, "group1", "group2", "group5", "group14", "group15", "group16",
     "group19", "group20", "group21");
ENUM(MODEL_E_PFS, false, "group1", "group2", "group5", "group14", "group15", "group16", "group19",
     "group20", "group21", "disable");
ENUM(MODEL_E_AUTH_METHOD, false, "pre-share", "digital-envelope-v2");
ENUM(MODEL_E_LOCAL_ID_TYPE, false, "ip", "fqdn");
ENUM(MODEL_E_PEER_ID_TYPE, false, "ip", "fqdn", "any");
ENUM(MODEL_E_DPD_MSG, false, "seq-hash-notify", "seq-notify-hash");
ENUM(MODEL_E_TRANSFORM, false, "esp");
ENUM(MODEL_E_ENCAP, false, "tunnel");
ENUM(MODEL_E_NETWORK_TYPE, false, "public", "private");
ENUM(MODEL_E_ATTACHMENT, false, "vpc", "er");
ENUM(MODEL_E_IP_VERSION, false, "ipv4", "ipv6");
ENUM(MODEL_E_FLAVOR, false, "Basic", "Professional1", "Professional2", "Professional3",
     "Professional1-NonFixedIP", "Professional2-NonFixedIP", "Professional3-NonFixedIP", "GM");
ENUM(MODEL_E_HA_MODE, false, "active-active", "active-standby");
ENUM(MODEL_E_VGW_STATUS, false, st_pending_create, st_pending_update, st_pending_delete,
     st_active, st_fault, st_freezed);
ENUM(MODEL_E_EIP_TYPE, false, "5_bgp", "5_sbgp");
ENUM(MODEL_E_CHARGE_MODE, false, "bandwidth", "traffic");
ENUM(MODEL_E_SHARE_TYPE, false, "PER", "WHOLE");
ENUM(MODEL_E_CGW_ID_TYPE, false, "ip", "fqdn");

const char *model_enum_find(const struct model_enum *e, const char *s)
{
    for (const char *const *v = e->values; *v; v++) {
        if (e->icase ? strcasecmp(*v, s) == 0 : strcmp(*v, s) == 0)
            return *v;
    }
    return NULL;
}

bool model_streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

int model_status_of(const char *s)
{
    for (int i = 0; i < MODEL_N_STATUSES; i++) {
        if (strcmp(model_status_names[i], s) == 0)
            return i;
    }
    return -1;
}

bool model_status_is_pending(const char *s)
{
    return strncmp(s, "PENDING_", 8) == 0;
}
