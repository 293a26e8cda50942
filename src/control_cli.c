/* control_cli.c: `vpnd control [--url URL] [--token TOKEN] COMMAND [ARG]...` (control_cli.h):
 * each command is one request to the control surface of a running vpnd, whose answer is
 * printed as it came (JSON; `state`: record lines). The requests are the README's curl
 * examples, so everything the CLI does, a test client can do over HTTP too. */
#include "control_cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client.h"
#include "util/buf.h"
#include "util/macro.h"

#define CLI_TIMEOUT_MS 60000 /* a seed of a large file, an injected latency */

enum { CLI_OK = 0, CLI_REFUSED = 1, CLI_USAGE = 2, CLI_UNAVAILABLE = 3 };

static void cli_usage(FILE *f)
{
    fprintf(f,
            "Usage: vpnd control [--url URL] [--token TOKEN] COMMAND [ARG]...\n\n"
            "Drives the control surface (/_vpnd/...) of a running vpnd; prints its answer.\n\n"
            "  --url URL      the server, http://HOST:PORT (VPND_URL; default "
            "http://127.0.0.1:8080)\n"
            "  --token TOKEN  an admin token, when vpnd has credentials (VPND_CONTROL_TOKEN)\n\n"
            "Commands:\n"
            "  health | ready                        is it up / does its store answer\n"
            "  reset [PROJECT_ID]                    delete everything (or one project)\n"
            "  seed FILE|- [project_id=ID] [keep_ids=false] [skip_invalid=true]\n"
            "                                        load records (vpnd import's format)\n"
            "  state                                 what vpnd export writes\n"
            "  status KIND PROJECT_ID ID STATUS [hold]  force a status\n"
            "  advance [KIND PROJECT_ID ID]          end held transitions\n"
            "  transitions [list | add JSON | delete RULE | clear]\n"
            "  faults [list | add JSON | delete RULE | clear]\n"
            "  clock [show | advance MS | set TIME | freeze | unfreeze | reset]\n\n"
            "KIND: vpn_gateway, vpn_connection or connection_monitor. Exit status: 0 the server\n"
            "answered 2xx, 1 it answered an error (shown on stderr), 2 usage, 3 it cannot be\n"
            "reached. See vpnd(8) and the README's \"Testing against vpnd\".\n");
}

struct cli_req {
    const char *method;
    struct buf path;
    struct buf body;
    bool has_body;
};

static _printf_(1, 2) int usage_error(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "vpnd control: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see vpnd control --help)\n");
    return CLI_USAGE;
}

/* Appends "key":"value" (JSON-escaped) to the body object being built. */
static int json_member(struct buf *b, const char *key, const char *value)
{
    int r = buf_puts(b, b->len > 1 ? ",\"" : "\"");

    if (r == 0)
        r = buf_puts(b, key);
    if (r == 0)
        r = buf_puts(b, "\":");
    return r < 0 ? r : buf_json_str(b, value);
}

static int read_file(const char *name, struct buf *out)
{
    FILE *f = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
    char chunk[65536];
    size_t n;

    if (!f) {
        fprintf(stderr, "vpnd control: cannot open %s: %s\n", name, strerror(errno));
        return CLI_UNAVAILABLE;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (buf_append(out, chunk, n) < 0)
            break;
    }
    bool bad = ferror(f) || n > 0;
    if (f != stdin)
        fclose(f);
    if (bad) {
        fprintf(stderr, "vpnd control: cannot read %s\n", name);
        return CLI_UNAVAILABLE;
    }
    return CLI_OK;
}

/* The rule commands: transitions / faults [list | add JSON | delete RULE | clear]. */
static int rules_req(const char *what, int argc, char **argv, struct cli_req *q)
{
    const char *sub = argc > 0 ? argv[0] : "list";

    if (strcmp(sub, "list") == 0 && argc <= 1) {
        q->method = "GET";
        return buf_printf(&q->path, "/_vpnd/%s", what) < 0 ? -ENOMEM : 0;
    }
    if (strcmp(sub, "add") == 0 && argc == 2) {
        q->method = "POST";
        q->has_body = true;
        return buf_printf(&q->path, "/_vpnd/%s", what) < 0 || buf_puts(&q->body, argv[1]) < 0
                   ? -ENOMEM
                   : 0;
    }
    if (strcmp(sub, "delete") == 0 && argc == 2) {
        q->method = "DELETE";
        return buf_printf(&q->path, "/_vpnd/%s/%s", what, argv[1]) < 0 ? -ENOMEM : 0;
    }
    if (strcmp(sub, "clear") == 0 && argc == 1) {
        q->method = "DELETE";
        return buf_printf(&q->path, "/_vpnd/%s", what) < 0 ? -ENOMEM : 0;
    }
    return -EINVAL;
}

static int clock_req(int argc, char **argv, struct cli_req *q)
{
    const char *sub = argc > 0 ? argv[0] : "show";
    struct buf *b = &q->body;
    int r = buf_puts(&q->path, "/_vpnd/clock");

    q->method = "POST";
    q->has_body = true;
    if (r == 0 && strcmp(sub, "show") == 0 && argc <= 1) {
        q->method = "GET";
        q->has_body = false;
    } else if (r == 0 && strcmp(sub, "advance") == 0 && argc == 2 &&
               strspn(argv[1], "0123456789") == strlen(argv[1]) && argv[1][0]) {
        r = buf_printf(b, "{\"advance_ms\":%s}", argv[1]);
    } else if (r == 0 && strcmp(sub, "set") == 0 && argc == 2) {
        r = buf_puts(b, "{");
        if (r == 0 && strspn(argv[1], "0123456789") == strlen(argv[1]) && argv[1][0])
            r = buf_printf(b, "\"set\":%s}", argv[1]);
        else if (r == 0 && (r = json_member(b, "set", argv[1])) == 0)
            r = buf_puts(b, "}");
    } else if (r == 0 && argc == 1 && strcmp(sub, "freeze") == 0) {
        r = buf_puts(b, "{\"freeze\":true}");
    } else if (r == 0 && argc == 1 && strcmp(sub, "unfreeze") == 0) {
        r = buf_puts(b, "{\"freeze\":false}");
    } else if (r == 0 && argc == 1 && strcmp(sub, "reset") == 0) {
        r = buf_puts(b, "{\"reset\":true}");
    } else if (r == 0) {
        r = -EINVAL;
    }
    return r;
}

/* "KIND PROJECT_ID ID" as members of the body object. */
static int target_members(struct buf *b, char **argv)
{
    int r = json_member(b, "kind", argv[0]);

    if (r == 0)
        r = json_member(b, "project_id", argv[1]);
    return r < 0 ? r : json_member(b, "id", argv[2]);
}

/* Builds the request of command argv[0]. 0, -EINVAL (usage), -ENOMEM, or a positive exit
 * status (a file that cannot be read). */
static int build(int argc, char **argv, struct cli_req *q)
{
    const char *cmd = argv[0];
    struct buf *b = &q->body;
    int r = 0;

    argc--;
    argv++;
    if ((strcmp(cmd, "health") == 0 || strcmp(cmd, "ready") == 0 || strcmp(cmd, "state") == 0) &&
        argc == 0) {
        q->method = "GET";
        return buf_printf(&q->path, "/_vpnd/%s", cmd) < 0 ? -ENOMEM : 0;
    }
    if (strcmp(cmd, "transitions") == 0 || strcmp(cmd, "faults") == 0)
        return rules_req(cmd, argc, argv, q);
    if (strcmp(cmd, "clock") == 0)
        return clock_req(argc, argv, q);
    q->method = "POST";
    q->has_body = true;
    if (strcmp(cmd, "reset") == 0 && argc <= 1) {
        r = buf_puts(&q->path, "/_vpnd/reset");
        if (r == 0)
            r = buf_puts(b, "{");
        if (r == 0 && argc == 1)
            r = json_member(b, "project_id", argv[0]);
        return r < 0 ? r : buf_puts(b, "}");
    }
    if (strcmp(cmd, "seed") == 0 && argc >= 1) {
        r = buf_puts(&q->path, "/_vpnd/seed");
        for (int i = 1; r == 0 && i < argc; i++) /* key=value: the seed's query */
            r = strchr(argv[i], '=') ? buf_printf(&q->path, "%c%s", i == 1 ? '?' : '&', argv[i])
                                     : -EINVAL;
        if (r < 0)
            return r;
        r = read_file(argv[0], b);
        return r ? r : 0;
    }
    if (strcmp(cmd, "status") == 0 && (argc == 4 || (argc == 5 && strcmp(argv[4], "hold") == 0))) {
        r = buf_puts(&q->path, "/_vpnd/status");
        if (r == 0)
            r = buf_puts(b, "{");
        if (r == 0)
            r = target_members(b, argv);
        if (r == 0)
            r = json_member(b, "status", argv[3]);
        if (r == 0 && argc == 5)
            r = buf_puts(b, ",\"hold\":true");
        return r < 0 ? r : buf_puts(b, "}");
    }
    if (strcmp(cmd, "advance") == 0 && (argc == 0 || argc == 3)) {
        r = buf_puts(&q->path, "/_vpnd/advance");
        if (r == 0)
            r = buf_puts(b, "{");
        if (r == 0 && argc == 3)
            r = target_members(b, argv);
        return r < 0 ? r : buf_puts(b, "}");
    }
    return -EINVAL;
}

/* Prints the answer: the body on stdout (2xx), or on stderr with the status. */
static int show(const struct client_response *a)
{
    const char *body = a->body.data ? a->body.data : "";
    bool nl = a->body.len && body[a->body.len - 1] != '\n';

    if (a->status >= 200 && a->status < 300) {
        fwrite(body, 1, a->body.len, stdout);
        if (nl)
            putchar('\n');
        return fflush(stdout) == 0 ? CLI_OK : CLI_UNAVAILABLE;
    }
    fprintf(stderr, "vpnd control: %d %s%s", a->status, body, nl ? "\n" : "");
    return CLI_REFUSED;
}

int control_cli(int argc, char **argv)
{
    const char *url = getenv("VPND_URL"), *token = getenv("VPND_CONTROL_TOKEN");
    struct cli_req q = {0};
    struct client_response a;
    char err[512];
    int i = 0, rc;

    if (!url || !*url)
        url = "http://127.0.0.1:8080";
    if (token && !*token)
        token = NULL;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            cli_usage(stdout);
            return CLI_OK;
        }
        if ((strcmp(argv[i], "--url") == 0 || strcmp(argv[i], "--token") == 0) && i + 1 < argc) {
            *(argv[i][2] == 'u' ? &url : &token) = argv[i + 1];
            i++;
            continue;
        }
        return usage_error("unknown option \"%.64s\"", argv[i]);
    }
    if (i == argc)
        return usage_error("%s", "a command is needed");
    rc = build(argc - i, argv + i, &q);
    if (rc == -EINVAL)
        rc = usage_error("cannot read the arguments of \"%.64s\"", argv[i]);
    else if (rc == -ENOMEM)
        rc = usage_error("%s", "out of memory");
    if (rc == 0) {
        const char *body = q.has_body ? (q.body.data ? q.body.data : "") : NULL;
        int r = client_request(url, q.method, q.path.data, token, body, q.body.len,
                               CLI_TIMEOUT_MS, &a, err, sizeof(err));
        if (r < 0) {
            fprintf(stderr, "vpnd control: %s\n", err);
            rc = r == -EINVAL ? CLI_USAGE : CLI_UNAVAILABLE;
        } else {
            rc = show(&a);
            buf_free(&a.body);
        }
    }
    buf_free(&q.path);
    buf_free(&q.body);
    return rc;
}
