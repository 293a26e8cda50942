/* store/sqlite/sq_rows.c: single-row reads and the write transactions of the SQLite backend.
 *
 * Each write runs its steps in a *_tx function between store_sqlite_begin (BEGIN IMMEDIATE) and
 * store_sqlite_end, which commits on success and rolls back on any failure, so no half-done write is ever
 * visible. Statements are reset by their _cleanup_ before the commit runs.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "model/model.h"
#include "store/sqlite/sq_int.h"

/* Commits if r is 0, else (or if the commit fails) rolls back. Returns the outcome. */
int store_sqlite_end(struct sq_store *q, int r, const char *what)
{
    if (r == 0)
        r = store_sqlite_commit(q, what);
    if (r < 0)
        store_sqlite_rollback(q);
    return r;
}

/* Steps a single-row SELECT: 1 = a row is ready, -ENOENT = none, or an error. */
int store_sqlite_step_row(struct sq_store *q, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);

    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return -ENOENT;
    return store_sqlite_fail(q, rc, what);
}

int store_sqlite_take_claims(struct sq_store *q, const struct store_claim *claims, size_t n,
                          const char *owner_id)
{
    for (size_t i = 0; i < n; i++) {
        SQ_STMT(st, q, SQ_CLAIM_INSERT);
        int r = store_sqlite_bind(q, st, "claim insert", "sss", claims[i].kind, claims[i].value,
                                  owner_id);

        if (r == 0)
            r = store_sqlite_exec(q, st, "claim insert");
        if (r < 0)
            return r;
    }
    return 0;
}

int store_sqlite_release_claims(struct sq_store *q, const char *owner_id)
{
    SQ_STMT(st, q, SQ_CLAIM_RELEASE);
    int r = store_sqlite_bind(q, st, "claim release", "s", owner_id);

    return r < 0 ? r : store_sqlite_exec(q, st, "claim release");
}

/* -EDQUOT if the project already holds `limit` rows of the kind (project_count kind 0 gateways,
 * 1 customer gateways; -1 connections, from conn_count); limit 0 is no limit. Inside the insert's
 * transaction, so racing inserts see each other's counts (store.h "quotas"). */
static int sq_quota_check(struct sq_store *q, const char *project_id, int kind, int64_t limit)
{
    if (limit <= 0)
        return 0;
    SQ_STMT(st, q, kind < 0 ? SQ_QUOTA_USED_CONNECTIONS : SQ_QUOTA_USED_GATEWAYS);
    int r = kind < 0 ? store_sqlite_bind(q, st, "quota", "s", project_id)
                     : store_sqlite_bind(q, st, "quota", "sI", project_id, (int64_t)kind);

    if (r == 0)
        r = store_sqlite_step_row(q, st, "quota");
    if (r < 0)
        return r;
    return sqlite3_column_int64(st, 0) >= limit ? -EDQUOT : 0;
}

static int sq_vgw_insert_tx(struct sq_store *q, const struct store_vgw_row *row,
                            const struct store_claim *claims, size_t n_claims)
{
    SQ_STMT(st, q, SQ_VGW_INSERT);
    int r = sq_quota_check(q, row->project_id, 0, q->base.quotas.vpn_gateways);

    if (r == 0)
        r = store_sqlite_bind(q, st, "vgw insert", "ssssIIIsI", row->project_id, row->id,
                              row->status, row->enterprise_project_id, row->connection_number,
                              row->created_at, row->updated_at, row->spec, row->status_due);

    if (r == 0)
        r = store_sqlite_exec(q, st, "vgw insert");
    if (r == 0)
        r = store_sqlite_tags_sync(q, STORE_RES_VPN_GATEWAY, row->project_id, row->id);
    if (r < 0)
        return r;
    return store_sqlite_take_claims(q, claims, n_claims, row->id);
}

int store_sqlite_vgw_insert(struct store *s, const struct store_vgw_row *row,
                            const struct store_claim *claims, size_t n_claims)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "vgw insert: begin");

    if (r < 0)
        return r;
    return store_sqlite_end(q, sq_vgw_insert_tx(q, row, claims, n_claims), "vgw insert: commit");
}

/* Reads the current row of a SQ_VGW_GET / SQ_VGW_LIST statement into *row, its spec
 * duplicated (get) or borrowed from the statement until its next step (list). */
static int sq_read_vgw(struct sq_store *q, sqlite3_stmt *st, struct store_vgw_row *row,
                       bool dup_spec)
{
    int r;

    if ((r = store_sqlite_col_copy(q, st, 0, row->project_id, sizeof(row->project_id))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 1, row->id, sizeof(row->id))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 2, row->status, sizeof(row->status))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 3, row->enterprise_project_id,
                                   sizeof(row->enterprise_project_id))) < 0)
        return r;
    row->connection_number = sqlite3_column_int64(st, 4);
    row->used_connection_number = sqlite3_column_int64(st, 5);
    row->created_at = sqlite3_column_int64(st, 6);
    row->updated_at = sqlite3_column_int64(st, 7);
    if (dup_spec)
        return store_sqlite_col_dup(q, st, 8, &row->spec);
    row->spec = (char *)sqlite3_column_text(st, 8);
    return row->spec ? 0 : -ENOMEM;
}

int store_sqlite_vgw_get(struct store *s, const char *project_id, const char *id,
                         struct store_vgw_row *ret)
{
    struct sq_store *q = sq_from(s);
    SQ_STMT(st, q, SQ_VGW_GET);
    struct store_vgw_row row = {0};
    int r = store_sqlite_bind(q, st, "vgw get", "ss", project_id, id);

    if (r == 0)
        r = store_sqlite_step_row(q, st, "vgw get");
    if (r == 1)
        r = sq_read_vgw(q, st, &row, true);
    if (r < 0)
        return r;
    *ret = row;
    return 0;
}

int store_sqlite_vgw_list(struct store *s, const char *project_id,
                          int (*cb)(void *ud, const struct store_vgw_row *row), void *ud)
{
    struct sq_store *q = sq_from(s);
    SQ_STMT(st, q, SQ_VGW_LIST);
    int rc = SQLITE_DONE;
    int r = store_sqlite_bind(q, st, "vgw list", "s", project_id);

    while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_vgw_row row = {0};
        r = sq_read_vgw(q, st, &row, false);
        if (r == 0)
            r = cb(ud, &row);
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = store_sqlite_fail(q, rc, "vgw list");
    return r < 0 ? r : 0;
}

int store_sqlite_cgw_insert(struct store *s, const struct store_cgw_row *row)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "cgw insert: begin");

    if (r < 0)
        return r;
    {
        SQ_STMT(st, q, SQ_CGW_INSERT);

        r = sq_quota_check(q, row->project_id, 1, q->base.quotas.customer_gateways);
        if (r == 0)
            r = store_sqlite_bind(q, st, "cgw insert", "ssIIs", row->project_id, row->id,
                                  row->created_at, row->updated_at, row->spec);
        if (r == 0)
            r = store_sqlite_exec(q, st, "cgw insert");
    }
    if (r == 0)
        r = store_sqlite_tags_sync(q, STORE_RES_CUSTOMER_GATEWAY, row->project_id, row->id);
    return store_sqlite_end(q, r, "cgw insert: commit");
}

int store_sqlite_cgw_get(struct store *s, const char *project_id, const char *id,
                         struct store_cgw_row *ret)
{
    struct sq_store *q = sq_from(s);
    SQ_STMT(st, q, SQ_CGW_GET);
    struct store_cgw_row row = {0};
    int r = store_sqlite_bind(q, st, "cgw get", "ss", project_id, id);

    if (r == 0)
        r = store_sqlite_step_row(q, st, "cgw get");
    if (r < 0)
        return r;
    if ((r = store_sqlite_col_copy(q, st, 0, row.project_id, sizeof(row.project_id))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 1, row.id, sizeof(row.id))) < 0)
        return r;
    row.created_at = sqlite3_column_int64(st, 2);
    row.updated_at = sqlite3_column_int64(st, 3);
    r = store_sqlite_col_dup(q, st, 4, &row.spec);
    if (r < 0)
        return r;
    *ret = row;
    return 0;
}

/* Takes one connection slot of the gateway: -ENOENT if it is not in that project, -EAGAIN if
 * it is not ACTIVE (being updated: its EIPs or subnets may be changing), -EOVERFLOW if every slot
 * is used. */
static int sq_vgw_use(struct sq_store *q, const char *project_id, const char *vgw_id)
{
    SQ_STMT(use, q, SQ_VGW_USE);
    SQ_STMT(state, q, SQ_VGW_CAPACITY);
    const unsigned char *status;
    int r = store_sqlite_bind(q, use, "vgw use", "ss", project_id, vgw_id);

    if (r == 0)
        r = store_sqlite_exec(q, use, "vgw use");
    if (r < 0 || sqlite3_changes(q->db) > 0)
        return r;
    r = store_sqlite_bind(q, state, "vgw state", "ss", project_id, vgw_id);
    if (r == 0)
        r = store_sqlite_step_row(q, state, "vgw state");
    if (r < 0)
        return r;
    status = sqlite3_column_text(state, 0);
    return status && strcmp((const char *)status, "ACTIVE") == 0 ? -EOVERFLOW : -EAGAIN;
}

int store_sqlite_conn_insert_tx(struct sq_store *q, const struct store_conn_row *row,
                             const struct store_claim *claims, size_t n_claims)
{
    SQ_STMT(st, q, SQ_CONN_INSERT);
    int r = sq_quota_check(q, row->project_id, -1, q->base.quotas.vpn_connections);

    if (r == 0)
        r = sq_vgw_use(q, row->project_id, row->vgw_id);

    if (r == 0)
        r = store_sqlite_take_claims(q, claims, n_claims, row->id);
    if (r == 0)
        r = store_sqlite_bind(q, st, "conn insert", "sssssssIIIzz", row->project_id, row->id,
                              row->vgw_id, row->cgw_id, row->vgw_ip, row->enterprise_project_id,
                              row->status, row->status_due, row->created_at, row->updated_at,
                              row->spec, row->doc);
    if (r == 0)
        r = store_sqlite_exec(q, st, "conn insert");
    if (r == 0)
        r = store_sqlite_bulk_count(q, row->project_id, row->enterprise_project_id);
    if (r == 0)
        r = store_sqlite_tags_sync_new(q, STORE_RES_VPN_CONNECTION, row->project_id, row->id,
                                       row->spec, row->created_at);
    return r;
}

int store_sqlite_conn_insert(struct store *s, const struct store_conn_row *row,
                             const struct store_claim *claims, size_t n_claims)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "conn insert: begin");

    if (r < 0)
        return r;
    return store_sqlite_end(q, store_sqlite_conn_insert_tx(q, row, claims, n_claims), "conn insert: commit");
}

int store_sqlite_serve_doc(struct sq_store *q, sqlite3_stmt *st, int col, struct buf *out,
                           const char *what)
{
    const char *doc;
    size_t len;
    int r = store_sqlite_col_json(q, st, col, &doc, &len);
    const unsigned char *status = r < 0 ? NULL : sqlite3_column_text(st, col + 1);

    if (r < 0)
        return r;
    if (!status)
        return sqlite3_errcode(q->db) == SQLITE_NOMEM ? -ENOMEM
                                                      : store_sqlite_corrupt(q, what, "NULL status");
    return model_conn_serve(doc, len, (const char *)status, out);
}

/* The hot path: one index lookup, the doc decompressed (or, an old row, copied straight from
 * SQLite's page) into out. */
int store_sqlite_conn_get_doc(struct store *s, const char *project_id, const char *id,
                              struct buf *out)
{
    struct sq_store *q = sq_from(s);
    SQ_STMT(st, q, SQ_CONN_GET_DOC);
    int r = q->batch ? store_sqlite_batch_get_doc(q, project_id, id, out) : 1;

    if (r <= 0)
        return r;
    int rc = store_sqlite_bind_get_doc(st, project_id, id);

    r = rc == SQLITE_OK ? 0 : store_sqlite_fail(q, rc, "conn get doc");
    if (r == 0)
        r = store_sqlite_step_row(q, st, "conn get doc");
    return r < 0 ? r : store_sqlite_serve_doc(q, st, 0, out, "conn get doc");
}

static int sq_conn_read(struct sq_store *q, sqlite3_stmt *st, struct store_conn_row *row)
{
    int r;

    if ((r = store_sqlite_col_copy(q, st, 0, row->project_id, sizeof(row->project_id))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 1, row->id, sizeof(row->id))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 2, row->vgw_id, sizeof(row->vgw_id))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 3, row->cgw_id, sizeof(row->cgw_id))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 4, row->vgw_ip, sizeof(row->vgw_ip))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 5, row->enterprise_project_id,
                                   sizeof(row->enterprise_project_id))) < 0 ||
        (r = store_sqlite_col_copy(q, st, 6, row->status, sizeof(row->status))) < 0)
        return r;
    row->status_due = sqlite3_column_int64(st, 7);
    row->created_at = sqlite3_column_int64(st, 8);
    row->updated_at = sqlite3_column_int64(st, 9);
    r = store_sqlite_col_json_dup(q, st, 10, &row->spec);
    if (r < 0)
        return r;
    r = store_sqlite_col_json_dup(q, st, 11, &row->doc);
    if (r < 0)
        store_conn_row_done(row);
    return r;
}

int store_sqlite_conn_get(struct store *s, const char *project_id, const char *id,
                          struct store_conn_row *ret)
{
    struct sq_store *q = sq_from(s);
    SQ_STMT(st, q, SQ_CONN_GET);
    struct store_conn_row row = {0};
    int r = store_sqlite_bind(q, st, "conn get", "ss", project_id, id);

    if (r == 0)
        r = store_sqlite_step_row(q, st, "conn get");
    if (r < 0)
        return r;
    r = sq_conn_read(q, st, &row);
    if (r < 0)
        return r;
    *ret = row;
    return 0;
}

static int sq_conn_update_tx(struct sq_store *q, const struct store_conn_row *row,
                             const struct store_claim *claims, size_t n_claims)
{
    SQ_STMT(st, q, SQ_CONN_UPDATE);
    int r = store_sqlite_bind(q, st, "conn update", "sssIIzzs", row->project_id, row->id,
                              row->status, row->status_due, row->updated_at, row->spec, row->doc,
                              row->cgw_id);

    if (r == 0)
        r = store_sqlite_exec(q, st, "conn update");
    if (r < 0)
        return r;
    if (sqlite3_changes(q->db) == 0)
        return -ENOENT;
    r = store_sqlite_tags_sync(q, STORE_RES_VPN_CONNECTION, row->project_id, row->id);
    if (r < 0 || !claims)
        return r;
    r = store_sqlite_release_claims(q, row->id);
    return r < 0 ? r : store_sqlite_take_claims(q, claims, n_claims, row->id);
}

int store_sqlite_conn_update(struct store *s, const struct store_conn_row *row,
                             const struct store_claim *claims, size_t n_claims)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "conn update: begin");

    if (r < 0)
        return r;
    return store_sqlite_end(q, sq_conn_update_tx(q, row, claims, n_claims), "conn update: commit");
}

static int sq_conn_delete_tx(struct sq_store *q, const char *project_id, const char *id)
{
    SQ_STMT(del, q, SQ_CONN_DELETE);
    SQ_STMT(release, q, SQ_VGW_RELEASE);
    char vgw_id[sizeof(((struct store_conn_row *)0)->vgw_id)];
    int r = store_sqlite_bind(q, del, "conn delete", "ss", project_id, id);

    if (r == 0)
        r = store_sqlite_step_row(q, del, "conn delete");
    if (r < 0)
        return r;
    r = store_sqlite_col_copy(q, del, 0, vgw_id, sizeof(vgw_id));
    if (r == 0)
        r = store_sqlite_exec(q, del, "conn delete"); /* runs the statement to its end */
    if (r == 0)
        r = store_sqlite_bind(q, release, "vgw release", "ss", project_id, vgw_id);
    if (r == 0)
        r = store_sqlite_exec(q, release, "vgw release");
    if (r == 0)
        r = store_sqlite_release_claims(q, id);
    return r;
}

int store_sqlite_conn_delete(struct store *s, const char *project_id, const char *id)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "conn delete: begin");

    if (r < 0)
        return r;
    return store_sqlite_end(q, sq_conn_delete_tx(q, project_id, id), "conn delete: commit");
}

int store_sqlite_claims_list(struct store *s, const char *kind, struct buf *out, size_t *ret_n)
{
    struct sq_store *q = sq_from(s);
    SQ_STMT(st, q, SQ_CLAIMS_LIST);
    size_t len0 = out->len, n = 0;
    int r = store_sqlite_bind(q, st, "claims list", "s", kind);
    int rc = SQLITE_ROW;

    while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(st, 0);
        size_t len = (size_t)sqlite3_column_bytes(st, 0);

        if (!v)
            r = -ENOMEM;
        else if ((r = buf_append(out, v, len + 1)) == 0) /* the NUL SQLite keeps after v */
            n++;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = store_sqlite_fail(q, rc, "claims list");
    if (r < 0) {
        if (out->data) {
            out->len = len0;
            out->data[len0] = '\0';
        }
        return r;
    }
    *ret_n = n;
    return 0;
}

/* Deletes a row that connections may still use: count_stmt counts them, del_stmt deletes the
 * row. The check and the delete share one transaction, so a connection created concurrently
 * either lands first (-ENOTEMPTY) or finds the row gone. */
static int sq_delete_unused_tx(struct sq_store *q, enum sq_stmt count_stmt, enum sq_stmt del_stmt,
                               const char *project_id, const char *id, int64_t *ret_users)
{
    SQ_STMT(sel, q, count_stmt);
    int r = store_sqlite_bind(q, sel, "delete", "ss", project_id, id);

    if (r == 0)
        r = store_sqlite_step_row(q, sel, "delete");
    if (r < 0)
        return r;
    *ret_users = sqlite3_column_int64(sel, 0);
    if (*ret_users > 0)
        return -ENOTEMPTY;
    SQ_STMT(del, q, del_stmt);
    r = store_sqlite_bind(q, del, "delete", "ss", project_id, id);
    if (r == 0)
        r = store_sqlite_exec(q, del, "delete");
    if (r < 0)
        return r;
    return sqlite3_changes(q->db) == 1 ? 0 : -ENOENT;
}

int store_sqlite_vgw_delete(struct store *s, const char *project_id, const char *id,
                            int64_t *ret_users)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "vgw delete: begin");

    if (r < 0)
        return r;
    r = sq_delete_unused_tx(q, SQ_VGW_USED, SQ_VGW_DELETE, project_id, id, ret_users);
    if (r == 0)
        r = store_sqlite_release_claims(q, id); /* its EIP ids and addresses */
    return store_sqlite_end(q, r, "vgw delete: commit");
}

int store_sqlite_cgw_delete(struct store *s, const char *project_id, const char *id,
                            int64_t *ret_users)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "cgw delete: begin");

    if (r < 0)
        return r;
    r = sq_delete_unused_tx(q, SQ_CGW_USERS, SQ_CGW_DELETE, project_id, id, ret_users);
    return store_sqlite_end(q, r, "cgw delete: commit");
}
