"""GET vpn-connection (list, marker pagination, filters) and DELETE vpn-connection/{id}."""
from vpnd_api import (active_gateways, conn_body, conn_path, create_cgw, create_conn, gateway_body,
                      get_gateway, wait_gone)


def three_connections(server, project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    cgw = create_cgw(server, project)
    ids = [create_conn(server, project, conn_body(gw, cgw))["id"] for _ in range(3)]
    return gw, ids


def test_list_returns_connections_newest_first_with_total_count(server, project):
    _, ids = three_connections(server, project)
    r = server.request("GET", conn_path(project))
    assert r.status == 200, r.raw
    got = r.json["vpn_connections"]
    assert sorted(c["id"] for c in got) == sorted(ids)
    # newest first, ties (same millisecond) by id descending
    assert got == sorted(got, key=lambda c: (c["created_at"], c["id"]), reverse=True)
    assert r.json["total_count"] == 3
    assert r.json["page_info"]["current_count"] == 3
    assert "next_marker" not in r.json["page_info"]
    assert r.headers["X-Request-Id"] == r.json["request_id"]


def test_following_next_marker_visits_every_connection_once_then_an_empty_page(server, project):
    _, ids = three_connections(server, project)
    seen, marker = [], None
    for _ in range(5):
        path = conn_path(project) + "?limit=2" + ("&marker=" + marker if marker else "")
        page = server.request("GET", path).json
        seen += page["vpn_connections"]
        marker = page["page_info"].get("next_marker")
        if not marker:
            break
    # newest first; connections created in the same millisecond are ordered by id, descending
    # (regression: this test assumed three creates never share a millisecond)
    assert sorted(c["id"] for c in seen) == sorted(ids)
    assert seen == sorted(seen, key=lambda c: (c["created_at"], c["id"]), reverse=True)


def test_list_filters_by_vgw_id(server, project):
    gw, ids = three_connections(server, project)
    r = server.request("GET", conn_path(project) + "?vgw_id=" + gw["id"])
    assert r.json["total_count"] == 3
    r = server.request("GET", conn_path(project) + "?vgw_id=00000000-0000-4000-8000-000000000000")
    assert r.json["vpn_connections"] == [] and r.json["total_count"] == 0


def test_list_limit_above_2000_is_rejected(server, project):
    r = server.request("GET", conn_path(project) + "?limit=2001")
    assert r.status == 400 and r.json["error_code"] == "VPN.0001", r.raw
    assert "limit: must be an integer from 0 to 2000" in r.json["error_msg"]


def test_list_does_not_show_another_projects_connections(server, project):
    three_connections(server, project)
    r = server.request("GET", conn_path("0" * 32))
    assert r.status == 200 and r.json["total_count"] == 0


def test_delete_answers_204_then_the_connection_is_404_and_its_slot_is_free(server, project):
    gw, ids = three_connections(server, project)
    r = server.request("DELETE", conn_path(project, ids[0]))
    assert r.status == 204 and r.raw == b"", r.raw
    r = wait_gone(server, conn_path(project, ids[0]))
    assert r.status == 404 and r.json["error_code"] == "VPN.0004"
    assert get_gateway(server, project, gw["id"])["used_connection_number"] == 2


def test_delete_of_another_projects_connection_is_404_and_changes_nothing(server, project):
    _, ids = three_connections(server, project)
    r = server.request("DELETE", conn_path("0" * 32, ids[0]))
    assert r.status == 404 and r.json["error_code"] == "VPN.0004"
    assert server.request("GET", conn_path(project, ids[0])).status == 200


def test_more_than_16_enterprise_project_ids_are_rejected_with_a_precise_message(server, project):
    query = "&".join("enterprise_project_id=0" for _ in range(17))
    for path in (conn_path(project), "/v5/%s/connection-monitors" % project):
        r = server.request("GET", path + "?" + query)
        assert r.status == 400 and r.json["error_code"] == "VPN.0001", r.raw
        assert r.json["error_msg"] == ("invalid request: enterprise_project_id: must be given at "
                                       "most 16 times")
