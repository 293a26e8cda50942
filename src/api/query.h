/* api/query.h: decoding of the raw query string. */
#ifndef VPND_API_QUERY_H
#define VPND_API_QUERY_H

#include <stddef.h>

/* Calls cb for each key=value pair of the raw query, both percent-decoded ('+' is a space), in
 * order. Pairs that do not fit in 256 bytes or decode badly are reported with value NULL.
 * Stops and returns cb's value when it is non-zero; returns 0 otherwise. */
int query_foreach(const char *raw, int (*cb)(void *ud, const char *key, const char *value),
                  void *ud);

#endif
