/* store/sqlite/sq_update_if.c: the compare-and-set connection update. BEGIN IMMEDIATE holds the
 * write lock from the version check to the commit, so no other writer slips in between. */
#include <errno.h>
#include <string.h>

#include "store/sqlite/sq_internal.h"

/* 0 if the connection is still at (from_status, from_updated_at), -EBUSY if it changed,
 * -ENOENT if it is gone. */
static int sq_check_version(struct sq_store *q, const struct store_conn_row *row,
                            const char *from_status, int64_t from_updated_at)
{
    SQ_STMT(st, q, SQ_CONN_VERSION);
    const unsigned char *status;
    int r = store_sqlite_bind(q, st, "conn version", "ss", row->project_id, row->id);
    int rc = r == 0 ? sqlite3_step(st) : SQLITE_OK;

    if (r < 0)
        return r;
    if (rc == SQLITE_DONE)
        return -ENOENT;
    if (rc != SQLITE_ROW)
        return store_sqlite_fail(q, rc, "conn version");
    status = sqlite3_column_text(st, 0);
    if (!status)
        return -ENOMEM;
    if (strcmp((const char *)status, from_status) != 0 ||
        sqlite3_column_int64(st, 1) != from_updated_at)
        return -EBUSY;
    return 0;
}

int store_sqlite_conn_update_if(struct store *s, const struct store_conn_row *row,
                                const struct store_claim *claims, size_t n_claims,
                                const char *from_status, int64_t from_updated_at)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "conn update if: begin");

    if (r < 0)
        return r;
    r = sq_check_version(q, row, from_status, from_updated_at);
    if (r == 0)
        r = store_sqlite_conn_update_tx(q, row, claims, n_claims);
    if (r == 0)
        r = store_sqlite_commit(q, "conn update if: commit");
    if (r < 0)
        store_sqlite_rollback(q);
    return r;
}
