/* model/azs.c: the availability zones vpnd offers (simulated: no regions, every flavor in the
 * same three zones), in the two shapes of the SDK's models: v5 ListAvailabilityZones, an object
 * keyed by flavor ({"basic":{"vpc":[zones],"er":[zones]},...}, the JSON keys spelled as in the
 * Go model), and v5.1 ListExtendedAvailabilityZones, a list of zones each with the specs it
 * offers ([{name, public_border_group, available_specs:[{flavor, attachment_type,
 * ip_version}]}]). */
#include "model/model_int.h"

static const char *const zones[] = {"az1", "az2", "az3"};

/* ListAvailabilityZones keys (AvailabilityZones in the Go model); each lists the zones for vpc
 * and for er (as vpnd answered before v5.1 existed; v5.1 says which specs a create accepts). */
static const char *const v5_flavors[] = {
    "basic",
    "professional1",
    "professional2",
    "Professional1-NonFixedIP",
    "Professional2-NonFixedIP",
    "gm",
};

static void write_zones(struct model_jw *w, const char *key)
{
    model_jw_arr(w, key);
    for (size_t i = 0; i < ARRAY_SIZE(zones); i++)
        model_jw_str(w, NULL, zones[i]);
    model_jw_arr_end(w);
}

int model_azs_render(struct buf *out)
{
    struct model_jw w;

    model_jw_init(&w, out);
    model_jw_obj(&w, NULL);
    for (size_t i = 0; i < ARRAY_SIZE(v5_flavors); i++) {
        model_jw_obj(&w, v5_flavors[i]);
        write_zones(&w, "vpc");
        write_zones(&w, "er");
        model_jw_obj_end(&w);
    }
    model_jw_obj_end(&w);
    return model_jw_done(&w);
}

/* One zone's specs: every flavor a create accepts, with each attachment it allows (Basic: vpc
 * only, as model_flavor_field rules) and both IP versions. */
static void write_specs(struct model_jw *w)
{
    static const char *const attachments[] = {"vpc", "er"};
    static const char *const versions[] = {"ipv4", "ipv6"};

    model_jw_arr(w, "available_specs");
    for (const char *const *f = MODEL_E_FLAVOR.values; *f; f++) {
        for (size_t a = 0; a < ARRAY_SIZE(attachments); a++) {
            if (a == 1 && model_streq(*f, "Basic"))
                continue;
            for (size_t v = 0; v < ARRAY_SIZE(versions); v++) {
                model_jw_obj(w, NULL);
                model_jw_str(w, "flavor", *f);
                model_jw_str(w, "attachment_type", attachments[a]);
                model_jw_str(w, "ip_version", versions[v]);
                model_jw_obj_end(w);
            }
        }
    }
    model_jw_arr_end(w);
}

int model_azs_render_extended(struct buf *out)
{
    struct model_jw w;

    model_jw_init(&w, out);
    model_jw_arr(&w, NULL);
    for (size_t i = 0; i < ARRAY_SIZE(zones); i++) {
        model_jw_obj(&w, NULL);
        model_jw_str(&w, "name", zones[i]);
        model_jw_str(&w, "public_border_group", MODEL_PUBLIC_BORDER_GROUP);
        write_specs(&w);
        model_jw_obj_end(&w);
    }
    model_jw_arr_end(&w);
    return model_jw_done(&w);
}
