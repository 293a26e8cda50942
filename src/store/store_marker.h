/* store/store_marker.h: the page marker of the newest-first lists (store.h STORE_MARKER_LEN),
 * shared by every backend and every marker-paged list (connections, customer gateways).
 * Private to src/store/.
 *
 * A marker is the created_at of the last item sent ("yyyy-MM-ddTHH:mm:ss.SSSZ", spec §1.6); the
 * next page holds the rows strictly below it in (created_at DESC, id DESC) order. When the next
 * row has the very same created_at, a created_at alone would skip it, so the marker then carries
 * the last id too ("<created_at>|<id>"), and the next page holds the rows below
 * (created_at, id). A backend serves both with one comparison: (created_at, id) < (ts, id-or-"").
 */
#ifndef VPND_STORE_MARKER_H
#define VPND_STORE_MARKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/ids.h"

struct store_marker {
    int64_t created_at;    /* INT64_MAX on the first page */
    char id[UUID_STR_LEN]; /* "" = every id at created_at is already sent */
};

/* Parses a marker written by store_marker_format; NULL or "" is the first page. Returns 0 or
 * -EINVAL (malformed). *ret is written in both cases. */
int store_marker_parse(const char *s, struct store_marker *ret);

/* Writes the marker that follows an item (created_at, id); tie says whether the next item has
 * the same created_at (then the id is carried). */
void store_marker_format(int64_t created_at, const char *id, bool tie,
                         char out[STORE_MARKER_LEN]);

/* Accounts for one page read in list order with one row more than limit fetched (to know
 * whether a next page exists): the backend offers each row it reads, in order, and stops when
 * store_page_offer returns 1. */
struct store_page {
    size_t limit;
    size_t count; /* items taken so far */
    int64_t last_at;
    char last_id[UUID_STR_LEN];
    char next_marker[STORE_MARKER_LEN]; /* "" until a row beyond the page is seen */
};

void store_page_init(struct store_page *p, size_t limit);
/* Offers the next row of the page: returns 0 if the row belongs to the page (the caller emits
 * it), 1 if the page is already full (the caller stops; next_marker is now set, except after a
 * limit-0 page, which has none). */
int store_page_offer(struct store_page *p, int64_t created_at, const char *id);

#endif
