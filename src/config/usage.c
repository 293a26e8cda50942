/* config/usage.c: --help of each command and check-config's listing, both from the key table. */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "config/config_int.h"

struct cmd_usage {
    enum config_cmd cmd;
    const char *synopsis; /* after "vpnd " */
    const char *what;
};

static const struct cmd_usage cmd_usages[] = {
    {CONFIG_CMD_SERVE, "serve [--config FILE] [OPTION]...",
     "Serves the Huawei Cloud VPN v5 site-to-site API over HTTP. Prints \"vpnd: listening on\n"
     "http://ADDR:PORT\" when ready (and tells systemd READY=1). SIGTERM/SIGINT stop it, SIGHUP\n"
     "re-reads the settings marked (live)."},
    {CONFIG_CMD_CHECK, "check-config [--config FILE] [OPTION]...",
     "Checks the configuration serve would use (config file, environment, flags, credentials\n"
     "file) without opening the store or listening, and prints it with where each value\n"
     "comes from. Exit 0 when it is valid."},
    {CONFIG_CMD_IMPORT, "import [--config FILE] [OPTION]... [FILE | -]",
     "Loads records (JSON lines or a JSON array, the API's create shapes) into the store, all\n"
     "or nothing; reads standard input without FILE or with -."},
    {CONFIG_CMD_EXPORT, "export [--config FILE] [--db URL] [FILE | -]",
     "Writes every resource of an existing store as record lines (to standard output without\n"
     "FILE or with -). The records carry each connection's psk: keep dumps private."},
    {CONFIG_CMD_COMPACT, "compact [--config FILE] [--db URL]",
     "Rewrites compressed the connections an older vpnd stored as plain JSON (a SQLite\n"
     "store reads them either way; each is compressed anyway when it is next written), a\n"
     "thousand per transaction, so a server on the same store keeps serving. The file keeps\n"
     "its size: the freed pages take later rows (VACUUM, vpnd stopped, gives them back)."},
};

static void usage_key(FILE *f, const struct config_key_def *d, enum config_cmd cmd)
{
    fprintf(f, "  --%s%s%s", d->name, d->metavar ? " " : "", d->metavar ? d->metavar : "");
    if (d->env || d->def)
        fprintf(f, "  (%s%s%s%s)", d->env ? d->env : "", d->env && d->def ? ", " : "",
                d->def ? "default " : "", d->def ? d->def : "");
    fprintf(f, "%s\n      %s\n", (d->flags & CONFIG_LIVE) && cmd == CONFIG_CMD_SERVE ? "  live" : "", d->help);
}

void config_usage(FILE *f, enum config_cmd cmd)
{
    const struct cmd_usage *u = NULL;

    for (size_t i = 0; i < sizeof(cmd_usages) / sizeof(cmd_usages[0]); i++) {
        if (cmd_usages[i].cmd == cmd)
            u = &cmd_usages[i];
    }
    if (!u)
        return;
    fprintf(f, "Usage: vpnd %s\n\n%s\n\nOptions (flag > environment > config file > default):\n",
            u->synopsis, u->what);
    fprintf(f, "  --config FILE  (VPND_CONFIG)\n      read settings from FILE (vpnd.conf(5))\n");
    for (size_t k = 0; k < CONFIG_KEY_COUNT; k++) {
        const struct config_key_def *d = config_key((enum config_key)k);
        if (d->cmds & cmd)
            usage_key(f, d, cmd);
    }
    fprintf(f, "  --help\n      this text\n\nSee vpnd(8) and vpnd.conf(5).\n");
}

void config_print(FILE *f, const struct config *c,
                  void (*redact)(const char *text, char *out, size_t outlen))
{
    fprintf(f, "# effective configuration of vpnd %s (flag > environment > %s > default)\n",
            config_cmd_name(c->cmd), c->file ? c->file : "no config file");
    for (size_t k = 0; k < CONFIG_KEY_COUNT; k++) {
        const struct config_key_def *d = config_key((enum config_key)k);
        const struct config_value *v = &c->v[k];
        char shown[512], src[300];

        if (!(d->cmds & c->cmd) || (d->flags & CONFIG_FLAG_ONLY))
            continue;
        if (!v->text) {
            fprintf(f, "# %s is not set\n", d->name);
            continue;
        }
        if (redact && k == CONFIG_DB)
            redact(v->text, shown, sizeof(shown));
        else
            snprintf(shown, sizeof(shown), "%s", v->text);
        if (v->source == CONFIG_SRC_DEFAULT)
            snprintf(src, sizeof(src), "default");
        else
            config_where(c, (enum config_key)k, src, sizeof(src));
        fprintf(f, "%s = %s  # %s%s\n", d->name, shown, src,
                d->flags & CONFIG_LIVE ? " (live)" : "");
    }
}
