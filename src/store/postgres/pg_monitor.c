/* store/postgres/pg_monitor.c: connection monitors (spec §5.1) on PostgreSQL.
 *
 * A monitor row and its connection's re-rendered doc change in one transaction; the
 * connection's part is the compare-and-set of pg_lifecycle.c. UNIQUE (project_id,
 * vpn_connection_id) keeps one monitor per connection (-EEXIST for a second, also across
 * nodes); the foreign key deletes it with its connection.
 */
#include <errno.h>
#include <string.h>

#include "store/postgres/pg_int.h"

static int pg_read_monitor(struct pg_store *p, const PGresult *res, int i,
                           struct store_monitor_row *m)
{
    int r;

    memset(m, 0, sizeof(*m));
    if ((r = store_postgres_col_copy(p, res, i, 0, m->project_id, sizeof(m->project_id))) < 0 ||
        (r = store_postgres_col_copy(p, res, i, 1, m->id, sizeof(m->id))) < 0 ||
        (r = store_postgres_col_copy(p, res, i, 2, m->vpn_connection_id,
                                     sizeof(m->vpn_connection_id))) < 0 ||
        (r = store_postgres_col_copy(p, res, i, 3, m->enterprise_project_id,
                                     sizeof(m->enterprise_project_id))) < 0 ||
        (r = store_postgres_col_copy(p, res, i, 4, m->status, sizeof(m->status))) < 0 ||
        (r = store_postgres_col_copy(p, res, i, 5, m->source_ip, sizeof(m->source_ip))) < 0 ||
        (r = store_postgres_col_copy(p, res, i, 6, m->destination_ip,
                                     sizeof(m->destination_ip))) < 0 ||
        (r = store_postgres_col_int(p, res, i, 7, &m->created_at)) < 0)
        return r;
    return store_postgres_col_int(p, res, i, 8, &m->status_due);
}

struct pg_monitor_write {
    const char *project_id, *id; /* delete only */
    const struct store_monitor_row *m; /* insert only */
    const struct store_conn_row *conn;
    const struct store_conn_expect *from;
};

static int pg_monitor_insert_tx(struct pg_store *p, void *ud)
{
    const struct pg_monitor_write *a = ud;
    const struct store_monitor_row *m = a->m;
    int r = store_postgres_conn_cas_tx(p, a->conn, a->from);

    return r < 0 ? r
                 : store_postgres_exec(p, PG_MONITOR_INSERT, "monitor insert", NULL, "sssssssII",
                                       m->project_id, m->id, m->vpn_connection_id,
                                       m->enterprise_project_id, m->status, m->source_ip,
                                       m->destination_ip, m->created_at, m->status_due);
}

int store_postgres_monitor_insert(struct store *s, const struct store_monitor_row *m,
                                  const struct store_conn_row *conn,
                                  const struct store_conn_expect *from)
{
    struct pg_monitor_write a = {NULL, NULL, m, conn, from};

    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "monitor insert", pg_monitor_insert_tx,
                             &a);
}

int store_postgres_monitor_get(struct store *s, const char *project_id, const char *id,
                               struct store_monitor_row *ret)
{
    struct pg_store *p = pg_from(s);
    _cleanup_pgres_ PGresult *res = NULL;
    struct store_monitor_row m;
    int r = store_postgres_read(p, PG_MONITOR_GET, "monitor get", &res, "ss", project_id, id);

    if (r < 0)
        return r;
    if (PQntuples(res) == 0)
        return -ENOENT;
    r = pg_read_monitor(p, res, 0, &m);
    if (r < 0)
        return r;
    *ret = m;
    return 0;
}

int store_postgres_monitor_list(struct store *s, const char *project_id,
                                const struct store_monitor_filter *f,
                                int (*cb)(void *ud, const struct store_monitor_row *m), void *ud)
{
    struct pg_store *p = pg_from(s);
    _cleanup_(buf_free) struct buf eps = {0};
    _cleanup_pgres_ PGresult *res = NULL;
    int r = store_postgres_text_array(f->enterprise_project_ids, f->n_enterprise_project_ids, &eps);

    if (r == 0)
        r = store_postgres_read(p, PG_MONITOR_LIST, "monitor list", &res, "sss", project_id,
                                f->vpn_connection_id, eps.data);
    for (int i = 0; r == 0 && i < PQntuples(res); i++) {
        struct store_monitor_row m;

        r = pg_read_monitor(p, res, i, &m);
        if (r == 0)
            r = cb(ud, &m);
    }
    return r < 0 ? r : 0;
}

static int pg_monitor_delete_tx(struct pg_store *p, void *ud)
{
    const struct pg_monitor_write *a = ud;
    int64_t n = 0;
    int r = store_postgres_exec(p, PG_MONITOR_DELETE, "monitor delete", &n, "sss", a->project_id,
                                a->id, a->conn->id);

    if (r < 0)
        return r;
    return n == 1 ? store_postgres_conn_cas_tx(p, a->conn, a->from) : -ENOENT;
}

int store_postgres_monitor_delete(struct store *s, const char *project_id, const char *id,
                                  const struct store_conn_row *conn,
                                  const struct store_conn_expect *from)
{
    struct pg_monitor_write a = {project_id, id, NULL, conn, from};

    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "monitor delete", pg_monitor_delete_tx,
                             &a);
}

int store_postgres_monitor_due_list(struct store *s, int64_t now, size_t max,
                                    struct store_due *out, size_t *ret_n)
{
    struct pg_store *p = pg_from(s);
    _cleanup_pgres_ PGresult *res = NULL;
    size_t n = 0;
    int r = store_postgres_read(p, PG_MONITOR_DUE_LIST, "monitor due list", &res, "II", now,
                                (int64_t)(max > INT32_MAX ? INT32_MAX : max));
    int rows = r == 0 ? PQntuples(res) : 0;

    for (int i = 0; r == 0 && i < rows && n < max; i++) {
        struct store_due *d = &out[n];

        d->kind = STORE_KIND_MONITOR;
        if ((r = store_postgres_col_copy(p, res, i, 0, d->project_id, sizeof(d->project_id))) <
                0 ||
            (r = store_postgres_col_copy(p, res, i, 1, d->id, sizeof(d->id))) < 0 ||
            (r = store_postgres_col_copy(p, res, i, 2, d->status, sizeof(d->status))) < 0 ||
            (r = store_postgres_col_int(p, res, i, 3, &d->status_due)) < 0)
            break;
        n++;
    }
    if (r < 0)
        return r;
    *ret_n = n;
    return 0;
}

struct pg_monitor_status {
    const char *project_id, *id, *from, *to;
    int64_t status_due;
};

static int pg_monitor_set_status_tx(struct pg_store *p, void *ud)
{
    const struct pg_monitor_status *a = ud;
    int64_t n = 0;
    int r = store_postgres_exec(p, PG_MONITOR_SET_STATUS, "monitor set status", &n, "ssssI",
                                a->project_id, a->id, a->from, a->to, a->status_due);

    return r < 0 ? r : n == 1 ? 0 : -ENOENT;
}

int store_postgres_monitor_set_status(struct store *s, const char *project_id, const char *id,
                                      const char *from, const char *to, int64_t status_due)
{
    struct pg_monitor_status a = {project_id, id, from, to, status_due};

    return store_postgres_tx(pg_from(s), PG_TX_WRITE, "monitor set status",
                             pg_monitor_set_status_tx, &a);
}
