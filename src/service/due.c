/* service/due.c: the status engine's queues: the gateways, connections and monitors whose
 * status_due has passed (the engine only schedules: the transitions are svc_vgw_settle,
 * svc_conn_settle, svc_conn_remove and svc_monitor_settle). */
#include "service/svc_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int due_copy(const struct store_due *in, size_t n, struct svc_due *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i].kind = in[i].kind == STORE_KIND_VGW    ? MODEL_KIND_VGW
                      : in[i].kind == STORE_KIND_CONN ? MODEL_KIND_CONN
                                                      : MODEL_KIND_MONITOR;
        memcpy(out[i].project_id, in[i].project_id, sizeof(out[i].project_id));
        memcpy(out[i].id, in[i].id, sizeof(out[i].id));
        memcpy(out[i].status, in[i].status, sizeof(out[i].status));
        out[i].due = in[i].status_due;
    }
    return 0;
}

/* Polled every engine tick: on the stack, no allocation. */
static int due_list(struct svc *svc, bool monitors, int64_t now, size_t max, struct svc_due *out,
                    size_t *ret_n)
{
    struct store_due d[SVC_DUE_MAX];
    size_t n = 0;
    int r;

    if (max > SVC_DUE_MAX)
        max = SVC_DUE_MAX;
    r = monitors ? store_monitor_due_list(svc->store, now, max, d, &n)
                 : store_due_list(svc->store, now, max, d, &n);

    if (r < 0)
        return r;
    *ret_n = n;
    return due_copy(d, n, out);
}

int svc_due(struct svc *svc, int64_t now, size_t max, struct svc_due *out, size_t *ret_n)
{
    return due_list(svc, false, now, max, out, ret_n);
}

int svc_due_monitors(struct svc *svc, int64_t now, size_t max, struct svc_due *out,
                     size_t *ret_n)
{
    return due_list(svc, true, now, max, out, ret_n);
}
