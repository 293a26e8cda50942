/* tests/unit/api_harness.h: the API in process, without HTTP: api_handle over a fresh SQLite
 * store (wrapped by the fault store, tests/fault), a service on a clock the test moves, and the
 * status engine; requests built by hand. A base state holds one of each resource, so every route
 * has something to act on. Static inline only (test_api_faults.c, test_api_errors.c). */
#ifndef VPND_TEST_API_HARNESS_H
#define VPND_TEST_API_HARNESS_H

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
#include <unistd.h>

#include <cmocka.h>
/* clang-format on */

#include <jansson.h>

#include "api/api.h"
#include "control/control.h"
#include "engine/engine.h"
#include "service/svc.h"
#include "store/store.h"
#include "../fault/fault.h"
#include "test_certs.h"

#define H_PROJECT "0605767dd1000ffd2f5cc0009a2d6d21"
#define H_T0 INT64_C(1669470094626)
#define H_PSK "Abcd1234!x"

struct harness {
    char dir[256];
    char path[1024];
    struct store *store;
    struct clock clock;
    int64_t now;
    struct svc svc;
    struct api api;
    struct engine engine;
    struct control control;
    unsigned long seq; /* request ids */
    /* the base state */
    char vgw[40], eip1[40], eip2[40], spare_vgw[40], gm[40], gm_bare[40], cert[40];
    char cgw[40], spare_cgw[40], conn[40], conn2[40], monitor[40], job[40];
    char rule[40], fault[40]; /* a transition rule and a fault rule of another project */
};

/* A fault armed for one request (h_call_fault): the nth store call (failing with err) or the
 * nth allocation of the request fails. */
enum h_fault_kind { H_FAULT_NONE, H_FAULT_STORE, H_FAULT_ALLOC };
struct h_fault {
    enum h_fault_kind kind;
    long nth;
    int err;     /* store faults */
    bool fired;  /* written: the fault was reached */
    long calls;  /* written: store calls or allocations the request made */
};

/* One answer: status and body (owned). */
struct h_resp {
    int status;
    char *body;
    json_t *json; /* parsed body, or NULL */
};

static inline void h_resp_done(struct h_resp *r)
{
    free(r->body);
    json_decref(r->json);
    *r = (struct h_resp){0};
}

static inline int64_t h_now(const struct clock *c)
{
    return ((const struct harness *)((const char *)c - offsetof(struct harness, clock)))->now;
}

/* Sends "METHOD /path?query" with body (NULL: none) with fault f armed for exactly the span of
 * api_handle (f NULL: none) and returns the answer in *out. */
static inline void h_call_fault(struct harness *h, const char *method, const char *target,
                                const char *body, struct h_fault *f, struct h_resp *out)
{
    char path[512], rid[33];
    const char *q = strchr(target, '?');
    struct http_response resp = {0};

    snprintf(path, sizeof(path), "%.*s", q ? (int)(q - target) : (int)strlen(target), target);
    snprintf(rid, sizeof(rid), "%032lx", ++h->seq);
    struct http_request req = {
        .method = method,
        .path = path,
        .query = q ? q + 1 : "",
        .body = body ? body : "",
        .body_len = body ? strlen(body) : 0,
        .request_id = rid,
        .client_ip = "127.0.0.1",
    };
    if (f && f->kind == H_FAULT_STORE)
        fault_store_arm(f->nth, f->err);
    if (f && f->kind == H_FAULT_ALLOC)
        fault_alloc_arm(f->nth);
    api_handle(&h->api, &req, &resp);
    if (f && f->kind == H_FAULT_STORE) {
        f->fired = fault_store_fired();
        f->calls = fault_store_calls();
        fault_store_arm(0, 0);
    }
    if (f && f->kind == H_FAULT_ALLOC) {
        f->fired = fault_alloc_fired();
        f->calls = fault_alloc_calls();
        fault_alloc_arm(0);
    }
    out->status = resp.status;
    out->body = resp.body.data ? resp.body.data : strdup("");
    out->json = out->body[0] ? json_loads(out->body, 0, NULL) : NULL;
}

static inline void h_call(struct harness *h, const char *method, const char *target,
                          const char *body, struct h_resp *out)
{
    h_call_fault(h, method, target, body, NULL, out);
}

/* A call that must answer want; returns the JSON string member key of the wrapper obj (of the
 * body itself when obj is NULL), copied into ret when not NULL. */
static inline void h_must(struct harness *h, const char *method, const char *target,
                          const char *body, int want, const char *obj, const char *key, char *ret,
                          size_t size)
{
    struct h_resp r;

    h_call(h, method, target, body, &r);
    if (r.status != want)
        fail_msg("%s %s: want %d, got %d %s", method, target, want, r.status, r.body);
    if (ret) {
        json_t *o = obj ? json_object_get(r.json, obj) : r.json;
        const char *v = json_string_value(json_object_get(o, key));
        assert_non_null(v);
        snprintf(ret, size, "%s", v);
    }
    h_resp_done(&r);
}

/* Moves the clock past every pending status and runs the engine. */
static inline void h_settle(struct harness *h)
{
    h->now += 1000;
    assert_true(engine_tick(&h->engine) >= 0);
}

/* "/v5/<project>/<fmt...>" */
static inline const char *h_path(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline const char *h_path(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(buf, size, "/v5/%s/", H_PROJECT);

    va_start(ap, fmt);
    vsnprintf(buf + n, size - (size_t)n, fmt, ap);
    va_end(ap);
    return buf;
}

static inline char *h_json_str(const char *s)
{
    json_t *v = json_string(s);
    char *out = json_dumps(v, JSON_ENCODE_ANY);

    json_decref(v);
    assert_non_null(out);
    return out;
}

/* A certificate body: every PEM member the unit certificate / key. */
static inline char *h_cert_body(void)
{
    char *c = h_json_str(UNIT_CERT), *k = h_json_str(UNIT_KEY);
    size_t n = 4 * strlen(c) + 2 * strlen(k) + 256;
    char *body = malloc(n);

    assert_non_null(body);
    snprintf(body, n,
             "{\"certificate\":{\"certificate\":%s,\"private_key\":%s,\"certificate_chain\":%s,"
             "\"enc_certificate\":%s,\"enc_private_key\":%s}}",
             c, k, c, c, k);
    free(c);
    free(k);
    return body;
}

static inline void h_gateway(struct harness *h, const char *flavor, char *id)
{
    char p[256], body[512];

    snprintf(body, sizeof(body),
             "{\"vpn_gateway\":{\"vpc_id\":\"7b6c5e0a-1f2d-4c3b-9a8e-1234567890ab\","
             "\"connect_subnet\":\"9a8b7c6d-5e4f-4a3b-8c2d-0123456789ab\","
             "\"local_subnets\":[\"10.0.0.0/24\"],\"flavor\":\"%s\",\"eip1\":{\"type\":\"5_bgp\","
             "\"charge_mode\":\"traffic\",\"bandwidth_size\":5},\"eip2\":{\"type\":\"5_bgp\","
             "\"charge_mode\":\"traffic\",\"bandwidth_size\":5}}}",
             flavor);
    h_must(h, "POST", h_path(p, sizeof(p), "vpn-gateways"), body, 201, "vpn_gateway", "id", id,
           40);
}

/* The connection create body on h's gateway (its eip1) and customer gateway. */
static inline void h_conn_body(const struct harness *h, const char *subnet, char *out,
                               size_t size)
{
    snprintf(out, size,
             "{\"vpn_connection\":{\"vgw_id\":\"%s\",\"vgw_ip\":\"%s\",\"cgw_id\":\"%s\","
             "\"peer_subnets\":[\"%s\"],\"psk\":\"" H_PSK "\"}}",
             h->vgw, h->eip1, h->cgw, subnet);
}

/* Builds the base state: gateways (one with connections, a spare, a GM with a certificate and a
 * GM without), customer gateways (one used, a spare), two connections (the first with a
 * monitor), a finished upgrade job, tags on each kind; everything settled. */
static inline void h_base(struct harness *h)
{
    char p[256], body[1024];
    struct h_resp r;

    h_gateway(h, "Professional1", h->vgw);
    h_gateway(h, "Professional1", h->spare_vgw);
    h_gateway(h, "GM", h->gm);
    h_gateway(h, "GM", h->gm_bare);
    h_must(h, "POST", h_path(p, sizeof(p), "customer-gateways"),
           "{\"customer_gateway\":{\"id_value\":\"88.1.1.164\"}}", 201, "customer_gateway", "id",
           h->cgw, sizeof(h->cgw));
    h_must(h, "POST", h_path(p, sizeof(p), "customer-gateways"),
           "{\"customer_gateway\":{\"id_value\":\"88.1.1.165\"}}", 201, "customer_gateway", "id",
           h->spare_cgw, sizeof(h->spare_cgw));
    h_settle(h);
    h_call(h, "GET", h_path(p, sizeof(p), "vpn-gateways/%s", h->vgw), NULL, &r);
    json_t *g = json_object_get(r.json, "vpn_gateway");
    snprintf(h->eip1, sizeof(h->eip1), "%s",
             json_string_value(json_object_get(json_object_get(g, "eip1"), "id")));
    snprintf(h->eip2, sizeof(h->eip2), "%s",
             json_string_value(json_object_get(json_object_get(g, "eip2"), "id")));
    h_resp_done(&r);
    char *cert = h_cert_body();
    h_must(h, "POST", h_path(p, sizeof(p), "vpn-gateways/%s/certificate", h->gm), cert, 201,
           "certificate", "id", h->cert, sizeof(h->cert));
    free(cert);
    h_conn_body(h, "192.168.1.0/24", body, sizeof(body));
    h_must(h, "POST", h_path(p, sizeof(p), "vpn-connection"), body, 201, "vpn_connection", "id",
           h->conn, sizeof(h->conn));
    h_conn_body(h, "192.168.2.0/24", body, sizeof(body));
    h_must(h, "POST", h_path(p, sizeof(p), "vpn-connection"), body, 201, "vpn_connection", "id",
           h->conn2, sizeof(h->conn2));
    h_settle(h);
    snprintf(body, sizeof(body), "{\"connection_monitor\":{\"vpn_connection_id\":\"%s\"}}",
             h->conn);
    h_must(h, "POST", h_path(p, sizeof(p), "connection-monitors"), body, 201,
           "connection_monitor", "id", h->monitor, sizeof(h->monitor));
    h_must(h, "POST", h_path(p, sizeof(p), "vpn-gateways/%s/upgrade", h->spare_vgw),
           "{\"action\":\"start\"}", 200, NULL, "job_id", h->job, sizeof(h->job));
    h_settle(h);
    h_must(h, "POST", h_path(p, sizeof(p), "vpn-gateways/%s/upgrade", h->spare_vgw),
           "{\"action\":\"finish\"}", 200, NULL, NULL, NULL, 0);
    static const char tags[] = "{\"tags\":[{\"key\":\"env\",\"value\":\"test\"}]}";
    h_must(h, "POST", h_path(p, sizeof(p), "vpn-gateway/%s/tags/create", h->vgw), tags, 204,
           NULL, NULL, NULL, 0);
    h_must(h, "POST", h_path(p, sizeof(p), "customer-gateway/%s/tags/create", h->cgw), tags, 204,
           NULL, NULL, NULL, 0);
    h_must(h, "POST", h_path(p, sizeof(p), "vpn-connection/%s/tags/create", h->conn), tags, 204,
           NULL, NULL, NULL, 0);
    h_settle(h);
    /* control rules that touch nothing of the base state (another project) */
    h_must(h, "POST", "/_vpnd/transitions",
           "{\"kind\":\"vpn_connection\",\"project_id\":\"other\",\"progress\":\"manual\"}",
           201, "transition", "rule", h->rule, sizeof(h->rule));
    h_must(h, "POST", "/_vpnd/faults", "{\"project_id\":\"other\",\"status\":500}", 201, "fault",
           "rule", h->fault, sizeof(h->fault));
}

/* control_kick_fn of the harness: its engine. */
static inline void h_kick(void *ud)
{
    struct harness *h = ud;

    (void)engine_tick(&h->engine);
}

/* GET /metrics in the harness (the server's renderer is not linked): the store's call timing,
 * written the way the server writes it. */
static inline int h_metrics(void *ud, struct buf *out)
{
    struct harness *h = ud;
    int r = metrics_head(out, "vpnd_store_call_duration_seconds", "histogram", "store calls");

    return r ? r
             : metrics_hist_write(out, "vpnd_store_call_duration_seconds", "",
                                  &store_stats(h->store)->latency);
}

/* A fresh harness with the base state; faults disarmed. */
static inline struct harness *h_open(void)
{
    struct harness *h = calloc(1, sizeof(*h));
    struct svc_config scfg;
    struct api_config acfg;
    const char *tmp = getenv("TMPDIR");
    char err[512];

    assert_non_null(h);
    snprintf(h->dir, sizeof(h->dir), "%s/vpnd-api-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(h->dir));
    snprintf(h->path, sizeof(h->path), "%s/vpnd.db", h->dir);
    if (store_open(h->path, &h->store, err, sizeof(err)) < 0)
        fail_msg("store_open: %s", err);
    fault_store_wrap(&h->store);
    h->clock.now_ms = h_now;
    h->now = H_T0;
    svc_config_defaults(&scfg);
    scfg.eip_pool = "203.0.112.0/20";
    assert_int_equal(svc_init(&h->svc, &scfg, h->store, &h->clock, err, sizeof(err)), 0);
    api_config_defaults(&acfg);
    assert_int_equal(api_init(&h->api, &acfg, &h->svc, err, sizeof(err)), 0);
    api_set_metrics(&h->api, h_metrics, h);
    h->engine = (struct engine){.svc = &h->svc, .driver = &engine_sim_driver,
                                .driver_ctx = &h->svc};
    assert_int_equal(control_init(&h->control, &h->svc, NULL, scfg.status_delay_ms, h_kick, h),
                     0);
    api_attach_control(&h->api, &h->control, "sim", NULL, NULL);
    fault_store_arm(0, 0);
    fault_alloc_arm(0);
    h_base(h);
    return h;
}

static inline void h_close(struct harness *h)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[1100];

    api_done(&h->api);
    control_done(&h->control);
    svc_done(&h->svc);
    store_close(h->store);
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(p, sizeof(p), "%s%s", h->path, suffixes[i]);
        unlink(p);
    }
    rmdir(h->dir);
    free(h);
}

/* The error body of r: the documented shape, want_status and want_code; returns error_msg. */
static inline const char *h_error(const struct h_resp *r, int want_status, const char *want_code)
{
    const char *code, *msg, *rid;

    if (r->status != want_status)
        fail_msg("want %d %s, got %d %s", want_status, want_code, r->status, r->body);
    if (!json_is_object(r->json) || json_object_size(r->json) != 3)
        fail_msg("not the error body: %s", r->body);
    code = json_string_value(json_object_get(r->json, "error_code"));
    msg = json_string_value(json_object_get(r->json, "error_msg"));
    rid = json_string_value(json_object_get(r->json, "request_id"));
    if (!code || strcmp(code, want_code) != 0 || !msg || !*msg || !rid || strlen(rid) != 32)
        fail_msg("want error_code %s, got %s", want_code, r->body);
    return msg;
}

#endif
