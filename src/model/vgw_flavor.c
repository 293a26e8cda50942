/* model/vgw_flavor.c: gateway flavors: names (with legacy aliases), per-flavor limits, the
 * flavor rules of a create body (spec §3.2) and of a flavor change (update-specification), and
 * the flavors a gateway can change to (ResponseVpnGateway.supported_flavors). */
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

/* Basic is refused for private and ER gateways. */
static int basic_check(const struct model_vgw *g, const char *flavor, const char *path,
                       struct verr *err)
{
    if (!model_streq(flavor, "Basic"))
        return 0;
    if (model_streq(g->network_type, "private"))
        return verr_set(err, path, "must not be Basic when network_type is private, got \"Basic\"");
    if (model_streq(g->attachment_type, "er"))
        return verr_set(err, path, "must not be Basic when attachment_type is er, got \"Basic\"");
    return 0;
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
    return r < 0 ? r : basic_check(g, g->flavor, path, err);
}

/* The EIP bandwidth the gateway already has must fit the new flavor's cap. */
static int check_bandwidth(const struct model_eip *e, const char *flavor, const char *name,
                           struct verr *err)
{
    int64_t cap = model_flavor_bandwidth(flavor);

    if (!e->present || e->bandwidth_size <= cap)
        return 0;
    return verr_set(err, "vpn_gateway.flavor",
                    "%s allows EIP bandwidth up to %lld Mbit/s but %s.bandwidth_size is %lld, "
                    "got \"%s\"",
                    flavor, (long long)cap, name, (long long)e->bandwidth_size, flavor);
}

int model_vgw_flavor_change_check(const struct model_vgw *cur, const char *flavor,
                                  struct verr *err)
{
    int r = basic_check(cur, flavor, "vpn_gateway.flavor", err);

    /* GM gateways render their connections differently (no dh_group / pfs): no crossing */
    if (r == 0 && model_streq(cur->flavor, "GM") != model_streq(flavor, "GM"))
        r = verr_set(err, "vpn_gateway.flavor",
                     "cannot change between GM and the other flavors (current %s), got \"%s\"",
                     cur->flavor, flavor);
    if (r == 0)
        r = check_bandwidth(&cur->eip1, flavor, "eip1", err);
    if (r == 0)
        r = check_bandwidth(&cur->eip2, flavor, "eip2", err);
    return r;
}

void model_vgw_supported_flavors(struct model_jw *w, const struct model_vgw *g)
{
    struct verr ignored;

    model_jw_arr(w, "supported_flavors");
    for (const char *const *f = MODEL_E_FLAVOR.values; *f; f++) {
        /* the store refuses a flavor below the connections the gateway has */
        if (!model_streq(*f, g->flavor) && model_vgw_flavor_change_check(g, *f, &ignored) == 0 &&
            model_flavor_connections(*f) >= g->used_connection_number)
            model_jw_str(w, NULL, *f);
    }
    model_jw_arr_end(w);
}
