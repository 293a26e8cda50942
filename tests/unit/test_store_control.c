/* The store contract of the control surface's table (store.h "control"), reset (with the
 * data-plane leases of what it deletes) and ping, on every backend. */
#include "test_store_fixture.h"

static int64_t generation(struct fx *f)
{
    int64_t n = -1;

    assert_int_equal(store_ctl_get(f->s, STORE_CTL_GENERATION, NULL, &n), 0);
    return n;
}

static void test_a_put_key_reads_back_with_its_value_and_integer(void **state)
{
    struct fx *f = *state;
    struct buf v = {0};
    int64_t n = 0;

    assert_int_equal(store_ctl_get(f->s, "rule/1", &v, &n), -ENOENT);
    assert_int_equal(store_ctl_put(f->s, "rule/1", "{\"a\":1}", 5), 0);
    assert_int_equal(store_ctl_get(f->s, "rule/1", &v, &n), 0);
    assert_string_equal(v.data, "{\"a\":1}");
    assert_int_equal(n, 5);
    buf_reset(&v);
    assert_int_equal(store_ctl_put(f->s, "rule/1", "", -1), 0);
    assert_int_equal(store_ctl_get(f->s, "rule/1", &v, &n), 0);
    assert_string_equal(v.data ? v.data : "", "");
    assert_int_equal(n, -1);
    buf_free(&v);
}

static void test_every_put_and_delete_moves_the_generation_and_a_counter_does_not(void **state)
{
    struct fx *f = *state;
    int64_t g0 = generation(f), n = 0;

    assert_int_equal(store_ctl_put(f->s, "rule/1", "x", 2), 0);
    assert_int_equal(generation(f), g0 + 1);
    assert_int_equal(store_ctl_add(f->s, "rule/1", -1, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(generation(f), g0 + 1);
    assert_int_equal(store_ctl_delete(f->s, "rule/1", false, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(generation(f), g0 + 2);
    /* deleting what is not there changes nothing */
    assert_int_equal(store_ctl_delete(f->s, "rule/1", false, &n), -ENOENT);
    assert_int_equal(generation(f), g0 + 2);
}

static void test_a_counter_never_goes_below_zero(void **state)
{
    struct fx *f = *state;
    int64_t n = 99;

    assert_int_equal(store_ctl_put(f->s, "fault/a", "x", 2), 0);
    assert_int_equal(store_ctl_add(f->s, "fault/a", -1, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_ctl_add(f->s, "fault/a", -1, &n), 0);
    assert_int_equal(n, 0);
    n = 99;
    assert_int_equal(store_ctl_add(f->s, "fault/a", -1, &n), -ENOENT);
    assert_int_equal(n, 99);
    assert_int_equal(store_ctl_add(f->s, "fault/none", -1, NULL), -ENOENT);
    assert_int_equal(store_ctl_add(f->s, "fault/a", 3, &n), 0);
    assert_int_equal(n, 3);
}

struct seen {
    char keys[256];
    int64_t sum;
};

static int collect(void *ud, const struct store_ctl_row *row)
{
    struct seen *s = ud;

    snprintf(s->keys + strlen(s->keys), sizeof(s->keys) - strlen(s->keys), "%s=%s;", row->key,
             row->value);
    s->sum += row->n;
    return 0;
}

static void test_a_list_gives_the_keys_of_a_prefix_in_key_order(void **state)
{
    struct fx *f = *state;
    struct seen s = {"", 0};

    assert_int_equal(store_ctl_put(f->s, "res/b", "2", 20), 0);
    assert_int_equal(store_ctl_put(f->s, "rule/a", "r", 1), 0);
    assert_int_equal(store_ctl_put(f->s, "res/a", "1", 10), 0);
    assert_int_equal(store_ctl_list(f->s, "res/", collect, &s), 0);
    assert_string_equal(s.keys, "res/a=1;res/b=2;");
    assert_int_equal(s.sum, 30);
    memset(&s, 0, sizeof(s));
    /* "" is everything but the generation */
    assert_int_equal(store_ctl_list(f->s, "", collect, &s), 0);
    assert_string_equal(s.keys, "res/a=1;res/b=2;rule/a=r;");
}

static void test_a_prefix_delete_takes_only_its_keys_and_never_the_generation(void **state)
{
    struct fx *f = *state;
    struct seen s = {"", 0};
    int64_t n = 0;

    assert_int_equal(store_ctl_put(f->s, "res/a", "1", 1), 0);
    assert_int_equal(store_ctl_put(f->s, "res/b", "2", 1), 0);
    assert_int_equal(store_ctl_put(f->s, "rule/a", "r", 1), 0);
    assert_int_equal(store_ctl_delete(f->s, "res/", true, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_ctl_list(f->s, "", collect, &s), 0);
    assert_string_equal(s.keys, "rule/a=r;");
    assert_int_equal(store_ctl_delete(f->s, "", true, &n), 0);
    assert_int_equal(n, 1);
    assert_true(generation(f) > 0);
    assert_int_equal(store_ctl_delete(f->s, "", true, &n), -ENOENT);
}

static void test_the_control_table_is_shared_by_every_handle_on_the_store(void **state)
{
    struct fx *f = *state;
    struct store *other = NULL;
    char err[256];
    int64_t n = 0;

    assert_int_equal(store_open(f->path, &other, err, sizeof(err)), 0);
    assert_int_equal(store_ctl_put(f->s, "clock", "", 600000), 0);
    assert_int_equal(store_ctl_get(other, "clock", NULL, &n), 0);
    assert_int_equal(n, 600000);
    store_close(other);
}

static void add_conn(struct fx *f, const char *project, const char *vgw, int n)
{
    struct fx_conn c;
    char claim_kind[64];
    struct store_claim claim = {claim_kind, "169.254.0.0/30"};

    snprintf(claim_kind, sizeof(claim_kind), "tunnel:%s", vgw);
    fx_conn_init(&c, project, vgw, n, T0 + n);
    assert_int_equal(store_conn_insert(f->s, &c.row, &claim, 1), 0);
}

static void test_a_project_reset_leaves_the_other_projects_as_they_were(void **state)
{
    struct fx *f = *state;
    struct store_counts a, b;
    char claims[256];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    add_conn(f, PROJECT_A, VGW_1, 1);
    fx_add_vgw(f, PROJECT_B, VGW_2, 10);
    fx_add_cgw(f, PROJECT_B, CGW_1);
    add_conn(f, PROJECT_B, VGW_2, 2);
    assert_int_equal(store_reset(f->s, PROJECT_A), 0);
    assert_int_equal(store_project_counts(f->s, PROJECT_A, &a), 0);
    assert_int_equal(store_project_counts(f->s, PROJECT_B, &b), 0);
    assert_int_equal(a.vpn_gateways + a.customer_gateways + a.vpn_connections, 0);
    assert_int_equal(b.vpn_gateways, 1);
    assert_int_equal(b.customer_gateways, 1);
    assert_int_equal(b.vpn_connections, 1);
    fx_claims(f, "tunnel:" VGW_1, claims, sizeof(claims));
    assert_string_equal(claims, "");
    fx_claims(f, "tunnel:" VGW_2, claims, sizeof(claims));
    assert_string_equal(claims, "169.254.0.0/30");
    /* the same ids can be created again */
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    add_conn(f, PROJECT_A, VGW_1, 1);
}

static void test_a_full_reset_empties_every_project_but_keeps_the_control_table(void **state)
{
    struct fx *f = *state;
    struct store_counts a;
    struct store_due due[4];
    size_t n = 9;
    int64_t v = 0;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    add_conn(f, PROJECT_A, VGW_1, 1);
    assert_int_equal(store_ctl_put(f->s, "rule/x", "r", 7), 0);
    assert_int_equal(store_reset(f->s, NULL), 0);
    assert_int_equal(store_project_counts(f->s, PROJECT_A, &a), 0);
    assert_int_equal(a.vpn_gateways + a.customer_gateways + a.vpn_connections, 0);
    assert_int_equal(store_due_list(f->s, T0 + 100000, 4, due, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_ctl_get(f->s, "rule/x", NULL, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(store_reset(f->s, NULL), 0); /* an empty store resets too */
}

static void test_a_project_reset_drops_the_leases_of_its_gateways_only(void **state)
{
    struct fx *f = *state;
    struct buf held = {0};
    char node[STORE_NODE_LEN];
    size_t n = 0;
    int64_t until = 0;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_vgw(f, PROJECT_B, VGW_2, 10);
    assert_int_equal(store_leases_take(f->s, "node-1", T0, T0 + 15000, &held, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_reset(f->s, PROJECT_A), 0);
    assert_int_equal(store_lease_get(f->s, PROJECT_A, VGW_1, node, &until), -ENOENT);
    assert_int_equal(store_lease_get(f->s, PROJECT_B, VGW_2, node, &until), 0);
    assert_string_equal(node, "node-1");
    assert_int_equal(store_reset(f->s, NULL), 0);
    assert_int_equal(store_lease_get(f->s, PROJECT_B, VGW_2, node, &until), -ENOENT);
    buf_free(&held);
}

static void test_the_store_answers_a_ping_and_names_its_backend(void **state)
{
    struct fx *f = *state;

    assert_int_equal(store_ping(f->s), 0);
    assert_string_equal(store_backend_name(f->s), fx_pg_url() ? "postgres" : "sqlite");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_a_put_key_reads_back_with_its_value_and_integer),
        T(test_every_put_and_delete_moves_the_generation_and_a_counter_does_not),
        T(test_a_counter_never_goes_below_zero),
        T(test_a_list_gives_the_keys_of_a_prefix_in_key_order),
        T(test_a_prefix_delete_takes_only_its_keys_and_never_the_generation),
        T(test_the_control_table_is_shared_by_every_handle_on_the_store),
        T(test_a_project_reset_leaves_the_other_projects_as_they_were),
        T(test_a_full_reset_empties_every_project_but_keeps_the_control_table),
        T(test_a_project_reset_drops_the_leases_of_its_gateways_only),
        T(test_the_store_answers_a_ping_and_names_its_backend),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
