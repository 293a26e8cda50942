/* driver/strongswan/vici_client.h: a non-blocking VICI client for an epoll loop.
 *
 * The owner polls vici_client_fd() for vici_client_poll_events() (level-triggered), calls
 * vici_client_on_readable / on_writable when the fd is ready and vici_client_on_timer when
 * vici_client_timeout_ms() has passed. The fd changes across reconnects: re-read it after every
 * call (or in the state callback).
 *
 * Commands: charon serializes commands per connection and its replies carry no sequence
 * number, so the client sends one command at a time and queues the rest; each completes
 * through its reply callback exactly once (answer, "unknown command", connection lost or timed
 * out). Commands that stream events (list-sas streams list-sa) name their stream event; the
 * client registers it on the connection first and hands those events to the command's stream
 * callback.
 *
 * Events: vici_client_subscribe names events (ike-updown, child-updown, log, ...) registered on
 * every connection before the state callback reports "up"; they arrive through ops->event.
 *
 * Reconnect: when charon is not there, closes the socket, sends garbage or does not answer a
 * command within the request timeout, the client fails every queued command (-EIO), reports
 * "down" with a reason (once per outage) and retries with doubling back-off (backoff_min_ms ..
 * backoff_max_ms, reset after a connection that came up).
 *
 * Callbacks run inside vici_client_* calls. They may queue commands; they must not free the
 * client. The library logs only at debug level.
 */
#ifndef VPND_DRIVER_VICI_CLIENT_H
#define VPND_DRIVER_VICI_CLIENT_H

#include "driver/strongswan/vici_msg.h"

#include <stdbool.h>
#include <stdint.h>

struct vici_client;

struct vici_client_ops {
    /* up: connected and every subscription confirmed; down: lost, why says how ("connection
     * refused", "charon closed the connection", "request timed out", ...). */
    void (*state)(void *ctx, bool up, const char *why);
    /* A subscribed event; msg lives until the callback returns. */
    void (*event)(void *ctx, const char *name, const struct vici_tree *msg);
};

struct vici_client_opts {
    unsigned backoff_min_ms;     /* first retry delay; 0 = 100 */
    unsigned backoff_max_ms;     /* cap of the doubling; 0 = 5000 */
    unsigned request_timeout_ms; /* a command without answer then drops the connection; 0 = 30000 */
};

/* r: 0 with the response message (res valid until the callback returns), -ENOENT when charon
 * does not know the command, -EIO when the connection went away or timed out first. */
typedef void (*vici_reply_fn)(void *ctx, int r, const struct vici_tree *res);
/* One streamed event of a command (list-sa during list-sas). */
typedef void (*vici_stream_fn)(void *ctx, const struct vici_tree *ev);

/* Parses url ("unix:///path/to/charon.vici") and creates a client that is not yet connected
 * (vici_client_start). opts may be NULL. Returns 0, -EINVAL (url not of that form or the path
 * too long for a Unix socket) or -ENOMEM. */
int vici_client_new(const char *url, const struct vici_client_ops *ops, void *ctx,
                    const struct vici_client_opts *opts, struct vici_client **ret);
/* Closes the socket and frees the client; queued commands are dropped without callbacks.
 * NULL is a no-op. */
void vici_client_free(struct vici_client *c);

/* Adds an event to register on every connection (also the current one). Returns 0, -EINVAL
 * (empty or longer than VICI_MAX_NAME, or more than 16 events) or -ENOMEM. */
int vici_client_subscribe(struct vici_client *c, const char *event);

/* Connects now (the first attempt); failures schedule retries. */
void vici_client_start(struct vici_client *c);

/* Queues command cmd with message msg (len bytes; NULL/0 for an empty message). stream_event
 * and on_stream may be NULL. Returns 0 (on_reply will run), -EIO when not connected (nothing
 * queued, on_reply will not run), -EINVAL (bad name, message too large) or -ENOMEM. */
int vici_client_call(struct vici_client *c, const char *cmd, const void *msg, size_t len,
                     const char *stream_event, vici_stream_fn on_stream, vici_reply_fn on_reply,
                     void *ctx);

bool vici_client_is_up(const struct vici_client *c);
int vici_client_fd(const struct vici_client *c);               /* -1 while not connected */
uint32_t vici_client_poll_events(const struct vici_client *c); /* EPOLLIN, EPOLLOUT */
int vici_client_timeout_ms(const struct vici_client *c);       /* -1: no timer */
void vici_client_on_readable(struct vici_client *c);
void vici_client_on_writable(struct vici_client *c);
void vici_client_on_timer(struct vici_client *c);

/* Blocking helper for tools and tests: drives the client with poll() until *done becomes true
 * (set by a callback) or timeout_ms passes. Returns 0 or -EIO (timed out). */
int vici_client_run(struct vici_client *c, const bool *done, int timeout_ms);

#endif
