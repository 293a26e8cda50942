/* model/vgw_render.c: a gateway as JSON: the response object (spec §3.3 order and presence)
 * or, with all = true, the internal form read back by model_vgw_from_internal. */
#include "model/model_int.h"

static int write_vgw(const struct model_vgw *g, const char *status, struct buf *out, bool all)
{
    struct model_jw w;
    bool er = model_streq(g->attachment_type, "er");
    bool private = model_streq(g->network_type, "private");

    model_jw_init(&w, out);
    model_jw_obj(&w, NULL);
    model_jw_req_str(&w, "id", g->id, all);
    model_jw_req_str(&w, "name", g->name, all);
    if (status)
        model_jw_str(&w, "status", status);
    model_jw_str(&w, "network_type", g->network_type);
    model_jw_str(&w, "attachment_type", g->attachment_type);
    model_jw_str(&w, "ip_version", g->ip_version);
    if (!all && g->certificate.present)
        model_jw_str(&w, "certificate_id", g->certificate.id);
    if (all || er)
        model_jw_opt_str(&w, "er_id", g->er_id);
    model_jw_opt_str(&w, "vpc_id", g->vpc_id);
    if (!er) { /* refused for er, also by from_internal */
        model_jw_arr(&w, "local_subnets");
        for (size_t i = 0; i < g->n_local_subnets && i < MODEL_MAX_LOCAL_SUBNETS; i++)
            model_jw_str(&w, NULL, g->local_subnets[i].s);
        model_jw_arr_end(&w);
    }
    model_jw_opt_str(&w, "connect_subnet", g->connect_subnet);
    model_jw_opt_str(&w, "access_vpc_id", g->access_vpc_id);
    model_jw_opt_str(&w, "access_subnet_id", g->access_subnet_id);
    if (all || private) {
        model_jw_opt_str(&w, "access_private_ip_1", g->access_private_ip_1);
        model_jw_opt_str(&w, "access_private_ip_2", g->access_private_ip_2);
    }
    model_jw_int(&w, "bgp_asn", g->bgp_asn);
    model_jw_str(&w, "flavor", g->flavor);
    model_jw_arr(&w, "availability_zone_ids");
    for (size_t i = 0; i < g->n_availability_zone_ids && i < MODEL_MAX_AZS; i++)
        model_jw_str(&w, NULL, g->availability_zone_ids[i]);
    model_jw_arr_end(&w);
    model_jw_int(&w, "connection_number", g->connection_number);
    model_jw_int(&w, "used_connection_number", g->used_connection_number);
    model_jw_str(&w, "enterprise_project_id", g->enterprise_project_id);
    model_jw_str(&w, "ha_mode", g->ha_mode);
    if ((all || !private) && g->eip1.present)
        model_eip_write(&w, "eip1", &g->eip1);
    if ((all || !private) && g->eip2.present)
        model_eip_write(&w, "eip2", &g->eip2);
    model_jw_time(&w, "created_at", g->created_at, all);
    model_jw_time(&w, "updated_at", g->updated_at, all);
    model_vgw_policy_template_write(&w, g);
    model_tags_write(&w, &g->tags);
    if (all)
        model_vgw_extras_write(&w, g);
    model_jw_obj_end(&w);
    return model_jw_done(&w);
}

int model_vgw_render(const struct model_vgw *g, struct buf *out)
{
    return write_vgw(g, g->status, out, false);
}

int model_vgw_to_internal(const struct model_vgw *g, struct buf *out)
{
    return write_vgw(g, g->status, out, true);
}

int model_vgw_store(const struct model_vgw *g, struct buf *spec)
{
    return write_vgw(g, NULL, spec, true);
}
