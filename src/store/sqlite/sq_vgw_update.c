/* store/sqlite/sq_vgw_update.c: the gateway update transaction (configuration, EIPs, flavor).
 * Every check and the write share one BEGIN IMMEDIATE transaction, so a connection created or
 * a claim taken concurrently either lands first (and the update fails) or sees the update. */
#include <errno.h>
#include <string.h>

#include "store/sqlite/sq_int.h"

static const char sq_stamp_sql[] =
    "SELECT count(*), coalesce(sum(updated_at), 0), count(DISTINCT cgw_id) FROM vpn_connection "
    "WHERE project_id = ?1 AND vgw_id = ?2";

static int sq_stamp(struct sq_store *q, const char *project_id, const char *vgw_id,
                    struct store_vgw_conns *ret)
{
    SQ_ONCE(st);
    int r = store_sqlite_prepare_once(q, sq_stamp_sql, &st, "vgw conns stamp");

    if (r == 0)
        r = store_sqlite_bind(q, st, "vgw conns stamp", "ss", project_id, vgw_id);
    if (r == 0)
        r = store_sqlite_step_row(q, st, "vgw conns stamp");
    if (r < 0)
        return r;
    ret->n = sqlite3_column_int64(st, 0);
    ret->updated_at_sum = sqlite3_column_int64(st, 1);
    ret->groups = sqlite3_column_int64(st, 2);
    return 0;
}

int store_sqlite_vgw_conns_stamp(struct store *s, const char *project_id, const char *vgw_id,
                                 struct store_vgw_conns *ret)
{
    return sq_stamp(sq_from(s), project_id, vgw_id, ret);
}

/* The gateway must exist (-ENOENT), still be in from_status (-EAGAIN) and keep room for the
 * connections it has (-EOVERFLOW). */
static int sq_vgw_check(struct sq_store *q, const struct store_vgw_update *u)
{
    SQ_STMT(st, q, SQ_VGW_CAPACITY);
    const struct store_vgw_row *row = u->row;
    int r = store_sqlite_bind(q, st, "vgw update", "ss", row->project_id, row->id);
    const unsigned char *status;

    if (r == 0)
        r = store_sqlite_step_row(q, st, "vgw update");
    if (r < 0)
        return r;
    status = sqlite3_column_text(st, 0);
    if (!status || strcmp((const char *)status, u->from_status) != 0)
        return -EAGAIN;
    return sqlite3_column_int64(st, 1) > row->connection_number ? -EOVERFLOW : 0;
}

/* No connection of the gateway may use a released vgw_ip. */
static int sq_vgw_released_unused(struct sq_store *q, const struct store_vgw_update *u,
                                  size_t *ret_index)
{
    for (size_t i = 0; i < u->n_released; i++) {
        SQ_STMT(st, q, SQ_VGW_IP_USERS);
        int r = store_sqlite_bind(q, st, "vgw update", "sss", u->row->project_id, u->row->id,
                                  u->released[i]);

        if (r == 0)
            r = store_sqlite_step_row(q, st, "vgw update");
        if (r < 0)
            return r;
        if (sqlite3_column_int64(st, 0) > 0) {
            if (ret_index)
                *ret_index = i;
            return -ENOTEMPTY;
        }
    }
    return 0;
}

static int sq_vgw_update_tx(struct sq_store *q, const struct store_vgw_update *u,
                            size_t *ret_index)
{
    const struct store_vgw_row *row = u->row;
    struct store_vgw_conns now;
    int r = sq_vgw_check(q, u);

    /* one writer at a time: no connection write can land between this and the commit */
    if (r == 0 && u->conns && (r = sq_stamp(q, row->project_id, row->id, &now)) == 0 &&
        (now.n != u->conns->n || now.updated_at_sum != u->conns->updated_at_sum))
        r = -ESTALE;
    if (r == 0)
        r = sq_vgw_released_unused(q, u, ret_index);
    if (r == 0 && u->claims) {
        r = store_sqlite_release_claims(q, row->id);
        if (r == 0)
            r = store_sqlite_take_claims(q, u->claims, u->n_claims, row->id);
    }
    if (r < 0)
        return r;
    SQ_STMT(st, q, SQ_VGW_UPDATE);
    r = store_sqlite_bind(q, st, "vgw update", "ssssIIIs", row->project_id, row->id,
                          u->from_status, row->status, row->status_due, row->connection_number,
                          row->updated_at, row->spec);
    if (r == 0)
        r = store_sqlite_exec(q, st, "vgw update");
    if (r == 0 && sqlite3_changes(q->db) != 1)
        r = -EAGAIN;
    if (r == 0) /* a new name must be found by the tag filter's resource_name match */
        r = store_sqlite_tags_sync(q, STORE_RES_VPN_GATEWAY, row->project_id, row->id);
    return r;
}

int store_sqlite_vgw_update(struct store *s, const struct store_vgw_update *u,
                            size_t *ret_released_index)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "vgw update: begin");

    if (r < 0)
        return r;
    return store_sqlite_end(q, sq_vgw_update_tx(q, u, ret_released_index), "vgw update: commit");
}
