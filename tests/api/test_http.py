"""HTTP hygiene: request ids, content type, keep-alive, size cap, unknown routes, ambiguous
framing, hostile bodies, and one client's idle sockets not starving another client."""

import socket
import time

import pytest

from vpnd_api import (REQUEST_ID_RE, assert_error, cgw_path, conn_path, create_cgw, gw_path,
                      new_uuid, parse_json, raw_exchange, send)

MIB = 1 << 20


def assert_request_id_header_matches_body(r):
    rid = r.headers.get("X-Request-Id")
    assert rid is not None, dict(r.headers)
    assert REQUEST_ID_RE.match(rid), rid
    assert r.json["request_id"] == rid, (rid, r.raw)


def assert_json_content_type(r):
    ctype = r.headers.get("Content-Type", "")
    assert ctype.split(";")[0].strip().lower() == "application/json", ctype


# ---- request ids and content type ----

def test_create_reply_has_x_request_id_equal_to_body_request_id(server, project):
    r = server.request("POST", cgw_path(project), {"customer_gateway": {"id_value": "1.2.3.4"}})
    assert r.status == 201, r.raw
    assert_request_id_header_matches_body(r)


def test_show_reply_has_x_request_id_equal_to_body_request_id(server, project):
    cid = create_cgw(server, project)["id"]
    r = server.request("GET", cgw_path(project, cid))
    assert r.status == 200, r.raw
    assert_request_id_header_matches_body(r)


def test_validation_error_has_x_request_id_equal_to_body_request_id(server, project):
    r = server.request("POST", cgw_path(project), {"customer_gateway": {}})
    assert r.status == 400, r.raw
    assert_request_id_header_matches_body(r)


def test_not_found_error_has_x_request_id_equal_to_body_request_id(server, project):
    r = server.request("GET", gw_path(project, new_uuid()))
    assert r.status == 404, r.raw
    assert_request_id_header_matches_body(r)


def test_every_request_gets_a_different_request_id(server, project):
    ids = {server.request("GET", gw_path(project, new_uuid())).json["request_id"]
           for _ in range(5)}
    assert len(ids) == 5, ids


def test_success_and_error_bodies_are_sent_as_application_json(server, project):
    ok = server.request("POST", cgw_path(project), {"customer_gateway": {"id_value": "1.2.3.4"}})
    bad = server.request("GET", "/v5/%s/no-such-thing" % project)
    for r in (ok, bad):
        assert r.raw, r
        assert_json_content_type(r)


def test_content_type_with_charset_is_accepted(server, project):
    r = server.request("POST", cgw_path(project), b'{"customer_gateway":{"id_value":"1.2.3.4"}}',
                       headers={"Content-Type": "application/json;charset=UTF-8"})
    assert r.status == 201, r.raw


def test_content_type_on_a_get_is_ignored(server, project):
    cid = create_cgw(server, project)["id"]
    r = server.request("GET", cgw_path(project, cid), headers={"Content-Type": "application/json"})
    assert r.status == 200, r.raw


# ---- routing ----

@pytest.mark.parametrize("path", [
    "/",
    "/v5",
    "/v5/{p}/no-such-resource",
    "/v4/{p}/vpn-gateways",
    "/v5/{p}/vpn-gateways/{id}/no-such-action",
])
def test_unknown_path_is_404_apigw_0101(server, project, path):
    r = server.request("GET", path.format(p=project, id=new_uuid()))
    assert_error(r, 404, "APIGW.0101")


@pytest.mark.parametrize("method,path", [
    ("PATCH", "/v5/{p}/vpn-connection/{id}"),
    ("PATCH", "/v5/{p}/vpn-gateways"),
    ("POST", "/v5/{p}/customer-gateways/{id}"),
    ("PUT", "/v5/{p}/vpn-connection"),
])
def test_wrong_method_is_404_apigw_0101(server, project, method, path):
    r = server.request(method, path.format(p=project, id=new_uuid()), body=b"{}")
    assert_error(r, 404, "APIGW.0101")


# ---- connection reuse ----

def test_two_requests_share_one_keep_alive_connection(server, project):
    cid = create_cgw(server, project)["id"]
    conn = server.connection()
    try:
        first = send(conn, "GET", cgw_path(project, cid))
        assert first.status == 200, first.raw
        sock = conn.sock
        assert sock is not None, "server closed the connection after the first response"
        second = send(conn, "GET", cgw_path(project, cid))
        assert second.status == 200, second.raw
        assert conn.sock is sock, "second request needed a new connection"
    finally:
        conn.close()


def test_connection_is_kept_after_an_error_reply(server, project):
    conn = server.connection()
    try:
        first = send(conn, "POST", cgw_path(project), {"customer_gateway": {}})
        assert first.status == 400, first.raw
        sock = conn.sock
        assert sock is not None, "server closed the connection after a 400"
        second = send(conn, "POST", cgw_path(project), {"customer_gateway": {"id_value": "1.1.1.1"}})
        assert second.status == 201, second.raw
        assert conn.sock is sock
    finally:
        conn.close()


# ---- body size and framing ----

def big_json_body(size):
    """A syntactically valid JSON object of exactly size bytes."""
    head, tail = b'{"customer_gateway":{"id_value":"1.2.3.4","x":"', b'"}}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def post_raw(port, path, body):
    req = (b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\nConnection: close\r\n\r\n" % (path.encode(), len(body)))
    return raw_exchange(port, req + body, timeout=10)


def test_body_of_1_mib_plus_1_is_413_with_the_error_body(server, project):
    status, headers, body = post_raw(server.port, cgw_path(project), big_json_body(MIB + 1))
    assert status == 413, (status, body[:300])
    doc = parse_json(body)
    assert isinstance(doc, dict) and set(doc) == {"error_code", "error_msg", "request_id"}, body
    assert REQUEST_ID_RE.match(doc["request_id"]), doc
    assert headers.get("x-request-id") == doc["request_id"], headers


def test_body_of_exactly_1_mib_is_not_refused_for_its_size(server, project):
    status, _, body = post_raw(server.port, cgw_path(project), big_json_body(MIB))
    assert status != 413, body[:300]
    assert status in (201, 400), (status, body[:300])


def test_content_length_with_transfer_encoding_is_400(server, project):
    body = b'{"customer_gateway":{"id_value":"1.2.3.4"}}'
    req = (b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
           % (cgw_path(project).encode(), len(body)))
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    status, headers, raw = raw_exchange(server.port, req + chunked)
    assert status == 400, (status, raw[:300])
    doc = parse_json(raw)
    assert isinstance(doc, dict) and set(doc) == {"error_code", "error_msg", "request_id"}, raw
    assert headers.get("x-request-id") == doc["request_id"], headers


def test_deeply_nested_body_is_rejected_without_crashing(server, project):
    depth = 100000
    body = b'{"vpn_connection":' + b"[" * depth + b"]" * depth + b"}"
    r = server.request("POST", conn_path(project), body)
    assert_error(r, 400, "VPN.0001")
    assert server.proc.poll() is None, "server died"


# ---- fairness between clients ----

def test_idle_sockets_of_one_client_do_not_block_another_client(server, project):
    cid = create_cgw(server, project)["id"]
    idle = []
    try:
        for _ in range(150):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            idle.append(s)
        req = (b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
               % cgw_path(project, cid).encode())
        started = time.monotonic()
        status, _, body = raw_exchange(server.port, req, source="127.0.0.2", timeout=5)
        elapsed = time.monotonic() - started
        assert status == 200, (status, body[:300])
        assert elapsed < 2.0, "request of another client took %.2fs" % elapsed
    finally:
        for s in idle:
            s.close()


def test_slots_of_closed_sockets_are_given_back_to_their_client(server, project):
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(150)]
    for s in idle:
        s.close()
    # the server learns of the closes asynchronously: retry for a bounded time
    deadline = time.monotonic() + 3.0
    while True:
        try:
            r = server.request("POST", cgw_path(project), {"customer_gateway": {"id_value": "1.1.1.1"}},
                               timeout=1.0)
            if r.status == 201:
                return
            last = (r.status, r.raw)
        except OSError as e:
            last = e
        assert time.monotonic() < deadline, "127.0.0.1 still refused after closing: %r" % (last,)
        time.sleep(0.05)
