/* model/jpatch.c: edits of one top-level member of a JSON object written by this model (the
 * internal form or the served document), done on the text: the status settle and the create
 * response change one member, and parsing and rendering the whole connection for that costs
 * more than the rest of the request. The scanner only skips what it does not need: it accepts
 * any text the writer produces (model_jw: no blanks, escaped strings) and refuses, with -ENOENT,
 * anything it cannot vouch for, so a caller can fall back to the full parse. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "model/model.h"
#include "util/jscan.h"

struct jmember {
    size_t key;   /* offset of the key's opening quote */
    size_t value; /* offset of the value's first byte */
    size_t end;   /* offset of the ',' or '}' after the value */
};

/* The top-level member key of the object json (NUL-terminated). 0, or -ENOENT when the key is
 * absent, present twice, or the text is not an object this scanner reads. */
static int find_member(const char *json, const char *key, struct jmember *m)
{
    size_t want = strlen(key);
    const char *p = jscan_ws(json);
    bool found = false;

    if (*p++ != '{')
        return -ENOENT;
    p = jscan_ws(p);
    if (*p == '}')
        return -ENOENT;
    for (;;) {
        const char *k = p, *v, *end;

        if (*p != '"' || !(p = jscan_string(p)))
            return -ENOENT;
        size_t klen = (size_t)(p - k) - 2;
        p = jscan_ws(p);
        if (*p++ != ':')
            return -ENOENT;
        v = jscan_ws(p);
        if (!(end = jscan_value(v)))
            return -ENOENT;
        if (klen == want && memcmp(k + 1, key, want) == 0) {
            if (found)
                return -ENOENT; /* twice: which one a reader takes is not ours to guess */
            found = true;
            *m = (struct jmember){(size_t)(k - json), (size_t)(v - json), (size_t)(end - json)};
        }
        p = end;
        if (*p == '}')
            break;
        if (*p++ != ',')
            return -ENOENT;
        p = jscan_ws(p);
    }
    return found && *jscan_ws(p + 1) == '\0' ? 0 : -ENOENT;
}

/* A value written as is between quotes: printable ASCII without '"' and '\\'. */
static bool plain(const char *s)
{
    for (; *s; s++) {
        if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
            return false;
    }
    return true;
}

int model_json_set_str(const char *json, const char *key, const char *value, struct buf *out)
{
    struct jmember m;
    int r = plain(value) ? find_member(json, key, &m) : -ENOENT;

    if (r < 0)
        return r;
    /* only a string value: its end is its closing quote, so nothing but blanks is replaced */
    if (json[m.value] != '"')
        return -ENOENT;
    buf_reset(out);
    if (buf_append(out, json, m.value + 1) < 0 || buf_puts(out, value) < 0 ||
        buf_append(out, "\"", 1) < 0 || buf_puts(out, jscan_string(json + m.value)) < 0)
        return -ENOMEM;
    return 0;
}

int model_json_drop_member(const char *json, const char *key, struct buf *out)
{
    struct jmember m;
    int r = find_member(json, key, &m);

    if (r < 0)
        return r;
    buf_reset(out);
    if (json[m.end] == ',') { /* "key":value, goes */
        const char *next = jscan_ws(json + m.end + 1);
        if (buf_append(out, json, m.key) < 0 || buf_puts(out, next) < 0)
            return -ENOMEM;
        return 0;
    }
    /* the last member: ,"key":value goes, or the only one leaves {} */
    size_t from = m.key;
    while (from > 0 && json[from - 1] != ',' && json[from - 1] != '{')
        from--;
    if (from > 0 && json[from - 1] == ',')
        from--;
    if (buf_append(out, json, from) < 0 || buf_puts(out, json + m.end) < 0)
        return -ENOMEM;
    return 0;
}
