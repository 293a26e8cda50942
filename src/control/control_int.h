/* control/control_int.h: what the control module's files share; not its interface
 * (control.h). */
#ifndef VPND_CONTROL_INT_H
#define VPND_CONTROL_INT_H

#include "control/control.h"

struct svc_pending;

/* The keys of the control table (store.h "control"). */
#define CONTROL_KEY_MAX 256
#define CONTROL_CLOCK "clock"
#define CONTROL_TRANSITION "transition/" /* + rule id: a transition rule */
#define CONTROL_FAULT "fault/"           /* + rule id: a fault rule */
#define CONTROL_HELD "held/"             /* + kind/project_id/id: a held resource */

/* A held transition this long without its resource is left over from a write that failed
 * after the hold was stored: forgotten. */
#define CONTROL_ORPHAN_MS 10000

void control_held_key(enum model_kind kind, const char *project_id, const char *id,
                      char out[CONTROL_KEY_MAX]);
/* The held state of a resource in the node's copy, or NULL. */
struct model_ctl_held *control_held_find(struct control *c, enum model_kind kind,
                                         const char *project_id, const char *id);
/* Stores h (and puts it in the copy). 0 or a store error. */
int control_held_put(struct control *c, const struct model_ctl_held *h);
/* Drops the held state of a resource from the table and the copy. */
void control_held_forget(struct control *c, enum model_kind kind, const char *project_id,
                         const char *id);
/* Ends a held transition: to its outcome, or released to the status engine (due now; *kick is
 * then set: the caller runs the engine). 1 when it ended, 0 when there was nothing to end (the
 * resource moved on or is gone: the state is dropped), or a store error. */
int control_held_end(struct control *c, const struct model_ctl_held *h, bool *kick);
/* The due time of a resource entering a PENDING_* status under the rules (control/status.c;
 * the service's pending hook). */
int64_t control_pending_due(struct control *c, const struct svc_pending *p);
void control_run_engine(struct control *c);

/* Adds id to / drops it from the copy's held list (no store access). */
int control_copy_held_add(struct control *c, const struct model_ctl_held *h);
void control_copy_held_drop(struct control *c, size_t i);

/* A random 53-bit seed, for a fault rule given none. */
uint64_t control_random_seed(void);

#endif
