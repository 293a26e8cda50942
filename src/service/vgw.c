/* service/vgw.c: VPN gateways (spec §3): create, show, list, delete, and what the gateway
 * operations share (load, compare-and-set save, stored form, addresses). There is no EIP service
 * behind vpnd: an EIP given by id keeps it, one given as a bandwidth spec gets generated ids, and
 * each gets an address from the EIP pool; private gateways get access IPs from the private
 * pool. Uniqueness is the store's (claims): a drawn address that collides is drawn again. */
#include "service/svc_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/pool.h"
#include "util/ids.h"

int svc_vgw_row(const char *project_id, const struct model_vgw *g, const char *status,
                int64_t due, struct buf *spec, struct store_vgw_row *row)
{
    if (model_vgw_store(g, spec) < 0)
        return -ENOMEM;
    memset(row, 0, sizeof(*row));
    snprintf(row->project_id, sizeof(row->project_id), "%s", project_id);
    snprintf(row->id, sizeof(row->id), "%s", g->id);
    snprintf(row->status, sizeof(row->status), "%s", status);
    snprintf(row->enterprise_project_id, sizeof(row->enterprise_project_id), "%s",
             g->enterprise_project_id);
    row->connection_number = g->connection_number;
    row->status_due = due;
    row->created_at = g->created_at;
    row->updated_at = g->updated_at;
    row->spec = spec->data;
    return 0;
}

/* Takes the columns the store maintains into g. */
static void vgw_of_row(const struct store_vgw_row *row, struct model_vgw *g)
{
    g->used_connection_number = row->used_connection_number;
    g->connection_number = row->connection_number;
    g->updated_at = row->updated_at;
    g->status = model_vgw_status(row->status);
}

/* The customer gateways the gateway's connections use (used_connection_group). */
static int vgw_groups(struct svc *svc, const char *project_id, struct model_vgw *g)
{
    struct store_vgw_conns stamp = {0};
    int r = store_vgw_conns_stamp(svc->store, project_id, g->id, &stamp);

    if (r == 0)
        g->used_connection_group = stamp.groups;
    return r;
}

/* The rendered gateway with the row's facts (status, connection counts, updated_at). */
static int vgw_render_row(struct svc *svc, const struct store_vgw_row *row, struct model_vgw *g,
                          struct buf *out)
{
    int r = svc_stored(model_vgw_from_internal(row->spec, strlen(row->spec), g));

    if (r < 0)
        return r;
    vgw_of_row(row, g);
    r = vgw_groups(svc, row->project_id, g);
    return r < 0 ? r : model_vgw_render(g, out);
}

int svc_vgw_load(struct svc *svc, const char *project_id, const char *id,
                 struct svc_vgw_cur *cur, struct verr *err)
{
    struct store_vgw_row row = {0};
    int r = store_vgw_get(svc->store, project_id, id, &row);

    if (r == -ENOENT)
        return verr_fail(err, VERR_NOT_FOUND, "vpn gateway \"%.64s\"", id);
    if (r < 0)
        return r;
    r = svc_stored(model_vgw_from_internal(row.spec, strlen(row.spec), &cur->g));
    if (r == 0)
        vgw_of_row(&row, &cur->g);
    if (r == 0)
        r = vgw_groups(svc, project_id, &cur->g);
    snprintf(cur->status, sizeof(cur->status), "%s", row.status);
    store_vgw_row_done(&row);
    return r;
}

int svc_vgw_save(struct svc *svc, const char *project_id, struct svc_vgw_cur *cur, bool pending)
{
    _cleanup_(buf_free) struct buf spec = {0};
    struct store_vgw_row row;
    struct store_vgw_update u = {.row = &row, .from_status = cur->status};
    struct model_vgw *g = &cur->g;
    const char *status = pending ? MODEL_STATUS(PENDING_UPDATE) : cur->status;

    g->updated_at = svc_later(svc_now_ms(svc), g->updated_at);
    /* store_vgw_get does not report status_due: a pending status is due again from now */
    int64_t due = model_status_is_pending(status)
                      ? svc_due_for(svc, MODEL_KIND_VGW, project_id, g->id, NULL, status,
                                    g->updated_at)
                      : 0;
    int r = svc_vgw_row(project_id, g, status, due, &spec, &row);

    if (r == 0)
        r = store_vgw_update(svc->store, &u, NULL);
    if (r == 0) {
        snprintf(cur->status, sizeof(cur->status), "%s", status);
        g->status = model_vgw_status(status);
    }
    return r;
}

/* An EIP of gateway g: ids drawn (draw_id, for one given as a bandwidth spec) and an address
 * from the pool of the gateway's ip_version (draw_address). */
static int eip_draw(struct svc *svc, const struct model_vgw *g, struct model_eip *e, bool draw_id,
                    bool draw_address)
{
    const struct svc_pool *pool = svc_pool_of(svc, g, true);
    char hex[5];

    e->ip_version = pool->family;
    if (draw_id && !e->id[0]) {
        if (ids_uuid4(e->id) < 0 || ids_hex(hex, 4) < 0)
            return -EIO;
        if (!e->bandwidth_id[0] && ids_uuid4(e->bandwidth_id) < 0)
            return -EIO;
        if (!e->bandwidth_name[0])
            snprintf(e->bandwidth_name, sizeof(e->bandwidth_name), "vpngw-bandwidth-%s", hex);
    }
    return draw_address ? svc_pool_pick(pool, e->ip_address) : 0;
}

void svc_eip_claims(const char *project_id, const struct model_vgw *g, char kind[128],
                    struct store_claim v[SVC_VGW_CLAIMS])
{
    snprintf(kind, 128, "eip_id:%s", project_id);
    v[0] = (struct store_claim){kind, g->eip1.id};
    v[1] = (struct store_claim){kind, g->eip2.id};
    v[2] = (struct store_claim){"eip_address", g->eip1.ip_address};
    v[3] = (struct store_claim){"eip_address", g->eip2.ip_address};
}

int svc_vgw_addresses(struct svc *svc, const char *project_id, struct model_vgw *g,
                      const struct svc_vgw_draw *d, struct svc_vgw_claims *cl)
{
    if (strcmp(g->network_type, "public") == 0) {
        if (eip_draw(svc, g, &g->eip1, d->eip_ids, d->eip1) < 0 ||
            eip_draw(svc, g, &g->eip2, d->eip_ids, d->eip2) < 0)
            return -EIO;
        svc_eip_claims(project_id, g, cl->kind, cl->v);
        cl->n = SVC_VGW_CLAIMS;
        return 0;
    }
    while (d->private_ips) {
        if (svc_pool_pick(svc_pool_of(svc, g, false), g->access_private_ip_1) < 0 ||
            svc_pool_pick(svc_pool_of(svc, g, false), g->access_private_ip_2) < 0)
            return -EIO;
        if (strcmp(g->access_private_ip_1, g->access_private_ip_2) != 0)
            break;
    }
    /* private addresses are unique within one VPC of one project, not globally */
    snprintf(cl->kind, sizeof(cl->kind), "private_ip:%s:%s", project_id, g->access_vpc_id);
    cl->v[0] = (struct store_claim){cl->kind, g->access_private_ip_1};
    cl->v[1] = (struct store_claim){cl->kind, g->access_private_ip_2};
    cl->n = 2;
    return 0;
}

/* Inserts g (status PENDING_CREATE) with its drawn addresses, retrying a collision on a drawn
 * address; appends the create reply to out before each insert. */
static int vgw_insert(struct svc *svc, const char *project_id, struct model_vgw *g,
                      const struct svc_vgw_draw *d, struct buf *out)
{
    _cleanup_(buf_free) struct buf spec = {0};
    struct store_vgw_row row;
    struct svc_vgw_claims cl;
    size_t len0 = out->len;
    int r = -EEXIST;

    for (int attempt = 0; r == -EEXIST && attempt < SVC_ADDRESS_ATTEMPTS; attempt++) {
        svc_buf_cut(out, len0);
        buf_reset(&spec);
        r = svc_vgw_addresses(svc, project_id, g, d, &cl);
        if (r == 0)
            r = svc_vgw_row(project_id, g, MODEL_STATUS(PENDING_CREATE),
                            svc_due_for(svc, MODEL_KIND_VGW, project_id, g->id, NULL,
                                        MODEL_STATUS(PENDING_CREATE), g->created_at),
                            &spec, &row);
        if (r == 0) /* CreateResponseVpnGateway: no status, EIPs, zones or time stamps */
            r = model_vgw_render_create(g, out);
        if (r == 0)
            r = svc_reply_room(out);
        if (r == 0)
            r = store_vgw_insert(svc->store, &row, cl.v, cl.n);
    }
    if (r < 0)
        svc_buf_cut(out, len0);
    return r;
}

int svc_vgw_create(struct svc *svc, const char *project_id, const struct model_body *body,
                   struct buf *out, struct verr *err)
{
    _cleanup_free_ struct model_vgw *g = calloc(1, sizeof(*g));
    int r;

    if (!g)
        return -ENOMEM;
    r = model_vgw_parse_create(body, g, err);
    if (r == 0 && svc->cfg.quota_vpn_gateway == 0)
        r = svc_quota_refuse(svc, project_id, MODEL_KIND_VGW, err);
    if (r < 0)
        return r;
    if (ids_uuid4(g->id) < 0 || svc_name_fill(g->name, "vpngw-") < 0)
        return -EIO;
    g->status = NULL;
    g->created_at = g->updated_at = svc_now_ms(svc);

    bool keep_private = g->access_private_ip_1[0] != '\0';
    bool given_eip = g->eip1.id[0] != '\0' || g->eip2.id[0] != '\0';
    const struct svc_vgw_draw d = {
        .eip_ids = true, .eip1 = true, .eip2 = true, .private_ips = !keep_private};
    r = vgw_insert(svc, project_id, g, &d, out);
    if (r == -EEXIST && given_eip)
        return verr_set_code(err, VERR_EIP_BOUND, "vpn_gateway.eip1.id or eip2.id",
                             "the EIP is already bound to another VPN gateway");
    if (r == -EEXIST && keep_private)
        return verr_fail(err, VERR_IP_OCCUPIED, "IP address %s or %s is occupied in VPC %s",
                         g->access_private_ip_1, g->access_private_ip_2, g->access_vpc_id);
    if (r == -EDQUOT)
        return svc_quota_refuse(svc, project_id, MODEL_KIND_VGW, err);
    return r;
}

int svc_vgw_show(struct svc *svc, const char *project_id, const char *id, struct buf *out,
                 struct verr *err)
{
    _cleanup_free_ struct model_vgw *g = malloc(sizeof(*g));
    struct store_vgw_row row = {0};
    int r = g ? store_vgw_get(svc->store, project_id, id, &row) : -ENOMEM;

    if (r == -ENOENT)
        return verr_fail(err, VERR_NOT_FOUND, "vpn gateway \"%.64s\"", id);
    if (r == 0)
        r = vgw_render_row(svc, &row, g, out);
    store_vgw_row_done(&row);
    return r;
}

struct vgw_list {
    struct svc *svc;
    const struct svc_vgw_query *q;
    struct model_vgw *g;
    struct buf *out;
    size_t n;
};

static bool vgw_list_wants(const struct svc_vgw_query *q, const struct store_vgw_row *row)
{
    if (q->vgw_id && strcmp(q->vgw_id, row->id) != 0)
        return false;
    for (size_t i = 0; i < q->eps.n; i++) {
        if (strcmp(q->eps.ids[i], row->enterprise_project_id) == 0)
            return true;
    }
    return q->eps.n == 0;
}

static int vgw_list_row(void *ud, const struct store_vgw_row *row)
{
    struct vgw_list *l = ud;

    if (!vgw_list_wants(l->q, row))
        return 0;
    if (l->n++ > 0 && buf_puts(l->out, ",") < 0)
        return -ENOMEM;
    return vgw_render_row(l->svc, row, l->g, l->out);
}

int svc_vgw_list(struct svc *svc, const char *project_id, const struct svc_vgw_query *q,
                 struct buf *out, struct verr *err)
{
    _cleanup_free_ struct model_vgw *g = malloc(sizeof(*g));
    struct vgw_list l = {.svc = svc, .q = q, .g = g, .out = out};

    (void)err;
    return g ? store_vgw_list(svc->store, project_id, vgw_list_row, &l) : -ENOMEM;
}

int svc_vgw_delete(struct svc *svc, const char *project_id, const char *id, struct verr *err)
{
    int64_t users = 0;
    int r = store_vgw_delete(svc->store, project_id, id, &users);

    if (r == -ENOENT)
        return verr_fail(err, VERR_NOT_FOUND, "vpn gateway \"%.64s\"", id);
    if (r == -ENOTEMPTY)
        return verr_fail(err, VERR_INVALID,
                         "vpn gateway %s has %lld connection(s); delete them first", id,
                         (long long)users);
    return r;
}

int svc_vgw_settle(struct svc *svc, const struct svc_due *d)
{
    /* a gateway settles ACTIVE; a due time on any other status is only cleared */
    const char *to = model_status_is_pending(d->status) ? MODEL_STATUS(ACTIVE) : d->status;

    return store_vgw_set_status(svc->store, d->project_id, d->id, d->status, to, 0,
                                svc_now_ms(svc));
}
