"""Who reaches what (README "Testing against vpnd", "Authentication"): health and readiness are
open to anyone who can connect and hold no data; the control surface is open in protected mode
(loopback, no credentials), needs an "admin" credential once there are credentials (tenants get
403, nobody 401), and is gone with --control-api off."""
import os

import pytest

from vpnd_api import Server, assert_error, cgw_path, new_project
from vpnd_control import assert_control_error, ctl

TENANT_TOKEN = "tenant-token-" + "a" * 24
ADMIN_TOKEN = "admin-token-" + "b" * 24


@pytest.fixture(scope="module")
def project_a():
    return new_project()


def start(vpnd_bin, d, extra=(), creds=True, project=None):
    args = list(extra)
    if creds:
        path = os.path.join(str(d), "credentials")
        with open(path, "w") as f:
            f.write("token %s %s\nadmin token %s\n" % (TENANT_TOKEN, project, ADMIN_TOKEN))
        os.chmod(path, 0o600)
        args += ["--credentials", path]
    srv = Server(vpnd_bin, str(d), args)
    srv.start()
    return srv


@pytest.fixture(scope="module")
def guarded(vpnd_bin, tmp_path_factory, project_a):
    srv = start(vpnd_bin, tmp_path_factory.mktemp("guarded"), project=project_a)
    yield srv
    srv.stop()


ADMIN = {"X-Auth-Token": ADMIN_TOKEN}
TENANT = {"X-Auth-Token": TENANT_TOKEN}


def test_health_answers_anyone_with_the_version_store_and_driver(guarded):
    r = ctl(guarded, "GET", "health")
    assert r.status == 200
    assert set(r.json) == {"status", "version", "store", "driver", "control_api", "request_id"}
    assert r.json["status"] == "ok" and r.json["driver"] == "sim" and r.json["control_api"]
    assert r.json["store"] in ("sqlite", "postgres")


def test_ready_answers_anyone_once_the_store_answers(guarded):
    r = ctl(guarded, "GET", "ready")
    assert r.status == 200 and r.json["status"] == "ready", r.raw


def test_with_credentials_an_admin_credential_reaches_the_control_surface(guarded):
    r = ctl(guarded, "GET", "faults", headers=ADMIN)
    assert r.status == 200, r.raw
    r = ctl(guarded, "POST", "clock", {"advance_ms": 0}, headers=ADMIN)
    assert r.status == 200, r.raw


def test_with_credentials_a_tenant_credential_gets_403_from_the_control_surface(guarded):
    for method, path in (("GET", "faults"), ("POST", "reset"), ("GET", "state")):
        r = ctl(guarded, method, path, {} if method == "POST" else None, headers=TENANT)
        assert_control_error(r, 403, "APIGW.0302",
                             "The IAM user is not authorized to access the API: token#1 is not an "
                             "admin credential (the operator surfaces need an \"admin\" line in "
                             "the credentials file)")


def test_with_credentials_a_request_without_one_gets_401_from_the_control_surface(guarded):
    assert_error(ctl(guarded, "POST", "reset", {}), 401, "APIGW.0301")
    assert_error(ctl(guarded, "GET", "state", headers={"X-Auth-Token": "guess"}), 401,
                 "APIGW.0301")


def test_an_admin_credential_cannot_act_on_a_project(guarded, project_a):
    assert_error(guarded.request("GET", cgw_path(project_a), headers=ADMIN), 403, "APIGW.0302")
    assert guarded.request("GET", cgw_path(project_a), headers=TENANT).status == 200


def test_in_protected_mode_the_control_surface_is_open_on_loopback(server):
    assert ctl(server, "GET", "faults").status == 200


def test_control_api_off_removes_the_control_surface_but_not_health(vpnd_bin, tmp_path):
    srv = start(vpnd_bin, tmp_path, ["--control-api", "off"], creds=False)
    try:
        r = ctl(srv, "GET", "faults")
        assert_control_error(r, 404, "APIGW.0101", "The API does not exist or has not been "
                                                   "published in the environment: GET "
                                                   "/_vpnd/faults")
        assert_error(ctl(srv, "POST", "clock", {"advance_ms": 1}), 404, "APIGW.0101")
        h = ctl(srv, "GET", "health")
        assert h.status == 200 and h.json["control_api"] is False
        assert ctl(srv, "GET", "ready").status == 200
    finally:
        srv.stop()


def test_control_api_off_with_credentials_keeps_health_open(vpnd_bin, tmp_path):
    project = new_project()
    srv = start(vpnd_bin, tmp_path, ["--control-api", "off"], project=project)
    try:
        assert_error(ctl(srv, "GET", "faults", headers=ADMIN), 404, "APIGW.0101")
        assert ctl(srv, "GET", "health").status == 200
    finally:
        srv.stop()
