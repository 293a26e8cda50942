/* api/import.c: vpnd import (api/transfer.h). Each record goes through the API's own create
 * validation (model_record_parse, model_conn_bind) and the store's own insert operations, all
 * inside one store bulk load: either the whole file is stored or, on the first refused record,
 * nothing (unless skip_invalid). Imported resources are settled: gateways ACTIVE, connections
 * what the status engine's driver settles them to, unless the record keeps its own status.
 * Quotas are not applied: this is the operator loading the store, not a tenant calling the API.
 *
 * Batches: where the store has them (store_bulk_batch), records are stored IMPORT_BATCH at a
 * time without a savepoint each. A record refused before any store write (most refusals: the
 * record's own rules, an unknown gateway) needs no undo. When a store write fails inside a
 * batch, the batch is undone and its records are run again one by one, each write atomic on
 * its own, exactly as without batches (the refused ones are not run or reported again): the
 * outcome, the message and the counts are those of a record-by-record import. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "api/handlers.h"
#include "api/import_reader.h"
#include "api/pool.h"
#include "api/transfer.h"
#include "model/model.h"
#include "store/store.h"
#include "util/ids.h"

#define TUNNEL_CLAIM_PREFIX "tunnel:"
#define ADDRESS_ATTEMPTS 8
/* Small on purpose: SQLite truncates a statement's part of the in-memory savepoint journal by
 * walking its 1 KB chunks from the start, and one connection insert (its counting trigger)
 * runs as a statement transaction, so the per-record cost grows with the batch's journal
 * (64 records were already slower than one savepoint per record). */
#define IMPORT_BATCH 16
/* import_one inside a batch: a store write failed (it may have left part of its changes), so
 * the batch is undone and replayed */
#define IMPORT_UNDO 1

/* The last gateway and customer gateway a connection used: files list the connections of one
 * gateway together, so this saves a read and a parse per connection. */
struct import_cache {
    char vgw_key[MODEL_PROJECT_ID_LEN + MODEL_UUID_LEN];
    struct model_vgw vgw;
    char cgw_key[MODEL_PROJECT_ID_LEN + MODEL_UUID_LEN];
    struct model_cgw cgw;
};

struct import_batch_rec {
    size_t off, len, line; /* the record's text in import_batch.text, and its first line */
    bool refused;          /* before any store write: reported once, not replayed */
};

struct import_batch {
    bool on;         /* the store takes batches */
    struct buf text; /* copies of the batch's records (the reader reuses its buffer) */
    size_t n;
    struct import_batch_rec v[IMPORT_BATCH];
    size_t imported, refused, by_kind[3]; /* the counters when the batch began */
};

struct import_run {
    struct api *api;
    const struct import_opts *o;
    struct import_stats *st;
    struct model_record rec;
    struct model_vgw g;
    struct model_cgw cgw;
    struct model_vpn_conn c;
    struct import_cache cache;
    struct buf spec, doc, claims;
    const char *project_id;
    size_t line;
    struct verr err;
    int64_t now;
    bool batched; /* a batch is open: a failed store write returns IMPORT_UNDO */
    int bad;      /* -EINVAL once a record was refused */
    struct import_batch batch;
};

static double mono_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill_times(const struct model_record *rec, bool keep, int64_t now, int64_t *created,
                       int64_t *updated)
{
    if (!keep || !rec->has_created_at)
        *created = now;
    if (!keep || !rec->has_updated_at)
        *updated = keep && rec->has_created_at ? *created : now;
}

/* A generated name: prefix + 4 hex characters, as the API names unnamed resources. */
static int fill_name(char name[MODEL_NAME_LEN], const char *prefix)
{
    char hex[5];

    if (name[0])
        return 0;
    if (ids_hex(hex, 4) < 0)
        return -EIO;
    snprintf(name, MODEL_NAME_LEN, "%s%s", prefix, hex);
    return 0;
}

/* ---- gateways ---- */

struct vgw_claims {
    size_t n;
    struct store_claim v[4];
    char kind[128];
};

/* Generated EIP ids (an EIP given as a bandwidth spec), as the API fills them. */
static int vgw_eip_ids(struct model_eip *e)
{
    char hex[5];

    e->ip_version = 4;
    if (e->id[0])
        return 0;
    if (ids_uuid4(e->id) < 0 || ids_hex(hex, 4) < 0)
        return -EIO;
    if (e->type && !e->bandwidth_id[0] && ids_uuid4(e->bandwidth_id) < 0)
        return -EIO;
    if (e->type && !e->bandwidth_name[0])
        snprintf(e->bandwidth_name, sizeof(e->bandwidth_name), "vpngw-bandwidth-%s", hex);
    return 0;
}

/* Which addresses the record left to the import (drawn from the pools on every attempt). */
struct vgw_draw {
    bool eip1, eip2, private_ips;
};

static int vgw_addresses(struct import_run *ir, struct model_vgw *g, const struct vgw_draw *d,
                         struct vgw_claims *cl)
{
    struct api *api = ir->api;

    if (strcmp(g->network_type, "public") == 0) {
        if ((d->eip1 && pool_pick(api->eip_base, api->eip_size, g->eip1.ip_address) < 0) ||
            (d->eip2 && pool_pick(api->eip_base, api->eip_size, g->eip2.ip_address) < 0))
            return -EIO;
        cl->v[0] = (struct store_claim){"eip_id", g->eip1.id};
        cl->v[1] = (struct store_claim){"eip_id", g->eip2.id};
        cl->v[2] = (struct store_claim){"eip_address", g->eip1.ip_address};
        cl->v[3] = (struct store_claim){"eip_address", g->eip2.ip_address};
        cl->n = 4;
        return 0;
    }
    while (d->private_ips) {
        if (pool_pick(api->private_base, api->private_size, g->access_private_ip_1) < 0 ||
            pool_pick(api->private_base, api->private_size, g->access_private_ip_2) < 0)
            return -EIO;
        if (strcmp(g->access_private_ip_1, g->access_private_ip_2) != 0)
            break;
    }
    snprintf(cl->kind, sizeof(cl->kind), "private_ip:%s:%s", ir->project_id, g->access_vpc_id);
    cl->v[0] = (struct store_claim){cl->kind, g->access_private_ip_1};
    cl->v[1] = (struct store_claim){cl->kind, g->access_private_ip_2};
    cl->n = 2;
    return 0;
}

static int vgw_insert(struct import_run *ir, const struct model_vgw *g,
                      const struct vgw_claims *cl)
{
    struct store_vgw_row row = {0};

    buf_reset(&ir->spec);
    if (model_vgw_to_internal(g, &ir->spec) < 0)
        return -ENOMEM;
    snprintf(row.project_id, sizeof(row.project_id), "%s", ir->project_id);
    snprintf(row.id, sizeof(row.id), "%s", g->id);
    snprintf(row.status, sizeof(row.status), "%s", g->status);
    snprintf(row.enterprise_project_id, sizeof(row.enterprise_project_id), "%s",
             g->enterprise_project_id);
    row.connection_number = g->connection_number;
    row.created_at = g->created_at;
    row.updated_at = g->updated_at;
    row.spec = ir->spec.data;
    int r = store_vgw_insert(ir->api->store, &row, cl->v, cl->n);
    return r < 0 && ir->batched ? IMPORT_UNDO : r;
}

static int import_vgw(struct import_run *ir)
{
    struct model_vgw *g = &ir->g;
    struct store_vgw_row old = {0};
    struct vgw_claims cl;
    bool public = strcmp(g->network_type, "public") == 0;
    const struct vgw_draw d = {
        .eip1 = public && !g->eip1.ip_address[0],
        .eip2 = public && !g->eip2.ip_address[0],
        .private_ips = !public && !g->access_private_ip_1[0],
    };
    int r = 0;

    if (!ir->rec.has_id && ids_uuid4(g->id) < 0)
        return -EIO;
    if (fill_name(g->name, "vpngw-") < 0 ||
        (public && (vgw_eip_ids(&g->eip1) < 0 || vgw_eip_ids(&g->eip2) < 0)))
        return -EIO;
    g->status = ir->o->keep && ir->rec.status ? ir->rec.status : model_vgw_status("ACTIVE");
    fill_times(&ir->rec, ir->o->keep, ir->now, &g->created_at, &g->updated_at);
    for (int attempt = 0;; attempt++) {
        r = vgw_addresses(ir, g, &d, &cl);
        if (r == 0)
            r = vgw_insert(ir, g, &cl);
        /* a collision on a drawn address is retried; on given ones it is the record's */
        if (r != -EEXIST || !(d.eip1 || d.eip2 || d.private_ips) ||
            attempt + 1 == ADDRESS_ATTEMPTS)
            break;
    }
    if (r != -EEXIST)
        return r;
    if (store_vgw_get(ir->api->store, ir->project_id, g->id, &old) == 0) {
        store_vgw_row_done(&old);
        return verr_set(&ir->err, "vpn_gateway.id", "must not be the id of an existing gateway, "
                                                    "got \"%s\"",
                        g->id);
    }
    if (strcmp(g->network_type, "public") == 0)
        return verr_set(&ir->err, "vpn_gateway.eip1", "must not be an EIP (id or ip_address) "
                                                      "another gateway uses, got %s / %s (eip2 "
                                                      "%s / %s)",
                        g->eip1.id, g->eip1.ip_address, g->eip2.id, g->eip2.ip_address);
    return verr_set(&ir->err, "vpn_gateway.access_private_ip_1",
                    "must not be an address another gateway of VPC %s uses, got %s / %s",
                    g->access_vpc_id, g->access_private_ip_1, g->access_private_ip_2);
}

/* ---- customer gateways ---- */

static int import_cgw(struct import_run *ir)
{
    struct model_cgw *cgw = &ir->cgw;
    struct store_cgw_row row = {0}, old = {0};

    if (!ir->rec.has_id && ids_uuid4(cgw->id) < 0)
        return -EIO;
    if (customer_gateway_ca_id(cgw) < 0 || fill_name(cgw->name, "cgw-") < 0)
        return -EIO;
    fill_times(&ir->rec, ir->o->keep, ir->now, &cgw->created_at, &cgw->updated_at);
    buf_reset(&ir->spec);
    if (model_cgw_to_internal(cgw, &ir->spec) < 0)
        return -ENOMEM;
    snprintf(row.project_id, sizeof(row.project_id), "%s", ir->project_id);
    snprintf(row.id, sizeof(row.id), "%s", cgw->id);
    row.created_at = cgw->created_at;
    row.updated_at = cgw->updated_at;
    row.spec = ir->spec.data;
    int r = store_cgw_insert(ir->api->store, &row);
    if (r < 0 && ir->batched)
        return IMPORT_UNDO;
    if (r != -EEXIST)
        return r;
    if (store_cgw_get(ir->api->store, ir->project_id, cgw->id, &old) == 0)
        store_cgw_row_done(&old);
    return verr_set(&ir->err, "customer_gateway.id",
                    "must not be the id of an existing customer gateway, got \"%s\"", cgw->id);
}

/* ---- connections ---- */

static int load_vgw(struct import_run *ir, const char *id)
{
    struct import_cache *k = &ir->cache;
    char key[sizeof(k->vgw_key)];
    struct store_vgw_row row = {0};

    snprintf(key, sizeof(key), "%s/%s", ir->project_id, id);
    if (strcmp(key, k->vgw_key) == 0)
        return 0;
    k->vgw_key[0] = '\0';
    int r = store_vgw_get(ir->api->store, ir->project_id, id, &row);
    if (r == -ENOENT)
        return verr_set(&ir->err, "vpn_connection.vgw_id",
                        "must be a VPN gateway of project %s stored or imported before this "
                        "record, got \"%s\"",
                        ir->project_id, id);
    if (r == 0)
        r = model_vgw_from_internal(row.spec, strlen(row.spec), &k->vgw);
    store_vgw_row_done(&row);
    if (r == 0)
        memcpy(k->vgw_key, key, sizeof(key));
    return r;
}

static int load_cgw(struct import_run *ir, const char *id)
{
    struct import_cache *k = &ir->cache;
    char key[sizeof(k->cgw_key)];
    struct store_cgw_row row = {0};

    snprintf(key, sizeof(key), "%s/%s", ir->project_id, id);
    if (strcmp(key, k->cgw_key) == 0)
        return 0;
    k->cgw_key[0] = '\0';
    int r = store_cgw_get(ir->api->store, ir->project_id, id, &row);
    if (r == -ENOENT)
        return verr_set(&ir->err, "vpn_connection.cgw_id",
                        "must be a customer gateway of project %s stored or imported before this "
                        "record, got \"%s\"",
                        ir->project_id, id);
    if (r == 0)
        r = model_cgw_from_internal(row.spec, strlen(row.spec), &k->cgw);
    store_cgw_row_done(&row);
    if (r == 0)
        memcpy(k->cgw_key, key, sizeof(key));
    return r;
}

/* The lowest /30 not yet claimed on the gateway (records without tunnel addresses). */
static int allocate_tunnel(struct import_run *ir, const char *kind, struct model_vpn_conn *c)
{
    size_t n = 0;

    buf_reset(&ir->claims);
    int r = store_claims_list(ir->api->store, kind, &ir->claims, &n);
    for (uint32_t idx = 0; r == 0; idx++) {
        char net[MODEL_CIDR_LEN];
        r = model_tunnel_from_index(idx, c->tunnel_local_address, c->tunnel_peer_address);
        if (r < 0)
            break;
        model_tunnel_network(c->tunnel_local_address, net);
        bool used = false;
        const char *v = ir->claims.data;
        for (size_t i = 0; i < n && !used; i++, v += strlen(v) + 1)
            used = strcmp(v, net) == 0;
        if (!used)
            return 0;
    }
    if (r == -ENOSPC)
        return verr_set(&ir->err, "vpn_connection.tunnel_local_address",
                        "must be given: no free 169.254.0.0/16 /30 is left on VPN gateway %s",
                        c->vgw_id);
    return r;
}

static void conn_row_fill(const struct import_run *ir, const struct model_vpn_conn *c,
                          struct store_conn_row *row)
{
    memset(row, 0, sizeof(*row));
    snprintf(row->project_id, sizeof(row->project_id), "%s", ir->project_id);
    snprintf(row->id, sizeof(row->id), "%s", c->id);
    snprintf(row->vgw_id, sizeof(row->vgw_id), "%s", c->vgw_id);
    snprintf(row->cgw_id, sizeof(row->cgw_id), "%s", c->cgw_id);
    snprintf(row->vgw_ip, sizeof(row->vgw_ip), "%s", c->vgw_ip);
    snprintf(row->enterprise_project_id, sizeof(row->enterprise_project_id), "%s",
             c->enterprise_project_id);
    snprintf(row->status, sizeof(row->status), "%s", c->status);
    row->created_at = c->created_at;
    row->updated_at = c->updated_at;
    row->spec = ir->spec.data;
    row->doc = ir->doc.data;
}

static int conn_insert_failed(struct import_run *ir, const struct model_vpn_conn *c, int r,
                              const char *net)
{
    struct buf scratch = {0};

    if (r == -ENOSPC)
        return verr_set(&ir->err, "vpn_connection.vgw_id",
                        "must be a VPN gateway with a free connection slot, got \"%s\" (%lld "
                        "connections allowed)",
                        c->vgw_id, (long long)ir->cache.vgw.connection_number);
    if (r != -EEXIST)
        return r;
    r = store_conn_get_doc(ir->api->store, ir->project_id, c->id, &scratch);
    buf_free(&scratch);
    if (r == 0)
        return verr_set(&ir->err, "vpn_connection.id",
                        "must not be the id of an existing connection, got \"%s\"", c->id);
    return verr_set(&ir->err, "vpn_connection.tunnel_local_address",
                    "must be in a /30 no other connection of VPN gateway %s uses, got \"%s\" (%s)",
                    c->vgw_id, c->tunnel_local_address, net);
}

static int import_conn(struct import_run *ir)
{
    struct model_vpn_conn *c = &ir->c;
    struct store_conn_row row;
    char kind[sizeof(TUNNEL_CLAIM_PREFIX) + MODEL_UUID_LEN], net[MODEL_CIDR_LEN];
    int r = load_vgw(ir, c->vgw_id);

    if (r == 0)
        r = load_cgw(ir, c->cgw_id);
    if (r == 0)
        r = model_conn_bind(c, &ir->cache.vgw, &ir->cache.cgw, &ir->err);
    if (r < 0)
        return r;
    snprintf(kind, sizeof(kind), "%s%s", TUNNEL_CLAIM_PREFIX, c->vgw_id);
    if (!c->tunnel_local_address[0] && (r = allocate_tunnel(ir, kind, c)) < 0)
        return r;
    model_tunnel_network(c->tunnel_local_address, net);
    if (!ir->rec.has_id && ids_uuid4(c->id) < 0)
        return -EIO;
    if (fill_name(c->name, "vpn-") < 0)
        return -EIO;
    if (ir->o->keep && ir->rec.status)
        c->status = ir->rec.status;
    else
        c->status = ir->api->engine.driver->conn_settled_status(ir->api->engine.driver_ctx, c);
    fill_times(&ir->rec, ir->o->keep, ir->now, &c->created_at, &c->updated_at);
    buf_reset(&ir->spec);
    buf_reset(&ir->doc);
    if (model_conn_to_internal(c, &ir->spec) < 0 || model_conn_render(c, &ir->doc) < 0)
        return -ENOMEM;
    conn_row_fill(ir, c, &row);
    struct store_claim claim = {kind, net};
    r = store_conn_insert(ir->api->store, &row, &claim, 1);
    if (r < 0 && ir->batched)
        return IMPORT_UNDO;
    return r < 0 ? conn_insert_failed(ir, c, r, net) : 0;
}

/* ---- the run ---- */

static int import_one(struct import_run *ir, const struct import_record *rec)
{
    int r = model_record_parse(rec->text, rec->len, &ir->rec, &ir->g, &ir->cgw, &ir->c, &ir->err);

    ir->line = rec->line + (ir->rec.json_line > 0 ? (size_t)ir->rec.json_line - 1 : 0);
    if (r < 0)
        return r;
    ir->project_id = ir->rec.project_id[0] ? ir->rec.project_id : ir->o->project_id;
    if (!ir->project_id)
        return verr_set(&ir->err, "project_id", "is required (or give --project-id)");
    ir->now = ids_now_ms();
    switch (ir->rec.kind) {
    case MODEL_RECORD_VGW:
        r = import_vgw(ir);
        break;
    case MODEL_RECORD_CGW:
        r = import_cgw(ir);
        break;
    case MODEL_RECORD_CONN:
        r = import_conn(ir);
        break;
    }
    if (r == 0)
        ir->st->by_kind[ir->rec.kind]++;
    return r;
}

static void draw_progress(const struct import_run *ir, const struct import_reader *rd, double t0,
                          bool last)
{
    double el = mono_s() - t0;
    double rate = el > 0 ? (double)ir->st->records / el : 0;
    long long total = ir->o->total_bytes;

    fprintf(stderr, "\r%zu records  %.0f/s", ir->st->records, rate);
    if (total > 0 && rd->bytes > 0) {
        double frac = (double)rd->bytes / (double)total;
        int width = 30, filled = (int)(frac * width);
        fprintf(stderr, "  [%.*s%*s] %3.0f%%  ETA %.0fs ", filled,
                "==============================", width - filled, "", frac * 100,
                frac > 0 && !last ? el / frac - el : 0.0);
    }
    fprintf(stderr, last ? "\n" : "   ");
}

/* Reports a record's outcome and counts it: 0 to go on, -EINVAL to stop (refused, without
 * skip_invalid), or a fatal error. */
static int import_outcome(struct import_run *ir, int r, size_t rec_line)
{
    if (r == -EINVAL) {
        fprintf(stderr, "%s%s line %zu: %s\n", ir->o->progress ? "\n" : "", ir->o->name,
                ir->line, ir->err.msg);
        ir->st->refused++;
        ir->bad = -EINVAL;
        return ir->o->skip_invalid ? 0 : -EINVAL;
    }
    if (r < 0) {
        fprintf(stderr, "%s line %zu: %s (%s)\n", ir->o->name, rec_line, strerror(-r),
                store_errmsg(ir->api->store));
        return r;
    }
    ir->st->imported++;
    return 0;
}

static int run_one(struct import_run *ir, const struct import_record *rec)
{
    memset(&ir->err, 0, sizeof(ir->err));
    return import_one(ir, rec);
}

/* Opens the next batch (keeping the open one). Without batches in the store, runs unbatched. */
static int batch_start(struct import_run *ir)
{
    struct import_batch *b = &ir->batch;
    int r = store_bulk_batch(ir->api->store);

    ir->batched = r == 0;
    if (r == -EOPNOTSUPP && !b->on)
        return 0;
    if (r < 0) {
        fprintf(stderr, "%s: cannot store a batch: %s (%s)\n", ir->o->name, strerror(-r),
                store_errmsg(ir->api->store));
        return r;
    }
    b->on = true;
    b->n = 0;
    buf_reset(&b->text);
    b->imported = ir->st->imported;
    b->refused = ir->st->refused;
    memcpy(b->by_kind, ir->st->by_kind, sizeof(b->by_kind));
    return 0;
}

/* A store write of the batch failed: undoes the batch and runs its records again one by one
 * (the last one is the record that failed), then opens the next batch. */
static int batch_replay(struct import_run *ir)
{
    struct import_batch *b = &ir->batch;
    struct import_stats *st = ir->st;
    int r = store_bulk_undo(ir->api->store);

    ir->batched = false;
    if (r < 0) {
        fprintf(stderr, "%s: cannot undo a batch: %s (%s)\n", ir->o->name, strerror(-r),
                store_errmsg(ir->api->store));
        return r;
    }
    st->imported = b->imported;
    st->refused = b->refused;
    memcpy(st->by_kind, b->by_kind, sizeof(st->by_kind));
    /* the cached gateways may be ones the undo took back */
    ir->cache.vgw_key[0] = ir->cache.cgw_key[0] = '\0';
    for (size_t i = 0; i < b->n; i++) {
        const struct import_batch_rec *br = &b->v[i];
        if (br->refused) {
            st->refused++;
            continue;
        }
        const struct import_record rec = {b->text.data + br->off, br->len, br->line};
        r = import_outcome(ir, run_one(ir, &rec), br->line);
        if (r < 0)
            return r;
    }
    return batch_start(ir);
}

static int import_record(struct import_run *ir, const struct import_record *rec)
{
    struct import_batch *b = &ir->batch;
    int r;

    if (!b->on)
        return import_outcome(ir, run_one(ir, rec), rec->line);
    if (b->n == IMPORT_BATCH && (r = batch_start(ir)) < 0)
        return r;
    struct import_batch_rec *br = &b->v[b->n];
    *br = (struct import_batch_rec){b->text.len, rec->len, rec->line, false};
    if (buf_append(&b->text, rec->text, rec->len) < 0)
        return -ENOMEM;
    b->n++;
    r = run_one(ir, rec);
    if (r == IMPORT_UNDO)
        return batch_replay(ir);
    br->refused = r == -EINVAL;
    return import_outcome(ir, r, rec->line);
}

static int import_loop(struct import_run *ir, struct import_reader *rd)
{
    struct import_record rec;
    double t0 = mono_s(), next_draw = t0 + 0.2;
    int r = batch_start(ir);

    if (r < 0)
        return r;
    while ((r = import_reader_next(rd, &rec)) > 0) {
        ir->st->records++;
        r = import_record(ir, &rec);
        if (r < 0)
            return r;
        if (ir->o->progress && (ir->st->records & 1023) == 0 && mono_s() >= next_draw) {
            draw_progress(ir, rd, t0, false);
            next_draw = mono_s() + 0.2;
        }
    }
    if (r == -EINVAL) {
        fprintf(stderr, "%s%s line %zu: %s\n", ir->o->progress ? "\n" : "", ir->o->name,
                rd->line, rd->error);
        ir->st->refused++;
        return -EINVAL; /* the rest of the input cannot be split into records */
    }
    if (r < 0) {
        fprintf(stderr, "%s: cannot read: %s\n", ir->o->name, strerror(-r));
        return r;
    }
    if (ir->o->progress)
        draw_progress(ir, rd, t0, true);
    return ir->bad;
}

int api_import(struct api *api, FILE *in, const struct import_opts *o, struct import_stats *st)
{
    _cleanup_free_ struct import_run *ir = calloc(1, sizeof(*ir));
    struct import_reader rd;
    double t0 = mono_s();

    memset(st, 0, sizeof(*st));
    if (!ir)
        return -ENOMEM;
    ir->api = api;
    ir->o = o;
    ir->st = st;
    int r = store_bulk_begin(api->store);
    if (r < 0) {
        fprintf(stderr, "%s: cannot start the import: %s (%s)\n", o->name, strerror(-r),
                store_errmsg(api->store));
        return r;
    }
    import_reader_init(&rd, in);
    r = import_loop(ir, &rd);
    import_reader_done(&rd);
    buf_free(&ir->spec);
    buf_free(&ir->doc);
    buf_free(&ir->claims);
    buf_free(&ir->batch.text);
    /* with skip_invalid the refused records are left out and the rest is kept */
    bool commit = r == 0 || (r == -EINVAL && o->skip_invalid && rd.error[0] == '\0');
    int rc = store_bulk_end(api->store, commit);
    if (rc < 0) {
        fprintf(stderr, "%s: cannot commit the import: %s (%s)\n", o->name, strerror(-rc),
                store_errmsg(api->store));
        r = rc;
    }
    if (!commit || rc < 0) {
        st->imported = 0;
        memset(st->by_kind, 0, sizeof(st->by_kind));
    }
    st->seconds = mono_s() - t0;
    return r;
}
