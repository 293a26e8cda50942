/* util/clock.c: the wall clock and the virtual clock behind struct clock (util/clock.h). */
#include "util/clock.h"

#include "util/ids.h"

static int64_t wall_now_ms(const struct clock *c)
{
    (void)c;
    return ids_now_ms();
}

const struct clock clock_wall = {.now_ms = wall_now_ms};

static int64_t virtual_now_ms(const struct clock *c)
{
    const struct clock_virtual *v = (const struct clock_virtual *)c;

    return v->frozen ? v->frozen_ms : ids_now_ms() + v->offset_ms;
}

void clock_virtual_init(struct clock_virtual *v)
{
    *v = (struct clock_virtual){.base = {.now_ms = virtual_now_ms}};
}
