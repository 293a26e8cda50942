/* util/buf.h: a growable byte buffer, always NUL-terminated after its len bytes. */
#ifndef VPND_UTIL_BUF_H
#define VPND_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "util/macro.h"

struct buf {
    char *data; /* NULL until the first append; owned */
    size_t len;
    size_t cap;
};

/* Each returns 0 or -ENOMEM; on -ENOMEM the buffer keeps its previous content. */
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_int(struct buf *b, int64_t v); /* decimal, as printf's %" PRId64 " */
int buf_printf(struct buf *b, const char *fmt, ...) _printf_(2, 3);
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) _printf_(2, 0);
/* Appends s as a JSON string literal, quotes included: well-formed UTF-8 passed through,
 * controls escaped, each byte that is not part of well-formed UTF-8 written as \ufffd. */
int buf_json_str(struct buf *b, const char *s);
void buf_reset(struct buf *b);      /* len = 0, memory kept */
void buf_free(struct buf *b);       /* frees data; b is reusable afterwards */
char *buf_steal(struct buf *b);     /* returns data (caller frees), leaves b empty */

#endif
