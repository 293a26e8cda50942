"""Gateway update (PUT vpn-gateways/{id}, spec §3.1/3.3), flavor change (POST
update-specification) and the availability zone lists (simulated)."""

import time

import pytest

from vpnd_api import (TIMESTAMP_RE, active_gateways, assert_error, assert_invalid, conn_body,
                      conn_path, create_cgw, create_conn, create_gateway, gateway_body,
                      get_gateway, gw_path, new_project, new_uuid, private_gateway_body,
                      wait_gateway_active)

UPDATABLE = "name, local_subnets, local_subnets_v6, eip_id_1, eip_id_2, policy_template"


def put(server, project, gid, fields):
    return server.request("PUT", gw_path(project, gid), {"vpn_gateway": fields})


def spec_change(server, project, gid, fields):
    return server.request("POST", gw_path(project, gid) + "/update-specification",
                          {"vpn_gateway": fields})


def active(server, project, body=None):
    (gw,) = active_gateways(server, project, [body or gateway_body()])
    return gw


def unchanged(server, project, gw):
    """The gateway is exactly as it was (and still ACTIVE)."""
    assert get_gateway(server, project, gw["id"]) == gw


# ---- the update itself ----

def test_update_answers_200_with_the_gateway_pending_update(server, project):
    gw = active(server, project)
    r = put(server, project, gw["id"], {"name": "renamed"})
    assert r.status == 200, r.raw
    assert list(r.json) == ["vpn_gateway", "request_id"], r.json
    got = r.json["vpn_gateway"]
    assert (got["id"], got["name"], got["status"]) == (gw["id"], "renamed", "PENDING_UPDATE")
    assert got["updated_at"] > gw["updated_at"] and got["created_at"] == gw["created_at"]


def test_status_engine_settles_an_updated_gateway_back_to_active(server, project):
    gw = active(server, project)
    assert put(server, project, gw["id"], {"name": "renamed"}).status == 200
    assert get_gateway(server, project, gw["id"])["status"] == "PENDING_UPDATE"
    settled = wait_gateway_active(server, project, gw["id"])
    assert settled["name"] == "renamed"
    assert TIMESTAMP_RE.match(settled["updated_at"]) and settled["updated_at"] > gw["updated_at"]


def test_only_the_fields_sent_change(server, project):
    gw = active(server, project)
    put(server, project, gw["id"], {"name": "n2"})
    got = wait_gateway_active(server, project, gw["id"])
    skip = ("name", "updated_at")
    assert {k: v for k, v in got.items() if k not in skip} == \
        {k: v for k, v in gw.items() if k not in skip}


def test_a_second_update_while_pending_update_is_refused_with_vpn_0507(server, project):
    gw = active(server, project)
    assert put(server, project, gw["id"], {"name": "first"}).status == 200
    r = put(server, project, gw["id"], {"name": "second"})
    msg = assert_error(r, 400, "VPN.0507")
    assert msg == ("The VPN gateway is being updated, please try again later: gateway %s is "
                   "PENDING_UPDATE" % gw["id"]), msg
    assert wait_gateway_active(server, project, gw["id"])["name"] == "first"


def test_an_update_while_the_gateway_is_being_created_is_refused_with_vpn_0506(server, project):
    gw = create_gateway(server, project)
    r = put(server, project, gw["id"], {"name": "early"})
    msg = assert_error(r, 400, "VPN.0506")
    assert msg == ("The VPN gateway is being created, please try again later: gateway %s is "
                   "PENDING_CREATE" % gw["id"]), msg


def test_connection_create_while_the_gateway_is_updating_gets_409(server, project):
    gw = active(server, project)
    cgw = create_cgw(server, project)
    assert put(server, project, gw["id"], {"name": "busy"}).status == 200
    r = server.request("POST", conn_path(project), conn_body(gw, cgw))
    msg = assert_error(r, 409, "VPN.0016")
    assert "is PENDING_UPDATE" in msg, msg
    wait_gateway_active(server, project, gw["id"])
    create_conn(server, project, conn_body(gw, cgw))


def test_update_of_an_unknown_gateway_is_404(server, project):
    assert_error(put(server, project, new_uuid(), {"name": "x"}), 404, "VPN.0004")


def test_update_through_another_project_is_404_and_changes_nothing(server, project):
    gw = active(server, project)
    assert_error(put(server, new_project(), gw["id"], {"name": "theirs"}), 404, "VPN.0004")
    unchanged(server, project, gw)


@pytest.mark.parametrize("field,value", [
    ("flavor", "Professional2"), ("bgp_asn", 65000), ("network_type", "private"),
    ("eip1", {"id": "x"}), ("vpc_id", "x"), ("ha_mode", "active-standby"), ("tags", []),
    ("enterprise_project_id", "0"), ("status", "ACTIVE")])
def test_a_field_that_is_not_updatable_is_refused_naming_it(server, project, field, value):
    gw = active(server, project)
    r = put(server, project, gw["id"], {"name": "ok", field: value})
    msg = assert_invalid(r, "vpn_gateway." + field)
    assert msg == "invalid request: vpn_gateway.%s: is not updatable (updatable: %s)" % (
        field, UPDATABLE), msg
    unchanged(server, project, gw)


def test_update_name_follows_the_create_name_rule(server, project):
    gw = active(server, project)
    r = put(server, project, gw["id"], {"name": "a b"})
    msg = assert_invalid(r, "vpn_gateway.name")
    assert msg == ('invalid request: vpn_gateway.name: must be 1 to 64 characters of letters, '
                   'digits, _ - . or CJK, got "a b"'), msg
    unchanged(server, project, gw)


def test_update_body_must_wrap_vpn_gateway(server, project):
    gw = active(server, project)
    r = server.request("PUT", gw_path(project, gw["id"]), {"name": "x"})
    assert_invalid(r, "vpn_gateway", "is required")
    r = server.request("PUT", gw_path(project, gw["id"]), "[")
    assert_invalid(r, "request body is not valid JSON")


# ---- local subnets ----

def test_local_subnets_are_replaced(server, project):
    gw = active(server, project)
    r = put(server, project, gw["id"], {"local_subnets": ["10.1.0.0/24", "10.2.0.0/16"]})
    assert r.status == 200, r.raw
    assert wait_gateway_active(server, project, gw["id"])["local_subnets"] == \
        ["10.1.0.0/24", "10.2.0.0/16"]


@pytest.mark.parametrize("value,path,rule", [
    ([], "vpn_gateway.local_subnets", "must have 1 to 50 items, got 0"),
    (["10.0.0.0/33"], "vpn_gateway.local_subnets[0]", 'must be a CIDR like 10.0.0.0/24, got "10.0.0.0/33"'),
    (["10.0.0.1/24"], "vpn_gateway.local_subnets[0]",
     'must be a CIDR with host bits zero like 10.0.0.0/24, got "10.0.0.1/24"'),
    (["10.0.0.0/24", "10.0.0.0/24"], "vpn_gateway.local_subnets[1]",
     'must not repeat local_subnets[0], got "10.0.0.0/24"'),
    (["10.%d.0.0/16" % i for i in range(51)], "vpn_gateway.local_subnets",
     "must have 1 to 50 items, got 51"),
    ("10.0.0.0/24", "vpn_gateway.local_subnets", "must be an array, got string"),
])
def test_local_subnets_are_validated_like_a_create(server, project, value, path, rule):
    gw = active(server, project)
    msg = assert_invalid(put(server, project, gw["id"], {"local_subnets": value}), path)
    assert msg == "invalid request: %s: %s" % (path, rule), msg
    unchanged(server, project, gw)


def test_fifty_local_subnets_are_accepted(server, project):
    gw = active(server, project)
    r = put(server, project, gw["id"], {"local_subnets": ["10.%d.0.0/16" % i for i in range(50)]})
    assert r.status == 200, r.raw


def test_local_subnets_may_not_overlap_a_connection_peer_subnet(server, project):
    gw = active(server, project)
    cgw = create_cgw(server, project)
    conn = create_conn(server, project, conn_body(gw, cgw, peer_subnets=["192.168.10.0/24"]))
    r = put(server, project, gw["id"], {"local_subnets": ["10.0.0.0/24", "192.168.0.0/16"]})
    msg = assert_invalid(r, "vpn_gateway.local_subnets[1]")
    assert msg == ('invalid request: vpn_gateway.local_subnets[1]: must not overlap peer subnet '
                   '192.168.10.0/24 of VPN connection %s, got "192.168.0.0/16"' % conn["id"]), msg
    unchanged(server, project, gw | {"used_connection_number": 1, "used_connection_group": 1})


def test_local_subnets_not_overlapping_any_connection_are_accepted(server, project):
    gw = active(server, project)
    cgw = create_cgw(server, project)
    create_conn(server, project, conn_body(gw, cgw, peer_subnets=["192.168.10.0/24"]))
    assert put(server, project, gw["id"], {"local_subnets": ["192.168.11.0/24"]}).status == 200


def test_local_subnets_v6_is_refused_on_an_ipv4_gateway(server, project):
    gw = active(server, project)
    msg = assert_invalid(put(server, project, gw["id"], {"local_subnets_v6": ["fd00::/64"]}),
                         "vpn_gateway.local_subnets_v6")
    assert msg == ("invalid request: vpn_gateway.local_subnets_v6: is not allowed when "
                   "ip_version is ipv4 (IPv6 gateways only)"), msg


# ---- EIPs ----

def test_eip_id_1_replaces_the_first_eip_with_a_new_address(server, project):
    gw = active(server, project)
    new = new_uuid()
    got = put(server, project, gw["id"], {"eip_id_1": new}).json["vpn_gateway"]
    assert got["eip1"]["id"] == new and got["eip2"] == gw["eip2"], got
    assert got["eip1"]["ip_address"] and got["eip1"]["ip_address"] != gw["eip1"]["ip_address"]
    assert get_gateway(server, project, gw["id"])["eip1"] == got["eip1"]


def test_a_replaced_eip_is_free_for_another_gateway(server, project):
    gw = active(server, project)
    old = gw["eip1"]["id"]
    assert put(server, project, gw["id"], {"eip_id_1": new_uuid()}).status == 200
    create_gateway(server, project, gateway_body(**{"eip1": {"id": old}}))


def test_an_eip_bound_to_another_gateway_is_refused_with_vpn_0112(server, project):
    a, b = active_gateways(server, project, [gateway_body(), gateway_body()])
    r = put(server, project, a["id"], {"eip_id_2": b["eip1"]["id"]})
    msg = assert_error(r, 400, "VPN.0112")
    assert msg == ("invalid request: vpn_gateway.eip_id_1 or eip_id_2: the EIP is already bound "
                   "to another VPN gateway"), msg
    unchanged(server, project, a)
    unchanged(server, project, b)


def test_an_eip_id_of_another_project_is_an_unknown_id_here_and_is_taken(server, project):
    """Issue 12: EIP ids are claimed per project. Another project's EIP id is an id this project
    has never seen (as for any foreign id): taking it neither fails nor tells that it exists,
    and the other project's gateway keeps its EIP."""
    other = active(server, new_project_id := new_project())
    gw = active(server, project)
    r = put(server, project, gw["id"], {"eip_id_1": other["eip2"]["id"]})
    assert r.status == 200, r.raw
    assert r.json["vpn_gateway"]["eip1"]["id"] == other["eip2"]["id"]
    unchanged(server, new_project_id, other)


def test_eip_ids_must_differ(server, project):
    gw = active(server, project)
    msg = assert_invalid(put(server, project, gw["id"], {"eip_id_1": gw["eip2"]["id"]}),
                         "vpn_gateway.eip_id_1")
    assert msg == ('invalid request: vpn_gateway.eip_id_1: must differ from the gateway\'s other '
                   'EIP (%s), got "%s"' % (gw["eip2"]["id"], gw["eip2"]["id"])), msg
    same = new_uuid()
    msg = assert_invalid(put(server, project, gw["id"], {"eip_id_1": same, "eip_id_2": same}),
                         "vpn_gateway.eip_id_2")
    assert msg == ('invalid request: vpn_gateway.eip_id_2: must differ from the gateway\'s other '
                   'EIP (%s), got "%s"' % (same, same)), msg
    unchanged(server, project, gw)


def test_repeating_the_current_eip_id_keeps_the_eip(server, project):
    gw = active(server, project)
    got = put(server, project, gw["id"], {"eip_id_1": gw["eip1"]["id"]}).json["vpn_gateway"]
    assert got["eip1"] == gw["eip1"], got


def test_eip_id_must_be_a_uuid(server, project):
    gw = active(server, project)
    msg = assert_invalid(put(server, project, gw["id"], {"eip_id_2": "eip-2"}),
                         "vpn_gateway.eip_id_2")
    assert msg == 'invalid request: vpn_gateway.eip_id_2: must be a UUID, got "eip-2"', msg


def test_eip_id_is_refused_on_a_private_gateway(server, project):
    gw = active(server, project, private_gateway_body())
    msg = assert_invalid(put(server, project, gw["id"], {"eip_id_1": new_uuid()}),
                         "vpn_gateway.eip_id_1")
    assert msg == ("invalid request: vpn_gateway.eip_id_1: is not allowed when network_type is "
                   "private"), msg


def test_an_eip_used_as_a_connection_vgw_ip_cannot_be_replaced(server, project):
    gw = active(server, project)
    cgw = create_cgw(server, project)
    create_conn(server, project, conn_body(gw, cgw, eip="eip2"))
    r = put(server, project, gw["id"], {"eip_id_2": new_uuid()})
    msg = assert_invalid(r, "vpn_gateway.eip_id_2")
    assert msg == ("invalid request: vpn_gateway.eip_id_2: the EIP it replaces (%s) is the vgw_ip "
                   "of a VPN connection of this gateway; delete or move that connection first"
                   % gw["eip2"]["id"]), msg
    unchanged(server, project, gw | {"used_connection_number": 1, "used_connection_group": 1})
    assert put(server, project, gw["id"], {"eip_id_1": new_uuid()}).status == 200


def test_the_new_eip_id_is_bound_and_the_old_one_released_in_one_step(server, project):
    gw = active(server, project)
    new = new_uuid()
    assert put(server, project, gw["id"], {"eip_id_1": new}).status == 200
    r = server.request("POST", gw_path(project), gateway_body(**{"eip1": {"id": new}}))
    assert_error(r, 400, "VPN.0112")


# ---- policy template ----

def test_policy_template_is_set_with_the_connection_policy_defaults_for_unsent_members(server, project):
    gw = active(server, project)
    assert "policy_template" not in gw
    r = put(server, project, gw["id"], {"policy_template": {
        "ike_policy": {"dh_group": "group14", "lifetime_seconds": 3600},
        "ipsec_policy": {"pfs": "disable"}}})
    assert r.status == 200, r.raw
    want = {"ike_policy": {"encryption_algorithm": "aes-128", "dh_group": "group14",
                           "authentication_algorithm": "sha2-256", "lifetime_seconds": 3600},
            "ipsec_policy": {"authentication_algorithm": "sha2-256",
                             "encryption_algorithm": "aes-128", "pfs": "disable",
                             "lifetime_seconds": 3600}}
    assert r.json["vpn_gateway"]["policy_template"] == want
    got = wait_gateway_active(server, project, gw["id"])
    assert got["policy_template"] == want


def test_a_later_policy_template_update_merges_member_by_member(server, project):
    gw = active(server, project)
    put(server, project, gw["id"], {"policy_template": {"ike_policy": {"dh_group": "group14"}}})
    wait_gateway_active(server, project, gw["id"])
    put(server, project, gw["id"], {"policy_template": {"ipsec_policy": {"lifetime_seconds": 600}}})
    got = wait_gateway_active(server, project, gw["id"])["policy_template"]
    assert got["ike_policy"]["dh_group"] == "group14"
    assert got["ipsec_policy"]["lifetime_seconds"] == 600


@pytest.mark.parametrize("template,path,rule", [
    ({"ike_policy": {"dh_group": "group3"}}, "vpn_gateway.policy_template.ike_policy.dh_group",
     'must be one of group1, group2, group5, group14, group15, group16, group19, group20, '
     'group21, got "group3"'),
    ({"ike_policy": {"lifetime_seconds": 59}},
     "vpn_gateway.policy_template.ike_policy.lifetime_seconds",
     "must be an integer from 60 to 604800, got 59"),
    ({"ipsec_policy": {"lifetime_seconds": 29}},
     "vpn_gateway.policy_template.ipsec_policy.lifetime_seconds",
     "must be an integer from 30 to 604800, got 29"),
    ({"ipsec_policy": {"encryption_algorithm": "des"}},
     "vpn_gateway.policy_template.ipsec_policy.encryption_algorithm",
     'must be one of aes-256-gcm-16, aes-128-gcm-16, aes-256-gcm-128, aes-128-gcm-128, aes-256, '
     'aes-192, aes-128, 3des, sm4, got "des"'),
    ({"ike_policy": {"ike_version": "v1"}}, "vpn_gateway.policy_template.ike_policy.ike_version",
     "is not updatable (updatable: encryption_algorithm, dh_group, authentication_algorithm, "
     "lifetime_seconds)"),
    ({"ipsec_policy": {"transform_protocol": "esp"}},
     "vpn_gateway.policy_template.ipsec_policy.transform_protocol",
     "is not updatable (updatable: authentication_algorithm, encryption_algorithm, pfs, "
     "lifetime_seconds)"),
    ({"dpd": {}}, "vpn_gateway.policy_template.dpd",
     "is not updatable (updatable: ike_policy, ipsec_policy)"),
    ("x", "vpn_gateway.policy_template", "must be an object, got string"),
    ({"ike_policy": []}, "vpn_gateway.policy_template.ike_policy", "must be an object, got array"),
])
def test_policy_template_is_validated_with_exact_messages(server, project, template, path, rule):
    gw = active(server, project)
    msg = assert_invalid(put(server, project, gw["id"], {"policy_template": template}), path)
    assert msg == "invalid request: %s: %s" % (path, rule), msg
    unchanged(server, project, gw)


def test_policy_template_survives_a_restart(fresh_server):
    project = new_project()
    gw = active(fresh_server, project)
    put(fresh_server, project, gw["id"], {"policy_template": {"ike_policy": {"dh_group": "group21"}}})
    before = wait_gateway_active(fresh_server, project, gw["id"])
    fresh_server.restart()
    assert get_gateway(fresh_server, project, gw["id"]) == before


# ---- flavor change ----

def test_flavor_change_answers_200_and_connection_number_follows_the_flavor(server, project):
    gw = active(server, project)
    assert gw["connection_number"] == 200
    r = spec_change(server, project, gw["id"], {"flavor": "Professional2"})
    assert r.status == 200, r.raw
    got = r.json["vpn_gateway"]
    assert (got["flavor"], got["connection_number"], got["status"]) == (
        "Professional2", 1000, "PENDING_UPDATE")
    settled = wait_gateway_active(server, project, gw["id"])
    assert (settled["flavor"], settled["connection_number"]) == ("Professional2", 1000)


def test_flavor_change_accepts_legacy_names(server, project):
    gw = active(server, project)
    got = spec_change(server, project, gw["id"], {"flavor": "V1G"}).json["vpn_gateway"]
    assert got["flavor"] == "Professional2", got


def test_flavor_change_to_basic_is_refused_for_a_private_gateway(server, project):
    gw = active(server, project, private_gateway_body())
    msg = assert_invalid(spec_change(server, project, gw["id"], {"flavor": "Basic"}),
                         "vpn_gateway.flavor")
    assert msg == ('invalid request: vpn_gateway.flavor: must not be Basic when network_type is '
                   'private, got "Basic"'), msg
    unchanged(server, project, gw)


def test_flavor_change_below_the_used_connections_is_refused(server, project):
    gw = active(server, project, gateway_body(flavor="Professional1"))
    cgw = create_cgw(server, project)
    for i in range(101):
        create_conn(server, project, conn_body(gw, cgw, peer_subnets=["172.16.%d.0/24" % i]))
    msg = assert_invalid(spec_change(server, project, gw["id"], {"flavor": "Basic"}),
                         "vpn_gateway.flavor")
    assert msg == ('invalid request: vpn_gateway.flavor: Basic allows 100 connections but the '
                   'gateway has 101, got "Basic"'), msg
    # 101 connections: Basic (100) is no longer a flavor it can change to
    unchanged(server, project, gw | {"used_connection_number": 101, "used_connection_group": 1,
                                     "supported_flavors": gw["supported_flavors"][1:]})
    assert gw["supported_flavors"][0] == "Basic", gw


def test_flavor_change_to_basic_is_refused_when_an_eip_bandwidth_exceeds_its_cap(server, project):
    eip = {"type": "5_bgp", "charge_mode": "bandwidth", "bandwidth_size": 300}
    gw = active(server, project, gateway_body(eip1=eip))
    msg = assert_invalid(spec_change(server, project, gw["id"], {"flavor": "Basic"}),
                         "vpn_gateway.flavor")
    assert msg == ('invalid request: vpn_gateway.flavor: Basic allows EIP bandwidth up to 100 '
                   'Mbit/s but eip1.bandwidth_size is 300, got "Basic"'), msg


def test_flavor_change_between_gm_and_other_flavors_is_refused(server, project):
    gw = active(server, project)
    msg = assert_invalid(spec_change(server, project, gw["id"], {"flavor": "GM"}),
                         "vpn_gateway.flavor")
    assert msg == ('invalid request: vpn_gateway.flavor: cannot change between GM and the other '
                   'flavors (current Professional1), got "GM"'), msg


def test_flavor_change_takes_only_the_flavor(server, project):
    gw = active(server, project)
    msg = assert_invalid(spec_change(server, project, gw["id"], {"flavor": "Professional2",
                                                                 "name": "x"}),
                         "vpn_gateway.name")
    assert msg == "invalid request: vpn_gateway.name: is not updatable (updatable: flavor)", msg
    msg = assert_invalid(spec_change(server, project, gw["id"], {}), "vpn_gateway.flavor")
    assert msg == "invalid request: vpn_gateway.flavor: is required", msg
    assert_invalid(spec_change(server, project, gw["id"], {"flavor": "Huge"}),
                   "vpn_gateway.flavor", "must be one of Basic,")
    unchanged(server, project, gw)


def test_flavor_change_while_updating_is_refused_with_vpn_0507(server, project):
    gw = active(server, project)
    assert spec_change(server, project, gw["id"], {"flavor": "Professional2"}).status == 200
    assert_error(spec_change(server, project, gw["id"], {"flavor": "Professional3"}), 400,
                 "VPN.0507")
    assert_error(put(server, project, gw["id"], {"name": "x"}), 400, "VPN.0507")


def test_flavor_change_of_an_unknown_gateway_is_404(server, project):
    assert_error(spec_change(server, project, new_uuid(), {"flavor": "Basic"}), 404, "VPN.0004")


# ---- availability zones (simulated) ----

@pytest.mark.parametrize("version", ["v5"])
def test_availability_zones_list_every_flavor_with_vpc_and_er_zones(server, project, version):
    r = server.request("GET", "/%s/%s/vpn-gateways/availability-zones" % (version, project))
    assert r.status == 200, r.raw
    assert list(r.json) == ["availability_zones", "request_id"], r.json
    zones = r.json["availability_zones"]
    assert list(zones) == ["basic", "professional1", "professional2", "Professional1-NonFixedIP",
                           "Professional2-NonFixedIP", "gm"], zones
    for flavor in zones.values():
        assert set(flavor) == {"vpc", "er"} and flavor["vpc"] and flavor["er"], flavor


def test_v5_1_availability_zones_list_zones_with_the_specs_a_create_accepts(server, project):
    r = server.request("GET", "/v5.1/%s/vpn-gateways/availability-zones" % project)
    assert r.status == 200, r.raw
    assert list(r.json) == ["availability_zones", "request_id"], r.json
    zones = r.json["availability_zones"]
    assert [z["name"] for z in zones] == ["az1", "az2", "az3"], zones
    for z in zones:
        assert z["public_border_group"] == "center", z
        specs = {(s["flavor"], s["attachment_type"], s["ip_version"]) for s in z["available_specs"]}
        assert ("Basic", "vpc", "ipv6") in specs and ("GM", "er", "ipv4") in specs, specs
        assert ("Basic", "er", "ipv4") not in specs, specs  # a create refuses Basic with er
        assert len(specs) == len(z["available_specs"]) == 30, z


def test_availability_zones_is_not_taken_for_a_gateway_id(server, project):
    r = server.request("GET", gw_path(project, "availability-zones"))
    assert r.status == 200 and "availability_zones" in r.json, r.raw
    assert_error(server.request("GET", gw_path(project, new_uuid())), 404, "VPN.0004")


# ---- more shapes ----

def test_local_subnets_are_refused_on_an_er_gateway(server, project):
    from vpnd_api import DELETE
    gw = active(server, project, gateway_body(attachment_type="er", er_id=new_uuid(),
                                              local_subnets=DELETE, vpc_id=DELETE,
                                              connect_subnet=DELETE))
    msg = assert_invalid(put(server, project, gw["id"], {"local_subnets": ["10.0.0.0/24"]}),
                         "vpn_gateway.local_subnets")
    assert msg == ("invalid request: vpn_gateway.local_subnets: is not allowed when "
                   "attachment_type is er"), msg
    assert put(server, project, gw["id"], {"name": "er-renamed"}).status == 200


@pytest.mark.parametrize("field,value,rule", [
    ("name", 5, "must be a string, got number"),
    ("eip_id_1", 5, "must be a string, got number"),
    ("local_subnets", [7], None),
])
def test_wrong_json_types_are_refused_with_the_field_path(server, project, field, value, rule):
    gw = active(server, project)
    path = "vpn_gateway." + field + ("[0]" if isinstance(value, list) else "")
    msg = assert_invalid(put(server, project, gw["id"], {field: value}), path)
    if rule:
        assert msg == "invalid request: %s: %s" % (path, rule), msg
    unchanged(server, project, gw)


def test_a_private_gateway_accepts_name_and_local_subnets(server, project):
    gw = active(server, project, private_gateway_body())
    r = put(server, project, gw["id"], {"name": "p2", "local_subnets": ["10.9.0.0/24"]})
    assert r.status == 200, r.raw
    got = wait_gateway_active(server, project, gw["id"])
    assert (got["name"], got["local_subnets"]) == ("p2", ["10.9.0.0/24"])
    assert (got["access_private_ip_1"], got["access_private_ip_2"]) == (
        gw["access_private_ip_1"], gw["access_private_ip_2"])


def test_a_null_member_counts_as_not_sent(server, project):
    gw = active(server, project)
    got = put(server, project, gw["id"], {"eip_id_1": None, "name": None}).json["vpn_gateway"]
    assert (got["name"], got["eip1"]) == (gw["name"], gw["eip1"]), got
