"""PUT vpn-connection/{id} (spec §2.8): partial update, validation as on create, immutables."""
import time

from vpnd_api import (Server, active_gateways, conn_body, conn_path, create_cgw, create_conn,
                      gateway_body, get_conn, new_project)


def setup_conn(server, project, **fields):
    (gw,) = active_gateways(server, project, [gateway_body()])
    cgw = create_cgw(server, project)
    return create_conn(server, project, conn_body(gw, cgw, **fields))


def put(server, project, cid, fields):
    return server.request("PUT", conn_path(project, cid), {"vpn_connection": fields})


def test_update_changes_only_the_fields_sent_and_moves_updated_at(server, project):
    c = setup_conn(server, project)
    before = get_conn(server, project, c["id"])
    time.sleep(0.002)  # so the millisecond timestamp can move
    r = put(server, project, c["id"], {"name": "renamed", "ikepolicy": {"lifetime_seconds": 3600}})
    assert r.status == 200, r.raw
    after = r.json["vpn_connection"]
    assert after["name"] == "renamed"
    assert after["ikepolicy"]["lifetime_seconds"] == 3600
    assert after["ikepolicy"]["dpd"] == before["ikepolicy"]["dpd"]
    assert after["ipsecpolicy"] == before["ipsecpolicy"]
    assert after["tunnel_local_address"] == before["tunnel_local_address"]
    assert after["status"] == "PENDING_UPDATE"
    assert after["created_at"] == before["created_at"]
    assert after["updated_at"] > before["updated_at"]
    assert get_conn(server, project, c["id"]) == after


def test_full_object_put_with_unchanged_immutables_is_accepted(server, project):
    c = setup_conn(server, project)
    full = get_conn(server, project, c["id"])
    body = {k: full[k] for k in ("name", "vgw_id", "vgw_ip", "cgw_id", "peer_subnets", "ha_role",
                                 "ikepolicy", "ipsecpolicy", "tunnel_local_address",
                                 "tunnel_peer_address")}
    body["style"] = "static"
    body["psk"] = "Newpsk123!"
    r = put(server, project, c["id"], body)
    assert r.status == 200, r.raw
    assert "psk" not in r.json["vpn_connection"]


def test_changing_style_is_rejected_and_changes_nothing(server, project):
    c = setup_conn(server, project)
    before = get_conn(server, project, c["id"])
    r = put(server, project, c["id"], {"style": "bgp", "name": "x1"})
    assert r.status == 400 and r.json["error_code"] == "VPN.0001", r.raw
    assert r.json["error_msg"].startswith(
        'invalid request: vpn_connection.style: cannot be changed after creation (is "STATIC")')
    assert get_conn(server, project, c["id"]) == before


def test_update_with_out_of_range_lifetime_is_rejected_like_create(server, project):
    c = setup_conn(server, project)
    r = put(server, project, c["id"], {"ikepolicy": {"lifetime_seconds": 30}})
    assert r.status == 400, r.raw
    assert r.json["error_msg"].startswith(
        "invalid request: vpn_connection.ikepolicy.lifetime_seconds: must be an integer from 60")


def test_update_of_unknown_connection_is_404(server, project):
    r = put(server, project, "00000000-0000-4000-8000-000000000000", {"name": "x"})
    assert r.status == 404 and r.json["error_code"] == "VPN.0004"


def test_update_settles_back_to_down(server, project):
    c = setup_conn(server, project)
    assert put(server, project, c["id"], {"name": "again"}).status == 200
    deadline = time.monotonic() + 5
    while get_conn(server, project, c["id"])["status"] != "DOWN" and time.monotonic() < deadline:
        time.sleep(0.02)  # polling interval
    assert get_conn(server, project, c["id"])["status"] == "DOWN"


def test_second_update_while_updating_gets_vpn_0306(vpnd_bin, tmp_path):
    srv = Server(vpnd_bin, str(tmp_path), ["--status-delay", "0"])
    srv.start()
    project = new_project()
    (gw,) = active_gateways(srv, project, [gateway_body()])
    cgw = create_cgw(srv, project)
    srv.stop()
    srv.args = ["--status-delay", "600000"]
    srv.start()
    try:
        cid = create_conn(srv, project, conn_body(gw, cgw))["id"]
        assert put(srv, project, cid, {"name": "first"}).status == 200
        r = put(srv, project, cid, {"name": "second"})
        assert r.status == 400 and r.json["error_code"] == "VPN.0306", r.raw
    finally:
        srv.stop()


def test_reset_answers_200_with_only_a_request_id(server, project):
    c = setup_conn(server, project)
    r = server.request("POST", conn_path(project, c["id"]) + "/reset")
    assert r.status == 200 and set(r.json) == {"request_id"}, r.raw


def test_reset_of_another_projects_connection_is_404(server, project):
    c = setup_conn(server, project)
    r = server.request("POST", conn_path(new_project(), c["id"]) + "/reset")
    assert r.status == 404 and r.json["error_code"] == "VPN.0004"
