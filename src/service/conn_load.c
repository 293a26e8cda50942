/* service/conn_load.c: what every connection write shares: its gateway and customer gateway
 * (parsed specs from svc's spec cache), its tunnel /30, its stored forms and row. */
#include "service/svc_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int svc_conn_vgw(struct svc *svc, const char *project_id, const char *path, const char *vgw_id,
                 struct svc_vgw_ref *ret, struct verr *err)
{
    struct store_vgw_row row = {0};
    int r = store_vgw_get(svc->store, project_id, vgw_id, &row);

    if (r == -ENOENT)
        return verr_fail(err, VERR_NOT_FOUND, "%s.vgw_id: no VPN gateway \"%.64s\" in this project",
                         path, vgw_id);
    if (r < 0)
        return r;
    ret->g = svc_spec_cache_vgw(&svc->vgw_specs, row.spec, strlen(row.spec), &r);
    ret->updated_at = row.updated_at;
    ret->used_connection_number = row.used_connection_number;
    ret->connection_number = row.connection_number;
    memcpy(ret->status, row.status, sizeof(ret->status));
    store_vgw_row_done(&row);
    if (r < 0)
        return svc_stored(r);
    return model_lifecycle_check(MODEL_KIND_VGW, MODEL_OP_USE, vgw_id, ret->status, err);
}

int svc_conn_cgw(struct svc *svc, const char *project_id, const char *path, const char *cgw_id,
                 const struct model_cgw **ret, struct verr *err)
{
    struct store_cgw_row row = {0};
    int r = store_cgw_get(svc->store, project_id, cgw_id, &row);

    if (r == -ENOENT)
        return verr_fail(err, VERR_NOT_FOUND,
                         "%s.cgw_id: no customer gateway \"%.64s\" in this project", path, cgw_id);
    if (r < 0)
        return r;
    *ret = svc_spec_cache_cgw(&svc->cgw_specs, row.spec, strlen(row.spec), &r);
    store_cgw_row_done(&row);
    return svc_stored(r);
}

static void tunnel_claim_kind(char kind[sizeof(SVC_TUNNEL_CLAIM_PREFIX) + MODEL_UUID_LEN],
                              const char *vgw_id)
{
    snprintf(kind, sizeof(SVC_TUNNEL_CLAIM_PREFIX) + MODEL_UUID_LEN, "%s%s",
             SVC_TUNNEL_CLAIM_PREFIX, vgw_id);
}

void svc_tunnel_claim_init(struct svc_tunnel_claim *t, const struct model_vpn_conn *c)
{
    tunnel_claim_kind(t->kind, c->vgw_id);
    model_tunnel_network(c->tunnel_local_address, t->net);
    t->claim.kind = t->kind;
    t->claim.value = t->net;
}

int svc_tunnel_pick(struct svc *svc, struct model_vpn_conn *c, const char *const *also,
                    size_t n_also, uint32_t spread)
{
    _cleanup_(buf_free) struct buf taken = {0};
    char kind[sizeof(SVC_TUNNEL_CLAIM_PREFIX) + MODEL_UUID_LEN];
    uint32_t skip = 0, first = UINT32_MAX;
    size_t n = 0;

    if (spread > 1 && getrandom(&skip, sizeof(skip), 0) == (ssize_t)sizeof(skip))
        skip %= spread;
    else
        skip = 0;
    tunnel_claim_kind(kind, c->vgw_id);
    int r = store_claims_list(svc->store, kind, &taken, &n);

    if (r < 0)
        return r;
    for (uint32_t idx = 0;; idx++) {
        char net[MODEL_CIDR_LEN];
        bool used = false;

        r = model_tunnel_from_index(idx, c->tunnel_local_address, c->tunnel_peer_address);
        if (r < 0) {
            /* fewer than skip + 1 free: the lowest free one, if any */
            if (first != UINT32_MAX)
                return model_tunnel_from_index(first, c->tunnel_local_address,
                                               c->tunnel_peer_address);
            return r;
        }
        model_tunnel_network(c->tunnel_local_address, net);
        const char *v = taken.data;
        for (size_t i = 0; i < n && !used; i++, v += strlen(v) + 1)
            used = strcmp(v, net) == 0;
        for (size_t i = 0; i < n_also && !used; i++)
            used = strcmp(also[i], net) == 0;
        if (used)
            continue;
        if (first == UINT32_MAX)
            first = idx;
        if (skip-- == 0)
            return 0;
    }
}

int svc_conn_row(const char *project_id, const struct model_vpn_conn *c, const char *status,
                 int64_t due, struct buf *spec, struct buf *doc, struct store_conn_row *row)
{
    if (model_conn_store(c, spec, doc) < 0)
        return -ENOMEM;
    memset(row, 0, sizeof(*row));
    snprintf(row->project_id, sizeof(row->project_id), "%s", project_id);
    snprintf(row->id, sizeof(row->id), "%s", c->id);
    snprintf(row->vgw_id, sizeof(row->vgw_id), "%s", c->vgw_id);
    snprintf(row->cgw_id, sizeof(row->cgw_id), "%s", c->cgw_id);
    snprintf(row->vgw_ip, sizeof(row->vgw_ip), "%s", c->vgw_ip);
    snprintf(row->enterprise_project_id, sizeof(row->enterprise_project_id), "%s",
             c->enterprise_project_id);
    snprintf(row->status, sizeof(row->status), "%s", status);
    row->status_due = due;
    row->created_at = c->created_at;
    row->updated_at = c->updated_at;
    row->spec = spec->data;
    row->doc = doc->data;
    return 0;
}

int svc_conn_serve(const struct store_conn_row *row, struct buf *out)
{
    return model_conn_serve(row->doc, strlen(row->doc), row->status, out);
}

int svc_conn_cur_load(struct svc *svc, const char *project_id, const char *id, bool parse,
                      struct svc_conn_cur *cur, struct verr *err)
{
    int r;

    memset(cur, 0, sizeof(*cur));
    r = store_conn_get(svc->store, project_id, id, &cur->row);
    if (r == -ENOENT)
        return verr_fail(err, VERR_NOT_FOUND, "vpn connection \"%.64s\"", id);
    if (r < 0 || !parse)
        return r;
    cur->c = calloc(1, sizeof(*cur->c));
    if (!cur->c)
        return -ENOMEM;
    r = svc_stored(model_conn_from_internal_fresh(cur->row.spec, strlen(cur->row.spec), cur->c));
    if (r < 0)
        return r;
    cur->c->status = model_conn_status(cur->row.status);
    return 0;
}

void svc_conn_cur_done(struct svc_conn_cur *cur)
{
    store_conn_row_done(&cur->row);
    free(cur->c);
    cur->c = NULL;
}
