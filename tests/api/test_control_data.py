"""Reset, seed and state (README "Testing against vpnd"): reset leaves an empty store and a
working server; a seed is vpnd import (its format, validation and messages); the state is what
vpnd export writes, so a seed of a state reads back byte for byte; vpnd serve --seed FILE; an
ephemeral store (--db :memory:)."""
import json
import subprocess

from test_import_export import jsonl, records, run
from vpnd_api import (READY_RE, Server, cgw_path, conn_path, create_cgw, gw_path, new_project,
                      pg_base_url, sanitizer_report, server_env)
from vpnd_control import (add_fault, add_transition, assert_control_error, ctl, new_conn,
                          ready_gateway)


def seed(server, text, query="", want=200):
    r = server.request("POST", "/_vpnd/seed" + query, text)
    assert r.status == want, (r.status, r.raw)
    return r.json


def state(server):
    r = ctl(server, "GET", "state")
    assert r.status == 200, r.raw
    if r.raw:  # JSON lines: one record a line (an empty store has no body)
        assert r.headers["Content-Type"] == "application/x-ndjson", dict(r.headers)
    return r.raw.decode()


def counts(server, project):
    q = server.request("GET", "/v5/%s/vpn/quotas" % project).json["quotas"]["resources"]
    return {x["type"]: x["used"] for x in q}


def test_a_reset_leaves_an_empty_store_and_a_working_server(fresh_server):
    project = new_project()
    gw, cgw = ready_gateway(fresh_server, project)
    new_conn(fresh_server, project, gw, cgw)
    add_fault(fresh_server, project_id="other", status=500)
    add_transition(fresh_server, kind="vpn_gateway", project_id="other", progress="manual")
    assert ctl(fresh_server, "POST", "reset", want=200)["reset"] == "all"
    assert state(fresh_server) == ""
    assert ctl(fresh_server, "GET", "faults", want=200)["faults"] == []
    assert ctl(fresh_server, "GET", "transitions", want=200)["transitions"] == []
    assert set(counts(fresh_server, project).values()) == {0}
    # it serves: the same project builds again, with the same addresses free
    gw, cgw = ready_gateway(fresh_server, project)
    assert fresh_server.request("GET", conn_path(new_project())).status == 200
    new_conn(fresh_server, project, gw, cgw)


def test_a_reset_of_one_project_keeps_the_others(server):
    a, b = new_project(), new_project()
    create_cgw(server, a)
    create_cgw(server, b)
    assert ctl(server, "POST", "reset", {"project_id": a}, want=200)["reset"] == a
    assert server.request("GET", cgw_path(a)).json["total_count"] == 0
    assert server.request("GET", cgw_path(b)).json["total_count"] == 1


def test_a_reset_body_takes_only_a_project(server):
    r = ctl(server, "POST", "reset", {"kind": "vpn_gateway"})
    assert_control_error(r, 400, "VPN.0001",
                         "invalid request: \"kind\": is not a member of this body (members: "
                         "project_id)")


def test_a_seed_loads_records_and_says_what_it_loaded(server):
    project = new_project()
    out = seed(server, jsonl(records(project)))
    assert {k: out[k] for k in ("records", "imported", "vpn_gateways", "customer_gateways",
                                "vpn_connections", "refused", "refusals")} == {
        "records": 5, "imported": 5, "vpn_gateways": 1, "customer_gateways": 1,
        "vpn_connections": 3, "refused": 0, "refusals": []}
    assert server.request("GET", conn_path(project)).json["total_count"] == 3


def test_a_seed_refuses_an_invalid_record_with_the_import_message_and_loads_nothing(server):
    project = new_project()
    rows = records(project)
    rows[3]["vpn_connection"]["psk"] = "short"
    r = server.request("POST", "/_vpnd/seed", jsonl(rows))
    assert_control_error(r, 400, "VPN.0001",
                         "invalid request: seed line 4: vpn_connection.psk: must be 8 to 128 "
                         "characters with at least 3 of upper case, lower case, digits and "
                         "special characters ~!@#$%^*()-_+={ },./:;")
    assert server.request("GET", gw_path(project)).json["vpn_gateways"] == []


def test_a_seed_with_skip_invalid_loads_the_others_and_lists_the_refusals(server):
    project = new_project()
    rows = records(project)
    rows[3]["vpn_connection"]["psk"] = "short"
    out = seed(server, jsonl(rows), "?skip_invalid=true")
    assert out["imported"] == 4 and out["refused"] == 1
    assert len(out["refusals"]) == 1 and out["refusals"][0].startswith(
        "seed line 4: vpn_connection.psk: "), out["refusals"]


def test_a_seed_takes_the_project_of_records_without_one_from_the_query(server):
    project = new_project()
    out = seed(server, '{"customer_gateway":{"id_value":"88.1.1.9"}}', "?project_id=" + project)
    assert out["imported"] == 1
    assert server.request("GET", cgw_path(project)).json["total_count"] == 1
    r = server.request("POST", "/_vpnd/seed?keep_ids=maybe", "")
    assert_control_error(r, 400, "VPN.0001",
                         "invalid request: keep_ids: must be true or false, got \"maybe\"")


def test_seed_then_state_is_byte_identical_to_the_seed_file(vpnd_bin, tmp_path):
    (tmp_path / "a").mkdir()
    first = Server(vpnd_bin, str(tmp_path / "a"))
    first.start()
    try:
        seed(first, jsonl(records(new_project())))
        dump = state(first)
    finally:
        first.stop()
    assert len(dump.splitlines()) == 5
    (tmp_path / "b").mkdir()
    second = Server(vpnd_bin, str(tmp_path / "b"))
    second.start()
    try:
        seed(second, dump)
        assert state(second) == dump
        db = second.db
    finally:
        second.stop()
    rc, out, err = run(vpnd_bin, "export", "--db", db)  # what vpnd export writes
    assert rc == 0 and out == dump, err


def test_serve_seed_loads_the_file_before_the_first_request(vpnd_bin, tmp_path):
    project = new_project()
    path = tmp_path / "fixture.jsonl"
    path.write_text(jsonl(records(project)))
    srv = Server(vpnd_bin, str(tmp_path), ["--seed", str(path)])
    srv.start()
    try:
        assert srv.request("GET", conn_path(project)).json["total_count"] == 3
    finally:
        srv.stop()


def test_serve_seed_with_an_invalid_record_exits_1_naming_the_line(vpnd_bin, tmp_path):
    rows = records(new_project())
    rows[1]["customer_gateway"]["id_value"] = "not an address"
    path = tmp_path / "fixture.jsonl"
    path.write_text(jsonl(rows))
    db = str(tmp_path / "x.db") if not pg_base_url() else Server(vpnd_bin, str(tmp_path)).db
    p = subprocess.run([vpnd_bin, "serve", "--listen", "127.0.0.1:0", "--db", db, "--seed",
                        str(path)], capture_output=True, text=True, timeout=60, env=server_env())
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert "%s line 2: customer_gateway.id_value: " % path in p.stderr, p.stderr
    assert "vpnd: --seed %s: refused, nothing was loaded" % path in p.stderr
    assert not READY_RE.search(p.stdout)
    assert sanitizer_report(p.stderr) is None


def test_an_ephemeral_store_keeps_nothing_after_vpnd_stops(vpnd_bin, tmp_path):
    srv = Server(vpnd_bin, str(tmp_path), db=":memory:")
    srv.start()
    project = new_project()
    try:
        create_cgw(srv, project)
        assert srv.request("GET", cgw_path(project)).json["total_count"] == 1
        assert ctl(srv, "GET", "health", want=200)["store"] == "sqlite"
        srv.restart()
        assert srv.request("GET", cgw_path(project)).json["total_count"] == 0
    finally:
        srv.stop()
    p = subprocess.Popen([vpnd_bin, "serve", "--listen", "127.0.0.1:0", "--db", ":memory:"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         env=server_env())
    try:
        line = p.stdout.readline()
        assert line == "vpnd: store :memory: (ephemeral: in memory, nothing is kept when vpnd " \
                       "stops)\n", line
    finally:
        p.terminate()
        assert p.wait(timeout=20) == 0


def test_the_state_lists_records_oldest_first_with_psks(server):
    project = new_project()
    gw, cgw = ready_gateway(server, project)
    new_conn(server, project, gw, cgw)
    mine = [json.loads(x) for x in state(server).splitlines()
            if json.loads(x)["project_id"] == project]
    assert [list(x)[1] for x in mine] == ["vpn_gateway", "customer_gateway", "vpn_connection"]
    assert mine[2]["vpn_connection"]["psk"] == "Abcd1234!x"
