/* The error table (api/errors.c): every row is reachable, and answered with the documented body
 * {"error_code","error_msg","request_id"}, its status, its code and its message prefix. One
 * case per row; a row without a case fails the test. The one row a request built in process
 * cannot reach (403 APIGW.0302 needs request headers) is reached by tests/api/test_auth.py
 * (test_credential_used_on_a_project_it_does_not_hold_gets_403). */
#include "api_harness.h"

#include <sys/stat.h>

#include "api/errors.h"

#define UNKNOWN_ID "00000000-0000-4000-8000-00000000dead"

/* The rows a case reached (expect, reach_http_rows). */
static bool reached[API_ERR_N];

/* Sends the request and checks the answer against row e of the table and its message. */
static void expect(struct harness *h, int e, const char *method, const char *target,
                   const char *body, struct h_fault *f, const char *needle)
{
    const struct api_error *row = api_error_of(e);
    struct h_resp r;

    h_call_fault(h, method, target, body, f, &r);
    const char *msg = h_error(&r, row->status, row->code);
    if (strncmp(msg, row->prefix, strlen(row->prefix)) != 0 || !strstr(msg, needle))
        fail_msg("row %d: want \"%s...%s...\", got %s", e, row->prefix, needle, msg);
    h_resp_done(&r);
    reached[e] = true;
}

static void conn_target(const char *id, char *out, size_t size)
{
    h_path(out, size, "vpn-connection/%s", id);
}

static void reach_state_rows(struct harness *h)
{
    char p[256], body[1024], gw[40], eip[40];
    struct h_resp r;

    expect(h, VERR_INVALID, "POST", h_path(p, sizeof(p), "vpn-connection"),
           "{\"vpn_connection\":{}}", NULL, "vpn_connection.vgw_id: is required");
    conn_target(UNKNOWN_ID, p, sizeof(p));
    expect(h, VERR_NOT_FOUND, "GET", p, NULL, NULL, UNKNOWN_ID);

    /* a second connection with the first's tunnel /30 */
    conn_target(h->conn, p, sizeof(p));
    h_call(h, "GET", p, NULL, &r);
    json_t *c = json_object_get(r.json, "vpn_connection");
    snprintf(body, sizeof(body),
             "{\"vpn_connection\":{\"vgw_id\":\"%s\",\"vgw_ip\":\"%s\",\"cgw_id\":\"%s\","
             "\"peer_subnets\":[\"192.168.5.0/24\"],\"psk\":\"" H_PSK "\","
             "\"tunnel_local_address\":\"%s\",\"tunnel_peer_address\":\"%s\"}}",
             h->vgw, h->eip1, h->cgw,
             json_string_value(json_object_get(c, "tunnel_local_address")),
             json_string_value(json_object_get(c, "tunnel_peer_address")));
    h_resp_done(&r);
    expect(h, VERR_IP_OCCUPIED, "POST", h_path(p, sizeof(p), "vpn-connection"), body, NULL,
           "is occupied");

    /* a connection and a gateway update on a gateway still PENDING_CREATE */
    h_gateway(h, "Professional1", gw);
    h_call(h, "GET", h_path(p, sizeof(p), "vpn-gateways/%s", gw), NULL, &r);
    snprintf(eip, sizeof(eip), "%s",
             json_string_value(json_object_get(
                 json_object_get(json_object_get(r.json, "vpn_gateway"), "eip1"), "id")));
    h_resp_done(&r);
    snprintf(body, sizeof(body),
             "{\"vpn_connection\":{\"vgw_id\":\"%s\",\"vgw_ip\":\"%s\",\"cgw_id\":\"%s\","
             "\"peer_subnets\":[\"192.168.5.0/24\"],\"psk\":\"" H_PSK "\"}}",
             gw, eip, h->cgw);
    expect(h, VERR_VGW_NOT_READY, "POST", h_path(p, sizeof(p), "vpn-connection"), body, NULL,
           "PENDING_CREATE");
    expect(h, VERR_VGW_CREATING, "PUT", h_path(p, sizeof(p), "vpn-gateways/%s", gw),
           "{\"vpn_gateway\":{\"name\":\"x\"}}", NULL, "being created");

    /* private gateway address rules */
    static const char priv[] =
        "{\"vpn_gateway\":{\"network_type\":\"private\",\"vpc_id\":"
        "\"7b6c5e0a-1f2d-4c3b-9a8e-1234567890ab\",\"connect_subnet\":"
        "\"9a8b7c6d-5e4f-4a3b-8c2d-0123456789ab\",\"local_subnets\":[\"10.0.0.0/24\"],"
        "\"access_private_ip_1\":\"172.31.0.5\"%s}}";
    snprintf(body, sizeof(body), priv, ",\"access_private_ip_2\":\"172.31.0.5\"");
    expect(h, VERR_PRIVATE_IP_SAME, "POST", h_path(p, sizeof(p), "vpn-gateways"), body, NULL,
           "must differ from access_private_ip_1");
    snprintf(body, sizeof(body), priv, "");
    expect(h, VERR_PRIVATE_IP_PAIR, "POST", h_path(p, sizeof(p), "vpn-gateways"), body, NULL,
           "is required when access_private_ip_1 is given");

    /* an EIP another gateway holds */
    snprintf(body, sizeof(body),
             "{\"vpn_gateway\":{\"vpc_id\":\"7b6c5e0a-1f2d-4c3b-9a8e-1234567890ab\","
             "\"connect_subnet\":\"9a8b7c6d-5e4f-4a3b-8c2d-0123456789ab\","
             "\"local_subnets\":[\"10.0.0.0/24\"],\"eip1\":{\"id\":\"%s\"},"
             "\"eip2\":{\"id\":\"" UNKNOWN_ID "\"}}}",
             h->eip1);
    expect(h, VERR_EIP_BOUND, "POST", h_path(p, sizeof(p), "vpn-gateways"), body, NULL,
           "already bound");

    /* a policy-template connection's log */
    snprintf(body, sizeof(body),
             "{\"vpn_connection\":{\"vgw_id\":\"%s\",\"vgw_ip\":\"%s\",\"cgw_id\":\"%s\","
             "\"style\":\"policy-template\",\"peer_subnets\":[\"192.168.6.0/24\"],"
             "\"psk\":\"" H_PSK "\"}}",
             h->vgw, h->eip2, h->cgw);
    char id[40];
    h_must(h, "POST", h_path(p, sizeof(p), "vpn-connection"), body, 201, "vpn_connection", "id",
           id, sizeof(id));
    expect(h, VERR_CONN_NO_LOG, "GET", h_path(p, sizeof(p), "vpn-connection/%s/log", id), NULL,
           NULL, "POLICY-TEMPLATE");

    /* the connection lifecycle */
    snprintf(body, sizeof(body), "{\"connection_monitor\":{\"vpn_connection_id\":\"%s\"}}",
             h->conn);
    expect(h, VERR_CONN_HAS_MONITOR, "POST", h_path(p, sizeof(p), "connection-monitors"), body,
           NULL, "already has connection monitor");
    conn_target(h->conn, p, sizeof(p));
    h_must(h, "PUT", p, "{\"vpn_connection\":{\"name\":\"a\"}}", 200, NULL, NULL, NULL, 0);
    expect(h, VERR_CONN_UPDATING, "PUT", p, "{\"vpn_connection\":{\"name\":\"b\"}}", NULL,
           "being updated");
    conn_target(h->conn2, p, sizeof(p));
    h_must(h, "DELETE", p, NULL, 204, NULL, NULL, NULL, 0);
    expect(h, VERR_CONN_DELETING, "PUT", p, "{\"vpn_connection\":{\"name\":\"b\"}}", NULL,
           "is deleting");

    /* the gateway lifecycle: updating, and deleting (no request makes a gateway PENDING_DELETE
     * today: the store is told, as a data plane or a control surface would) */
    h_path(p, sizeof(p), "vpn-gateways/%s", h->vgw);
    h_must(h, "PUT", p, "{\"vpn_gateway\":{\"name\":\"a\"}}", 200, NULL, NULL, NULL, 0);
    expect(h, VERR_VGW_UPDATING, "PUT", p, "{\"vpn_gateway\":{\"name\":\"b\"}}", NULL,
           "being updated");
    assert_int_equal(store_vgw_set_status(h->store, H_PROJECT, h->spare_vgw, "ACTIVE",
                                          "PENDING_DELETE", 0, h->now),
                     0);
    expect(h, VERR_VGW_DELETING, "PUT", h_path(p, sizeof(p), "vpn-gateways/%s", h->spare_vgw),
           "{\"vpn_gateway\":{\"name\":\"b\"}}", NULL, "being deleted");
}

static void reach_server_rows(struct harness *h)
{
    char p[256];
    struct h_fault io = {.kind = H_FAULT_STORE, .nth = 1, .err = -EIO};
    struct h_fault nomem = {.kind = H_FAULT_STORE, .nth = 1, .err = -ENOMEM};
    struct h_fault busy = {.kind = H_FAULT_STORE, .nth = 1, .err = -EBUSY};
    struct h_fault full = {.kind = H_FAULT_STORE, .nth = 1, .err = -ENOSPC};

    conn_target(h->conn, p, sizeof(p));
    expect(h, API_ERR_SERVER, "GET", p, NULL, &io, "in the server log");
    expect(h, API_ERR_UNAVAILABLE, "GET", p, NULL, &nomem, "out of memory");
    expect(h, API_ERR_BUSY, "GET", p, NULL, &busy, "The system is busy");
    /* a full disk (the store's -ENOSPC) is the same row, with its own message */
    expect(h, API_ERR_UNAVAILABLE, "GET", p, NULL, &full, "no space left");
    expect(h, API_ERR_NO_API, "GET", h_path(p, sizeof(p), "nothing-here"), NULL, NULL,
           "does not exist");
}

/* Refusals of the HTTP layer, rendered by the API's error callback. */
static void reach_http_rows(struct harness *h)
{
    static const int cases[][2] = {{400, API_ERR_BAD_REQUEST}, {413, API_ERR_TOO_LARGE}};
    const struct http_request req = {.method = "POST", .path = "/", .query = "",
                                     .body = "", .request_id = "0123456789abcdef0123456789abcdef"};

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct http_response resp = {0};
        struct h_resp r;

        api_on_http_error(&h->api, &req, cases[i][0], "refused by the HTTP layer", &resp);
        r.status = resp.status;
        r.body = resp.body.data;
        r.json = json_loads(r.body, 0, NULL);
        (void)h_error(&r, api_error_of(cases[i][1])->status, api_error_of(cases[i][1])->code);
        h_resp_done(&r);
        reached[cases[i][1]] = true;
    }
}

/* A request without credentials to an API that has some. */
static void reach_auth_rows(struct harness *h)
{
    char creds[300], p[256], err[512];
    struct api_config cfg;
    struct api authed;
    struct api saved = h->api;
    FILE *f;

    snprintf(creds, sizeof(creds), "%s/credentials", h->dir);
    assert_non_null(f = fopen(creds, "w"));
    fprintf(f, "token not-sent " H_PROJECT "\n");
    fclose(f);
    assert_int_equal(chmod(creds, 0600), 0);
    api_config_defaults(&cfg);
    cfg.credentials = creds;
    assert_int_equal(api_init(&authed, &cfg, &h->svc, err, sizeof(err)), 0);
    h->api = authed;
    expect(h, API_ERR_UNAUTHENTICATED, "GET", h_path(p, sizeof(p), "vpn/quotas"), NULL, NULL, "");
    api_done(&h->api);
    h->api = saved;
    unlink(creds);
}

static void test_every_row_of_the_error_table_is_reachable_with_the_documented_body(void **state)
{
    struct harness *h = h_open();
    (void)state;

    reach_state_rows(h);
    reach_server_rows(h);
    reach_http_rows(h);
    reach_auth_rows(h);
    reached[API_ERR_FORBIDDEN] = true; /* tests/api/test_auth.py (see the head of this file) */
    for (int e = 0; e < API_ERR_N; e++) {
        if (!reached[e])
            fail_msg("error table row %d (%d %s) has no case", e, api_error_of(e)->status,
                     api_error_of(e)->code);
    }
    h_close(h);
}

/* The README's "Errors" table: "| status | `code` | `prefix` |" (or "| |" without a prefix) for
 * every row of the table. Run from the top of the tree (make unit). */
static void test_the_readme_lists_every_row_of_the_error_table(void **state)
{
    FILE *f = fopen("README.md", "r");
    char line[1024];
    bool listed[API_ERR_N] = {false};
    (void)state;

    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        for (int e = 0; e < API_ERR_N; e++) {
            const struct api_error *row = api_error_of(e);
            char want[128];
            if (row->prefix[0])
                snprintf(want, sizeof(want), "| %d | `%s` | `%s` |", row->status, row->code,
                         row->prefix);
            else
                snprintf(want, sizeof(want), "| %d | `%s` | |", row->status, row->code);
            if (strncmp(line, want, strlen(want)) == 0)
                listed[e] = true;
        }
    }
    fclose(f);
    for (int e = 0; e < API_ERR_N; e++) {
        if (!listed[e])
            fail_msg("README.md does not list error table row %d (%d %s)", e,
                     api_error_of(e)->status, api_error_of(e)->code);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_row_of_the_error_table_is_reachable_with_the_documented_body),
        cmocka_unit_test(test_the_readme_lists_every_row_of_the_error_table),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
