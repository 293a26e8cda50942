/* api/list_page.c: the shared parts of the marker-paged lists (spec §1.6). */
#include "api/list_page.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/errors.h"

int api_list_limit(const char *value, long long max, long long *ret, char *error, size_t errlen)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(value, &end, 10);
    if (!*value || *end || errno || v < 0 || v > max || (*value < '0' || *value > '9')) {
        snprintf(error, errlen, "limit: must be an integer from 0 to %lld, got \"%.32s\"", max,
                 value);
        return -EINVAL;
    }
    *ret = v;
    return 0;
}

int api_list_bad_marker(const struct http_request *req, struct http_response *resp,
                        const char *marker)
{
    return api_fail(req, resp, &API_ERR_INVALID,
                    "invalid request: marker: must be a next_marker from a previous page, got "
                    "\"%.64s\"",
                    marker);
}

int api_list_tail(struct buf *b, const char *next_marker, size_t count, int64_t total,
                  const char *request_id)
{
    int r = buf_puts(b, "],\"page_info\":{");

    if (r == 0 && next_marker[0])
        r = buf_printf(b, "\"next_marker\":\"%s\",", next_marker);
    if (r == 0)
        r = buf_printf(b, "\"current_count\":%zu},\"total_count\":%lld,\"request_id\":\"%s\"}",
                       count, (long long)total, request_id);
    return r;
}
