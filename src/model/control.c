/* model/control.c: the bodies of the control surface (/_vpnd/...) and the stored form of its
 * rules (model.h "the control surface's bodies"). Each rule is checked here once, with the
 * message a client sees: "<member>: <rule>, got <value>". */
#include "model/model_int.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/ids.h"

const char *const model_ctl_progress_names[] = {
    [MODEL_PROGRESS_DELAY] = "delay",
    [MODEL_PROGRESS_MANUAL] = "manual",
    [MODEL_PROGRESS_READS] = "reads",
    [MODEL_PROGRESS_HOLD] = "hold",
};

static const char *const kind_names[] = {
    [MODEL_KIND_VGW] = "vpn_gateway",
    [MODEL_KIND_CGW] = "customer_gateway",
    [MODEL_KIND_CONN] = "vpn_connection",
    [MODEL_KIND_MONITOR] = "connection_monitor",
};
#define KIND_RULE "must be one of vpn_gateway, vpn_connection, connection_monitor"

static const char *const monitor_statuses[] = {"ACTIVE", "PENDING_CREATE", "PENDING_DELETE",
                                               NULL};
static const struct model_enum monitor_status = {monitor_statuses, false};

int model_ctl_kind_of(const char *s)
{
    for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++) {
        if (i != MODEL_KIND_CGW && strcmp(kind_names[i], s) == 0)
            return (int)i;
    }
    return -1;
}

const char *model_ctl_kind_name(enum model_kind kind)
{
    return kind_names[kind];
}

static const struct model_enum *statuses_of(enum model_kind kind)
{
    return kind == MODEL_KIND_VGW    ? &MODEL_E_VGW_STATUS
           : kind == MODEL_KIND_CONN ? &MODEL_E_CONN_STATUS
                                     : &monitor_status;
}

const char *model_ctl_status_of(enum model_kind kind, const char *s)
{
    const char *v = model_enum_find(statuses_of(kind), s);

    /* one pointer per status (model_status_names), whichever table found it */
    return v ? model_status_names[model_status_of(v)] : NULL;
}

/* ---- members ---- */

/* Refuses the first member of obj not in allowed (NULL-terminated). */
static int only_members(const json_t *obj, const char *const *allowed, struct verr *err)
{
    char members[MODEL_MEMBERS_LEN], echo[MODEL_ECHO_LEN];
    const char *key = model_unknown_member(obj, allowed, members);

    if (!key)
        return 0;
    model_echo(echo, key, strlen(key));
    return verr_fail(err, VERR_INVALID, "%s: is not a member of this body (members: %s)", echo,
                     members);
}

/* A string member of 1..size-1 bytes of printable ASCII into dst ("" when absent and not
 * required). */
static int want_text(const json_t *obj, const char *key, bool required, char *dst, size_t size,
                     struct verr *err)
{
    const json_t *v = model_member(obj, key);
    const char *s;
    char echo[MODEL_ECHO_LEN];

    dst[0] = '\0';
    if (!v)
        return required ? verr_set(err, key, "is required") : 0;
    if (model_want_str(v, key, &s, err) < 0)
        return -EINVAL;
    size_t n = strlen(s);
    bool printable = n > 0 && n < size;
    for (size_t i = 0; printable && i < n; i++)
        printable = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] <= 0x7e;
    if (!printable) {
        model_echo(echo, s, n);
        return verr_set(err, key, "must be 1 to %zu printable ASCII characters, got %s", size - 1,
                        echo);
    }
    memcpy(dst, s, n + 1);
    return 0;
}

static int want_project(const json_t *obj, bool required, char dst[MODEL_PROJECT_ID_LEN],
                        struct verr *err)
{
    char echo[MODEL_ECHO_LEN];
    int r = want_text(obj, "project_id", required, dst, MODEL_PROJECT_ID_LEN, err);

    for (const char *p = dst; r == 0 && *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_')
            continue;
        model_echo(echo, dst, strlen(dst));
        return verr_set(err, "project_id",
                        "must be 1 to 64 characters from A-Z a-z 0-9 - _, got %s", echo);
    }
    return r;
}

static int want_kind(const json_t *obj, bool required, bool *ret_has, enum model_kind *ret,
                     struct verr *err)
{
    const json_t *v = model_member(obj, "kind");
    const char *s;
    char echo[MODEL_ECHO_LEN];

    if (ret_has)
        *ret_has = v != NULL;
    if (!v)
        return required ? verr_set(err, "kind", "is required (" KIND_RULE ")") : 0;
    if (model_want_str(v, "kind", &s, err) < 0)
        return -EINVAL;
    int k = model_ctl_kind_of(s);
    if (k < 0) {
        model_echo(echo, s, strlen(s));
        return verr_set(err, "kind", KIND_RULE ", got %s", echo);
    }
    *ret = (enum model_kind)k;
    return 0;
}

/* A status member of kind (pending: also PENDING_*; otherwise settled ones only); *ret NULL
 * when absent. */
static int want_status(const json_t *obj, const char *key, enum model_kind kind, bool pending,
                       bool settled, const char **ret, struct verr *err)
{
    const json_t *v = model_member(obj, key);
    const struct model_enum *e = statuses_of(kind);
    const char *s;
    char rule[256] = "", echo[MODEL_ECHO_LEN];

    *ret = NULL;
    if (!v)
        return 0;
    if (model_want_str(v, key, &s, err) < 0)
        return -EINVAL;
    const char *found = model_ctl_status_of(kind, s);
    if (found && (model_status_is_pending(found) ? pending : settled)) {
        *ret = found;
        return 0;
    }
    for (const char *const *p = e->values; *p; p++) {
        if (model_status_is_pending(*p) ? pending : settled)
            snprintf(rule + strlen(rule), sizeof(rule) - strlen(rule), "%s%s", rule[0] ? ", " : "",
                     *p);
    }
    model_echo(echo, s, strlen(s));
    return verr_set(err, key, "must be a %s status of a %s (%s), got %s",
                    pending && !settled ? "pending" : settled && !pending ? "settled" : "documented",
                    kind_names[kind], rule, echo);
}

static int want_opt_int(const json_t *obj, const char *key, int64_t lo, int64_t hi, int64_t *ret,
                        struct verr *err)
{
    const json_t *v = model_member(obj, key);

    return v ? model_want_int(v, key, lo, hi, ret, err) : 0;
}

static int want_opt_bool(const json_t *obj, const char *key, bool *ret, struct verr *err)
{
    const json_t *v = model_member(obj, key);

    return v ? model_want_bool(v, key, ret, err) : 0;
}

/* The object of a body: the parsed body itself (bodies are flat). */
static const json_t *root_of(const struct model_body *body)
{
    return body->root;
}

/* ---- POST /_vpnd/status ---- */

int model_ctl_status_parse(const struct model_body *body, struct model_ctl_status *ret,
                           struct verr *err)
{
    static const char *const members[] = {"kind", "project_id", "id", "status", "hold", NULL};
    const json_t *o = root_of(body);
    struct model_ctl_status st = {0};

    if (only_members(o, members, err) < 0 || want_kind(o, true, NULL, &st.kind, err) < 0 ||
        want_project(o, true, st.project_id, err) < 0 ||
        want_text(o, "id", true, st.id, sizeof(st.id), err) < 0 ||
        want_status(o, "status", st.kind, true, true, &st.status, err) < 0 ||
        want_opt_bool(o, "hold", &st.hold, err) < 0)
        return -EINVAL;
    if (!st.status)
        return verr_set(err, "status", "is required");
    *ret = st;
    return 0;
}

/* ---- POST /_vpnd/advance, POST /_vpnd/reset ---- */

int model_ctl_target_parse(const struct model_body *body, bool reset, struct model_ctl_target *ret,
                           struct verr *err)
{
    static const char *const advance_members[] = {"kind", "project_id", "id", NULL};
    static const char *const reset_members[] = {"project_id", NULL};
    const json_t *o = root_of(body);
    struct model_ctl_target t = {0};

    if (only_members(o, reset ? reset_members : advance_members, err) < 0 ||
        want_kind(o, false, &t.has_kind, &t.kind, err) < 0 ||
        want_project(o, false, t.project_id, err) < 0 ||
        want_text(o, "id", false, t.id, sizeof(t.id), err) < 0)
        return -EINVAL;
    if (t.id[0] && (!t.has_kind || !t.project_id[0]))
        return verr_set(err, "id", "needs kind and project_id (an id names one resource of one "
                                   "kind in one project)");
    *ret = t;
    return 0;
}

/* ---- transition rules ---- */

static int parse_progress(const json_t *o, enum model_ctl_progress *ret, struct verr *err)
{
    const json_t *v = model_member(o, "progress");
    const char *s;
    char echo[MODEL_ECHO_LEN];

    *ret = MODEL_PROGRESS_DELAY;
    if (!v)
        return 0;
    if (model_want_str(v, "progress", &s, err) < 0)
        return -EINVAL;
    for (int i = MODEL_PROGRESS_DELAY; i <= MODEL_PROGRESS_READS; i++) {
        if (strcmp(s, model_ctl_progress_names[i]) == 0) {
            *ret = (enum model_ctl_progress)i;
            return 0;
        }
    }
    model_echo(echo, s, strlen(s));
    return verr_set(err, "progress", "must be one of delay, manual, reads, got %s", echo);
}

static int transition_object(const json_t *o, bool stored, struct model_ctl_transition *ret,
                             struct verr *err)
{
    static const char *const members[] = {"kind",  "project_id", "id",     "vgw_id",
                                          "from",  "progress",   "delay_ms", "reads",
                                          "to",    "count",      NULL};
    static const char *const stored_members[] = {
        "rule", "kind", "project_id", "id", "vgw_id", "from", "progress", "delay_ms", "reads",
        "to", "count", "created_at", NULL};
    struct model_ctl_transition t = {.delay_ms = -1};

    if (only_members(o, stored ? stored_members : members, err) < 0 ||
        want_kind(o, true, NULL, &t.kind, err) < 0 ||
        want_project(o, false, t.project_id, err) < 0 ||
        want_text(o, "id", false, t.res_id, sizeof(t.res_id), err) < 0 ||
        want_text(o, "vgw_id", false, t.vgw_id, sizeof(t.vgw_id), err) < 0 ||
        want_status(o, "from", t.kind, true, false, &t.from, err) < 0 ||
        parse_progress(o, &t.progress, err) < 0 ||
        want_opt_int(o, "delay_ms", 0, 86400000, &t.delay_ms, err) < 0 ||
        want_opt_int(o, "reads", 1, 1000000, &t.reads, err) < 0 ||
        want_status(o, "to", t.kind, false, true, &t.to, err) < 0 ||
        want_opt_int(o, "count", 1, 1000000, &t.count, err) < 0)
        return -EINVAL;
    if (t.vgw_id[0] && t.kind != MODEL_KIND_CONN)
        return verr_set(err, "vgw_id", "only connections have a gateway (kind vpn_connection)");
    if (t.res_id[0] && !t.project_id[0])
        return verr_set(err, "id", "needs project_id (ids are unique within a project)");
    if (t.progress == MODEL_PROGRESS_READS && t.reads == 0)
        return verr_set(err, "reads", "is required with progress reads (the GET that settles "
                                      "the resource, 1 to 1000000)");
    if (t.progress != MODEL_PROGRESS_READS && t.reads)
        return verr_set(err, "reads", "is only for progress reads");
    if (t.progress != MODEL_PROGRESS_DELAY && t.delay_ms >= 0)
        return verr_set(err, "delay_ms", "is only for progress delay");
    if (stored) {
        const json_t *v = model_member(o, "rule");
        const char *s;
        if (!v || model_want_str(v, "rule", &s, err) < 0 || model_copy(t.id, sizeof(t.id), s) < 0 ||
            want_opt_int(o, "created_at", 0, MODEL_TS_MAX, &t.created_at, err) < 0)
            return -EINVAL;
    }
    *ret = t;
    return 0;
}

int model_ctl_transition_parse(const struct model_body *body, struct model_ctl_transition *ret,
                               struct verr *err)
{
    return transition_object(root_of(body), false, ret, err);
}

/* Loads stored text into a JSON object and parses it with fn. 0, -EINVAL or -ENOMEM. */
static int load_stored(const char *text, void *ret,
                       int (*fn)(const json_t *o, bool stored, void *ret, struct verr *err))
{
    json_t *root = NULL;
    struct verr err;
    int r = model_load_internal(text, strlen(text), &root);

    if (r == 0)
        r = json_is_object(root) ? fn(root, true, ret, &err) : -EINVAL;
    json_decref(root);
    return r;
}

static int transition_fn(const json_t *o, bool stored, void *ret, struct verr *err)
{
    return transition_object(o, stored, ret, err);
}

int model_ctl_transition_load(const char *text, struct model_ctl_transition *ret)
{
    return load_stored(text, ret, transition_fn);
}

/* Writes count / used as "count", "applied", "remaining" (used < 0: count only). */
static void write_uses(struct model_jw *w, int64_t count, int64_t used, const char *used_key)
{
    if (count)
        model_jw_int(w, "count", count);
    if (used < 0)
        return;
    model_jw_int(w, used_key, used);
    if (count)
        model_jw_int(w, "remaining", count > used ? count - used : 0);
}

int model_ctl_transition_write(const struct model_ctl_transition *t, int64_t used,
                               struct buf *out)
{
    struct model_jw w;

    model_jw_init(&w, out);
    model_jw_obj(&w, NULL);
    model_jw_str(&w, "rule", t->id);
    model_jw_str(&w, "kind", kind_names[t->kind]);
    model_jw_opt_str(&w, "project_id", t->project_id);
    model_jw_opt_str(&w, "id", t->res_id);
    model_jw_opt_str(&w, "vgw_id", t->vgw_id);
    model_jw_opt_str(&w, "from", t->from);
    model_jw_str(&w, "progress", model_ctl_progress_names[t->progress]);
    if (t->progress == MODEL_PROGRESS_DELAY && t->delay_ms >= 0)
        model_jw_int(&w, "delay_ms", t->delay_ms);
    if (t->progress == MODEL_PROGRESS_READS)
        model_jw_int(&w, "reads", t->reads);
    model_jw_opt_str(&w, "to", t->to);
    write_uses(&w, t->count, used, "applied");
    model_jw_int(&w, "created_at", t->created_at);
    model_jw_obj_end(&w);
    return model_jw_done(&w);
}

/* ---- fault rules ---- */

static const char *const http_methods[] = {"GET", "POST", "PUT", "DELETE", NULL};

static int parse_method(const json_t *o, char dst[8], struct verr *err)
{
    const json_t *v = model_member(o, "method");
    const char *s;
    char echo[MODEL_ECHO_LEN];

    dst[0] = '\0';
    if (!v)
        return 0;
    if (model_want_str(v, "method", &s, err) < 0)
        return -EINVAL;
    for (const char *const *m = http_methods; *m; m++) {
        if (strcmp(*m, s) == 0)
            return model_copy(dst, 8, s);
    }
    model_echo(echo, s, strlen(s));
    return verr_set(err, "method", "must be one of GET, POST, PUT, DELETE, got %s", echo);
}

static int parse_probability(const json_t *o, double *ret, struct verr *err)
{
    const json_t *v = model_member(o, "probability");
    char got[64];

    *ret = 1.0;
    if (!v)
        return 0;
    if (!json_is_number(v))
        return verr_set(err, "probability", "must be a number above 0 and at most 1, got %s",
                        model_json_type(v));
    double p = json_number_value(v);
    if (p > 0 && p <= 1) {
        *ret = p;
        return 0;
    }
    snprintf(got, sizeof(got), "%g", p);
    return verr_set(err, "probability", "must be a number above 0 and at most 1, got %s", got);
}

/* The error_code of an injected status when none is given: the codes vpnd and the cloud's
 * gateway answer with for it. */
static const char *default_code(int status)
{
    switch (status) {
    case 401:
        return "APIGW.0301";
    case 403:
        return "APIGW.0302";
    case 404:
        return "VPN.0004";
    case 429:
        return "APIGW.0308";
    case 500:
    case 503:
        return "VPN.0002";
    case 504:
        return "VPN.0014";
    default:
        return status < 500 ? "VPN.0001" : "VPN.0002";
    }
}

static int fault_effect(const json_t *o, struct model_ctl_fault *f, struct verr *err)
{
    int64_t status = 0;

    if (want_opt_int(o, "status", 400, 599, &status, err) < 0 ||
        want_text(o, "error_code", false, f->error_code, sizeof(f->error_code), err) < 0 ||
        want_text(o, "error_msg", false, f->error_msg, sizeof(f->error_msg), err) < 0 ||
        want_opt_int(o, "latency_ms", 1, 600000, &f->latency_ms, err) < 0 ||
        want_opt_bool(o, "drop", &f->drop, err) < 0 ||
        want_opt_bool(o, "apply", &f->apply, err) < 0)
        return -EINVAL;
    f->status = (int)status;
    if (!f->status && (f->error_code[0] || f->error_msg[0]))
        return verr_set(err, f->error_code[0] ? "error_code" : "error_msg",
                        "needs status (the HTTP status of the error answer, 400 to 599)");
    if (f->status && f->drop)
        return verr_set(err, "drop", "cannot be combined with status (a dropped connection "
                                     "gets no answer)");
    if (!f->status && !f->drop && !f->latency_ms)
        return verr_fail(err, VERR_INVALID,
                         "a fault needs an effect: status (an error answer), latency_ms or drop");
    if (f->apply && !f->status && !f->drop)
        return verr_set(err, "apply", "is only for an error answer (status) or drop");
    if (f->status && !f->error_code[0])
        snprintf(f->error_code, sizeof(f->error_code), "%s", default_code(f->status));
    return 0;
}

static int fault_object(const json_t *o, bool stored, struct model_ctl_fault *ret,
                        struct verr *err)
{
    static const char *const members[] = {
        "method", "operation", "path",       "project_id", "resource_id", "probability",
        "count",  "seed",      "status",     "error_code", "error_msg",   "latency_ms",
        "drop",   "apply",     NULL};
    static const char *const stored_members[] = {
        "rule",   "method",    "operation",  "path",       "project_id", "resource_id",
        "probability", "count", "seed",      "status",     "error_code", "error_msg",
        "latency_ms", "drop",  "apply",      "created_at", NULL};
    struct model_ctl_fault f = {0};
    int64_t seed = 0;

    if (only_members(o, stored ? stored_members : members, err) < 0 ||
        parse_method(o, f.method, err) < 0 ||
        want_text(o, "operation", false, f.operation, sizeof(f.operation), err) < 0 ||
        want_text(o, "path", false, f.path, sizeof(f.path), err) < 0 ||
        want_project(o, false, f.project_id, err) < 0 ||
        want_text(o, "resource_id", false, f.resource_id, sizeof(f.resource_id), err) < 0 ||
        parse_probability(o, &f.probability, err) < 0 ||
        want_opt_int(o, "count", 1, 1000000, &f.count, err) < 0 ||
        want_opt_int(o, "seed", 0, INT64_C(9007199254740991), &seed, err) < 0 ||
        fault_effect(o, &f, err) < 0)
        return -EINVAL;
    if (f.path[0] && f.path[0] != '/')
        return verr_set(err, "path", "must start with / (a pattern of the request path, * "
                                     "within one segment)");
    f.has_seed = model_member(o, "seed") != NULL;
    f.seed = (uint64_t)seed;
    if (stored) {
        const json_t *v = model_member(o, "rule");
        const char *s;
        if (!v || model_want_str(v, "rule", &s, err) < 0 || model_copy(f.id, sizeof(f.id), s) < 0 ||
            want_opt_int(o, "created_at", 0, MODEL_TS_MAX, &f.created_at, err) < 0)
            return -EINVAL;
    }
    *ret = f;
    return 0;
}

int model_ctl_fault_parse(const struct model_body *body, struct model_ctl_fault *ret,
                          struct verr *err)
{
    return fault_object(root_of(body), false, ret, err);
}

static int fault_fn(const json_t *o, bool stored, void *ret, struct verr *err)
{
    return fault_object(o, stored, ret, err);
}

int model_ctl_fault_load(const char *text, struct model_ctl_fault *ret)
{
    return load_stored(text, ret, fault_fn);
}

int model_ctl_fault_write(const struct model_ctl_fault *f, int64_t injected, struct buf *out)
{
    struct model_jw w;

    model_jw_init(&w, out);
    model_jw_obj(&w, NULL);
    model_jw_str(&w, "rule", f->id);
    model_jw_opt_str(&w, "method", f->method);
    model_jw_opt_str(&w, "operation", f->operation);
    model_jw_opt_str(&w, "path", f->path);
    model_jw_opt_str(&w, "project_id", f->project_id);
    model_jw_opt_str(&w, "resource_id", f->resource_id);
    if (f->probability < 1)
        model_jw_double(&w, "probability", f->probability);
    if (f->has_seed)
        model_jw_int(&w, "seed", (int64_t)f->seed);
    if (f->status) {
        model_jw_int(&w, "status", f->status);
        model_jw_str(&w, "error_code", f->error_code);
        model_jw_opt_str(&w, "error_msg", f->error_msg);
    }
    if (f->latency_ms)
        model_jw_int(&w, "latency_ms", f->latency_ms);
    if (f->drop)
        model_jw_bool(&w, "drop", true);
    if (f->apply)
        model_jw_bool(&w, "apply", true);
    write_uses(&w, f->count, injected, "injected");
    model_jw_int(&w, "created_at", f->created_at);
    model_jw_obj_end(&w);
    return model_jw_done(&w);
}

/* ---- POST /_vpnd/clock ---- */

static int parse_instant(const json_t *v, int64_t *ret, struct verr *err)
{
    char echo[MODEL_ECHO_LEN];

    if (json_is_integer(v))
        return model_want_int(v, "set", 0, MODEL_TS_MAX, ret, err);
    if (json_is_string(v) && ids_parse_ts(json_string_value(v), ret) == 0)
        return 0;
    if (!json_is_string(v))
        return verr_set(err, "set", "must be a time: milliseconds since 1970 or "
                                    "\"yyyy-MM-ddTHH:mm:ss.SSSZ\", got %s",
                        model_json_type(v));
    model_echo(echo, json_string_value(v), json_string_length(v));
    return verr_set(err, "set", "must be a time: milliseconds since 1970 or "
                                "\"yyyy-MM-ddTHH:mm:ss.SSSZ\", got %s",
                    echo);
}

int model_ctl_clock_parse(const struct model_body *body, struct model_ctl_clock *ret,
                          struct verr *err)
{
    static const char *const members[] = {"reset", "set", "advance_ms", "freeze", NULL};
    const json_t *o = root_of(body);
    struct model_ctl_clock c = {.freeze = -1};
    bool freeze = false;

    if (only_members(o, members, err) < 0 || want_opt_bool(o, "reset", &c.reset, err) < 0 ||
        want_opt_int(o, "advance_ms", 0, INT64_C(315576000000), &c.advance_ms, err) < 0 ||
        want_opt_bool(o, "freeze", &freeze, err) < 0)
        return -EINVAL;
    if (model_member(o, "set")) {
        c.has_set = true;
        if (parse_instant(model_member(o, "set"), &c.set, err) < 0)
            return -EINVAL;
    }
    if (model_member(o, "freeze"))
        c.freeze = freeze;
    if (!c.reset && !c.has_set && !model_member(o, "advance_ms") && c.freeze < 0)
        return verr_fail(err, VERR_INVALID,
                         "the body says nothing to do: give reset, set, advance_ms or freeze");
    *ret = c;
    return 0;
}

/* ---- held resources ---- */

static int held_object(const json_t *o, bool stored, void *ret, struct verr *err)
{
    struct model_ctl_held h = {0};
    const json_t *v = model_member(o, "progress");
    const char *s = NULL;
    char rule[MODEL_CTL_ID_LEN];

    (void)stored;
    if (want_kind(o, true, NULL, &h.kind, err) < 0 ||
        want_project(o, true, h.project_id, err) < 0 ||
        want_text(o, "id", true, h.id, sizeof(h.id), err) < 0 ||
        want_status(o, "status", h.kind, true, true, &h.status, err) < 0 ||
        want_status(o, "to", h.kind, false, true, &h.to, err) < 0 ||
        want_opt_int(o, "due", 0, MODEL_TS_MAX, &h.due, err) < 0 ||
        want_opt_int(o, "reads", 0, 1000000, &h.reads, err) < 0 ||
        want_opt_int(o, "since", 0, MODEL_TS_MAX, &h.since, err) < 0 ||
        want_text(o, "rule", false, rule, sizeof(rule), err) < 0 || !v ||
        model_want_str(v, "progress", &s, err) < 0 || !h.status)
        return -EINVAL;
    if (model_copy(h.rule, sizeof(h.rule), rule) < 0)
        return -EINVAL;
    h.progress = MODEL_PROGRESS_HOLD + 1;
    for (int i = MODEL_PROGRESS_DELAY; i <= MODEL_PROGRESS_HOLD; i++) {
        if (strcmp(s, model_ctl_progress_names[i]) == 0)
            h.progress = (enum model_ctl_progress)i;
    }
    if (h.progress > MODEL_PROGRESS_HOLD)
        return -EINVAL;
    *(struct model_ctl_held *)ret = h;
    return 0;
}

int model_ctl_held_load(const char *text, struct model_ctl_held *ret)
{
    return load_stored(text, ret, held_object);
}

int model_ctl_held_write(const struct model_ctl_held *h, struct buf *out)
{
    struct model_jw w;

    model_jw_init(&w, out);
    model_jw_obj(&w, NULL);
    model_jw_str(&w, "kind", kind_names[h->kind]);
    model_jw_str(&w, "project_id", h->project_id);
    model_jw_str(&w, "id", h->id);
    model_jw_str(&w, "status", h->status);
    model_jw_str(&w, "progress", model_ctl_progress_names[h->progress]);
    if (h->progress == MODEL_PROGRESS_DELAY)
        model_jw_int(&w, "due", h->due);
    if (h->progress == MODEL_PROGRESS_READS)
        model_jw_int(&w, "reads", h->reads);
    model_jw_opt_str(&w, "to", h->to);
    model_jw_opt_str(&w, "rule", h->rule);
    model_jw_int(&w, "since", h->since);
    model_jw_obj_end(&w);
    return model_jw_done(&w);
}
