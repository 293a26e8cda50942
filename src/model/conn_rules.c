/* model/conn_rules.c: a connection's policy rules (spec §2.3 PolicyRule) of both families,
 * policy_rules (IPv4) and policy_rules_v6 (IPv6 gateways), and its IPv6 customer subnets.
 *
 * Which family a gateway takes is model_conn_bind's rule; here each list is checked on its own:
 * at most 5 rules, rule_index 0..50 unique when given (else the smallest free index from 1),
 * source a CIDR unique across the list, destination 1 to 50 CIDRs. A POLICY connection needs
 * rules of one family: policy_rules_v6 is parsed first, so policy_rules knows whether it may be
 * left out. */
#include "model/model_int.h"

#include <string.h>

/* One list of rules and the family its CIDRs are in. */
struct rule_list {
    struct model_policy_rule *v;
    size_t *n;
    int family;
};

static struct rule_list rules_of(struct model_vpn_conn *c, int family)
{
    if (family == 6)
        return (struct rule_list){c->policy_rules_v6, &c->n_policy_rules_v6, 6};
    return (struct rule_list){c->policy_rules, &c->n_policy_rules, 4};
}

/* rule_index is optional; a given one must not repeat an earlier rule's. */
static int want_rule_index(const json_t *v, const char *path, const struct rule_list *l, size_t i,
                           bool has_index[], const char *key, struct verr *err)
{
    int64_t *index = &l->v[i].rule_index;

    has_index[i] = v != NULL;
    if (!v)
        return 0;
    int r = model_want_int(v, path, 0, 50, index, err);
    for (size_t j = 0; r == 0 && j < i; j++) {
        if (has_index[j] && l->v[j].rule_index == *index)
            return verr_set(err, path, "must not repeat %s[%zu].rule_index, got %lld", key, j,
                            (long long)*index);
    }
    return r;
}

/* One policy rule: rule_index, source (unique across rules), destination (1 to 50 CIDRs). */
static int want_rule(const json_t *v, const char *path, const struct rule_list *l, size_t i,
                     bool has_index[], const char *key, struct verr *err)
{
    struct model_policy_rule *rule = &l->v[i];
    char ipath[MODEL_PATH_LEN], spath[MODEL_PATH_LEN], dpath[MODEL_PATH_LEN];
    int r = model_want_object(v, path, err);

    if (r < 0)
        return r;
    model_path_key(ipath, path, "rule_index");
    model_path_key(spath, path, "source");
    model_path_key(dpath, path, "destination");
    const json_t *source = model_member(v, "source"), *dest = model_member(v, "destination");
    r = want_rule_index(model_member(v, "rule_index"), ipath, l, i, has_index, key, err);
    if (r == 0 && !source)
        return verr_set(err, spath, "is required");
    if (r == 0)
        r = model_want_cidr_of(source, spath, l->family, false, &rule->source, err);
    for (size_t j = 0; r == 0 && j < i; j++) {
        if (strcmp(l->v[j].source.s, rule->source.s) == 0)
            return verr_set(err, spath, "must not repeat %s[%zu].source, got \"%s\"", key, j,
                            rule->source.s);
    }
    if (r == 0 && !dest)
        return verr_set(err, dpath, "is required");
    if (r == 0)
        r = model_want_cidrs_of(dest, dpath, l->family, 1, MODEL_MAX_DESTINATIONS, false,
                                rule->destination, &rule->n_destination, err);
    return r;
}

static bool index_taken(const struct rule_list *l, size_t n, const bool has_index[], int64_t index)
{
    for (size_t j = 0; j < n; j++) {
        if (has_index[j] && l->v[j].rule_index == index)
            return true;
    }
    return false;
}

/* Rules without rule_index get the smallest unused index from 1 (the examples are 1-based). */
static void number_rules(const struct rule_list *l, size_t n, const bool has_index[])
{
    int64_t next = 1;

    for (size_t i = 0; i < n; i++) {
        if (has_index[i])
            continue;
        while (index_taken(l, n, has_index, next))
            next++;
        l->v[i].rule_index = next++;
    }
}

/* The list at path (key its member name); min: the fewest rules it may hold. */
static int want_rules(const json_t *v, const char *path, const struct rule_list *l, size_t min,
                      struct verr *err)
{
    bool has_index[MODEL_MAX_POLICY_RULES];
    char ipath[MODEL_PATH_LEN];
    const char *key = strrchr(path, '.') ? strrchr(path, '.') + 1 : path;
    int r = model_want_array(v, path, min, MODEL_MAX_POLICY_RULES, err);

    for (size_t i = 0; r == 0 && i < json_array_size(v); i++) {
        model_path_index(ipath, path, i);
        r = want_rule(json_array_get(v, i), ipath, l, i, has_index, key, err);
    }
    if (r < 0)
        return r;
    *l->n = json_array_size(v);
    number_rules(l, *l->n, has_index);
    return 0;
}

int model_policy_rules_v6_field(const json_t *v, const char *path, void *dst, bool internal,
                                struct verr *err)
{
    struct rule_list l = rules_of(dst, 6);
    (void)internal;

    return v ? want_rules(v, path, &l, 0, err) : 0;
}

/* Required with style POLICY unless IPv6 rules were given (an IPv6 gateway's POLICY connection). */
int model_policy_rules_field(const json_t *v, const char *path, void *dst, bool internal,
                             struct verr *err)
{
    struct model_vpn_conn *c = dst;
    struct rule_list l = rules_of(c, 4);
    bool needed = model_streq(c->style, "POLICY") && c->n_policy_rules_v6 == 0;
    (void)internal;

    if (!v)
        return needed ? verr_set(err, path, "is required when style is POLICY") : 0;
    return want_rules(v, path, &l, needed ? 1 : 0, err);
}

int model_peer_subnets_v6_field(const json_t *v, const char *path, void *dst, bool internal,
                                struct verr *err)
{
    struct model_vpn_conn *c = dst;
    (void)internal;

    if (!v)
        return 0;
    return model_want_cidrs_of(v, path, 6, 0, MODEL_MAX_PEER_SUBNETS, true, c->peer_subnets_v6,
                               &c->n_peer_subnets_v6, err);
}
