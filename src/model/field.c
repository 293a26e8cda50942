/* model/field.c: typed access to one JSON value, with the error text for each rule. */
#include "model/model_int.h"
#include "util/ids.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* A reserved block a customer subnet may not overlap (spec §2.2); IPv6: loopback, IPv4-mapped,
 * link-local and multicast addresses are no customer network. */
static const struct model_cidr reserved_blocks[] = {{"100.64.0.0/10"}, {"214.0.0.0/8"}};
static const struct model_cidr reserved_blocks6[] = {
    {"::1/128"}, {"::ffff:0:0/96"}, {"fe80::/10"}, {"ff00::/8"}};

const json_t *model_member(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    return v && !json_is_null(v) ? v : NULL;
}

/* What snprintf(out, MODEL_PATH_LEN, "%s.%s", parent, key) writes (truncated alike), without
 * the printf machinery: paths are built for every field parsed, not only for errors. */
void model_path_key(char out[MODEL_PATH_LEN], const char *parent, const char *key)
{
    size_t np = strnlen(parent, MODEL_PATH_LEN - 1), nk, n = 0;

    memmove(out, parent, np); /* out may be parent itself */
    n = np;
    if (n < MODEL_PATH_LEN - 1)
        out[n++] = '.';
    nk = strnlen(key, MODEL_PATH_LEN - 1 - n);
    memcpy(out + n, key, nk);
    out[n + nk] = '\0';
}

void model_path_index(char out[MODEL_PATH_LEN], const char *parent, size_t index)
{
    snprintf(out, MODEL_PATH_LEN, "%s[%zu]", parent, index);
}

int model_copy(char *dst, size_t size, const char *s)
{
    size_t n = strlen(s);

    if (n >= size)
        return -EINVAL;
    memcpy(dst, s, n + 1);
    return 0;
}

/* Sets err to "<path>: <rule>, got <echoed string v>". */
static int fail_echo(const json_t *v, const char *path, const char *rule, struct verr *err)
{
    char echo[MODEL_ECHO_LEN];

    model_echo(echo, json_string_value(v), json_string_length(v));
    return verr_set(err, path, "%s, got %s", rule, echo);
}

int model_want_object(const json_t *v, const char *path, struct verr *err)
{
    if (json_is_object(v))
        return 0;
    return verr_set(err, path, "must be an object, got %s", model_json_type(v));
}

int model_want_array(const json_t *v, const char *path, size_t min, size_t max, struct verr *err)
{
    if (!json_is_array(v))
        return verr_set(err, path, "must be an array, got %s", model_json_type(v));
    size_t n = json_array_size(v);
    if (n >= min && n <= max)
        return 0;
    if (min == 0)
        return verr_set(err, path, "must have at most %zu items, got %zu", max, n);
    return verr_set(err, path, "must have %zu to %zu items, got %zu", min, max, n);
}

/* Strings with an embedded NUL (JSON "\u0000") are refused everywhere. */
int model_want_str(const json_t *v, const char *path, const char **ret, struct verr *err)
{
    if (!json_is_string(v))
        return verr_set(err, path, "must be a string, got %s", model_json_type(v));
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return fail_echo(v, path, "must not contain NUL characters", err);
    *ret = s;
    return 0;
}

int model_want_int(const json_t *v, const char *path, int64_t lo, int64_t hi, int64_t *ret,
                   struct verr *err)
{
    char got[40];

    if (json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi) {
        *ret = json_integer_value(v);
        return 0;
    }
    if (json_is_integer(v))
        snprintf(got, sizeof(got), "%" PRId64, (int64_t)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(got, sizeof(got), "%g", json_real_value(v));
    else
        snprintf(got, sizeof(got), "%s", model_json_type(v));
    return verr_set(err, path, "must be an integer from %" PRId64 " to %" PRId64 ", got %s", lo, hi,
                    got);
}

int model_want_bool(const json_t *v, const char *path, bool *ret, struct verr *err)
{
    if (!json_is_boolean(v))
        return verr_set(err, path, "must be a boolean, got %s", model_json_type(v));
    *ret = json_is_true(v);
    return 0;
}

int model_want_enum(const json_t *v, const char *path, const struct model_enum *e, const char **ret,
                    struct verr *err)
{
    const char *s = NULL, *found = NULL;
    char list[512];
    size_t n = 0;

    if (json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v)) {
        s = json_string_value(v);
        found = model_enum_find(e, s);
    }
    if (found) {
        *ret = found;
        return 0;
    }
    for (const char *const *p = e->values; *p && n + strlen(*p) + 3 < sizeof(list); p++) {
        n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", *p);
    }
    for (size_t i = 0; e->icase && i < n; i++)
        list[i] = (char)tolower((unsigned char)list[i]);
    if (!json_is_string(v))
        return verr_set(err, path, "must be one of %s, got %s", list, model_json_type(v));
    char rule[sizeof(list) + 16];
    snprintf(rule, sizeof(rule), "must be one of %s", list);
    return fail_echo(v, path, rule, err);
}

int model_want_uuid(const json_t *v, const char *path, char ret[MODEL_UUID_LEN], struct verr *err)
{
    const char *s;
    int r = model_want_str(v, path, &s, err);

    if (r < 0)
        return r;
    if (!ids_is_uuid(s))
        return fail_echo(v, path, "must be a UUID", err);
    return model_copy(ret, MODEL_UUID_LEN, s);
}

int model_want_ip(const json_t *v, const char *path, int family, char ret[MODEL_IP_LEN],
                  struct verr *err)
{
    static const char *const rules[] = {
        "must be an IPv4 address like 192.168.0.1 or an IPv6 address like 2001:db8::1",
        "must be an IPv4 address like 192.168.0.1", "must be an IPv6 address like 2001:db8::1"};
    char text[MODEL_IP_LEN];
    const char *s;
    int r = model_want_str(v, path, &s, err);

    if (r < 0)
        return r;
    r = model_ip_canonical(s, text);
    if (r < 0 || (family != 0 && r != family))
        return fail_echo(v, path, rules[family == 4 ? 1 : family == 6 ? 2 : 0], err);
    return model_copy(ret, MODEL_IP_LEN, text);
}

int model_want_ipv4(const json_t *v, const char *path, char ret[MODEL_IP_LEN], struct verr *err)
{
    return model_want_ip(v, path, 4, ret, err);
}

int model_want_name(const json_t *v, const char *path, char ret[MODEL_NAME_LEN], struct verr *err)
{
    const char *s;
    int r = model_want_str(v, path, &s, err);

    if (r < 0)
        return r;
    if (!model_name_is_valid(s))
        return fail_echo(v, path, MODEL_NAME_RULE, err);
    return model_copy(ret, MODEL_NAME_LEN, s);
}

int model_want_fqdn(const json_t *v, const char *path, char ret[MODEL_ID_VALUE_LEN],
                    struct verr *err)
{
    const char *s;
    int r = model_want_str(v, path, &s, err);

    if (r < 0)
        return r;
    if (!model_fqdn_is_valid(s))
        return fail_echo(v, path, MODEL_FQDN_RULE, err);
    return model_copy(ret, MODEL_ID_VALUE_LEN, s);
}

/* An IPv6 CIDR's syntax and host bits; ret gets its RFC 5952 text. */
static int want_cidr6(const json_t *v, const char *path, const char *s, struct model_cidr *ret,
                      struct verr *err)
{
    struct model_ip6 addr;
    unsigned prefix;

    if (model_parse_prefix6(s, &addr, &prefix) < 0)
        return fail_echo(v, path, "must be an IPv6 CIDR like 2001:db8::/32", err);
    if (!model_ip6_host_bits_zero(&addr, prefix))
        return fail_echo(v, path, "must be an IPv6 CIDR with host bits zero like 2001:db8::/32",
                         err);
    model_format_ip6(ret->s, &addr, (int)prefix);
    return 0;
}

/* One CIDR of family 4 or 6: syntax, host bits, reserved blocks. */
int model_want_cidr_of(const json_t *v, const char *path, int family, bool reserved,
                       struct model_cidr *ret, struct verr *err)
{
    const struct model_cidr *blocks = family == 6 ? reserved_blocks6 : reserved_blocks;
    size_t n_blocks = family == 6 ? ARRAY_SIZE(reserved_blocks6) : ARRAY_SIZE(reserved_blocks);
    const char *s;
    uint32_t addr;
    unsigned prefix;
    int r = model_want_str(v, path, &s, err);

    if (r < 0)
        return r;
    if (family == 6)
        r = want_cidr6(v, path, s, ret, err);
    else if (model_parse_prefix(s, &addr, &prefix) < 0)
        return fail_echo(v, path, "must be a CIDR like 10.0.0.0/24", err);
    else if (model_parse_cidr(s, &addr, &prefix) < 0)
        return fail_echo(v, path, "must be a CIDR with host bits zero like 10.0.0.0/24", err);
    else
        r = model_copy(ret->s, sizeof(ret->s), s);
    for (size_t i = 0; r == 0 && reserved && i < n_blocks; i++) {
        char rule[96];
        if (!model_cidr_overlap(ret, &blocks[i]))
            continue;
        snprintf(rule, sizeof(rule), "must not overlap reserved block %s", blocks[i].s);
        return fail_echo(v, path, rule, err);
    }
    return r;
}

int model_want_cidr(const json_t *v, const char *path, bool reserved, struct model_cidr *ret,
                    struct verr *err)
{
    return model_want_cidr_of(v, path, 4, reserved, ret, err);
}

int model_want_cidrs(const json_t *v, const char *path, size_t min, size_t max, bool reserved,
                     struct model_cidr *ret, size_t *ret_n, struct verr *err)
{
    return model_want_cidrs_of(v, path, 4, min, max, reserved, ret, ret_n, err);
}

int model_want_cidrs_of(const json_t *v, const char *path, int family, size_t min, size_t max,
                        bool reserved, struct model_cidr *ret, size_t *ret_n, struct verr *err)
{
    const char *last = strrchr(path, '.');
    char ipath[MODEL_PATH_LEN], rule[MODEL_PATH_LEN + 32];
    int r = model_want_array(v, path, min, max, err);

    for (size_t i = 0; r == 0 && i < json_array_size(v); i++) {
        const json_t *item = json_array_get(v, i);
        model_path_index(ipath, path, i);
        r = model_want_cidr_of(item, ipath, family, reserved, &ret[i], err);
        for (size_t j = 0; r == 0 && j < i; j++) {
            if (strcmp(ret[j].s, ret[i].s) != 0)
                continue; /* canonical text: one network, one string */
            snprintf(rule, sizeof(rule), "must not repeat %s[%zu]", last ? last + 1 : path, j);
            r = fail_echo(item, ipath, rule, err);
        }
    }
    if (r == 0)
        *ret_n = json_array_size(v);
    return r;
}
