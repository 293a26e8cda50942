/* model/tags.c: the "tags" list shared by all resources ([{key, value}], at most 20). */
#include "model/model_int.h"

#include <string.h>

const char MODEL_TAG_KEY_RULE[] =
    "must be 1 to 128 characters of letters, digits, spaces and _ . : = + - @";
const char MODEL_TAG_VALUE_RULE[] =
    "must be 0 to 255 characters of letters, digits, spaces and _ . : = + - @";

/* A tag string: type, NUL, character rule, then copied into dst. */
static int want_tag_str(const json_t *v, const char *path, bool key, char *dst, size_t size,
                        struct verr *err)
{
    const char *s;
    int r = model_want_str(v, path, &s, err);

    if (r < 0)
        return r;
    if (key ? !model_tag_key_is_valid(s) : !model_tag_value_is_valid(s)) {
        char echo[MODEL_ECHO_LEN];
        model_echo(echo, s, json_string_length(v));
        return verr_set(err, path, "%s, got %s", key ? MODEL_TAG_KEY_RULE : MODEL_TAG_VALUE_RULE,
                        echo);
    }
    return model_copy(dst, size, s);
}

static int want_tag(const json_t *v, const char *path, struct model_tags *t, size_t i,
                    struct verr *err)
{
    char kpath[MODEL_PATH_LEN], vpath[MODEL_PATH_LEN];
    struct model_tag *tag = &t->v[i];
    int r = model_want_object(v, path, err);

    if (r < 0)
        return r;
    model_path_key(kpath, path, "key");
    model_path_key(vpath, path, "value");
    const json_t *key = model_member(v, "key"), *value = model_member(v, "value");
    if (!key)
        return verr_set(err, kpath, "is required");
    r = want_tag_str(key, kpath, true, tag->key, sizeof(tag->key), err);
    for (size_t j = 0; r == 0 && j < i; j++) {
        if (strcmp(t->v[j].key, tag->key) != 0)
            continue;
        char echo[MODEL_ECHO_LEN];
        model_echo(echo, tag->key, strlen(tag->key));
        return verr_set(err, kpath, "must not repeat tags[%zu].key, got %s", j, echo);
    }
    if (r == 0 && value)
        r = want_tag_str(value, vpath, false, tag->value, sizeof(tag->value), err);
    return r;
}

/* Custom field function: absent means no tags; value may be omitted (""). */
int model_tags_field(const json_t *v, const char *path, void *dst, bool internal, struct verr *err)
{
    struct model_tags *t = dst;
    char ipath[MODEL_PATH_LEN];
    (void)internal;

    t->n = 0;
    if (!v)
        return 0;
    int r = model_want_array(v, path, 0, MODEL_MAX_TAGS, err);
    for (size_t i = 0; r == 0 && i < json_array_size(v); i++) {
        memset(&t->v[i], 0, sizeof(t->v[i]));
        model_path_index(ipath, path, i);
        r = want_tag(json_array_get(v, i), ipath, t, i, err);
    }
    if (r == 0)
        t->n = json_array_size(v);
    return r;
}

void model_tags_write(struct model_jw *w, const struct model_tags *t)
{
    model_jw_arr(w, "tags");
    for (size_t i = 0; i < t->n && i < MODEL_MAX_TAGS; i++) {
        model_jw_obj(w, NULL);
        model_jw_str(w, "key", t->v[i].key);
        model_jw_str(w, "value", t->v[i].value);
        model_jw_obj_end(w);
    }
    model_jw_arr_end(w);
}
