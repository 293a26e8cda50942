/* fuzz/fuzz_vgw_body.c: POST vpn-gateways bodies (src/api/vpn_gateway.c): parse + validate,
 * then what the API does with an accepted gateway (EIP addresses assigned, rendered, stored in
 * the internal form). Invariant: the internal form loads back to the same internal form and
 * the same rendering. */
#include <errno.h>

#include "fuzz/fuzz.h"
#include "tests/unit/model_text.h"
#include "model/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct model_vgw *g = fuzz_zalloc(sizeof(*g));
    struct model_vgw *back = fuzz_zalloc(sizeof(*back));
    struct buf doc = {0}, spec = {0}, doc2 = {0}, spec2 = {0};
    struct verr err = {0};

    int r = tm_vgw_parse_create((const char *)data, size, g, &err);
    if (r == -EINVAL)
        fuzz_check_verr(&err);
    else if (r != 0 && r != -ENOMEM)
        fuzz_fail("model_vgw_parse_create returned %d", r);
    if (r == 0) {
        strcpy(g->id, "b32d91a4-1c2d-4e5f-8a9b-e907174eb11d");
        g->status = "ACTIVE";
        if (g->eip1.present)
            strcpy(g->eip1.ip_address, "198.18.0.1");
        if (g->eip2.present)
            strcpy(g->eip2.ip_address, "198.18.0.2");
        g->created_at = g->updated_at = 1700000000000;
        if (model_vgw_render(g, &doc) < 0 || model_vgw_to_internal(g, &spec) < 0)
            fuzz_fail("render of an accepted gateway failed");
        if (model_vgw_from_internal(spec.data, spec.len, back) < 0)
            fuzz_fail("internal form does not load back: %.*s", (int)spec.len, spec.data);
        if (model_vgw_render(back, &doc2) < 0 || model_vgw_to_internal(back, &spec2) < 0)
            fuzz_fail("render of a loaded gateway failed");
        fuzz_check_json(&doc, "rendering");
        fuzz_check_json(&spec, "internal form");
        fuzz_same(&spec, &spec2, "internal form after a round trip");
        fuzz_same(&doc, &doc2, "rendering after a round trip");
    }
    /* the same bytes as a stored row (a damaged database must not crash the server) */
    memset(back, 0, sizeof(*back));
    buf_reset(&doc2);
    if (model_vgw_from_internal((const char *)data, size, back) == 0 &&
        (model_vgw_render(back, &doc2) < 0 || model_vgw_to_internal(back, &doc2) < 0))
        fuzz_fail("render of a loaded row failed");
    buf_free(&doc);
    buf_free(&spec);
    buf_free(&doc2);
    buf_free(&spec2);
    free(g);
    free(back);
    return 0;
}
