"""VPN gateways (spec §3.2-3.3): create defaults, EIPs and private IPs from the pools, key
validation rules, project isolation."""

import random
import re

import pytest

from vpnd_api import (EIP_POOL, PRIVATE_POOL, TIMESTAMP_RE, UUID_RE, assert_error,
                      assert_invalid, create_gateway, gateway_body, get_gateway, gw_path,
                      in_cidr, new_project, new_uuid, private_gateway_body, wait_gateway_active)

GATEWAY_STATUSES = {"PENDING_CREATE", "PENDING_UPDATE", "PENDING_DELETE", "ACTIVE", "FAULT",
                    "FREEZED"}


def random_private_ip():
    return "172.31.%d.%d" % (random.randint(0, 255), random.randint(1, 254))


def post(server, project, body):
    return server.request("POST", gw_path(project), body)


# ---- create and defaults ----

def test_create_returns_201_with_the_gateway_and_a_request_id(server, project):
    r = post(server, project, gateway_body())
    assert r.status == 201, r.raw
    assert list(r.json) == ["vpn_gateway", "request_id"], r.json
    assert UUID_RE.match(r.json["vpn_gateway"]["id"]), r.json


def test_new_gateway_is_pending_create_or_already_active(server, project):
    gid = create_gateway(server, project)["id"]
    assert get_gateway(server, project, gid)["status"] in ("PENDING_CREATE", "ACTIVE")


def test_new_gateway_becomes_active(server, project):
    gid = create_gateway(server, project)["id"]
    wait_gateway_active(server, project, gid)


def test_gateway_defaults_are_filled(server, project):
    gid = create_gateway(server, project)["id"]
    g = get_gateway(server, project, gid)
    assert re.match(r"^vpngw-[0-9a-f]{4}$", g["name"]), g["name"]
    assert g["network_type"] == "public"
    assert g["attachment_type"] == "vpc"
    assert g["ip_version"] == "ipv4"
    assert g["bgp_asn"] == 64512
    assert g["flavor"] == "Professional1"
    assert g["enterprise_project_id"] == "0"
    assert g["ha_mode"] == "active-active"
    assert g["used_connection_number"] == 0
    assert isinstance(g["connection_number"], int) and g["connection_number"] > 0, g
    assert g["status"] in GATEWAY_STATUSES


def test_given_gateway_fields_are_returned(server, project):
    epid = new_uuid()
    body = gateway_body(name="gw_1.a-b", bgp_asn=65001, flavor="Professional2",
                        ha_mode="active-standby", enterprise_project_id=epid,
                        local_subnets=["10.1.0.0/16", "10.2.0.0/24"])
    sent = body["vpn_gateway"]
    g = get_gateway(server, project, create_gateway(server, project, body)["id"])
    for k in ("name", "bgp_asn", "flavor", "ha_mode", "enterprise_project_id", "local_subnets",
              "vpc_id", "connect_subnet"):
        assert g[k] == sent[k], (k, g[k], sent[k])


def test_active_gateway_has_timestamps(server, project):
    g = wait_gateway_active(server, project, create_gateway(server, project)["id"])
    assert TIMESTAMP_RE.match(g["created_at"]), g["created_at"]
    assert TIMESTAMP_RE.match(g["updated_at"]), g["updated_at"]


# ---- EIPs ----

def test_eip_given_by_id_keeps_its_id_and_gets_an_address_from_the_pool(server, project):
    body = gateway_body()
    want1, want2 = body["vpn_gateway"]["eip1"]["id"], body["vpn_gateway"]["eip2"]["id"]
    g = wait_gateway_active(server, project, create_gateway(server, project, body)["id"])
    assert g["eip1"]["id"] == want1 and g["eip2"]["id"] == want2, (g["eip1"], g["eip2"])
    for eip in (g["eip1"], g["eip2"]):
        assert in_cidr(eip["ip_address"], EIP_POOL), eip


def test_eip_given_as_bandwidth_spec_gets_a_generated_id_and_keeps_the_spec(server, project):
    spec = {"type": "5_bgp", "charge_mode": "bandwidth", "bandwidth_size": 10,
            "bandwidth_name": "bw1"}
    body = gateway_body(eip1=dict(spec), eip2=dict(spec, bandwidth_name="bw2"))
    g = wait_gateway_active(server, project, create_gateway(server, project, body)["id"])
    for eip, name in ((g["eip1"], "bw1"), (g["eip2"], "bw2")):
        assert UUID_RE.match(eip["id"]), eip
        assert eip["type"] == "5_bgp" and eip["charge_mode"] == "bandwidth", eip
        assert eip["bandwidth_size"] == 10 and eip["bandwidth_name"] == name, eip
        assert in_cidr(eip["ip_address"], EIP_POOL), eip
    assert g["eip1"]["id"] != g["eip2"]["id"]


def test_the_two_eips_of_a_gateway_get_different_addresses(server, project):
    g = wait_gateway_active(server, project, create_gateway(server, project)["id"])
    assert g["eip1"]["ip_address"] != g["eip2"]["ip_address"]


def test_eip_already_bound_to_another_gateway_is_rejected_with_vpn_0112(server, project):
    first = gateway_body()
    create_gateway(server, project, first)
    second = gateway_body(eip1={"id": first["vpn_gateway"]["eip1"]["id"]})
    assert_error(post(server, project, second), 400, "VPN.0112")


def test_an_eip_id_bound_in_another_project_does_not_tell_it_exists(server, project):
    """Issue 12: project A creating a gateway with B's EIP id used to get VPN.0112 "already bound
    to another VPN gateway" (so it learned the id exists) and squatted on it; EIP ids are now
    claimed per project."""
    theirs = gateway_body()
    create_gateway(server, new_project(), theirs)
    ours = gateway_body(eip1={"id": theirs["vpn_gateway"]["eip1"]["id"]},
                        eip2={"id": theirs["vpn_gateway"]["eip2"]["id"]})
    g = create_gateway(server, project, ours)
    assert g["eip1"]["id"] == theirs["vpn_gateway"]["eip1"]["id"]
    again = gateway_body(eip1={"id": theirs["vpn_gateway"]["eip1"]["id"]})
    assert_error(post(server, project, again), 400, "VPN.0112")  # within one project: bound


def test_rejected_gateway_create_does_not_bind_its_eip(server, project):
    body = gateway_body(bgp_asn=0)
    assert post(server, project, body).status == 400
    body["vpn_gateway"]["bgp_asn"] = 64512
    assert post(server, project, body).status == 201


def test_eip_bandwidth_above_the_professional1_cap_is_rejected(server, project):
    body = gateway_body(eip1={"type": "5_bgp", "charge_mode": "bandwidth", "bandwidth_size": 301,
                              "bandwidth_name": "bw"})
    assert_invalid(post(server, project, body), "vpn_gateway.eip1.bandwidth_size", "300", "301")


# ---- private gateways ----

def test_private_gateway_keeps_given_access_private_ips(server, project):
    ip1, ip2 = random_private_ip(), random_private_ip()
    while ip2 == ip1:
        ip2 = random_private_ip()
    body = private_gateway_body(access_private_ip_1=ip1, access_private_ip_2=ip2)
    g = get_gateway(server, project, create_gateway(server, project, body)["id"])
    assert g["network_type"] == "private"
    assert (g["access_private_ip_1"], g["access_private_ip_2"]) == (ip1, ip2)


def test_private_gateway_without_access_ips_gets_two_distinct_ones_from_the_pool(server, project):
    g = get_gateway(server, project, create_gateway(server, project, private_gateway_body())["id"])
    ip1, ip2 = g["access_private_ip_1"], g["access_private_ip_2"]
    assert ip1 != ip2
    assert in_cidr(ip1, PRIVATE_POOL) and in_cidr(ip2, PRIVATE_POOL), (ip1, ip2)


def test_private_gateway_with_only_access_private_ip_1_is_rejected_with_vpn_0109(server, project):
    body = private_gateway_body(access_private_ip_1=random_private_ip())
    assert_error(post(server, project, body), 400, "VPN.0109")


def test_private_gateway_with_equal_access_private_ips_is_rejected_with_vpn_0107(server, project):
    ip = random_private_ip()
    body = private_gateway_body(access_private_ip_1=ip, access_private_ip_2=ip)
    assert_error(post(server, project, body), 400, "VPN.0107")


def test_basic_flavor_on_a_private_gateway_is_rejected(server, project):
    body = private_gateway_body(flavor="Basic")
    assert_invalid(post(server, project, body), "vpn_gateway.flavor", "Basic")


# ---- validation ----

@pytest.mark.parametrize("field", ["network_type", "attachment_type", "ip_version", "flavor",
                                   "ha_mode"])
def test_gateway_enum_field_with_unknown_value_is_rejected_with_field_path(server, project, field):
    body = gateway_body(**{field: "bogus"})
    assert_invalid(post(server, project, body), "vpn_gateway." + field, "bogus")


@pytest.mark.parametrize("value", [0, 4294967296])
def test_gateway_bgp_asn_out_of_range_is_rejected_with_limits(server, project, value):
    body = gateway_body(bgp_asn=value)
    assert_invalid(post(server, project, body), "vpn_gateway.bgp_asn", "4294967295", value)


def test_gateway_bgp_asn_of_wrong_type_is_rejected(server, project):
    body = gateway_body(bgp_asn="64512")
    assert_invalid(post(server, project, body), "vpn_gateway.bgp_asn", "integer")


@pytest.mark.parametrize("name", ["a" * 65, "gw 1", "gw/1", ""], ids=["65-chars", "space",
                                                                       "slash", "empty"])
def test_gateway_bad_name_is_rejected(server, project, name):
    assert_invalid(post(server, project, gateway_body(name=name)), "vpn_gateway.name")


def test_gateway_local_subnet_that_is_not_a_cidr_is_rejected_at_its_index(server, project):
    body = gateway_body(local_subnets=["10.0.0.0/24", "10.0.1.0/33"])
    assert_invalid(post(server, project, body), "vpn_gateway.local_subnets[1]", "10.0.1.0/33")


def test_gateway_with_51_local_subnets_is_rejected(server, project):
    body = gateway_body(local_subnets=["10.%d.0.0/24" % i for i in range(51)])
    assert_invalid(post(server, project, body), "vpn_gateway.local_subnets", "50")


@pytest.mark.parametrize("field", ["vpc_id", "local_subnets", "connect_subnet"])
def test_vpc_gateway_without_required_field_is_rejected(server, project, field):
    body = gateway_body()
    del body["vpn_gateway"][field]
    assert_invalid(post(server, project, body), "vpn_gateway." + field, "required")


def test_gateway_body_without_wrapper_is_rejected(server, project):
    body = {"gateway": gateway_body()["vpn_gateway"]}
    assert_invalid(post(server, project, body), "vpn_gateway")


def test_gateway_wrapper_that_is_not_an_object_is_rejected(server, project):
    assert_invalid(post(server, project, {"vpn_gateway": "x"}), "vpn_gateway", "object")


def test_gateway_body_that_is_not_json_is_rejected(server, project):
    r = post(server, project, b'{"vpn_gateway": {')
    msg = assert_error(r, 400, "VPN.0001")
    assert "not valid JSON" in msg, msg


# ---- lookup ----

def test_unknown_gateway_id_is_404_vpn_0004(server, project):
    assert_error(server.request("GET", gw_path(project, new_uuid())), 404, "VPN.0004")


def test_gateway_of_another_project_is_404_vpn_0004(server, project):
    gid = create_gateway(server, project)["id"]
    assert_error(server.request("GET", gw_path(new_project(), gid)), 404, "VPN.0004")
