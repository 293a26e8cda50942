/* Unit tests for the status engine's queue and gateway deletes in the SQLite store. */
#include "test_store_fixture.h"

static void test_due_list_returns_only_rows_whose_time_has_come(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct store_due due[4];
    size_t n = 99;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0); /* due at T0 + 1000 */
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);

    assert_int_equal(store_due_list(f->s, T0 + 999, 4, due, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_due_list(f->s, T0 + 1000, 4, due, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(due[0].kind, STORE_KIND_CONN);
    assert_string_equal(due[0].id, c.row.id);
    assert_string_equal(due[0].status, "PENDING_CREATE");
}

static void test_gateway_status_change_happens_once(void **state)
{
    struct fx *f = *state;
    struct store_vgw_row row;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    assert_int_equal(store_vgw_set_status(f->s, PROJECT_A, VGW_1, "ACTIVE", "FREEZED", 0, T0), 0);
    /* a second engine that still believes the old status loses the race */
    assert_int_equal(store_vgw_set_status(f->s, PROJECT_A, VGW_1, "ACTIVE", "FREEZED", 0, T0),
                     -ENOENT);
    assert_int_equal(store_vgw_get(f->s, PROJECT_A, VGW_1, &row), 0);
    assert_string_equal(row.status, "FREEZED");
    store_vgw_row_done(&row);
}

static void test_gateway_status_change_is_scoped_by_project(void **state)
{
    struct fx *f = *state;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    assert_int_equal(store_vgw_set_status(f->s, PROJECT_B, VGW_1, "ACTIVE", "FREEZED", 0, T0),
                     -ENOENT);
}

static void test_gateway_in_use_is_not_deleted_and_the_count_is_reported(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    int64_t users = 0;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    assert_int_equal(store_vgw_delete(f->s, PROJECT_A, VGW_1, &users), -ENOTEMPTY);
    assert_int_equal(users, 1);
    assert_int_equal(store_cgw_delete(f->s, PROJECT_A, CGW_1, &users), -ENOTEMPTY);
    assert_int_equal(users, 1);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1);
}

static void test_unused_gateways_are_deleted_once(void **state)
{
    struct fx *f = *state;
    int64_t users = 0;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    assert_int_equal(store_vgw_delete(f->s, PROJECT_B, VGW_1, &users), -ENOENT);
    assert_int_equal(store_vgw_delete(f->s, PROJECT_A, VGW_1, &users), 0);
    assert_int_equal(store_vgw_delete(f->s, PROJECT_A, VGW_1, &users), -ENOENT);
    assert_int_equal(store_cgw_delete(f->s, PROJECT_A, CGW_1, &users), 0);
    assert_int_equal(store_cgw_delete(f->s, PROJECT_A, CGW_1, &users), -ENOENT);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_due_list_returns_only_rows_whose_time_has_come),
        T(test_gateway_status_change_happens_once),
        T(test_gateway_status_change_is_scoped_by_project),
        T(test_gateway_in_use_is_not_deleted_and_the_count_is_reported),
        T(test_unused_gateways_are_deleted_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
