/* util/buf.c: growable byte buffer. */
#include "util/buf.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int buf_reserve(struct buf *b, size_t extra)
{
    size_t need;

    if (__builtin_add_overflow(b->len, extra, &need) || __builtin_add_overflow(need, 1, &need))
        return -ENOMEM;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (__builtin_mul_overflow(cap, 2, &cap))
            return -ENOMEM;
    }
    char *p = realloc(b->data, cap);
    if (!p)
        return -ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
    int r = buf_reserve(b, n);
    if (r < 0)
        return r;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_int(struct buf *b, int64_t v)
{
    char tmp[24], *p = tmp + sizeof(tmp);
    /* the magnitude as unsigned: INT64_MIN has no positive int64_t */
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    if (v < 0)
        *--p = '-';
    return buf_append(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return -EINVAL;
    int r = buf_reserve(b, (size_t)n);
    if (r < 0)
        return r;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), or 0 when the bytes there are not one. */
static size_t utf8_seq_len(const unsigned char *p)
{
    unsigned char c = p[0];

    if (c >= 0xc2 && c <= 0xdf)
        return (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80 ? 4
                                                                                           : 0;
    }
    return 0;
}

/* Bytes that are not UTF-8 (a raw request path echoed in an error message) become U+FFFD, one
 * per byte, so the document stays valid JSON; well-formed text is copied unchanged. */
int buf_json_str(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    int r = buf_append(b, "\"", 1);
    const char *run = s;

    for (const char *p = s; r == 0 && *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80) {
            size_t n = utf8_seq_len((const unsigned char *)p);
            if (n) {
                p += n - 1;
                continue;
            }
            r = buf_append(b, run, (size_t)(p - run));
            if (r == 0)
                r = buf_append(b, "\\ufffd", 6);
            run = p + 1;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        r = buf_append(b, run, (size_t)(p - run));
        if (r < 0)
            break;
        char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
        switch (c) {
        case '"': r = buf_append(b, "\\\"", 2); break;
        case '\\': r = buf_append(b, "\\\\", 2); break;
        case '\n': r = buf_append(b, "\\n", 2); break;
        case '\r': r = buf_append(b, "\\r", 2); break;
        case '\t': r = buf_append(b, "\\t", 2); break;
        default: r = buf_append(b, esc, 6); break;
        }
        run = p + 1;
    }
    if (r == 0)
        r = buf_puts(b, run);
    if (r == 0)
        r = buf_append(b, "\"", 1);
    return r;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *buf_steal(struct buf *b)
{
    char *p = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}
