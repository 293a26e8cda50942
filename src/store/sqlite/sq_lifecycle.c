/* store/sqlite/sq_lifecycle.c: batch insert, compare-and-set updates and deletes of
 * connections, and their event log.
 *
 * The compare-and-set is in the WHERE clause of the one UPDATE / DELETE (status = ? and, when
 * asked, spec = ?): SQLite's write lock (BEGIN IMMEDIATE) serializes writers, so of two that read
 * the same row the second finds the clause false and changes nothing. A connection's monitor and
 * events go with it through ON DELETE CASCADE (foreign keys are on for every handle).
 *
 * These statements are prepared per call (SQ_ONCE): writes, not the hot path, and it keeps this
 * feature out of the shared statement table.
 */
#include <errno.h>
#include <string.h>

#include "store/sqlite/sq_int.h"

static const char sq_cas_sql[] =
    "UPDATE vpn_connection SET status = ?3, status_due = ?4, updated_at = ?5, spec = ?6, "
    "doc = ?7, cgw_id = ?8 WHERE project_id = ?1 AND id = ?2 AND status = ?9 "
    "AND (?10 IS NULL OR vpnd_json(spec) = ?10)";
static const char sq_event_sql[] =
    "INSERT INTO connection_event (project_id, connection_id, at, message) "
    "VALUES (?1, ?2, ?3, ?4)";
static const char sq_delete_if_sql[] =
    "DELETE FROM vpn_connection WHERE project_id = ?1 AND id = ?2 AND status = ?3 "
    "RETURNING vgw_id";
static const char sq_exists_sql[] = "SELECT 1 FROM vpn_connection WHERE project_id = ?1 AND id = ?2";
static const char sq_events_sql[] = "SELECT at, message FROM connection_event "
                                    "WHERE project_id = ?1 AND connection_id = ?2 ORDER BY seq";

/* what the tag index holds of a spec (sq_tags.c: SQ_TAG_SYNC_SQL) */
static const char *const sq_tag_members[] = {"name", "tags"};

static int sq_event_tx(struct sq_store *q, const char *project_id, const char *id,
                       const struct store_event *ev)
{
    SQ_ONCE(st);
    int r;

    if (!ev || !ev->message)
        return 0;
    r = store_sqlite_prepare_once(q, sq_event_sql, &st, "event insert");
    if (r == 0)
        r = store_sqlite_bind(q, st, "event insert", "ssIs", project_id, id, ev->at,
                              ev->message);
    return r < 0 ? r : store_sqlite_exec(q, st, "event insert");
}

/* store_conn_expect.vgw_updated_at: the gateway the write was validated against is unchanged
 * (a single writer: nothing can change it before the commit). */
static int sq_vgw_unchanged(struct sq_store *q, const struct store_conn_row *row,
                            int64_t updated_at)
{
    static const char sql[] =
        "SELECT 1 FROM vpn_gateway WHERE project_id = ?1 AND id = ?2 AND updated_at = ?3";
    SQ_ONCE(st);
    int r = store_sqlite_prepare_once(q, sql, &st, "conn cas: gateway");

    if (r == 0)
        r = store_sqlite_bind(q, st, "conn cas: gateway", "ssI", row->project_id, row->vgw_id,
                              updated_at);
    if (r < 0)
        return r;
    int rc = sqlite3_step(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : store_sqlite_fail(q, rc, "conn cas: gateway");
}

int store_sqlite_conn_cas_tx(struct sq_store *q, const struct store_conn_row *row,
                             const struct store_conn_expect *from)
{
    SQ_ONCE(st);
    int r = from->vgw_updated_at ? sq_vgw_unchanged(q, row, from->vgw_updated_at) : 0;

    if (r < 0)
        return r;
    r = store_sqlite_prepare_once(q, sq_cas_sql, &st, "conn cas");

    if (r == 0)
        r = store_sqlite_bind(q, st, "conn cas", "sssIIzzsss", row->project_id, row->id,
                              row->status, row->status_due, row->updated_at, row->spec, row->doc,
                              row->cgw_id, from->status, from->spec);
    if (r == 0)
        r = store_sqlite_exec(q, st, "conn cas");
    if (r < 0)
        return r;
    if (sqlite3_changes(q->db) != 1)
        return -ENOENT;
    /* the spec may carry a new name or tags: keep the tag index in step (store.h "tags"). The
     * index is derived from those two members only, and it already reflects from->spec (the
     * stored spec, byte-equal): a status change leaves it as it is. */
    if (from->spec && store_sqlite_same_members(from->spec, row->spec, sq_tag_members, 2))
        return 0;
    return store_sqlite_tags_sync(q, STORE_RES_VPN_CONNECTION, row->project_id, row->id);
}

static int sq_insert_batch_tx(struct sq_store *q, const struct store_conn_new *items, size_t n,
                              size_t *ret_failed)
{
    for (size_t i = 0; i < n; i++) {
        const struct store_conn_new *it = &items[i];
        int r = store_sqlite_conn_insert_tx(q, it->row, it->claims, it->n_claims);

        if (r == 0)
            r = sq_event_tx(q, it->row->project_id, it->row->id, &it->event);
        if (r < 0) {
            if (ret_failed)
                *ret_failed = i;
            return r;
        }
    }
    return 0;
}

int store_sqlite_conn_insert_batch(struct store *s, const struct store_conn_new *items, size_t n,
                                   size_t *ret_failed)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "conn insert batch: begin");

    if (r < 0)
        return r;
    return store_sqlite_end(q, sq_insert_batch_tx(q, items, n, ret_failed),
                            "conn insert batch: commit");
}

static int sq_update_if_tx(struct sq_store *q, const struct store_conn_row *row,
                           const struct store_conn_expect *from, const struct store_claim *claims,
                           size_t n_claims, const struct store_event *ev)
{
    int r = store_sqlite_conn_cas_tx(q, row, from);

    if (r == 0 && claims) {
        r = store_sqlite_release_claims(q, row->id);
        if (r == 0)
            r = store_sqlite_take_claims(q, claims, n_claims, row->id);
    }
    return r < 0 ? r : sq_event_tx(q, row->project_id, row->id, ev);
}

int store_sqlite_conn_update_if(struct store *s, const struct store_conn_row *row,
                                const struct store_conn_expect *from,
                                const struct store_claim *claims, size_t n_claims,
                                const struct store_event *ev)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "conn update if: begin");

    if (r < 0)
        return r;
    return store_sqlite_end(q, sq_update_if_tx(q, row, from, claims, n_claims, ev),
                            "conn update if: commit");
}

static int sq_delete_if_tx(struct sq_store *q, const char *project_id, const char *id,
                           const char *from_status)
{
    SQ_ONCE(del);
    SQ_STMT(release, q, SQ_VGW_RELEASE);
    char vgw_id[sizeof(((struct store_conn_row *)0)->vgw_id)];
    int r = store_sqlite_prepare_once(q, sq_delete_if_sql, &del, "conn delete if");

    if (r == 0)
        r = store_sqlite_bind(q, del, "conn delete if", "sss", project_id, id, from_status);
    if (r == 0)
        r = store_sqlite_step_row(q, del, "conn delete if");
    if (r < 0)
        return r;
    r = store_sqlite_col_copy(q, del, 0, vgw_id, sizeof(vgw_id));
    if (r == 0)
        r = store_sqlite_exec(q, del, "conn delete if"); /* runs the statement to its end */
    if (r == 0)
        r = store_sqlite_bind(q, release, "vgw release", "ss", project_id, vgw_id);
    if (r == 0)
        r = store_sqlite_exec(q, release, "vgw release");
    return r < 0 ? r : store_sqlite_release_claims(q, id);
}

int store_sqlite_conn_delete_if(struct store *s, const char *project_id, const char *id,
                                const char *from_status)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "conn delete if: begin");

    if (r < 0)
        return r;
    return store_sqlite_end(q, sq_delete_if_tx(q, project_id, id, from_status),
                            "conn delete if: commit");
}

static int sq_events_read(struct sq_store *q, const char *project_id, const char *id,
                          int (*cb)(void *ud, const struct store_event *ev), void *ud)
{
    SQ_ONCE(exists);
    SQ_ONCE(st);
    int rc = SQLITE_DONE;
    int r = store_sqlite_prepare_once(q, sq_exists_sql, &exists, "conn events");

    if (r == 0)
        r = store_sqlite_bind(q, exists, "conn events", "ss", project_id, id);
    if (r == 0)
        r = store_sqlite_step_row(q, exists, "conn events");
    if (r < 0)
        return r;
    r = store_sqlite_prepare_once(q, sq_events_sql, &st, "conn events");
    if (r == 0)
        r = store_sqlite_bind(q, st, "conn events", "ss", project_id, id);
    while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_event ev = {.at = sqlite3_column_int64(st, 0),
                                 .message = (const char *)sqlite3_column_text(st, 1)};
        r = ev.message ? cb(ud, &ev) : -ENOMEM;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = store_sqlite_fail(q, rc, "conn events");
    return r;
}

int store_sqlite_conn_events(struct store *s, const char *project_id, const char *id,
                             int (*cb)(void *ud, const struct store_event *ev), void *ud)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin_read(q, "conn events: begin");

    if (r < 0)
        return r;
    r = sq_events_read(q, project_id, id, cb, ud);
    store_sqlite_rollback(q); /* a read snapshot: nothing to commit */
    return r;
}
