/* driver/strongswan/sw_conn.c: the connections the driver knows, their state as charon lists it,
 * the grace before a down report, and charon's events (strongswan.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/strongswan/sw_int.h"
#include "util/log.h"

/* ---- the table ---- */

struct sw_conn *sw_conn_find(const struct sw *d, const char *id)
{
    return (struct sw_conn *)table_find(&d->conns, id);
}

struct sw_conn *sw_conn_find_name(const struct sw *d, const char *name)
{
    size_t pre = strlen(MODEL_IPSEC_NAME_PREFIX);

    if (!model_ipsec_name_is_ours(name))
        return NULL;
    return sw_conn_find(d, name + pre);
}

struct sw_conn *sw_conn_get(struct sw *d, const char *id)
{
    struct sw_conn *c = sw_conn_find(d, id);

    if (c)
        return c;
    c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    snprintf(c->id, sizeof(c->id), "%s", id);
    snprintf(c->name, sizeof(c->name), "%s%s", MODEL_IPSEC_NAME_PREFIX, id);
    table_add(&d->conns, &c->link, c->id);
    return c;
}

static void grace_remove(struct sw *d, struct sw_conn *c)
{
    for (struct sw_conn **p = &d->grace; *p; p = &(*p)->grace_next) {
        if (*p == c) {
            *p = c->grace_next;
            break;
        }
    }
    c->grace_next = NULL;
    c->down_pending = false;
}

void sw_conn_forget(struct sw *d, struct sw_conn *c)
{
    if (c->down_pending)
        grace_remove(d, c);
    table_remove(&d->conns, &c->link);
    free(c);
}

void sw_conns_free(struct sw *d)
{
    SW_CONNS_EACH(d, c, next)
    {
        table_remove(&d->conns, &c->link);
        free(c);
    }
    d->grace = NULL;
}

void sw_conn_describe(struct sw_conn *c, const struct model_ipsec_conn *x)
{
    c->n_children = x->n_children;
    for (size_t i = 0; i < x->n_children; i++)
        snprintf(c->children[i], sizeof(c->children[i]), "%s", x->children[i].name);
    snprintf(c->remote_addr, sizeof(c->remote_addr), "%s", x->remote_addr);
}

int sw_conn_child(const struct sw_conn *c, const char *name, size_t len)
{
    for (size_t i = 0; i < c->n_children; i++) {
        if (strlen(c->children[i]) == len && memcmp(c->children[i], name, len) == 0)
            return (int)i;
    }
    return -1;
}

/* ---- state ---- */

void sw_str(const struct vici_tree *t, uint32_t i, char *out, size_t size)
{
    if (vici_tree_str(t, i, out, size) < 0)
        out[0] = '\0';
}

/* States in which an SA still carries traffic: a rekey keeps the old one installed until the
 * new one is, so neither side of it reads as down. */
static bool ike_usable(const struct vici_tree *t, uint32_t i)
{
    return vici_tree_value_is(t, i, "ESTABLISHED") || vici_tree_value_is(t, i, "REKEYING") ||
           vici_tree_value_is(t, i, "REKEYED");
}

static bool child_usable(const struct vici_tree *t, uint32_t i)
{
    return vici_tree_value_is(t, i, "INSTALLED") || vici_tree_value_is(t, i, "REKEYING") ||
           vici_tree_value_is(t, i, "REKEYED") || vici_tree_value_is(t, i, "UPDATING");
}

void sw_conn_scan_ike(const struct sw_conn *c, const struct vici_tree *t, uint32_t ike,
                      bool *established, uint32_t *mask)
{
    if (ike_usable(t, vici_tree_find(t, ike, "state")))
        *established = true;
    uint32_t kids = vici_tree_find(t, ike, "child-sas");
    if (kids == VICI_NONE || t->nodes[kids].type != VICI_NODE_SECTION)
        return;
    for (uint32_t k = t->nodes[kids].first_child; k != VICI_NONE; k = t->nodes[k].next) {
        uint32_t name = vici_tree_find(t, k, "name");
        if (t->nodes[k].type != VICI_NODE_SECTION || name == VICI_NONE ||
            t->nodes[name].type != VICI_NODE_VALUE)
            continue;
        int idx = sw_conn_child(c, (const char *)t->nodes[name].value, t->nodes[name].value_len);
        if (idx >= 0 && child_usable(t, vici_tree_find(t, k, "state")))
            *mask |= 1u << idx;
    }
}

static void report(struct sw *d, struct sw_conn *c, bool up, const char *reason)
{
    c->told = up ? SW_TOLD_UP : SW_TOLD_DOWN;
    d->stats.state_reports++;
    log_debug("driver=strongswan conn=%s state=%s reason=\"%s\"", c->name, up ? "up" : "down",
              reason);
    if (d->host.conn_state)
        d->host.conn_state(d->host.ud, c->id, up, reason);
}

void sw_conn_reason(const struct sw_conn *c, char *out, size_t size)
{
    if (c->told == SW_TOLD_UP)
        snprintf(out, size, "tunnel up (%zu CHILD SA installed)", c->told_installed);
    else if (c->cause != SW_CAUSE_NONE)
        sw_cause_reason(c->cause, c->cause_msg, out, size);
    else if (!c->established)
        snprintf(out, size, "no IKE SA established");
    else
        snprintf(out, size, "%zu of %zu CHILD SA installed", c->installed, c->n_children);
}

static void report_down(struct sw *d, struct sw_conn *c)
{
    char why[DRIVER_REASON_LEN];

    c->told = SW_TOLD_DOWN;
    sw_conn_reason(c, why, sizeof(why));
    c->told_cause = c->cause;
    report(d, c, false, why);
}

void sw_conn_observe(struct sw *d, struct sw_conn *c, bool established, uint32_t mask)
{
    size_t installed = 0;

    for (size_t i = 0; i < c->n_children; i++)
        installed += (mask >> i) & 1u;
    c->established = established;
    c->installed = installed;
    bool up = established && c->n_children > 0 && installed == c->n_children;
    if (up) {
        if (c->down_pending)
            grace_remove(d, c);
        c->cause = SW_CAUSE_NONE;
        c->cause_msg[0] = '\0';
        if (c->told != SW_TOLD_UP) {
            char why[DRIVER_REASON_LEN];
            c->told = SW_TOLD_UP;
            c->told_installed = installed;
            sw_conn_reason(c, why, sizeof(why));
            report(d, c, true, why);
        }
        return;
    }
    /* a failed liveness check is never part of a rekey or reauthentication: no grace */
    if (c->told == SW_TOLD_NONE || (c->told == SW_TOLD_UP && c->cause == SW_CAUSE_DPD)) {
        if (c->down_pending)
            grace_remove(d, c);
        report_down(d, c);
    } else if (c->told == SW_TOLD_UP && !c->down_pending) {
        c->down_pending = true;
        c->down_at = sw_now_ms() + SW_DOWN_GRACE_MS;
        c->grace_next = d->grace;
        d->grace = c;
    }
}

void sw_conns_reset(struct sw *d)
{
    SW_CONNS_EACH(d, c, next)
    {
        c->told = SW_TOLD_NONE;
        c->querying = c->requery = false;
        c->in_charon = false;
        c->conf_hash = 0;
        c->cause = SW_CAUSE_NONE;
        c->told_cause = SW_CAUSE_NONE;
    }
    while (d->grace)
        grace_remove(d, d->grace);
}

int64_t sw_grace_next(const struct sw *d)
{
    int64_t next = -1;

    for (const struct sw_conn *c = d->grace; c; c = c->grace_next) {
        if (next < 0 || c->down_at < next)
            next = c->down_at;
    }
    return next;
}

void sw_grace_fire(struct sw *d, int64_t now)
{
    struct sw_conn **p = &d->grace;

    while (*p) {
        struct sw_conn *c = *p;
        if (c->down_at > now) {
            p = &c->grace_next;
            continue;
        }
        *p = c->grace_next;
        c->grace_next = NULL;
        c->down_pending = false;
        report_down(d, c);
    }
}

/* ---- events ---- */

/* A failure cause for c; reported at once when c is already down with another cause. */
static void note_cause(struct sw *d, struct sw_conn *c, enum sw_cause cause, const char *msg)
{
    c->cause = cause;
    snprintf(c->cause_msg, sizeof(c->cause_msg), "%s", msg);
    if (c->told == SW_TOLD_DOWN && cause != c->told_cause)
        report_down(d, c);
    /* while up, a cause only counts if the tunnel goes down: the peer deletes the old CHILD SA
     * after every rekey it starts. Asking charon clears it when the tunnel is still up. */
    if (c->told == SW_TOLD_UP && !c->down_pending)
        sw_conn_query(d, c);
}

/* "<address> is initiating an IKE_SA" (or "a Main Mode IKE_SA", "an Aggressive Mode ...") of an
 * IKE SA no configuration is selected for yet: remembered by its unique id. */
static void note_unnamed(struct sw *d, const char *uid, const char *msg)
{
    const char *at = strstr(msg, " is initiating a");
    size_t n = at ? (size_t)(at - msg) : 0;

    if (!at || !uid[0] || n == 0 || n >= MODEL_ID_VALUE_LEN)
        return;
    size_t slot = d->n_unnamed++ % SW_UNNAMED;
    snprintf(d->unnamed[slot].uid, sizeof(d->unnamed[slot].uid), "%s", uid);
    snprintf(d->unnamed[slot].addr, sizeof(d->unnamed[slot].addr), "%.*s", (int)n, msg);
}

static const char *unnamed_addr(const struct sw *d, const char *uid)
{
    for (size_t i = 0; i < SW_UNNAMED && uid[0]; i++) {
        if (strcmp(d->unnamed[i].uid, uid) == 0)
            return d->unnamed[i].addr;
    }
    return NULL;
}

/* A cause from an unnamed IKE SA goes to every connection to that customer address that is not
 * up (which one the customer meant is not known before a configuration is selected). */
static void cause_by_addr(struct sw *d, const char *addr, enum sw_cause cause, const char *msg)
{
    SW_CONNS_EACH(d, c, next)
    {
        if (c->told != SW_TOLD_UP && strcmp(c->remote_addr, addr) == 0)
            note_cause(d, c, cause, msg);
    }
}

static void on_log(struct sw *d, const struct vici_tree *t)
{
    char name[MODEL_IPSEC_NAME_LEN + 8], uid[24], msg[DRIVER_REASON_LEN];

    sw_str(t, vici_tree_find(t, 0, "ikesa-name"), name, sizeof(name));
    if (!name[0])
        return; /* not about an IKE SA */
    sw_str(t, vici_tree_find(t, 0, "ikesa-uniqueid"), uid, sizeof(uid));
    if (!uid[0]) /* the README spells it so */
        sw_str(t, vici_tree_find(t, 0, "ikesa-uniqued"), uid, sizeof(uid));
    sw_str(t, vici_tree_find(t, 0, "msg"), msg, sizeof(msg));
    struct sw_conn *c = sw_conn_find_name(d, name);
    if (!c && strcmp(name, "(unnamed)") == 0) {
        note_unnamed(d, uid, msg);
        enum sw_cause cause = sw_cause_of(msg, false);
        const char *addr = cause != SW_CAUSE_NONE ? unnamed_addr(d, uid) : NULL;
        if (addr)
            cause_by_addr(d, addr, cause, msg);
        return;
    }
    if (!c)
        return;
    enum sw_cause cause = sw_cause_of(msg, c->told == SW_TOLD_UP || c->down_pending);
    if (cause != SW_CAUSE_NONE)
        note_cause(d, c, cause, msg);
}

/* ike-updown, child-updown, ike-rekey, child-rekey: each names IKE SAs by their connection;
 * whatever happened, charon is asked what that connection has now. */
static void on_sa_event(struct sw *d, const struct vici_tree *t)
{
    for (uint32_t i = t->nodes[0].first_child; i != VICI_NONE; i = t->nodes[i].next) {
        char name[MODEL_IPSEC_NAME_LEN + 8];
        const struct vici_node *n = &t->nodes[i];

        if (n->type != VICI_NODE_SECTION || n->name_len >= sizeof(name))
            continue;
        memcpy(name, n->name, n->name_len);
        name[n->name_len] = '\0';
        struct sw_conn *c = sw_conn_find_name(d, name);
        if (c)
            sw_conn_query(d, c);
    }
}

void sw_on_event(struct sw *d, const char *name, const struct vici_tree *msg)
{
    d->stats.events++;
    if (strcmp(name, "log") == 0)
        on_log(d, msg);
    else
        on_sa_event(d, msg);
}
