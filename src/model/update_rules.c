/* model/update_rules.c: what every update body shares: only the documented members may be sent. */
#include "model/model_int.h"

#include <stdio.h>
#include <string.h>

/* A key that can be shown as a path segment as it is. */
static bool plain_key(const char *s)
{
    size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

    return n > 0 && n <= 64 && s[n] == '\0';
}

const char *model_unknown_member(const json_t *obj, const char *const *allowed,
                                 char list[MODEL_MEMBERS_LEN])
{
    const char *key;
    json_t *v;

    json_object_foreach ((json_t *)obj, key, v) {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, key) == 0;
        if (ok)
            continue;
        list[0] = '\0';
        for (const char *const *a = allowed; *a; a++)
            snprintf(list + strlen(list), MODEL_MEMBERS_LEN - strlen(list), "%s%s",
                     a == allowed ? "" : ", ", *a);
        return key;
    }
    return NULL;
}

int model_only_members(const json_t *obj, const char *path, const char *const *allowed,
                       struct verr *err)
{
    char list[MODEL_MEMBERS_LEN], kpath[MODEL_PATH_LEN], echo[MODEL_ECHO_LEN];
    const char *key = model_unknown_member(obj, allowed, list);

    if (!key)
        return 0;
    if (plain_key(key)) {
        model_path_key(kpath, path, key);
        return verr_set(err, kpath, "is not updatable (updatable: %s)", list);
    }
    model_echo(echo, key, strlen(key));
    return verr_set(err, path, "member %s is not updatable (updatable: %s)", echo, list);
}

int model_parse_partial(const struct model_body *body, const char *wrapper,
                        const char *const *allowed, const struct model_fspec *fields,
                        size_t n_fields, void *t, struct verr *err)
{
    const json_t *obj;
    int r = model_body_wrapped(body, wrapper, &obj, err);

    if (r == 0)
        r = model_only_members(obj, wrapper, allowed, err);
    if (r == 0)
        r = model_fields_parse(obj, wrapper, fields, n_fields, t, false, err);
    return r;
}
