/* tests/unit/model_text.h: the model's body parsers called with the body's text, as the API's
 * dispatcher calls them: parsed once (model_body_parse), then the parser (static inline only;
 * the model unit tests and the fuzzers include it). */
#ifndef VPND_TEST_MODEL_TEXT_H
#define VPND_TEST_MODEL_TEXT_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

/* model_body_parse of text[0..len) (empty_ok: an empty body is {}), then call on body_. */
#define TM_WITH_BODY(text, len, empty_ok, err, call)                                               \
    ({                                                                                             \
        struct model_body *body_ = NULL;                                                           \
        int r_ = model_body_parse(text, len, empty_ok, &body_, err);                              \
        if (r_ == 0)                                                                               \
            r_ = (call);                                                                           \
        model_body_free(body_);                                                                    \
        r_;                                                                                        \
    })

static inline int tm_conn_parse_create(const char *t, size_t len, struct model_vpn_conn *c,
                                       struct verr *err)
{
    return TM_WITH_BODY(t, len, false, err, model_conn_parse_create(body_, c, err));
}

static inline int tm_conn_parse_create_fresh(const char *t, size_t len, struct model_vpn_conn *c,
                                             struct verr *err)
{
    return TM_WITH_BODY(t, len, false, err, model_conn_parse_create_fresh(body_, c, err));
}

static inline int tm_conn_parse_batch(const char *t, size_t len, struct model_vpn_conn *out,
                                      size_t max, size_t *ret_n, struct verr *err)
{
    return TM_WITH_BODY(t, len, false, err, model_conn_parse_batch(body_, out, max, ret_n, err));
}

/* The update of the stored connection cur (its internal form is what the service reads). */
static inline int tm_conn_parse_update(const struct model_vpn_conn *cur, const char *t,
                                       size_t len, struct model_vpn_conn *c, struct verr *err)
{
    struct buf spec = {0};
    struct model_vpn_conn *stored = calloc(1, sizeof(*stored));
    struct model_vpn_conn *out = calloc(1, sizeof(*out));
    int r = stored && out ? model_conn_to_internal(cur, &spec) : -ENOMEM;

    if (r == 0)
        r = TM_WITH_BODY(t, len, false, err,
                         model_conn_parse_update(spec.data, spec.len, body_, stored, out, err));
    if (r == 0)
        memcpy(c, out, sizeof(*c));
    buf_free(&spec);
    free(stored);
    free(out);
    return r;
}

static inline int tm_vgw_parse_create(const char *t, size_t len, struct model_vgw *g,
                                      struct verr *err)
{
    return TM_WITH_BODY(t, len, false, err, model_vgw_parse_create(body_, g, err));
}

static inline int tm_cgw_parse_create(const char *t, size_t len, struct model_cgw *cgw,
                                      struct verr *err)
{
    return TM_WITH_BODY(t, len, false, err, model_cgw_parse_create(body_, cgw, err));
}

static inline int tm_monitor_parse_create(const char *t, size_t len, struct model_monitor *m,
                                          struct verr *err)
{
    return TM_WITH_BODY(t, len, false, err, model_monitor_parse_create(body_, m, err));
}

static inline int tm_tag_body_parse(const char *t, size_t len, struct model_tags *ret,
                                    struct verr *err)
{
    return TM_WITH_BODY(t, len, false, err, model_tag_body_parse(body_, ret, err));
}

/* The filter and count routes take an empty body as {}. */
static inline int tm_tag_filter_parse(const char *t, size_t len, struct model_tag_filter *f,
                                      struct verr *err)
{
    return TM_WITH_BODY(t, len, true, err, model_tag_filter_parse(body_, f, err));
}

static inline int tm_cgw_parse_update(const struct model_cgw *cur, const char *t, size_t len,
                                      struct model_cgw *cgw, struct verr *err)
{
    return TM_WITH_BODY(t, len, false, err, model_cgw_parse_update(cur, body_, cgw, err));
}

static inline int tm_vgw_parse_update(const struct model_vgw *cur, const char *t, size_t len,
                                      struct model_vgw *g, unsigned *ret_eip_changed,
                                      struct verr *err)
{
    return TM_WITH_BODY(t, len, false, err,
                        model_vgw_parse_update(cur, body_, g, ret_eip_changed, err));
}

static inline int tm_vgw_parse_flavor(const struct model_vgw *cur, const char *t, size_t len,
                                      struct model_vgw *g, struct verr *err)
{
    return TM_WITH_BODY(t, len, false, err, model_vgw_parse_flavor(cur, body_, g, err));
}

static inline int tm_vgw_cert_parse(const struct model_vgw_cert *cur, const char *t, size_t len,
                                    struct model_vgw_cert *out, struct verr *err)
{
    return TM_WITH_BODY(t, len, false, err, model_vgw_cert_parse(cur, body_, out, err));
}

static inline int tm_vgw_upgrade_parse(const char *t, size_t len, const char **ret_action,
                                       struct verr *err)
{
    return TM_WITH_BODY(t, len, false, err, model_vgw_upgrade_parse(body_, ret_action, err));
}

#endif
