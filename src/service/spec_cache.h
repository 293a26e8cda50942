/* service/spec_cache.h: parsed gateway and customer gateway specs, kept by their stored text.
 *
 * Every connection create reads its gateway's and customer gateway's stored specs and parses
 * them (jansson, then the field tables, into 31-39 KB structs): a third of a create. The parse
 * is a function of the text alone, so a spec byte-equal to one parsed before gives that struct
 * again. The key is the whole text (length, then memcmp), never an id: an update of the
 * resource changes its text and so misses. Nothing read from the row's other columns (status,
 * used_connection_number) is kept. Single-threaded (the event loop owns struct svc). */
#ifndef VPND_SERVICE_SPEC_CACHE_H
#define VPND_SERVICE_SPEC_CACHE_H

#include <stddef.h>

struct model_vgw;
struct model_cgw;

#define SPEC_CACHE_SLOTS 64

struct svc_spec_cache_ent {
    char *text; /* owned copy of the spec; NULL = empty slot */
    size_t len;
    void *obj; /* owned parsed struct */
};

struct svc_spec_cache {
    struct svc_spec_cache_ent ent[SPEC_CACHE_SLOTS];
    unsigned next; /* slot replaced on the next miss (round robin) */
};

/* The parsed form of spec[0..len), read-only, valid until the next call on the same cache or
 * svc_spec_cache_done. *ret: 0, or what model_vgw_from_internal / model_cgw_from_internal returned
 * (then NULL; a spec that fails to parse is not kept). */
const struct model_vgw *svc_spec_cache_vgw(struct svc_spec_cache *sc, const char *spec, size_t len,
                                       int *ret);
const struct model_cgw *svc_spec_cache_cgw(struct svc_spec_cache *sc, const char *spec, size_t len,
                                       int *ret);
void svc_spec_cache_done(struct svc_spec_cache *sc);

#endif
