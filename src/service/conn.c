/* service/conn.c: VPN connections (spec §2): show, list, create, batch create, update. */
#include "service/svc_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ids.h"

#define BATCH_MAX 2

int svc_conn_show(struct svc *svc, const char *project_id, const char *id, struct buf *out,
                  struct verr *err)
{
    int r = store_conn_get_doc(svc->store, project_id, id, out);

    return r == -ENOENT ? verr_fail(err, VERR_NOT_FOUND, "vpn connection \"%.64s\"", id) : r;
}

static int bad_marker(const struct svc_conn_query *q, struct verr *err)
{
    return verr_set(err, "marker", "must be a next_marker from a previous page, got \"%.64s\"",
                    q->marker ? q->marker : "");
}

/* A stored row against the filters of the list (vpn_id aside). */
static bool conn_list_wants(const struct svc_conn_query *q, const char *vgw_ip,
                            const struct store_conn_row *row)
{
    bool ep = q->eps.n == 0;

    for (size_t i = 0; i < q->eps.n && !ep; i++)
        ep = strcmp(q->eps.ids[i], row->enterprise_project_id) == 0;
    return ep && (!q->vgw_id || strcmp(q->vgw_id, row->vgw_id) == 0) &&
           (!vgw_ip || strcmp(vgw_ip, row->vgw_ip) == 0);
}

/* vpn_id: a page of at most the one connection of that id (no next page). */
static int conn_list_one(struct svc *svc, const char *project_id, const struct svc_conn_query *q,
                         const char *vgw_ip, struct buf *out, struct svc_page *page)
{
    struct store_conn_row row = {0};
    bool after = true;
    int r = store_conn_get(svc->store, project_id, q->vpn_id, &row);

    if (r == -ENOENT)
        return 0;
    if (r == 0 && conn_list_wants(q, vgw_ip, &row)) {
        page->total = 1;
        r = store_marker_passes(q->marker, row.created_at, row.id, &after);
        if (r == 0 && after && q->limit > 0) {
            r = model_conn_serve(row.doc, strlen(row.doc), row.status, out);
            page->count = r == 0 ? 1 : 0;
        }
    }
    store_conn_row_done(&row);
    return r;
}

int svc_conn_list(struct svc *svc, const char *project_id, const struct svc_conn_query *q,
                  struct buf *out, struct svc_page *page, struct verr *err)
{
    char vgw_ip[MODEL_IP_LEN];
    const char *ip = q->vgw_ip;
    bool ok;

    if (store_marker_passes(q->marker, 0, "", &ok) < 0)
        return bad_marker(q, err);
    /* an address in its stored text; eip_id is one more vgw_ip the row must have */
    if (ip && model_ip_canonical(ip, vgw_ip) > 0)
        ip = vgw_ip;
    page->count = 0;
    page->next_marker[0] = '\0';
    page->total = 0;
    if (q->eip_id && ip && strcmp(q->eip_id, ip) != 0)
        return 0;
    if (q->eip_id)
        ip = q->eip_id;
    if (q->vpn_id)
        return conn_list_one(svc, project_id, q, ip, out, page);
    const struct store_conn_filter f = {
        .vgw_id = q->vgw_id,
        .vgw_ip = ip,
        .enterprise_project_ids = q->eps.ids,
        .n_enterprise_project_ids = q->eps.n,
        .marker = q->marker,
    };
    int r = store_conn_list(svc->store, project_id, &f, q->limit, out, &page->count,
                            page->next_marker, &page->total);

    return r == -EINVAL ? bad_marker(q, err) : r;
}

/* What every new connection gets: an id, a name, PENDING_CREATE and its time stamps. */
static int conn_new(struct model_vpn_conn *c, int64_t now)
{
    if (ids_uuid4(c->id) < 0 || svc_name_fill(c->name, "vpn-") < 0)
        return -EIO;
    c->status = NULL; /* in the row's status column only */
    c->created_at = c->updated_at = now;
    return 0;
}

/* One connection of a create, ready to insert: its row and its tunnel claim. */
struct conn_item {
    struct model_vpn_conn *c;
    bool auto_tunnel;
    struct buf spec, doc;
    struct store_conn_row row;
    struct svc_tunnel_claim t;
};

static void item_done(struct conn_item *it)
{
    buf_free(&it->spec);
    buf_free(&it->doc);
}

/* Renders the items (a new tunnel may have been picked) and appends each one's create reply
 * (CreateResponseVpnConnection: no status, spec §2.5, nor bgp_peer) to out. */
static int items_render(struct svc *svc, const char *project_id, struct conn_item *items,
                        size_t n, struct buf *out)
{
    int r = 0;

    for (size_t i = 0; r == 0 && i < n; i++) {
        struct conn_item *it = &items[i];

        buf_reset(&it->spec);
        buf_reset(&it->doc);
        r = svc_conn_row(project_id, it->c, MODEL_STATUS(PENDING_CREATE),
                         svc_due_for(svc, MODEL_KIND_CONN, project_id, it->c->id, it->c->vgw_id,
                                     MODEL_STATUS(PENDING_CREATE), it->c->created_at),
                         &it->spec, &it->doc, &it->row);
        svc_tunnel_claim_init(&it->t, it->c);
        if (r == 0 && i > 0)
            r = buf_puts(out, ",");
        if (r == 0)
            r = model_conn_render_create(it->c, out);
    }
    return r < 0 ? r : svc_reply_room(out);
}

/* Picks the automatic tunnels, each avoiding the ones the other items use; spread as in
 * svc_tunnel_pick. */
static int items_tunnels(struct svc *svc, struct conn_item *items, size_t n, uint32_t spread)
{
    char nets[BATCH_MAX][MODEL_CIDR_LEN];
    const char *also[BATCH_MAX];
    size_t n_also = 0;

    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            struct model_vpn_conn *c = items[i].c;

            if (items[i].auto_tunnel != (pass == 1))
                continue;
            if (pass == 1) {
                int r = svc_tunnel_pick(svc, c, also, n_also, spread);
                if (r < 0)
                    return r;
            }
            model_tunnel_network(c->tunnel_local_address, nets[n_also]);
            also[n_also] = nets[n_also];
            n_also++;
        }
    }
    return 0;
}

/* The refusal of a tunnel address whose /30 another connection of the gateway holds. */
static int ip_occupied(const struct model_vpn_conn *c, struct verr *err)
{
    return verr_fail(err, VERR_IP_OCCUPIED,
                     "IP address %s is occupied: the /30 of vpn_connection.tunnel_local_address is "
                     "used by another connection of VPN gateway %s",
                     c->tunnel_local_address, c->vgw_id);
}

/* The refusal for an insert the store refused (failed: the index of the item). */
static int insert_refused(struct svc *svc, const char *project_id, const struct conn_item *items,
                          size_t n, size_t failed, const struct svc_vgw_ref *vgw, int r,
                          struct verr *err)
{
    const struct model_vpn_conn *c = items[failed < n ? failed : 0].c;
    char path[48] = "vpn_connection";

    if (n > 1)
        snprintf(path, sizeof(path), "vpn_connections[%zu]", failed < n ? failed : 0);
    switch (r) {
    case -EEXIST:
        return ip_occupied(c, err);
    case -EDQUOT:
        return svc_quota_refuse(svc, project_id, MODEL_KIND_CONN, err);
    case -EOVERFLOW:
        if (n > 1)
            return verr_set(err, path,
                            "VPN gateway %s has no free connection capacity (%lld connections "
                            "allowed, %lld used); none of the %zu connections was created",
                            c->vgw_id, (long long)vgw->connection_number,
                            (long long)vgw->used_connection_number, n);
        return verr_fail(err, VERR_INVALID,
                         "VPN gateway %s has no free connection capacity (%lld connections "
                         "allowed)",
                         c->vgw_id, (long long)vgw->g->connection_number);
    case -ENOENT:
        if (n > 1)
            return verr_fail(err, VERR_NOT_FOUND,
                             "%s: its VPN gateway or customer gateway is gone", path);
        return verr_fail(err, VERR_NOT_FOUND,
                         "vpn_connection.vgw_id: no VPN gateway \"%s\" in this project",
                         c->vgw_id);
    case -EAGAIN: /* the gateway left ACTIVE after it was read */
        return verr_fail(err, VERR_VGW_NOT_READY,
                         "VPN gateway is not ready, please try again later: gateway \"%s\" is no "
                         "longer ACTIVE",
                         c->vgw_id);
    default:
        return r;
    }
}

/* Inserts the items in one transaction (a racing create that took an automatic /30 makes it
 * -EEXIST: picked again), appending their replies to out. */
static int items_insert(struct svc *svc, const char *project_id, struct conn_item *items,
                        size_t n, const struct svc_vgw_ref *vgw, struct buf *out,
                        struct verr *err)
{
    struct store_conn_new news[BATCH_MAX];
    size_t len0 = out->len, failed = 0;
    bool any_auto = false;
    int r;

    for (size_t i = 0; i < n; i++)
        any_auto = any_auto || items[i].auto_tunnel;
    for (int attempt = 0;; attempt++) {
        svc_buf_cut(out, len0);
        /* a re-pick after a racing create (another node's, whose claims this one could not
         * see yet) draws from more and more of the lowest free /30s, so that the racers
         * spread out instead of meeting on the same lowest one again */
        r = items_tunnels(svc, items, n, attempt ? 16u << attempt : 0);
        if (r == -ENOSPC)
            return verr_set(err, n > 1 ? "vpn_connections" : "vpn_connection.tunnel_local_address",
                            "no free 169.254.0.0/16 /30 left on VPN gateway %s",
                            items[0].c->vgw_id);
        if (r == 0)
            r = items_render(svc, project_id, items, n, out);
        for (size_t i = 0; r == 0 && i < n; i++)
            news[i] = (struct store_conn_new){
                .row = &items[i].row,
                .claims = &items[i].t.claim,
                .n_claims = 1,
                .event = {.at = items[i].c->created_at, .message = SVC_CONN_EVENT_CREATED},
            };
        if (r == 0)
            r = store_conn_insert_batch(svc->store, news, n, &failed);
        if (r != -EEXIST || !any_auto || attempt + 1 == SVC_TUNNEL_ATTEMPTS)
            break;
    }
    if (r < 0)
        svc_buf_cut(out, len0);
    return r < 0 ? insert_refused(svc, project_id, items, n, failed, vgw, r, err) : 0;
}

/* A project whose quota of kind is 0 holds none: refused before any write. */
static int quota_zero(struct svc *svc, const char *project_id, enum model_kind kind,
                      struct verr *err)
{
    unsigned q = kind == MODEL_KIND_VGW   ? svc->cfg.quota_vpn_gateway
                 : kind == MODEL_KIND_CGW ? svc->cfg.quota_customer_gateway
                                          : svc->cfg.quota_vpn_connection;

    return q == 0 ? svc_quota_refuse(svc, project_id, kind, err) : 0;
}

int svc_conn_create(struct svc *svc, const char *project_id, const struct model_body *body,
                    struct buf *out, struct verr *err)
{
    _cleanup_free_ struct model_vpn_conn *c = calloc(1, sizeof(*c));
    struct conn_item it = {.c = c};
    struct svc_vgw_ref vgw;
    const struct model_cgw *cgw;
    int r;

    if (!c)
        return -ENOMEM;
    r = model_conn_parse_create_fresh(body, c, err);
    if (r == 0)
        r = svc_conn_vgw(svc, project_id, "vpn_connection", c->vgw_id, &vgw, err);
    if (r == 0)
        r = svc_conn_cgw(svc, project_id, "vpn_connection", c->cgw_id, &cgw, err);
    if (r == 0)
        r = quota_zero(svc, project_id, MODEL_KIND_CONN, err);
    if (r == 0)
        r = model_conn_bind(c, vgw.g, cgw, err);
    if (r == 0)
        r = conn_new(c, svc_now_ms(svc));
    it.auto_tunnel = c->tunnel_local_address[0] == '\0';
    if (r == 0)
        r = items_insert(svc, project_id, &it, 1, &vgw, out, err);
    item_done(&it);
    return r;
}

struct batch {
    size_t n;
    struct model_vpn_conn c[BATCH_MAX];
    struct model_cgw cgw[BATCH_MAX]; /* copies: the spec cache keeps only its last lookup */
    struct conn_item items[BATCH_MAX];
};

/* Checks what needs the gateway and the customer gateways, and names the connections. */
static int batch_bind(struct svc *svc, const char *project_id, struct batch *b,
                      struct svc_vgw_ref *vgw, struct verr *err)
{
    char path[BATCH_MAX][48];
    int64_t now = svc_now_ms(svc);
    int r = 0;

    for (size_t i = 0; i < b->n; i++)
        snprintf(path[i], sizeof(path[i]), "vpn_connections[%zu]", i);
    for (size_t i = 1; i < b->n; i++) {
        char vpath[64];

        snprintf(vpath, sizeof(vpath), "%s.vgw_id", path[i]);
        if (strcmp(b->c[i].vgw_id, b->c[0].vgw_id) != 0)
            return verr_set(err, vpath,
                            "must be the VPN gateway of vpn_connections[0].vgw_id (\"%s\"), got "
                            "\"%s\"",
                            b->c[0].vgw_id, b->c[i].vgw_id);
    }
    r = svc_conn_vgw(svc, project_id, path[0], b->c[0].vgw_id, vgw, err);
    for (size_t i = 0; r == 0 && i < b->n; i++) {
        const struct model_cgw *cgw;

        r = svc_conn_cgw(svc, project_id, path[i], b->c[i].cgw_id, &cgw, err);
        if (r == 0)
            memcpy(&b->cgw[i], cgw, sizeof(b->cgw[i]));
    }
    if (r == 0)
        r = quota_zero(svc, project_id, MODEL_KIND_CONN, err);
    for (size_t i = 0; r == 0 && i < b->n; i++) {
        r = model_conn_bind(&b->c[i], vgw->g, &b->cgw[i], err);
        if (r == -EINVAL)
            model_verr_reprefix(err, path[i]);
        if (r == 0)
            r = conn_new(&b->c[i], now);
        b->items[i] = (struct conn_item){
            .c = &b->c[i], .auto_tunnel = b->c[i].tunnel_local_address[0] == '\0'};
    }
    return r;
}

int svc_conn_batch_create(struct svc *svc, const char *project_id, const struct model_body *body,
                          struct buf *out, struct verr *err)
{
    _cleanup_free_ struct batch *b = calloc(1, sizeof(*b));
    struct svc_vgw_ref vgw;
    int r;

    if (!b)
        return -ENOMEM;
    r = model_conn_parse_batch(body, b->c, BATCH_MAX, &b->n, err);
    if (r == 0)
        r = batch_bind(svc, project_id, b, &vgw, err);
    if (r == 0)
        r = items_insert(svc, project_id, b->items, b->n, &vgw, out, err);
    for (size_t i = 0; i < BATCH_MAX; i++)
        item_done(&b->items[i]);
    return r;
}

/* One attempt of a PUT against the connection as read now; -EAGAIN when its compare-and-set
 * lost a race (read again). */
static int update_once(struct svc *svc, const char *project_id, const char *id,
                       const struct model_body *body, struct model_vpn_conn *cur,
                       struct model_vpn_conn *c, struct buf *out, struct verr *err)
{
    _cleanup_(svc_conn_cur_done) struct svc_conn_cur now = {0};
    _cleanup_(buf_free) struct buf spec = {0};
    _cleanup_(buf_free) struct buf doc = {0};
    struct store_conn_row row;
    struct svc_vgw_ref vgw;
    const struct model_cgw *cgw;
    struct svc_tunnel_claim t;
    char msg[96];
    size_t len0 = out->len;
    int r = svc_conn_cur_load(svc, project_id, id, false, &now, err);

    if (r == 0)
        r = model_lifecycle_check(MODEL_KIND_CONN, MODEL_OP_UPDATE, id, now.row.status, err);
    if (r == 0) {
        memset(cur, 0, sizeof(*cur));
        memset(c, 0, sizeof(*c));
        r = model_conn_parse_update(now.row.spec, strlen(now.row.spec), body, cur, c, err);
    }
    if (r == 0)
        r = svc_conn_vgw(svc, project_id, "vpn_connection", c->vgw_id, &vgw, err);
    if (r == 0)
        r = svc_conn_cgw(svc, project_id, "vpn_connection", c->cgw_id, &cgw, err);
    if (r < 0)
        return r;
    if (c->tunnel_local_address[0] == '\0') { /* a cleared pair keeps the current one */
        memcpy(c->tunnel_local_address, cur->tunnel_local_address, MODEL_CIDR_LEN);
        memcpy(c->tunnel_peer_address, cur->tunnel_peer_address, MODEL_CIDR_LEN);
    }
    r = model_conn_bind(c, vgw.g, cgw, err);
    if (r < 0)
        return r;
    c->status = NULL;
    c->updated_at = svc_now_ms(svc);
    bool moved = strcmp(c->tunnel_local_address, cur->tunnel_local_address) != 0;
    svc_tunnel_claim_init(&t, c);
    r = svc_conn_row(project_id, c, MODEL_STATUS(PENDING_UPDATE),
                     svc_due_for(svc, MODEL_KIND_CONN, project_id, c->id, c->vgw_id,
                                 MODEL_STATUS(PENDING_UPDATE), c->updated_at),
                     &spec, &doc, &row);
    if (r == 0)
        r = svc_conn_serve(&row, out);
    if (r == 0)
        r = svc_reply_room(out);
    if (r < 0)
        return r;
    /* validated against the gateway's local subnets: a gateway update in between is a retry */
    struct store_conn_expect from = {.status = now.row.status, .spec = now.row.spec,
                                     .vgw_updated_at = vgw.updated_at};
    struct store_event ev = {.at = c->updated_at, .message = msg};
    snprintf(msg, sizeof(msg), "status %s -> PENDING_UPDATE (updated)", now.row.status);
    r = store_conn_update_if(svc->store, &row, &from, moved ? &t.claim : NULL, moved ? 1 : 0,
                             &ev);
    if (r < 0)
        svc_buf_cut(out, len0);
    if (r == -EEXIST)
        return ip_occupied(c, err);
    return r == -ENOENT ? -EAGAIN : r;
}

int svc_conn_update(struct svc *svc, const char *project_id, const char *id,
                    const struct model_body *body, struct buf *out, struct verr *err)
{
    _cleanup_free_ struct model_vpn_conn *cur = malloc(sizeof(*cur));
    _cleanup_free_ struct model_vpn_conn *c = malloc(sizeof(*c));

    if (!cur || !c)
        return -ENOMEM;
    for (int attempt = 0; attempt < SVC_CAS_ATTEMPTS; attempt++) {
        int r = update_once(svc, project_id, id, body, cur, c, out, err);
        if (r != -EAGAIN)
            return r;
    }
    return -EBUSY;
}
