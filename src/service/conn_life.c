/* service/conn_life.c: a connection's status changes (spec §2.6): DELETE (PENDING_DELETE until
 * the status engine removes it), reset, the log of its transitions, a status set from outside,
 * and the engine's settles and removals. Every status change writes the status column only
 * (store_conn_set_status): the stored documents hold no status. */
#include "service/svc_int.h"

#include "driver/driver.h"
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One attempt: PENDING_DELETE with a due time, compare-and-set on the status (and due time) as
 * read; -EAGAIN when it lost a race. */
static int delete_once(struct svc *svc, const char *project_id, const char *id, struct verr *err)
{
    _cleanup_(svc_conn_cur_done) struct svc_conn_cur cur = {0};
    int64_t now = svc_now_ms(svc);
    char msg[96];
    int r = svc_conn_cur_load(svc, project_id, id, false, &cur, err);

    if (r == 0)
        r = model_lifecycle_check(MODEL_KIND_CONN, MODEL_OP_DELETE, id, cur.row.status, err);
    if (r < 0)
        return r;
    snprintf(msg, sizeof(msg), "status %s -> PENDING_DELETE (deleted)", cur.row.status);
    struct store_conn_status set = {
        .project_id = project_id,
        .id = id,
        .from = cur.row.status,
        .from_due = cur.row.status_due,
        .to = MODEL_STATUS(PENDING_DELETE),
        .due = svc_due_for(svc, MODEL_KIND_CONN, project_id, id, cur.row.vgw_id,
                           MODEL_STATUS(PENDING_DELETE), now),
        .ev = {.at = now, .message = msg},
    };
    r = store_conn_set_status(svc->store, &set, 1);
    return r < 0 ? r : set.result == -ENOENT ? -EAGAIN : 0;
}

int svc_conn_delete(struct svc *svc, const char *project_id, const char *id, struct verr *err)
{
    for (int attempt = 0; attempt < SVC_CAS_ATTEMPTS; attempt++) {
        int r = delete_once(svc, project_id, id, err);
        if (r != -EAGAIN)
            return r;
    }
    return -EBUSY;
}

int svc_conn_reset(struct svc *svc, const char *project_id, const char *id, struct verr *err)
{
    _cleanup_(svc_conn_cur_done) struct svc_conn_cur cur = {0};
    int r = svc_conn_cur_load(svc, project_id, id, false, &cur, err);

    if (r == 0)
        r = model_lifecycle_check(MODEL_KIND_CONN, MODEL_OP_RESET, id, cur.row.status, err);
    if (r < 0 || !svc->driver)
        return r;
    /* the data plane renegotiates; a connection another node drives is not loaded here
     * (-ENOENT), one the daemon cannot be reached for now is renegotiated by no one */
    r = driver_reset(svc->driver, id);
    if (r < 0 && r != -ENOENT)
        log_warn("op=vpn_connection.reset project_id=%s id=%s result=not_renegotiated error=%d",
                 project_id, id, r);
    return 0;
}

struct log_reader {
    int (*cb)(void *ud, int64_t at, const char *msg);
    void *ud;
};

static int log_event(void *ud, const struct store_event *ev)
{
    const struct log_reader *l = ud;

    return l->cb(l->ud, ev->at, ev->message);
}

int svc_conn_log(struct svc *svc, const char *project_id, const char *id,
                 int (*cb)(void *ud, int64_t at, const char *msg), void *ud, struct verr *err)
{
    _cleanup_(svc_conn_cur_done) struct svc_conn_cur cur = {0};
    struct log_reader l = {cb, ud};
    int r = svc_conn_cur_load(svc, project_id, id, true, &cur, err);

    if (r < 0)
        return r;
    if (strcmp(cur.c->style, "POLICY-TEMPLATE") == 0)
        return verr_fail(err, VERR_CONN_NO_LOG,
                         "Connection %s is of style POLICY-TEMPLATE: connection logs are not "
                         "supported for it",
                         id);
    r = store_conn_events(svc->store, project_id, id, log_event, &l);
    return r == -ENOENT ? verr_fail(err, VERR_NOT_FOUND, "vpn connection \"%.64s\"", id) : r;
}

int svc_conn_set_status(struct svc *svc, const char *project_id, const char *id,
                        const char *from, const char *to, const char *reason, struct verr *err)
{
    const char *f = model_conn_status(from), *t = model_conn_status(to);
    char msg[320];

    if (!f)
        return verr_set(err, "from", "must be a connection status, got \"%.32s\"", from);
    if (!t)
        return verr_set(err, "to", "must be a connection status, got \"%.32s\"", to);
    /* the due time read is part of the compare-and-set: a hold set meanwhile makes it fail */
    struct store_conn_row row = {0};
    int r = store_conn_get(svc->store, project_id, id, &row);
    int64_t due = row.status_due;

    store_conn_row_done(&row);
    if (r < 0)
        return r;
    if (due == SVC_DUE_HELD)
        return -EACCES;
    if (f == t) /* no transition: a new cause of the status it has (the data plane's) */
        snprintf(msg, sizeof(msg), "status %s (%.250s)", f, reason);
    else
        snprintf(msg, sizeof(msg), "status %s -> %s (%.250s)", f, t, reason);
    return svc_conn_status_cas(svc, project_id, id, f, due, t, 0, msg);
}

int svc_conn_status_cas(struct svc *svc, const char *project_id, const char *id,
                        const char *from, int64_t from_due, const char *to, int64_t due,
                        const char *message)
{
    struct store_conn_status set = {
        .project_id = project_id,
        .id = id,
        .from = from,
        .from_due = from_due,
        .to = to,
        .due = due,
        .ev = {.at = svc_now_ms(svc), .message = message},
    };
    int r = store_conn_set_status(svc->store, &set, 1);

    return r < 0 ? r : set.result;
}

int svc_conn_is_held(struct svc *svc, const char *project_id, const char *id, bool *ret_held)
{
    char status[24];

    return svc_conn_status(svc, project_id, id, status, ret_held);
}

/* ---- the status engine's work ---- */

int svc_conn_settle(struct svc *svc, struct svc_conn_settle *items, size_t n)
{
    _cleanup_free_ struct store_conn_status *set = n ? calloc(n, sizeof(*set)) : NULL;
    _cleanup_free_ char(*msgs)[96] = n ? calloc(n, sizeof(*msgs)) : NULL;
    int64_t now = svc_now_ms(svc);

    if (n && (!set || !msgs))
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const struct svc_due *d = items[i].d;
        bool pending = model_status_is_pending(d->status);

        /* a due time on a settled status is only cleared (no transition to log) */
        snprintf(msgs[i], sizeof(msgs[i]), "status %s -> %s", d->status, items[i].to);
        set[i] = (struct store_conn_status){
            .project_id = d->project_id,
            .id = d->id,
            .from = d->status,
            .from_due = d->due,
            .to = items[i].to,
            .ev = {.at = now, .message = pending ? msgs[i] : NULL},
        };
    }
    int r = store_conn_set_status(svc->store, set, n);
    for (size_t i = 0; r == 0 && i < n; i++)
        items[i].result = set[i].result;
    return r;
}

int svc_conn_remove(struct svc *svc, const struct svc_due *d)
{
    return store_conn_delete_if(svc->store, d->project_id, d->id, d->status);
}
