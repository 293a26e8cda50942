/* Store contract: the quotas set with store_set_quotas are enforced inside the insert
 * transactions (-EDQUOT, nothing changed), per project, and a delete frees a unit. Runs on
 * every backend (VPND_TEST_STORE_URL). */
#include "test_store_fixture.h"

#define VGW_3 "7b6c5e0a-1f2d-4c3b-9a8e-1234567890ad"
#define CGW_2 "c0c0c0c0-1f2d-4c3b-9a8e-1234567890ac"

static void add_vgw_expect(struct fx *f, const char *project, const char *id, int want)
{
    assert_int_equal(fx_try_add_vgw(f, project, id, 10), want);
}

static void test_a_gateway_beyond_the_quota_is_refused_and_not_stored(void **state)
{
    struct fx *f = *state;
    struct store_counts n;

    store_set_quotas(f->s, &(struct store_quotas){.vpn_gateways = 2});
    add_vgw_expect(f, PROJECT_A, VGW_1, 0);
    add_vgw_expect(f, PROJECT_A, VGW_2, 0);
    add_vgw_expect(f, PROJECT_A, VGW_3, -EDQUOT);
    assert_int_equal(store_project_counts(f->s, PROJECT_A, &n), 0);
    assert_int_equal(n.vpn_gateways, 2);
    add_vgw_expect(f, PROJECT_B, VGW_3, 0); /* per project */
}

static void test_a_customer_gateway_beyond_the_quota_is_refused(void **state)
{
    struct fx *f = *state;
    struct store_cgw_row row = {.created_at = T0, .updated_at = T0};
    char spec[] = "{}";

    store_set_quotas(f->s, &(struct store_quotas){.customer_gateways = 1});
    fx_add_cgw(f, PROJECT_A, CGW_1);
    row.spec = spec;
    snprintf(row.project_id, sizeof(row.project_id), "%s", PROJECT_A);
    snprintf(row.id, sizeof(row.id), "%s", CGW_2);
    assert_int_equal(store_cgw_insert(f->s, &row), -EDQUOT);
}

static void test_connections_beyond_the_quota_are_refused_and_a_delete_frees_a_unit(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2, c3;
    struct store_conn_new batch[2];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    store_set_quotas(f->s, &(struct store_quotas){.vpn_connections = 2});
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0 + 1);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0 + 2);
    fx_conn_init(&c3, PROJECT_A, VGW_1, 3, T0 + 3);
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), 0);
    /* a batch of two with one unit left: all or nothing */
    batch[0] = (struct store_conn_new){.row = &c2.row};
    batch[1] = (struct store_conn_new){.row = &c3.row};
    assert_int_equal(store_conn_insert_batch(f->s, batch, 2, NULL), -EDQUOT);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1);
    assert_int_equal(store_conn_insert(f->s, &c2.row, NULL, 0), 0);
    assert_int_equal(store_conn_insert(f->s, &c3.row, NULL, 0), -EDQUOT);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, c1.row.id), 0);
    assert_int_equal(store_conn_insert(f->s, &c3.row, NULL, 0), 0);
}

static void test_without_quotas_inserts_are_not_limited(void **state)
{
    struct fx *f = *state;

    for (int i = 0; i < 3; i++) {
        char id[37];
        snprintf(id, sizeof(id), "7b6c5e0a-1f2d-4c3b-9a8e-%012d", i);
        add_vgw_expect(f, PROJECT_A, id, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
        T(test_a_gateway_beyond_the_quota_is_refused_and_not_stored),
        T(test_a_customer_gateway_beyond_the_quota_is_refused),
        T(test_connections_beyond_the_quota_are_refused_and_a_delete_frees_a_unit),
        T(test_without_quotas_inserts_are_not_limited),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
