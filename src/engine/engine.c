/* engine/engine.c: applies due status transitions, each with a compare-and-set so that a
 * transition happens once. */
#include "engine/engine.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "store/store.h"
#include "util/buf.h"
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
};

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

/* Connections carry their status inside the served document, so it is rendered again. A status
 * change is not a configuration update: updated_at stays. The write is a compare-and-set on the
 * status and updated_at read here (store_conn_update_if): another engine that settled it first,
 * or an API update in between, makes it -EBUSY rather than a second transition or a lost
 * update. */
static int settle_connection(struct engine *e, const struct store_due *d)
{
    struct store_conn_row row = {0};
    struct model_vpn_conn *c = calloc(1, sizeof(*c));
    struct buf spec = {0}, doc = {0};
    int r = c ? store_conn_get(e->store, d->project_id, d->id, &row) : -ENOMEM;

    if (r == 0)
        r = model_conn_from_internal(row.spec, strlen(row.spec), c);
    if (r == 0 && strcmp(row.status, d->status) == 0) {
        c->status = e->driver->conn_settled_status(e->driver_ctx, c);
        r = model_conn_to_internal(c, &spec);
        if (r == 0)
            r = model_conn_render(c, &doc);
        if (r == 0) {
            snprintf(row.status, sizeof(row.status), "%s", c->status);
            row.status_due = 0;
            store_conn_row_done(&row);
            row.spec = spec.data;
            row.doc = doc.data;
            r = store_conn_update_if(e->store, &row, NULL, 0, d->status, row.updated_at);
            row.spec = row.doc = NULL;
            if (r == 0)
                log_transition("vpn_connection", d, row.status);
        }
    }
    store_conn_row_done(&row);
    buf_free(&spec);
    buf_free(&doc);
    free(c);
    return r;
}

int engine_tick(struct engine *e, int64_t now_ms)
{
    struct store_due due[ENGINE_BATCH];
    size_t n = 0;
    int applied = 0;
    int r = store_due_list(e->store, now_ms, ENGINE_BATCH, due, &n);

    if (r < 0) {
        log_error("op=engine.due_list error=\"%s\"", store_errmsg(e->store));
        return r;
    }
    for (size_t i = 0; i < n; i++) {
        bool vgw = due[i].kind == STORE_KIND_VGW;
        r = vgw ? settle_gateway(e, &due[i], now_ms) : settle_connection(e, &due[i]);
        if (r == -ENOENT || r == -EBUSY) /* deleted, or changed: another engine or a write */
            continue;
        if (r < 0) {
            log_error("op=engine.settle kind=%s id=%s error=%d", vgw ? "vpn_gateway" : "vpn_connection",
                      due[i].id, r);
            return r;
        }
        applied++;
    }
    return applied;
}
