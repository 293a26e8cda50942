"""Helpers for the control surface's tests (test_control_*.py): its requests, and a project with
an ACTIVE gateway and a customer gateway to put connections on. Stdlib only."""

from vpnd_api import (assert_error, conn_body, conn_path, create_cgw, create_conn, create_gateway,
                      gw_path, wait_gateway_active)


def ctl(server, method, path, body=None, headers=None, want=None):
    """One request to /_vpnd/<path>; with want, asserts the status and returns the JSON body."""
    r = server.request(method, "/_vpnd/" + path, body, headers)
    if want is None:
        return r
    assert r.status == want, (method, path, r.status, r.raw)
    return r.json


def add_transition(server, **rule):
    return ctl(server, "POST", "transitions", rule, want=201)["transition"]


def add_fault(server, **rule):
    return ctl(server, "POST", "faults", rule, want=201)["fault"]


def force(server, kind, project, rid, status, hold=False, want=200):
    body = {"kind": kind, "project_id": project, "id": rid, "status": status}
    if hold:
        body["hold"] = True
    return ctl(server, "POST", "status", body, want=want)


def advance(server, **target):
    return ctl(server, "POST", "advance", target, want=200)["advanced"]


def status_of(server, path, key):
    r = server.request("GET", path)
    return r.json[key]["status"] if r.status == 200 else r.status


def conn_status(server, project, cid):
    return status_of(server, conn_path(project, cid), "vpn_connection")


def gateway_status(server, project, gid):
    return status_of(server, gw_path(project, gid), "vpn_gateway")


def ready_gateway(server, project):
    """An ACTIVE gateway and a customer gateway of project: (gateway, customer gateway)."""
    gw = wait_gateway_active(server, project, create_gateway(server, project)["id"])
    return gw, create_cgw(server, project)


def new_conn(server, project, gw, cgw, subnet="192.168.0.0/24", **fields):
    return create_conn(server, project, conn_body(gw, cgw, peer_subnets=[subnet], **fields))["id"]


def assert_control_error(resp, status, code, msg):
    """An error body of the control surface with exactly this error_msg."""
    got = assert_error(resp, status, code)
    assert got == msg, got
