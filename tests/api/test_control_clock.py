"""Virtual time (POST /_vpnd/clock): the clock of time stamps, due times and the status engine
moves (and stands still) on request, so a wait of minutes takes a request and created_at is
reproducible. The clock is the server's: each test has a server of its own."""
from vpnd_api import cgw_path, conn_path, create_cgw, create_gateway, get_conn, gw_path, new_project
from vpnd_control import add_transition, assert_control_error, ctl, gateway_status, new_conn

T0 = "2030-01-01T00:00:00.000Z"
T0_MS = 1893456000000


def clock(server, **body):
    return ctl(server, "POST", "clock", body, want=200)["clock"]


def test_a_frozen_clock_stamps_every_write_with_its_instant(fresh_server):
    project = new_project()
    c = clock(fresh_server, set=T0, freeze=True)
    assert c == {"now": T0, "now_ms": T0_MS, "frozen": True, "offset_ms": c["offset_ms"]}
    cgw = create_cgw(fresh_server, project)
    got = fresh_server.request("GET", cgw_path(project, cgw["id"])).json["customer_gateway"]
    assert got["created_at"] == T0 and got["updated_at"] == T0


def test_a_ten_minute_wait_takes_one_request(fresh_server):
    project = new_project()
    clock(fresh_server, set=T0, freeze=True)
    add_transition(fresh_server, kind="vpn_gateway", project_id=project, progress="delay",
                   delay_ms=600000)
    gid = create_gateway(fresh_server, project)["id"]
    clock(fresh_server, advance_ms=599999)
    assert gateway_status(fresh_server, project, gid) == "PENDING_CREATE"
    clock(fresh_server, advance_ms=1)
    assert gateway_status(fresh_server, project, gid) == "ACTIVE"
    g = fresh_server.request("GET", gw_path(project, gid)).json["vpn_gateway"]
    assert g["created_at"] == T0


def test_due_times_follow_the_clock_and_updated_at_moves_with_it(fresh_server):
    project = new_project()
    clock(fresh_server, set=T0, freeze=True)
    gid = create_gateway(fresh_server, project)["id"]
    # frozen: the status delay never passes by itself
    assert gateway_status(fresh_server, project, gid) == "PENDING_CREATE"
    clock(fresh_server, advance_ms=300)
    gw = fresh_server.request("GET", gw_path(project, gid)).json["vpn_gateway"]
    assert gw["status"] == "ACTIVE"
    cgw = create_cgw(fresh_server, project)
    cid = new_conn(fresh_server, project, gw, cgw)
    clock(fresh_server, advance_ms=300)
    c = get_conn(fresh_server, project, cid)
    assert c["status"] == "DOWN"
    assert c["created_at"] == "2030-01-01T00:00:00.300Z" == c["updated_at"]
    clock(fresh_server, advance_ms=60000)
    r = fresh_server.request("PUT", conn_path(project, cid), {"vpn_connection": {"name": "x"}})
    assert r.json["vpn_connection"]["updated_at"] == "2030-01-01T00:01:00.600Z"
    assert r.json["vpn_connection"]["created_at"] == "2030-01-01T00:00:00.300Z"


def test_a_running_clock_keeps_its_offset_and_reset_goes_back_to_wall_time(fresh_server):
    c = clock(fresh_server, advance_ms=86400000)
    assert not c["frozen"] and c["offset_ms"] == 86400000
    c = clock(fresh_server, freeze=True)
    assert c["frozen"]
    c = clock(fresh_server, freeze=False)
    assert not c["frozen"] and 86390000 < c["offset_ms"] <= 86400000
    c = clock(fresh_server, reset=True)
    assert c["offset_ms"] == 0 and not c["frozen"]
    assert ctl(fresh_server, "GET", "clock", want=200)["clock"]["offset_ms"] == 0


def test_a_clock_body_that_says_nothing_is_refused(server):
    r = ctl(server, "POST", "clock", {})
    assert_control_error(r, 400, "VPN.0001", "invalid request: the body says nothing to do: "
                                             "give reset, set, advance_ms or freeze")


def test_the_clock_survives_a_restart(fresh_server):
    clock(fresh_server, set=T0, freeze=True)
    fresh_server.restart()
    assert ctl(fresh_server, "GET", "clock", want=200)["clock"]["now"] == T0
