/* control/data.c: reset, seed and state: the store's content through the same steps as the
 * service's reset, vpnd import and vpnd export (transfer/), while serving. */
#include "control/control_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/svc.h"
#include "transfer/transfer.h"
#include "util/log.h"

int control_reset(struct control *c, const char *project_id)
{
    char prefix[CONTROL_KEY_MAX];
    int r = 0;

    /* the control table first: the resources' reset is the last write, so a failure before it
     * leaves every resource as it was */
    if (!project_id) { /* everything: rules, holds and the virtual clock too */
        r = svc_ctl_delete(c->svc, "", true, NULL);
    } else {
        static const enum model_kind kinds[] = {MODEL_KIND_VGW, MODEL_KIND_CONN,
                                                MODEL_KIND_MONITOR};
        for (size_t i = 0; i < ARRAY_SIZE(kinds) && (r == 0 || r == -ENOENT); i++) {
            snprintf(prefix, sizeof(prefix), CONTROL_HELD "%s/%s/", model_ctl_kind_name(kinds[i]),
                     project_id);
            r = svc_ctl_delete(c->svc, prefix, true, NULL);
        }
    }
    if (r < 0 && r != -ENOENT)
        return r;
    r = svc_reset(c->svc, project_id);
    if (r < 0)
        return r;
    log_info("event=reset project_id=%s", project_id ? project_id : "(all)");
    /* the copy follows without reading the table again (nothing may fail after the commit): the
     * next tick reloads it anyway, the generation having moved */
    for (size_t i = c->n_held; i-- > 0;) {
        if (!project_id || strcmp(c->held[i].project_id, project_id) == 0)
            control_copy_held_drop(c, i);
    }
    if (!project_id) {
        c->n_transitions = c->n_faults = 0;
        c->clock->offset_ms = 0;
        c->clock->frozen = false;
    }
    return 0;
}

/* Appends what a memory stream holds to out and closes it (a stream already closed: NULL). */
static int stream_take(FILE *f, char **data, size_t *size, struct buf *out)
{
    int r = fclose(f) == 0 ? 0 : -ENOMEM;

    if (r == 0 && *size && buf_append(out, *data, *size) < 0)
        r = -ENOMEM;
    free(*data);
    *data = NULL;
    return r;
}

int control_seed(struct control *c, const char *text, size_t len, struct control_seed *s,
                 struct buf *report)
{
    char *msgs = NULL;
    size_t msgs_len = 0;
    struct import_stats st;
    struct import_opts o = {
        .name = "seed",
        .project_id = s->project_id,
        .keep = s->keep,
        .skip_invalid = s->skip_invalid,
    };
    /* an empty body is an input without records */
    FILE *in = fmemopen(len ? (void *)text : (void *)"\n", len ? len : 1, "r");
    FILE *rep = open_memstream(&msgs, &msgs_len);

    if (!in || !rep) {
        if (in)
            fclose(in);
        if (rep)
            (void)stream_take(rep, &msgs, &msgs_len, report);
        return -ENOMEM;
    }
    o.report = rep;
    /* the operator loading the store, as vpnd import: quotas do not apply */
    svc_quotas_apply(c->svc, false);
    int r = transfer_import(c->svc, in, &o, &st);
    svc_quotas_apply(c->svc, true);
    fclose(in);
    int rr = stream_take(rep, &msgs, &msgs_len, report);
    s->records = st.records;
    s->imported = st.imported;
    s->refused = st.refused;
    memcpy(s->by_kind, st.by_kind, sizeof(s->by_kind));
    if (r == 0 || r == -EINVAL)
        log_info("event=seed records=%zu imported=%zu refused=%zu", st.records, st.imported,
                 st.refused);
    return r < 0 ? r : rr;
}

int control_state(struct control *c, struct buf *out)
{
    char *data = NULL;
    size_t size = 0, n = 0;
    FILE *f = open_memstream(&data, &size);

    if (!f)
        return -ENOMEM;
    int r = transfer_export(c->svc, f, &n);
    int rr = stream_take(f, &data, &size, out);
    return r < 0 ? r : rr;
}
