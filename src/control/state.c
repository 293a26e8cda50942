/* control/state.c: the node's copy of the control table (control.h "Where it lives"): loaded at
 * start, reloaded whenever the table's generation moves, refreshed by every tick; the tick also
 * ends the held transitions whose delay is over. */
#include "control/control_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "service/svc.h"
#include "util/ids.h"
#include "util/log.h"

static int64_t pending_hook(void *ud, const struct svc_pending *p)
{
    return control_pending_due(ud, p);
}

int control_init(struct control *c, struct svc *svc, struct clock_virtual *clock,
                 unsigned status_delay_ms, control_kick_fn kick, void *kick_ud)
{
    memset(c, 0, sizeof(*c));
    c->svc = svc;
    clock_virtual_init(&c->own_clock);
    c->clock = clock ? clock : &c->own_clock;
    c->status_delay_ms = status_delay_ms;
    c->kick = kick;
    c->kick_ud = kick_ud;
    svc_set_pending_hook(svc, pending_hook, c);
    int r = control_refresh(c, true);
    if (r < 0)
        log_error("op=control.load error=\"%s\"", svc_errmsg(svc));
    return r;
}

void control_done(struct control *c)
{
    if (c->svc)
        svc_set_pending_hook(c->svc, NULL, NULL);
    free(c->transitions);
    free(c->faults);
    free(c->held);
    c->transitions = NULL;
    c->faults = NULL;
    c->held = NULL;
    c->n_transitions = c->n_faults = c->n_held = c->n_reads = 0;
}

void control_run_engine(struct control *c)
{
    if (c->kick)
        c->kick(c->kick_ud);
}

uint64_t control_random_seed(void)
{
    uint64_t s = 0;

    if (getrandom(&s, sizeof(s), 0) != (ssize_t)sizeof(s))
        s = (uint64_t)ids_mono_ms(); /* never fails on Linux for 8 bytes; any value will do */
    return s & ((UINT64_C(1) << 53) - 1); /* exact in a JSON number */
}

/* ---- the copy ---- */

/* A new copy, built by the load and swapped in whole. */
struct copy {
    struct control_transition *transitions;
    size_t n_transitions, cap_transitions;
    struct control_fault *faults;
    size_t n_faults, cap_faults;
    struct model_ctl_held *held;
    size_t n_held, cap_held;
    bool has_clock, frozen;
    int64_t clock_n;
};

static int grow(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *q = realloc(*p, ncap * size);
    if (!q)
        return -ENOMEM;
    *p = q;
    *cap = ncap;
    return 0;
}

/* The draw sequence of a fault rule already in the old copy goes on where it was. */
static uint64_t prng_of(const struct control *c, const struct model_ctl_fault *f)
{
    for (size_t i = 0; i < c->n_faults; i++) {
        if (strcmp(c->faults[i].rule.id, f->id) == 0)
            return c->faults[i].prng;
    }
    return f->seed;
}

struct loader {
    struct control *c;
    struct copy *cp;
};

static int load_row(void *ud, const char *key, const char *value, int64_t n)
{
    struct loader *l = ud;
    struct copy *cp = l->cp;
    int r;

    if (strcmp(key, CONTROL_CLOCK) == 0) {
        cp->has_clock = true;
        cp->frozen = strcmp(value, "frozen") == 0;
        cp->clock_n = n;
    } else if (strncmp(key, CONTROL_TRANSITION, strlen(CONTROL_TRANSITION)) == 0) {
        r = grow((void **)&cp->transitions, &cp->cap_transitions, cp->n_transitions,
                 sizeof(*cp->transitions));
        if (r < 0)
            return r;
        struct control_transition *t = &cp->transitions[cp->n_transitions];
        if (model_ctl_transition_load(value, &t->rule) == 0) {
            t->n = n;
            cp->n_transitions++;
        }
    } else if (strncmp(key, CONTROL_FAULT, strlen(CONTROL_FAULT)) == 0) {
        r = grow((void **)&cp->faults, &cp->cap_faults, cp->n_faults, sizeof(*cp->faults));
        if (r < 0)
            return r;
        struct control_fault *f = &cp->faults[cp->n_faults];
        if (model_ctl_fault_load(value, &f->rule) == 0) {
            f->n = n;
            f->prng = prng_of(l->c, &f->rule);
            cp->n_faults++;
        }
    } else if (strncmp(key, CONTROL_HELD, strlen(CONTROL_HELD)) == 0) {
        r = grow((void **)&cp->held, &cp->cap_held, cp->n_held, sizeof(*cp->held));
        if (r < 0)
            return r;
        if (model_ctl_held_load(value, &cp->held[cp->n_held]) == 0)
            cp->n_held++;
    }
    /* a row this vpnd cannot read (written by a newer one) is left alone */
    return 0;
}

static int by_creation_t(const void *a, const void *b)
{
    const struct model_ctl_transition *x = &((const struct control_transition *)a)->rule;
    const struct model_ctl_transition *y = &((const struct control_transition *)b)->rule;

    return x->created_at != y->created_at ? (x->created_at < y->created_at ? -1 : 1)
                                          : strcmp(x->id, y->id);
}

static int by_creation_f(const void *a, const void *b)
{
    const struct model_ctl_fault *x = &((const struct control_fault *)a)->rule;
    const struct model_ctl_fault *y = &((const struct control_fault *)b)->rule;

    return x->created_at != y->created_at ? (x->created_at < y->created_at ? -1 : 1)
                                          : strcmp(x->id, y->id);
}

static void copy_install(struct control *c, struct copy *cp)
{
    free(c->transitions);
    free(c->faults);
    free(c->held);
    if (cp->n_transitions > 1)
        qsort(cp->transitions, cp->n_transitions, sizeof(*cp->transitions), by_creation_t);
    if (cp->n_faults > 1)
        qsort(cp->faults, cp->n_faults, sizeof(*cp->faults), by_creation_f);
    c->transitions = cp->transitions;
    c->n_transitions = cp->n_transitions;
    c->faults = cp->faults;
    c->n_faults = cp->n_faults;
    c->held = cp->held;
    c->n_held = cp->n_held;
    c->n_reads = 0;
    for (size_t i = 0; i < c->n_held; i++)
        c->n_reads += c->held[i].progress == MODEL_PROGRESS_READS;
    c->clock->frozen = cp->has_clock && cp->frozen;
    c->clock->frozen_ms = c->clock->frozen ? cp->clock_n : 0;
    c->clock->offset_ms = cp->has_clock && !cp->frozen ? cp->clock_n : 0;
    memset(c->memo, 0, sizeof(c->memo));
}

int control_refresh(struct control *c, bool force)
{
    struct copy cp = {0};
    struct loader l = {c, &cp};
    int64_t gen = 0;
    int r = svc_ctl_generation(c->svc, &gen);

    if (r == 0 && gen == c->generation && c->loaded && !force)
        return 0;
    if (r == 0)
        r = svc_ctl_list(c->svc, "", load_row, &l);
    if (r < 0) {
        free(cp.transitions);
        free(cp.faults);
        free(cp.held);
        return r;
    }
    copy_install(c, &cp);
    c->generation = gen;
    c->loaded = true;
    return 0;
}

/* ---- the held list of the copy ---- */

void control_held_key(enum model_kind kind, const char *project_id, const char *id,
                      char out[CONTROL_KEY_MAX])
{
    snprintf(out, CONTROL_KEY_MAX, CONTROL_HELD "%s/%.64s/%.64s", model_ctl_kind_name(kind),
             project_id, id);
}

struct model_ctl_held *control_held_find(struct control *c, enum model_kind kind,
                                         const char *project_id, const char *id)
{
    for (size_t i = 0; i < c->n_held; i++) {
        struct model_ctl_held *h = &c->held[i];
        if (h->kind == kind && strcmp(h->id, id) == 0 && strcmp(h->project_id, project_id) == 0)
            return h;
    }
    return NULL;
}

void control_copy_held_drop(struct control *c, size_t i)
{
    if (c->held[i].progress == MODEL_PROGRESS_READS)
        c->n_reads--;
    c->held[i] = c->held[--c->n_held];
}

int control_copy_held_add(struct control *c, const struct model_ctl_held *h)
{
    struct model_ctl_held *old = control_held_find(c, h->kind, h->project_id, h->id);

    if (old)
        control_copy_held_drop(c, (size_t)(old - c->held));
    void *p = realloc(c->held, (c->n_held + 1) * sizeof(*c->held));
    if (!p)
        return -ENOMEM;
    c->held = p;
    c->held[c->n_held++] = *h;
    c->n_reads += h->progress == MODEL_PROGRESS_READS;
    return 0;
}

int control_held_put(struct control *c, const struct model_ctl_held *h)
{
    _cleanup_(buf_free) struct buf v = {0};
    char key[CONTROL_KEY_MAX];
    int r = model_ctl_held_write(h, &v);

    control_held_key(h->kind, h->project_id, h->id, key);
    if (r == 0)
        r = svc_ctl_put(c->svc, key, v.data,
                        h->progress == MODEL_PROGRESS_READS ? h->reads : 0);
    return r < 0 ? r : control_copy_held_add(c, h);
}

void control_held_forget(struct control *c, enum model_kind kind, const char *project_id,
                         const char *id)
{
    struct model_ctl_held *h = control_held_find(c, kind, project_id, id);
    char key[CONTROL_KEY_MAX];

    control_held_key(kind, project_id, id, key);
    int r = svc_ctl_delete(c->svc, key, false, NULL);
    if (r < 0 && r != -ENOENT)
        log_warn("op=control.held_forget key=\"%s\" error=\"%s\"", key, svc_errmsg(c->svc));
    if (h)
        control_copy_held_drop(c, (size_t)(h - c->held));
}

/* ---- the tick ---- */

void control_tick(struct control *c)
{
    int r = control_refresh(c, false);

    if (r < 0 && !c->refresh_failed)
        log_error("op=control.refresh error=\"%s\" (the control rules in force stay as they were; "
                  "logged once until it works again)",
                  svc_errmsg(c->svc));
    c->refresh_failed = r < 0;
    if (c->n_held == 0)
        return;
    /* the held transitions whose delay is over (copied: ending one changes the list) */
    int64_t now = svc_now_ms(c->svc);
    size_t n = 0;
    struct model_ctl_held due[16];
    for (size_t i = 0; i < c->n_held && n < ARRAY_SIZE(due); i++) {
        if (c->held[i].progress == MODEL_PROGRESS_DELAY && c->held[i].due <= now)
            due[n++] = c->held[i];
    }
    for (size_t i = 0; i < n; i++) {
        bool kick = false; /* the engine's own tick follows this one */
        r = control_held_end(c, &due[i], &kick);
        if (r < 0)
            log_error("op=control.transition_end kind=%s id=%s error=\"%s\"",
                      model_ctl_kind_name(due[i].kind), due[i].id, svc_errmsg(c->svc));
    }
}

/* ---- virtual time ---- */

int control_clock_set(struct control *c, const struct model_ctl_clock *cl)
{
    struct clock_virtual v = *c->clock;
    int64_t wall = clock_now_ms(&clock_wall);

    if (cl->reset) {
        v.offset_ms = 0;
        v.frozen = false;
    }
    if (cl->has_set) {
        if (v.frozen)
            v.frozen_ms = cl->set;
        else
            v.offset_ms = cl->set - wall;
    }
    if (v.frozen)
        v.frozen_ms += cl->advance_ms;
    else
        v.offset_ms += cl->advance_ms;
    if (cl->freeze == 1 && !v.frozen) {
        v.frozen_ms = wall + v.offset_ms;
        v.frozen = true;
    } else if (cl->freeze == 0 && v.frozen) {
        v.offset_ms = v.frozen_ms - wall;
        v.frozen = false;
    }
    int r = v.frozen || v.offset_ms ? svc_ctl_put(c->svc, CONTROL_CLOCK,
                                                  v.frozen ? "frozen" : "running",
                                                  v.frozen ? v.frozen_ms : v.offset_ms)
                                    : svc_ctl_delete(c->svc, CONTROL_CLOCK, false, NULL);
    if (r < 0 && r != -ENOENT)
        return r;
    c->clock->offset_ms = v.offset_ms;
    c->clock->frozen = v.frozen;
    c->clock->frozen_ms = v.frozen_ms;
    log_info("event=clock now=%lld frozen=%s offset_ms=%lld", (long long)svc_now_ms(c->svc),
             v.frozen ? "true" : "false", (long long)(v.frozen ? 0 : v.offset_ms));
    /* what the move made due happens before the answer: held delays, then the engine */
    control_tick(c);
    control_run_engine(c);
    return 0;
}

int control_clock_write(const struct control *c, struct buf *out)
{
    int64_t now = clock_now_ms(&c->clock->base);
    char ts[32];

    ids_format_ts(now, ts);
    return buf_printf(out, "{\"now\":\"%s\",\"now_ms\":%lld,\"frozen\":%s,\"offset_ms\":%lld}",
                      ts, (long long)now, c->clock->frozen ? "true" : "false",
                      (long long)(c->clock->frozen ? now - clock_now_ms(&clock_wall)
                                                   : c->clock->offset_ms));
}
