"""DELETE vpn-gateways/{id} and customer-gateways/{id}: referential integrity (spec §3.1, §4)."""
from vpnd_api import (active_gateways, assert_invalid, cgw_path, conn_body, conn_path, create_cgw,
                      create_conn, gateway_body, gw_path, wait_gone)


def test_gateway_with_connections_cannot_be_deleted_and_the_error_names_the_count(server, project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    cgw = create_cgw(server, project)
    create_conn(server, project, conn_body(gw, cgw))
    create_conn(server, project, conn_body(gw, cgw))
    r = server.request("DELETE", gw_path(project, gw["id"]))
    assert r.status == 400 and r.json["error_code"] == "VPN.0001", r.raw
    assert "has 2 connection(s)" in r.json["error_msg"]
    assert server.request("GET", gw_path(project, gw["id"])).status == 200


def test_customer_gateway_with_connections_cannot_be_deleted(server, project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    cgw = create_cgw(server, project)
    create_conn(server, project, conn_body(gw, cgw))
    r = server.request("DELETE", cgw_path(project, cgw["id"]))
    assert r.status == 400 and "has 1 connection(s)" in r.json["error_msg"], r.raw


def test_teardown_in_order_deletes_everything_and_each_is_then_404(server, project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    cgw = create_cgw(server, project)
    cid = create_conn(server, project, conn_body(gw, cgw))["id"]
    for path in (conn_path(project, cid), cgw_path(project, cgw["id"]), gw_path(project, gw["id"])):
        r = server.request("DELETE", path)
        assert r.status == 204, (path, r.raw)
        r = wait_gone(server, path)  # a connection is PENDING_DELETE first (spec §2.6)
        assert r.status == 404 and r.json["error_code"] == "VPN.0004", (path, r.raw)


def test_deleted_gateway_releases_its_eip_for_a_new_gateway(server, project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    assert server.request("DELETE", gw_path(project, gw["id"])).status == 204
    body = gateway_body()
    body["vpn_gateway"]["eip1"] = {"id": gw["eip1"]["id"]}
    r = server.request("POST", gw_path(project), body)
    assert r.status == 201, r.raw


def test_gateway_of_another_project_cannot_be_deleted(server, project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    r = server.request("DELETE", gw_path("0" * 32, gw["id"]))
    assert r.status == 404 and r.json["error_code"] == "VPN.0004"
    assert server.request("GET", gw_path(project, gw["id"])).status == 200


def test_gateway_list_shows_the_projects_gateways_newest_first_with_status(server, project):
    a, b = active_gateways(server, project, [gateway_body(), gateway_body()])
    r = server.request("GET", gw_path(project))
    assert r.status == 200, r.raw
    got = r.json["vpn_gateways"]
    assert {g["id"] for g in got} == {a["id"], b["id"]}
    stamps = [g["created_at"] for g in got]
    assert stamps == sorted(stamps, reverse=True)
    assert all(g["status"] == "ACTIVE" for g in got)
    assert r.json["request_id"] == r.headers["X-Request-Id"]
    assert server.request("GET", gw_path("0" * 32)).json["vpn_gateways"] == []


def test_gateway_list_filters_by_enterprise_project_id(server, project):
    active_gateways(server, project, [gateway_body()])
    r = server.request("GET", gw_path(project) + "?enterprise_project_id=0")
    assert len(r.json["vpn_gateways"]) == 1
    r = server.request("GET", gw_path(project) +
                       "?enterprise_project_id=00000000-0000-4000-8000-000000000000")
    assert r.json["vpn_gateways"] == []


def test_gateway_list_takes_16_enterprise_project_ids_and_refuses_a_17th(server, project):
    gw = active_gateways(server, project, [gateway_body()])[0]
    others = ["00000000-0000-4000-8000-%012d" % i for i in range(15)]
    q = "".join("enterprise_project_id=%s&" % e for e in others)
    r = server.request("GET", gw_path(project) + "?" + q + "enterprise_project_id=0")
    assert [g["id"] for g in r.json["vpn_gateways"]] == [gw["id"]]  # the 16th value counts
    r = server.request("GET", gw_path(project) + "?" + q + "enterprise_project_id=x&"
                       "enterprise_project_id=0")
    msg = assert_invalid(r, "enterprise_project_id")
    assert msg == "invalid request: enterprise_project_id: must be given at most 16 times", msg
