/* api/list_page.h: what the marker-paged lists share (spec §1.6): the limit parameter, the
 * marker error, and the page_info / total_count tail of the body. */
#ifndef VPND_API_LIST_PAGE_H
#define VPND_API_LIST_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "util/buf.h"

/* Parses a limit query value: a decimal integer from 0 to max. On failure writes
 * "limit: must be an integer from 0 to <max>, got \"<value>\"" into error and returns -EINVAL. */
int api_list_limit(const char *value, long long max, long long *ret, char *error, size_t errlen);

/* Answers 400 VPN.0001 for a marker the store refused (-EINVAL). Returns 0. */
int api_list_bad_marker(const struct http_request *req, struct http_response *resp,
                        const char *marker);

/* Appends `],"page_info":{["next_marker":"…",]"current_count":N},"total_count":T,
 * "request_id":"…"}` (next_marker omitted on the last page). Returns 0 or -ENOMEM. */
int api_list_tail(struct buf *b, const char *next_marker, size_t count, int64_t total,
                  const char *request_id);

#endif
