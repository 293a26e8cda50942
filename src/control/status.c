/* control/status.c: statuses and their transitions: the service's pending hook (which rule a
 * resource entering PENDING_* falls under), held transitions and how they end (advance, reads,
 * delay, outcome), and forced statuses. Every status write is a compare-and-set on the status
 * (and for connections the due time) read just before, so with several nodes each transition
 * happens once; a node that loses finds the resource moved on and drops its copy. */
#include "control/control_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/svc.h"
#include "util/log.h"

/* ---- the pending hook ---- */

/* How specific rule t is for p, or -1 when it does not match: one resource beats one gateway's
 * connections beats a project beats a kind; naming the status counts last. */
static int rule_score(const struct control_transition *ct, const struct svc_pending *p)
{
    const struct model_ctl_transition *t = &ct->rule;

    if (t->kind != p->kind || (t->count && ct->n == 0) || (t->from && t->from != p->status) ||
        (t->project_id[0] && strcmp(t->project_id, p->project_id) != 0) ||
        (t->res_id[0] && strcmp(t->res_id, p->id) != 0) ||
        (t->vgw_id[0] && (!p->vgw_id || strcmp(t->vgw_id, p->vgw_id) != 0)))
        return -1;
    return (t->res_id[0] ? 8 : 0) + (t->vgw_id[0] ? 4 : 0) + (t->project_id[0] ? 2 : 0) +
           (t->from ? 1 : 0);
}

/* The best rule for p; of equals the newest. */
static struct control_transition *best_rule(struct control *c, const struct svc_pending *p)
{
    struct control_transition *best = NULL;
    int best_score = -1;

    for (size_t i = 0; i < c->n_transitions; i++) {
        int s = rule_score(&c->transitions[i], p);
        if (s >= 0 && s >= best_score) {
            best = &c->transitions[i];
            best_score = s;
        }
    }
    return best;
}

/* Applies rule t to p: a due time, or a hold (stored) and SVC_DUE_HELD. */
static int64_t apply_rule(struct control *c, const struct svc_pending *p,
                          const struct model_ctl_transition *t)
{
    int64_t delay = t->delay_ms >= 0 ? t->delay_ms : p->due - p->now;

    if (t->progress == MODEL_PROGRESS_DELAY && !t->to)
        return p->now + delay;
    struct model_ctl_held h = {
        .kind = p->kind,
        .status = p->status,
        .progress = t->progress,
        .due = p->now + delay,
        .reads = t->reads,
        .to = t->to,
        .since = p->now,
    };
    snprintf(h.project_id, sizeof(h.project_id), "%s", p->project_id);
    snprintf(h.id, sizeof(h.id), "%s", p->id);
    snprintf(h.rule, sizeof(h.rule), "%s", t->id);
    int r = control_held_put(c, &h);
    if (r < 0) { /* the rule cannot be applied: the resource moves on as usual */
        log_error("op=control.hold kind=%s id=%s error=\"%s\"", model_ctl_kind_name(p->kind),
                  p->id, r == -ENOMEM ? "out of memory" : svc_errmsg(c->svc));
        return p->now + delay;
    }
    c->stats.transitions_held++;
    log_info("event=transition_held kind=%s project_id=%s id=%s status=%s rule=%s progress=%s",
             model_ctl_kind_name(p->kind), p->project_id, p->id, p->status, t->id,
             model_ctl_progress_names[t->progress]);
    return SVC_DUE_HELD;
}

/* Takes one use of the best rule for p (its counter in the table: the count left, or the
 * uses) and applies it; a rule whose count ran out on another node is skipped. */
static int64_t decide(struct control *c, const struct svc_pending *p)
{
    for (size_t attempt = 0; attempt <= c->n_transitions; attempt++) {
        struct control_transition *ct = best_rule(c, p);
        char key[CONTROL_KEY_MAX];
        int64_t n = 0;

        if (!ct)
            return p->due;
        snprintf(key, sizeof(key), CONTROL_TRANSITION "%s", ct->rule.id);
        int r = svc_ctl_add(c->svc, key, ct->rule.count ? -1 : 1, &n);
        if (r == -ENOENT) { /* ran out, or deleted through another node */
            ct->n = 0;
            ct->rule.count = ct->rule.count ? ct->rule.count : 1;
            continue;
        }
        if (r < 0) {
            log_error("op=control.transition rule=%s error=\"%s\"", ct->rule.id,
                      svc_errmsg(c->svc));
            return p->due;
        }
        ct->n = n;
        struct model_ctl_transition t = ct->rule; /* the copy may be reloaded below */
        return apply_rule(c, p, &t);
    }
    return p->due;
}

int64_t control_pending_due(struct control *c, const struct svc_pending *p)
{
    if (c->n_transitions == 0 && c->n_held == 0)
        return p->due; /* the hot path: no rule, nothing held */
    for (size_t i = 0; i < CONTROL_MEMO; i++) {
        if (c->memo[i].status == p->status && c->memo[i].kind == p->kind &&
            c->memo[i].now == p->now && strcmp(c->memo[i].id, p->id) == 0)
            return c->memo[i].due;
    }
    struct model_ctl_held *h = control_held_find(c, p->kind, p->project_id, p->id);
    int64_t due;
    if (h && h->status == p->status) {
        due = SVC_DUE_HELD; /* written again in the status it is held in: it stays held */
    } else {
        if (h) /* it leaves the status it was held in */
            control_held_forget(c, p->kind, p->project_id, p->id);
        due = decide(c, p);
    }
    unsigned m = c->memo_next++ % CONTROL_MEMO;
    c->memo[m].kind = p->kind;
    snprintf(c->memo[m].id, sizeof(c->memo[m].id), "%s", p->id);
    c->memo[m].status = p->status;
    c->memo[m].now = p->now;
    c->memo[m].due = due;
    return due;
}

/* ---- ending held transitions ---- */

int control_held_end(struct control *c, const struct model_ctl_held *held, bool *kick)
{
    struct model_ctl_held h = *held; /* held may point into the copy, which changes below */
    struct svc_status cur;
    struct verr err;
    int64_t now = svc_now_ms(c->svc);
    int r = svc_status_get(c->svc, h.kind, h.project_id, h.id, &cur, &err);

    if (r == -EINVAL) { /* gone: deleted, or its create has not committed yet (another node) */
        if (now - h.since > CONTROL_ORPHAN_MS || now < h.since)
            control_held_forget(c, h.kind, h.project_id, h.id);
        return 0;
    }
    if (r < 0)
        return r;
    /* a gateway's due time is not read: its status alone tells */
    if (strcmp(cur.status, h.status) != 0 ||
        (h.kind != MODEL_KIND_VGW && cur.due != SVC_DUE_HELD)) {
        control_held_forget(c, h.kind, h.project_id, h.id); /* it moved on */
        return 0;
    }
    bool pending = model_status_is_pending(h.status);
    const char *to = h.to ? h.to : h.status;
    /* released: a pending status becomes due now, so the status engine (and the data plane
     * behind it) applies the usual transition; a settled one is just no longer held */
    int64_t due = h.to || !pending ? 0 : now;
    char reason[64];
    snprintf(reason, sizeof(reason), "vpnd control: %s", h.to ? "transition outcome" : "released");
    r = svc_status_set(c->svc, h.kind, h.project_id, h.id, h.status, cur.due, to, due, reason);
    if (r == -ENOENT) { /* changed meanwhile (another node, a tenant) */
        control_held_forget(c, h.kind, h.project_id, h.id);
        return 0;
    }
    if (r < 0)
        return r;
    control_held_forget(c, h.kind, h.project_id, h.id);
    c->stats.transitions_ended++;
    log_info("event=transition_ended kind=%s project_id=%s id=%s from=%s to=%s",
             model_ctl_kind_name(h.kind), h.project_id, h.id, h.status,
             h.to ? h.to : pending ? "(the status engine)" : h.status);
    if (!h.to && pending)
        *kick = true;
    return 1;
}

void control_on_read(struct control *c, enum model_kind kind, const char *project_id,
                     const char *id)
{
    struct model_ctl_held *h = control_held_find(c, kind, project_id, id);
    char key[CONTROL_KEY_MAX];
    int64_t left = 0;
    bool kick = false;

    if (!h || h->progress != MODEL_PROGRESS_READS)
        return;
    control_held_key(kind, project_id, id, key);
    int r = svc_ctl_add(c->svc, key, -1, &left);
    if (r < 0 && r != -ENOENT) {
        log_error("op=control.read kind=%s id=%s error=\"%s\"", model_ctl_kind_name(kind), id,
                  svc_errmsg(c->svc));
        return;
    }
    if (r == 0 && left > 0)
        return;
    /* the Nth read (or one after another node ended it: then there is nothing to end) */
    r = control_held_end(c, h, &kick);
    if (r < 0)
        log_error("op=control.transition_end kind=%s id=%s error=\"%s\"",
                  model_ctl_kind_name(kind), id, svc_errmsg(c->svc));
    if (kick)
        control_run_engine(c);
}

/* A pending resource t names that nothing holds is made due now. */
static int advance_pending(struct control *c, const struct model_ctl_target *t, bool *kick,
                           struct verr *err)
{
    struct svc_status cur;
    int r = svc_status_get(c->svc, t->kind, t->project_id, t->id, &cur, err);

    if (r < 0)
        return r;
    if (!model_status_is_pending(cur.status))
        return verr_fail(err, VERR_INVALID,
                         "%s %s is %s: nothing to advance (neither held nor pending)",
                         model_ctl_kind_name(t->kind), t->id, cur.status);
    r = svc_status_set(c->svc, t->kind, t->project_id, t->id, cur.status,
                       t->kind == MODEL_KIND_CONN ? cur.due : -1, cur.status,
                       svc_now_ms(c->svc), "vpnd control: advanced");
    if (r == -ENOENT) /* it moved on meanwhile: what advance wanted */
        return 0;
    *kick = r == 0;
    return r < 0 ? r : 1;
}

static bool target_matches(const struct model_ctl_target *t, const struct model_ctl_held *h)
{
    return (!t->has_kind || t->kind == h->kind) &&
           (!t->project_id[0] || strcmp(t->project_id, h->project_id) == 0) &&
           (!t->id[0] || strcmp(t->id, h->id) == 0);
}

int control_advance(struct control *c, const struct model_ctl_target *t, size_t *ret_n,
                    struct verr *err)
{
    _cleanup_free_ struct model_ctl_held *todo = NULL;
    size_t n = 0, ended = 0;
    bool kick = false;
    int r = control_refresh(c, false);

    if (r < 0)
        return r;
    if (c->n_held && !(todo = calloc(c->n_held, sizeof(*todo))))
        return -ENOMEM;
    for (size_t i = 0; i < c->n_held; i++) {
        if (target_matches(t, &c->held[i]))
            todo[n++] = c->held[i];
    }
    if (n == 0 && t->id[0]) {
        r = advance_pending(c, t, &kick, err);
        ended = r > 0;
    }
    for (size_t i = 0; r >= 0 && i < n; i++) {
        r = control_held_end(c, &todo[i], &kick);
        ended += r > 0;
    }
    if (kick)
        control_run_engine(c);
    if (r < 0)
        return r;
    *ret_n = ended;
    return 0;
}

/* ---- forced statuses ---- */

static int force_once(struct control *c, const struct model_ctl_status *st, struct buf *out,
                      struct verr *err)
{
    struct svc_status cur;
    int64_t now = svc_now_ms(c->svc), due = 0;
    int r = svc_status_get(c->svc, st->kind, st->project_id, st->id, &cur, err);

    if (r < 0)
        return r;
    if (st->hold) {
        struct model_ctl_held h = {.kind = st->kind,
                                   .status = st->status,
                                   .progress = MODEL_PROGRESS_HOLD,
                                   .since = now};
        snprintf(h.project_id, sizeof(h.project_id), "%s", st->project_id);
        snprintf(h.id, sizeof(h.id), "%s", st->id);
        r = control_held_put(c, &h);
        due = SVC_DUE_HELD;
    } else if (model_status_is_pending(st->status)) {
        /* as a resource entering that status: the rules, else the status delay */
        struct svc_pending p = {st->kind,        st->project_id, st->id, cur.vgw_id[0] ? cur.vgw_id : NULL,
                                st->status,      now,            now + c->status_delay_ms};
        memset(c->memo, 0, sizeof(c->memo));
        if (control_held_find(c, st->kind, st->project_id, st->id))
            control_held_forget(c, st->kind, st->project_id, st->id);
        due = control_pending_due(c, &p);
    } else if (control_held_find(c, st->kind, st->project_id, st->id)) {
        control_held_forget(c, st->kind, st->project_id, st->id);
    }
    if (r == 0)
        r = svc_status_set(c->svc, st->kind, st->project_id, st->id, cur.status,
                           st->kind == MODEL_KIND_CONN ? cur.due : -1, st->status, due,
                           "vpnd control: forced");
    if (r == -ENOENT)
        return -EAGAIN;
    if (r < 0)
        return r;
    log_info("event=status_forced kind=%s project_id=%s id=%s from=%s to=%s held=%s",
             model_ctl_kind_name(st->kind), st->project_id, st->id, cur.status, st->status,
             due == SVC_DUE_HELD ? "true" : "false");
    r = buf_puts(out, "{\"kind\":");
    if (r == 0)
        r = buf_json_str(out, model_ctl_kind_name(st->kind));
    if (r == 0)
        r = buf_puts(out, ",\"project_id\":");
    if (r == 0)
        r = buf_json_str(out, st->project_id);
    if (r == 0)
        r = buf_puts(out, ",\"id\":");
    if (r == 0)
        r = buf_json_str(out, st->id);
    if (r == 0)
        r = buf_printf(out, ",\"status\":\"%s\",\"from\":\"%s\",\"held\":%s}", st->status,
                       cur.status, due == SVC_DUE_HELD ? "true" : "false");
    return r;
}

int control_status_force(struct control *c, const struct model_ctl_status *st, struct buf *out,
                         struct verr *err)
{
    size_t len = out->len;
    int r = control_refresh(c, false);

    for (int attempt = 0; r == 0 && attempt < 4; attempt++) {
        r = force_once(c, st, out, err);
        if (r != -EAGAIN)
            return r;
        if (out->data) { /* a lost race: read again */
            out->len = len;
            out->data[len] = '\0';
        }
        r = 0;
    }
    return r < 0 ? r : -EBUSY;
}

int control_held_write(const struct control *c, struct buf *out)
{
    int r = buf_puts(out, "[");

    for (size_t i = 0; r == 0 && i < c->n_held; i++) {
        if (i)
            r = buf_puts(out, ",");
        if (r == 0)
            r = model_ctl_held_write(&c->held[i], out);
    }
    return r < 0 ? r : buf_puts(out, "]");
}
