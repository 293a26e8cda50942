"""Fault injection (README "Testing against vpnd"): rules that answer an error of their own,
add latency or drop the connection, matched by method, operation, path, project and resource
id, firing with a probability (deterministic with a seed) or a count; each injection is logged
and counted. Rules here name the test's own project."""
import socket
import time

from vpnd_api import ERROR_KEYS, Server, assert_error, cgw_path, conn_path, new_project
from vpnd_control import add_fault, assert_control_error, ctl, new_conn, ready_gateway

CGW_BODY = {"customer_gateway": {"id_value": "88.1.1.164"}}


def test_an_injected_500_answers_the_error_body_and_the_create_does_not_happen(server, project):
    rule = add_fault(server, operation="customer_gateway.create", project_id=project, status=500,
                     count=1)
    r = server.request("POST", cgw_path(project), CGW_BODY)
    msg = assert_error(r, 500, "VPN.0002")
    assert msg == "fault injected by vpnd (rule %s)" % rule["rule"]
    assert server.request("GET", cgw_path(project)).json["total_count"] == 0
    assert server.request("POST", cgw_path(project), CGW_BODY).status == 201


def test_a_rule_with_a_count_fires_exactly_that_many_times(server, project):
    rule = add_fault(server, method="GET", project_id=project, status=503, count=2)
    got = [server.request("GET", cgw_path(project)).status for _ in range(4)]
    assert got == [503, 503, 200, 200]
    (listed,) = [f for f in ctl(server, "GET", "faults", want=200)["faults"]
                 if f["rule"] == rule["rule"]]
    assert listed["injected"] == 2 and listed["remaining"] == 0


def test_a_throttling_rule_answers_429_with_the_gateways_code_and_message(server, project):
    add_fault(server, project_id=project, status=429, error_msg="Too many requests", count=1)
    r = server.request("GET", conn_path(project))
    assert_error(r, 429, "APIGW.0308")
    assert r.json["error_msg"] == "Too many requests"


def test_added_latency_delays_the_answer_without_holding_other_clients(server, project):
    add_fault(server, operation="customer_gateway.list", project_id=project, latency_ms=800,
              count=1)
    slow = server.connection(timeout=10)
    t0 = time.monotonic()
    slow.request("GET", cgw_path(project))
    # another client is served meanwhile: nothing sleeps on the event loop
    t1 = time.monotonic()
    assert server.request("GET", cgw_path(new_project())).status == 200
    fast = time.monotonic() - t1
    resp = slow.getresponse()
    resp.read()
    elapsed = time.monotonic() - t0
    slow.close()
    assert resp.status == 200
    assert elapsed >= 0.8, elapsed
    assert fast < 0.8, fast


def test_a_dropped_connection_gets_no_answer(server, project):
    add_fault(server, operation="customer_gateway.list", project_id=project, drop=True, count=1)
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    sock.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % cgw_path(project)).encode())
    data = b""
    try:
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass
    sock.close()
    assert data == b""
    assert server.request("GET", cgw_path(project)).status == 200


def test_apply_runs_the_operation_before_the_injected_error(server, project):
    add_fault(server, operation="customer_gateway.create", project_id=project, status=500,
              apply=True, count=1)
    assert_error(server.request("POST", cgw_path(project), CGW_BODY), 500, "VPN.0002")
    assert server.request("GET", cgw_path(project)).json["total_count"] == 1


def test_a_rule_matches_by_path_pattern_and_resource_id(server, project):
    gw, cgw = ready_gateway(server, project)
    a = new_conn(server, project, gw, cgw, "192.168.1.0/24")
    b = new_conn(server, project, gw, cgw, "192.168.2.0/24")
    add_fault(server, path="/v5/*/vpn-connection/*", resource_id=b, status=500)
    assert server.request("GET", conn_path(project, a)).status == 200
    assert server.request("GET", conn_path(project, b)).status == 500
    assert server.request("GET", conn_path(project, b) + "/log").status == 200  # another path
    assert server.request("GET", conn_path(project)).status == 200


def seq(srv, project, n):
    return [srv.request("GET", cgw_path(project)).status for _ in range(n)]


def test_a_probability_with_a_seed_gives_the_same_sequence_every_time(vpnd_bin, tmp_path):
    runs = []
    for i in range(2):
        d = tmp_path / ("run%d" % i)
        d.mkdir()
        srv = Server(vpnd_bin, str(d))
        srv.start()
        try:
            project = new_project()
            add_fault(srv, project_id=project, status=503, probability=0.5, seed=42)
            runs.append(seq(srv, project, 40))
        finally:
            srv.stop()
    assert runs[0] == runs[1]
    assert 5 < runs[0].count(503) < 35, runs[0]


def test_a_fault_is_logged_and_counted(server, project):
    rule = add_fault(server, project_id=project, status=500)
    before = ctl(server, "GET", "faults", want=200)["node"]["injected"]
    r = server.request("GET", cgw_path(project))
    assert r.status == 500
    faults = ctl(server, "GET", "faults", want=200)
    (listed,) = [f for f in faults["faults"] if f["rule"] == rule["rule"]]
    assert listed["injected"] == 1 and "remaining" not in listed
    assert faults["node"]["injected"] == before + 1
    assert ("request_id=%s op=customer_gateway.list event=fault_injected rule=%s status=500"
            % (r.json["request_id"], rule["rule"])) in server.stderr_text()
    assert ctl(server, "DELETE", "faults/" + rule["rule"]).status == 204


def test_no_fault_is_injected_into_vpnds_own_routes(fresh_server):
    add_fault(fresh_server, status=500)
    assert ctl(fresh_server, "GET", "health").status == 200
    assert ctl(fresh_server, "GET", "faults").status == 200
    assert fresh_server.request("GET", cgw_path(new_project())).status == 500
    assert ctl(fresh_server, "DELETE", "faults").status == 204
    assert fresh_server.request("GET", cgw_path(new_project())).status == 200


def test_a_fault_rule_naming_an_unknown_operation_is_refused(server):
    r = ctl(server, "POST", "faults", {"operation": "vpn_connection.shw", "status": 500})
    assert_control_error(r, 400, "VPN.0001",
                         "invalid request: operation: must be an operation of the cloud API (vpnd "
                         "routes lists them, e.g. vpn_connection.show), got \"vpn_connection.shw\"")


def test_a_fault_rule_without_an_effect_is_refused(server):
    r = ctl(server, "POST", "faults", {"operation": "vpn_connection.show"})
    assert_control_error(r, 400, "VPN.0001", "invalid request: a fault needs an effect: status "
                                             "(an error answer), latency_ms or drop")


def test_deleting_an_unknown_fault_rule_is_404(server):
    r = ctl(server, "DELETE", "faults/no-such-rule")
    assert_control_error(r, 404, "VPN.0004", "resource not found: fault rule \"no-such-rule\"")


def test_a_latency_with_an_error_answers_the_error_late(server, project):
    add_fault(server, project_id=project, status=504, latency_ms=300, count=1)
    t0 = time.monotonic()
    r = server.request("GET", cgw_path(project))
    assert time.monotonic() - t0 >= 0.3
    assert_error(r, 504, "VPN.0014")
    assert set(r.json) == ERROR_KEYS
