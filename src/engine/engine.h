/* engine/engine.h: the status engine. Resources are created (and updated, deleted) PENDING_*;
 * the engine moves them on once their status_due time has passed. It is a scheduler: it reads
 * the due queues and asks the driver what a connection settles to, and every change it makes is
 * a service call (svc.h "the status engine's work"), each a compare-and-set, so with several
 * engines on one database every transition happens once. State lives in the store (status +
 * status_due), so a transition left pending when vpnd stopped completes after restart.
 *
 * The engine/driver boundary (struct engine_driver) is what a data plane replaces: the
 * simulated driver answers at once from the configured settle status; the data plane
 * (engine/plane.h) loads the connection into the IPsec daemon and settles it itself once the
 * daemon accepted it, then changes statuses as the daemon's events arrive
 * (svc_conn_set_status). Time is the service's clock (svc_now_ms), never the system clock. */
#ifndef VPND_ENGINE_H
#define VPND_ENGINE_H

#include <stdint.h>

struct svc;
struct svc_due;

/* The engine/driver boundary: what a connection's pending transition becomes. The simulated
 * cloud answers at once (engine_sim_driver); the data plane (engine/plane.h) takes the
 * transition in hand and completes it itself once the IPsec daemon has done its part. */
struct engine_driver {
    const char *name;
    /* The status due connection d (PENDING_CREATE or PENDING_UPDATE) settles to now (a
     * canonical connection status), or NULL: not now (the driver settles it itself later, or it
     * is asked again when d is due again). */
    const char *(*conn_settled_status)(void *ctx, const struct svc_due *d);
    /* Tears a due PENDING_DELETE connection down: 0 its row may go now, 1 the driver removes
     * the row itself later, or a negative errno (asked again on a later tick). NULL = nothing
     * to tear down. */
    int (*conn_remove)(void *ctx, const struct svc_due *d);
    /* A gateway the engine just settled ACTIVE from d->status (PENDING_CREATE: a new gateway
     * to drive; PENDING_UPDATE: its local subnets may have changed what its connections
     * select); NULL = nothing to do. */
    void (*vgw_settled)(void *ctx, const struct svc_due *d);
};

/* The targets transitions are counted by (engine_stats.transitions). */
enum engine_target {
    ENGINE_TO_ACTIVE,
    ENGINE_TO_DOWN,
    ENGINE_TO_ERROR,
    ENGINE_TO_DELETED, /* the row was removed (after PENDING_DELETE) */
    ENGINE_TO_OTHER,
    ENGINE_TARGET_COUNT,
};
#define ENGINE_KIND_COUNT 4 /* MODEL_KIND_VGW, _CGW, _CONN, _MONITOR */

/* What the engine did (metrics). */
struct engine_stats {
    uint64_t ticks;
    uint64_t errors;             /* ticks that failed (logged) */
    uint64_t due;                /* transitions due at the last tick (at most SVC_DUE_MAX a queue) */
    int64_t lag_ms;              /* how late the oldest of them was at the last tick */
    uint64_t transitions[ENGINE_KIND_COUNT][ENGINE_TARGET_COUNT];
};

struct engine {
    struct svc *svc; /* borrowed */
    const struct engine_driver *driver;
    void *driver_ctx;
    struct engine_stats stats;
};

/* The simulated cloud; ctx is the struct svc whose settle status connections settle to (NULL:
 * DOWN). */
extern const struct engine_driver engine_sim_driver;

/* "vpn_gateway", "customer_gateway", "vpn_connection", "connection_monitor" (kind < 4). */
const char *engine_kind_name(unsigned kind);
/* "ACTIVE", "DOWN", "ERROR", "deleted", "other". */
const char *engine_target_name(enum engine_target t);

/* Applies every transition due by the service's clock now (up to a batch per queue). Returns
 * the number applied or a negative errno. */
int engine_tick(struct engine *e);

#endif
