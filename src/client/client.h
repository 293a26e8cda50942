/* client/client.h: a minimal blocking HTTP/1.1 client, for `vpnd control` (the control surface
 * from the command line): one request on a fresh connection, "Connection: close", the whole
 * answer read back. Plain http:// only; no redirects, no chunked bodies (vpnd sends neither). */
#ifndef VPND_CLIENT_H
#define VPND_CLIENT_H

#include <stddef.h>

#include "util/buf.h"

struct client_response {
    int status;
    char content_type[64]; /* "" when none */
    struct buf body;       /* owned: buf_free */
};

/* Sends method path (with query) to base ("http://HOST:PORT", HOST an IPv4 or IPv6 address in
 * brackets or a name), with an X-Auth-Token header when token is not NULL and body[0..len)
 * (body NULL: none) as JSON, and reads the answer into *ret (initialised here). timeout_ms
 * bounds the connect and each wait for the answer. Returns 0; -EINVAL (a URL it cannot use:
 * errbuf says why), -EIO (cannot connect, send or read: errbuf says why), -EPROTO (not an HTTP
 * answer) or -ENOMEM. */
int client_request(const char *base, const char *method, const char *path, const char *token,
                   const char *body, size_t len, unsigned timeout_ms, struct client_response *ret,
                   char *errbuf, size_t errlen);

#endif
