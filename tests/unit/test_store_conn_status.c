/* Contract tests (every backend) for store_conn_set_status: compare-and-sets of connections'
 * status columns (the status engine's settles of one tick, a data plane's changes), each item
 * its own, committed together; the documents are not written: the served doc takes its status
 * from the column. (They replace the tests of store_conn_settle_batch, which rewrote the spec
 * and doc of every settle.) */
#include "test_store_fixture.h"

static void add_pending(struct fx *f, struct fx_conn *c, int n)
{
    fx_conn_init(c, PROJECT_A, VGW_1, n, T0);
    assert_int_equal(store_conn_insert(f->s, &c->row, NULL, 0), 0);
}

static void expect_row(struct fx *f, const struct fx_conn *c, const char *status, int64_t due)
{
    struct store_conn_row row;

    assert_int_equal(store_conn_get(f->s, PROJECT_A, c->row.id, &row), 0);
    assert_string_equal(row.status, status);
    assert_int_equal(row.status_due, due);
    assert_string_equal(row.spec, c->spec); /* documents untouched */
    assert_string_equal(row.doc, c->doc);
    store_conn_row_done(&row);
}

static struct store_conn_status settle(const struct fx_conn *c, int64_t from_due, const char *msg)
{
    return (struct store_conn_status){
        .project_id = PROJECT_A,
        .id = c->row.id,
        .from = "PENDING_CREATE",
        .from_due = from_due,
        .to = "DOWN",
        .ev = {T0 + 1, msg},
    };
}

static void test_each_item_of_a_call_is_its_own_compare_and_set(void **state)
{
    struct fx *f = *state;
    struct fx_conn a, b, gone, other;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    add_pending(f, &a, 1);
    add_pending(f, &b, 2);
    add_pending(f, &gone, 3);
    add_pending(f, &other, 4);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, gone.row.id), 0);
    struct store_conn_status items[] = {
        settle(&a, a.row.status_due, "a settled"),
        settle(&b, b.row.status_due + 1, "b settled"), /* due again since it was read */
        settle(&gone, -1, "gone settled"),
        settle(&other, -1, NULL),
    };

    assert_int_equal(store_conn_set_status(f->s, items, 4), 0);
    assert_int_equal(items[0].result, 0);
    assert_int_equal(items[1].result, -ENOENT);
    assert_int_equal(items[2].result, -ENOENT);
    assert_int_equal(items[3].result, 0);
    expect_row(f, &a, "DOWN", 0);
    assert_int_equal(fx_events_of(f, a.row.id), 1);
    expect_row(f, &b, "PENDING_CREATE", b.row.status_due);
    assert_int_equal(fx_events_of(f, b.row.id), 0);
    expect_row(f, &other, "DOWN", 0);
    assert_int_equal(fx_events_of(f, other.row.id), 0); /* no message, no event */

    /* a second engine with the same items finds nothing left to do */
    assert_int_equal(store_conn_set_status(f->s, items, 4), 0);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(items[i].result, -ENOENT);
    assert_int_equal(fx_events_of(f, a.row.id), 1);
}

static void test_the_served_doc_shows_the_new_status_after_the_name(void **state)
{
    struct fx *f = *state;
    struct fx_conn a;
    struct buf b = {0};
    char want[160];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&a, PROJECT_A, VGW_1, 1, T0);
    snprintf(a.doc, sizeof(a.doc), "{\"id\":\"%s\",\"name\":\"n\",\"x\":1}", a.row.id);
    assert_int_equal(store_conn_insert(f->s, &a.row, NULL, 0), 0);
    struct store_conn_status item = settle(&a, -1, "settled");
    assert_int_equal(store_conn_set_status(f->s, &item, 1), 0);
    assert_int_equal(item.result, 0);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, a.row.id, &b), 0);
    snprintf(want, sizeof(want), "{\"id\":\"%s\",\"name\":\"n\",\"status\":\"DOWN\",\"x\":1}",
             a.row.id);
    assert_string_equal(b.data, want);
    buf_free(&b);
}

static void test_an_empty_call_changes_nothing(void **state)
{
    struct fx *f = *state;
    assert_int_equal(store_conn_set_status(f->s, NULL, 0), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_each_item_of_a_call_is_its_own_compare_and_set),
        T(test_the_served_doc_shows_the_new_status_after_the_name),
        T(test_an_empty_call_changes_nothing),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
