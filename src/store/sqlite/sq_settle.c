/* store/sqlite/sq_settle.c: the status engine's compare-and-set settle of a connection. One
 * statement, so one implicit transaction. */
#include <errno.h>

#include "store/sqlite/sq_internal.h"

int store_sqlite_conn_settle(struct store *s, const struct store_conn_row *row,
                             const char *from_status)
{
    struct sq_store *q = sq_from(s);
    SQ_STMT(st, q, SQ_CONN_SETTLE);
    int r =
        store_sqlite_bind(q, st, "conn settle", "sssIsssI", row->project_id, row->id, row->status,
                          row->status_due, row->spec, row->doc, from_status, row->updated_at);

    if (r == 0)
        r = store_sqlite_exec(q, st, "conn settle");
    if (r < 0)
        return r;
    return sqlite3_changes(q->db) == 1 ? 0 : -ENOENT;
}
