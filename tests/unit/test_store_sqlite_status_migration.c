/* SQLite: the migration that stores status once (schema 11) takes the status member out of the
 * documents a store from before it holds, and GET serves the same bytes as before. */
#include "test_store_fixture.h"

#include <sqlite3.h>

#define STATUS_SCHEMA_VERSION 11 /* the version the migration brings */

/* A connection and a gateway as a store before the migration held them: both documents and the
 * spec with "status" after "name" (a name with a multi-byte character: the cut counts bytes as
 * text functions count characters). */
#define OLD_DOC                                                                                    \
    "{\"id\":\"%s\",\"name\":\"vpn-\xc3\xa9\",\"status\":\"PENDING_CREATE\",\"vgw_id\":\"" VGW_1 \
    "\",\"ha_role\":\"master\"}"
#define OLD_SPEC                                                                                   \
    "{\"id\":\"%s\",\"name\":\"vpn-\xc3\xa9\",\"status\":\"PENDING_CREATE\",\"psk\":\"x\"}"
#define NEW_SPEC "{\"id\":\"%s\",\"name\":\"vpn-\xc3\xa9\",\"psk\":\"x\"}"

static void sql(struct fx *f, const char *text)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, text, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void test_a_store_from_before_keeps_serving_the_same_documents(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct store_conn_row row;
    struct store_vgw_row vgw;
    struct buf b = {0};
    char doc[256], spec[256], old[1024];

    FX_SQLITE_ONLY();
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    store_close(f->s);
    f->s = NULL;
    snprintf(doc, sizeof(doc), OLD_DOC, c.row.id);
    snprintf(spec, sizeof(spec), OLD_SPEC, c.row.id);
    snprintf(old, sizeof(old),
             "UPDATE vpn_connection SET doc = '%s', spec = '%s';"
             "UPDATE vpn_gateway SET spec = '{\"id\":\"" VGW_1 "\",\"name\":\"g\","
             "\"status\":\"ACTIVE\",\"x\":1}';"
             "PRAGMA user_version = %d",
             doc, spec, STATUS_SCHEMA_VERSION - 1);
    sql(f, old);
    fx_open(f);

    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c.row.id, &b), 0);
    assert_string_equal(b.data, doc); /* served as before: the status comes from the column */
    assert_int_equal(store_conn_get(f->s, PROJECT_A, c.row.id, &row), 0);
    assert_null(strstr(row.doc, "status"));
    snprintf(spec, sizeof(spec), NEW_SPEC, c.row.id);
    assert_string_equal(row.spec, spec);
    store_conn_row_done(&row);
    assert_int_equal(store_vgw_get(f->s, PROJECT_A, VGW_1, &vgw), 0);
    assert_string_equal(vgw.spec, "{\"id\":\"" VGW_1 "\",\"name\":\"g\",\"x\":1}");
    store_vgw_row_done(&vgw);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_store_from_before_keeps_serving_the_same_documents,
                                        fx_setup, fx_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
