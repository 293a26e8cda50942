/* util/jscan.c: skipping over JSON text (util/jscan.h). */
#include "util/jscan.h"

#include <string.h>

const char *jscan_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

const char *jscan_string(const char *p)
{
    for (p++;;) {
        p += strcspn(p, "\"\\");
        if (*p == '"')
            return p + 1;
        if (*p == '\0' || *++p == '\0') /* a backslash escapes the next character */
            return NULL;
        p++;
    }
}

const char *jscan_value(const char *p)
{
    int depth = 0;

    for (;;) {
        p += strcspn(p, "\"{}[],");
        switch (*p) {
        case '\0':
            return NULL;
        case '"':
            if (!(p = jscan_string(p)))
                return NULL;
            continue;
        case '{':
        case '[':
            depth++;
            break;
        case '}':
        case ']':
            if (depth == 0)
                return p;
            depth--;
            break;
        default: /* ',' */
            if (depth == 0)
                return p;
        }
        p++;
    }
}
