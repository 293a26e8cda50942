/* tests/fault/alloc_fault.c: the allocator hook (fault.h). The test binary is linked with
 * -Wl,--wrap=malloc,... so that its objects' calls land here; __real_* are the C library's (or
 * the sanitizer's) own. SQLite's allocations go through it too (fault_alloc_sqlite). Other
 * libraries allocate on their own: jansson 2.14 is not hooked, as it does not survive an
 * allocation failure in its lexer (json_loadb crashes); libpq and OpenSSL keep theirs. */
#include "fault.h"

#include <sqlite3.h>

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);

static long armed, calls;
static bool fired;

/* True when this allocation is the one to fail. */
static bool fail_now(void)
{
    calls++;
    if (armed && calls == armed) {
        fired = true;
        return true;
    }
    return false;
}

void *__wrap_malloc(size_t n)
{
    return fail_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return fail_now() ? NULL : __real_strdup(s);
}

void fault_alloc_arm(long nth)
{
    armed = nth;
    calls = 0;
    fired = false;
}

long fault_alloc_calls(void)
{
    return calls;
}

bool fault_alloc_fired(void)
{
    return fired;
}

/* SQLite's allocator, its malloc and realloc failing with the hook's. */
static sqlite3_mem_methods sqlite_mem;

static void *sqlite_malloc(int n)
{
    return fail_now() ? NULL : sqlite_mem.xMalloc(n);
}

static void *sqlite_realloc(void *p, int n)
{
    return fail_now() ? NULL : sqlite_mem.xRealloc(p, n);
}

void fault_alloc_sqlite(void)
{
    sqlite3_mem_methods m;

    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_mem) != SQLITE_OK)
        abort();
    m = sqlite_mem;
    m.xMalloc = sqlite_malloc;
    m.xRealloc = sqlite_realloc;
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK)
        abort();
}
