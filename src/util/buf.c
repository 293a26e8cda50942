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

int buf_json_str(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    int r = buf_append(b, "\"", 1);
    const char *run = s;

    for (const char *p = s; r == 0 && *p; p++) {
        unsigned char c = (unsigned char)*p;
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
