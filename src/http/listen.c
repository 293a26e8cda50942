/* http/listen.c: the listening socket. We open it ourselves (and hand it to MHD) to parse
 * "ADDR:PORT" and "[ADDR]:PORT", set SO_REUSEADDR / IPV6_V6ONLY, report bind errors by name and
 * read back the real port when 0 was asked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http_int.h"

static int parse_port(const char *s, in_port_t *ret)
{
    char *end;
    unsigned long v;

    if (*s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || v > 65535)
        return -EINVAL;
    *ret = htons((in_port_t)v);
    return 0;
}

/* Fills ss from "A.B.C.D:PORT" or "[V6]:PORT"; numeric addresses only. */
static int parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *ret_len)
{
    char host[INET6_ADDRSTRLEN];
    const char *start = spec, *end, *port;
    bool v6 = spec[0] == '[';

    if (v6) {
        start = spec + 1;
        end = strchr(start, ']');
        if (!end || end[1] != ':')
            return -EINVAL;
        port = end + 2;
    } else {
        end = strrchr(spec, ':');
        if (!end)
            return -EINVAL;
        port = end + 1;
    }
    size_t hlen = (size_t)(end - start);
    if (hlen == 0 || hlen >= sizeof(host))
        return -EINVAL;
    memcpy(host, start, hlen);
    host[hlen] = '\0';

    memset(ss, 0, sizeof(*ss));
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        *ret_len = sizeof(*a);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
            return -EINVAL;
        return parse_port(port, &a->sin6_port);
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    *ret_len = sizeof(*a);
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
        return -EINVAL;
    return parse_port(port, &a->sin_port);
}

static void format_addr(const struct sockaddr_storage *ss, char *out, size_t outlen)
{
    char host[INET6_ADDRSTRLEN] = "?";

    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
        snprintf(out, outlen, "[%s]:%u", host, (unsigned)ntohs(a->sin6_port));
        return;
    }
    const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
    inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    snprintf(out, outlen, "%s:%u", host, (unsigned)ntohs(a->sin_port));
}

static int bind_errno(int e)
{
    switch (e) {
    case EADDRINUSE:
        return -EADDRINUSE;
    case EACCES:
    case EPERM:
        return -EACCES;
    case EADDRNOTAVAIL:
        return -EINVAL;
    default:
        return -EIO;
    }
}

int http_listen_open(const char *spec, int *ret_fd, char *ret_addr, size_t addrlen, char *errbuf,
                     size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    const int one = 1;
    int fd, r;

    if (parse_listen(spec, &ss, &sslen) < 0) {
        snprintf(errbuf, errlen, "listen: must be IPV4:PORT or [IPV6]:PORT, got \"%.64s\"", spec);
        return -EINVAL;
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        r = errno;
        snprintf(errbuf, errlen, "cannot listen on %s: %s", spec, strerror(r));
        return r == EAFNOSUPPORT ? -EINVAL : -EIO;
    }
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (ss.ss_family == AF_INET6)
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&ss, sslen) < 0 || listen(fd, SOMAXCONN) < 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0) {
        r = errno;
        close(fd);
        snprintf(errbuf, errlen, "cannot listen on %s: %s", spec, strerror(r));
        return bind_errno(r);
    }
    format_addr(&ss, ret_addr, addrlen);
    *ret_fd = fd;
    return 0;
}
