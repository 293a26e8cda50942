/* SQLite: connection specs and docs are stored compressed (sq_zip.c); the TEXT rows of a store
 * written before read and list the same, and a corrupt compressed value is an error, not a
 * crash. */
#include "test_store_fixture.h"

#include <sqlite3.h>

#include "util/buf.h"

/* A spec and a doc of a realistic size (the compression pays from ~100 bytes). */
#define SPEC_FMT                                                                                   \
    "{\"id\":\"%s\",\"name\":\"vpn-1\",\"style\":\"POLICY\",\"psk\":\"Abcd1234!x\","              \
    "\"ikepolicy\":{\"ike_version\":\"v2\",\"authentication_algorithm\":\"sha2-256\","            \
    "\"encryption_algorithm\":\"aes-128\",\"dh_group\":\"group15\"},\"tags\":[{\"key\":\"k\","   \
    "\"value\":\"v\"}]}"
#define DOC_FMT                                                                                    \
    "{\"id\":\"%s\",\"name\":\"vpn-\xc3\xa9\",\"vgw_id\":\"" VGW_1 "\",\"style\":\"POLICY\","      \
    "\"ikepolicy\":{\"ike_version\":\"v2\",\"authentication_algorithm\":\"sha2-256\"}}"

struct conn {
    struct store_conn_row row;
    char spec[512];
    char doc[512];
};

static void sql(struct fx *f, const char *text)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, text, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* The text of one value of the store file (a sqlite3 shell-like read), in out. */
static void sql_text(struct fx *f, const char *query, char *out, size_t size)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, query, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* A gateway, a customer gateway and connection 1 with the spec and doc above. */
static void add_conn(struct fx *f, struct conn *c)
{
    struct fx_conn base;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&base, PROJECT_A, VGW_1, 1, T0);
    c->row = base.row;
    snprintf(c->spec, sizeof(c->spec), SPEC_FMT, c->row.id);
    snprintf(c->doc, sizeof(c->doc), DOC_FMT, c->row.id);
    c->row.spec = c->spec;
    c->row.doc = c->doc;
    assert_int_equal(store_conn_insert(f->s, &c->row, NULL, 0), 0);
}

/* The served doc: the stored one with "status" put back after "name". */
static void served(const struct conn *c, const char *status, char *out, size_t size)
{
    const char *vgw = strstr(c->doc, ",\"vgw_id\"");

    snprintf(out, size, "%.*s,\"status\":\"%s\"%s", (int)(vgw - c->doc), c->doc, status, vgw);
}

/* GET, the full row and a list page (c the oldest in it) give back what was written. */
static void assert_reads_back(struct fx *f, const struct conn *c)
{
    struct store_conn_row row;
    struct buf b = {0};
    char want[1024], next[STORE_MARKER_LEN];
    size_t n = 0;
    int64_t total = 0;

    served(c, "PENDING_CREATE", want, sizeof(want));
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c->row.id, &b), 0);
    assert_string_equal(b.data, want);
    buf_free(&b);
    assert_int_equal(store_conn_get(f->s, PROJECT_A, c->row.id, &row), 0);
    assert_string_equal(row.spec, c->spec);
    assert_string_equal(row.doc, c->doc);
    store_conn_row_done(&row);
    assert_int_equal(store_conn_list(f->s, PROJECT_A, NULL, 10, &b, &n, next, &total), 0);
    assert_int_equal(n, (size_t)total);
    assert_non_null(strstr(b.data, want)); /* the oldest last: the page ends with it */
    assert_string_equal(b.data + b.len - strlen(want), want);
    buf_free(&b);
}

static void test_a_connection_is_stored_compressed_and_reads_back_byte_equal(void **state)
{
    struct fx *f = *state;
    struct conn c;
    char type[32], len[32];

    FX_SQLITE_ONLY();
    add_conn(f, &c);
    assert_reads_back(f, &c);
    sql_text(f, "SELECT typeof(spec) || ',' || typeof(doc) FROM vpn_connection", type,
             sizeof(type));
    assert_string_equal(type, "blob,blob");
    sql_text(f, "SELECT length(doc) < 100 AND hex(substr(doc, 1, 1)) = '01' FROM vpn_connection",
             len, sizeof(len));
    assert_string_equal(len, "1"); /* dictionary 1, and smaller than the text */
}

static void test_an_old_store_with_text_rows_reads_lists_and_updates_the_same(void **state)
{
    struct fx *f = *state;
    struct conn c;
    struct store_conn_row row;
    struct store_conn_expect from = {.status = "PENDING_CREATE"};
    char old[2048], type[32];

    FX_SQLITE_ONLY();
    add_conn(f, &c);
    store_close(f->s);
    f->s = NULL;
    /* the row as every vpnd before compression wrote it: TEXT */
    snprintf(old, sizeof(old), "UPDATE vpn_connection SET spec = '%s', doc = '%s'", c.spec, c.doc);
    sql(f, old);
    sql_text(f, "SELECT typeof(spec) || ',' || typeof(doc) FROM vpn_connection", type,
             sizeof(type));
    assert_string_equal(type, "text,text");
    fx_open(f);
    assert_reads_back(f, &c);

    /* a compare-and-set against the stored spec matches the TEXT row, and writes it compressed */
    from.spec = c.spec;
    row = c.row;
    snprintf(row.status, sizeof(row.status), "DOWN");
    assert_int_equal(store_conn_update_if(f->s, &row, &from, NULL, 0, NULL), 0);
    sql_text(f, "SELECT typeof(spec) || ',' || typeof(doc) FROM vpn_connection", type,
             sizeof(type));
    assert_string_equal(type, "blob,blob");
    from.status = "DOWN";
    assert_int_equal(store_conn_update_if(f->s, &row, &from, NULL, 0, NULL), 0);
}

static void test_a_tag_write_compares_and_indexes_a_compressed_spec(void **state)
{
    struct fx *f = *state;
    struct conn c;
    char spec[512], key[32];

    FX_SQLITE_ONLY();
    add_conn(f, &c);
    snprintf(spec, sizeof(spec), "{\"id\":\"%s\",\"name\":\"n\",\"tags\":[{\"key\":\"k2\"}]}",
             c.row.id);
    assert_int_equal(store_tags_write_spec(f->s, STORE_RES_VPN_CONNECTION, PROJECT_A, c.row.id,
                                           c.spec, spec, c.doc),
                     0);
    sql_text(f, "SELECT group_concat(key) FROM tag", key, sizeof(key));
    assert_string_equal(key, "k2"); /* json_each read the compressed spec */
    assert_int_equal(store_tags_write_spec(f->s, STORE_RES_VPN_CONNECTION, PROJECT_A, c.row.id,
                                           c.spec, spec, c.doc),
                     -EBUSY); /* the stored spec is no longer c.spec */
}

/* Reads of a corrupted row: each is -EIO with the reason in errmsg. */
static void assert_corrupt(struct fx *f, const struct conn *c, const char *why)
{
    struct store_conn_row row;
    struct buf b = {0};
    char next[STORE_MARKER_LEN];
    size_t n = 0;

    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c->row.id, &b), -EIO);
    assert_non_null(strstr(store_errmsg(f->s), why));
    assert_int_equal(store_conn_get(f->s, PROJECT_A, c->row.id, &row), -EIO);
    assert_int_equal(store_conn_list(f->s, PROJECT_A, NULL, 10, &b, &n, next, NULL), -EIO);
    buf_free(&b);
}

static void test_a_corrupt_compressed_doc_is_an_io_error_not_a_crash(void **state)
{
    struct fx *f = *state;
    struct conn c;

    FX_SQLITE_ONLY();
    add_conn(f, &c);
    sql(f, "UPDATE vpn_connection SET doc = substr(doc, 1, length(doc) - 9), "
           "spec = substr(spec, 1, 12)");
    assert_corrupt(f, &c, "compressed document");
    sql(f, "UPDATE vpn_connection SET doc = x'01ffffffffffffffffffff', spec = x'01'");
    assert_corrupt(f, &c, "read document");
    sql(f, "UPDATE vpn_connection SET doc = x'0728b52ffd2000', spec = x'0728b52ffd2000'");
    assert_corrupt(f, &c, "unknown dictionary 7");
}

static void test_writes_use_the_highest_dictionary_the_store_holds(void **state)
{
    struct fx *f = *state;
    struct conn c;
    struct fx_conn two;
    char first[32];

    FX_SQLITE_ONLY();
    add_conn(f, &c);
    store_close(f->s);
    f->s = NULL;
    sql(f, "INSERT INTO zdict (id, dict) SELECT 2, dict FROM zdict WHERE id = 1");
    fx_open(f);
    fx_conn_init(&two, PROJECT_A, VGW_1, 2, T0 + 1);
    assert_int_equal(store_conn_insert(f->s, &two.row, NULL, 0), 0);
    sql_text(f, "SELECT group_concat(hex(substr(doc, 1, 1)), ',') FROM "
                "(SELECT doc FROM vpn_connection ORDER BY created_at)",
             first, sizeof(first));
    assert_string_equal(first, "01,02");
    assert_reads_back(f, &c); /* the row compressed with dictionary 1 still reads */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_connection_is_stored_compressed_and_reads_back_byte_equal, fx_setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_an_old_store_with_text_rows_reads_lists_and_updates_the_same, fx_setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(test_a_tag_write_compares_and_indexes_a_compressed_spec,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_a_corrupt_compressed_doc_is_an_io_error_not_a_crash,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_writes_use_the_highest_dictionary_the_store_holds,
                                        fx_setup, fx_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
