/* server_metrics.c: GET /metrics, the Prometheus text exposition of the whole server. The parts
 * keep their own counters (http_stats, api_stats, engine_stats, store_stats, control_stats with
 * the control surface on, driver_stats and plane_stats with a data plane); the requests by
 * operation and status are counted here, by the access hook. Reading is done on the loop's
 * thread, like the counting, so no counter is read while it changes. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "driver/driver.h"
#include "engine/plane.h"
#include "server.h"
#include "store/store.h"

/* The statuses counted one by one; any other is counted as "other" (the last slot). */
static const int status_slots[SERVER_STATUS_SLOTS - 1] = {
    0,   200, 201, 202, 204, 301, 304, 400, 401, 403, 404, 405,
    409, 413, 415, 425, 429, 431, 500, 501, 503, 504, 505,
};

static size_t status_slot(int status)
{
    for (size_t i = 0; i < ARRAY_SIZE(status_slots); i++) {
        if (status_slots[i] == status)
            return i;
    }
    return SERVER_STATUS_SLOTS - 1;
}

void server_metrics_count(struct server *srv, const struct http_access *a)
{
    unsigned tag = a->tag <= ROUTER_MAX_ROUTES ? a->tag : 0;
    struct server_op_stats *op = &srv->stats.ops[tag];

    op->by_status[status_slot(a->status)]++;
    metrics_hist_observe(&op->latency, a->usec);
}

static const char *op_name(unsigned tag)
{
    const struct route *r = api_route_of_tag(tag);

    return r ? r->op : "none";
}

static bool op_seen(const struct server_op_stats *op)
{
    return op->latency.count > 0;
}

static int render_requests(const struct server *srv, struct buf *out)
{
    char labels[160];
    int r = metrics_head(out, "vpnd_http_requests_total", "counter",
                         "Requests answered (or ended), by operation (vpnd routes; none: no "
                         "route) and status (0: no answer was sent).");

    for (unsigned t = 0; r == 0 && t <= ROUTER_MAX_ROUTES; t++) {
        const struct server_op_stats *op = &srv->stats.ops[t];
        for (size_t i = 0; r == 0 && op_seen(op) && i < SERVER_STATUS_SLOTS; i++) {
            char status[8];
            if (!op->by_status[i])
                continue;
            if (i < ARRAY_SIZE(status_slots))
                snprintf(status, sizeof(status), "%d", status_slots[i]);
            else
                snprintf(status, sizeof(status), "other");
            snprintf(labels, sizeof(labels), "operation=\"%s\",status=\"%s\"", op_name(t),
                     status);
            r = metrics_sample(out, "vpnd_http_requests_total", labels, op->by_status[i]);
        }
    }
    if (r == 0)
        r = metrics_head(out, "vpnd_http_request_duration_seconds", "histogram",
                         "From the first byte of a request to the last byte of its answer.");
    for (unsigned t = 0; r == 0 && t <= ROUTER_MAX_ROUTES; t++) {
        if (!op_seen(&srv->stats.ops[t]))
            continue;
        snprintf(labels, sizeof(labels), "operation=\"%s\"", op_name(t));
        r = metrics_hist_write(out, "vpnd_http_request_duration_seconds", labels,
                               &srv->stats.ops[t].latency);
    }
    return r;
}

/* One unlabelled sample with its head. */
static int single(struct buf *out, const char *name, const char *type, const char *help,
                  uint64_t v)
{
    int r = metrics_head(out, name, type, help);

    return r ? r : metrics_sample(out, name, "", v);
}

/* One unlabelled series of a table (render_http, render_dataplane). */
struct single_def {
    const char *name, *type, *help;
    size_t off; /* of its uint64_t value in the stats struct (http_stats, driver_stats, ...) */
};

#define HTTP_STAT(name, type, field, help) {name, type, help, offsetof(struct http_stats, field)}

static const struct single_def http_series[] = {
    HTTP_STAT("vpnd_http_connections_open", "gauge", connections_open,
              "Connections holding a slot."),
    HTTP_STAT("vpnd_http_connections_total", "counter", connections_total,
              "Connections accepted."),
    HTTP_STAT("vpnd_http_requests_in_flight", "gauge", requests_in_flight,
              "Requests started and not yet answered."),
    HTTP_STAT("vpnd_http_request_bodies_buffered_bytes", "gauge", buffered_bytes,
              "Bytes of request bodies held (--max-buffered)."),
    HTTP_STAT("vpnd_http_connections_timed_out_total", "counter", timed_out_total,
              "Connections closed by the idle timeout or a request or handshake deadline."),
    HTTP_STAT("vpnd_http_connections_shed_total", "counter", shed_total,
              "Connections closed to make room for request bodies."),
    HTTP_STAT("vpnd_http_connections_refused_total", "counter", refused_total,
              "Connections closed at accept: over --max-per-client."),
};

static const struct single_def tls_series[] = {
    HTTP_STAT("vpnd_tls_handshakes_total", "counter", tls_handshakes_total,
              "TLS handshakes completed."),
    HTTP_STAT("vpnd_tls_handshake_failures_total", "counter", tls_handshake_failures_total,
              "TLS connections closed before their handshake completed."),
};

static int render_table(struct buf *out, const struct single_def *defs, size_t n,
                        const void *st)
{
    int r = 0;

    for (size_t i = 0; r == 0 && i < n; i++) {
        uint64_t v;
        memcpy(&v, (const char *)st + defs[i].off, sizeof(v));
        r = single(out, defs[i].name, defs[i].type, defs[i].help, v);
    }
    return r;
}

static int render_http(const struct server *srv, struct buf *out)
{
    struct http_stats st;
    const char *subject;
    int64_t not_after;
    int r;

    http_server_stats(srv->http, &st);
    r = render_table(out, http_series, ARRAY_SIZE(http_series), &st);
    if (r || !server_tls_describe(srv, &subject, &not_after))
        return r;
    r = render_table(out, tls_series, ARRAY_SIZE(tls_series), &st);
    return r ? r
             : single(out, "vpnd_tls_certificate_expiry_timestamp_seconds", "gauge",
                      "notAfter of the certificate served (--tls-cert), Unix seconds.",
                      not_after > 0 ? (uint64_t)not_after : 0);
}

static int render_auth(const struct server *srv, struct buf *out)
{
    char labels[64];
    int r = metrics_head(out, "vpnd_auth_failures_total", "counter",
                         "Requests refused by authentication (401) or authorization (403), by "
                         "cause.");

    for (int c = 0; r == 0 && c < AUTH_CAUSE_COUNT; c++) {
        snprintf(labels, sizeof(labels), "cause=\"%s\"", auth_cause_name((enum auth_cause)c));
        r = metrics_sample(out, "vpnd_auth_failures_total", labels,
                           srv->api.stats.auth_failures[c]);
    }
    return r;
}

static int render_engine(const struct server *srv, struct buf *out)
{
    static const enum model_kind kinds[] = {MODEL_KIND_VGW, MODEL_KIND_CONN, MODEL_KIND_MONITOR};
    const struct engine_stats *st = &srv->engine.stats;
    char labels[96];
    int r = metrics_head(out, "vpnd_status_transitions_total", "counter",
                         "Status transitions made by the status engine, by resource and target "
                         "(deleted: the row was removed).");

    for (size_t k = 0; r == 0 && k < ARRAY_SIZE(kinds); k++) {
        for (int t = 0; r == 0 && t < ENGINE_TARGET_COUNT; t++) {
            snprintf(labels, sizeof(labels), "resource=\"%s\",to=\"%s\"",
                     engine_kind_name(kinds[k]), engine_target_name((enum engine_target)t));
            r = metrics_sample(out, "vpnd_status_transitions_total", labels,
                               st->transitions[kinds[k]][t]);
        }
    }
    r = r ? r
          : single(out, "vpnd_engine_backlog", "gauge",
                   "Transitions that were due at the engine's last tick (at most 64 a queue).",
                   st->due);
    if (r == 0)
        r = metrics_head(out, "vpnd_engine_lag_seconds", "gauge",
                         "How late the oldest due transition was at the engine's last tick.");
    if (r == 0)
        r = metrics_sample_f(out, "vpnd_engine_lag_seconds", "", (double)st->lag_ms / 1e3);
    r = r ? r
          : single(out, "vpnd_engine_ticks_total", "counter", "Ticks of the status engine.",
                   st->ticks);
    r = r ? r
          : single(out, "vpnd_engine_errors_total", "counter",
                   "Engine ticks that failed (the store failed; logged).", st->errors);
    return r;
}

static int render_store(const struct server *srv, struct buf *out)
{
    const struct store_stats *st = store_stats(srv->store);
    int r = metrics_head(out, "vpnd_store_call_duration_seconds", "histogram",
                         "Duration of every call to the store.");

    if (r == 0)
        r = metrics_hist_write(out, "vpnd_store_call_duration_seconds", "", &st->latency);
    if (r == 0)
        r = metrics_head(out, "vpnd_store_errors_total", "counter",
                         "Store calls that failed: busy (lock wait, serialization), io, nomem, disk_full.");
    if (r == 0)
        r = metrics_sample(out, "vpnd_store_errors_total", "error=\"busy\"", st->busy);
    if (r == 0)
        r = metrics_sample(out, "vpnd_store_errors_total", "error=\"io\"", st->io);
    if (r == 0)
        r = metrics_sample(out, "vpnd_store_errors_total", "error=\"nomem\"", st->nomem);
    if (r == 0)
        r = metrics_sample(out, "vpnd_store_errors_total", "error=\"disk_full\"", st->full);
    if (r == 0)
        r = single(out, "vpnd_store_group_commits_total", "counter",
                   "Group commits: one per event-loop turn that wrote.",
                   srv->stats.group_commits);
    if (r == 0)
        r = single(out, "vpnd_store_group_commit_failures_total", "counter",
                   "Group commits that failed (every answer held for them got the error).",
                   srv->stats.group_failures);
    if (r == 0)
        r = single(out, "vpnd_store_group_held_total", "counter",
                   "Answers held until their group's commit.", srv->stats.group_held);
    return r;
}

/* The control surface's counts on this node (GET /_vpnd/faults shows them as "node"); without
 * the control surface, none. */
static int render_control(const struct server *srv, struct buf *out)
{
    const struct control_stats *st = &srv->control.stats;
    int r;

    if (!srv->has_control)
        return 0;
    r = single(out, "vpnd_control_faults_injected_total", "counter",
               "Cloud API requests a fault rule of the control surface fired on.",
               st->faults_injected);
    if (r == 0)
        r = metrics_head(out, "vpnd_control_fault_effects_total", "counter",
                         "Injected fault effects: error (the rule's error answer), latency (the "
                         "answer held back), drop (the connection closed without an answer).");
    if (r == 0)
        r = metrics_sample(out, "vpnd_control_fault_effects_total", "effect=\"error\"",
                           st->faults_error);
    if (r == 0)
        r = metrics_sample(out, "vpnd_control_fault_effects_total", "effect=\"latency\"",
                           st->faults_latency);
    if (r == 0)
        r = metrics_sample(out, "vpnd_control_fault_effects_total", "effect=\"drop\"",
                           st->faults_drop);
    r = r ? r
          : single(out, "vpnd_control_transitions_held_total", "counter",
                   "Transitions a transition rule or a forced status held.",
                   st->transitions_held);
    return r ? r
             : single(out, "vpnd_control_transitions_ended_total", "counter",
                      "Held transitions ended (advance, reads, delay, outcome).",
                      st->transitions_ended);
}

#define DRV_STAT(name, type, field, help) {name, type, help, offsetof(struct driver_stats, field)}
#define PLANE_STAT(name, type, field, help) {name, type, help, offsetof(struct plane_stats, field)}

static const struct single_def driver_series[] = {
    DRV_STAT("vpnd_dataplane_connects_total", "counter", connects,
             "Times the IPsec daemon (charon's VICI socket) became reachable."),
    DRV_STAT("vpnd_dataplane_events_total", "counter", events,
             "Events received from the daemon (its log lines included)."),
    DRV_STAT("vpnd_dataplane_state_reports_total", "counter", state_reports,
             "Tunnel states the driver reported (up, or down with a cause)."),
    DRV_STAT("vpnd_dataplane_commands_total", "counter", commands, "Commands sent to the daemon."),
    DRV_STAT("vpnd_dataplane_command_errors_total", "counter", command_errors,
             "Commands the daemon refused or that were lost with the connection to it."),
    DRV_STAT("vpnd_dataplane_refreshes_total", "counter", refreshes,
             "Full listings of the daemon's SAs."),
    DRV_STAT("vpnd_dataplane_refresh_last_sas", "gauge", refresh_last_sas,
             "IKE SAs the last full listing found."),
};

static const struct single_def plane_series[] = {
    PLANE_STAT("vpnd_dataplane_reconcile_last_connections", "gauge", reconcile_last_conns,
               "Connections the last full reconciliation loaded."),
    PLANE_STAT("vpnd_dataplane_leases_held", "gauge", leases_held,
               "Gateways whose lease this node holds (it drives their connections)."),
    PLANE_STAT("vpnd_dataplane_lease_failures_total", "counter", lease_failures,
               "Lease renewals the store refused."),
    PLANE_STAT("vpnd_dataplane_status_writes_total", "counter", status_writes,
               "Connection statuses written from the daemon's reports."),
    PLANE_STAT("vpnd_dataplane_status_held_total", "counter", status_held,
               "Reports not written: the control surface held the connection's status."),
    PLANE_STAT("vpnd_dataplane_applies_total", "counter", applies,
               "Connection configurations loaded into the daemon."),
    PLANE_STAT("vpnd_dataplane_removes_total", "counter", removes,
               "Connection configurations unloaded from the daemon."),
};

/* A duration in microseconds as a gauge in seconds (labels may be ""). */
static int seconds(struct buf *out, const char *name, const char *labels, uint64_t us)
{
    return metrics_sample_f(out, name, labels, (double)us / 1e6);
}

/* The data plane's counts (driver_stats, plane_stats); without a data plane (--driver sim),
 * none. */
static int render_dataplane(const struct server *srv, struct buf *out)
{
    static const char *const pass[] = {"pass=\"full\"", "pass=\"periodic\""};
    const struct driver_stats *d;
    const struct plane_stats *p;
    int r;

    if (!srv->driver || !srv->plane)
        return 0;
    d = driver_stats(srv->driver);
    p = plane_stats(srv->plane);
    r = single(out, "vpnd_dataplane_connected", "gauge",
               "1 while the IPsec daemon can be reached, else 0.", d->connected ? 1 : 0);
    r = r ? r : render_table(out, driver_series, ARRAY_SIZE(driver_series), d);
    r = r ? r : render_table(out, plane_series, ARRAY_SIZE(plane_series), p);
    if (r == 0)
        r = metrics_head(out, "vpnd_dataplane_refresh_last_seconds", "gauge",
                         "How long the last full listing took.");
    if (r == 0)
        r = seconds(out, "vpnd_dataplane_refresh_last_seconds", "", d->refresh_last_us);
    if (r == 0)
        r = metrics_head(out, "vpnd_dataplane_reconciles_total", "counter",
                         "Reconciliations of the daemon with the store: full (start, reconnect, "
                         "lease change, reset) and periodic (every reconcile-interval).");
    if (r == 0)
        r = metrics_sample(out, "vpnd_dataplane_reconciles_total", pass[0], p->reconciles);
    if (r == 0)
        r = metrics_sample(out, "vpnd_dataplane_reconciles_total", pass[1], p->periodic);
    if (r == 0)
        r = metrics_head(out, "vpnd_dataplane_reconcile_last_seconds", "gauge",
                         "vpnd's time in the last reconciliation of each pass.");
    if (r == 0)
        r = seconds(out, "vpnd_dataplane_reconcile_last_seconds", pass[0], p->reconcile_last_us);
    if (r == 0)
        r = seconds(out, "vpnd_dataplane_reconcile_last_seconds", pass[1], p->periodic_last_us);
    return r;
}

static int render_build(const struct server *srv, struct buf *out)
{
    char labels[160], version[64];
    int r = metrics_head(out, "vpnd_build_info", "gauge",
                         "Always 1: the version, the store backend and whether TLS is served.");

    metrics_label_escape(srv->cfg.version ? srv->cfg.version : "", version, sizeof(version));
    snprintf(labels, sizeof(labels), "version=\"%s\",store=\"%s\",tls=\"%s\"", version,
             store_backend_name(srv->store), http_server_is_tls(srv->http) ? "on" : "off");
    if (r == 0)
        r = metrics_sample(out, "vpnd_build_info", labels, 1);
    if (r == 0)
        r = metrics_head(out, "vpnd_start_time_seconds", "gauge",
                         "When the server started, Unix seconds.");
    if (r == 0)
        r = metrics_sample(out, "vpnd_start_time_seconds", "",
                           (uint64_t)(srv->stats.started_ms / 1000));
    return r;
}

int server_metrics_render(void *ud, struct buf *out)
{
    const struct server *srv = ud;
    int r = render_build(srv, out);

    r = r ? r : render_requests(srv, out);
    r = r ? r : render_http(srv, out);
    r = r ? r : render_auth(srv, out);
    r = r ? r : render_engine(srv, out);
    r = r ? r : render_store(srv, out);
    r = r ? r : render_control(srv, out);
    r = r ? r : render_dataplane(srv, out);
    return r ? -ENOMEM : 0;
}
