"""The status engine: PENDING_CREATE settles by itself, and survives a restart."""
import time

from vpnd_api import (Server, conn_body, create_cgw, create_conn, create_gateway, get_conn,
                      get_gateway, new_project, wait_gateway_active)


def wait_conn_status(server, project, cid, want, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        c = get_conn(server, project, cid)
        if c["status"] == want or time.monotonic() > deadline:
            return c
        time.sleep(0.02)  # polling interval, not a readiness guess


def test_new_connection_settles_to_down_when_no_peer_answers(server, project):
    gw = wait_gateway_active(server, project, create_gateway(server, project)["id"])
    cgw = create_cgw(server, project)
    cid = create_conn(server, project, conn_body(gw, cgw))["id"]
    c = wait_conn_status(server, project, cid, "DOWN")
    assert c["status"] == "DOWN"
    assert c["updated_at"] == c["created_at"]


def test_settle_status_active_makes_new_connections_active(vpnd_bin, tmp_path):
    srv = Server(vpnd_bin, str(tmp_path), ["--settle-status", "ACTIVE"])
    srv.start()
    try:
        project = new_project()
        gw = wait_gateway_active(srv, project, create_gateway(srv, project)["id"])
        cgw = create_cgw(srv, project)
        cid = create_conn(srv, project, conn_body(gw, cgw))["id"]
        assert wait_conn_status(srv, project, cid, "ACTIVE")["status"] == "ACTIVE"
    finally:
        srv.stop()


def test_connection_left_pending_at_stop_settles_after_restart(vpnd_bin, tmp_path):
    srv = Server(vpnd_bin, str(tmp_path), ["--status-delay", "0"])
    srv.start()
    project = new_project()
    gw = wait_gateway_active(srv, project, create_gateway(srv, project)["id"])
    cgw = create_cgw(srv, project)
    srv.stop()
    srv.args = ["--status-delay", "400"]
    srv.start()
    cid = create_conn(srv, project, conn_body(gw, cgw))["id"]
    srv.stop()  # well before the 400 ms are up
    srv.args = []
    srv.start()
    try:
        assert wait_conn_status(srv, project, cid, "DOWN")["status"] == "DOWN"
    finally:
        srv.stop()
