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

#endif
