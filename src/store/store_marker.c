/* store/store_marker.c: page markers and page accounting for the marker-paged lists. */
#include "store/store_marker.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int store_marker_parse(const char *s, struct store_marker *ret)
{
    const char *bar;
    char ts[TIMESTAMP_STR_LEN], back[TIMESTAMP_STR_LEN];
    size_t n;

    ret->id[0] = '\0';
    ret->created_at = INT64_MAX;
    if (!s || !*s)
        return 0;
    bar = strchr(s, '|');
    n = bar ? (size_t)(bar - s) : strlen(s);
    if (n != TIMESTAMP_STR_LEN - 1)
        return -EINVAL;
    memcpy(ts, s, n);
    ts[n] = '\0';
    if (ids_parse_ts(ts, &ret->created_at) < 0)
        return -EINVAL;
    /* only what store_marker_format writes: "2022-13-40T..." normalises in timegm, refuse it */
    ids_format_ts(ret->created_at, back);
    if (strcmp(back, ts) != 0)
        return -EINVAL;
    if (!bar)
        return 0;
    n = strlen(bar + 1);
    if (n == 0 || n >= sizeof(ret->id))
        return -EINVAL;
    memcpy(ret->id, bar + 1, n + 1);
    return 0;
}

void store_marker_format(int64_t created_at, const char *id, bool tie, char out[STORE_MARKER_LEN])
{
    char ts[TIMESTAMP_STR_LEN];

    ids_format_ts(created_at, ts);
    if (tie)
        snprintf(out, STORE_MARKER_LEN, "%s|%s", ts, id);
    else
        snprintf(out, STORE_MARKER_LEN, "%s", ts);
}

int store_marker_passes(const char *marker, int64_t created_at, const char *id, bool *ret)
{
    struct store_marker m;
    int r = store_marker_parse(marker, &m);

    if (r < 0)
        return r;
    *ret = created_at < m.created_at || (created_at == m.created_at && strcmp(id, m.id) < 0);
    return 0;
}

void store_page_init(struct store_page *p, size_t limit)
{
    memset(p, 0, sizeof(*p));
    p->limit = limit;
}

int store_page_offer(struct store_page *p, int64_t created_at, const char *id)
{
    if (p->count == p->limit) {
        if (p->count > 0)
            store_marker_format(p->last_at, p->last_id, created_at == p->last_at, p->next_marker);
        return 1;
    }
    p->last_at = created_at;
    snprintf(p->last_id, sizeof(p->last_id), "%s", id);
    p->count++;
    return 0;
}
