/* Unit tests for the VPN gateway model: create body (§3.2), response (§3.3), internal form. */
#include "test_model_util.h"

#define VPC_PART "\"vpc_id\":\"" VPC_ID "\",\"connect_subnet\":\"" SUBNET_ID "\""
#define LOCAL_PART ",\"local_subnets\":[\"10.0.0.0/16\"]"
#define LOCAL6_PART ",\"local_subnets_v6\":[\"2001:db8:10::/48\"]"
#define EIPS_PART ",\"eip1\":{\"id\":\"" EIP1_ID "\"},\"eip2\":{\"id\":\"" EIP2_ID "\"}"
#define NEW_EIP(size)                                                                              \
    "{\"type\":\"5_bgp\",\"charge_mode\":\"traffic\",\"bandwidth_size\":" #size "}"
#define PRIVATE_PART "\"network_type\":\"private\"," VPC_PART LOCAL_PART
#define ER_PART "\"attachment_type\":\"er\",\"er_id\":\"" ER_ID "\"" EIPS_PART

/* ---- defaults ---- */

static void test_defaults_are_filled_for_a_minimal_public_gateway(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_ok(VGW_BODY(VGW_PUBLIC));
    assert_string_equal(g->name, "");
    assert_null(g->status);
    assert_string_equal(g->network_type, "public");
    assert_string_equal(g->attachment_type, "vpc");
    assert_string_equal(g->ip_version, "ipv4");
    assert_int_equal(g->bgp_asn, 64512);
    assert_string_equal(g->flavor, "Professional1");
    assert_string_equal(g->ha_mode, "active-active");
    assert_string_equal(g->enterprise_project_id, "0");
    assert_string_equal(g->access_vpc_id, VPC_ID);
    assert_string_equal(g->access_subnet_id, SUBNET_ID);
    assert_int_equal(g->n_availability_zone_ids, 2);
    assert_string_equal(g->availability_zone_ids[0], "az1");
    assert_string_equal(g->availability_zone_ids[1], "az2");
    assert_int_equal(g->connection_number, 200);
    assert_int_equal(g->used_connection_number, 0);
    assert_int_equal(g->n_local_subnets, 1);
    assert_string_equal(g->local_subnets[0].s, "10.0.0.0/16");
    assert_true(g->eip1.present);
    assert_string_equal(g->eip1.id, EIP1_ID);
    assert_int_equal(g->eip1.ip_version, 4);
    assert_string_equal(g->eip1.share_type, "PER");
    assert_null(g->eip1.type);
    assert_string_equal(g->eip2.id, EIP2_ID);
    free(g);
}

static void test_missing_wrapper_is_required(void **state)
{
    (void)state;
    vgw_err("{\"vpn_connection\":{}}", "vpn_gateway: is required");
}

/* ---- attachment ---- */

static void test_vpc_gateway_requires_vpc_id(void **state)
{
    (void)state;
    vgw_err(VGW_BODY("\"connect_subnet\":\"" SUBNET_ID "\""),
            "vpn_gateway.vpc_id: is required when attachment_type is vpc");
}

static void test_vpc_gateway_requires_connect_subnet(void **state)
{
    (void)state;
    vgw_err(VGW_BODY("\"vpc_id\":\"" VPC_ID "\"" LOCAL_PART EIPS_PART),
            "vpn_gateway.connect_subnet: is required when attachment_type is vpc");
}

static void test_vpc_id_must_be_a_uuid(void **state)
{
    (void)state;
    vgw_err(VGW_BODY("\"vpc_id\":\"vpc-1\""), "vpn_gateway.vpc_id: must be a UUID, got \"vpc-1\"");
}

static void test_vpc_ipv4_gateway_requires_local_subnets(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VPC_PART EIPS_PART),
            "vpn_gateway.local_subnets: is required when attachment_type is vpc and ip_version is "
            "ipv4");
}

static void test_empty_local_subnets_are_rejected_for_vpc_ipv4(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VPC_PART ",\"local_subnets\":[]" EIPS_PART),
            "vpn_gateway.local_subnets: must have 1 to 50 items, got 0");
}

static void test_more_than_50_local_subnets_are_rejected(void **state)
{
    (void)state;
    char body[4096];
    char *p = body + sprintf(body, "{\"vpn_gateway\":{" VPC_PART ",\"local_subnets\":[");
    for (int i = 0; i < 51; i++)
        p += sprintf(p, "%s\"10.%d.0.0/16\"", i ? "," : "", i);
    strcpy(p, "]}}");
    vgw_err(body, "vpn_gateway.local_subnets: must have 1 to 50 items, got 51");
}

static void test_local_subnet_with_host_bits_is_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VPC_PART ",\"local_subnets\":[\"10.0.0.1/16\"]"),
            "vpn_gateway.local_subnets[0]: must be a CIDR with host bits zero like 10.0.0.0/24, "
            "got \"10.0.0.1/16\"");
}

static void test_ipv6_vpc_gateway_needs_no_local_subnets(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_ok(VGW_BODY("\"ip_version\":\"ipv6\"," VPC_PART LOCAL6_PART EIPS_PART));
    assert_int_equal(g->n_local_subnets, 0);
    free(g);
}

static void test_er_gateway_requires_er_id(void **state)
{
    (void)state;
    vgw_err(VGW_BODY("\"attachment_type\":\"er\"" EIPS_PART),
            "vpn_gateway.er_id: is required when attachment_type is er");
}

static void test_er_gateway_refuses_local_subnets(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(ER_PART LOCAL_PART),
            "vpn_gateway.local_subnets: is not allowed when attachment_type is er");
}

static void test_er_gateway_needs_no_vpc(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_ok(VGW_BODY(ER_PART));
    assert_string_equal(g->attachment_type, "er");
    assert_string_equal(g->er_id, ER_ID);
    assert_string_equal(g->vpc_id, "");
    free(g);
}

static void test_unknown_attachment_type_is_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY("\"attachment_type\":\"VPC\""),
            "vpn_gateway.attachment_type: must be one of vpc, er, got \"VPC\"");
}

/* ---- eips ---- */

static void test_public_gateway_requires_eip1(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VPC_PART LOCAL_PART),
            "vpn_gateway.eip1: is required when network_type is public");
}

static void test_public_gateway_requires_eip2(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VPC_PART LOCAL_PART ",\"eip1\":{\"id\":\"" EIP1_ID "\"}"),
            "vpn_gateway.eip2: is required when network_type is public");
}

static void test_private_gateway_refuses_eips(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(PRIVATE_PART EIPS_PART),
            "vpn_gateway.eip1: is not allowed when network_type is private");
}

static void test_eip_of_wrong_type_is_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VPC_PART LOCAL_PART ",\"eip1\":\"" EIP1_ID "\""),
            "vpn_gateway.eip1: must be an object, got string");
}

static void test_eip_id_must_be_a_uuid(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VPC_PART LOCAL_PART ",\"eip1\":{\"id\":\"eip-1\"}"),
            "vpn_gateway.eip1.id: must be a UUID, got \"eip-1\"");
}

static void test_eip_without_id_requires_type(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VPC_PART LOCAL_PART ",\"eip1\":{\"charge_mode\":\"traffic\"}"),
            "vpn_gateway.eip1.type: is required");
}

static void test_eip_without_id_requires_bandwidth_size(void **state)
{
    (void)state;
    vgw_err(
        VGW_BODY(VPC_PART LOCAL_PART ",\"eip1\":{\"type\":\"5_bgp\",\"charge_mode\":\"traffic\"}"),
        "vpn_gateway.eip1.bandwidth_size: is required");
}

static void test_unknown_eip_type_is_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VPC_PART LOCAL_PART ",\"eip1\":{\"type\":\"5_telcom\"}"),
            "vpn_gateway.eip1.type: must be one of 5_bgp, 5_sbgp, got \"5_telcom\"");
}

static void test_unknown_charge_mode_is_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VPC_PART LOCAL_PART ",\"eip1\":{\"type\":\"5_bgp\",\"charge_mode\":\"x\"}"),
            "vpn_gateway.eip1.charge_mode: must be one of bandwidth, traffic, got \"x\"");
}

static void test_basic_flavor_caps_bandwidth_at_100(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VPC_PART LOCAL_PART ",\"flavor\":\"Basic\",\"eip1\":" NEW_EIP(101)),
            "vpn_gateway.eip1.bandwidth_size: must be at most 100 for flavor Basic, got 101");
}

static void test_professional1_caps_bandwidth_at_300(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VPC_PART LOCAL_PART ",\"eip1\":" NEW_EIP(300) ",\"eip2\":" NEW_EIP(301)),
            "vpn_gateway.eip2.bandwidth_size: must be at most 300 for flavor Professional1, got "
            "301");
}

static void test_professional2_allows_bandwidth_of_1000(void **state)
{
    (void)state;
    struct model_vgw *g =
        vgw_ok(VGW_BODY(VPC_PART LOCAL_PART ",\"flavor\":\"Professional2\","
                                            "\"eip1\":" NEW_EIP(1000) ",\"eip2\":" NEW_EIP(1)));
    assert_int_equal(g->eip1.bandwidth_size, 1000);
    assert_string_equal(g->eip1.type, "5_bgp");
    assert_string_equal(g->eip1.charge_mode, "traffic");
    assert_string_equal(g->eip1.id, "");
    free(g);
}

static void test_bandwidth_above_1000_is_out_of_range(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VPC_PART LOCAL_PART ",\"eip1\":" NEW_EIP(1001)),
            "vpn_gateway.eip1.bandwidth_size: must be an integer from 1 to 1000, got 1001");
}

static void test_bandwidth_name_follows_the_name_rule(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VPC_PART LOCAL_PART
                     ",\"eip1\":{\"type\":\"5_bgp\",\"charge_mode\":\"traffic\",\"bandwidth_size\":"
                     "5,\"bandwidth_name\":\"a b\"}"),
            "vpn_gateway.eip1.bandwidth_name: must be 1 to 64 characters of letters, digits, _ - . "
            "or CJK, got \"a b\"");
}

static void test_same_eip_twice_is_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VPC_PART LOCAL_PART ",\"eip1\":{\"id\":\"" EIP1_ID
                                         "\"},\"eip2\":{\"id\":\"" EIP1_ID "\"}"),
            "vpn_gateway.eip2.id: must differ from eip1.id, got \"" EIP1_ID "\"");
}

/* ---- flavor, asn, enterprise project ---- */

static void test_basic_flavor_is_refused_for_private_gateways(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(PRIVATE_PART ",\"flavor\":\"Basic\""),
            "vpn_gateway.flavor: must not be Basic when network_type is private, got \"Basic\"");
}

static void test_basic_flavor_is_refused_for_er_gateways(void **state)
{
    (void)state;
    vgw_err(VGW_BODY("\"attachment_type\":\"er\",\"er_id\":\"" ER_ID "\",\"flavor\":\"Basic\""),
            "vpn_gateway.flavor: must not be Basic when attachment_type is er, got \"Basic\"");
}

static void test_unknown_flavor_lists_the_flavors(void **state)
{
    (void)state;
    vgw_err(
        VGW_BODY(VPC_PART LOCAL_PART ",\"flavor\":\"professional1\""),
        "vpn_gateway.flavor: must be one of Basic, Professional1, Professional2, Professional3, "
        "Professional1-NonFixedIP, Professional2-NonFixedIP, Professional3-NonFixedIP, GM, got "
        "\"professional1\"");
}

static void test_legacy_flavor_names_map_to_current_ones(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_ok(VGW_BODY(VGW_PUBLIC ",\"flavor\":\"V1G\""));
    assert_string_equal(g->flavor, "Professional2");
    assert_int_equal(g->connection_number, 1000);
    free(g);
}

static void test_connection_number_follows_the_flavor(void **state)
{
    (void)state;
    static const struct {
        const char *flavor;
        int64_t n;
    } cases[] = {{"Basic", 100},
                 {"Professional1", 200},
                 {"Professional2", 1000},
                 {"Professional3", 1000},
                 {"Professional1-NonFixedIP", 200},
                 {"Professional2-NonFixedIP", 1000},
                 {"GM", 200}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char body[1024];
        snprintf(body, sizeof(body), VGW_BODY(VGW_PUBLIC ",\"flavor\":\"%s\""), cases[i].flavor);
        struct model_vgw *g = vgw_ok(body);
        assert_int_equal(g->connection_number, cases[i].n);
        free(g);
    }
}

static void test_bgp_asn_of_zero_is_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VGW_PUBLIC ",\"bgp_asn\":0"),
            "vpn_gateway.bgp_asn: must be an integer from 1 to 4294967295, got 0");
}

static void test_bgp_asn_of_4294967295_is_accepted(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_ok(VGW_BODY(VGW_PUBLIC ",\"bgp_asn\":4294967295"));
    assert_int_equal(g->bgp_asn, 4294967295);
    free(g);
}

static void test_enterprise_project_id_must_be_a_uuid_or_0(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VGW_PUBLIC ",\"enterprise_project_id\":\"default\""),
            "vpn_gateway.enterprise_project_id: must be a UUID or \"0\", got \"default\"");
}

static void test_unknown_ha_mode_is_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VGW_PUBLIC ",\"ha_mode\":\"standby\""),
            "vpn_gateway.ha_mode: must be one of active-active, active-standby, got \"standby\"");
}

/* ---- availability zones ---- */

static void test_given_availability_zones_are_kept(void **state)
{
    (void)state;
    struct model_vgw *g =
        vgw_ok(VGW_BODY(VGW_PUBLIC ",\"availability_zone_ids\":[\"cn-north-4a\"]"));
    assert_int_equal(g->n_availability_zone_ids, 1);
    assert_string_equal(g->availability_zone_ids[0], "cn-north-4a");
    free(g);
}

static void test_more_than_4_availability_zones_are_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VGW_PUBLIC ",\"availability_zone_ids\":[\"a\",\"b\",\"c\",\"d\",\"e\"]"),
            "vpn_gateway.availability_zone_ids: must have at most 4 items, got 5");
}

static void test_availability_zone_with_a_space_is_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VGW_PUBLIC ",\"availability_zone_ids\":[\"a z\"]"),
            "vpn_gateway.availability_zone_ids[0]: must be 1 to 63 characters of letters, digits, "
            ". _ -, got \"a z\"");
}

static void test_repeated_availability_zone_is_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VGW_PUBLIC ",\"availability_zone_ids\":[\"az1\",\"az1\"]"),
            "vpn_gateway.availability_zone_ids[1]: must not repeat availability_zone_ids[0], got "
            "\"az1\"");
}

/* ---- private gateway addresses ---- */

static void test_private_gateway_without_addresses_leaves_them_to_allocate(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_ok(VGW_BODY(PRIVATE_PART));
    assert_string_equal(g->access_private_ip_1, "");
    assert_false(g->eip1.present);
    free(g);
}

static void test_access_private_ip_on_a_public_gateway_is_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VGW_PUBLIC ",\"access_private_ip_1\":\"172.16.0.10\""),
            "vpn_gateway.access_private_ip_1: is not allowed when network_type is public");
}

static void test_access_private_ip_1_alone_is_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(PRIVATE_PART ",\"access_private_ip_1\":\"172.16.0.10\""),
            "vpn_gateway.access_private_ip_2: is required when access_private_ip_1 is given");
}

static void test_access_private_ip_2_alone_is_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(PRIVATE_PART ",\"access_private_ip_2\":\"172.16.0.10\""),
            "vpn_gateway.access_private_ip_1: is required when access_private_ip_2 is given");
}

static void test_equal_access_private_ips_are_rejected(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(PRIVATE_PART ",\"access_private_ip_1\":\"172.16.0.10\","
                                  "\"access_private_ip_2\":\"172.16.0.10\""),
            "vpn_gateway.access_private_ip_2: must differ from access_private_ip_1, got "
            "\"172.16.0.10\"");
}

static void test_access_private_ip_must_be_an_address(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(PRIVATE_PART ",\"access_private_ip_1\":\"172.16.0.256\""),
            "vpn_gateway.access_private_ip_1: must be an IPv4 address like 192.168.0.1, got "
            "\"172.16.0.256\"");
}

static void test_given_access_vpc_and_subnet_are_kept(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_ok(
        VGW_BODY(VGW_PUBLIC ",\"access_vpc_id\":\"" EPID "\",\"access_subnet_id\":\"" ER_ID "\""));
    assert_string_equal(g->access_vpc_id, EPID);
    assert_string_equal(g->access_subnet_id, ER_ID);
    free(g);
}

static void test_gateway_tags_are_checked(void **state)
{
    (void)state;
    vgw_err(VGW_BODY(VGW_PUBLIC ",\"tags\":[{\"key\":\"\"}]"),
            "vpn_gateway.tags[0].key: must be 1 to 128 characters of letters, digits, spaces and _ "
            ". : = + - @, got \"\"");
}

/* ---- render ---- */

static struct model_vgw *stored(const char *body)
{
    struct model_vgw *g = vgw_active(body);
    g->created_at = INT64_C(1669470094626);
    g->updated_at = INT64_C(1669470094627);
    g->used_connection_number = 3;
    return g;
}

/* The bandwidth ids derived from EIP1_ID / EIP2_ID (model/derive.c), and the ER attachment id
 * derived from VGW_ID. */
#define EIP1_BANDWIDTH "0b3ee694-e15f-587e-97c9-d43a7795d1df"
#define EIP2_BANDWIDTH "8ae7b1e9-1eeb-5937-9920-0b80d892ee34"
#define ER_ATTACHMENT "268aacc7-fb9a-5d57-a74c-b087a7257efc"

static void test_public_gateway_renders_exactly(void **state)
{
    (void)state;
    struct model_vgw *g = stored(VGW_BODY("\"name\":\"gw\"," VGW_PUBLIC ",\"tags\":[{\"key\":\"k\","
                                          "\"value\":\"v\"}]"));
    char *out = RENDER(model_vgw_render, g);
    assert_string_equal(
        out,
        "{\"id\":\"" VGW_ID "\",\"name\":\"gw\",\"status\":\"ACTIVE\",\"network_type\":"
        "\"public\",\"attachment_type\":\"vpc\",\"ip_version\":\"ipv4\",\"vpc_id\":\"" VPC_ID
        "\",\"local_subnets\":[\"10.0.0.0/16\"],\"connect_subnet\":\"" SUBNET_ID
        "\",\"access_vpc_id\":\"" VPC_ID "\",\"access_subnet_id\":\"" SUBNET_ID
        "\",\"bgp_asn\":64512,\"flavor\":\"Professional1\",\"availability_zone_ids\":[\"az1\","
        "\"az2\"],\"connection_number\":200,\"used_connection_number\":3,"
        "\"public_border_group\":\"center\",\"supported_flavors\":[\"Basic\",\"Professional2\","
        "\"Professional3\",\"Professional1-NonFixedIP\",\"Professional2-NonFixedIP\","
        "\"Professional3-NonFixedIP\"],\"supported_features\":[\"query_connection_log\"],"
        "\"used_connection_group\":0,"
        "\"enterprise_project_id\":\"0\",\"ha_mode\":\"active-active\",\"eip1\":{\"id\":\"" EIP1_ID
        "\",\"ip_version\":4,\"type\":\"5_bgp\",\"ip_address\":\"10.1.1.134\",\"charge_mode\":"
        "\"traffic\",\"bandwidth_id\":\"" EIP1_BANDWIDTH "\",\"bandwidth_size\":5,"
        "\"bandwidth_name\":\"vpngw-bandwidth-0b3e\",\"share_type\":\"PER\"},\"eip2\":{"
        "\"id\":\"" EIP2_ID "\",\"ip_version\":4,\"type\":\"5_bgp\",\"ip_address\":\"10.1.1.135\","
        "\"charge_mode\":\"traffic\",\"bandwidth_id\":\"" EIP2_BANDWIDTH "\",\"bandwidth_size\":5,"
        "\"bandwidth_name\":\"vpngw-bandwidth-8ae7\",\"share_type\":"
        "\"PER\"},\"created_at\":\"2022-11-26T13:41:34.626Z\",\"applied_at\":\"2022-11-26T13:41:"
        "34.626Z\",\"updated_at\":\"2022-11-26T13:"
        "41:34.627Z\",\"tags\":[{\"key\":\"k\",\"value\":\"v\"}]}");
    free(out);
    free(g);
}

static void test_new_eip_renders_its_bandwidth_fields(void **state)
{
    (void)state;
    struct model_vgw *g =
        stored(VGW_BODY(VPC_PART LOCAL_PART
                        ",\"eip1\":{\"type\":\"5_sbgp\",\"charge_mode\":\"bandwidth\","
                        "\"bandwidth_size\":10,\"bandwidth_name\":\"bw-1\"},\"eip2\":" NEW_EIP(5)));
    strcpy(g->eip1.id, EIP1_ID);
    strcpy(g->eip1.bandwidth_id, EPID);
    char *out = RENDER(model_vgw_render, g);
    assert_non_null(strstr(out,
                           "\"eip1\":{\"id\":\"" EIP1_ID "\",\"ip_version\":4,\"type\":\"5_sbgp\","
                           "\"ip_address\":\"10.1.1.134\",\"charge_mode\":\"bandwidth\","
                           "\"bandwidth_id\":\"" EPID "\",\"bandwidth_size\":10,"
                           "\"bandwidth_name\":\"bw-1\",\"share_type\":\"PER\"}"));
    free(out);
    free(g);
}

static void test_private_gateway_shows_access_ips_and_no_eips(void **state)
{
    (void)state;
    struct model_vgw *g = stored(VGW_BODY(PRIVATE_PART ",\"access_private_ip_1\":\"172.16.0.10\","
                                                       "\"access_private_ip_2\":\"172.16.0.11\""));
    char *out = RENDER(model_vgw_render, g);
    assert_non_null(strstr(out,
                           "\"access_subnet_id\":\"" SUBNET_ID "\",\"access_private_ip_1\":"
                           "\"172.16.0.10\",\"access_private_ip_2\":\"172.16.0.11\",\"bgp_asn\""));
    assert_false(has_key(out, "eip1"));
    assert_false(has_key(out, "eip2"));
    free(out);
    free(g);
}

static void test_public_gateway_hides_access_private_ips(void **state)
{
    (void)state;
    struct model_vgw *g = stored(VGW_BODY(VGW_PUBLIC));
    char *out = RENDER(model_vgw_render, g);
    assert_false(has_key(out, "access_private_ip_1"));
    assert_false(has_key(out, "er_id"));
    free(out);
    free(g);
}

static void test_er_gateway_shows_er_id_and_no_local_subnets(void **state)
{
    (void)state;
    struct model_vgw *g = stored(VGW_BODY(ER_PART));
    char *out = RENDER(model_vgw_render, g);
    assert_non_null(strstr(out, "\"ip_version\":\"ipv4\",\"er_id\":\"" ER_ID
                                "\",\"er_attachment_id\":\"" ER_ATTACHMENT "\",\"bgp_asn\""));
    assert_false(has_key(out, "local_subnets"));
    free(out);
    free(g);
}

static void test_gateway_without_status_omits_it(void **state)
{
    (void)state;
    struct model_vgw *g = vgw_ok(VGW_BODY(VGW_PUBLIC));
    char *out = RENDER(model_vgw_render, g);
    assert_false(has_key(out, "status"));
    free(out);
    free(g);
}

/* ---- internal form ---- */

static void test_public_gateway_round_trips_through_the_internal_form(void **state)
{
    (void)state;
    struct model_vgw *g = stored(VGW_BODY(
        "\"name\":\"gw\"," VPC_PART LOCAL_PART ",\"flavor\":\"GM\",\"ha_mode\":\"active-standby\","
        "\"eip1\":{\"type\":\"5_sbgp\",\"charge_mode\":\"bandwidth\",\"bandwidth_size\":10,"
        "\"bandwidth_name\":\"bw-1\"},\"eip2\":{\"id\":\"" EIP2_ID
        "\"},\"tags\":[{\"key\":\"k\"}]"));
    strcpy(g->eip1.id, EIP1_ID);
    strcpy(g->eip1.bandwidth_id, EPID);
    g->status = MODEL_STATUS_PENDING_CREATE;
    assert_vgw_round_trip(g);
    free(g);
}

static void test_private_gateway_round_trips_through_the_internal_form(void **state)
{
    (void)state;
    struct model_vgw *g = stored(VGW_BODY(PRIVATE_PART ",\"access_private_ip_1\":\"172.16.0.10\","
                                                       "\"access_private_ip_2\":\"172.16.0.11\","
                                                       "\"enterprise_project_id\":\"" EPID "\""));
    g->status = MODEL_STATUS_PENDING_CREATE;
    assert_vgw_round_trip(g);
    free(g);
}

static void test_er_gateway_round_trips_through_the_internal_form(void **state)
{
    (void)state;
    struct model_vgw *g = stored(VGW_BODY(ER_PART ",\"availability_zone_ids\":[\"x1\"]"));
    g->status = MODEL_STATUS_PENDING_CREATE;
    assert_vgw_round_trip(g);
    free(g);
}

static void test_gateway_from_internal_rejects_garbage_and_truncation(void **state)
{
    (void)state;
    struct model_vgw *g = stored(VGW_BODY(VGW_PUBLIC));
    struct model_vgw *back = test_zalloc(sizeof(*back));
    char *in = RENDER(model_vgw_to_internal, g);
    size_t n = strlen(in);

    for (size_t len = 0; len < n; len++)
        assert_int_equal(model_vgw_from_internal(in, len, back), -EINVAL);
    assert_int_equal(model_vgw_from_internal("{\"flavor\":3}", 12, back), -EINVAL);
    assert_int_equal(model_vgw_from_internal("[1]", 3, back), -EINVAL);
    free(in);
    free(back);
    free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_filled_for_a_minimal_public_gateway),
        cmocka_unit_test(test_missing_wrapper_is_required),
        cmocka_unit_test(test_vpc_gateway_requires_vpc_id),
        cmocka_unit_test(test_vpc_gateway_requires_connect_subnet),
        cmocka_unit_test(test_vpc_id_must_be_a_uuid),
        cmocka_unit_test(test_vpc_ipv4_gateway_requires_local_subnets),
        cmocka_unit_test(test_empty_local_subnets_are_rejected_for_vpc_ipv4),
        cmocka_unit_test(test_more_than_50_local_subnets_are_rejected),
        cmocka_unit_test(test_local_subnet_with_host_bits_is_rejected),
        cmocka_unit_test(test_ipv6_vpc_gateway_needs_no_local_subnets),
        cmocka_unit_test(test_er_gateway_requires_er_id),
        cmocka_unit_test(test_er_gateway_refuses_local_subnets),
        cmocka_unit_test(test_er_gateway_needs_no_vpc),
        cmocka_unit_test(test_unknown_attachment_type_is_rejected),
        cmocka_unit_test(test_public_gateway_requires_eip1),
        cmocka_unit_test(test_public_gateway_requires_eip2),
        cmocka_unit_test(test_private_gateway_refuses_eips),
        cmocka_unit_test(test_eip_of_wrong_type_is_rejected),
        cmocka_unit_test(test_eip_id_must_be_a_uuid),
        cmocka_unit_test(test_eip_without_id_requires_type),
        cmocka_unit_test(test_eip_without_id_requires_bandwidth_size),
        cmocka_unit_test(test_unknown_eip_type_is_rejected),
        cmocka_unit_test(test_unknown_charge_mode_is_rejected),
        cmocka_unit_test(test_basic_flavor_caps_bandwidth_at_100),
        cmocka_unit_test(test_professional1_caps_bandwidth_at_300),
        cmocka_unit_test(test_professional2_allows_bandwidth_of_1000),
        cmocka_unit_test(test_bandwidth_above_1000_is_out_of_range),
        cmocka_unit_test(test_bandwidth_name_follows_the_name_rule),
        cmocka_unit_test(test_same_eip_twice_is_rejected),
        cmocka_unit_test(test_basic_flavor_is_refused_for_private_gateways),
        cmocka_unit_test(test_basic_flavor_is_refused_for_er_gateways),
        cmocka_unit_test(test_unknown_flavor_lists_the_flavors),
        cmocka_unit_test(test_legacy_flavor_names_map_to_current_ones),
        cmocka_unit_test(test_connection_number_follows_the_flavor),
        cmocka_unit_test(test_bgp_asn_of_zero_is_rejected),
        cmocka_unit_test(test_bgp_asn_of_4294967295_is_accepted),
        cmocka_unit_test(test_enterprise_project_id_must_be_a_uuid_or_0),
        cmocka_unit_test(test_unknown_ha_mode_is_rejected),
        cmocka_unit_test(test_given_availability_zones_are_kept),
        cmocka_unit_test(test_more_than_4_availability_zones_are_rejected),
        cmocka_unit_test(test_availability_zone_with_a_space_is_rejected),
        cmocka_unit_test(test_repeated_availability_zone_is_rejected),
        cmocka_unit_test(test_private_gateway_without_addresses_leaves_them_to_allocate),
        cmocka_unit_test(test_access_private_ip_on_a_public_gateway_is_rejected),
        cmocka_unit_test(test_access_private_ip_1_alone_is_rejected),
        cmocka_unit_test(test_access_private_ip_2_alone_is_rejected),
        cmocka_unit_test(test_equal_access_private_ips_are_rejected),
        cmocka_unit_test(test_access_private_ip_must_be_an_address),
        cmocka_unit_test(test_given_access_vpc_and_subnet_are_kept),
        cmocka_unit_test(test_gateway_tags_are_checked),
        cmocka_unit_test(test_public_gateway_renders_exactly),
        cmocka_unit_test(test_new_eip_renders_its_bandwidth_fields),
        cmocka_unit_test(test_private_gateway_shows_access_ips_and_no_eips),
        cmocka_unit_test(test_public_gateway_hides_access_private_ips),
        cmocka_unit_test(test_er_gateway_shows_er_id_and_no_local_subnets),
        cmocka_unit_test(test_gateway_without_status_omits_it),
        cmocka_unit_test(test_public_gateway_round_trips_through_the_internal_form),
        cmocka_unit_test(test_private_gateway_round_trips_through_the_internal_form),
        cmocka_unit_test(test_er_gateway_round_trips_through_the_internal_form),
        cmocka_unit_test(test_gateway_from_internal_rejects_garbage_and_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
