/* store/sqlite/sq_due.c: the status engine's queue (rows with status_due set) and the
 * per-project counts quotas are checked against. */
#include <errno.h>
#include <string.h>

#include "store/sqlite/sq_int.h"

int store_sqlite_due_list(struct store *s, int64_t now, size_t max, struct store_due *out,
                          size_t *ret_n)
{
    struct sq_store *q = sq_from(s);
    SQ_STMT(st, q, SQ_DUE_LIST);
    size_t n = 0;
    int rc = SQLITE_ROW;
    int r = store_sqlite_bind(q, st, "due list", "II", now, (int64_t)max);

    while (r == 0 && n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_due *d = &out[n];
        d->kind = sqlite3_column_int(st, 0) == 0 ? STORE_KIND_VGW : STORE_KIND_CONN;
        if ((r = store_sqlite_col_copy(q, st, 1, d->project_id, sizeof(d->project_id))) < 0 ||
            (r = store_sqlite_col_copy(q, st, 2, d->id, sizeof(d->id))) < 0 ||
            (r = store_sqlite_col_copy(q, st, 3, d->status, sizeof(d->status))) < 0)
            break;
        d->status_due = sqlite3_column_int64(st, 4);
        n++;
    }
    if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
        r = store_sqlite_fail(q, rc, "due list");
    if (r < 0)
        return r;
    *ret_n = n;
    return 0;
}

int store_sqlite_vgw_set_status(struct store *s, const char *project_id, const char *id,
                                const char *from, const char *to, int64_t status_due,
                                int64_t updated_at)
{
    struct sq_store *q = sq_from(s);
    SQ_STMT(st, q, SQ_VGW_SET_STATUS);
    int r = store_sqlite_bind(q, st, "vgw set status", "ssssII", project_id, id, from, to,
                              status_due, updated_at);

    if (r == 0)
        r = store_sqlite_exec(q, st, "vgw set status");
    if (r < 0)
        return r;
    return sqlite3_changes(q->db) == 1 ? 0 : -ENOENT;
}

int store_sqlite_project_counts(struct store *s, const char *project_id,
                                struct store_counts *ret)
{
    struct sq_store *q = sq_from(s);
    SQ_STMT(st, q, SQ_PROJECT_COUNTS);
    int r = store_sqlite_bind(q, st, "project counts", "s", project_id);
    int rc = r == 0 ? sqlite3_step(st) : SQLITE_OK;

    if (r < 0)
        return r;
    if (rc != SQLITE_ROW)
        return store_sqlite_fail(q, rc, "project counts");
    ret->vpn_gateways = sqlite3_column_int64(st, 0);
    ret->customer_gateways = sqlite3_column_int64(st, 1);
    ret->vpn_connections = sqlite3_column_int64(st, 2);
    return 0;
}
