/* driver/strongswan/vici_map.h: the VICI messages that load a VPN connection into charon.
 *
 * The mapping itself (API fields -> strongSwan settings) is model_ipsec_conn_build, shared with
 * the peer configuration export; this file writes its result as load-conn / load-shared and the
 * matching unload-conn / unload-shared messages. Pure: no I/O, no logging.
 */
#ifndef VPND_DRIVER_VICI_MAP_H
#define VPND_DRIVER_VICI_MAP_H

#include "driver/strongswan/vici_msg.h"
#include "model/ipsec.h"

/* The messages of one connection, each a message body for vici_client_call. */
struct vici_map_msgs {
    char name[MODEL_IPSEC_NAME_LEN];   /* charon's connection name, also the shared key's id */
    struct vici_builder load_conn;     /* { <name> = { ... } } */
    struct vici_builder load_shared;   /* { id, type = IKE, data = <psk>, owners = [...] } */
    struct vici_builder unload_conn;   /* { name } */
    struct vici_builder unload_shared; /* { id } */
};

/* Maps connection c with its gateway g and customer gateway cgw (the cloud side) into *ret,
 * which the caller frees with vici_map_msgs_done (also after a failure). Returns 0, -EINVAL
 * (err filled: what strongSwan cannot realize, see model_ipsec_conn_build; also a connection
 * without a PSK) or -ENOMEM. The load_shared message holds the PSK: never log it. */
int vici_map_conn(const struct model_vpn_conn *c, const struct model_vgw *g,
                  const struct model_cgw *cgw, struct vici_map_msgs *ret, struct verr *err);
void vici_map_msgs_done(struct vici_map_msgs *m);
/* The messages of an IKE connection model_ipsec_conn_build made (the cloud side) with its PSK,
 * into *ret (freed by the caller with vici_map_msgs_done, also after a failure). Returns 0 or
 * vici_builder_finish's error. */
int vici_map_build(const struct model_ipsec_conn *x, const char *psk, struct vici_map_msgs *ret);

/* Writes the load-conn message of x into b (initialized). Returns vici_builder_finish's
 * result. */
int vici_map_load_conn(const struct model_ipsec_conn *x, struct vici_builder *b);
/* Writes {name} (unload-conn) or {id} (unload-shared) for a connection name. */
int vici_map_unload(const char *key, const char *name, struct vici_builder *b);

#endif
