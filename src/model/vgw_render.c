/* model/vgw_render.c: a gateway as JSON, in three forms written by one function:
 *  - the response object of show, list and the updates (ResponseVpnGateway, spec §3.3);
 *  - the create response (CreateResponseVpnGateway): no status, EIPs, private IPs, zones or
 *    time stamps yet (they come once ACTIVE);
 *  - the internal form read back by model_vgw_from_internal (the stored form: without status,
 *    which the store keeps in a column). */
#include "model/model_int.h"

enum vgw_form { FORM_SHOW, FORM_CREATE, FORM_INTERNAL };

static void write_cidr_list(struct model_jw *w, const char *key, const struct model_cidr *v,
                            size_t n)
{
    model_jw_arr(w, key);
    for (size_t i = 0; i < n && i < MODEL_MAX_LOCAL_SUBNETS; i++)
        model_jw_str(w, NULL, v[i].s);
    model_jw_arr_end(w);
}

/* What the gateway offers beyond the basic operations (supported_features). */
static void write_features(struct model_jw *w)
{
    model_jw_arr(w, "supported_features");
    model_jw_str(w, NULL, "query_connection_log");
    model_jw_arr_end(w);
}

/* The facts only a response has: derived or counted, never stored. */
static void write_response_facts(struct model_jw *w, const struct model_vgw *g, enum vgw_form f)
{
    if (f == FORM_SHOW) {
        model_jw_str(w, "public_border_group", MODEL_PUBLIC_BORDER_GROUP);
        model_vgw_supported_flavors(w, g);
        write_features(w);
    }
    model_jw_int(w, "used_connection_group", g->used_connection_group);
}

static int write_vgw(const struct model_vgw *g, const char *status, struct buf *out,
                     enum vgw_form f)
{
    struct model_jw w;
    bool all = f == FORM_INTERNAL, show = f == FORM_SHOW;
    bool er = model_streq(g->attachment_type, "er");
    bool private = model_streq(g->network_type, "private");
    bool v6 = model_streq(g->ip_version, "ipv6");

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
    if (show && er && g->id[0]) { /* the attachment vpnd simulates, named after the gateway */
        char attachment[MODEL_UUID_LEN];
        model_derive_uuid("er-attachment", g->id, attachment);
        model_jw_str(&w, "er_attachment_id", attachment);
    }
    model_jw_opt_str(&w, "vpc_id", g->vpc_id);
    if (!er) /* refused for er, also by from_internal */
        write_cidr_list(&w, "local_subnets", g->local_subnets, g->n_local_subnets);
    if (all ? g->n_local_subnets_v6 > 0 : v6 && !er)
        write_cidr_list(&w, "local_subnets_v6", g->local_subnets_v6, g->n_local_subnets_v6);
    model_jw_opt_str(&w, "connect_subnet", g->connect_subnet);
    model_jw_opt_str(&w, "access_vpc_id", g->access_vpc_id);
    model_jw_opt_str(&w, "access_subnet_id", g->access_subnet_id);
    if (all || (show && private)) {
        model_jw_opt_str(&w, "access_private_ip_1", g->access_private_ip_1);
        model_jw_opt_str(&w, "access_private_ip_2", g->access_private_ip_2);
    }
    model_jw_int(&w, "bgp_asn", g->bgp_asn);
    model_jw_str(&w, "flavor", g->flavor);
    if (f != FORM_CREATE) {
        model_jw_arr(&w, "availability_zone_ids");
        for (size_t i = 0; i < g->n_availability_zone_ids && i < MODEL_MAX_AZS; i++)
            model_jw_str(&w, NULL, g->availability_zone_ids[i]);
        model_jw_arr_end(&w);
    }
    model_jw_int(&w, "connection_number", g->connection_number);
    model_jw_int(&w, "used_connection_number", g->used_connection_number);
    if (!all)
        write_response_facts(&w, g, f);
    model_jw_str(&w, "enterprise_project_id", g->enterprise_project_id);
    model_jw_str(&w, "ha_mode", g->ha_mode);
    if ((all || (show && !private)) && g->eip1.present)
        model_eip_write(&w, "eip1", &g->eip1, all);
    if ((all || (show && !private)) && g->eip2.present)
        model_eip_write(&w, "eip2", &g->eip2, all);
    if (f != FORM_CREATE) {
        model_jw_time(&w, "created_at", g->created_at, all);
        if (show) /* vpnd applies a gateway when it creates it */
            model_jw_time(&w, "applied_at", g->created_at, false);
        model_jw_time(&w, "updated_at", g->updated_at, all);
    }
    model_vgw_policy_template_write(&w, g);
    model_tags_write(&w, &g->tags);
    if (all)
        model_vgw_extras_write(&w, g);
    model_jw_obj_end(&w);
    return model_jw_done(&w);
}

int model_vgw_render(const struct model_vgw *g, struct buf *out)
{
    return write_vgw(g, g->status, out, FORM_SHOW);
}

int model_vgw_render_create(const struct model_vgw *g, struct buf *out)
{
    return write_vgw(g, NULL, out, FORM_CREATE);
}

int model_vgw_to_internal(const struct model_vgw *g, struct buf *out)
{
    return write_vgw(g, g->status, out, FORM_INTERNAL);
}

int model_vgw_store(const struct model_vgw *g, struct buf *spec)
{
    return write_vgw(g, NULL, spec, FORM_INTERNAL);
}
