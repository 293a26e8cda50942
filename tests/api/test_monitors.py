"""Connection monitors (spec §5.1): create, list, show, delete; one per connection; the
connection's document shows connection_monitor_id while one exists."""
import time

from vpnd_api import (UUID_RE, active_gateways, assert_error, assert_invalid, conn_body, conn_path,
                      create_cgw, create_conn, gateway_body, get_conn, monitor_path, new_project,
                      private_gateway_body, wait_gone)

MONITOR_KEYS = ["id", "status", "vpn_connection_id", "type", "source_ip", "destination_ip",
                "proto_type"]


def setup_connection(server, project, gw_body=None, eip="eip1", **fields):
    (gw,) = active_gateways(server, project, [gw_body or gateway_body()])
    cgw = create_cgw(server, project, id_value="88.1.1.7")
    if gw_body is not None and gw_body["vpn_gateway"].get("network_type") == "private":
        body = conn_body(dict(gw, eip1={"id": gw["access_private_ip_1"]}), cgw, **fields)
    else:
        body = conn_body(gw, cgw, eip=eip, **fields)
    return gw, cgw, create_conn(server, project, body)


def create_monitor(server, project, cid):
    r = server.request("POST", monitor_path(project),
                       {"connection_monitor": {"vpn_connection_id": cid}})
    assert r.status == 201, r.raw
    return r


def test_create_answers_201_with_the_probe_addresses_and_no_status(server, project):
    gw, _, conn = setup_connection(server, project, eip="eip2")
    r = create_monitor(server, project, conn["id"])
    m = r.json["connection_monitor"]
    assert list(m) == [k for k in MONITOR_KEYS if k != "status"]
    assert UUID_RE.match(m["id"])
    assert m["vpn_connection_id"] == conn["id"]
    assert m["type"] == "gateway" and m["proto_type"] == "icmp"
    assert m["source_ip"] == gw["eip2"]["ip_address"]
    assert m["destination_ip"] == "88.1.1.7"
    assert r.json["request_id"] == r.headers["X-Request-Id"]


def test_private_gateway_monitor_probes_from_the_private_ip(server, project):
    gw, _, conn = setup_connection(server, project, gw_body=private_gateway_body())
    m = create_monitor(server, project, conn["id"]).json["connection_monitor"]
    assert m["source_ip"] == conn["vgw_ip"]


def wait_monitor_status(server, project, mid, want, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        r = server.request("GET", monitor_path(project, mid))
        assert r.status == 200, r.raw
        if r.json["connection_monitor"]["status"] == want or time.monotonic() > deadline:
            return r
        time.sleep(0.02)  # polling interval, not a readiness guess


def test_show_has_the_same_fields_plus_a_status_that_settles_to_active(server, project):
    _, _, conn = setup_connection(server, project)
    created = create_monitor(server, project, conn["id"]).json["connection_monitor"]
    r = server.request("GET", monitor_path(project, created["id"]))
    assert r.status == 200, r.raw
    m = r.json["connection_monitor"]
    assert list(m) == MONITOR_KEYS
    assert m["status"] in ("PENDING_CREATE", "ACTIVE")
    assert {k: v for k, v in m.items() if k != "status"} == created
    r = wait_monitor_status(server, project, created["id"], "ACTIVE")
    assert r.json["connection_monitor"]["status"] == "ACTIVE"
    assert r.json["request_id"] == r.headers["X-Request-Id"]


def test_connection_shows_connection_monitor_id_after_enterprise_project_id_while_it_exists(
        server, project):
    _, _, conn = setup_connection(server, project)
    assert "connection_monitor_id" not in get_conn(server, project, conn["id"])
    mid = create_monitor(server, project, conn["id"]).json["connection_monitor"]["id"]
    c = get_conn(server, project, conn["id"])
    assert c["connection_monitor_id"] == mid
    keys = list(c)
    assert keys.index("connection_monitor_id") == keys.index("enterprise_project_id") + 1
    listed = server.request("GET", conn_path(project)).json["vpn_connections"]
    assert listed[0]["connection_monitor_id"] == mid
    assert server.request("DELETE", monitor_path(project, mid)).status == 204
    assert wait_gone(server, monitor_path(project, mid)).status == 404
    assert "connection_monitor_id" not in get_conn(server, project, conn["id"])


def test_monitor_keeps_the_connection_status_and_updated_at(server, project):
    _, _, conn = setup_connection(server, project)
    before = get_conn(server, project, conn["id"])
    create_monitor(server, project, conn["id"])
    after = get_conn(server, project, conn["id"])
    assert after["updated_at"] == before["updated_at"]
    assert after["status"] in ("PENDING_CREATE", "DOWN")


def test_second_monitor_on_one_connection_is_vpn_0381(server, project):
    _, _, conn = setup_connection(server, project)
    create_monitor(server, project, conn["id"])
    r = server.request("POST", monitor_path(project),
                       {"connection_monitor": {"vpn_connection_id": conn["id"]}})
    msg = assert_error(r, 400, "VPN.0381")
    assert msg == "VPN connection %s already has connection monitor" % conn["id"]
    assert len(server.request("GET", monitor_path(project)).json["connection_monitors"]) == 1


def test_monitor_for_an_unknown_or_other_projects_connection_is_404(server, project):
    _, _, conn = setup_connection(server, project)
    for p, cid in ((project, "00000000-0000-4000-8000-000000000000"), (new_project(), conn["id"])):
        r = server.request("POST", monitor_path(p), {"connection_monitor": {"vpn_connection_id": cid}})
        assert_error(r, 404, "VPN.0004")
    assert server.request("GET", monitor_path(project)).json["connection_monitors"] == []


def test_create_body_without_vpn_connection_id_or_with_a_bad_one_is_rejected(server, project):
    r = server.request("POST", monitor_path(project), {"connection_monitor": {}})
    assert_invalid(r, "connection_monitor.vpn_connection_id", "is required")
    r = server.request("POST", monitor_path(project),
                       {"connection_monitor": {"vpn_connection_id": "nope"}})
    assert_invalid(r, "connection_monitor.vpn_connection_id", "nope")
    r = server.request("POST", monitor_path(project), {"vpn_connection_id": "x"})
    assert_invalid(r, "connection_monitor", "is required")


def test_list_filters_by_connection_and_enterprise_project(server, project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    cgw = create_cgw(server, project)
    a = create_conn(server, project, conn_body(gw, cgw))["id"]
    b = create_conn(server, project, conn_body(gw, cgw))["id"]
    ma = create_monitor(server, project, a).json["connection_monitor"]["id"]
    mb = create_monitor(server, project, b).json["connection_monitor"]["id"]
    r = server.request("GET", monitor_path(project))
    assert r.status == 200 and r.json["request_id"] == r.headers["X-Request-Id"], r.raw
    got = r.json["connection_monitors"]
    assert {m["id"] for m in got} == {ma, mb}
    assert all(list(m) == MONITOR_KEYS for m in got)
    r = server.request("GET", monitor_path(project) + "?vpn_connection_id=" + b)
    assert [m["id"] for m in r.json["connection_monitors"]] == [mb]
    r = server.request("GET", monitor_path(project) + "?enterprise_project_id=0")
    assert len(r.json["connection_monitors"]) == 2
    r = server.request("GET", monitor_path(project) +
                       "?enterprise_project_id=00000000-0000-4000-8000-000000000000")
    assert r.json["connection_monitors"] == []
    assert server.request("GET", monitor_path(new_project())).json["connection_monitors"] == []


def test_delete_answers_204_then_the_monitor_is_pending_delete_until_it_is_gone(server, project):
    _, _, conn = setup_connection(server, project)
    mid = create_monitor(server, project, conn["id"]).json["connection_monitor"]["id"]
    assert_error(server.request("DELETE", monitor_path(new_project(), mid)), 404, "VPN.0004")
    r = server.request("DELETE", monitor_path(project, mid))
    assert r.status == 204 and r.raw == b"", r.raw
    got = server.request("GET", monitor_path(project, mid)).json["connection_monitor"]
    assert got["status"] == "PENDING_DELETE", got
    listed = server.request("GET", monitor_path(project)).json["connection_monitors"]
    assert [m["id"] for m in listed] == [mid]
    assert get_conn(server, project, conn["id"])["connection_monitor_id"] == mid
    assert wait_gone(server, monitor_path(project, mid)).status == 404
    assert "connection_monitor_id" not in get_conn(server, project, conn["id"])
    assert server.request("GET", monitor_path(project)).json["connection_monitors"] == []
    assert_error(server.request("DELETE", monitor_path(project, mid)), 404, "VPN.0004")


def test_a_second_delete_while_pending_delete_is_400_and_a_new_monitor_waits(server, project):
    _, _, conn = setup_connection(server, project)
    mid = create_monitor(server, project, conn["id"]).json["connection_monitor"]["id"]
    assert server.request("DELETE", monitor_path(project, mid)).status == 204
    msg = assert_error(server.request("DELETE", monitor_path(project, mid)), 400, "VPN.0001")
    assert msg == ("invalid request: connection monitor %s is already being deleted "
                   "(PENDING_DELETE)" % mid), msg
    assert_error(server.request("POST", monitor_path(project),
                                {"connection_monitor": {"vpn_connection_id": conn["id"]}}),
                 400, "VPN.0381")
    assert wait_gone(server, monitor_path(project, mid)).status == 404
    create_monitor(server, project, conn["id"])


def test_deleting_the_connection_deletes_its_monitor(server, project):
    _, _, conn = setup_connection(server, project)
    mid = create_monitor(server, project, conn["id"]).json["connection_monitor"]["id"]
    assert server.request("DELETE", conn_path(project, conn["id"])).status == 204
    assert wait_gone(server, conn_path(project, conn["id"])).status == 404
    assert_error(server.request("GET", monitor_path(project, mid)), 404, "VPN.0004")
    assert server.request("GET", monitor_path(project)).json["connection_monitors"] == []
