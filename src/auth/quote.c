/* auth/quote.c: untrusted text quoted for error messages. */
#include <stdio.h>
#include <string.h>

#include "auth/auth_int.h"

void auth_quote(char *dst, size_t size, const char *s, size_t n)
{
    size_t o = 0, lim = n > AUTH_ECHO_MAX ? AUTH_ECHO_MAX : n;

    if (size < 8)
        return;
    dst[o++] = '"';
    for (size_t i = 0; i < lim && o + 8 < size; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            dst[o++] = '\\';
            dst[o++] = (char)ch;
        } else if (ch >= 0x20 && ch < 0x7f) {
            dst[o++] = (char)ch;
        } else {
            o += (size_t)snprintf(dst + o, size - o, "\\x%02x", ch);
        }
    }
    dst[o++] = '"';
    if (n > lim && o + 4 < size) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o] = '\0';
}

