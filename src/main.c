/* main.c: command line, configuration, signals, run. The only place that exits. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "api/transfer.h"
#include "auth/auth.h"
#include "http/http.h"
#include "store/store.h"
#include "util/log.h"
#include "util/macro.h"

#ifndef VPND_VERSION
#define VPND_VERSION "0.0.0"
#endif

struct config {
    struct http_config http;
    struct api_config api;
    const char *db;
    const char *log_level;
};

enum opt_kind { OPT_STR, OPT_UINT, OPT_SIZE };

/* Every setting: flag, environment variable, type, limits, help. Unknown flags are errors. */
struct opt_def {
    const char *flag;
    const char *env;
    enum opt_kind kind;
    size_t offset;
    unsigned long long min, max;
    const char *metavar;
    const char *help;
};

#define CFG(field) offsetof(struct config, field)
static const struct opt_def opts[] = {
    {"--listen", "VPND_LISTEN", OPT_STR, CFG(http.listen), 0, 0, "ADDR:PORT",
     "address to serve on (default 127.0.0.1:8080; port 0 = any free port)"},
    {"--db", "VPND_DB", OPT_STR, CFG(db), 0, 0, "URL",
     "store: SQLite file, sqlite:PATH or postgres://... URL (default vpnd.db)"},
    {"--eip-pool", "VPND_EIP_POOL", OPT_STR, CFG(api.eip_pool), 0, 0, "CIDR",
     "addresses given to gateway EIPs (default 198.18.0.0/15)"},
    {"--private-pool", "VPND_PRIVATE_POOL", OPT_STR, CFG(api.private_pool), 0, 0, "CIDR",
     "addresses given to private gateways (default 10.0.0.0/8)"},
    {"--max-body", "VPND_MAX_BODY", OPT_SIZE, CFG(http.max_body), 1, 64u << 20, "BYTES",
     "largest request body accepted (default 1048576)"},
    {"--max-header", "VPND_MAX_HEADER", OPT_SIZE, CFG(http.max_header), 1024, 1u << 20, "BYTES",
     "largest request line + headers accepted (default 8192)"},
    {"--idle-timeout", "VPND_IDLE_TIMEOUT_MS", OPT_UINT, CFG(http.idle_timeout_ms), 100,
     3600000, "MS", "close connections idle this long (default 30000)"},
    {"--request-timeout", "VPND_REQUEST_TIMEOUT_MS", OPT_UINT, CFG(http.request_deadline_ms),
     100, 3600000, "MS", "deadline to receive a whole request (default 60000)"},
    {"--max-connections", "VPND_MAX_CONNECTIONS", OPT_UINT, CFG(http.max_connections), 1,
     1000000, "N", "connections served at once (default 1000)"},
    {"--max-per-client", "VPND_MAX_PER_CLIENT", OPT_UINT, CFG(http.max_per_client), 1, 1000000,
     "N", "connections from one client address (default 100)"},
    {"--max-buffered", "VPND_MAX_BUFFERED", OPT_SIZE, CFG(http.max_buffered), 65536, 1ull << 36,
     "BYTES", "request bodies held at once, all connections (default 67108864)"},
    {"--status-delay", "VPND_STATUS_DELAY_MS", OPT_UINT, CFG(api.status_delay_ms), 0, 3600000,
     "MS", "how long new resources stay PENDING_CREATE (default 300)"},
    {"--settle-status", "VPND_SETTLE_STATUS", OPT_STR, CFG(api.settle_status), 0, 0, "STATUS",
     "what new connections become: DOWN (no peer answers, default) or ACTIVE"},
    {"--credentials", "VPND_CREDENTIALS", OPT_STR, CFG(api.credentials), 0, 0, "FILE",
     "AK/SK and token credentials (see README); without it only loopback is served"},
    {"--max-skew", "VPND_MAX_SKEW_S", OPT_UINT, CFG(api.max_skew_s), 0, 86400, "SECONDS",
     "allowed X-Sdk-Date clock skew (default 900)"},
    {"--quota-vpn-gateway", "VPND_QUOTA_VPN_GATEWAY", OPT_UINT, CFG(api.quota_vpn_gateway), 0,
     100000000, "N", "VPN gateways per project (default 50)"},
    {"--quota-customer-gateway", "VPND_QUOTA_CUSTOMER_GATEWAY", OPT_UINT,
     CFG(api.quota_customer_gateway), 0, 100000000, "N", "customer gateways per project (default 100)"},
    {"--quota-vpn-connection", "VPND_QUOTA_VPN_CONNECTION", OPT_UINT,
     CFG(api.quota_vpn_connection), 0, 100000000, "N", "VPN connections per project (default 5000)"},
    {"--log-level", "VPND_LOG_LEVEL", OPT_STR, CFG(log_level), 0, 0, "LEVEL",
     "debug, info, warn or error (default info)"},
};

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

static void on_reload_signal(int sig)
{
    (void)sig;
    reload_requested = 1;
}

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: vpnd serve [OPTION]...\n"
               "       vpnd import [--db PATH] [--project-id ID] [--keep-ids] [--skip-invalid]\n"
               "                   [--eip-pool CIDR] [--private-pool CIDR] [--settle-status S]\n"
               "                   [--progress | --no-progress] [--stats] [FILE | -]\n"
               "       vpnd export [--db PATH] [FILE | -]\n"
               "       vpnd --help | --version\n\n"
               "Serves the Huawei Cloud VPN v5 site-to-site API.\n\n"
               "Options (each also read from the environment variable shown):\n");
    for (size_t i = 0; i < ARRAY_SIZE(opts); i++)
        fprintf(f, "  %s %-10s %-24s %s\n", opts[i].flag, opts[i].metavar, opts[i].env,
                opts[i].help);
}

static int set_option(struct config *cfg, const struct opt_def *o, const char *value,
                      const char *source)
{
    void *field = (char *)cfg + o->offset;
    char *end;

    if (o->kind == OPT_STR) {
        *(const char **)field = value;
        return 0;
    }
    errno = 0;
    unsigned long long v = strtoull(value, &end, 10);
    if (errno || end == value || *end || value[0] == '-' || v < o->min || v > o->max) {
        fprintf(stderr, "vpnd: %s: must be an integer from %llu to %llu, got \"%.64s\"\n", source,
                o->min, o->max, value);
        return -EINVAL;
    }
    if (o->kind == OPT_UINT)
        *(unsigned *)field = (unsigned)v;
    else
        *(size_t *)field = (size_t)v;
    return 0;
}

static const struct opt_def *find_opt(const char *flag, size_t len)
{
    for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
        if (strlen(opts[i].flag) == len && strncmp(opts[i].flag, flag, len) == 0)
            return &opts[i];
    }
    return NULL;
}

/* Environment first, then flags (--name VALUE or --name=VALUE), so flags win. */
static int parse_config(struct config *cfg, int argc, char **argv)
{
    for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
        const char *v = getenv(opts[i].env);
        if (v && *v && set_option(cfg, &opts[i], v, opts[i].env) < 0)
            return -EINVAL;
    }
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i], *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        const struct opt_def *o = find_opt(arg, len);
        if (!o) {
            fprintf(stderr, "vpnd: unknown option \"%.64s\" (see vpnd --help)\n", arg);
            return -EINVAL;
        }
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value) {
            fprintf(stderr, "vpnd: %s needs a value (%s)\n", o->flag, o->metavar);
            return -EINVAL;
        }
        if (set_option(cfg, o, value, o->flag) < 0)
            return -EINVAL;
    }
    return 0;
}

static int apply_log_level(const char *name)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (strcmp(name, names[i]) == 0) {
            log_set_level((enum log_level)i);
            return 0;
        }
    }
    fprintf(stderr, "vpnd: --log-level: must be one of debug, info, warn, error, got \"%.64s\"\n",
            name);
    return -EINVAL;
}

/* True for 127.0.0.0/8, ::1 and localhost: the only addresses served without credentials. */
static bool listen_is_loopback(const char *listen)
{
    if (strncmp(listen, "127.", 4) == 0 || strncmp(listen, "[::1]:", 6) == 0 ||
        strncmp(listen, "localhost:", 10) == 0)
        return true;
    return false;
}

static void install_signals(void)
{
    struct sigaction sa = {0};

    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    /* no SA_RESTART: the event loop's wait must return EINTR to notice the flag */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_reload_signal;
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int serve(struct config *cfg)
{
    struct store *store = NULL;
    struct http_server *srv = NULL;
    struct api api;
    char err[512];
    int r;

    if (!cfg->api.credentials && !listen_is_loopback(cfg->http.listen)) {
        fprintf(stderr,
                "vpnd: refusing to listen on %s without authentication: no credentials are "
                "configured, so only loopback addresses (127.0.0.0/8, [::1]) are allowed\n",
                cfg->http.listen);
        return 1;
    }
    r = store_open(cfg->db, &store, err, sizeof(err));
    if (r < 0) {
        char shown[512];

        store_url_redact(cfg->db, shown, sizeof(shown));
        fprintf(stderr, "vpnd: cannot open store %s: %s\n", shown, err);
        return 1;
    }
    r = api_init(&api, &cfg->api, store, err, sizeof(err));
    api.reload = &reload_requested;
    /* The server's creates are limited inside the store's transactions; vpnd import is not. */
    store_set_quotas(store, &(struct store_quotas){
                                .vpn_gateways = cfg->api.quota_vpn_gateway,
                                .customer_gateways = cfg->api.quota_customer_gateway,
                                .vpn_connections = cfg->api.quota_vpn_connection,
                            });
    if (r == 0)
        r = http_server_new(&cfg->http, api_handle, api_on_http_error, api_tick, &api, &srv, err,
                            sizeof(err));
    if (r < 0) {
        fprintf(stderr, "vpnd: %s\n", err);
        api_done(&api);
        store_close(store);
        return 1;
    }
    http_server_set_turn(srv, api_turn);
    if (!api.creds)
        fprintf(stderr, "vpnd: no credentials configured: serving without authentication on "
                        "loopback only (protected mode)\n");
    else
        log_info("event=auth credentials=%zu", auth_creds_count(api.creds));
    printf("vpnd: listening on http://%s\n", http_server_address(srv));
    fflush(stdout);

    r = http_server_run(srv, &stop_requested);
    http_server_free(srv);
    api_done(&api);
    store_close(store);
    log_info("event=stopped");
    return r < 0 ? 1 : 0;
}

/* ---- vpnd import / vpnd export ---- */

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_FAILED = 3 };

struct transfer_args {
    const char *db;
    const char *file;
    struct import_opts imp;
    struct api_config api;
    bool stats;
    int progress; /* -1 auto (stderr is a terminal), 0, 1 */
};

/* Flags of import (with_import) or export; returns 0 or -EINVAL (reported). */
static int parse_transfer_args(struct transfer_args *a, int argc, char **argv, bool with_import)
{
    static const char *const valued[] = {"--db",       "--project-id",   "--eip-pool",
                                         "--private-pool", "--settle-status"};
    const char **dst[] = {&a->db, &a->imp.project_id, &a->api.eip_pool, &a->api.private_pool,
                          &a->api.settle_status};

    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        bool done = false;
        for (size_t k = 0; k < ARRAY_SIZE(valued) && !done; k++) {
            if (strcmp(arg, valued[k]) != 0 || (k > 0 && !with_import))
                continue;
            if (i + 1 == argc) {
                fprintf(stderr, "vpnd: %s needs a value\n", arg);
                return -EINVAL;
            }
            *dst[k] = argv[++i];
            done = true;
        }
        if (done)
            continue;
        if (with_import && strcmp(arg, "--keep-ids") == 0)
            a->imp.keep = true;
        else if (with_import && strcmp(arg, "--skip-invalid") == 0)
            a->imp.skip_invalid = true;
        else if (with_import && strcmp(arg, "--progress") == 0)
            a->progress = 1;
        else if (with_import && strcmp(arg, "--no-progress") == 0)
            a->progress = 0;
        else if (with_import && strcmp(arg, "--stats") == 0)
            a->stats = true;
        else if ((arg[0] != '-' || strcmp(arg, "-") == 0) && !a->file)
            a->file = arg;
        else {
            fprintf(stderr, "vpnd: unknown argument \"%.64s\" (see vpnd --help)\n", arg);
            return -EINVAL;
        }
    }
    return 0;
}

static int open_store_for(const char *db, struct store **ret)
{
    char err[512];

    if (store_open(db, ret, err, sizeof(err)) < 0) {
        fprintf(stderr, "vpnd: cannot open store %s: %s\n", db, err);
        return -EIO;
    }
    return 0;
}

static int cmd_import(int argc, char **argv)
{
    struct transfer_args a = {.db = getenv("VPND_DB"), .progress = -1};
    struct import_stats st;
    struct store *store = NULL;
    struct api api;
    char err[512];
    struct stat sb;

    api_config_defaults(&a.api);
    if (parse_transfer_args(&a, argc, argv, true) < 0)
        return EXIT_USAGE;
    if (!a.db || !*a.db)
        a.db = "vpnd.db";
    const char *pid = a.imp.project_id;
    if (pid && (!*pid || strlen(pid) > 64 ||
                pid[strspn(pid, "0123456789abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_")] != '\0')) {
        fprintf(stderr, "vpnd: --project-id: must be 1 to 64 letters, digits, - or _, got "
                        "\"%.64s\"\n", pid);
        return EXIT_USAGE;
    }
    bool use_stdin = !a.file || strcmp(a.file, "-") == 0;
    FILE *in = use_stdin ? stdin : fopen(a.file, "rb");
    if (!in) {
        fprintf(stderr, "vpnd: cannot open %s: %s\n", a.file, strerror(errno));
        return EXIT_FAILED;
    }
    a.imp.name = use_stdin ? "-" : a.file;
    a.imp.progress = a.progress < 0 ? isatty(STDERR_FILENO) : a.progress;
    if (fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode))
        a.imp.total_bytes = (long long)sb.st_size;
    int r = open_store_for(a.db, &store);
    if (r == 0 && api_init(&api, &a.api, store, err, sizeof(err)) < 0) {
        fprintf(stderr, "vpnd: %s\n", err);
        store_close(store);
        r = -EINVAL;
    }
    if (r < 0) {
        if (!use_stdin)
            fclose(in);
        return r == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
    }
    r = api_import(&api, in, &a.imp, &st);
    api_done(&api);
    store_close(store);
    if (!use_stdin)
        fclose(in);
    if (a.stats || a.imp.progress)
        fprintf(stderr,
                "vpnd import: %zu records read, %zu imported (%zu gateways, %zu customer "
                "gateways, %zu connections), %zu refused, %.3f s, %.0f records/s\n",
                st.records, st.imported, st.by_kind[0], st.by_kind[1], st.by_kind[2], st.refused,
                st.seconds, st.seconds > 0 ? (double)st.records / st.seconds : 0.0);
    if (r == -EINVAL)
        return EXIT_REFUSED;
    return r < 0 ? EXIT_FAILED : 0;
}

static int cmd_export(int argc, char **argv)
{
    struct transfer_args a = {.db = getenv("VPND_DB")};
    struct store *store = NULL;
    size_t n = 0;

    if (parse_transfer_args(&a, argc, argv, false) < 0)
        return EXIT_USAGE;
    if (!a.db || !*a.db)
        a.db = "vpnd.db";
    bool use_stdout = !a.file || strcmp(a.file, "-") == 0;
    if (open_store_for(a.db, &store) < 0)
        return EXIT_FAILED;
    FILE *out = use_stdout ? stdout : fopen(a.file, "wb");
    if (!out) {
        fprintf(stderr, "vpnd: cannot create %s: %s\n", a.file, strerror(errno));
        store_close(store);
        return EXIT_FAILED;
    }
    int r = api_export(store, out, &n);
    if (!use_stdout && fclose(out) != 0 && r == 0)
        r = -EIO;
    if (r < 0)
        fprintf(stderr, "vpnd: export failed: %s (%s)\n", strerror(-r), store_errmsg(store));
    store_close(store);
    return r < 0 ? EXIT_FAILED : 0;
}

int main(int argc, char **argv)
{
    struct config cfg = {.db = "vpnd.db", .log_level = "info"};

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("vpnd %s\n", VPND_VERSION);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "import") == 0)
        return cmd_import(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "export") == 0)
        return cmd_export(argc - 2, argv + 2);
    if (argc < 2 || strcmp(argv[1], "serve") != 0) {
        usage(stderr);
        return 2;
    }
    http_config_defaults(&cfg.http);
    api_config_defaults(&cfg.api);
    cfg.http.tick_ms = 50;
    if (parse_config(&cfg, argc - 2, argv + 2) < 0 || apply_log_level(cfg.log_level) < 0)
        return 2;
    install_signals();
    return serve(&cfg);
}
