/* Store: group commit (store_group_begin / store_group_end): the writes of one event-loop turn in
 * one transaction, each op still atomic on its own, nothing visible to another handle or kept
 * before the group's end. Both backends have groups (PostgreSQL: a savepoint per op). */
#include "test_store_fixture.h"

static int64_t used_slots(struct fx *f)
{
    struct store_vgw_row g;

    assert_int_equal(store_vgw_get(f->s, PROJECT_A, VGW_1, &g), 0);
    free(g.spec);
    return g.used_connection_number;
}

/* After the group's end and a reopen: the gateway holds slots connections and c is stored. */
static void assert_kept(struct fx *f, int64_t slots, const struct fx_conn *c)
{
    struct buf b = {0};

    fx_reopen(f);
    assert_int_equal(used_slots(f), slots);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c->row.id, &b), 0);
    assert_string_equal(b.data, c->doc);
    buf_free(&b);
}

/* A gateway and customer gateway, a group armed, and c1, c2: two connections of the gateway. */
static void arm_with_two_conns(struct fx *f, struct fx_conn *c1, struct fx_conn *c2)
{
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    assert_int_equal(store_group_begin(f->s), 1);
    fx_conn_init(c1, PROJECT_A, VGW_1, 1, T0);
    fx_conn_init(c2, PROJECT_A, VGW_1, 2, T0 + 1);
}

static void test_a_groups_writes_are_seen_by_another_handle_only_after_its_end(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2;
    struct store *s2 = NULL;
    struct buf b = {0};
    char err[256];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    assert_int_equal(store_open(f->path, &s2, err, sizeof(err)), 0);
    assert_int_equal(store_group_begin(f->s), 1);
    assert_false(store_group_pending(f->s));
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0 + 1);
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), 0);
    assert_true(store_group_pending(f->s));
    assert_int_equal(store_conn_insert(f->s, &c2.row, NULL, 0), 0);
    /* the group's own handle reads its writes; another handle sees none of them yet */
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c2.row.id, &b), 0);
    assert_int_equal(store_conn_get_doc(s2, PROJECT_A, c1.row.id, &b), -ENOENT);
    assert_int_equal(store_group_end(f->s), 0);
    assert_false(store_group_pending(f->s));
    buf_reset(&b);
    assert_int_equal(store_conn_get_doc(s2, PROJECT_A, c1.row.id, &b), 0);
    assert_string_equal(b.data, c1.doc);
    buf_reset(&b);
    assert_int_equal(store_conn_get_doc(s2, PROJECT_A, c2.row.id, &b), 0);
    assert_string_equal(b.data, c2.doc);
    store_close(s2);
    buf_free(&b);
}

static void test_a_group_is_not_armed_while_a_bulk_load_is_open(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1;
    struct store *s2 = NULL;
    struct buf b = {0};
    char err[256];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    assert_int_equal(store_open(f->path, &s2, err, sizeof(err)), 0);
    assert_int_equal(store_bulk_begin(f->s), 0);
    assert_int_equal(store_group_begin(f->s), 0);
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), 0);
    assert_false(store_group_pending(f->s));
    assert_int_equal(store_group_end(f->s), 0); /* nothing to commit: the load holds the write */
    assert_int_equal(store_bulk_end(f->s, true), 0);
    assert_int_equal(store_conn_get_doc(s2, PROJECT_A, c1.row.id, &b), 0);
    store_close(s2);
    buf_free(&b);
}

static void test_a_groups_later_reads_see_its_writes_and_its_end_keeps_them(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2;
    struct buf page = {0};
    size_t count = 0;
    int64_t total = 0;
    char marker[STORE_MARKER_LEN];

    arm_with_two_conns(f, &c1, &c2);
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), 0);
    assert_int_equal(store_conn_insert(f->s, &c2.row, NULL, 0), 0);
    /* a list (one snapshot on its own) inside the group sees the group's writes */
    assert_int_equal(store_conn_list(f->s, PROJECT_A, NULL, 10, &page, &count, marker, &total), 0);
    assert_int_equal(count, 2);
    assert_int_equal(total, 2);
    assert_int_equal(store_group_end(f->s), 0);
    assert_kept(f, 2, &c1);
    assert_kept(f, 2, &c2);
    buf_free(&page);
}

static void test_a_failed_write_in_a_group_undoes_only_itself(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2, c3;
    struct buf b = {0};

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    (void)store_group_begin(f->s);
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0 + 1);
    fx_conn_init(&c3, PROJECT_A, VGW_1, 3, T0 + 2);
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), 0);
    /* the same id again: refused after it took a gateway slot, which its undo gives back */
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), -EEXIST);
    /* a gateway that does not exist: refused */
    snprintf(c2.row.vgw_id, sizeof(c2.row.vgw_id), "%s", VGW_2);
    assert_int_equal(store_conn_insert(f->s, &c2.row, NULL, 0), -ENOENT);
    assert_int_equal(store_conn_insert(f->s, &c3.row, NULL, 0), 0);
    assert_int_equal(store_group_end(f->s), 0);
    assert_kept(f, 2, &c1);
    assert_kept(f, 2, &c3);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c2.row.id, &b), -ENOENT);
    buf_free(&b);
}

static void test_a_read_the_store_refuses_inside_a_group_fails_alone(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2;
    struct store_conn_row row;

    arm_with_two_conns(f, &c1, &c2);
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), 0);
    /* an id that is not UTF-8: PostgreSQL refuses the statement (which would abort the group's
     * transaction), SQLite finds nothing */
    int r = store_conn_get(f->s, PROJECT_A, "\xff\xfe", &row);
    assert_true(r == -EIO || r == -ENOENT);
    assert_int_equal(store_conn_insert(f->s, &c2.row, NULL, 0), 0);
    assert_int_equal(store_group_end(f->s), 0);
    assert_kept(f, 2, &c1);
    assert_kept(f, 2, &c2);
}

static void test_a_groups_first_write_that_fails_leaves_the_group_empty(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    assert_int_equal(store_group_begin(f->s), 1);
    fx_conn_init(&c1, PROJECT_A, VGW_2, 1, T0); /* no such gateway */
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), -ENOENT);
    assert_false(store_group_pending(f->s));
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0 + 1);
    assert_int_equal(store_conn_insert(f->s, &c2.row, NULL, 0), 0);
    assert_true(store_group_pending(f->s));
    assert_int_equal(store_group_end(f->s), 0);
    assert_kept(f, 1, &c2);
}

static void test_a_read_before_the_groups_first_write_leaves_it_closed(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1;
    struct store_conn_row row;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), 0);
    assert_int_equal(store_group_begin(f->s), 1);
    assert_int_equal(store_conn_get(f->s, PROJECT_A, c1.row.id, &row), 0);
    free(row.spec);
    free(row.doc);
    assert_false(store_group_pending(f->s));
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, c1.row.id), 0);
    assert_true(store_group_pending(f->s));
    assert_int_equal(store_conn_get(f->s, PROJECT_A, c1.row.id, &row), -ENOENT);
    assert_int_equal(store_group_end(f->s), 0);
}

static void test_ending_a_group_that_was_never_armed_changes_nothing(void **state)
{
    struct fx *f = *state;

    assert_int_equal(store_group_end(f->s), 0);
    assert_false(store_group_pending(f->s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_groups_writes_are_seen_by_another_handle_only_after_its_end, fx_setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(test_a_group_is_not_armed_while_a_bulk_load_is_open,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_groups_later_reads_see_its_writes_and_its_end_keeps_them, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_a_failed_write_in_a_group_undoes_only_itself, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_a_read_the_store_refuses_inside_a_group_fails_alone,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_a_groups_first_write_that_fails_leaves_the_group_empty,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_a_read_before_the_groups_first_write_leaves_it_closed,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_ending_a_group_that_was_never_armed_changes_nothing,
                                        fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
