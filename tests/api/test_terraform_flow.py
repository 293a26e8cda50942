"""The flow the Terraform provider drives, end to end against the real binary."""
import time

from vpnd_api import (active_gateways, cgw_path, conn_body, conn_path, create_cgw, create_conn,
                      gateway_body, gw_path)


def poll(fn, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)  # polling interval


def test_terraform_style_create_poll_update_list_delete_flow(server, project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    cgw = create_cgw(server, project)
    cid = create_conn(server, project, conn_body(gw, cgw, name="tf-conn"))["id"]

    def settled():
        c = server.request("GET", conn_path(project, cid)).json["vpn_connection"]
        return c if c["status"] in ("ACTIVE", "DOWN") else None

    c = poll(settled)
    assert c, "connection never left PENDING_CREATE"

    # the provider sends the whole desired object; ip-type local_id/peer_id are left out
    desired = {k: c[k] for k in ("name", "vgw_id", "vgw_ip", "cgw_id", "peer_subnets", "ha_role",
                                 "tunnel_local_address", "tunnel_peer_address", "ipsecpolicy")}
    desired["style"] = c["style"].lower()
    desired["psk"] = "Abcd1234!y"
    desired["ikepolicy"] = dict(c["ikepolicy"], lifetime_seconds=7200, pfs="group14")
    del desired["ikepolicy"]["local_id"], desired["ikepolicy"]["peer_id"]
    r = server.request("PUT", conn_path(project, cid), {"vpn_connection": desired})
    assert r.status == 200, r.raw
    assert poll(settled)["ikepolicy"]["lifetime_seconds"] == 7200

    ids, marker = [], ""
    for _ in range(10):
        page = server.request("GET", conn_path(project) + "?limit=1" +
                              ("&marker=" + marker if marker else "")).json
        if not page["vpn_connections"]:
            break
        ids += [x["id"] for x in page["vpn_connections"]]
        marker = page["page_info"].get("next_marker", "")
        if not marker:
            break
    assert ids == [cid]

    assert server.request("DELETE", conn_path(project, cid)).status == 204
    assert poll(lambda: server.request("GET", conn_path(project, cid)).status == 404)
    assert server.request("DELETE", cgw_path(project, cgw["id"])).status == 204
    assert server.request("DELETE", gw_path(project, gw["id"])).status == 204
    assert server.request("GET", gw_path(project, gw["id"])).status == 404
