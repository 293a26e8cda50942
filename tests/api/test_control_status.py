"""Status control (README "Testing against vpnd"): any documented status forced on any
resource, held or not; transitions that wait for POST /_vpnd/advance, for their Nth GET or for a
delay of their own, per resource kind and per resource; transitions that end in ERROR on purpose.
Rules here name the test's own project, so tests sharing a server do not see each other's."""
import pytest

from vpnd_api import (assert_error, conn_path, create_gateway, gateway_body, get_conn, gw_path,
                      monitor_path, new_project, wait_gone)
from vpnd_control import (add_transition, advance, assert_control_error, conn_status, ctl, force,
                          gateway_status, new_conn, ready_gateway)

CONNECTION_STATUSES = ["ERROR", "ACTIVE", "DOWN", "PENDING_CREATE", "PENDING_UPDATE",
                       "PENDING_DELETE", "FREEZED", "UNKNOWN"]


@pytest.mark.parametrize("status", CONNECTION_STATUSES)
def test_every_documented_connection_status_can_be_forced_and_shows_on_get(server, project,
                                                                           status):
    gw, cgw = ready_gateway(server, project)
    cid = new_conn(server, project, gw, cgw)
    r = force(server, "vpn_connection", project, cid, status, hold=True)
    assert r["resource"] == {"kind": "vpn_connection", "project_id": project, "id": cid,
                             "status": status, "from": r["resource"]["from"], "held": True}
    assert conn_status(server, project, cid) == status
    listed = server.request("GET", conn_path(project)).json["vpn_connections"]
    assert [c["status"] for c in listed] == [status]


def test_a_forced_status_is_written_to_the_connection_log(server, project):
    gw, cgw = ready_gateway(server, project)
    cid = new_conn(server, project, gw, cgw)
    force(server, "vpn_connection", project, cid, "UNKNOWN", hold=True)
    logs = server.request("GET", conn_path(project, cid) + "/log").json["logs"]
    assert logs[-1]["raw_message"].endswith("-> UNKNOWN (vpnd control: forced)"), logs


def test_a_gateway_forced_to_fault_refuses_new_connections_until_released(server, project):
    gw, cgw = ready_gateway(server, project)
    force(server, "vpn_gateway", project, gw["id"], "FAULT", hold=True)
    from vpnd_api import conn_body
    r = server.request("POST", conn_path(project), conn_body(gw, cgw))
    assert_error(r, 409, "VPN.0016")
    force(server, "vpn_gateway", project, gw["id"], "ACTIVE")
    assert gateway_status(server, project, gw["id"]) == "ACTIVE"
    assert server.request("POST", conn_path(project), conn_body(gw, cgw)).status == 201


def test_a_forced_pending_status_without_hold_moves_on_as_the_engine_would(server, project):
    gw, cgw = ready_gateway(server, project)
    cid = new_conn(server, project, gw, cgw)
    force(server, "vpn_connection", project, cid, "PENDING_DELETE")
    assert wait_gone(server, conn_path(project, cid)).status == 404


def test_a_held_pending_create_stays_until_advanced(server, project):
    add_transition(server, kind="vpn_connection", project_id=project, progress="manual")
    gw, cgw = ready_gateway(server, project)
    cid = new_conn(server, project, gw, cgw)
    for _ in range(5):
        assert conn_status(server, project, cid) == "PENDING_CREATE"
    held = ctl(server, "GET", "transitions", want=200)["held"]
    assert [h["id"] for h in held if h["project_id"] == project] == [cid]
    assert advance(server, kind="vpn_connection", project_id=project, id=cid) == 1
    assert conn_status(server, project, cid) == "DOWN"


def test_a_second_delete_while_deleting_is_refused_with_425(server, project):
    gw, cgw = ready_gateway(server, project)
    cid = new_conn(server, project, gw, cgw)
    add_transition(server, kind="vpn_connection", project_id=project, progress="manual",
                   **{"from": "PENDING_DELETE"})
    advance(server, kind="vpn_connection", project_id=project, id=cid)  # settles the create
    assert server.request("DELETE", conn_path(project, cid)).status == 204
    r = server.request("DELETE", conn_path(project, cid))
    assert_error(r, 425, "VPN.0009")
    assert conn_status(server, project, cid) == "PENDING_DELETE"
    advance(server, project_id=project)
    assert server.request("GET", conn_path(project, cid)).status == 404


def test_a_connection_on_a_gateway_still_creating_is_refused_with_409(server, project):
    add_transition(server, kind="vpn_gateway", project_id=project, progress="manual")
    gid = create_gateway(server, project)["id"]
    from vpnd_api import conn_body, create_cgw, get_gateway
    cgw = create_cgw(server, project)
    gw = get_gateway(server, project, gid)
    assert gw["status"] == "PENDING_CREATE"
    r = server.request("POST", conn_path(project), conn_body(dict(gw, eip1={"id": gid}), cgw))
    msg = assert_error(r, 409, "VPN.0016")
    assert "is PENDING_CREATE" in msg, msg
    advance(server, kind="vpn_gateway", project_id=project, id=gid)
    assert gateway_status(server, project, gid) == "ACTIVE"


@pytest.mark.parametrize("n", [1, 3])
def test_after_n_reads_the_nth_get_shows_the_settled_status(server, project, n):
    add_transition(server, kind="vpn_connection", project_id=project, progress="reads", reads=n)
    gw, cgw = ready_gateway(server, project)
    cid = new_conn(server, project, gw, cgw)
    seen = [conn_status(server, project, cid) for _ in range(n + 1)]
    assert seen == ["PENDING_CREATE"] * (n - 1) + ["DOWN", "DOWN"]


def test_a_rule_ending_in_error_fails_the_next_connection_on_its_gateway_only(server, project):
    gw, cgw = ready_gateway(server, project)
    rule = add_transition(server, kind="vpn_connection", vgw_id=gw["id"], to="ERROR", count=1,
                          progress="delay", delay_ms=0)
    first = new_conn(server, project, gw, cgw, "192.168.1.0/24")
    second = new_conn(server, project, gw, cgw, "192.168.2.0/24")
    from vpnd_api import wait_conn_status
    assert wait_conn_status(server, project, first, "ERROR")["status"] == "ERROR"
    assert wait_conn_status(server, project, second, "DOWN")["status"] == "DOWN"
    listed = [t for t in ctl(server, "GET", "transitions", want=200)["transitions"]
              if t["rule"] == rule["rule"]]
    assert listed[0]["applied"] == 1 and listed[0]["remaining"] == 0, listed


def test_a_gateway_create_can_end_in_fault(server, project):
    add_transition(server, kind="vpn_gateway", project_id=project, to="FAULT", progress="manual")
    gid = create_gateway(server, project)["id"]
    assert gateway_status(server, project, gid) == "PENDING_CREATE"
    assert advance(server, project_id=project) == 1
    assert gateway_status(server, project, gid) == "FAULT"


def test_a_rule_for_one_resource_wins_over_the_rule_for_its_kind(server, project):
    gw, cgw = ready_gateway(server, project)
    cid = new_conn(server, project, gw, cgw)
    advance(server, kind="vpn_connection", project_id=project, id=cid)
    add_transition(server, kind="vpn_connection", project_id=project, progress="manual")
    add_transition(server, kind="vpn_connection", project_id=project, id=cid, progress="reads",
                   reads=2)
    r = server.request("PUT", conn_path(project, cid), {"vpn_connection": {"name": "renamed"}})
    assert r.status == 200, r.raw
    assert [conn_status(server, project, cid) for _ in range(2)] == ["PENDING_UPDATE", "DOWN"]


def test_a_delay_of_its_own_per_kind(server, project):
    add_transition(server, kind="vpn_gateway", project_id=project, progress="delay",
                   delay_ms=600000)
    gid = create_gateway(server, project)["id"]
    assert gateway_status(server, project, gid) == "PENDING_CREATE"
    # not held: the engine moves it at its due time, which advance makes now
    assert ctl(server, "GET", "transitions", want=200)["held"] == [] or all(
        h["id"] != gid for h in ctl(server, "GET", "transitions", want=200)["held"])
    assert advance(server, kind="vpn_gateway", project_id=project, id=gid) == 1
    assert gateway_status(server, project, gid) == "ACTIVE"


def test_a_monitor_can_be_held_while_creating_and_deleting(server, project):
    gw, cgw = ready_gateway(server, project)
    cid = new_conn(server, project, gw, cgw)
    add_transition(server, kind="connection_monitor", project_id=project, progress="manual")
    r = server.request("POST", monitor_path(project),
                       {"connection_monitor": {"vpn_connection_id": cid}})
    assert r.status == 201, r.raw
    mid = r.json["connection_monitor"]["id"]
    assert server.request("GET", monitor_path(project, mid)).json["connection_monitor"][
        "status"] == "PENDING_CREATE"
    advance(server, project_id=project)
    assert server.request("GET", monitor_path(project, mid)).json["connection_monitor"][
        "status"] == "ACTIVE"
    assert server.request("DELETE", monitor_path(project, mid)).status == 204
    assert server.request("GET", monitor_path(project, mid)).json["connection_monitor"][
        "status"] == "PENDING_DELETE"
    advance(server, project_id=project)
    assert server.request("GET", monitor_path(project, mid)).status == 404


def test_a_tenant_write_on_a_held_resource_releases_the_hold(server, project):
    gw, cgw = ready_gateway(server, project)
    cid = new_conn(server, project, gw, cgw)
    force(server, "vpn_connection", project, cid, "ACTIVE", hold=True)
    r = server.request("PUT", conn_path(project, cid), {"vpn_connection": {"name": "x"}})
    assert r.status == 200, r.raw
    from vpnd_api import wait_conn_status
    assert wait_conn_status(server, project, cid, "DOWN")["status"] == "DOWN"
    assert all(h["id"] != cid for h in ctl(server, "GET", "transitions", want=200)["held"])


def test_a_forced_status_of_an_unknown_resource_is_404(server, project):
    r = ctl(server, "POST", "status", {"kind": "vpn_connection", "project_id": project,
                                       "id": "00000000-0000-4000-8000-000000000000",
                                       "status": "ERROR"})
    assert_control_error(r, 404, "VPN.0004",
                         "resource not found: vpn connection "
                         "\"00000000-0000-4000-8000-000000000000\" in project " + project)


def test_a_status_the_kind_does_not_have_is_refused_and_changes_nothing(server, project):
    gw, cgw = ready_gateway(server, project)
    r = ctl(server, "POST", "status", {"kind": "vpn_gateway", "project_id": project,
                                       "id": gw["id"], "status": "DOWN"})
    assert_control_error(r, 400, "VPN.0001",
                         "invalid request: status: must be a documented status of a vpn_gateway "
                         "(PENDING_CREATE, PENDING_UPDATE, PENDING_DELETE, ACTIVE, FAULT, "
                         "FREEZED), got \"DOWN\"")
    assert gateway_status(server, project, gw["id"]) == "ACTIVE"


def test_advancing_a_resource_neither_held_nor_pending_is_refused(server, project):
    gw, _ = ready_gateway(server, project)
    r = ctl(server, "POST", "advance", {"kind": "vpn_gateway", "project_id": project,
                                        "id": gw["id"]})
    assert_control_error(r, 400, "VPN.0001",
                         "invalid request: vpn_gateway %s is ACTIVE: nothing to advance "
                         "(neither held nor pending)" % gw["id"])


def test_a_transition_rule_can_be_listed_and_deleted(server, project):
    rule = add_transition(server, kind="vpn_gateway", project_id=project, progress="manual")
    rules = ctl(server, "GET", "transitions", want=200)["transitions"]
    assert rule["rule"] in [t["rule"] for t in rules]
    assert ctl(server, "DELETE", "transitions/" + rule["rule"]).status == 204
    r = ctl(server, "DELETE", "transitions/" + rule["rule"])
    assert_control_error(r, 404, "VPN.0004",
                         "resource not found: transition rule \"%s\"" % rule["rule"])
    gid = create_gateway(server, project)["id"]
    from vpnd_api import wait_gateway_active
    assert wait_gateway_active(server, project, gid)["status"] == "ACTIVE"


def test_clearing_every_transition_rule_answers_204(fresh_server):
    project = new_project()
    add_transition(fresh_server, kind="vpn_gateway", project_id=project, progress="manual")
    assert ctl(fresh_server, "DELETE", "transitions").status == 204
    assert ctl(fresh_server, "GET", "transitions", want=200)["transitions"] == []


def test_holds_and_rules_survive_a_restart(fresh_server):
    project = new_project()
    add_transition(fresh_server, kind="vpn_connection", project_id=project, progress="manual")
    gw, cgw = ready_gateway(fresh_server, project)
    cid = new_conn(fresh_server, project, gw, cgw)
    fresh_server.restart()
    assert conn_status(fresh_server, project, cid) == "PENDING_CREATE"
    assert len(ctl(fresh_server, "GET", "transitions", want=200)["transitions"]) == 1
    assert advance(fresh_server) == 1
    assert get_conn(fresh_server, project, cid)["status"] == "DOWN"
