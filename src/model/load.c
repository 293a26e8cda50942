/* model/load.c: a request body parsed once (struct model_body, by the API's dispatcher), and its
 * wrapped object ({"vpn_connection":{...}}). */
#include "model/model_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* jansson ends many messages with the offending token ("near '\"abc'"). A string token may be
 * part of a pre-shared key, so it is dropped; line and column still locate the problem. Keys
 * are not secret: "duplicate object key near '\"name\"'" keeps its token. */
static void drop_string_token(char *text)
{
    char *near = strstr(text, " near '\"");

    if (near && strncmp(text, "duplicate object key", 20) != 0)
        *near = '\0';
}

bool model_json_oom(const json_error_t *je)
{
    /* jansson says so, or fails before its lexer starts (its buffer allocation): no position */
    return json_error_code(je) == json_error_out_of_memory || (je->line < 0 && !je->text[0]);
}

static int load_root(const char *body, size_t len, json_t **ret_root, struct verr *err)
{
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);

    if (!root) {
        if (model_json_oom(&je))
            return -ENOMEM;
        drop_string_token(je.text);
        return verr_set(err, "request body is not valid JSON", "%s at line %d column %d", je.text,
                        je.line, je.column);
    }
    if (!json_is_object(root)) {
        int r = verr_set(err, "request body", "must be an object, got %s", model_json_type(root));
        json_decref(root);
        return r;
    }
    *ret_root = root;
    return 0;
}

int model_body_parse(const char *text, size_t len, bool empty_is_object, struct model_body **ret,
                     struct verr *err)
{
    struct model_body *b = malloc(sizeof(*b));
    int r = b ? 0 : -ENOMEM;

    if (r == 0 && len == 0 && empty_is_object)
        r = (b->root = json_object()) ? 0 : -ENOMEM;
    else if (r == 0)
        r = load_root(text, len, &b->root, err);
    if (r < 0) {
        free(b);
        return r;
    }
    *ret = b;
    return 0;
}

void model_body_free(struct model_body *b)
{
    if (!b)
        return;
    json_decref(b->root);
    free(b);
}

void model_body_freep(struct model_body **b)
{
    model_body_free(*b);
}

int model_body_wrapped(const struct model_body *b, const char *wrapper, const json_t **ret_obj,
                       struct verr *err)
{
    const json_t *obj = model_member(b->root, wrapper);

    if (!obj)
        return verr_set(err, wrapper, "is required");
    if (model_want_object(obj, wrapper, err) < 0)
        return -EINVAL;
    *ret_obj = obj;
    return 0;
}

int model_load_internal(const char *json, size_t len, json_t **ret_root)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);

    if (!root)
        return model_json_oom(&je) ? -ENOMEM : -EINVAL;
    if (!json_is_object(root)) {
        json_decref(root);
        return -EINVAL;
    }
    *ret_root = root;
    return 0;
}
