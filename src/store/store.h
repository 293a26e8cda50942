/* store/store.h: the persistence contract. No HTTP, no SQL above this line.
 *
 * A store holds three kinds of rows. Each row carries the columns the server filters, counts
 * or joins on, plus opaque text documents produced by the model layer:
 *   spec - the internal JSON form (model_*_to_internal), psk included: source of truth;
 *   doc  - for connections only, the rendered response object served verbatim by GET.
 *
 * Every write is one transaction: either all of it is visible or none of it.
 * Errors: 0 on success; -ENOENT (no such row in that project), -EEXIST (a unique claim or id
 * is taken), -ENOSPC (gateway capacity reached), -EBUSY (retry later), -ENOMEM, -EIO (detail in
 * store_errmsg). Rows of one project are never visible through another project's id.
 *
 * A store handle is used by one thread at a time.
 */
#ifndef VPND_STORE_H
#define VPND_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

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

/* Opens (creating if needed) the store at url: a file path or "sqlite:PATH" (later
 * "postgres://..."). Applies pending migrations. On failure writes a reason into errbuf and
 * returns -EINVAL (bad url), -EIO or -ENOMEM. */
int store_open(const char *url, struct store **ret, char *errbuf, size_t errlen);
void store_close(struct store *s); /* NULL is a no-op */
/* Detail of the last -EIO, for the log. Never NULL. */
const char *store_errmsg(struct store *s);
/* Schema version of the opened store. */
int store_schema_version(struct store *s);

/* Inserts the gateway and its claims atomically. -EEXIST if the id or any claim is taken. */
int store_vgw_insert(struct store *s, const struct store_vgw_row *row,
                     const struct store_claim *claims, size_t n_claims);
/* Reads one gateway; ret->spec is malloc'd. -ENOENT if absent in that project. */
int store_vgw_get(struct store *s, const char *project_id, const char *id,
                  struct store_vgw_row *ret);

int store_cgw_insert(struct store *s, const struct store_cgw_row *row);
int store_cgw_get(struct store *s, const char *project_id, const char *id,
                  struct store_cgw_row *ret);

/* Creates a connection in one transaction: the gateway (same project) must exist (-ENOENT)
 * and have used_connection_number < connection_number (-ENOSPC), which is incremented; the
 * claims are taken (-EEXIST); the row is inserted. */
int store_conn_insert(struct store *s, const struct store_conn_row *row,
                      const struct store_claim *claims, size_t n_claims);
/* The hot path: appends the connection's doc to out. -ENOENT if absent in that project. */
int store_conn_get_doc(struct store *s, const char *project_id, const char *id, struct buf *out);
/* Reads the whole row; ret->spec and ret->doc are malloc'd. */
int store_conn_get(struct store *s, const char *project_id, const char *id,
                   struct store_conn_row *ret);
/* Lists the values of one claim kind (e.g. the tunnel /30s taken on a gateway), appending each
 * as a NUL-terminated string to out; *ret_n gets the count. */
int store_claims_list(struct store *s, const char *kind, struct buf *out, size_t *ret_n);

/* Frees the documents a *_get filled in (fields set to NULL). */
void store_vgw_row_done(struct store_vgw_row *row);
void store_cgw_row_done(struct store_cgw_row *row);
void store_conn_row_done(struct store_conn_row *row);

#endif
