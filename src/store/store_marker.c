/* store/store_marker.c: the connection list's page marker (see store_marker.h). */
#include "store/store_marker.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int store_marker_parse(const char *s, struct store_marker *ret)
{
    const char *bar;
    char ts[TIMESTAMP_STR_LEN];
    size_t n;

    ret->id[0] = '\0';
    if (!s || !*s) {
        ret->created_at = INT64_MAX;
        return 0;
    }
    bar = strchr(s, '|');
    n = bar ? (size_t)(bar - s) : strlen(s);
    if (n != TIMESTAMP_STR_LEN - 1)
        return -EINVAL;
    memcpy(ts, s, n);
    ts[n] = '\0';
    if (ids_parse_ts(ts, &ret->created_at) < 0)
        return -EINVAL;
    if (!bar)
        return 0;
    n = strlen(bar + 1);
    if (n == 0 || n >= sizeof(ret->id))
        return -EINVAL;
    memcpy(ret->id, bar + 1, n + 1);
    return 0;
}

void store_marker_format(int64_t created_at, const char *id, char out[STORE_MARKER_LEN])
{
    char ts[TIMESTAMP_STR_LEN];

    ids_format_ts(created_at, ts);
    if (id)
        snprintf(out, STORE_MARKER_LEN, "%s|%s", ts, id);
    else
        snprintf(out, STORE_MARKER_LEN, "%s", ts);
}
