/* service/quota.c: per-project quotas (spec §5.3): what GET vpn/quotas reports, and the refusal
 * of a create beyond one. The store enforces the limits inside each insert's transaction
 * (store_set_quotas, from svc_init), so racing creates never pass one; a quota of 0 is refused
 * by the service before any write (the store reads 0 as "no limit"). */
#include "service/svc_int.h"

#include <errno.h>

static const char *const quota_name[] = {
    [MODEL_KIND_VGW] = "vpn_gateway",
    [MODEL_KIND_CGW] = "customer_gateway",
    [MODEL_KIND_CONN] = "vpn_connection",
};

static const enum model_kind quota_kinds[] = {MODEL_KIND_VGW, MODEL_KIND_CGW, MODEL_KIND_CONN};

static unsigned quota_of(const struct svc *svc, enum model_kind kind)
{
    return kind == MODEL_KIND_VGW   ? svc->cfg.quota_vpn_gateway
           : kind == MODEL_KIND_CGW ? svc->cfg.quota_customer_gateway
                                    : svc->cfg.quota_vpn_connection;
}

static int64_t used_of(const struct store_counts *n, enum model_kind kind)
{
    return kind == MODEL_KIND_VGW   ? n->vpn_gateways
           : kind == MODEL_KIND_CGW ? n->customer_gateways
                                    : n->vpn_connections;
}

int svc_quota_refuse(struct svc *svc, const char *project_id, enum model_kind kind,
                     struct verr *err)
{
    struct store_counts n;
    int r = store_project_counts(svc->store, project_id, &n);

    if (r < 0)
        return r;
    return verr_fail(err, VERR_INVALID,
                     "quota exceeded: the project may hold %u %s resources and holds %lld",
                     quota_of(svc, kind), quota_name[kind], (long long)used_of(&n, kind));
}

int svc_quotas(struct svc *svc, const char *project_id, struct buf *out, struct verr *err)
{
    struct store_counts n;
    int r = store_project_counts(svc->store, project_id, &n);

    (void)err;
    for (size_t i = 0; r == 0 && i < ARRAY_SIZE(quota_kinds); i++)
        r = buf_printf(out, "%s{\"type\":\"%s\",\"quota\":%u,\"used\":%lld}", i ? "," : "",
                       quota_name[quota_kinds[i]], quota_of(svc, quota_kinds[i]),
                       (long long)used_of(&n, quota_kinds[i]));
    return r;
}
