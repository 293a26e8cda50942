/* engine/monitor_remove.c: a connection monitor whose delete delay has passed (spec §5.1:
 * DELETE makes it PENDING_DELETE). The monitor row goes and its connection's document stops
 * showing connection_monitor_id, in one store transaction that is a compare-and-set on the
 * connection as read here: a concurrent write to the connection makes it -ENOENT, the monitor
 * stays due and a later tick tries again; with several engines it happens once. */
#include "engine/engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine_int.h"
#include "model/model.h"
#include "store/store.h"
#include "util/buf.h"

int engine_remove_monitor(struct engine *e, const struct store_due *d)
{
    struct store_monitor_row m;
    struct store_conn_row row = {0};
    struct model_vpn_conn *c = calloc(1, sizeof(*c));
    struct buf spec = {0}, doc = {0};
    char *old_spec = NULL;
    int r = c ? store_monitor_get(e->store, d->project_id, d->id, &m) : -ENOMEM;

    if (r == 0 && strcmp(m.status, "PENDING_DELETE") != 0)
        r = -ENOENT; /* not ours to remove (cannot happen: a delete is never undone) */
    if (r == 0)
        r = store_conn_get(e->store, d->project_id, m.vpn_connection_id, &row);
    if (r == 0)
        r = model_conn_from_internal_fresh(row.spec, strlen(row.spec), c);
    if (r == 0) {
        c->connection_monitor_id[0] = '\0';
        r = model_conn_to_internal(c, &spec);
        if (r == 0)
            r = model_conn_render(c, &doc);
    }
    if (r == 0) {
        struct store_conn_expect from = {.status = row.status, .spec = row.spec};

        old_spec = row.spec;
        free(row.doc);
        row.spec = spec.data;
        row.doc = doc.data; /* status, status_due and updated_at stay as read */
        r = store_monitor_delete(e->store, d->project_id, d->id, &row, &from);
        row.spec = old_spec;
        row.doc = NULL;
    }
    store_conn_row_done(&row);
    buf_free(&spec);
    buf_free(&doc);
    free(c);
    return r;
}
