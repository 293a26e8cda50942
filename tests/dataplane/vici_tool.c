/* tests/dataplane/vici_tool.c: drives a real charon through vpnd's VICI codec, client and
 * mapping, for the data-plane tests (tests/dataplane/test_*.py). Output is JSON lines.
 *
 *   vici_tool map SPEC [cloud|peer]     the load-conn message (cloud, as JSON) or the customer
 *                                       side's swanctl.conf (peer, as text)
 *   vici_tool load URI SPEC...          load-shared + load-conn of the cloud side (each SPEC)
 *   vici_tool unload URI NAME           unload-conn + unload-shared
 *   vici_tool call URI CMD [--stream EVENT] [KEY=VALUE | KEY=[A,B,...]]...
 *                                       one command; streamed events, then the response
 *   vici_tool watch URI EVENT...        subscribes and prints every event and every
 *                                       connected/disconnected report until stdin closes
 *
 * SPEC is a JSON file with the API's create bodies and what the server would fill:
 *   {"vgw_id", "vgw": {"vpn_gateway":{...}}, "eip1_ip", "eip2_ip",
 *    "cgw_id", "cgw": {"customer_gateway":{...}},
 *    "conn_id", "conn": {"vpn_connection":{...}}}
 * Exit status: 0, 1 (charon said no / mapping refused: the reason is printed), 2 (usage, I/O).
 */
#include "driver/strongswan/vici_client.h"
#include "driver/strongswan/vici_map.h"
#include "model/ipsec.h"
#include "util/ids.h"
#include "../unit/model_text.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define TIMEOUT_MS 30000

struct spec {
    struct model_vgw g;
    struct model_cgw cgw;
    struct model_vpn_conn c;
};

static json_t *tree_json(const struct vici_tree *t, uint32_t i)
{
    const struct vici_node *n = &t->nodes[i];
    if (n->type == VICI_NODE_VALUE || n->type == VICI_NODE_ITEM)
        return json_stringn_nocheck((const char *)n->value, n->value_len);
    json_t *v = n->type == VICI_NODE_LIST ? json_array() : json_object();
    for (uint32_t k = n->first_child; k != VICI_NONE; k = t->nodes[k].next) {
        json_t *child = tree_json(t, k);
        if (n->type == VICI_NODE_LIST)
            json_array_append_new(v, child);
        else
            json_object_setn_new_nocheck(v, t->nodes[k].name, t->nodes[k].name_len, child);
    }
    return v;
}

/* Prints {"<kind>": <tree>, "t": <monotonic ms>, ...extra} as one line. */
static void print_line(const char *kind, const char *name, const struct vici_tree *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(kind));
    if (name)
        json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "t", json_integer(ids_mono_ms()));
    if (t)
        json_object_set_new(o, "msg", tree_json(t, 0));
    char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
    printf("%s\n", s);
    fflush(stdout);
    free(s);
    json_decref(o);
}

/* ---- SPEC ---- */

static char *dump_member(const json_t *root, const char *key)
{
    const json_t *v = json_object_get(root, key);
    return v ? json_dumps(v, JSON_COMPACT) : NULL;
}

static const char *str_member(const json_t *root, const char *key)
{
    const char *s = json_string_value(json_object_get(root, key));
    return s ? s : "";
}

static int spec_load(const char *path, struct spec *s)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        fprintf(stderr, "%s: %s\n", path, je.text);
        return -EINVAL;
    }
    struct verr err = {0};
    char *vgw = dump_member(root, "vgw"), *cgw = dump_member(root, "cgw");
    char *conn = dump_member(root, "conn");
    int r = vgw && cgw && conn ? 0 : -EINVAL;
    if (r == 0)
        r = tm_vgw_parse_create(vgw, strlen(vgw), &s->g, &err);
    if (r == 0)
        r = tm_cgw_parse_create(cgw, strlen(cgw), &s->cgw, &err);
    if (r == 0)
        r = tm_conn_parse_create(conn, strlen(conn), &s->c, &err);
    if (r == 0) {
        snprintf(s->g.id, sizeof(s->g.id), "%s", str_member(root, "vgw_id"));
        snprintf(s->g.eip1.ip_address, MODEL_IP_LEN, "%s", str_member(root, "eip1_ip"));
        snprintf(s->g.eip2.ip_address, MODEL_IP_LEN, "%s", str_member(root, "eip2_ip"));
        snprintf(s->cgw.id, sizeof(s->cgw.id), "%s", str_member(root, "cgw_id"));
        snprintf(s->c.id, sizeof(s->c.id), "%s", str_member(root, "conn_id"));
        if (!s->c.tunnel_local_address[0])
            r = model_tunnel_from_index(0, s->c.tunnel_local_address, s->c.tunnel_peer_address);
    }
    if (r == 0)
        r = model_conn_bind(&s->c, &s->g, &s->cgw, &err);
    if (r < 0)
        fprintf(stderr, "%s: %s\n", path, err.msg[0] ? err.msg : "vgw, cgw and conn required");
    free(vgw);
    free(cgw);
    free(conn);
    json_decref(root);
    return r;
}

/* ---- commands over a client ---- */

struct session {
    struct vici_client *c;
    bool up, done;
    int r;
    bool failed; /* a reply said success = no */
};

static void on_state(void *ctx, bool up, const char *why)
{
    struct session *s = ctx;
    s->up = up;
    s->done = true;
    printf("{\"kind\":\"state\",\"up\":%s,\"why\":\"%s\",\"t\":%lld}\n", up ? "true" : "false", why,
           (long long)ids_mono_ms());
    fflush(stdout);
}

static void on_event(void *ctx, const char *name, const struct vici_tree *msg)
{
    (void)ctx;
    print_line("event", name, msg);
}

static void on_stream(void *ctx, const struct vici_tree *ev)
{
    (void)ctx;
    print_line("stream", NULL, ev);
}

static void on_reply(void *ctx, int r, const struct vici_tree *res)
{
    struct session *s = ctx;
    s->r = r;
    s->done = true;
    if (r < 0) {
        printf("{\"kind\":\"error\",\"errno\":%d}\n", -r);
        return;
    }
    print_line("reply", NULL, res);
    uint32_t ok = vici_tree_find(res, 0, "success");
    if (ok != VICI_NONE && !vici_tree_value_is(res, ok, "yes"))
        s->failed = true;
}

static const struct vici_client_ops ops = {.state = on_state, .event = on_event};

static int session_open(struct session *s, const char *uri)
{
    *s = (struct session){.r = 0};
    int r = vici_client_new(uri, &ops, s, NULL, &s->c);
    if (r < 0) {
        fprintf(stderr, "%s: not a unix:///path URL\n", uri);
        return r;
    }
    vici_client_start(s->c);
    r = vici_client_run(s->c, &s->done, TIMEOUT_MS);
    return r < 0 ? r : s->up ? 0 : -EIO;
}

static int session_call(struct session *s, const char *cmd, const struct buf *msg,
                        const char *stream)
{
    s->done = false;
    int r = vici_client_call(s->c, cmd, msg ? msg->data : NULL, msg ? msg->len : 0, stream,
                             on_stream, on_reply, s);
    if (r == 0)
        r = vici_client_run(s->c, &s->done, TIMEOUT_MS);
    return r < 0 ? r : s->r;
}

/* ---- subcommands ---- */

static int cmd_map(int argc, char **argv)
{
    struct spec *s = calloc(1, sizeof(*s));
    struct buf out = {0};
    struct verr err = {0};
    int r = s ? spec_load(argv[0], s) : -ENOMEM;
    if (r < 0) {
        free(s);
        return 2;
    }
    if (argc > 1 && strcmp(argv[1], "peer") == 0) {
        r = model_peer_config_swanctl(&s->c, &s->g, &s->cgw, &out, &err);
        if (r == 0)
            fputs(out.data, stdout);
    } else {
        struct vici_map_msgs m;
        r = vici_map_conn(&s->c, &s->g, &s->cgw, &m, &err);
        struct vici_tree t;
        if (r == 0 && vici_tree_parse(m.load_conn.buf.data, m.load_conn.buf.len, &t) == 0) {
            print_line("load-conn", m.name, &t);
            vici_tree_done(&t);
        }
        vici_map_msgs_done(&m);
    }
    if (r < 0)
        printf("{\"kind\":\"refused\",\"msg\":\"%s\"}\n", err.msg);
    buf_free(&out);
    free(s);
    return r < 0 ? 1 : 0;
}

/* Maps one SPEC and loads it over an open session. */
static int load_one(struct session *ss, const char *path)
{
    struct spec *s = calloc(1, sizeof(*s));
    struct verr err = {0};
    struct vici_map_msgs m;
    int r = s ? spec_load(path, s) : -ENOMEM;
    if (r < 0) {
        free(s);
        return 2;
    }
    r = vici_map_conn(&s->c, &s->g, &s->cgw, &m, &err);
    free(s);
    if (r < 0) {
        printf("{\"kind\":\"refused\",\"msg\":\"%s\"}\n", err.msg);
        vici_map_msgs_done(&m);
        return 1;
    }
    r = session_call(ss, "load-shared", &m.load_shared.buf, NULL);
    if (r == 0 && !ss->failed)
        r = session_call(ss, "load-conn", &m.load_conn.buf, NULL);
    vici_map_msgs_done(&m);
    return r < 0 ? 2 : ss->failed ? 1 : 0;
}

static int cmd_load(int argc, char **argv)
{
    struct session ss = {.c = NULL};
    int r = session_open(&ss, argv[0]);
    for (int i = 1; r == 0 && i < argc; i++)
        r = load_one(&ss, argv[i]);
    vici_client_free(ss.c);
    return r < 0 ? 2 : r;
}

static int cmd_unload(int argc, char **argv)
{
    (void)argc;
    struct vici_builder conn, shared;
    struct session ss = {.c = NULL};
    vici_builder_init(&conn);
    vici_builder_init(&shared);
    int r = vici_map_unload("name", argv[1], &conn);
    if (r == 0)
        r = vici_map_unload("id", argv[1], &shared);
    if (r == 0)
        r = session_open(&ss, argv[0]);
    if (r == 0)
        r = session_call(&ss, "unload-conn", &conn.buf, NULL);
    if (r == 0)
        r = session_call(&ss, "unload-shared", &shared.buf, NULL);
    vici_builder_done(&conn);
    vici_builder_done(&shared);
    vici_client_free(ss.c);
    return r < 0 ? 2 : ss.failed ? 1 : 0;
}

/* KEY=VALUE or KEY=[A,B] (a list). */
static void add_arg(struct vici_builder *b, char *arg)
{
    char *eq = strchr(arg, '=');
    if (!eq) {
        b->err = -EINVAL;
        return;
    }
    *eq++ = '\0';
    size_t n = strlen(eq);
    if (n < 2 || eq[0] != '[' || eq[n - 1] != ']') {
        vici_add_kv(b, arg, eq);
        return;
    }
    eq[n - 1] = '\0';
    vici_add_list(b, arg);
    for (char *save = NULL, *it = strtok_r(eq + 1, ",", &save); it; it = strtok_r(NULL, ",", &save))
        vici_add_item(b, it);
    vici_end_list(b);
}

static int cmd_call(int argc, char **argv)
{
    struct vici_builder b;
    struct session ss = {.c = NULL};
    const char *stream = NULL;
    vici_builder_init(&b);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--stream") == 0 && i + 1 < argc)
            stream = argv[++i];
        else
            add_arg(&b, argv[i]);
    }
    int r = vici_builder_finish(&b);
    if (r < 0) {
        fprintf(stderr, "bad arguments\n");
        vici_builder_done(&b);
        return 2;
    }
    r = session_open(&ss, argv[0]);
    if (r == 0)
        r = session_call(&ss, argv[1], &b.buf, stream);
    vici_builder_done(&b);
    vici_client_free(ss.c);
    return r == -ENOENT || ss.failed ? 1 : r < 0 ? 2 : 0;
}

/* Runs until stdin reaches EOF, reconnecting through the client's back-off. */
static int cmd_watch(int argc, char **argv)
{
    struct session ss = {.r = 0};
    struct vici_client_opts o = {.backoff_min_ms = 50, .backoff_max_ms = 500};
    int r = vici_client_new(argv[0], &ops, &ss, &o, &ss.c);
    for (int i = 1; r == 0 && i < argc; i++)
        r = vici_client_subscribe(ss.c, argv[i]);
    if (r < 0)
        return 2;
    vici_client_start(ss.c);
    for (;;) {
        struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = vici_client_fd(ss.c)}};
        uint32_t ev = vici_client_poll_events(ss.c);
        p[1].events = (short)(((ev & EPOLLIN) ? POLLIN : 0) | ((ev & EPOLLOUT) ? POLLOUT : 0));
        int n = poll(p, p[1].fd >= 0 ? 2 : 1, vici_client_timeout_ms(ss.c));
        if (n < 0 && errno != EINTR)
            break;
        if (p[0].revents) {
            char buf[64];
            if (read(0, buf, sizeof(buf)) <= 0)
                break;
        }
        if (p[1].fd >= 0 && (p[1].revents & POLLOUT))
            vici_client_on_writable(ss.c);
        if (p[1].fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
            vici_client_on_readable(ss.c);
        vici_client_on_timer(ss.c);
    }
    vici_client_free(ss.c);
    return 0;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int min_args;
        int (*fn)(int argc, char **argv);
    } cmds[] = {
        {"map", 1, cmd_map},   {"load", 2, cmd_load},   {"unload", 2, cmd_unload},
        {"call", 2, cmd_call}, {"watch", 1, cmd_watch},
    };
    for (size_t i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(argv[1], cmds[i].name) == 0 && argc - 2 >= cmds[i].min_args)
            return cmds[i].fn(argc - 2, argv + 2);
    }
    fprintf(stderr, "usage: vici_tool map|load|unload|call|watch ... (see the source head)\n");
    return 2;
}
