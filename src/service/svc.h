/* service/svc.h: the operations of the VPN service, with no HTTP in them.
 *
 * Every create, update, delete and status change of a gateway, customer gateway, connection,
 * monitor or tag set is a function here: it validates (model), applies the lifecycle rules
 * (model_lifecycle_check), checks quotas, allocates addresses and tunnels, builds the stored
 * rows and writes them through the store. The API's handlers (api/), vpnd import and export
 * (transfer/) and the status engine (engine/) all call these functions; none of them talks to
 * the store itself.
 *
 * Errors: 0 on success; -EINVAL with *err filled (a refusal the client sees: err->code says
 * which, err->msg says why, without the code's prefix); any other negative errno is a failure of
 * the server (-ENOMEM, -EBUSY: retry later, -EIO: svc_errmsg says more), for which err is not
 * filled.
 *
 * Replies: a function that produces a reply appends it to `out` (the object of the resource,
 * or a comma-separated list of them). A write prepares its reply before it commits and leaves
 * SVC_REPLY_SLACK bytes of room after it, so nothing can fail (no allocation) once a write is
 * committed: the caller's closing bytes fit in that room.
 *
 * Time: every "now" (time stamps, due times) comes from the clock given to svc_init.
 */
#ifndef VPND_SERVICE_SVC_H
#define VPND_SERVICE_SVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/model.h"
#include "service/pool.h"
#include "service/spec_cache.h"
#include "util/buf.h"
#include "util/clock.h"

struct store;
struct driver;
struct svc_due;

/* Room left after a write's reply (svc.h "Replies"). */
#define SVC_REPLY_SLACK 128
/* A page marker (spec §1.6), NUL included. */
#define SVC_MARKER_LEN 64

struct svc_config {
    const char *eip_pool;      /* CIDR the EIP addresses are drawn from (default 198.18.0.0/15) */
    const char *private_pool;  /* CIDR private gateway access IPs are drawn from (10.0.0.0/8) */
    const char *eip6_pool;     /* the same for IPv6 gateways (default 2001:2::/48) */
    const char *private6_pool; /* (default fd00::/64) */
    unsigned status_delay_ms;  /* how long PENDING_* statuses last (default 300) */
    const char *settle_status; /* what connections settle to: "DOWN" (default) or "ACTIVE" */
    unsigned quota_vpn_gateway;      /* per project (default 50) */
    unsigned quota_customer_gateway; /* per project (default 100) */
    unsigned quota_vpn_connection;   /* per project (default 5000) */
};

/* A resource entering a PENDING_* status (a create, update or delete): what the control
 * surface's hook (svc_set_pending_hook) is asked. */
struct svc_pending {
    enum model_kind kind;   /* MODEL_KIND_VGW, _CONN or _MONITOR */
    const char *project_id;
    const char *id;
    const char *vgw_id;     /* a connection's gateway; NULL for the other kinds */
    const char *status;     /* the PENDING_* status entered (canonical) */
    int64_t now;
    int64_t due;            /* when the status engine would act: now + status_delay_ms */
};
/* status_due of a held resource: a time that never comes, so the status engine never moves it
 * (the control surface does, or a tenant's next write), and a compare-and-set can name it. A
 * status change from outside (svc_conn_set_status) leaves it alone. */
#define SVC_DUE_HELD INT64_MAX
/* Returns the due time the resource gets: p->due, another time, or SVC_DUE_HELD. */
typedef int64_t (*svc_pending_fn)(void *ud, const struct svc_pending *p);

struct svc {
    struct svc_config cfg;
    struct store *store;       /* borrowed */
    const struct clock *clock; /* borrowed */
    const char *settle_status; /* canonical (MODEL_STATUS) */
    /* the parsed pools, by family: [0] IPv4, [1] IPv6 (svc_pool_of) */
    struct svc_pool eip_pools[2], private_pools[2];
    /* parsed gateway / customer gateway specs for connection creates (spec_cache.h) */
    struct svc_spec_cache vgw_specs, cgw_specs;
    svc_pending_fn on_pending; /* svc_set_pending_hook; NULL: due after status_delay_ms */
    void *on_pending_ud;
    /* the data plane's driver (borrowed; set by the server), NULL: the simulated cloud. It
     * answers ipsec-sa and renegotiates on reset (service/peer.c). */
    struct driver *driver;
    /* svc_reset calls that succeeded: the data plane brings its daemon and leases in line after
     * one (engine/plane.c) */
    uint64_t resets;
};

/* Fills cfg with the defaults above. */
void svc_config_defaults(struct svc_config *cfg);
/* Prepares the service over an open store and a clock (both borrowed; they must outlive svc).
 * Returns 0 or -EINVAL (errbuf says which setting is bad). */
int svc_init(struct svc *svc, const struct svc_config *cfg, struct store *store,
             const struct clock *clock, char *errbuf, size_t errlen);
void svc_done(struct svc *svc);
/* Changes the per-project quotas (a reload): the next creates are held to them. */
void svc_set_quotas(struct svc *svc, unsigned vpn_gateway, unsigned customer_gateway,
                    unsigned vpn_connection);
/* The service's clock. */
int64_t svc_now_ms(const struct svc *svc);
/* Detail of the last -EIO from the store, for the log. Never NULL. */
const char *svc_errmsg(struct svc *svc);
/* Brackets the requests of one event-loop turn: their reads may share one snapshot
 * (store_read_batch). */
void svc_read_batch(struct svc *svc, bool on);

/* One page of a marker-paged list. */
struct svc_page {
    size_t count;
    char next_marker[SVC_MARKER_LEN]; /* "" on the last page */
    int64_t total;
};

/* A repeatable enterprise_project_id filter: any of ids[0..n). */
#define SVC_MAX_EPS 16
struct svc_eps {
    const char *ids[SVC_MAX_EPS];
    size_t n;
};

/* ---- VPN connections (service/conn.c, conn_write.c) ---- */

struct svc_conn_query {
    const char *vgw_id, *vgw_ip, *marker; /* NULL: any / first page */
    const char *vpn_id; /* one connection (the Go model's legacy filter); NULL: any */
    const char *eip_id; /* connections whose vgw_ip is that EIP; NULL: any */
    struct svc_eps eps;
    size_t limit;
};

/* GET: appends the served connection object (its status included). */
int svc_conn_show(struct svc *svc, const char *project_id, const char *id, struct buf *out,
                  struct verr *err);
/* Appends the page's connection objects, comma-separated, newest first. All filters apply
 * together; vgw_ip matches an IPv6 address in any spelling. */
int svc_conn_list(struct svc *svc, const char *project_id, const struct svc_conn_query *q,
                  struct buf *out, struct svc_page *page, struct verr *err);
/* POST: validates, allocates (tunnel /30), inserts PENDING_CREATE; appends the created object
 * (no status: spec §2.5). */
int svc_conn_create(struct svc *svc, const char *project_id, const struct model_body *body,
                    struct buf *out, struct verr *err);
/* POST batch-create: 1-2 connections of one gateway, all or nothing; appends the created
 * objects, comma-separated. */
int svc_conn_batch_create(struct svc *svc, const char *project_id, const struct model_body *body,
                          struct buf *out, struct verr *err);
/* PUT: only the fields sent change; the connection goes PENDING_UPDATE; appends it. */
int svc_conn_update(struct svc *svc, const char *project_id, const char *id,
                    const struct model_body *body, struct buf *out, struct verr *err);
/* DELETE: PENDING_DELETE until the status engine removes it. */
int svc_conn_delete(struct svc *svc, const char *project_id, const char *id, struct verr *err);
/* POST reset: nothing to renegotiate in the simulation; checks the connection may be reset. */
int svc_conn_reset(struct svc *svc, const char *project_id, const char *id, struct verr *err);
/* GET log: calls cb with each status transition of the connection, oldest first (msg borrowed
 * for the call); stops on cb's negative value. */
int svc_conn_log(struct svc *svc, const char *project_id, const char *id,
                 int (*cb)(void *ud, int64_t at, const char *msg), void *ud, struct verr *err);

/* A status change from outside (the data plane): a compare-and-set on the connection's status
 * column, from -> to (nothing pending after it), appending "status <from> -> <to> (<reason>)"
 * to the connection's log in the same transaction ("status <to> (<reason>)" when from is to:
 * a new cause of the same status). reason is cut at 250 bytes. -ENOENT when the connection is
 * gone or no longer in from; -EACCES when the control surface holds it (svc_conn_is_held: a
 * forced or held status wins over the data plane's events; nothing changes, nothing is
 * logged); -EINVAL (err) for a status that is not a connection status. */
int svc_conn_set_status(struct svc *svc, const char *project_id, const char *id,
                        const char *from, const char *to, const char *reason, struct verr *err);

/* Whether the control surface holds connection id (its status_due is SVC_DUE_HELD: a status
 * forced with "hold", or a transition waiting for POST /_vpnd/advance or for its reads). 0 with
 * *ret_held set, -ENOENT (gone) or a store error. */
int svc_conn_is_held(struct svc *svc, const char *project_id, const char *id, bool *ret_held);

/* ---- what a connection's data plane shows (service/peer.c) ---- */

/* The answer of svc_conn_sas when it comes later: r 0 with the SaInfo objects, comma-separated
 * (text, borrowed for the call), or -EIO (the data plane went away first: nothing to show). */
typedef void (*svc_sas_fn)(void *ud, int r, const char *text);
/* GET ipsec-sa: the connection's CHILD SAs as the SDK's SaInfo objects {source_ip_cidr,
 * dest_ip_cidr, packets_sent, packets_recv, traffic_sent, traffic_recv, collected_at}. The
 * simulated cloud answers at once (0, appended to out): one object per CHILD SA the connection
 * configures (docs/strongswan-mapping.md), counters 0; none for a connection strongSwan could not
 * realize. With a data-plane driver the installed SAs and their counters come from the daemon:
 * returns 1, and done(ud, ...) runs later (never inside this call). -EINVAL (err: no such
 * connection), -EIO (the data plane is not reachable), -ENOMEM. */
int svc_conn_sas(struct svc *svc, const char *project_id, const char *id, struct buf *out,
                 svc_sas_fn done, void *ud, struct verr *err);
/* POST peer-configuration/export: the configuration of the customer's side of the connection for
 * the device body {vendor, type?, model, version} names, appended to out as a JSON string. */
int svc_conn_peer_config(struct svc *svc, const char *project_id, const char *id,
                         const struct model_body *body, struct buf *out, struct verr *err);
/* GET peer-configuration/supported-devices: appends the {vendor, platform, version} objects,
 * comma-separated. */
int svc_peer_devices(struct svc *svc, struct buf *out);

/* ---- the data plane's work (service/plane.c): what engine/plane.c asks ---- */

/* A connection as the data plane loads it: parsed with its PSK, with its gateway and customer
 * gateway. */
struct svc_conn_plan {
    char project_id[MODEL_PROJECT_ID_LEN];
    char status[24];
    struct model_vpn_conn *c;     /* owned (svc_conn_plan_done) */
    const struct model_vgw *g;    /* the spec cache's: valid until the next call into svc */
    const struct model_cgw *cgw;  /* likewise */
};
/* Reads connection id with its gateway and customer gateway. 0, -ENOENT (any of them is gone),
 * -ENOMEM, -EIO. */
int svc_conn_plan(struct svc *svc, const char *project_id, const char *id,
                  struct svc_conn_plan *ret);
void svc_conn_plan_done(struct svc_conn_plan *p);
/* The connection's status column into status, and (ret_held non-NULL) whether the control
 * surface holds it (svc_conn_is_held). 0, -ENOENT or a store error. */
int svc_conn_status(struct svc *svc, const char *project_id, const char *id, char status[24],
                    bool *ret_held);
/* Whether a data-plane driver is configured (svc->driver); if so *ret_connected says whether its
 * daemon is reachable now. */
bool svc_dataplane(const struct svc *svc, bool *ret_connected);
/* A due PENDING_* connection is taken in hand until `until`: its due time moves there
 * (compare-and-set on status and due time as d read them), so no other engine tick or node takes
 * it meanwhile; if the taker dies, it is due again then. 0, -ENOENT (moved on), store error. */
int svc_conn_claim(struct svc *svc, const struct svc_due *d, int64_t until);
/* Calls cb with every connection of every project (id, its gateway, its status), in one read
 * snapshot; strings borrowed for the call; a negative cb value stops the walk and is returned. */
int svc_conns_walk(struct svc *svc,
                   int (*cb)(void *ud, const char *project_id, const char *id, const char *vgw_id,
                             const char *status),
                   void *ud);
/* Takes and renews node's data-plane leases for lease_ms from now (store_leases_take): out
 * gets the gateways node holds as NUL-terminated project_id, vgw_id pairs; *ret_n their
 * number. */
int svc_leases(struct svc *svc, const char *node, int64_t lease_ms, struct buf *out,
               size_t *ret_n);

/* ---- connection monitors (service/monitor.c) ---- */

struct svc_monitor_query {
    const char *vpn_connection_id; /* NULL: any */
    struct svc_eps eps;
};

int svc_monitor_create(struct svc *svc, const char *project_id, const struct model_body *body,
                       struct buf *out, struct verr *err);
int svc_monitor_show(struct svc *svc, const char *project_id, const char *id, struct buf *out,
                     struct verr *err);
/* Appends the project's matching monitors, comma-separated, newest first. */
int svc_monitor_list(struct svc *svc, const char *project_id, const struct svc_monitor_query *q,
                     struct buf *out, struct verr *err);
int svc_monitor_delete(struct svc *svc, const char *project_id, const char *id,
                       struct verr *err);

/* ---- VPN gateways (service/vgw.c, vgw_update.c, vgw_extra.c) ---- */

struct svc_vgw_query {
    const char *vgw_id; /* NULL: any */
    struct svc_eps eps;
};

int svc_vgw_create(struct svc *svc, const char *project_id, const struct model_body *body,
                   struct buf *out, struct verr *err);
int svc_vgw_show(struct svc *svc, const char *project_id, const char *id, struct buf *out,
                 struct verr *err);
/* Appends the project's matching gateways, comma-separated, newest first (no pagination). */
int svc_vgw_list(struct svc *svc, const char *project_id, const struct svc_vgw_query *q,
                 struct buf *out, struct verr *err);
int svc_vgw_delete(struct svc *svc, const char *project_id, const char *id, struct verr *err);
/* PUT vpn-gateways/{id}; POST vpn-gateways/{id}/update-specification. Each appends the gateway. */
int svc_vgw_update(struct svc *svc, const char *project_id, const char *id,
                   const struct model_body *body, struct buf *out, struct verr *err);
int svc_vgw_update_flavor(struct svc *svc, const char *project_id, const char *id,
                          const struct model_body *body, struct buf *out, struct verr *err);
/* A GM gateway's certificate: create (cert_id NULL) or update, and show. Each appends the
 * certificate object. */
int svc_vgw_cert_write(struct svc *svc, const char *project_id, const char *id,
                       const char *cert_id, const struct model_body *body, struct buf *out,
                       struct verr *err);
int svc_vgw_cert_show(struct svc *svc, const char *project_id, const char *id, struct buf *out,
                      struct verr *err);
/* POST upgrade: appends the id of the job the action made or finished, as a JSON string (the
 * reply is {request_id, job_id}). */
int svc_vgw_upgrade(struct svc *svc, const char *project_id, const char *id,
                    const struct model_body *body, struct buf *out, struct verr *err);

/* A page of jobs or certificates: those after marker (the created_at of the previous page's
 * last one, "|<id>" added when the next shares it; NULL: the first page), at most limit. */
struct svc_jobs_query {
    const char *resource_id, *marker; /* NULL: any gateway / first page */
    size_t limit;
};
/* Appends a page of the project's jobs (of gateway resource_id, if not NULL), newest first,
 * comma-separated. A bad marker is refused ("marker: must be the created_at ..."). */
int svc_vgw_jobs(struct svc *svc, const char *project_id, const struct svc_jobs_query *q,
                 struct buf *out, struct verr *err);

struct svc_certs_query {
    const char *marker; /* NULL: first page */
    size_t limit;
    int64_t pre_expire_days; /* >= 0: only certificates expiring within that many days */
};
/* Appends a page of the project's gateway certificates (each with its project_id), newest
 * first, comma-separated; with pre_expire_days, those whose first certificate expires by then. */
int svc_vgw_certs(struct svc *svc, const char *project_id, const struct svc_certs_query *q,
                  struct buf *out, struct verr *err);
int svc_vgw_job_delete(struct svc *svc, const char *project_id, const char *job_id,
                       struct verr *err);

struct svc_routes_query {
    size_t limit, offset;
    bool nexthop_resource;
};
/* Appends one page of the gateway's routing table; page->next_marker is the next offset. */
int svc_vgw_routes(struct svc *svc, const char *project_id, const char *id,
                   const struct svc_routes_query *q, struct buf *out, struct svc_page *page,
                   struct verr *err);

/* ---- customer gateways (service/cgw.c) ---- */

struct svc_cgw_query {
    const char *cgw_id, *marker; /* NULL: any / first page */
    size_t limit;
};

int svc_cgw_create(struct svc *svc, const char *project_id, const struct model_body *body,
                   struct buf *out, struct verr *err);
int svc_cgw_show(struct svc *svc, const char *project_id, const char *id, struct buf *out,
                 struct verr *err);
int svc_cgw_list(struct svc *svc, const char *project_id, const struct svc_cgw_query *q,
                 struct buf *out, struct svc_page *page, struct verr *err);
int svc_cgw_update(struct svc *svc, const char *project_id, const char *id,
                   const struct model_body *body, struct buf *out, struct verr *err);
int svc_cgw_delete(struct svc *svc, const char *project_id, const char *id, struct verr *err);

/* ---- tags (service/tags.c), of gateways, customer gateways and connections ---- */

/* tags/create (merge) or tags/delete (remove keys) on one resource. */
int svc_tags_write(struct svc *svc, enum model_kind kind, const char *project_id, const char *id,
                   const struct model_body *body, bool create, struct verr *err);
/* Appends the resource's tags as {"key","value"} objects, comma-separated, by key. */
int svc_tags_show(struct svc *svc, enum model_kind kind, const char *project_id, const char *id,
                  struct buf *out, struct verr *err);
/* Appends each key of the project's resources with its values: {"key","values":[...]}. */
int svc_tags_project(struct svc *svc, enum model_kind kind, const char *project_id,
                     struct buf *out, struct verr *err);
/* resource-instances filter (limit > 0: appends the page's resources) or count (limit 0:
 * appends nothing); *ret_total gets the number of matching resources. */
int svc_tags_filter(struct svc *svc, enum model_kind kind, const char *project_id,
                    const struct model_body *body, size_t limit, size_t offset, struct buf *out,
                    int64_t *ret_total, struct verr *err);

/* ---- quotas (service/quota.c) ---- */

/* Appends the project's quota objects {"type","quota","used"}, comma-separated. */
int svc_quotas(struct svc *svc, const char *project_id, struct buf *out, struct verr *err);

/* ---- the status engine's work (service/settle.c); the engine only schedules it ---- */

/* A resource whose status_due has passed. */
struct svc_due {
    enum model_kind kind; /* MODEL_KIND_VGW, _CONN or _MONITOR */
    char project_id[MODEL_PROJECT_ID_LEN];
    char id[MODEL_UUID_LEN];
    char status[24];
    int64_t due;
};

/* Up to max (at most SVC_DUE_MAX) gateways and connections (monitors: svc_due_monitors) due by
 * now, oldest first. */
#define SVC_DUE_MAX 64
int svc_due(struct svc *svc, int64_t now, size_t max, struct svc_due *out, size_t *ret_n);
int svc_due_monitors(struct svc *svc, int64_t now, size_t max, struct svc_due *out,
                     size_t *ret_n);
/* A gateway settles ACTIVE (a due time on another status is only cleared). 0, -ENOENT when
 * another writer got there first, or a store error. */
int svc_vgw_settle(struct svc *svc, const struct svc_due *d);

/* One connection settle: d moves to `to` (nothing pending after it); result as
 * store_conn_set_status's. */
struct svc_conn_settle {
    const struct svc_due *d;
    const char *to;
    int result; /* 0 applied, -ENOENT moved on meanwhile */
};
/* Settles every item in one store call (each its own compare-and-set on status and due time;
 * a transition from a PENDING_ status is written to the connection's log). Returns 0 or a store
 * error (then nothing, or with PostgreSQL the items before the failing one, applied). */
int svc_conn_settle(struct svc *svc, struct svc_conn_settle *items, size_t n);
/* Removes a PENDING_DELETE connection (row, claims, monitor, log, its gateway slot). */
int svc_conn_remove(struct svc *svc, const struct svc_due *d);
/* Monitors: PENDING_CREATE becomes ACTIVE; a PENDING_DELETE one is removed (and its
 * connection stops showing it). */
int svc_monitor_settle(struct svc *svc, const struct svc_due *d);

/* ---- the control surface (service/control.c): its shared table, status writes, reset ---- */

/* Sets (or with fn NULL clears) the hook asked for the due time of every resource that enters
 * a PENDING_* status. */
void svc_set_pending_hook(struct svc *svc, svc_pending_fn fn, void *ud);
/* The store's control table (store.h "control"), passed through: same contract. */
int svc_ctl_get(struct svc *svc, const char *key, struct buf *value, int64_t *ret_n);
int svc_ctl_list(struct svc *svc, const char *prefix,
                 int (*cb)(void *ud, const char *key, const char *value, int64_t n), void *ud);
int svc_ctl_put(struct svc *svc, const char *key, const char *value, int64_t n);
int svc_ctl_delete(struct svc *svc, const char *key, bool prefix, int64_t *ret_n);
int svc_ctl_add(struct svc *svc, const char *key, int64_t delta, int64_t *ret_n);
/* The table's generation (store.h STORE_CTL_GENERATION): it moves with every put and delete. */
int svc_ctl_generation(struct svc *svc, int64_t *ret);

/* A resource's status as stored: the status column and (connections and monitors) its due
 * time; a gateway's due time is not read (0). vgw_id (may be NULL) gets a connection's gateway.
 * -EINVAL (err: "<kind> ... not found" as VERR_NOT_FOUND) when absent. */
struct svc_status {
    char status[24];
    int64_t due;
    char vgw_id[MODEL_UUID_LEN];
};
int svc_status_get(struct svc *svc, enum model_kind kind, const char *project_id, const char *id,
                   struct svc_status *ret, struct verr *err);
/* Moves a resource from status `from` (and, for connections, due time from_due unless it is
 * -1) to `to` with due time `due` (0: nothing pending; SVC_DUE_HELD: held), a compare-and-set;
 * a connection's log gets "status <from> -> <to> (<reason>)" when the status changes. 0,
 * -ENOENT when it is gone or no longer as read, or a store error. */
int svc_status_set(struct svc *svc, enum model_kind kind, const char *project_id, const char *id,
                   const char *from, int64_t from_due, const char *to, int64_t due,
                   const char *reason);
/* Applies the configured quotas to the store's inserts (on), or none (off: an operator's load,
 * as vpnd import and the control surface's seed). */
void svc_quotas_apply(struct svc *svc, bool on);
/* Deletes every resource of project_id (NULL: of every project): store_reset; svc->resets
 * counts it. */
int svc_reset(struct svc *svc, const char *project_id);
/* store_ping / store_backend_name. */
int svc_ping(struct svc *svc);
const char *svc_store_name(const struct svc *svc);

/* ---- vpnd import and vpnd export (service/bulk.c) ---- */

/* A bulk load of records: one store transaction over every record (store_bulk_begin), each
 * record stored by the steps an API create takes. */
struct svc_import;

/* Starts a bulk load. 0, or the store's error (-EBUSY: another writer holds the store). */
int svc_import_begin(struct svc *svc, struct svc_import **ret);
/* Opens the next batch of records (keeping the open one's): until it ends, a record whose store
 * write fails makes its svc_import_* call return -EAGAIN, and the caller must svc_import_undo
 * the batch and run its records again one by one. -EOPNOTSUPP: the store has no batches (every
 * record's writes stay atomic on their own). */
int svc_import_batch(struct svc_import *imp);
int svc_import_undo(struct svc_import *imp);
/* Ends the load: commit keeps every record stored, otherwise none. Frees imp. */
int svc_import_end(struct svc_import *imp, bool commit);
/* Stores one record's resource (as model_record_parse gave it, with rec's metadata; keep: its
 * time stamps and status are kept). 0; -EINVAL (the record is refused: err); -EAGAIN (inside a
 * batch: undo it and run its records again); or a store error. */
int svc_import_vgw(struct svc_import *imp, const char *project_id, const struct model_record *rec,
                   bool keep, struct model_vgw *g, struct verr *err);
int svc_import_cgw(struct svc_import *imp, const char *project_id, const struct model_record *rec,
                   bool keep, struct model_cgw *cgw, struct verr *err);
int svc_import_conn(struct svc_import *imp, const char *project_id,
                    const struct model_record *rec, bool keep, struct model_vpn_conn *c,
                    struct verr *err);

/* What svc_dump calls for each resource, its status and updated_at from its row; the model is
 * borrowed for the call. A negative return stops the dump, which returns it. */
struct svc_dump_cbs {
    int (*vgw)(void *ud, const char *project_id, const struct model_vgw *g);
    int (*cgw)(void *ud, const char *project_id, const struct model_cgw *cgw);
    int (*conn)(void *ud, const char *project_id, const struct model_vpn_conn *c);
};
/* Every gateway, customer gateway and connection of every project, in one read snapshot, in an
 * order an import reads back (store_dump). */
int svc_dump(struct svc *svc, const struct svc_dump_cbs *cbs, void *ud);

#endif
