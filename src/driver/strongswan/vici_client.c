/* driver/strongswan/vici_client.c: non-blocking VICI client (see vici_client.h). */
#include "driver/strongswan/vici_client.h"

#include "util/ids.h"
#include "util/log.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_SUBS 16
#define MAX_REGISTERED (2 * MAX_SUBS) /* subscriptions and stream events of commands */
#define READ_CHUNK 65536
#define READS_PER_CALL 16
#define URL_PREFIX "unix://"

/* A queued packet: a command of the owner or a registration of the client's own. */
struct vici_req {
    struct vici_req *next;
    enum vici_op op;                /* VICI_CMD_REQUEST or VICI_EVENT_REGISTER */
    struct buf pkt;                 /* framed */
    char stream[VICI_MAX_NAME + 1]; /* the stream event of a command; the registered event */
    vici_stream_fn on_stream;
    vici_reply_fn on_reply; /* NULL for registrations */
    void *ctx;
    bool subscription; /* a registration made while coming up */
};

enum client_state {
    ST_IDLE,        /* not started */
    ST_WAIT,        /* disconnected, retry at retry_at */
    ST_REGISTERING, /* connected, subscriptions in flight */
    ST_UP,
};

struct vici_client {
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    struct vici_client_ops ops;
    void *ctx;
    struct vici_client_opts opts;
    enum client_state state;
    int fd;
    bool announced_up;  /* the owner was told "up" and not "down" since */
    bool reported_down; /* "down" told for the current outage */
    unsigned backoff_ms;
    int64_t retry_at; /* ST_WAIT */
    int64_t deadline; /* the command in flight must be answered by then */
    struct vici_req *head, *tail;
    bool head_sent;
    size_t out_off; /* bytes of head->pkt written */
    struct buf in;
    size_t pending_subs; /* subscription registrations not answered yet */
    unsigned dispatching;
    const char *drop_why; /* a drop deferred until the dispatch loop ends */
    size_t n_subs, n_registered;
    char subs[MAX_SUBS][VICI_MAX_NAME + 1];
    char registered[MAX_REGISTERED][VICI_MAX_NAME + 1]; /* on this connection, or queued */
};

static void req_free(struct vici_req *q)
{
    buf_free(&q->pkt);
    free(q);
}

/* ---- queue ---- */

static void queue_push(struct vici_client *c, struct vici_req *q)
{
    q->next = NULL;
    if (c->tail)
        c->tail->next = q;
    else
        c->head = q;
    c->tail = q;
}

static struct vici_req *queue_pop(struct vici_client *c)
{
    struct vici_req *q = c->head;
    if (!q)
        return NULL;
    c->head = q->next;
    if (!c->head)
        c->tail = NULL;
    c->head_sent = false;
    c->out_off = 0;
    return q;
}

static bool name_in(const char (*names)[VICI_MAX_NAME + 1], size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], name) == 0)
            return true;
    }
    return false;
}

static int req_new(enum vici_op op, const char *name, const void *msg, size_t len,
                   struct vici_req **ret)
{
    struct vici_req *q = calloc(1, sizeof(*q));
    if (!q)
        return -ENOMEM;
    int r = vici_packet_encode(&q->pkt, op, name, msg, len);
    if (r < 0) {
        req_free(q);
        return r;
    }
    q->op = op;
    *ret = q;
    return 0;
}

/* Queues a registration of event name on this connection unless one is there or queued. */
static int queue_register(struct vici_client *c, const char *name, bool subscription)
{
    if (name_in(c->registered, c->n_registered, name))
        return 0;
    if (c->n_registered == MAX_REGISTERED)
        return -EINVAL;
    struct vici_req *q;
    int r = req_new(VICI_EVENT_REGISTER, name, NULL, 0, &q);
    if (r < 0)
        return r;
    q->subscription = subscription;
    strcpy(q->stream, name);
    strcpy(c->registered[c->n_registered++], name);
    if (subscription)
        c->pending_subs++;
    queue_push(c, q);
    return 0;
}

/* ---- connection ---- */

static void close_fd(struct vici_client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    buf_reset(&c->in);
    c->n_registered = 0;
    c->pending_subs = 0;
    c->head_sent = false;
    c->out_off = 0;
}

static void schedule_retry(struct vici_client *c)
{
    c->state = ST_WAIT;
    c->retry_at = ids_mono_ms() + c->backoff_ms;
    c->backoff_ms =
        c->backoff_ms > c->opts.backoff_max_ms / 2 ? c->opts.backoff_max_ms : c->backoff_ms * 2;
}

/* Closes the connection, fails every queued command with -EIO, tells the owner "down" (once
 * per outage) and schedules a retry. Deferred while packets are being dispatched. */
static void drop(struct vici_client *c, const char *why)
{
    if (c->dispatching) {
        if (!c->drop_why)
            c->drop_why = why;
        return;
    }
    log_debug("vici: connection to \"%s\" dropped: %s", c->path, why);
    close_fd(c);
    schedule_retry(c);
    struct vici_req *q;
    while ((q = queue_pop(c))) {
        if (q->on_reply)
            q->on_reply(q->ctx, -EIO, NULL);
        req_free(q);
    }
    if (c->announced_up || !c->reported_down) {
        c->announced_up = false;
        c->reported_down = true;
        if (c->ops.state)
            c->ops.state(c->ctx, false, why);
    }
}

static void flush(struct vici_client *c)
{
    while (c->head_sent && c->out_off < c->head->pkt.len) {
        ssize_t n = send(c->fd, c->head->pkt.data + c->out_off, c->head->pkt.len - c->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0) {
            drop(c, errno == EPIPE ? "charon closed the connection" : "write failed");
            return;
        }
        c->out_off += (size_t)n;
    }
}

/* Sends the head of the queue when nothing is in flight. */
static void kick(struct vici_client *c)
{
    if (c->fd < 0 || c->head_sent || !c->head)
        return;
    c->head_sent = true;
    c->out_off = 0;
    c->deadline = ids_mono_ms() + c->opts.request_timeout_ms;
    flush(c);
}

static void become_up(struct vici_client *c)
{
    c->state = ST_UP;
    c->announced_up = true;
    c->reported_down = false;
    c->backoff_ms = c->opts.backoff_min_ms;
    log_debug("vici: connected to \"%s\"", c->path);
    if (c->ops.state)
        c->ops.state(c->ctx, true, "connected");
}

static void try_connect(struct vici_client *c)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    const char *why = NULL;

    strcpy(sa.sun_path, c->path);
    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        why = "cannot create a socket";
    } else if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        why = errno == ENOENT         ? "no socket at the path"
              : errno == ECONNREFUSED ? "connection refused"
              : errno == EACCES       ? "permission denied"
                                      : "connect failed";
    }
    if (why) {
        close_fd(c);
        c->state = ST_IDLE; /* drop schedules the retry */
        drop(c, why);
        return;
    }
    c->state = ST_REGISTERING;
    for (size_t i = 0; i < c->n_subs; i++) {
        if (queue_register(c, c->subs[i], true) < 0) {
            drop(c, "out of memory");
            return;
        }
    }
    if (c->pending_subs == 0)
        become_up(c);
    kick(c);
}

/* ---- receiving ---- */

static void complete_head(struct vici_client *c, int r, const struct vici_tree *res)
{
    struct vici_req *q = queue_pop(c);
    if (q->on_reply)
        q->on_reply(q->ctx, r, res);
    req_free(q);
}

static void on_register_reply(struct vici_client *c, const struct vici_packet *pk)
{
    struct vici_req *q = c->head;
    if (pk->op == VICI_EVENT_UNKNOWN)
        log_debug("vici: charon has no event \"%s\"", q->stream);
    bool sub = q->subscription;
    complete_head(c, 0, NULL);
    if (sub && --c->pending_subs == 0 && c->state == ST_REGISTERING)
        become_up(c);
}

static void on_cmd_reply(struct vici_client *c, const struct vici_packet *pk)
{
    if (pk->op == VICI_CMD_UNKNOWN) {
        complete_head(c, -ENOENT, NULL);
        return;
    }
    struct vici_tree t;
    int r = vici_tree_parse(pk->msg, pk->msg_len, &t);
    if (r < 0) {
        drop(c, r == -ENOMEM ? "out of memory" : "malformed response");
        return;
    }
    complete_head(c, 0, &t);
    vici_tree_done(&t);
}

static void on_event(struct vici_client *c, const struct vici_packet *pk)
{
    char name[VICI_MAX_NAME + 1];
    memcpy(name, pk->name, pk->name_len);
    name[pk->name_len] = '\0';

    struct vici_req *q = c->head_sent ? c->head : NULL;
    bool stream = q && q->op == VICI_CMD_REQUEST && q->on_stream && strcmp(q->stream, name) == 0;
    if (!stream && !(c->ops.event && name_in(c->subs, c->n_subs, name)))
        return;
    struct vici_tree t;
    int r = vici_tree_parse(pk->msg, pk->msg_len, &t);
    if (r < 0) {
        drop(c, r == -ENOMEM ? "out of memory" : "malformed event");
        return;
    }
    if (stream)
        q->on_stream(q->ctx, &t);
    else
        c->ops.event(c->ctx, name, &t);
    vici_tree_done(&t);
}

static void dispatch(struct vici_client *c, const struct vici_packet *pk)
{
    bool cmd = c->head_sent && c->head->op == VICI_CMD_REQUEST;
    bool reg = c->head_sent && c->head->op == VICI_EVENT_REGISTER;

    switch (pk->op) {
    case VICI_EVENT:
        on_event(c, pk);
        return;
    case VICI_CMD_RESPONSE:
    case VICI_CMD_UNKNOWN:
        if (cmd) {
            on_cmd_reply(c, pk);
            return;
        }
        break;
    case VICI_EVENT_CONFIRM:
    case VICI_EVENT_UNKNOWN:
        if (reg) {
            on_register_reply(c, pk);
            return;
        }
        break;
    default:
        break;
    }
    drop(c, "unexpected packet");
}

/* Dispatches every whole packet in the input buffer; keeps a partial one. */
static void process_input(struct vici_client *c)
{
    size_t off = 0;

    c->dispatching++;
    while (!c->drop_why) {
        struct vici_packet pk;
        size_t used;
        int r = vici_frame_next((const uint8_t *)c->in.data + off, c->in.len - off, &used, &pk);
        if (r == 0)
            break;
        if (r < 0) {
            drop(c, "malformed packet");
            break;
        }
        dispatch(c, &pk);
        off += used;
    }
    c->dispatching--;
    if (c->drop_why) {
        const char *why = c->drop_why;
        c->drop_why = NULL;
        drop(c, why);
        return;
    }
    memmove(c->in.data, c->in.data + off, c->in.len - off);
    c->in.len -= off;
    kick(c);
}

void vici_client_on_readable(struct vici_client *c)
{
    for (int i = 0; i < READS_PER_CALL && c->fd >= 0; i++) {
        if (buf_reserve(&c->in, READ_CHUNK) < 0) {
            drop(c, "out of memory");
            return;
        }
        ssize_t n = recv(c->fd, c->in.data + c->in.len, READ_CHUNK, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            drop(c, n == 0 || errno == ECONNRESET ? "charon closed the connection" : "read failed");
            return;
        }
        c->in.len += (size_t)n;
        process_input(c);
    }
}

void vici_client_on_writable(struct vici_client *c)
{
    if (c->fd >= 0)
        flush(c);
}

void vici_client_on_timer(struct vici_client *c)
{
    int64_t now = ids_mono_ms();
    if (c->state == ST_WAIT && now >= c->retry_at)
        try_connect(c);
    else if (c->fd >= 0 && c->head_sent && now >= c->deadline)
        drop(c, "request timed out");
}

int vici_client_timeout_ms(const struct vici_client *c)
{
    int64_t at;
    if (c->state == ST_WAIT)
        at = c->retry_at;
    else if (c->fd >= 0 && c->head_sent)
        at = c->deadline;
    else
        return -1;
    int64_t d = at - ids_mono_ms();
    return d <= 0 ? 0 : d > INT32_MAX ? INT32_MAX : (int)d;
}

int vici_client_fd(const struct vici_client *c)
{
    return c->fd;
}

uint32_t vici_client_poll_events(const struct vici_client *c)
{
    if (c->fd < 0)
        return 0;
    bool out = c->head_sent && c->out_off < c->head->pkt.len;
    return EPOLLIN | (out ? (uint32_t)EPOLLOUT : 0u);
}

bool vici_client_is_up(const struct vici_client *c)
{
    return c->state == ST_UP;
}

/* ---- owner interface ---- */

int vici_client_new(const char *url, const struct vici_client_ops *ops, void *ctx,
                    const struct vici_client_opts *opts, struct vici_client **ret)
{
    size_t pre = strlen(URL_PREFIX);
    if (strncmp(url, URL_PREFIX, pre) != 0 || url[pre] != '/')
        return -EINVAL;
    const char *path = url + pre;
    struct vici_client *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    if (strlen(path) >= sizeof(c->path)) {
        free(c);
        return -EINVAL;
    }
    strcpy(c->path, path);
    c->ops = *ops;
    c->ctx = ctx;
    if (opts)
        c->opts = *opts;
    if (!c->opts.backoff_min_ms)
        c->opts.backoff_min_ms = 100;
    if (!c->opts.backoff_max_ms)
        c->opts.backoff_max_ms = 5000;
    if (c->opts.backoff_max_ms < c->opts.backoff_min_ms)
        c->opts.backoff_max_ms = c->opts.backoff_min_ms;
    if (!c->opts.request_timeout_ms)
        c->opts.request_timeout_ms = 30000;
    c->backoff_ms = c->opts.backoff_min_ms;
    c->fd = -1;
    *ret = c;
    return 0;
}

void vici_client_free(struct vici_client *c)
{
    if (!c)
        return;
    close_fd(c);
    struct vici_req *q;
    while ((q = queue_pop(c)))
        req_free(q);
    buf_free(&c->in);
    free(c);
}

int vici_client_subscribe(struct vici_client *c, const char *event)
{
    size_t len = strlen(event);
    if (len == 0 || len > VICI_MAX_NAME)
        return -EINVAL;
    if (name_in(c->subs, c->n_subs, event))
        return 0;
    if (c->n_subs == MAX_SUBS)
        return -EINVAL;
    strcpy(c->subs[c->n_subs++], event);
    if (c->fd < 0)
        return 0;
    int r = queue_register(c, event, false);
    if (r < 0)
        return r;
    kick(c);
    return 0;
}

void vici_client_start(struct vici_client *c)
{
    if (c->state == ST_IDLE)
        try_connect(c);
}

int vici_client_call(struct vici_client *c, const char *cmd, const void *msg, size_t len,
                     const char *stream_event, vici_stream_fn on_stream, vici_reply_fn on_reply,
                     void *ctx)
{
    if (c->fd < 0)
        return -EIO;
    size_t slen = stream_event ? strlen(stream_event) : 0;
    if (!cmd || !cmd[0] || slen > VICI_MAX_NAME || (stream_event && slen == 0))
        return -EINVAL;
    struct vici_req *q;
    int r = req_new(VICI_CMD_REQUEST, cmd, msg, len, &q);
    if (r < 0)
        return r;
    if (stream_event) {
        r = queue_register(c, stream_event, false);
        if (r < 0) {
            req_free(q);
            return r;
        }
        strcpy(q->stream, stream_event);
        q->on_stream = on_stream;
    }
    q->on_reply = on_reply;
    q->ctx = ctx;
    queue_push(c, q);
    kick(c);
    return 0;
}

int vici_client_run(struct vici_client *c, const bool *done, int timeout_ms)
{
    int64_t end = ids_mono_ms() + timeout_ms;

    while (!*done) {
        int64_t left = end - ids_mono_ms();
        if (left <= 0)
            return -EIO;
        int t = vici_client_timeout_ms(c);
        if (t < 0 || t > left)
            t = (int)left;
        struct pollfd p = {.fd = vici_client_fd(c), .events = 0};
        uint32_t ev = vici_client_poll_events(c);
        p.events = (short)(((ev & EPOLLIN) ? POLLIN : 0) | ((ev & EPOLLOUT) ? POLLOUT : 0));
        int n = poll(&p, p.fd >= 0 ? 1 : 0, t);
        if (n < 0 && errno != EINTR)
            return -EIO;
        if (n > 0 && (p.revents & POLLOUT))
            vici_client_on_writable(c);
        if (n > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)))
            vici_client_on_readable(c);
        vici_client_on_timer(c);
    }
    return 0;
}
