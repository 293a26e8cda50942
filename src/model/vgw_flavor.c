/* model/vgw_flavor.c: gateway flavors: names (with legacy aliases), per-flavor limits, and
 * the flavor rules of a create body (spec §3.2). */
#include "model/model_int.h"

#include <string.h>

/* Per flavor: connection capacity and the largest EIP bandwidth (Mbit/s). */
static const struct flavor_limits {
    const char *flavor;
    int64_t connections;
    int64_t bandwidth;
} flavor_limits[] = {
    {"Basic", 100, 100},
    {"Professional1", 200, 300},
    {"Professional2", 1000, 1000},
    {"Professional3", 1000, 1000},
    {"Professional1-NonFixedIP", 200, 1000},
    {"Professional2-NonFixedIP", 1000, 1000},
    {"Professional3-NonFixedIP", 1000, 1000},
    {"GM", 200, 1000},
};

/* Legacy flavor names still accepted (spec §3.2). */
static const struct {
    const char *alias, *flavor;
} flavor_aliases[] = {{"V300", "Professional1"}, {"V1G", "Professional2"}};

static const struct flavor_limits *limits_of(const char *flavor)
{
    for (size_t i = 0; i < ARRAY_SIZE(flavor_limits); i++) {
        if (model_streq(flavor_limits[i].flavor, flavor))
            return &flavor_limits[i];
    }
    return &flavor_limits[1];
}

int64_t model_flavor_connections(const char *flavor)
{
    return limits_of(flavor)->connections;
}

int64_t model_flavor_bandwidth(const char *flavor)
{
    return limits_of(flavor)->bandwidth;
}

/* An enum with legacy aliases; Basic is refused for private and ER gateways. */
int model_flavor_field(const json_t *v, const char *path, void *dst, bool internal,
                       struct verr *err)
{
    struct model_vgw *g = dst;
    (void)internal;

    if (!v)
        return 0;
    bool str = json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v);
    for (size_t i = 0; str && i < ARRAY_SIZE(flavor_aliases); i++) {
        if (strcmp(json_string_value(v), flavor_aliases[i].alias) == 0) {
            g->flavor = model_enum_find(&MODEL_E_FLAVOR, flavor_aliases[i].flavor);
            return 0;
        }
    }
    int r = model_want_enum(v, path, &MODEL_E_FLAVOR, &g->flavor, err);
    if (r < 0 || !model_streq(g->flavor, "Basic"))
        return r;
    if (model_streq(g->network_type, "private"))
        return verr_set(err, path, "must not be Basic when network_type is private, got \"Basic\"");
    if (model_streq(g->attachment_type, "er"))
        return verr_set(err, path, "must not be Basic when attachment_type is er, got \"Basic\"");
    return 0;
}
