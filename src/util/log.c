/* util/log.c: one line per event on stderr, with a UTC timestamp and level, as text or JSON. */
#include "util/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 2048
#define NUMBER_MAX_DIGITS 15 /* longer digit strings (ids) stay strings */

static enum log_level log_level = LOG_INFO;
static enum log_format log_format = LOG_FORMAT_TEXT;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
    log_level = level;
}

void log_set_format(enum log_format format)
{
    log_format = format;
}

bool log_enabled(enum log_level level)
{
    return level >= log_level;
}

static bool is_key_char(char c, bool first)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
        return true;
    return !first && ((c >= '0' && c <= '9') || c == '.' || c == '-');
}

/* Length of the "key" of a "key=" token at p, or 0 if p does not start one. */
static size_t key_len(const char *p)
{
    size_t n = 0;

    while (is_key_char(p[n], n == 0))
        n++;
    return n && p[n] == '=' ? n : 0;
}

static bool is_number(const char *p, size_t n)
{
    if (n == 0 || n > NUMBER_MAX_DIGITS || (n > 1 && p[0] == '0'))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
    }
    return true;
}

/* Appends p[0..n) as a JSON string (a copy: buf_json_str wants NUL-terminated text). */
static int json_span(struct buf *out, const char *p, size_t n)
{
    char tmp[LINE_MAX_BYTES];

    if (n >= sizeof(tmp))
        n = sizeof(tmp) - 1;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    return buf_json_str(out, tmp);
}

/* The pairs of msg as JSON members (",\"k\":v" each); the free text between them collected in
 * text (spaces joined). */
static int json_pairs(struct buf *out, const char *msg, struct buf *text)
{
    const char *p = msg;
    int r = 0;

    while (r == 0 && *p) {
        while (*p == ' ')
            p++;
        size_t k = key_len(p);
        if (!k) {
            size_t n = strcspn(p, " ");
            if (n)
                r = (text->len ? buf_append(text, " ", 1) : 0) | buf_append(text, p, n);
            p += n;
            continue;
        }
        const char *v = p + k + 1;
        size_t vn;
        bool quoted = *v == '"';
        if (quoted) {
            const char *end = strchr(v + 1, '"');
            vn = end ? (size_t)(end - v - 1) : strlen(v + 1);
            v++;
        } else {
            vn = strcspn(v, " ");
        }
        r = buf_append(out, ",", 1) | json_span(out, p, k) | buf_append(out, ":", 1);
        if (r == 0)
            r = !quoted && is_number(v, vn) ? buf_append(out, v, vn) : json_span(out, v, vn);
        p = v + vn + (quoted && v[vn] == '"');
    }
    return r ? -1 : 0;
}

int log_render(struct buf *out, enum log_format format, const char *stamp, enum log_level level,
               const char *msg)
{
    struct buf text = {0};
    int r;

    if (format == LOG_FORMAT_TEXT)
        return buf_printf(out, "%s level=%s %s", stamp, level_names[level], msg);
    r = buf_printf(out, "{\"time\":\"%s\",\"level\":\"%s\"", stamp, level_names[level]);
    size_t at = out->len; /* "msg" goes here, before the pairs, once the text is known */
    if (r == 0)
        r = json_pairs(out, msg, &text);
    if (r == 0 && text.len) {
        struct buf m = {0};
        r = buf_puts(&m, ",\"msg\":") | buf_json_str(&m, text.data) |
            buf_reserve(out, m.len);
        if (r == 0) {
            memmove(out->data + at + m.len, out->data + at, out->len - at);
            memcpy(out->data + at, m.data, m.len);
            out->len += m.len;
        }
        buf_free(&m);
    }
    buf_free(&text);
    if (r == 0)
        r = buf_append(out, "}", 1);
    return r ? -1 : 0;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    char stamp[64], date[32], line[LINE_MAX_BYTES];
    struct timespec ts;
    struct tm tm;
    struct buf out = {0};
    va_list ap;

    if (level < log_level)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(stamp, sizeof(stamp), "%s.%03dZ", date, (int)(ts.tv_nsec / 1000000) % 1000);
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    /* one write per line so lines from different threads or processes never interleave */
    if (log_format == LOG_FORMAT_JSON &&
        log_render(&out, LOG_FORMAT_JSON, stamp, level, line) == 0 &&
        buf_append(&out, "\n", 1) == 0) {
        ssize_t w = write(STDERR_FILENO, out.data, out.len);
        (void)w;
    } else {
        fprintf(stderr, "%s level=%s %s\n", stamp, level_names[level], line);
    }
    buf_free(&out);
}
