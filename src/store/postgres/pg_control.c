/* store/postgres/pg_control.c: the control surface's table (store.h "control"), reset and ping.
 *
 * The generation is read by every node at every tick (PG_CTL_GET, prepared); the rest are rare
 * control requests and run unprepared. A put or delete adds 1 to the generation in its own
 * transaction, so the row lock on the generation orders concurrent control writes of several
 * nodes. */
#include <errno.h>
#include <string.h>

#include "store/postgres/pg_int.h"

static const char pg_ctl_list_sql[] =
    "SELECT key, value, n FROM control WHERE left(key, length($1)) = $1 "
    "AND key <> '" STORE_CTL_GENERATION "' ORDER BY key COLLATE \"C\"";
static const char pg_ctl_put_sql[] =
    "INSERT INTO control (key, value, n) VALUES ($1, $2, $3::bigint) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, n = excluded.n";
static const char pg_ctl_delete_sql[] = "DELETE FROM control WHERE key = $1";
static const char pg_ctl_delete_prefix_sql[] =
    "DELETE FROM control WHERE left(key, length($1)) = $1 "
    "AND key <> '" STORE_CTL_GENERATION "'";
static const char pg_ctl_bump_sql[] =
    "UPDATE control SET n = n + 1 WHERE key = '" STORE_CTL_GENERATION "'";
static const char pg_ctl_add_sql[] =
    "UPDATE control SET n = n + $2::bigint WHERE key = $1 AND n + $2::bigint >= 0 RETURNING n";

int store_postgres_ctl_get(struct store *s, const char *key, struct buf *value, int64_t *ret_n)
{
    struct pg_store *p = pg_from(s);
    _cleanup_pgres_ PGresult *res = NULL;
    int64_t n = 0;
    int r = store_postgres_read(p, PG_CTL_GET, "control get", &res, "s", key);

    if (r < 0)
        return r;
    if (PQntuples(res) != 1)
        return -ENOENT;
    r = store_postgres_col_int(p, res, 0, 1, &n);
    if (r < 0)
        return r;
    if (value && buf_append(value, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0)) < 0)
        return -ENOMEM;
    if (ret_n)
        *ret_n = n;
    return 0;
}

struct pg_ctl_list {
    const char *prefix;
    int (*cb)(void *ud, const struct store_ctl_row *row);
    void *ud;
};

static int pg_ctl_list_tx(struct pg_store *p, void *ud)
{
    const struct pg_ctl_list *l = ud;
    _cleanup_pgres_ PGresult *res = NULL;
    int r = store_postgres_query_sql(p, pg_ctl_list_sql, "control list", &res, "s", l->prefix);

    for (int i = 0; r == 0 && i < PQntuples(res); i++) {
        struct store_ctl_row row = {PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), 0};

        r = store_postgres_col_int(p, res, i, 2, &row.n);
        if (r == 0)
            r = l->cb(l->ud, &row);
    }
    return r;
}

int store_postgres_ctl_list(struct store *s, const char *prefix,
                            int (*cb)(void *ud, const struct store_ctl_row *row), void *ud)
{
    struct pg_ctl_list l = {prefix, cb, ud};

    return store_postgres_tx(pg_from(s), PG_TX_READ_SNAPSHOT, "control list", pg_ctl_list_tx,
                             &l);
}

static int pg_ctl_bump(struct pg_store *p)
{
    _cleanup_pgres_ PGresult *res = NULL;

    return store_postgres_query_sql(p, pg_ctl_bump_sql, "control generation", &res, "");
}

struct pg_ctl_put {
    const char *key, *value;
    int64_t n;
};

static int pg_ctl_put_tx(struct pg_store *p, void *ud)
{
    const struct pg_ctl_put *a = ud;
    _cleanup_pgres_ PGresult *res = NULL;
    int r = pg_ctl_bump(p); /* first: concurrent control writes queue on the generation row */

    if (r == 0)
        r = store_postgres_query_sql(p, pg_ctl_put_sql, "control put", &res, "ssI", a->key,
                                     a->value, a->n);
    return r;
}

int store_postgres_ctl_put(struct store *s, const char *key, const char *value, int64_t n)
{
    struct pg_ctl_put a = {key, value, n};

    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "control put", pg_ctl_put_tx, &a);
}

struct pg_ctl_delete {
    const char *key;
    bool prefix;
    int64_t n;
};

static int pg_ctl_delete_tx(struct pg_store *p, void *ud)
{
    struct pg_ctl_delete *a = ud;
    _cleanup_pgres_ PGresult *res = NULL;
    int r = pg_ctl_bump(p);

    a->n = 0;
    if (r == 0)
        r = store_postgres_query_sql(p, a->prefix ? pg_ctl_delete_prefix_sql : pg_ctl_delete_sql,
                                     "control delete", &res, "s", a->key);
    if (r < 0)
        return r;
    a->n = store_postgres_affected(res);
    return a->n == 0 ? -ENOENT : 0; /* nothing deleted: rolled back, the generation stays */
}

int store_postgres_ctl_delete(struct store *s, const char *key, bool prefix, int64_t *ret_n)
{
    struct pg_ctl_delete a = {key, prefix, 0};
    int r = store_postgres_tx(pg_from(s), PG_TX_WRITE, "control delete", pg_ctl_delete_tx, &a);

    if (r == 0 && ret_n)
        *ret_n = a.n;
    return r;
}

struct pg_ctl_add {
    const char *key;
    int64_t delta, n;
};

static int pg_ctl_add_tx(struct pg_store *p, void *ud)
{
    struct pg_ctl_add *a = ud;
    _cleanup_pgres_ PGresult *res = NULL;
    int r = store_postgres_query_sql(p, pg_ctl_add_sql, "control add", &res, "sI", a->key,
                                     a->delta);

    if (r < 0)
        return r;
    if (PQntuples(res) != 1)
        return -ENOENT;
    return store_postgres_col_int(p, res, 0, 0, &a->n);
}

int store_postgres_ctl_add(struct store *s, const char *key, int64_t delta, int64_t *ret_n)
{
    struct pg_ctl_add a = {key, delta, 0};
    int r = store_postgres_tx(pg_from(s), PG_TX_WRITE, "control add", pg_ctl_add_tx, &a);

    if (r == 0 && ret_n)
        *ret_n = a.n;
    return r;
}

/* ---- reset ---- */

/* As SQLite's (sq_control.c): connections (monitors and events cascade) before their gateways,
 * claims by owner before their owners. $1 is the project, or NULL for every project. */
static const char *const pg_reset_sql[] = {
    "DELETE FROM claim WHERE $1::text IS NULL OR owner_id IN (SELECT id FROM vpn_connection "
    "WHERE project_id = $1 UNION ALL SELECT id FROM vpn_gateway WHERE project_id = $1)",
    "DELETE FROM connection_monitor WHERE $1::text IS NULL OR project_id = $1",
    "DELETE FROM connection_event WHERE $1::text IS NULL OR project_id = $1",
    "DELETE FROM vpn_connection WHERE $1::text IS NULL OR project_id = $1",
    "DELETE FROM vpn_gateway WHERE $1::text IS NULL OR project_id = $1",
    "DELETE FROM vgw_lease WHERE $1::text IS NULL OR project_id = $1",
    "DELETE FROM customer_gateway WHERE $1::text IS NULL OR project_id = $1",
    "DELETE FROM conn_count WHERE $1::text IS NULL OR project_id = $1",
    "DELETE FROM project_count WHERE $1::text IS NULL OR project_id = $1",
    "DELETE FROM tag WHERE $1::text IS NULL OR project_id = $1",
    "DELETE FROM tag_resource WHERE $1::text IS NULL OR project_id = $1",
};

static int pg_reset_tx(struct pg_store *p, void *ud)
{
    const char *project_id = ud;

    for (size_t i = 0; i < ARRAY_SIZE(pg_reset_sql); i++) {
        _cleanup_pgres_ PGresult *res = NULL;
        int r = store_postgres_query_sql(p, pg_reset_sql[i], "reset", &res, "s", project_id);

        if (r < 0)
            return r;
    }
    return 0;
}

int store_postgres_reset(struct store *s, const char *project_id)
{
    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "reset", pg_reset_tx, (void *)project_id);
}

int store_postgres_ping(struct store *s)
{
    struct pg_store *p = pg_from(s);
    _cleanup_pgres_ PGresult *res = NULL;

    return store_postgres_read(p, PG_CTL_GET, "ping", &res, "s", STORE_CTL_GENERATION);
}
