/* http/chunked.c: a strict decoder of chunked request bodies (RFC 9112 §7.1).
 *
 * Ours rather than the parser's: Debian's libhttp-parser accepts a bare CR after the chunk
 * size and any two bytes after the chunk data in place of CRLF, and skips extensions of any
 * length. Here every framing line ends with CRLF, a chunk-size line (size and extensions) is
 * at most HTTP_CHUNK_LINE_MAX bytes, the trailer section at most max_trailer bytes (trailers
 * are read and dropped), and the sum of the chunks at most max_body. Resumable at any byte.
 */
#include <errno.h>
#include <stdio.h>

#include "http/http_int.h"

enum {
    CH_SIZE_START, /* first hex digit of a chunk size */
    CH_SIZE,       /* more digits, ';' or white space (extensions), or CR */
    CH_EXT,        /* extension bytes until CR */
    CH_SIZE_LF,    /* LF after the size line */
    CH_DATA,       /* chunk data */
    CH_DATA_CR,    /* CR after the data */
    CH_DATA_LF,    /* LF after the data */
    CH_TRAILER,    /* start of a trailer line, or CR of the final empty line */
    CH_TRAILER_LINE,
    CH_TRAILER_LF,
    CH_END_LF, /* LF of the final empty line */
    CH_DONE,
};

static int hex_value(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = (char)(ch | 0x20);
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

static ssize_t fail(char *msg, size_t msglen, const char *why)
{
    snprintf(msg, msglen, "chunked body: %s", why);
    return -EPROTO;
}

/* One framing byte (any state but CH_DATA). Returns 0, or -EPROTO/-EFBIG. */
static ssize_t framing_byte(struct http_chunked *st, char ch, size_t body_len, size_t max_body,
                            size_t max_trailer, char *msg, size_t msglen)
{
    bool ctl = ((unsigned char)ch < 0x20 && ch != '\t') || ch == 0x7f;
    int v;

    switch (st->state) {
    case CH_SIZE_START:
    case CH_SIZE:
        if (++st->line > HTTP_CHUNK_LINE_MAX)
            return fail(msg, msglen, "chunk-size line longer than 1024 bytes");
        v = hex_value(ch);
        if (v >= 0) {
            if (++st->digits > 16)
                return fail(msg, msglen, "chunk size has more than 16 hex digits");
            st->left = st->left << 4 | (uint64_t)v;
            if (st->left > max_body - body_len)
                return -EFBIG;
            st->state = CH_SIZE;
        } else if (st->state == CH_SIZE_START) {
            return fail(msg, msglen, "chunk size must be hexadecimal digits");
        } else if (ch == '\r') {
            st->state = CH_SIZE_LF;
        } else if (ch == ';' || ch == ' ' || ch == '\t') {
            st->state = CH_EXT;
        } else {
            return fail(msg, msglen, "chunk size must be hexadecimal digits");
        }
        return 0;
    case CH_EXT:
        if (++st->line > HTTP_CHUNK_LINE_MAX)
            return fail(msg, msglen, "chunk-size line longer than 1024 bytes");
        if (ch == '\r')
            st->state = CH_SIZE_LF;
        else if (ctl)
            return fail(msg, msglen, "chunk extension has a control byte");
        return 0;
    case CH_SIZE_LF:
        if (ch != '\n')
            return fail(msg, msglen, "chunk-size line must end with CRLF");
        st->line = 0;
        st->state = st->left ? CH_DATA : CH_TRAILER;
        return 0;
    case CH_DATA_CR:
    case CH_DATA_LF:
        if (ch != (st->state == CH_DATA_CR ? '\r' : '\n'))
            return fail(msg, msglen, "chunk data must be followed by CRLF");
        st->state = st->state == CH_DATA_CR ? CH_DATA_LF : CH_SIZE_START;
        st->digits = 0;
        return 0;
    default:
        break;
    }
    /* trailer section */
    if (++st->line > max_trailer)
        return fail(msg, msglen, "trailer section too large");
    switch (st->state) {
    case CH_TRAILER:
        st->state = ch == '\r' ? CH_END_LF : CH_TRAILER_LINE;
        return ctl && ch != '\r' ? fail(msg, msglen, "trailer has a control byte") : 0;
    case CH_TRAILER_LINE:
        if (ch == '\r')
            st->state = CH_TRAILER_LF;
        else if (ctl)
            return fail(msg, msglen, "trailer has a control byte");
        return 0;
    case CH_TRAILER_LF:
    case CH_END_LF:
        if (ch != '\n')
            return fail(msg, msglen, "trailer lines must end with CRLF");
        st->state = st->state == CH_END_LF ? CH_DONE : CH_TRAILER;
        return 0;
    default:
        return fail(msg, msglen, "data after the last chunk");
    }
}

ssize_t http_chunked_feed(struct http_chunked *st, const char *in, size_t len, struct buf *body,
                          size_t max_body, size_t max_trailer, bool *done, char *msg,
                          size_t msglen)
{
    size_t i = 0;

    *done = false;
    while (i < len && st->state != CH_DONE) {
        if (st->state == CH_DATA) {
            size_t n = len - i < st->left ? len - i : (size_t)st->left;
            if (buf_append(body, in + i, n) < 0)
                return -ENOMEM;
            i += n;
            st->left -= n;
            if (!st->left)
                st->state = CH_DATA_CR;
            continue;
        }
        ssize_t r = framing_byte(st, in[i], body->len, max_body, max_trailer, msg, msglen);
        if (r < 0)
            return r;
        i++;
    }
    *done = st->state == CH_DONE;
    return (ssize_t)i;
}
