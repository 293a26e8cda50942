/* store/store_backend.h: what a backend implements. Private to src/store/: the rest of the server
 * sees only store.h.
 *
 * A backend embeds struct store first in its own handle and points ops at a static const table;
 * store.c checks the generic arguments and dispatches. Every member is required and keeps the
 * contract of the store.h function of the same name.
 */
#ifndef VPND_STORE_BACKEND_H
#define VPND_STORE_BACKEND_H

#include "store/store.h"

struct store_ops {
    const char *name; /* "sqlite", "postgres" */
    void (*close)(struct store *s);
    const char *(*errmsg)(struct store *s);
    int (*schema_version)(struct store *s);
    int (*vgw_insert)(struct store *s, const struct store_vgw_row *row,
                      const struct store_claim *claims, size_t n_claims);
    int (*vgw_get)(struct store *s, const char *project_id, const char *id,
                   struct store_vgw_row *ret);
    int (*cgw_insert)(struct store *s, const struct store_cgw_row *row);
    int (*cgw_get)(struct store *s, const char *project_id, const char *id,
                   struct store_cgw_row *ret);
    int (*conn_insert)(struct store *s, const struct store_conn_row *row,
                       const struct store_claim *claims, size_t n_claims);
    int (*conn_get_doc)(struct store *s, const char *project_id, const char *id, struct buf *out);
    int (*conn_get)(struct store *s, const char *project_id, const char *id,
                    struct store_conn_row *ret);
    int (*conn_update)(struct store *s, const struct store_conn_row *row,
                       const struct store_claim *claims, size_t n_claims);
    int (*conn_delete)(struct store *s, const char *project_id, const char *id);
    int (*conn_list)(struct store *s, const char *project_id, const struct store_conn_filter *f,
                     size_t limit, struct buf *out, size_t *ret_count,
                     char ret_next_marker[STORE_MARKER_LEN], int64_t *ret_total);
    int (*claims_list)(struct store *s, const char *kind, struct buf *out, size_t *ret_n);
    int (*vgw_list)(struct store *s, const char *project_id,
                    int (*cb)(void *ud, const struct store_vgw_row *row), void *ud);
    int (*vgw_delete)(struct store *s, const char *project_id, const char *id,
                      int64_t *ret_users);
    int (*cgw_delete)(struct store *s, const char *project_id, const char *id,
                      int64_t *ret_users);
    int (*project_counts)(struct store *s, const char *project_id, struct store_counts *ret);
    int (*due_list)(struct store *s, int64_t now, size_t max, struct store_due *out,
                    size_t *ret_n);
    int (*vgw_set_status)(struct store *s, const char *project_id, const char *id,
                          const char *from, const char *to, int64_t status_due,
                          int64_t updated_at);
    /* compare-and-set connection update */
    int (*conn_update_if)(struct store *s, const struct store_conn_row *row,
                          const struct store_claim *claims, size_t n_claims,
                          const char *from_status, int64_t from_updated_at);
};

struct store {
    const struct store_ops *ops; /* first member; backends embed struct store first */
};

#endif
