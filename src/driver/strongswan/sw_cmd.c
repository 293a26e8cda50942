/* driver/strongswan/sw_cmd.c: the driver's operations as chains of VICI commands (strongswan.h).
 * Every chain is an sw_op; each command's answer queues the next command, so a chain never
 * waits on anything but charon, and the client runs commands one at a time, in order.
 *
 *   apply    load-shared, load-conn, list-sas ike=<name>, [initiate <child>...]
 *   remove   unload-conn, terminate ike=<name> (force), unload-shared
 *   sync     get-conns, get-shared, then per foreign vpnd- name: unload-conn, terminate,
 *            unload-shared
 *   query    list-sas ike=<name>             (after an event of the connection)
 *   refresh  list-sas                        (every SA: the safety net)
 *   sas      list-sas ike=<name>             (ipsec-sa: the counters)
 *   reset    terminate ike=<name> (force), initiate <child>... */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "driver/strongswan/sw_int.h"
#include "driver/strongswan/vici_map.h"
#include "util/hash.h"
#include "util/log.h"

#define TERMINATE_TIMEOUT "2000" /* ms charon waits for the peer's answer to a forced DELETE */

enum sw_op_kind { OP_APPLY, OP_REMOVE, OP_SYNC, OP_QUERY, OP_REFRESH, OP_SAS, OP_RESET };

static int64_t mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- operations ---- */

static struct sw_op *op_new(struct sw *d, enum sw_op_kind kind, const char *id)
{
    struct sw_op *op = calloc(1, sizeof(*op));

    if (!op)
        return NULL;
    op->d = d;
    op->kind = kind;
    if (id) {
        snprintf(op->id, sizeof(op->id), "%s", id);
        snprintf(op->name, sizeof(op->name), "%s%s", MODEL_IPSEC_NAME_PREFIX, id);
    }
    op->next = d->ops;
    if (d->ops)
        d->ops->prev = op;
    d->ops = op;
    return op;
}

static void msgs_free(struct sw_op *op)
{
    if (!op->msgs)
        return;
    vici_map_msgs_done(op->msgs);
    free(op->msgs);
    op->msgs = NULL;
}

static void op_free(struct sw_op *op)
{
    struct sw *d = op->d;

    if (op->prev)
        op->prev->next = op->next;
    else
        d->ops = op->next;
    if (op->next)
        op->next->prev = op->prev;
    msgs_free(op);
    free(op->sas);
    for (size_t i = 0; i < op->n_names; i++)
        free(op->names[i]);
    free(op->names);
    free(op);
}

void sw_ops_free(struct sw *d)
{
    while (d->ops) {
        struct sw_op *op = d->ops;
        if (op->kind == OP_SAS) /* its asker waits: it hears the data plane went away */
            op->sas_cb(op->sas_ud, -EIO, NULL, 0);
        op_free(op);
    }
}

/* Ends a chain: the connection is no longer busy with it, the host hears of apply and remove. */
static void op_finish(struct sw_op *op, int r, const char *why)
{
    struct sw *d = op->d;
    struct sw_conn *c = op->id[0] ? sw_conn_find(d, op->id) : NULL;
    enum driver_op kind = op->kind == OP_APPLY ? DRIVER_APPLY : DRIVER_REMOVE;
    bool tell = op->kind == OP_APPLY || op->kind == OP_REMOVE;
    char id[MODEL_UUID_LEN], text[DRIVER_REASON_LEN];

    if (r < 0)
        d->stats.command_errors++;
    if (c && (op->kind == OP_APPLY || op->kind == OP_REMOVE || op->kind == OP_RESET))
        c->busy--;
    if (c && op->kind == OP_REMOVE && r == 0 && c->busy == 0)
        sw_conn_forget(d, c);
    snprintf(id, sizeof(id), "%s", op->id);
    snprintf(text, sizeof(text), "%s", why ? why : "");
    op_free(op);
    if (tell && d->host.done)
        d->host.done(d->host.ud, id, kind, r, text);
}

/* ---- sending ---- */

static void on_reply(void *ctx, int r, const struct vici_tree *res);
static void on_stream(void *ctx, const struct vici_tree *ev);

/* Sends cmd with the message b built (NULL: empty) for op. 0 or the client's error. */
static int send_cmd(struct sw_op *op, const char *cmd, struct vici_builder *b, bool stream)
{
    int r = b ? vici_builder_finish(b) : 0;

    if (r == 0)
        r = vici_client_call(op->d->client, cmd, b ? b->buf.data : NULL, b ? b->buf.len : 0,
                             stream ? "list-sa" : NULL, stream ? on_stream : NULL, on_reply, op);
    if (r == 0)
        op->d->stats.commands++;
    return r;
}

/* A command whose message is n key/values (kv[i][0] = kv[i][1]). */
static int send_kvs(struct sw_op *op, const char *cmd, const char *const (*kv)[2], size_t n,
                    bool stream)
{
    struct vici_builder b;

    vici_builder_init(&b);
    for (size_t i = 0; i < n; i++)
        vici_add_kv(&b, kv[i][0], kv[i][1]);
    int r = send_cmd(op, cmd, n ? &b : NULL, stream);
    vici_builder_done(&b);
    return r;
}

/* A command whose message is one key/value ("ike = <name>"). */
static int send_kv(struct sw_op *op, const char *cmd, const char *key, const char *value,
                   bool stream)
{
    const char *const kv[][2] = {{key, value}};

    return send_kvs(op, cmd, kv, 1, stream);
}

static int send_terminate(struct sw_op *op, const char *name)
{
    const char *const kv[][2] = {{"ike", name}, {"force", "yes"}, {"timeout", TERMINATE_TIMEOUT}};

    return send_kvs(op, "terminate", kv, 3, false);
}

/* timeout -1: answered at once; the events tell the outcome */
static int send_initiate(struct sw_op *op, const char *child)
{
    const char *const kv[][2] = {{"child", child}, {"ike", op->name}, {"timeout", "-1"}};

    return send_kvs(op, "initiate", kv, 3, false);
}

/* success = yes, or the errmsg into why. */
static bool reply_ok(const struct vici_tree *res, char *why, size_t size)
{
    if (res && vici_tree_value_is(res, vici_tree_find(res, 0, "success"), "yes"))
        return true;
    char msg[DRIVER_REASON_LEN] = "";
    if (res)
        sw_str(res, vici_tree_find(res, 0, "errmsg"), msg, sizeof(msg));
    snprintf(why, size, "%s", msg[0] ? msg : "no reason given");
    return false;
}

/* ---- listings ---- */

static bool section_name(const struct vici_node *n, char *out, size_t size)
{
    if (n->type != VICI_NODE_SECTION || n->name_len >= size)
        return false;
    memcpy(out, n->name, n->name_len);
    out[n->name_len] = '\0';
    return true;
}

/* A list of selectors as "a,b,c". */
static void ts_join(const struct vici_tree *t, uint32_t list, char *out, size_t size)
{
    size_t n = 0;

    out[0] = '\0';
    if (list == VICI_NONE || t->nodes[list].type != VICI_NODE_LIST)
        return;
    for (uint32_t i = t->nodes[list].first_child; i != VICI_NONE; i = t->nodes[i].next) {
        const struct vici_node *it = &t->nodes[i];
        if (n + it->value_len + 2 > size)
            break;
        if (n)
            out[n++] = ',';
        memcpy(out + n, it->value, it->value_len);
        n += it->value_len;
        out[n] = '\0';
    }
}

static uint64_t u64_of(const struct vici_tree *t, uint32_t node, const char *key)
{
    uint64_t v = 0;

    if (vici_tree_u64(t, vici_tree_find(t, node, key), &v) < 0)
        v = 0;
    return v;
}

/* ipsec-sa: the usable CHILD SAs of one IKE SA section, appended to op->sas. */
static void collect_sas(struct sw_op *op, const struct vici_tree *t, uint32_t ike)
{
    uint32_t kids = vici_tree_find(t, ike, "child-sas");

    if (kids == VICI_NONE || t->nodes[kids].type != VICI_NODE_SECTION)
        return;
    for (uint32_t k = t->nodes[kids].first_child; k != VICI_NONE; k = t->nodes[k].next) {
        uint32_t st = vici_tree_find(t, k, "state");
        if (t->nodes[k].type != VICI_NODE_SECTION ||
            !(vici_tree_value_is(t, st, "INSTALLED") || vici_tree_value_is(t, st, "REKEYING")))
            continue;
        if (op->n_sas == op->cap_sas) {
            size_t cap = op->cap_sas ? op->cap_sas * 2 : 4;
            struct driver_sa *p = realloc(op->sas, cap * sizeof(*p));
            if (!p)
                return; /* an answer with fewer SAs beats none */
            op->sas = p;
            op->cap_sas = cap;
        }
        struct driver_sa *sa = &op->sas[op->n_sas++];
        ts_join(t, vici_tree_find(t, k, "local-ts"), sa->local_ts, sizeof(sa->local_ts));
        ts_join(t, vici_tree_find(t, k, "remote-ts"), sa->remote_ts, sizeof(sa->remote_ts));
        sa->bytes_in = u64_of(t, k, "bytes-in");
        sa->bytes_out = u64_of(t, k, "bytes-out");
        sa->packets_in = u64_of(t, k, "packets-in");
        sa->packets_out = u64_of(t, k, "packets-out");
    }
}

static void on_stream(void *ctx, const struct vici_tree *ev)
{
    struct sw_op *op = ctx;
    struct sw *d = op->d;

    for (uint32_t i = ev->nodes[0].first_child; i != VICI_NONE; i = ev->nodes[i].next) {
        char name[MODEL_IPSEC_NAME_LEN + 8];
        if (!section_name(&ev->nodes[i], name, sizeof(name)))
            continue;
        op->n_ike++;
        struct sw_conn *c = sw_conn_find_name(d, name);
        if (!c)
            continue;
        if (op->kind == OP_REFRESH) {
            if (c->scan_gen != op->gen) {
                c->scan_gen = op->gen;
                c->scan_established = false;
                c->scan_mask = 0;
            }
            sw_conn_scan_ike(c, ev, i, &c->scan_established, &c->scan_mask);
        } else if (strcmp(name, op->name) == 0 && op->kind == OP_SAS) {
            collect_sas(op, ev, i);
        } else if (strcmp(name, op->name) == 0) {
            sw_conn_scan_ike(c, ev, i, &op->established, &op->mask);
        }
    }
}

/* ---- the chains ---- */

static void apply_step(struct sw_op *op, int r, const struct vici_tree *res);
static void remove_step(struct sw_op *op, int r, const struct vici_tree *res);
static void sync_step(struct sw_op *op, int r, const struct vici_tree *res);
static void reset_step(struct sw_op *op, int r, const struct vici_tree *res);

static void query_done(struct sw_op *op, int r)
{
    struct sw *d = op->d;
    struct sw_conn *c = sw_conn_find(d, op->id);

    if (c && r == 0)
        sw_conn_observe(d, c, op->established, op->mask);
    bool again = c && c->requery && r == 0;
    if (c) {
        c->querying = false;
        c->requery = false;
    }
    op_free(op);
    if (again)
        sw_conn_query(d, c);
}

static void refresh_done(struct sw_op *op, int r)
{
    struct sw *d = op->d;

    if (r == 0) {
        d->stats.refreshes++;
        d->stats.refresh_last_us = (uint64_t)(mono_us() - op->started_us);
        d->stats.refresh_last_sas = op->n_ike;
        SW_CONNS_EACH(d, c, next)
        {
            bool seen = c->scan_gen == op->gen;
            sw_conn_observe(d, c, seen && c->scan_established, seen ? c->scan_mask : 0);
        }
    }
    op_free(op);
}

static void sas_done(struct sw_op *op, int r)
{
    op->sas_cb(op->sas_ud, r, op->sas, r == 0 ? op->n_sas : 0);
    op_free(op);
}

static void on_reply(void *ctx, int r, const struct vici_tree *res)
{
    struct sw_op *op = ctx;

    switch (op->kind) {
    case OP_APPLY:
        apply_step(op, r, res);
        break;
    case OP_REMOVE:
        remove_step(op, r, res);
        break;
    case OP_SYNC:
        sync_step(op, r, res);
        break;
    case OP_QUERY:
        query_done(op, r);
        break;
    case OP_REFRESH:
        refresh_done(op, r);
        break;
    case OP_SAS:
        sas_done(op, r);
        break;
    default:
        reset_step(op, r, res);
        break;
    }
}

/* Initiates CHILD SA op->step - first_step (apply with reinit, reset; each answer moves step
 * on), or finishes the chain after the last. */
static void initiate_next(struct sw_op *op, size_t first_step)
{
    struct sw_conn *c = sw_conn_find(op->d, op->id);
    size_t i = op->step - first_step;

    if (c && i < c->n_children && send_initiate(op, c->children[i]) == 0)
        return;
    op_finish(op, 0, NULL);
}

static void apply_step(struct sw_op *op, int r, const struct vici_tree *res)
{
    struct sw_conn *c = sw_conn_find(op->d, op->id);
    char why[DRIVER_REASON_LEN - 40];

    if (r < 0 || !c) {
        op_finish(op, -EIO, "charon went away");
        return;
    }
    switch (op->step++) {
    case 0: /* load-shared answered */
        if (!reply_ok(res, why, sizeof(why))) {
            snprintf(op->why, sizeof(op->why), "charon refused the key: %s", why);
            op_finish(op, -EINVAL, op->why);
            return;
        }
        r = send_cmd(op, "load-conn", &op->msgs->load_conn, false);
        break;
    case 1: /* load-conn answered */
        if (!reply_ok(res, why, sizeof(why))) {
            snprintf(op->why, sizeof(op->why), "charon refused the configuration: %s", why);
            op_finish(op, -EINVAL, op->why);
            return;
        }
        /* charon keeps the SAs of a configuration it finds unchanged: nothing restarts it then
         * (known now: a sync queued before this apply has been answered) */
        op->reinit = c->conf_hash ? c->conf_hash == op->conf_hash : c->in_charon;
        c->in_charon = true;
        c->conf_hash = op->conf_hash;
        msgs_free(op);
        r = send_kv(op, "list-sas", "ike", op->name, true);
        break;
    case 2: /* list-sas answered */
        sw_conn_observe(op->d, c, op->established, op->mask);
        if (op->reinit && op->n_ike == 0) {
            initiate_next(op, 3);
            return;
        }
        op_finish(op, 0, NULL);
        return;
    default: /* an initiate answered (timeout -1: at once; the events tell the outcome) */
        initiate_next(op, 3);
        return;
    }
    if (r < 0)
        op_finish(op, -EIO, "charon went away");
}

/* Unloads op->name: configuration, SAs, key; answers are not checked (what charon does not have
 * is gone already). steps: 0 unload-conn sent ... 3 all answered. */
static int unload_step(struct sw_op *op, const char *name, unsigned step)
{
    switch (step) {
    case 0:
        return send_kv(op, "unload-conn", "name", name, false);
    case 1:
        return send_terminate(op, name);
    case 2:
        return send_kv(op, "unload-shared", "id", name, false);
    default:
        return 1;
    }
}

static void remove_step(struct sw_op *op, int r, const struct vici_tree *res)
{
    (void)res;
    if (r == 0)
        r = unload_step(op, op->name, ++op->step);
    if (r < 0)
        op_finish(op, -EIO, "charon went away");
    else if (r > 0)
        op_finish(op, 0, NULL);
}

static int names_add(struct sw_op *op, const char *name)
{
    for (size_t i = 0; i < op->n_names; i++) {
        if (strcmp(op->names[i], name) == 0)
            return 0;
    }
    char **p = realloc(op->names, (op->n_names + 1) * sizeof(*p));
    if (!p)
        return -ENOMEM;
    op->names = p;
    if (!(p[op->n_names] = strdup(name)))
        return -ENOMEM;
    op->n_names++;
    return 0;
}

/* get-conns or get-shared answered: the vpnd- names charon holds that no one wants. */
static void sync_collect(struct sw_op *op, const struct vici_tree *res, const char *list)
{
    struct sw *d = op->d;
    uint32_t l = res ? vici_tree_find(res, 0, list) : VICI_NONE;

    if (l == VICI_NONE || res->nodes[l].type != VICI_NODE_LIST)
        return;
    for (uint32_t i = res->nodes[l].first_child; i != VICI_NONE; i = res->nodes[i].next) {
        char name[MODEL_IPSEC_NAME_LEN + 8];
        if (vici_tree_str(res, i, name, sizeof(name)) < 0 || !model_ipsec_name_is_ours(name))
            continue;
        struct sw_conn *c = sw_conn_find_name(d, name);
        if (c && strcmp(list, "conns") == 0)
            c->in_charon = true;
        if ((!c || (!c->wanted && !c->busy)) && names_add(op, name) < 0)
            log_debug("driver=strongswan op=sync error=\"out of memory\" name=%s", name);
    }
}

/* steps: 0 get-conns answered, 1 get-shared answered, 2 unloading op->names[i_name] (sub: the
 * unload step answered). */
static void sync_step(struct sw_op *op, int r, const struct vici_tree *res)
{
    struct sw *d = op->d;

    if (r < 0 && !(r == -ENOENT && op->step == 1)) {
        op_free(op);
        return;
    }
    if (op->step == 0) {
        sync_collect(op, res, "conns");
        op->step = 1;
        if (send_cmd(op, "get-shared", NULL, false) < 0)
            op_free(op);
        return;
    }
    if (op->step == 1) {
        sync_collect(op, res, "keys"); /* -ENOENT: a charon without get-shared */
        /* what no sync wanted and nothing works on is forgotten */
        SW_CONNS_EACH(d, c, next)
        {
            if (!c->wanted && !c->busy)
                sw_conn_forget(d, c);
        }
        op->step = 2;
        op->i_name = 0;
        op->sub = 0;
    } else if (++op->sub == 3) {
        op->i_name++;
        op->sub = 0;
    }
    if (op->i_name >= op->n_names) {
        op_free(op);
        return;
    }
    if (op->sub == 0)
        log_debug("driver=strongswan op=sync unload=%s", op->names[op->i_name]);
    if (unload_step(op, op->names[op->i_name], op->sub) < 0)
        op_free(op);
}

static void reset_step(struct sw_op *op, int r, const struct vici_tree *res)
{
    (void)res;
    if (r < 0) {
        op_finish(op, -EIO, "charon went away");
        return;
    }
    op->step++;
    initiate_next(op, 1);
}

/* ---- the driver's operations ---- */

static struct sw *sw_of(struct driver *base)
{
    return (struct sw *)base;
}


/* The queued chain's first command, or -EIO/-ENOMEM undoing op. */
static int chain_start(struct sw_op *op, int r)
{
    struct sw *d = op->d;

    if (r < 0) {
        struct sw_conn *c = op->id[0] ? sw_conn_find(d, op->id) : NULL;
        if (c && (op->kind == OP_APPLY || op->kind == OP_REMOVE || op->kind == OP_RESET))
            c->busy--;
        op_free(op);
    }
    sw_watch_sync(d);
    return r < 0 ? r : 0;
}

static int sw_apply(struct driver *base, const struct driver_conn *x, struct verr *err)
{
    struct sw *d = sw_of(base);
    struct model_ipsec_conn *ix = calloc(1, sizeof(*ix));
    struct vici_map_msgs *msgs = calloc(1, sizeof(*msgs));
    int r = ix && msgs ? 0 : -ENOMEM;

    if (r == 0)
        r = model_ipsec_conn_build(x->c, x->g, x->cgw, MODEL_IPSEC_CLOUD, ix, err);
    if (r == 0 && !x->c->has_psk)
        r = verr_set(err, "vpn_connection.psk", "is required by the strongSwan data plane");
    if (r == 0 && !vici_client_is_up(d->client))
        r = -EIO;
    if (r == 0 && vici_map_build(ix, x->c->psk, msgs) < 0)
        r = -ENOMEM;
    struct sw_conn *c = r == 0 ? sw_conn_get(d, x->c->id) : NULL;
    struct sw_op *op = c ? op_new(d, OP_APPLY, x->c->id) : NULL;
    if (r == 0 && !op)
        r = -ENOMEM;
    if (r < 0) {
        if (msgs)
            vici_map_msgs_done(msgs);
        free(msgs);
        free(ix);
        return r;
    }
    sw_conn_describe(c, ix);
    free(ix);
    op->msgs = msgs;
    op->conf_hash = hash_fnv1a(HASH_FNV_INIT, msgs->load_conn.buf.data, msgs->load_conn.buf.len);
    op->conf_hash += op->conf_hash == 0; /* 0 means "unknown" */
    c->busy++;
    return chain_start(op, send_cmd(op, "load-shared", &msgs->load_shared, false));
}

static int sw_remove(struct driver *base, const char *id)
{
    struct sw *d = sw_of(base);

    if (!vici_client_is_up(d->client))
        return -EIO;
    struct sw_conn *c = sw_conn_get(d, id);
    struct sw_op *op = c ? op_new(d, OP_REMOVE, id) : NULL;
    if (!op)
        return -ENOMEM;
    c->busy++;
    return chain_start(op, unload_step(op, op->name, 0));
}

static int sw_sync(struct driver *base, const char *const *ids, size_t n)
{
    struct sw *d = sw_of(base);

    if (!vici_client_is_up(d->client))
        return -EIO;
    SW_CONNS_EACH(d, c, next)
    {
        c->wanted = false;
    }
    for (size_t i = 0; i < n; i++) {
        struct sw_conn *c = sw_conn_get(d, ids[i]);
        if (!c)
            return -ENOMEM;
        c->wanted = true;
    }
    struct sw_op *op = op_new(d, OP_SYNC, NULL);
    if (!op)
        return -ENOMEM;
    return chain_start(op, send_cmd(op, "get-conns", NULL, false));
}

void sw_conn_query(struct sw *d, struct sw_conn *c)
{
    if (c->querying) {
        c->requery = true;
        return;
    }
    struct sw_op *op = op_new(d, OP_QUERY, c->id);
    if (!op)
        return; /* the next refresh corrects it */
    c->querying = true;
    if (send_kv(op, "list-sas", "ike", op->name, true) < 0) {
        c->querying = false;
        op_free(op);
    }
}

static int sw_refresh(struct driver *base)
{
    struct sw *d = sw_of(base);

    if (!vici_client_is_up(d->client))
        return -EIO;
    struct sw_op *op = op_new(d, OP_REFRESH, NULL);
    if (!op)
        return -ENOMEM;
    op->gen = ++d->scan_gen;
    op->started_us = mono_us();
    return chain_start(op, send_cmd(op, "list-sas", NULL, true));
}

static int sw_reset(struct driver *base, const char *id)
{
    struct sw *d = sw_of(base);
    struct sw_conn *c = sw_conn_find(d, id);

    if (!vici_client_is_up(d->client))
        return -EIO;
    if (!c || !c->in_charon)
        return -ENOENT;
    struct sw_op *op = op_new(d, OP_RESET, id);
    if (!op)
        return -ENOMEM;
    c->busy++;
    return chain_start(op, send_terminate(op, op->name));
}

static int sw_sas(struct driver *base, const char *id, driver_sas_fn cb, void *ud)
{
    struct sw *d = sw_of(base);

    if (!vici_client_is_up(d->client))
        return -EIO;
    struct sw_op *op = op_new(d, OP_SAS, id);
    if (!op)
        return -ENOMEM;
    op->sas_cb = cb;
    op->sas_ud = ud;
    return chain_start(op, send_kv(op, "list-sas", "ike", op->name, true));
}

static bool sw_is_up(const struct driver *base, const char *id, char *reason, size_t size)
{
    const struct sw *d = (const struct sw *)base;
    const struct sw_conn *c = sw_conn_find(d, id);

    reason[0] = '\0';
    if (!c || c->told == SW_TOLD_NONE)
        return false;
    sw_conn_reason(c, reason, size);
    return c->told == SW_TOLD_UP;
}

static void sw_set_host(struct driver *base, const struct driver_host *host)
{
    sw_of(base)->host = *host;
}

static void sw_start(struct driver *base)
{
    struct sw *d = sw_of(base);

    vici_client_start(d->client);
    sw_watch_sync(d);
}

static void sw_free(struct driver *base)
{
    struct sw *d = sw_of(base);

    vici_client_free(d->client); /* queued commands end without callbacks */
    sw_ops_free(d);
    sw_conns_free(d);
    free(d);
}

static void sw_on_ready(struct driver *base, uint32_t events)
{
    struct sw *d = sw_of(base);

    if (events & EPOLLOUT)
        vici_client_on_writable(d->client);
    if (events & ~(uint32_t)EPOLLOUT)
        vici_client_on_readable(d->client);
    sw_watch_sync(d);
}

static void sw_on_timer(struct driver *base)
{
    struct sw *d = sw_of(base);

    vici_client_on_timer(d->client);
    sw_grace_fire(d, sw_now_ms());
    sw_watch_sync(d);
}

static const struct driver_stats *sw_stats(const struct driver *base)
{
    return &((const struct sw *)base)->stats;
}

const struct driver_ops sw_ops = {
    .name = "strongswan",
    .set_host = sw_set_host,
    .start = sw_start,
    .free = sw_free,
    .apply = sw_apply,
    .remove = sw_remove,
    .sync = sw_sync,
    .refresh = sw_refresh,
    .reset = sw_reset,
    .sas = sw_sas,
    .is_up = sw_is_up,
    .on_ready = sw_on_ready,
    .on_timer = sw_on_timer,
    .stats = sw_stats,
};
