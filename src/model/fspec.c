/* model/fspec.c: parse an object's members from a field table, in table order, so the first
 * failure reported is the first in documented field order. */
#include "model/model_int.h"
#include "util/ids.h"

#include <errno.h>
#include <stdio.h>

/* A UUID (public gateway EIP id) or an address (private gateway: IPv4, or IPv6 kept in its
 * RFC 5952 text so it compares equal to the gateway's). */
static int want_uuid_or_ip(const json_t *v, const char *path, char ret[MODEL_IP_LEN],
                           struct verr *err)
{
    const char *s;
    char text[MODEL_IP_LEN];
    int r = model_want_str(v, path, &s, err);

    if (r < 0)
        return r;
    if (ids_is_uuid(s))
        return model_copy(ret, MODEL_IP_LEN, s);
    if (model_ip_canonical(s, text) > 0)
        return model_copy(ret, MODEL_IP_LEN, text);
    char echo[MODEL_ECHO_LEN];
    model_echo(echo, s, json_string_length(v));
    return verr_set(err, path, "must be a UUID, an IPv4 address or an IPv6 address, got %s", echo);
}

/* An enterprise project id: a UUID or "0". */
static int want_epid(const json_t *v, const char *path, char ret[MODEL_UUID_LEN], struct verr *err)
{
    const char *s;
    int r = model_want_str(v, path, &s, err);

    if (r < 0)
        return r;
    if (ids_is_uuid(s) || (s[0] == '0' && s[1] == '\0'))
        return model_copy(ret, MODEL_UUID_LEN, s);
    char echo[MODEL_ECHO_LEN];
    model_echo(echo, s, json_string_length(v));
    return verr_set(err, path, "must be a UUID or \"0\", got %s", echo);
}

static int parse_one(const struct model_fspec *f, const json_t *v, const char *path, void *base,
                     bool internal, struct verr *err)
{
    void *dst = (char *)base + f->off;

    if (f->type == MF_CUSTOM)
        return f->fn(v, path, dst, internal, err);
    if (!v)
        return f->required ? verr_set(err, path, "is required") : 0;
    switch (f->type) {
    case MF_NAME:
        return model_want_name(v, path, dst, err);
    case MF_UUID:
        return model_want_uuid(v, path, dst, err);
    case MF_UUID_OR_IP:
        return want_uuid_or_ip(v, path, dst, err);
    case MF_EPID:
        return want_epid(v, path, dst, err);
    case MF_IPV4:
        return model_want_ipv4(v, path, dst, err);
    case MF_IP:
        return model_want_ip(v, path, 0, dst, err);
    case MF_ENUM:
        return model_want_enum(v, path, f->en, dst, err);
    case MF_INT:
        return model_want_int(v, path, f->lo, f->hi, dst, err);
    case MF_BOOL:
        return model_want_bool(v, path, dst, err);
    case MF_CUSTOM:
        break;
    }
    return -EINVAL;
}

int model_fields_parse(const json_t *obj, const char *parent, const struct model_fspec *spec,
                       size_t n, void *base, bool internal, struct verr *err)
{
    char path[MODEL_PATH_LEN];

    for (size_t i = 0; i < n; i++) {
        model_path_key(path, parent, spec[i].key);
        int r = parse_one(&spec[i], model_member(obj, spec[i].key), path, base, internal, err);
        if (r < 0)
            return r;
    }
    return 0;
}
