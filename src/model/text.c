/* model/text.c: character rules for names, tags, FQDN ids and pre-shared keys. */
#include "model/model_int.h"

#include <string.h>

const char MODEL_NAME_RULE[] = "must be 1 to 64 characters of letters, digits, _ - . or CJK";
const char MODEL_FQDN_RULE[] =
    "must be 1 to 128 printable ASCII characters without spaces or & < > [ ] \\ ?";
const char MODEL_PSK_RULE[] =
    "must be 8 to 128 characters with at least 3 of upper case, lower case, digits and special "
    "characters ~!@#$%^*()-_+={ },./:;";

static const char PSK_SPECIALS[] = "~!@#$%^*()-_+={ },./:;";

/* Decodes the UTF-8 character at s[*i] into *ret and advances *i. Returns false on malformed,
 * overlong or surrogate sequences. */
static bool utf8_next(const char *s, size_t *i, uint32_t *ret)
{
    const unsigned char *p = (const unsigned char *)s + *i;
    uint32_t cp;
    size_t n;

    if (p[0] < 0x80) {
        *ret = p[0];
        *i += 1;
        return true;
    }
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        cp = p[0] & 0x1fu;
        n = 2;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        cp = p[0] & 0x0fu;
        n = 3;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        cp = p[0] & 0x07u;
        n = 4;
    } else {
        return false;
    }
    for (size_t k = 1; k < n; k++) {
        if ((p[k] & 0xc0) != 0x80)
            return false; /* also stops at the NUL */
        cp = cp << 6 | (p[k] & 0x3fu);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return false;
    *ret = cp;
    *i += n;
    return true;
}

static bool is_alnum(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Counts the characters of s accepted by ok; false if one is rejected or s is not UTF-8. */
static bool count_chars(const char *s, bool (*ok)(uint32_t), size_t lo, size_t hi)
{
    size_t i = 0, n = 0;
    uint32_t c;

    while (s[i]) {
        if (!utf8_next(s, &i, &c) || !ok(c) || ++n > hi)
            return false;
    }
    return n >= lo;
}

static bool name_char(uint32_t c)
{
    return is_alnum(c) || c == '_' || c == '-' || c == '.' || (c >= 0x4e00 && c <= 0x9fa5);
}

/* Tags allow any non-ASCII letter (Spanish, Portuguese, CJK...); ASCII is limited. */
static bool tag_char(uint32_t c)
{
    return c >= 0x80 || is_alnum(c) || (c != '\0' && strchr(" _.:=+-@", (int)c) != NULL);
}

static bool fqdn_char(uint32_t c)
{
    return c > 0x20 && c < 0x7f && strchr("&<>[]\\?", (int)c) == NULL;
}

bool model_name_is_valid(const char *s)
{
    return count_chars(s, name_char, 1, 64);
}

bool model_tag_key_is_valid(const char *s)
{
    return count_chars(s, tag_char, 1, 128);
}

bool model_tag_value_is_valid(const char *s)
{
    return count_chars(s, tag_char, 0, 255);
}

bool model_fqdn_is_valid(const char *s)
{
    return count_chars(s, fqdn_char, 1, 128);
}

bool model_psk_is_valid(const char *s)
{
    bool upper = false, lower = false, digit = false, special = false;
    size_t n = 0;

    for (; s[n]; n++) {
        char c = s[n];
        if (c >= 'A' && c <= 'Z')
            upper = true;
        else if (c >= 'a' && c <= 'z')
            lower = true;
        else if (c >= '0' && c <= '9')
            digit = true;
        else if (strchr(PSK_SPECIALS, c))
            special = true;
        else
            return false;
    }
    return n >= 8 && n <= 128 && upper + lower + digit + special >= 3;
}
