/* Unit tests for the response shapes the SDK's VPN v5 models give (spec/sdk-models): the
 * create responses, the facts a gateway response carries (supported_flavors, EIPs given by id),
 * bgp_peer, the certificate's project_id and the jobs' statuses. */
#include "test_model_util.h"
#include "util/macro.h"

#define CGW_ASN "{\"customer_gateway\":{\"id_value\":\"88.1.1.164\",\"bgp_asn\":65010}}"
#define BGP                                                                                        \
    ",\"style\":\"bgp\",\"tunnel_local_address\":\"169.254.56.225/30\","                           \
    "\"tunnel_peer_address\":\"169.254.56.226/30\""

/* ---- connections ---- */

static void test_a_bgp_connection_shows_its_bgp_peer(void **state)
{
    (void)state;
    struct model_vpn_conn *c = bound(CONN_BODY(SUBNETS BGP), VGW_BODY(VGW_PUBLIC), CGW_ASN);
    char *out = RENDER(model_conn_render, c);
    assert_non_null(strstr(out, "\"bgp_peer\":{\"peer_ip_address\":\"169.254.56.226\","
                                "\"peer_asn\":65010}"));
    free(out);
    free(c);
}

static void test_a_static_connection_has_no_bgp_peer(void **state)
{
    (void)state;
    struct model_vpn_conn *c = bound(CONN_BODY(SUBNETS), VGW_BODY(VGW_PUBLIC), CGW_ASN);
    char *out = RENDER(model_conn_render, c);
    assert_false(has_key(out, "bgp_peer"));
    free(out);
    free(c);
}

static void test_the_connection_create_response_has_no_status_monitor_or_bgp_peer(void **state)
{
    (void)state;
    struct model_vpn_conn *c = bound(CONN_BODY(SUBNETS BGP), VGW_BODY(VGW_PUBLIC), CGW_ASN);
    c->status = MODEL_STATUS_PENDING_CREATE;
    strcpy(c->connection_monitor_id, EPID);
    char *out = RENDER(model_conn_render_create, c);
    assert_false(has_key(out, "status"));
    assert_false(has_key(out, "connection_monitor_id"));
    assert_false(has_key(out, "bgp_peer"));
    assert_true(has_key(out, "ikepolicy"));
    free(out);
    free(c);
}

static void test_the_peer_asn_survives_the_internal_form(void **state)
{
    (void)state;
    struct model_vpn_conn *c = bound(CONN_BODY(SUBNETS BGP), VGW_BODY(VGW_PUBLIC), CGW_ASN);
    struct model_vpn_conn *back = test_zalloc(sizeof(*back));
    struct buf b = {0};

    assert_int_equal(model_conn_to_internal(c, &b), 0);
    assert_int_equal(model_conn_from_internal(b.data, b.len, back), 0);
    assert_int_equal(back->peer_asn, 65010);
    buf_free(&b);
    free(back);
    free(c);
}

static void test_enable_health_check_is_kept_and_shown_by_the_create_response_only(void **state)
{
    (void)state;
    struct model_vpn_conn *c =
        bound(CONN_BODY(SUBNETS ",\"enable_health_check\":true"), VGW_BODY(VGW_PUBLIC), CGW_ASN);
    char *created = RENDER(model_conn_render_create, c), *shown = RENDER(model_conn_render, c);
    assert_true(c->enable_health_check);
    assert_true(has_key(created, "enable_health_check"));
    assert_false(has_key(shown, "enable_health_check"));
    assert_conn_round_trip(c);
    CONN_ERR(CONN_BODY(",\"enable_health_check\":\"yes\""),
             "vpn_connection.enable_health_check: must be a boolean, got string");
    free(created);
    free(shown);
    free(c);
}

/* ---- gateways ---- */

static void test_the_gateway_create_response_is_the_create_model(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_active(VGW_BODY(VGW_PUBLIC));
    char *out = RENDER(model_vgw_render_create, g);
    static const char *const absent[] = {"status",
                                         "availability_zone_ids",
                                         "eip1",
                                         "eip2",
                                         "created_at",
                                         "updated_at",
                                         "applied_at",
                                         "access_private_ip_1",
                                         "supported_flavors"};
    for (size_t i = 0; i < ARRAY_SIZE(absent); i++) {
        if (has_key(out, absent[i]))
            fail_msg("create response has %s: %s", absent[i], out);
    }
    assert_non_null(strstr(out, "\"used_connection_number\":0,\"used_connection_group\":0"));
    free(out);
    free(g);
}

static void test_a_gm_gateway_can_change_to_no_other_flavor(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_active(VGW_BODY(VGW_PUBLIC ",\"flavor\":\"GM\""));
    char *out = RENDER(model_vgw_render, g);
    assert_non_null(strstr(out, "\"supported_flavors\":[]"));
    free(out);
    free(g);
}

static void test_supported_flavors_leave_out_those_the_eip_bandwidth_exceeds(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_active(VGW_BODY(
        "\"vpc_id\":\"" VPC_ID "\",\"connect_subnet\":\"" SUBNET_ID "\",\"local_subnets\":["
        "\"10.0.0.0/16\"],\"flavor\":\"Professional2\",\"eip1\":{\"type\":\"5_bgp\","
        "\"charge_mode\":\"traffic\",\"bandwidth_size\":500},\"eip2\":{\"id\":\"" EIP2_ID "\"}"));
    char *out = RENDER(model_vgw_render, g);
    assert_non_null(strstr(out, "\"supported_flavors\":[\"Professional3\","
                                "\"Professional1-NonFixedIP\",\"Professional2-NonFixedIP\","
                                "\"Professional3-NonFixedIP\"]"));
    free(out);
    free(g);
}

static void test_a_private_gateway_cannot_change_to_basic(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_active(VGW_BODY("\"network_type\":\"private\",\"vpc_id\":\"" VPC_ID
                                              "\",\"connect_subnet\":\"" SUBNET_ID
                                              "\",\"local_subnets\":[\"10.0.0.0/16\"]"));
    char *out = RENDER(model_vgw_render, g);
    assert_non_null(strstr(out, "\"supported_flavors\":[\"Professional2\",\"Professional3\","));
    free(out);
    free(g);
}

static void test_an_er_gateway_shows_a_stable_er_attachment_id(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_active(VGW_BODY("\"attachment_type\":\"er\",\"er_id\":\"" ER_ID
                                              "\",\"eip1\":{\"id\":\"" EIP1_ID "\"},\"eip2\":{"
                                              "\"id\":\"" EIP2_ID "\"}"));
    char *a = RENDER(model_vgw_render, g), *b = RENDER(model_vgw_render, g);
    char *at = strstr(a, "\"er_attachment_id\":\"");
    assert_non_null(at);
    assert_string_equal(a, b);
    assert_null(strstr(a, "\"er_attachment_id\":\"" ER_ID));
    free(a);
    free(b);
    free(g);
}

/* ---- certificate and jobs ---- */

static void test_the_certificate_names_its_project(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_active(VGW_BODY(VGW_PUBLIC ",\"flavor\":\"GM\""));
    struct buf b = {0};
    assert_int_equal(model_vgw_cert_render(g, PROJECT_ID, "ACTIVE", &b), 0);
    assert_non_null(strstr(b.data, "\"project_id\":\"" PROJECT_ID "\""));
    buf_free(&b);
    free(g);
}

static void test_a_certificate_expires_with_the_first_of_its_three_certificates(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_active(VGW_BODY(VGW_PUBLIC ",\"flavor\":\"GM\""));
    assert_int_equal(model_vgw_cert_expire_time(g), 0);
    g->certificate.cert.expire_time = 3000;
    g->certificate.chain.expire_time = 9000;
    g->certificate.enc.expire_time = 2000;
    assert_int_equal(model_vgw_cert_expire_time(g), 2000);
    free(g);
}

/* The job object of g's job i as the response shows it with the gateway in gw_status. */
static char *job_json(const struct model_vgw *g, size_t i, const char *gw_status, int64_t due_s)
{
    struct buf b = {0};

    assert_int_equal(model_vgw_job_render(g, &g->jobs[i], gw_status, due_s, &b), 0);
    return buf_steal(&b);
}

static void assert_job(const struct model_vgw *g, size_t i, const char *gw_status, int64_t due_s,
                       const char *want)
{
    char *out = job_json(g, i, gw_status, due_s);
    if (!strstr(out, want))
        fail_msg("job %zu with the gateway %s: want %s in %s", i, gw_status, want, out);
    free(out);
}

static void test_an_upgrade_job_is_upgrading_then_waits_for_confirmation(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_active(VGW_BODY(VGW_PUBLIC));
    struct verr err = {0};

    assert_int_equal(model_vgw_upgrade_apply(g, "start", EIP1_ID, 5, &err), 0);
    assert_job(g, 0, "PENDING_UPDATE", 3,
               "\"status\":\"upgrading\",\"created_at\":\"1970-01-01T00:00:00.005Z\","
               "\"expected_time_seconds\":3");
    assert_job(g, 0, "ACTIVE", 0,
               "\"status\":\"pending_upgrade_confirm\",\"created_at\":\"1970-01-01T00:00:00.005Z\","
               "\"expected_time_seconds\":0");
    assert_int_equal(model_vgw_upgrade_apply(g, "finish", EIP2_ID, 7, &err), 0);
    assert_job(g, 0, "ACTIVE", 0, "\"status\":\"success\"");
    assert_job(g, 0, "PENDING_UPDATE", 3, "\"status\":\"success\"");
    free(g);
}

static void test_a_rolled_back_upgrade_fails_and_its_rollback_succeeds(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_active(VGW_BODY(VGW_PUBLIC));
    struct verr err = {0};

    assert_int_equal(model_vgw_upgrade_apply(g, "start", EIP1_ID, 5, &err), 0);
    assert_int_equal(model_vgw_upgrade_apply(g, "rollback", EIP2_ID, 9, &err), 1);
    assert_job(g, 0, "PENDING_UPDATE", 2, "\"status\":\"fail\"");
    assert_job(g, 1, "PENDING_UPDATE", 2, "\"job_type\":\"rollback\",\"status\":\"rolling_back\"");
    assert_job(g, 1, "ACTIVE", 0, "\"status\":\"rollback_success\"");
    free(g);
}

/* ---- availability zones ---- */

static void test_v5_zones_are_keyed_by_flavor(void **state)
{
    (void)state;
    struct buf b = {0};
    assert_int_equal(model_azs_render(&b), 0);
    assert_non_null(strstr(b.data, "{\"basic\":{\"vpc\":[\"az1\",\"az2\",\"az3\"],\"er\":["
                                   "\"az1\",\"az2\",\"az3\"]},\"professional1\":{\"vpc\":["));
    buf_free(&b);
}

static void test_v5_1_zones_list_the_specs_each_zone_offers(void **state)
{
    (void)state;
    struct buf b = {0};
    assert_int_equal(model_azs_render_extended(&b), 0);
    assert_non_null(strstr(b.data, "[{\"name\":\"az1\",\"public_border_group\":\"center\","
                                   "\"available_specs\":[{\"flavor\":\"Basic\","
                                   "\"attachment_type\":\"vpc\",\"ip_version\":\"ipv4\"},"
                                   "{\"flavor\":\"Basic\",\"attachment_type\":\"vpc\","
                                   "\"ip_version\":\"ipv6\"},{\"flavor\":\"Professional1\""));
    assert_null(strstr(b.data, "\"flavor\":\"Basic\",\"attachment_type\":\"er\""));
    assert_non_null(strstr(b.data, "{\"flavor\":\"GM\",\"attachment_type\":\"er\","
                                   "\"ip_version\":\"ipv6\"}]},{\"name\":\"az2\""));
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_bgp_connection_shows_its_bgp_peer),
        cmocka_unit_test(test_a_static_connection_has_no_bgp_peer),
        cmocka_unit_test(test_the_connection_create_response_has_no_status_monitor_or_bgp_peer),
        cmocka_unit_test(test_the_peer_asn_survives_the_internal_form),
        cmocka_unit_test(test_enable_health_check_is_kept_and_shown_by_the_create_response_only),
        cmocka_unit_test(test_the_gateway_create_response_is_the_create_model),
        cmocka_unit_test(test_a_gm_gateway_can_change_to_no_other_flavor),
        cmocka_unit_test(test_supported_flavors_leave_out_those_the_eip_bandwidth_exceeds),
        cmocka_unit_test(test_a_private_gateway_cannot_change_to_basic),
        cmocka_unit_test(test_an_er_gateway_shows_a_stable_er_attachment_id),
        cmocka_unit_test(test_the_certificate_names_its_project),
        cmocka_unit_test(test_a_certificate_expires_with_the_first_of_its_three_certificates),
        cmocka_unit_test(test_an_upgrade_job_is_upgrading_then_waits_for_confirmation),
        cmocka_unit_test(test_a_rolled_back_upgrade_fails_and_its_rollback_succeeds),
        cmocka_unit_test(test_v5_zones_are_keyed_by_flavor),
        cmocka_unit_test(test_v5_1_zones_list_the_specs_each_zone_offers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
