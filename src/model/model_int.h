/* model/model_int.h: helpers shared by the model's files; not part of the module's interface.
 *
 * Parsing works on jansson values and reports failures through struct verr with full JSON paths
 * ("vpn_connection.policy_rules[2].source"). Rendering writes JSON by hand through struct
 * model_jw (order matters and it is on the hot path).
 */
#ifndef VPND_MODEL_INT_H
#define VPND_MODEL_INT_H

#include "model/model.h"

#include <jansson.h>

#define MODEL_PATH_LEN 128 /* longest path: "vpn_connection.policy_rules[4].destination[49]" */
#define MODEL_ECHO_LEN 400 /* 64 bytes escaped as \u00XX, quotes, "..." */
#define MODEL_ECHO_CUT 64  /* echoed strings are cut after this many bytes */
#define MODEL_TS_MAX INT64_C(253402300799999) /* 9999-12-31T23:59:59.999Z */

/* ---- verr.c: error text ---- */

/* Writes s[0..len) as a quoted JSON string cut at MODEL_ECHO_CUT bytes (on a UTF-8 boundary),
 * followed by "..." when cut. */
void model_echo(char out[MODEL_ECHO_LEN], const char *s, size_t len);
/* "object", "array", "string", "number", "boolean" or "null". */
const char *model_json_type(const json_t *v);

/* ---- text.c: character rules ---- */

bool model_tag_key_is_valid(const char *s);
bool model_tag_value_is_valid(const char *s);
/* 1-128 printable ASCII characters without space or & < > [ ] \ ? (local_id, cgw id_value). */
bool model_fqdn_is_valid(const char *s);
/* 8-128 characters from letters, digits and the PSK specials, with >= 3 of the 4 classes. */
bool model_psk_is_valid(const char *s);
extern const char MODEL_PSK_RULE[];
extern const char MODEL_NAME_RULE[];
extern const char MODEL_FQDN_RULE[];

/* ---- net.c: IPv4 ---- */

/* Parses a decimal 0..max with no sign and no leading zero at *s, advancing *s. 0 or -EINVAL. */
int model_parse_dec(const char **s, unsigned max, unsigned *ret);

/* Parses "a.b.c.d/n" strictly, host bits allowed. Returns 0 or -EINVAL. */
int model_parse_prefix(const char *s, uint32_t *ret_addr, unsigned *ret_prefix);
uint32_t model_prefix_mask(unsigned prefix);
/* True if the two canonical CIDR strings share an address (both must parse). */
bool model_cidr_overlap(const struct model_cidr *a, const struct model_cidr *b);
/* Writes "a.b.c.d" (prefix < 0) or "a.b.c.d/n". */
void model_format_ip(char out[MODEL_CIDR_LEN], uint32_t addr, int prefix);

/* ---- net6.c: IPv6, and what both families share ---- */

/* True if the two canonical IPv6 CIDR strings share an address (false unless both parse). */
bool model_cidr6_overlap(const struct model_cidr *a, const struct model_cidr *b);
/* True if the bits of a past prefix are all zero. */
bool model_ip6_host_bits_zero(const struct model_ip6 *a, unsigned prefix);
/* The family of CIDR text s: 4, 6, or 0 when it is neither (host bits not checked). */
int model_cidr_family(const char *s);
/* Orders two canonical CIDRs: IPv4 before IPv6, then by address, then by prefix length. */
int model_cidr_cmp(const struct model_cidr *a, const struct model_cidr *b);

/* ---- enums.c: the enum value sets; values are the canonical static strings ---- */

struct model_enum {
    const char *const *values; /* NULL-terminated */
    bool icase;                /* match case-insensitively; listed lower-case in errors */
};

extern const struct model_enum MODEL_E_STYLE, MODEL_E_HA_ROLE, MODEL_E_CONN_STATUS,
    MODEL_E_IKE_VERSION, MODEL_E_PHASE1_MODE, MODEL_E_AUTH_ALG, MODEL_E_ENC_ALG, MODEL_E_DH_GROUP,
    MODEL_E_PFS, MODEL_E_AUTH_METHOD, MODEL_E_LOCAL_ID_TYPE, MODEL_E_PEER_ID_TYPE, MODEL_E_DPD_MSG,
    MODEL_E_TRANSFORM, MODEL_E_ENCAP, MODEL_E_NETWORK_TYPE, MODEL_E_ATTACHMENT, MODEL_E_IP_VERSION,
    MODEL_E_FLAVOR, MODEL_E_HA_MODE, MODEL_E_VGW_STATUS, MODEL_E_EIP_TYPE, MODEL_E_CHARGE_MODE,
    MODEL_E_SHARE_TYPE, MODEL_E_CGW_ID_TYPE;

/* The canonical value matching s (per e->icase), or NULL. */
const char *model_enum_find(const struct model_enum *e, const char *s);
/* True if a and b are both non-NULL and equal. */
bool model_streq(const char *a, const char *b);

/* ---- field.c: one typed JSON value at a path. Each returns 0 or -EINVAL with err set. ---- */

/* The member key of obj, or NULL when absent or JSON null (null counts as absent). */
const json_t *model_member(const json_t *obj, const char *key);
void model_path_key(char out[MODEL_PATH_LEN], const char *parent, const char *key);
void model_path_index(char out[MODEL_PATH_LEN], const char *parent, size_t index);

int model_want_object(const json_t *v, const char *path, struct verr *err);
int model_want_array(const json_t *v, const char *path, size_t min, size_t max, struct verr *err);
int model_want_str(const json_t *v, const char *path, const char **ret, struct verr *err);
int model_want_int(const json_t *v, const char *path, int64_t lo, int64_t hi, int64_t *ret,
                   struct verr *err);
int model_want_bool(const json_t *v, const char *path, bool *ret, struct verr *err);
int model_want_enum(const json_t *v, const char *path, const struct model_enum *e, const char **ret,
                    struct verr *err);
int model_want_uuid(const json_t *v, const char *path, char ret[MODEL_UUID_LEN], struct verr *err);
int model_want_ipv4(const json_t *v, const char *path, char ret[MODEL_IP_LEN], struct verr *err);
/* An address of family 4, 6, or 0 for either; ret gets its canonical text (model_ip_canonical). */
int model_want_ip(const json_t *v, const char *path, int family, char ret[MODEL_IP_LEN],
                  struct verr *err);
int model_want_name(const json_t *v, const char *path, char ret[MODEL_NAME_LEN], struct verr *err);
int model_want_fqdn(const json_t *v, const char *path, char ret[MODEL_ID_VALUE_LEN],
                    struct verr *err);
/* A CIDR "a.b.c.d/n" with host bits zero; reserved: also reject the reserved blocks. */
int model_want_cidr(const json_t *v, const char *path, bool reserved, struct model_cidr *ret,
                    struct verr *err);
/* A CIDR list of min..max entries, no duplicates; reserved: also reject reserved blocks. */
int model_want_cidrs(const json_t *v, const char *path, size_t min, size_t max, bool reserved,
                     struct model_cidr *ret, size_t *ret_n, struct verr *err);
/* The same for family 4 or 6; IPv6 CIDRs are stored in RFC 5952 text (so a network given in two
 * spellings is one duplicate), and reserved means loopback, IPv4-mapped, link-local and multicast
 * ("must be an IPv6 CIDR like 2001:db8::/32, got ..."). */
int model_want_cidr_of(const json_t *v, const char *path, int family, bool reserved,
                       struct model_cidr *ret, struct verr *err);
int model_want_cidrs_of(const json_t *v, const char *path, int family, size_t min, size_t max,
                        bool reserved, struct model_cidr *ret, size_t *ret_n, struct verr *err);
/* Copies s to dst if it fits (with NUL). Returns 0 or -EINVAL. */
int model_copy(char *dst, size_t size, const char *s);

/* ---- fspec.c: table-driven parsing of an object's members, in table order ---- */

enum model_ftype {
    MF_NAME,       /* char[MODEL_NAME_LEN], name rule */
    MF_UUID,       /* char[MODEL_UUID_LEN] */
    MF_UUID_OR_IP, /* char[MODEL_IP_LEN], UUID, dotted IPv4 or IPv6 (RFC 5952) */
    MF_EPID,       /* char[MODEL_UUID_LEN], UUID or "0" */
    MF_IPV4,       /* char[MODEL_IP_LEN], dotted IPv4 */
    MF_IP,         /* char[MODEL_IP_LEN], dotted IPv4 or IPv6 (RFC 5952) */
    MF_ENUM,       /* const char *, canonical value */
    MF_INT,        /* int64_t in lo..hi */
    MF_BOOL,       /* bool */
    MF_CUSTOM,     /* fn(v, path, base + off): called also when the member is absent (v NULL);
                      cross-field rules use off 0 to see the fields parsed before */
};

struct model_fspec;
typedef int model_field_fn(const json_t *v, const char *path, void *dst, bool internal,
                           struct verr *err);

struct model_fspec {
    const char *key;
    enum model_ftype type;
    size_t off; /* of the destination in base */
    bool required;
    const struct model_enum *en; /* MF_ENUM */
    int64_t lo, hi;              /* MF_INT */
    model_field_fn *fn;          /* MF_CUSTOM */
};

/* One table row: MODEL_F("key", MF_ENUM, offsetof(...), .en = &MODEL_E_...). */
#define MODEL_F(k, t, o, ...)                                                                      \
    {                                                                                              \
        .key = (k), .type = (t), .off = (o), __VA_ARGS__                                           \
    }

/* Parses the members of obj named in spec[0..n) into base; absent members keep their value.
 * internal is passed to custom functions. Returns 0 or -EINVAL. */
int model_fields_parse(const json_t *obj, const char *parent, const struct model_fspec *spec,
                       size_t n, void *base, bool internal, struct verr *err);

/* ---- load.c ---- */

/* A request body: a JSON object (model_body_parse). */
struct model_body {
    json_t *root;
};

/* The member wrapper of the body, which must be an object: *ret_obj (borrowed from b). Returns
 * 0 or -EINVAL (err set: "<wrapper>: is required" / "must be an object, got ..."). */
int model_body_wrapped(const struct model_body *b, const char *wrapper, const json_t **ret_obj,
                       struct verr *err);
/* Parses an internal-form object. Returns 0, -EINVAL or -ENOMEM. */
int model_load_internal(const char *json, size_t len, json_t **ret_root);
/* True when a parse failed for want of memory. */
bool model_json_oom(const json_error_t *je);

/* ---- tunnel.c ---- */

/* Checks one tunnel address on its own ("169.254.x.y/30", x != 195, host 1 or 2). */
int model_tunnel_check_one(const char *s, const char *path, struct verr *err);

/* ---- jw.c: a JSON writer on struct buf; the first error sticks and later calls do nothing ---- */

#define MODEL_JW_DEPTH 8

struct model_jw {
    struct buf *b;
    int r;
    unsigned depth;
    bool more[MODEL_JW_DEPTH]; /* a value was written at this level: next one needs a comma */
};

void model_jw_init(struct model_jw *w, struct buf *b);
void model_jw_obj(struct model_jw *w, const char *key); /* key NULL at top level / in arrays */
void model_jw_obj_end(struct model_jw *w);
void model_jw_arr(struct model_jw *w, const char *key);
void model_jw_arr_end(struct model_jw *w);
void model_jw_str(struct model_jw *w, const char *key, const char *s);
void model_jw_int(struct model_jw *w, const char *key, int64_t v);
void model_jw_bool(struct model_jw *w, const char *key, bool v);
/* A finite double (the control surface's fault probability). */
void model_jw_double(struct model_jw *w, const char *key, double v);
/* Writes the member only if s is non-NULL and non-empty. */
void model_jw_opt_str(struct model_jw *w, const char *key, const char *s);
/* A member always present in responses; the internal form leaves it out when empty. */
void model_jw_req_str(struct model_jw *w, const char *key, const char *s, bool internal);
/* A time stamp: ids_format_ts text in responses, integer ms in the internal form. */
void model_jw_time(struct model_jw *w, const char *key, int64_t ms, bool internal);
/* Finishes: returns the sticky error (0 or -ENOMEM). */
int model_jw_done(struct model_jw *w);

/* ---- tags.c ---- */

/* Custom field function for "tags" (dst is struct model_tags). */
int model_tags_field(const json_t *v, const char *path, void *dst, bool internal, struct verr *err);
void model_tags_write(struct model_jw *w, const struct model_tags *t);
/* "must be 1 to 128 characters of ..." / "must be 0 to 255 characters of ..." (spec §2.3). */
extern const char MODEL_TAG_KEY_RULE[];
extern const char MODEL_TAG_VALUE_RULE[];

/* ---- conn_policy.c ---- */

void model_conn_policy_defaults(struct model_ikepolicy *ike, struct model_ipsecpolicy *ipsec);
int model_ikepolicy_field(const json_t *v, const char *path, void *dst, bool internal,
                          struct verr *err);
int model_ipsecpolicy_field(const json_t *v, const char *path, void *dst, bool internal,
                            struct verr *err);

/* ---- conn_rules.c: custom field functions of the connection body (dst: the connection) ---- */

int model_policy_rules_field(const json_t *v, const char *path, void *dst, bool internal,
                             struct verr *err);
int model_policy_rules_v6_field(const json_t *v, const char *path, void *dst, bool internal,
                                struct verr *err);
int model_peer_subnets_v6_field(const json_t *v, const char *path, void *dst, bool internal,
                                struct verr *err);

/* ---- vgw_flavor.c ---- */

/* Connection capacity and largest EIP bandwidth (Mbit/s) of a flavor; Professional1's for an
 * unknown one. */
int64_t model_flavor_connections(const char *flavor);
int64_t model_flavor_bandwidth(const char *flavor);
/* Custom field function for "flavor" (dst is struct model_vgw): the enum plus legacy names
 * V300 and V1G; Basic is refused for private and ER gateways. */
int model_flavor_field(const json_t *v, const char *path, void *dst, bool internal,
                       struct verr *err);
/* 0 if gateway cur may change to flavor (update-specification): Basic not for private or ER
 * gateways, no change between GM and the others, the EIP bandwidths within the new cap; else
 * -EINVAL with err on "vpn_gateway.flavor". */
int model_vgw_flavor_change_check(const struct model_vgw *cur, const char *flavor,
                                  struct verr *err);
/* Writes "supported_flavors": every flavor but the current one that the check above allows and
 * whose capacity holds the gateway's used_connection_number. */
void model_vgw_supported_flavors(struct model_jw *w, const struct model_vgw *g);

/* ---- vgw_parse.c ---- */

/* local_subnets (family 4) or local_subnets_v6 (6) of g at path: each required for vpc gateways
 * of its ip_version (an update keeps what it does not send) and refused for er; an IPv6 gateway is
 * dual stack and may also have IPv4 local subnets, an IPv4 gateway has no IPv6 ones. */
int model_vgw_local_subnets(const json_t *v, const char *path, struct model_vgw *g, int family,
                            bool update, struct verr *err);

/* ---- vgw_eip.c ---- */

/* Parses eip1/eip2: {"id"} for an existing EIP or {type, charge_mode, bandwidth_size,
 * bandwidth_name} for a new one, bandwidth_size at most cap (the cap of flavor). The internal
 * form adds the fields the API fills (ip_address, bandwidth_id, ip_version, share_type). */
int model_eip_parse(const json_t *v, const char *path, const char *flavor, int64_t cap,
                    bool internal, struct model_eip *ret, struct verr *err);
/* Writes the eip object. The internal form (all) leaves out unset fields; the response shows an
 * EIP given by id as the pay-per-use EIP it stands for (ResponseEip: type 5_bgp, charge_mode
 * traffic, a 5 Mbit/s bandwidth whose id is derived from the EIP's id). */
void model_eip_write(struct model_jw *w, const char *key, const struct model_eip *e, bool all);

/* ---- derive.c ---- */

/* Writes the UUID derived from what and seed (SHA-256; the same pair, the same UUID). */
void model_derive_uuid(const char *what, const char *seed, char out[MODEL_UUID_LEN]);

/* ---- update_rules.c, vgw_update.c ---- */

/* The first member of obj (in body order) not in allowed (NULL-terminated), or NULL; when there
 * is one, list gets the allowed names, comma-separated. */
#define MODEL_MEMBERS_LEN 256
const char *model_unknown_member(const json_t *obj, const char *const *allowed,
                                 char list[MODEL_MEMBERS_LEN]);
/* Refuses the first member of obj (in body order) not in allowed (NULL-terminated):
 * "<path>.<key>: is not updatable (updatable: a, b)". Returns 0 or -EINVAL. */
int model_only_members(const json_t *obj, const char *path, const char *const *allowed,
                       struct verr *err);
/* The body of a PUT: loads {"<wrapper>":{...}}, refuses members not in allowed, then parses the
 * fields sent into t, which holds the current values (the update merges over them). Returns 0,
 * -EINVAL (err filled; t may be partly written) or -ENOMEM. */
int model_parse_partial(const struct model_body *body, const char *wrapper,
                        const char *const *allowed, const struct model_fspec *fields,
                        size_t n_fields, void *t, struct verr *err);
/* Custom field function for a gateway's "policy_template" (dst is struct model_vgw): members
 * merge into the current template (the connection policy defaults when there is none). */
int model_vgw_policy_template_field(const json_t *v, const char *path, void *dst, bool internal,
                                    struct verr *err);
void model_vgw_policy_template_write(struct model_jw *w, const struct model_vgw *g);
/* ---- vgw_jobs.c, vgw_cert.c: the internal form of a gateway's certificate and jobs ---- */

/* Custom field functions for the internal members "certificate" and "jobs" (dst is struct
 * model_vgw). */
int model_vgw_certificate_field(const json_t *v, const char *path, void *dst, bool internal,
                                struct verr *err);
int model_vgw_jobs_field(const json_t *v, const char *path, void *dst, bool internal,
                         struct verr *err);
/* Writes "certificate" and "jobs" (internal form; nothing when absent / empty). */
void model_vgw_extras_write(struct model_jw *w, const struct model_vgw *g);
void model_cert_facts_write(struct model_jw *w, const char *key, const struct model_cert_facts *f);
/* The facts members model_cert_facts_write wrote under key of o (absent: all zero). 0 or -EINVAL. */
int model_cert_facts_read(const json_t *o, const char *key, struct model_cert_facts *f);
/* A PEM X.509 certificate member at path (model/vgw_cert.c): checked, parsed, its facts taken.
 * On success *pem points at the text (from its BEGIN line). 0 or -EINVAL (err filled). */
int model_cert_pem_facts(const json_t *v, const char *path, const char **pem,
                         struct model_cert_facts *f, struct verr *err);
/* ---- create-body parsing of an already loaded wrapper object (import records) ---- */

/* model_*_parse_create on the wrapper's object obj: the same validation, errors and defaults.
 * The connection's is parsed into an all-zero c, in place (left partly written on failure). */
int model_conn_parse_object_fresh(const json_t *obj, struct model_vpn_conn *c, struct verr *err);
int model_vgw_parse_object(const json_t *obj, struct model_vgw *g, struct verr *err);
int model_cgw_parse_object(const json_t *obj, struct model_cgw *cgw, struct verr *err);

#endif
