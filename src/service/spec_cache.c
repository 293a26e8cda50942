/* service/spec_cache.c: parsed specs kept by their text (spec_cache.h). */
#include "service/spec_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

typedef int (*parse_fn)(const char *json, size_t len, void *obj);

static int parse_vgw(const char *json, size_t len, void *obj)
{
    return model_vgw_from_internal_fresh(json, len, obj);
}

static int parse_cgw(const char *json, size_t len, void *obj)
{
    return model_cgw_from_internal(json, len, obj);
}

static void ent_clear(struct svc_spec_cache_ent *e)
{
    free(e->text);
    free(e->obj);
    *e = (struct svc_spec_cache_ent){0};
}

static const void *lookup(struct svc_spec_cache *sc, const char *spec, size_t len, size_t obj_size,
                          parse_fn parse, int *ret)
{
    for (size_t i = 0; i < SPEC_CACHE_SLOTS; i++) {
        const struct svc_spec_cache_ent *e = &sc->ent[i];
        if (e->text && e->len == len && memcmp(e->text, spec, len) == 0) {
            *ret = 0;
            return e->obj;
        }
    }
    void *obj = calloc(1, obj_size);
    char *text = malloc(len + 1);
    int r = obj && text ? parse(spec, len, obj) : -ENOMEM;

    if (r < 0) {
        free(obj);
        free(text);
        *ret = r;
        return NULL;
    }
    memcpy(text, spec, len);
    text[len] = '\0';
    struct svc_spec_cache_ent *e = &sc->ent[sc->next];
    sc->next = (sc->next + 1) % SPEC_CACHE_SLOTS;
    ent_clear(e);
    *e = (struct svc_spec_cache_ent){text, len, obj};
    *ret = 0;
    return obj;
}

const struct model_vgw *svc_spec_cache_vgw(struct svc_spec_cache *sc, const char *spec, size_t len,
                                       int *ret)
{
    return lookup(sc, spec, len, sizeof(struct model_vgw), parse_vgw, ret);
}

const struct model_cgw *svc_spec_cache_cgw(struct svc_spec_cache *sc, const char *spec, size_t len,
                                       int *ret)
{
    return lookup(sc, spec, len, sizeof(struct model_cgw), parse_cgw, ret);
}

void svc_spec_cache_done(struct svc_spec_cache *sc)
{
    for (size_t i = 0; i < SPEC_CACHE_SLOTS; i++)
        ent_clear(&sc->ent[i]);
    sc->next = 0;
}
