/* service/vgw_update.c: gateway configuration update (PUT, spec §3.1/3.3) and flavor change
 * (POST update-specification).
 *
 * An update moves an ACTIVE gateway to PENDING_UPDATE (compare-and-set in the store, so of two
 * racing updates one wins and the other gets VPN.0507); the status engine settles it back to
 * ACTIVE after --status-delay. While it is not ACTIVE, connection creates get 409 VPN.0016. */
#include "service/svc_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/pool.h"

/* The stored gateway, which must be ACTIVE (the lifecycle table). */
static int load_active(struct svc *svc, const char *project_id, const char *id,
                       struct svc_vgw_cur *cur, struct verr *err)
{
    int r = svc_vgw_load(svc, project_id, id, cur, err);

    return r < 0 ? r : model_lifecycle_check(MODEL_KIND_VGW, MODEL_OP_UPDATE, id, cur->status, err);
}

/* New local subnets must not overlap a peer subnet of the gateway's connections. *stamp gets
 * the connections as checked (read first: a change after it makes the update -ESTALE). */
static int check_connections(struct svc *svc, const char *project_id, const struct model_vgw *g,
                             struct store_vgw_conns *stamp, struct verr *err)
{
    _cleanup_(buf_free) struct buf docs = {0};
    struct store_conn_filter f = {.vgw_id = g->id};
    char next[STORE_MARKER_LEN];
    size_t count = 0;
    int r = store_vgw_conns_stamp(svc->store, project_id, g->id, stamp);

    if (r == 0)
        r = buf_puts(&docs, "[");
    /* a gateway holds at most connection_number connections: one page has them all */
    if (r == 0)
        r = store_conn_list(svc->store, project_id, &f, (size_t)g->connection_number + 1, &docs,
                            &count, next, NULL);
    if (r == 0)
        r = buf_puts(&docs, "]");
    if (r == 0)
        r = model_vgw_check_peer_overlap(g, docs.data, docs.len, err);
    return r == -EPROTO ? -EIO : r;
}

struct eip_claims {
    struct store_claim v[SVC_VGW_CLAIMS];
    char kind[128];
    const char *released[2];
    const char *released_field[2];
    size_t n_released;
};

/* The public gateway's EIP claims after the update (all of them: the store replaces the set),
 * with fresh pool addresses for the replaced EIPs, and the EIP ids taken away. */
static int eip_claims(struct svc *svc, const char *project_id, const struct model_vgw *cur,
                      struct model_vgw *g, unsigned changed, struct eip_claims *cl)
{
    struct model_eip *e[2] = {&g->eip1, &g->eip2};
    const struct model_eip *old[2] = {&cur->eip1, &cur->eip2};
    static const char *const field[2] = {"eip_id_1", "eip_id_2"};

    cl->n_released = 0;
    for (size_t i = 0; i < 2; i++) {
        if (!(changed & (1u << i)))
            continue;
        if (svc_pool_pick(svc_pool_of(svc, g, true), e[i]->ip_address) < 0)
            return -EIO;
        cl->released_field[cl->n_released] = field[i];
        cl->released[cl->n_released++] = old[i]->id;
    }
    svc_eip_claims(project_id, g, cl->kind, cl->v);
    return 0;
}

static int save_refused(const struct model_vgw *g, const struct eip_claims *cl, size_t busy,
                        int r, struct verr *err)
{
    switch (r) {
    case -ENOENT:
        return verr_fail(err, VERR_NOT_FOUND, "vpn gateway \"%.64s\"", g->id);
    case -EAGAIN:
        return verr_fail(err, VERR_VGW_UPDATING,
                         "The VPN gateway is being updated, please try again later: gateway %s "
                         "is no longer ACTIVE",
                         g->id);
    case -EOVERFLOW:
        return verr_set(err, "vpn_gateway.flavor",
                        "%s allows %lld connections but the gateway has more, got \"%s\"",
                        g->flavor, (long long)g->connection_number, g->flavor);
    case -ENOTEMPTY:
        return verr_fail(err, VERR_INVALID,
                         "vpn_gateway.%s: the EIP it replaces (%s) is the vgw_ip of a VPN "
                         "connection of this gateway; delete or move that connection first",
                         cl->released_field[busy], cl->released[busy]);
    case -EEXIST:
        return verr_set_code(err, VERR_EIP_BOUND, "vpn_gateway.eip_id_1 or eip_id_2",
                             "the EIP is already bound to another VPN gateway");
    default:
        return r; /* -ESTALE: the caller checks again */
    }
}

/* Writes the updated gateway (PENDING_UPDATE, compare-and-set from ACTIVE) and appends it to
 * out. conns (or NULL) as checked. */
static int save(struct svc *svc, const char *project_id, const struct model_vgw *cur,
                struct model_vgw *g, unsigned eip_changed, const struct store_vgw_conns *conns,
                struct buf *out, struct verr *err)
{
    _cleanup_(buf_free) struct buf spec = {0};
    struct store_vgw_row row;
    struct eip_claims cl = {0};
    struct store_vgw_update u = {
        .row = &row, .from_status = MODEL_STATUS(ACTIVE), .conns = conns};
    size_t busy = 0, len0 = out->len;
    int r = -EEXIST;

    g->status = MODEL_STATUS(PENDING_UPDATE);
    g->updated_at = svc_later(svc_now_ms(svc), cur->updated_at);
    /* a collision on a drawn address is retried; one on a given EIP id is the client's */
    for (int attempt = 0; r == -EEXIST && attempt < (eip_changed ? SVC_ADDRESS_ATTEMPTS : 1);
         attempt++) {
        svc_buf_cut(out, len0);
        buf_reset(&spec);
        r = eip_changed ? eip_claims(svc, project_id, cur, g, eip_changed, &cl) : 0;
        if (r == 0)
            r = svc_vgw_row(project_id, g, g->status,
                            svc_due_for(svc, MODEL_KIND_VGW, project_id, g->id, NULL, g->status,
                                        g->updated_at),
                            &spec, &row);
        if (r == 0)
            r = model_vgw_render(g, out);
        if (r == 0)
            r = svc_reply_room(out);
        u.claims = eip_changed ? cl.v : NULL;
        u.n_claims = eip_changed ? SVC_VGW_CLAIMS : 0;
        u.released = cl.released;
        u.n_released = cl.n_released;
        if (r == 0)
            r = store_vgw_update(svc->store, &u, &busy);
    }
    if (r < 0)
        svc_buf_cut(out, len0);
    return r < 0 ? save_refused(g, &cl, busy, r, err) : 0;
}

/* One attempt; -ESTALE when a connection of the gateway changed between the overlap check and
 * the write: check again. */
static int update_once(struct svc *svc, const char *project_id, const char *id,
                       const struct model_body *body, struct svc_vgw_cur *cur,
                       struct model_vgw *g, struct buf *out, struct verr *err)
{
    struct store_vgw_conns stamp;
    unsigned eip_changed = 0;
    int r = load_active(svc, project_id, id, cur, err);

    if (r == 0)
        r = model_vgw_parse_update(&cur->g, body, g, &eip_changed, err);
    if (r < 0)
        return r;
    bool subnets_changed =
        g->n_local_subnets != cur->g.n_local_subnets ||
        memcmp(g->local_subnets, cur->g.local_subnets,
               g->n_local_subnets * sizeof(g->local_subnets[0])) != 0 ||
        g->n_local_subnets_v6 != cur->g.n_local_subnets_v6 ||
        memcmp(g->local_subnets_v6, cur->g.local_subnets_v6,
               g->n_local_subnets_v6 * sizeof(g->local_subnets_v6[0])) != 0;
    if (subnets_changed && (r = check_connections(svc, project_id, g, &stamp, err)) < 0)
        return r;
    return save(svc, project_id, &cur->g, g, eip_changed, subnets_changed ? &stamp : NULL, out,
                err);
}

int svc_vgw_update(struct svc *svc, const char *project_id, const char *id,
                   const struct model_body *body, struct buf *out, struct verr *err)
{
    _cleanup_free_ struct svc_vgw_cur *cur = calloc(1, sizeof(*cur));
    _cleanup_free_ struct model_vgw *g = calloc(1, sizeof(*g));

    if (!cur || !g)
        return -ENOMEM;
    for (int attempt = 0; attempt < SVC_ADDRESS_ATTEMPTS; attempt++) {
        int r = update_once(svc, project_id, id, body, cur, g, out, err);
        if (r != -ESTALE)
            return r;
    }
    return -EBUSY;
}

int svc_vgw_update_flavor(struct svc *svc, const char *project_id, const char *id,
                          const struct model_body *body, struct buf *out, struct verr *err)
{
    _cleanup_free_ struct svc_vgw_cur *cur = calloc(1, sizeof(*cur));
    _cleanup_free_ struct model_vgw *g = calloc(1, sizeof(*g));
    int r = cur && g ? load_active(svc, project_id, id, cur, err) : -ENOMEM;

    if (r == 0)
        r = model_vgw_parse_flavor(&cur->g, body, g, err);
    if (r == 0 && g->connection_number < cur->g.used_connection_number)
        r = verr_set(err, "vpn_gateway.flavor",
                     "%s allows %lld connections but the gateway has %lld, got \"%s\"", g->flavor,
                     (long long)g->connection_number,
                     (long long)cur->g.used_connection_number, g->flavor);
    return r < 0 ? r : save(svc, project_id, &cur->g, g, 0, NULL, out, err);
}
