/* Unit tests for opening a store: URLs, schema versions and migrations, durability. */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "test_store_fixture.h"

static int open_url(const char *url, struct store **ret, char *err, size_t errlen)
{
    return store_open(url, ret, err, errlen);
}

static void test_unknown_url_scheme_is_rejected_with_the_supported_ones(void **state)
{
    struct store *s = NULL;
    char err[256];

    (void)state;
    assert_int_equal(open_url("mysql://vpnd@localhost/vpnd", &s, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "unsupported store URL scheme \"mysql\" "
                             "(supported: sqlite, postgres, postgresql)");
    assert_null(s);
}

static void test_unreachable_postgres_server_is_eio_with_the_reason(void **state)
{
    struct store *s = NULL;
    char err[512];

    (void)state;
    /* a socket directory where no server listens: fails at once, no network involved */
    assert_int_equal(
        open_url("postgresql:///vpnd?host=/nonexistent-vpnd-dir", &s, err, sizeof(err)), -EIO);
    assert_non_null(strstr(err, "cannot connect to PostgreSQL: "));
    assert_null(s);
}

static void test_sqlite_url_without_a_path_is_rejected(void **state)
{
    struct store *s = NULL;
    char err[256];

    (void)state;
    assert_int_equal(open_url("sqlite:", &s, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "store URL \"sqlite:\" names no database");
    assert_int_equal(open_url("", &s, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "empty store URL");
}

static void test_memory_url_opens_an_empty_store_at_the_latest_schema(void **state)
{
    struct store *s = NULL;
    struct store_vgw_row row;
    char err[256];

    (void)state;
    assert_int_equal(open_url("sqlite::memory:", &s, err, sizeof(err)), 0);
    assert_true(store_schema_version(s) > 2); /* 2: the schema before the tag index */
    assert_int_equal(store_vgw_get(s, PROJECT_A, VGW_1, &row), -ENOENT);
    assert_non_null(store_errmsg(s));
    store_close(s);
    store_close(NULL);
}

static void test_unopenable_path_is_eio_with_the_reason(void **state)
{
    struct fx *f = *state;
    struct store *s = NULL;
    char url[320], err[512];

    FX_SQLITE_ONLY();

    snprintf(url, sizeof(url), "%s/no-such-dir/vpnd.db", f->dir);
    assert_int_equal(open_url(url, &s, err, sizeof(err)), -EIO);
    assert_non_null(strstr(err, "cannot open SQLite database"));
    assert_null(s);
}

static void test_sqlite_prefix_and_plain_path_open_the_same_file(void **state)
{
    struct fx *f = *state;
    struct store *s = NULL;
    struct store_vgw_row row;
    char url[1100], err[256];

    FX_SQLITE_ONLY();

    snprintf(url, sizeof(url), "sqlite:%s", f->path);
    assert_int_equal(open_url(url, &s, err, sizeof(err)), 0);
    f->s = s;
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_reopen(f); /* plain path */
    assert_int_equal(store_vgw_get(f->s, PROJECT_A, VGW_1, &row), 0);
    store_vgw_row_done(&row);
}

static void test_new_store_has_the_latest_schema_version(void **state)
{
    struct fx *f = *state;

    assert_true(store_schema_version(f->s) > 2); /* 2: the schema before the tag index */
}

static void test_reopen_keeps_data_and_applies_no_migration_twice(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct buf b = {0};
    int latest = store_schema_version(f->s);

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    assert_int_equal(store_conn_insert(f->s, &c.row, NULL, 0), 0);
    for (int i = 0; i < 2; i++) {
        fx_reopen(f);
        assert_int_equal(store_schema_version(f->s), latest);
    }
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, c.row.id, &b), 0);
    assert_string_equal(b.data, c.doc);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1);
    buf_free(&b);
}

/* Writes PRAGMA user_version straight into the closed file: a big-endian 32-bit integer at
 * offset 60 of the database header (https://www.sqlite.org/fileformat.html). */
static void set_user_version(const char *path, uint32_t v)
{
    unsigned char be[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 8), (unsigned char)v};
    int fd = open(path, O_WRONLY | O_CLOEXEC);

    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, be, sizeof(be), 60), (ssize_t)sizeof(be));
    close(fd);
}

static void test_database_newer_than_this_binary_is_refused_with_the_reason(void **state)
{
    struct fx *f = *state;
    struct store *s = NULL;
    char err[256], want[256];

    FX_SQLITE_ONLY();

    snprintf(want, sizeof(want),
             "database schema version 99 is newer than this vpnd supports (%d): upgrade vpnd",
             store_schema_version(f->s));
    store_close(f->s); /* the last handle checkpoints the WAL into the file */
    f->s = NULL;
    set_user_version(f->path, 99);
    assert_int_equal(open_url(f->path, &s, err, sizeof(err)), -EIO);
    assert_string_equal(err, want);
    assert_null(s);
}

/* The same refusal on PostgreSQL: the version row is set through psql (the client the
 * postgresql package installs), the store closed meanwhile. */
static void test_postgres_schema_newer_than_this_binary_is_refused(void **state)
{
    struct fx *f = *state;
    struct store *s = NULL;
    char cmd[1400], err[256], want[160];

    if (!fx_pg_url())
        skip();
    snprintf(want, sizeof(want),
             "database schema version 99 is newer than this vpnd supports (%d): upgrade vpnd",
             store_schema_version(f->s));
    store_close(f->s);
    f->s = NULL;
    snprintf(cmd, sizeof(cmd),
             "psql -X -q -At -v ON_ERROR_STOP=1 '%s' -c 'UPDATE vpnd_schema SET version = 99'",
             f->path);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(open_url(f->path, &s, err, sizeof(err)), -EIO);
    assert_string_equal(err, want);
    assert_null(s);
}

/* Migration 12 (issue 12): a store whose EIP id claims were global ("eip_id") gets them scoped
 * by their gateway's project; other claims stay. The store is set back to version 11 with its
 * claims as version 11 wrote them, then opened. */
static void test_migration_scopes_eip_id_claims_by_the_gateway_project(void **state)
{
    struct fx *f = *state;
    struct store *s = NULL;
    char cmd[1400], err[256], taken[256];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    store_close(f->s);
    f->s = NULL;
    if (fx_pg_url()) {
        snprintf(cmd, sizeof(cmd),
                 "psql -X -q -At -v ON_ERROR_STOP=1 '%s' -c \"INSERT INTO claim VALUES"
                 " ('eip_id', 'eip-a', '%s'), ('eip_address', '198.18.0.9', '%s');"
                 " UPDATE vpnd_schema SET version = 11\"",
                 f->path, VGW_1, VGW_1);
        assert_int_equal(system(cmd), 0);
    } else {
        snprintf(cmd, sizeof(cmd),
                 "sqlite3 '%s' \"INSERT INTO claim VALUES ('eip_id', 'eip-a', '%s'),"
                 " ('eip_address', '198.18.0.9', '%s'); PRAGMA user_version = 11\"",
                 f->path, VGW_1, VGW_1);
        assert_int_equal(system(cmd), 0);
    }
    assert_int_equal(open_url(f->path, &s, err, sizeof(err)), 0);
    f->s = s;
    fx_claims(f, "eip_id:" PROJECT_A, taken, sizeof(taken));
    assert_string_equal(taken, "eip-a");
    fx_claims(f, "eip_id", taken, sizeof(taken));
    assert_string_equal(taken, "");
    fx_claims(f, "eip_address", taken, sizeof(taken));
    assert_string_equal(taken, "198.18.0.9");
}

static void test_store_file_uses_a_write_ahead_log(void **state)
{
    struct fx *f = *state;
    struct stat st;
    char wal[1100];

    FX_SQLITE_ONLY();

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_path(f, "-wal", wal, sizeof(wal));
    assert_int_equal(stat(wal, &st), 0);
}

/* Child: opens the store, inserts a gateway, reports the acknowledged insert, waits for death. */
static _Noreturn void insert_then_wait(struct fx *f, int wfd)
{
    struct store_vgw_row row = {.connection_number = 3, .created_at = T0, .updated_at = T0};
    char spec[] = "{\"acked\":true}", err[256];
    int r = store_open(f->path, &f->s, err, sizeof(err));

    snprintf(row.project_id, sizeof(row.project_id), "%s", PROJECT_A);
    snprintf(row.id, sizeof(row.id), "%s", VGW_1);
    row.spec = spec;
    if (r == 0)
        r = store_vgw_insert(f->s, &row, NULL, 0);
    if (r == 0 && write(wfd, "k", 1) == 1)
        for (;;)
            pause();
    _exit(1);
}

static void test_acknowledged_write_survives_kill_9_of_the_process(void **state)
{
    struct fx *f = *state;
    struct store_vgw_row row;
    int fds[2], status = 0;
    char c = 0;
    pid_t pid;

    assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        insert_then_wait(f, fds[1]);
    close(fds[1]);
    assert_int_equal(read(fds[0], &c, 1), 1);
    close(fds[0]);
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    fx_open(f);
    assert_int_equal(store_vgw_get(f->s, PROJECT_A, VGW_1, &row), 0);
    assert_string_equal(row.spec, "{\"acked\":true}");
    store_vgw_row_done(&row);
}

static void test_several_processes_opening_a_fresh_store_at_once_all_migrate_it(void **state)
{
    enum { NODES = 4 };
    struct fx *f = *state;
    pid_t pids[NODES];

    for (int i = 0; i < NODES; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            struct store *s = NULL;
            char err[256];
            int v = store_open(f->path, &s, err, sizeof(err)) == 0 ? store_schema_version(s) : 0;

            if (v == 0)
                fprintf(stderr, "node %d: store_open: %s\n", i, err);

            store_close(s);
            _exit(v > 0 && v < 255 ? v : 255); /* the version each one ended at */
        }
    }
    fx_open(f);
    for (int i = 0; i < NODES; i++) {
        int st = 0;

        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), store_schema_version(f->s));
    }
    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
}

static void test_url_password_is_redacted_for_messages(void **state)
{
    char out[128];

    (void)state;
    store_url_redact("postgresql://vpnd:s3cret@db.example:5432/vpnd?sslmode=require", out,
                     sizeof(out));
    assert_string_equal(out, "postgresql://vpnd:***@db.example:5432/vpnd?sslmode=require");
    store_url_redact("postgresql://vpnd@db.example/vpnd", out, sizeof(out));
    assert_string_equal(out, "postgresql://vpnd@db.example/vpnd");
    store_url_redact("postgresql:///vpnd?host=/tmp/x:y@z", out, sizeof(out));
    assert_string_equal(out, "postgresql:///vpnd?host=/tmp/x:y@z");
    store_url_redact("/var/lib/vpnd/a:b@c.db", out, sizeof(out));
    assert_string_equal(out, "/var/lib/vpnd/a:b@c.db");
    store_url_redact("postgresql://u:p@h/d", out, 12);
    assert_string_equal(out, "postgresql:");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
#define T_CLOSED(name) cmocka_unit_test_setup_teardown(name, fx_setup_closed, fx_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_url_scheme_is_rejected_with_the_supported_ones),
        cmocka_unit_test(test_unreachable_postgres_server_is_eio_with_the_reason),
        cmocka_unit_test(test_sqlite_url_without_a_path_is_rejected),
        cmocka_unit_test(test_url_password_is_redacted_for_messages),
        cmocka_unit_test(test_memory_url_opens_an_empty_store_at_the_latest_schema),
        T_CLOSED(test_unopenable_path_is_eio_with_the_reason),
        T_CLOSED(test_sqlite_prefix_and_plain_path_open_the_same_file),
        T(test_new_store_has_the_latest_schema_version),
        T(test_reopen_keeps_data_and_applies_no_migration_twice),
        T(test_migration_scopes_eip_id_claims_by_the_gateway_project),
        T(test_database_newer_than_this_binary_is_refused_with_the_reason),
        T(test_postgres_schema_newer_than_this_binary_is_refused),
        T(test_store_file_uses_a_write_ahead_log),
        T_CLOSED(test_acknowledged_write_survives_kill_9_of_the_process),
        T_CLOSED(test_several_processes_opening_a_fresh_store_at_once_all_migrate_it),
    };
#undef T
#undef T_CLOSED
    return cmocka_run_group_tests(tests, NULL, NULL);
}
