/* Unit tests for the store's rows and write transactions (SQLite backend, real files). */
#include "test_store_fixture.h"

static void test_gateway_insert_then_get_returns_every_column(void **state)
{
    struct fx *f = *state;
    struct store_vgw_row row;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    assert_int_equal(store_vgw_get(f->s, PROJECT_A, VGW_1, &row), 0);
    assert_string_equal(row.project_id, PROJECT_A);
    assert_string_equal(row.id, VGW_1);
    assert_string_equal(row.status, "ACTIVE");
    assert_string_equal(row.enterprise_project_id, "0");
    assert_int_equal(row.connection_number, 10);
    assert_int_equal(row.used_connection_number, 0);
    assert_int_equal(row.created_at, T0);
    assert_int_equal(row.updated_at, T0);
    assert_string_equal(row.spec, "{\"id\":\"" VGW_1 "\"}");
    store_vgw_row_done(&row);
    assert_null(row.spec);
}

static void test_customer_gateway_insert_then_get_round_trips(void **state)
{
    struct fx *f = *state;
    struct store_cgw_row row;

    fx_add_cgw(f, PROJECT_A, CGW_1);
    assert_int_equal(store_cgw_get(f->s, PROJECT_A, CGW_1, &row), 0);
    assert_string_equal(row.id, CGW_1);
    assert_int_equal(row.created_at, T0);
    assert_string_equal(row.spec, "{}");
    store_cgw_row_done(&row);
}

static void test_connection_insert_then_get_returns_every_column(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct store_conn_row row;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    assert_int_equal(store_conn_get(f->s, PROJECT_A, c.row.id, &row), 0);
    assert_string_equal(row.project_id, PROJECT_A);
    assert_string_equal(row.id, c.row.id);
    assert_string_equal(row.vgw_id, VGW_1);
    assert_string_equal(row.cgw_id, CGW_1);
    assert_string_equal(row.vgw_ip, "eip-1");
    assert_string_equal(row.enterprise_project_id, "0");
    assert_string_equal(row.status, "PENDING_CREATE");
    assert_int_equal(row.status_due, T0 + 1000);
    assert_int_equal(row.created_at, T0);
    assert_int_equal(row.updated_at, T0);
    assert_string_equal(row.spec, c.spec);
    assert_string_equal(row.doc, c.doc);
    store_conn_row_done(&row);
    assert_null(row.spec);
    assert_null(row.doc);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1);
}

static void test_get_doc_appends_the_doc_after_existing_buffer_content(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct buf b = {0};

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    assert_int_equal(buf_puts(&b, "{\"vpn_connection\":"), 0);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c.row.id, &b), 0);
    assert_string_equal(b.data,
                        "{\"vpn_connection\":{\"id\":\"00000000-0000-4000-8000-000000000001\"}");
    assert_int_equal(b.len, strlen(b.data));
    buf_free(&b);
}

static void test_rows_of_one_project_are_enoent_through_another(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct store_vgw_row vgw;
    struct store_cgw_row cgw;
    struct store_conn_row conn;
    struct buf b = {0};

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    assert_int_equal(store_vgw_get(f->s, PROJECT_B, VGW_1, &vgw), -ENOENT);
    assert_int_equal(store_cgw_get(f->s, PROJECT_B, CGW_1, &cgw), -ENOENT);
    assert_int_equal(store_conn_get(f->s, PROJECT_B, c.row.id, &conn), -ENOENT);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_B, c.row.id, &b), -ENOENT);
    assert_int_equal(b.len, 0);
    assert_int_equal(store_conn_delete(f->s, PROJECT_B, c.row.id), -ENOENT);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c.row.id, &b), 0);
    buf_free(&b);
}

static void test_connection_on_full_gateway_is_enospc_and_leaves_count_unchanged(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct buf b = {0};

    fx_add_vgw(f, PROJECT_A, VGW_1, 2);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    for (int i = 1; i <= 2; i++) {
        fx_conn_init(&c, PROJECT_A, VGW_1, i, T0 + i);
        assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    }
    fx_conn_init(&c, PROJECT_A, VGW_1, 3, T0 + 3);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), -EOVERFLOW);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 2);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c.row.id, &b), -ENOENT);
}

static void test_slot_freed_by_delete_is_available_again(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2;

    fx_add_vgw(f, PROJECT_A, VGW_1, 1);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0);
    assert_int_equal(store_conn_insert(f->s, &c1.row, NULL, 0), 0);
    assert_int_equal(store_conn_insert(f->s, &c2.row, NULL, 0), -EOVERFLOW);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, c1.row.id), 0);
    assert_int_equal(store_conn_insert(f->s, &c2.row, NULL, 0), 0);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1);
}

static void test_connection_on_missing_gateway_is_enoent(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;

    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), -ENOENT);
}

static void test_connection_on_gateway_of_another_project_is_enoent(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;

    fx_add_vgw(f, PROJECT_B, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), -ENOENT);
    assert_int_equal(fx_used(f, PROJECT_B, VGW_1), 0);
}

static void
test_connection_with_missing_customer_gateway_is_enoent_and_count_unchanged(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    const struct store_claim claims[] = {{"tunnel:" VGW_1, "169.254.56.224/30"}};
    char got[256];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, claims, 1), -ENOENT);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 0);
    fx_claims(f, "tunnel:" VGW_1, got, sizeof(got));
    assert_string_equal(got, "");
}

static void test_claim_conflict_is_eexist_and_nothing_of_the_transaction_is_visible(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2;
    const struct store_claim first[] = {{"tunnel:" VGW_1, "169.254.56.224/30"}};
    const struct store_claim second[] = {{"tunnel:" VGW_1, "169.254.56.228/30"},
                                         {"tunnel:" VGW_1, "169.254.56.224/30"}};
    struct buf b = {0};
    char got[256];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0);
    assert_int_equal(store_conn_insert(f->s, &c1.row, first, 1), 0);
    assert_int_equal(store_conn_insert(f->s, &c2.row, second, 2), -EEXIST);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c2.row.id, &b), -ENOENT);
    fx_claims(f, "tunnel:" VGW_1, got, sizeof(got));
    assert_string_equal(got, "169.254.56.224/30"); /* .228 of the failed insert is not kept */
    buf_free(&b);
}

static void test_duplicate_connection_id_is_eexist_and_keeps_count_and_claims(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    const struct store_claim claims[] = {{"tunnel:" VGW_1, "169.254.56.224/30"}};
    const struct store_claim other[] = {{"tunnel:" VGW_1, "169.254.56.228/30"}};
    char got[256];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, claims, 1), 0);
    assert_int_equal(store_conn_insert(f->s, &c.row, other, 1), -EEXIST);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1);
    fx_claims(f, "tunnel:" VGW_1, got, sizeof(got));
    assert_string_equal(got, "169.254.56.224/30");
}

static void test_gateway_claim_conflict_is_eexist_and_gateway_is_absent(void **state)
{
    struct fx *f = *state;
    struct store_vgw_row row = {.connection_number = 10, .created_at = T0, .updated_at = T0};
    const struct store_claim claims[] = {{"eip_id", "eip-1"}, {"eip_id", "eip-1"}};
    char spec[] = "{}";
    struct store_vgw_row got;

    snprintf(row.project_id, sizeof(row.project_id), "%s", PROJECT_A);
    snprintf(row.id, sizeof(row.id), "%s", VGW_1);
    row.spec = spec;
    assert_int_equal(store_vgw_insert(f->s, &row, claims, 2), -EEXIST);
    assert_int_equal(store_vgw_get(f->s, PROJECT_A, VGW_1, &got), -ENOENT);
    assert_int_equal(store_vgw_insert(f->s, &row, claims, 1), 0);
    snprintf(row.id, sizeof(row.id), "%s", VGW_2);
    assert_int_equal(store_vgw_insert(f->s, &row, claims, 1), -EEXIST);
    assert_int_equal(store_vgw_get(f->s, PROJECT_A, VGW_2, &got), -ENOENT);
}

static void test_duplicate_gateway_and_customer_gateway_ids_are_eexist(void **state)
{
    struct fx *f = *state;
    struct store_vgw_row vgw = {.connection_number = 10};
    struct store_cgw_row cgw = {0};
    char spec[] = "{}";

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    snprintf(vgw.project_id, sizeof(vgw.project_id), "%s", PROJECT_A);
    snprintf(vgw.id, sizeof(vgw.id), "%s", VGW_1);
    vgw.spec = spec;
    assert_int_equal(store_vgw_insert(f->s, &vgw, NULL, 0), -EEXIST);
    snprintf(cgw.project_id, sizeof(cgw.project_id), "%s", PROJECT_A);
    snprintf(cgw.id, sizeof(cgw.id), "%s", CGW_1);
    cgw.spec = spec;
    assert_int_equal(store_cgw_insert(f->s, &cgw), -EEXIST);
}

static void test_claims_list_appends_nul_terminated_values_of_one_kind(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    const struct store_claim claims[] = {{"tunnel:" VGW_1, "169.254.56.228/30"},
                                         {"tunnel:" VGW_1, "169.254.56.224/30"},
                                         {"private_ip", "10.0.0.5"}};
    struct buf b = {0};
    size_t n = 0;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, claims, 3), 0);
    assert_int_equal(buf_puts(&b, "x"), 0);
    assert_int_equal(store_claims_list(f->s, "tunnel:" VGW_1, &b, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(b.len, 1 + 2 * sizeof("169.254.56.224/30"));
    assert_memory_equal(b.data,
                        "x169.254.56.224/30\0"
                        "169.254.56.228/30",
                        b.len);
    assert_int_equal(store_claims_list(f->s, "no-such-kind", &b, &n), 0);
    assert_int_equal(n, 0);
    buf_free(&b);
}

static void test_delete_releases_claims_and_decrements_used_count(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2;
    const struct store_claim claims1[] = {{"tunnel:" VGW_1, "169.254.56.224/30"}};
    const struct store_claim claims2[] = {{"tunnel:" VGW_1, "169.254.56.228/30"}};
    struct buf b = {0};
    char got[256];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0);
    assert_int_equal(store_conn_insert(f->s, &c1.row, claims1, 1), 0);
    assert_int_equal(store_conn_insert(f->s, &c2.row, claims2, 1), 0);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, c1.row.id), 0);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1);
    fx_claims(f, "tunnel:" VGW_1, got, sizeof(got));
    assert_string_equal(got, "169.254.56.228/30");
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c1.row.id, &b), -ENOENT);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, c1.row.id), -ENOENT);
    /* the released claim can be taken again */
    fx_conn_init(&c1, PROJECT_A, VGW_1, 3, T0);
    assert_int_equal(store_conn_insert(f->s, &c1.row, claims1, 1), 0);
    buf_free(&b);
}

static void test_update_replaces_the_mutable_columns_only(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct store_conn_row row;
    char spec[] = "{\"v\":2}", doc[] = "{\"status\":\"ACTIVE\"}";
    const char *cgw2 = "c0c0c0c0-1f2d-4c3b-9a8e-1234567890ac";

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_add_cgw(f, PROJECT_A, cgw2);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    snprintf(c.row.status, sizeof(c.row.status), "ACTIVE");
    snprintf(c.row.cgw_id, sizeof(c.row.cgw_id), "%s", cgw2);
    snprintf(c.row.vgw_ip, sizeof(c.row.vgw_ip), "ignored");
    c.row.status_due = 0;
    c.row.updated_at = T0 + 5;
    c.row.created_at = T0 + 99; /* ignored */
    c.row.spec = spec;
    c.row.doc = doc;
    assert_int_equal(store_conn_update(f->s, &c.row, NULL, 0), 0);
    assert_int_equal(store_conn_get(f->s, PROJECT_A, c.row.id, &row), 0);
    assert_string_equal(row.status, "ACTIVE");
    assert_string_equal(row.cgw_id, cgw2);
    assert_string_equal(row.vgw_ip, "eip-1");
    assert_int_equal(row.status_due, 0);
    assert_int_equal(row.updated_at, T0 + 5);
    assert_int_equal(row.created_at, T0);
    assert_string_equal(row.spec, spec);
    assert_string_equal(row.doc, doc);
    store_conn_row_done(&row);
}

static void test_update_of_absent_connection_is_enoent(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_update(f->s, &c.row, NULL, 0), -ENOENT);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    snprintf(c.row.project_id, sizeof(c.row.project_id), "%s", PROJECT_B);
    assert_int_equal(store_conn_update(f->s, &c.row, NULL, 0), -ENOENT);
}

static void test_update_to_missing_customer_gateway_is_enoent_and_changes_nothing(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct store_conn_row row;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    snprintf(c.row.cgw_id, sizeof(c.row.cgw_id), "c0c0c0c0-0000-4c3b-9a8e-1234567890ac");
    snprintf(c.row.status, sizeof(c.row.status), "ACTIVE");
    assert_int_equal(store_conn_update(f->s, &c.row, NULL, 0), -ENOENT);
    assert_int_equal(store_conn_get(f->s, PROJECT_A, c.row.id, &row), 0);
    assert_string_equal(row.status, "PENDING_CREATE");
    assert_string_equal(row.cgw_id, CGW_1);
    store_conn_row_done(&row);
}

static void test_update_with_claims_replaces_them_and_a_conflict_keeps_the_old_ones(void **state)
{
    struct fx *f = *state;
    struct fx_conn c1, c2;
    const struct store_claim a[] = {{"tunnel:" VGW_1, "169.254.56.224/30"}};
    const struct store_claim b[] = {{"tunnel:" VGW_1, "169.254.56.228/30"}};
    const struct store_claim c[] = {{"tunnel:" VGW_1, "169.254.56.232/30"}};
    char got[256];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c1, PROJECT_A, VGW_1, 1, T0);
    fx_conn_init(&c2, PROJECT_A, VGW_1, 2, T0);
    assert_int_equal(store_conn_insert(f->s, &c1.row, a, 1), 0);
    assert_int_equal(store_conn_insert(f->s, &c2.row, b, 1), 0);
    assert_int_equal(store_conn_update(f->s, &c1.row, c, 1), 0);
    fx_claims(f, "tunnel:" VGW_1, got, sizeof(got));
    assert_string_equal(got, "169.254.56.228/30 169.254.56.232/30");
    snprintf(c1.row.status, sizeof(c1.row.status), "ACTIVE");
    assert_int_equal(store_conn_update(f->s, &c1.row, b, 1), -EEXIST);
    fx_claims(f, "tunnel:" VGW_1, got, sizeof(got));
    assert_string_equal(got, "169.254.56.228/30 169.254.56.232/30");
    assert_int_equal(store_conn_update(f->s, &c1.row, NULL, 0), 0); /* NULL keeps them */
    fx_claims(f, "tunnel:" VGW_1, got, sizeof(got));
    assert_string_equal(got, "169.254.56.228/30 169.254.56.232/30");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_gateway_insert_then_get_returns_every_column),
        T(test_customer_gateway_insert_then_get_round_trips),
        T(test_connection_insert_then_get_returns_every_column),
        T(test_get_doc_appends_the_doc_after_existing_buffer_content),
        T(test_rows_of_one_project_are_enoent_through_another),
        T(test_connection_on_full_gateway_is_enospc_and_leaves_count_unchanged),
        T(test_slot_freed_by_delete_is_available_again),
        T(test_connection_on_missing_gateway_is_enoent),
        T(test_connection_on_gateway_of_another_project_is_enoent),
        T(test_connection_with_missing_customer_gateway_is_enoent_and_count_unchanged),
        T(test_claim_conflict_is_eexist_and_nothing_of_the_transaction_is_visible),
        T(test_duplicate_connection_id_is_eexist_and_keeps_count_and_claims),
        T(test_gateway_claim_conflict_is_eexist_and_gateway_is_absent),
        T(test_duplicate_gateway_and_customer_gateway_ids_are_eexist),
        T(test_claims_list_appends_nul_terminated_values_of_one_kind),
        T(test_delete_releases_claims_and_decrements_used_count),
        T(test_update_replaces_the_mutable_columns_only),
        T(test_update_of_absent_connection_is_enoent),
        T(test_update_to_missing_customer_gateway_is_enoent_and_changes_nothing),
        T(test_update_with_claims_replaces_them_and_a_conflict_keeps_the_old_ones),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
