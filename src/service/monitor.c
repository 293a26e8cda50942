/* service/monitor.c: connection monitors (spec §5.1): create, show, list, delete, and the
 * engine's settle and removal.
 *
 * One monitor per connection (VPN.0381 for a second). The connection's served document shows
 * connection_monitor_id while the monitor exists: the monitor row and the re-rendered document
 * are written in one store transaction (a compare-and-set on the connection as read; its status
 * and due time are kept). A new monitor is PENDING_CREATE; the status engine makes it ACTIVE
 * after --status-delay. DELETE makes it PENDING_DELETE; after --status-delay the engine removes
 * it and the connection stops showing it; until then a new monitor on that connection is still
 * VPN.0381. Deleting the connection deletes it. */
#include "service/svc_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ids.h"

static void monitor_of_row(const struct store_monitor_row *row, struct model_monitor *m)
{
    memset(m, 0, sizeof(*m));
    snprintf(m->id, sizeof(m->id), "%s", row->id);
    m->status = row->status;
    snprintf(m->vpn_connection_id, sizeof(m->vpn_connection_id), "%s", row->vpn_connection_id);
    snprintf(m->source_ip, sizeof(m->source_ip), "%s", row->source_ip);
    snprintf(m->destination_ip, sizeof(m->destination_ip), "%s", row->destination_ip);
}

/* The addresses the monitor probes between, from the connection's gateway and customer
 * gateway (whatever their status). */
static int monitor_addresses(struct svc *svc, const char *project_id,
                             const struct model_vpn_conn *c, struct model_monitor *m)
{
    struct store_vgw_row vrow = {0};
    struct store_cgw_row crow = {0};
    const struct model_vgw *g = NULL;
    const struct model_cgw *cgw = NULL;
    int r = store_vgw_get(svc->store, project_id, c->vgw_id, &vrow);

    if (r == 0)
        g = svc_spec_cache_vgw(&svc->vgw_specs, vrow.spec, strlen(vrow.spec), &r);
    if (r == 0)
        r = store_cgw_get(svc->store, project_id, c->cgw_id, &crow);
    if (r == 0)
        cgw = svc_spec_cache_cgw(&svc->cgw_specs, crow.spec, strlen(crow.spec), &r);
    store_vgw_row_done(&vrow);
    store_cgw_row_done(&crow);
    if (r < 0)
        return r == -EINVAL || r == -ENOENT ? -EIO : r; /* broken references */
    model_monitor_addresses(c, g, cgw, m);
    return 0;
}

static int has_monitor(const char *conn_id, struct verr *err)
{
    return verr_fail(err, VERR_CONN_HAS_MONITOR, "VPN connection %s already has connection monitor",
                     conn_id);
}

/* The connection of cur rendered again (its connection_monitor_id changed), status and due
 * time as read. */
static int conn_rerender(const char *project_id, const struct svc_conn_cur *cur,
                         struct buf *spec, struct buf *doc, struct store_conn_row *row)
{
    return svc_conn_row(project_id, cur->c, cur->row.status, cur->row.status_due, spec, doc, row);
}

/* One attempt; -EAGAIN when the compare-and-set lost a race. */
static int create_once(struct svc *svc, const char *project_id, struct model_monitor *m,
                       struct buf *out, struct verr *err)
{
    _cleanup_(svc_conn_cur_done) struct svc_conn_cur cur = {0};
    _cleanup_(buf_free) struct buf spec = {0};
    _cleanup_(buf_free) struct buf doc = {0};
    struct store_monitor_row row = {0};
    struct store_conn_row crow;
    size_t len0 = out->len;
    const char *cid = m->vpn_connection_id;
    int r = svc_conn_cur_load(svc, project_id, cid, true, &cur, err);

    if (r == 0)
        r = model_lifecycle_check(MODEL_KIND_CONN, MODEL_OP_MONITOR, cid, cur.row.status, err);
    if (r == 0 && cur.c->connection_monitor_id[0])
        r = has_monitor(cid, err);
    if (r == 0)
        r = monitor_addresses(svc, project_id, cur.c, m);
    if (r == 0 && ids_uuid4(m->id) < 0)
        r = -EIO;
    if (r < 0)
        return r;
    snprintf(cur.c->connection_monitor_id, sizeof(cur.c->connection_monitor_id), "%s", m->id);
    r = conn_rerender(project_id, &cur, &spec, &doc, &crow);
    snprintf(row.project_id, sizeof(row.project_id), "%s", project_id);
    snprintf(row.id, sizeof(row.id), "%s", m->id);
    snprintf(row.vpn_connection_id, sizeof(row.vpn_connection_id), "%s", cid);
    snprintf(row.enterprise_project_id, sizeof(row.enterprise_project_id), "%s",
             cur.row.enterprise_project_id);
    snprintf(row.status, sizeof(row.status), "%s", MODEL_STATUS(PENDING_CREATE));
    snprintf(row.source_ip, sizeof(row.source_ip), "%s", m->source_ip);
    snprintf(row.destination_ip, sizeof(row.destination_ip), "%s", m->destination_ip);
    row.created_at = svc_now_ms(svc);
    row.status_due = svc_due_for(svc, MODEL_KIND_MONITOR, project_id, row.id, NULL,
                                 MODEL_STATUS(PENDING_CREATE), row.created_at);
    m->status = NULL; /* the create response has no status (spec §5.1) */
    if (r == 0)
        r = model_monitor_render(m, out);
    if (r == 0)
        r = svc_reply_room(out);
    struct store_conn_expect from = {.status = cur.row.status, .spec = cur.row.spec};
    if (r == 0)
        r = store_monitor_insert(svc->store, &row, &crow, &from);
    if (r < 0)
        svc_buf_cut(out, len0);
    if (r == -EEXIST)
        return has_monitor(cid, err);
    return r == -ENOENT ? -EAGAIN : r;
}

int svc_monitor_create(struct svc *svc, const char *project_id, const struct model_body *body,
                       struct buf *out, struct verr *err)
{
    struct model_monitor m;
    int r = model_monitor_parse_create(body, &m, err);

    for (int attempt = 0; r == 0 && attempt < SVC_CAS_ATTEMPTS; attempt++) {
        r = create_once(svc, project_id, &m, out, err);
        if (r != -EAGAIN)
            return r;
        r = 0;
    }
    return r < 0 ? r : -EBUSY;
}

static int no_monitor(const char *id, struct verr *err)
{
    return verr_fail(err, VERR_NOT_FOUND, "connection monitor \"%.64s\"", id);
}

int svc_monitor_show(struct svc *svc, const char *project_id, const char *id, struct buf *out,
                     struct verr *err)
{
    struct store_monitor_row row;
    struct model_monitor m;
    int r = store_monitor_get(svc->store, project_id, id, &row);

    if (r == -ENOENT)
        return no_monitor(id, err);
    if (r < 0)
        return r;
    monitor_of_row(&row, &m);
    return model_monitor_render(&m, out);
}

struct list_writer {
    struct buf *out;
    size_t n;
};

static int list_item(void *ud, const struct store_monitor_row *row)
{
    struct list_writer *w = ud;
    struct model_monitor m;
    int r = w->n++ ? buf_puts(w->out, ",") : 0;

    monitor_of_row(row, &m);
    return r < 0 ? r : model_monitor_render(&m, w->out);
}

int svc_monitor_list(struct svc *svc, const char *project_id, const struct svc_monitor_query *q,
                     struct buf *out, struct verr *err)
{
    const struct store_monitor_filter f = {
        .vpn_connection_id = q->vpn_connection_id,
        .enterprise_project_ids = q->eps.ids,
        .n_enterprise_project_ids = q->eps.n,
    };
    struct list_writer w = {.out = out};

    (void)err;
    return store_monitor_list(svc->store, project_id, &f, list_item, &w);
}

/* One attempt; -EAGAIN when the compare-and-set lost a race (the engine made it ACTIVE). */
static int delete_once(struct svc *svc, const char *project_id, const char *id, struct verr *err)
{
    _cleanup_(svc_conn_cur_done) struct svc_conn_cur cur = {0};
    struct store_monitor_row row;
    int r = store_monitor_get(svc->store, project_id, id, &row);

    if (r == -ENOENT)
        return no_monitor(id, err);
    /* the connection's own state answers first */
    if (r == 0)
        r = svc_conn_cur_load(svc, project_id, row.vpn_connection_id, false, &cur, err);
    if (r == 0)
        r = model_lifecycle_check(MODEL_KIND_MONITOR, MODEL_OP_DELETE, id, row.status, err);
    if (r == 0)
        r = store_monitor_set_status(svc->store, project_id, id, row.status,
                                     MODEL_STATUS(PENDING_DELETE),
                                     svc_due_for(svc, MODEL_KIND_MONITOR, project_id, id, NULL,
                                                 MODEL_STATUS(PENDING_DELETE), svc_now_ms(svc)));
    return r == -ENOENT ? -EAGAIN : r;
}

int svc_monitor_delete(struct svc *svc, const char *project_id, const char *id,
                       struct verr *err)
{
    for (int attempt = 0; attempt < SVC_CAS_ATTEMPTS; attempt++) {
        int r = delete_once(svc, project_id, id, err);
        if (r != -EAGAIN)
            return r;
    }
    return -EBUSY;
}

/* A PENDING_DELETE monitor whose delay has passed: the monitor row goes and its connection's
 * document stops showing connection_monitor_id, in one store transaction that is a
 * compare-and-set on the connection as read here: a concurrent write to the connection makes
 * it -ENOENT, the monitor stays due and a later tick tries again; with several engines it
 * happens once. */
static int monitor_remove(struct svc *svc, const struct svc_due *d)
{
    _cleanup_(svc_conn_cur_done) struct svc_conn_cur cur = {0};
    _cleanup_(buf_free) struct buf spec = {0};
    _cleanup_(buf_free) struct buf doc = {0};
    struct store_monitor_row m;
    struct store_conn_row row;
    struct verr ignored;
    int r = store_monitor_get(svc->store, d->project_id, d->id, &m);

    if (r == 0 && strcmp(m.status, MODEL_STATUS(PENDING_DELETE)) != 0)
        r = -ENOENT; /* not ours to remove (cannot happen: a delete is never undone) */
    if (r == 0)
        r = svc_conn_cur_load(svc, d->project_id, m.vpn_connection_id, true, &cur, &ignored);
    if (r == -EINVAL)
        r = -ENOENT; /* the connection is gone: so is the monitor */
    if (r < 0)
        return r;
    cur.c->connection_monitor_id[0] = '\0';
    r = conn_rerender(d->project_id, &cur, &spec, &doc, &row);
    struct store_conn_expect from = {.status = cur.row.status, .spec = cur.row.spec};
    return r < 0 ? r : store_monitor_delete(svc->store, d->project_id, d->id, &row, &from);
}

int svc_monitor_settle(struct svc *svc, const struct svc_due *d)
{
    if (strcmp(d->status, MODEL_STATUS(PENDING_DELETE)) == 0)
        return monitor_remove(svc, d);
    /* monitors have nothing to negotiate in the simulation */
    return store_monitor_set_status(svc->store, d->project_id, d->id, d->status,
                                    MODEL_STATUS(ACTIVE), 0);
}
