/* store/sqlite/sq_group.c: group commit (store_group_begin / store_group_end) for the server's
 * writes of one event-loop turn.
 *
 * Armed by store_group_begin, the first write op (store_sqlite_begin) opens one write
 * transaction (BEGIN IMMEDIATE) that stays open until store_group_end commits it; each later op
 * runs in a savepoint inside it (SAVEPOINT / RELEASE / ROLLBACK TO), so an op that fails undoes
 * only itself (the first one needs none: its failure rolls the transaction back and the group
 * is armed again, empty). A read op (store_sqlite_begin_read) before the first write runs on its own as without
 * a group; after it, inside the group, where it sees the group's writes. What a commit costs
 * (the WAL frames of every page it changed, written once) is paid once per group: pages several
 * ops of the group change (index pages, the gateway's row, counters) are written once.
 *
 * Durability and visibility are the caller's: nothing of the group is durable, nor visible to
 * other handles, before store_group_end returns 0, so whoever answers for an op of the group
 * (the server: a response) holds that answer until then (store_group_pending says whether
 * anything waits on the commit). Some SQLite errors roll back the whole transaction, not just
 * the failing statement (disk full, I/O error, out of memory): the group is then broken, every
 * later op of it fails with -EIO, and store_group_end reports the loss, so no answer held for
 * an op that succeeded earlier is sent as a success.
 */
#include <errno.h>
#include <stdlib.h>

#include "store/sqlite/sq_int.h"

static const char *const sq_group_sql[] = {
    [SQ_GROUP_SAVEPOINT] = "SAVEPOINT vpnd_group_op",
    [SQ_GROUP_RELEASE] = "RELEASE vpnd_group_op",
    [SQ_GROUP_ROLLBACK_TO] = "ROLLBACK TO vpnd_group_op",
};

static int sq_group_step(struct sq_store *q, const char *sql, const char *what)
{
    SQ_ONCE(st);
    int r = store_sqlite_prepare_once(q, sql, &st, what);

    return r < 0 ? r : store_sqlite_exec(q, st, what);
}

int store_sqlite_group_begin(struct store *s)
{
    struct sq_store *q = sq_from(s);

    if (q->bulk || q->group != SQ_GROUP_OFF)
        return q->group != SQ_GROUP_OFF;
    q->group = SQ_GROUP_ARMED;
    return 1;
}

bool store_sqlite_group_pending(struct store *s)
{
    const struct sq_store *q = sq_from(s);

    return q->group == SQ_GROUP_OPEN || q->group == SQ_GROUP_BROKEN;
}

/* The transaction vanished under the group (SQLite rolled it back after an error): broken. */
static void sq_group_check(struct sq_store *q)
{
    if (q->group == SQ_GROUP_OPEN && sqlite3_get_autocommit(q->db))
        q->group = SQ_GROUP_BROKEN;
}

/* The group's first write op runs in the transaction itself, without a savepoint (nothing else
 * is in the transaction yet): it commits with the group, or its failure rolls the transaction
 * back and leaves the group armed, as if it had not begun. */
static int sq_group_first(struct sq_store *q, enum sq_group_op op, const char *what)
{
    int r = 0;

    if (op == SQ_GROUP_SAVEPOINT) {
        SQ_STMT(begin, q, SQ_BEGIN);
        r = store_sqlite_exec(q, begin, what);
        if (r == 0) {
            q->group = SQ_GROUP_OPEN;
            q->group_first = true;
        }
        return r;
    }
    q->group_first = false;
    if (op == SQ_GROUP_ROLLBACK_TO) {
        if (!sqlite3_get_autocommit(q->db)) {
            SQ_STMT(rollback, q, SQ_ROLLBACK);
            r = store_sqlite_exec(q, rollback, what);
        }
        q->group = SQ_GROUP_ARMED;
    }
    return r;
}

int store_sqlite_group_tx(struct sq_store *q, enum sq_group_op op, const char *what)
{
    int r;

    if ((op == SQ_GROUP_SAVEPOINT && q->group == SQ_GROUP_ARMED) || q->group_first)
        return sq_group_first(q, op, what);
    sq_group_check(q);
    if (q->group == SQ_GROUP_BROKEN)
        return op == SQ_GROUP_ROLLBACK_TO
                   ? 0
                   : store_sqlite_corrupt(q, what, "the group commit this write joined failed");
    r = sq_group_step(q, sq_group_sql[op], what);
    if (r == 0 && op == SQ_GROUP_ROLLBACK_TO) /* ROLLBACK TO keeps the savepoint open */
        r = sq_group_step(q, sq_group_sql[SQ_GROUP_RELEASE], what);
    sq_group_check(q);
    return r;
}

int store_sqlite_group_end(struct store *s)
{
    struct sq_store *q = sq_from(s);
    enum sq_group_state was = q->group;
    int r = 0;

    q->group = SQ_GROUP_OFF;
    q->group_first = false;
    if (was == SQ_GROUP_OPEN && sqlite3_get_autocommit(q->db))
        was = SQ_GROUP_BROKEN;
    if (was == SQ_GROUP_OPEN) {
        SQ_STMT(commit, q, SQ_COMMIT);
        r = store_sqlite_exec(q, commit, "group commit");
    } else if (was == SQ_GROUP_BROKEN) {
        r = store_sqlite_corrupt(q, "group commit", "the transaction was rolled back by an "
                                                    "error of one of its writes");
    }
    if (r < 0 && !sqlite3_get_autocommit(q->db)) {
        SQ_STMT(rollback, q, SQ_ROLLBACK);
        (void)store_sqlite_exec(q, rollback, "group rollback");
    }
    return r;
}
