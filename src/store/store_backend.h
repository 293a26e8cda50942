/* store/store_backend.h: what a backend implements. Private to src/store/: the rest of the server
 * sees only store.h.
 *
 * A backend embeds struct store first in its own handle and points ops at a static const table;
 * store.c checks the generic arguments and dispatches. Every member is required and keeps the
 * contract of the store.h function of the same name, except the optional ones (NULL: what
 * their comment says).
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
    /* connection lifecycle and monitors */
    int (*conn_insert_batch)(struct store *s, const struct store_conn_new *items, size_t n,
                             size_t *ret_failed);
    int (*conn_update_if)(struct store *s, const struct store_conn_row *row,
                          const struct store_conn_expect *from, const struct store_claim *claims,
                          size_t n_claims, const struct store_event *ev);
    int (*conn_delete_if)(struct store *s, const char *project_id, const char *id,
                          const char *from_status);
    int (*conn_events)(struct store *s, const char *project_id, const char *id,
                       int (*cb)(void *ud, const struct store_event *ev), void *ud);
    int (*monitor_insert)(struct store *s, const struct store_monitor_row *m,
                          const struct store_conn_row *conn,
                          const struct store_conn_expect *from);
    int (*monitor_get)(struct store *s, const char *project_id, const char *id,
                       struct store_monitor_row *ret);
    int (*monitor_list)(struct store *s, const char *project_id,
                        const struct store_monitor_filter *f,
                        int (*cb)(void *ud, const struct store_monitor_row *m), void *ud);
    int (*monitor_delete)(struct store *s, const char *project_id, const char *id,
                          const struct store_conn_row *conn,
                          const struct store_conn_expect *from);
    int (*monitor_due_list)(struct store *s, int64_t now, size_t max, struct store_due *out,
                            size_t *ret_n);
    int (*monitor_set_status)(struct store *s, const char *project_id, const char *id,
                              const char *from, const char *to, int64_t status_due);
    /* tags (store.h "tags") */
    int (*tags_get)(struct store *s, enum store_res_type type, const char *project_id,
                    const char *id, int (*cb)(void *ud, const char *key, const char *value),
                    void *ud);
    int (*tags_project)(struct store *s, enum store_res_type type, const char *project_id,
                        int (*cb)(void *ud, const char *key, const char *value), void *ud);
    int (*tags_write_spec)(struct store *s, enum store_res_type type, const char *project_id,
                           const char *id, const char *old_spec, const char *spec,
                           const char *doc);
    int (*tags_filter)(struct store *s, enum store_res_type type, const char *project_id,
                       const struct store_tag_filter *f, size_t limit, size_t offset,
                       int (*cb)(void *ud, const char *id, const char *name, const char *key,
                                 const char *value),
                       void *ud, int64_t *ret_total);
    /* gateway update, customer-gateway list and update */
    int (*cgw_list)(struct store *s, const char *project_id, const struct store_cgw_filter *f,
                    size_t limit, int (*cb)(void *ud, const struct store_cgw_row *row), void *ud,
                    size_t *ret_count, char ret_next_marker[STORE_MARKER_LEN],
                    int64_t *ret_total);
    int (*cgw_update)(struct store *s, const struct store_cgw_row *row);
    int (*vgw_update)(struct store *s, const struct store_vgw_update *u,
                      size_t *ret_released_index);
    /* bulk load and dump (vpnd import / export) */
    int (*bulk_begin)(struct store *s);
    int (*bulk_end)(struct store *s, bool commit);
    int (*dump)(struct store *s, const struct store_dump_cbs *cbs, void *ud);
    /* read batching (store_read_batch); optional: NULL reads fresh every time */
    void (*read_batch)(struct store *s, bool on);
    /* store_conn_set_status */
    int (*conn_set_status)(struct store *s, struct store_conn_status *items, size_t n);
    /* store_vgw_conns_stamp */
    int (*vgw_conns_stamp)(struct store *s, const char *project_id, const char *vgw_id,
                           struct store_vgw_conns *ret);
    /* bulk load batches (store_bulk_batch); optional: NULL has none (-EOPNOTSUPP; undo -EINVAL) */
    int (*bulk_batch)(struct store *s);
    int (*bulk_undo)(struct store *s);
    /* data-plane leases (store_leases_take, store_lease_get) */
    int (*leases_take)(struct store *s, const char *node, int64_t now, int64_t until,
                       struct buf *out, size_t *ret_n);
    int (*lease_get)(struct store *s, const char *project_id, const char *vgw_id,
                     char ret_node[STORE_NODE_LEN], int64_t *ret_until);
    /* the control surface's table (store.h "control"), reset, ping */
    int (*ctl_get)(struct store *s, const char *key, struct buf *value, int64_t *ret_n);
    int (*ctl_list)(struct store *s, const char *prefix,
                    int (*cb)(void *ud, const struct store_ctl_row *row), void *ud);
    int (*ctl_put)(struct store *s, const char *key, const char *value, int64_t n);
    int (*ctl_delete)(struct store *s, const char *key, bool prefix, int64_t *ret_n);
    int (*ctl_add)(struct store *s, const char *key, int64_t delta, int64_t *ret_n);
    int (*reset)(struct store *s, const char *project_id);
    int (*ping)(struct store *s);
    /* store_compact; optional: NULL has nothing to compact (0 rows) */
    int (*compact)(struct store *s, size_t batch, size_t *ret_rows);
    /* store_set_sync; optional: NULL is a no-op */
    int (*set_sync)(struct store *s, bool full);
    /* group commit (store_group_begin); optional: all three NULL has none */
    int (*group_begin)(struct store *s);
    bool (*group_pending)(struct store *s);
    int (*group_end)(struct store *s);
};

struct store {
    const struct store_ops *ops; /* first member; backends embed struct store first */
    struct store_quotas quotas;  /* store_set_quotas; every backend's inserts enforce them */
    struct store_stats stats;    /* store.c: every call timed (store_stats) */
};

#endif
