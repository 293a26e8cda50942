/* util/jscan.h: skipping over JSON text without parsing it, for the few places that read or
 * edit one top-level member of a document this program wrote (model/jpatch.c,
 * store/sqlite/sq_json.c). Each returns NULL when the text ends first. */
#ifndef VPND_UTIL_JSCAN_H
#define VPND_UTIL_JSCAN_H

/* The first character after blanks (space, tab, CR, LF) at p. */
const char *jscan_ws(const char *p);
/* p at '"': the character after the closing quote (backslash escapes honoured). */
const char *jscan_string(const char *p);
/* p at the start of a member value: the ',' or '}' that ends it (blanks after the value are
 * part of the span; nested objects, arrays and strings are skipped whole). */
const char *jscan_value(const char *p);

#endif
