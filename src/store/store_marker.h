/* store/store_marker.h: the connection list's page marker, shared by the backends (private to
 * src/store/).
 *
 * A marker is the created_at of the last item sent ("yyyy-MM-ddTHH:mm:ss.SSSZ", spec §1.6) and
 * the next page holds the rows strictly older. When the next row has the very same created_at
 * (a batch create in one millisecond), the marker carries the last id too ("<created_at>|<id>")
 * and the next page holds the rows below (created_at, id). One comparison serves both:
 * (created_at, id) < (ts, id-or-""). */
#ifndef VPND_STORE_MARKER_H
#define VPND_STORE_MARKER_H

#include <stdint.h>

#include "store/store.h"
#include "util/ids.h"

struct store_marker {
    int64_t created_at;    /* INT64_MAX for the first page */
    char id[UUID_STR_LEN]; /* "" = every id at created_at is already sent */
};

/* Parses a marker written by store_marker_format; NULL or "" is the first page. -EINVAL. */
int store_marker_parse(const char *s, struct store_marker *ret);
/* Writes the marker after an item (created_at, id); id NULL when the next item is older. */
void store_marker_format(int64_t created_at, const char *id, char out[STORE_MARKER_LEN]);

#endif
