/* http/watch.c: other descriptors and timers on the server's epoll loop (http.h "Other
 * descriptors and timers on the loop"). A watch's epoll data is the watch itself; the loop tells
 * it from a connection by looking it up in the server's few watch slots. */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "http/http_int.h"

int http_watch_new(struct http_server *s, http_watch_fn fn, void *ud, struct http_watch **ret)
{
    size_t i = 0;

    while (i < HTTP_MAX_WATCHES && s->watches[i])
        i++;
    if (i == HTTP_MAX_WATCHES)
        return -ENOSPC;
    struct http_watch *w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    *w = (struct http_watch){.s = s, .fn = fn, .ud = ud, .fd = -1, .deadline = -1};
    s->watches[i] = w;
    *ret = w;
    return 0;
}

/* Takes fd out of the epoll set; a descriptor the owner already closed has left it. */
static void unwatch_fd(struct http_watch *w)
{
    if (w->fd >= 0)
        (void)epoll_ctl(w->s->epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
    w->fd = -1;
    w->events = 0;
}

int http_watch_set(struct http_watch *w, int fd, uint32_t events, int64_t deadline)
{
    struct epoll_event ev = {.events = events, .data.ptr = w};

    w->deadline = deadline;
    if (fd != w->fd)
        unwatch_fd(w);
    if (fd < 0)
        return 0;
    /* always told again: the same number may be a new descriptor (the old one closed, so it left
     * the set), which MOD does not find */
    int r = w->fd == fd ? epoll_ctl(w->s->epoll_fd, EPOLL_CTL_MOD, fd, &ev) : -1;
    if (r < 0 && (w->fd != fd || errno == ENOENT))
        r = epoll_ctl(w->s->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
    if (r < 0 && errno == EEXIST)
        r = epoll_ctl(w->s->epoll_fd, EPOLL_CTL_MOD, fd, &ev);
    if (r < 0) {
        int e = errno;
        w->fd = -1;
        w->events = 0;
        return -e;
    }
    w->fd = fd;
    w->events = events;
    return 0;
}

void http_watch_free(struct http_watch *w)
{
    if (!w)
        return;
    unwatch_fd(w);
    for (size_t i = 0; i < HTTP_MAX_WATCHES; i++) {
        if (w->s->watches[i] == w)
            w->s->watches[i] = NULL;
    }
    free(w);
}

struct http_watch *http_watch_of(const struct http_server *s, const void *ptr)
{
    for (size_t i = 0; i < HTTP_MAX_WATCHES; i++) {
        if (s->watches[i] && s->watches[i] == ptr)
            return s->watches[i];
    }
    return NULL;
}

void http_watch_timers(struct http_server *s, int64_t now)
{
    for (size_t i = 0; i < HTTP_MAX_WATCHES; i++) {
        struct http_watch *w = s->watches[i];
        if (!w || w->deadline < 0 || w->deadline > now)
            continue;
        w->deadline = -1;
        w->fn(w->ud, 0);
    }
}

int64_t http_watch_next(const struct http_server *s)
{
    int64_t next = INT64_MAX;

    for (size_t i = 0; i < HTTP_MAX_WATCHES; i++) {
        const struct http_watch *w = s->watches[i];
        if (w && w->deadline >= 0 && w->deadline < next)
            next = w->deadline;
    }
    return next;
}
