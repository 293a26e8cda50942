"""Live reload (SIGHUP) of the limits and quotas (issue 16): a changed value in the config file is
applied to the running server, connections included; a bad one changes nothing."""

import signal
import socket
import time

from vpnd_api import Server, new_project


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


def started(vpnd_bin, tmp_path, conf_text):
    conf = write(tmp_path / "vpnd.conf", conf_text)
    srv = Server(vpnd_bin, str(tmp_path), ["--config", conf])
    srv.start()
    return srv, tmp_path / "vpnd.conf"


def cgw_body(n):
    return {"customer_gateway": {"name": "c%d" % n, "id_value": "203.0.113.%d" % n}}


def test_sighup_applies_a_new_max_body(vpnd_bin, tmp_path):
    srv, conf = started(vpnd_bin, tmp_path, "max-body = 1024\n")
    try:
        path = "/v5/%s/customer-gateways" % new_project()
        body = {"customer_gateway": {"name": "n" * 1500, "id_value": "203.0.113.5"}}
        assert srv.request("POST", path, body).status == 413
        write(conf, "max-body = 4096\n")
        hup(srv, "event=reload result=ok")
        r = srv.request("POST", path, body)
        assert r.status == 400 and "name" in r.json["error_msg"], r.json  # read, then judged
    finally:
        srv.stop()


def test_sighup_applies_new_quotas(vpnd_bin, tmp_path):
    srv, conf = started(vpnd_bin, tmp_path, "quota-customer-gateway = 1\n")
    try:
        path = "/v5/%s/customer-gateways" % new_project()
        assert srv.request("POST", path, cgw_body(1)).status == 201
        r = srv.request("POST", path, cgw_body(2))
        assert r.status == 400 and "quota" in r.json["error_msg"], r.json
        write(conf, "quota-customer-gateway = 2\n")
        hup(srv, "event=reload result=ok")
        assert srv.request("POST", path, cgw_body(2)).status == 201
        assert srv.request("GET", "/v5/%s/vpn/quotas" % path.split("/")[2]).json[
            "quotas"]["resources"][1]["quota"] == 2
    finally:
        srv.stop()


def test_sighup_applies_a_shorter_idle_timeout_to_open_connections(vpnd_bin, tmp_path):
    srv, conf = started(vpnd_bin, tmp_path, "idle-timeout = 60000\n")
    try:
        with socket.create_connection(("127.0.0.1", srv.port)) as s:
            write(conf, "idle-timeout = 1000\n")
            hup(srv, "event=reload result=ok")
            s.settimeout(5)
            t = time.monotonic()
            assert s.recv(1) == b""  # closed by the new timeout, not the one it started with
            assert time.monotonic() - t < 3
    finally:
        srv.stop()


def test_sighup_applies_a_lower_max_per_client(vpnd_bin, tmp_path):
    srv, conf = started(vpnd_bin, tmp_path, "max-per-client = 10\n")
    try:
        write(conf, "max-per-client = 1\n")
        hup(srv, "event=reload result=ok")
        with socket.create_connection(("127.0.0.1", srv.port)) as first:
            first.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            first.settimeout(5)
            assert first.recv(12) == b"HTTP/1.1 200"
            with socket.create_connection(("127.0.0.1", srv.port)) as second:
                second.settimeout(5)
                assert second.recv(1) == b""  # over the new limit: closed at accept
    finally:
        srv.stop()


def test_a_reload_with_a_bad_limit_changes_nothing(vpnd_bin, tmp_path):
    srv, conf = started(vpnd_bin, tmp_path, "max-body = 1024\nquota-customer-gateway = 1\n")
    try:
        write(conf, "max-body = 4096\nquota-customer-gateway = -1\n")
        hup(srv, "event=reload result=failed")
        body = {"customer_gateway": {"name": "n" * 1500, "id_value": "203.0.113.5"}}
        assert srv.request("POST", "/v5/%s/customer-gateways" % new_project(), body).status == 413
    finally:
        srv.stop()
