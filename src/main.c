/* main.c: the commands (serve, check-config, import, export, routes, control), signals,
 * readiness, reload.
 * The only place that exits; every exit status comes from exit_codes[] (vpnd(8) EXIT STATUS).
 * Settings are resolved by config/ from one key table (flags, environment, config file). */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "auth/auth.h"
#include "config/config.h"
#include "control_cli.h"
#include "server.h"
#include "store/store.h"
#include "transfer/transfer.h"
#include "util/ids.h"
#include "util/log.h"
#include "util/macro.h"

#ifndef VPND_VERSION
#define VPND_VERSION "0.0.0"
#endif

/* The exit statuses of every command. */
enum vpnd_exit {
    EXIT_OK = 0,
    EXIT_REFUSED = 1,     /* the work was refused or failed: import records, the event loop */
    EXIT_USAGE = 2,       /* bad command line, environment, config file or setting */
    EXIT_UNAVAILABLE = 3, /* a file, the store or the address cannot be used */
};

static const struct {
    enum vpnd_exit code;
    const char *meaning;
} exit_codes[] = {
    {EXIT_OK, "success (serve: stopped by SIGTERM or SIGINT)"},
    {EXIT_REFUSED, "refused: import found invalid records; serve's event loop failed"},
    {EXIT_USAGE, "usage or configuration error: unknown command, option or config key, a value "
                 "out of range (flag, environment or config file), a bad credentials file, "
                 "listening off loopback without credentials"},
    {EXIT_UNAVAILABLE, "a file, the store or the address cannot be used: missing or unreadable "
                       "file, directory not writable, store that cannot be opened (export, "
                       "compact: that does not exist), address in use"},
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

/* -EINVAL is the caller's mistake (a setting); everything else is the environment's. */
static int exit_for(int r)
{
    return r == -EINVAL ? EXIT_USAGE : EXIT_UNAVAILABLE;
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: vpnd COMMAND [OPTION]...\n\n"
               "Serves the Huawei Cloud VPN v5 site-to-site API.\n\n"
               "Commands:\n"
               "  serve          serve the API (vpnd serve --help)\n"
               "  check-config   check the configuration serve would use, print it\n"
               "  import         load records into a store\n"
               "  export         write a store's records\n"
               "  compact        compress the connections an older vpnd stored\n"
               "  routes         print the API's route table, a route a line\n"
               "  control        drive the control surface of a running vpnd (vpnd control "
               "--help)\n"
               "  --help         this text;  --version  the version\n\n"
               "Every command takes --help, --config FILE (vpnd.conf(5)) and the options listed\n"
               "by its --help; each option also has an environment variable.\n\n"
               "Exit status:\n");
    for (size_t i = 0; i < ARRAY_SIZE(exit_codes); i++)
        fprintf(f, "  %d  %s\n", (int)exit_codes[i].code, exit_codes[i].meaning);
    fprintf(f, "\nSee vpnd(8).\n");
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

/* Tells the service manager (NOTIFY_SOCKET, sd_notify(3)); a no-op outside systemd. */
static void notify(const char *state)
{
    int r = sd_notify(0, state);

    if (r < 0)
        log_warn("event=sd_notify result=failed reason=\"%s\"", strerror(-r));
}

/* ---- the store file: say which path and why, before SQLite's own words ---- */

/* For a SQLite store: the directory must let vpnd create the file and its journal files, an
 * existing file must be readable and writable; with reader (the command that reads an existing
 * store: "export", "compact") the file must be there. Writes "cannot open store PATH: ..." and
 * returns -ENOENT/-EACCES; 0 for other backends. */
static int check_store_file(const char *url, const char *reader, bool *ret_exists, char *err,
                            size_t errlen)
{
    bool must_exist = reader != NULL;
    const char *path = store_url_file(url);
    struct stat st;

    *ret_exists = true;
    if (!path)
        return 0;
    *ret_exists = stat(path, &st) == 0;
    if (must_exist && !*ret_exists) {
        snprintf(err, errlen, "cannot open store %s: %s (%s reads an existing store)", path,
                 strerror(errno), reader);
        return -ENOENT;
    }
    if (*ret_exists && access(path, must_exist ? R_OK : R_OK | W_OK) < 0) {
        snprintf(err, errlen, "cannot open store %s: %s", path, strerror(errno));
        return -EACCES;
    }
    if (must_exist)
        return 0;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", path);
    const char *d = dirname(dir);
    if (access(d, W_OK | X_OK) < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot open store %s: directory %s: %s%s", path, d, strerror(e),
                 e == EACCES || e == EROFS ? " (vpnd creates the store and its -wal/-shm files "
                                             "there)"
                                           : "");
        return e == ENOENT ? -ENOENT : -EACCES;
    }
    return 0;
}

/* Opens the store named by cfg's db key; reports and returns an exit status on failure. */
static int open_store(const struct config *cfg, const char *reader, bool announce,
                      struct store **ret)
{
    const char *db = config_str(cfg, CONFIG_DB);
    char err[600], shown[512];
    bool existed;
    int r = check_store_file(db, reader, &existed, err, sizeof(err));

    store_url_redact(db, shown, sizeof(shown));
    if (r < 0) {
        fprintf(stderr, "vpnd: %s\n", err);
        return EXIT_UNAVAILABLE;
    }
    r = store_open(db, ret, err, sizeof(err));
    if (r < 0) {
        fprintf(stderr, "vpnd: cannot open store %s: %s\n", shown, err);
        return exit_for(r == -EINVAL ? -EINVAL : -EIO);
    }
    if (announce && !store_url_file(db) && strcmp(store_backend_name(*ret), "sqlite") == 0)
        printf("vpnd: store %s (ephemeral: in memory, nothing is kept when vpnd stops)\n", shown);
    else if (announce)
        printf("vpnd: store %s (%s)\n", shown, existed ? "existing" : "new");
    return EXIT_OK;
}

/* ---- vpnd serve ---- */

struct serve_ctx {
    struct server srv;
    const struct config *cfg;  /* the start-up configuration (non-live keys stay as it says) */
    int argc;                  /* the command line, resolved again on SIGHUP */
    char *const *argv;
    char *credentials;         /* live: the credentials file in force (owned), NULL = none */
    enum log_level log_level;  /* live */
};

static void config_to_http(const struct config *c, struct http_config *h)
{
    http_config_defaults(h);
    h->listen = c->listen;
    h->max_body = config_uint(c, CONFIG_MAX_BODY);
    h->max_header = config_uint(c, CONFIG_MAX_HEADER);
    h->idle_timeout_ms = config_uint(c, CONFIG_IDLE_TIMEOUT);
    h->request_deadline_ms = config_uint(c, CONFIG_REQUEST_TIMEOUT);
    h->max_connections = config_uint(c, CONFIG_MAX_CONNECTIONS);
    h->max_per_client = config_uint(c, CONFIG_MAX_PER_CLIENT);
    h->max_buffered = config_uint(c, CONFIG_MAX_BUFFERED);
    h->tick_ms = 50;
}

static void config_to_server(const struct config *c, struct server_config *sc)
{
    server_config_defaults(sc);
    config_to_http(c, &sc->http);
    sc->svc.eip_pool = config_str(c, CONFIG_EIP_POOL);
    sc->svc.private_pool = config_str(c, CONFIG_PRIVATE_POOL);
    sc->svc.eip6_pool = config_str(c, CONFIG_EIP6_POOL);
    sc->svc.private6_pool = config_str(c, CONFIG_PRIVATE6_POOL);
    sc->svc.settle_status = config_str(c, CONFIG_SETTLE_STATUS);
    sc->svc.status_delay_ms = config_uint(c, CONFIG_STATUS_DELAY);
    sc->svc.quota_vpn_gateway = config_uint(c, CONFIG_QUOTA_VPN_GATEWAY);
    sc->svc.quota_customer_gateway = config_uint(c, CONFIG_QUOTA_CUSTOMER_GATEWAY);
    sc->svc.quota_vpn_connection = config_uint(c, CONFIG_QUOTA_VPN_CONNECTION);
    sc->api.credentials = config_str(c, CONFIG_CREDENTIALS);
    sc->api.max_skew_s = config_uint(c, CONFIG_MAX_SKEW);
    sc->control_api = c->v[CONFIG_CONTROL_API].num == 0; /* "on" */
    sc->plane.driver = config_str(c, CONFIG_DRIVER);
    sc->plane.vici = config_str(c, CONFIG_VICI);
    if (config_str(c, CONFIG_NODE_ID))
        sc->plane.node = config_str(c, CONFIG_NODE_ID);
    sc->plane.lease_ms = config_uint(c, CONFIG_LEASE_TIME);
    sc->plane.reconcile_ms = config_uint(c, CONFIG_RECONCILE_INTERVAL);
    /* with a real data plane PENDING_* lasts until charon accepted the configuration: no
     * simulated delay before it unless one is asked for */
    if (strcmp(sc->plane.driver, "strongswan") == 0 && !config_is_set(c, CONFIG_STATUS_DELAY))
        sc->svc.status_delay_ms = 0;
    sc->tls_cert = config_str(c, CONFIG_TLS_CERT);
    sc->tls_key = config_str(c, CONFIG_TLS_KEY);
    sc->version = VPND_VERSION;
}

/* --tls-cert and --tls-key go together. */
static int check_tls_pair(const struct config *c, char *err, size_t errlen)
{
    char where[128];

    if (!config_str(c, CONFIG_TLS_CERT) == !config_str(c, CONFIG_TLS_KEY))
        return 0;
    config_where(c, config_str(c, CONFIG_TLS_CERT) ? CONFIG_TLS_CERT : CONFIG_TLS_KEY, where,
                 sizeof(where));
    snprintf(err, errlen, "%s: TLS needs both --tls-cert and --tls-key, got only this one",
             where);
    return -EINVAL;
}

/* Credentials served off loopback in clear text: tokens, signatures and PSKs readable on the
 * wire. Allowed (a TLS proxy in front may do the encryption), but said loudly. */
static void warn_insecure(const struct config *c)
{
    if (!config_str(c, CONFIG_CREDENTIALS) || config_str(c, CONFIG_TLS_CERT) ||
        config_listen_is_loopback(c->listen))
        return;
    log_warn("event=insecure listen=%s reason=\"WARNING: serving the API with credentials on a "
             "non-loopback address WITHOUT TLS: X-Auth-Token values, AK/SK-signed requests and "
             "the PSKs in their bodies cross the network in clear text; set --tls-cert and "
             "--tls-key, or put a TLS proxy in front\"",
             c->listen);
}

/* The rule of protected mode: without credentials, loopback only. */
static int check_protected_mode(const struct config *c, char *err, size_t errlen)
{
    if (config_str(c, CONFIG_CREDENTIALS) || config_listen_is_loopback(c->listen))
        return 0;
    snprintf(err, errlen,
             "refusing to listen on %s without authentication: no credentials are configured, "
             "so only loopback addresses (127.0.0.0/8, [::1], localhost) are allowed",
             c->listen);
    return -EINVAL;
}

static const char *level_name(enum log_level l)
{
    return config_key(CONFIG_LOG_LEVEL)->choices[l];
}

static bool same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* For a quoted log value: '"' becomes '\'' and control characters spaces. */
static void log_safe(char *s)
{
    for (; *s; s++) {
        if (*s == '"')
            *s = '\'';
        else if ((unsigned char)*s < 0x20)
            *s = ' ';
    }
}

/* What a reload loaded and checked before applying anything. */
struct reload {
    struct config fresh;
    struct server_config scfg;
    struct auth_creds *creds; /* the credentials file read again (NULL: none configured) */
    struct http_tls *tls;     /* the certificate read again (NULL: no TLS) */
};

/* Loads everything a reload needs; on failure err says why and nothing was applied. */
static int reload_load(struct serve_ctx *s, struct reload *rl, char *err, size_t errlen)
{
    int r = config_load(&rl->fresh, CONFIG_CMD_SERVE, s->argc, s->argv, err, errlen);
    const char *path = r == 0 ? config_str(&rl->fresh, CONFIG_CREDENTIALS) : NULL;

    if (r == 0 && !path != !s->credentials) {
        snprintf(err, errlen, "credentials: turning authentication %s needs a restart",
                 path ? "on" : "off");
        r = -EINVAL;
    }
    if (r == 0)
        r = check_tls_pair(&rl->fresh, err, errlen);
    if (r == 0 && !config_str(&rl->fresh, CONFIG_TLS_CERT) != !http_server_is_tls(s->srv.http)) {
        snprintf(err, errlen, "tls-cert, tls-key: turning TLS %s needs a restart",
                 config_str(&rl->fresh, CONFIG_TLS_CERT) ? "on" : "off");
        r = -EINVAL;
    }
    if (r == 0 && path)
        r = auth_creds_load(path, &rl->creds, err, errlen);
    if (r == 0 && config_str(&rl->fresh, CONFIG_TLS_CERT))
        r = http_tls_new(config_str(&rl->fresh, CONFIG_TLS_CERT),
                         config_str(&rl->fresh, CONFIG_TLS_KEY), &rl->tls, err, errlen);
    if (r == 0) {
        config_to_server(&rl->fresh, &rl->scfg);
        struct http_config check = rl->scfg.http;
        check.listen = "-"; /* the limits' own check, before anything is applied */
        r = http_config_check(&check, err, errlen);
    }
    return r;
}

/* The TLS part of the reload's log line. */
static void tls_summary(const struct server *srv, char *out, size_t outlen)
{
    const char *subject;
    int64_t not_after;
    char when[TIMESTAMP_STR_LEN];

    if (!server_tls_describe(srv, &subject, &not_after)) {
        snprintf(out, outlen, "off");
        return;
    }
    ids_format_ts(not_after * 1000, when);
    snprintf(out, outlen, "%.200s (expires %s)", subject, when);
    log_safe(out);
}

/* Applies a reload whose every part was loaded and checked (reload_load). */
static void reload_apply(struct serve_ctx *s, struct reload *rl)
{
    const struct config *fresh = &rl->fresh;
    char err[300], tls[300];

    for (size_t k = 0; k < CONFIG_KEY_COUNT; k++) {
        const struct config_key_def *d = config_key((enum config_key)k);
        const char *now = config_str(s->cfg, (enum config_key)k);
        const char *next = config_str(fresh, (enum config_key)k);
        if (!(d->cmds & CONFIG_CMD_SERVE) || (d->flags & CONFIG_LIVE) || same_text(now, next))
            continue;
        log_warn("event=reload key=%s result=needs_restart running=\"%s\"", d->name,
                 k == CONFIG_DB ? "(the store URL)" : now ? now : "");
    }
    s->log_level = (enum log_level)fresh->v[CONFIG_LOG_LEVEL].num;
    log_set_level(s->log_level);
    log_set_format((enum log_format)fresh->v[CONFIG_LOG_FORMAT].num);
    if (rl->creds) {
        char *path = strdup(config_str(fresh, CONFIG_CREDENTIALS));
        if (path) { /* out of memory: the file's new content, under its old path */
            free(s->credentials);
            s->credentials = path;
        }
        auth_creds_free(s->srv.api.creds);
        s->srv.api.creds = TAKE_PTR(rl->creds);
        s->srv.api.cfg.credentials = s->credentials;
    }
    if (rl->tls)
        (void)http_server_set_tls(s->srv.http, TAKE_PTR(rl->tls)); /* checked: TLS stays on */
    if (server_apply_limits(&s->srv, &rl->scfg, err, sizeof(err)) < 0) /* checked: cannot fail */
        log_error("event=reload part=limits result=failed reason=\"%s\"", err);
    tls_summary(&s->srv, tls, sizeof(tls));
    log_info("event=reload result=ok log_level=%s credentials=\"%s\" entries=%zu tls=\"%s\" "
             "max_body=%u max_connections=%u quota_vpn_connection=%u",
             level_name(s->log_level), s->credentials ? s->credentials : "",
             s->srv.api.creds ? auth_creds_count(s->srv.api.creds) : (size_t)0, tls,
             config_uint(fresh, CONFIG_MAX_BODY), config_uint(fresh, CONFIG_MAX_CONNECTIONS),
             config_uint(fresh, CONFIG_QUOTA_VPN_CONNECTION));
}

/* SIGHUP: the command line, environment and config file are resolved again; the live keys
 * (credentials, TLS certificate, limits, quotas, log level and format) are applied, all or
 * nothing; other changed keys are named as needing a restart. A failed reload changes nothing
 * and says what stays in force. */
static void serve_reload(struct serve_ctx *s)
{
    struct reload rl = {0};
    char err[700], tls[300];

    reload_requested = 0;
    notify("RELOADING=1");
    int r = reload_load(s, &rl, err, sizeof(err));
    log_safe(err);
    if (r < 0) {
        tls_summary(&s->srv, tls, sizeof(tls));
        log_error("event=reload result=failed reason=\"%s\" kept=\"log-level=%s credentials=%s "
                  "(%zu entries)\" kept_tls=\"%s\"",
                  err, level_name(s->log_level), s->credentials ? s->credentials : "none",
                  s->srv.api.creds ? auth_creds_count(s->srv.api.creds) : (size_t)0, tls);
    } else {
        reload_apply(s, &rl);
    }
    auth_creds_free(rl.creds);
    http_tls_free(rl.tls);
    config_done(&rl.fresh);
    notify("READY=1");
}

/* server_tick_fn: a pending reload, before the server's own tick (the status engine). */
static void serve_tick(void *ud)
{
    struct serve_ctx *s = ud;

    if (reload_requested)
        serve_reload(s);
}

/* --seed FILE: its records, through vpnd import's steps (ids, time stamps and statuses kept),
 * before the first request. Returns an exit status. */
static int serve_seed(struct serve_ctx *s, const char *file)
{
    struct import_opts o = {.name = file, .keep = true};
    struct import_stats st;
    FILE *in = fopen(file, "rb");

    if (!in) {
        fprintf(stderr, "vpnd: cannot open --seed %s: %s\n", file, strerror(errno));
        return EXIT_UNAVAILABLE;
    }
    svc_quotas_apply(&s->srv.svc, false); /* the operator loading the store, as vpnd import */
    int r = transfer_import(&s->srv.svc, in, &o, &st);
    svc_quotas_apply(&s->srv.svc, true);
    fclose(in);
    if (r == -EINVAL) {
        fprintf(stderr, "vpnd: --seed %s: refused, nothing was loaded\n", file);
        return EXIT_REFUSED;
    }
    if (r < 0)
        return EXIT_UNAVAILABLE;
    printf("vpnd: seeded %zu records from %s (%zu gateways, %zu customer gateways, %zu "
           "connections)\n",
           st.imported, file, st.by_kind[0], st.by_kind[1], st.by_kind[2]);
    return EXIT_OK;
}

static int serve_run(struct serve_ctx *s, struct store *store)
{
    struct server_config scfg;
    const char *seed = config_str(s->cfg, CONFIG_SEED);
    char err[512], host[65] = "";

    config_to_server(s->cfg, &scfg);
    if (!config_str(s->cfg, CONFIG_NODE_ID) && gethostname(host, sizeof(host) - 1) == 0 && host[0])
        scfg.plane.node = host; /* the lease name: stable across restarts of this host's vpnd */
    int r = server_open(&s->srv, &scfg, store, serve_tick, s, err, sizeof(err));
    if (r < 0) {
        fprintf(stderr, "vpnd: %s\n", err);
        return exit_for(r);
    }
    int rc = seed ? serve_seed(s, seed) : EXIT_OK;
    if (rc != EXIT_OK) {
        server_close(&s->srv);
        return rc;
    }
    if (!s->srv.api.creds)
        log_warn("event=auth credentials=0 mode=protected reason=\"no credentials configured: "
                 "serving without authentication on loopback only (protected mode)\"");
    else
        log_info("event=auth credentials=%zu", auth_creds_count(s->srv.api.creds));
    log_info("event=control_api state=%s access=\"%s\"", scfg.control_api ? "on" : "off",
             !scfg.control_api      ? "none"
             : s->srv.api.creds     ? "admin credentials"
                                    : "loopback, no credentials (protected mode)");
    warn_insecure(s->cfg);
    log_info("event=listening version=%s address=%s://%s", VPND_VERSION, server_scheme(&s->srv),
             server_address(&s->srv));
    printf("vpnd: listening on %s://%s\n", server_scheme(&s->srv), server_address(&s->srv));
    fflush(stdout);
    snprintf(err, sizeof(err), "READY=1\nSTATUS=listening on %s://%s", server_scheme(&s->srv),
             server_address(&s->srv));
    notify(err);

    r = server_run(&s->srv, &stop_requested);
    notify("STOPPING=1");
    server_close(&s->srv);
    log_info("event=stopped");
    return r < 0 ? EXIT_REFUSED : EXIT_OK;
}

static int cmd_serve(const struct config *cfg, int argc, char *const *argv)
{
    struct serve_ctx s = {.cfg = cfg, .argc = argc, .argv = argv};
    struct store *store = NULL;
    char err[512];

    if (check_protected_mode(cfg, err, sizeof(err)) < 0 ||
        check_tls_pair(cfg, err, sizeof(err)) < 0) {
        fprintf(stderr, "vpnd: %s\n", err);
        return EXIT_USAGE;
    }
    s.log_level = (enum log_level)cfg->v[CONFIG_LOG_LEVEL].num;
    if (config_str(cfg, CONFIG_CREDENTIALS) &&
        !(s.credentials = strdup(config_str(cfg, CONFIG_CREDENTIALS)))) {
        fprintf(stderr, "vpnd: out of memory\n");
        return EXIT_UNAVAILABLE;
    }
    install_signals();
    int rc = open_store(cfg, NULL, true, &store);
    if (rc == EXIT_OK && store_set_sync(store, cfg->v[CONFIG_STORE_SYNC].num == 1) < 0) {
        fprintf(stderr, "vpnd: cannot set store-sync: %s\n", store_errmsg(store));
        rc = EXIT_UNAVAILABLE;
    }
    if (rc == EXIT_OK)
        rc = serve_run(&s, store);
    store_close(store);
    free(s.credentials);
    return rc;
}

/* ---- vpnd check-config ---- */

static void redact_db(const char *text, char *out, size_t outlen)
{
    store_url_redact(text, out, outlen);
}

static int cmd_check(const struct config *cfg, int argc, char *const *argv)
{
    struct auth_creds *creds = NULL;
    const char *path = config_str(cfg, CONFIG_CREDENTIALS);
    char err[600];
    struct http_tls *tls = NULL;
    int r = check_protected_mode(cfg, err, sizeof(err));

    (void)argc;
    (void)argv;
    if (r == 0)
        r = check_tls_pair(cfg, err, sizeof(err));
    if (r < 0) {
        fprintf(stderr, "vpnd: %s\n", err);
        return EXIT_USAGE;
    }
    if (path && (r = auth_creds_load(path, &creds, err, sizeof(err))) < 0) {
        fprintf(stderr, "vpnd: cannot load credentials: %s\n", err);
        return exit_for(r);
    }
    auth_creds_free(creds);
    if (config_str(cfg, CONFIG_TLS_CERT) &&
        (r = http_tls_new(config_str(cfg, CONFIG_TLS_CERT), config_str(cfg, CONFIG_TLS_KEY), &tls,
                          err, sizeof(err))) < 0) {
        fprintf(stderr, "vpnd: cannot load the TLS certificate: %s\n", err);
        return exit_for(r);
    }
    http_tls_free(tls);
    warn_insecure(cfg);
    config_print(stdout, cfg, redact_db);
    fprintf(stderr, "vpnd: configuration OK%s%s\n", cfg->file ? ": " : "",
            cfg->file ? cfg->file : "");
    return EXIT_OK;
}

/* ---- vpnd import / vpnd export ---- */

static int cmd_import(const struct config *cfg, int argc, char *const *argv)
{
    struct import_opts o = {.project_id = config_str(cfg, CONFIG_PROJECT_ID),
                            .keep = config_bool(cfg, CONFIG_KEEP_IDS),
                            .skip_invalid = config_bool(cfg, CONFIG_SKIP_INVALID)};
    const char *file = cfg->nargs ? cfg->args[0] : "-";
    struct import_stats st;
    struct store *store = NULL;
    struct server_config scfg;
    struct server srv;
    char err[512];
    struct stat sb;

    (void)argc;
    (void)argv;
    bool use_stdin = strcmp(file, "-") == 0;
    FILE *in = use_stdin ? stdin : fopen(file, "rb");
    if (!in) {
        fprintf(stderr, "vpnd: cannot open %s: %s\n", file, strerror(errno));
        return EXIT_UNAVAILABLE;
    }
    o.name = file;
    o.progress = config_is_set(cfg, CONFIG_PROGRESS) ? config_bool(cfg, CONFIG_PROGRESS)
                                                     : isatty(STDERR_FILENO);
    if (fstat(fileno(in), &sb) == 0 && S_ISREG(sb.st_mode))
        o.total_bytes = (long long)sb.st_size;
    config_to_server(cfg, &scfg);
    /* the operator loading the store: quotas do not apply */
    scfg.svc.quota_vpn_gateway = 0;
    scfg.svc.quota_customer_gateway = 0;
    scfg.svc.quota_vpn_connection = 0;
    int rc = open_store(cfg, NULL, false, &store);
    if (rc == EXIT_OK && server_open_service(&srv, &scfg, store, err, sizeof(err)) < 0) {
        fprintf(stderr, "vpnd: %s\n", err);
        store_close(store);
        rc = EXIT_USAGE;
    }
    if (rc != EXIT_OK) {
        if (!use_stdin)
            fclose(in);
        return rc;
    }
    int r = transfer_import(&srv.svc, in, &o, &st);
    server_close(&srv);
    store_close(store);
    if (!use_stdin)
        fclose(in);
    if (config_bool(cfg, CONFIG_STATS) || o.progress)
        fprintf(stderr,
                "vpnd import: %zu records read, %zu imported (%zu gateways, %zu customer "
                "gateways, %zu connections), %zu refused, %.3f s, %.0f records/s\n",
                st.records, st.imported, st.by_kind[0], st.by_kind[1], st.by_kind[2], st.refused,
                st.seconds, st.seconds > 0 ? (double)st.records / st.seconds : 0.0);
    if (r == -EINVAL)
        return EXIT_REFUSED;
    return r < 0 ? EXIT_UNAVAILABLE : EXIT_OK;
}

static int cmd_export(const struct config *cfg, int argc, char *const *argv)
{
    const char *file = cfg->nargs ? cfg->args[0] : "-";
    struct store *store = NULL;
    struct server_config scfg;
    struct server srv;
    char err[512];
    size_t n = 0;

    (void)argc;
    (void)argv;
    bool use_stdout = strcmp(file, "-") == 0;
    int rc = open_store(cfg, "export", false, &store);
    if (rc != EXIT_OK)
        return rc;
    server_config_defaults(&scfg);
    if (server_open_service(&srv, &scfg, store, err, sizeof(err)) < 0) {
        fprintf(stderr, "vpnd: %s\n", err);
        store_close(store);
        return EXIT_USAGE;
    }
    FILE *out = use_stdout ? stdout : fopen(file, "wb");
    if (!out) {
        fprintf(stderr, "vpnd: cannot create %s: %s\n", file, strerror(errno));
        server_close(&srv);
        store_close(store);
        return EXIT_UNAVAILABLE;
    }
    int r = transfer_export(&srv.svc, out, &n);
    if (!use_stdout && fclose(out) != 0 && r == 0)
        r = -EIO;
    if (r < 0)
        fprintf(stderr, "vpnd: export failed: %s (%s)\n", strerror(-r), svc_errmsg(&srv.svc));
    server_close(&srv);
    store_close(store);
    return r < 0 ? EXIT_UNAVAILABLE : EXIT_OK;
}

/* ---- vpnd compact ---- */

#define COMPACT_BATCH 1000 /* rows a transaction: the WAL stays ~2 MB, a server waits ~20 ms */

/* Rewrites what an older vpnd stored uncompressed (store_compact); prints what it did. */
static int cmd_compact(const struct config *cfg, int argc, char *const *argv)
{
    struct store *store = NULL;
    struct timespec t0, t1;
    size_t n = 0;

    (void)argc;
    (void)argv;
    int rc = open_store(cfg, "compact", false, &store);
    if (rc != EXIT_OK)
        return rc;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int r = store_compact(store, COMPACT_BATCH, &n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (r < 0)
        fprintf(stderr, "vpnd: compact failed after %zu rows: %s (%s)\n", n, strerror(-r),
                store_errmsg(store));
    else
        printf("vpnd compact: %zu connections rewritten compressed, %.3f s\n", n,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    store_close(store);
    return r < 0 ? EXIT_UNAVAILABLE : EXIT_OK;
}

/* ---- vpnd routes ---- */

/* The route table, one "METHOD PATTERN OP FLAGS" line a route (the API tests read it instead of
 * keeping their own copy). Takes no settings. */
static int cmd_routes(int argc, char **argv)
{
    size_t n;
    const struct route *routes = api_routes(&n);
    char flags[64];

    if (argc == 1 && strcmp(argv[0], "--help") == 0) {
        printf("Usage: vpnd routes [--help]\n\nPrints the API's route table, one \"METHOD PATTERN "
               "OPERATION FLAGS\" line a route\n(FLAGS: no_auth, json, empty_ok, write, operator, "
               "comma-separated; - for none).\n");
        return EXIT_OK;
    }
    if (argc > 0) {
        fprintf(stderr, "vpnd: unexpected argument \"%.64s\" for vpnd routes (see vpnd routes "
                        "--help)\n",
                argv[0]);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < n; i++)
        printf("%s %s %s %s\n", routes[i].method, routes[i].pattern, routes[i].op,
               api_route_flags(routes[i].flags, flags, sizeof(flags)));
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_UNAVAILABLE;
}

static const struct {
    const char *name;
    enum config_cmd cmd;
    int (*run)(const struct config *cfg, int argc, char *const *argv);
} commands[] = {
    {"serve", CONFIG_CMD_SERVE, cmd_serve},
    {"check-config", CONFIG_CMD_CHECK, cmd_check},
    {"import", CONFIG_CMD_IMPORT, cmd_import},
    {"export", CONFIG_CMD_EXPORT, cmd_export},
    {"compact", CONFIG_CMD_COMPACT, cmd_compact},
};

int main(int argc, char **argv)
{
    struct config cfg;
    char err[700];

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
                      strcmp(argv[1], "help") == 0)) {
        usage(stdout);
        return EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("vpnd %s\n", VPND_VERSION);
        return EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "routes") == 0)
        return cmd_routes(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "control") == 0)
        return control_cli(argc - 2, argv + 2);
    for (size_t i = 0; argc >= 2 && i < ARRAY_SIZE(commands); i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        int r = config_load(&cfg, commands[i].cmd, argc - 2, argv + 2, err, sizeof(err));
        int rc;
        if (r < 0) {
            fprintf(stderr, "vpnd: %s\n", err);
            rc = exit_for(r);
        } else if (cfg.help) {
            config_usage(stdout, commands[i].cmd);
            rc = EXIT_OK;
        } else {
            log_set_level((enum log_level)cfg.v[CONFIG_LOG_LEVEL].num);
            log_set_format((enum log_format)cfg.v[CONFIG_LOG_FORMAT].num);
            rc = commands[i].run(&cfg, argc - 2, argv + 2);
        }
        config_done(&cfg);
        return rc;
    }
    if (argc >= 2)
        fprintf(stderr, "vpnd: unknown command \"%.64s\" (commands: serve, check-config, import, "
                        "export, compact, routes, control; see vpnd --help)\n",
                argv[1]);
    else
        usage(stderr);
    return EXIT_USAGE;
}
