/* service/control.c: what the control surface (src/control/) needs of the service: the store's
 * control table, a resource's stored status and a compare-and-set write of it for every kind,
 * reset, ping, and the hook that decides when a resource entering a PENDING_* status is due. */
#include "service/svc_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void svc_set_pending_hook(struct svc *svc, svc_pending_fn fn, void *ud)
{
    svc->on_pending = fn;
    svc->on_pending_ud = ud;
}

int svc_ctl_get(struct svc *svc, const char *key, struct buf *value, int64_t *ret_n)
{
    return store_ctl_get(svc->store, key, value, ret_n);
}

struct ctl_lister {
    int (*cb)(void *ud, const char *key, const char *value, int64_t n);
    void *ud;
};

static int ctl_row(void *ud, const struct store_ctl_row *row)
{
    const struct ctl_lister *l = ud;

    return l->cb(l->ud, row->key, row->value, row->n);
}

int svc_ctl_list(struct svc *svc, const char *prefix,
                 int (*cb)(void *ud, const char *key, const char *value, int64_t n), void *ud)
{
    struct ctl_lister l = {cb, ud};

    return store_ctl_list(svc->store, prefix, ctl_row, &l);
}

int svc_ctl_put(struct svc *svc, const char *key, const char *value, int64_t n)
{
    return store_ctl_put(svc->store, key, value, n);
}

int svc_ctl_delete(struct svc *svc, const char *key, bool prefix, int64_t *ret_n)
{
    return store_ctl_delete(svc->store, key, prefix, ret_n);
}

int svc_ctl_add(struct svc *svc, const char *key, int64_t delta, int64_t *ret_n)
{
    return store_ctl_add(svc->store, key, delta, ret_n);
}

int svc_ctl_generation(struct svc *svc, int64_t *ret)
{
    return store_ctl_get(svc->store, STORE_CTL_GENERATION, NULL, ret);
}

static const char *const kind_noun[] = {
    [MODEL_KIND_VGW] = "vpn gateway",
    [MODEL_KIND_CGW] = "customer gateway",
    [MODEL_KIND_CONN] = "vpn connection",
    [MODEL_KIND_MONITOR] = "connection monitor",
};

int svc_status_get(struct svc *svc, enum model_kind kind, const char *project_id, const char *id,
                   struct svc_status *ret, struct verr *err)
{
    int r;

    memset(ret, 0, sizeof(*ret));
    if (kind == MODEL_KIND_CONN) {
        struct store_conn_row row = {0};
        r = store_conn_get(svc->store, project_id, id, &row);
        if (r == 0) {
            snprintf(ret->status, sizeof(ret->status), "%s", row.status);
            snprintf(ret->vgw_id, sizeof(ret->vgw_id), "%s", row.vgw_id);
            ret->due = row.status_due;
        }
        store_conn_row_done(&row);
    } else if (kind == MODEL_KIND_VGW) {
        struct store_vgw_row row = {0};
        r = store_vgw_get(svc->store, project_id, id, &row);
        if (r == 0)
            snprintf(ret->status, sizeof(ret->status), "%s", row.status);
        store_vgw_row_done(&row);
    } else if (kind == MODEL_KIND_MONITOR) {
        struct store_monitor_row row;
        r = store_monitor_get(svc->store, project_id, id, &row);
        if (r == 0) {
            snprintf(ret->status, sizeof(ret->status), "%s", row.status);
            ret->due = row.status_due;
        }
    } else {
        return verr_fail(err, VERR_INVALID, "a %s has no status", kind_noun[kind]);
    }
    if (r == -ENOENT)
        return verr_fail(err, VERR_NOT_FOUND, "%s \"%.64s\" in project %.64s", kind_noun[kind], id,
                         project_id);
    return r;
}

int svc_status_set(struct svc *svc, enum model_kind kind, const char *project_id, const char *id,
                   const char *from, int64_t from_due, const char *to, int64_t due,
                   const char *reason)
{
    int64_t now = svc_now_ms(svc);

    if (kind == MODEL_KIND_VGW)
        return store_vgw_set_status(svc->store, project_id, id, from, to, due, now);
    if (kind == MODEL_KIND_MONITOR)
        return store_monitor_set_status(svc->store, project_id, id, from, to, due);
    if (kind != MODEL_KIND_CONN)
        return -EINVAL;
    char msg[320];
    snprintf(msg, sizeof(msg), "status %s -> %s (%.250s)", from, to, reason);
    return svc_conn_status_cas(svc, project_id, id, from, from_due, to, due,
                               strcmp(from, to) != 0 ? msg : NULL);
}

int svc_reset(struct svc *svc, const char *project_id)
{
    int r = store_reset(svc->store, project_id);

    if (r == 0)
        svc->resets++;
    return r;
}

int svc_ping(struct svc *svc)
{
    return store_ping(svc->store);
}

const char *svc_store_name(const struct svc *svc)
{
    return store_backend_name(svc->store);
}
