/* bench/vici_events.c: how many charon events per second vpnd's VICI client takes in (frame,
 * parse into a tree, dispatch to the owner's callback), and its CPU per event.
 *
 *   build/rel/vici_events_bench [N] [EVENT-FILE...]
 *
 * A child process plays charon on a Unix socket: it confirms the client's registrations, then
 * writes N events as fast as the socket takes them, cycling through the given framed packets
 * (default: the child-updown, ike-updown and log packets captured from a real charon in
 * fuzz/corpus/vici_msg). The parent runs the client in a poll loop until it has N events and
 * prints events/s and user+system CPU microseconds per event of the client process. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "driver/strongswan/vici_client.h"
#include "util/ids.h"

#define MAX_FILES 8

struct counts {
    long events, target;
    bool up, done;
};

static void on_state(void *ctx, bool up, const char *why)
{
    struct counts *n = ctx;
    (void)why;
    n->up = up;
}

static void on_event(void *ctx, const char *name, const struct vici_tree *msg)
{
    struct counts *n = ctx;
    (void)name;
    (void)msg;
    if (++n->events >= n->target)
        n->done = true;
}

static int read_file(const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    char chunk[4096];
    size_t k;
    if (!f)
        return -errno;
    while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(out, chunk, k);
    fclose(f);
    return 0;
}

/* Reads one frame from fd (blocking). */
static int read_frame(int fd)
{
    unsigned char head[4];
    if (recv(fd, head, 4, MSG_WAITALL) != 4)
        return -1;
    size_t n = (size_t)head[0] << 24 | (size_t)head[1] << 16 | (size_t)head[2] << 8 | head[3];
    char body[1024];
    while (n > 0) {
        ssize_t r = recv(fd, body, n < sizeof(body) ? n : sizeof(body), 0);
        if (r <= 0)
            return -1;
        n -= (size_t)r;
    }
    return 0;
}

/* The fake charon: confirms n_subs registrations, then sends total events. */
static void serve(int lfd, const struct buf *events, size_t n_events, long total, int n_subs)
{
    static const unsigned char confirm[] = {0, 0, 0, 1, VICI_EVENT_CONFIRM};
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
        _exit(1);
    for (int i = 0; i < n_subs; i++) {
        if (read_frame(fd) < 0 || write(fd, confirm, sizeof(confirm)) != sizeof(confirm))
            _exit(1);
    }
    /* batch events into 64 KiB writes, as charon's socket would be drained */
    struct buf batch = {0};
    long sent = 0;
    while (sent < total) {
        buf_reset(&batch);
        while (batch.len < 65536 && sent < total) {
            const struct buf *e = &events[sent % (long)n_events];
            buf_append(&batch, e->data, e->len);
            sent++;
        }
        size_t off = 0;
        while (off < batch.len) {
            ssize_t w = write(fd, batch.data + off, batch.len - off);
            if (w <= 0)
                _exit(1);
            off += (size_t)w;
        }
    }
    buf_free(&batch);
    char c;
    ssize_t ignored = read(fd, &c, 1); /* until the client closes */
    (void)ignored;
    _exit(0);
}

static double cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

int main(int argc, char **argv)
{
    static const char *const defaults[] = {"fuzz/corpus/vici_msg/charon-7-child-updown-0",
                                           "fuzz/corpus/vici_msg/charon-7-ike-updown-1",
                                           "fuzz/corpus/vici_msg/charon-7-log-0"};
    long total = argc > 1 ? strtol(argv[1], NULL, 10) : 200000;
    struct buf events[MAX_FILES] = {{0}};
    size_t n_events = 0, bytes = 0;
    for (int i = 2; i < argc && n_events < MAX_FILES; i++)
        if (read_file(argv[i], &events[n_events]) == 0)
            bytes += events[n_events++].len;
    for (size_t i = 0; n_events == 0 && i < 3; i++)
        if (read_file(defaults[i], &events[i]) == 0)
            bytes += events[i].len;
    if (n_events == 0)
        n_events = 3;
    for (size_t i = 0; i < n_events; i++) {
        if (events[i].len == 0) {
            fprintf(stderr, "vici_events_bench: cannot read the event packets (run from the "
                            "repository root)\n");
            return 2;
        }
    }

    char dir[] = "/tmp/vpnd-vici-bench.XXXXXX", path[64], url[80];
    if (!mkdtemp(dir))
        return 2;
    snprintf(path, sizeof(path), "%s/charon.vici", dir);
    snprintf(url, sizeof(url), "unix://%s", path);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 1) < 0)
        return 2;
    static const char *const subs[] = {"ike-updown", "child-updown", "log"};
    pid_t child = fork();
    if (child == 0)
        serve(lfd, events, n_events, total, 3);

    struct counts n = {.target = total};
    struct vici_client_ops ops = {.state = on_state, .event = on_event};
    struct vici_client *c;
    if (vici_client_new(url, &ops, &n, NULL, &c) < 0)
        return 2;
    for (size_t i = 0; i < 3; i++)
        vici_client_subscribe(c, subs[i]);
    vici_client_start(c);
    if (vici_client_run(c, &n.up, 5000) < 0)
        return 2;
    double cpu0 = cpu_us();
    int64_t t0 = ids_mono_ms();
    int r = vici_client_run(c, &n.done, 120000);
    int64_t ms = ids_mono_ms() - t0;
    double cpu = cpu_us() - cpu0;
    vici_client_free(c);
    kill(child, SIGTERM);
    waitpid(child, NULL, 0);
    unlink(path);
    rmdir(dir);
    close(lfd);
    if (r < 0) {
        fprintf(stderr, "vici_events_bench: only %ld of %ld events\n", n.events, total);
        return 1;
    }
    printf("{\"events\": %ld, \"mean_event_bytes\": %zu, \"seconds\": %.3f, "
           "\"events_per_s\": %.0f, \"client_cpu_us_per_event\": %.3f}\n",
           n.events, bytes / n_events, (double)ms / 1000.0,
           (double)n.events * 1000.0 / (double)(ms ? ms : 1), cpu / (double)n.events);
    for (size_t i = 0; i < MAX_FILES; i++)
        buf_free(&events[i]);
    return 0;
}
