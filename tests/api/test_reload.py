"""Live reload (SIGHUP) of the limits and quotas (issue 16): a changed value in the config file is
applied to the running server, connections included; a bad one changes nothing."""

import signal
import socket
import time

import pytest

from vpnd_api import Server, closed_within, new_project


def write(path, text):
    path.write_text(text)
    return str(path)


def hup(srv, needle, timeout=5.0):
    before = srv.stderr_text().count(needle)
    srv.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + timeout
    while srv.stderr_text().count(needle) <= before:
        assert time.monotonic() < deadline, "%r not logged: %s" % (needle, srv.stderr_tail())
        time.sleep(0.02)


@pytest.fixture
def started(vpnd_bin, tmp_path):
    """started(conf_text) -> (server, its config file); stopped (exit 0 asserted) at the end."""
    servers = []

    def start(conf_text):
        conf = tmp_path / "vpnd.conf"
        srv = Server(vpnd_bin, str(tmp_path), ["--config", write(conf, conf_text)])
        servers.append(srv.start())
        return srv, conf
    yield start
    for srv in servers:
        srv.stop()


def cgw_body(n):
    return {"customer_gateway": {"name": "c%d" % n, "id_value": "203.0.113.%d" % n}}


def test_sighup_applies_a_new_max_body(started):
    srv, conf = started("max-body = 1024\n")
    path = "/v5/%s/customer-gateways" % new_project()
    body = {"customer_gateway": {"name": "n" * 1500, "id_value": "203.0.113.5"}}
    assert srv.request("POST", path, body).status == 413
    write(conf, "max-body = 4096\n")
    hup(srv, "event=reload result=ok")
    r = srv.request("POST", path, body)
    assert r.status == 400 and "name" in r.json["error_msg"], r.json  # read, then judged


def test_sighup_applies_new_quotas(started):
    srv, conf = started("quota-customer-gateway = 1\n")
    path = "/v5/%s/customer-gateways" % new_project()
    assert srv.request("POST", path, cgw_body(1)).status == 201
    r = srv.request("POST", path, cgw_body(2))
    assert r.status == 400 and "quota" in r.json["error_msg"], r.json
    write(conf, "quota-customer-gateway = 2\n")
    hup(srv, "event=reload result=ok")
    assert srv.request("POST", path, cgw_body(2)).status == 201
    assert srv.request("GET", "/v5/%s/vpn/quotas" % path.split("/")[2]).json[
        "quotas"]["resources"][1]["quota"] == 2


def test_sighup_applies_a_shorter_idle_timeout_to_open_connections(started):
    srv, conf = started("idle-timeout = 60000\n")
    with socket.create_connection(("127.0.0.1", srv.port)) as s:
        write(conf, "idle-timeout = 1000\n")
        hup(srv, "event=reload result=ok")
        took = closed_within(s, 5)  # by the new timeout, not the one it started with
        assert took is not None and took < 3, took


def test_sighup_applies_a_lower_max_per_client(started):
    srv, conf = started("max-per-client = 10\n")
    write(conf, "max-per-client = 1\n")
    hup(srv, "event=reload result=ok")
    first = srv.connection()
    first.request("GET", "/metrics")
    assert first.getresponse().status == 200  # holds its slot (keep-alive)
    with socket.create_connection(("127.0.0.1", srv.port)) as second:
        took = closed_within(second, 5)  # over the new limit: closed at accept
        assert took is not None and took < 1, took
    first.close()


def test_a_reload_with_a_bad_limit_changes_nothing(started):
    srv, conf = started("max-body = 1024\nquota-customer-gateway = 1\n")
    write(conf, "max-body = 4096\nquota-customer-gateway = -1\n")
    hup(srv, "event=reload result=failed")
    body = {"customer_gateway": {"name": "n" * 1500, "id_value": "203.0.113.5"}}
    assert srv.request("POST", "/v5/%s/customer-gateways" % new_project(), body).status == 413
