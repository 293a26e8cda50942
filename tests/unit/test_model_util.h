/* tests/unit/test_model_util.h: fixtures shared by the model unit tests (static inline only). */
#ifndef VPND_TEST_MODEL_UTIL_H
#define VPND_TEST_MODEL_UTIL_H

/* clang-format off: cmocka.h needs these first */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
/* clang-format on */

#include "model/model.h"
#include "model_text.h"

#define VGW_ID "b32d91a4-1c2d-4e5f-8a9b-e907174eb11d"
#define EIP1_ID "0c464dad-2a1b-4c5d-8e9f-c22bb0eb0bde"
#define EIP2_ID "1d575ebe-3b2c-4d6e-9f0a-d33cc1fc1cef"
#define CGW_ID "5247ae10-3c4d-4e5f-9a0b-dd36659a7f5d"
#define VPC_ID "7b6c5e0a-1f2d-4c3b-9a8e-1234567890ab"
#define SUBNET_ID "9a8b7c6d-5e4f-4a3b-8c2d-0123456789ab"
#define ER_ID "3e2d1c0b-4a5b-4c6d-8e7f-fedcba987654"
#define EPID "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
#define PROJECT_ID "0605767dd1000ffd2f5cc0009a2d6d21"

/* A create body: the three required ids, then extra members (each starting with a comma). */
#define CONN_REQ "\"vgw_id\":\"" VGW_ID "\",\"vgw_ip\":\"" EIP1_ID "\",\"cgw_id\":\"" CGW_ID "\""
#define CONN_BODY(extra) "{\"vpn_connection\":{" CONN_REQ extra "}}"
#define SUBNETS ",\"peer_subnets\":[\"192.168.0.0/24\"]"
#define RULE ",\"policy_rules\":[{\"source\":\"10.0.0.0/24\",\"destination\":[\"192.168.0.0/24\"]}]"

#define VGW_PUBLIC                                                                                 \
    "\"vpc_id\":\"" VPC_ID "\",\"connect_subnet\":\"" SUBNET_ID                                    \
    "\",\"local_subnets\":[\"10.0.0.0/16\"],\"eip1\":{\"id\":\"" EIP1_ID                           \
    "\"},\"eip2\":{\"id\":\"" EIP2_ID "\"}"
#define VGW_BODY(extra) "{\"vpn_gateway\":{" extra "}}"
/* IPv6 (dual stack) counterparts: a public IPv6 gateway, customer subnets, an IPv6 rule */
#define VGW_PUBLIC6                                                                                \
    "\"ip_version\":\"ipv6\"," VGW_PUBLIC ",\"local_subnets_v6\":[\"2001:db8:10::/48\"]"
#define SUBNETS6 ",\"peer_subnets_v6\":[\"2001:db8:20::/48\"]"
#define RULE6                                                                                      \
    ",\"policy_rules_v6\":[{\"source\":\"2001:db8:10::/48\",\"destination\":[\"2001:db8:20::/"     \
    "48\"]}]"
#define CGW_IP6 "{\"customer_gateway\":{\"id_value\":\"2001:db8:ff::1\"}}"

static inline void *test_zalloc(size_t size)
{
    void *p = calloc(1, size);
    assert_non_null(p);
    return p;
}

/* Parses a connection body that must be valid; caller frees. */
static inline struct model_vpn_conn *conn_ok(const char *body)
{
    struct model_vpn_conn *c = test_zalloc(sizeof(*c));
    struct verr err = {0};
    int r = tm_conn_parse_create(body, strlen(body), c, &err);
    if (r != 0)
        fail_msg("unexpected error %d: %s", r, err.msg);
    return c;
}

/* Parses a connection body that must fail with exactly want. */
static inline void conn_err(const char *body, size_t len, const char *want)
{
    struct model_vpn_conn *c = test_zalloc(sizeof(*c));
    struct verr err = {0};
    assert_int_equal(tm_conn_parse_create(body, len, c, &err), -EINVAL);
    assert_string_equal(err.msg, want);
    free(c);
}
#define CONN_ERR(body, want) conn_err(body, strlen(body), want)

static inline struct model_vgw *vgw_ok(const char *body)
{
    struct model_vgw *g = test_zalloc(sizeof(*g));
    struct verr err = {0};
    int r = tm_vgw_parse_create(body, strlen(body), g, &err);
    if (r != 0)
        fail_msg("unexpected error %d: %s", r, err.msg);
    return g;
}

static inline void vgw_err(const char *body, const char *want)
{
    struct model_vgw *g = test_zalloc(sizeof(*g));
    struct verr err = {0};
    assert_int_equal(tm_vgw_parse_create(body, strlen(body), g, &err), -EINVAL);
    assert_string_equal(err.msg, want);
    free(g);
}

/* The gateway a bound connection sees: public, EIP addresses assigned, local 10.0.0.0/16. */
static inline struct model_vgw *vgw_active(const char *body)
{
    struct model_vgw *g = vgw_ok(body);
    strcpy(g->id, VGW_ID);
    bool v6 = g->ip_version && strcmp(g->ip_version, "ipv6") == 0;
    if (g->eip1.present)
        strcpy(g->eip1.ip_address, v6 ? "2001:db8:e1::134" : "10.1.1.134");
    if (g->eip2.present)
        strcpy(g->eip2.ip_address, v6 ? "2001:db8:e1::135" : "10.1.1.135");
    g->status = "ACTIVE";
    if (g->flavor && strcmp(g->flavor, "GM") == 0) { /* ready for connections: has its certificate */
        g->certificate.present = true;
        strcpy(g->certificate.id, CGW_ID);
        strcpy(g->certificate.name, "gm-cert");
    }
    return g;
}

static inline struct model_cgw *cgw_ok(const char *body)
{
    struct model_cgw *g = test_zalloc(sizeof(*g));
    struct verr err = {0};
    int r = tm_cgw_parse_create(body, strlen(body), g, &err);
    if (r != 0)
        fail_msg("unexpected error %d: %s", r, err.msg);
    return g;
}

static inline void cgw_err(const char *body, const char *want)
{
    struct model_cgw *g = test_zalloc(sizeof(*g));
    struct verr err = {0};
    assert_int_equal(tm_cgw_parse_create(body, strlen(body), g, &err), -EINVAL);
    assert_string_equal(err.msg, want);
    free(g);
}

/* Parses the three bodies and binds; returns the connection and the bind result. */
static inline struct model_vpn_conn *bind3(const char *conn, const char *vgw, const char *cgw, int *ret,
                                    struct verr *err)
{
    struct model_vpn_conn *c = conn_ok(conn);
    struct model_vgw *g = vgw_active(vgw);
    struct model_cgw *cg = cgw_ok(cgw);

    *ret = model_conn_bind(c, g, cg, err);
    free(g);
    free(cg);
    return c;
}

static inline struct model_vpn_conn *bound(const char *conn, const char *vgw, const char *cgw)
{
    struct verr err = {0};
    int r;
    struct model_vpn_conn *c = bind3(conn, vgw, cgw, &r, &err);

    if (r != 0)
        fail_msg("unexpected bind error %d: %s", r, err.msg);
    return c;
}

static inline void bind_err(const char *conn, const char *vgw, const char *cgw, const char *want)
{
    struct verr err = {0};
    int r;

    free(bind3(conn, vgw, cgw, &r, &err));
    assert_int_equal(r, -EINVAL);
    assert_string_equal(err.msg, want);
}

/* Renders with fn into a fresh string; caller frees. */
#define RENDER(fn, obj)                                                                            \
    ({                                                                                             \
        struct buf b_ = {0};                                                                       \
        assert_int_equal(fn(obj, &b_), 0);                                                         \
        buf_steal(&b_);                                                                            \
    })

/* to_internal -> from_internal gives back the same connection and the same rendering. */
static inline void assert_conn_round_trip(const struct model_vpn_conn *c)
{
    struct buf b = {0};
    struct model_vpn_conn *back = test_zalloc(sizeof(*back));

    assert_int_equal(model_conn_to_internal(c, &b), 0);
    assert_int_equal(model_conn_from_internal(b.data, b.len, back), 0);
    assert_memory_equal(back, c, sizeof(*c));
    char *a = RENDER(model_conn_render, c), *z = RENDER(model_conn_render, back);
    assert_string_equal(a, z);
    free(a);
    free(z);
    free(back);
    buf_free(&b);
}


/* to_internal -> from_internal gives back the same gateway (status: a canonical pointer). */
static inline void assert_vgw_round_trip(const struct model_vgw *g)
{
    struct buf b = {0};
    struct model_vgw *back = test_zalloc(sizeof(*back));

    assert_ptr_equal(g->status, MODEL_STATUS_PENDING_CREATE); /* a canonical pointer */
    assert_int_equal(model_vgw_to_internal(g, &b), 0);
    assert_int_equal(model_vgw_from_internal(b.data, b.len, back), 0);
    assert_memory_equal(back, g, sizeof(*g));
    buf_free(&b);
    free(back);
}

/* True if the rendered JSON text has the member "key": (at any depth). */
static inline bool has_key(const char *json, const char *key)
{
    char pat[128];
    snprintf(pat, sizeof(pat), "\"%s\":", key);
    return strstr(json, pat) != NULL;
}

/* A self-signed EC CA certificate (serial 2A, "CN=unit-ca,O=vpnd", valid to 2126), as JSON text. */
#define UNIT_CA_JSON \
    "-----BEGIN CERTIFICATE-----\\n" \
    "MIIBhjCCASygAwIBAgIBKjAKBggqhkjOPQQDAjAhMQ0wCwYDVQQKDAR2cG5kMRAw\\n" \
    "DgYDVQQDDAd1bml0LWNhMCAXDTI2MTIwMTE0MjQxMVoYDzIxMjYxMTA3MTQyNDEx\\n" \
    "WjAhMQ0wCwYDVQQKDAR2cG5kMRAwDgYDVQQDDAd1bml0LWNhMFkwEwYHKoZIzj0C\\n" \
    "AQYIKoZIzj0DAQcDQgAEw5xH97FAsnxAOimC1Rtdoyd+ByfsYwZjNU7ojiTg0DcW\\n" \
    "R0WclOr8/0OdZGKIM9BJxlcpy0J2M2HGP9MZpDT1f6NTMFEwHQYDVR0OBBYEFNq5\\n" \
    "Z7qhnMYz6I+89GB45Kj32qjYMB8GA1UdIwQYMBaAFNq5Z7qhnMYz6I+89GB45Kj3\\n" \
    "2qjYMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhAPvkmxYLcTqh\\n" \
    "aWU17DzUyNiyRQqGetQzn3Ts5QfryHLaAiAYPeJMlxJJx4JRQjMYudsLiLsZemPv\\n" \
    "/eTs6/PKIJ/fBA==\\n" \
    "-----END CERTIFICATE-----\\n"


#endif
