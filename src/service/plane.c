/* service/plane.c: what the data plane (engine/plane.c) reads and writes: a connection with its
 * gateway and customer gateway as the driver loads it, the hold it puts on a due transition,
 * the walk over every connection a reconciliation makes, the gateway leases; and whether there
 * is a data plane (health). */
#include "service/svc_int.h"

#include "driver/driver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int svc_conn_plan(struct svc *svc, const char *project_id, const char *id,
                  struct svc_conn_plan *ret)
{
    struct store_vgw_row vrow = {0};
    struct store_cgw_row crow = {0};
    struct svc_conn_cur cur;
    struct verr err;
    int r = svc_conn_cur_load(svc, project_id, id, true, &cur, &err);

    memset(ret, 0, sizeof(*ret));
    if (r == -EINVAL) /* VERR_NOT_FOUND */
        r = -ENOENT;
    if (r == 0)
        r = store_vgw_get(svc->store, project_id, cur.row.vgw_id, &vrow);
    if (r == 0)
        ret->g = svc_spec_cache_vgw(&svc->vgw_specs, vrow.spec, strlen(vrow.spec), &r);
    if (r == 0)
        r = store_cgw_get(svc->store, project_id, cur.row.cgw_id, &crow);
    if (r == 0)
        ret->cgw = svc_spec_cache_cgw(&svc->cgw_specs, crow.spec, strlen(crow.spec), &r);
    store_vgw_row_done(&vrow);
    store_cgw_row_done(&crow);
    if (r == 0) {
        snprintf(ret->project_id, sizeof(ret->project_id), "%s", project_id);
        snprintf(ret->status, sizeof(ret->status), "%s", cur.row.status);
        ret->c = cur.c;
        cur.c = NULL;
    }
    svc_conn_cur_done(&cur);
    return svc_stored(r);
}

void svc_conn_plan_done(struct svc_conn_plan *p)
{
    free(p->c);
    p->c = NULL;
}

int svc_conn_status(struct svc *svc, const char *project_id, const char *id, char status[24],
                    bool *ret_held)
{
    struct store_conn_row row;
    int r = store_conn_get(svc->store, project_id, id, &row);

    if (r < 0)
        return r;
    snprintf(status, 24, "%s", row.status);
    if (ret_held)
        *ret_held = row.status_due == SVC_DUE_HELD;
    store_conn_row_done(&row);
    return 0;
}

bool svc_dataplane(const struct svc *svc, bool *ret_connected)
{
    if (!svc->driver)
        return false;
    *ret_connected = driver_stats(svc->driver)->connected;
    return true;
}

int svc_conn_claim(struct svc *svc, const struct svc_due *d, int64_t until)
{
    struct store_conn_status set = {
        .project_id = d->project_id,
        .id = d->id,
        .from = d->status,
        .from_due = d->due,
        .to = d->status,
        .due = until,
    };
    int r = store_conn_set_status(svc->store, &set, 1);

    return r < 0 ? r : set.result;
}

struct walk {
    int (*cb)(void *ud, const char *project_id, const char *id, const char *vgw_id,
              const char *status);
    void *ud;
};

static int walk_skip_vgw(void *ud, const struct store_vgw_row *row)
{
    (void)ud;
    (void)row;
    return 0;
}

static int walk_skip_cgw(void *ud, const struct store_cgw_row *row)
{
    (void)ud;
    (void)row;
    return 0;
}

static int walk_conn(void *ud, const struct store_conn_row *row)
{
    const struct walk *w = ud;

    return w->cb(w->ud, row->project_id, row->id, row->vgw_id, row->status);
}

int svc_conns_walk(struct svc *svc,
                   int (*cb)(void *ud, const char *project_id, const char *id, const char *vgw_id,
                             const char *status),
                   void *ud)
{
    static const struct store_dump_cbs cbs = {walk_skip_vgw, walk_skip_cgw, walk_conn};
    struct walk w = {cb, ud};

    return store_dump(svc->store, &cbs, &w);
}

int svc_leases(struct svc *svc, const char *node, int64_t lease_ms, struct buf *out,
               size_t *ret_n)
{
    int64_t now = svc_now_ms(svc);

    return store_leases_take(svc->store, node, now, now + lease_ms, out, ret_n);
}
