/* client/client.c: one blocking HTTP/1.1 exchange (client.h). */
#include "client/client.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define CLIENT_MAX_ANSWER (256u << 20) /* a state dump of a large store fits */

/* Splits "http://HOST:PORT" into host and port. */
static int parse_base(const char *base, char *host, size_t hsize, char *port, size_t psize,
                      char *err, size_t errlen)
{
    static const char scheme[] = "http://";
    const char *h, *colon, *end;

    if (strncmp(base, scheme, sizeof(scheme) - 1) != 0) {
        snprintf(err, errlen, "URL \"%.64s\" must start with http://", base);
        return -EINVAL;
    }
    h = base + sizeof(scheme) - 1;
    end = h + strcspn(h, "/");
    if (*h == '[') {
        const char *close = memchr(h, ']', (size_t)(end - h));
        colon = close && close + 1 < end && close[1] == ':' ? close + 1 : NULL;
        if (!close || !colon)
            goto bad;
        snprintf(host, hsize, "%.*s", (int)(close - h - 1), h + 1);
    } else {
        colon = memchr(h, ':', (size_t)(end - h));
        if (!colon || colon == h)
            goto bad;
        snprintf(host, hsize, "%.*s", (int)(colon - h), h);
    }
    if (end - colon - 1 < 1 || (size_t)(end - colon - 1) >= psize ||
        strspn(colon + 1, "0123456789") != (size_t)(end - colon - 1))
        goto bad;
    snprintf(port, psize, "%.*s", (int)(end - colon - 1), colon + 1);
    if (*end && strcmp(end, "/") != 0)
        goto bad;
    return 0;
bad:
    snprintf(err, errlen, "URL \"%.64s\" must be http://HOST:PORT", base);
    return -EINVAL;
}

static int connect_to(const char *host, const char *port, unsigned timeout_ms, char *err,
                      size_t errlen)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res), fd = -1, e = 0;

    if (rc != 0) {
        snprintf(err, errlen, "cannot resolve %.64s: %s", host, gai_strerror(rc));
        return -EIO;
    }
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) < 0 && errno == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            socklen_t len = sizeof(e);
            e = poll(&p, 1, (int)timeout_ms) == 1 &&
                        getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0
                    ? e
                    : ETIMEDOUT;
        } else {
            e = errno;
        }
        if (e == EISCONN)
            e = 0;
        if (e) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errlen, "cannot connect to %.64s:%s: %s", host, port,
                 strerror(e ? e : ECONNREFUSED));
    return fd < 0 ? -EIO : fd;
}

/* Waits for fd to be ready for events; false on timeout or error. */
static bool wait_fd(int fd, short events, unsigned timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = events};

    return poll(&p, 1, (int)timeout_ms) == 1;
}

static int send_all(int fd, const char *p, size_t n, unsigned timeout_ms)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_fd(fd, POLLOUT, timeout_ms))
                return -EIO;
            continue;
        }
        if (w <= 0)
            return -EIO;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, struct buf *in, unsigned timeout_ms)
{
    char chunk[16384];

    for (;;) {
        ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_fd(fd, POLLIN, timeout_ms))
                return -EIO;
            continue;
        }
        if (n < 0)
            return errno == ECONNRESET ? -ECONNRESET : -EIO;
        if (n == 0)
            return 0;
        if (in->len + (size_t)n > CLIENT_MAX_ANSWER)
            return -EPROTO;
        if (buf_append(in, chunk, (size_t)n) < 0)
            return -ENOMEM;
    }
}

/* Parses the head of the answer in in (status, Content-Type) and moves its body to ret. */
static int parse_answer(struct buf *in, struct client_response *ret)
{
    char *head_end = in->data ? strstr(in->data, "\r\n\r\n") : NULL;
    int status = 0;

    if (!head_end || sscanf(in->data, "HTTP/1.%*1[01] %3d", &status) != 1 || status < 100)
        return -EPROTO;
    *head_end = '\0';
    for (char *line = strstr(in->data, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, "Content-Type:", 13) == 0) {
            const char *v = line + 2 + 13 + strspn(line + 2 + 13, " ");
            snprintf(ret->content_type, sizeof(ret->content_type), "%.*s",
                     (int)strcspn(v, "\r"), v);
        }
    }
    ret->status = status;
    size_t off = (size_t)(head_end + 4 - in->data);
    return buf_append(&ret->body, in->data + off, in->len - off) < 0 ? -ENOMEM : 0;
}

int client_request(const char *base, const char *method, const char *path, const char *token,
                   const char *body, size_t len, unsigned timeout_ms, struct client_response *ret,
                   char *errbuf, size_t errlen)
{
    char host[256], port[8];
    struct buf out = {0}, in = {0};
    int r = parse_base(base, host, sizeof(host), port, sizeof(port), errbuf, errlen);

    memset(ret, 0, sizeof(*ret));
    if (r < 0)
        return r;
    int fd = connect_to(host, port, timeout_ms, errbuf, errlen);
    if (fd < 0)
        return fd;
    r = buf_printf(&out, "%s %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n", method, path,
                   host, port);
    if (r == 0 && token)
        r = buf_printf(&out, "X-Auth-Token: %s\r\n", token);
    if (r == 0 && body)
        r = buf_printf(&out, "Content-Type: application/json\r\nContent-Length: %zu\r\n", len);
    if (r == 0)
        r = buf_puts(&out, "\r\n");
    if (r == 0 && body && len)
        r = buf_append(&out, body, len);
    if (r == 0 && send_all(fd, out.data, out.len, timeout_ms) < 0) {
        snprintf(errbuf, errlen, "cannot send the request to %s: %s", base, strerror(errno));
        r = -EIO;
    }
    if (r == 0) {
        r = read_all(fd, &in, timeout_ms);
        if (r == -ECONNRESET && in.len == 0) {
            snprintf(errbuf, errlen, "%s closed the connection without an answer", base);
            r = -EIO;
        } else if (r == -ECONNRESET) {
            r = 0; /* the answer arrived; the reset came after it */
        } else if (r < 0 && r != -ENOMEM) {
            snprintf(errbuf, errlen, "no answer from %s within %u ms", base, timeout_ms);
            r = -EIO;
        }
    }
    if (r == 0 && (r = parse_answer(&in, ret)) == -EPROTO)
        snprintf(errbuf, errlen, "%s did not answer HTTP", base);
    close(fd);
    buf_free(&out);
    buf_free(&in);
    if (r < 0)
        buf_free(&ret->body);
    return r;
}
