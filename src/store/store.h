/* store/store.h: the persistence contract. No HTTP, no SQL above this line.
 *
 * A store holds three kinds of rows. Each row carries the columns the server filters, counts
 * or joins on, plus opaque text documents produced by the model layer:
 *   spec - the internal JSON form (model_*_to_internal), psk included: source of truth;
 *   doc  - for connections only, the rendered response object served verbatim by GET.
 *
 * Every write is one transaction: either all of it is visible or none of it.
 * Errors: 0 on success; -ENOENT (no such row in that project), -EEXIST (a unique claim or id
 * is taken), -ENOSPC (gateway capacity reached), -ENOTEMPTY (still used by connections),
 * -EBUSY (retry later), -ENOMEM, -EIO (detail in
 * store_errmsg), -EINVAL (bad argument: URL, marker). Rows of one project are never visible
 * through another project's id. Ids are server-generated UUIDs, unique within a project.
 *
 * A store handle is used by one thread at a time.
 */
#ifndef VPND_STORE_H
#define VPND_STORE_H

#include "util/buf.h"

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
    char vgw_ip[37];
    char enterprise_project_id[37];
    char status[24];
    int64_t status_due; /* ms since epoch when the status engine acts next; 0 = nothing pending */
    int64_t created_at;
    int64_t updated_at;
    char *spec; /* internal JSON, psk included */
    char *doc;  /* rendered response object */
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

/* Creates a connection in one transaction: the gateway (same project) must exist (-ENOENT)
 * and have used_connection_number < connection_number (-ENOSPC), which is incremented; the
 * claims are taken, owned by row->id (-EEXIST); the row is inserted (-EEXIST for a duplicate
 * id, -ENOENT if the customer gateway is absent in that project). */
int store_conn_insert(struct store *s, const struct store_conn_row *row,
                      const struct store_claim *claims, size_t n_claims);
/* The hot path: appends the connection's doc to out. -ENOENT if absent in that project. */
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

/* What store_conn_list matches; every NULL / zero member matches everything. */
struct store_conn_filter {
    const char *vgw_id;
    const char *vgw_ip;
    const char *const *enterprise_project_ids; /* any of these */
    size_t n_enterprise_project_ids;
    const char *marker; /* a next_marker of a previous page; NULL or "" = first page */
};

/* Lists a project's connections newest first (created_at, then id, descending), starting after
 * f->marker (f may be NULL). Appends up to limit docs to out separated by commas (the caller adds
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

enum store_kind { STORE_KIND_VGW, STORE_KIND_CONN };

struct store_due {
    enum store_kind kind;
    char project_id[65];
    char id[37];
    char status[24];
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

/* ---- store URLs in logs ---- */

/* Copies url into out (size bytes, always NUL-terminated, cut if longer) with the password of a
 * "scheme://user:password@host..." URL replaced by "***", for messages. */
void store_url_redact(const char *url, char *out, size_t size);

/* ---- compare-and-set connection update (status engine; PUT across nodes) ---- */

/* As store_conn_update (same columns, same claims rule, same errors), but only while the stored
 * connection still has status from_status and updated_at == from_updated_at, i.e. nobody changed
 * it since the caller read it; otherwise -EBUSY and nothing changes. The check and the write are
 * one transaction, so of several writers (engines or API requests on several nodes) that read
 * the same version exactly one succeeds. The status engine passes row->updated_at ==
 * from_updated_at (a status change is not a configuration update). */
int store_conn_update_if(struct store *s, const struct store_conn_row *row,
                         const struct store_claim *claims, size_t n_claims,
                         const char *from_status, int64_t from_updated_at);

#endif
