/* store/store.h: the persistence contract. No HTTP, no SQL above this line.
 *
 * A store holds three kinds of rows. Each row carries the columns the server filters, counts
 * or joins on, plus opaque text documents produced by the model layer:
 *   spec - the internal JSON form (model_*_to_internal), psk included: source of truth;
 *   doc  - for connections only, the rendered response object, served by GET.
 * A row's status is kept once, in its status column: neither document holds it. A connection's
 * doc is served with its status column put in (model_conn_serve), so a status change writes one
 * column and no document.
 *
 * Every write is one transaction: either all of it is visible or none of it.
 * Errors: 0 on success; -ENOENT (no such row in that project), -EEXIST (a unique claim or id
 * is taken), -EOVERFLOW (gateway capacity reached), -ENOSPC (the store's disk is full: nothing
 * was written; store_errmsg names the file), -ENOTEMPTY (still used by connections),
 * -EAGAIN (a compare-and-set lost: the row's status is no longer the expected one),
 * -EBUSY (retry later), -ENOMEM, -EIO (detail in
 * store_errmsg), -EINVAL (bad argument: URL, marker). Rows of one project are never visible
 * through another project's id. Ids are server-generated UUIDs, unique within a project.
 *
 * A store handle is used by one thread at a time.
 */
#ifndef VPND_STORE_H
#define VPND_STORE_H

#include "util/buf.h"
#include "util/metrics.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* A value that must be unique within its kind across the whole store, owned by one row and
 * released when that row is deleted: EIP ids and addresses, private IPs, tunnel /30s of a
 * gateway ("tunnel:<vgw_id>" / "169.254.56.224/30"). */
struct store_claim {
    const char *kind;
    const char *value;
};

struct store_vgw_row {
    char project_id[65];
    char id[37];
    char status[24];
    char enterprise_project_id[37];
    int64_t connection_number;
    int64_t used_connection_number; /* maintained by the store; ignored on insert (starts 0) */
    int64_t status_due; /* ms since epoch when the status engine acts next; 0 = nothing pending */
    int64_t created_at;
    int64_t updated_at;
    char *spec; /* owned: malloc'd by *_get, caller frees; borrowed on insert */
};

struct store_cgw_row {
    char project_id[65];
    char id[37];
    int64_t created_at;
    int64_t updated_at;
    char *spec;
};

struct store_conn_row {
    char project_id[65];
    char id[37];
    char vgw_id[37];
    char cgw_id[37];
    char vgw_ip[40]; /* EIP id, or a private IPv4 / IPv6 (RFC 5952) address */
    char enterprise_project_id[37];
    char status[24];
    int64_t status_due; /* ms since epoch when the status engine acts next; 0 = nothing pending */
    int64_t created_at;
    int64_t updated_at;
    char *spec; /* internal JSON, psk included */
    char *doc;  /* rendered response object, without its status */
};

/* Opens (creating if needed) the store at url: a file path, "sqlite:PATH", "sqlite::memory:", or
 * a libpq URL "postgres://..." / "postgresql://..." (any other "scheme:" is -EINVAL). Applies pending migrations, each in
 * one transaction. On failure writes a reason into errbuf and returns -EINVAL (bad url), -EBUSY,
 * -EIO (also: the store's schema is newer than this binary) or -ENOMEM. */
int store_open(const char *url, struct store **ret, char *errbuf, size_t errlen);
void store_close(struct store *s); /* NULL is a no-op */
/* Detail of the last -EIO, for the log. Never NULL. */
const char *store_errmsg(struct store *s);
/* Schema version of the opened store. */
int store_schema_version(struct store *s);

/* Inserts the gateway and its claims (owned by row->id) atomically. -EEXIST if the id or any
 * claim is taken. */
int store_vgw_insert(struct store *s, const struct store_vgw_row *row,
                     const struct store_claim *claims, size_t n_claims);
/* Reads one gateway; ret->spec is malloc'd. -ENOENT if absent in that project. */
int store_vgw_get(struct store *s, const char *project_id, const char *id,
                  struct store_vgw_row *ret);

/* Inserts a customer gateway. -EEXIST if the id is taken. */
/* Calls cb with each gateway of the project, newest first; row->spec is borrowed for the call.
 * Stops and returns cb's value when it is negative. */
int store_vgw_list(struct store *s, const char *project_id,
                   int (*cb)(void *ud, const struct store_vgw_row *row), void *ud);

int store_cgw_insert(struct store *s, const struct store_cgw_row *row);
/* Reads one customer gateway; ret->spec is malloc'd. -ENOENT if absent in that project. */
int store_cgw_get(struct store *s, const char *project_id, const char *id,
                  struct store_cgw_row *ret);

/* Creates a connection in one transaction: the gateway (same project) must exist (-ENOENT),
 * be ACTIVE (-EAGAIN: a gateway update may be moving its EIPs or subnets)
 * and have used_connection_number < connection_number (-EOVERFLOW), which is incremented; the
 * claims are taken, owned by row->id (-EEXIST); the row is inserted (-EEXIST for a duplicate
 * id, -ENOENT if the customer gateway is absent in that project). */
int store_conn_insert(struct store *s, const struct store_conn_row *row,
                      const struct store_claim *claims, size_t n_claims);
/* The hot path: appends the connection's served doc (model_conn_serve of its doc and status
 * column) to out. -ENOENT if absent in that project. */
int store_conn_get_doc(struct store *s, const char *project_id, const char *id, struct buf *out);
/* Reads the whole row; ret->spec and ret->doc are malloc'd. -ENOENT if absent in that project. */
int store_conn_get(struct store *s, const char *project_id, const char *id,
                   struct store_conn_row *ret);
/* Lists the values of one claim kind (e.g. the tunnel /30s taken on a gateway), appending each
 * as a NUL-terminated string to out; *ret_n gets the count. */
int store_claims_list(struct store *s, const char *kind, struct buf *out, size_t *ret_n);

/* Replaces a connection's mutable columns (status, status_due, updated_at, spec, doc, cgw_id;
 * the other columns of row only select it) in one transaction. If claims is non-NULL, the
 * connection's claims are replaced by these n_claims (the old ones released first). -ENOENT if
 * the connection, or the customer gateway row->cgw_id names, is absent in that project; -EEXIST
 * if a claim is owned by another row. */
int store_conn_update(struct store *s, const struct store_conn_row *row,
                      const struct store_claim *claims, size_t n_claims);
/* Deletes a connection in one transaction: the row, its claims, and one unit of its gateway's
 * used_connection_number. -ENOENT if absent in that project. */
int store_conn_delete(struct store *s, const char *project_id, const char *id);

/* A page marker: "yyyy-MM-ddTHH:mm:ss.SSSZ" (the created_at of the last item, spec §1.6), with
 * "|<id>" appended only when the next item has the same created_at. NUL included. */
#define STORE_MARKER_LEN 64

/* Whether the item (created_at, id) comes after marker in that order (created_at, then id,
 * descending): on a page that follows the one marker ends. For the lists the service cuts from
 * rows it reads whole (jobs, certificates). A NULL or "" marker: every item. *ret is written
 * on success. 0, or -EINVAL for a marker that is no created_at (with its "|<id>"). */
int store_marker_passes(const char *marker, int64_t created_at, const char *id, bool *ret);

/* What store_conn_list matches; every NULL / zero member matches everything. */
struct store_conn_filter {
    const char *vgw_id;
    const char *vgw_ip;
    const char *const *enterprise_project_ids; /* any of these */
    size_t n_enterprise_project_ids;
    const char *marker; /* a next_marker of a previous page; NULL or "" = first page */
};

/* Lists a project's connections newest first (created_at, then id, descending), starting after
 * f->marker (f may be NULL). Appends up to limit served docs (as store_conn_get_doc) to out
 * separated by commas (the caller adds
 * the brackets); *ret_count gets their number; ret_next_marker gets the marker of the next page
 * or "" when this page is the last; *ret_total (if non-NULL) gets the number of connections that
 * match the filters, marker ignored. One read snapshot. On failure out is left as it was.
 * -EINVAL for a malformed marker. */
int store_conn_list(struct store *s, const char *project_id, const struct store_conn_filter *f,
                    size_t limit, struct buf *out, size_t *ret_count,
                    char ret_next_marker[STORE_MARKER_LEN], int64_t *ret_total);

/* Frees the documents a *_get filled in (fields set to NULL). */
void store_vgw_row_done(struct store_vgw_row *row);
void store_cgw_row_done(struct store_cgw_row *row);
void store_conn_row_done(struct store_conn_row *row);

/* Delete a gateway (and its claims) / a customer gateway in one transaction. -ENOENT if absent in
 * that project; -ENOTEMPTY while connections still use it (nothing is changed; *ret_users gets
 * how many). */
int store_vgw_delete(struct store *s, const char *project_id, const char *id,
                     int64_t *ret_users);
int store_cgw_delete(struct store *s, const char *project_id, const char *id,
                     int64_t *ret_users);

/* How many of each resource a project holds (quotas). */
struct store_counts {
    int64_t vpn_gateways;
    int64_t customer_gateways;
    int64_t vpn_connections;
};
int store_project_counts(struct store *s, const char *project_id, struct store_counts *ret);

/* ---- status engine queue ---- */

enum store_kind { STORE_KIND_VGW, STORE_KIND_CONN, STORE_KIND_MONITOR };

struct store_due {
    enum store_kind kind;
    char project_id[65];
    char id[37];
    char status[24];
    int64_t status_due; /* the due time read with the status */
};

/* Lists up to max rows (gateways and connections) whose status_due is set and <= now, oldest
 * first. */
int store_due_list(struct store *s, int64_t now, size_t max, struct store_due *out,
                   size_t *ret_n);
/* Moves a gateway from status `from` to `to` (compare-and-set, so one transition happens once
 * even with several engines running). -ENOENT if the gateway is gone or no longer in `from`. */
int store_vgw_set_status(struct store *s, const char *project_id, const char *id,
                         const char *from, const char *to, int64_t status_due,
                         int64_t updated_at);

/* ---- connection lifecycle: batch create, compare-and-set writes, event log ----
 *
 * Status transitions are compare-and-set: a write names the status (and optionally the exact
 * spec) it read, and applies only if the stored row still has it, so of two writers (two
 * engines, or an engine and a request, possibly on two nodes sharing one database) that read
 * the same row exactly one succeeds; the loser gets -ENOENT and re-reads to tell "gone" from
 * "changed". Deleting a connection by any op also deletes, in the same transaction, its
 * connection monitor and its event log. */

/* An entry of a connection's event log (what GET vpn-connection/{id}/log serves). */
struct store_event {
    int64_t at;          /* ms since epoch */
    const char *message; /* borrowed; NULL = no event */
};

/* What a compare-and-set expects to find in the stored connection. */
struct store_conn_expect {
    const char *status; /* required: the stored status must equal it */
    const char *spec;   /* NULL = not compared; else the stored spec must be byte-equal */
    /* 0 = not compared; else the connection's gateway (row->vgw_id) must still have this
     * updated_at: the write was validated against that gateway (local subnets), and a gateway
     * update in between makes it -ENOENT like any other mismatch. The backend holds the
     * gateway row against updates (a shared lock) until the commit. */
    int64_t vgw_updated_at;
};

/* One connection of a batch insert. */
struct store_conn_new {
    const struct store_conn_row *row;
    const struct store_claim *claims;
    size_t n_claims;
    struct store_event event; /* appended to the new connection's log (message NULL: none) */
};

/* Inserts n >= 1 connections in one transaction, each exactly as store_conn_insert would
 * (gateway slot taken, claims taken, row inserted, in array order, so two connections of one
 * gateway with one free slot left fail with -EOVERFLOW) and appends each one's event. On any
 * failure nothing is inserted and *ret_failed (if non-NULL) gets the index of the failing item. */
int store_conn_insert_batch(struct store *s, const struct store_conn_new *items, size_t n,
                            size_t *ret_failed);
/* Compare-and-set store_conn_update: replaces the mutable columns (and the claims if claims is
 * non-NULL) only if the stored connection matches *from; appends *ev (if non-NULL with a
 * message) to its log in the same transaction. -ENOENT if the connection is absent in that
 * project or does not match; -EEXIST as store_conn_update. */
int store_conn_update_if(struct store *s, const struct store_conn_row *row,
                         const struct store_conn_expect *from, const struct store_claim *claims,
                         size_t n_claims, const struct store_event *ev);
/* Compare-and-set store_conn_delete: deletes the connection (row, claims, monitor, events, one
 * unit of its gateway's used_connection_number) only while its status is from_status.
 * -ENOENT if absent in that project or in another status. */
int store_conn_delete_if(struct store *s, const char *project_id, const char *id,
                         const char *from_status);
/* Calls cb with each event of the connection, oldest first (ev->message borrowed for the
 * call); stops and returns cb's value when negative. -ENOENT if the connection is absent in
 * that project. One read snapshot. */
int store_conn_events(struct store *s, const char *project_id, const char *id,
                      int (*cb)(void *ud, const struct store_event *ev), void *ud);

/* ---- connection monitors (spec §5.1) ---- */

struct store_monitor_row {
    char project_id[65];
    char id[37];
    char vpn_connection_id[37];
    char enterprise_project_id[37]; /* the connection's */
    char status[24];
    char source_ip[40];
    char destination_ip[40];
    int64_t created_at;
    int64_t status_due; /* ms since epoch when the status engine acts next; 0 = nothing pending */
};

/* What store_monitor_list matches; NULL / zero members match everything. */
struct store_monitor_filter {
    const char *vpn_connection_id;
    const char *const *enterprise_project_ids; /* any of these */
    size_t n_enterprise_project_ids;
};

/* Inserts the monitor and, in the same transaction, replaces the mutable columns of its
 * connection with conn's (the re-rendered doc showing connection_monitor_id) as
 * store_conn_update_if does with *from. -ENOENT if the connection is absent or does not match
 * *from; -EEXIST if the connection already has a monitor or the id is taken. */
int store_monitor_insert(struct store *s, const struct store_monitor_row *m,
                         const struct store_conn_row *conn, const struct store_conn_expect *from);
/* Reads one monitor. -ENOENT if absent in that project. */
int store_monitor_get(struct store *s, const char *project_id, const char *id,
                      struct store_monitor_row *ret);
/* Calls cb with each matching monitor of the project, newest first; stops and returns cb's
 * value when negative. f may be NULL. */
int store_monitor_list(struct store *s, const char *project_id,
                       const struct store_monitor_filter *f,
                       int (*cb)(void *ud, const struct store_monitor_row *m), void *ud);
/* Deletes the monitor and, in the same transaction, replaces the mutable columns of its
 * connection (conn->id must be the monitor's vpn_connection_id) with conn's as
 * store_conn_update_if does with *from. -ENOENT if the monitor is absent in that project or
 * the connection does not match *from. */
int store_monitor_delete(struct store *s, const char *project_id, const char *id,
                         const struct store_conn_row *conn, const struct store_conn_expect *from);
/* The monitors' status engine queue: as store_due_list, for monitors (kind STORE_KIND_MONITOR)
 * whose status_due is set and <= now, oldest first. */
int store_monitor_due_list(struct store *s, int64_t now, size_t max, struct store_due *out,
                           size_t *ret_n);
/* Moves a monitor from status `from` to `to` (compare-and-set, as store_vgw_set_status).
 * -ENOENT if the monitor is gone or no longer in `from`. */
int store_monitor_set_status(struct store *s, const char *project_id, const char *id,
                             const char *from, const char *to, int64_t status_due);
/* ---- tags (spec §5.2) ----
 *
 * The tag index. A row's spec document may carry a top-level "name" string and a "tags" array
 * of {"key","value"} objects (the model's internal form; a missing "value" is ""); the store
 * mirrors both into an index of its own, in the same transaction as every insert, spec change
 * and delete of the row (by any operation, including those above), so the reads below never
 * parse a spec. A spec without a "tags" array has no tags; a repeated key keeps the last value.
 * The index is scoped like the rows: nothing of one project is visible through another's id. */

enum store_res_type {
    STORE_RES_VPN_GATEWAY,      /* "vpn-gateway": vpn_gateway rows */
    STORE_RES_CUSTOMER_GATEWAY, /* "customer-gateway": customer gateway rows */
    STORE_RES_VPN_CONNECTION,   /* "vpn-connection": connection rows */
};

/* Calls cb(ud, key, value) for each tag of one resource, by key (byte order); strings are
 * borrowed for the call. Stops and returns cb's value when it is negative. -ENOENT if the
 * resource is absent in that project. */
int store_tags_get(struct store *s, enum store_res_type type, const char *project_id,
                   const char *id, int (*cb)(void *ud, const char *key, const char *value),
                   void *ud);

/* Calls cb(ud, key, value) once for each distinct (key, value) pair used by the project's
 * resources of that type, by key then value (byte order). Stops on a negative cb value. */
int store_tags_project(struct store *s, enum store_res_type type, const char *project_id,
                       int (*cb)(void *ud, const char *key, const char *value), void *ud);

/* Replaces the spec of one resource (and, for a connection, its doc; doc must be NULL for the
 * other types) in one transaction, provided its spec is still byte-equal to old_spec; the tag
 * index follows. updated_at, status and every other column stay. -ENOENT if the resource is
 * absent in that project; -EBUSY if its spec changed since the caller read it (read again and
 * retry). */
int store_tags_write_spec(struct store *s, enum store_res_type type, const char *project_id,
                          const char *id, const char *old_spec, const char *spec,
                          const char *doc);

/* One tag condition: the resource has tag key, with any of values (n_values 0: any value). */
struct store_tag_match {
    const char *key;
    const char *const *values;
    size_t n_values;
};

/* What store_tags_filter matches; all conditions must hold. */
struct store_tag_filter {
    bool without_any_tag; /* only resources without tags; tags[] is then ignored */
    const struct store_tag_match *tags; /* every one must match */
    size_t n_tags;
    /* NULL: any name. Otherwise the name contains it, ASCII letters compared case-insensitively;
     * "" matches only an empty name. */
    const char *name_contains;
};

/* Matches the project's resources of that type against f (NULL matches all), newest first
 * (created_at, then id, descending), skips offset of them and reports up to limit: for each,
 * cb(ud, id, name, key, value) is called once per tag by key, or once with key and value NULL
 * for a resource without tags; the calls of one resource are consecutive. Strings are borrowed
 * for the call; a negative cb value stops the scan and is returned. *ret_total (if non-NULL)
 * gets the number of matching resources (offset and limit ignored). One read snapshot. limit 0
 * (cb may then be NULL) only counts. Conditions are answered from the index, not the specs. */
int store_tags_filter(struct store *s, enum store_res_type type, const char *project_id,
                      const struct store_tag_filter *f, size_t limit, size_t offset,
                      int (*cb)(void *ud, const char *id, const char *name, const char *key,
                                const char *value),
                      void *ud, int64_t *ret_total);
/* ---- customer gateway list and update, gateway update ---- */

/* What store_cgw_list matches; NULL members match everything. */
struct store_cgw_filter {
    const char *cgw_id; /* only this customer gateway */
    const char *marker; /* a next_marker of a previous page; NULL or "" = first page */
};

/* Lists a project's customer gateways newest first (created_at, then id, descending), starting
 * after f->marker (f may be NULL; markers as for store_conn_list). Calls cb with each of up to
 * limit rows, row->spec borrowed for the call; stops and returns cb's value when it is negative.
 * *ret_count gets the number of rows passed to cb; ret_next_marker the marker of the next page
 * or "" when this page is the last (also after a limit-0 page); *ret_total (if non-NULL) the
 * number of customer gateways that match f->cgw_id, marker ignored. One read snapshot; a page
 * costs O(limit) (index on (project_id, created_at DESC, id DESC)). -EINVAL for a malformed
 * marker. */
int store_cgw_list(struct store *s, const char *project_id, const struct store_cgw_filter *f,
                   size_t limit, int (*cb)(void *ud, const struct store_cgw_row *row), void *ud,
                   size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN], int64_t *ret_total);

/* Replaces a customer gateway's updated_at and spec (row->project_id and row->id select it;
 * created_at is kept) in one transaction. -ENOENT if absent in that project. */
int store_cgw_update(struct store *s, const struct store_cgw_row *row);

/* A gateway update (configuration or flavor), applied in one transaction:
 *  - the gateway row->project_id / row->id must exist (-ENOENT) and its status must still be
 *    from_status (compare-and-set against a concurrent update: -EAGAIN, nothing changed);
 *  - row->connection_number must be >= the gateway's used_connection_number (-EOVERFLOW);
 *  - no connection of the gateway may use any of the n_released vgw_ip values (the EIP ids or
 *    private IPs the update takes away): -ENOTEMPTY, *ret_released_index (if non-NULL) gets the
 *    index of the first value in use;
 *  - if claims is non-NULL the gateway's claims are replaced by these n_claims (the old ones
 *    released first); a claim owned by another row is -EEXIST;
 *  - if conns is non-NULL, the gateway's connections must still be what the caller checked
 *    the update against: store_vgw_conns_stamp, read inside the transaction after the gateway
 *    row is locked, must equal *conns, else -ESTALE (a connection was created, changed or
 *    removed meanwhile: check again);
 *  - then status, status_due, connection_number, updated_at and spec are written (the other
 *    columns of row only select it; used_connection_number and created_at stay). */
struct store_vgw_conns {
    int64_t n;              /* the gateway's connections */
    int64_t updated_at_sum; /* sum of their updated_at: moves with every create, PUT and delete */
    int64_t groups;         /* the customer gateways they use (used_connection_group); not
                               compared by store_vgw_update */
};
struct store_vgw_update {
    const struct store_vgw_row *row;
    const char *from_status;
    const struct store_vgw_conns *conns; /* NULL = not compared */
    const struct store_claim *claims; /* NULL = keep the current claims */
    size_t n_claims;
    const char *const *released; /* vgw_ip values no connection may use */
    size_t n_released;
};
int store_vgw_update(struct store *s, const struct store_vgw_update *u,
                     size_t *ret_released_index);
/* ---- bulk load and dump (vpnd import / vpnd export) ---- */

/* Starts a bulk load: one write transaction that spans every write call made on s until
 * store_bulk_end. Inside it each write op (store_vgw_insert, store_cgw_insert,
 * store_conn_insert, ...) keeps its own contract, checks and errors, and stays atomic on its
 * own: when it fails, only its own changes are undone and the load goes on. Reads see the
 * load's writes. Other handles see nothing of it until store_bulk_end commits. The backend
 * may trade memory for speed while the load is open (a larger page cache). -EBUSY if another
 * writer holds the store, -EINVAL if a bulk load is already open. */
int store_bulk_begin(struct store *s);
/* Ends the bulk load: commit true makes every write that succeeded visible at once (durable as
 * any commit), false discards all of them. With commit true, returns the commit's error
 * (then nothing is kept). -EINVAL if no bulk load is open. */
int store_bulk_end(struct store *s, bool commit);

/* What store_dump calls: one callback per kind, rows borrowed for the call (spec; a
 * connection's doc is NULL). A negative return stops the dump, which returns it. */
struct store_dump_cbs {
    int (*vgw)(void *ud, const struct store_vgw_row *row);
    int (*cgw)(void *ud, const struct store_cgw_row *row);
    int (*conn)(void *ud, const struct store_conn_row *row);
};
/* Calls the callbacks for every row of every project, in one read snapshot: all gateways, then
 * all customer gateways, then all connections, each kind ordered by project_id, created_at,
 * id (oldest first), so a dump read back in order creates what a row refers to before it. */
int store_dump(struct store *s, const struct store_dump_cbs *cbs, void *ud);

/* ---- quotas ---- */

/* Per-project limits (0 = none) that the insert operations enforce inside their own
 * transactions, so that racing creates (also on several nodes) never take a project beyond one:
 * store_vgw_insert, store_cgw_insert, store_conn_insert and store_conn_insert_batch fail with
 * -EDQUOT and change nothing when the project already holds that many (a batch counts each of
 * its items). Bulk loads are not limited unless set. Default: no limits. */
struct store_quotas {
    int64_t vpn_gateways;
    int64_t customer_gateways;
    int64_t vpn_connections;
};
void store_set_quotas(struct store *s, const struct store_quotas *q);

/* ---- what the calls cost (metrics) ---- */

/* Every call through store.h is timed; the failures of the server's kind are counted (the
 * contract's outcomes, -ENOENT, -EEXIST, ..., are not failures). */
struct store_stats {
    struct metrics_hist latency;
    uint64_t busy;  /* -EBUSY: lock wait, serialization */
    uint64_t io;    /* -EIO */
    uint64_t nomem; /* -ENOMEM */
    uint64_t full;  /* -ENOSPC: the store's disk is full */
};
const struct store_stats *store_stats(const struct store *s);
/* The backend's name: "sqlite", "postgres". */
const char *store_backend_name(const struct store *s);

/* ---- store URLs in logs ---- */

/* Copies url into out (size bytes, always NUL-terminated, cut if longer) with the password of a
 * "scheme://user:password@host..." URL replaced by "***", for messages. */
void store_url_redact(const char *url, char *out, size_t size);
/* The file a SQLite store URL names ("PATH" or "sqlite:PATH"; points into url), or NULL for
 * "sqlite::memory:" and every other backend. For messages about the file (vpnd export of a
 * store that does not exist, a directory vpnd may not write). */
const char *store_url_file(const char *url);
/* ---- read batching (one event-loop turn of the server) ---- */

/* store_read_batch(s, true) ... store_read_batch(s, false) brackets a run of requests (one
 * event-loop turn). In between, store_conn_get_doc may answer from one read snapshot taken at its
 * first call and kept open across calls, so consecutive GETs pay for one snapshot (SQLite: one
 * pair of lock calls) instead of one each. Every write committed through s in between is seen by
 * the following get_doc calls (read-your-writes holds); writes of other handles or processes
 * committed after the snapshot was taken are seen once the batch ends. Ending the batch releases
 * the snapshot: bracket only request processing, never idle waits (an open snapshot keeps a
 * checkpoint from completing). Optional for a backend (NULL op: every call reads fresh); nesting
 * is not supported (true twice = true once). */
void store_read_batch(struct store *s, bool on);

/* ---- group commit (the server's writes of one event-loop turn) ---- */

/* Arms a group: from here until store_group_end, the write ops made through s share one
 * transaction, opened by the first of them. Each op stays atomic on its own (one that fails
 * undoes only its own changes and returns its error as without a group), but none is durable,
 * nor visible to other handles or processes, until store_group_end returns 0: the caller must
 * hold whatever it answers for an op of the group (and for every read made through s after the
 * group's first write, which sees the group's writes) until then. Returns 1 when armed; 0 when
 * the backend has no groups (optional: every op commits on its own, as without this call) or a
 * bulk load is open. Arming an armed group keeps it. */
int store_group_begin(struct store *s);
/* Whether a group's transaction is open: some op wrote (or read after a write) since
 * store_group_begin, and its answer must wait for store_group_end. */
bool store_group_pending(struct store *s);
/* Ends the group: commits every op of it that succeeded, in one commit (durable as any single
 * commit is: the backend's durability setting). Returns 0 (also when nothing was written or
 * nothing was armed), or a negative errno (-EIO: store_errmsg says why; -EBUSY, -ENOMEM) after
 * which nothing of the group is kept, whatever the ops returned. */
int store_group_end(struct store *s);

/* Sets when a commit counts as done: full false (the default), once the commit is written to the
 * OS (it survives a crash of the process, not of the machine); full true, once it is on disk
 * (fsync: it survives power loss too). Optional for a backend: PostgreSQL's durability is the
 * server's own (synchronous_commit), and this is a no-op there. Returns 0 or -EIO. */
int store_set_sync(struct store *s, bool full);

/* ---- connection status changes (the status engine, the data plane) ---- */

/* One compare-and-set of a connection's status column. */
struct store_conn_status {
    const char *project_id, *id;
    const char *from;      /* the status the row must still have */
    int64_t from_due;      /* -1: not compared; else the row's status_due must still equal it */
    const char *to;
    int64_t due;           /* the new status_due (0: nothing pending) */
    struct store_event ev; /* appended to the connection's log with the change (message NULL:
                            * nothing) */
    int result;            /* written: 0 applied, -ENOENT absent or not matching from/from_due */
};
/* Applies every item, each a compare-and-set of its own: an item that does not match changes
 * nothing (result -ENOENT) and the others still apply. Only status and status_due change (no
 * document: the served doc takes its status from the column; updated_at stays). Returns 0, or a
 * negative errno from any other failure, after which results are not meaningful and the caller
 * retries later: the whole batch is one transaction (one commit for n items; on PostgreSQL the
 * rows are updated in (project_id, id) order, so nodes settling overlapping batches do not
 * deadlock), and nothing of it is kept on failure. */
int store_conn_set_status(struct store *s, struct store_conn_status *items, size_t n);

/* ---- the gateway's connections as a gateway update checked them ----
 *
 * A gateway update that changes local_subnets is validated against the peer subnets of the
 * gateway's connections, and a connection write against the gateway's local subnets: without
 * more, two such writes at one instant could each pass against the other's old state. The
 * gateway update compares store_vgw_conns_stamp (store_vgw_update.conns) and the connection
 * write the gateway's updated_at (store_conn_expect.vgw_updated_at), both inside their
 * transactions. */

/* Reads the count of gateway vgw_id's connections, the sum of their updated_at and the count of
 * the customer gateways they use. A gateway without connections (or absent) gives {0, 0, 0}. */
int store_vgw_conns_stamp(struct store *s, const char *project_id, const char *vgw_id,
                          struct store_vgw_conns *ret);

/* ---- bulk load batches (vpnd import) ---- */

/* Inside a bulk load (store_bulk_begin), starts a batch. Until the batch ends, write ops are no
 * longer undone one by one: an op that fails may leave part of its own changes in the load,
 * and the caller must then call store_bulk_undo before anything else (until it does, every
 * write op, store_bulk_batch and store_bulk_end(s, true) fail with -EIO and keep nothing of the
 * batch). Reads keep seeing every write of the load. Called while a batch is open, keeps that
 * batch's writes as part of the load and starts the next batch; store_bulk_end ends the open
 * batch with the load (commit keeps it, like every other write of the load). Returns 0;
 * -EOPNOTSUPP if the backend has no batches (every write op stays atomic on its own: the caller
 * goes on without them and never needs store_bulk_undo); -EINVAL if no bulk load is open; or a
 * store error. */
int store_bulk_batch(struct store *s);
/* Discards every write since the open batch began (the load's earlier writes stay) and ends
 * the batch: from here on each write op is atomic on its own again (store_bulk_begin), until
 * the next store_bulk_batch. -EINVAL if no batch is open. */
int store_bulk_undo(struct store *s);

/* ---- data-plane leases: which node drives a gateway's tunnels ----
 *
 * With several vpnd nodes driving IPsec daemons on one database, each gateway's connections are
 * loaded by exactly one node: the holder of the gateway's lease, a row (gateway, node,
 * expires_at). A node takes and renews leases with one call; a lease another node holds and
 * has not let expire is never taken, so of two nodes calling at once each gateway ends with one
 * holder. Times are the callers' clocks (ms since epoch): nodes must agree on time to well
 * within a lease. */

#define STORE_NODE_LEN 65 /* a node name, NUL included */

/* In one transaction: drops the leases of gateways that no longer exist; takes, for node, the
 * lease of every gateway that has none, whose lease expired (expires_at <= now) or that node
 * holds, to run until `until`; and appends every gateway node then holds to out as two
 * NUL-terminated strings, project_id then vgw_id (*ret_n gets how many gateways). -EINVAL for a
 * node name that is empty or longer than STORE_NODE_LEN - 1. */
int store_leases_take(struct store *s, const char *node, int64_t now, int64_t until,
                      struct buf *out, size_t *ret_n);
/* The holder of gateway (project_id, vgw_id)'s lease and its expiry. -ENOENT if it has none. */
int store_lease_get(struct store *s, const char *project_id, const char *vgw_id,
                    char ret_node[STORE_NODE_LEN], int64_t *ret_until);
/* ---- the control surface's shared state (service/control.c) ----
 *
 * A small table of keys, each with a text value and an integer, shared by every node on the
 * database: the control surface keeps its rules, its virtual clock and its held transitions
 * there, so a control change made through one node is in force on every node. Every put and
 * delete also adds 1 to the integer of key STORE_CTL_GENERATION in the same transaction, so a
 * node learns that something changed from one read of that key (store_ctl_add changes a
 * counter and does not count as a change). Keys are 1-255 bytes of printable ASCII. */
#define STORE_CTL_GENERATION "#generation"
#define STORE_CTL_KEY_MAX 256 /* NUL included */

struct store_ctl_row {
    const char *key;
    const char *value;
    int64_t n;
};
/* Reads key: its value appended to value (if non-NULL) and its integer in *ret_n (if
 * non-NULL). -ENOENT if absent. */
int store_ctl_get(struct store *s, const char *key, struct buf *value, int64_t *ret_n);
/* Calls cb with every row whose key starts with prefix ("" = all but the generation), by key;
 * strings borrowed for the call. Stops and returns cb's value when negative. One snapshot. */
int store_ctl_list(struct store *s, const char *prefix,
                   int (*cb)(void *ud, const struct store_ctl_row *row), void *ud);
/* Inserts or replaces key. */
int store_ctl_put(struct store *s, const char *key, const char *value, int64_t n);
/* Deletes key, or with prefix every key that starts with it (never the generation); *ret_n
 * (if non-NULL) gets how many. -ENOENT if none was there. */
int store_ctl_delete(struct store *s, const char *key, bool prefix, int64_t *ret_n);
/* Adds delta to key's integer unless the result would be negative: a compare-and-set counter
 * (a count of faults left, of reads left). *ret_n (if non-NULL) gets the new value. -ENOENT if
 * the key is absent or the result would be below 0 (nothing changes). */
int store_ctl_add(struct store *s, const char *key, int64_t delta, int64_t *ret_n);

/* ---- compaction ---- */

/* Rewrites in their compact form the rows an older vpnd stored uncompressed (SQLite: the
 * connection specs and docs of a store from before their compression), batch rows per
 * transaction so the WAL stays small and a server on the same store waits at most one batch.
 * *ret_rows gets how many were rewritten (0 for a backend with nothing to compact, PostgreSQL).
 * The file keeps its size (the freed pages are reused by later rows; VACUUM returns them). */
int store_compact(struct store *s, size_t batch, size_t *ret_rows);

/* ---- reset, health ---- */

/* Deletes every gateway, customer gateway, connection and monitor (with their claims, tags,
 * logs, counts and the gateways' data-plane leases) of project_id, or of every project when
 * project_id is NULL, in one transaction. The control table stays. */
int store_reset(struct store *s, const char *project_id);
/* One round trip to the database (a broken PostgreSQL connection is re-established first).
 * 0 when the store answers, else -EIO (store_errmsg says why). */
int store_ping(struct store *s);

#endif
