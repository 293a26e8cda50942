"""DELETE vpn-connection/{id} (spec §2.6): 204, PENDING_DELETE, removed by the status engine after
--status-delay (the slot is held until then), 425 VPN.0009 for writes while deleting; a delete
pending at shutdown completes after restart. Also the connection log (spec §2.1)."""
from vpnd_api import (Server, active_gateways, assert_error, conn_body, conn_path, create_cgw,
                      create_conn, gateway_body, get_conn, get_gateway, gw_path, monitor_path,
                      new_project, wait_conn_status, wait_gone, wait_gateway_active,
                      create_gateway)


def slow_server(vpnd_bin, tmp_path, delay_ms):
    srv = Server(vpnd_bin, str(tmp_path), ["--status-delay", str(delay_ms)])
    srv.start()
    return srv


def one_connection(server, project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    cgw = create_cgw(server, project)
    return gw, cgw, create_conn(server, project, conn_body(gw, cgw))["id"]


def test_deleted_connection_shows_pending_delete_and_keeps_its_slot_until_removed(server, project):
    gw, _, cid = one_connection(server, project)
    wait_conn_status(server, project, cid, "DOWN")
    r = server.request("DELETE", conn_path(project, cid))
    assert r.status == 204 and r.raw == b"", r.raw
    c = get_conn(server, project, cid)
    assert c["status"] == "PENDING_DELETE"
    assert get_gateway(server, project, gw["id"])["used_connection_number"] == 1
    listed = server.request("GET", conn_path(project)).json["vpn_connections"]
    assert [x["status"] for x in listed] == ["PENDING_DELETE"]
    r = wait_gone(server, conn_path(project, cid))
    assert r.status == 404 and r.json["error_code"] == "VPN.0004", r.raw
    assert get_gateway(server, project, gw["id"])["used_connection_number"] == 0


def test_writes_to_a_deleting_connection_get_425_and_change_nothing(vpnd_bin, tmp_path):
    srv = slow_server(vpnd_bin, tmp_path, 2500)
    try:
        project = new_project()
        # gateways and new connections settle after 2.5 s here: the gateway is waited for
        gw = wait_gateway_active(srv, project, create_gateway(srv, project)["id"], timeout=10)
        cgw = create_cgw(srv, project)
        cid = create_conn(srv, project, conn_body(gw, cgw))["id"]
        assert srv.request("DELETE", conn_path(project, cid)).status == 204
        before = srv.request("GET", conn_path(project, cid)).json["vpn_connection"]
        want = "Connection %s is deleting." % cid
        for method, path, body in (
                ("DELETE", conn_path(project, cid), None),
                ("PUT", conn_path(project, cid), {"vpn_connection": {"name": "renamed"}}),
                ("POST", conn_path(project, cid) + "/reset", None),
                ("POST", monitor_path(project), {"connection_monitor": {"vpn_connection_id": cid}})):
            r = srv.request(method, path, body)
            assert assert_error(r, 425, "VPN.0009") == want, (method, path, r.raw)
        assert srv.request("GET", conn_path(project, cid)).json["vpn_connection"] == before
        assert srv.request("GET", monitor_path(project)).json["connection_monitors"] == []
    finally:
        srv.stop()


def test_gateway_with_a_deleting_connection_cannot_be_deleted_until_it_is_gone(server, project):
    gw, cgw, cid = one_connection(server, project)
    assert server.request("DELETE", conn_path(project, cid)).status == 204
    r = server.request("DELETE", gw_path(project, gw["id"]))
    if r.status != 204:  # the engine may already have removed it on a slow machine
        assert r.status == 400 and "has 1 connection(s)" in r.json["error_msg"], r.raw
        assert wait_gone(server, conn_path(project, cid)).status == 404
        assert server.request("DELETE", gw_path(project, gw["id"])).status == 204
    assert server.request("GET", gw_path(project, gw["id"])).status == 404


def test_connection_left_pending_delete_at_stop_is_removed_after_restart(vpnd_bin, tmp_path):
    srv = Server(vpnd_bin, str(tmp_path), ["--status-delay", "0"])
    srv.start()
    project = new_project()
    gw = wait_gateway_active(srv, project, create_gateway(srv, project)["id"])
    cgw = create_cgw(srv, project)
    cid = create_conn(srv, project, conn_body(gw, cgw))["id"]
    wait_conn_status(srv, project, cid, "DOWN")
    srv.stop()
    srv.args = ["--status-delay", "400"]
    srv.start()
    assert srv.request("DELETE", conn_path(project, cid)).status == 204
    srv.stop()  # well before the 400 ms are up
    srv.args = []
    srv.start()
    try:
        r = srv.request("GET", conn_path(project, cid))
        assert r.status in (200, 404), r.raw
        if r.status == 200:
            assert r.json["vpn_connection"]["status"] == "PENDING_DELETE"
        assert wait_gone(srv, conn_path(project, cid)).status == 404
        assert get_gateway(srv, project, gw["id"])["used_connection_number"] == 0
    finally:
        srv.stop()


def test_delete_of_an_unknown_connection_is_404(server, project):
    r = server.request("DELETE", conn_path(project, "00000000-0000-4000-8000-000000000000"))
    assert_error(r, 404, "VPN.0004")


def test_connection_log_lists_the_status_transitions_the_server_made(server, project):
    _, _, cid = one_connection(server, project)
    wait_conn_status(server, project, cid, "DOWN")
    r = server.request("GET", conn_path(project, cid) + "/log")
    assert r.status == 200, r.raw
    assert r.json["request_id"] == r.headers["X-Request-Id"]
    logs = r.json["logs"]
    assert [e["raw_message"] for e in logs] == ["status PENDING_CREATE (created)",
                                                "status PENDING_CREATE -> DOWN"]
    assert all(isinstance(e["time"], int) and e["time"] > 1_600_000_000 for e in logs)
    assert logs[0]["time"] <= logs[1]["time"]
    assert server.request("DELETE", conn_path(project, cid)).status == 204
    r = server.request("GET", conn_path(project, cid) + "/log")
    if r.status == 200:  # not yet removed
        assert r.json["logs"][-1]["raw_message"] == "status DOWN -> PENDING_DELETE (deleted)"
    assert wait_gone(server, conn_path(project, cid)).status == 404
    assert_error(server.request("GET", conn_path(project, cid) + "/log"), 404, "VPN.0004")


def test_connection_log_of_another_project_is_404(server, project):
    _, _, cid = one_connection(server, project)
    assert_error(server.request("GET", conn_path(new_project(), cid) + "/log"), 404, "VPN.0004")


def test_policy_template_connection_has_no_log(server, project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    cgw = create_cgw(server, project)
    cid = create_conn(server, project, conn_body(gw, cgw, style="policy-template"))["id"]
    msg = assert_error(server.request("GET", conn_path(project, cid) + "/log"), 400, "VPN.0305")
    assert cid in msg and "POLICY-TEMPLATE" in msg
