/* engine/engine.h: the status engine. Resources are created (and updated, deleted) PENDING_*;
 * the engine moves them on once their status_due time has passed. It is a scheduler: it reads
 * the due queues and asks the driver what a connection settles to, and every change it makes is
 * a service call (svc.h "the status engine's work"), each a compare-and-set, so with several
 * engines on one database every transition happens once. State lives in the store (status +
 * status_due), so a transition left pending when vpnd stopped completes after restart.
 *
 * The engine/driver boundary (the ops below) is what a data plane replaces: the simulated
 * driver answers at once from the configured settle status; a real one decides from the IPsec
 * daemon, or changes statuses itself as its events arrive (svc_conn_set_status). Time is the
 * service's clock (svc_now_ms), never the system clock. */
#ifndef VPND_ENGINE_H
#define VPND_ENGINE_H

#include <stdint.h>

struct svc;

struct driver_ops {
    const char *name;
    /* The status connection id of project_id settles to after PENDING_CREATE or
     * PENDING_UPDATE (a canonical connection status), or NULL to leave it pending (asked again
     * on a later tick). */
    const char *(*conn_settled_status)(const void *ctx, const char *project_id, const char *id);
    /* Tears a PENDING_DELETE connection down before its row is removed; NULL = nothing to do.
     * A negative errno keeps the row (retried on the next tick). */
    int (*conn_remove)(const void *ctx, const char *project_id, const char *id);
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
    const struct driver_ops *driver;
    const void *driver_ctx;
    struct engine_stats stats;
};

/* "vpn_gateway", "customer_gateway", "vpn_connection", "connection_monitor" (kind < 4). */
const char *engine_kind_name(unsigned kind);
/* "ACTIVE", "DOWN", "ERROR", "deleted", "other". */
const char *engine_target_name(enum engine_target t);

/* The simulated cloud; ctx is the settled status string (MODEL_STATUS(DOWN) or (ACTIVE)). */
extern const struct driver_ops engine_sim_driver;

/* Applies every transition due by the service's clock now (up to a batch per queue). Returns
 * the number applied or a negative errno. */
int engine_tick(struct engine *e);

#endif
