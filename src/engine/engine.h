/* engine/engine.h: the status engine. Resources are created PENDING_*; the engine moves them to
 * their settled status once their status_due time has passed, asking a driver what a connection
 * settles to. The default driver simulates the cloud (no peer answers: DOWN); a real IPsec data
 * plane can replace it behind the same ops. State lives in the store (status + status_due), so
 * a transition left pending when vpnd stopped completes after restart. */
#ifndef VPND_ENGINE_H
#define VPND_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

struct store;
struct model_vpn_conn;

struct driver_ops {
    const char *name;
    /* The status a connection settles to after PENDING_CREATE / PENDING_UPDATE. */
    const char *(*conn_settled_status)(const void *ctx, const struct model_vpn_conn *c);
    /* conn_settled_status does not look at its connection: the engine then passes NULL and
     * settles by editing the stored status members (model_json_set_str) without parsing the
     * connection. */
    bool settle_ignores_conn;
    /* Tears a PENDING_DELETE connection down before its row is removed; NULL = nothing to do.
     * A negative errno keeps the row (retried on the next tick). */
    int (*conn_remove)(const void *ctx, const struct model_vpn_conn *c);
};

struct engine {
    struct store *store; /* borrowed */
    const struct driver_ops *driver;
    const void *driver_ctx;
    unsigned delay_ms; /* how long PENDING_* lasts (PENDING_DELETE included) */
};

/* The simulated cloud; ctx is the settled status string ("DOWN" or "ACTIVE"). */
extern const struct driver_ops engine_sim_driver;

/* When a resource entering a PENDING_* status now should be acted on. */
int64_t engine_due_at(const struct engine *e, int64_t now_ms);
/* Applies every transition due by now. Returns the number applied or a negative errno. */
int engine_tick(struct engine *e, int64_t now_ms);

#endif
