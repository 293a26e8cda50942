/* store/sqlite/sq_json.c: top-level members of a stored spec, found without parsing it, so a
 * write that changes neither "name" nor "tags" can skip the tag index sync (sq_lifecycle.c). */
#include <stdbool.h>
#include <string.h>

#include "store/sqlite/sq_internal.h"

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* p at '"': returns the character after the closing quote, NULL if unterminated. */
static const char *skip_string(const char *p)
{
    for (p++; *p; p++) {
        if (*p == '\\') {
            if (!*++p)
                return NULL;
        } else if (*p == '"') {
            return p + 1;
        }
    }
    return NULL;
}

/* p at the start of a member value: returns the ',' or '}' that ends it (trailing blanks are
 * part of the span), NULL if the text ends first. */
static const char *skip_value(const char *p)
{
    int depth = 0;

    while (*p) {
        if (*p == '"') {
            if (!(p = skip_string(p)))
                return NULL;
            continue;
        }
        if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (depth == 0)
                return p;
            depth--;
        } else if (*p == ',' && depth == 0) {
            return p;
        }
        p++;
    }
    return NULL;
}

int store_sqlite_member(const char *json, const char *key, const char **val, size_t *len)
{
    size_t klen = strlen(key);
    const char *p = skip_ws(json);
    int found = 0;

    if (*p++ != '{')
        return -1;
    p = skip_ws(p);
    if (*p == '}')
        return 0;
    for (;;) {
        const char *k = p, *v, *end;
        bool match;

        if (*p != '"' || !(p = skip_string(p)))
            return -1;
        match = (size_t)(p - k) == klen + 2 && memcmp(k + 1, key, klen) == 0;
        p = skip_ws(p);
        if (*p++ != ':')
            return -1;
        v = skip_ws(p);
        if (!(end = skip_value(v)))
            return -1;
        if (match) {
            if (found)
                return -1;
            found = 1;
            *val = v;
            *len = (size_t)(end - v);
        }
        p = end;
        if (*p == '}')
            return found;
        if (*p++ != ',')
            return -1;
        p = skip_ws(p);
    }
}

bool store_sqlite_same_members(const char *a, const char *b, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *va = NULL, *vb = NULL;
        size_t la = 0, lb = 0;
        int ra = store_sqlite_member(a, keys[i], &va, &la);
        int rb = store_sqlite_member(b, keys[i], &vb, &lb);

        if (ra < 0 || rb < 0 || ra != rb || la != lb || (ra && memcmp(va, vb, la) != 0))
            return false;
    }
    return true;
}
