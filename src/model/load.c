/* model/load.c: turn a request body into its wrapped object ({"vpn_connection":{...}}). */
#include "model/priv.h"

#include <errno.h>
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

int model_load_root(const char *body, size_t len, json_t **ret_root, struct verr *err)
{
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);

    if (!root) {
        if (json_error_code(&je) == json_error_out_of_memory)
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

int model_load(const char *body, size_t len, const char *wrapper, json_t **ret_root,
               const json_t **ret_obj, struct verr *err)
{
    json_t *root = NULL;
    int r = model_load_root(body, len, &root, err);

    if (r < 0)
        return r;
    const json_t *obj = NULL;
    if (!(obj = model_member(root, wrapper)))
        r = verr_set(err, wrapper, "is required");
    else
        r = model_want_object(obj, wrapper, err);
    if (r < 0) {
        json_decref(root);
        return r;
    }
    *ret_root = root;
    *ret_obj = obj;
    return 0;
}

int model_load_internal(const char *json, size_t len, json_t **ret_root)
{
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);

    if (!root)
        return -EINVAL;
    if (!json_is_object(root)) {
        json_decref(root);
        return -EINVAL;
    }
    *ret_root = root;
    return 0;
}
