"""The process contract: --help, --version, readiness line, configuration from the environment,
clean exit on SIGTERM/SIGINT, data kept across a restart."""

import os
import signal
import socket
import subprocess
import time

from vpnd_api import (Server, cgw_path, create_cgw, create_gateway, get_gateway, new_project,
                      sanitizer_report, server_env, wait_gateway_active)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run(argv):
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, env=server_env(),
                          timeout=20)


def test_help_exits_0_and_describes_serve(vpnd_bin):
    p = run([vpnd_bin, "--help"])
    assert p.returncode == 0, p
    assert b"serve" in p.stdout
    assert sanitizer_report(p.stderr.decode("utf-8", "replace")) is None


def test_version_exits_0_and_prints_the_version_file(vpnd_bin):
    with open(os.path.join(REPO, "VERSION")) as f:
        version = f.read().strip()
    p = run([vpnd_bin, "--version"])
    assert p.returncode == 0, p
    assert version in p.stdout.decode(), p.stdout
    assert sanitizer_report(p.stderr.decode("utf-8", "replace")) is None


def test_sigterm_makes_the_server_exit_0(fresh_server):
    fresh_server.stop(signal.SIGTERM)  # asserts exit 0 and no sanitizer report


def test_sigint_makes_the_server_exit_0(fresh_server):
    fresh_server.stop(signal.SIGINT)


def test_sigterm_with_an_idle_client_connected_still_exits_0(fresh_server):
    idle = socket.create_connection(("127.0.0.1", fresh_server.port), timeout=5)
    try:
        fresh_server.stop(signal.SIGTERM)
    finally:
        idle.close()


def test_sigterm_during_a_half_sent_request_that_is_then_abandoned_exits_0(fresh_server):
    s = socket.create_connection(("127.0.0.1", fresh_server.port), timeout=5)
    try:
        s.sendall(b"POST /v5/%s/customer-gateways HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                  b"\r\n{\"customer_gateway\"" % new_project().encode())
        fresh_server.send_signal(signal.SIGTERM)
    finally:
        s.close()  # the client gives up: the server must not wait out its drain period
    started = time.monotonic()
    fresh_server.wait_stopped(signal.SIGTERM)
    assert time.monotonic() - started < 5.0


def test_listen_and_db_are_read_from_the_environment(vpnd_bin, tmp_path):
    srv = Server(vpnd_bin, str(tmp_path))
    env = server_env({"VPND_LISTEN": "127.0.0.1:0", "VPND_DB": srv.db})
    srv.start(argv=[vpnd_bin, "serve"], env=env)
    try:
        project = new_project()
        gid = create_gateway(srv, project)["id"]
        assert get_gateway(srv, project, gid)["id"] == gid
        if not srv.db.startswith("postgres"):
            assert os.path.exists(srv.db), "VPND_DB was not used"
    finally:
        srv.stop()


def test_gateway_and_customer_gateway_survive_a_restart_unchanged(fresh_server):
    project = new_project()
    gid = create_gateway(fresh_server, project)["id"]
    cid = create_cgw(fresh_server, project)["id"]
    before_gw = wait_gateway_active(fresh_server, project, gid)
    before_cgw = fresh_server.request("GET", cgw_path(project, cid)).json["customer_gateway"]
    fresh_server.restart()
    assert get_gateway(fresh_server, project, gid) == before_gw
    r = fresh_server.request("GET", cgw_path(project, cid))
    assert r.status == 200, r.raw
    assert r.json["customer_gateway"] == before_cgw
