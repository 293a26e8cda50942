/* util/hash.h: FNV-1a (64 bits) over bytes, for the buckets of in-memory tables and to tell a
 * changed message from an unchanged one. Not keyed: the tables using it hold the server's own
 * ids (UUIDs it made, names derived from them). */
#ifndef VPND_UTIL_HASH_H
#define VPND_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV_INIT UINT64_C(1469598103934665603)

/* Hash h (HASH_FNV_INIT to start) continued over n bytes at p. */
static inline uint64_t hash_fnv1a(uint64_t h, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ ((const unsigned char *)p)[i]) * UINT64_C(1099511628211);
    return h;
}

/* Hash h continued over the string s (its NUL not included). */
static inline uint64_t hash_fnv1a_str(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

#endif
