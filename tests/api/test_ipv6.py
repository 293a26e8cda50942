"""IPv6 and dual stack through the API (the SDK models' ip_version, local_subnets_v6,
peer_subnets_v6, policy_rules_v6): an IPv6 gateway has IPv6 EIPs (or private IPs) and IPv6 local
subnets, and may have IPv4 ones too; its connections reach IPv6 customer gateways and carry
IPv6 customer subnets (and IPv4 ones). IPv6 text is kept in its RFC 5952 form."""

import ipaddress

import pytest

from vpnd_api import (DELETE, assert_error, assert_invalid, active_gateways, conn_path, create_cgw,
                      create_conn, gateway_body, get_conn, get_gateway, gw_path, monitor_path,
                      new_uuid, private_gateway_body, wait_conn_status, wait_gone)

EIP6_POOL = ipaddress.ip_network("2001:2::/48")  # the default --eip6-pool
PRIVATE6_POOL = ipaddress.ip_network("fd00::/64")  # the default --private6-pool
LOCAL6 = "2001:db8:10::/48"
PEER6 = "2001:db8:20::/48"


def v6_body(**fields):
    """A public dual-stack gateway: IPv6 (its EIPs, local_subnets_v6) with IPv4 local subnets."""
    return gateway_body(**dict({"ip_version": "ipv6", "local_subnets_v6": [LOCAL6]}, **fields))


def v6_gateway(server, project, body=None):
    (gw,) = active_gateways(server, project, [body or v6_body()])
    return gw


def v6_conn_body(gw, cgw, eip="eip1", **fields):
    c = {"vgw_id": gw["id"], "vgw_ip": gw[eip]["id"], "cgw_id": cgw["id"],
         "peer_subnets_v6": [PEER6], "psk": "Abcd1234!x"}
    c.update(fields)
    return {"vpn_connection": c}


def v6_cgw(server, project, id_value="2001:db8:ff::1", **fields):
    return create_cgw(server, project, id_value=id_value, **fields)


def refused_conn(server, project, body, path):
    """The message of a connection create refused on path (400 VPN.0001)."""
    return assert_invalid(server.request("POST", conn_path(project), body), path)


# ---- gateways ----

def test_an_ipv6_gateway_gets_ipv6_eips_from_the_eip6_pool(server, project):
    gw = v6_gateway(server, project)
    assert gw["ip_version"] == "ipv6"
    assert gw["local_subnets_v6"] == [LOCAL6] and gw["local_subnets"] == ["10.0.0.0/24"], gw
    for eip in (gw["eip1"], gw["eip2"]):
        assert eip["ip_version"] == 6, eip
        assert ipaddress.ip_address(eip["ip_address"]) in EIP6_POOL, eip
        assert str(ipaddress.ip_address(eip["ip_address"])) == eip["ip_address"], eip
    assert gw["eip1"]["ip_address"] != gw["eip2"]["ip_address"]


def test_ipv6_local_subnets_are_kept_in_rfc5952_text(server, project):
    gw = v6_gateway(server, project, v6_body(local_subnets_v6=["2001:DB8:0010:0::/48"]))
    assert gw["local_subnets_v6"] == ["2001:db8:10::/48"], gw


def test_an_ipv6_vpc_gateway_without_local_subnets_v6_is_refused(server, project):
    r = server.request("POST", gw_path(project), gateway_body(ip_version="ipv6"))
    msg = assert_invalid(r, "vpn_gateway.local_subnets_v6")
    assert msg == ("invalid request: vpn_gateway.local_subnets_v6: is required when "
                   "attachment_type is vpc and ip_version is ipv6"), msg


def test_an_ipv4_gateway_refuses_local_subnets_v6_at_create(server, project):
    r = server.request("POST", gw_path(project), gateway_body(local_subnets_v6=[LOCAL6]))
    msg = assert_invalid(r, "vpn_gateway.local_subnets_v6")
    assert msg == ("invalid request: vpn_gateway.local_subnets_v6: is not allowed when "
                   "ip_version is ipv4 (IPv6 gateways only)"), msg


def test_an_ipv4_cidr_in_local_subnets_v6_is_refused(server, project):
    r = server.request("POST", gw_path(project), v6_body(local_subnets_v6=["10.9.0.0/24"]))
    msg = assert_invalid(r, "vpn_gateway.local_subnets_v6[0]")
    assert msg.endswith('must be an IPv6 CIDR like 2001:db8::/32, got "10.9.0.0/24"'), msg


def test_a_private_ipv6_gateway_gets_ipv6_access_addresses(server, project):
    body = private_gateway_body(ip_version="ipv6", local_subnets_v6=[LOCAL6])
    (gw,) = active_gateways(server, project, [body])
    for key in ("access_private_ip_1", "access_private_ip_2"):
        assert ipaddress.ip_address(gw[key]) in PRIVATE6_POOL, gw


def test_a_private_ipv6_gateway_refuses_an_ipv4_access_address(server, project):
    body = private_gateway_body(ip_version="ipv6", local_subnets_v6=[LOCAL6],
                                access_private_ip_1="172.31.0.10", access_private_ip_2="fd00::b")
    msg = assert_invalid(server.request("POST", gw_path(project), body),
                         "vpn_gateway.access_private_ip_1")
    assert msg.endswith('must be an IPv6 address like 2001:db8::1, got "172.31.0.10"'), msg


def test_a_gateway_update_replaces_the_ipv6_local_subnets(server, project):
    gw = v6_gateway(server, project)
    r = server.request("PUT", gw_path(project, gw["id"]),
                       {"vpn_gateway": {"local_subnets_v6": ["2001:db8:30::/48"]}})
    assert r.status == 200, r.raw
    assert r.json["vpn_gateway"]["local_subnets_v6"] == ["2001:db8:30::/48"], r.json


# ---- customer gateways ----

def test_a_customer_gateway_takes_an_ipv6_address_in_rfc5952_text(server, project):
    cgw = v6_cgw(server, project, id_value="2001:DB8:FF:0::1")
    assert (cgw["id_type"], cgw["id_value"]) == ("ip", "2001:db8:ff::1"), cgw


# ---- connections ----

def test_a_dual_stack_connection_is_created_shown_and_listed(server, project):
    gw = v6_gateway(server, project)
    cgw = v6_cgw(server, project)
    c = create_conn(server, project, v6_conn_body(gw, cgw, peer_subnets=["192.168.40.0/24"]))
    shown = get_conn(server, project, c["id"])
    assert shown["peer_subnets"] == ["192.168.40.0/24"] and shown["peer_subnets_v6"] == [PEER6]
    assert shown["ikepolicy"]["local_id"] == gw["eip1"]["ip_address"], shown
    assert shown["ikepolicy"]["peer_id"] == "2001:db8:ff::1", shown
    r = server.request("GET", conn_path(project) + "?vgw_id=" + gw["id"])
    assert [x["id"] for x in r.json["vpn_connections"]] == [c["id"]], r.json


def test_an_ipv6_only_connection_shows_no_ipv4_subnets(server, project):
    gw = v6_gateway(server, project, v6_body(local_subnets=DELETE))
    c = create_conn(server, project, v6_conn_body(gw, v6_cgw(server, project)))
    shown = get_conn(server, project, c["id"])
    assert "peer_subnets" not in shown and shown["peer_subnets_v6"] == [PEER6], shown


IPV4_RULES = [{"source": "10.0.0.0/24", "destination": ["192.168.40.0/24"]}]


@pytest.mark.parametrize("family,fields,path,ending", [
    ("ipv6", {"peer_subnets": ["192.168.40.0/24"], "peer_subnets_v6": DELETE},
     "vpn_connection.peer_subnets_v6", "is required when the gateway ip_version is ipv6, unless "
     "its attachment_type is er and style is POLICY or BGP"),
    ("ipv4", {"peer_subnets": ["192.168.40.0/24"]}, "vpn_connection.peer_subnets_v6",
     "is not allowed when the gateway ip_version is ipv4 (IPv6 gateways only)"),
    ("ipv6", {"peer_subnets_v6": ["2001:db8:10:1::/64"]}, "vpn_connection.peer_subnets_v6[0]",
     'must not overlap gateway local subnet 2001:db8:10::/48, got "2001:db8:10:1::/64"'),
    ("ipv6", {"style": "policy", "policy_rules": IPV4_RULES}, "vpn_connection.policy_rules",
     "must match the gateway ip_version ipv6, got IPv4 rules"),
], ids=["ipv6-gateway-needs-peer-subnets-v6", "ipv4-gateway-refuses-peer-subnets-v6",
        "ipv6-subnets-overlap-local-ones", "ipv6-gateway-refuses-ipv4-rules"])
def test_a_connection_breaking_a_rule_of_its_gateway_s_family_is_refused(server, project, family,
                                                                          fields, path, ending):
    if family == "ipv6":
        gw, cgw = v6_gateway(server, project), v6_cgw(server, project)
    else:
        (gw,) = active_gateways(server, project, [gateway_body()])
        cgw = create_cgw(server, project)
    body = v6_conn_body(gw, cgw, **fields)
    body["vpn_connection"] = {k: v for k, v in body["vpn_connection"].items() if v is not DELETE}
    msg = refused_conn(server, project, body, path)
    assert msg.endswith(ending), msg


def test_a_customer_gateway_of_the_other_family_is_refused(server, project):
    gw = v6_gateway(server, project)
    cgw = create_cgw(server, project, id_value="88.1.1.7")
    msg = refused_conn(server, project, v6_conn_body(gw, cgw), "vpn_connection.cgw_id")
    assert msg == ('invalid request: vpn_connection.cgw_id: customer gateway %s has an IPv4 '
                   'address (88.1.1.7), which gateway %s (ip_version ipv6) cannot reach, got '
                   '"%s"' % (cgw["id"], gw["id"], cgw["id"])), msg


def test_a_connection_update_replaces_its_ipv6_subnets(server, project):
    gw = v6_gateway(server, project)
    c = create_conn(server, project, v6_conn_body(gw, v6_cgw(server, project)))
    wait_conn_status(server, project, c["id"], "DOWN")
    r = server.request("PUT", conn_path(project, c["id"]),
                       {"vpn_connection": {"peer_subnets_v6": ["2001:db8:21::/48"]}})
    assert r.status == 200, r.raw
    assert r.json["vpn_connection"]["peer_subnets_v6"] == ["2001:db8:21::/48"], r.json


def test_a_local_subnets_v6_update_may_not_overlap_a_connection(server, project):
    gw = v6_gateway(server, project)
    c = create_conn(server, project, v6_conn_body(gw, v6_cgw(server, project)))
    r = server.request("PUT", gw_path(project, gw["id"]),
                       {"vpn_gateway": {"local_subnets_v6": ["2001:db8::/32"]}})
    msg = assert_invalid(r, "vpn_gateway.local_subnets_v6[0]")
    assert msg.endswith("must not overlap peer subnet %s of VPN connection %s, got "
                        '"2001:db8::/32"' % (PEER6, c["id"])), msg
    assert get_gateway(server, project, gw["id"])["local_subnets_v6"] == [LOCAL6]


def test_an_ipv6_policy_connection_takes_ipv6_rules(server, project):
    gw = v6_gateway(server, project)
    rules = [{"source": LOCAL6, "destination": [PEER6]}]
    c = create_conn(server, project, v6_conn_body(gw, v6_cgw(server, project), style="policy",
                                                  policy_rules_v6=rules))
    shown = get_conn(server, project, c["id"])
    assert shown["policy_rules_v6"] == [dict(rules[0], rule_index=1)], shown
    assert shown["policy_rules"] == [], shown


def test_a_connection_of_a_private_ipv6_gateway_names_its_address_in_any_spelling(server,
                                                                              project):
    body = private_gateway_body(ip_version="ipv6", local_subnets_v6=[LOCAL6],
                                access_private_ip_1="fd00::a", access_private_ip_2="fd00::b")
    (gw,) = active_gateways(server, project, [body])
    cgw = v6_cgw(server, project)
    c = create_conn(server, project, {"vpn_connection": {
        "vgw_id": gw["id"], "vgw_ip": "FD00:0::A", "cgw_id": cgw["id"],
        "peer_subnets_v6": [PEER6], "psk": "Abcd1234!x"}})
    assert c["vgw_ip"] == "fd00::a", c
    r = server.request("GET", conn_path(project) + "?vgw_ip=fd00:0:0::A")
    assert [x["id"] for x in r.json["vpn_connections"]] == [c["id"]], r.json


def test_a_monitor_of_an_ipv6_connection_probes_ipv6_addresses(server, project):
    gw = v6_gateway(server, project)
    c = create_conn(server, project, v6_conn_body(gw, v6_cgw(server, project)))
    wait_conn_status(server, project, c["id"], "DOWN")
    r = server.request("POST", monitor_path(project),
                       {"connection_monitor": {"vpn_connection_id": c["id"]}})
    assert r.status == 201, r.raw
    m = r.json["connection_monitor"]
    assert (m["source_ip"], m["destination_ip"]) == (gw["eip1"]["ip_address"],
                                                     "2001:db8:ff::1"), m


def test_an_ipv6_connection_is_deleted_and_gone(server, project):
    gw = v6_gateway(server, project)
    c = create_conn(server, project, v6_conn_body(gw, v6_cgw(server, project)))
    assert server.request("DELETE", conn_path(project, c["id"])).status == 204
    assert wait_gone(server, conn_path(project, c["id"])).status == 404
    assert_error(server.request("GET", conn_path(project, c["id"])), 404, "VPN.0004")


# ---- routing table ----

def test_the_routing_table_lists_ipv6_routes_after_the_ipv4_ones(server, project):
    gw = v6_gateway(server, project)
    c = create_conn(server, project, v6_conn_body(
        gw, v6_cgw(server, project), peer_subnets=["192.168.40.0/24"],
        peer_subnets_v6=["2001:db8:21::/48", PEER6]))
    settled = wait_conn_status(server, project, c["id"], "DOWN")
    r = server.request("GET", gw_path(project, gw["id"]) + "/routing-table")
    assert r.status == 200, r.raw
    got = [(x["destination"], x["nexthop"]) for x in r.json["routing_table"]]
    peer = settled["tunnel_peer_address"].split("/")[0]
    assert got == [("192.168.40.0/24", peer), (PEER6, peer), ("2001:db8:21::/48", peer)], got


def test_a_connection_of_an_unknown_gateway_is_404_whatever_its_subnets(server, project):
    body = {"vpn_connection": {"vgw_id": new_uuid(), "vgw_ip": new_uuid(),
                               "cgw_id": v6_cgw(server, project)["id"],
                               "peer_subnets_v6": [PEER6], "psk": "Abcd1234!x"}}
    assert_error(server.request("POST", conn_path(project), body), 404, "VPN.0004")


# ---- data plane (simulated cloud; real tunnels: tests/dataplane/test_vpnd_ipv6.py) ----

def test_ipsec_sa_of_a_dual_stack_connection_lists_every_selector_of_both_families(server,
                                                                                  project):
    local4 = ["10.0.%d.0/24" % i for i in range(50)]
    local6 = ["2001:db8:10:%x::/64" % (0xff00 + i) for i in range(50)]
    peer4 = ["192.168.%d.0/24" % i for i in range(50)]
    peer6 = ["2001:db8:20:%x::/64" % (0xff00 + i) for i in range(50)]
    gw = v6_gateway(server, project, v6_body(local_subnets=local4, local_subnets_v6=local6))
    c = create_conn(server, project, v6_conn_body(gw, v6_cgw(server, project), style="STATIC",
                                                  peer_subnets=peer4, peer_subnets_v6=peer6))
    r = server.request("GET", conn_path(project, c["id"]) + "/ipsec-sa")
    assert r.status == 200, r.raw
    (sa,) = r.json["sa_infos"]
    assert sa["source_ip_cidr"].split(",") == local4 + local6
    assert sa["dest_ip_cidr"].split(",") == peer4 + peer6
