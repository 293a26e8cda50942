/* model/record.c: import / export records (model.h, "import / export records").
 *
 * A record is validated in two steps: the wrapper object as the API's create body (the same
 * code, so the same rules and messages), then the members the server normally fills, which an
 * import may carry over (id, time stamps, a settled status, EIP addresses). */
#include "model/model_int.h"
#include "util/ids.h"

#include <errno.h>
#include <string.h>

static const char *const record_wrappers[] = {
    [MODEL_RECORD_VGW] = "vpn_gateway",
    [MODEL_RECORD_CGW] = "customer_gateway",
    [MODEL_RECORD_CONN] = "vpn_connection",
};

static bool record_status_is_pending(const char *s)
{
    return strncmp(s, "PENDING_", 8) == 0;
}

/* A settled status of e: pending ones describe work the cloud has not finished. */
static int want_settled_status(const json_t *v, const char *path, const struct model_enum *e,
                               const char **ret, struct verr *err)
{
    char allowed[160] = "", echo[MODEL_ECHO_LEN];
    const char *s;
    int r = model_want_str(v, path, &s, err);

    if (r < 0)
        return r;
    const char *found = model_enum_find(e, s);
    if (found && !record_status_is_pending(found)) {
        *ret = found;
        return 0;
    }
    for (const char *const *p = e->values; *p; p++) {
        if (record_status_is_pending(*p))
            continue;
        size_t n = strlen(allowed);
        snprintf(allowed + n, sizeof(allowed) - n, "%s%s", n ? ", " : "", *p);
    }
    model_echo(echo, s, json_string_length(v));
    return verr_set(err, path, "must be one of %s (pending statuses are not imported), got %s",
                    allowed, echo);
}

/* ms since epoch as an integer, or the API's time stamp text. */
static int want_time(const json_t *v, const char *path, int64_t *ret, struct verr *err)
{
    char echo[MODEL_ECHO_LEN];

    if (json_is_integer(v))
        return model_want_int(v, path, 0, MODEL_TS_MAX, ret, err);
    if (json_is_string(v) && ids_parse_ts(json_string_value(v), ret) == 0)
        return 0;
    if (json_is_string(v))
        model_echo(echo, json_string_value(v), json_string_length(v));
    return verr_set(err, path,
                    "must be milliseconds since 1970 from 0 to %lld or a time like "
                    "\"2024-01-31T12:00:00.000Z\", got %s",
                    (long long)MODEL_TS_MAX, json_is_string(v) ? echo : model_json_type(v));
}

struct record_meta {
    char *id;
    int64_t *created_at, *updated_at;
    const struct model_enum *statuses;
};

static int parse_meta(const json_t *obj, const char *wrapper, const struct record_meta *m,
                      struct model_record *rec, struct verr *err)
{
    char path[MODEL_PATH_LEN];
    const json_t *v;
    int r = 0;

    if ((v = model_member(obj, "id"))) {
        model_path_key(path, wrapper, "id");
        r = model_want_uuid(v, path, m->id, err);
        rec->has_id = r == 0;
    }
    if (r == 0 && (v = model_member(obj, "created_at"))) {
        model_path_key(path, wrapper, "created_at");
        r = want_time(v, path, m->created_at, err);
        rec->has_created_at = r == 0;
    }
    if (r == 0 && (v = model_member(obj, "updated_at"))) {
        model_path_key(path, wrapper, "updated_at");
        r = want_time(v, path, m->updated_at, err);
        rec->has_updated_at = r == 0;
    }
    if (r == 0 && m->statuses && (v = model_member(obj, "status"))) {
        model_path_key(path, wrapper, "status");
        r = want_settled_status(v, path, m->statuses, &rec->status, err);
    }
    return r;
}

/* eip1 / eip2 as stored: the create rules already passed; this reads the filled-in members
 * (ip_address, bandwidth_id, and the bandwidth spec next to a generated id). */
static int parse_eip_extra(const json_t *obj, const char *key, struct model_vgw *g,
                           struct model_eip *e, struct verr *err)
{
    char path[MODEL_PATH_LEN];
    struct model_eip t;
    const json_t *v = model_member(obj, key);

    if (!v)
        return 0;
    model_path_key(path, "vpn_gateway", key);
    int r = model_eip_parse(v, path, g->flavor, model_flavor_bandwidth(g->flavor), true, &t, err);
    if (r < 0)
        return r;
    /* a kept address is of the gateway's family (an IPv6 gateway's EIPs are IPv6 EIPs) */
    char text[MODEL_IP_LEN];
    int family = model_streq(g->ip_version, "ipv6") ? 6 : 4;
    if (t.ip_address[0] && model_ip_canonical(t.ip_address, text) != family) {
        model_path_key(path, path, "ip_address");
        return verr_set(err, path, "must be an IPv%d address: the gateway's ip_version is %s, "
                        "got \"%s\"", family, g->ip_version, t.ip_address);
    }
    t.ip_version = family;
    if (!t.share_type)
        t.share_type = e->share_type;
    *e = t;
    return 0;
}

static int parse_vgw(const json_t *obj, struct model_record *rec, struct model_vgw *g,
                     struct verr *err)
{
    const struct record_meta m = {g->id, &g->created_at, &g->updated_at, &MODEL_E_VGW_STATUS};
    int r = model_vgw_parse_object(obj, g, err);

    if (r == 0)
        r = parse_eip_extra(obj, "eip1", g, &g->eip1, err);
    if (r == 0)
        r = parse_eip_extra(obj, "eip2", g, &g->eip2, err);
    /* an export's certificate facts and jobs (the internal form) come back as they were */
    if (r == 0)
        r = model_vgw_certificate_field(model_member(obj, "certificate"),
                                        "vpn_gateway.certificate", g, true, err);
    if (r == 0)
        r = model_vgw_jobs_field(model_member(obj, "jobs"), "vpn_gateway.jobs", g, true, err);
    return r < 0 ? r : parse_meta(obj, "vpn_gateway", &m, rec, err);
}

static int parse_cgw(const json_t *obj, struct model_record *rec, struct model_cgw *cgw,
                     struct verr *err)
{
    const struct record_meta m = {cgw->id, &cgw->created_at, &cgw->updated_at, NULL};
    int r = model_cgw_parse_object(obj, cgw, err);

    return r < 0 ? r : parse_meta(obj, "customer_gateway", &m, rec, err);
}

static int parse_conn(const json_t *obj, struct model_record *rec, struct model_vpn_conn *c,
                      struct verr *err)
{
    const struct record_meta m = {c->id, &c->created_at, &c->updated_at, &MODEL_E_CONN_STATUS};
    /* in place: one record per call, and the import reuses c (no 37 KB scratch copy) */
    memset(c, 0, sizeof(*c));
    int r = model_conn_parse_object_fresh(obj, c, err);

    return r < 0 ? r : parse_meta(obj, "vpn_connection", &m, rec, err);
}

static bool record_project_id_is_valid(const char *s, size_t len)
{
    static const char ok[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

    return len > 0 && len < MODEL_PROJECT_ID_LEN && strspn(s, ok) == len;
}

/* The one wrapper member of root, or -EINVAL. */
static int find_wrapper(const json_t *root, enum model_record_kind *ret, const json_t **ret_obj,
                        struct verr *err)
{
    const json_t *found = NULL;
    size_t kind = 0;

    for (size_t i = 0; i < ARRAY_SIZE(record_wrappers); i++) {
        const json_t *v = model_member(root, record_wrappers[i]);
        if (v && found)
            return verr_set(err, "record", "must hold one of vpn_gateway, customer_gateway, "
                                           "vpn_connection, got both %s and %s",
                            record_wrappers[kind], record_wrappers[i]);
        if (v) {
            found = v;
            kind = i;
        }
    }
    if (!found)
        return verr_set(err, "record",
                        "must hold one of vpn_gateway, customer_gateway, vpn_connection");
    *ret = (enum model_record_kind)kind;
    *ret_obj = found;
    return model_want_object(found, record_wrappers[kind], err);
}

static int parse_root(const json_t *root, struct model_record *rec, struct model_vgw *g,
                      struct model_cgw *cgw, struct model_vpn_conn *c, struct verr *err)
{
    const json_t *obj = NULL, *pid;
    int r;

    if (!json_is_object(root))
        return verr_set(err, "record", "must be an object, got %s", model_json_type(root));
    if ((pid = model_member(root, "project_id"))) {
        const char *s;
        r = model_want_str(pid, "project_id", &s, err);
        if (r < 0)
            return r;
        if (!record_project_id_is_valid(s, json_string_length(pid))) {
            char echo[MODEL_ECHO_LEN];
            model_echo(echo, s, json_string_length(pid));
            return verr_set(err, "project_id",
                            "must be 1 to 64 letters, digits, - or _, got %s", echo);
        }
        memcpy(rec->project_id, s, json_string_length(pid) + 1);
    }
    r = find_wrapper(root, &rec->kind, &obj, err);
    if (r < 0)
        return r;
    switch (rec->kind) {
    case MODEL_RECORD_VGW:
        return parse_vgw(obj, rec, g, err);
    case MODEL_RECORD_CGW:
        return parse_cgw(obj, rec, cgw, err);
    case MODEL_RECORD_CONN:
        return parse_conn(obj, rec, c, err);
    }
    return -EINVAL;
}

int model_record_parse(const char *text, size_t len, struct model_record *rec, struct model_vgw *g,
                       struct model_cgw *cgw, struct model_vpn_conn *c, struct verr *err)
{
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);

    memset(rec, 0, sizeof(*rec));
    if (!root) {
        if (model_json_oom(&je))
            return -ENOMEM;
        rec->json_line = je.line > 0 ? je.line : 1;
        /* jansson quotes the offending token, which may be part of a psk: dropped */
        char *near = strstr(je.text, " near '\"");
        if (near && strncmp(je.text, "duplicate object key", 20) != 0)
            *near = '\0';
        return verr_set(err, "record is not valid JSON", "%s at column %d", je.text, je.column);
    }
    int r = parse_root(root, rec, g, cgw, c, err);
    json_decref(root);
    return r;
}

static int record_write(const char *project_id, const char *wrapper, struct buf *out,
                        int (*body)(const void *m, struct buf *out), const void *m)
{
    size_t len0 = out->len;
    int r = buf_puts(out, "{\"project_id\":");

    if (r == 0)
        r = buf_json_str(out, project_id);
    if (r == 0)
        r = buf_printf(out, ",\"%s\":", wrapper);
    if (r == 0)
        r = body(m, out);
    if (r == 0)
        r = buf_puts(out, "}\n");
    if (r < 0 && out->data) {
        out->len = len0;
        out->data[len0] = '\0';
    }
    return r;
}

static int vgw_body(const void *m, struct buf *out)
{
    return model_vgw_to_internal(m, out);
}

static int cgw_body(const void *m, struct buf *out)
{
    return model_cgw_to_internal(m, out);
}

static int conn_body(const void *m, struct buf *out)
{
    return model_conn_to_internal(m, out);
}

int model_record_write_vgw(const char *project_id, const struct model_vgw *g, struct buf *out)
{
    return record_write(project_id, "vpn_gateway", out, vgw_body, g);
}

int model_record_write_cgw(const char *project_id, const struct model_cgw *cgw, struct buf *out)
{
    return record_write(project_id, "customer_gateway", out, cgw_body, cgw);
}

int model_record_write_conn(const char *project_id, const struct model_vpn_conn *c,
                            struct buf *out)
{
    return record_write(project_id, "vpn_connection", out, conn_body, c);
}

const char *model_conn_status(const char *s)
{
    return model_enum_find(&MODEL_E_CONN_STATUS, s);
}

const char *model_vgw_status(const char *s)
{
    return model_enum_find(&MODEL_E_VGW_STATUS, s);
}
