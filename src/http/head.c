/* http/head.c: the request head (request line and header fields), parsed in place.
 *
 * The connection buffers the whole head before parsing it, so the checks libhttp-parser does
 * not make in Debian's (non-strict) build are made here on the complete bytes: every line ends
 * with CRLF (a bare LF or CR would be read otherwise by a proxy in front: request smuggling),
 * no obsolete line folding, header names are tokens, HTTP/1.1 carries exactly one Host, only
 * HTTP/1.0 and 1.1. The parser does the rest: methods, target characters, control bytes and
 * NUL in values, and Content-Length (digits only, below 2^64, one header). It is told to skip
 * the body: bodies are read by conn.c (chunked.c), which never hands it more than the head.
 */
#include <errno.h>
#include <http_parser.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/http_int.h"

ssize_t http_head_end(const char *in, size_t len, size_t *scan)
{
    size_t i = *scan;

    for (;;) {
        const char *lf = memchr(in + i, '\n', len - i);
        if (!lf)
            break;
        i = (size_t)(lf - in);
        if (i == 0 || in[i - 1] != '\r') {
            *scan = i;
            return -EPROTO;
        }
        if (i + 1 < len && in[i + 1] == '\n') {
            *scan = i + 1;
            return -EPROTO;
        }
        if (i + 2 >= len) {
            *scan = i; /* look at this line end again when more bytes are in */
            return 0;
        }
        if (in[i + 1] == '\r' && in[i + 2] == '\n')
            return (ssize_t)(i + 3);
        i++;
    }
    *scan = len;
    return 0;
}

struct head_ctx {
    char *base;
    struct http_head *h;
    uint32_t url_len;
    uint32_t name_len[HTTP_MAX_HEADERS], value_len[HTTP_MAX_HEADERS];
    bool in_value, too_many, complete;
    uint16_t major;
};

static uint32_t off(const struct head_ctx *x, const char *at)
{
    return (uint32_t)(at - x->base);
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    struct head_ctx *x = p->data;

    if (!x->url_len)
        x->h->target = off(x, at);
    x->url_len += (uint32_t)len;
    return 0;
}

static int on_field(http_parser *p, const char *at, size_t len)
{
    struct head_ctx *x = p->data;
    struct http_head *h = x->h;

    if (x->in_value || h->n_headers == 0) {
        if (h->n_headers == HTTP_MAX_HEADERS) {
            x->too_many = true;
            return -1;
        }
        h->headers[h->n_headers] = (struct http_header){off(x, at), UINT32_MAX};
        x->name_len[h->n_headers] = 0;
        x->value_len[h->n_headers] = 0;
        h->n_headers++;
        x->in_value = false;
    }
    x->name_len[h->n_headers - 1] += (uint32_t)len;
    return 0;
}

static int on_value(http_parser *p, const char *at, size_t len)
{
    struct head_ctx *x = p->data;

    if (x->h->n_headers == 0)
        return -1; /* a value before any name: the parser never does this */
    unsigned i = x->h->n_headers - 1;
    if (x->h->headers[i].value == UINT32_MAX)
        x->h->headers[i].value = off(x, at);
    x->value_len[i] += (uint32_t)len;
    x->in_value = true;
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    struct head_ctx *x = p->data;
    struct http_head *h = x->h;

    x->complete = true;
    x->major = p->http_major;
    h->minor = p->http_minor;
    h->method = http_method_str((enum http_method)p->method);
    h->chunked = (p->flags & F_CHUNKED) != 0;
    h->has_length = (p->flags & F_CONTENTLENGTH) != 0;
    h->length = h->has_length ? p->content_length : 0;
    h->keep_alive = http_should_keep_alive(p) != 0;
    return 1; /* no body: conn.c reads it */
}

static const http_parser_settings head_settings = {
    .on_url = on_url,
    .on_header_field = on_field,
    .on_header_value = on_value,
    .on_headers_complete = on_headers_complete,
};

/* Every CR must start a CRLF (http_head_end already refused bare LFs), and no line after the
 * request line may start with white space (obsolete folding). */
static int check_line_ends(const char *in, uint32_t end, char *msg, size_t msglen)
{
    for (const char *p = in, *stop = in + end; (p = memchr(p, '\r', (size_t)(stop - p)));
         p += 2) {
        if (p + 1 >= stop || p[1] != '\n') {
            snprintf(msg, msglen, "request line and header lines must end with CRLF, got a "
                                  "bare CR");
            return 400;
        }
        if (p + 2 < stop && (p[2] == ' ' || p[2] == '\t')) {
            snprintf(msg, msglen, "header lines must not be folded (obsolete line folding)");
            return 400;
        }
    }
    return 0;
}

static int parser_error(const http_parser *p, const struct head_ctx *x, char *msg, size_t msglen)
{
    switch (HTTP_PARSER_ERRNO(p)) {
    case HPE_CB_header_field:
        if (x->too_many) {
            snprintf(msg, msglen, "request has more than %d header fields", HTTP_MAX_HEADERS);
            return 431;
        }
        break;
    case HPE_INVALID_CONTENT_LENGTH:
        snprintf(msg, msglen, "Content-Length must be one decimal number below 2^64");
        return 400;
    case HPE_UNEXPECTED_CONTENT_LENGTH:
        snprintf(msg, msglen, p->uses_transfer_encoding
                                  ? "request has both Content-Length and Transfer-Encoding"
                                  : "request has more than one Content-Length or "
                                    "Transfer-Encoding");
        return 400;
    case HPE_INVALID_HEADER_TOKEN:
        snprintf(msg, msglen, "header field has a byte not allowed there (a control character, "
                              "NUL or DEL in a value, or a separator in a name)");
        return 400;
    case HPE_INVALID_METHOD:
        snprintf(msg, msglen, "request line: unknown or malformed method");
        return 400;
    case HPE_INVALID_URL:
    case HPE_INVALID_PATH:
    case HPE_INVALID_QUERY_STRING:
    case HPE_INVALID_FRAGMENT:
    case HPE_INVALID_HOST:
    case HPE_INVALID_PORT:
        snprintf(msg, msglen, "request line: malformed request-target");
        return 400;
    case HPE_INVALID_VERSION:
        snprintf(msg, msglen, "request line: malformed HTTP version");
        return 400;
    case HPE_HEADER_OVERFLOW:
        snprintf(msg, msglen, "request header is too large");
        return 431;
    default:
        break;
    }
    snprintf(msg, msglen, "malformed request: %s",
             http_errno_description(HTTP_PARSER_ERRNO(p)));
    return 400;
}

static bool is_token(const char *s)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";

    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (!((ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') ||
              (ch && strchr(extra, ch))))
            return false;
    }
    return true;
}

/* NUL-terminates names and values in place (the byte after each is ':' or CR) and trims the
 * value's trailing white space; a header without value gets the empty string after its name. */
static void terminate(char *in, struct head_ctx *x)
{
    struct http_head *h = x->h;

    in[h->target + x->url_len] = '\0';
    char *q = memchr(in + h->target, '?', x->url_len);
    h->query = q ? (uint32_t)(q - in + 1) : h->target + x->url_len;
    if (q)
        *q = '\0';
    for (unsigned i = 0; i < h->n_headers; i++) {
        struct http_header *hd = &h->headers[i];
        uint32_t vlen = x->value_len[i];

        in[hd->name + x->name_len[i]] = '\0';
        if (hd->value == UINT32_MAX) {
            hd->value = hd->name + x->name_len[i];
            continue;
        }
        while (vlen > 0 && (in[hd->value + vlen - 1] == ' ' || in[hd->value + vlen - 1] == '\t'))
            vlen--;
        in[hd->value + vlen] = '\0';
    }
}

/* Host, Transfer-Encoding, Expect and header names, once the parser accepted the head. */
static int check_headers(const char *in, struct http_head *h, char *msg, size_t msglen)
{
    unsigned n_host = 0, n_te = 0;
    const char *te = NULL;

    for (unsigned i = 0; i < h->n_headers; i++) {
        const char *name = in + h->headers[i].name, *value = in + h->headers[i].value;

        if (!is_token(name)) {
            snprintf(msg, msglen, "header name must be a token, got \"%.32s\"", name);
            return 400;
        }
        if (!strcasecmp(name, "Host")) {
            n_host++;
        } else if (!strcasecmp(name, "Transfer-Encoding")) {
            n_te++;
            te = value;
        } else if (!strcasecmp(name, "Expect") && !strcasecmp(value, "100-continue")) {
            h->expect_continue = h->minor >= 1;
        }
    }
    if (h->minor >= 1 && n_host != 1) {
        snprintf(msg, msglen, "an HTTP/1.1 request must have exactly one Host header, got %u",
                 n_host);
        return 400;
    }
    if (n_te > 1) {
        snprintf(msg, msglen, "request has more than one Content-Length or Transfer-Encoding");
        return 400;
    }
    if (te && (strcasecmp(te, "chunked") || !h->chunked)) {
        snprintf(msg, msglen, "Transfer-Encoding must be chunked");
        return 501;
    }
    return 0;
}

int http_head_parse(char *in, uint32_t end, struct http_head *h, char *msg, size_t msglen)
{
    struct head_ctx x = {.base = in, .h = h};
    http_parser p;
    int status;

    memset(h, 0, offsetof(struct http_head, headers));
    h->n_headers = 0;
    h->end = end;
    status = check_line_ends(in, end, msg, msglen);
    if (status)
        return status;
    http_parser_init(&p, HTTP_REQUEST);
    p.data = &x;
    (void)http_parser_execute(&p, &head_settings, in, end);
    if (HTTP_PARSER_ERRNO(&p) != HPE_OK)
        return parser_error(&p, &x, msg, msglen);
    if (!x.complete || !x.url_len) {
        snprintf(msg, msglen, "malformed request: no request line");
        return 400;
    }
    terminate(in, &x);
    h->method_len = (uint32_t)strlen(h->method);
    if (x.major != 1 || h->minor > 1) {
        snprintf(msg, msglen, "HTTP version must be 1.0 or 1.1, got %u.%u", x.major, h->minor);
        return 505;
    }
    if (in[h->target] != '/') {
        snprintf(msg, msglen, "request-target must start with '/'");
        return 400;
    }
    return check_headers(in, h, msg, msglen);
}
