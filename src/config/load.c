/* config/load.c: resolves a configuration from defaults, the config file, the environment and
 * the command line (config.h), checking every value against its key in keys.c.
 *
 * Config file syntax (vpnd.conf(5)): one "key = value" a line; blank lines and lines whose first
 * non-blank character is '#' are ignored; the value is the rest of the line with surrounding
 * blanks removed (no quoting, no trailing comments); a key may appear once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config_int.h"
#include "util/macro.h"

#define CONFIG_FILE_MAX (1u << 20)

static const char *const cmd_names[] = {"serve", "check-config", "import", "export", "compact"};

const char *config_cmd_name(enum config_cmd cmd)
{
    for (size_t i = 0; i < ARRAY_SIZE(cmd_names); i++) {
        if (cmd == 1u << i)
            return cmd_names[i];
    }
    return "?";
}

static _printf_(3, 4) int fail(char *errbuf, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

void config_quote(const char *s, char *out, size_t outlen)
{
    size_t n = 0;

    for (; *s && n + 1 < outlen && n < 64; s++)
        out[n++] = (unsigned char)*s < 0x20 || *s == 0x7f || *s == '"' ? '?' : *s;
    out[n] = '\0';
}

void config_where(const struct config *c, enum config_key k, char *out, size_t outlen)
{
    const struct config_key_def *d = config_key(k);
    const struct config_value *v = &c->v[k];

    if (v->source == CONFIG_SRC_FILE)
        snprintf(out, outlen, "%s line %u: %s", c->file, v->line, d->name);
    else if (v->source == CONFIG_SRC_ENV)
        snprintf(out, outlen, "%s", d->env);
    else
        snprintf(out, outlen, "--%s", d->name);
}

/* Checks text against key k; on success fills *v (text, num) and returns 0, else writes
 * "<where>: <rule>, got \"<text>\"" and returns -EINVAL. */
static int check_value(const struct config *c, enum config_key k, const char *text,
                       struct config_value *v, char *errbuf, size_t errlen)
{
    const struct config_key_def *d = config_key(k);
    char where[300], got[80], rule[200], numeric[64];
    uint64_t num = 0;
    int r = config_check_text(d, text, &num, numeric, sizeof(numeric), rule, sizeof(rule));

    if (r == 0) {
        v->text = text;
        v->num = num;
        return 0;
    }
    struct config tmp = {.file = c->file};
    tmp.v[k] = *v;
    config_where(&tmp, k, where, sizeof(where));
    config_quote(text, got, sizeof(got));
    return fail(errbuf, errlen, "%s: %s, got \"%s\"", where, rule, got);
}

static int set_value(struct config *c, enum config_key k, const char *text,
                     enum config_source src, unsigned line, char *errbuf, size_t errlen)
{
    struct config_value v = {.source = src, .line = line};
    int r = check_value(c, k, text, &v, errbuf, errlen);

    if (r == 0)
        c->v[k] = v;
    return r;
}

static int read_file(const char *path, char **ret, char *errbuf, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    int e;

    if (fd < 0) {
        e = errno;
        snprintf(errbuf, errlen, "cannot read config file %s: %s", path, strerror(e));
        return e == ENOENT ? -ENOENT : e == EACCES || e == EPERM ? -EACCES : -EIO;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CONFIG_FILE_MAX) {
        close(fd);
        snprintf(errbuf, errlen, "cannot read config file %s: %s", path,
                 S_ISREG(st.st_mode) ? "larger than 1 MiB" : "not a regular file");
        return -EIO;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        close(fd);
        snprintf(errbuf, errlen, "cannot read config file %s: out of memory", path);
        return -ENOMEM;
    }
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            e = n < 0 ? errno : EIO;
            free(buf);
            close(fd);
            snprintf(errbuf, errlen, "cannot read config file %s: %s", path, strerror(e));
            return -EIO;
        }
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *ret = buf;
    return 0;
}

static char *trim(char *s, char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
        *--end = '\0';
    *end = '\0';
    return s;
}

/* Finds a file key by name: 0 and *ret, or -EINVAL with the message for an unknown key. */
static int file_key(const struct config *c, unsigned line, const char *name,
                    enum config_key *ret, char *errbuf, size_t errlen)
{
    char got[80];

    config_quote(name, got, sizeof(got));
    for (size_t k = 0; k < CONFIG_KEY_COUNT; k++) {
        const struct config_key_def *d = config_key((enum config_key)k);
        if (strcmp(d->name, name) != 0)
            continue;
        if (d->flags & CONFIG_FLAG_ONLY)
            return fail(errbuf, errlen,
                        "%s line %u: \"%s\" is a command-line option of vpnd %s, not a config "
                        "file key",
                        c->file, line, got, config_cmd_name((enum config_cmd)d->cmds));
        *ret = (enum config_key)k;
        return 0;
    }
    const char *near = config_nearest_key(name);
    if (near)
        return fail(errbuf, errlen, "%s line %u: unknown key \"%s\" (did you mean \"%s\"?)",
                    c->file, line, got, near);
    return fail(errbuf, errlen, "%s line %u: unknown key \"%s\" (the keys are listed in vpnd.conf(5))",
                c->file, line, got);
}

static int parse_file(struct config *c, char *errbuf, size_t errlen)
{
    unsigned seen[CONFIG_KEY_COUNT] = {0};
    unsigned line = 0;
    char *p = c->file_text;

    while (*p) {
        char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
        char *next = nl ? nl + 1 : end;
        char *s = trim(p, end);
        enum config_key k = CONFIG_LISTEN;

        line++;
        p = next;
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            char got[80];
            config_quote(s, got, sizeof(got));
            return fail(errbuf, errlen, "%s line %u: expected \"key = value\", got \"%s\"",
                        c->file, line, got);
        }
        char *name = trim(s, eq);
        char *value = trim(eq + 1, eq + 1 + strlen(eq + 1));
        int r = file_key(c, line, name, &k, errbuf, errlen);
        if (r < 0)
            return r;
        if (seen[k])
            return fail(errbuf, errlen, "%s line %u: %s: is already set on line %u", c->file,
                        line, name, seen[k]);
        seen[k] = line;
        r = set_value(c, k, value, CONFIG_SRC_FILE, line, errbuf, errlen);
        if (r < 0)
            return r;
    }
    return 0;
}

static int parse_env(struct config *c, char *errbuf, size_t errlen)
{
    for (size_t k = 0; k < CONFIG_KEY_COUNT; k++) {
        const struct config_key_def *d = config_key((enum config_key)k);
        const char *v = d->env ? getenv(d->env) : NULL;
        if (!v || !*v || !(d->cmds & c->cmd))
            continue;
        int r = set_value(c, (enum config_key)k, v, CONFIG_SRC_ENV, 0, errbuf, errlen);
        if (r < 0)
            return r;
    }
    return 0;
}

/* The key of flag "--name" (len bytes of arg), for command c->cmd; *ret_neg for "--no-name". */
static int flag_key(const struct config *c, const char *arg, size_t len, enum config_key *ret,
                    bool *ret_neg, char *errbuf, size_t errlen)
{
    char got[80];

    for (size_t k = 0; k < CONFIG_KEY_COUNT; k++) {
        const struct config_key_def *d = config_key((enum config_key)k);
        size_t n = strlen(d->name);
        bool neg = d->type == CONFIG_BOOL && len == n + 5 && strncmp(arg, "--no-", 5) == 0 &&
                   strncmp(arg + 5, d->name, n) == 0;
        if (!neg && (len != n + 2 || strncmp(arg + 2, d->name, n) != 0))
            continue;
        if (!(d->cmds & c->cmd))
            break;
        *ret = (enum config_key)k;
        *ret_neg = neg;
        return 0;
    }
    config_quote(arg, got, sizeof(got));
    return fail(errbuf, errlen, "unknown option \"%.*s\" for vpnd %s (see vpnd %s --help)",
                (int)(len < 64 ? len : 64), got, config_cmd_name(c->cmd),
                config_cmd_name(c->cmd));
}

static int parse_flag(struct config *c, int argc, char *const *argv, int *i, char *errbuf,
                      size_t errlen)
{
    const char *arg = argv[*i], *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    enum config_key k = CONFIG_LISTEN;
    bool neg = false;
    int r = flag_key(c, arg, len, &k, &neg, errbuf, errlen);

    if (r < 0)
        return r;
    if (config_key(k)->type == CONFIG_BOOL) {
        if (eq)
            return fail(errbuf, errlen, "%.*s: takes no value", (int)len, arg);
        return set_value(c, k, neg ? "0" : "1", CONFIG_SRC_FLAG, 0, errbuf, errlen);
    }
    const char *value = eq ? eq + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
    if (!value)
        return fail(errbuf, errlen, "--%s: needs a value (%s)", config_key(k)->name,
                    config_key(k)->metavar);
    return set_value(c, k, value, CONFIG_SRC_FLAG, 0, errbuf, errlen);
}

static int parse_args(struct config *c, int argc, char *const *argv, char *errbuf, size_t errlen)
{
    bool operands = false;

    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        int r;

        if (!operands && strcmp(arg, "--") == 0) {
            operands = true;
            continue;
        }
        if (!operands && (strcmp(arg, "--config") == 0 || strncmp(arg, "--config=", 9) == 0)) {
            i += arg[8] == '=' ? 0 : 1; /* read by find_config_file */
            continue;
        }
        if (operands || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (c->cmd & (CONFIG_CMD_SERVE | CONFIG_CMD_CHECK | CONFIG_CMD_COMPACT) || c->nargs == 1) {
                char got[80];
                config_quote(arg, got, sizeof(got));
                return fail(errbuf, errlen, "unexpected argument \"%s\" for vpnd %s (see vpnd %s "
                            "--help)", got, config_cmd_name(c->cmd), config_cmd_name(c->cmd));
            }
            c->args[c->nargs++] = arg;
            continue;
        }
        r = parse_flag(c, argc, argv, &i, errbuf, errlen);
        if (r < 0)
            return r;
    }
    return 0;
}

/* --config FILE / --config=FILE (the last one wins), else VPND_CONFIG, else none. */
static int find_config_file(struct config *c, int argc, char *const *argv, char *errbuf,
                            size_t errlen)
{
    const char *env = getenv("VPND_CONFIG");

    c->file = env && *env ? env : NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strncmp(argv[i], "--config=", 9) == 0)
            c->file = argv[i] + 9;
        else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            c->file = argv[++i];
        else if (strcmp(argv[i], "--config") == 0)
            return fail(errbuf, errlen, "--config: needs a value (FILE)");
    }
    if (c->file && !*c->file)
        return fail(errbuf, errlen, "--config: must be a file path, got \"\"");
    return 0;
}

static bool wants_help(int argc, char *const *argv)
{
    for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    }
    return false;
}

int config_load(struct config *ret, enum config_cmd cmd, int argc, char *const *argv,
                char *errbuf, size_t errlen)
{
    int r;

    memset(ret, 0, sizeof(*ret));
    ret->cmd = cmd;
    if (wants_help(argc, argv)) {
        ret->help = true;
        return 0;
    }
    for (size_t k = 0; k < CONFIG_KEY_COUNT; k++) {
        const struct config_key_def *d = config_key((enum config_key)k);
        if (d->def && (r = set_value(ret, (enum config_key)k, d->def, CONFIG_SRC_DEFAULT, 0,
                                     errbuf, errlen)) < 0)
            return r;
    }
    r = find_config_file(ret, argc, argv, errbuf, errlen);
    if (r == 0 && ret->file && (r = read_file(ret->file, &ret->file_text, errbuf, errlen)) == 0)
        r = parse_file(ret, errbuf, errlen);
    if (r == 0)
        r = parse_env(ret, errbuf, errlen);
    if (r == 0)
        r = parse_args(ret, argc, argv, errbuf, errlen);
    if (r == 0 && ret->v[CONFIG_LISTEN].text)
        r = config_listen_resolve(ret->v[CONFIG_LISTEN].text, ret->listen, sizeof(ret->listen));
    return r;
}

void config_done(struct config *c)
{
    free(c->file_text);
    c->file_text = NULL;
}

const char *config_str(const struct config *c, enum config_key k)
{
    return c->v[k].text;
}

unsigned config_uint(const struct config *c, enum config_key k)
{
    return (unsigned)c->v[k].num;
}

bool config_bool(const struct config *c, enum config_key k)
{
    return c->v[k].num != 0;
}

bool config_is_set(const struct config *c, enum config_key k)
{
    return c->v[k].source > CONFIG_SRC_DEFAULT;
}
