/* store/postgres/pg_rows.c: single-row reads and the write transactions of the PostgreSQL
 * backend.
 *
 * Each write is a pg_tx_fn run by store_postgres_tx (READ COMMITTED, retried on serialization
 * failure or deadlock). Correctness across nodes rests on the database, never on this process:
 *   - gateway capacity: one conditional UPDATE takes the slot; its row lock serializes writers
 *     and READ COMMITTED re-evaluates the condition on the newest row version;
 *   - unique ids and claims: primary keys (unique_violation -> -EEXIST);
 *   - a connection's gateway and customer gateway: foreign keys (-> -ENOENT);
 *   - delete of a row that connections may use: the row is locked FOR UPDATE before its users
 *     are counted, so a concurrent connection insert (whose foreign key check holds a KEY SHARE
 *     lock on it) either commits first and is counted, or waits and then fails its key check;
 *   - racing deletes of one connection: the second DELETE waits for the first's row lock and
 *     then finds no row (-ENOENT), so the gateway's slot is released once;
 *   - a connection's monitor and events: foreign keys ON DELETE CASCADE;
 *   - the tag index and the per-project counters: triggers (pg_schema.c), in the writing
 *     transaction, whoever writes.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "model/model.h"
#include "store/postgres/pg_int.h"

int store_postgres_take_claims(struct pg_store *p, const struct store_claim *claims, size_t n,
                               const char *owner_id)
{
    for (size_t i = 0; i < n; i++) {
        int r = store_postgres_exec(p, PG_CLAIM_INSERT, "claim insert", NULL, "sss", claims[i].kind,
                                    claims[i].value, owner_id);
        if (r < 0)
            return r;
    }
    return 0;
}

int store_postgres_release_claims(struct pg_store *p, const char *owner_id)
{
    return store_postgres_exec(p, PG_CLAIM_RELEASE, "claim release", NULL, "s", owner_id);
}

/* -EDQUOT if the project already holds `limit` rows of the kind (0 gateways, 1 customer
 * gateways, 2 connections); limit 0 is no limit (store.h "quotas"). */
static int pg_quota_check(struct pg_store *p, const char *project_id, int64_t kind, int64_t limit)
{
    _cleanup_pgres_ PGresult *res = NULL;
    int64_t used = 0;
    int r;

    if (limit <= 0)
        return 0;
    r = store_postgres_query(p, PG_QUOTA_USED, "quota", &res, "sI", project_id, kind);
    if (r == 0)
        r = store_postgres_col_int(p, res, 0, 1, &used);
    if (r < 0)
        return r;
    return used >= limit ? -EDQUOT : 0;
}

struct pg_vgw_insert {
    const struct store_vgw_row *row;
    const struct store_claim *claims;
    size_t n_claims;
};

static int pg_vgw_insert_tx(struct pg_store *p, void *ud)
{
    const struct pg_vgw_insert *a = ud;
    const struct store_vgw_row *row = a->row;
    int r = pg_quota_check(p, row->project_id, 0, p->base.quotas.vpn_gateways);

    if (r == 0)
        r = store_postgres_exec(p, PG_VGW_INSERT, "vgw insert", NULL, "ssssIIIsI",
                                row->project_id, row->id, row->status, row->enterprise_project_id,
                                row->connection_number, row->created_at, row->updated_at,
                                row->spec, row->status_due);

    return r < 0 ? r : store_postgres_take_claims(p, a->claims, a->n_claims, row->id);
}

int store_postgres_vgw_insert(struct store *s, const struct store_vgw_row *row,
                              const struct store_claim *claims, size_t n_claims)
{
    struct pg_vgw_insert a = {row, claims, n_claims};

    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "vgw insert", pg_vgw_insert_tx, &a);
}

/* Reads row i of a PG_VGW_GET / PG_VGW_LIST result into *row, its spec duplicated (get) or
 * borrowed from the result (list). */
static int pg_read_vgw(struct pg_store *p, const PGresult *res, int i, struct store_vgw_row *row,
                       bool dup_spec)
{
    int r;

    if ((r = store_postgres_col_copy(p, res, i, 0, row->project_id, sizeof(row->project_id))) < 0 ||
        (r = store_postgres_col_copy(p, res, i, 1, row->id, sizeof(row->id))) < 0 ||
        (r = store_postgres_col_copy(p, res, i, 2, row->status, sizeof(row->status))) < 0 ||
        (r = store_postgres_col_copy(p, res, i, 3, row->enterprise_project_id,
                                     sizeof(row->enterprise_project_id))) < 0 ||
        (r = store_postgres_col_int(p, res, i, 4, &row->connection_number)) < 0 ||
        (r = store_postgres_col_int(p, res, i, 5, &row->used_connection_number)) < 0 ||
        (r = store_postgres_col_int(p, res, i, 6, &row->created_at)) < 0 ||
        (r = store_postgres_col_int(p, res, i, 7, &row->updated_at)) < 0)
        return r;
    if (dup_spec)
        return store_postgres_col_dup(res, i, 8, &row->spec);
    row->spec = PQgetvalue(res, i, 8);
    return 0;
}

int store_postgres_vgw_get(struct store *s, const char *project_id, const char *id,
                           struct store_vgw_row *ret)
{
    struct pg_store *p = pg_from(s);
    _cleanup_pgres_ PGresult *res = NULL;
    struct store_vgw_row row = {0};
    int r = store_postgres_read(p, PG_VGW_GET, "vgw get", &res, "ss", project_id, id);

    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return -ENOENT;
    r = pg_read_vgw(p, res, 0, &row, true);
    if (r < 0)
        return r;
    *ret = row;
    return 0;
}

int store_postgres_vgw_list(struct store *s, const char *project_id,
                            int (*cb)(void *ud, const struct store_vgw_row *row), void *ud)
{
    struct pg_store *p = pg_from(s);
    _cleanup_pgres_ PGresult *res = NULL;
    int r = store_postgres_read(p, PG_VGW_LIST, "vgw list", &res, "s", project_id);

    for (int i = 0; r == 0 && i < PQntuples(res); i++) {
        struct store_vgw_row row = {0};
        r = pg_read_vgw(p, res, i, &row, false);
        if (r == 0)
            r = cb(ud, &row);
    }
    return r < 0 ? r : 0;
}

static int pg_cgw_insert_tx(struct pg_store *p, void *ud)
{
    const struct store_cgw_row *row = ud;
    int r = pg_quota_check(p, row->project_id, 1, p->base.quotas.customer_gateways);

    return r < 0 ? r
                 : store_postgres_exec(p, PG_CGW_INSERT, "cgw insert", NULL, "ssIIs",
                                       row->project_id, row->id, row->created_at, row->updated_at,
                                       row->spec);
}

int store_postgres_cgw_insert(struct store *s, const struct store_cgw_row *row)
{
    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "cgw insert", pg_cgw_insert_tx, (void *)row);
}

int store_postgres_cgw_get(struct store *s, const char *project_id, const char *id,
                           struct store_cgw_row *ret)
{
    struct pg_store *p = pg_from(s);
    _cleanup_pgres_ PGresult *res = NULL;
    struct store_cgw_row row = {0};
    int r = store_postgres_read(p, PG_CGW_GET, "cgw get", &res, "ss", project_id, id);

    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return -ENOENT;
    if ((r = store_postgres_col_copy(p, res, 0, 0, row.project_id, sizeof(row.project_id))) < 0 ||
        (r = store_postgres_col_copy(p, res, 0, 1, row.id, sizeof(row.id))) < 0 ||
        (r = store_postgres_col_int(p, res, 0, 2, &row.created_at)) < 0 ||
        (r = store_postgres_col_int(p, res, 0, 3, &row.updated_at)) < 0 ||
        (r = store_postgres_col_dup(res, 0, 4, &row.spec)) < 0)
        return r;
    *ret = row;
    return 0;
}

/* Why a gateway gave no connection slot (PG_VGW_USE changed no row), from its PG_VGW_EXISTS
 * result: -ENOENT if it is not in that project, -EAGAIN if it is not ACTIVE (being updated: its
 * EIPs or subnets may be changing), -EOVERFLOW if every slot is used. */
static int pg_vgw_refused(const PGresult *res)
{
    if (PQntuples(res) == 0)
        return -ENOENT;
    return strcmp(PQgetvalue(res, 0, 0), "ACTIVE") == 0 ? -EOVERFLOW : -EAGAIN;
}

struct pg_conn_write {
    const struct store_conn_row *row;
    const struct store_claim *claims;
    size_t n_claims;
};

int store_postgres_conn_insert_tx(struct pg_store *p, const struct store_conn_row *row,
                                  const struct store_claim *claims, size_t n_claims,
                                  const struct store_event *ev)
{
    struct pg_pipe_stmt st[PG_PIPE_MAX];
    PGresult *res[PG_PIPE_MAX];
    int errs[PG_PIPE_MAX];
    int64_t limit = p->base.quotas.vpn_connections, used = 0;
    size_t n = 0, quota = SIZE_MAX;
    int r = 0;

    if (n_claims > PG_PIPE_MAX - 5)
        return store_postgres_corrupt(p, "conn insert", "%zu claims, at most %d", n_claims,
                                      PG_PIPE_MAX - 5);
    /* one round trip: the statements in the order of their checks (below) */
    if (limit > 0) {
        quota = n;
        st[n] = (struct pg_pipe_stmt){PG_QUOTA_USED, "quota", {0}};
        r = store_postgres_params(&st[n++].pp, "sI", row->project_id, (int64_t)2);
    }
    st[n] = (struct pg_pipe_stmt){PG_VGW_USE, "vgw use", {0}};
    r = r < 0 ? r : store_postgres_params(&st[n++].pp, "ss", row->project_id, row->vgw_id);
    st[n] = (struct pg_pipe_stmt){PG_VGW_EXISTS, "vgw state", {0}};
    r = r < 0 ? r : store_postgres_params(&st[n++].pp, "ss", row->project_id, row->vgw_id);
    for (size_t i = 0; i < n_claims; i++) {
        st[n] = (struct pg_pipe_stmt){PG_CLAIM_INSERT, "claim insert", {0}};
        r = r < 0 ? r
                  : store_postgres_params(&st[n++].pp, "sss", claims[i].kind, claims[i].value,
                                          row->id);
    }
    /* the tag index and the connection counter follow by triggers */
    st[n] = (struct pg_pipe_stmt){PG_CONN_INSERT, "conn insert", {0}};
    r = r < 0 ? r
              : store_postgres_params(&st[n++].pp, "sssssssIIIss", row->project_id, row->id,
                                      row->vgw_id, row->cgw_id, row->vgw_ip,
                                      row->enterprise_project_id, row->status, row->status_due,
                                      row->created_at, row->updated_at, row->spec, row->doc);
    if (ev && ev->message) {
        st[n] = (struct pg_pipe_stmt){PG_EVENT_INSERT, "event insert", {0}};
        r = r < 0 ? r
                  : store_postgres_params(&st[n++].pp, "ssIs", row->project_id, row->id, ev->at,
                                          ev->message);
    }
    if (r == 0)
        r = store_postgres_pipeline(p, st, n, res, errs);
    for (size_t i = 0; r == 0 && i < n; i++) {
        if ((r = errs[i]) < 0)
            break;
        if (i == quota) {
            r = store_postgres_col_int(p, res[i], 0, 1, &used);
            r = r < 0 ? r : used >= limit ? -EDQUOT : 0;
        } else if (st[i].id == PG_VGW_USE && store_postgres_affected(res[i]) == 0) {
            r = pg_vgw_refused(res[i + 1]); /* PG_VGW_EXISTS: why no slot was taken */
        }
    }
    for (size_t i = 0; i < n; i++)
        PQclear(res[i]);
    return r == -ECANCELED ? store_postgres_corrupt(p, "conn insert", "a statement did not run")
                           : r;
}

static int pg_conn_insert_tx(struct pg_store *p, void *ud)
{
    const struct pg_conn_write *a = ud;

    return store_postgres_conn_insert_tx(p, a->row, a->claims, a->n_claims, NULL);
}

int store_postgres_conn_insert(struct store *s, const struct store_conn_row *row,
                               const struct store_claim *claims, size_t n_claims)
{
    struct pg_conn_write a = {row, claims, n_claims};

    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "conn insert", pg_conn_insert_tx, &a);
}

/* The hot path: one prepared point read, the doc copied from the result into out. */
int store_postgres_conn_get_doc(struct store *s, const char *project_id, const char *id,
                                struct buf *out)
{
    struct pg_store *p = pg_from(s);
    _cleanup_pgres_ PGresult *res = NULL;
    int r = store_postgres_read(p, PG_CONN_GET_DOC, "conn get doc", &res, "ss", project_id, id);

    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return -ENOENT;
    return store_postgres_serve_doc(res, 0, 0, out);
}

int store_postgres_serve_doc(const PGresult *res, int row, int col, struct buf *out)
{
    return model_conn_serve(PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col),
                            PQgetvalue(res, row, col + 1), out);
}

int store_postgres_conn_get(struct store *s, const char *project_id, const char *id,
                            struct store_conn_row *ret)
{
    struct pg_store *p = pg_from(s);
    _cleanup_pgres_ PGresult *res = NULL;
    struct store_conn_row row = {0};
    int r = store_postgres_read(p, PG_CONN_GET, "conn get", &res, "ss", project_id, id);

    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return -ENOENT;
    if ((r = store_postgres_col_copy(p, res, 0, 0, row.project_id, sizeof(row.project_id))) < 0 ||
        (r = store_postgres_col_copy(p, res, 0, 1, row.id, sizeof(row.id))) < 0 ||
        (r = store_postgres_col_copy(p, res, 0, 2, row.vgw_id, sizeof(row.vgw_id))) < 0 ||
        (r = store_postgres_col_copy(p, res, 0, 3, row.cgw_id, sizeof(row.cgw_id))) < 0 ||
        (r = store_postgres_col_copy(p, res, 0, 4, row.vgw_ip, sizeof(row.vgw_ip))) < 0 ||
        (r = store_postgres_col_copy(p, res, 0, 5, row.enterprise_project_id,
                                     sizeof(row.enterprise_project_id))) < 0 ||
        (r = store_postgres_col_copy(p, res, 0, 6, row.status, sizeof(row.status))) < 0 ||
        (r = store_postgres_col_int(p, res, 0, 7, &row.status_due)) < 0 ||
        (r = store_postgres_col_int(p, res, 0, 8, &row.created_at)) < 0 ||
        (r = store_postgres_col_int(p, res, 0, 9, &row.updated_at)) < 0 ||
        (r = store_postgres_col_dup(res, 0, 10, &row.spec)) < 0)
        return r;
    r = store_postgres_col_dup(res, 0, 11, &row.doc);
    if (r < 0) {
        store_conn_row_done(&row);
        return r;
    }
    *ret = row;
    return 0;
}

static int pg_conn_update_tx(struct pg_store *p, void *ud)
{
    const struct pg_conn_write *a = ud;
    const struct store_conn_row *row = a->row;
    int64_t n = 0;
    int r = store_postgres_exec(p, PG_CONN_UPDATE, "conn update", &n, "sssIIsss",
                                row->project_id, row->id, row->status, row->status_due,
                                row->updated_at, row->spec, row->doc, row->cgw_id);

    if (r < 0)
        return r;
    if (n == 0)
        return -ENOENT;
    if (!a->claims)
        return 0;
    r = store_postgres_release_claims(p, row->id);
    return r < 0 ? r : store_postgres_take_claims(p, a->claims, a->n_claims, row->id);
}

int store_postgres_conn_update(struct store *s, const struct store_conn_row *row,
                               const struct store_claim *claims, size_t n_claims)
{
    struct pg_conn_write a = {row, claims, n_claims};

    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "conn update", pg_conn_update_tx, &a);
}

struct pg_key {
    const char *project_id;
    const char *id;
    int64_t *ret_users;
};

int store_postgres_conn_deleted(struct pg_store *p, const PGresult *res, const char *project_id,
                                const char *id)
{
    char vgw_id[sizeof(((struct store_conn_row *)0)->vgw_id)];
    int r;

    if (PQntuples(res) == 0)
        return -ENOENT;
    r = store_postgres_col_copy(p, res, 0, 0, vgw_id, sizeof(vgw_id));
    if (r == 0)
        r = store_postgres_exec(p, PG_VGW_RELEASE, "vgw release", NULL, "ss", project_id, vgw_id);
    return r < 0 ? r : store_postgres_release_claims(p, id);
}

static int pg_conn_delete_tx(struct pg_store *p, void *ud)
{
    const struct pg_key *k = ud;
    _cleanup_pgres_ PGresult *res = NULL;
    int r =
        store_postgres_query(p, PG_CONN_DELETE, "conn delete", &res, "ss", k->project_id, k->id);

    return r < 0 ? r : store_postgres_conn_deleted(p, res, k->project_id, k->id);
}

int store_postgres_conn_delete(struct store *s, const char *project_id, const char *id)
{
    struct pg_key k = {project_id, id, NULL};

    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "conn delete", pg_conn_delete_tx, &k);
}

int store_postgres_claims_list(struct store *s, const char *kind, struct buf *out, size_t *ret_n)
{
    struct pg_store *p = pg_from(s);
    _cleanup_pgres_ PGresult *res = NULL;
    size_t len0 = out->len;
    int r = store_postgres_read(p, PG_CLAIMS_LIST, "claims list", &res, "s", kind);
    int n = r == 0 ? PQntuples(res) : 0;

    for (int i = 0; r == 0 && i < n; i++)
        r = buf_append(out, PQgetvalue(res, i, 0), (size_t)PQgetlength(res, i, 0) + 1);
    if (r < 0) {
        if (out->data) {
            out->len = len0;
            out->data[len0] = '\0';
        }
        return r;
    }
    *ret_n = (size_t)n;
    return 0;
}

/* Deletes a row connections may still use: lock_stmt locks it (FOR UPDATE) and may read the
 * gateway's counter, users_stmt (if any) counts the connections, del_stmt deletes it. */
struct pg_delete {
    struct pg_key k;
    enum pg_stmt lock_stmt, users_stmt, del_stmt;
};

static int pg_delete_unused_tx(struct pg_store *p, void *ud)
{
    const struct pg_delete *d = ud;
    _cleanup_pgres_ PGresult *lock = NULL;
    _cleanup_pgres_ PGresult *users = NULL;
    int64_t n = 0;
    int r = store_postgres_query(p, d->lock_stmt, "delete: lock", &lock, "ss", d->k.project_id,
                                 d->k.id);

    *d->k.ret_users = 0;
    if (r < 0)
        return r;
    if (PQntuples(lock) == 0)
        return -ENOENT;
    if (d->users_stmt == PG_N_STMT)
        r = store_postgres_col_int(p, lock, 0, 0, d->k.ret_users);
    else if ((r = store_postgres_query(p, d->users_stmt, "delete: users", &users, "ss",
                                       d->k.project_id, d->k.id)) == 0)
        r = store_postgres_col_int(p, users, 0, 0, d->k.ret_users);
    if (r < 0)
        return r;
    if (*d->k.ret_users > 0)
        return -ENOTEMPTY;
    r = store_postgres_exec(p, d->del_stmt, "delete", &n, "ss", d->k.project_id, d->k.id);
    if (r == 0 && n != 1)
        r = -ENOENT;
    if (r == 0 && d->del_stmt == PG_VGW_DELETE)
        r = store_postgres_release_claims(p, d->k.id); /* its EIP ids and addresses */
    return r;
}

int store_postgres_vgw_delete(struct store *s, const char *project_id, const char *id,
                              int64_t *ret_users)
{
    struct pg_delete d = {{project_id, id, ret_users}, PG_VGW_LOCK_USED, PG_N_STMT, PG_VGW_DELETE};

    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "vgw delete", pg_delete_unused_tx, &d);
}

int store_postgres_cgw_delete(struct store *s, const char *project_id, const char *id,
                              int64_t *ret_users)
{
    struct pg_delete d = {{project_id, id, ret_users}, PG_CGW_LOCK, PG_CGW_USERS, PG_CGW_DELETE};

    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "cgw delete", pg_delete_unused_tx, &d);
}
