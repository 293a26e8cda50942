/* service/svc_int.h: what the service's files share; not part of its interface (svc.h). */
#ifndef VPND_SERVICE_SVC_INT_H
#define VPND_SERVICE_SVC_INT_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "service/svc.h"
#include "store/store.h"

/* How often a compare-and-set write is retried after losing a race before -EBUSY. */
#define SVC_CAS_ATTEMPTS 4
/* creates with an automatic tunnel /30 re-pick at most this often after losing a race */
#define SVC_TUNNEL_ATTEMPTS 8
/* How often an insert with a drawn address (EIP, private IP) is retried on a collision. */
#define SVC_ADDRESS_ATTEMPTS 8
/* The first entry of a connection's log; later ones read "status <from> -> <to>[ (why)]". */
#define SVC_CONN_EVENT_CREATED "status PENDING_CREATE (created)"
#define SVC_TUNNEL_CLAIM_PREFIX "tunnel:"

/* A decode of a stored document: one that does not parse (-EINVAL) is the store's fault, -EIO;
 * -ENOMEM stays. */
static inline int svc_stored(int r)
{
    return r == -EINVAL ? -EIO : r;
}

/* When a resource entering a PENDING_* status at now is due for the status engine. */
int64_t svc_due_at(const struct svc *svc, int64_t now);
/* The due time of resource id of kind entering PENDING_* status at now: svc_due_at, or what
 * the control surface's hook says (svc.h svc_pending_fn; it may be SVC_DUE_HELD). vgw_id: a
 * connection's gateway, else NULL. */
int64_t svc_due_for(struct svc *svc, enum model_kind kind, const char *project_id, const char *id,
                    const char *vgw_id, const char *status, int64_t now);
/* The compare-and-set of a connection's status column (store_conn_set_status): from (and its
 * due time from_due unless -1) -> to with due time due, message (NULL: none) appended to its log
 * in the same transaction. 0, -ENOENT (gone, or no longer as read) or a store error. */
int svc_conn_status_cas(struct svc *svc, const char *project_id, const char *id,
                        const char *from, int64_t from_due, const char *to, int64_t due,
                        const char *message);
/* The pool gateway g draws its EIP addresses (eip) or private access IPs from: the one of its
 * ip_version. */
const struct svc_pool *svc_pool_of(const struct svc *svc, const struct model_vgw *g, bool eip);
/* now, or later than before when the clock has not moved past it (updated_at always moves). */
int64_t svc_later(int64_t now, int64_t before);
/* Keeps out at len (drops what a failed attempt appended). */
void svc_buf_cut(struct buf *out, size_t len);
/* Reserves SVC_REPLY_SLACK bytes after out's content (svc.h "Replies"). 0 or -ENOMEM. */
int svc_reply_room(struct buf *out);
/* A generated name: prefix + 4 hex characters, unless name is set. 0 or -EIO. */
int svc_name_fill(char name[MODEL_NAME_LEN], const char *prefix);
/* The message of a quota refusal: the project holds quota resources of kind already (the store
 * refused an insert with -EDQUOT). Returns -EINVAL (err filled) or a store error. */
int svc_quota_refuse(struct svc *svc, const char *project_id, enum model_kind kind,
                     struct verr *err);

/* ---- gateways and customer gateways as connections see them (conn_load.c) ---- */

/* A gateway as read for a connection write: the parsed spec (read-only: svc's spec cache, or
 * own) and the columns the store maintains. */
struct svc_vgw_ref {
    const struct model_vgw *g;
    int64_t updated_at; /* the row's: what a connection write's compare-and-set names */
    int64_t used_connection_number;
    int64_t connection_number;
    char status[24];
};

/* Reads gateway vgw_id for a connection at path ("vpn_connection", "vpn_connections[1]"):
 * VERR_NOT_FOUND naming path.vgw_id, then the lifecycle (MODEL_OP_USE: it must be ACTIVE). */
int svc_conn_vgw(struct svc *svc, const char *project_id, const char *path, const char *vgw_id,
                 struct svc_vgw_ref *ret, struct verr *err);
/* Reads customer gateway cgw_id for a connection at path: VERR_NOT_FOUND naming path.cgw_id.
 * *ret is the spec cache's (valid until the next svc_conn_cgw). */
int svc_conn_cgw(struct svc *svc, const char *project_id, const char *path, const char *cgw_id,
                 const struct model_cgw **ret, struct verr *err);

/* The claim that keeps a tunnel /30 unique on its gateway. */
struct svc_tunnel_claim {
    char kind[sizeof(SVC_TUNNEL_CLAIM_PREFIX) + MODEL_UUID_LEN];
    char net[MODEL_CIDR_LEN];
    struct store_claim claim;
};
void svc_tunnel_claim_init(struct svc_tunnel_claim *t, const struct model_vpn_conn *c);
/* Gives c a /30 not yet used on its gateway nor listed in also[0..n_also) (/30 networks): the
 * lowest free one, or with spread > 0 a random one of the lowest spread free ones (the lowest
 * when fewer are free), so that creates re-picking after a race with another node's do not
 * collide on the same lowest /30 again. 0, -ENOSPC (none left) or a store error. */
int svc_tunnel_pick(struct svc *svc, struct model_vpn_conn *c, const char *const *also,
                    size_t n_also, uint32_t spread);

/* Renders c's stored forms (spec and doc, both without status: the row's status column holds
 * it) into spec and doc and fills every column of row (row borrows both): status, and due (the
 * status_due column). 0 or -ENOMEM. */
int svc_conn_row(const char *project_id, const struct model_vpn_conn *c, const char *status,
                 int64_t due, struct buf *spec, struct buf *doc, struct store_conn_row *row);
/* Appends the served form of a stored doc (row->doc with row->status) to out. */
int svc_conn_serve(const struct store_conn_row *row, struct buf *out);

/* A connection as read for a write: its row (spec and doc owned) and, parsed, its model. */
struct svc_conn_cur {
    struct store_conn_row row;
    struct model_vpn_conn *c; /* malloc'd; NULL when not parsed */
};
/* Reads connection id (VERR_NOT_FOUND "vpn connection ..."); parses it when parse is set. */
int svc_conn_cur_load(struct svc *svc, const char *project_id, const char *id, bool parse,
                      struct svc_conn_cur *cur, struct verr *err);
void svc_conn_cur_done(struct svc_conn_cur *cur);

/* ---- gateways as their own operations see them (vgw.c) ---- */

/* A stored gateway: its model (status, updated_at and the connection counts from the row's
 * columns) and its status column. */
struct svc_vgw_cur {
    struct model_vgw g;
    char status[24];
};
/* Reads gateway id (VERR_NOT_FOUND "vpn gateway ..."). */
int svc_vgw_load(struct svc *svc, const char *project_id, const char *id,
                 struct svc_vgw_cur *cur, struct verr *err);
/* Writes cur->g back in one transaction, a compare-and-set on the status read (cur->status):
 * with pending the gateway becomes PENDING_UPDATE (settled ACTIVE by the status engine),
 * otherwise the status stays (and stays due if it was pending). updated_at moves. Returns 0,
 * or store_vgw_update's error (-EAGAIN: the status changed meanwhile, -ENOENT: gone). */
int svc_vgw_save(struct svc *svc, const char *project_id, struct svc_vgw_cur *cur, bool pending);
/* The stored form of g (no status: the column holds it) into spec; fills row (borrowing spec)
 * with status and due. 0 or -ENOMEM. */
int svc_vgw_row(const char *project_id, const struct model_vgw *g, const char *status,
                int64_t due, struct buf *spec, struct store_vgw_row *row);

/* ---- customer gateways (cgw.c) ---- */

/* Gives cgw's CA certificate a fresh id when one is set without an id. 0 or -EIO. */
int svc_cgw_ca_id(struct model_cgw *cgw);
/* The stored form of cgw into spec; fills row (borrowing spec). 0 or -ENOMEM. */
int svc_cgw_row(const char *project_id, const struct model_cgw *cgw, struct buf *spec,
                struct store_cgw_row *row);

/* ---- address pools (vgw.c) ---- */

/* The unique values a gateway holds (store claims): EIP ids and addresses, or private IPs. */
#define SVC_VGW_CLAIMS 4
struct svc_vgw_claims {
    size_t n;
    struct store_claim v[SVC_VGW_CLAIMS];
    char kind[128]; /* "private_ip:<project>:<vpc>" or "eip_id:<project>" */
};
/* The four claims of a public gateway's EIPs into v: the ids, scoped by project (EIPs belong to
 * a project: another project's id is just an unknown id, never "bound elsewhere"), and the
 * addresses, unique across the store (drawn from one pool). kind is the buffer of the scoped
 * kind; v borrows it and g. */
void svc_eip_claims(const char *project_id, const struct model_vgw *g, char kind[128],
                    struct store_claim v[SVC_VGW_CLAIMS]);
/* Draws what the gateway leaves to the server: EIP ids (draw_ids) and addresses of eip1 / eip2
 * (eip1, eip2), or both private IPs (private_ips); lists its claims. 0 or -EIO. */
struct svc_vgw_draw {
    bool eip_ids, eip1, eip2, private_ips;
};
int svc_vgw_addresses(struct svc *svc, const char *project_id, struct model_vgw *g,
                      const struct svc_vgw_draw *d, struct svc_vgw_claims *cl);

#endif
