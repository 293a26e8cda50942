/* store/postgres/pg_int.h: the PostgreSQL backend's handle and the helpers its files share:
 * prepared statements, parameters, result reading, transactions with retry, reconnects.
 *
 * One connection per store handle. vpnd serves on one thread and a store handle is used by one
 * thread at a time (store.h), so a pool would hold connections that never overlap; a future
 * multi-threaded server opens one store handle (one connection) per thread, which is the pool.
 *
 * A broken connection is reset at the start of the next operation (and once inside an operation
 * whose first statement fails on a connection found dead), so a PostgreSQL restart costs the
 * requests made during the outage (-EIO) and nothing after it.
 *
 * Adding an operation: add its statement at the END of enum pg_stmt and its text in pg_open.c's
 * table (or keep a feature's statements in its own file through store_postgres_query_sql), write
 * the body as a pg_tx_fn and run it with store_postgres_tx.
 */
#ifndef VPND_STORE_PG_INT_H
#define VPND_STORE_PG_INT_H

#include <errno.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store_backend.h"
#include "util/macro.h"

/* Statements prepared on first use on each (re)connection; pg_open.c holds their text. */
enum pg_stmt {
    PG_VGW_INSERT,
    PG_VGW_GET,
    PG_VGW_EXISTS,
    PG_VGW_USE,
    PG_VGW_RELEASE,
    PG_VGW_LOCK_USED,
    PG_VGW_DELETE,
    PG_VGW_LIST,
    PG_VGW_SET_STATUS,
    PG_CGW_INSERT,
    PG_CGW_GET,
    PG_CGW_LOCK,
    PG_CGW_USERS,
    PG_CGW_DELETE,
    PG_CONN_INSERT,
    PG_CONN_GET_DOC,
    PG_CONN_GET,
    PG_CONN_UPDATE,
    PG_CONN_DELETE,
    PG_CONN_LIST,
    PG_CONN_COUNT_BY_VGW,
    PG_CLAIM_INSERT,
    PG_CLAIM_RELEASE,
    PG_CLAIMS_LIST,
    PG_DUE_LIST,
    PG_PROJECT_COUNTS,
    /* connection lists through the gateway filters' own indexes; totals from conn_count */
    PG_CONN_LIST_BY_VGW,
    PG_CONN_LIST_BY_VGW_IP,
    PG_CONN_TOTAL,
    PG_CONN_COUNT_BY_VGW_IP,
    /* connection lifecycle, events, monitors (pg_lifecycle.c, pg_monitor.c) */
    PG_CONN_CAS,
    PG_CONN_SET_STATUS,
    PG_CONN_DELETE_IF,
    PG_CONN_EXISTS,
    PG_EVENT_INSERT,
    PG_EVENTS_LIST,
    PG_MONITOR_INSERT,
    PG_MONITOR_GET,
    PG_MONITOR_LIST,
    PG_MONITOR_DELETE,
    PG_MONITOR_DUE_LIST,
    PG_MONITOR_SET_STATUS,
    /* tags (pg_tags.c) */
    PG_TAG_RESOURCE_EXISTS,
    PG_TAGS_GET,
    PG_TAGS_PROJECT,
    /* customer gateway list and update, gateway update (pg_cgw.c) */
    PG_CGW_LIST,
    PG_CGW_LIST_ONE,
    PG_CGW_COUNT,
    PG_CGW_UPDATE,
    PG_VGW_LOCK_STATE,
    PG_VGW_IP_USERS,
    PG_VGW_UPDATE,
    /* quota checks inside the insert transactions (store_set_quotas) */
    PG_QUOTA_USED,
    /* the control table (pg_control.c): read by every tick */
    PG_CTL_GET,
    PG_N_STMT
};

/* How a transaction starts. Writes run READ COMMITTED and take the row locks they need
 * (conditional UPDATE, SELECT ... FOR UPDATE); reads that need one snapshot run REPEATABLE READ
 * READ ONLY (which never fails with a serialization error). */
enum pg_tx_kind { PG_TX_WRITE, PG_TX_READ_SNAPSHOT };

/* Group commit (pg_group.c): off; armed (store_group_begin, no write yet); open (the group's
 * transaction is open: every op runs as a savepoint of it); broken (the transaction was lost:
 * every later op of the group fails, and store_group_end reports the loss). */
enum pg_group_state { PG_GROUP_OFF, PG_GROUP_ARMED, PG_GROUP_OPEN, PG_GROUP_BROKEN };

struct pg_store {
    struct store base; /* first: struct store * and struct pg_store * convert both ways */
    PGconn *conn;
    int schema_version;
    bool prepared[PG_N_STMT]; /* on the current connection; cleared by a reset */
    bool bulk; /* a bulk load's transaction is open (pg_bulk.c): transactions become savepoints */
    enum pg_group_state group; /* group commit (pg_group.c) */
    bool op_savepoint;         /* the last op's savepoint, not yet released (pg_group.c) */
    bool sp_deferred;          /* the running op's savepoint waits for its first statement */
    bool sp_lost;              /* ... and sending it failed: the transaction is aborted */
    char errmsg[256];
};

static inline struct pg_store *pg_from(struct store *s)
{
    return (struct pg_store *)s;
}

extern const char *const store_postgres_sql[PG_N_STMT];

/* Internal: a serialization failure or deadlock; store_postgres_tx retries, others see -EBUSY.
 * Not a code of the store contract (-EAGAIN is one: a lost compare-and-set). */
#define PG_ERETRY (-EDEADLK)

/* Parameters of one statement, as text: 's' a const char * (NULL is SQL NULL, borrowed),
 * 'I' an int64_t (formatted into the struct). */
#define PG_MAX_PARAMS 16
struct pg_params {
    int n;
    const char *v[PG_MAX_PARAMS];
    char num[PG_MAX_PARAMS][24];
};

/* Frees *p (a _cleanup_ for PGresult locals); NULL is a no-op. */
void store_postgres_clearp(PGresult **p);
#define _cleanup_pgres_ _cleanup_(store_postgres_clearp)

/* Runs cached statement id with parameters (see struct pg_params for types). On success *ret
 * gets the result (PGRES_TUPLES_OK or PGRES_COMMAND_OK), to be freed by the caller. Errors: the
 * SQLSTATE mapped to the store contract (unique -EEXIST, foreign key -ENOENT, serialization or
 * deadlock PG_ERETRY, other -EIO with "what: message" in p->errmsg). */
int store_postgres_query(struct pg_store *p, enum pg_stmt id, const char *what, PGresult **ret,
                         const char *types, ...);
/* Runs cached statement id for its effect; *ret_affected (if non-NULL) gets the number of rows
 * it inserted, updated or deleted. Errors as store_postgres_query. */
int store_postgres_exec(struct pg_store *p, enum pg_stmt id, const char *what,
                        int64_t *ret_affected, const char *types, ...);
/* Fills pp from types and values as store_postgres_query takes them; -EINVAL if too many. */
int store_postgres_params(struct pg_params *pp, const char *types, ...);
/* One statement of a pipeline: a cached statement, its parameters (borrowed until the pipeline
 * returns), and what it is for error messages. */
struct pg_pipe_stmt {
    enum pg_stmt id;
    const char *what;
    struct pg_params pp;
};
#define PG_PIPE_MAX 12
/* Sends st[0..n) in one libpq pipeline (one round trip) and reads every result: res[i] gets
 * statement i's result (the caller frees it) or NULL, errs[i] its error as store_postgres_query
 * maps it, or -ECANCELED if it did not run (PostgreSQL skips the statements after a failing
 * one). Inside a transaction the statements run in order as if sent one by one, so the caller
 * checks them in order and returns the first failure (the transaction or savepoint is then
 * rolled back by the caller's runner, undoing any later statement that ran). Returns 0, or a
 * negative errno when the pipeline itself failed (a broken connection: res and errs tell what
 * came back before). */
int store_postgres_pipeline(struct pg_store *p, const struct pg_pipe_stmt *st, size_t n,
                            PGresult **res, int *errs);
/* Same for a statement outside the table, run unprepared (migrations, feature files). */
int store_postgres_query_sql(struct pg_store *p, const char *sql, const char *what, PGresult **ret,
                             const char *types, ...);
/* A single-statement read outside a transaction: as store_postgres_query, and a connection
 * found broken is reset and the statement tried once more. Inside an open group it runs in a
 * savepoint of its own in the group's transaction (pg_group.c). */
int store_postgres_read(struct pg_store *p, enum pg_stmt id, const char *what, PGresult **ret,
                        const char *types, ...);

/* Runs fn(p, ud) inside one transaction of kind: commits when it returns 0, rolls back
 * otherwise; a serialization failure or deadlock (anywhere, the commit included) rolls back and
 * runs fn again, a few times with a growing pause, then gives -EBUSY. fn must therefore reset
 * its outputs on entry. The connection is reset first if it is broken. */
typedef int (*pg_tx_fn)(struct pg_store *p, void *ud);
int store_postgres_tx(struct pg_store *p, enum pg_tx_kind kind, const char *what, pg_tx_fn fn,
                      void *ud);

/* Runs fn(p, ud) as a savepoint of the transaction already open (a bulk load's, a group's): a
 * failed fn undoes only itself, and a serialization failure or deadlock re-runs it alone, a few
 * times with a growing pause, then gives -EBUSY. -EIO if the transaction is gone. */
int store_postgres_savepoint(struct pg_store *p, const char *what, pg_tx_fn fn, void *ud);
/* Sends the running op's deferred savepoint (store_postgres_savepoint), if any: every statement
 * path calls it first, so the savepoint goes out with the op's first statement. */
int store_postgres_savepoint_flush(struct pg_store *p, const char *what);
/* For a pipeline: the deferred savepoint's statements (0 to 2) into sql, marked as sent. */
size_t store_postgres_savepoint_take(struct pg_store *p, const char *sql[2]);
/* The pause before attempt + 1 of a transaction or savepoint hit by a serialization failure or
 * deadlock. */
void store_postgres_backoff(int attempt);
#define PG_TX_ATTEMPTS 6 /* a transaction hit by serialization failures or deadlocks */

/* pg_group.c: store_group_begin, store_group_pending, store_group_end; and the ops' side:
 * store_postgres_group_tx runs fn inside the open group (the first write opens it), or returns
 * 1 when no group takes it (the caller runs its own transaction). */
int store_postgres_group_begin(struct store *s);
bool store_postgres_group_pending(struct store *s);
int store_postgres_group_end(struct store *s);
int store_postgres_group_tx(struct pg_store *p, enum pg_tx_kind kind, const char *what, pg_tx_fn fn,
                            void *ud);
/* After a statement inside the open group: the group is broken if its transaction is gone (the
 * connection broke, or a statement outside any savepoint failed). */
void store_postgres_group_check(struct pg_store *p);

/* Number of rows an UPDATE / DELETE / INSERT result touched. */
int64_t store_postgres_affected(const PGresult *res);
/* Copies text column col of row into dst (size bytes, NUL included); -EIO if it does not fit. */
int store_postgres_col_copy(struct pg_store *p, const PGresult *res, int row, int col, char *dst,
                            size_t size);
/* A malloc'd copy of text column col of row in *ret; -ENOMEM. */
int store_postgres_col_dup(const PGresult *res, int row, int col, char **ret);
/* Integer column col of row; -EIO if it is not one. */
int store_postgres_col_int(struct pg_store *p, const PGresult *res, int row, int col, int64_t *ret);
/* Appends the served doc of row of res, whose columns col and col + 1 are doc and status
 * (model_conn_serve). */
int store_postgres_serve_doc(const PGresult *res, int row, int col, struct buf *out);
/* Records "what: fmt..." in p->errmsg and returns -EIO. */
int store_postgres_corrupt(struct pg_store *p, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Schema: creates the search_path schema if missing, then brings the database to the newest
 * schema this binary knows, one transaction per step under an advisory lock (several nodes may
 * start at once). -EIO (errbuf says why) if the database is newer than the binary. */
int store_postgres_migrate(struct pg_store *p, char *errbuf, size_t errlen);

/* The operations, one file per concern (pg_rows.c, pg_list.c, pg_due.c). */
int store_postgres_vgw_insert(struct store *s, const struct store_vgw_row *row,
                              const struct store_claim *claims, size_t n_claims);
int store_postgres_vgw_get(struct store *s, const char *project_id, const char *id,
                           struct store_vgw_row *ret);
int store_postgres_vgw_list(struct store *s, const char *project_id,
                            int (*cb)(void *ud, const struct store_vgw_row *row), void *ud);
int store_postgres_vgw_delete(struct store *s, const char *project_id, const char *id,
                              int64_t *ret_users);
int store_postgres_cgw_insert(struct store *s, const struct store_cgw_row *row);
int store_postgres_cgw_get(struct store *s, const char *project_id, const char *id,
                           struct store_cgw_row *ret);
int store_postgres_cgw_delete(struct store *s, const char *project_id, const char *id,
                              int64_t *ret_users);
int store_postgres_conn_insert(struct store *s, const struct store_conn_row *row,
                               const struct store_claim *claims, size_t n_claims);
int store_postgres_conn_get_doc(struct store *s, const char *project_id, const char *id,
                                struct buf *out);
int store_postgres_conn_get(struct store *s, const char *project_id, const char *id,
                            struct store_conn_row *ret);
int store_postgres_conn_update(struct store *s, const struct store_conn_row *row,
                               const struct store_claim *claims, size_t n_claims);
int store_postgres_conn_delete(struct store *s, const char *project_id, const char *id);
int store_postgres_conn_list(struct store *s, const char *project_id,
                             const struct store_conn_filter *f, size_t limit, struct buf *out,
                             size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN],
                             int64_t *ret_total);
int store_postgres_claims_list(struct store *s, const char *kind, struct buf *out, size_t *ret_n);
int store_postgres_due_list(struct store *s, int64_t now, size_t max, struct store_due *out,
                            size_t *ret_n);
int store_postgres_vgw_set_status(struct store *s, const char *project_id, const char *id,
                                  const char *from, const char *to, int64_t status_due,
                                  int64_t updated_at);
int store_postgres_project_counts(struct store *s, const char *project_id,
                                  struct store_counts *ret);
/* pg_lease.c */
int store_postgres_leases_take(struct store *s, const char *node, int64_t now, int64_t until,
                               struct buf *out, size_t *ret_n);
int store_postgres_lease_get(struct store *s, const char *project_id, const char *vgw_id,
                             char ret_node[STORE_NODE_LEN], int64_t *ret_until);

/* A statement outside the table with n text parameters (NULL is SQL NULL), run unprepared (the
 * tag filter, whose text depends on the request). Errors as store_postgres_query. */
int store_postgres_query_sqlv(struct pg_store *p, const char *sql, const char *what,
                              PGresult **ret, int n, const char *const *values);
/* Runs a plain command (no parameters, no result): SAVEPOINT, COMMIT, ... */
int store_postgres_simple(struct pg_store *p, const char *sql, const char *what);
/* Gives a new session its statement, lock-wait and idle-transaction limits (pg_open.c), unless
 * the URL, role or database set them. Run after every connect and reset. */
int store_postgres_session_setup(struct pg_store *p);

/* ---- shared by the write transactions (pg_rows.c, pg_lifecycle.c, pg_monitor.c, pg_cgw.c) */

/* Takes n claims owned by owner_id / releases every claim owner_id holds. */
int store_postgres_take_claims(struct pg_store *p, const struct store_claim *claims, size_t n,
                               const char *owner_id);
int store_postgres_release_claims(struct pg_store *p, const char *owner_id);
/* After a DELETE ... RETURNING vgw_id of connection id: -ENOENT if it deleted no row, else the
 * gateway slot and the connection's claims are released (pg_rows.c). */
int store_postgres_conn_deleted(struct pg_store *p, const PGresult *res, const char *project_id,
                                const char *id);
/* The steps of store_conn_insert inside an open transaction, and the event ev (NULL or no
 * message: none) appended to the new connection's log: one pipeline (one round trip). */
int store_postgres_conn_insert_tx(struct pg_store *p, const struct store_conn_row *row,
                                  const struct store_claim *claims, size_t n_claims,
                                  const struct store_event *ev);
/* The compare-and-set update of a connection's mutable columns inside an open transaction
 * (store_conn_update_if without claims or event): -ENOENT if absent or not matching *from. */
int store_postgres_conn_cas_tx(struct pg_store *p, const struct store_conn_row *row,
                               const struct store_conn_expect *from);
/* values[0..n) as a PostgreSQL text[] literal into out (nothing for n 0: the caller passes
 * NULL). */
int store_postgres_text_array(const char *const *values, size_t n, struct buf *out);
/* Walks a page result fetched with limit + 1 rows whose columns at_col / id_col hold the order
 * key (created_at, id): calls emit for each row of the page, writes the count and the next
 * marker (store/store_marker.h). */
int store_postgres_page(struct pg_store *p, const PGresult *res, int at_col, int id_col,
                        size_t limit, int (*emit)(void *ud, const PGresult *res, int row, size_t i),
                        void *ud, size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN]);

/* pg_lifecycle.c, pg_monitor.c */
int store_postgres_conn_insert_batch(struct store *s, const struct store_conn_new *items, size_t n,
                                     size_t *ret_failed);
int store_postgres_conn_update_if(struct store *s, const struct store_conn_row *row,
                                  const struct store_conn_expect *from,
                                  const struct store_claim *claims, size_t n_claims,
                                  const struct store_event *ev);
int store_postgres_conn_delete_if(struct store *s, const char *project_id, const char *id,
                                  const char *from_status);
int store_postgres_conn_events(struct store *s, const char *project_id, const char *id,
                               int (*cb)(void *ud, const struct store_event *ev), void *ud);
int store_postgres_monitor_insert(struct store *s, const struct store_monitor_row *m,
                                  const struct store_conn_row *conn,
                                  const struct store_conn_expect *from);
int store_postgres_monitor_get(struct store *s, const char *project_id, const char *id,
                               struct store_monitor_row *ret);
int store_postgres_monitor_list(struct store *s, const char *project_id,
                                const struct store_monitor_filter *f,
                                int (*cb)(void *ud, const struct store_monitor_row *m), void *ud);
int store_postgres_monitor_delete(struct store *s, const char *project_id, const char *id,
                                  const struct store_conn_row *conn,
                                  const struct store_conn_expect *from);
int store_postgres_monitor_due_list(struct store *s, int64_t now, size_t max,
                                    struct store_due *out, size_t *ret_n);
int store_postgres_monitor_set_status(struct store *s, const char *project_id, const char *id,
                                      const char *from, const char *to, int64_t status_due);
/* pg_tags.c */
int store_postgres_tags_get(struct store *s, enum store_res_type type, const char *project_id,
                            const char *id, int (*cb)(void *ud, const char *key, const char *value),
                            void *ud);
int store_postgres_tags_project(struct store *s, enum store_res_type type, const char *project_id,
                                int (*cb)(void *ud, const char *key, const char *value), void *ud);
int store_postgres_tags_write_spec(struct store *s, enum store_res_type type,
                                   const char *project_id, const char *id, const char *old_spec,
                                   const char *spec, const char *doc);
int store_postgres_tags_filter(struct store *s, enum store_res_type type, const char *project_id,
                               const struct store_tag_filter *f, size_t limit, size_t offset,
                               int (*cb)(void *ud, const char *id, const char *name,
                                         const char *key, const char *value),
                               void *ud, int64_t *ret_total);
/* pg_cgw.c */
int store_postgres_cgw_list(struct store *s, const char *project_id,
                            const struct store_cgw_filter *f, size_t limit,
                            int (*cb)(void *ud, const struct store_cgw_row *row), void *ud,
                            size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN],
                            int64_t *ret_total);
int store_postgres_cgw_update(struct store *s, const struct store_cgw_row *row);
int store_postgres_vgw_conns_stamp(struct store *s, const char *project_id, const char *vgw_id,
                                   struct store_vgw_conns *ret);
int store_postgres_vgw_update(struct store *s, const struct store_vgw_update *u,
                              size_t *ret_released_index);
/* pg_bulk.c */
int store_postgres_bulk_begin(struct store *s);
int store_postgres_bulk_end(struct store *s, bool commit);
/* Inside a bulk load, adds the counter deltas gathered so far to the counters (a read of them
 * sees the load's writes); outside one, nothing. */
int store_postgres_bulk_fold(struct pg_store *p);
int store_postgres_dump(struct store *s, const struct store_dump_cbs *cbs, void *ud);

/* The control table, reset and ping (pg_control.c). */
int store_postgres_ctl_get(struct store *s, const char *key, struct buf *value, int64_t *ret_n);
int store_postgres_ctl_list(struct store *s, const char *prefix,
                            int (*cb)(void *ud, const struct store_ctl_row *row), void *ud);
int store_postgres_ctl_put(struct store *s, const char *key, const char *value, int64_t n);
int store_postgres_ctl_delete(struct store *s, const char *key, bool prefix, int64_t *ret_n);
int store_postgres_ctl_add(struct store *s, const char *key, int64_t delta, int64_t *ret_n);
int store_postgres_reset(struct store *s, const char *project_id);
int store_postgres_ping(struct store *s);

/* Status compare-and-sets (pg_lifecycle.c): one transaction per item. */
int store_postgres_conn_set_status(struct store *s, struct store_conn_status *items, size_t n);

#endif
