/* util/log.h: leveled key=value logging to stderr. Never pass secrets (psk, sk, tokens).
 *
 * A message is key=value pairs (values with spaces quoted: key="a b"), optionally after some
 * free text. Two formats (--log-format): text writes "TIME level=LEVEL MESSAGE"; json writes
 * one object a line, {"time":..., "level":..., "msg": the free text if any, then every key of
 * the message with its value: unquoted values of at most 15 digits as numbers, the rest as
 * strings}. */
#ifndef VPND_UTIL_LOG_H
#define VPND_UTIL_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/macro.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

void log_set_level(enum log_level level);
void log_set_format(enum log_format format);
/* Whether a message at level would be written (to skip building one). */
bool log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) _printf_(2, 3);
/* log_hold(true): lines are kept (up to 64 KiB, then written) until log_hold(false) writes them
 * with one write(); around a batch of work (an event-loop turn) this saves a write per line. */
void log_hold(bool on);

/* Renders one line (without its newline) the way log_msg would write it: stamp is the time
 * ("2024-01-02T03:04:05.678Z"). Returns 0 or -ENOMEM. For tests and log_msg. */
int log_render(struct buf *out, enum log_format format, const char *stamp, enum log_level level,
               const char *msg);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
