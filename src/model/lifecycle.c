/* model/lifecycle.c: what a resource's status lets a request do. The table below is the one
 * place that says, for instance, that a PENDING_UPDATE gateway refuses an update (VPN.0507) and
 * a connection (VPN.0016) while a PENDING_UPDATE connection refuses only another update. */
#include "model/model_int.h"

#include <stdint.h>

#define ALLOWED (-1)
#define OTHER MODEL_N_STATUSES /* any status without a row of its own */

struct lifecycle_rule {
    uint8_t kind;   /* enum model_kind */
    uint8_t op;     /* enum model_op */
    uint8_t status; /* enum model_status, or OTHER */
    int8_t code;    /* enum verr_code, or ALLOWED */
};

static const struct lifecycle_rule rules[] = {
    /* a gateway takes connections, and changes, only while ACTIVE */
    {MODEL_KIND_VGW, MODEL_OP_USE, MODEL_ACTIVE, ALLOWED},
    {MODEL_KIND_VGW, MODEL_OP_USE, OTHER, VERR_VGW_NOT_READY},
    {MODEL_KIND_VGW, MODEL_OP_UPDATE, MODEL_ACTIVE, ALLOWED},
    {MODEL_KIND_VGW, MODEL_OP_UPDATE, MODEL_PENDING_CREATE, VERR_VGW_CREATING},
    {MODEL_KIND_VGW, MODEL_OP_UPDATE, MODEL_PENDING_UPDATE, VERR_VGW_UPDATING},
    {MODEL_KIND_VGW, MODEL_OP_UPDATE, MODEL_PENDING_DELETE, VERR_VGW_DELETING},
    {MODEL_KIND_VGW, MODEL_OP_UPDATE, OTHER, VERR_VGW_NOT_READY},
    /* a connection being deleted refuses every change; one being updated, another update */
    {MODEL_KIND_CONN, MODEL_OP_UPDATE, MODEL_PENDING_DELETE, VERR_CONN_DELETING},
    {MODEL_KIND_CONN, MODEL_OP_UPDATE, MODEL_PENDING_UPDATE, VERR_CONN_UPDATING},
    {MODEL_KIND_CONN, MODEL_OP_DELETE, MODEL_PENDING_DELETE, VERR_CONN_DELETING},
    {MODEL_KIND_CONN, MODEL_OP_DELETE, MODEL_FREEZED, VERR_INVALID},
    {MODEL_KIND_CONN, MODEL_OP_RESET, MODEL_PENDING_DELETE, VERR_CONN_DELETING},
    {MODEL_KIND_CONN, MODEL_OP_MONITOR, MODEL_PENDING_DELETE, VERR_CONN_DELETING},
    /* a monitor is deleted once (Terraform reads this 400 as "already gone") */
    {MODEL_KIND_MONITOR, MODEL_OP_DELETE, MODEL_PENDING_DELETE, VERR_INVALID},
};

/* The refusal's message (the code's prefix, if any, is the API's). */
static int refuse(enum model_kind kind, enum model_op op, enum verr_code code, const char *id,
                  const char *status, struct verr *err)
{
    switch (code) {
    case VERR_VGW_NOT_READY:
        if (op == MODEL_OP_USE)
            return verr_fail(err, code,
                             "VPN gateway is not ready, please try again later: gateway \"%s\" "
                             "is %s",
                             id, status);
        return verr_fail(err, code,
                         "VPN gateway is not ready, please try again later: gateway %s is %s", id,
                         status);
    case VERR_VGW_CREATING:
        return verr_fail(err, code,
                         "The VPN gateway is being created, please try again later: gateway %s "
                         "is PENDING_CREATE",
                         id);
    case VERR_VGW_UPDATING:
        return verr_fail(err, code,
                         "The VPN gateway is being updated, please try again later: gateway %s "
                         "is PENDING_UPDATE",
                         id);
    case VERR_VGW_DELETING:
        return verr_fail(err, code,
                         "The VPN gateway is being deleted: gateway %s is PENDING_DELETE", id);
    case VERR_CONN_DELETING:
        return verr_fail(err, code, "Connection %s is deleting.", id);
    case VERR_CONN_UPDATING:
        return verr_fail(err, code, "The connection is being updated, please try again later.");
    default:
        break;
    }
    if (kind == MODEL_KIND_MONITOR)
        return verr_fail(err, code,
                         "connection monitor %s is already being deleted (PENDING_DELETE)", id);
    return verr_fail(err, code, "connection %s is %s: not allowed delete vpnConnection", id,
                     status);
}

int model_lifecycle_check(enum model_kind kind, enum model_op op, const char *id,
                          const char *status, struct verr *err)
{
    int st = model_status_of(status);
    int code = ALLOWED;

    for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
        const struct lifecycle_rule *r = &rules[i];

        if (r->kind != kind || r->op != op)
            continue;
        if (r->status == st) {
            code = r->code;
            break;
        }
        if (r->status == OTHER)
            code = r->code; /* the rows of a status come first */
    }
    return code == ALLOWED ? 0 : refuse(kind, op, (enum verr_code)code, id, status, err);
}
