/* Credentials: the file format, its errors (with line numbers, never quoting a secret), the
 * permission check, and the in-code builders. Files are written under $TMPDIR (or /tmp). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/auth.h"
#include "auth_sign.h"

#define SK1 "SecretKeyNumberOne0000000000000000000001"
#define P1 "0605767dd1000ffd2f5cc0009a2d6d21"
#define P2 "0a1b2c3d4e5f40718293a4b5c6d7e8f9"

struct tmpfile {
    char path[256];
};

/* Writes text to a fresh temporary file with the given mode. */
static void write_file(struct tmpfile *t, const char *text, mode_t mode)
{
    const char *dir = getenv("TMPDIR");
    int fd;

    snprintf(t->path, sizeof(t->path), "%s/vpnd-creds-XXXXXX", dir && *dir ? dir : "/tmp");
    fd = mkstemp(t->path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

static void remove_file(struct tmpfile *t)
{
    unlink(t->path);
}

/* Loads text (mode 0600) and returns the error; *err gets the message without the path. */
static int load_text(const char *text, mode_t mode, char *err, size_t errlen)
{
    struct tmpfile t;
    struct auth_creds *c = NULL;
    char full[1024] = "";
    int r;

    write_file(&t, text, mode);
    r = auth_creds_load(t.path, &c, full, sizeof(full));
    if (r == 0) {
        assert_non_null(c);
        auth_creds_free(c);
        err[0] = '\0';
    } else {
        assert_null(c);
        size_t pl = strlen(t.path);
        assert_int_equal(strncmp(full, t.path, pl), 0);
        snprintf(err, errlen, "%s", full + pl);
    }
    remove_file(&t);
    return r;
}

static void assert_load_fails(const char *text, int want_r, const char *want_msg)
{
    char err[1024];
    int r = load_text(text, 0600, err, sizeof(err));

    if (r != want_r || strcmp(err, want_msg) != 0)
        fail_msg("want %d \"%s\"\n got %d \"%s\"", want_r, want_msg, r, err);
}

/* Loads text (mode 0600), which must load; returns how many credentials it holds. */
static size_t loaded_count(const char *text)
{
    struct tmpfile t;
    struct auth_creds *c = NULL;
    char err[256] = "";

    write_file(&t, text, 0600);
    assert_int_equal(auth_creds_load(t.path, &c, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    size_t n = auth_creds_count(c);
    auth_creds_free(c);
    remove_file(&t);
    return n;
}

static void test_valid_file_with_comments_blank_lines_tabs_and_crlf_loads(void **state)
{
    static const char text[] = "# vpnd credentials\n"
                               "\n"
                               "   # indented comment\n"
                               "ak AK1 " SK1 " " P1 "\n"
                               "ak\tAK2\tsk-two\t" P1 "," P2 "\r\n"
                               "token MIIDtoken-1 " P2 "\n"
                               "   \t  \n"
                               "ak AK3 sk3 " P2; /* no final newline */

    (void)state;
    assert_int_equal(loaded_count(text), 4);
}

static void test_world_readable_file_is_refused_with_chmod_advice(void **state)
{
    char err[1024];

    (void)state;
    assert_int_equal(load_text("ak AK1 " SK1 " " P1 "\n", 0644, err, sizeof(err)), -EACCES);
    static const char head[] = ": permissions 0644 let other users read it; a credentials file "
                               "must not be accessible to others: chmod o-rwx ";
    static const char tail[] = " (e.g. chmod 600)";
    assert_int_equal(strncmp(err, head, strlen(head)), 0);
    assert_string_equal(err + strlen(err) - strlen(tail), tail);
}

static void test_world_writable_file_is_refused(void **state)
{
    char err[1024];

    (void)state;
    assert_int_equal(load_text("ak AK1 " SK1 " " P1 "\n", 0602, err, sizeof(err)), -EACCES);
    assert_non_null(strstr(err, ": permissions 0602 let other users write it;"));
    assert_int_equal(load_text("ak AK1 " SK1 " " P1 "\n", 0606, err, sizeof(err)), -EACCES);
    assert_non_null(strstr(err, "let other users read and write it;"));
}

static void test_group_readable_file_is_accepted(void **state)
{
    char err[1024];

    (void)state;
    assert_int_equal(load_text("ak AK1 " SK1 " " P1 "\n", 0640, err, sizeof(err)), 0);
}

static void test_missing_file_is_enoent_with_path(void **state)
{
    struct auth_creds *c = NULL;
    char err[256];

    (void)state;
    assert_int_equal(auth_creds_load("/nonexistent/vpnd.creds", &c, err, sizeof(err)), -ENOENT);
    assert_string_equal(err, "/nonexistent/vpnd.creds: cannot open: No such file or directory");
    assert_null(c);
}

static void test_directory_is_not_a_credentials_file(void **state)
{
    struct auth_creds *c = NULL;
    char err[256];

    (void)state;
    assert_int_equal(auth_creds_load("/", &c, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "/: not a regular file");
}

static void test_short_ak_line_is_reported_with_line_number(void **state)
{
    (void)state;
    assert_load_fails("# header\n\nak AK1 " SK1 "\n", -EINVAL,
                      ":3: \"ak\" needs 3 fields after it: ak <AK> <SK> <project_id>[,<project_id>...], "
                      "got 2");
}

static void test_extra_field_is_reported_with_line_number(void **state)
{
    (void)state;
    assert_load_fails("ak AK1 " SK1 " " P1 "\ntoken tok " P1 " # trailing comment\n", -EINVAL,
                      ":2: \"token\" needs 2 fields after it: token <TOKEN> "
                      "<project_id>[,<project_id>...], got 5 (comments must be on a line of their own)");
}

static void test_unknown_keyword_is_quoted_only_when_short(void **state)
{
    (void)state;
    assert_load_fails("key AK1 " SK1 " " P1 "\n", -EINVAL,
                      ":1: unknown keyword \"key\"; expected \"ak\", \"token\", \"admin\" or a "
                      "# comment");
    /* a line holding just a secret must not end up in a log */
    assert_load_fails("ak AK1 sk " P1 "\n" SK1 "\n", -EINVAL,
                      ":2: unknown keyword (40 characters, not shown); expected \"ak\", \"token\", "
                      "\"admin\" or a # comment");
}

static void test_bad_access_key_is_quoted(void **state)
{
    (void)state;
    assert_load_fails("ak AK/1 " SK1 " " P1 "\n", -EINVAL,
                      ":1: access key must be 1 to 128 characters from A-Z a-z 0-9 . _ -, got "
                      "\"AK/1\"");
}

static void test_bad_secret_key_is_reported_without_quoting_it(void **state)
{
    char err[1024];

    (void)state;
    assert_int_equal(load_text("ak AK1 s\xc3\xa9kret " P1 "\n", 0600, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, ":1: secret key must be 1 to 256 printable ASCII characters without "
                             "spaces (got 7 bytes)");
    assert_null(strstr(err, "kret"));
}

static void test_bad_project_id_is_reported_by_position(void **state)
{
    (void)state;
    assert_load_fails("ak AK1 " SK1 " " P1 ",ab!cd\n", -EINVAL,
                      ":1: project id #2 must be 1 to 64 characters from A-Z a-z 0-9 _ -, got "
                      "\"ab!cd\"");
    assert_load_fails("token tok " P1 ",\n", -EINVAL,
                      ":1: project id #2 must be 1 to 64 characters from A-Z a-z 0-9 _ -, got \"\"");
}

static void test_duplicate_access_key_names_the_first_line(void **state)
{
    (void)state;
    assert_load_fails("# x\nak AK1 " SK1 " " P1 "\nak AK2 b " P1 "\nak AK1 c " P2 "\n", -EINVAL,
                      ":4: access key \"AK1\" is already defined on line 2");
}

static void test_duplicate_token_is_reported_without_quoting_it(void **state)
{
    char err[1024];

    (void)state;
    assert_int_equal(load_text("token MIIDsecret " P1 "\ntoken MIIDsecret " P2 "\n", 0600, err,
                               sizeof(err)),
                     -EINVAL);
    assert_string_equal(err, ":2: this token is already defined on line 1");
}

static void test_file_without_credentials_is_refused(void **state)
{
    (void)state;
    assert_load_fails("# nothing yet\n\n", -EINVAL,
                      ": defines no credentials; add lines \"ak <AK> <SK> <project_id>[,...]\" or "
                      "\"token <TOKEN> <project_id>[,...]\"");
}

static void test_nul_byte_in_line_is_refused(void **state)
{
    struct tmpfile t;
    struct auth_creds *c = NULL;
    char err[512];
    FILE *f;

    (void)state;
    write_file(&t, "", 0600);
    f = fopen(t.path, "w");
    assert_non_null(f);
    fwrite("ak AK1 a\0b " P1 "\n", 1, sizeof("ak AK1 a\0b " P1 "\n") - 1, f);
    fclose(f);
    assert_int_equal(auth_creds_load(t.path, &c, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, ":1: line contains a NUL byte"));
    remove_file(&t);
}

static void test_admin_lines_load_as_credentials_of_their_own(void **state)
{
    static const char text[] = "ak AK1 " SK1 " " P1 "\n"
                               "admin token admin-token-1\n"
                               "admin\tak ADMINAK admin-secret\n";

    (void)state;
    assert_int_equal(loaded_count(text), 3);
}

static void test_the_older_admin_token_line_loads_as_an_admin_token(void **state)
{
    (void)state;
    assert_int_equal(loaded_count("admin admin-token-1\nadmin token admin-token-2\n"), 2);
    assert_load_fails("admin admin-token-1\nadmin token admin-token-1\n", -EINVAL,
                      ":2: this token is already defined on line 1");
}

static void test_a_malformed_admin_line_says_what_it_needs(void **state)
{
    (void)state;
    assert_load_fails("admin token\n", -EINVAL,
                      ":1: \"admin token\" needs 1 field after it: admin token <TOKEN>, got 0");
    assert_load_fails("admin ak AK1 " SK1 " " P1 "\n", -EINVAL,
                      ":1: \"admin ak\" needs 2 fields after it: admin ak <AK> <SK>, got 3");
    assert_load_fails("admin AK1 " SK1 "\n", -EINVAL,
                      ":1: \"admin\" must be followed by \"ak <AK> <SK>\" or \"token <TOKEN>\"");
    assert_load_fails("ak AK1 " SK1 " " P1 "\nadmin ak AK1 other\n", -EINVAL,
                      ":2: access key \"AK1\" is already defined on line 1");
}

static const char *one_header(void *ud, const char *name)
{
    const char *const *h = ud;

    for (; *h; h += 2) {
        if (strcasecmp(h[0], name) == 0)
            return h[1];
    }
    return NULL;
}

static void test_loaded_credentials_authenticate_signed_requests_and_tokens(void **state)
{
    struct tmpfile t;
    struct auth_creds *c = NULL;
    struct auth_result res;
    char err[256], authz[512];
    const char *h[] = {"X-Sdk-Date", "20250626T134134Z", "Authorization", NULL, NULL, NULL};
    struct auth_request req = {.method = "GET",
                               .raw_path = "/v5/" P2 "/vpn-gateways",
                               .header = one_header,
                               .ud = h};

    (void)state;
    write_file(&t, "ak AK1 " SK1 " " P1 "," P2 "\ntoken MIIDtok " P1 "\n", 0600);
    assert_int_equal(auth_creds_load(t.path, &c, err, sizeof(err)), 0);
    h[2] = NULL; /* sign without the Authorization header present */
    assert_int_equal(auth_sign(&req, "AK1", SK1, "x-sdk-date", authz, sizeof(authz)), 0);
    h[2] = "Authorization";
    h[3] = authz;
    assert_int_equal(auth_check(c, &req, P2, 0, AUTH_SKEW_UNCHECKED, &res), 0);
    assert_string_equal(res.principal, "AK1");
    h[2] = "X-Auth-Token";
    h[3] = "MIIDtok";
    assert_int_equal(auth_check(c, &req, P1, 0, AUTH_SKEW_UNCHECKED, &res), 0);
    assert_int_equal(auth_check(c, &req, P2, 0, AUTH_SKEW_UNCHECKED, &res), -EACCES);
    auth_creds_free(c);
    remove_file(&t);
}

static void test_builders_validate_and_refuse_duplicates(void **state)
{
    _cleanup_auth_creds_ struct auth_creds *c = NULL;

    (void)state;
    assert_int_equal(auth_creds_new(&c), 0);
    assert_int_equal(auth_creds_count(c), 0);
    assert_int_equal(auth_creds_add_aksk(c, "AK1", "sk", P1), 0);
    assert_int_equal(auth_creds_add_aksk(c, "AK1", "other", P2), -EEXIST);
    assert_int_equal(auth_creds_add_aksk(c, "", "sk", P1), -EINVAL);
    assert_int_equal(auth_creds_add_aksk(c, "AK2", "", P1), -EINVAL);
    assert_int_equal(auth_creds_add_aksk(c, "AK2", "sk", ""), -EINVAL);
    assert_int_equal(auth_creds_add_aksk(c, "AK 2", "sk", P1), -EINVAL);
    assert_int_equal(auth_creds_add_token(c, "tok", P1), 0);
    assert_int_equal(auth_creds_add_token(c, "tok", P2), -EEXIST);
    assert_int_equal(auth_creds_add_token(c, "to k", P1), -EINVAL);
    assert_int_equal(auth_creds_count(c), 2);
    assert_null(auth_creds_free(NULL));
}

static void test_many_access_keys_are_all_found(void **state)
{
    _cleanup_auth_creds_ struct auth_creds *c = NULL;
    struct auth_result res;
    char ak[32], authz[512];
    const char *h[] = {"X-Sdk-Date", "20250626T134134Z", NULL, NULL, NULL};
    struct auth_request req = {.method = "GET", .raw_path = "/", .header = one_header, .ud = h};

    (void)state;
    assert_int_equal(auth_creds_new(&c), 0);
    for (unsigned i = 0; i < 500; i++) { /* inserted out of order */
        snprintf(ak, sizeof(ak), "AK%05u", (i * 7919u) % 500u);
        assert_int_equal(auth_creds_add_aksk(c, ak, ak, P1), 0);
    }
    for (unsigned i = 0; i < 500; i += 37) {
        snprintf(ak, sizeof(ak), "AK%05u", i);
        h[2] = NULL;
        assert_int_equal(auth_sign(&req, ak, ak, "x-sdk-date", authz, sizeof(authz)), 0);
        h[2] = "Authorization";
        h[3] = authz;
        assert_int_equal(auth_check(c, &req, P1, 0, AUTH_SKEW_UNCHECKED, &res), 0);
        assert_string_equal(res.principal, ak);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_file_with_comments_blank_lines_tabs_and_crlf_loads),
        cmocka_unit_test(test_world_readable_file_is_refused_with_chmod_advice),
        cmocka_unit_test(test_world_writable_file_is_refused),
        cmocka_unit_test(test_group_readable_file_is_accepted),
        cmocka_unit_test(test_missing_file_is_enoent_with_path),
        cmocka_unit_test(test_directory_is_not_a_credentials_file),
        cmocka_unit_test(test_short_ak_line_is_reported_with_line_number),
        cmocka_unit_test(test_extra_field_is_reported_with_line_number),
        cmocka_unit_test(test_unknown_keyword_is_quoted_only_when_short),
        cmocka_unit_test(test_bad_access_key_is_quoted),
        cmocka_unit_test(test_bad_secret_key_is_reported_without_quoting_it),
        cmocka_unit_test(test_bad_project_id_is_reported_by_position),
        cmocka_unit_test(test_duplicate_access_key_names_the_first_line),
        cmocka_unit_test(test_duplicate_token_is_reported_without_quoting_it),
        cmocka_unit_test(test_file_without_credentials_is_refused),
        cmocka_unit_test(test_nul_byte_in_line_is_refused),
        cmocka_unit_test(test_loaded_credentials_authenticate_signed_requests_and_tokens),
        cmocka_unit_test(test_builders_validate_and_refuse_duplicates),
        cmocka_unit_test(test_many_access_keys_are_all_found),
        cmocka_unit_test(test_admin_lines_load_as_credentials_of_their_own),
        cmocka_unit_test(test_the_older_admin_token_line_loads_as_an_admin_token),
        cmocka_unit_test(test_a_malformed_admin_line_says_what_it_needs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
