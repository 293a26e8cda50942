/* driver/strongswan/vici_map.c: load-conn / load-shared messages (see vici_map.h). */
#include "driver/strongswan/vici_map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* model_ipsec_emit over a VICI builder: its errors stick in the builder. */
static void b_section(void *ctx, const char *name)
{
    (void)vici_add_section(ctx, name);
}

static void b_end_section(void *ctx)
{
    (void)vici_end_section(ctx);
}

static void b_kv(void *ctx, const char *key, const char *value)
{
    (void)vici_add_kv(ctx, key, value);
}

static void b_list(void *ctx, const char *key)
{
    (void)vici_add_list(ctx, key);
}

static void b_item(void *ctx, const char *value)
{
    (void)vici_add_item(ctx, value);
}

static void b_end_list(void *ctx)
{
    (void)vici_end_list(ctx);
}

static const struct model_ipsec_emit builder_emit = {
    .section = b_section,
    .end_section = b_end_section,
    .kv = b_kv,
    .list = b_list,
    .item = b_item,
    .end_list = b_end_list,
};

int vici_map_load_conn(const struct model_ipsec_conn *x, struct vici_builder *b)
{
    model_ipsec_conn_emit(x, &builder_emit, b);
    return vici_builder_finish(b);
}

int vici_map_unload(const char *key, const char *name, struct vici_builder *b)
{
    (void)vici_add_kv(b, key, name);
    return vici_builder_finish(b);
}

/* The PSK for the pair of identities (either alone when the other is %any). */
static int load_shared(const struct model_ipsec_conn *x, const char *psk, struct vici_builder *b)
{
    vici_add_kv(b, "id", x->name);
    vici_add_kv(b, "type", "IKE");
    vici_add_kv(b, "data", psk);
    vici_add_list(b, "owners");
    vici_add_item(b, x->local_id);
    if (strcmp(x->remote_id, "%any") != 0)
        vici_add_item(b, x->remote_id);
    vici_end_list(b);
    return vici_builder_finish(b);
}

int vici_map_build(const struct model_ipsec_conn *x, const char *psk, struct vici_map_msgs *ret)
{
    vici_builder_init(&ret->load_conn);
    vici_builder_init(&ret->load_shared);
    vici_builder_init(&ret->unload_conn);
    vici_builder_init(&ret->unload_shared);
    memcpy(ret->name, x->name, sizeof(ret->name));

    int r = vici_map_load_conn(x, &ret->load_conn);
    if (r == 0)
        r = load_shared(x, psk, &ret->load_shared);
    if (r == 0)
        r = vici_map_unload("name", x->name, &ret->unload_conn);
    if (r == 0)
        r = vici_map_unload("id", x->name, &ret->unload_shared);
    return r;
}

int vici_map_conn(const struct model_vpn_conn *c, const struct model_vgw *g,
                  const struct model_cgw *cgw, struct vici_map_msgs *ret, struct verr *err)
{
    vici_builder_init(&ret->load_conn);
    vici_builder_init(&ret->load_shared);
    vici_builder_init(&ret->unload_conn);
    vici_builder_init(&ret->unload_shared);
    ret->name[0] = '\0';

    struct model_ipsec_conn *x = calloc(1, sizeof(*x));
    if (!x)
        return -ENOMEM;
    int r = model_ipsec_conn_build(c, g, cgw, MODEL_IPSEC_CLOUD, x, err);
    if (r == 0 && !c->has_psk)
        r = verr_set(err, "vpn_connection.psk", "is required by the strongSwan data plane");
    if (r == 0) {
        vici_map_msgs_done(ret);
        r = vici_map_build(x, c->psk, ret);
    }
    free(x);
    return r;
}

void vici_map_msgs_done(struct vici_map_msgs *m)
{
    vici_builder_done(&m->load_conn);
    vici_builder_done(&m->load_shared);
    vici_builder_done(&m->unload_conn);
    vici_builder_done(&m->unload_shared);
}
