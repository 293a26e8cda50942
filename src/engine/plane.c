/* engine/plane.c: the data plane (plane.h). */
#include "engine/plane.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/model.h"
#include "service/svc.h"
#include "util/log.h"
#include "util/table.h"

#define LEASE_SOON_MS 1000 /* a due connection of a gateway not held: leases renewed by then */

static int64_t mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A connection of a gateway this node drives. */
struct plane_conn {
    struct table_link link; /* first: the plane's table, keyed by id */
    char id[MODEL_UUID_LEN];
    char project_id[MODEL_PROJECT_ID_LEN];
    char pending[24]; /* the PENDING_* status an operation in flight completes; "" none */
    bool reported;    /* the driver reported its state since the daemon came up */
    bool held;        /* a report was refused: the control surface holds it (plane_tick looks
                       * again until the hold ends) */
    uint64_t walk;    /* the last reconciliation that found it wanted */
};

/* A gateway whose lease this node holds. */
struct plane_vgw {
    struct table_link link; /* first: keyed by key */
    char key[MODEL_PROJECT_ID_LEN + MODEL_UUID_LEN]; /* "<project_id>/<vgw_id>" */
};

struct plane {
    struct svc *svc;
    struct driver *drv;
    struct plane_config cfg;
    char node[65];
    bool up;     /* the daemon is reachable */
    bool resync; /* a reconciliation is due */
    int64_t next_lease, lease_ok_at, next_refresh;
    struct table conns; /* struct plane_conn by id */
    struct table vgws;  /* struct plane_vgw by key */
    uint64_t walks;     /* reconciliations started */
    uint64_t resets;    /* the service's svc->resets this plane has brought itself in line with */
    size_t n_held;      /* connections with held set */
    struct plane_stats stats;
};

/* ---- tables ---- */

#define CONNS_EACH(p, c, nx)                                                                       \
    for (struct plane_conn *c = (struct plane_conn *)table_first(&(p)->conns), *nx;                \
         c && (nx = (struct plane_conn *)table_next(&(p)->conns, &c->link), 1); c = nx)

static struct plane_conn *conn_find(const struct plane *p, const char *id)
{
    return (struct plane_conn *)table_find(&p->conns, id);
}

static struct plane_conn *conn_get(struct plane *p, const char *project_id, const char *id)
{
    struct plane_conn *c = conn_find(p, id);

    if (!c && (c = calloc(1, sizeof(*c)))) { /* NULL: out of memory */
        snprintf(c->id, sizeof(c->id), "%s", id);
        snprintf(c->project_id, sizeof(c->project_id), "%s", project_id);
        table_add(&p->conns, &c->link, c->id);
    }
    return c;
}

static void conn_forget(struct plane *p, struct plane_conn *c)
{
    p->n_held -= c->held;
    table_remove(&p->conns, &c->link);
    free(c);
}

static void vgws_free(struct plane *p)
{
    struct table_link *e;

    while ((e = table_first(&p->vgws))) {
        table_remove(&p->vgws, e);
        free(e);
    }
    p->stats.leases_held = 0;
}

static bool vgw_held(const struct plane *p, const char *project_id, const char *vgw_id)
{
    char key[sizeof(((struct plane_vgw *)0)->key)];

    snprintf(key, sizeof(key), "%s/%s", project_id, vgw_id);
    return table_find(&p->vgws, key) != NULL;
}

static int vgw_add(struct plane *p, const char *project_id, const char *vgw_id)
{
    struct plane_vgw *v = calloc(1, sizeof(*v));

    if (!v)
        return -ENOMEM;
    snprintf(v->key, sizeof(v->key), "%s/%s", project_id, vgw_id);
    table_add(&p->vgws, &v->link, v->key);
    p->stats.leases_held++;
    return 0;
}

/* ---- status writes ---- */

/* The reason as a log value: '"' becomes '\'' and control characters spaces. */
static void log_text(const char *in, char *out, size_t size)
{
    size_t i = 0;

    for (; in[i] && i + 1 < size; i++)
        out[i] = in[i] == '"' ? '\'' : (unsigned char)in[i] < 0x20 ? ' ' : in[i];
    out[i] = '\0';
}

/* A status the daemon's report would have written, refused: the control surface holds the
 * connection (issue 14: a tester's forced or held status wins over the data plane). Counted and
 * logged; once the hold ends, held_recheck applies what the daemon last reported. */
static void held_report(struct plane *p, const char *project_id, const char *id, const char *status,
                        const char *to, const char *reason)
{
    struct plane_conn *c = conn_find(p, id);
    char why[DRIVER_REASON_LEN + 64];

    if (c && !c->held) {
        c->held = true;
        p->n_held++;
    }
    p->stats.status_held++;
    log_text(reason, why, sizeof(why));
    log_info("event=status_held kind=vpn_connection project_id=%s id=%s status=%s reported=%s "
             "reason=\"%s\"",
             project_id, id, status, to, why);
}

/* from -> to with reason (a compare-and-set; a row that moved on meanwhile is left, a held one
 * is held_report's). */
static void set_status(struct plane *p, const char *project_id, const char *id, const char *from,
                       const char *to, const char *reason)
{
    struct verr err;
    char why[DRIVER_REASON_LEN + 64];
    int r = svc_conn_set_status(p->svc, project_id, id, from, to, reason, &err);

    if (r == -ENOENT)
        return;
    if (r == -EACCES) {
        held_report(p, project_id, id, from, to, reason);
        return;
    }
    log_text(reason, why, sizeof(why));
    if (r < 0) {
        log_error("op=dataplane.status project_id=%s id=%s to=%s error=%d store=\"%s\"",
                  project_id, id, to, r, svc_errmsg(p->svc));
        return;
    }
    p->stats.status_writes++;
    log_info("event=status_transition kind=vpn_connection project_id=%s id=%s from=%s to=%s "
             "reason=\"%s\"",
             project_id, id, from, to, why);
}

static bool settled(const char *status)
{
    return strcmp(status, MODEL_STATUS(ACTIVE)) == 0 || strcmp(status, MODEL_STATUS(DOWN)) == 0 ||
           strcmp(status, MODEL_STATUS(UNKNOWN)) == 0;
}

/* ---- the driver's reports ---- */

static void on_conn_state(void *ud, const char *id, bool up, const char *reason)
{
    struct plane *p = ud;
    struct plane_conn *c = conn_find(p, id);
    const char *to = up ? MODEL_STATUS(ACTIVE) : MODEL_STATUS(DOWN);
    char status[24];
    bool held = false;

    if (!c || c->pending[0]) /* not driven here, or an operation in flight settles it */
        return;
    bool first = !c->reported;
    c->reported = true;
    if (svc_conn_status(p->svc, c->project_id, id, status, &held) < 0 || !settled(status))
        return; /* gone, or pending: the engine moves it on */
    if (strcmp(status, to) == 0 && (up || first))
        return; /* nothing new: the same state told again after the daemon came back */
    if (held) /* a status a tester forced or holds wins (the setter refuses it too) */
        held_report(p, c->project_id, id, status, to, reason);
    else
        set_status(p, c->project_id, id, status, to, reason);
}

static void on_done(void *ud, const char *id, enum driver_op op, int r, const char *why)
{
    struct plane *p = ud;
    struct plane_conn *c = conn_find(p, id);
    char pending[24], reason[DRIVER_REASON_LEN + 48], state[DRIVER_REASON_LEN];

    if (!c)
        return;
    snprintf(pending, sizeof(pending), "%s", c->pending);
    c->pending[0] = '\0';
    if (op == DRIVER_REMOVE) {
        if (r == 0 && pending[0]) {
            struct svc_due d = {.kind = MODEL_KIND_CONN};
            snprintf(d.project_id, sizeof(d.project_id), "%s", c->project_id);
            snprintf(d.id, sizeof(d.id), "%s", id);
            snprintf(d.status, sizeof(d.status), "%s", pending);
            int e = svc_conn_remove(p->svc, &d);
            if (e == 0)
                log_info("event=status_transition kind=vpn_connection project_id=%s id=%s "
                         "from=PENDING_DELETE to=deleted reason=\"unloaded from the data "
                         "plane\"",
                         d.project_id, id);
            else if (e != -ENOENT)
                log_error("op=dataplane.remove project_id=%s id=%s error=%d store=\"%s\"",
                          d.project_id, id, e, svc_errmsg(p->svc));
            conn_forget(p, c);
        }
        return; /* failed: the row stays PENDING_DELETE, due again after retry_ms */
    }
    if (r == 0)
        p->stats.applies++;
    if (!pending[0] || r == -EIO)
        return; /* a reload of a settled connection; or the daemon went away: due again */
    if (r < 0) {
        log_text(why, state, sizeof(state));
        log_warn("event=dataplane_refused project_id=%s id=%s reason=\"%s\"", c->project_id, id,
                 state);
        set_status(p, c->project_id, id, pending, MODEL_STATUS(DOWN), why);
        return;
    }
    bool up = driver_is_up(p->drv, id, state, sizeof(state));
    c->reported = true;
    snprintf(reason, sizeof(reason), "configuration loaded into the data plane; %s",
             state[0] ? state : "no SA yet");
    set_status(p, c->project_id, id, pending, up ? MODEL_STATUS(ACTIVE) : MODEL_STATUS(DOWN),
               reason);
}

/* Every driven connection that is settled becomes UNKNOWN: nothing can tell its state. */
static void all_unknown(struct plane *p, const char *why)
{
    char reason[DRIVER_REASON_LEN], status[24];

    snprintf(reason, sizeof(reason), "data plane unreachable: %s", why);
    CONNS_EACH(p, c, next)
    {
        c->pending[0] = '\0';
        c->reported = false;
        if (svc_conn_status(p->svc, c->project_id, c->id, status, NULL) == 0 && settled(status) &&
            strcmp(status, MODEL_STATUS(UNKNOWN)) != 0)
            set_status(p, c->project_id, c->id, status, MODEL_STATUS(UNKNOWN), reason);
    }
}

static void on_plane(void *ud, bool up, const char *why)
{
    struct plane *p = ud;

    p->up = up;
    if (up) {
        log_info("event=dataplane_connected");
        p->resync = true;
        p->next_refresh = svc_now_ms(p->svc) + p->cfg.reconcile_ms;
        return;
    }
    log_warn("event=dataplane_unreachable reason=\"%s\"", why);
    all_unknown(p, why);
}

/* ---- loading one connection ---- */

/* Loads connection (project_id, id); pending is the PENDING_* status the load completes ("" for
 * a settled connection). A connection the driver cannot realize settles (or stays) DOWN with
 * the reason. */
static int apply(struct plane *p, const char *project_id, const char *id, const char *pending)
{
    struct svc_conn_plan plan;
    struct verr err = {0};
    int r = svc_conn_plan(p->svc, project_id, id, &plan);
    struct plane_conn *c = r == 0 ? conn_get(p, project_id, id) : NULL;

    if (r == 0 && !c)
        r = -ENOMEM;
    if (r == 0) {
        struct driver_conn x = {plan.c, plan.g, plan.cgw};
        r = driver_apply(p->drv, &x, &err);
    }
    const char *from = pending[0] ? pending : r == 0 ? NULL : plan.status;
    if (r == -EINVAL && from && strcmp(from, MODEL_STATUS(DOWN)) != 0) {
        char why[sizeof(err.msg)];
        log_text(err.msg, why, sizeof(why));
        log_warn("event=dataplane_refused project_id=%s id=%s reason=\"%s\"", project_id, id,
                 why);
        set_status(p, project_id, id, from, MODEL_STATUS(DOWN), err.msg);
    }
    if (r == 0)
        snprintf(c->pending, sizeof(c->pending), "%s", pending);
    svc_conn_plan_done(&plan);
    return r;
}

/* ---- reconciliation ---- */

struct wanted {
    struct plane *p;
    char (*ids)[MODEL_UUID_LEN];
    char (*projects)[MODEL_PROJECT_ID_LEN];
    char (*pending)[24];
    size_t n, cap;
};

static int want(void *ud, const char *project_id, const char *id, const char *vgw_id,
                const char *status)
{
    struct wanted *w = ud;

    if (!vgw_held(w->p, project_id, vgw_id) ||
        strcmp(status, MODEL_STATUS(PENDING_DELETE)) == 0)
        return 0; /* not ours, or going: the engine's due delete unloads it */
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        void *a = realloc(w->ids, cap * sizeof(*w->ids));
        if (a)
            w->ids = a;
        void *b = realloc(w->projects, cap * sizeof(*w->projects));
        if (b)
            w->projects = b;
        void *c = realloc(w->pending, cap * sizeof(*w->pending));
        if (c)
            w->pending = c;
        if (!a || !b || !c)
            return -ENOMEM;
        w->cap = cap;
    }
    snprintf(w->ids[w->n], MODEL_UUID_LEN, "%s", id);
    snprintf(w->projects[w->n], MODEL_PROJECT_ID_LEN, "%s", project_id);
    snprintf(w->pending[w->n], 24, "%s", model_status_is_pending(status) ? status : "");
    w->n++;
    return 0;
}

/* Forgets the connections a walk did not find wanted (nor under way). */
static void conns_prune(struct plane *p, const struct wanted *w)
{
    uint64_t walk = ++p->walks;

    for (size_t k = 0; k < w->n; k++) {
        struct plane_conn *c = conn_find(p, w->ids[k]);
        if (c)
            c->walk = walk;
    }
    CONNS_EACH(p, c, next)
    {
        if (c->walk != walk && !c->pending[0])
            conn_forget(p, c);
    }
}

/* Brings the daemon in line with the store for the gateways this node holds, then lists every
 * SA. full (start, reconnect, lease change): every connection is loaded again; otherwise (the
 * periodic pass) only those the plane does not know yet (created by another process: vpnd
 * import, a node that wrote the row without a due time) are loaded, and what the store no
 * longer has is unloaded. */
static void reconcile(struct plane *p, bool full)
{
    struct wanted w = {.p = p};
    int64_t t0 = mono_us();
    const char **ids = NULL;
    size_t loaded = 0;
    int r = svc_conns_walk(p->svc, want, &w);

    if (r == 0 && w.n && !(ids = calloc(w.n, sizeof(*ids))))
        r = -ENOMEM;
    for (size_t i = 0; r == 0 && i < w.n; i++)
        ids[i] = w.ids[i];
    if (r == 0)
        r = driver_sync(p->drv, ids, w.n);
    if (r == 0) {
        conns_prune(p, &w);
        for (size_t i = 0; i < w.n; i++) {
            struct plane_conn *c = conn_find(p, w.ids[i]);
            if (c && (c->pending[0] || !full))
                continue; /* its apply is under way; or known, and loaded already */
            int e = apply(p, w.projects[i], w.ids[i], w.pending[i]);
            if (e == -EIO)
                break; /* the daemon went away: the next reconnect starts over */
            loaded += e == 0;
        }
        r = driver_refresh(p->drv);
    }
    if (r == 0 && full) {
        p->resync = false;
        p->stats.reconciles++;
        p->stats.reconcile_last_us = (uint64_t)(mono_us() - t0);
        p->stats.reconcile_last_conns = loaded;
        log_info("event=dataplane_reconciled node=%s gateways=%llu connections=%zu loaded=%zu",
                 p->node, (unsigned long long)p->stats.leases_held, w.n, loaded);
    } else if (r == 0) {
        p->stats.periodic++;
        p->stats.periodic_last_us = (uint64_t)(mono_us() - t0);
        if (loaded)
            log_info("event=dataplane_reconciled node=%s connections=%zu loaded=%zu periodic=yes",
                     p->node, w.n, loaded);
    } else if (r != -EIO) {
        log_error("op=dataplane.reconcile error=%d store=\"%s\"", r, svc_errmsg(p->svc));
    }
    free(ids);
    free(w.ids);
    free(w.projects);
    free(w.pending);
}

/* ---- leases ---- */

static void leases_renew(struct plane *p, int64_t now)
{
    struct buf held = {0};
    size_t n = 0;
    int r = svc_leases(p->svc, p->node, p->cfg.lease_ms, &held, &n);

    if (r < 0) {
        p->stats.lease_failures++;
        log_error("op=dataplane.lease node=%s error=%d store=\"%s\"", p->node, r,
                  svc_errmsg(p->svc));
        if (now - p->lease_ok_at < p->cfg.lease_ms || p->stats.leases_held == 0)
            return;
        /* lost: another node may drive these gateways now; this one must not */
        log_error("event=dataplane_leases_lost node=%s gateways=%llu", p->node,
                  (unsigned long long)p->stats.leases_held);
        vgws_free(p);
        if (p->up)
            (void)driver_sync(p->drv, NULL, 0);
        return;
    }
    p->lease_ok_at = now;
    bool changed = n != p->stats.leases_held;
    const char *s = held.data;
    for (size_t i = 0; !changed && i < n; i++) {
        const char *vgw = s + strlen(s) + 1;
        changed = !vgw_held(p, s, vgw);
        s = vgw + strlen(vgw) + 1;
    }
    if (changed) {
        vgws_free(p);
        s = held.data;
        for (size_t i = 0; i < n; i++) {
            const char *vgw = s + strlen(s) + 1;
            if (vgw_add(p, s, vgw) < 0)
                break;
            s = vgw + strlen(vgw) + 1;
        }
        log_info("event=dataplane_leases node=%s gateways=%zu", p->node, n);
        p->resync = true;
    }
    buf_free(&held);
}

/* The connections a hold kept from a report: once the hold is gone, what the daemon last reported
 * (UNKNOWN while it cannot be reached) is their status. */
static void held_recheck(struct plane *p)
{
    char status[24], state[DRIVER_REASON_LEN], reason[DRIVER_REASON_LEN + 32];
    bool held = false;

    CONNS_EACH(p, c, next)
    {
        if (!c->held)
            continue;
        int r = svc_conn_status(p->svc, c->project_id, c->id, status, &held);
        if ((r < 0 && r != -ENOENT) || (r == 0 && held))
            continue; /* a store error: looked at again at the next tick */
        c->held = false;
        p->n_held--;
        if (r < 0 || c->pending[0] || !settled(status))
            continue; /* gone, or an operation or the engine settles it */
        bool up = p->up && driver_is_up(p->drv, c->id, state, sizeof(state));
        if (p->up && !state[0])
            continue; /* nothing reported yet: the first report sets it */
        const char *to = !p->up ? MODEL_STATUS(UNKNOWN)
                         : up   ? MODEL_STATUS(ACTIVE)
                                : MODEL_STATUS(DOWN);
        snprintf(reason, sizeof(reason), "hold released; %s",
                 p->up ? state : "data plane unreachable");
        if (strcmp(status, to) != 0)
            set_status(p, c->project_id, c->id, status, to, reason);
    }
}

void plane_tick(struct plane *p)
{
    int64_t now = svc_now_ms(p->svc);

    /* the service's clock went back (the control surface's virtual clock reset): timers set on
     * the later time would wait that much longer */
    if (p->next_lease > now + p->cfg.lease_ms)
        p->next_lease = now;
    if (p->next_refresh > now + p->cfg.reconcile_ms)
        p->next_refresh = now + p->cfg.reconcile_ms;
    if (p->resets != p->svc->resets) {
        /* a reset deleted resources (and their gateways' leases): leases and daemon in line now */
        p->resets = p->svc->resets;
        p->next_lease = now;
        p->resync = true;
    }
    if (p->n_held)
        held_recheck(p);
    if (now >= p->next_lease) {
        leases_renew(p, now);
        p->next_lease = now + p->cfg.lease_ms / 3;
    }
    if (p->resync && p->up)
        reconcile(p, true);
    else if (p->up && now >= p->next_refresh)
        reconcile(p, false);
    if (now >= p->next_refresh)
        p->next_refresh = now + p->cfg.reconcile_ms;
}

/* ---- the engine's boundary ---- */

/* Due connection d if this node drives it: held with svc_conn_claim, its plan loaded. 0, or 1
 * when it is not this node's to act on now. */
static int take(struct plane *p, const struct svc_due *d, struct plane_conn **ret)
{
    struct svc_conn_plan plan;
    int r = svc_conn_plan(p->svc, d->project_id, d->id, &plan);

    if (r < 0)
        return 1;
    bool mine = vgw_held(p, d->project_id, plan.c->vgw_id);
    svc_conn_plan_done(&plan);
    int64_t soon = svc_now_ms(p->svc) + LEASE_SOON_MS;
    if (!mine && p->next_lease > soon)
        p->next_lease = soon; /* a gateway leased since the last renewal may be free for us */
    struct plane_conn *c = mine ? conn_get(p, d->project_id, d->id) : NULL;
    if (!c)
        return 1;
    if (c->pending[0])
        return 1; /* the operation under way ends first (a PUT during a create): asked again */
    if (svc_conn_claim(p->svc, d, svc_now_ms(p->svc) + p->cfg.retry_ms) < 0 || !p->up)
        return 1; /* taken meanwhile, or at the next reconnect */
    *ret = c;
    return 0;
}

static const char *plane_settled_status(void *ctx, const struct svc_due *d)
{
    struct plane *p = ctx;
    struct plane_conn *c;

    if (take(p, d, &c) == 0)
        (void)apply(p, d->project_id, d->id, d->status);
    return NULL; /* the driver's answer settles it */
}

static int plane_remove(void *ctx, const struct svc_due *d)
{
    struct plane *p = ctx;
    struct plane_conn *c;

    if (take(p, d, &c) == 0 && driver_remove(p->drv, d->id) == 0) {
        snprintf(c->pending, sizeof(c->pending), "%s", d->status);
        p->stats.removes++;
    }
    return 1; /* the driver's answer removes the row */
}

static void plane_vgw_settled(void *ctx, const struct svc_due *d)
{
    struct plane *p = ctx;

    if (strcmp(d->status, MODEL_STATUS(PENDING_CREATE)) == 0)
        p->next_lease = 0; /* a gateway to drive: lease it at the next tick */
    else if (vgw_held(p, d->project_id, d->id))
        p->resync = true; /* its local subnets are its connections' selectors */
}

const struct engine_driver plane_engine_driver = {
    .name = "dataplane",
    .conn_settled_status = plane_settled_status,
    .conn_remove = plane_remove,
    .vgw_settled = plane_vgw_settled,
};

/* ---- life ---- */

int plane_new(struct svc *svc, struct driver *drv, const struct plane_config *cfg,
              struct plane **ret)
{
    if (!cfg->node || !cfg->node[0] || strlen(cfg->node) >= sizeof(((struct plane *)0)->node))
        return -EINVAL;
    struct plane *p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->svc = svc;
    p->drv = drv;
    p->cfg = *cfg;
    snprintf(p->node, sizeof(p->node), "%s", cfg->node);
    p->cfg.node = p->node;
    p->resets = svc->resets;
    struct driver_host host = {
        .ud = p, .conn_state = on_conn_state, .done = on_done, .plane = on_plane};
    driver_set_host(drv, &host);
    *ret = p;
    return 0;
}

void plane_free(struct plane *p)
{
    if (!p)
        return;
    CONNS_EACH(p, c, next)
    {
        conn_forget(p, c);
    }
    vgws_free(p);
    free(p);
}

const struct plane_stats *plane_stats(const struct plane *p)
{
    return &p->stats;
}
