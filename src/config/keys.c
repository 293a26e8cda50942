/* config/keys.c: the one table of vpnd's settings (flags, environment, config file).
 * vpnd(8) and vpnd.conf(5) document it; tests/api/test_config.py checks that every key here
 * appears in both and in `vpnd check-config` output. */
#include "config/config.h"

#include <assert.h>

#include "util/macro.h"

#define SERVE (CONFIG_CMD_SERVE | CONFIG_CMD_CHECK)
#define ALL (SERVE | CONFIG_CMD_IMPORT | CONFIG_CMD_EXPORT | CONFIG_CMD_COMPACT)
#define LOADS (SERVE | CONFIG_CMD_IMPORT)

static const char *const settle_choices[] = {"DOWN", "ACTIVE", NULL};
static const char *const level_choices[] = {"debug", "info", "warn", "error", NULL};
static const char *const on_off_choices[] = {"on", "off", NULL};
static const char *const format_choices[] = {"text", "json", NULL};
#define LIVE CONFIG_LIVE
static const char *const driver_choices[] = {"sim", "strongswan", NULL};
static const char *const sync_choices[] = {"normal", "full", NULL};

static const struct config_key_def config_keys[CONFIG_KEY_COUNT] = {
    [CONFIG_LISTEN] = {"listen", "VPND_LISTEN", CONFIG_ADDR, 0, 0, "127.0.0.1:8080", NULL, 0,
                       SERVE, "ADDR:PORT",
                       "address to serve on: IPV4:PORT, [IPV6]:PORT or localhost:PORT; port 0 = "
                       "any free port"},
    [CONFIG_DB] = {"db", "VPND_DB", CONFIG_STR, 0, 0, "vpnd.db", NULL, 0, ALL, "URL",
                   "the store: a SQLite file, sqlite:PATH, or postgres://... / postgresql://..."},
    [CONFIG_EIP_POOL] = {"eip-pool", "VPND_EIP_POOL", CONFIG_CIDR, 8, 30, "198.18.0.0/15", NULL,
                         0, LOADS, "CIDR", "addresses given to gateway EIPs"},
    [CONFIG_PRIVATE_POOL] = {"private-pool", "VPND_PRIVATE_POOL", CONFIG_CIDR, 8, 30,
                             "10.0.0.0/8", NULL, 0, LOADS, "CIDR",
                             "access IPs given to private gateways when not specified"},
    [CONFIG_EIP6_POOL] = {"eip6-pool", "VPND_EIP6_POOL", CONFIG_CIDR6, 48, 120, "2001:2::/48",
                          NULL, 0, LOADS, "CIDR", "addresses given to the EIPs of IPv6 gateways"},
    [CONFIG_PRIVATE6_POOL] = {"private6-pool", "VPND_PRIVATE6_POOL", CONFIG_CIDR6, 48, 120,
                              "fd00::/64", NULL, 0, LOADS, "CIDR",
                              "access IPs given to private IPv6 gateways when not specified"},
    [CONFIG_MAX_BODY] = {"max-body", "VPND_MAX_BODY", CONFIG_UINT, 1, 64u << 20, "1048576", NULL,
                         LIVE, SERVE, "BYTES", "larger request bodies get 413"},
    [CONFIG_MAX_HEADER] = {"max-header", "VPND_MAX_HEADER", CONFIG_UINT, 1024, 1u << 20, "8192",
                           NULL, LIVE, SERVE, "BYTES", "request line + headers limit"},
    [CONFIG_IDLE_TIMEOUT] = {"idle-timeout", "VPND_IDLE_TIMEOUT_MS", CONFIG_UINT, 100, 3600000,
                             "30000", NULL, LIVE, SERVE, "MS",
                             "idle keep-alive connections are closed after this"},
    [CONFIG_REQUEST_TIMEOUT] = {"request-timeout", "VPND_REQUEST_TIMEOUT_MS", CONFIG_UINT, 100,
                                3600000, "60000", NULL, LIVE, SERVE, "MS",
                                "a whole request must arrive within this"},
    [CONFIG_MAX_CONNECTIONS] = {"max-connections", "VPND_MAX_CONNECTIONS", CONFIG_UINT, 1,
                                1000000, "1000", NULL, LIVE, SERVE, "N",
                                "connections served at once"},
    [CONFIG_MAX_PER_CLIENT] = {"max-per-client", "VPND_MAX_PER_CLIENT", CONFIG_UINT, 1, 1000000,
                               "100", NULL, LIVE, SERVE, "N",
                               "connections from one client address"},
    [CONFIG_MAX_BUFFERED] = {"max-buffered", "VPND_MAX_BUFFERED", CONFIG_UINT, 65536,
                             2147483647, "67108864", NULL, LIVE, SERVE, "BYTES",
                             "request bodies held at once, all connections (past it the slowest "
                             "is shed)"},
    [CONFIG_STATUS_DELAY] = {"status-delay", "VPND_STATUS_DELAY_MS", CONFIG_UINT, 0, 3600000,
                             "300", NULL, 0, SERVE, "MS",
                             "how long new resources stay PENDING_CREATE (deleted connections "
                             "PENDING_DELETE)"},
    [CONFIG_SETTLE_STATUS] = {"settle-status", "VPND_SETTLE_STATUS", CONFIG_ENUM, 0, 0, "DOWN",
                              settle_choices, 0, LOADS, "STATUS",
                              "what new connections become: DOWN (no peer answers) or ACTIVE"},
    [CONFIG_CREDENTIALS] = {"credentials", "VPND_CREDENTIALS", CONFIG_STR, 0, 0, NULL, NULL,
                            CONFIG_LIVE, SERVE, "FILE",
                            "AK/SK and token credentials; without it only loopback is served "
                            "(re-read on SIGHUP)"},
    [CONFIG_TLS_CERT] = {"tls-cert", "VPND_TLS_CERT", CONFIG_STR, 0, 0, NULL, NULL, LIVE, SERVE,
                         "FILE",
                         "PEM certificate (then its chain): serve HTTPS only, with --tls-key "
                         "(re-read on SIGHUP)"},
    [CONFIG_TLS_KEY] = {"tls-key", "VPND_TLS_KEY", CONFIG_STR, 0, 0, NULL, NULL, LIVE, SERVE,
                        "FILE",
                        "PEM private key of --tls-cert, unencrypted, not readable by others "
                        "(re-read on SIGHUP)"},
    [CONFIG_MAX_SKEW] = {"max-skew", "VPND_MAX_SKEW_S", CONFIG_UINT, 0, 86400, "900", NULL, LIVE,
                         SERVE, "SECONDS", "allowed X-Sdk-Date clock skew"},
    [CONFIG_QUOTA_VPN_GATEWAY] = {"quota-vpn-gateway", "VPND_QUOTA_VPN_GATEWAY", CONFIG_UINT, 0,
                                  100000000, "50", NULL, LIVE, SERVE, "N",
                                  "VPN gateways per project"},
    [CONFIG_QUOTA_CUSTOMER_GATEWAY] = {"quota-customer-gateway", "VPND_QUOTA_CUSTOMER_GATEWAY",
                                       CONFIG_UINT, 0, 100000000, "100", NULL, LIVE, SERVE, "N",
                                       "customer gateways per project"},
    [CONFIG_QUOTA_VPN_CONNECTION] = {"quota-vpn-connection", "VPND_QUOTA_VPN_CONNECTION",
                                     CONFIG_UINT, 0, 100000000, "5000", NULL, LIVE, SERVE, "N",
                                     "VPN connections per project"},
    [CONFIG_CONTROL_API] = {"control-api", "VPND_CONTROL_API", CONFIG_ENUM, 0, 0, "on",
                            on_off_choices, 0, SERVE, "MODE",
                            "on or off: the control surface for tests (/_vpnd/...; with "
                            "credentials, admin ones only)"},
    [CONFIG_SEED] = {"seed", "VPND_SEED", CONFIG_STR, 0, 0, NULL, NULL, 0, SERVE, "FILE",
                     "load these records (vpnd import's format, ids and times kept) before "
                     "serving"},
    [CONFIG_LOG_LEVEL] = {"log-level", "VPND_LOG_LEVEL", CONFIG_ENUM, 0, 0, "info", level_choices,
                          CONFIG_LIVE, ALL, "LEVEL",
                          "debug, info, warn or error (stderr; re-read on SIGHUP)"},
    [CONFIG_LOG_FORMAT] = {"log-format", "VPND_LOG_FORMAT", CONFIG_ENUM, 0, 0, "text",
                           format_choices, LIVE, ALL, "FORMAT",
                           "text (key=value) or json (one object a line)"},
    [CONFIG_STORE_SYNC] = {"store-sync", "VPND_STORE_SYNC", CONFIG_ENUM, 0, 0, "normal",
                           sync_choices, 0, SERVE, "MODE",
                           "SQLite: normal (an acknowledged write survives a crash or kill -9 "
                           "of vpnd) or full (also power loss: the WAL is synced to disk before "
                           "the answer)"},
    [CONFIG_DRIVER] = {"driver", "VPND_DRIVER", CONFIG_ENUM, 0, 0, "sim", driver_choices, 0, SERVE,
                       "DRIVER",
                       "the data plane: sim (statuses simulated) or strongswan (real tunnels "
                       "through charon's VICI socket)"},
    [CONFIG_VICI] = {"vici", "VPND_VICI", CONFIG_STR, 0, 0, "unix:///var/run/charon.vici", NULL,
                     0, SERVE, "URL", "charon's VICI socket (--driver strongswan)"},
    [CONFIG_NODE_ID] = {"node-id", "VPND_NODE_ID", CONFIG_IDENT, 1, 64, NULL, NULL, 0, SERVE,
                        "NAME",
                        "this node's name in the data-plane leases (default: the host name)"},
    [CONFIG_LEASE_TIME] = {"lease-time", "VPND_LEASE_TIME_MS", CONFIG_UINT, 1000, 3600000, "15000",
                           NULL, 0, SERVE, "MS",
                           "how long a node's lease on a gateway's tunnels lasts unrenewed"},
    [CONFIG_RECONCILE_INTERVAL] = {"reconcile-interval", "VPND_RECONCILE_INTERVAL_MS",
                                   CONFIG_UINT, 1000, 86400000, "30000", NULL, 0, SERVE, "MS",
                                   "how often every IPsec SA is listed to correct missed events"},
    [CONFIG_PROJECT_ID] = {"project-id", NULL, CONFIG_IDENT, 1, 64, NULL, NULL, CONFIG_FLAG_ONLY,
                           CONFIG_CMD_IMPORT, "ID", "project of records without \"project_id\""},
    [CONFIG_KEEP_IDS] = {"keep-ids", NULL, CONFIG_BOOL, 0, 0, NULL, NULL, CONFIG_FLAG_ONLY,
                         CONFIG_CMD_IMPORT, NULL,
                         "keep the records' created_at, updated_at and status"},
    [CONFIG_SKIP_INVALID] = {"skip-invalid", NULL, CONFIG_BOOL, 0, 0, NULL, NULL,
                             CONFIG_FLAG_ONLY, CONFIG_CMD_IMPORT, NULL,
                             "import the valid records, report the others (still exit 1)"},
    [CONFIG_PROGRESS] = {"progress", NULL, CONFIG_BOOL, 0, 0, NULL, NULL, CONFIG_FLAG_ONLY,
                         CONFIG_CMD_IMPORT, NULL,
                         "draw a progress line on stderr (default: when it is a terminal; "
                         "--no-progress: never)"},
    [CONFIG_STATS] = {"stats", NULL, CONFIG_BOOL, 0, 0, NULL, NULL, CONFIG_FLAG_ONLY,
                      CONFIG_CMD_IMPORT, NULL, "print a summary line on stderr"},
};

const struct config_key_def *config_key(enum config_key k)
{
    assert((size_t)k < ARRAY_SIZE(config_keys));
    return &config_keys[k];
}
