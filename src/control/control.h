/* control/control.h: the control surface's state and rules, for people who test against vpnd
 * (README "Testing against vpnd"; the routes are api/control.c's).
 *
 * What it holds:
 *  - transition rules: how resources entering a PENDING_* status move on (after a delay, held
 *    until advanced, or after N reads) and how they end (their usual status, or ERROR on
 *    purpose); the service asks through its pending hook (svc_set_pending_hook);
 *  - held resources: a transition a rule holds, or a status forced with "hold" (status_due
 *    SVC_DUE_HELD, so the status engine and the data plane leave them alone);
 *  - fault rules: which cloud API requests get an error answer, added latency or a dropped
 *    connection, how often (probability with a seed, a count), counted as they fire;
 *  - virtual time: the clock of the service and the engine (util/clock.h clock_virtual).
 *
 * Where it lives: all of it in the store's control table (store.h "control"), so a change made
 * through one node is in force on every node sharing the database. Each node keeps a copy,
 * refreshed when the table's generation moves (read once per tick, and before every control
 * request); counts are compare-and-set counters in the table, so "the next 2 requests" means 2
 * across all nodes. Probability draws are per node (each node runs the rule's seeded sequence
 * on the requests it serves).
 *
 * The hot path: with no rule and nothing held, a request costs one test of two counters
 * (control_has_faults, control_watches_reads) and the pending hook returns at once.
 */
#ifndef VPND_CONTROL_H
#define VPND_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/model.h"
#include "util/buf.h"
#include "util/clock.h"

struct svc;

/* What a node counts of its own injected faults (for the log and /metrics). */
struct control_stats {
    uint64_t faults_injected;  /* requests a fault rule fired on */
    uint64_t faults_error;     /* ... answered with the rule's error */
    uint64_t faults_latency;   /* ... answered late */
    uint64_t faults_drop;      /* ... whose connection was dropped */
    uint64_t transitions_held; /* resources a rule or a forced hold held */
    uint64_t transitions_ended; /* held transitions ended (advance, reads, delay, outcome) */
};

/* A rule as a node keeps it, with its counter as last read from the table: the count left
 * (rules with a count: 0 = ran out) or how often it was used (rules without one). */
struct control_transition {
    struct model_ctl_transition rule;
    int64_t n;
};
struct control_fault {
    struct model_ctl_fault rule;
    int64_t n;
    uint64_t prng; /* splitmix64 state of the probability draws, from the rule's seed */
};

/* Runs the status engine now (the server's; NULL: nothing): what a released transition needs
 * to be applied before the control request that released it answers. */
typedef void (*control_kick_fn)(void *ud);

#define CONTROL_MEMO 8

struct control {
    struct svc *svc;              /* borrowed */
    struct clock_virtual *clock;  /* borrowed: the service's clock (or own_clock) */
    struct clock_virtual own_clock; /* when the service runs on a clock of its own (tests) */
    unsigned status_delay_ms;     /* the server's --status-delay */
    control_kick_fn kick;
    void *kick_ud;
    bool loaded;
    bool refresh_failed;          /* the last refresh failed (logged once) */
    int64_t generation;           /* of the copy below */
    struct control_transition *transitions; /* oldest first */
    size_t n_transitions;
    struct control_fault *faults; /* oldest first */
    size_t n_faults;
    struct model_ctl_held *held;
    size_t n_held;
    size_t n_reads;               /* of held, those ended by reads */
    /* the last decisions of the pending hook: a write retried (an address drawn again) asks
     * again for the same resource and must get the same answer without using a rule twice */
    struct {
        enum model_kind kind;
        char id[MODEL_CTL_ID_LEN];
        const char *status;
        int64_t now, due;
    } memo[CONTROL_MEMO];
    unsigned memo_next;
    struct control_stats stats;
};

/* Builds the control state over the service (its hook installed) and the virtual clock the
 * service reads (both borrowed; clock NULL: the service has a clock of its own, which the
 * control surface's clock requests then do not move). Loads the table. Returns 0 or a store
 * error (logged). */
int control_init(struct control *c, struct svc *svc, struct clock_virtual *clock,
                 unsigned status_delay_ms, control_kick_fn kick, void *kick_ud);
/* Removes the hook and frees the copy. */
void control_done(struct control *c);

/* Reads the generation and reloads the copy when it moved (force: reload anyway). 0 or a store
 * error (the old copy stays). */
int control_refresh(struct control *c, bool force);
/* Once per tick of the event loop: refresh, then end the held transitions whose delay is over.
 * Errors are logged. */
void control_tick(struct control *c);

static inline bool control_has_faults(const struct control *c)
{
    return c->n_faults > 0;
}

static inline bool control_watches_reads(const struct control *c)
{
    return c->n_reads > 0;
}

/* ---- status (control/status.c) ---- */

/* POST /_vpnd/status: sets the resource's status (a compare-and-set on what was read, retried),
 * held (status_due SVC_DUE_HELD) with st->hold; a PENDING_* status without hold moves on as a
 * transition entering it would (rules, else the status delay). Appends the reply object
 * {kind, project_id, id, status, from, held}. 0; -EINVAL (err: not found, a status its kind
 * does not have); -EBUSY; a store error. */
int control_status_force(struct control *c, const struct model_ctl_status *st, struct buf *out,
                         struct verr *err);
/* POST /_vpnd/advance: ends the held transitions t matches (all when t names nothing), and a
 * pending resource t names by id is made due now; runs the engine. *ret_n gets how many. */
int control_advance(struct control *c, const struct model_ctl_target *t, size_t *ret_n,
                    struct verr *err);
/* A GET of resource id (show): counts a read of a transition held until N reads, and ends it
 * on the Nth, before the GET reads the resource. Errors are logged. */
void control_on_read(struct control *c, enum model_kind kind, const char *project_id,
                     const char *id);
/* Appends the held resources as a JSON array. */
int control_held_write(const struct control *c, struct buf *out);

/* ---- transition rules (control/transitions.c) ---- */

/* Adds rule t (its id and created_at are given here), appends it. 0 or a store error. */
int control_transition_add(struct control *c, struct model_ctl_transition *t, struct buf *out);
/* Appends every rule as a JSON array, with how often each applied. */
int control_transitions_write(struct control *c, struct buf *out);
/* Deletes rule id (NULL: every rule). -EINVAL (err: no such rule) or a store error. */
int control_transition_delete(struct control *c, const char *id, struct verr *err);

/* ---- fault rules (control/faults.c) ---- */

/* Adds rule f (id, created_at and, when not given, a seed chosen here), appends it. */
int control_fault_add(struct control *c, struct model_ctl_fault *f, struct buf *out);
/* Appends every rule as a JSON array, with how often each fired. */
int control_faults_write(struct control *c, struct buf *out);
/* Deletes rule id (NULL: every rule). -EINVAL (err: no such rule) or a store error. */
int control_fault_delete(struct control *c, const char *id, struct verr *err);
/* The request that matched: the first rule (oldest first) that matches it, draws true and has
 * count left fires, and *ret gets a copy of it; its count and the node's stats move. Returns
 * true when one fired. */
struct control_request {
    const char *method, *operation, *path, *project_id, *resource_id;
};
bool control_fault_match(struct control *c, const struct control_request *rq,
                         struct model_ctl_fault *ret);

/* ---- virtual time (control/clock.c) ---- */

/* POST /_vpnd/clock: applies cl (model.h order) to the virtual clock, stores it for every node,
 * runs what became due. 0 or a store error. */
int control_clock_set(struct control *c, const struct model_ctl_clock *cl);
/* Appends {"now","now_ms","frozen","offset_ms"}. */
int control_clock_write(const struct control *c, struct buf *out);

/* ---- reset, seed, state (control/data.c) ---- */

/* Deletes every resource of project_id (NULL: of every project, and then every rule, hold and
 * the virtual clock too). */
int control_reset(struct control *c, const char *project_id);

struct control_seed {
    const char *project_id; /* of records without one; NULL: they are refused */
    bool keep;              /* keep the records' time stamps and status (vpnd import --keep-ids) */
    bool skip_invalid;
    size_t records, imported, refused, by_kind[3];
};
/* Loads records in vpnd import's format (text[0..len)) through the same import (transfer/),
 * with its messages ("seed line L: <path>: <rule>, got <value>") appended to report, one a
 * line. Returns transfer_import's result: 0, -EINVAL (refused records), or a store error. */
int control_seed(struct control *c, const char *text, size_t len, struct control_seed *s,
                 struct buf *report);
/* Appends what vpnd export writes (record lines). */
int control_state(struct control *c, struct buf *out);

#endif
