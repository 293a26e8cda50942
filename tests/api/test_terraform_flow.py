"""The flow the Terraform provider drives, end to end against the real binary."""
import time

from vpnd_api import (active_gateways, cgw_path, conn_body, conn_path, create_cgw, create_conn,
                      gateway_body, gw_path)
from vpnd_control import ctl


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


# ---- the same flow driven through the control surface (README "Testing against vpnd") ----

def provider_wait(server, project, cid, max_polls=50):
    """The provider's wait for a create: poll Show until ACTIVE or DOWN (created) or ERROR (the
    apply fails), without sleeping (the controls decide when it settles). Returns (outcome,
    polls)."""
    for n in range(1, max_polls + 1):
        c = server.request("GET", conn_path(project, cid)).json["vpn_connection"]
        if c["status"] in ("ACTIVE", "DOWN"):
            return "created", n
        if c["status"] == "ERROR":
            return "failed", n
    return "timeout", max_polls


def terraform_create(server, project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    cgw = create_cgw(server, project)
    return create_conn(server, project, conn_body(gw, cgw, name="tf-conn"))["id"]


def test_terraform_apply_fails_when_the_create_ends_in_error(server, project):
    ctl(server, "POST", "transitions", {"kind": "vpn_connection", "project_id": project,
                                        "from": "PENDING_CREATE", "to": "ERROR",
                                        "progress": "reads", "reads": 2}, want=201)
    cid = terraform_create(server, project)
    assert provider_wait(server, project, cid) == ("failed", 2)
    # the provider deletes what it tainted: it goes
    assert server.request("DELETE", conn_path(project, cid)).status == 204
    assert poll(lambda: server.request("GET", conn_path(project, cid)).status == 404)


def test_terraform_keeps_polling_a_held_create_until_it_is_advanced(server, project):
    ctl(server, "POST", "transitions", {"kind": "vpn_connection", "project_id": project,
                                        "progress": "manual"}, want=201)
    cid = terraform_create(server, project)
    assert provider_wait(server, project, cid, max_polls=20) == ("timeout", 20)
    assert ctl(server, "POST", "advance", {"project_id": project}, want=200)["advanced"] == 1
    assert provider_wait(server, project, cid) == ("created", 1)


def test_terraform_create_settles_on_the_nth_poll_exactly(server, project):
    ctl(server, "POST", "transitions", {"kind": "vpn_connection", "project_id": project,
                                        "progress": "reads", "reads": 4}, want=201)
    cid = terraform_create(server, project)
    assert provider_wait(server, project, cid) == ("created", 4)
