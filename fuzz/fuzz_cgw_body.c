/* fuzz/fuzz_cgw_body.c: POST customer-gateways bodies (src/api/customer_gateway.c): parse + validate,
 * then what the API does with an accepted customer gateway (rendered, stored in the internal
 * form). Invariant: the internal form loads back to the same internal form and
 * the same rendering. */
#include <errno.h>

#include "fuzz/fuzz.h"
#include "tests/unit/model_text.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct model_cgw *g = fuzz_zalloc(sizeof(*g));
    struct model_cgw *back = fuzz_zalloc(sizeof(*back));
    struct buf doc = {0}, spec = {0}, doc2 = {0}, spec2 = {0};
    struct verr err = {0};

    int r = tm_cgw_parse_create((const char *)data, size, g, &err);
    if (r == -EINVAL)
        fuzz_check_verr(&err);
    else if (r != 0 && r != -ENOMEM)
        fuzz_fail("model_cgw_parse_create returned %d", r);
    if (r == 0) {
        strcpy(g->id, "5247ae10-3c4d-4e5f-9a0b-dd36659a7f5d");
        g->created_at = g->updated_at = 1700000000000;
        if (model_cgw_render(g, &doc) < 0 || model_cgw_to_internal(g, &spec) < 0)
            fuzz_fail("render of an accepted customer gateway failed");
        if (model_cgw_from_internal(spec.data, spec.len, back) < 0)
            fuzz_fail("internal form does not load back: %.*s", (int)spec.len, spec.data);
        if (model_cgw_render(back, &doc2) < 0 || model_cgw_to_internal(back, &spec2) < 0)
            fuzz_fail("render of a loaded customer gateway failed");
        fuzz_check_json(&doc, "rendering");
        fuzz_check_json(&spec, "internal form");
        fuzz_same(&spec, &spec2, "internal form after a round trip");
        fuzz_same(&doc, &doc2, "rendering after a round trip");
    }
    /* the same bytes as a stored row (a damaged database must not crash the server) */
    memset(back, 0, sizeof(*back));
    buf_reset(&doc2);
    if (model_cgw_from_internal((const char *)data, size, back) == 0 &&
        (model_cgw_render(back, &doc2) < 0 || model_cgw_to_internal(back, &doc2) < 0))
        fuzz_fail("render of a loaded row failed");
    buf_free(&doc);
    buf_free(&spec);
    buf_free(&doc2);
    buf_free(&spec2);
    free(g);
    free(back);
    return 0;
}
