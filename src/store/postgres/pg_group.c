/* store/postgres/pg_group.c: group commit (store_group_begin / store_group_end) on PostgreSQL,
 * and the savepoint each op of a group or a bulk load runs in.
 *
 * Armed by store_group_begin, the group's first write op (store_postgres_tx) opens one READ
 * COMMITTED transaction and runs in it directly; each later op, a read transaction included,
 * runs in a savepoint of it, so an op that fails undoes only itself, and a serialization
 * failure or deadlock re-runs that op alone. store_group_end commits once: one WAL flush for
 * every create of an event-loop turn instead of one per create. Nothing of the group is
 * durable, nor visible to other nodes, before that commit, so the server holds the answers
 * until store_group_end returns 0 (store.h).
 *
 * Round trips: an op's savepoint is sent with its first statement (in the same pipeline, or
 * just before it), and released lazily, by the next op's savepoint or by the commit; the
 * group's BEGIN and COMMIT are paid once. A create is then one pipeline of its statements
 * (pg_rows.c) after the service's reads.
 *
 * Two nodes: the row and advisory locks an op takes are held until its group commits, one
 * event-loop turn at most. A create takes its project's quota lock first (PG_QUOTA_USED), so
 * two nodes' groups of creates in one project queue on that lock instead of deadlocking; a
 * deadlock between other ops is broken by PostgreSQL and retried as one op (the others keep
 * theirs).
 *
 * A single-statement read (store_postgres_read) inside the open group runs in a savepoint of its
 * own too, sent in the same round trip, so a read PostgreSQL refuses (a statement error aborts
 * the transaction it is in) undoes only itself. A lost connection breaks the group (no reset
 * inside a group: it would drop the group's writes); so does any statement that fails outside
 * an op's savepoint. A broken group fails every later op with
 * -EIO, and store_group_end rolls back and reports the loss, so no answer held for an op that
 * succeeded earlier is sent as a success.
 */
#include "store/postgres/pg_int.h"

#include <errno.h>

#define PG_OP_SAVEPOINT "SAVEPOINT vpnd_op"

int store_postgres_savepoint_flush(struct pg_store *p, const char *what)
{
    const char *sql[2];
    size_t n = store_postgres_savepoint_take(p, sql);
    int r;

    if (n == 0)
        return 0;
    r = store_postgres_simple(p, n == 2 ? "RELEASE vpnd_op; " PG_OP_SAVEPOINT : PG_OP_SAVEPOINT,
                              what);
    p->sp_lost = r < 0;
    return r;
}

size_t store_postgres_savepoint_take(struct pg_store *p, const char *sql[2])
{
    size_t n = 0;

    if (!p->sp_deferred)
        return 0;
    if (p->op_savepoint)
        sql[n++] = "RELEASE vpnd_op";
    sql[n++] = PG_OP_SAVEPOINT;
    p->sp_deferred = false;
    p->op_savepoint = false;
    return n;
}

int store_postgres_savepoint(struct pg_store *p, const char *what, pg_tx_fn fn, void *ud)
{
    int r = 0;

    for (int attempt = 0;; attempt++) {
        if (PQstatus(p->conn) != CONNECTION_OK || PQtransactionStatus(p->conn) != PQTRANS_INTRANS)
            return store_postgres_corrupt(p, what, "the transaction this write joined was lost");
        /* the savepoint goes out with the op's first statement (one round trip less) */
        p->sp_deferred = true;
        p->sp_lost = false;
        r = fn(p, ud);
        bool sent = !p->sp_deferred;
        p->sp_deferred = false;
        if (r == 0) {
            p->op_savepoint = p->op_savepoint || sent; /* released by the next op or the commit */
            return 0;
        }
        /* a failed RELEASE or SAVEPOINT leaves the transaction aborted: nothing to roll back
         * to (ROLLBACK TO would undo the previous op), and the transaction is lost */
        if (sent && p->sp_lost)
            return r == PG_ERETRY ? -EBUSY : r;
        if (sent && PQstatus(p->conn) == CONNECTION_OK &&
            PQtransactionStatus(p->conn) != PQTRANS_IDLE) {
            int r2 = store_postgres_simple(p, "ROLLBACK TO vpnd_op; RELEASE vpnd_op", what);
            if (r2 < 0)
                return r2 == PG_ERETRY ? -EBUSY : r2;
        }
        if (r != PG_ERETRY || attempt + 1 >= PG_TX_ATTEMPTS)
            break;
        store_postgres_backoff(attempt);
    }
    return r == PG_ERETRY ? -EBUSY : r;
}

int store_postgres_group_begin(struct store *s)
{
    struct pg_store *p = pg_from(s);

    if (p->bulk)
        return 0;
    if (p->group == PG_GROUP_OFF)
        p->group = PG_GROUP_ARMED;
    return 1;
}

bool store_postgres_group_pending(struct store *s)
{
    const struct pg_store *p = pg_from(s);

    return p->group == PG_GROUP_OPEN || p->group == PG_GROUP_BROKEN;
}

int store_postgres_group_tx(struct pg_store *p, enum pg_tx_kind kind, const char *what, pg_tx_fn fn,
                            void *ud)
{
    (void)kind; /* inside the group a read sees the group's writes, as the group's reads must */
    if (p->group == PG_GROUP_BROKEN)
        return store_postgres_corrupt(p, what, "the group commit this write joined failed");
    if (p->group != PG_GROUP_OPEN)
        return 1;
    int r = store_postgres_savepoint(p, what, fn, ud);
    store_postgres_group_check(p);
    return r;
}

void store_postgres_group_check(struct pg_store *p)
{
    if (PQstatus(p->conn) != CONNECTION_OK || PQtransactionStatus(p->conn) != PQTRANS_INTRANS)
        p->group = PG_GROUP_BROKEN;
}

int store_postgres_group_end(struct store *s)
{
    struct pg_store *p = pg_from(s);
    enum pg_group_state was = p->group;
    int r = 0;

    p->group = PG_GROUP_OFF;
    p->op_savepoint = false;
    p->sp_deferred = false;
    if (was == PG_GROUP_OPEN &&
        (PQstatus(p->conn) != CONNECTION_OK || PQtransactionStatus(p->conn) != PQTRANS_INTRANS))
        was = PG_GROUP_BROKEN;
    if (was == PG_GROUP_OPEN)
        r = store_postgres_simple(p, "COMMIT", "group commit");
    else if (was == PG_GROUP_BROKEN)
        r = store_postgres_corrupt(p, "group commit",
                                   "the transaction was lost by an error of one of its writes");
    if (r < 0 && PQstatus(p->conn) == CONNECTION_OK && PQtransactionStatus(p->conn) != PQTRANS_IDLE)
        (void)store_postgres_simple(p, "ROLLBACK", "group rollback");
    if (r == PG_ERETRY || r == -EEXIST || r == -ENOENT) /* a deferred check at commit: lost */
        r = r == PG_ERETRY ? -EBUSY : -EIO;
    return r;
}
