/* util/macro.h: small language helpers shared by every module. */
#ifndef VPND_UTIL_MACRO_H
#define VPND_UTIL_MACRO_H

#include <stdlib.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Run fn(&var) when var leaves scope; used with free_ptr and the *_freep helpers. */
#define _cleanup_(fn) __attribute__((cleanup(fn)))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))
#define _cold_ __attribute__((cold))

/* Hand out ownership of a _cleanup_ local: returns its value and clears it. */
#define TAKE_PTR(p)                                                                                \
    ({                                                                                             \
        __typeof__(p) take_ptr_tmp_ = (p);                                                         \
        (p) = NULL;                                                                                \
        take_ptr_tmp_;                                                                             \
    })

static inline void free_ptr(void *p)
{
    free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(free_ptr)

#endif
