/* driver/strongswan/strongswan.h: the strongSwan data-plane driver (driver.h over VICI).
 *
 * It loads each connection into charon as "vpnd-<id>" (load-shared + load-conn, the mapping of
 * model_ipsec_conn_build / vici_map), subscribes to ike-updown, child-updown, ike-rekey,
 * child-rekey and log, and turns them into reports:
 *  - state: an up/down/rekey event of a connection asks charon for that connection's SAs
 *    (list-sas ike=<name>); up = an IKE SA established and every expected CHILD SA installed.
 *    A rekey keeps both or the new SA installed, so it never reads as down. Going down is told
 *    after SW_DOWN_GRACE_MS unless the tunnel is back by then (IKEv1 reauthentication closes
 *    before it reopens), which also lets the log line with the cause, which charon writes after
 *    the down event, arrive first; a DPD timeout (logged before the down event) is told at once;
 *  - cause: charon's log lines are matched to the connection (by IKE SA name, or for a failure
 *    the customer starts before a configuration is selected, by the customer's address) and
 *    classified (sw_cause.c): authentication failed, no proposal chosen, traffic selectors
 *    unacceptable, deleted by peer, DPD timeout, peer unreachable;
 *  - safety net: driver_refresh lists every SA (the owner calls it periodically and after each
 *    reconnect) and corrects any state an event missed.
 * docs/strongswan-mapping.md has the mapping and every log text used here. */
#ifndef VPND_DRIVER_STRONGSWAN_H
#define VPND_DRIVER_STRONGSWAN_H

#include "driver/driver.h"

#define SW_DOWN_GRACE_MS 500 /* a tunnel must stay down this long before it is reported down */

struct sw_opts {
    unsigned backoff_min_ms;     /* reconnect back-off (vici_client_opts); 0 = default */
    unsigned backoff_max_ms;
    unsigned request_timeout_ms; /* a command charon does not answer in time drops the socket */
};

/* Creates the driver for charon's VICI socket at url ("unix:///run/charon.vici"), served on the
 * owner's loop through loop (copied); not connected until driver_start. opts may be NULL.
 * Returns 0, -EINVAL (url not of that form) or -ENOMEM. */
int driver_strongswan_new(const char *url, const struct driver_loop *loop,
                          const struct sw_opts *opts, struct driver **ret);

/* ---- sw_cause.c: charon's log lines as failure causes (pure) ---- */

enum sw_cause {
    SW_CAUSE_NONE,
    SW_CAUSE_AUTH,        /* authentication failed */
    SW_CAUSE_PROPOSAL,    /* no proposal chosen */
    SW_CAUSE_TS,          /* traffic selectors unacceptable */
    SW_CAUSE_DELETED,     /* deleted by peer */
    SW_CAUSE_DPD,         /* DPD timeout: a peer that answered stopped answering */
    SW_CAUSE_UNREACHABLE, /* peer unreachable: no answer while negotiating */
    SW_CAUSE_REFUSED,     /* charon's own policy refused it */
};

/* The cause a log line msg names, or SW_CAUSE_NONE. was_up: the connection was up when the line
 * came (a retransmit timeout of an established tunnel is a failed liveness check, DPD). */
enum sw_cause sw_cause_of(const char *msg, bool was_up);
/* The words a report uses for cause ("authentication failed", ...; "" for none). */
const char *sw_cause_label(enum sw_cause cause);
/* "<label>: <msg>" into out (size bytes, cut to fit). */
void sw_cause_reason(enum sw_cause cause, const char *msg, char *out, size_t size);

#endif
