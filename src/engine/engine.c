/* engine/engine.c: applies due status transitions, each with a compare-and-set so that a
 * transition happens once. */
#include "engine/engine.h"
#include "engine/engine_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/macro.h"
#include "util/log.h"

#define ENGINE_BATCH 64

static const char *sim_conn_settled_status(const void *ctx, const struct model_vpn_conn *c)
{
    (void)c;
    return ctx ? ctx : "DOWN";
}

const struct driver_ops engine_sim_driver = {
    .name = "sim",
    .conn_settled_status = sim_conn_settled_status,
    .settle_ignores_conn = true,
};

static int engine_tick_resources(struct engine *e, int64_t now_ms);

int64_t engine_due_at(const struct engine *e, int64_t now_ms)
{
    return now_ms + (int64_t)e->delay_ms;
}

/* One line per applied transition: with several nodes on one database, each transition appears
 * in exactly one node's log. */
static void log_transition(const char *kind, const struct store_due *d, const char *to)
{
    log_info("event=status_transition kind=%s project_id=%s id=%s from=%s to=%s", kind,
             d->project_id, d->id, d->status, to);
}

/* A gateway settles to ACTIVE; a due time on any other status is only cleared. */
static int settle_gateway(struct engine *e, const struct store_due *d, int64_t now_ms)
{
    bool pending = strncmp(d->status, "PENDING_", 8) == 0;
    const char *to = pending ? "ACTIVE" : d->status;
    int r = store_vgw_set_status(e->store, d->project_id, d->id, d->status, to, 0, now_ms);

    if (r == 0)
        log_transition("vpn_gateway", d, to);
    return r;
}

/* The settled spec and doc without parsing the connection: only their "status" members change
 * (the bytes model_conn_to_internal and model_conn_render would write for the parsed connection
 * with that status, tests/unit/test_model_settle_patch.c). -ENOENT: take the full path. */
static int settle_patch(const struct store_conn_row *row, const char *to, struct buf *spec,
                        struct buf *doc)
{
    int r = model_json_set_str(row->spec, "status", to, spec);

    return r < 0 ? r : model_json_set_str(row->doc, "status", to, doc);
}

/* The full path: parse the stored spec, ask the driver, render both forms again. */
static int settle_render(struct engine *e, const struct store_conn_row *row, bool pending,
                         const char **to, struct buf *spec, struct buf *doc)
{
    _cleanup_free_ struct model_vpn_conn *c = calloc(1, sizeof(*c));
    int r = c ? model_conn_from_internal_fresh(row->spec, strlen(row->spec), c) : -ENOMEM;

    if (r < 0)
        return r;
    /* a due time on a settled status is only cleared */
    if (pending)
        c->status = e->driver->conn_settled_status(e->driver_ctx, c);
    *to = c->status;
    r = model_conn_to_internal(c, spec);
    return r < 0 ? r : model_conn_render(c, doc);
}

/* One connection settle of a tick, prepared by settle_prepare and written with the others of
 * the tick in one store_conn_settle_batch. */
struct settle {
    const struct store_due *d;
    struct store_conn_row row; /* the new row; spec and doc point into the bufs */
    char *old_spec;            /* the stored spec, compared by the write */
    struct buf spec, doc;
    char msg[96];
};

static void settle_done(struct settle *st)
{
    free(st->old_spec);
    buf_free(&st->spec);
    buf_free(&st->doc);
}

/* Connections carry their status inside the served document, so it is written again. A status
 * change is not a configuration update: updated_at stays. The write is a compare-and-set on the
 * status and spec read here, so a concurrent update (or another engine) makes it a no-op
 * (-ENOENT) instead of being overwritten. */
static int settle_prepare(struct engine *e, const struct store_due *d, struct settle *st)
{
    const char *to = NULL;
    bool pending = strncmp(d->status, "PENDING_", 8) == 0;
    int r = store_conn_get(e->store, d->project_id, d->id, &st->row);

    st->d = d;
    if (r == 0 && strcmp(st->row.status, d->status) != 0)
        r = -ENOENT; /* moved on since the queue was read */
    if (r == 0) {
        r = -ENOENT;
        if (e->driver->settle_ignores_conn) {
            to = pending ? e->driver->conn_settled_status(e->driver_ctx, NULL)
                         : model_conn_status(st->row.status);
            r = to ? settle_patch(&st->row, to, &st->spec, &st->doc) : -ENOENT;
        }
        if (r == -ENOENT)
            r = settle_render(e, &st->row, pending, &to, &st->spec, &st->doc);
    }
    st->old_spec = st->row.spec;
    free(st->row.doc);
    st->row.spec = st->row.doc = NULL;
    if (r < 0)
        return r;
    if (pending)
        snprintf(st->msg, sizeof(st->msg), "status %s -> %s", d->status, to);
    snprintf(st->row.status, sizeof(st->row.status), "%s", to);
    st->row.status_due = 0;
    st->row.spec = st->spec.data;
    st->row.doc = st->doc.data;
    return 0;
}

/* Writes the prepared settles in one transaction; returns the number applied or a negative
 * errno (nothing applied). */
static int settle_write(struct engine *e, struct settle *sts, size_t n, int64_t now_ms)
{
    struct store_conn_settle items[ENGINE_BATCH];
    int applied = 0;

    for (size_t i = 0; i < n; i++) {
        bool pending = strncmp(sts[i].d->status, "PENDING_", 8) == 0;
        items[i] = (struct store_conn_settle){
            .row = &sts[i].row,
            .from = {.status = sts[i].d->status, .spec = sts[i].old_spec},
            .ev = {.at = now_ms, .message = pending ? sts[i].msg : NULL},
        };
    }
    int r = n ? store_conn_settle_batch(e->store, items, n) : 0;
    if (r < 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        if (items[i].result != 0) /* deleted, updated, or another engine got there first */
            continue;
        if (items[i].ev.message)
            log_transition("vpn_connection", sts[i].d, sts[i].row.status);
        applied++;
    }
    return applied;
}

/* A connection whose delete delay has passed: the driver tears it down, then the row goes
 * (compare-and-set on PENDING_DELETE, so it happens once). */
static int remove_connection(struct engine *e, const struct store_due *d)
{
    struct store_conn_row row = {0};
    struct model_vpn_conn *c = calloc(1, sizeof(*c));
    int r = c ? store_conn_get(e->store, d->project_id, d->id, &row) : -ENOMEM;

    if (r == 0)
        r = model_conn_from_internal_fresh(row.spec, strlen(row.spec), c);
    if (r == 0 && e->driver->conn_remove)
        r = e->driver->conn_remove(e->driver_ctx, c);
    if (r == 0)
        r = store_conn_delete_if(e->store, d->project_id, d->id, "PENDING_DELETE");
    store_conn_row_done(&row);
    free(c);
    return r;
}

/* Monitors have nothing to negotiate in the simulation: PENDING_CREATE becomes ACTIVE, and a
 * PENDING_DELETE one goes (monitor_remove.c). */
static int tick_monitors(struct engine *e, int64_t now_ms)
{
    struct store_due due[ENGINE_BATCH];
    size_t n = 0;
    int applied = 0;
    int r = store_monitor_due_list(e->store, now_ms, ENGINE_BATCH, due, &n);

    if (r < 0) {
        log_error("op=engine.monitor_due_list error=\"%s\"", store_errmsg(e->store));
        return r;
    }
    for (size_t i = 0; i < n; i++) {
        bool removing = strcmp(due[i].status, "PENDING_DELETE") == 0;

        r = removing ? engine_remove_monitor(e, &due[i])
                     : store_monitor_set_status(e->store, due[i].project_id, due[i].id,
                                                due[i].status, "ACTIVE", 0);
        if (r == 0 && removing)
            log_transition("connection_monitor", &due[i], "deleted");
        if (r == -ENOENT) /* deleted, or another engine got there first, or a concurrent write */
            continue;
        if (r < 0) {
            log_error("op=engine.settle kind=connection_monitor id=%s error=%d", due[i].id, r);
            return r;
        }
        applied++;
    }
    return applied;
}

int engine_tick(struct engine *e, int64_t now_ms)
{
    int monitors = tick_monitors(e, now_ms);

    if (monitors < 0)
        return monitors;
    int r = engine_tick_resources(e, now_ms);
    return r < 0 ? r : r + monitors;
}

/* Gateways and connections; the connection settles of the tick share one transaction. */
static int engine_tick_resources(struct engine *e, int64_t now_ms)
{
    struct store_due due[ENGINE_BATCH];
    size_t n = 0, n_settle = 0;
    int applied = 0;
    int r = store_due_list(e->store, now_ms, ENGINE_BATCH, due, &n);

    if (r < 0) {
        log_error("op=engine.due_list error=\"%s\"", store_errmsg(e->store));
        return r;
    }
    _cleanup_free_ struct settle *sts = n ? calloc(n, sizeof(*sts)) : NULL;
    if (n && !sts)
        return -ENOMEM;
    for (size_t i = 0; i < n && r >= 0; i++) {
        bool vgw = due[i].kind == STORE_KIND_VGW;
        if (vgw) {
            r = settle_gateway(e, &due[i], now_ms);
        } else if (strcmp(due[i].status, "PENDING_DELETE") == 0) {
            r = remove_connection(e, &due[i]);
        } else {
            r = settle_prepare(e, &due[i], &sts[n_settle]);
            if (r == 0) {
                n_settle++; /* written below */
                continue;
            }
            settle_done(&sts[n_settle]);
            memset(&sts[n_settle], 0, sizeof(sts[n_settle]));
        }
        if (r == -ENOENT) { /* deleted, or another engine got there first */
            r = 0;
            continue;
        }
        if (r < 0)
            log_error("op=engine.settle kind=%s id=%s error=%d", vgw ? "vpn_gateway" : "vpn_connection",
                      due[i].id, r);
        else
            applied++;
    }
    if (r >= 0) {
        r = settle_write(e, sts, n_settle, now_ms);
        if (r < 0)
            log_error("op=engine.settle kind=vpn_connection n=%zu error=%d", n_settle, r);
    }
    for (size_t i = 0; i < n_settle; i++)
        settle_done(&sts[i]);
    return r < 0 ? r : applied + r;
}
