/* Contract tests (every backend) for store_conn_settle_batch: the status engine's settles of one
 * tick in one call, each item a compare-and-set of its own (as store_conn_update_if), committed
 * together. */
#include "test_store_fixture.h"


static void add_pending(struct fx *f, struct fx_conn *c, int n)
{
    fx_conn_init(c, PROJECT_A, VGW_1, n, T0);
    assert_int_equal(store_conn_insert(f->s, &c->row, NULL, 0), 0);
}

/* The settled row of c, as the engine builds it. */
static void settled(struct fx_conn *c, const char *doc)
{
    snprintf(c->row.status, sizeof(c->row.status), "DOWN");
    c->row.status_due = 0;
    snprintf(c->doc, sizeof(c->doc), "%s", doc);
}

static void expect_row(struct fx *f, const struct fx_conn *c, const char *status, const char *doc)
{
    struct store_conn_row row;

    assert_int_equal(store_conn_get(f->s, PROJECT_A, c->row.id, &row), 0);
    assert_string_equal(row.status, status);
    assert_string_equal(row.doc, doc);
    store_conn_row_done(&row);
}

static void test_each_item_of_a_batch_is_its_own_compare_and_set(void **state)
{
    struct fx *f = *state;
    struct fx_conn a, b, gone, other;
    char spec_a[128], doc_b[128];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    add_pending(f, &a, 1);
    add_pending(f, &b, 2);
    add_pending(f, &gone, 3);
    add_pending(f, &other, 4);
    snprintf(spec_a, sizeof(spec_a), "%s", a.spec);
    snprintf(doc_b, sizeof(doc_b), "%s", b.doc);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, gone.row.id), 0);
    settled(&a, "{\"a\":\"DOWN\"}");
    settled(&b, "{\"b\":\"DOWN\"}");
    settled(&gone, "{}");
    settled(&other, "{\"other\":\"DOWN\"}");
    struct store_conn_settle items[] = {
        {.row = &a.row, .from = {"PENDING_CREATE", spec_a}, .ev = {T0 + 1, "a settled"}},
        {.row = &b.row, .from = {"PENDING_CREATE", "{\"not\":\"the stored spec\"}"},
         .ev = {T0 + 1, "b settled"}},
        {.row = &gone.row, .from = {"PENDING_CREATE", NULL}, .ev = {T0 + 1, "gone settled"}},
        {.row = &other.row, .from = {"PENDING_CREATE", NULL}, .ev = {T0 + 1, NULL}},
    };

    assert_int_equal(store_conn_settle_batch(f->s, items, 4), 0);
    assert_int_equal(items[0].result, 0);
    assert_int_equal(items[1].result, -ENOENT);
    assert_int_equal(items[2].result, -ENOENT);
    assert_int_equal(items[3].result, 0);
    expect_row(f, &a, "DOWN", "{\"a\":\"DOWN\"}");
    assert_int_equal(fx_events_of(f, a.row.id), 1);
    expect_row(f, &b, "PENDING_CREATE", doc_b);
    assert_int_equal(fx_events_of(f, b.row.id), 0);
    expect_row(f, &other, "DOWN", "{\"other\":\"DOWN\"}");
    assert_int_equal(fx_events_of(f, other.row.id), 0); /* no message, no event */

    /* a second engine with the same batch finds nothing left to do */
    assert_int_equal(store_conn_settle_batch(f->s, items, 4), 0);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(items[i].result, -ENOENT);
    assert_int_equal(fx_events_of(f, a.row.id), 1);
}

/* As store_conn_update_if: a write that would break a foreign key is -ENOENT for that item. */
static void test_an_item_naming_a_missing_customer_gateway_is_enoent_and_the_rest_apply(
    void **state)
{
    struct fx *f = *state;
    struct fx_conn a, b;
    char doc_b[128];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    add_pending(f, &a, 1);
    add_pending(f, &b, 2);
    snprintf(doc_b, sizeof(doc_b), "%s", b.doc);
    settled(&a, "{\"a\":\"DOWN\"}");
    settled(&b, "{\"b\":\"DOWN\"}");
    snprintf(b.row.cgw_id, sizeof(b.row.cgw_id), "%s", "deadbeef-0000-4000-8000-000000000000");
    struct store_conn_settle items[] = {
        {.row = &b.row, .from = {"PENDING_CREATE", NULL}, .ev = {T0 + 1, "b settled"}},
        {.row = &a.row, .from = {"PENDING_CREATE", NULL}, .ev = {T0 + 1, "a settled"}},
    };

    assert_int_equal(store_conn_settle_batch(f->s, items, 2), 0);
    assert_int_equal(items[0].result, -ENOENT);
    assert_int_equal(items[1].result, 0);
    expect_row(f, &b, "PENDING_CREATE", doc_b);
    assert_int_equal(fx_events_of(f, b.row.id), 0);
    expect_row(f, &a, "DOWN", "{\"a\":\"DOWN\"}");
    assert_int_equal(fx_events_of(f, a.row.id), 1);
}

static void test_an_empty_batch_changes_nothing(void **state)
{
    struct fx *f = *state;
    assert_int_equal(store_conn_settle_batch(f->s, NULL, 0), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_each_item_of_a_batch_is_its_own_compare_and_set),
        T(test_an_item_naming_a_missing_customer_gateway_is_enoent_and_the_rest_apply),
        T(test_an_empty_batch_changes_nothing),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
