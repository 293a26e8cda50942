/* Unit tests for config/: the key table, precedence, the config file syntax, value types and
 * the listen address. The environment of each test is cleared of VPND_* first. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "util/macro.h"

static char file_path[64];

static int setup(void **state)
{
    (void)state;
    for (size_t k = 0; k < CONFIG_KEY_COUNT; k++) {
        const char *env = config_key((enum config_key)k)->env;
        if (env)
            unsetenv(env);
    }
    unsetenv("VPND_CONFIG");
    snprintf(file_path, sizeof(file_path), "/tmp/vpnd-test-config.%d", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(file_path);
    return 0;
}

static void write_file(const char *text)
{
    FILE *f = fopen(file_path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Loads serve's configuration from argv (NULL-terminated); returns config_load's result. */
static int load(struct config *c, char *err, size_t errlen, enum config_cmd cmd, ...)
{
    char *argv[16];
    int argc = 0;
    va_list ap;

    va_start(ap, cmd);
    for (char *a; argc < 15 && (a = va_arg(ap, char *)); argc++)
        argv[argc] = a;
    va_end(ap);
    argv[argc] = NULL;
    err[0] = '\0';
    return config_load(c, cmd, argc, argv, err, errlen);
}

/* Writes text as the config file of cmd and asserts that loading it fails with -EINVAL and the
 * message "<file><want>". */
static void assert_file_refused(enum config_cmd cmd, const char *text, const char *want)
{
    struct config c;
    char err[512], full[512];

    write_file(text);
    assert_int_equal(load(&c, err, sizeof(err), cmd, "--config", file_path, NULL), -EINVAL);
    snprintf(full, sizeof(full), "%s%s", file_path, want);
    assert_string_equal(err, full);
    config_done(&c);
}

static void test_every_key_has_a_name_a_type_and_help(void **state)
{
    (void)state;
    for (size_t k = 0; k < CONFIG_KEY_COUNT; k++) {
        const struct config_key_def *d = config_key((enum config_key)k);
        assert_non_null(d->name);
        assert_non_null(d->help);
        assert_true(d->cmds != 0);
        assert_true(!d->env == !!(d->flags & CONFIG_FLAG_ONLY));
        assert_true(d->type == CONFIG_BOOL || d->metavar);
    }
}

static void test_defaults_apply_when_nothing_is_given(void **state)
{
    struct config c;
    char err[512];
    (void)state;
    assert_int_equal(load(&c, err, sizeof(err), CONFIG_CMD_SERVE, NULL), 0);
    assert_string_equal(c.listen, "127.0.0.1:8080");
    assert_string_equal(config_str(&c, CONFIG_DB), "vpnd.db");
    assert_int_equal(config_uint(&c, CONFIG_MAX_BODY), 1048576);
    assert_null(config_str(&c, CONFIG_CREDENTIALS));
    assert_false(config_is_set(&c, CONFIG_DB));
    config_done(&c);
}

static void test_flag_beats_environment_beats_file(void **state)
{
    struct config c;
    char err[512];
    (void)state;
    write_file("max-body = 100\nmax-header = 2000\nstatus-delay = 7\n");
    setenv("VPND_MAX_BODY", "200", 1);
    setenv("VPND_MAX_HEADER", "3000", 1);
    assert_int_equal(load(&c, err, sizeof(err), CONFIG_CMD_SERVE, "--config", file_path,
                          "--max-body=300", NULL),
                     0);
    assert_int_equal(config_uint(&c, CONFIG_MAX_BODY), 300);
    assert_int_equal(c.v[CONFIG_MAX_BODY].source, CONFIG_SRC_FLAG);
    assert_int_equal(config_uint(&c, CONFIG_MAX_HEADER), 3000);
    assert_int_equal(c.v[CONFIG_MAX_HEADER].source, CONFIG_SRC_ENV);
    assert_int_equal(config_uint(&c, CONFIG_STATUS_DELAY), 7);
    assert_int_equal(c.v[CONFIG_STATUS_DELAY].line, 3);
    config_done(&c);
    unsetenv("VPND_MAX_BODY");
    unsetenv("VPND_MAX_HEADER");
}

static void test_an_unknown_file_key_names_the_line_and_the_nearest_key(void **state)
{
    (void)state;
    assert_file_refused(CONFIG_CMD_SERVE, "# comment\n\nlisen = 127.0.0.1:1\n",
                        " line 3: unknown key \"lisen\" (did you mean \"listen\"?)");
}

static void test_a_bad_file_value_is_reported_even_when_a_flag_overrides_it(void **state)
{
    struct config c;
    char err[512], want[256];
    (void)state;
    write_file("max-connections = 0\n");
    assert_int_equal(load(&c, err, sizeof(err), CONFIG_CMD_SERVE, "--config", file_path,
                          "--max-connections", "5", NULL),
                     -EINVAL);
    snprintf(want, sizeof(want),
             "%s line 1: max-connections: must be an integer from 1 to 1000000, got \"0\"",
             file_path);
    assert_string_equal(err, want);
    config_done(&c);
}

static void test_a_key_twice_and_a_line_without_equals_are_refused(void **state)
{
    (void)state;
    assert_file_refused(CONFIG_CMD_SERVE, "db = a.db\n  db = b.db\n",
                        " line 2: db: is already set on line 1");
    assert_file_refused(CONFIG_CMD_SERVE, "listen 127.0.0.1:80\n",
                        " line 1: expected \"key = value\", got \"listen 127.0.0.1:80\"");
}

static void test_a_command_line_only_key_is_not_a_file_key(void **state)
{
    (void)state;
    assert_file_refused(CONFIG_CMD_IMPORT, "keep-ids = 1\n",
                        " line 1: \"keep-ids\" is a command-line option of vpnd import, not a "
                        "config file key");
}

static void test_a_missing_config_file_is_enoent_naming_the_path(void **state)
{
    struct config c;
    char err[512];
    (void)state;
    assert_int_equal(load(&c, err, sizeof(err), CONFIG_CMD_SERVE, "--config",
                          "/nonexistent/vpnd.conf", NULL),
                     -ENOENT);
    assert_string_equal(err, "cannot read config file /nonexistent/vpnd.conf: No such file or "
                             "directory");
    config_done(&c);
}

static void test_an_option_of_another_command_is_unknown(void **state)
{
    struct config c;
    char err[512];
    (void)state;
    assert_int_equal(load(&c, err, sizeof(err), CONFIG_CMD_EXPORT, "--keep-ids", NULL), -EINVAL);
    assert_string_equal(err, "unknown option \"--keep-ids\" for vpnd export (see vpnd export --help)");
    config_done(&c);
}

static void test_enum_and_cidr_values_name_their_rule(void **state)
{
    struct config c;
    char err[512];
    (void)state;
    setenv("VPND_SETTLE_STATUS", "UP", 1);
    assert_int_equal(load(&c, err, sizeof(err), CONFIG_CMD_SERVE, NULL), -EINVAL);
    assert_string_equal(err, "VPND_SETTLE_STATUS: must be one of DOWN, ACTIVE, got \"UP\"");
    config_done(&c);
    unsetenv("VPND_SETTLE_STATUS");
    assert_int_equal(load(&c, err, sizeof(err), CONFIG_CMD_SERVE, "--eip-pool", "10.0.0.1/8",
                          NULL),
                     -EINVAL);
    assert_string_equal(err, "--eip-pool: must be an IPv4 CIDR from /8 to /30, got \"10.0.0.1/8\"");
    config_done(&c);
}

static void test_bool_flags_take_no_value_and_have_a_no_form(void **state)
{
    struct config c;
    char err[512];
    (void)state;
    assert_int_equal(load(&c, err, sizeof(err), CONFIG_CMD_IMPORT, "--no-progress", "--stats",
                          "in.jsonl", NULL),
                     0);
    assert_true(config_is_set(&c, CONFIG_PROGRESS));
    assert_false(config_bool(&c, CONFIG_PROGRESS));
    assert_true(config_bool(&c, CONFIG_STATS));
    assert_int_equal(c.nargs, 1);
    assert_string_equal(c.args[0], "in.jsonl");
    config_done(&c);
    assert_int_equal(load(&c, err, sizeof(err), CONFIG_CMD_IMPORT, "--stats=1", NULL), -EINVAL);
    assert_string_equal(err, "--stats: takes no value");
    config_done(&c);
}

static void test_help_is_seen_before_any_check(void **state)
{
    struct config c;
    char err[512];
    (void)state;
    assert_int_equal(load(&c, err, sizeof(err), CONFIG_CMD_SERVE, "--bogus", "--help", NULL), 0);
    assert_true(c.help);
    config_done(&c);
}

static void test_listen_accepts_localhost_and_bracketed_ipv6(void **state)
{
    char out[64];
    (void)state;
    assert_int_equal(config_listen_resolve("localhost:8081", out, sizeof(out)), 0);
    assert_string_equal(out, "127.0.0.1:8081");
    assert_int_equal(config_listen_resolve("[::1]:0", out, sizeof(out)), 0);
    assert_string_equal(out, "[::1]:0");
    assert_true(config_listen_is_loopback("[::1]:0"));
    assert_true(config_listen_is_loopback("127.0.0.2:80"));
    assert_false(config_listen_is_loopback("0.0.0.0:80"));
    assert_int_equal(config_listen_resolve("example.com:80", out, sizeof(out)), -EINVAL);
    assert_int_equal(config_listen_resolve("::1:80", out, sizeof(out)), -EINVAL);
    assert_int_equal(config_listen_resolve("127.0.0.1:65536", out, sizeof(out)), -EINVAL);
    assert_int_equal(config_listen_resolve("127.0.0.1:", out, sizeof(out)), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_key_has_a_name_a_type_and_help, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defaults_apply_when_nothing_is_given, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flag_beats_environment_beats_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_unknown_file_key_names_the_line_and_the_nearest_key,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_a_bad_file_value_is_reported_even_when_a_flag_overrides_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_key_twice_and_a_line_without_equals_are_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_command_line_only_key_is_not_a_file_key, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_missing_config_file_is_enoent_naming_the_path,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_option_of_another_command_is_unknown, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_enum_and_cidr_values_name_their_rule, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_bool_flags_take_no_value_and_have_a_no_form, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_help_is_seen_before_any_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listen_accepts_localhost_and_bracketed_ipv6, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
