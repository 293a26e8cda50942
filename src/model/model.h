/* model/model.h: the resource types of the VPN v5 API, their validation, and their JSON forms.
 *
 * Pure code: no I/O, no logging, no HTTP or SQL. Every string field is a fixed-size array or
 * a pointer to a static canonical string (enum values), so a model struct owns no heap memory
 * and can be copied with memcpy and released by freeing the struct itself.
 *
 * Three JSON forms exist for each resource:
 *  - the request body (parse_create / parse_update): strict validation, precise errors;
 *  - the response object (render): exactly the documented fields, presence rules applied;
 *  - the internal form (to_internal / from_internal): everything, psk included, for the store.
 */
#ifndef VPND_MODEL_H
#define VPND_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define MODEL_UUID_LEN 37
#define MODEL_NAME_LEN 256     /* 64 characters of up to 4 UTF-8 bytes, NUL */
#define MODEL_CIDR_LEN 44      /* canonical IPv6 "ffff:...:ffff/128" (RFC 5952) + NUL */
#define MODEL_IP_LEN 40        /* canonical IPv6 (RFC 5952, 39 characters) or dotted IPv4, NUL */
#define MODEL_ID_VALUE_LEN 256 /* local_id / peer_id / cgw id_value: 128 chars, NUL */
#define MODEL_PSK_LEN 129
#define MODEL_TAG_KEY_LEN 513   /* 128 characters of up to 4 bytes, NUL */
#define MODEL_TAG_VALUE_LEN 1021 /* 255 characters of up to 4 bytes, NUL */

#define MODEL_MAX_PEER_SUBNETS 50
#define MODEL_MAX_LOCAL_SUBNETS 50
#define MODEL_MAX_POLICY_RULES 5
#define MODEL_MAX_DESTINATIONS 50
#define MODEL_MAX_TAGS 20
#define MODEL_MAX_AZS 4

/* What a refused request is, as a client sees it. The model and the service name the outcome;
 * api/errors.c is the one table that gives each its HTTP status, its error_code and the prefix of
 * its message (README "Errors" lists them). */
enum verr_code {
    VERR_INVALID,          /* a rule of the request or of the resource's state (VPN.0001) */
    VERR_NOT_FOUND,        /* no such resource in the project (VPN.0004) */
    VERR_CONN_DELETING,    /* the connection is PENDING_DELETE (VPN.0009) */
    VERR_IP_OCCUPIED,      /* an address or tunnel /30 is taken (VPN.0012) */
    VERR_VGW_NOT_READY,    /* the gateway is not ACTIVE (VPN.0016) */
    VERR_PRIVATE_IP_SAME,  /* access_private_ip_2 repeats access_private_ip_1 (VPN.0107) */
    VERR_PRIVATE_IP_PAIR,  /* one access_private_ip without the other (VPN.0109) */
    VERR_EIP_BOUND,        /* the EIP is bound to another gateway (VPN.0112) */
    VERR_CONN_NO_LOG,      /* a POLICY-TEMPLATE connection has no log (VPN.0305) */
    VERR_CONN_UPDATING,    /* the connection is PENDING_UPDATE (VPN.0306) */
    VERR_CONN_HAS_MONITOR, /* the connection already has a monitor (VPN.0381) */
    VERR_VGW_CREATING,     /* the gateway is PENDING_CREATE (VPN.0506) */
    VERR_VGW_UPDATING,     /* the gateway is PENDING_UPDATE (VPN.0507) */
    VERR_VGW_DELETING,     /* the gateway is PENDING_DELETE (VPN.0508) */
    VERR_N_CODES
};

/* A refusal: its code and a message without the code's prefix ("invalid request: " ...): for a
 * broken rule "path: rule with limits, got value" (STYLE.md). Functions that fill one return
 * -EINVAL, and return -EINVAL only after filling it. */
struct verr {
    enum verr_code code;
    char msg[512];
};

/* Formats e->msg as "<path>: <fmt...>" with code VERR_INVALID. Always returns -EINVAL.
 * verr_set_code does the same for a rule the API documents a specific code for. */
int verr_set(struct verr *e, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int verr_set_code(struct verr *e, enum verr_code code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Formats e->msg as fmt... (no path) with code. Always returns -EINVAL. */
int verr_fail(struct verr *e, enum verr_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- request bodies ---- */

/* A request body parsed once (jansson inside), handed to the parse functions below. */
struct model_body;

/* Parses text[0..len), which must be a JSON object; with empty_is_object an empty body is {}.
 * Returns 0 (*ret: free with model_body_free), -EINVAL (err: "request body is not valid JSON:
 * <reason> at line L column C" or "request body: must be an object, got array") or -ENOMEM. */
int model_body_parse(const char *text, size_t len, bool empty_is_object, struct model_body **ret,
                     struct verr *err);
void model_body_free(struct model_body *b); /* NULL is a no-op */
void model_body_freep(struct model_body **b); /* for _cleanup_ */

struct model_tag {
    char key[MODEL_TAG_KEY_LEN];
    char value[MODEL_TAG_VALUE_LEN];
};

struct model_tags {
    size_t n;
    struct model_tag v[MODEL_MAX_TAGS];
};

struct model_cidr {
    char s[MODEL_CIDR_LEN]; /* canonical form: "10.0.0.0/24", "2001:db8::/32" (RFC 5952) */
};

struct model_dpd {
    int64_t timeout;  /* 2..60, default 15 */
    int64_t interval; /* 10..3600, default 30 */
    const char *msg;  /* "seq-hash-notify" (default) | "seq-notify-hash" */
};

struct model_ikepolicy {
    const char *ike_version;              /* "v1" | "v2" (default) */
    const char *phase1_negotiation_mode;  /* "main" (default) | "aggressive"; rendered for v1 only */
    const char *authentication_algorithm; /* default "sha2-256" */
    const char *encryption_algorithm;     /* default "aes-128" */
    const char *dh_group;                 /* default "group15"; not rendered for GM gateways */
    const char *authentication_method;    /* "pre-share" (default) | "digital-envelope-v2" */
    int64_t lifetime_seconds;             /* 60..604800, default 86400 */
    const char *local_id_type;            /* "ip" (default) | "fqdn" */
    char local_id[MODEL_ID_VALUE_LEN];    /* "" until model_conn_bind fills the default */
    const char *peer_id_type;             /* "ip" (default) | "fqdn" | "any" */
    char peer_id[MODEL_ID_VALUE_LEN];
    struct model_dpd dpd;
};

struct model_ipsecpolicy {
    const char *authentication_algorithm; /* default "sha2-256" */
    const char *encryption_algorithm;     /* default "aes-128" */
    const char *pfs;                      /* default "group15"; groups + "disable"; not for GM */
    const char *transform_protocol;       /* "esp" */
    int64_t lifetime_seconds;             /* 30..604800, default 3600 */
    const char *encapsulation_mode;       /* "tunnel" */
};

struct model_policy_rule {
    int64_t rule_index; /* 0..50; generated 1-based when not given */
    struct model_cidr source;
    size_t n_destination;
    struct model_cidr destination[MODEL_MAX_DESTINATIONS];
};

/* ---- statuses and the lifecycle (model/lifecycle.c) ---- */

/* Every status a gateway, a connection or a monitor can be in. A resource's status is stored
 * once, in its row's status column, as the status's canonical text (model_status_names). */
enum model_status {
    MODEL_PENDING_CREATE,
    MODEL_PENDING_UPDATE,
    MODEL_PENDING_DELETE,
    MODEL_ACTIVE,
    MODEL_DOWN,
    MODEL_ERROR,
    MODEL_FAULT,
    MODEL_FREEZED,
    MODEL_UNKNOWN,
    MODEL_N_STATUSES
};
extern const char *const model_status_names[MODEL_N_STATUSES];
/* The canonical text of a status: MODEL_STATUS(ACTIVE) is "ACTIVE" (the same pointer every time,
 * and the one the enum fields of a parsed resource get). */
#define MODEL_STATUS(s) (model_status_names[MODEL_##s])
extern const char *const MODEL_STATUS_PENDING_CREATE; /* MODEL_STATUS(PENDING_CREATE) */
/* The status s names, or -1. */
int model_status_of(const char *s);
/* True for PENDING_CREATE, PENDING_UPDATE and PENDING_DELETE: the status engine acts next. */
bool model_status_is_pending(const char *s);

/* The kinds of resource (gateway, customer gateway, connection, connection monitor). */
enum model_kind { MODEL_KIND_VGW, MODEL_KIND_CGW, MODEL_KIND_CONN, MODEL_KIND_MONITOR };

/* What a request does to a resource, as far as its status decides whether it may. */
enum model_op {
    MODEL_OP_USE,     /* gateway: a connection is created or updated on it */
    MODEL_OP_UPDATE,  /* gateway: PUT, update-specification, certificate, upgrade;
                       * connection: PUT */
    MODEL_OP_DELETE,  /* connection, monitor */
    MODEL_OP_RESET,   /* connection */
    MODEL_OP_MONITOR, /* connection: a monitor is created on it */
};

/* The lifecycle table: 0 when op may act on resource id of that kind in status; otherwise
 * -EINVAL with err filled (the code the table names, e.g. VERR_VGW_UPDATING for an update of a
 * PENDING_UPDATE gateway, and its message). */
int model_lifecycle_check(enum model_kind kind, enum model_op op, const char *id,
                          const char *status, struct verr *err);

struct model_vpn_conn {
    char id[MODEL_UUID_LEN];
    char name[MODEL_NAME_LEN];
    const char *status; /* "PENDING_CREATE", "ACTIVE", "DOWN", ... */
    char vgw_id[MODEL_UUID_LEN];
    char vgw_ip[MODEL_IP_LEN];   /* EIP id (UUID) or private IP (IPv4, or canonical IPv6) */
    const char *style;           /* "POLICY" | "STATIC" (default) | "BGP" | "POLICY-TEMPLATE" */
    char cgw_id[MODEL_UUID_LEN];
    size_t n_peer_subnets;
    struct model_cidr peer_subnets[MODEL_MAX_PEER_SUBNETS];
    char tunnel_local_address[MODEL_CIDR_LEN]; /* "169.254.a.b/30"; "" = allocate */
    char tunnel_peer_address[MODEL_CIDR_LEN];
    bool enable_nqa;
    bool enable_hub;
    bool enable_health_check; /* Go SDK 0.1.203 create model: kept, shown by create responses */
    bool has_psk;
    char psk[MODEL_PSK_LEN]; /* never rendered, never put in an error message */
    size_t n_policy_rules;
    struct model_policy_rule policy_rules[MODEL_MAX_POLICY_RULES];
    /* IPv6 gateways (model/conn_v6.c): IPv6 customer subnets and policy rules, canonical */
    size_t n_peer_subnets_v6;
    struct model_cidr peer_subnets_v6[MODEL_MAX_PEER_SUBNETS];
    size_t n_policy_rules_v6;
    struct model_policy_rule policy_rules_v6[MODEL_MAX_POLICY_RULES];
    struct model_ikepolicy ikepolicy;
    struct model_ipsecpolicy ipsecpolicy;
    int64_t created_at; /* ms since epoch */
    int64_t updated_at;
    char enterprise_project_id[MODEL_UUID_LEN]; /* inherited from the gateway; "0" default */
    char connection_monitor_id[MODEL_UUID_LEN]; /* "" = none */
    const char *ha_role;                         /* "master" (default) | "slave" */
    struct model_tags tags;
    /* Facts copied from the gateway at bind time that decide field presence on render. */
    bool gw_is_er; /* gateway attachment_type == "er" */
    bool gw_is_gm; /* gateway flavor == "GM" */
    bool gw_is_v6; /* gateway ip_version == "ipv6" */
    int64_t peer_asn; /* the customer gateway's bgp_asn (bgp_peer.peer_asn); 0 = none */
};

struct model_eip {
    bool present;
    char id[MODEL_UUID_LEN];
    char ip_address[MODEL_IP_LEN]; /* assigned by the API layer from the address pool */
    int64_t ip_version;            /* 4 */
    const char *type;              /* "5_bgp" | "5_sbgp"; NULL when given as {id} only */
    const char *charge_mode;       /* "bandwidth" | "traffic"; NULL when given as {id} only */
    int64_t bandwidth_size;        /* 0 when given as {id} only */
    char bandwidth_id[MODEL_UUID_LEN];
    char bandwidth_name[MODEL_NAME_LEN];
    const char *share_type; /* "PER" */
};

/* A gateway's policy template (spec §3.3): the IKE/IPsec proposal of its policy-template
 * connections. */
struct model_policy_template {
    struct {
        const char *encryption_algorithm;
        const char *dh_group;
        const char *authentication_algorithm;
        int64_t lifetime_seconds; /* 60..604800 */
    } ike_policy;
    struct {
        const char *authentication_algorithm;
        const char *encryption_algorithm;
        const char *pfs;
        int64_t lifetime_seconds; /* 30..604800 */
    } ipsec_policy;
};

/* Facts of one X.509 certificate of a gateway certificate (spec §3.1 GM certificate); the PEM
 * text itself and the private keys are not kept (write-only, nothing to configure). */
struct model_cert_facts {
    char serial_number[128]; /* upper-case hex */
    char subject[256];       /* RFC 2253 one-line form, cut to fit */
    char issuer[256];
    char signature_algorithm[64]; /* OpenSSL long name, e.g. "sha256WithRSAEncryption" */
    int64_t expire_time;          /* notAfter, ms since epoch */
};

/* A GM gateway's certificate (spec §3.1): present once POSTed. */
struct model_vgw_cert {
    bool present;
    bool binding; /* shown BINDING while the gateway is PENDING_UPDATE after a write, then BOUND */
    char id[MODEL_UUID_LEN];
    char name[MODEL_NAME_LEN];
    struct model_cert_facts cert, chain, enc; /* certificate, certificate_chain, enc_certificate */
    int64_t created_at;
    int64_t updated_at;
};

#define MODEL_MAX_JOBS 10 /* a gateway keeps its newest jobs; older ones are dropped */

/* An upgrade or rollback job of a gateway (spec §3.1 Jobs). */
struct model_vgw_job {
    char id[MODEL_UUID_LEN];
    const char *job_type;  /* "upgrade" | "rollback" */
    const char *status;    /* "RUNNING" | "SUCCESS" | "FAILED" */
    int64_t created_at;
    int64_t finished_at;   /* 0 while RUNNING */
    char error_message[256];
};

struct model_vgw {
    char id[MODEL_UUID_LEN];
    char name[MODEL_NAME_LEN];
    const char *status;          /* "PENDING_CREATE", "ACTIVE", ... */
    const char *network_type;    /* "public" (default) | "private" */
    const char *attachment_type; /* "vpc" (default) | "er" */
    const char *ip_version;      /* "ipv4" (default) | "ipv6" */
    char er_id[MODEL_UUID_LEN];
    char vpc_id[MODEL_UUID_LEN];
    size_t n_local_subnets;
    struct model_cidr local_subnets[MODEL_MAX_LOCAL_SUBNETS];
    size_t n_local_subnets_v6; /* IPv6 gateways: required for vpc (1-50), canonical */
    struct model_cidr local_subnets_v6[MODEL_MAX_LOCAL_SUBNETS];
    char connect_subnet[MODEL_UUID_LEN];
    char access_vpc_id[MODEL_UUID_LEN];
    char access_subnet_id[MODEL_UUID_LEN];
    char access_private_ip_1[MODEL_IP_LEN]; /* private gateways only; "" = allocate */
    char access_private_ip_2[MODEL_IP_LEN];
    int64_t bgp_asn;    /* 1..4294967295, default 64512 */
    const char *flavor; /* default "Professional1" */
    size_t n_availability_zone_ids;
    char availability_zone_ids[MODEL_MAX_AZS][64];
    int64_t connection_number;      /* capacity, from the flavor */
    int64_t used_connection_number; /* maintained by the store */
    int64_t used_connection_group;  /* customer gateways its connections use: the caller's */
    char enterprise_project_id[MODEL_UUID_LEN]; /* "0" default */
    const char *ha_mode;                        /* "active-active" (default) | "active-standby" */
    struct model_eip eip1;
    struct model_eip eip2;
    int64_t created_at;
    int64_t updated_at;
    struct model_tags tags;
    /* set by a gateway update (spec §3.3 policy_template) */
    bool has_policy_template;
    struct model_policy_template policy_template;
    /* GM certificate and upgrade jobs (internal form members "certificate", "jobs"; absent in
     * specs written before them) */
    struct model_vgw_cert certificate;
    size_t n_jobs;
    struct model_vgw_job jobs[MODEL_MAX_JOBS]; /* oldest first */
};

#define MODEL_PEM_MAX 16384 /* characters of one PEM certificate or key */

/* A customer gateway's CA certificate (spec §4, for GM connections): the PEM text (a public
 * certificate; kept so an export re-imports it) and its facts, read once with OpenSSL. */
struct model_cgw_ca {
    bool present;
    char id[MODEL_UUID_LEN]; /* "" until the caller assigns one (a request may give it) */
    char content[MODEL_PEM_MAX + 1];
    struct model_cert_facts facts;
};

struct model_cgw {
    char id[MODEL_UUID_LEN];
    char name[MODEL_NAME_LEN];
    const char *id_type; /* "ip" (default) | "fqdn" */
    char id_value[MODEL_ID_VALUE_LEN];
    bool has_bgp_asn;
    int64_t bgp_asn; /* 1..4294967295, default 65000 for id_type ip */
    int64_t created_at;
    int64_t updated_at;
    struct model_tags tags;
    struct model_cgw_ca ca;
};

/* ---- VPN connection ---- */

/* Parses and validates a create body {"vpn_connection":{...}} (spec §2.2-2.3) into *c, all
 * defaults filled, style upper-cased, tunnel addresses left "" when omitted. Fields that need
 * the gateway are checked later by model_conn_bind. Does not set id/name/status/timestamps
 * unless given (name). Returns 0, -EINVAL (err filled; malformed JSON gives
 * "request body is not valid JSON: <reason> at line L column C"), or -ENOMEM. */
int model_conn_parse_create(const struct model_body *body, struct model_vpn_conn *c,
                            struct verr *err);

/* Parses an update body (spec §2.8) against the stored connection, given as its internal form
 * spec[0..len) (parsed once): *cur gets the stored connection, *c the result (both must be
 * zeroed: written in place). Only the fields sent change (the body's members are merged into the
 * stored document, policy objects member by member), the result is validated exactly like a
 * create body, and vgw_id, vgw_ip, style, ha_role and ikepolicy.authentication_method may only
 * be repeated with their current value. id, status, timestamps, enterprise project and gateway
 * facts are kept from cur. Returns 0, -EINVAL (err filled), -EIO (the stored spec does not
 * parse) or -ENOMEM. */
int model_conn_parse_update(const char *spec, size_t len, const struct model_body *body,
                            struct model_vpn_conn *cur, struct model_vpn_conn *c,
                            struct verr *err);

/* Cross-field rules that need the connection's gateway and customer gateway (spec §2.4):
 * vgw_ip membership, ha_role pairing (active-standby), customer subnets of the gateway's
 * ip_version mandatory unless ER with POLICY/BGP (peer_subnets on IPv4 gateways, peer_subnets_v6
 * on IPv6 ones, which may also have IPv4 ones; an IPv4 gateway takes no IPv6 ones), overlap with
 * the gateway's local subnets of each family, GM restrictions, policy rules of the gateway's
 * family, the customer gateway's address (id_type ip) and an explicit local_id (type ip) of the
 * gateway's family. Fills enterprise_project_id, gw_is_er, gw_is_gm, gw_is_v6, peer_asn (the
 * customer gateway's bgp_asn) and the local_id / peer_id defaults (gateway EIP address or
 * private IP; customer gateway id_value). Returns 0 or -EINVAL. */
int model_conn_bind(struct model_vpn_conn *c, const struct model_vgw *g,
                    const struct model_cgw *cgw, struct verr *err);

/* Tunnel /30 helpers (spec §2.4). model_tunnel_check validates a given local/peer pair;
 * model_tunnel_from_index turns an allocation index 0..N into a /30 (third octet 195 skipped)
 * writing local (offset 1) and peer (offset 2) addresses; returns -ENOSPC past the end.
 * model_tunnel_network writes the /30 network of an address ("169.254.56.224/30"). */
int model_tunnel_check(const char *local, const char *peer, struct verr *err);
int model_tunnel_from_index(uint32_t index, char local[MODEL_CIDR_LEN], char peer[MODEL_CIDR_LEN]);
int model_tunnel_network(const char *addr, char out[MODEL_CIDR_LEN]);

/* Appends the ResponseVpnConnection object (the seed's field order and presence rules;
 * status included; psk never) to out. Returns 0 or -ENOMEM. */
int model_conn_render(const struct model_vpn_conn *c, struct buf *out);
/* The CreateResponseVpnConnection object: as model_conn_render without status,
 * connection_monitor_id and bgp_peer. Returns 0 or -ENOMEM. */
int model_conn_render_create(const struct model_vpn_conn *c, struct buf *out);
/* Internal form: every field including psk and gw_* facts (status when set: the record form). */
int model_conn_to_internal(const struct model_vpn_conn *c, struct buf *out);
/* The stored forms of c: its internal form appended to spec and its response object appended to
 * doc, neither with a status (the store keeps it in a column, store.h). 0 or -ENOMEM. */
int model_conn_store(const struct model_vpn_conn *c, struct buf *spec, struct buf *doc);
/* Appends the served form of a stored doc (model_conn_store's) to out: with the member
 * "status":"<status>" after name, where model_conn_render writes it, so that it equals the
 * rendering with that status. A text that does not start as such a doc does ({"id":..,
 * "name":..,) is appended as it is. 0 or -ENOMEM. */
int model_conn_serve(const char *doc, size_t len, const char *status, struct buf *out);
int model_conn_from_internal(const char *json, size_t len, struct model_vpn_conn *c);

/* ---- VPN gateway ---- */

/* Parses and validates {"vpn_gateway":{...}} (spec §3.2) with defaults filled; eips keep the
 * given id or bandwidth spec (ip_address left ""), connection_number set from the flavor.
 * Returns 0, -EINVAL or -ENOMEM. */
int model_vgw_parse_create(const struct model_body *body, struct model_vgw *g, struct verr *err);
/* Appends the ResponseVpnGateway object (spec §3.3) to out: used_connection_group as the caller
 * set it; er_attachment_id (ER gateways) derived from the id; applied_at = created_at;
 * public_border_group "center"; supported_flavors the flavors update-specification accepts. */
int model_vgw_render(const struct model_vgw *g, struct buf *out);
/* Appends the CreateResponseVpnGateway object: no status, availability zones, EIPs, private IPs
 * or time stamps (the real service shows them once the gateway is ACTIVE). */
int model_vgw_render_create(const struct model_vgw *g, struct buf *out);
int model_vgw_to_internal(const struct model_vgw *g, struct buf *out);
/* The stored form: the internal form without the status (the store keeps it in a column). */
int model_vgw_store(const struct model_vgw *g, struct buf *spec);
int model_vgw_from_internal(const char *json, size_t len, struct model_vgw *g);

/* ---- availability zones (model/azs.c; simulated: every flavor in az1, az2, az3) ---- */

/* The border group of every gateway and zone: vpnd has no regions. */
#define MODEL_PUBLIC_BORDER_GROUP "center"

/* Appends the v5 availability_zones object, keyed by flavor as the Go model spells the keys:
 * {"basic":{"vpc":[...],"er":[...]},"professional1":{...},...}. 0 or -ENOMEM. */
int model_azs_render(struct buf *out);
/* Appends the v5.1 availability_zones list: [{name, public_border_group, available_specs:
 * [{flavor, attachment_type, ip_version}]}], every flavor of a create with each attachment it
 * allows (Basic: vpc only) and both IP versions. 0 or -ENOMEM. */
int model_azs_render_extended(struct buf *out);

/* ---- Customer gateway ---- */

int model_cgw_parse_create(const struct model_body *body, struct model_cgw *cgw, struct verr *err);
int model_cgw_render(const struct model_cgw *cgw, struct buf *out);
int model_cgw_to_internal(const struct model_cgw *cgw, struct buf *out);
int model_cgw_from_internal(const char *json, size_t len, struct model_cgw *cgw);

/* ---- VPN connection batch create ---- */

/* Parses {"vpn_connections":[1..max create bodies]} into out[0..*ret_n), each element validated
 * as model_conn_parse_create validates a body; error paths name the element
 * ("vpn_connections[1].psk: ..."). Returns 0, -EINVAL (err filled) or -ENOMEM. */
int model_conn_parse_batch(const struct model_body *body, struct model_vpn_conn *out, size_t max,
                           size_t *ret_n, struct verr *err);
/* Rewrites an error whose path starts with "vpn_connection" (a single-body path, e.g. from
 * model_conn_bind) to start with prefix instead ("vpn_connections[1]"). */
void model_verr_reprefix(struct verr *err, const char *prefix);

/* ---- Connection monitor (spec §5.1) ---- */

struct model_monitor {
    char id[MODEL_UUID_LEN];
    const char *status; /* NULL: left out (create response) */
    char vpn_connection_id[MODEL_UUID_LEN];
    char source_ip[MODEL_IP_LEN]; /* store_monitor_row sized (40): IPv4 or canonical IPv6 */
    char destination_ip[MODEL_IP_LEN];
};

/* Parses {"connection_monitor":{"vpn_connection_id"}} (no other member). Returns 0, -EINVAL
 * (err filled) or -ENOMEM. */
int model_monitor_parse_create(const struct model_body *body, struct model_monitor *m,
                               struct verr *err);
/* Appends the monitor object {id, status?, vpn_connection_id, type "gateway", source_ip,
 * destination_ip, proto_type "icmp"}. Returns 0 or -ENOMEM. */
int model_monitor_render(const struct model_monitor *m, struct buf *out);
/* Fills m's source_ip (the gateway address c's vgw_ip stands for) and destination_ip (the
 * customer gateway's id_value when it is an IPv4 or IPv6 address; "" otherwise). */
void model_monitor_addresses(const struct model_vpn_conn *c, const struct model_vgw *g,
                             const struct model_cgw *cgw, struct model_monitor *m);

/* ---- shared rules ---- */

/* True if s is a valid resource name: 1-64 characters of letters, digits, _ - . or CJK. */
bool model_name_is_valid(const char *s);
/* Parses dotted IPv4 "a.b.c.d" strictly (no leading zeros, 0..255). Returns 0 or -EINVAL. */
int model_parse_ipv4(const char *s, uint32_t *ret);
/* Parses "a.b.c.d/n" strictly; host bits must be zero. Returns 0 or -EINVAL. */
int model_parse_cidr(const char *s, uint32_t *ret_addr, unsigned *ret_prefix);

/* ---- IPv6 (model/net6.c) ---- */

struct model_ip6 {
    uint8_t b[16]; /* network order */
};

/* Parses an IPv6 address in any RFC 4291 text form: 1-4 hex digits a group (either case), at most
 * one "::", an optional dotted IPv4 tail; no zone index, no prefix. Returns 0 or -EINVAL. */
int model_parse_ipv6(const char *s, struct model_ip6 *ret);
/* Parses "<IPv6 address>/n", n 0..128 without leading zeros; host bits allowed. 0 or -EINVAL. */
int model_parse_prefix6(const char *s, struct model_ip6 *ret, unsigned *ret_prefix);
/* Writes the RFC 5952 text of a (lower case, no leading zeros, the longest run of two or more zero
 * groups as "::", the first of equal runs; no dotted tail), then "/prefix" when prefix >= 0. */
void model_format_ip6(char out[MODEL_CIDR_LEN], const struct model_ip6 *a, int prefix);
/* Writes the canonical text of the IPv4 or IPv6 address s (IPv4: strict dotted form, as given;
 * IPv6: RFC 5952) to out. Returns 4, 6, or -EINVAL when s is neither. */
int model_ip_canonical(const char *s, char out[MODEL_IP_LEN]);

/* ---- tag operations (spec §5.2) ---- */

/* Parses a tags/create or tags/delete body {"tags":[{"key","value"}]}: 1 to 20 tags, each key
 * and value as spec §2.3 ("value" may be omitted: ""), no key twice. Returns 0, -EINVAL (err
 * filled, paths "tags[i].key") or -ENOMEM. */
int model_tag_body_parse(const struct model_body *body, struct model_tags *ret, struct verr *err);

/* Sets each tag of add in cur: an existing key gets the new value in place, a new key is
 * appended. -EINVAL (err filled, cur unchanged) when cur would then hold more than
 * MODEL_MAX_TAGS tags. */
int model_tags_merge(struct model_tags *cur, const struct model_tags *add, struct verr *err);
/* Removes each key of del from cur (keys cur lacks are ignored; values are not compared). */
void model_tags_remove(struct model_tags *cur, const struct model_tags *del);

#define MODEL_FILTER_MAX_TAGS 20
#define MODEL_FILTER_MAX_VALUES 20

struct model_tag_filter_tag {
    char key[MODEL_TAG_KEY_LEN];
    size_t n_values; /* 0: any value */
    char values[MODEL_FILTER_MAX_VALUES][MODEL_TAG_VALUE_LEN];
};

/* A resource-instances filter / count body (about 420 KB: allocate it). */
struct model_tag_filter {
    bool without_any_tag; /* accepted as a boolean or the strings "true" / "false" */
    size_t n_tags;
    struct model_tag_filter_tag tags[MODEL_FILTER_MAX_TAGS]; /* no key twice, no value twice */
    bool has_name;                  /* a matches item {"key":"resource_name","value":...} */
    char name[MODEL_TAG_VALUE_LEN]; /* up to 255 characters */
};

/* Parses a filter / count body; every member is optional. Returns 0, -EINVAL (err filled) or
 * -ENOMEM. */
int model_tag_filter_parse(const struct model_body *body, struct model_tag_filter *f,
                           struct verr *err);
/* ---- updates ---- */

/* Parses a customer gateway update body {"customer_gateway":{name, ca_certificate}} (spec §4)
 * against the stored cur: only the members sent change, validated like a create; any other
 * member is refused naming it ("customer_gateway.id_type: is not updatable (updatable: name,
 * ca_certificate)"). id, timestamps and the other fields are kept from cur. Returns 0, -EINVAL
 * (err filled) or -ENOMEM. */
int model_cgw_parse_update(const struct model_cgw *cur, const struct model_body *body,
                           struct model_cgw *cgw, struct verr *err);

/* Parses a gateway update body {"vpn_gateway":{name, local_subnets, local_subnets_v6, eip_id_1,
 * eip_id_2, policy_template}} (spec §3.1) against the stored cur, validated like a create
 * (name rule; local_subnets 1-50 CIDRs, refused for er; eip_id_* UUIDs for public gateways
 * only, different from each other; policy_template enums and lifetimes as for a connection's
 * policies); any other member is refused naming it. A changed eip_id_N replaces eipN by
 * {id} (address "" for the caller to assign; bandwidth facts cleared). *ret_eip_changed gets
 * bit 0 / bit 1 for eip1 / eip2 replaced. Returns 0, -EINVAL or -ENOMEM. */
int model_vgw_parse_update(const struct model_vgw *cur, const struct model_body *body,
                           struct model_vgw *g, unsigned *ret_eip_changed, struct verr *err);

/* Checks the gateway's local subnets against the peer_subnets of its connections, given as a
 * JSON array of rendered connection objects ([{"id":..,"peer_subnets":[..]},..]): a local
 * subnet may not overlap any ("vpn_gateway.local_subnets[1]: must not overlap peer subnet
 * 10.1.0.0/24 of VPN connection <id>, got \"10.1.0.0/16\""). Returns 0, -EINVAL, -ENOMEM or
 * -EPROTO (docs not of that shape). */
int model_vgw_check_peer_overlap(const struct model_vgw *g, const char *docs, size_t len,
                                 struct verr *err);

/* Flavor change body {"vpn_gateway":{"flavor":...}} (spec §3.1): only flavor, required, the
 * create rules (aliases, Basic refused for private and ER gateways), EIP bandwidths within the
 * new flavor's cap; connection_number follows the flavor. Capacity against the used
 * connections is the store's check. Returns 0, -EINVAL or -ENOMEM. */
int model_vgw_parse_flavor(const struct model_vgw *cur, const struct model_body *body,
                           struct model_vgw *g, struct verr *err);
/* ---- gateway certificate, upgrade jobs, routing table (spec §3.1; model/vgw_cert.c,
 * model/vgw_jobs.c) ---- */

/* Parses a certificate body {"certificate":{name, certificate, private_key, certificate_chain,
 * enc_certificate, enc_private_key}}. cur NULL: a create (every member but name required; other
 * members ignored); otherwise an update over *cur (members optional, at least one; certificate
 * and private_key only together, enc_certificate and enc_private_key likewise; any other member
 * refused). Certificates must be PEM X.509 ("-----BEGIN CERTIFICATE-----"), keys PEM private
 * keys (unencrypted), each at most MODEL_PEM_MAX characters, and each key must belong to its
 * certificate. Fills the facts of out (id, timestamps and binding are the caller's). Returns 0,
 * -EINVAL (err filled) or -ENOMEM. */
int model_vgw_cert_parse(const struct model_vgw_cert *cur, const struct model_body *body,
                         struct model_vgw_cert *out, struct verr *err);
/* Appends the certificate object of gateway g of project project_id (id, name, project_id,
 * vgw_id, status, facts, timestamps; never a key). gw_status is the gateway's current status
 * (BINDING while PENDING_UPDATE after a write). Returns 0 or -ENOMEM. */
int model_vgw_cert_render(const struct model_vgw *g, const char *project_id, const char *gw_status,
                          struct buf *out);

/* When the first of the gateway certificate's three certificates (certificate,
 * certificate_chain, enc_certificate) expires, ms since epoch; 0 when none has a date. */
int64_t model_vgw_cert_expire_time(const struct model_vgw *g);

/* The upgrade body {"action":"start"|"finish"|"rollback"}: *ret_action gets the canonical
 * action. Returns 0, -EINVAL or -ENOMEM. */
int model_vgw_upgrade_parse(const struct model_body *body, const char **ret_action,
                            struct verr *err);
/* Applies an upgrade action at time now (job ids drawn by the caller into new_id):
 *  start: needs no RUNNING upgrade job; appends an upgrade job RUNNING;
 *  finish: needs one; it becomes SUCCESS (finished_at = now);
 *  rollback: needs one; it becomes FAILED ("rolled back") and a rollback job SUCCESS is added.
 * Keeps the newest MODEL_MAX_JOBS jobs. Returns the index of the job the action made or
 * finished (the new rollback job for rollback), or -EINVAL (err: "action: ..."). */
int model_vgw_upgrade_apply(struct model_vgw *g, const char *action, const char *new_id,
                            int64_t now, struct verr *err);
/* The job of g with that id, or -1. */
int model_vgw_job_find(const struct model_vgw *g, const char *job_id);
/* Removes job i of g. */
void model_vgw_job_remove(struct model_vgw *g, size_t i);
/* Appends the job object {id, resource_id, job_type, status, created_at, expected_time_seconds,
 * finished_at, error_message, sub_jobs}. The status is the SDK model's (lower case), from the
 * job and the gateway's status gw_status: the gateway's newest job is in progress while the
 * gateway is PENDING_UPDATE (an upgrade "upgrading", a rollback "rolling_back";
 * expected_time_seconds settle_in_s, the seconds until the status engine settles the gateway);
 * then a running upgrade is "pending_upgrade_confirm" (waiting for finish or rollback), a
 * finished one "success", a rolled back one "fail", a rollback "rollback_success"
 * (expected_time_seconds 0). Returns 0 or -ENOMEM. */
int model_vgw_job_render(const struct model_vgw *g, const struct model_vgw_job *j,
                         const char *gw_status, int64_t settle_in_s, struct buf *out);

/* One route of a gateway's routing table (spec §3.1 Routing table), derived from one
 * connection: each of its peer_subnets, through its tunnel (static / bgp routes) or, for
 * policy connections (no tunnel interface), to the customer gateway. */
struct model_route {
    struct model_cidr destination;
    char nexthop[MODEL_ID_VALUE_LEN];            /* "" until filled (policy: the cgw address) */
    char outbound_interface_ip[MODEL_IP_LEN];
    const char *origin;                          /* "static" | "bgp" */
    char as_path[24];                            /* bgp: the customer gateway's ASN */
    int64_t med;
    char conn_id[MODEL_UUID_LEN];
    char conn_name[MODEL_NAME_LEN];
    char cgw_id[MODEL_UUID_LEN];
    bool policy; /* nexthop is the customer gateway (filled by the caller) */
};

/* Derives the routes of gateway g from its connections, given as a JSON array of rendered
 * connection objects. Connections still PENDING_CREATE or PENDING_DELETE give none, a BGP
 * connection only while ACTIVE (its routes are learned); the rest give static routes. Sorted by
 * destination (address, then prefix length), then connection id. *ret (malloc'd, caller frees)
 * gets *ret_n routes. Returns 0, -ENOMEM or -EPROTO (docs not of that shape). */
int model_vgw_routes(const struct model_vgw *g, const char *docs, size_t len,
                     struct model_route **ret, size_t *ret_n);
/* Appends the route object {destination, nexthop, outbound_interface_ip, origin, as_path, med}
 * and, with nexthop_resource, {"nexthop_resource":{id, name, type "vpn_connection"}}. */
int model_route_render(const struct model_route *r, bool nexthop_resource, struct buf *out);

/* ---- import / export records (vpnd import, vpnd export) ----
 *
 * A record is one JSON object: {"project_id": P, "<wrapper>": {...}} with exactly one wrapper,
 * "vpn_gateway", "customer_gateway" or "vpn_connection", holding that resource's create body
 * (validated exactly as the API validates it). The wrapper object may also carry what the
 * server fills: "id", "created_at", "updated_at" (ms since epoch, or the API's
 * "yyyy-MM-ddTHH:mm:ss.SSSZ"), "status" (a settled one: pending statuses are refused) and,
 * for gateway EIPs, "ip_address", "bandwidth_id", "bandwidth_name". Other members are ignored
 * as the API ignores them, so an export record (the internal form) is a valid record. */

enum model_record_kind { MODEL_RECORD_VGW, MODEL_RECORD_CGW, MODEL_RECORD_CONN };

#define MODEL_PROJECT_ID_LEN 65

struct model_record {
    enum model_record_kind kind;
    char project_id[MODEL_PROJECT_ID_LEN]; /* "" when not given */
    bool has_id;                           /* the id is in the resource struct */
    bool has_created_at, has_updated_at;   /* likewise the time stamps */
    const char *status;                    /* canonical; NULL when not given */
    int json_line;                         /* > 0: the JSON syntax error is on this line */
};

/* Parses one record of len bytes into *rec and the struct of its kind (g, cgw or c; the others
 * are not touched; a connection's c is zeroed and parsed in place, so it is left partly
 * written when the record is refused). Returns 0, -EINVAL (err filled, paths as in API errors; a JSON syntax error
 * also sets rec->json_line, relative to text) or -ENOMEM. */
int model_record_parse(const char *text, size_t len, struct model_record *rec, struct model_vgw *g,
                       struct model_cgw *cgw, struct model_vpn_conn *c, struct verr *err);

/* Append one record line ({"project_id":...,"<wrapper>":<internal form>}\n, psk included) that
 * model_record_parse reads back into the same resource. Return 0 or -ENOMEM. */
int model_record_write_vgw(const char *project_id, const struct model_vgw *g, struct buf *out);
int model_record_write_cgw(const char *project_id, const struct model_cgw *cgw, struct buf *out);
int model_record_write_conn(const char *project_id, const struct model_vpn_conn *c,
                            struct buf *out);
/* The canonical connection / gateway status equal to s, or NULL (to set a struct's status from
 * a store column). */
const char *model_conn_status(const char *s);
const char *model_vgw_status(const char *s);

/* ---- Parsing into a fresh struct (no scratch copy) ---- */

/* As model_conn_from_internal, model_conn_parse_create and model_vgw_from_internal, for a
 * destination that is all zero (just calloc'd) and is discarded by the caller on failure: the
 * struct is parsed in place, so on failure it is left partly written (the plain functions parse
 * into a zeroed scratch copy and write the destination only on success). */
int model_conn_from_internal_fresh(const char *json, size_t len, struct model_vpn_conn *c);
int model_conn_parse_create_fresh(const struct model_body *body, struct model_vpn_conn *c,
                                  struct verr *err);
int model_vgw_from_internal_fresh(const char *json, size_t len, struct model_vgw *g);

/* ---- the control surface's bodies and stored rules (model/control.c) ----
 *
 * vpnd's own API for people who test against it (/_vpnd/..., README "Testing against vpnd").
 * Bodies are flat JSON objects; a member that is not one of the body's is refused (a typo must
 * not turn a rule into another). Rules are stored in the control table in the form the
 * *_write functions give and read back by the same parsers (with stored set: ids and times
 * kept). */

#define MODEL_CTL_ID_LEN 65 /* a resource id of the control bodies: 1-64 printable characters */

/* How a resource entering a PENDING_* status moves on. */
enum model_ctl_progress {
    MODEL_PROGRESS_DELAY,  /* after a delay (the status engine; the default) */
    MODEL_PROGRESS_MANUAL, /* held until POST /_vpnd/advance */
    MODEL_PROGRESS_READS,  /* held until its Nth GET, which shows it settled */
    MODEL_PROGRESS_HOLD,   /* a status forced with "hold": kept until advanced */
};
extern const char *const model_ctl_progress_names[];

/* The kind of a control body ("vpn_gateway", "vpn_connection", "connection_monitor"), or -1. */
int model_ctl_kind_of(const char *s);
const char *model_ctl_kind_name(enum model_kind kind);
/* The canonical status s of kind, or NULL when kind has no such documented status. */
const char *model_ctl_status_of(enum model_kind kind, const char *s);

/* POST /_vpnd/status: {"kind","project_id","id","status","hold"}. */
struct model_ctl_status {
    enum model_kind kind;
    char project_id[MODEL_PROJECT_ID_LEN];
    char id[MODEL_CTL_ID_LEN];
    const char *status;
    bool hold;
};
int model_ctl_status_parse(const struct model_body *body, struct model_ctl_status *ret,
                           struct verr *err);

/* POST /_vpnd/advance and POST /_vpnd/reset: optional "kind", "project_id", "id" (has_*: given);
 * reset takes only project_id. */
struct model_ctl_target {
    bool has_kind;
    enum model_kind kind;
    char project_id[MODEL_PROJECT_ID_LEN];
    char id[MODEL_CTL_ID_LEN];
};
int model_ctl_target_parse(const struct model_body *body, bool reset, struct model_ctl_target *ret,
                           struct verr *err);

/* A transition rule (POST /_vpnd/transitions): which resources entering which PENDING_* status
 * it applies to, how they move on, and how they end. */
struct model_ctl_transition {
    char id[MODEL_UUID_LEN]; /* given by the server */
    enum model_kind kind;
    char project_id[MODEL_PROJECT_ID_LEN]; /* "" = any */
    char res_id[MODEL_CTL_ID_LEN];         /* "id": one resource; "" = any */
    char vgw_id[MODEL_CTL_ID_LEN];         /* connections on this gateway; "" = any */
    const char *from;                      /* PENDING_CREATE, _UPDATE or _DELETE; NULL = any */
    enum model_ctl_progress progress;      /* DELAY, MANUAL or READS */
    int64_t delay_ms;                      /* DELAY: -1 = the server's --status-delay */
    int64_t reads;                         /* READS: the GET that settles it */
    const char *to;                        /* how it ends; NULL = as usual */
    int64_t count;                         /* the next count transitions; 0 = every one */
    int64_t created_at;
};
/* Parses a request body (stored false: "id" and "created_at" refused) or a stored rule's text
 * (stored true). */
int model_ctl_transition_parse(const struct model_body *body, struct model_ctl_transition *ret,
                               struct verr *err);
int model_ctl_transition_load(const char *text, struct model_ctl_transition *ret);
/* Appends the rule; with used >= 0 also "applied" (and "remaining" when it has a count). */
int model_ctl_transition_write(const struct model_ctl_transition *t, int64_t used,
                               struct buf *out);

/* A fault rule (POST /_vpnd/faults): which requests, how often, and what happens to them. */
struct model_ctl_fault {
    char id[MODEL_UUID_LEN];
    char method[8];                        /* "" = any */
    char operation[64];                    /* a route's operation name; "" = any */
    char path[256];                        /* a glob on the raw path ('*' within a segment) */
    char project_id[MODEL_PROJECT_ID_LEN]; /* "" = any */
    char resource_id[MODEL_CTL_ID_LEN];    /* the path's {id}; "" = any */
    double probability;                    /* (0, 1] */
    int64_t count;                         /* the next count matching requests; 0 = every one */
    bool has_seed;
    uint64_t seed;                         /* of the probability draws */
    int status;                            /* 400-599, or 0: no error answer */
    char error_code[64];
    char error_msg[512];
    int64_t latency_ms;                    /* added before the answer; 0 = none */
    bool drop;                             /* the connection is closed without an answer */
    bool apply;                            /* the operation runs before the fault's answer */
    int64_t created_at;
};
int model_ctl_fault_parse(const struct model_body *body, struct model_ctl_fault *ret,
                          struct verr *err);
int model_ctl_fault_load(const char *text, struct model_ctl_fault *ret);
/* Appends the rule; with injected >= 0 also "injected" (and "remaining" with a count). */
int model_ctl_fault_write(const struct model_ctl_fault *f, int64_t injected, struct buf *out);

/* POST /_vpnd/clock: applied in this order: reset (back to the wall clock), set (an instant),
 * advance_ms, freeze (true/false). */
struct model_ctl_clock {
    bool reset;
    bool has_set;
    int64_t set;
    int64_t advance_ms;
    int freeze; /* -1: not given, 0, 1 */
};
int model_ctl_clock_parse(const struct model_body *body, struct model_ctl_clock *ret,
                          struct verr *err);

/* A held resource (the control table's state of a transition a rule or a forced hold holds). */
struct model_ctl_held {
    enum model_kind kind;
    char project_id[MODEL_PROJECT_ID_LEN];
    char id[MODEL_CTL_ID_LEN];
    const char *status;               /* the status it is held in */
    enum model_ctl_progress progress;
    int64_t due;                      /* DELAY: when it ends (server clock) */
    int64_t reads;                    /* READS: the GET that ends it */
    const char *to;                   /* how it ends; NULL = as usual */
    char rule[MODEL_UUID_LEN];        /* the transition rule, "" for a forced hold */
    int64_t since;                    /* when it was held (server clock) */
};
int model_ctl_held_load(const char *text, struct model_ctl_held *ret);
int model_ctl_held_write(const struct model_ctl_held *h, struct buf *out);

#endif
