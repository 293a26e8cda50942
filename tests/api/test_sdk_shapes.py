"""Response shapes and request parameters the SDK's VPN v5 models give (spec/sdk-models): the
create responses, what a gateway response carries beyond its configuration, bgp_peer, and the
connection list's vpn_id and eip_id filters. Every response is also checked against the models
by the suite's hook (vpnd_api.check_sdk_model)."""

import pytest

from vpnd_api import (UUID_RE, active_gateways, assert_error, conn_body, conn_path, create_cgw,
                      create_conn, gateway_body, get_conn, get_gateway, gw_path, new_uuid,
                      wait_conn_status)


def list_ids(server, project, query):
    r = server.request("GET", conn_path(project) + "?" + query)
    assert r.status == 200, r.raw
    return [c["id"] for c in r.json["vpn_connections"]], r.json["total_count"]


# ---- gateways ----

def test_the_gateway_create_response_is_the_create_model(server, project):
    r = server.request("POST", gw_path(project), gateway_body())
    assert r.status == 201, r.raw
    g = r.json["vpn_gateway"]
    for later in ("status", "eip1", "eip2", "availability_zone_ids", "created_at", "updated_at"):
        assert later not in g, (later, g)
    assert (g["used_connection_number"], g["used_connection_group"]) == (0, 0), g


def test_used_connection_group_counts_the_customer_gateways_of_the_connections(server,
                                                                               project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    a, b = create_cgw(server, project), create_cgw(server, project, id_value="88.1.1.165")
    create_conn(server, project, conn_body(gw, a, peer_subnets=["192.168.1.0/24"]))
    create_conn(server, project, conn_body(gw, a, eip="eip2", peer_subnets=["192.168.2.0/24"]))
    g = get_gateway(server, project, gw["id"])
    assert (g["used_connection_number"], g["used_connection_group"]) == (2, 1), g
    create_conn(server, project, conn_body(gw, b, peer_subnets=["192.168.3.0/24"]))
    g = get_gateway(server, project, gw["id"])
    assert (g["used_connection_number"], g["used_connection_group"]) == (3, 2), g


def test_a_gateway_shows_its_border_group_features_and_the_flavors_it_can_change_to(server,
                                                                                  project):
    (gw,) = active_gateways(server, project, [gateway_body(flavor="Professional2")])
    assert gw["public_border_group"] == "center", gw
    assert gw["supported_features"] == ["query_connection_log"], gw
    assert gw["supported_flavors"] == ["Basic", "Professional1", "Professional3",
                                       "Professional1-NonFixedIP", "Professional2-NonFixedIP",
                                       "Professional3-NonFixedIP"], gw
    assert gw["applied_at"] == gw["created_at"], gw
    change = gw_path(project, gw["id"]) + "/update-specification"
    r = server.request("POST", change, {"vpn_gateway": {"flavor": "GM"}})  # not in the list
    assert_error(r, 400, "VPN.0001")
    r = server.request("POST", change, {"vpn_gateway": {"flavor": gw["supported_flavors"][0]}})
    assert r.status == 200, r.raw


def test_an_eip_given_by_id_shows_the_pay_per_use_eip_it_stands_for(server, project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    again = get_gateway(server, project, gw["id"])
    for key in ("eip1", "eip2"):
        e = gw[key]
        assert (e["type"], e["charge_mode"], e["bandwidth_size"]) == ("5_bgp", "traffic", 5), e
        assert UUID_RE.match(e["bandwidth_id"]) and e["bandwidth_name"].startswith(
            "vpngw-bandwidth-"), e
        assert again[key] == e  # the same on every read
    assert gw["eip1"]["bandwidth_id"] != gw["eip2"]["bandwidth_id"]


def test_an_er_gateway_shows_an_er_attachment(server, project):
    body = gateway_body(attachment_type="er", er_id=new_uuid())
    for key in ("local_subnets", "vpc_id", "connect_subnet"):
        del body["vpn_gateway"][key]
    (gw,) = active_gateways(server, project, [body])
    assert UUID_RE.match(gw["er_attachment_id"]) and gw["er_attachment_id"] != gw["er_id"], gw
    assert get_gateway(server, project, gw["id"])["er_attachment_id"] == gw["er_attachment_id"]


# ---- connections ----

def test_a_bgp_connection_shows_its_bgp_peer_but_its_create_response_does_not(server, project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    cgw = create_cgw(server, project, bgp_asn=65010)
    c = create_conn(server, project, conn_body(gw, cgw, style="bgp"))
    assert "bgp_peer" not in c and "status" not in c, c
    shown = get_conn(server, project, c["id"])
    assert shown["bgp_peer"] == {"peer_ip_address": c["tunnel_peer_address"].split("/")[0],
                                 "peer_asn": 65010}, shown


def test_enable_health_check_is_kept_and_shown_by_the_create_response(server, project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    c = create_conn(server, project, conn_body(gw, create_cgw(server, project),
                                               enable_health_check=True))
    assert c["enable_health_check"] is True, c
    r = server.request("POST", conn_path(project), conn_body(gw, create_cgw(server, project),
                                                             enable_health_check="yes"))
    msg = assert_error(r, 400, "VPN.0001")
    assert msg == ("invalid request: vpn_connection.enable_health_check: must be a boolean, got "
                   "string"), msg


# ---- the connection list's vpn_id and eip_id ----

@pytest.fixture
def two(server, project):
    """Two connections of one gateway: through eip1 and through eip2."""
    (gw,) = active_gateways(server, project, [gateway_body()])
    cgw = create_cgw(server, project)
    a = create_conn(server, project, conn_body(gw, cgw, peer_subnets=["192.168.1.0/24"]))
    b = create_conn(server, project, conn_body(gw, cgw, eip="eip2",
                                               peer_subnets=["192.168.2.0/24"]))
    return gw, a, b


def test_vpn_id_lists_the_one_connection_of_that_id(server, project, two):
    gw, a, b = two
    assert list_ids(server, project, "vpn_id=" + a["id"]) == ([a["id"]], 1)
    assert list_ids(server, project, "vpn_id=%s&vgw_id=%s" % (b["id"], gw["id"])) == ([b["id"]],
                                                                                      1)
    assert list_ids(server, project, "vpn_id=%s&vgw_id=%s" % (b["id"], new_uuid())) == ([], 0)
    assert list_ids(server, project, "vpn_id=" + new_uuid()) == ([], 0)
    assert list_ids(server, project, "vpn_id=%s&limit=0" % a["id"]) == ([], 1)


def test_eip_id_lists_the_connections_through_that_eip(server, project, two):
    gw, a, b = two
    assert list_ids(server, project, "eip_id=" + gw["eip2"]["id"]) == ([b["id"]], 1)
    assert list_ids(server, project, "eip_id=%s&vgw_ip=%s" % (gw["eip1"]["id"],
                                                              gw["eip1"]["id"])) == ([a["id"]], 1)
    assert list_ids(server, project, "eip_id=%s&vgw_ip=%s" % (gw["eip1"]["id"],
                                                              gw["eip2"]["id"])) == ([], 0)
    wait_conn_status(server, project, b["id"], "DOWN")


@pytest.mark.parametrize("key", ["vpn_id", "eip_id"])
def test_a_vpn_id_or_eip_id_that_is_no_uuid_is_refused(server, project, key):
    r = server.request("GET", conn_path(project) + "?%s=abc" % key)
    assert assert_error(r, 400, "VPN.0001") == (
        'invalid request: %s: must be a UUID, got "abc"' % key)
