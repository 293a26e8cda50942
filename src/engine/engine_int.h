/* engine/engine_int.h: what the engine's files share. */
#ifndef VPND_ENGINE_INT_H
#define VPND_ENGINE_INT_H

struct engine;
struct store_due;

/* Removes a PENDING_DELETE monitor whose delay has passed (monitor_remove.c). 0, -ENOENT when
 * a concurrent write won (the monitor stays due), or another negative errno. */
int engine_remove_monitor(struct engine *e, const struct store_due *d);

#endif
