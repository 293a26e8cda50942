/* engine/engine.c: applies due status transitions through the service (engine.h). */
#include "engine/engine.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "model/model.h"
#include "service/svc.h"
#include "util/log.h"
#include "util/macro.h"

#define ENGINE_BATCH SVC_DUE_MAX

static const char *sim_conn_settled_status(void *ctx, const struct svc_due *d)
{
    const struct svc *svc = ctx;

    (void)d;
    return svc ? svc->settle_status : MODEL_STATUS(DOWN);
}

const struct engine_driver engine_sim_driver = {
    .name = "sim",
    .conn_settled_status = sim_conn_settled_status,
};

static const char *const kind_name[] = {
    [MODEL_KIND_VGW] = "vpn_gateway",
    [MODEL_KIND_CGW] = "customer_gateway",
    [MODEL_KIND_CONN] = "vpn_connection",
    [MODEL_KIND_MONITOR] = "connection_monitor",
};

static const char *const target_name[ENGINE_TARGET_COUNT] = {
    [ENGINE_TO_ACTIVE] = "ACTIVE", [ENGINE_TO_DOWN] = "DOWN",   [ENGINE_TO_ERROR] = "ERROR",
    [ENGINE_TO_DELETED] = "deleted", [ENGINE_TO_OTHER] = "other",
};

const char *engine_kind_name(unsigned kind)
{
    return kind < ARRAY_SIZE(kind_name) && kind_name[kind] ? kind_name[kind] : "other";
}

const char *engine_target_name(enum engine_target t)
{
    return target_name[t];
}

/* One line per applied transition, after its commit: with several nodes on one database each
 * transition appears in at most one node's log (in none when the node dies between its commit
 * and this line; the database, and the connection's /log, hold it). Counted the same way. */
static void log_transition(struct engine *e, const struct svc_due *d, const char *to)
{
    size_t t = 0;

    while (t < ENGINE_TO_OTHER && strcmp(target_name[t], to) != 0)
        t++;
    if ((unsigned)d->kind < ENGINE_KIND_COUNT)
        e->stats.transitions[d->kind][t]++;
    log_info("event=status_transition kind=%s project_id=%s id=%s from=%s to=%s",
             kind_name[d->kind], d->project_id, d->id, d->status, to);
}

/* Counts an outcome: 1 applied, 0 lost to another writer (-ENOENT), or a logged error. */
static int outcome(const struct svc_due *d, int r)
{
    if (r == -ENOENT) /* deleted, changed, or another engine got there first */
        return 0;
    if (r < 0) {
        log_error("op=engine.settle kind=%s id=%s error=%d", kind_name[d->kind], d->id, r);
        return r;
    }
    return 1;
}

/* The backlog seen by this tick (each due list is oldest first). */
static void note_due(struct engine *e, const struct svc_due *due, size_t n, int64_t now)
{
    e->stats.due += n;
    if (n && now - due[0].due > e->stats.lag_ms)
        e->stats.lag_ms = now - due[0].due;
}

static int tick_monitors(struct engine *e, int64_t now)
{
    struct svc_due due[ENGINE_BATCH];
    size_t n = 0;
    int applied = 0;
    int r = svc_due_monitors(e->svc, now, ENGINE_BATCH, due, &n);

    if (r < 0) {
        log_error("op=engine.monitor_due_list error=\"%s\"", svc_errmsg(e->svc));
        return r;
    }
    note_due(e, due, n, now);
    for (size_t i = 0; i < n; i++) {
        bool removing = strcmp(due[i].status, MODEL_STATUS(PENDING_DELETE)) == 0;

        r = outcome(&due[i], svc_monitor_settle(e->svc, &due[i]));
        if (r < 0)
            return r;
        if (r > 0 && removing)
            log_transition(e, &due[i], "deleted");
        applied += r;
    }
    return applied;
}

/* A connection whose delete delay has passed: the driver tears it down, then the row goes (or
 * the driver removes it once its daemon is done: nothing applied yet). */
static int remove_connection(struct engine *e, const struct svc_due *d)
{
    int r = e->driver->conn_remove ? e->driver->conn_remove(e->driver_ctx, d) : 0;

    if (r > 0)
        return -ENOENT; /* counted as nothing applied (engine.c outcome) */
    return r < 0 ? r : svc_conn_remove(e->svc, d);
}

/* The connection settles of one tick, written in one service call. */
static int settle_connections(struct engine *e, struct svc_conn_settle *items, size_t n)
{
    int applied = 0;
    int r = svc_conn_settle(e->svc, items, n);

    if (r < 0) {
        log_error("op=engine.settle kind=vpn_connection n=%zu error=%d", n, r);
        return r;
    }
    for (size_t i = 0; i < n; i++) {
        if (items[i].result != 0)
            continue;
        if (model_status_is_pending(items[i].d->status))
            log_transition(e, items[i].d, items[i].to);
        applied++;
    }
    return applied;
}

/* Gateways and connections. */
static int tick_resources(struct engine *e, int64_t now)
{
    struct svc_due due[ENGINE_BATCH];
    struct svc_conn_settle settles[ENGINE_BATCH];
    size_t n = 0, n_settle = 0;
    int applied = 0;
    int r = svc_due(e->svc, now, ENGINE_BATCH, due, &n);

    if (r < 0) {
        log_error("op=engine.due_list error=\"%s\"", svc_errmsg(e->svc));
        return r;
    }
    note_due(e, due, n, now);
    for (size_t i = 0; i < n; i++) {
        const struct svc_due *d = &due[i];
        bool pending = model_status_is_pending(d->status);

        if (d->kind == MODEL_KIND_VGW) {
            r = svc_vgw_settle(e->svc, d);
            if (r == 0)
                log_transition(e, d, pending ? MODEL_STATUS(ACTIVE) : d->status);
            if (r == 0 && pending && e->driver->vgw_settled)
                e->driver->vgw_settled(e->driver_ctx, d);
        } else if (strcmp(d->status, MODEL_STATUS(PENDING_DELETE)) == 0) {
            r = remove_connection(e, d);
        } else {
            /* a due time on a settled status is only cleared */
            const char *to = pending ? e->driver->conn_settled_status(e->driver_ctx, d)
                                     : d->status;
            if (to)
                settles[n_settle++] = (struct svc_conn_settle){.d = d, .to = to};
            continue;
        }
        r = outcome(d, r);
        if (r < 0)
            return r;
        applied += r;
    }
    r = n_settle ? settle_connections(e, settles, n_settle) : 0;
    return r < 0 ? r : applied + r;
}

int engine_tick(struct engine *e)
{
    int64_t now = svc_now_ms(e->svc);

    e->stats.ticks++;
    e->stats.due = 0;
    e->stats.lag_ms = 0;
    int monitors = tick_monitors(e, now);
    int r = monitors < 0 ? monitors : tick_resources(e, now);
    if (r < 0) {
        e->stats.errors++;
        return r;
    }
    return r + monitors;
}
