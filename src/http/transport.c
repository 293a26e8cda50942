/* http/transport.c: the plain-TCP transport. The TLS transport (tls.c) implements the same
 * calls on the same non-blocking fd: recv/send report -EAGAIN when the TLS engine needs the
 * socket (in either direction: the loop watches both with edge-triggered epoll and retries on
 * any readiness), and shut sends close_notify first. conn.c never touches the fd for data
 * otherwise.
 */
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http_int.h"

static ssize_t plain_recv(struct http_conn *c, void *buf, size_t len)
{
    for (;;) {
        ssize_t n = recv(c->fd, buf, len, 0);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
    }
}

static ssize_t plain_send(struct http_conn *c, struct iovec *iov, int iovcnt)
{
    struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)iovcnt};

    for (;;) {
        ssize_t n = sendmsg(c->fd, &m, MSG_NOSIGNAL);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? -EAGAIN : -errno;
    }
}

static void plain_shut(struct http_conn *c)
{
    (void)shutdown(c->fd, SHUT_WR);
}

static void plain_close(struct http_conn *c)
{
    close(c->fd);
    c->fd = -1;
}

const struct http_transport_ops http_plain_transport = {
    .recv = plain_recv,
    .send = plain_send,
    .shut = plain_shut,
    .close = plain_close,
    .any_event_reads = false,
};
