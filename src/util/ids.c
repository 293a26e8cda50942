/* util/ids.c: random identifiers and time stamps. */
#include "util/ids.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static int fill_random(void *p, size_t n)
{
    unsigned char *c = p;
    while (n > 0) {
        ssize_t got = getrandom(c, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -EIO;
        }
        c += got;
        n -= (size_t)got;
    }
    return 0;
}

static void to_hex(const unsigned char *in, size_t n, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
}

int ids_uuid4(char out[UUID_STR_LEN])
{
    unsigned char r[16];
    char h[32];

    if (fill_random(r, sizeof(r)) < 0)
        return -EIO;
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    to_hex(r, sizeof(r), h);
    snprintf(out, UUID_STR_LEN, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
    return 0;
}

int ids_hex(char *out, size_t n)
{
    unsigned char r[32];
    char h[64];

    if (n > sizeof(h) || fill_random(r, (n + 1) / 2) < 0)
        return -EIO;
    to_hex(r, (n + 1) / 2, h);
    memcpy(out, h, n);
    out[n] = '\0';
    return 0;
}

bool ids_is_uuid(const char *s)
{
    for (size_t i = 0; i < 36; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return s[36] == '\0';
}

int64_t ids_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t ids_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes v as n decimal digits (v < 10^n) at p. */
static void ts_digits(char *p, int v, int n)
{
    while (n-- > 0) {
        p[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

void ids_format_ts(int64_t ms, char out[TIMESTAMP_STR_LEN])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;

    gmtime_r(&secs, &tm);
    int year = tm.tm_year + 1900, msec = (int)(ms % 1000);
    if (year >= 0 && year <= 9999 && msec >= 0) { /* the digits by hand: printf costs ~3k instructions */
        memcpy(out, "0000-00-00T00:00:00.000Z", TIMESTAMP_STR_LEN);
        ts_digits(out, year, 4);
        ts_digits(out + 5, tm.tm_mon + 1, 2);
        ts_digits(out + 8, tm.tm_mday, 2);
        ts_digits(out + 11, tm.tm_hour, 2);
        ts_digits(out + 14, tm.tm_min, 2);
        ts_digits(out + 17, tm.tm_sec, 2);
        ts_digits(out + 20, msec, 3);
        return;
    }
    char tmp[96]; /* room for any int, so the compiler can prove no truncation */
    int n = snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, msec);
    size_t len = n > 0 && (size_t)n < TIMESTAMP_STR_LEN ? (size_t)n : TIMESTAMP_STR_LEN - 1;
    memcpy(out, tmp, len);
    out[len] = '\0';
}

int ids_parse_ts(const char *s, int64_t *ret_ms)
{
    struct tm tm = {0};
    int msec = 0, used = 0;

    if (strlen(s) != 24 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year, &tm.tm_mon,
                                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &msec, &used) != 7 ||
        used != 24)
        return -EINVAL;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return -EINVAL;
    *ret_ms = (int64_t)t * 1000 + msec;
    return 0;
}
