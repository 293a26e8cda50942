/* api/vpn_conn_int.h: helpers shared by the connection handlers (vpn_conn.c, vpn_conn_batch.c,
 * vpn_conn_life.c, monitors.c); not part of the API module's interface. Functions taking resp
 * answer the error themselves and return -1. */
#ifndef VPND_API_VPN_CONN_INT_H
#define VPND_API_VPN_CONN_INT_H

#include "api/api.h"
#include "model/model.h"
#include "store/store.h"

#define TUNNEL_CLAIM_PREFIX "tunnel:"
/* The first entry of a connection's log (GET vpn-connection/{id}/log); later ones read
 * "status <from> -> <to>[ (why)]". */
#define VPN_CONN_EVENT_CREATED "status PENDING_CREATE (created)"

/* The claim that keeps a tunnel /30 unique on its gateway. */
struct tunnel_claim {
    char kind[sizeof(TUNNEL_CLAIM_PREFIX) + MODEL_UUID_LEN];
    char net[MODEL_CIDR_LEN];
    struct store_claim claim;
};

/* Loads the ACTIVE gateway / the customer gateway a connection names (404, 409, 500); path is
 * the connection object's path in the body ("vpn_connection", "vpn_connections[1]"). */
int vpn_conn_load_gateway(struct api *api, const struct api_call *call, const char *path,
                          const char *vgw_id, struct model_vgw *g, struct http_response *resp);
int vpn_conn_load_customer_gateway(struct api *api, const struct api_call *call,
                                   const char *path, const char *cgw_id, struct model_cgw *cgw,
                                   struct http_response *resp);
void vpn_conn_tunnel_claim_init(struct tunnel_claim *t, const struct model_vpn_conn *c);
/* Picks the lowest /30 not yet used on c's gateway nor listed in also[0..n_also) (/30 networks).
 * Returns 0, -ENOSPC or a store error. */
int vpn_conn_allocate_tunnel(struct api *api, struct model_vpn_conn *c, const char *const *also,
                             size_t n_also);
/* Renders c into spec and doc and fills every column of row from c (row borrows spec and doc).
 * The status engine acts delay_ms after changed_at. Returns 0 or -ENOMEM. */
int vpn_conn_row_build(struct api *api, const char *project_id, const struct model_vpn_conn *c,
                       int64_t changed_at, struct buf *spec, struct buf *doc,
                       struct store_conn_row *row);
/* 400 VPN.0012 naming c's tunnel /30. */
int vpn_conn_fail_tunnel_taken(const struct http_request *req, struct http_response *resp,
                               const struct model_vpn_conn *c);

/* A connection as read for a compare-and-set write: the row (spec, doc owned) and its model. */
struct vpn_conn_cur {
    struct store_conn_row row;
    struct model_vpn_conn *c; /* malloc'd */
};
/* Reads connection id of the call's project: 404 VPN.0004 if absent, 500 otherwise. */
int vpn_conn_cur_load(struct api *api, const struct api_call *call, const char *id,
                      struct vpn_conn_cur *cur, struct http_response *resp);
void vpn_conn_cur_done(struct vpn_conn_cur *cur);
/* True (after answering 425 VPN.0009) when the connection is PENDING_DELETE. */
bool vpn_conn_is_deleting(const struct api_call *call, const struct vpn_conn_cur *cur,
                          struct http_response *resp);
/* How often a compare-and-set write is retried after losing a race before answering 504. */
#define VPN_CONN_CAS_ATTEMPTS 4

#endif
