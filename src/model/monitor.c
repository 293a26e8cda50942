/* model/monitor.c: connection monitors (spec §5.1): the create body (unknown members ignored,
 * as in every other body), the response object, and the addresses a monitor probes between. */
#include "model/model_int.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define WRAPPER "connection_monitor"

static const struct model_fspec create_fields[] = {
    MODEL_F("vpn_connection_id", MF_UUID, offsetof(struct model_monitor, vpn_connection_id),
            .required = true),
};

int model_monitor_parse_create(const struct model_body *body, struct model_monitor *m,
                               struct verr *err)
{
    struct model_monitor t = {0};
    const json_t *obj;
    int r = model_body_wrapped(body, WRAPPER, &obj, err);

    if (r == 0)
        r = model_fields_parse(obj, WRAPPER, create_fields, ARRAY_SIZE(create_fields), &t, false,
                               err);
    if (r == 0)
        *m = t;
    return r;
}

int model_monitor_render(const struct model_monitor *m, struct buf *out)
{
    struct model_jw w;

    model_jw_init(&w, out);
    model_jw_obj(&w, NULL);
    model_jw_str(&w, "id", m->id);
    if (m->status)
        model_jw_str(&w, "status", m->status);
    model_jw_str(&w, "vpn_connection_id", m->vpn_connection_id);
    model_jw_str(&w, "type", "gateway");
    model_jw_opt_str(&w, "source_ip", m->source_ip);
    model_jw_opt_str(&w, "destination_ip", m->destination_ip);
    model_jw_str(&w, "proto_type", "icmp");
    model_jw_obj_end(&w);
    return model_jw_done(&w);
}

void model_monitor_addresses(const struct model_vpn_conn *c, const struct model_vgw *g,
                             const struct model_cgw *cgw, struct model_monitor *m)
{
    char addr[MODEL_IP_LEN];

    m->source_ip[0] = m->destination_ip[0] = '\0';
    if (!model_streq(g->network_type, "public"))
        (void)model_copy(m->source_ip, sizeof(m->source_ip), c->vgw_ip);
    else if (g->eip1.present && strcmp(g->eip1.id, c->vgw_ip) == 0)
        (void)model_copy(m->source_ip, sizeof(m->source_ip), g->eip1.ip_address);
    else if (g->eip2.present && strcmp(g->eip2.id, c->vgw_ip) == 0)
        (void)model_copy(m->source_ip, sizeof(m->source_ip), g->eip2.ip_address);
    if (model_ip_canonical(cgw->id_value, addr) > 0)
        (void)model_copy(m->destination_ip, sizeof(m->destination_ip), addr);
}
