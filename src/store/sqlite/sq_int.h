/* store/sqlite/sq_int.h: the SQLite backend's handle and helpers, shared by its files. */
#ifndef VPND_STORE_SQ_INT_H
#define VPND_STORE_SQ_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store_backend.h"
#include "util/macro.h"

/* The cached statements: prepared once at open (store_sqlite_sql[] holds their text), reset and
 * unbound after every use. */
enum sq_stmt {
    SQ_BEGIN,
    SQ_BEGIN_READ,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_VGW_INSERT,
    SQ_VGW_GET,
    SQ_VGW_EXISTS,
    SQ_VGW_USE,
    SQ_VGW_RELEASE,
    SQ_CGW_INSERT,
    SQ_CGW_GET,
    SQ_CONN_INSERT,
    SQ_CONN_GET_DOC,
    SQ_CONN_GET,
    SQ_CONN_UPDATE,
    SQ_CONN_DELETE,
    SQ_CONN_LIST,
    SQ_CLAIM_INSERT,
    SQ_CLAIM_RELEASE,
    SQ_CLAIMS_LIST,
    SQ_DUE_LIST,
    SQ_VGW_SET_STATUS,
    SQ_VGW_USED,
    SQ_VGW_DELETE,
    SQ_CGW_USERS,
    SQ_CGW_DELETE,
    SQ_PROJECT_COUNTS,
    SQ_VGW_LIST,
    /* tag index sync (sq_tags.c): three steps per resource table, in enum store_res_type order */
    SQ_TAG_SYNC_FIRST,
    SQ_TAG_SYNC_LAST = SQ_TAG_SYNC_FIRST + 8,
    /* gateway update, customer-gateway list and update */
    SQ_CGW_LIST,
    SQ_CGW_LIST_ONE,
    SQ_CGW_COUNT,
    SQ_CGW_UPDATE,
    SQ_VGW_UPDATE,
    SQ_VGW_CAPACITY,
    SQ_VGW_IP_USERS,
    /* connection lists through the filter's own index; total_count from conn_count */
    SQ_CONN_LIST_BY_VGW,
    SQ_CONN_LIST_BY_VGW_IP,
    SQ_CONN_TOTAL,
    SQ_CONN_COUNT_BY_VGW,
    SQ_CONN_COUNT_BY_VGW_IP,
    /* quota checks inside the insert transactions (store_set_quotas) */
    SQ_QUOTA_USED_GATEWAYS,
    SQ_QUOTA_USED_CONNECTIONS,
    SQ_N_STMT
};

/* Group commit (sq_group.c): off; armed (store_group_begin, no write yet); open (the group's
 * transaction is open); broken (SQLite rolled it back: every later op and the end fail). */
enum sq_group_state { SQ_GROUP_OFF, SQ_GROUP_ARMED, SQ_GROUP_OPEN, SQ_GROUP_BROKEN };

struct sq_store {
    struct store base; /* first: struct store * and struct sq_store * convert both ways */
    sqlite3 *db;
    int schema_version;
    sqlite3_stmt *stmt[SQ_N_STMT];
    char errmsg[512];
    int last_fail_rc;     /* of the last store_sqlite_fail: why SQLite may have rolled back */
    struct sq_bulk *bulk; /* non-NULL while a bulk load is open (sq_bulk.c) */
    struct sq_batch *batch; /* read batching (sq_batch.c): NULL until the first batch */
    sqlite3_stmt **once;    /* SQ_ONCE statements, prepared at first use, finalized at close */
    size_t n_once, cap_once;
    struct sq_ckpt *ckpt; /* the checkpointer thread (sq_checkpoint.c): NULL until started */
    struct sq_zip *zip;   /* compressed documents (sq_zip.c): NULL until the schema is current */
    enum sq_group_state group;
    bool group_op;    /* an op of the group is under way (begin ... commit/rollback) */
    bool group_first; /* ... and it is the group's first write: no savepoint (sq_group.c) */
};

extern const char *const store_sqlite_sql[SQ_N_STMT];

static inline struct sq_store *sq_from(struct store *s)
{
    return (struct sq_store *)s;
}

/* Maps a failed SQLite result code to the store contract (BUSY/LOCKED -EBUSY, NOMEM -ENOMEM,
 * UNIQUE/PRIMARYKEY -EEXIST, FOREIGNKEY -ENOENT, anything else -EIO) and records
 * "what: sqlite message" in q->errmsg. Call before the statement is reset. */
int store_sqlite_fail(struct sq_store *q, int rc, const char *what);
/* Records "what: fmt..." in q->errmsg and returns -EIO (corrupt or unexpected data). */
int store_sqlite_corrupt(struct sq_store *q, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Transactions. begin takes the write lock at once (BEGIN IMMEDIATE), so a write never fails
 * half-way on lock contention; begin_read starts a read snapshot. rollback is a no-op when no
 * transaction is open (SQLite already rolled it back after some errors). */
int store_sqlite_begin(struct sq_store *q, const char *what);
int store_sqlite_begin_read(struct sq_store *q, const char *what);
int store_sqlite_commit(struct sq_store *q, const char *what);
void store_sqlite_rollback(struct sq_store *q);

/* Returns the cached statement id, to be held in a _cleanup_(store_sqlite_stmt_donep) local. */
static inline sqlite3_stmt *store_sqlite_stmt(struct sq_store *q, enum sq_stmt id)
{
    return q->stmt[id];
}
/* Resets *p and clears its bindings (cleanup for a statement local); NULL is a no-op. */
void store_sqlite_stmt_donep(sqlite3_stmt **p);
/* Declares a local holding cached statement id of q, reset and unbound when it leaves scope. */
#define SQ_STMT(name, q, id)                                                                       \
    _cleanup_(store_sqlite_stmt_donep) sqlite3_stmt *name = store_sqlite_stmt(q, id)

/* Binds parameters 1.. of st, one per character of types: 's' a const char * (borrowed until
 * the statement is reset; NULL binds SQL NULL), 'z' a connection's JSON spec or doc, stored
 * compressed (store_sqlite_bind_json), 'I' an int64_t. */
int store_sqlite_bind(struct sq_store *q, sqlite3_stmt *st, const char *what, const char *types,
                      ...);
/* Copies text column col into dst (size bytes, NUL included); -EIO if it does not fit. */
int store_sqlite_col_copy(struct sq_store *q, sqlite3_stmt *st, int col, char *dst, size_t size);
/* Returns a malloc'd copy of text column col in *ret; -ENOMEM. */
int store_sqlite_col_dup(struct sq_store *q, sqlite3_stmt *st, int col, char **ret);
/* Steps a statement that returns no row. */
int store_sqlite_exec(struct sq_store *q, sqlite3_stmt *st, const char *what);
/* Appends the served doc of the current row of st, whose columns col and col + 1 are doc and
 * status (model_conn_serve). */
int store_sqlite_serve_doc(struct sq_store *q, sqlite3_stmt *st, int col, struct buf *out,
                           const char *what);

/* sq_zip.c: connection specs and docs stored compressed. bind_json binds text (NULL: SQL NULL)
 * as a compressed BLOB (an SQLite result code). col_json reads column col, a compressed BLOB or
 * plain TEXT (an old row), as JSON text borrowed until the next col_json or vpnd_json call on
 * q (or the statement's next step); col_json_dup returns a malloc'd copy. Both: 0, -ENOMEM, or
 * -EIO (q->errmsg) for a NULL or corrupt value. register_zip adds the SQL functions vpnd_json(x)
 * (the text of a spec or doc column), vpnd_zip(x) (its compressed form: store_compact) and
 * vpnd_zdict_build() (the migration's dictionary) to
 * q->db before the migrations run; zip_init reads the store's dictionaries after them. */
int store_sqlite_bind_json(struct sq_store *q, sqlite3_stmt *st, int i, const char *text);
int store_sqlite_col_json(struct sq_store *q, sqlite3_stmt *st, int col, const char **ret,
                          size_t *ret_len);
int store_sqlite_col_json_dup(struct sq_store *q, sqlite3_stmt *st, int col, char **ret);
int store_sqlite_register_zip(struct sq_store *q);
int store_sqlite_compact(struct store *s, size_t batch, size_t *ret_rows);
int store_sqlite_zip_init(struct sq_store *q, char *errbuf, size_t errlen);
void store_sqlite_zip_free(struct sq_store *q);

/* Schema: brings q->db to the newest schema this binary knows, one transaction per step, and
 * sets q->schema_version. -EIO (errbuf says why) if the database is newer than the binary. */
int store_sqlite_migrate(struct sq_store *q, char *errbuf, size_t errlen);

/* sq_key.c: the connection lookup key (vpn_connection.gkey) and its SQL function */
int64_t store_sqlite_conn_key(const char *project_id, size_t plen, const char *id, size_t ilen);
int store_sqlite_register_key(sqlite3 *db);
/* Binds SQ_CONN_GET_DOC's parameters (project_id, id and their key); an SQLite result code. */
int store_sqlite_bind_get_doc(sqlite3_stmt *st, const char *project_id, const char *id);
/* sq_vgw_update.c: store_vgw_conns_stamp */
int store_sqlite_vgw_conns_stamp(struct store *s, const char *project_id, const char *vgw_id,
                                 struct store_vgw_conns *ret);

/* The operations, one file per concern (sq_rows.c, sq_list.c). */
int store_sqlite_vgw_insert(struct store *s, const struct store_vgw_row *row,
                            const struct store_claim *claims, size_t n_claims);
int store_sqlite_vgw_get(struct store *s, const char *project_id, const char *id,
                         struct store_vgw_row *ret);
int store_sqlite_cgw_insert(struct store *s, const struct store_cgw_row *row);
int store_sqlite_cgw_get(struct store *s, const char *project_id, const char *id,
                         struct store_cgw_row *ret);
int store_sqlite_conn_insert(struct store *s, const struct store_conn_row *row,
                             const struct store_claim *claims, size_t n_claims);
int store_sqlite_conn_get_doc(struct store *s, const char *project_id, const char *id,
                              struct buf *out);
int store_sqlite_conn_get(struct store *s, const char *project_id, const char *id,
                          struct store_conn_row *ret);
int store_sqlite_conn_update(struct store *s, const struct store_conn_row *row,
                             const struct store_claim *claims, size_t n_claims);
int store_sqlite_conn_delete(struct store *s, const char *project_id, const char *id);
int store_sqlite_conn_list(struct store *s, const char *project_id,
                           const struct store_conn_filter *f, size_t limit, struct buf *out,
                           size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN],
                           int64_t *ret_total);
int store_sqlite_due_list(struct store *s, int64_t now, size_t max, struct store_due *out,
                          size_t *ret_n);
int store_sqlite_vgw_set_status(struct store *s, const char *project_id, const char *id,
                                const char *from, const char *to, int64_t status_due,
                                int64_t updated_at);
int store_sqlite_vgw_delete(struct store *s, const char *project_id, const char *id,
                            int64_t *ret_users);
int store_sqlite_cgw_delete(struct store *s, const char *project_id, const char *id,
                            int64_t *ret_users);
int store_sqlite_project_counts(struct store *s, const char *project_id,
                                struct store_counts *ret);
int store_sqlite_vgw_list(struct store *s, const char *project_id,
                          int (*cb)(void *ud, const struct store_vgw_row *row), void *ud);
int store_sqlite_claims_list(struct store *s, const char *kind, struct buf *out, size_t *ret_n);

/* ---- shared by the write transactions of sq_rows.c and sq_lifecycle.c / sq_monitor.c ---- */

/* Commits if r is 0, else (or if the commit fails) rolls back. Returns the outcome. */
int store_sqlite_end(struct sq_store *q, int r, const char *what);
/* Steps a single-row SELECT: 1 = a row is ready, -ENOENT = none, or an error. */
int store_sqlite_step_row(struct sq_store *q, sqlite3_stmt *st, const char *what);
/* Takes n claims owned by owner_id / releases every claim owner_id holds. */
int store_sqlite_take_claims(struct sq_store *q, const struct store_claim *claims, size_t n,
                             const char *owner_id);
int store_sqlite_release_claims(struct sq_store *q, const char *owner_id);
/* The steps of store_conn_insert inside an open transaction. */
int store_sqlite_conn_insert_tx(struct sq_store *q, const struct store_conn_row *row,
                                const struct store_claim *claims, size_t n_claims);

/* Feature statements not in the cached table: prepared at their first use and kept in q's
 * statement cache (looked up by SQL text; a second statement is prepared when the cached one is
 * still stepping, so nested uses of one text work), reset and unbound by the _cleanup_ of an
 * SQ_ONCE local, finalized at close. *ret is NULL on failure. */
int store_sqlite_prepare_once(struct sq_store *q, const char *sql, sqlite3_stmt **ret,
                              const char *what);
#define SQ_ONCE(name) _cleanup_(store_sqlite_stmt_donep) sqlite3_stmt *name = NULL

/* sq_batch.c: store_read_batch. conn_get_doc answers through the batch's own read-only handle
 * while a batch is on (returns 1 when it did not: the caller reads through q->db). */
void store_sqlite_read_batch(struct store *s, bool on);
int store_sqlite_batch_get_doc(struct sq_store *q, const char *project_id, const char *id,
                               struct buf *out);
void store_sqlite_batch_free(struct sq_store *q);

/* sq_json.c: true when every one of the n top-level members keys is absent from both JSON
 * objects a and b or present once in each with byte-equal values; false otherwise, or when
 * either text is not a plain object (the caller then assumes a change). */
bool store_sqlite_same_members(const char *a, const char *b, const char *const *keys, size_t n);
/* Finds the top-level members keys[0..n) of object json in one pass: out[i] gets the text of
 * member keys[i]'s value (trailing blanks included) or found = false. 0, or -1 if the text is
 * not a plain object or holds one of the keys twice. */
#define SQ_MAX_MEMBERS 4
struct sq_member {
    const char *val;
    size_t len;
    bool found;
};
int store_sqlite_members(const char *json, const char *const *keys, size_t n,
                         struct sq_member *out);
/* sq_tags_new.c: store_sqlite_tags_sync for a resource just inserted with this spec and
 * created_at; the same index rows, without parsing the spec when it has no tags. */
int store_sqlite_tags_sync_new(struct sq_store *q, enum store_res_type type,
                               const char *project_id, const char *id, const char *spec,
                               int64_t created_at);

/* sq_lifecycle.c / sq_monitor.c */
int store_sqlite_conn_insert_batch(struct store *s, const struct store_conn_new *items, size_t n,
                                   size_t *ret_failed);
int store_sqlite_conn_update_if(struct store *s, const struct store_conn_row *row,
                                const struct store_conn_expect *from,
                                const struct store_claim *claims, size_t n_claims,
                                const struct store_event *ev);
int store_sqlite_conn_delete_if(struct store *s, const char *project_id, const char *id,
                                const char *from_status);
int store_sqlite_conn_events(struct store *s, const char *project_id, const char *id,
                             int (*cb)(void *ud, const struct store_event *ev), void *ud);
int store_sqlite_monitor_insert(struct store *s, const struct store_monitor_row *m,
                                const struct store_conn_row *conn,
                                const struct store_conn_expect *from);
int store_sqlite_monitor_get(struct store *s, const char *project_id, const char *id,
                             struct store_monitor_row *ret);
int store_sqlite_monitor_list(struct store *s, const char *project_id,
                              const struct store_monitor_filter *f,
                              int (*cb)(void *ud, const struct store_monitor_row *m), void *ud);
int store_sqlite_monitor_delete(struct store *s, const char *project_id, const char *id,
                                const struct store_conn_row *conn,
                                const struct store_conn_expect *from);
int store_sqlite_monitor_due_list(struct store *s, int64_t now, size_t max,
                                  struct store_due *out, size_t *ret_n);
int store_sqlite_monitor_set_status(struct store *s, const char *project_id, const char *id,
                                    const char *from, const char *to, int64_t status_due);
/* Inside an open transaction: the compare-and-set update of a connection's mutable columns
 * (store_conn_update_if without claims or event). */
int store_sqlite_conn_cas_tx(struct sq_store *q, const struct store_conn_row *row,
                             const struct store_conn_expect *from);
/* Tags (sq_tags.c). tags_sync re-indexes one resource (its name and tags, read from its spec;
 * store.h "tags"): every operation that inserts a row or writes its spec calls it in the same
 * transaction, after the write. Deletes need nothing: triggers drop the index rows. */
int store_sqlite_tags_sync(struct sq_store *q, enum store_res_type type, const char *project_id,
                           const char *id);
int store_sqlite_tags_get(struct store *s, enum store_res_type type, const char *project_id,
                          const char *id, int (*cb)(void *ud, const char *key, const char *value),
                          void *ud);
int store_sqlite_tags_project(struct store *s, enum store_res_type type, const char *project_id,
                              int (*cb)(void *ud, const char *key, const char *value), void *ud);
int store_sqlite_tags_write_spec(struct store *s, enum store_res_type type,
                                 const char *project_id, const char *id, const char *old_spec,
                                 const char *spec, const char *doc);
int store_sqlite_tags_filter(struct store *s, enum store_res_type type, const char *project_id,
                             const struct store_tag_filter *f, size_t limit, size_t offset,
                             int (*cb)(void *ud, const char *id, const char *name,
                                       const char *key, const char *value),
                             void *ud, int64_t *ret_total);
/* Steps st, a page query bound with limit + 1 whose columns at_col and id_col hold the order key
 * (created_at, id), and calls emit for each row of the page (i = 0..); stops on emit's negative
 * value. Writes the count and the next marker (store/store_marker.h) on success. */
int store_sqlite_page(struct sq_store *q, sqlite3_stmt *st, int at_col, int id_col,
                      size_t limit, int (*emit)(void *ud, sqlite3_stmt *st, size_t i), void *ud,
                      size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN], const char *what);


/* sq_cgw.c, sq_vgw_update.c */
int store_sqlite_cgw_list(struct store *s, const char *project_id,
                          const struct store_cgw_filter *f, size_t limit,
                          int (*cb)(void *ud, const struct store_cgw_row *row), void *ud,
                          size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN],
                          int64_t *ret_total);
int store_sqlite_cgw_update(struct store *s, const struct store_cgw_row *row);
int store_sqlite_vgw_update(struct store *s, const struct store_vgw_update *u,
                            size_t *ret_released_index);
/* Bulk load and dump (sq_bulk.c, sq_dump.c). While q->bulk is set, store_sqlite_begin /
 * begin_read / commit / rollback become a savepoint, its release and its rollback inside the
 * bulk transaction (store_sqlite_bulk_tx). */
int store_sqlite_bulk_begin(struct store *s);
int store_sqlite_bulk_end(struct store *s, bool commit);
int store_sqlite_bulk_batch(struct store *s);
int store_sqlite_bulk_undo(struct store *s);
/* sq_lease.c */
int store_sqlite_leases_take(struct store *s, const char *node, int64_t now, int64_t until,
                             struct buf *out, size_t *ret_n);
int store_sqlite_lease_get(struct store *s, const char *project_id, const char *vgw_id,
                           char ret_node[STORE_NODE_LEN], int64_t *ret_until);
/* sq_group.c: group commit (store_group_begin, store_group_pending, store_group_end). While a
 * group is open (or armed, for a write op), store_sqlite_begin, commit and rollback run the op
 * in a savepoint of the group's transaction through store_sqlite_group_tx. */
int store_sqlite_group_begin(struct store *s);
bool store_sqlite_group_pending(struct store *s);
int store_sqlite_group_end(struct store *s);
enum sq_group_op { SQ_GROUP_SAVEPOINT, SQ_GROUP_RELEASE, SQ_GROUP_ROLLBACK_TO };
int store_sqlite_group_tx(struct sq_store *q, enum sq_group_op op, const char *what);

enum sq_bulk_op { SQ_BULK_SAVEPOINT, SQ_BULK_RELEASE, SQ_BULK_ROLLBACK_TO };
int store_sqlite_bulk_tx(struct sq_store *q, enum sq_bulk_op op, const char *what);
void store_sqlite_bulk_free(struct sq_store *q);
/* Counts an inserted connection in conn_count while a bulk load has its counting trigger
 * dropped (sq_bulk.c); 0 without a load. */
int store_sqlite_bulk_count(struct sq_store *q, const char *project_id,
                            const char *enterprise_project_id);
int store_sqlite_dump(struct store *s, const struct store_dump_cbs *cbs, void *ud);

/* sq_json.c: appends v[0..n) to out as a JSON array of strings (a filter bound for json_each());
 * out stays as it is for n = 0 (bind NULL: no filter). 0 or -ENOMEM. */
int store_sqlite_json_strings(const char *const *v, size_t n, struct buf *out);

/* Status compare-and-sets (sq_status.c). */
int store_sqlite_conn_set_status(struct store *s, struct store_conn_status *items, size_t n);

/* The control table, reset and ping (sq_control.c). */
int store_sqlite_ctl_get(struct store *s, const char *key, struct buf *value, int64_t *ret_n);
int store_sqlite_ctl_list(struct store *s, const char *prefix,
                          int (*cb)(void *ud, const struct store_ctl_row *row), void *ud);
int store_sqlite_ctl_put(struct store *s, const char *key, const char *value, int64_t n);
int store_sqlite_ctl_delete(struct store *s, const char *key, bool prefix, int64_t *ret_n);
int store_sqlite_ctl_add(struct store *s, const char *key, int64_t delta, int64_t *ret_n);
int store_sqlite_reset(struct store *s, const char *project_id);
int store_sqlite_ping(struct store *s);

/* WAL checkpoints off the committing thread (sq_checkpoint.c): init after the journal mode is
 * WAL (replaces the automatic checkpoint); free before the main connection closes. */
#define SQ_WAL_KEEP_BYTES 8650752 /* 8.25 MiB: the WAL's size when it starts over */
/* Free disk space the store needs beyond its data (README): the WAL up to the inline checkpoint
 * plus one transaction, and the database file's growth by the pages a checkpoint copies. */
#define STORE_SQLITE_HEADROOM_MIB 20
#define SQ_STR_(x) #x
#define SQ_STR(x) SQ_STR_(x)
void store_sqlite_ckpt_init(struct sq_store *q);
void store_sqlite_ckpt_free(struct sq_store *q);

#endif
