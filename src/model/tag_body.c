/* model/tag_body.c: the bodies of the tag operations (spec §5.2) and the tag set arithmetic.
 *
 * Tag bodies have no wrapper object: {"tags":[...]} for tags/create and tags/delete,
 * {"without_any_tag","tags":[{"key","values"}],"matches":[{"key","value"}]} for the
 * resource-instances filter and count. Unknown members are ignored, as in the other bodies.
 */
#include "model/model_int.h"

#include <errno.h>
#include <string.h>

#define MATCH_VALUE_MAX_CHARS 255

int model_tag_body_parse(const struct model_body *body, struct model_tags *ret, struct verr *err)
{
    const json_t *tags = model_member(body->root, "tags");
    int r;

    if (!tags)
        r = verr_set(err, "tags", "is required");
    else if (json_is_array(tags) && json_array_size(tags) == 0)
        r = verr_set(err, "tags", "must have 1 to %d items, got 0", MODEL_MAX_TAGS);
    else
        r = model_tags_field(tags, "tags", ret, false, err);
    return r;
}

static size_t tags_find(const struct model_tags *t, const char *key)
{
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->v[i].key, key) == 0)
            return i;
    }
    return t->n;
}

int model_tags_merge(struct model_tags *cur, const struct model_tags *add, struct verr *err)
{
    size_t fresh = 0;

    for (size_t i = 0; i < add->n; i++)
        fresh += tags_find(cur, add->v[i].key) == cur->n;
    if (cur->n + fresh > MODEL_MAX_TAGS)
        return verr_set(err, "tags",
                        "a resource may have at most %d tags; it has %zu and %zu of these keys are "
                        "new, which would make %zu",
                        MODEL_MAX_TAGS, cur->n, fresh, cur->n + fresh);
    for (size_t i = 0; i < add->n; i++) {
        size_t at = tags_find(cur, add->v[i].key);
        if (at == cur->n)
            cur->n++;
        cur->v[at] = add->v[i];
    }
    return 0;
}

void model_tags_remove(struct model_tags *cur, const struct model_tags *del)
{
    for (size_t i = 0; i < del->n; i++) {
        size_t at = tags_find(cur, del->v[i].key);
        if (at == cur->n)
            continue;
        memmove(&cur->v[at], &cur->v[at + 1], (cur->n - at - 1) * sizeof(cur->v[0]));
        cur->n--;
    }
}

/* ---- filter / count body ---- */

/* A string with a character rule, copied into dst. */
static int want_rule_str(const json_t *v, const char *path, bool (*ok)(const char *),
                         const char *rule, char *dst, size_t size, struct verr *err)
{
    const char *s;
    int r = model_want_str(v, path, &s, err);

    if (r < 0)
        return r;
    if (!ok(s)) {
        char echo[MODEL_ECHO_LEN];
        model_echo(echo, s, json_string_length(v));
        return verr_set(err, path, "%s, got %s", rule, echo);
    }
    return model_copy(dst, size, s);
}

static int want_without_any_tag(const json_t *v, bool *ret, struct verr *err)
{
    static const char path[] = "without_any_tag";

    if (!v)
        return 0;
    if (json_is_boolean(v)) {
        *ret = json_is_true(v);
        return 0;
    }
    if (json_is_string(v) && strcmp(json_string_value(v), "true") == 0) {
        *ret = true;
        return 0;
    }
    if (json_is_string(v) && strcmp(json_string_value(v), "false") == 0) {
        *ret = false;
        return 0;
    }
    if (json_is_string(v)) {
        char echo[MODEL_ECHO_LEN];
        model_echo(echo, json_string_value(v), json_string_length(v));
        return verr_set(err, path, "must be true or false (a boolean or a string), got %s", echo);
    }
    return verr_set(err, path, "must be true or false (a boolean or a string), got %s",
                    model_json_type(v));
}

static int want_filter_values(const json_t *v, const char *path, struct model_tag_filter_tag *t,
                              struct verr *err)
{
    char ipath[MODEL_PATH_LEN];
    int r;

    if (!v)
        return verr_set(err, path, "is required (an empty array matches any value)");
    r = model_want_array(v, path, 0, MODEL_FILTER_MAX_VALUES, err);
    for (size_t i = 0; r == 0 && i < json_array_size(v); i++) {
        const json_t *item = json_array_get(v, i);
        model_path_index(ipath, path, i);
        r = want_rule_str(item, ipath, model_tag_value_is_valid, MODEL_TAG_VALUE_RULE,
                          t->values[i], sizeof(t->values[i]), err);
        for (size_t j = 0; r == 0 && j < i; j++) {
            if (strcmp(t->values[j], t->values[i]) != 0)
                continue;
            char echo[MODEL_ECHO_LEN];
            model_echo(echo, t->values[i], strlen(t->values[i]));
            return verr_set(err, ipath, "must not repeat values[%zu], got %s", j, echo);
        }
    }
    if (r == 0)
        t->n_values = json_array_size(v);
    return r;
}

static int want_filter_tags(const json_t *v, struct model_tag_filter *f, struct verr *err)
{
    char ipath[MODEL_PATH_LEN], kpath[MODEL_PATH_LEN], vpath[MODEL_PATH_LEN];
    int r;

    if (!v)
        return 0;
    r = model_want_array(v, "tags", 0, MODEL_FILTER_MAX_TAGS, err);
    for (size_t i = 0; r == 0 && i < json_array_size(v); i++) {
        const json_t *item = json_array_get(v, i);
        struct model_tag_filter_tag *t = &f->tags[i];
        model_path_index(ipath, "tags", i);
        model_path_key(kpath, ipath, "key");
        model_path_key(vpath, ipath, "values");
        r = model_want_object(item, ipath, err);
        if (r < 0)
            return r;
        const json_t *key = model_member(item, "key");
        if (!key)
            return verr_set(err, kpath, "is required");
        r = want_rule_str(key, kpath, model_tag_key_is_valid, MODEL_TAG_KEY_RULE, t->key,
                          sizeof(t->key), err);
        for (size_t j = 0; r == 0 && j < i; j++) {
            if (strcmp(f->tags[j].key, t->key) != 0)
                continue;
            char echo[MODEL_ECHO_LEN];
            model_echo(echo, t->key, strlen(t->key));
            return verr_set(err, kpath, "must not repeat tags[%zu].key, got %s", j, echo);
        }
        if (r == 0)
            r = want_filter_values(model_member(item, "values"), vpath, t, err);
    }
    if (r == 0)
        f->n_tags = json_array_size(v);
    return r;
}

static bool match_value_ok(const char *s)
{
    size_t chars = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        chars += (*p & 0xc0) != 0x80;
    return chars <= MATCH_VALUE_MAX_CHARS;
}

static int want_filter_matches(const json_t *v, struct model_tag_filter *f, struct verr *err)
{
    char ipath[MODEL_PATH_LEN], kpath[MODEL_PATH_LEN], vpath[MODEL_PATH_LEN];
    const char *s;
    int r;

    if (!v)
        return 0;
    r = model_want_array(v, "matches", 0, MODEL_FILTER_MAX_TAGS, err);
    for (size_t i = 0; r == 0 && i < json_array_size(v); i++) {
        const json_t *item = json_array_get(v, i);
        model_path_index(ipath, "matches", i);
        model_path_key(kpath, ipath, "key");
        model_path_key(vpath, ipath, "value");
        r = model_want_object(item, ipath, err);
        if (r < 0)
            return r;
        const json_t *key = model_member(item, "key"), *value = model_member(item, "value");
        if (!key)
            return verr_set(err, kpath, "is required");
        r = model_want_str(key, kpath, &s, err);
        if (r == 0 && f->has_name) /* the only key there is, so any second item repeats it */
            return verr_set(err, kpath, "must not repeat matches[0].key, got \"%s\"", s);
        if (r == 0 && strcmp(s, "resource_name") != 0) {
            char echo[MODEL_ECHO_LEN];
            model_echo(echo, s, json_string_length(key));
            return verr_set(err, kpath, "must be \"resource_name\", got %s", echo);
        }
        if (r == 0 && !value)
            return verr_set(err, vpath, "is required");
        if (r == 0)
            r = want_rule_str(value, vpath, match_value_ok,
                              "must be at most 255 characters", f->name, sizeof(f->name), err);
        if (r == 0)
            f->has_name = true;
    }
    return r;
}

int model_tag_filter_parse(const struct model_body *body, struct model_tag_filter *f,
                           struct verr *err)
{
    const json_t *root = body->root;
    int r;

    memset(f, 0, sizeof(*f));
    r = want_without_any_tag(model_member(root, "without_any_tag"), &f->without_any_tag, err);
    if (r == 0)
        r = want_filter_tags(model_member(root, "tags"), f, err);
    if (r == 0)
        r = want_filter_matches(model_member(root, "matches"), f, err);
    return r;
}
