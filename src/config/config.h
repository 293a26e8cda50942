/* config/config.h: every setting of vpnd in one key table (config/keys.c).
 *
 * A key has one name, used as the command-line flag (--NAME) and as the config-file key (NAME),
 * an environment variable, a type with its range or choices, a default, the commands that take
 * it, and whether a reload (SIGHUP) applies it to a running server (CONFIG_LIVE). Values come
 * from four sources; a later one wins:
 *
 *     default  <  config file (--config FILE / VPND_CONFIG)  <  environment  <  flag
 *
 * Every value is checked against its key whatever its source, including values a later source
 * overrides, so a bad config file is reported even when a flag hides the bad line. Nothing here
 * prints or exits: errors are written to errbuf as "<where>: <rule>, got \"<value>\"" where
 * <where> is "--flag", "VARIABLE" or "FILE line N: key", and returned as a negative errno.
 *
 * To add a key: an enum config_key entry and a row in keys.c; a key a reload can apply sets
 * CONFIG_LIVE and is applied by the reload in main.c.
 */
#ifndef VPND_CONFIG_H
#define VPND_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The commands of the binary. */
enum config_cmd {
    CONFIG_CMD_SERVE = 1u << 0,
    CONFIG_CMD_CHECK = 1u << 1, /* check-config: takes what serve takes */
    CONFIG_CMD_IMPORT = 1u << 2,
    CONFIG_CMD_EXPORT = 1u << 3,
    CONFIG_CMD_COMPACT = 1u << 4,
};

enum config_key {
    CONFIG_LISTEN,
    CONFIG_DB,
    CONFIG_EIP_POOL,
    CONFIG_PRIVATE_POOL,
    CONFIG_EIP6_POOL,
    CONFIG_PRIVATE6_POOL,
    CONFIG_MAX_BODY,
    CONFIG_MAX_HEADER,
    CONFIG_IDLE_TIMEOUT,
    CONFIG_REQUEST_TIMEOUT,
    CONFIG_MAX_CONNECTIONS,
    CONFIG_MAX_PER_CLIENT,
    CONFIG_MAX_BUFFERED,
    CONFIG_STATUS_DELAY,
    CONFIG_SETTLE_STATUS,
    CONFIG_CREDENTIALS,
    CONFIG_TLS_CERT,
    CONFIG_TLS_KEY,
    CONFIG_MAX_SKEW,
    CONFIG_QUOTA_VPN_GATEWAY,
    CONFIG_QUOTA_CUSTOMER_GATEWAY,
    CONFIG_QUOTA_VPN_CONNECTION,
    CONFIG_CONTROL_API,
    CONFIG_SEED,
    CONFIG_LOG_LEVEL,
    CONFIG_LOG_FORMAT,
    CONFIG_STORE_SYNC,
    CONFIG_DRIVER,
    CONFIG_VICI,
    CONFIG_NODE_ID,
    CONFIG_LEASE_TIME,
    CONFIG_RECONCILE_INTERVAL,
    /* vpnd import only, command line only */
    CONFIG_PROJECT_ID,
    CONFIG_KEEP_IDS,
    CONFIG_SKIP_INVALID,
    CONFIG_PROGRESS,
    CONFIG_STATS,
    CONFIG_KEY_COUNT
};

enum config_type {
    CONFIG_STR,    /* non-empty text */
    CONFIG_UINT,   /* decimal integer in [min, max] */
    CONFIG_ENUM,   /* one of choices (case-sensitive) */
    CONFIG_ADDR,   /* IPV4:PORT, [IPV6]:PORT or localhost:PORT (config_listen_resolve) */
    CONFIG_CIDR,   /* IPv4 CIDR whose prefix length is in [min, max] */
    CONFIG_CIDR6,  /* IPv6 CIDR whose prefix length is in [min, max] */
    CONFIG_BOOL,   /* a flag without value: --NAME sets it, --no-NAME clears it */
    CONFIG_IDENT,  /* 1 to max letters, digits, '-' or '_' */
};

enum config_key_flags {
    CONFIG_LIVE = 1u << 0,      /* a reload (SIGHUP) applies a new value to a running server */
    CONFIG_FLAG_ONLY = 1u << 1, /* command line only: no environment variable, not a file key */
};

struct config_key_def {
    const char *name; /* --name and the file key */
    const char *env;  /* environment variable; NULL for CONFIG_FLAG_ONLY keys */
    enum config_type type;
    uint64_t min, max; /* CONFIG_UINT range, CONFIG_CIDR(6) prefix lengths, IDENT length */
    const char *def;            /* default, as text; NULL = unset */
    const char *const *choices; /* CONFIG_ENUM: NULL-terminated */
    unsigned flags;             /* enum config_key_flags */
    unsigned cmds;              /* enum config_cmd: the commands that take it */
    const char *metavar;        /* "N", "FILE", ... (NULL for CONFIG_BOOL) */
    const char *help;           /* one line, for --help and check-config */
};

enum config_source {
    CONFIG_SRC_UNSET,
    CONFIG_SRC_DEFAULT,
    CONFIG_SRC_FILE,
    CONFIG_SRC_ENV,
    CONFIG_SRC_FLAG,
};

struct config_value {
    const char *text;   /* as given (ADDR: numeric, after config_listen_resolve); NULL if unset */
    uint64_t num;       /* CONFIG_UINT, CONFIG_BOOL (0/1), CONFIG_ENUM (index of the choice) */
    enum config_source source;
    unsigned line;      /* CONFIG_SRC_FILE: the line of the file */
};

#define CONFIG_MAX_ARGS 4

/* One resolved configuration. Strings point into argv, the environment or file_text, and
 * live until config_done. */
struct config {
    enum config_cmd cmd;
    struct config_value v[CONFIG_KEY_COUNT];
    const char *file;            /* the config file read, or NULL */
    char *file_text;             /* owned: the file's content, values point into it */
    char listen[64];             /* CONFIG_LISTEN resolved to a numeric address */
    const char *args[CONFIG_MAX_ARGS]; /* operands (import/export: FILE) */
    size_t nargs;
    bool help;                   /* --help was given */
};

/* The key table, indexed by enum config_key. */
const struct config_key_def *config_key(enum config_key k);

/* Resolves the configuration of command cmd from argv (the arguments after the command name),
 * the environment and the config file named by --config or VPND_CONFIG. With --help sets
 * ret->help and checks nothing else. Returns 0; -EINVAL (a bad flag, value or file line:
 * errbuf says where and what), -ENOENT / -EACCES / -EIO (the config file cannot be read:
 * errbuf names the path and the cause), -ENOMEM. ret is always initialised: call config_done. */
int config_load(struct config *ret, enum config_cmd cmd, int argc, char *const *argv,
                char *errbuf, size_t errlen);
void config_done(struct config *c);

/* Typed views of a value; the key must have that type. */
const char *config_str(const struct config *c, enum config_key k);
unsigned config_uint(const struct config *c, enum config_key k);
bool config_bool(const struct config *c, enum config_key k);
/* Whether the key was given at all (any source but the default). */
bool config_is_set(const struct config *c, enum config_key k);

/* "--max-body", "VPND_MAX_BODY" or "FILE line N: max-body", for messages about a value. */
void config_where(const struct config *c, enum config_key k, char *out, size_t outlen);

/* Writes the usage of command cmd (its flags, from the table) to f. */
void config_usage(FILE *f, enum config_cmd cmd);

/* Writes the effective configuration of c in config-file syntax, one key per line with its
 * source as a comment. redact(text, out, outlen), when set, rewrites CONFIG_DB values (URLs
 * may hold a password). */
void config_print(FILE *f, const struct config *c,
                  void (*redact)(const char *text, char *out, size_t outlen));

/* Parses a listen address: "A.B.C.D:PORT", "[IPV6]:PORT" or "localhost:PORT" (127.0.0.1).
 * Writes the numeric form ("127.0.0.1:8080", "[::1]:8080") to out. Returns 0 or -EINVAL. */
int config_listen_resolve(const char *text, char *out, size_t outlen);
/* True when a numeric listen address (config_listen_resolve's form) is loopback:
 * 127.0.0.0/8 or [::1]. */
bool config_listen_is_loopback(const char *numeric);

#endif
