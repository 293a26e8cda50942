"""POST vpn-connections/batch-create (spec §2.1): 1-2 connections of one gateway, validated
first (errors name the element), inserted all or nothing."""
from vpnd_api import (Server, active_gateways, assert_error, assert_invalid, batch_path,
                      conn_body, conn_path, create_cgw, create_conn, gateway_body, get_conn,
                      get_gateway, new_project, wait_conn_status)

BASIC_CAPACITY = 100  # connection_number of a Basic gateway (model/vgw_flavor.c)


def gateway_and_cgw(server, project, **gw_fields):
    (gw,) = active_gateways(server, project, [gateway_body(**gw_fields)])
    return gw, create_cgw(server, project)


def element(gw, cgw, **fields):
    return conn_body(gw, cgw, **fields)["vpn_connection"]


def count(server, project):
    return server.request("GET", conn_path(project)).json["total_count"]


def fill(server, project, gw, cgw, n):
    """Creates n connections on gw, two per batch."""
    while n > 0:
        k = min(n, 2)
        r = server.request("POST", batch_path(project),
                           {"vpn_connections": [element(gw, cgw) for _ in range(k)]})
        assert r.status == 201, r.raw
        n -= k


def test_two_connections_are_created_with_create_shaped_objects(server, project):
    gw, cgw = gateway_and_cgw(server, project)
    body = {"vpn_connections": [element(gw, cgw, name="a"), element(gw, cgw, eip="eip2", name="b")]}
    r = server.request("POST", batch_path(project), body)
    assert r.status == 201, r.raw
    assert r.json["request_id"] == r.headers["X-Request-Id"]
    got = r.json["vpn_connections"]
    assert [c["name"] for c in got] == ["a", "b"]
    single = create_conn(server, project, conn_body(gw, cgw))
    for c in got:
        assert "status" not in c
        assert list(c) == [k for k in single if k in c] and set(c) == set(single)
        shown = get_conn(server, project, c["id"])
        assert {k: v for k, v in shown.items() if k != "status"} == c
    assert got[0]["tunnel_local_address"] != got[1]["tunnel_local_address"]
    assert got[1]["vgw_ip"] == gw["eip2"]["id"]
    assert get_gateway(server, project, gw["id"])["used_connection_number"] == 3


def test_one_element_batch_creates_one_connection(server, project):
    gw, cgw = gateway_and_cgw(server, project)
    r = server.request("POST", batch_path(project), {"vpn_connections": [element(gw, cgw)]})
    assert r.status == 201, r.raw
    assert len(r.json["vpn_connections"]) == 1 and count(server, project) == 1


def test_elements_on_different_gateways_are_rejected_and_nothing_is_created(server, project):
    gw, cgw = gateway_and_cgw(server, project)
    (other,) = active_gateways(server, project, [gateway_body()])
    r = server.request("POST", batch_path(project),
                       {"vpn_connections": [element(gw, cgw), element(other, cgw)]})
    assert_invalid(r, "vpn_connections[1].vgw_id")
    assert r.json["error_msg"] == (
        "invalid request: vpn_connections[1].vgw_id: must be the VPN gateway of "
        "vpn_connections[0].vgw_id (\"%s\"), got \"%s\"" % (gw["id"], other["id"]))
    assert count(server, project) == 0


def test_an_invalid_second_element_names_its_path_and_nothing_is_created(server, project):
    gw, cgw = gateway_and_cgw(server, project)
    r = server.request("POST", batch_path(project),
                       {"vpn_connections": [element(gw, cgw), element(gw, cgw, psk="short")]})
    assert_invalid(r, "vpn_connections[1].psk")
    assert "short" not in r.json["error_msg"]  # a PSK is never echoed
    r = server.request("POST", batch_path(project),
                       {"vpn_connections": [element(gw, cgw, **{"ikepolicy.lifetime_seconds": 30}),
                                            element(gw, cgw)]})
    assert_invalid(r, "vpn_connections[0].ikepolicy.lifetime_seconds", "got 30")
    assert count(server, project) == 0


def test_a_gateway_rule_failure_names_the_element(server, project):
    gw, cgw = gateway_and_cgw(server, project)
    bad = element(gw, cgw, vgw_ip="00000000-0000-4000-8000-000000000000")
    r = server.request("POST", batch_path(project), {"vpn_connections": [element(gw, cgw), bad]})
    assert_invalid(r, "vpn_connections[1].vgw_ip")
    assert count(server, project) == 0


def test_an_unknown_customer_gateway_names_the_element(server, project):
    gw, cgw = gateway_and_cgw(server, project)
    bad = element(gw, cgw, cgw_id="00000000-0000-4000-8000-000000000000")
    r = server.request("POST", batch_path(project), {"vpn_connections": [element(gw, cgw), bad]})
    msg = assert_error(r, 404, "VPN.0004")
    assert "vpn_connections[1].cgw_id" in msg
    assert count(server, project) == 0


def test_batch_sizes_outside_1_to_2_and_bad_shapes_are_rejected(server, project):
    gw, cgw = gateway_and_cgw(server, project)
    for items in ([], [element(gw, cgw)] * 3):
        r = server.request("POST", batch_path(project), {"vpn_connections": items})
        assert_invalid(r, "vpn_connections", "must have 1 to 2 items, got %d" % len(items))
    assert_invalid(server.request("POST", batch_path(project), {"vpn_connection": {}}),
                   "vpn_connections", "is required")
    assert_invalid(server.request("POST", batch_path(project), {"vpn_connections": [1]}),
                   "vpn_connections[0]", "must be an object")
    r = server.request("POST", batch_path(project), "[")
    assert r.status == 400 and "not valid JSON" in r.json["error_msg"], r.raw
    assert count(server, project) == 0


def test_two_elements_with_the_same_tunnel_address_are_rejected_together(server, project):
    gw, cgw = gateway_and_cgw(server, project)
    pair = {"tunnel_local_address": "169.254.10.1/30", "tunnel_peer_address": "169.254.10.2/30"}
    r = server.request("POST", batch_path(project),
                       {"vpn_connections": [element(gw, cgw, **pair), element(gw, cgw, **pair)]})
    msg = assert_error(r, 400, "VPN.0012")
    assert "169.254.10.1/30" in msg
    assert count(server, project) == 0


def test_an_automatic_tunnel_avoids_the_other_elements_given_one(server, project):
    gw, cgw = gateway_and_cgw(server, project)
    given = {"tunnel_local_address": "169.254.0.1/30", "tunnel_peer_address": "169.254.0.2/30"}
    r = server.request("POST", batch_path(project),
                       {"vpn_connections": [element(gw, cgw), element(gw, cgw, **given)]})
    assert r.status == 201, r.raw
    auto, fixed = r.json["vpn_connections"]
    assert fixed["tunnel_local_address"] == "169.254.0.1/30"
    assert auto["tunnel_local_address"] != "169.254.0.1/30"


def test_a_pair_on_a_gateway_with_one_free_slot_creates_nothing(server, project):
    gw, cgw = gateway_and_cgw(server, project, flavor="Basic")
    assert gw["connection_number"] == BASIC_CAPACITY
    fill(server, project, gw, cgw, BASIC_CAPACITY - 1)
    r = server.request("POST", batch_path(project),
                       {"vpn_connections": [element(gw, cgw), element(gw, cgw)]})
    msg = assert_error(r, 400, "VPN.0001")
    assert "no free connection capacity" in msg and "none of the 2 connections" in msg, msg
    assert count(server, project) == BASIC_CAPACITY - 1
    assert get_gateway(server, project, gw["id"])["used_connection_number"] == BASIC_CAPACITY - 1
    r = server.request("POST", batch_path(project), {"vpn_connections": [element(gw, cgw)]})
    assert r.status == 201, r.raw
    assert get_gateway(server, project, gw["id"])["used_connection_number"] == BASIC_CAPACITY


def test_a_batch_beyond_the_connection_quota_creates_nothing(vpnd_bin, tmp_path):
    srv = Server(vpnd_bin, str(tmp_path), ["--quota-vpn-connection", "1"])
    srv.start()
    try:
        project = new_project()
        gw, cgw = gateway_and_cgw(srv, project)
        r = srv.request("POST", batch_path(project),
                        {"vpn_connections": [element(gw, cgw), element(gw, cgw)]})
        assert_invalid(r, "quota exceeded")
        assert count(srv, project) == 0
    finally:
        srv.stop()


def test_created_connections_settle_like_single_ones(server, project):
    gw, cgw = gateway_and_cgw(server, project)
    r = server.request("POST", batch_path(project), {"vpn_connections": [element(gw, cgw)]})
    cid = r.json["vpn_connections"][0]["id"]
    assert wait_conn_status(server, project, cid, "DOWN")["status"] == "DOWN"
