/* Contract tests (every backend) for the compare-and-set connection update (the status engine's
 * settle, a PUT: store_conn_update_if with struct store_conn_expect) and for writes from several
 * store handles at once, which is what several vpnd nodes on one database are: capacity under
 * racing inserts, racing deletes, and settles that happen exactly once. */
#include <sys/wait.h>

#include "test_store_fixture.h"

static void settle_row(struct fx_conn *c, const char *status, const char *doc)
{
    snprintf(c->row.status, sizeof(c->row.status), "%s", status);
    c->row.status_due = 0;
    snprintf(c->doc, sizeof(c->doc), "%s", doc);
}

static void add_pending_conn(struct fx *f, struct fx_conn *c, int n)
{
    fx_conn_init(c, PROJECT_A, VGW_1, n, T0);
    assert_int_equal(store_conn_insert(f->s, &c->row, NULL, 0), 0);
}


static void test_settle_moves_the_status_once(void **state)
{
    struct fx *f = *state;
    const struct store_conn_expect from = {.status = "PENDING_CREATE", .spec = NULL};
    const struct store_event ev = {T0 + 1, "created"};
    struct store_conn_row row;
    struct fx_conn c;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    add_pending_conn(f, &c, 1);
    settle_row(&c, "DOWN", "{\"status\":\"DOWN\"}");
    assert_int_equal(store_conn_update_if(f->s, &c.row, &from, NULL, 0, &ev), 0);
    /* a second engine that still believes the old status loses, and logs nothing */
    assert_int_equal(store_conn_update_if(f->s, &c.row, &from, NULL, 0, &ev), -ENOENT);
    assert_int_equal(store_conn_get(f->s, PROJECT_A, c.row.id, &row), 0);
    assert_string_equal(row.status, "DOWN");
    assert_int_equal(row.status_due, 0);
    assert_string_equal(row.doc, "{\"status\":\"DOWN\"}");
    store_conn_row_done(&row);
    assert_int_equal(fx_events_of(f, c.row.id), 1);
}

static void test_settle_after_a_spec_change_in_between_is_enoent_and_keeps_the_change(void **state)
{
    struct fx *f = *state;
    struct store_conn_row row;
    struct fx_conn c, upd;
    char old_spec[128];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    add_pending_conn(f, &c, 1);
    snprintf(old_spec, sizeof(old_spec), "%s", c.spec);
    fx_conn_init(&upd, PROJECT_A, VGW_1, 1, T0); /* an API update: same status, new spec */
    upd.row.updated_at = T0 + 5;
    snprintf(upd.spec, sizeof(upd.spec), "{\"updated\":true}");
    snprintf(upd.doc, sizeof(upd.doc), "{\"updated\":true}");
    assert_int_equal(store_conn_update(f->s, &upd.row, NULL, 0), 0);

    /* built from the row read before the update: it names the spec it read */
    const struct store_conn_expect from = {.status = "PENDING_CREATE", .spec = old_spec};
    settle_row(&c, "DOWN", "{\"stale\":true}");
    assert_int_equal(store_conn_update_if(f->s, &c.row, &from, NULL, 0, NULL), -ENOENT);
    assert_int_equal(store_conn_get(f->s, PROJECT_A, c.row.id, &row), 0);
    assert_string_equal(row.status, "PENDING_CREATE");
    assert_string_equal(row.doc, "{\"updated\":true}");
    store_conn_row_done(&row);
    /* re-read, it applies */
    const struct store_conn_expect fresh = {.status = "PENDING_CREATE",
                                            .spec = "{\"updated\":true}"};
    assert_int_equal(store_conn_update_if(f->s, &c.row, &fresh, NULL, 0, NULL), 0);
}

static void test_settle_of_a_deleted_or_foreign_connection_is_enoent(void **state)
{
    struct fx *f = *state;
    const struct store_conn_expect from = {.status = "PENDING_CREATE", .spec = NULL};
    struct fx_conn c;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    add_pending_conn(f, &c, 1);
    settle_row(&c, "DOWN", "{}");
    snprintf(c.row.project_id, sizeof(c.row.project_id), "%s", PROJECT_B);
    assert_int_equal(store_conn_update_if(f->s, &c.row, &from, NULL, 0, NULL), -ENOENT);
    snprintf(c.row.project_id, sizeof(c.row.project_id), "%s", PROJECT_A);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, c.row.id), 0);
    assert_int_equal(store_conn_update_if(f->s, &c.row, &from, NULL, 0, NULL), -ENOENT);
}

static void test_two_handles_settle_one_connection_exactly_once(void **state)
{
    struct fx *f = *state;
    struct store *other = NULL;
    struct store_conn_row seen1, seen2;
    struct fx_conn c;
    char err[256];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    add_pending_conn(f, &c, 1);
    assert_int_equal(store_open(f->path, &other, err, sizeof(err)), 0);
    /* both engines read the row before either writes */
    assert_int_equal(store_conn_get(f->s, PROJECT_A, c.row.id, &seen1), 0);
    assert_int_equal(store_conn_get(other, PROJECT_A, c.row.id, &seen2), 0);
    const struct store_conn_expect from1 = {.status = seen1.status, .spec = seen1.spec};
    const struct store_conn_expect from2 = {.status = seen2.status, .spec = seen2.spec};
    settle_row(&c, "DOWN", "{}");
    assert_int_equal(store_conn_update_if(other, &c.row, &from2, NULL, 0, NULL), 0);
    assert_int_equal(store_conn_update_if(f->s, &c.row, &from1, NULL, 0, NULL), -ENOENT);
    store_conn_row_done(&seen1);
    store_conn_row_done(&seen2);
    store_close(other);
}

/* Child: its own handle (a node), settles connection n from PENDING_CREATE with its own event
 * and exits 1 if it won, 0 if it lost (-ENOENT), 255 on any other outcome. */
static _Noreturn void settle_once(const char *url, int n)
{
    const struct store_conn_expect from = {.status = "PENDING_CREATE", .spec = NULL};
    const struct store_event ev = {T0 + 1, "settled"};
    struct store *s = NULL;
    struct fx_conn c;
    char err[256];
    int r;

    if (store_open(url, &s, err, sizeof(err)) < 0)
        _exit(255);
    fx_conn_init(&c, PROJECT_A, VGW_1, n, T0);
    settle_row(&c, "DOWN", "{}");
    r = store_conn_update_if(s, &c.row, &from, NULL, 0, &ev);
    store_close(s);
    _exit(r == 0 ? 1 : r == -ENOENT ? 0 : 255);
}

static void test_racing_handles_settle_each_connection_exactly_once(void **state)
{
    enum { CONNS = 3, RACERS = 4 };
    struct fx *f = *state;
    pid_t pids[CONNS * RACERS];
    int won[CONNS] = {0};

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    for (int i = 0; i < CONNS; i++) {
        struct fx_conn c;
        add_pending_conn(f, &c, i + 1);
    }
    for (int k = 0; k < CONNS * RACERS; k++) {
        pids[k] = fork();
        assert_true(pids[k] >= 0);
        if (pids[k] == 0)
            settle_once(f->path, k % CONNS + 1);
    }
    for (int k = 0; k < CONNS * RACERS; k++) {
        int st = 0;

        assert_int_equal(waitpid(pids[k], &st, 0), pids[k]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) != 255);
        won[k % CONNS] += WEXITSTATUS(st);
    }
    for (int i = 0; i < CONNS; i++) {
        char id[37];

        fx_conn_id(i + 1, id);
        assert_int_equal(won[i], 1);
        assert_int_equal(fx_events_of(f, id), 1); /* the winner's event only */
    }
}

/* Child: its own handle (a node), tries n inserts of connections first..first+n-1 and exits
 * with how many succeeded; any error other than -EOVERFLOW is exit 255. */
static _Noreturn void insert_many(const char *url, int first, int n)
{
    struct store *s = NULL;
    char err[256];
    int ok = 0;

    if (store_open(url, &s, err, sizeof(err)) < 0)
        _exit(255);
    for (int i = 0; i < n; i++) {
        struct fx_conn c;
        int r;

        fx_conn_init(&c, PROJECT_A, VGW_1, first + i, T0 + first + i);
        r = store_conn_insert(s, &c.row, NULL, 0);
        if (r == 0)
            ok++;
        else if (r != -EOVERFLOW)
            _exit(255);
    }
    store_close(s);
    _exit(ok);
}

static void test_capacity_holds_when_several_handles_insert_at_once(void **state)
{
    enum { CAPACITY = 12, WRITERS = 3, EACH = 8 };
    struct fx *f = *state;
    pid_t pids[WRITERS];
    int total = 0;
    struct buf b = {0};
    size_t count = 0;
    char next[STORE_MARKER_LEN];
    int64_t listed = 0;
    struct store_counts counts;

    fx_add_vgw(f, PROJECT_A, VGW_1, CAPACITY);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        assert_true(pids[w] >= 0);
        if (pids[w] == 0)
            insert_many(f->path, 1 + w * EACH, EACH);
    }
    for (int w = 0; w < WRITERS; w++) {
        int st = 0;

        assert_int_equal(waitpid(pids[w], &st, 0), pids[w]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) != 255);
        total += WEXITSTATUS(st);
    }
    assert_int_equal(total, CAPACITY);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), CAPACITY);
    assert_int_equal(store_conn_list(f->s, PROJECT_A, NULL, 0, &b, &count, next, &listed), 0);
    assert_int_equal(listed, CAPACITY); /* the counters kept up with the racing writers */
    assert_int_equal(store_project_counts(f->s, PROJECT_A, &counts), 0);
    assert_int_equal(counts.vpn_connections, CAPACITY);
    buf_free(&b);
}

static void test_update_if_replaces_claims_and_a_conflict_changes_nothing(void **state)
{
    struct fx *f = *state;
    const struct store_conn_expect from = {.status = "PENDING_CREATE", .spec = NULL};
    struct store_claim mine = {"tunnel:" VGW_1, "169.254.0.0/30"};
    struct store_claim moved = {"tunnel:" VGW_1, "169.254.0.4/30"};
    struct fx_conn c1, c2;
    char got[128];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c1.row, &mine, 1), 0);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0);
    assert_int_equal(store_conn_insert(f->s, &c2.row, &moved, 1), 0);
    /* c1 moving onto c2's /30: -EEXIST, c1 keeps its own */
    assert_int_equal(store_conn_update_if(f->s, &c1.row, &from, &moved, 1, NULL), -EEXIST);
    fx_claims(f, "tunnel:" VGW_1, got, sizeof(got));
    assert_string_equal(got, "169.254.0.0/30 169.254.0.4/30");
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, c2.row.id), 0);
    c1.row.updated_at = T0 + 1;
    assert_int_equal(store_conn_update_if(f->s, &c1.row, &from, &moved, 1, NULL), 0);
    fx_claims(f, "tunnel:" VGW_1, got, sizeof(got));
    assert_string_equal(got, "169.254.0.4/30");
}

/* Child: its own handle, deletes connection n (if_status NULL: store_conn_delete, else
 * store_conn_delete_if) and exits 1 if it deleted it, 0 for -ENOENT, 255 otherwise. */
static _Noreturn void delete_once(const char *url, int n, const char *if_status)
{
    struct store *s = NULL;
    char err[256], id[37];
    int r;

    if (store_open(url, &s, err, sizeof(err)) < 0)
        _exit(255);
    fx_conn_id(n, id);
    r = if_status ? store_conn_delete_if(s, PROJECT_A, id, if_status)
                  : store_conn_delete(s, PROJECT_A, id);
    store_close(s);
    _exit(r == 0 ? 1 : r == -ENOENT ? 0 : 255);
}

static void test_racing_deletes_of_one_connection_release_its_slot_once(void **state)
{
    enum { RACERS = 6 };
    struct fx *f = *state;
    struct fx_conn c1, c2;
    pid_t pids[RACERS];
    int deleted = 0;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    add_pending_conn(f, &c1, 1);
    add_pending_conn(f, &c2, 2);
    for (int k = 0; k < RACERS; k++) {
        pids[k] = fork();
        assert_true(pids[k] >= 0);
        if (pids[k] == 0) /* half plain deletes, half compare-and-set deletes */
            delete_once(f->path, 1, k % 2 ? "PENDING_CREATE" : NULL);
    }
    for (int k = 0; k < RACERS; k++) {
        int st = 0;

        assert_int_equal(waitpid(pids[k], &st, 0), pids[k]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) != 255);
        deleted += WEXITSTATUS(st);
    }
    assert_int_equal(deleted, 1);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, c1.row.id), -ENOENT);
    assert_int_equal(store_conn_delete_if(f->s, PROJECT_A, c2.row.id, "ACTIVE"), -ENOENT);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_settle_moves_the_status_once),
        T(test_settle_after_a_spec_change_in_between_is_enoent_and_keeps_the_change),
        T(test_settle_of_a_deleted_or_foreign_connection_is_enoent),
        T(test_two_handles_settle_one_connection_exactly_once),
        T(test_racing_handles_settle_each_connection_exactly_once),
        T(test_capacity_holds_when_several_handles_insert_at_once),
        T(test_update_if_replaces_claims_and_a_conflict_changes_nothing),
        T(test_racing_deletes_of_one_connection_release_its_slot_once),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
