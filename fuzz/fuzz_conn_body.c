/* fuzz/fuzz_conn_body.c: POST vpn-connection and PUT vpn-connection/{id} bodies, as the API
 * handles them (src/api/vpn_conn.c): parse + validate, bind to a gateway and customer gateway,
 * render and the store's internal form. Every input is tried
 *  - as a create body, bound to each of four fixed gateways (public active-active, public
 *    active-standby, private, ER attachment, the GM flavor) and two customer gateways;
 *  - as an update body against a fixed stored connection, then bound like a create;
 *  - as a batch-create body.
 * Invariants: a parsed connection renders to a JSON object without the psk; its internal form
 * loads back to the same internal form and the same rendering. */
#include <errno.h>

#include "fuzz/fuzz.h"
#include "tests/unit/model_text.h"
#include "model/model.h"

#define VGW_ID "b32d91a4-1c2d-4e5f-8a9b-e907174eb11d"
#define EIP1_ID "0c464dad-2a1b-4c5d-8e9f-c22bb0eb0bde"
#define EIP2_ID "1d575ebe-3b2c-4d6e-9f0a-d33cc1fc1cef"
#define CGW_ID "5247ae10-3c4d-4e5f-9a0b-dd36659a7f5d"
#define VPC_ID "7b6c5e0a-1f2d-4c3b-9a8e-1234567890ab"
#define SUBNET_ID "9a8b7c6d-5e4f-4a3b-8c2d-0123456789ab"
#define ER_ID "3e2d1c0b-4a5b-4c6d-8e7f-fedcba987654"
#define EPID "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"

#define VGW_PUBLIC                                                                                 \
    "\"vpc_id\":\"" VPC_ID "\",\"connect_subnet\":\"" SUBNET_ID                                    \
    "\",\"local_subnets\":[\"10.0.0.0/16\"],\"eip1\":{\"id\":\"" EIP1_ID                           \
    "\"},\"eip2\":{\"id\":\"" EIP2_ID "\"}"

static const char *const vgw_bodies[] = {
    "{\"vpn_gateway\":{" VGW_PUBLIC "}}",
    "{\"vpn_gateway\":{" VGW_PUBLIC ",\"ha_mode\":\"active-standby\"}}",
    "{\"vpn_gateway\":{\"network_type\":\"private\",\"vpc_id\":\"" VPC_ID
    "\",\"connect_subnet\":\"" SUBNET_ID "\",\"local_subnets\":[\"10.0.0.0/16\"],"
    "\"access_private_ip_1\":\"172.16.0.10\",\"access_private_ip_2\":\"172.16.0.11\"}}",
    "{\"vpn_gateway\":{\"attachment_type\":\"er\",\"er_id\":\"" ER_ID "\",\"eip1\":{\"id\":\"" EIP1_ID
    "\"},\"eip2\":{\"id\":\"" EIP2_ID "\"}}}",
    "{\"vpn_gateway\":{" VGW_PUBLIC ",\"flavor\":\"GM\",\"enterprise_project_id\":\"" EPID "\"}}",
};
#define N_VGW (sizeof(vgw_bodies) / sizeof(vgw_bodies[0]))

static const char *const cgw_bodies[] = {
    "{\"customer_gateway\":{\"id_value\":\"88.1.1.164\"}}",
    "{\"customer_gateway\":{\"id_type\":\"fqdn\",\"id_value\":\"cgw.example.com\"}}",
};
#define N_CGW (sizeof(cgw_bodies) / sizeof(cgw_bodies[0]))

/* The stored connection an update body applies to (bound to gateway 0). */
static const char cur_body[] =
    "{\"vpn_connection\":{\"vgw_id\":\"" VGW_ID "\",\"vgw_ip\":\"" EIP1_ID "\",\"cgw_id\":\"" CGW_ID
    "\",\"name\":\"vpn-1\",\"peer_subnets\":[\"192.168.0.0/24\"],\"psk\":\"Abcd1234!x\","
    "\"tunnel_local_address\":\"169.254.56.225/30\",\"tunnel_peer_address\":\"169.254.56.226/30\","
    "\"ikepolicy\":{\"dh_group\":\"group14\"},\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}}";

static struct model_vgw vgws[N_VGW];
static struct model_cgw cgws[N_CGW];
static struct model_vpn_conn cur;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct verr err = {0};
    (void)argc;
    (void)argv;

    for (size_t i = 0; i < N_VGW; i++) {
        struct model_vgw *g = &vgws[i];
        if (tm_vgw_parse_create(vgw_bodies[i], strlen(vgw_bodies[i]), g, &err) < 0)
            fuzz_fail("fixture gateway %zu: %s", i, err.msg);
        strcpy(g->id, VGW_ID);
        if (g->eip1.present)
            strcpy(g->eip1.ip_address, "10.1.1.134");
        if (g->eip2.present)
            strcpy(g->eip2.ip_address, "10.1.1.135");
        g->status = "ACTIVE";
        g->certificate.present = true; /* a GM gateway takes connections once it has one */
    }
    for (size_t i = 0; i < N_CGW; i++) {
        if (tm_cgw_parse_create(cgw_bodies[i], strlen(cgw_bodies[i]), &cgws[i], &err) < 0)
            fuzz_fail("fixture customer gateway %zu: %s", i, err.msg);
        strcpy(cgws[i].id, CGW_ID);
    }
    cgws[0].ca.present = true; /* so GM connections bind to customer gateway 0 */
    if (tm_conn_parse_create(cur_body, strlen(cur_body), &cur, &err) < 0 ||
        model_conn_bind(&cur, &vgws[0], &cgws[0], &err) < 0)
        fuzz_fail("fixture connection: %s", err.msg);
    strcpy(cur.id, "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
    cur.status = "ACTIVE";
    cur.created_at = cur.updated_at = 1700000000000;
    return 0;
}

/* What the API does with an accepted connection: render it and store its internal form.
 * The internal form must load back to the same connection. */
static void render_and_round_trip(const struct model_vpn_conn *c)
{
    struct buf doc = {0}, spec = {0}, doc2 = {0}, spec2 = {0};
    struct model_vpn_conn *back = fuzz_zalloc(sizeof(*back));

    if (model_conn_render(c, &doc) < 0 || model_conn_to_internal(c, &spec) < 0)
        fuzz_fail("render of an accepted connection failed");
    if (model_conn_from_internal(spec.data, spec.len, back) < 0)
        fuzz_fail("internal form does not load back: %.*s", (int)spec.len, spec.data);
    if (model_conn_render(back, &doc2) < 0 || model_conn_to_internal(back, &spec2) < 0)
        fuzz_fail("render of a loaded connection failed");
    fuzz_check_json(&doc, "rendering");
    fuzz_check_json(&spec, "internal form");
    json_t *top = json_loadb(doc.data, doc.len, 0, NULL);
    if (json_object_get(top, "psk"))
        fuzz_fail("the rendering holds the psk: %s", doc.data);
    json_decref(top);
    fuzz_same(&spec, &spec2, "internal form after a round trip");
    fuzz_same(&doc, &doc2, "rendering after a round trip");
    buf_free(&doc);
    buf_free(&spec);
    buf_free(&doc2);
    buf_free(&spec2);
    free(back);
}

static void bind_each(const struct model_vpn_conn *parsed, struct model_vpn_conn *c)
{
    struct verr err = {0};

    for (size_t i = 0; i < N_VGW; i++) {
        for (size_t j = 0; j < N_CGW; j++) {
            memcpy(c, parsed, sizeof(*c));
            if (model_conn_bind(c, &vgws[i], &cgws[j], &err) < 0)
                continue;
            if (c->id[0] == '\0')
                strcpy(c->id, "6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
            render_and_round_trip(c);
        }
    }
}

#define BATCH_MAX 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    struct model_vpn_conn *parsed = fuzz_zalloc(sizeof(*parsed));
    struct model_vpn_conn *c = fuzz_zalloc(sizeof(*c));
    struct verr err = {0};
    int r;

    r = tm_conn_parse_create(body, size, parsed, &err);
    if (r == 0)
        bind_each(parsed, c);
    else if (r == -EINVAL)
        fuzz_check_verr(&err);
    else if (r != -ENOMEM)
        fuzz_fail("model_conn_parse_create returned %d", r);

    memset(parsed, 0, sizeof(*parsed));
    r = tm_conn_parse_update(&cur, body, size, parsed, &err);
    if (r == 0) {
        if (parsed->tunnel_local_address[0] == '\0') {
            memcpy(parsed->tunnel_local_address, cur.tunnel_local_address, MODEL_CIDR_LEN);
            memcpy(parsed->tunnel_peer_address, cur.tunnel_peer_address, MODEL_CIDR_LEN);
        }
        bind_each(parsed, c);
    } else if (r == -EINVAL) {
        fuzz_check_verr(&err);
    } else if (r != -ENOMEM) {
        fuzz_fail("model_conn_parse_update returned %d", r);
    }

    /* the same bytes as a stored row (a damaged database must not crash the server) */
    memset(parsed, 0, sizeof(*parsed));
    if (model_conn_from_internal(body, size, parsed) == 0) {
        struct buf b = {0};
        if (model_conn_render(parsed, &b) < 0 || model_conn_to_internal(parsed, &b) < 0)
            fuzz_fail("render of a loaded row failed");
        buf_free(&b);
    }

    struct model_vpn_conn *batch = fuzz_zalloc(BATCH_MAX * sizeof(*batch));
    size_t n = 0;
    r = tm_conn_parse_batch(body, size, batch, BATCH_MAX, &n, &err);
    if (r == 0) {
        if (n == 0 || n > BATCH_MAX)
            fuzz_fail("batch of %zu accepted", n);
        for (size_t i = 0; i < n; i++)
            bind_each(&batch[i], c);
    } else if (r == -EINVAL) {
        fuzz_check_verr(&err);
        model_verr_reprefix(&err, "vpn_connections[1]");
    } else if (r != -ENOMEM) {
        fuzz_fail("model_conn_parse_batch returned %d", r);
    }
    free(batch);
    free(parsed);
    free(c);
    return 0;
}
