/* model/conn_batch.c: the batch create body {"vpn_connections":[1..N create bodies]} (spec
 * §2.1). Each element is validated exactly like a single create body (the same field table on
 * the element's object); its error paths name the element ("vpn_connections[1].psk: ..."). */
#include "model/model_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define BATCH_WRAPPER "vpn_connections"
#define SINGLE_WRAPPER "vpn_connection"

void model_verr_reprefix(struct verr *err, const char *prefix)
{
    size_t n = strlen(SINGLE_WRAPPER);
    char tail[sizeof(err->msg)];

    if (strncmp(err->msg, SINGLE_WRAPPER, n) != 0 || (err->msg[n] != '.' && err->msg[n] != ':'))
        return;
    snprintf(tail, sizeof(tail), "%s", err->msg + n);
    snprintf(err->msg, sizeof(err->msg), "%s%s", prefix, tail);
}

/* Parses one element as the body {"vpn_connection": elem} would be parsed (c zeroed). */
static int parse_element(const json_t *elem, size_t i, struct model_vpn_conn *c, struct verr *err)
{
    char path[MODEL_PATH_LEN];
    int r;

    model_path_index(path, BATCH_WRAPPER, i);
    r = model_want_object(elem, path, err);
    if (r == 0)
        r = model_conn_parse_object_fresh(elem, c, err);
    if (r == -EINVAL)
        model_verr_reprefix(err, path);
    return r;
}

int model_conn_parse_batch(const struct model_body *body, struct model_vpn_conn *out, size_t max,
                           size_t *ret_n, struct verr *err)
{
    const json_t *arr = model_member(body->root, BATCH_WRAPPER);
    int r;

    if (!arr)
        r = verr_set(err, BATCH_WRAPPER, "is required");
    else
        r = model_want_array(arr, BATCH_WRAPPER, 1, max, err);
    size_t n = r == 0 ? json_array_size(arr) : 0;
    for (size_t i = 0; r == 0 && i < n; i++) {
        memset(&out[i], 0, sizeof(out[i]));
        r = parse_element(json_array_get(arr, i), i, &out[i], err);
    }
    if (r < 0)
        return r;
    *ret_n = n;
    return 0;
}
