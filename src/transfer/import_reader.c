/* transfer/import_reader.c: splits the import input into records without parsing them: either a
 * sequence of JSON objects (JSON lines) or one JSON array of objects. Only strings, escapes and
 * nesting are tracked; each record is then parsed on its own, so a bad one names its line. */
#include "transfer/import_reader.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define READER_CHUNK (1u << 20)
#define READER_MAX_RECORD (1u << 20) /* the API's default --max-body */

void import_reader_init(struct import_reader *r, FILE *in)
{
    memset(r, 0, sizeof(*r));
    r->in = in;
    r->line = 1;
}

void import_reader_done(struct import_reader *r)
{
    buf_free(&r->b);
}

/* Makes sure byte pos is in the buffer, reading more (after dropping consumed bytes before
 * keep). Returns 1, 0 at end of input, or -EIO. */
static int reader_fill(struct import_reader *r, size_t *pos, size_t *keep)
{
    while (*pos >= r->b.len) {
        if (r->eof)
            return 0;
        if (*keep > 0) {
            memmove(r->b.data, r->b.data + *keep, r->b.len - *keep);
            r->b.len -= *keep;
            *pos -= *keep;
            *keep = 0;
        }
        if (buf_reserve(&r->b, READER_CHUNK) < 0)
            return -ENOMEM;
        size_t n = fread(r->b.data + r->b.len, 1, READER_CHUNK, r->in);
        r->b.len += n;
        r->b.data[r->b.len] = '\0';
        r->bytes += (long long)n;
        if (n < READER_CHUNK) {
            if (ferror(r->in))
                return -EIO;
            r->eof = true;
        }
    }
    return 1;
}

/* Skips white space from r->pos, counting lines. Returns 1 at a character, 0 at the end. */
static int reader_skip_ws(struct import_reader *r)
{
    for (;;) {
        size_t keep = r->pos;
        int f = reader_fill(r, &r->pos, &keep);
        if (f <= 0)
            return f;
        char c = r->b.data[r->pos];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            return 1;
        if (c == '\n')
            r->line++;
        r->pos++;
    }
}

/* Scans one object starting at r->pos ('{'). The bytes already in the buffer are scanned in
 * one inner loop; the buffer is refilled only when they run out. */
static int reader_object(struct import_reader *r, struct import_record *ret)
{
    size_t start = r->pos, pos = r->pos;
    unsigned depth = 0;
    bool in_str = false, esc = false, done = false;

    ret->line = r->line;
    while (!done) {
        int f = reader_fill(r, &pos, &start);
        if (f < 0)
            return f;
        if (f == 0) {
            snprintf(r->error, sizeof(r->error),
                     "record is not valid JSON: the input ends inside this record");
            return -EINVAL;
        }
        const char *d = r->b.data;
        size_t end = r->b.len, max = start + READER_MAX_RECORD;
        if (end > max)
            end = max;
        if (pos >= end) {
            snprintf(r->error, sizeof(r->error), "record: must be at most %u bytes",
                     READER_MAX_RECORD);
            return -EINVAL;
        }
        while (pos < end) {
            char c = d[pos++];
            if (c == '\n')
                r->line++;
            if (in_str) {
                if (esc)
                    esc = false;
                else if (c == '\\')
                    esc = true;
                else if (c == '"')
                    in_str = false;
                continue;
            }
            if (c == '"') {
                in_str = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                done = true;
                break;
            }
        }
    }
    ret->text = r->b.data + start;
    ret->len = pos - start;
    r->pos = pos;
    return 1;
}

static int reader_not_object(struct import_reader *r)
{
    char c = r->b.data[r->pos];

    snprintf(r->error, sizeof(r->error), "record: must be a JSON object, got '%c'",
             c >= 0x20 && c < 0x7f ? c : '?');
    return -EINVAL;
}

int import_reader_next(struct import_reader *r, struct import_record *ret)
{
    /* the previous record's text may be dropped now */
    int f = reader_skip_ws(r);

    if (f < 0)
        return f;
    if (r->state == READER_START) {
        if (f == 0)
            return 0;
        r->state = READER_LINES;
        if (r->b.data[r->pos] == '[') {
            r->state = READER_ARRAY_FIRST;
            r->pos++;
            if ((f = reader_skip_ws(r)) < 0)
                return f;
        }
    }
    if (r->state == READER_ARRAY_FIRST || r->state == READER_ARRAY_NEXT) {
        if (f == 0) {
            snprintf(r->error, sizeof(r->error), "record is not valid JSON: the array is not "
                                                 "closed with ]");
            return -EINVAL;
        }
        char c = r->b.data[r->pos];
        if (c == ']') {
            r->pos++;
            r->state = READER_END;
            if ((f = reader_skip_ws(r)) < 0)
                return f;
            if (f == 0)
                return 0;
            snprintf(r->error, sizeof(r->error), "input: nothing may follow the array's ]");
            return -EINVAL;
        }
        if (r->state == READER_ARRAY_NEXT) {
            if (c != ',') {
                snprintf(r->error, sizeof(r->error),
                         "record is not valid JSON: expected , or ] between records");
                return -EINVAL;
            }
            r->pos++;
            if ((f = reader_skip_ws(r)) < 0)
                return f;
            if (f == 0)
                return import_reader_next(r, ret);
        }
        r->state = READER_ARRAY_NEXT;
    } else if (f == 0) {
        return 0;
    }
    if (r->b.data[r->pos] != '{')
        return reader_not_object(r);
    return reader_object(r, ret);
}
