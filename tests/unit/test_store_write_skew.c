/* Store contract: what keeps a gateway's local subnets and its connections' peer subnets from
 * being changed past each other (store.h "the gateway's connections as a gateway update checked
 * them"): the connection stamp a gateway update compares, and the gateway updated_at a
 * connection write compares. Each stale expectation fails and changes nothing. */
#include "test_store_fixture.h"

static struct store_vgw_conns stamp(struct fx *f)
{
    struct store_vgw_conns s = {-1, -1, -1};

    assert_int_equal(store_vgw_conns_stamp(f->s, PROJECT_A, VGW_1, &s), 0);
    return s;
}

static void seed(struct fx *f)
{
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
}

static void test_the_stamp_counts_the_gateways_connections_and_sums_their_updated_at(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2, other;

    seed(f);
    fx_add_vgw(f, PROJECT_A, VGW_2, 10);
    assert_int_equal(stamp(f).n, 0);
    assert_int_equal(stamp(f).updated_at_sum, 0);
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0 + 7);
    fx_conn_init(&other, PROJECT_A, VGW_2, 3, T0 + 9);
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), 0);
    assert_int_equal(store_conn_insert(f->s, &c2.row, NULL, 0), 0);
    assert_int_equal(store_conn_insert(f->s, &other.row, NULL, 0), 0);
    assert_int_equal(stamp(f).n, 2);
    assert_int_equal(stamp(f).updated_at_sum, 2 * T0 + 7);
}

static void test_the_stamp_counts_the_customer_gateways_of_the_connections(void **state)
{
    static const char cgw_2[] = "c0c0c0c0-1f2d-4c3b-9a8e-1234567890ac";
    struct fx *f = *state;
    struct fx_conn c1, c2, c3;

    seed(f);
    fx_add_cgw(f, PROJECT_A, cgw_2);
    assert_int_equal(stamp(f).groups, 0);
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0 + 1);
    fx_conn_init(&c3, PROJECT_A, VGW_1, 3, T0 + 2);
    snprintf(c3.row.cgw_id, sizeof(c3.row.cgw_id), "%s", cgw_2);
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), 0);
    assert_int_equal(store_conn_insert(f->s, &c2.row, NULL, 0), 0);
    assert_int_equal(stamp(f).groups, 1); /* two connections to one customer gateway */
    assert_int_equal(store_conn_insert(f->s, &c3.row, NULL, 0), 0);
    assert_int_equal(stamp(f).groups, 2);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, c1.row.id), 0);
    assert_int_equal(stamp(f).groups, 2);
}

static void test_the_stamp_moves_with_an_update_but_not_with_a_status_change(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct store_vgw_conns before;

    seed(f);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    before = stamp(f);
    struct store_conn_expect from = {.status = "PENDING_CREATE"};
    snprintf(c.row.status, sizeof(c.row.status), "DOWN"); /* a settle: updated_at stays */
    assert_int_equal(store_conn_update_if(f->s, &c.row, &from, NULL, 0, NULL), 0);
    assert_int_equal(stamp(f).updated_at_sum, before.updated_at_sum);
    from.status = "DOWN";
    c.row.updated_at = T0 + 50; /* a PUT */
    assert_int_equal(store_conn_update_if(f->s, &c.row, &from, NULL, 0, NULL), 0);
    assert_int_equal(stamp(f).n, 1);
    assert_int_equal(stamp(f).updated_at_sum, T0 + 50);
}

static void test_a_gateway_update_against_a_stale_stamp_is_estale_and_changes_nothing(void **state)
{
    struct fx *f = *state;
    struct store_vgw_row got;
    struct store_vgw_conns checked;
    struct fx_vgw_upd v;
    struct fx_conn c;

    seed(f);
    checked = stamp(f); /* the update checked a gateway without connections */
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0); /* then one was created */
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    fx_vgw_upd_init(&v, PROJECT_A, VGW_1, 10);
    v.u.conns = &checked;
    assert_int_equal(store_vgw_update(f->s, &v.u, NULL), -ESTALE);
    assert_int_equal(store_vgw_get(f->s, PROJECT_A, VGW_1, &got), 0);
    assert_string_equal(got.status, "ACTIVE");
    assert_int_equal(got.updated_at, T0);
    assert_null(strstr(got.spec, "\"v\":2"));
    store_vgw_row_done(&got);
    checked = stamp(f); /* checked again: now it applies */
    assert_int_equal(store_vgw_update(f->s, &v.u, NULL), 0);
    assert_int_equal(store_vgw_get(f->s, PROJECT_A, VGW_1, &got), 0);
    assert_string_equal(got.spec, v.spec);
    store_vgw_row_done(&got);
}

static void test_a_connection_write_checked_against_an_older_gateway_is_enoent(void **state)
{
    struct fx *f = *state;
    struct store_conn_row got;
    struct fx_conn c;

    seed(f); /* the gateway's updated_at is T0 */
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    struct store_conn_expect from = {.status = "PENDING_CREATE", .vgw_updated_at = T0 - 1};
    c.row.updated_at = T0 + 50;
    snprintf(c.row.status, sizeof(c.row.status), "PENDING_UPDATE");
    assert_int_equal(store_conn_update_if(f->s, &c.row, &from, NULL, 0, NULL), -ENOENT);
    assert_int_equal(store_conn_get(f->s, PROJECT_A, c.row.id, &got), 0);
    assert_string_equal(got.status, "PENDING_CREATE");
    assert_int_equal(got.updated_at, T0);
    store_conn_row_done(&got);
    from.vgw_updated_at = T0;
    assert_int_equal(store_conn_update_if(f->s, &c.row, &from, NULL, 0, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
        T(test_the_stamp_counts_the_gateways_connections_and_sums_their_updated_at),
        T(test_the_stamp_counts_the_customer_gateways_of_the_connections),
        T(test_the_stamp_moves_with_an_update_but_not_with_a_status_change),
        T(test_a_gateway_update_against_a_stale_stamp_is_estale_and_changes_nothing),
        T(test_a_connection_write_checked_against_an_older_gateway_is_enoent),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
