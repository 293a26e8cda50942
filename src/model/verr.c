/* model/verr.c: refusal text (struct verr): "path: rule with limits, got value" (STYLE.md). */
#include "model/model_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Length of the longest prefix of s[0..len) that does not end inside a UTF-8 sequence. */
static size_t utf8_floor(const char *s, size_t len)
{
    size_t i = len;

    while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
        i--;
    if (i == 0)
        return len; /* no lead byte: not UTF-8, cut anywhere */
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    return len - (i - 1) >= need ? len : i - 1;
}

/* Formats e->msg ("<path>: " first unless path is NULL); a message longer than the buffer is cut
 * on a UTF-8 boundary. */
static void verr_vset(struct verr *e, enum verr_code code, const char *path, const char *fmt,
                      va_list ap) __attribute__((format(printf, 4, 0)));
static void verr_vset(struct verr *e, enum verr_code code, const char *path, const char *fmt,
                      va_list ap)
{
    int n = path ? snprintf(e->msg, sizeof(e->msg), "%s: ", path) : 0;

    if (n >= 0 && (size_t)n < sizeof(e->msg))
        vsnprintf(e->msg + n, sizeof(e->msg) - (size_t)n, fmt, ap);
    size_t len = strlen(e->msg);
    if (len == sizeof(e->msg) - 1)
        e->msg[utf8_floor(e->msg, len)] = '\0';
    e->code = code;
}

int verr_set(struct verr *e, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr_vset(e, VERR_INVALID, path, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

int verr_fail(struct verr *e, enum verr_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr_vset(e, code, NULL, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

int verr_set_code(struct verr *e, enum verr_code code, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr_vset(e, code, path, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* The two-character JSON escape of c, or NULL. */
static const char *short_escape(unsigned char c)
{
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        return NULL;
    }
}

/* Quotes and escapes s[0..len), cut at MODEL_ECHO_CUT bytes; "..." marks a cut. */
void model_echo(char out[MODEL_ECHO_LEN], const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = len > MODEL_ECHO_CUT ? utf8_floor(s, MODEL_ECHO_CUT) : len;
    size_t o = 0;

    out[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = short_escape(c);
        if (esc) {
            memcpy(out + o, esc, 2);
            o += 2;
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(out + o, "\\u00", 4);
            out[o + 4] = hex[c >> 4];
            out[o + 5] = hex[c & 15];
            o += 6;
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    if (n < len) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

/* The JSON type name used after "got" when a value has the wrong type. */
const char *model_json_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        return "null";
    }
    return "value";
}
