/* driver/driver.h: a data-plane driver: what makes stored VPN connections real on an IPsec daemon
 * and reports what the daemon sees. vpnd's one implementation is strongSwan's charon over VICI
 * (driver/strongswan/strongswan.h); the simulated cloud (--driver sim, the default) needs none of
 * this: the status engine settles its connections at once (engine.h).
 *
 * Event-driven, on the owner's event loop: every operation is queued and answered later through
 * the host callbacks (never from inside the call that queued it), and the daemon's own events
 * (a tunnel up, a peer that went away, a failed negotiation) arrive the same way. The driver
 * owns no thread and blocks nowhere: the owner watches the descriptor and timer the driver asks
 * for (struct driver_loop) and calls driver_on_ready / driver_on_timer.
 *
 * Connections are named by their id (a UUID, unique across projects in practice; the daemon
 * knows nothing of projects). A connection is "up" when its IKE SA is established and every
 * CHILD SA its configuration expects is installed; anything less is "down", with the cause the
 * daemon's log gave (authentication failed, no proposal chosen, deleted by peer, ...). Drivers
 * log at debug level only; the owner logs what it does with the reports. */
#ifndef VPND_DRIVER_H
#define VPND_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/ipsec.h"
#include "model/model.h"

#define DRIVER_REASON_LEN 200 /* a reason, NUL included (cut if longer) */

struct driver;

/* A connection to realize, with its gateway and customer gateway (borrowed for the call). */
struct driver_conn {
    const struct model_vpn_conn *c;
    const struct model_vgw *g;
    const struct model_cgw *cgw;
};

/* Room for the selectors of one side of a CHILD SA as text: as many CIDRs as a configuration
 * can give it (a dual-stack gateway's 50 IPv4 and 50 IPv6 subnets), each with its comma. */
#define DRIVER_TS_LEN (MODEL_IPSEC_MAX_TS * MODEL_CIDR_LEN)

/* One installed CHILD SA of a connection, with the daemon's counters (ipsec-sa). Selectors are
 * comma-separated CIDRs: "198.19.1.0/24" or "10.0.0.0/24,2001:db8::/32". */
struct driver_sa {
    char local_ts[DRIVER_TS_LEN];
    char remote_ts[DRIVER_TS_LEN];
    uint64_t bytes_in, bytes_out, packets_in, packets_out;
};

enum driver_op {
    DRIVER_APPLY, /* driver_apply: the configuration is loaded */
    DRIVER_REMOVE, /* driver_remove: configuration, key and SAs are gone */
};

/* What the driver tells its owner (the data plane, engine/plane.c). Callbacks run inside
 * driver_on_ready / driver_on_timer, never inside the call that queued an operation. */
struct driver_host {
    void *ud;
    /* The tunnel of connection id went up, or is down (again with a new cause while it stays
     * down): reason says why ("tunnel up (1 CHILD SA installed)", "deleted by peer (...)"). The
     * first report after the daemon came up is made for every known connection. */
    void (*conn_state)(void *ud, const char *id, bool up, const char *reason);
    /* An operation on connection id ended: r 0 done, -EINVAL the daemon refused it (why says
     * what it answered), -EIO the daemon went away first (try again once it is back). */
    void (*done)(void *ud, const char *id, enum driver_op op, int r, const char *why);
    /* The daemon is reachable (up: the owner brings it in line, driver_sync) or no longer (why:
     * "no socket at the path", "charon closed the connection", ...). "Down" is reported once per
     * outage, also when the first attempt fails. */
    void (*plane)(void *ud, bool up, const char *why);
};

/* How the driver is served on its owner's loop: watch(ud, fd, events, deadline) says which
 * descriptor (-1: none) to watch for which events (EPOLLIN, EPOLLOUT) and when (ids_mono_ms time,
 * -1: never) to call driver_on_timer; called whenever that changes. */
struct driver_loop {
    void *ud;
    void (*watch)(void *ud, int fd, uint32_t events, int64_t deadline);
};

/* Facts for the operator (metrics, logs): read-only, updated as things happen. */
struct driver_stats {
    bool connected;           /* the daemon is reachable now */
    uint64_t connects;        /* times it became reachable */
    uint64_t events;          /* events received (the daemon's log lines included) */
    uint64_t state_reports;   /* conn_state reports made */
    uint64_t commands;        /* commands sent */
    uint64_t command_errors;  /* commands refused by the daemon or lost with the connection */
    uint64_t refreshes;       /* full listings (driver_refresh) done */
    uint64_t refresh_last_us; /* how long the last one took, from sending to the last answer */
    uint64_t refresh_last_sas; /* IKE SAs it listed */
};

/* Answer of driver_sas: r 0 with n CHILD SAs (the connection has none when it is down or not
 * loaded here), or -EIO (the daemon went away first). sas is valid for the call. */
typedef void (*driver_sas_fn)(void *ud, int r, const struct driver_sa *sas, size_t n);

struct driver_ops {
    const char *name;
    void (*set_host)(struct driver *d, const struct driver_host *host);
    void (*start)(struct driver *d);
    void (*free)(struct driver *d);
    int (*apply)(struct driver *d, const struct driver_conn *x, struct verr *err);
    int (*remove)(struct driver *d, const char *id);
    int (*sync)(struct driver *d, const char *const *ids, size_t n);
    int (*refresh)(struct driver *d);
    int (*reset)(struct driver *d, const char *id);
    int (*sas)(struct driver *d, const char *id, driver_sas_fn cb, void *ud);
    bool (*is_up)(const struct driver *d, const char *id, char *reason, size_t size);
    void (*on_ready)(struct driver *d, uint32_t events);
    void (*on_timer)(struct driver *d);
    const struct driver_stats *(*stats)(const struct driver *d);
};

/* Every driver embeds this first. */
struct driver {
    const struct driver_ops *ops;
};

/* The reports go to host (copied). Call before driver_start. */
static inline void driver_set_host(struct driver *d, const struct driver_host *host)
{
    d->ops->set_host(d, host);
}

/* Connects to the daemon (failures are retried with back-off and reported as host->plane). */
static inline void driver_start(struct driver *d)
{
    d->ops->start(d);
}

/* Disconnects and frees the driver; queued operations end without host callbacks (a waiting
 * driver_sas answer gets -EIO). NULL is a no-op. */
static inline void driver_free(struct driver *d)
{
    if (d)
        d->ops->free(d);
}

/* Loads connection x (create or update): its configuration and key; a connection that was
 * loaded already with the same configuration and has no SA is initiated again (a changed key
 * takes effect that way). Ends with host->done(DRIVER_APPLY). Returns 0 (queued); -EINVAL (err
 * filled: the daemon cannot realize it, e.g. an algorithm it lacks; nothing queued); -EIO (the
 * daemon is not reachable now); -ENOMEM. */
static inline int driver_apply(struct driver *d, const struct driver_conn *x, struct verr *err)
{
    return d->ops->apply(d, x, err);
}

/* Unloads connection id: configuration, key, SAs (a connection the daemon does not have counts
 * as removed). Ends with host->done(DRIVER_REMOVE). 0, -EIO or -ENOMEM. */
static inline int driver_remove(struct driver *d, const char *id)
{
    return d->ops->remove(d, id);
}

/* After the daemon came up: the connections ids[0..n) are the ones that should exist (the owner
 * applies each); every other connection of vpnd's naming the daemon holds is unloaded. 0, -EIO
 * or -ENOMEM. */
static inline int driver_sync(struct driver *d, const char *const *ids, size_t n)
{
    return d->ops->sync(d, ids, n);
}

/* Lists every SA of the daemon and reports each known connection whose state differs from
 * what was last reported (the safety net under the events). 0, -EIO or -ENOMEM. */
static inline int driver_refresh(struct driver *d)
{
    return d->ops->refresh(d);
}

/* Renegotiates connection id: its SAs are closed and initiated again. 0, -ENOENT (not loaded
 * here), -EIO or -ENOMEM. */
static inline int driver_reset(struct driver *d, const char *id)
{
    return d->ops->reset(d, id);
}

/* The installed CHILD SAs of connection id with their counters, through cb(ud, ...) later.
 * 0 (cb will run), -EIO (the daemon is not reachable; cb will not run) or -ENOMEM. */
static inline int driver_sas(struct driver *d, const char *id, driver_sas_fn cb, void *ud)
{
    return d->ops->sas(d, id, cb, ud);
}

/* What was last reported for connection id: true if up; the reason into reason (size bytes).
 * False with "" for a connection with no report yet. */
static inline bool driver_is_up(const struct driver *d, const char *id, char *reason, size_t size)
{
    return d->ops->is_up(d, id, reason, size);
}

/* The watched descriptor is ready (events as epoll gave them). */
static inline void driver_on_ready(struct driver *d, uint32_t events)
{
    d->ops->on_ready(d, events);
}

/* The deadline the driver asked for has passed. */
static inline void driver_on_timer(struct driver *d)
{
    d->ops->on_timer(d);
}

static inline const struct driver_stats *driver_stats(const struct driver *d)
{
    return d->ops->stats(d);
}

#endif
