/* Unit tests for the gateway's certificate, upgrade jobs and routing table (model/vgw_cert.c,
 * model/vgw_jobs.c, model/vgw_routes.c): bodies, internal form, state machine, derivation. */
#include "test_model_util.h"

#include <jansson.h>

#include "test_certs.h"

#define UNIT_EXPIRE INT64_C(2111486941000)

static char *json_str(const char *s)
{
    json_t *v = json_string(s);
    char *out = json_dumps(v, JSON_ENCODE_ANY);
    json_decref(v);
    assert_non_null(out);
    return out;
}

/* {"certificate":{...}} with every PEM member set to cert / key, plus extra members. */
static char *cert_body(const char *cert, const char *key, const char *extra)
{
    char *c = json_str(cert), *k = json_str(key);
    size_t n = 6 * (strlen(c) + strlen(k)) + strlen(extra) + 256;
    char *body = test_zalloc(n);
    snprintf(body, n,
             "{\"certificate\":{\"certificate\":%s,\"private_key\":%s,\"certificate_chain\":%s,"
             "\"enc_certificate\":%s,\"enc_private_key\":%s%s}}",
             c, k, c, c, k, extra);
    free(c);
    free(k);
    return body;
}

static void cert_err(const struct model_vgw_cert *cur, const char *body, const char *want)
{
    struct model_vgw_cert out = {0};
    struct verr err = {0};

    assert_int_equal(tm_vgw_cert_parse(cur, body, strlen(body), &out, &err), -EINVAL);
    assert_string_equal(err.msg, want);
}

static void test_a_certificate_body_yields_the_facts_of_each_certificate(void **state)
{
    (void)state;
    char *body = cert_body(UNIT_CERT, UNIT_KEY, ",\"name\":\"c-1\"");
    struct model_vgw_cert c = {0};
    struct verr err = {0};

    assert_int_equal(tm_vgw_cert_parse(NULL, body, strlen(body), &c, &err), 0);
    assert_string_equal(c.name, "c-1");
    assert_string_equal(c.cert.serial_number, "42");
    assert_string_equal(c.cert.subject, "CN=unit");
    assert_string_equal(c.cert.issuer, "CN=unit");
    assert_string_equal(c.cert.signature_algorithm, "ecdsa-with-SHA256");
    assert_int_equal(c.cert.expire_time, UNIT_EXPIRE);
    assert_memory_equal(&c.chain, &c.cert, sizeof(c.cert));
    assert_memory_equal(&c.enc, &c.cert, sizeof(c.cert));
    assert_false(c.present); /* id, timestamps and presence are the caller's */
    free(body);
}

static void test_a_certificate_body_names_the_member_that_is_wrong(void **state)
{
    (void)state;
    char *body = cert_body("-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n",
                           UNIT_KEY, "");
    cert_err(NULL, body, "certificate.certificate: is not a valid PEM X.509 certificate");
    free(body);
    body = cert_body(UNIT_CERT, "not a key", "");
    cert_err(NULL, body,
             "certificate.private_key: must be a PEM private key starting with \"-----BEGIN "
             "PRIVATE KEY-----\" (or EC / RSA PRIVATE KEY)");
    free(body);
    cert_err(NULL, "{\"certificate\":{}}", "certificate.certificate: is required");
    cert_err(NULL, "{\"certificate\":[]}", "certificate: must be an object, got array");
}

static void test_a_certificate_update_needs_pairs_and_known_members(void **state)
{
    (void)state;
    struct model_vgw_cert cur = {.present = true, .name = "old"};
    struct model_vgw_cert out = {0};
    struct verr err = {0};
    const char *body = "{\"certificate\":{\"name\":\"new\"}}";

    cert_err(&cur, "{\"certificate\":{\"private_key\":\"x\"}}",
             "certificate.certificate: is required when private_key is given");
    cert_err(&cur, "{\"certificate\":{\"id\":\"x\"}}",
             "certificate.id: is not updatable (updatable: name, certificate, private_key, "
             "certificate_chain, enc_certificate, enc_private_key)");
    cert_err(&cur, "{\"certificate\":{}}",
             "certificate: must have at least one of name, certificate, private_key, "
             "certificate_chain, enc_certificate, enc_private_key");
    assert_int_equal(tm_vgw_cert_parse(&cur, body, strlen(body), &out, &err), 0);
    assert_string_equal(out.name, "new");
    assert_true(out.present);
}

static struct model_vgw *gateway_with_state(void)
{
    struct model_vgw *g = vgw_active(VGW_BODY(VGW_PUBLIC ",\"flavor\":\"GM\""));
    struct model_vgw_cert *c = &g->certificate;
    struct verr err = {0};

    g->status = MODEL_STATUS_PENDING_CREATE;
    c->binding = true;
    strcpy(c->cert.serial_number, "42");
    strcpy(c->cert.subject, "CN=unit");
    strcpy(c->chain.issuer, "CN=ca, O=\"x\"");
    strcpy(c->enc.signature_algorithm, "SM2-with-SM3");
    c->enc.expire_time = UNIT_EXPIRE;
    c->created_at = 1;
    c->updated_at = 2;
    assert_true(model_vgw_upgrade_apply(g, "start", EIP1_ID, 10, &err) >= 0);
    assert_true(model_vgw_upgrade_apply(g, "rollback", EIP2_ID, 20, &err) >= 0);
    return g;
}

static void test_certificate_and_jobs_round_trip_through_the_internal_form(void **state)
{
    (void)state;
    struct model_vgw *g = gateway_with_state();
    struct model_vgw *back = test_zalloc(sizeof(*back));
    struct buf b = {0};

    assert_int_equal(model_vgw_to_internal(g, &b), 0);
    assert_int_equal(model_vgw_from_internal(b.data, b.len, back), 0);
    assert_memory_equal(back, g, sizeof(*g));
    buf_free(&b);
    free(back);
    free(g);
}

static void test_a_spec_written_before_certificates_and_jobs_loads_without_them(void **state)
{
    (void)state;
    struct model_vgw *g = gateway_with_state();
    struct model_vgw *back = test_zalloc(sizeof(*back));
    struct buf b = {0};

    memset(&g->certificate, 0, sizeof(g->certificate));
    g->n_jobs = 0;
    memset(g->jobs, 0, sizeof(g->jobs));
    assert_int_equal(model_vgw_to_internal(g, &b), 0);
    assert_null(strstr(b.data, "\"certificate\""));
    assert_null(strstr(b.data, "\"jobs\""));
    assert_int_equal(model_vgw_from_internal(b.data, b.len, back), 0);
    assert_false(back->certificate.present);
    assert_int_equal(back->n_jobs, 0);
    assert_memory_equal(back, g, sizeof(*g));
    buf_free(&b);
    free(back);
    free(g);
}

static void test_stored_jobs_with_unknown_values_are_refused(void **state)
{
    (void)state;
    struct model_vgw *g = gateway_with_state();
    struct model_vgw *back = test_zalloc(sizeof(*back));
    struct buf b = {0};

    assert_int_equal(model_vgw_to_internal(g, &b), 0);
    char *at = strstr(b.data, "\"RUNNING\"");
    if (!at)
        at = strstr(b.data, "\"SUCCESS\"");
    assert_non_null(at);
    memcpy(at + 1, "XUCCESS", 7);
    assert_int_equal(model_vgw_from_internal(b.data, b.len, back), -EINVAL);
    buf_free(&b);
    free(back);
    free(g);
}

static void test_certificate_render_never_shows_keys_and_follows_the_gateway_status(void **state)
{
    (void)state;
    struct model_vgw *g = gateway_with_state();
    struct buf b = {0};

    assert_int_equal(model_vgw_cert_render(g, PROJECT_ID, "PENDING_UPDATE", &b), 0);
    assert_non_null(strstr(b.data, "\"status\":\"BINDING\""));
    assert_null(strstr(b.data, "key"));
    buf_reset(&b);
    assert_int_equal(model_vgw_cert_render(g, PROJECT_ID, "ACTIVE", &b), 0);
    assert_non_null(strstr(b.data, "\"status\":\"BOUND\""));
    assert_non_null(strstr(b.data, "\"enc_certificate_expire_time\":\"2036-11-28T12:09:01.000Z\""));
    buf_free(&b);
    free(g);
}

static void test_upgrade_actions_follow_start_then_finish_or_rollback(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_active(VGW_BODY(VGW_PUBLIC));
    struct verr err = {0};

    assert_int_equal(model_vgw_upgrade_apply(g, "finish", EIP1_ID, 1, &err), -EINVAL);
    assert_string_equal(err.msg, "action: no upgrade of gateway " VGW_ID
                                 " is running; start one first, got \"finish\"");
    assert_int_equal(model_vgw_upgrade_apply(g, "start", EIP1_ID, 5, &err), 0);
    assert_string_equal(g->jobs[0].status, "RUNNING");
    assert_int_equal(g->jobs[0].finished_at, 0);
    assert_int_equal(model_vgw_upgrade_apply(g, "start", EIP2_ID, 6, &err), -EINVAL);
    assert_string_equal(err.msg, "action: an upgrade of gateway " VGW_ID " is already running "
                                 "(job " EIP1_ID "); finish or rollback it, got \"start\"");
    assert_int_equal(model_vgw_upgrade_apply(g, "finish", EIP2_ID, 7, &err), 0);
    assert_string_equal(g->jobs[0].status, "SUCCESS");
    assert_int_equal(g->jobs[0].finished_at, 7);
    assert_int_equal(g->n_jobs, 1);
    assert_int_equal(model_vgw_upgrade_apply(g, "rollback", EIP2_ID, 8, &err), -EINVAL);
    free(g);
}

static void test_a_gateway_keeps_its_newest_jobs(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_active(VGW_BODY(VGW_PUBLIC));
    struct verr err = {0};
    char id[MODEL_UUID_LEN];

    for (int i = 0; i < 12; i++) {
        snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012d", i);
        assert_true(model_vgw_upgrade_apply(g, i % 2 ? "finish" : "start", id, i, &err) >= 0);
    }
    /* six jobs (each finished by the next call): all kept */
    assert_int_equal(g->n_jobs, 6);
    for (int i = 12; i < 22; i++) {
        snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012d", i);
        assert_true(model_vgw_upgrade_apply(g, i % 2 ? "finish" : "start", id, i, &err) >= 0);
    }
    assert_int_equal(g->n_jobs, MODEL_MAX_JOBS);
    assert_string_equal(g->jobs[0].id, "00000000-0000-4000-8000-000000000002");
    assert_int_equal(model_vgw_job_find(g, "00000000-0000-4000-8000-000000000000"), -1);
    model_vgw_job_remove(g, 0);
    assert_int_equal(g->n_jobs, MODEL_MAX_JOBS - 1);
    assert_string_equal(g->jobs[0].id, "00000000-0000-4000-8000-000000000004");
    free(g);
}

static void test_routes_come_from_settled_connections_sorted_by_destination(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_active(VGW_BODY(VGW_PUBLIC));
    const char *docs =
        "[{\"id\":\"a\",\"name\":\"na\",\"status\":\"DOWN\",\"style\":\"STATIC\","
        "\"vgw_ip\":\"" EIP1_ID "\",\"cgw_id\":\"c\",\"peer_subnets\":[\"192.168.10.0/24\","
        "\"192.168.2.0/24\"],\"tunnel_local_address\":\"169.254.1.1/30\","
        "\"tunnel_peer_address\":\"169.254.1.2/30\"},"
        "{\"id\":\"b\",\"status\":\"PENDING_CREATE\",\"style\":\"STATIC\","
        "\"peer_subnets\":[\"10.9.0.0/16\"]},"
        "{\"id\":\"d\",\"status\":\"DOWN\",\"style\":\"BGP\",\"peer_subnets\":[\"10.8.0.0/16\"]},"
        "{\"id\":\"e\",\"status\":\"ACTIVE\",\"style\":\"POLICY\",\"vgw_ip\":\"" EIP2_ID "\","
        "\"peer_subnets\":[\"192.168.2.0/23\"]}]";
    struct model_route *v = NULL;
    size_t n = 0;
    struct buf b = {0};

    assert_int_equal(model_vgw_routes(g, docs, strlen(docs), &v, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].destination.s, "192.168.2.0/23");
    assert_true(v[0].policy);
    assert_string_equal(v[0].outbound_interface_ip, "10.1.1.135");
    assert_string_equal(v[1].destination.s, "192.168.2.0/24");
    assert_string_equal(v[2].destination.s, "192.168.10.0/24");
    assert_string_equal(v[2].nexthop, "169.254.1.2");
    assert_string_equal(v[2].outbound_interface_ip, "169.254.1.1");
    assert_int_equal(model_route_render(&v[2], true, &b), 0);
    assert_string_equal(b.data,
                        "{\"destination\":\"192.168.10.0/24\",\"nexthop\":\"169.254.1.2\","
                        "\"outbound_interface_ip\":\"169.254.1.1\",\"origin\":\"static\","
                        "\"as_path\":\"\",\"med\":0,\"nexthop_resource\":{\"id\":\"a\","
                        "\"name\":\"na\",\"type\":\"vpn_connection\"}}");
    free(v);
    buf_free(&b);
    assert_int_equal(model_vgw_routes(g, "{}", 2, &v, &n), -EPROTO);
    free(g);
}

static void test_a_gm_gateway_without_certificate_takes_no_connection(void **state)
{
    (void)state;
    struct model_vpn_conn *c = conn_ok(CONN_BODY(SUBNETS));
    struct model_vgw *g = vgw_active(VGW_BODY(VGW_PUBLIC ",\"flavor\":\"GM\""));
    struct model_cgw *cg = cgw_ok("{\"customer_gateway\":{\"id_value\":\"1.2.3.4\"}}");
    struct verr err = {0};

    cg->ca.present = true; /* the customer gateway side of a GM connection is ready */
    memset(&g->certificate, 0, sizeof(g->certificate));
    assert_int_equal(model_conn_bind(c, g, cg, &err), -EINVAL);
    assert_string_equal(err.msg, "vpn_connection.vgw_id: GM gateway " VGW_ID
                                 " has no certificate; upload one first (POST vpn-gateways/" VGW_ID
                                 "/certificate), got \"" VGW_ID "\"");
    g->certificate.present = true;
    assert_int_equal(model_conn_bind(c, g, cg, &err), 0);
    assert_true(c->gw_is_gm);
    free(c);
    free(g);
    free(cg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_certificate_body_yields_the_facts_of_each_certificate),
        cmocka_unit_test(test_a_certificate_body_names_the_member_that_is_wrong),
        cmocka_unit_test(test_a_certificate_update_needs_pairs_and_known_members),
        cmocka_unit_test(test_certificate_and_jobs_round_trip_through_the_internal_form),
        cmocka_unit_test(test_a_spec_written_before_certificates_and_jobs_loads_without_them),
        cmocka_unit_test(test_stored_jobs_with_unknown_values_are_refused),
        cmocka_unit_test(test_certificate_render_never_shows_keys_and_follows_the_gateway_status),
        cmocka_unit_test(test_upgrade_actions_follow_start_then_finish_or_rollback),
        cmocka_unit_test(test_a_gateway_keeps_its_newest_jobs),
        cmocka_unit_test(test_routes_come_from_settled_connections_sorted_by_destination),
        cmocka_unit_test(test_a_gm_gateway_without_certificate_takes_no_connection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
