/* util/clock.h: the server's one source of "now".
 *
 * Every time stamp the server writes (created_at, updated_at, event times), every due time of
 * the status engine and every engine tick reads the clock of the server context, never the
 * system clock directly, so a test or a control surface can run the server on virtual time by
 * giving it another clock. (Request authentication compares X-Sdk-Date with the wall clock:
 * the SDK signs with real time.)
 */
#ifndef VPND_UTIL_CLOCK_H
#define VPND_UTIL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct clock {
    /* Milliseconds since the Unix epoch. */
    int64_t (*now_ms)(const struct clock *c);
};

/* The wall clock (CLOCK_REALTIME). */
extern const struct clock clock_wall;

static inline int64_t clock_now_ms(const struct clock *c)
{
    return c->now_ms(c);
}

/* Virtual time (the control surface, POST /_vpnd/clock): the wall clock moved by an offset, or
 * standing still at one instant. Whoever owns it sets offset_ms / frozen / frozen_ms; readers
 * see it through base like any clock. */
struct clock_virtual {
    struct clock base; /* first: &v->base is the clock to hand out */
    int64_t offset_ms; /* added to the wall clock while running */
    bool frozen;       /* now is frozen_ms, whatever the wall clock says */
    int64_t frozen_ms;
};

/* A virtual clock equal to the wall clock (offset 0, running). */
void clock_virtual_init(struct clock_virtual *v);

#endif
