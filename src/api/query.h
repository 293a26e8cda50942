/* api/query.h: decoding of the raw query string and of the parameters the lists share. */
#ifndef VPND_API_QUERY_H
#define VPND_API_QUERY_H

#include <stddef.h>

#include "service/svc.h"

/* Calls cb for each key=value pair of the raw query, both percent-decoded ('+' is a space), in
 * order. Pairs that do not fit in 256 bytes or decode badly are reported with value NULL.
 * Stops and returns cb's value when it is non-zero; returns 0 otherwise. */
int query_foreach(const char *raw, int (*cb)(void *ud, const char *key, const char *value),
                  void *ud);

/* A repeatable enterprise_project_id filter (spec §2.7: repeated keys). */
#define QUERY_MAX_EPS SVC_MAX_EPS
struct query_eps {
    char buf[QUERY_MAX_EPS][37]; /* a UUID or "0" */
    size_t n;
};

/* Adds one value; past QUERY_MAX_EPS writes "enterprise_project_id: must be given at most 16
 * times" into error and returns -1. */
int query_eps_add(struct query_eps *e, const char *value, char *error, size_t errlen);
/* The service's view of e (pointing into it). */
void query_eps_bind(const struct query_eps *e, struct svc_eps *out);

/* Parses a limit value: a decimal integer from 0 to max. On failure writes "limit: must be an
 * integer from 0 to <max>, got \"<value>\"" into error and returns -1. */
int query_limit(const char *value, long long max, long long *ret, char *error, size_t errlen);

#endif
