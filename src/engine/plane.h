/* engine/plane.h: the data plane: stored connections made real by a driver (driver/driver.h) and
 * their statuses told by it.
 *
 * What it does, on the server's event loop:
 *  - pending transitions (the status engine hands them over through plane_engine_driver): a
 *    PENDING_CREATE or PENDING_UPDATE connection is loaded into the daemon and settles to
 *    ACTIVE or DOWN once the daemon accepted it (DOWN with the reason when it refused it or
 *    the driver cannot realize it); a PENDING_DELETE one is unloaded (configuration, key, SAs)
 *    and only then its row goes. Each is held with svc_conn_claim for retry_ms meanwhile;
 *  - statuses from the daemon's reports (driver_host.conn_state): ACTIVE / DOWN with the cause
 *    in the connection's log (svc_conn_set_status, a compare-and-set); while the daemon cannot
 *    be reached every driven connection is UNKNOWN ("data plane unreachable");
 *  - reconciliation: on start, on every reconnect to the daemon and whenever the set of
 *    gateways it drives changes, it loads every connection of those gateways the store has
 *    and unloads every vpnd connection the daemon has that the store does not (driver_sync),
 *    then lists every SA (driver_refresh). Every reconcile_ms a lighter pass does the same but
 *    loads only connections it did not know (written by another process), and its listing is
 *    the safety net under the events;
 *  - several nodes: it drives only the gateways whose lease it holds (store_leases_take, taken
 *    and renewed every lease_ms / 3); a lease it fails to renew for lease_ms is lost, and the
 *    daemon is emptied of that node's connections (another node takes them over);
 *  - the control surface (control/control.h): a connection it holds (a status a tester forced
 *    with hold, a transition waiting for advance or reads) keeps its status whatever the daemon
 *    reports; the report is counted (status_held) and logged ("event=status_held"), and once
 *    the hold ends the state last reported becomes its status. After a reset (svc_reset) the
 *    leases are taken again and the daemon is brought in line at the next tick: what the reset
 *    deleted is unloaded and forgotten. Its times are the service's clock, the control
 *    surface's virtual clock when that is on: a clock set back does not stall them.
 * Every status it writes is logged once ("event=status_transition ... reason=..."). */
#ifndef VPND_ENGINE_PLANE_H
#define VPND_ENGINE_PLANE_H

#include <stdbool.h>
#include <stdint.h>

#include "driver/driver.h"
#include "engine/engine.h"

struct svc;
struct plane;

struct plane_config {
    const char *node;      /* this node's name in the leases (copied) */
    unsigned lease_ms;     /* how long a lease lasts */
    unsigned reconcile_ms; /* how often every SA is listed */
    unsigned retry_ms;     /* a pending transition handed to the daemon is tried again after */
};

/* Facts for the operator (metrics): read-only. */
struct plane_stats {
    uint64_t reconciles;           /* full reconciliations (start, reconnect, lease change) */
    uint64_t reconcile_last_us;    /* vpnd's time in the last one (its commands then queue) */
    uint64_t reconcile_last_conns; /* connections it loaded */
    uint64_t periodic;             /* periodic passes (every reconcile_ms) */
    uint64_t periodic_last_us;     /* vpnd's time in the last one */
    uint64_t leases_held;          /* gateways this node drives now */
    uint64_t lease_failures;       /* renewals the store refused */
    uint64_t status_writes;        /* statuses written from the daemon's reports */
    uint64_t status_held;          /* reports not written: the control surface held the
                                    * connection (a tester's status wins) */
    uint64_t applies, removes;     /* configurations loaded, unloaded */
};

/* The data plane over svc and drv (both borrowed; drv's host becomes the plane). Returns 0,
 * -EINVAL (no node name) or -ENOMEM. */
int plane_new(struct svc *svc, struct driver *drv, const struct plane_config *cfg,
              struct plane **ret);
void plane_free(struct plane *p); /* NULL is a no-op */
/* Leases, a pending reconciliation, the periodic listing: call on every server tick. */
void plane_tick(struct plane *p);
const struct plane_stats *plane_stats(const struct plane *p);

/* The engine's boundary to the data plane: ctx is the struct plane. */
extern const struct engine_driver plane_engine_driver;

#endif
