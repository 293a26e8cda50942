/* control/rules.c: transition and fault rules: add, list, delete (stored in the control table,
 * one key each), and the match of a request against the fault rules. */
#include "control/control_int.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "service/svc.h"
#include "util/ids.h"
#include "util/log.h"

/* Stores one rule (text) under prefix + id with counter n; reply (rendered before, so nothing
 * can fail once the rule is stored) is appended to out. The copy takes the rule at once; without
 * memory for it, the next refresh reloads the table. */
static int rule_put(struct control *c, const char *prefix, const char *id, const char *text,
                    int64_t n, const struct buf *reply, struct buf *out)
{
    char key[CONTROL_KEY_MAX];
    int r = buf_reserve(out, reply->len);

    snprintf(key, sizeof(key), "%s%s", prefix, id);
    if (r == 0)
        r = svc_ctl_put(c->svc, key, text, n);
    if (r < 0)
        return r;
    memcpy(out->data + out->len, reply->data, reply->len);
    out->len += reply->len;
    out->data[out->len] = '\0';
    return 0;
}

/* Deletes prefix + id, or every key of prefix (id NULL); the copy follows. */
static int rule_delete(struct control *c, const char *prefix, const char *id, const char *what,
                       struct verr *err)
{
    char key[CONTROL_KEY_MAX];

    snprintf(key, sizeof(key), "%s%s", prefix, id ? id : "");
    int r = svc_ctl_delete(c->svc, key, !id, NULL);
    if (r == -ENOENT && id)
        return verr_fail(err, VERR_NOT_FOUND, "%s rule \"%.64s\"", what, id);
    if (r < 0 && r != -ENOENT)
        return r;
    bool transition = strcmp(prefix, CONTROL_TRANSITION) == 0;
    size_t *n = transition ? &c->n_transitions : &c->n_faults;
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        const char *rid = transition ? c->transitions[i].rule.id : c->faults[i].rule.id;
        if (id && strcmp(rid, id) != 0) {
            if (transition)
                c->transitions[kept++] = c->transitions[i];
            else
                c->faults[kept++] = c->faults[i];
        }
    }
    *n = kept;
    return 0;
}

/* ---- transition rules ---- */

int control_transition_add(struct control *c, struct model_ctl_transition *t, struct buf *out)
{
    _cleanup_(buf_free) struct buf text = {0};
    _cleanup_(buf_free) struct buf reply = {0};

    if (ids_uuid4(t->id) < 0)
        return -EIO;
    t->created_at = svc_now_ms(c->svc);
    int r = model_ctl_transition_write(t, -1, &text);
    if (r == 0)
        r = model_ctl_transition_write(t, 0, &reply);
    if (r == 0)
        r = rule_put(c, CONTROL_TRANSITION, t->id, text.data, t->count, &reply, out);
    if (r < 0)
        return r;
    void *p = realloc(c->transitions, (c->n_transitions + 1) * sizeof(*c->transitions));
    if (p) {
        c->transitions = p;
        c->transitions[c->n_transitions++] = (struct control_transition){*t, t->count};
    } else {
        c->loaded = false; /* the next refresh reloads the table */
    }
    log_info("event=transition_rule_added rule=%s kind=%s progress=%s", t->id,
             model_ctl_kind_name(t->kind), model_ctl_progress_names[t->progress]);
    return 0;
}

int control_transitions_write(struct control *c, struct buf *out)
{
    int r = control_refresh(c, false);

    if (r == 0)
        r = buf_puts(out, "[");
    for (size_t i = 0; r == 0 && i < c->n_transitions; i++) {
        const struct control_transition *ct = &c->transitions[i];
        if (i)
            r = buf_puts(out, ",");
        if (r == 0)
            r = model_ctl_transition_write(&ct->rule,
                                           ct->rule.count ? ct->rule.count - ct->n : ct->n, out);
    }
    return r < 0 ? r : buf_puts(out, "]");
}

int control_transition_delete(struct control *c, const char *id, struct verr *err)
{
    return rule_delete(c, CONTROL_TRANSITION, id, "transition", err);
}

/* ---- fault rules ---- */

int control_fault_add(struct control *c, struct model_ctl_fault *f, struct buf *out)
{
    _cleanup_(buf_free) struct buf text = {0};
    _cleanup_(buf_free) struct buf reply = {0};

    if (ids_uuid4(f->id) < 0)
        return -EIO;
    if (!f->has_seed) { /* chosen here and shown, so a run can be repeated with it */
        f->seed = control_random_seed();
        f->has_seed = true;
    }
    f->created_at = svc_now_ms(c->svc);
    int r = model_ctl_fault_write(f, -1, &text);
    if (r == 0)
        r = model_ctl_fault_write(f, 0, &reply);
    if (r == 0)
        r = rule_put(c, CONTROL_FAULT, f->id, text.data, f->count, &reply, out);
    if (r < 0)
        return r;
    void *p = realloc(c->faults, (c->n_faults + 1) * sizeof(*c->faults));
    if (p) {
        c->faults = p;
        c->faults[c->n_faults++] = (struct control_fault){*f, f->count, f->seed};
    } else {
        c->loaded = false;
    }
    log_info("event=fault_rule_added rule=%s operation=\"%s\" path=\"%s\" status=%d "
             "latency_ms=%lld drop=%s",
             f->id, f->operation, f->path, f->status, (long long)f->latency_ms,
             f->drop ? "true" : "false");
    return 0;
}

int control_faults_write(struct control *c, struct buf *out)
{
    int r = control_refresh(c, false);

    if (r == 0)
        r = buf_puts(out, "[");
    for (size_t i = 0; r == 0 && i < c->n_faults; i++) {
        const struct control_fault *cf = &c->faults[i];
        if (i)
            r = buf_puts(out, ",");
        if (r == 0)
            r = model_ctl_fault_write(&cf->rule, cf->rule.count ? cf->rule.count - cf->n : cf->n,
                                      out);
    }
    return r < 0 ? r : buf_puts(out, "]");
}

int control_fault_delete(struct control *c, const char *id, struct verr *err)
{
    return rule_delete(c, CONTROL_FAULT, id, "fault", err);
}

/* splitmix64: one step of a rule's draw sequence. */
static uint64_t next_draw(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static bool fault_matches(const struct model_ctl_fault *f, const struct control_request *rq)
{
    return (!f->method[0] || strcmp(f->method, rq->method) == 0) &&
           (!f->operation[0] || strcmp(f->operation, rq->operation) == 0) &&
           (!f->project_id[0] || strcmp(f->project_id, rq->project_id) == 0) &&
           (!f->resource_id[0] || strcmp(f->resource_id, rq->resource_id) == 0) &&
           (!f->path[0] || fnmatch(f->path, rq->path, FNM_PATHNAME) == 0);
}

bool control_fault_match(struct control *c, const struct control_request *rq,
                         struct model_ctl_fault *ret)
{
    for (size_t i = 0; i < c->n_faults; i++) {
        struct control_fault *cf = &c->faults[i];
        char key[CONTROL_KEY_MAX];
        int64_t n = 0;

        if ((cf->rule.count && cf->n == 0) || !fault_matches(&cf->rule, rq))
            continue;
        /* every matching request draws, so the sequence depends only on the seed and on the
         * order of the requests this node serves */
        if (cf->rule.probability < 1 &&
            (double)(next_draw(&cf->prng) >> 11) * 0x1.0p-53 >= cf->rule.probability)
            continue;
        snprintf(key, sizeof(key), CONTROL_FAULT "%s", cf->rule.id);
        int r = svc_ctl_add(c->svc, key, cf->rule.count ? -1 : 1, &n);
        if (r == -ENOENT) { /* its count ran out, or it was deleted, through another node */
            cf->n = 0;
            cf->rule.count = cf->rule.count ? cf->rule.count : 1;
            continue;
        }
        if (r < 0) {
            log_error("op=control.fault rule=%s error=\"%s\"", cf->rule.id, svc_errmsg(c->svc));
            if (cf->rule.count) /* not injected: a count must never be overshot */
                continue;
            n = cf->n; /* injected, uncounted */
        }
        cf->n = n;
        *ret = cf->rule;
        c->stats.faults_injected++;
        c->stats.faults_error += cf->rule.status != 0;
        c->stats.faults_latency += cf->rule.latency_ms != 0;
        c->stats.faults_drop += cf->rule.drop;
        return true;
    }
    return false;
}
