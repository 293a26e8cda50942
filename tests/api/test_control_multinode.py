"""The control surface with several nodes on one PostgreSQL database ($VPND_TEST_DB_URL): its
rules, holds and clock live in the database's control table, so whatever is set through one node
is in force on every node (README "Testing against vpnd", "Several nodes"). A node reloads its
copy when the table's generation moves: at its next tick (50 ms), and before any control request
it serves, which is how these tests make sure the other node has it without waiting."""
import pytest

from test_multinode import start_nodes, stop_nodes
from vpnd_api import cgw_path, conn_path, create_cgw, get_conn, new_project, pg_base_url
from vpnd_control import (add_fault, add_transition, advance, conn_status, ctl, force, new_conn,
                          ready_gateway)

pytestmark = pytest.mark.skipif(pg_base_url() is None,
                                reason="needs VPND_TEST_DB_URL (a PostgreSQL URL)")


@pytest.fixture
def nodes(vpnd_bin, tmp_path):
    n = start_nodes(vpnd_bin, tmp_path)
    yield n
    stop_nodes(n)


def test_a_fault_rule_added_through_one_node_fires_on_the_other(nodes, project):
    a, b = nodes
    rule = add_fault(a, project_id=project, status=503)
    assert rule["rule"] in [f["rule"] for f in ctl(b, "GET", "faults", want=200)["faults"]]
    assert b.request("GET", cgw_path(project)).status == 503
    assert ctl(b, "DELETE", "faults/" + rule["rule"]).status == 204
    assert ctl(a, "GET", "faults", want=200)["faults"] == []
    assert a.request("GET", cgw_path(project)).status == 200


def test_a_fault_count_is_shared_by_the_nodes(nodes, project):
    a, b = nodes
    add_fault(a, project_id=project, status=500, count=2)
    ctl(b, "GET", "faults", want=200)
    got = [n.request("GET", cgw_path(project)).status for n in (a, b, a, b)]
    assert got == [500, 500, 200, 200]
    (f,) = ctl(b, "GET", "faults", want=200)["faults"]
    assert f["injected"] == 2 and f["remaining"] == 0


def test_a_forced_status_set_through_one_node_shows_on_the_other(nodes, project):
    a, b = nodes
    gw, cgw = ready_gateway(a, project)
    cid = new_conn(a, project, gw, cgw)
    force(a, "vpn_connection", project, cid, "FREEZED", hold=True)
    assert conn_status(b, project, cid) == "FREEZED"
    # held: neither engine moves it, and the other node releases it
    assert advance(b, kind="vpn_connection", project_id=project, id=cid) == 1
    assert ctl(a, "GET", "transitions", want=200)["held"] == []


def test_a_transition_held_through_one_node_is_advanced_through_the_other(nodes, project):
    a, b = nodes
    add_transition(a, kind="vpn_connection", project_id=project, progress="manual")
    ctl(b, "GET", "transitions", want=200)
    gw, cgw = ready_gateway(b, project)
    cid = new_conn(b, project, gw, cgw)
    assert conn_status(a, project, cid) == "PENDING_CREATE"
    assert advance(a, project_id=project) == 1
    assert get_conn(b, project, cid)["status"] == "DOWN"


def test_the_nth_read_counts_across_nodes(nodes, project):
    a, b = nodes
    add_transition(a, kind="vpn_connection", project_id=project, progress="reads", reads=3)
    ctl(b, "GET", "transitions", want=200)
    gw, cgw = ready_gateway(a, project)
    cid = new_conn(a, project, gw, cgw)
    ctl(b, "GET", "transitions", want=200)  # b's copy has the hold
    seen = [conn_status(n, project, cid) for n in (a, b, a)]
    assert seen == ["PENDING_CREATE", "PENDING_CREATE", "DOWN"]


def test_virtual_time_set_through_one_node_is_the_clock_of_the_other(nodes):
    a, b = nodes
    project = new_project()
    ctl(a, "POST", "clock", {"set": "2030-01-01T00:00:00.000Z", "freeze": True}, want=200)
    assert ctl(b, "GET", "clock", want=200)["clock"]["now"] == "2030-01-01T00:00:00.000Z"
    cgw = create_cgw(b, project)
    got = b.request("GET", cgw_path(project, cgw["id"])).json["customer_gateway"]
    assert got["created_at"] == "2030-01-01T00:00:00.000Z"
    ctl(b, "POST", "clock", {"reset": True}, want=200)
    assert not ctl(a, "GET", "clock", want=200)["clock"]["frozen"]


def test_a_reset_through_one_node_empties_the_store_for_every_node(nodes, project):
    a, b = nodes
    create_cgw(a, project)
    ctl(b, "POST", "reset", {}, want=200)
    assert a.request("GET", conn_path(project)).json["total_count"] == 0
    assert a.request("GET", cgw_path(project)).json["total_count"] == 0
