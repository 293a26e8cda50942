/* The fault sweep: every API operation (every route of the table), run again and again on the
 * same state with the Nth store call failing (-EIO), then with the Nth allocation failing, N = 1
 * until the operation succeeds. Each failed run must answer the documented error body (500
 * VPN.0002 for a store failure, 503 VPN.0002 for memory), leave nothing half-written (the state
 * read back through the API is what it was) and leave the server serving; the sanitizers report
 * any leak or bad access at exit. Allocation counts above 32 are sampled (each eighth of N), so
 * the sweep stays within seconds; the store sweep takes every N. A first store call failing with
 * -EBUSY and -ENOMEM is answered 504 VPN.0014 and 503 VPN.0002. */
#include "api_harness.h"

#include "api/router.h"

/* One operation: method, target and body, with {name} standing for an id of the base state
 * ({cert_body}: a certificate body). write: it may change state (read back after a failure). */
struct op {
    const char *method;
    const char *target;
    const char *body;
    bool write;
};

#define TAGS "{\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}"
#define FILTER "{\"tags\":[{\"key\":\"env\",\"values\":[\"test\"]}]}"
#define TAG_OPS(type, id)                                                                          \
    {"POST", type "/" id "/tags/create", TAGS, true},                                             \
        {"POST", type "/" id "/tags/delete", "{\"tags\":[{\"key\":\"env\"}]}", true},             \
        {"GET", type "/" id "/tags", NULL, false}, {"GET", type "/tags", NULL, false},            \
        {"POST", type "/resource-instances/filter", FILTER, false},                               \
        {"POST", type "/resource-instances/count", FILTER, false}

static const struct op ops[] = {
    {"POST", "vpn-connection",
     "{\"vpn_connection\":{\"vgw_id\":\"{vgw}\",\"vgw_ip\":\"{eip1}\",\"cgw_id\":\"{cgw}\","
     "\"peer_subnets\":[\"192.168.9.0/24\"],\"psk\":\"" H_PSK "\"}}",
     true},
    {"GET", "vpn-connection/{conn}", NULL, false},
    {"GET", "vpn-connection?limit=10", NULL, false},
    {"GET", "vpn-connection?vpn_id={conn}", NULL, false},
    {"PUT", "vpn-connection/{conn}",
     "{\"vpn_connection\":{\"name\":\"renamed\",\"ikepolicy\":{\"lifetime_seconds\":3600}}}",
     true},
    {"DELETE", "vpn-connection/{conn}", NULL, true},
    {"POST", "vpn-connection/{conn}/reset", NULL, true},
    {"GET", "vpn-connection/{conn}/log", NULL, false},
    {"GET", "vpn-connection/{conn}/ipsec-sa", NULL, false},
    {"POST", "vpn-connection/{conn}/peer-configuration/export",
     "{\"vendor\":\"strongSwan\",\"model\":\"swanctl\",\"version\":\"5.9\"}", false},
    {"GET", "peer-configuration/supported-devices", NULL, false},
    {"POST", "vpn-connections/batch-create",
     "{\"vpn_connections\":[{\"vgw_id\":\"{vgw}\",\"vgw_ip\":\"{eip1}\",\"cgw_id\":\"{cgw}\","
     "\"peer_subnets\":[\"192.168.7.0/24\"],\"psk\":\"" H_PSK "\"},{\"vgw_id\":\"{vgw}\","
     "\"vgw_ip\":\"{eip2}\",\"cgw_id\":\"{cgw}\",\"peer_subnets\":[\"192.168.8.0/24\"],"
     "\"psk\":\"" H_PSK "\"}]}",
     true},
    {"POST", "connection-monitors", "{\"connection_monitor\":{\"vpn_connection_id\":\"{conn2}\"}}",
     true},
    {"GET", "connection-monitors", NULL, false},
    {"GET", "connection-monitors/{monitor}", NULL, false},
    {"DELETE", "connection-monitors/{monitor}", NULL, true},
    {"POST", "vpn-gateways",
     "{\"vpn_gateway\":{\"vpc_id\":\"7b6c5e0a-1f2d-4c3b-9a8e-1234567890ab\",\"connect_subnet\":"
     "\"9a8b7c6d-5e4f-4a3b-8c2d-0123456789ab\",\"local_subnets\":[\"10.0.0.0/24\"],\"eip1\":"
     "{\"id\":\"0c464dad-2a1b-4c5d-8e9f-c22bb0eb0bde\"},\"eip2\":{\"id\":"
     "\"1d575ebe-3b2c-4d6e-9f0a-d33cc1fc1cef\"}}}",
     true},
    {"GET", "vpn-gateways", NULL, false},
    {"GET", "vpn-gateways/{vgw}", NULL, false},
    {"PUT", "vpn-gateways/{vgw}",
     "{\"vpn_gateway\":{\"name\":\"gw\",\"local_subnets\":[\"10.1.0.0/24\"]}}", true},
    {"DELETE", "vpn-gateways/{spare_vgw}", NULL, true},
    {"POST", "vpn-gateways/{vgw}/update-specification",
     "{\"vpn_gateway\":{\"flavor\":\"Professional2\"}}", true},
    {"GET", "vpn-gateways/availability-zones", NULL, false},
    {"GET", "/v5.1/" H_PROJECT "/vpn-gateways/availability-zones", NULL, false},
    {"POST", "vpn-gateways/{gm_bare}/certificate", "{cert_body}", true},
    {"GET", "vpn-gateways/{gm}/certificate", NULL, false},
    {"PUT", "vpn-gateways/{gm}/certificate/{cert}", "{\"certificate\":{\"name\":\"c2\"}}", true},
    {"POST", "vpn-gateways/{vgw}/upgrade", "{\"action\":\"start\"}", true},
    {"GET", "vpn-gateways/jobs?limit=5", NULL, false},
    {"GET", "vpn-gateway-certificates?pre_expire_days=30", NULL, false},
    {"DELETE", "vpn-gateways/jobs/{job}", NULL, true},
    {"GET", "vpn-gateways/{vgw}/routing-table?is_include_nexthop_resource=true", NULL, false},
    {"POST", "customer-gateways", "{\"customer_gateway\":{\"id_value\":\"88.1.1.9\"}}", true},
    {"GET", "customer-gateways?limit=5", NULL, false},
    {"GET", "customer-gateways/{cgw}", NULL, false},
    {"PUT", "customer-gateways/{cgw}", "{\"customer_gateway\":{\"name\":\"c\"}}", true},
    {"DELETE", "customer-gateways/{spare_cgw}", NULL, true},
    {"GET", "vpn/quotas", NULL, false},
    TAG_OPS("vpn-gateway", "{vgw}"),
    TAG_OPS("customer-gateway", "{cgw}"),
    TAG_OPS("vpn-connection", "{conn}"),
    /* vpnd's own routes */
    {"GET", "/metrics", NULL, false},
    {"GET", "/openapi.json", NULL, false},
    {"GET", "/_vpnd/health", NULL, false},
    {"GET", "/_vpnd/ready", NULL, false},
    {"POST", "/_vpnd/reset", "{}", true},
    {"POST", "/_vpnd/seed",
     "{\"project_id\":\"" H_PROJECT "\",\"customer_gateway\":{\"id_value\":\"88.1.1.77\"}}",
     true},
    {"GET", "/_vpnd/state", NULL, false},
    {"POST", "/_vpnd/status",
     "{\"kind\":\"vpn_connection\",\"project_id\":\"" H_PROJECT "\",\"id\":\"{conn}\","
     "\"status\":\"ERROR\",\"hold\":true}",
     true},
    {"POST", "/_vpnd/advance", "{}", true},
    {"GET", "/_vpnd/transitions", NULL, false},
    {"POST", "/_vpnd/transitions", "{\"kind\":\"vpn_gateway\",\"progress\":\"manual\"}", true},
    {"DELETE", "/_vpnd/transitions/{rule}", NULL, true},
    {"DELETE", "/_vpnd/transitions", NULL, true},
    {"GET", "/_vpnd/faults", NULL, false},
    {"POST", "/_vpnd/faults", "{\"operation\":\"vpn_connection.show\",\"status\":503}", true},
    {"DELETE", "/_vpnd/faults/{fault}", NULL, true},
    {"DELETE", "/_vpnd/faults", NULL, true},
    {"GET", "/_vpnd/clock", NULL, false},
    {"POST", "/_vpnd/clock", "{\"advance_ms\":600000}", true},
};

/* s with its {name}s replaced by the base state's ids. Caller frees. */
static char *expand(const struct harness *h, const char *s)
{
    static const struct {
        const char *name;
        size_t off;
    } ids[] = {
#define ID(f) {"{" #f "}", offsetof(struct harness, f)}
        ID(vgw), ID(eip1), ID(eip2), ID(spare_vgw), ID(gm), ID(gm_bare), ID(cert), ID(cgw),
        ID(spare_cgw), ID(conn), ID(conn2), ID(monitor), ID(job), ID(rule), ID(fault),
#undef ID
    };
    struct buf b = {0};

    if (strcmp(s, "{cert_body}") == 0)
        return h_cert_body();
    while (*s) {
        bool done = false;
        for (size_t i = 0; i < ARRAY_SIZE(ids) && !done; i++) {
            size_t n = strlen(ids[i].name);
            if (strncmp(s, ids[i].name, n) != 0)
                continue;
            assert_int_equal(buf_puts(&b, (const char *)h + ids[i].off), 0);
            s += n;
            done = true;
        }
        if (!done)
            assert_int_equal(buf_append(&b, s++, 1), 0);
    }
    return buf_steal(&b);
}

static char *op_target(const struct harness *h, const struct op *o)
{
    char *t = expand(h, o->target), *full;

    if (t[0] == '/')
        return t;
    full = malloc(strlen(t) + 64);
    assert_non_null(full);
    sprintf(full, "/v5/%s/%s", H_PROJECT, t);
    free(t);
    return full;
}

/* What the API shows of the state (every list, each log), request ids blanked. */
static char *snapshot(struct harness *h)
{
    static const char *const reads[] = {
        "vpn-gateways", "customer-gateways", "vpn-connection", "connection-monitors",
        "vpn-gateways/jobs", "vpn/quotas", "vpn-gateway/tags", "customer-gateway/tags",
        "vpn-connection/tags", "vpn-connection/{conn}/log", "vpn-connection/{conn2}/log",
        "vpn-gateways/{gm}/certificate",
    };
    struct buf b = {0};

    for (size_t i = 0; i < ARRAY_SIZE(reads); i++) {
        struct op o = {"GET", reads[i], NULL, false};
        char *t = op_target(h, &o);
        struct h_resp r;

        h_call(h, "GET", t, NULL, &r);
        free(t);
        char *rid = strstr(r.body, "\"request_id\":\"");
        if (rid)
            memset(rid + 14, '0', 32);
        assert_int_equal(buf_printf(&b, "%d %s\n", r.status, r.body), 0);
        h_resp_done(&r);
    }
    return buf_steal(&b);
}

/* Runs op i with fault f; returns true when it succeeded (the fault was not reached, or it was
 * absorbed: a retry past a busy store (absorb), or a library that needed no more than it had,
 * SQLite's page cache among them, for an allocation). */
static bool run(struct harness *h, size_t i, struct h_fault *f, const char *before, int want,
                const char *want_code, bool absorb)
{
    const struct op *o = &ops[i];
    char *t = op_target(h, o), *body = o->body ? expand(h, o->body) : NULL;
    struct h_resp r;

    h_call_fault(h, o->method, t, body, f, &r);
    print_message("%s %s, fault %d at %ld of %ld: %d\n", o->method, o->target, f->kind, f->nth,
                  f->calls, r.status);
    bool ok = r.status < 300;
    if (!f->fired || (absorb && ok)) {
        if (!ok)
            fail_msg("%s %s without a fault: %d %s", o->method, o->target, r.status, r.body);
    } else if (want == 503 && f->kind == H_FAULT_ALLOC && f->nth == 1 && !r.body[0]) {
        assert_int_equal(r.status, 503); /* no memory for the reply itself: no body to send */
    } else {
        (void)h_error(&r, want, want_code);
    }
    h_resp_done(&r);
    free(t);
    free(body);
    if (!ok && before) { /* nothing half-written; it serves */
        char *after = snapshot(h);
        if (strcmp(before, after) != 0)
            fail_msg("%s %s with fault %d/%ld changed the state:\n%s\n---\n%s", o->method,
                     o->target, f->kind, f->nth, before, after);
        free(after);
    }
    return ok;
}

/* Operations that absorb a store fault by design: moving the control surface's clock runs the
 * status engine at once after its commit, best effort (a failure there waits for the next tick);
 * a seed is vpnd import, which runs a batch whose write failed again record by record
 * (transfer/import.c). Their outcome is still checked: an answer, and an error body when not
 * 2xx. */
static bool absorbs(const struct op *o)
{
    return strcmp(o->method, "POST") == 0 &&
           (strcmp(o->target, "/_vpnd/clock") == 0 || strcmp(o->target, "/_vpnd/seed") == 0);
}

/* The next N of an allocation sweep: every one (the whole sweep takes about a minute). */
static long next_n(long n)
{
    return n + 1;
}

static long sweep(size_t i, enum h_fault_kind kind)
{
    struct harness *h = h_open();
    char *before = ops[i].write ? snapshot(h) : NULL;
    long runs = 0;

    for (long n = 1;; n = kind == H_FAULT_STORE ? n + 1 : next_n(n)) {
        struct h_fault f = {.kind = kind, .nth = n, .err = -EIO};
        runs++;
        bool alloc = kind == H_FAULT_ALLOC;
        if (run(h, i, &f, before, alloc ? 503 : 500, "VPN.0002", alloc || absorbs(&ops[i]))) {
            if (!f.fired)
                break;
            /* absorbed: it succeeded; the next N runs on a fresh base state */
            h_close(h);
            h = h_open();
            free(before);
            before = ops[i].write ? snapshot(h) : NULL;
        }
        assert_true(n < 100000);
    }
    free(before);
    h_close(h);
    return runs;
}

static void test_every_operation_fails_cleanly_at_every_store_call_and_allocation(void **state)
{
    long store_runs = 0, alloc_runs = 0;
    (void)state;

    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        struct harness *h = h_open();
        struct h_fault busy = {.kind = H_FAULT_STORE, .nth = 1, .err = -EBUSY};
        struct h_fault nomem = {.kind = H_FAULT_STORE, .nth = 1, .err = -ENOMEM};

        /* an operation that retries a busy store may succeed instead */
        (void)run(h, i, &busy, NULL, 504, "VPN.0014", true);
        (void)run(h, i, &nomem, NULL, 503, "VPN.0002", false);
        h_close(h);
        store_runs += sweep(i, H_FAULT_STORE);
        alloc_runs += sweep(i, H_FAULT_ALLOC);
    }
    print_message("fault sweep: %zu operations, %ld runs with a store call failing, %ld with an "
                  "allocation failing\n",
                  ARRAY_SIZE(ops), store_runs, alloc_runs);
}

/* The sweep covers the route table: every route is one of the operations. */
static void test_the_operations_are_every_route(void **state)
{
    struct harness *h = h_open();
    struct router rt;
    size_t n;
    const struct route *routes = api_routes(&n);
    bool hit[ROUTER_MAX_ROUTES] = {false};
    (void)state;

    assert_int_equal(router_init(&rt, routes, n), 0);
    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        char *t = op_target(h, &ops[i]);
        char *q = strchr(t, '?');
        struct api_call call = {0};

        if (q)
            *q = '\0';
        const struct route *r = router_match(&rt, ops[i].method, t, &call);
        assert_non_null(r);
        hit[r - routes] = true;
        free(t);
    }
    for (size_t i = 0; i < n; i++) {
        if (!hit[i])
            fail_msg("no operation for %s %s", routes[i].method, routes[i].pattern);
    }
    h_close(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_operations_are_every_route),
        cmocka_unit_test(test_every_operation_fails_cleanly_at_every_store_call_and_allocation),
    };

    fault_alloc_sqlite();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
