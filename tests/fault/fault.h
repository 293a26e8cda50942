/* tests/fault/fault.h: fault injection for tests, as SQLite does it: a store that fails its Nth
 * call and an allocator that fails its Nth allocation. Linked only into test binaries (never into
 * vpnd): the allocator hook needs the binary linked with FAULT_ALLOC_WRAP (Makefile), which sends
 * every malloc, calloc, realloc and strdup of the objects linked in through it (vpnd's own
 * code; not the libraries': see alloc_fault.c). */
#ifndef VPND_TEST_FAULT_H
#define VPND_TEST_FAULT_H

#include <stdbool.h>

struct store;

/* Replaces *s by a store that forwards every call to it (which it then owns: closing the
 * wrapper closes it) and fails the call fault_store_arm names. */
void fault_store_wrap(struct store **s);
/* From now on, the nth store call (1 = the next) fails with err (a negative errno, nothing
 * forwarded); nth 0 disarms. Calls are counted from here. */
void fault_store_arm(long nth, int err);
/* The store calls since the last fault_store_arm; whether the armed one was reached. */
long fault_store_calls(void);
bool fault_store_fired(void);

/* Sends SQLite's allocations through the hook too (before the first store_open). */
void fault_alloc_sqlite(void);
/* From now on, the nth allocation (1 = the next) fails; nth 0 disarms. Counted from here. */
void fault_alloc_arm(long nth);
long fault_alloc_calls(void);
bool fault_alloc_fired(void);

#endif
