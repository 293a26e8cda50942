/* store/sqlite/sq_control.c: the control surface's table (store.h "control"), reset and ping.
 * Every statement here is a feature statement (SQ_ONCE): none of them is on the hot path. */
#include <errno.h>
#include <string.h>

#include "store/sqlite/sq_int.h"

static const char sq_ctl_get_sql[] = "SELECT value, n FROM control WHERE key = ?1";
static const char sq_ctl_list_sql[] =
    "SELECT key, value, n FROM control WHERE substr(key, 1, length(?1)) = ?1 "
    "AND key <> '" STORE_CTL_GENERATION "' ORDER BY key";
static const char sq_ctl_put_sql[] =
    "INSERT INTO control (key, value, n) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, n = excluded.n";
static const char sq_ctl_delete_sql[] = "DELETE FROM control WHERE key = ?1";
static const char sq_ctl_delete_prefix_sql[] =
    "DELETE FROM control WHERE substr(key, 1, length(?1)) = ?1 "
    "AND key <> '" STORE_CTL_GENERATION "'";
static const char sq_ctl_bump_sql[] =
    "UPDATE control SET n = n + 1 WHERE key = '" STORE_CTL_GENERATION "'";
static const char sq_ctl_add_sql[] =
    "UPDATE control SET n = n + ?2 WHERE key = ?1 AND n + ?2 >= 0 RETURNING n";

int store_sqlite_ctl_get(struct store *s, const char *key, struct buf *value, int64_t *ret_n)
{
    struct sq_store *q = sq_from(s);
    SQ_ONCE(st);
    int r = store_sqlite_prepare_once(q, sq_ctl_get_sql, &st, "control get");

    if (r == 0)
        r = store_sqlite_bind(q, st, "control get", "s", key);
    if (r == 0)
        r = store_sqlite_step_row(q, st, "control get");
    if (r < 0)
        return r;
    if (value) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (buf_puts(value, v ? v : "") < 0)
            return -ENOMEM;
    }
    if (ret_n)
        *ret_n = sqlite3_column_int64(st, 1);
    return 0;
}

static int sq_ctl_list_tx(struct sq_store *q, const char *prefix,
                          int (*cb)(void *ud, const struct store_ctl_row *row), void *ud)
{
    SQ_ONCE(st);
    int rc = SQLITE_DONE;
    int r = store_sqlite_prepare_once(q, sq_ctl_list_sql, &st, "control list");

    if (r == 0)
        r = store_sqlite_bind(q, st, "control list", "s", prefix);
    while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        const char *v = (const char *)sqlite3_column_text(st, 1);
        struct store_ctl_row row = {k ? k : "", v ? v : "", sqlite3_column_int64(st, 2)};
        r = cb(ud, &row);
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = store_sqlite_fail(q, rc, "control list");
    return r;
}

int store_sqlite_ctl_list(struct store *s, const char *prefix,
                          int (*cb)(void *ud, const struct store_ctl_row *row), void *ud)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin_read(q, "control list: begin");

    if (r < 0)
        return r;
    r = sq_ctl_list_tx(q, prefix, cb, ud);
    if (r < 0) {
        store_sqlite_rollback(q);
        return r;
    }
    return store_sqlite_commit(q, "control list: end");
}

/* Adds 1 to the generation (inside the caller's transaction). */
static int sq_ctl_bump(struct sq_store *q)
{
    SQ_ONCE(st);
    int r = store_sqlite_prepare_once(q, sq_ctl_bump_sql, &st, "control generation");

    return r < 0 ? r : store_sqlite_exec(q, st, "control generation");
}

static int sq_ctl_put_tx(struct sq_store *q, const char *key, const char *value, int64_t n)
{
    SQ_ONCE(st);
    int r = store_sqlite_prepare_once(q, sq_ctl_put_sql, &st, "control put");

    if (r == 0)
        r = store_sqlite_bind(q, st, "control put", "ssI", key, value, n);
    if (r == 0)
        r = store_sqlite_exec(q, st, "control put");
    return r < 0 ? r : sq_ctl_bump(q);
}

int store_sqlite_ctl_put(struct store *s, const char *key, const char *value, int64_t n)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "control put: begin");

    if (r < 0)
        return r;
    return store_sqlite_end(q, sq_ctl_put_tx(q, key, value, n), "control put: commit");
}

static int sq_ctl_delete_tx(struct sq_store *q, const char *key, bool prefix, int64_t *ret_n)
{
    SQ_ONCE(st);
    int r = store_sqlite_prepare_once(q, prefix ? sq_ctl_delete_prefix_sql : sq_ctl_delete_sql,
                                      &st, "control delete");

    if (r == 0)
        r = store_sqlite_bind(q, st, "control delete", "s", key);
    if (r == 0)
        r = store_sqlite_exec(q, st, "control delete");
    if (r < 0)
        return r;
    *ret_n = sqlite3_changes(q->db);
    return *ret_n == 0 ? -ENOENT : sq_ctl_bump(q);
}

int store_sqlite_ctl_delete(struct store *s, const char *key, bool prefix, int64_t *ret_n)
{
    struct sq_store *q = sq_from(s);
    int64_t n = 0;
    int r = store_sqlite_begin(q, "control delete: begin");

    if (r < 0)
        return r;
    r = store_sqlite_end(q, sq_ctl_delete_tx(q, key, prefix, &n), "control delete: commit");
    if (r == 0 && ret_n)
        *ret_n = n;
    return r;
}

int store_sqlite_ctl_add(struct store *s, const char *key, int64_t delta, int64_t *ret_n)
{
    struct sq_store *q = sq_from(s);
    SQ_ONCE(st);
    int r = store_sqlite_prepare_once(q, sq_ctl_add_sql, &st, "control add");

    if (r == 0)
        r = store_sqlite_bind(q, st, "control add", "sI", key, delta);
    if (r == 0)
        r = store_sqlite_step_row(q, st, "control add");
    if (r < 0)
        return r;
    int64_t n = sqlite3_column_int64(st, 0);
    int rc = sqlite3_step(st); /* completes the statement (its autocommit) */
    if (rc != SQLITE_DONE)
        return store_sqlite_fail(q, rc, "control add");
    if (ret_n)
        *ret_n = n;
    return 0;
}

/* ---- reset ---- */

/* The statements of a reset, in order: connections (their monitors and events cascade) before
 * the gateways they reference; claims by owner before their owners go. ?1 is the project, or
 * NULL for every project. */
static const char *const sq_reset_sql[] = {
    "DELETE FROM claim WHERE ?1 IS NULL OR owner_id IN (SELECT id FROM vpn_connection WHERE "
    "project_id = ?1 UNION ALL SELECT id FROM vpn_gateway WHERE project_id = ?1)",
    "DELETE FROM connection_monitor WHERE ?1 IS NULL OR project_id = ?1",
    "DELETE FROM connection_event WHERE ?1 IS NULL OR project_id = ?1",
    "DELETE FROM vpn_connection WHERE ?1 IS NULL OR project_id = ?1",
    "DELETE FROM vpn_gateway WHERE ?1 IS NULL OR project_id = ?1",
    /* the data plane's leases of those gateways: nothing left to drive */
    "DELETE FROM vgw_lease WHERE ?1 IS NULL OR project_id = ?1",
    "DELETE FROM customer_gateway WHERE ?1 IS NULL OR project_id = ?1",
    /* the triggers brought them to 0; a reset leaves no row behind */
    "DELETE FROM conn_count WHERE ?1 IS NULL OR project_id = ?1",
    "DELETE FROM project_count WHERE ?1 IS NULL OR project_id = ?1",
    "DELETE FROM tag WHERE ?1 IS NULL OR project_id = ?1",
    "DELETE FROM tag_resource WHERE ?1 IS NULL OR project_id = ?1",
};

static int sq_reset_tx(struct sq_store *q, const char *project_id)
{
    for (size_t i = 0; i < ARRAY_SIZE(sq_reset_sql); i++) {
        SQ_ONCE(st);
        int r = store_sqlite_prepare_once(q, sq_reset_sql[i], &st, "reset");

        if (r == 0)
            r = store_sqlite_bind(q, st, "reset", "s", project_id);
        if (r == 0)
            r = store_sqlite_exec(q, st, "reset");
        if (r < 0)
            return r;
    }
    return 0;
}

int store_sqlite_reset(struct store *s, const char *project_id)
{
    struct sq_store *q = sq_from(s);
    int r = store_sqlite_begin(q, "reset: begin");

    if (r < 0)
        return r;
    return store_sqlite_end(q, sq_reset_tx(q, project_id), "reset: commit");
}

int store_sqlite_ping(struct store *s)
{
    struct sq_store *q = sq_from(s);
    SQ_ONCE(st);
    int r = store_sqlite_prepare_once(q, "SELECT n FROM control WHERE key = '" STORE_CTL_GENERATION
                                         "'",
                                      &st, "ping");

    if (r == 0)
        r = store_sqlite_step_row(q, st, "ping");
    return r == -ENOENT ? store_sqlite_corrupt(q, "ping", "the control table has no generation")
           : r < 0      ? r
                        : 0;
}
