/* tests/fault/store_fault.c: a store that forwards every operation to another and fails the Nth
 * call (fault.h). Each operation of struct store_ops has one forwarder below; store_open's check
 * that a backend fills every member does not run for it, so a missing one would crash the test
 * (the _Static_assert counts them). */
#include "fault.h"

#include <errno.h>
#include <stdlib.h>

#include "store/store_backend.h"

struct fault_store {
    struct store base; /* first */
    struct store *inner;
};

static long armed, calls;
static int armed_err;
static bool fired;

static struct store *in(struct store *s)
{
    return ((struct fault_store *)s)->inner;
}

/* The error of this call, or 0 to forward it. */
static int hit(void)
{
    calls++;
    if (armed && calls == armed) {
        fired = true;
        return armed_err;
    }
    return 0;
}

#define FWD(name, params, ...)                                                                     \
    static int f_##name params                                                                    \
    {                                                                                              \
        int r = hit();                                                                             \
        return r ? r : in(s)->ops->name(in(s), __VA_ARGS__);                                      \
    }

static void f_close(struct store *s)
{
    store_close(in(s));
    free(s);
}

static const char *f_errmsg(struct store *s)
{
    return fired ? "fault injected" : in(s)->ops->errmsg(in(s));
}

static int f_schema_version(struct store *s)
{
    return in(s)->ops->schema_version(in(s));
}

FWD(vgw_insert, (struct store *s, const struct store_vgw_row *row, const struct store_claim *c,
                 size_t n), row, c, n)
FWD(vgw_get, (struct store *s, const char *p, const char *id, struct store_vgw_row *ret), p, id,
    ret)
FWD(cgw_insert, (struct store *s, const struct store_cgw_row *row), row)
FWD(cgw_get, (struct store *s, const char *p, const char *id, struct store_cgw_row *ret), p, id,
    ret)
FWD(conn_insert, (struct store *s, const struct store_conn_row *row, const struct store_claim *c,
                  size_t n), row, c, n)
FWD(conn_get_doc, (struct store *s, const char *p, const char *id, struct buf *out), p, id, out)
FWD(conn_get, (struct store *s, const char *p, const char *id, struct store_conn_row *ret), p,
    id, ret)
FWD(conn_update, (struct store *s, const struct store_conn_row *row, const struct store_claim *c,
                  size_t n), row, c, n)
FWD(conn_delete, (struct store *s, const char *p, const char *id), p, id)
FWD(conn_list, (struct store *s, const char *p, const struct store_conn_filter *f, size_t limit,
                struct buf *out, size_t *count, char next[STORE_MARKER_LEN], int64_t *total),
    p, f, limit, out, count, next, total)
FWD(claims_list, (struct store *s, const char *kind, struct buf *out, size_t *n), kind, out, n)
FWD(vgw_list, (struct store *s, const char *p,
               int (*cb)(void *ud, const struct store_vgw_row *row), void *ud), p, cb, ud)
FWD(vgw_delete, (struct store *s, const char *p, const char *id, int64_t *users), p, id, users)
FWD(cgw_delete, (struct store *s, const char *p, const char *id, int64_t *users), p, id, users)
FWD(project_counts, (struct store *s, const char *p, struct store_counts *ret), p, ret)
FWD(due_list, (struct store *s, int64_t now, size_t max, struct store_due *out, size_t *n), now,
    max, out, n)
FWD(vgw_set_status, (struct store *s, const char *p, const char *id, const char *from,
                     const char *to, int64_t due, int64_t updated_at), p, id, from, to, due,
    updated_at)
FWD(conn_insert_batch, (struct store *s, const struct store_conn_new *items, size_t n,
                        size_t *failed), items, n, failed)
FWD(conn_update_if, (struct store *s, const struct store_conn_row *row,
                     const struct store_conn_expect *from, const struct store_claim *c, size_t n,
                     const struct store_event *ev), row, from, c, n, ev)
FWD(conn_delete_if, (struct store *s, const char *p, const char *id, const char *from), p, id,
    from)
FWD(conn_events, (struct store *s, const char *p, const char *id,
                  int (*cb)(void *ud, const struct store_event *ev), void *ud), p, id, cb, ud)
FWD(monitor_insert, (struct store *s, const struct store_monitor_row *m,
                     const struct store_conn_row *conn, const struct store_conn_expect *from), m,
    conn, from)
FWD(monitor_get, (struct store *s, const char *p, const char *id, struct store_monitor_row *ret),
    p, id, ret)
FWD(monitor_list, (struct store *s, const char *p, const struct store_monitor_filter *f,
                   int (*cb)(void *ud, const struct store_monitor_row *m), void *ud), p, f, cb, ud)
FWD(monitor_delete, (struct store *s, const char *p, const char *id,
                     const struct store_conn_row *conn, const struct store_conn_expect *from), p,
    id, conn, from)
FWD(monitor_due_list, (struct store *s, int64_t now, size_t max, struct store_due *out,
                       size_t *n), now, max, out, n)
FWD(monitor_set_status, (struct store *s, const char *p, const char *id, const char *from,
                         const char *to, int64_t due), p, id, from, to, due)
FWD(tags_get, (struct store *s, enum store_res_type t, const char *p, const char *id,
               int (*cb)(void *ud, const char *key, const char *value), void *ud), t, p, id, cb,
    ud)
FWD(tags_project, (struct store *s, enum store_res_type t, const char *p,
                   int (*cb)(void *ud, const char *key, const char *value), void *ud), t, p, cb, ud)
FWD(tags_write_spec, (struct store *s, enum store_res_type t, const char *p, const char *id,
                      const char *old_spec, const char *spec, const char *doc), t, p, id,
    old_spec, spec, doc)
FWD(tags_filter, (struct store *s, enum store_res_type t, const char *p,
                  const struct store_tag_filter *f, size_t limit, size_t offset,
                  int (*cb)(void *ud, const char *id, const char *name, const char *key,
                            const char *value),
                  void *ud, int64_t *total), t, p, f, limit, offset, cb, ud, total)
FWD(cgw_list, (struct store *s, const char *p, const struct store_cgw_filter *f, size_t limit,
               int (*cb)(void *ud, const struct store_cgw_row *row), void *ud, size_t *count,
               char next[STORE_MARKER_LEN], int64_t *total), p, f, limit, cb, ud, count, next,
    total)
FWD(cgw_update, (struct store *s, const struct store_cgw_row *row), row)
FWD(vgw_update, (struct store *s, const struct store_vgw_update *u, size_t *released), u,
    released)
/* A failed end of a bulk load ends it all the same, with nothing kept (store.h): the load is
 * rolled back underneath, as a backend whose commit fails does. */
static int f_bulk_end(struct store *s, bool commit)
{
    int r = hit();

    if (r) {
        (void)in(s)->ops->bulk_end(in(s), false);
        return r;
    }
    return in(s)->ops->bulk_end(in(s), commit);
}
FWD(dump, (struct store *s, const struct store_dump_cbs *cbs, void *ud), cbs, ud)
FWD(conn_set_status, (struct store *s, struct store_conn_status *items, size_t n), items, n)
FWD(vgw_conns_stamp, (struct store *s, const char *p, const char *id,
                      struct store_vgw_conns *ret), p, id, ret)
FWD(leases_take, (struct store *s, const char *node, int64_t now, int64_t until,
                  struct buf *out, size_t *ret_n), node, now, until, out, ret_n)
FWD(lease_get, (struct store *s, const char *p, const char *vgw_id,
                char ret_node[STORE_NODE_LEN], int64_t *ret_until), p, vgw_id, ret_node,
    ret_until)

FWD(ctl_get, (struct store *s, const char *key, struct buf *value, int64_t *n), key, value, n)
FWD(ctl_list, (struct store *s, const char *prefix,
               int (*cb)(void *ud, const struct store_ctl_row *row), void *ud), prefix, cb, ud)
FWD(ctl_put, (struct store *s, const char *key, const char *value, int64_t n), key, value, n)
FWD(ctl_delete, (struct store *s, const char *key, bool prefix, int64_t *n), key, prefix, n)
FWD(ctl_add, (struct store *s, const char *key, int64_t delta, int64_t *n), key, delta, n)
FWD(reset, (struct store *s, const char *project_id), project_id)

static int f_ping(struct store *s)
{
    int r = hit();
    return r ? r : in(s)->ops->ping(in(s));
}

static int f_bulk_begin(struct store *s)
{
    int r = hit();
    return r ? r : in(s)->ops->bulk_begin(in(s));
}

/* The optional ops, through store.c, which answers for a backend without them. */
static int f_bulk_batch(struct store *s)
{
    int r = hit();
    return r ? r : store_bulk_batch(in(s));
}

static int f_bulk_undo(struct store *s)
{
    int r = hit();
    return r ? r : store_bulk_undo(in(s));
}

static int f_compact(struct store *s, size_t batch, size_t *ret_rows)
{
    int r = hit();
    return r ? r : store_compact(in(s), batch, ret_rows);
}

/* Read batching only brackets reads: nothing to fail. */
static void f_read_batch(struct store *s, bool on)
{
    store_read_batch(in(s), on);
}

/* The sync setting and group commit: forwarded (the ops inside are the ones that fail). */
static int f_set_sync(struct store *s, bool full)
{
    return store_set_sync(in(s), full);
}

static int f_group_begin(struct store *s)
{
    return store_group_begin(in(s));
}

static bool f_group_pending(struct store *s)
{
    return store_group_pending(in(s));
}

static int f_group_end(struct store *s)
{
    return store_group_end(in(s));
}

#define OP(name) .name = f_##name
static const struct store_ops fault_ops = {
    .name = "fault",
    OP(close), OP(errmsg), OP(schema_version), OP(vgw_insert), OP(vgw_get), OP(cgw_insert),
    OP(cgw_get), OP(conn_insert), OP(conn_get_doc), OP(conn_get), OP(conn_update),
    OP(conn_delete), OP(conn_list), OP(claims_list), OP(vgw_list), OP(vgw_delete),
    OP(cgw_delete), OP(project_counts), OP(due_list), OP(vgw_set_status),
    OP(conn_insert_batch), OP(conn_update_if), OP(conn_delete_if), OP(conn_events),
    OP(monitor_insert), OP(monitor_get), OP(monitor_list), OP(monitor_delete),
    OP(monitor_due_list), OP(monitor_set_status), OP(tags_get), OP(tags_project),
    OP(tags_write_spec), OP(tags_filter), OP(cgw_list), OP(cgw_update), OP(vgw_update),
    OP(bulk_begin), OP(bulk_end), OP(dump), OP(read_batch), OP(conn_set_status),
    OP(vgw_conns_stamp), OP(bulk_batch), OP(bulk_undo), OP(leases_take), OP(lease_get),
    OP(ctl_get), OP(ctl_list), OP(ctl_put), OP(ctl_delete), OP(ctl_add), OP(reset), OP(ping),
    OP(set_sync), OP(group_begin), OP(group_pending), OP(group_end), OP(compact),
};
#undef OP
_Static_assert(sizeof(struct store_ops) == sizeof(const char *) + 59 * sizeof(void (*)(void)),
               "struct store_ops changed: give the fault store a forwarder for the new member");

void fault_store_wrap(struct store **s)
{
    struct fault_store *f = calloc(1, sizeof(*f));

    if (!f)
        abort();
    f->base.ops = &fault_ops;
    f->base.quotas = (*s)->quotas;
    f->inner = *s;
    *s = &f->base;
}

void fault_store_arm(long nth, int err)
{
    armed = nth;
    armed_err = err;
    calls = 0;
    fired = false;
}

long fault_store_calls(void)
{
    return calls;
}

bool fault_store_fired(void)
{
    return fired;
}
