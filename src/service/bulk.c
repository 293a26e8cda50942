/* service/bulk.c: what vpnd import and vpnd export need from the service: a bulk load whose
 * records go through the same steps as the API's creates (addresses and tunnels drawn,
 * rows built and inserted by the functions the API uses), and the dump of every resource.
 *
 * An imported resource keeps what its record gives (id, and with keep its time stamps and
 * status) and is settled, never pending: gateways ACTIVE, connections the configured settle
 * status. Quotas are not applied (svc_init with quotas 0): this is the operator loading the
 * store, not a tenant calling the API. Refusals name the record's field as the import reports
 * them ("must not be the id of an existing gateway", ...). */
#include "service/svc_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ids.h"

#define KEY_LEN (MODEL_PROJECT_ID_LEN + MODEL_UUID_LEN)

struct svc_import {
    struct svc *svc;
    bool batch_open; /* a store batch is open: a failed write leaves it to be undone */
    struct buf spec, doc;
    /* The last gateway and customer gateway a connection used: files list the connections of
     * one gateway together, so this saves a read and a parse per connection. */
    char vgw_key[KEY_LEN];
    struct model_vgw vgw;
    char cgw_key[KEY_LEN];
    struct model_cgw cgw;
};

int svc_import_begin(struct svc *svc, struct svc_import **ret)
{
    struct svc_import *imp = calloc(1, sizeof(*imp));
    int r = imp ? store_bulk_begin(svc->store) : -ENOMEM;

    if (r < 0) {
        free(imp);
        return r;
    }
    imp->svc = svc;
    *ret = imp;
    return 0;
}

int svc_import_batch(struct svc_import *imp)
{
    int r = store_bulk_batch(imp->svc->store);

    imp->batch_open = r == 0;
    return r;
}

int svc_import_undo(struct svc_import *imp)
{
    imp->batch_open = false;
    /* the cached gateways may be ones the undo takes back */
    imp->vgw_key[0] = imp->cgw_key[0] = '\0';
    return store_bulk_undo(imp->svc->store);
}

int svc_import_end(struct svc_import *imp, bool commit)
{
    int r = store_bulk_end(imp->svc->store, commit);

    buf_free(&imp->spec);
    buf_free(&imp->doc);
    free(imp);
    return r;
}

/* A failed store write: inside an open batch it may have left part of its changes, so the
 * batch is undone and its records run again (-EAGAIN); otherwise r. */
static int write_failed(const struct svc_import *imp, int r)
{
    return r < 0 && imp->batch_open ? -EAGAIN : r;
}

static void fill_times(const struct model_record *rec, bool keep, int64_t now, int64_t *created,
                       int64_t *updated)
{
    if (!keep || !rec->has_created_at)
        *created = now;
    if (!keep || !rec->has_updated_at)
        *updated = keep && rec->has_created_at ? *created : now;
}

/* ---- gateways ---- */

/* The refusal of a gateway the store found taken: its id, or an address it claims. */
static int vgw_taken(struct svc_import *imp, const char *project_id, const struct model_vgw *g,
                     struct verr *err)
{
    struct store_vgw_row old = {0};

    if (store_vgw_get(imp->svc->store, project_id, g->id, &old) == 0) {
        store_vgw_row_done(&old);
        return verr_set(err, "vpn_gateway.id",
                        "must not be the id of an existing gateway, got \"%s\"", g->id);
    }
    if (strcmp(g->network_type, "public") == 0)
        return verr_set(err, "vpn_gateway.eip1",
                        "must not be an EIP (id or ip_address) another gateway uses, got %s / %s "
                        "(eip2 %s / %s)",
                        g->eip1.id, g->eip1.ip_address, g->eip2.id, g->eip2.ip_address);
    return verr_set(err, "vpn_gateway.access_private_ip_1",
                    "must not be an address another gateway of VPC %s uses, got %s / %s",
                    g->access_vpc_id, g->access_private_ip_1, g->access_private_ip_2);
}

int svc_import_vgw(struct svc_import *imp, const char *project_id, const struct model_record *rec,
                   bool keep, struct model_vgw *g, struct verr *err)
{
    struct svc *svc = imp->svc;
    struct store_vgw_row row;
    struct svc_vgw_claims cl;
    bool public = strcmp(g->network_type, "public") == 0;
    /* what the record leaves to the server (drawn again on every attempt) */
    const struct svc_vgw_draw d = {
        .eip_ids = public,
        .eip1 = public && !g->eip1.ip_address[0],
        .eip2 = public && !g->eip2.ip_address[0],
        .private_ips = !public && !g->access_private_ip_1[0],
    };
    int r = -EEXIST;

    if ((!rec->has_id && ids_uuid4(g->id) < 0) || svc_name_fill(g->name, "vpngw-") < 0)
        return -EIO;
    const char *status = keep && rec->status ? rec->status : MODEL_STATUS(ACTIVE);
    g->status = NULL;
    fill_times(rec, keep, svc_now_ms(svc), &g->created_at, &g->updated_at);
    for (int attempt = 0; r == -EEXIST && attempt < SVC_ADDRESS_ATTEMPTS; attempt++) {
        buf_reset(&imp->spec);
        r = svc_vgw_addresses(svc, project_id, g, &d, &cl);
        if (r == 0)
            r = svc_vgw_row(project_id, g, status, 0, &imp->spec, &row);
        if (r == 0)
            r = write_failed(imp, store_vgw_insert(svc->store, &row, cl.v, cl.n));
        /* a collision on a drawn address is retried; on given ones it is the record's */
        if (!(d.eip1 || d.eip2 || d.private_ips))
            break;
    }
    return r == -EEXIST ? vgw_taken(imp, project_id, g, err) : r;
}

/* ---- customer gateways ---- */

int svc_import_cgw(struct svc_import *imp, const char *project_id, const struct model_record *rec,
                   bool keep, struct model_cgw *cgw, struct verr *err)
{
    struct store_cgw_row row;
    int r;

    if ((!rec->has_id && ids_uuid4(cgw->id) < 0) || svc_cgw_ca_id(cgw) < 0 ||
        svc_name_fill(cgw->name, "cgw-") < 0)
        return -EIO;
    fill_times(rec, keep, svc_now_ms(imp->svc), &cgw->created_at, &cgw->updated_at);
    buf_reset(&imp->spec);
    r = svc_cgw_row(project_id, cgw, &imp->spec, &row);
    if (r == 0)
        r = write_failed(imp, store_cgw_insert(imp->svc->store, &row));
    if (r != -EEXIST)
        return r;
    return verr_set(err, "customer_gateway.id",
                    "must not be the id of an existing customer gateway, got \"%s\"", cgw->id);
}

/* ---- connections ---- */

/* The gateway (vgw) or customer gateway id of project_id, parsed into imp->vgw or imp->cgw; kept
 * while consecutive records name the same one. */
static int load_ref(struct svc_import *imp, bool vgw, const char *project_id, const char *id,
                    struct verr *err)
{
    char *have = vgw ? imp->vgw_key : imp->cgw_key;
    char key[KEY_LEN];
    int r;

    snprintf(key, sizeof(key), "%s/%s", project_id, id);
    if (strcmp(key, have) == 0)
        return 0;
    have[0] = '\0';
    if (vgw) {
        struct store_vgw_row row = {0};
        r = store_vgw_get(imp->svc->store, project_id, id, &row);
        if (r == 0)
            r = svc_stored(model_vgw_from_internal(row.spec, strlen(row.spec), &imp->vgw));
        store_vgw_row_done(&row);
    } else {
        struct store_cgw_row row = {0};
        r = store_cgw_get(imp->svc->store, project_id, id, &row);
        if (r == 0)
            r = svc_stored(model_cgw_from_internal(row.spec, strlen(row.spec), &imp->cgw));
        store_cgw_row_done(&row);
    }
    if (r == -ENOENT)
        return verr_set(err, vgw ? "vpn_connection.vgw_id" : "vpn_connection.cgw_id",
                        "must be a %s of project %s stored or imported before this record, got "
                        "\"%s\"",
                        vgw ? "VPN gateway" : "customer gateway", project_id, id);
    if (r == 0)
        memcpy(have, key, sizeof(key));
    return r;
}

/* The refusal of an insert the store refused. */
static int conn_refused(struct svc_import *imp, const char *project_id,
                        const struct model_vpn_conn *c, const struct svc_tunnel_claim *t, int r,
                        struct verr *err)
{
    struct buf scratch = {0};

    if (r == -EOVERFLOW)
        return verr_set(err, "vpn_connection.vgw_id",
                        "must be a VPN gateway with a free connection slot, got \"%s\" (%lld "
                        "connections allowed)",
                        c->vgw_id, (long long)imp->vgw.connection_number);
    if (r != -EEXIST)
        return r;
    r = store_conn_get_doc(imp->svc->store, project_id, c->id, &scratch);
    buf_free(&scratch);
    if (r == 0)
        return verr_set(err, "vpn_connection.id",
                        "must not be the id of an existing connection, got \"%s\"", c->id);
    return verr_set(err, "vpn_connection.tunnel_local_address",
                    "must be in a /30 no other connection of VPN gateway %s uses, got \"%s\" (%s)",
                    c->vgw_id, c->tunnel_local_address, t->net);
}

int svc_import_conn(struct svc_import *imp, const char *project_id,
                    const struct model_record *rec, bool keep, struct model_vpn_conn *c,
                    struct verr *err)
{
    struct svc *svc = imp->svc;
    struct store_conn_row row;
    struct svc_tunnel_claim t;
    int r = load_ref(imp, true, project_id, c->vgw_id, err);

    if (r == 0)
        r = load_ref(imp, false, project_id, c->cgw_id, err);
    if (r == 0)
        r = model_conn_bind(c, &imp->vgw, &imp->cgw, err);
    if (r == 0 && !c->tunnel_local_address[0] && (r = svc_tunnel_pick(svc, c, NULL, 0, 0)) == -ENOSPC)
        return verr_set(err, "vpn_connection.tunnel_local_address",
                        "must be given: no free 169.254.0.0/16 /30 is left on VPN gateway %s",
                        c->vgw_id);
    if (r < 0)
        return r;
    if ((!rec->has_id && ids_uuid4(c->id) < 0) || svc_name_fill(c->name, "vpn-") < 0)
        return -EIO;
    const char *status = keep && rec->status ? rec->status : svc->settle_status;
    c->status = NULL;
    fill_times(rec, keep, svc_now_ms(svc), &c->created_at, &c->updated_at);
    buf_reset(&imp->spec);
    buf_reset(&imp->doc);
    r = svc_conn_row(project_id, c, status, 0, &imp->spec, &imp->doc, &row);
    svc_tunnel_claim_init(&t, c);
    if (r == 0)
        r = write_failed(imp, store_conn_insert(svc->store, &row, &t.claim, 1));
    return r < 0 ? conn_refused(imp, project_id, c, &t, r, err) : 0;
}

/* ---- the dump (vpnd export) ---- */

struct dump {
    const struct svc_dump_cbs *cbs;
    void *ud;
    struct model_vgw g;
    struct model_cgw cgw;
    struct model_vpn_conn c;
};

/* Each row decoded, with the columns the store maintains (status, updated_at, used
 * connections): the record a later import reads back into the same resource. */
static int dump_vgw(void *ud, const struct store_vgw_row *row)
{
    struct dump *x = ud;

    int r = svc_stored(model_vgw_from_internal(row->spec, strlen(row->spec), &x->g));

    if (r < 0)
        return r;
    x->g.status = model_vgw_status(row->status);
    x->g.updated_at = row->updated_at;
    x->g.used_connection_number = row->used_connection_number;
    return x->cbs->vgw(x->ud, row->project_id, &x->g);
}

static int dump_cgw(void *ud, const struct store_cgw_row *row)
{
    struct dump *x = ud;

    int r = svc_stored(model_cgw_from_internal(row->spec, strlen(row->spec), &x->cgw));

    if (r < 0)
        return r;
    x->cgw.updated_at = row->updated_at;
    return x->cbs->cgw(x->ud, row->project_id, &x->cgw);
}

static int dump_conn(void *ud, const struct store_conn_row *row)
{
    struct dump *x = ud;

    int r = svc_stored(model_conn_from_internal(row->spec, strlen(row->spec), &x->c));

    if (r < 0)
        return r;
    x->c.status = model_conn_status(row->status);
    x->c.updated_at = row->updated_at;
    return x->cbs->conn(x->ud, row->project_id, &x->c);
}

int svc_dump(struct svc *svc, const struct svc_dump_cbs *cbs, void *ud)
{
    static const struct store_dump_cbs store_cbs = {dump_vgw, dump_cgw, dump_conn};
    _cleanup_free_ struct dump *x = calloc(1, sizeof(*x));

    if (!x)
        return -ENOMEM;
    x->cbs = cbs;
    x->ud = ud;
    return store_dump(svc->store, &store_cbs, x);
}
