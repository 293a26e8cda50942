/* util/ids.h: random identifiers and time stamps. */
#ifndef VPND_UTIL_IDS_H
#define VPND_UTIL_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UUID_STR_LEN 37 /* 36 chars + NUL */
#define TIMESTAMP_STR_LEN 25 /* "2022-11-26T13:41:34.626Z" + NUL */

/* Fills out with a random lower-case UUIDv4 (getrandom). Returns 0 or -EIO. */
int ids_uuid4(char out[UUID_STR_LEN]);
/* Fills out with n random lower-case hex chars and a NUL (generated names: n = 4). */
int ids_hex(char *out, size_t n);
/* True if s is a UUID: 8-4-4-4-12 hex digits (either case). */
bool ids_is_uuid(const char *s);
/* Milliseconds since the Unix epoch, wall clock. */
int64_t ids_now_ms(void);
/* Milliseconds from a monotonic clock, for timeouts. */
int64_t ids_mono_ms(void);
/* Formats ms since epoch as yyyy-MM-ddTHH:mm:ss.SSSZ (UTC). */
void ids_format_ts(int64_t ms, char out[TIMESTAMP_STR_LEN]);
/* Parses what ids_format_ts writes. Returns 0 or -EINVAL. */
int ids_parse_ts(const char *s, int64_t *ret_ms);

#endif
