/* model/ipsec.h: a stored VPN connection as strongSwan configures it (docs/strongswan-mapping.md).
 *
 * model_ipsec_conn_build is the one mapping from the API's connection, gateway and customer
 * gateway to an IKE connection with its CHILD_SAs, for either end of the tunnel: the cloud
 * gateway (what the strongSwan driver loads over VICI) or the customer gateway (what the peer
 * configuration export writes as swanctl.conf). Both renderings read this struct, so the two
 * ends cannot disagree.
 *
 * Pure code: no I/O, no logging. The PSK is not copied into the struct; renderers take it from
 * the connection.
 */
#ifndef VPND_MODEL_IPSEC_H
#define VPND_MODEL_IPSEC_H

#include "model/model.h"

#define MODEL_IPSEC_NAME_PREFIX "vpnd-" /* charon connection names vpnd owns: vpnd-<conn id> */
#define MODEL_IPSEC_NAME_LEN (sizeof(MODEL_IPSEC_NAME_PREFIX) + MODEL_UUID_LEN)
#define MODEL_IPSEC_IDENT_LEN (MODEL_ID_VALUE_LEN + 8) /* "fqdn:" + id value */
#define MODEL_IPSEC_PROPOSAL_LEN 48                    /* "aes256gcm16-prfsha512-modp4096" */
#define MODEL_IPSEC_MAX_CHILDREN MODEL_MAX_POLICY_RULES
/* >= local and peer subnets of both families (a dual-stack tunnel selects both) */
#define MODEL_IPSEC_MAX_TS (2 * MODEL_MAX_LOCAL_SUBNETS)

enum model_ipsec_side {
    MODEL_IPSEC_CLOUD, /* the VPN gateway: local = gateway address, remote = customer gateway */
    MODEL_IPSEC_PEER,  /* the customer gateway: everything mirrored */
};

struct model_ipsec_child {
    char name[8]; /* "rule1".."rule5" (POLICY) or "tunnel" (STATIC, BGP) */
    size_t n_local_ts, n_remote_ts;
    struct model_cidr local_ts[MODEL_IPSEC_MAX_TS];
    struct model_cidr remote_ts[MODEL_IPSEC_MAX_TS];
};

struct model_ipsec_conn {
    char name[MODEL_IPSEC_NAME_LEN];       /* "vpnd-<conn id>" on both sides */
    unsigned version;                      /* IKE version: 1 or 2 */
    bool aggressive;                       /* IKEv1 aggressive mode */
    char local_addr[MODEL_ID_VALUE_LEN];   /* IKE endpoint: the gateway's IPv4 or IPv6 address */
    char remote_addr[MODEL_ID_VALUE_LEN];  /* IPv4 / IPv6 address or DNS name (fqdn customer gw) */
    char local_id[MODEL_IPSEC_IDENT_LEN];  /* strongSwan identities: "198.18.0.1", "fqdn:x.y" */
    char remote_id[MODEL_IPSEC_IDENT_LEN]; /* ... or "%any" (peer_id_type any) */
    char ike_proposal[MODEL_IPSEC_PROPOSAL_LEN]; /* "aes128-sha256-modp3072" */
    char esp_proposal[MODEL_IPSEC_PROPOSAL_LEN]; /* "aes128-sha256-modp3072", "aes128-sha256" */
    /* IKE SA (seconds): IKEv2 rekeys, IKEv1 reauthenticates; hard end at rekey/reauth + over */
    int64_t rekey_time, reauth_time, over_time, rand_time;
    int64_t dpd_delay;   /* ikepolicy.dpd.interval */
    int64_t dpd_timeout; /* IKEv1: dpd.interval + dpd.timeout; IKEv2: 0 (charon's retransmits) */
    /* CHILD SAs (seconds): hard end life_time, rekey at rekey_time minus up to rand_time */
    int64_t child_rekey_time, child_life_time, child_rand_time;
    const char *start_action; /* "start" */
    const char *dpd_action;   /* "restart" */
    const char *close_action; /* "none" */
    unsigned keyingtries;     /* 0: keep trying until established */
    size_t n_children;
    struct model_ipsec_child children[MODEL_IPSEC_MAX_CHILDREN];
};

/* Maps connection c (bound: model_conn_bind has filled its ids), its gateway g and customer
 * gateway cgw to the IKE connection of one side; *ret is written only on success. Returns 0,
 * or -EINVAL with err filled when strongSwan cannot realize the connection: a GM gateway or
 * algorithm (sm3, sm4, digital-envelope-v2), an AES-GCM IKE proposal with IKEv1, the
 * POLICY-TEMPLATE style, a STATIC/BGP connection without local or peer subnets (it would need a
 * route-based tunnel), or a gateway address that is not assigned. The message reads "<field path>:
 * <reason>, got <value>", e.g. "vpn_connection.ikepolicy.encryption_algorithm: sm4 (GM) is not
 * supported by the strongSwan data plane, got \"sm4\"". */
int model_ipsec_conn_build(const struct model_vpn_conn *c, const struct model_vgw *g,
                           const struct model_cgw *cgw, enum model_ipsec_side side,
                           struct model_ipsec_conn *ret, struct verr *err);

/* The syntax a rendering writes: VICI messages and swanctl.conf hold the same tree of sections,
 * key/values and lists of strings. Callbacks record their own failures in ctx. */
struct model_ipsec_emit {
    void (*section)(void *ctx, const char *name);
    void (*end_section)(void *ctx);
    void (*kv)(void *ctx, const char *key, const char *value);
    void (*list)(void *ctx, const char *key);
    void (*item)(void *ctx, const char *value);
    void (*end_list)(void *ctx);
};

/* Emits the connection as swanctl.conf / load-conn write it: a section named x->name holding
 * the IKE settings, "local" and "remote" authentication sections and "children". */
void model_ipsec_conn_emit(const struct model_ipsec_conn *x, const struct model_ipsec_emit *e,
                           void *ctx);

/* True if name is a charon connection name model_ipsec_conn_build makes ("vpnd-<uuid>"):
 * what a reconciler may unload. */
bool model_ipsec_name_is_ours(const char *name);

/* Writes the strongSwan swanctl.conf of the customer side of connection c (connections and
 * secrets sections, the PSK included: the export's purpose) to out. Loaded with
 * `swanctl --load-all --file`, it brings the tunnel up against the cloud side. Returns 0,
 * -EINVAL (err filled, as model_ipsec_conn_build; also a connection without a PSK) or
 * -ENOMEM. */
int model_peer_config_swanctl(const struct model_vpn_conn *c, const struct model_vgw *g,
                              const struct model_cgw *cgw, struct buf *out, struct verr *err);

/* A device the peer configuration export writes for (GET peer-configuration/supported-devices:
 * {vendor, platform, version}; the export's body names it as {vendor, model, version}). */
struct model_peer_device {
    const char *vendor, *platform, *version;
};
/* Every supported device (today one: strongSwan swanctl 5.9, model_peer_config_swanctl). */
const struct model_peer_device *model_peer_devices(size_t *ret_n);
/* Reads the export body {vendor, type?, model, version} (strings; vendor and model compared
 * without case) and the device it names into *ret. -EINVAL (err) for a missing or non-string
 * member, or a device not supported: "vendor: must be a vendor of GET
 * peer-configuration/supported-devices (strongSwan), got \"Cisco\"". */
int model_peer_device_parse(const struct model_body *body, const struct model_peer_device **ret,
                            struct verr *err);

#endif
