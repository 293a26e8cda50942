/* model/vgw_jobs.c: a gateway's upgrade jobs (spec §3.1 Upgrade, Jobs) and the internal form
 * of its certificate and jobs ("certificate", "jobs" members; specs written before them have
 * neither and load with no certificate and no jobs). */
#include "model/model_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/ids.h"

static const char *const job_types[] = {"upgrade", "rollback", NULL};
static const char *const job_statuses[] = {"RUNNING", "SUCCESS", "FAILED", NULL};
static const char *const actions[] = {"start", "finish", "rollback", NULL};
static const struct model_enum e_job_type = {job_types, false};
static const struct model_enum e_job_status = {job_statuses, false};
static const struct model_enum e_action = {actions, false};

/* ---- internal form ---- */

/* A string member copied into dst (absent: ""). -EINVAL if not a string or too long. */
static int get_str(const json_t *o, const char *key, char *dst, size_t size)
{
    const json_t *v = json_object_get(o, key);

    dst[0] = '\0';
    if (!v)
        return 0;
    if (!json_is_string(v))
        return -EINVAL;
    return model_copy(dst, size, json_string_value(v));
}

static int get_int(const json_t *o, const char *key, int64_t *ret)
{
    const json_t *v = json_object_get(o, key);

    *ret = 0;
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > MODEL_TS_MAX)
        return -EINVAL;
    *ret = json_integer_value(v);
    return 0;
}

int model_cert_facts_read(const json_t *o, const char *key, struct model_cert_facts *f)
{
    const json_t *v = json_object_get(o, key);

    memset(f, 0, sizeof(*f));
    if (!v)
        return 0;
    if (!json_is_object(v))
        return -EINVAL;
    if (get_str(v, "serial_number", f->serial_number, sizeof(f->serial_number)) < 0 ||
        get_str(v, "subject", f->subject, sizeof(f->subject)) < 0 ||
        get_str(v, "issuer", f->issuer, sizeof(f->issuer)) < 0 ||
        get_str(v, "signature_algorithm", f->signature_algorithm,
                sizeof(f->signature_algorithm)) < 0 ||
        get_int(v, "expire_time", &f->expire_time) < 0)
        return -EINVAL;
    return 0;
}

int model_vgw_certificate_field(const json_t *v, const char *path, void *dst, bool internal,
                                struct verr *err)
{
    struct model_vgw *g = dst;
    struct model_vgw_cert *c = &g->certificate;
    (void)internal;

    memset(c, 0, sizeof(*c));
    if (!v)
        return 0;
    if (!json_is_object(v))
        return verr_set(err, path, "must be an object");
    const json_t *binding = json_object_get(v, "binding");
    if (get_str(v, "id", c->id, sizeof(c->id)) < 0 || !ids_is_uuid(c->id) ||
        get_str(v, "name", c->name, sizeof(c->name)) < 0 ||
        (binding && !json_is_boolean(binding)) || model_cert_facts_read(v, "cert", &c->cert) < 0 ||
        model_cert_facts_read(v, "chain", &c->chain) < 0 || model_cert_facts_read(v, "enc", &c->enc) < 0 ||
        get_int(v, "created_at", &c->created_at) < 0 ||
        get_int(v, "updated_at", &c->updated_at) < 0)
        return verr_set(err, path, "is not a stored certificate");
    c->binding = binding && json_is_true(binding);
    c->present = true;
    return 0;
}

int model_vgw_jobs_field(const json_t *v, const char *path, void *dst, bool internal,
                         struct verr *err)
{
    struct model_vgw *g = dst;
    size_t i;
    const json_t *o;
    (void)internal;

    g->n_jobs = 0;
    if (!v)
        return 0;
    if (!json_is_array(v) || json_array_size(v) > MODEL_MAX_JOBS)
        return verr_set(err, path, "must be an array of at most %d jobs", MODEL_MAX_JOBS);
    json_array_foreach(v, i, o) {
        struct model_vgw_job *j = &g->jobs[i];
        const json_t *type = json_object_get(o, "job_type");
        const json_t *status = json_object_get(o, "status");
        if (!json_is_object(o) || get_str(o, "id", j->id, sizeof(j->id)) < 0 ||
            !ids_is_uuid(j->id) || !json_is_string(type) || !json_is_string(status) ||
            !(j->job_type = model_enum_find(&e_job_type, json_string_value(type))) ||
            !(j->status = model_enum_find(&e_job_status, json_string_value(status))) ||
            get_int(o, "created_at", &j->created_at) < 0 ||
            get_int(o, "finished_at", &j->finished_at) < 0 ||
            get_str(o, "error_message", j->error_message, sizeof(j->error_message)) < 0) {
            g->n_jobs = 0;
            return verr_set(err, path, "is not a stored job list");
        }
        g->n_jobs = i + 1;
    }
    return 0;
}

void model_cert_facts_write(struct model_jw *w, const char *key, const struct model_cert_facts *f)
{
    model_jw_obj(w, key);
    model_jw_str(w, "serial_number", f->serial_number);
    model_jw_str(w, "subject", f->subject);
    model_jw_str(w, "issuer", f->issuer);
    model_jw_str(w, "signature_algorithm", f->signature_algorithm);
    model_jw_int(w, "expire_time", f->expire_time);
    model_jw_obj_end(w);
}

/* How a job of the response shows: its SDK status and the seconds left (job_render). */
struct job_view {
    const char *status; /* NULL: the internal form (the stored upper-case status) */
    int64_t expected_s;
};

/* The SDK status of job j of g (model.h, model_vgw_job_render). */
static struct job_view job_view(const struct model_vgw *g, const struct model_vgw_job *j,
                                const char *gw_status, int64_t settle_in_s)
{
    bool upgrade = model_streq(j->job_type, "upgrade");
    bool newest = g->n_jobs > 0 && j == &g->jobs[g->n_jobs - 1];

    if (newest && model_streq(gw_status, "PENDING_UPDATE") &&
        (!upgrade || model_streq(j->status, "RUNNING")))
        return (struct job_view){upgrade ? "upgrading" : "rolling_back",
                                 settle_in_s > 0 ? settle_in_s : 0};
    if (!upgrade)
        return (struct job_view){"rollback_success", 0};
    if (model_streq(j->status, "RUNNING"))
        return (struct job_view){"pending_upgrade_confirm", 0};
    return (struct job_view){model_streq(j->status, "SUCCESS") ? "success" : "fail", 0};
}

static void job_write(struct model_jw *w, const struct model_vgw *g, const struct model_vgw_job *j,
                      const struct job_view *view)
{
    bool internal = view == NULL;

    model_jw_obj(w, NULL);
    model_jw_str(w, "id", j->id);
    if (!internal)
        model_jw_str(w, "resource_id", g->id);
    model_jw_str(w, "job_type", j->job_type);
    model_jw_str(w, "status", internal ? j->status : view->status);
    model_jw_time(w, "created_at", j->created_at, internal);
    if (!internal)
        model_jw_int(w, "expected_time_seconds", view->expected_s);
    if (internal)
        model_jw_int(w, "finished_at", j->finished_at);
    else if (j->finished_at)
        model_jw_time(w, "finished_at", j->finished_at, false);
    model_jw_str(w, "error_message", j->error_message);
    if (!internal) { /* one gateway-wide step per job in the simulation: no sub-jobs */
        model_jw_arr(w, "sub_jobs");
        model_jw_arr_end(w);
    }
    model_jw_obj_end(w);
}

void model_vgw_extras_write(struct model_jw *w, const struct model_vgw *g)
{
    const struct model_vgw_cert *c = &g->certificate;

    if (c->present) {
        model_jw_obj(w, "certificate");
        model_jw_str(w, "id", c->id);
        model_jw_str(w, "name", c->name);
        model_jw_bool(w, "binding", c->binding);
        model_cert_facts_write(w, "cert", &c->cert);
        model_cert_facts_write(w, "chain", &c->chain);
        model_cert_facts_write(w, "enc", &c->enc);
        model_jw_int(w, "created_at", c->created_at);
        model_jw_int(w, "updated_at", c->updated_at);
        model_jw_obj_end(w);
    }
    if (g->n_jobs == 0)
        return;
    model_jw_arr(w, "jobs");
    for (size_t i = 0; i < g->n_jobs && i < MODEL_MAX_JOBS; i++)
        job_write(w, g, &g->jobs[i], NULL);
    model_jw_arr_end(w);
}

/* ---- the upgrade state machine ---- */

int model_vgw_upgrade_parse(const struct model_body *body, const char **ret_action,
                            struct verr *err)
{
    const json_t *v = model_member(body->root, "action");
    int r;

    if (!v)
        r = verr_set(err, "action", "is required (start, finish or rollback)");
    else
        r = model_want_enum(v, "action", &e_action, ret_action, err);
    return r;
}

/* The RUNNING upgrade job, or -1. */
static int running_upgrade(const struct model_vgw *g)
{
    for (size_t i = 0; i < g->n_jobs; i++)
        if (model_streq(g->jobs[i].status, "RUNNING"))
            return (int)i;
    return -1;
}

static void job_append(struct model_vgw *g, const char *id, const char *type, const char *status,
                       int64_t now)
{
    if (g->n_jobs == MODEL_MAX_JOBS)
        model_vgw_job_remove(g, 0);
    struct model_vgw_job *j = &g->jobs[g->n_jobs++];
    memset(j, 0, sizeof(*j));
    (void)model_copy(j->id, sizeof(j->id), id);
    j->job_type = model_enum_find(&e_job_type, type);
    j->status = model_enum_find(&e_job_status, status);
    j->created_at = now;
    if (!model_streq(status, "RUNNING"))
        j->finished_at = now;
}

int model_vgw_upgrade_apply(struct model_vgw *g, const char *action, const char *new_id,
                            int64_t now, struct verr *err)
{
    int run = running_upgrade(g);

    if (model_streq(action, "start")) {
        if (run >= 0)
            return verr_set(err, "action",
                            "an upgrade of gateway %s is already running (job %s); finish or "
                            "rollback it, got \"start\"",
                            g->id, g->jobs[run].id);
        job_append(g, new_id, "upgrade", "RUNNING", now);
        return (int)g->n_jobs - 1;
    }
    if (run < 0)
        return verr_set(err, "action",
                        "no upgrade of gateway %s is running; start one first, got \"%s\"", g->id,
                        action);
    struct model_vgw_job *j = &g->jobs[run];
    j->finished_at = now;
    if (model_streq(action, "finish")) {
        j->status = model_enum_find(&e_job_status, "SUCCESS");
        return run;
    }
    j->status = model_enum_find(&e_job_status, "FAILED");
    snprintf(j->error_message, sizeof(j->error_message), "rolled back by job %s", new_id);
    job_append(g, new_id, "rollback", "SUCCESS", now);
    return (int)g->n_jobs - 1;
}

int model_vgw_job_find(const struct model_vgw *g, const char *job_id)
{
    for (size_t i = 0; i < g->n_jobs; i++)
        if (strcmp(g->jobs[i].id, job_id) == 0)
            return (int)i;
    return -1;
}

void model_vgw_job_remove(struct model_vgw *g, size_t i)
{
    if (i >= g->n_jobs)
        return;
    memmove(&g->jobs[i], &g->jobs[i + 1], (g->n_jobs - i - 1) * sizeof(g->jobs[0]));
    g->n_jobs--;
}

int model_vgw_job_render(const struct model_vgw *g, const struct model_vgw_job *j,
                         const char *gw_status, int64_t settle_in_s, struct buf *out)
{
    struct job_view view = job_view(g, j, gw_status, settle_in_s);
    struct model_jw w;

    model_jw_init(&w, out);
    job_write(&w, g, j, &view);
    return model_jw_done(&w);
}
