/* util/log.c: one line per event on stderr, with a UTC timestamp and level, as text or JSON. */
#include "util/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 2048
#define NUMBER_MAX_DIGITS 15 /* longer digit strings (ids) stay strings */
#define LOG_HOLD_BYTES 65536

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
            if (n && text->len)
                r = buf_append(text, " ", 1);
            if (n && r == 0)
                r = buf_append(text, p, n);
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
        /* in this order: || sequences the appends, | would not */
        r = buf_append(out, ",", 1) < 0 || json_span(out, p, k) < 0 ||
            buf_append(out, ":", 1) < 0;
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
        r = buf_puts(&m, ",\"msg\":") < 0 || buf_json_str(&m, text.data) < 0 ||
            buf_reserve(out, m.len) < 0;
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

/* Lines held while a batch of work runs (log_hold), written with one write() at its end; the
 * date part of the time stamp, formatted once a second. The log's own state, like its level. */
static struct {
    bool on;
    size_t len;
    char buf[LOG_HOLD_BYTES];
    time_t date_s;
    char date[32];
} held;

static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* nowhere to say it */
        p += w;
        n -= (size_t)w;
    }
}

static void flush_held(void)
{
    write_all(held.buf, held.len);
    held.len = 0;
}

/* Writes whole lines: held, or at once (each line in one write, so lines of different processes
 * sharing the stream never interleave). */
static void emit(const char *p, size_t n)
{
    if (held.on && n <= sizeof(held.buf)) {
        if (held.len + n > sizeof(held.buf))
            flush_held();
        memcpy(held.buf + held.len, p, n);
        held.len += n;
        return;
    }
    write_all(p, n);
}

void log_hold(bool on)
{
    if (!on)
        flush_held();
    held.on = on;
}

/* "2025-01-02T03:04:05.678Z" into out (at least 32 bytes); returns its length. */
static size_t stamp_now(char *out)
{
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != held.date_s || !held.date[0]) {
        held.date_s = ts.tv_sec;
        gmtime_r(&ts.tv_sec, &tm);
        strftime(held.date, sizeof(held.date), "%Y-%m-%dT%H:%M:%S", &tm);
    }
    return (size_t)snprintf(out, 32, "%.19s.%03dZ", held.date,
                            (int)(ts.tv_nsec / 1000000) % 1000);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    char line[LINE_MAX_BYTES + 64];
    size_t n;
    va_list ap;

    if (level < log_level)
        return;
    n = stamp_now(line);
    if (log_format == LOG_FORMAT_JSON) {
        char stamp[32], msg[LINE_MAX_BYTES];
        struct buf out = {0};
        memcpy(stamp, line, n + 1);
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (log_render(&out, LOG_FORMAT_JSON, stamp, level, msg) == 0 &&
            buf_append(&out, "\n", 1) == 0) {
            emit(out.data, out.len);
            buf_free(&out);
            return;
        }
        buf_free(&out); /* out of memory: the text line instead */
    }
    n += (size_t)snprintf(line + n, sizeof(line) - n, " level=%s ", level_names[level]);
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
    va_end(ap);
    n += m < 0 ? 0 : (size_t)m < sizeof(line) - n - 1 ? (size_t)m : sizeof(line) - n - 2;
    line[n++] = '\n';
    emit(line, n);
}
