"""Issue 12, items 1-4: the HTTP front under abuse, fast versions of the probes in
bench/abuse.py (full-size figures: docs/http-front.md).

1. a chunk-size line longer than any read buffer must not pin the event loop;
2. a dozen addresses holding every slot (idle and dripping sockets) must not keep a client that
   sends its request out for more than a second;
3. a malformed Content-Length gets exactly one response, with the documented error body;
4. HTTP/1.1 without Host, bare-LF line ends and NUL in a header value are 400.
"""

import socket
import time

import pytest

from conftest import POOL_ARGS
from vpnd_api import (ERROR_KEYS, REQUEST_ID_RE, Server, SlotAttack, cgw_path, cpu_seconds,
                      new_project, parse_json, raw_exchange, read_all)


@pytest.fixture(scope="module")
def abused(vpnd_bin, tmp_path_factory):
    srv = Server(vpnd_bin, str(tmp_path_factory.mktemp("vpnd")), POOL_ARGS)
    srv.start()
    yield srv
    if srv.proc is not None:
        srv.stop()  # asserts exit 0 and a clean stderr


def assert_one_documented_error(data, status):
    """data holds exactly one HTTP response: status, X-Request-Id and the documented body."""
    assert data.count(b"HTTP/1.1 ") == 1, data[:600]
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1.1 %d " % status), lines[0]
    headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:])}
    doc = parse_json(body)
    assert isinstance(doc, dict) and set(doc) == ERROR_KEYS, body
    assert REQUEST_ID_RE.match(doc["request_id"]), doc
    assert headers.get("x-request-id") == doc["request_id"], headers
    assert int(headers.get("content-length", -1)) == len(body), headers
    return doc


# ---- 1. one request must not pin the loop ----

def test_chunk_extension_longer_than_any_buffer_costs_under_a_tenth_of_a_cpu_second(abused):
    req = (b"POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2;"
           % cgw_path(new_project()).encode() + b"e" * 20000 + b"\r\n{}\r\n0\r\n\r\n")
    before = cpu_seconds(abused.proc.pid)
    sock = socket.create_connection(("127.0.0.1", abused.port), timeout=5)
    try:
        try:
            sock.sendall(req)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = read_all(sock)
    finally:
        sock.close()
    time.sleep(0.5)  # a spinning loop would burn this half second too
    used = cpu_seconds(abused.proc.pid) - before
    assert used < 0.1, "server used %.2f CPU seconds on one request" % used
    doc = assert_one_documented_error(data, 400)
    assert doc["error_msg"] == "chunked body: chunk-size line longer than 1024 bytes", doc


# ---- 3. malformed Content-Length ----

@pytest.mark.parametrize("value,msg", [
    (b"+5", "Content-Length must be one decimal number below 2^64"),
    (b"5, 5", "Content-Length must be one decimal number below 2^64"),
    (b"0x2b", "Content-Length must be one decimal number below 2^64"),
    (b"18446744073709551616", "Content-Length must be one decimal number below 2^64"),
    (b"5\r\nContent-Length: 6",
     "request has more than one Content-Length or Transfer-Encoding"),
], ids=["plus", "list", "hex", "2^64", "two-that-differ"])
def test_malformed_content_length_gets_one_response_with_the_error_body(abused, value, msg):
    req = (b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
           b"Content-Length: %s\r\n\r\nhello!" % (cgw_path(new_project()).encode(), value))
    sock = socket.create_connection(("127.0.0.1", abused.port), timeout=5)
    try:
        sock.sendall(req)
        data = read_all(sock)
    finally:
        sock.close()
    doc = assert_one_documented_error(data, 400)
    assert doc["error_code"] == "APIGW.0201", doc
    assert doc["error_msg"] == msg, doc


# ---- 4. lenient parsing ----

@pytest.mark.parametrize("req,msg", [
    (b"GET /v5/%s/vpn/quotas HTTP/1.1\r\nConnection: close\r\n\r\n",
     "an HTTP/1.1 request must have exactly one Host header, got 0"),
    (b"GET /v5/%s/vpn/quotas HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
     "an HTTP/1.1 request must have exactly one Host header, got 2"),
    (b"GET /v5/%s/vpn/quotas HTTP/1.1\nHost: x\n\n",
     "request line and header lines must end with CRLF, got a bare LF"),
    (b"GET /v5/%s/vpn/quotas HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n",
     "request line and header lines must end with CRLF, got a bare LF"),
    (b"GET /v5/%s/vpn/quotas HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n",
     "request line and header lines must end with CRLF, got a bare CR"),
    (b"GET /v5/%s/vpn/quotas HTTP/1.1\r\nHost: x\r\nX-Auth-Token: a\x00b\r\n\r\n",
     "header field has a byte not allowed there (a control character, NUL or DEL in a value, "
     "or a separator in a name)"),
    (b"GET /v5/%s/vpn/quotas HTTP/1.1\r\nHost: x\r\nX-A: a\x01b\r\n\r\n",
     "header field has a byte not allowed there (a control character, NUL or DEL in a value, "
     "or a separator in a name)"),
    (b"GET /v5/%s/vpn/quotas HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n",
     "header lines must not be folded (obsolete line folding)"),
    (b"GET /v5/%s/vpn/quotas HTTP/1.1\r\nHost : x\r\n\r\n",
     'header name must be a token, got "Host "'),
], ids=["no-host", "two-hosts", "bare-lf", "bare-lf-one-line", "bare-cr", "nul-in-value",
        "ctl-in-value", "folded", "space-in-name"])
def test_lenient_framing_is_400_with_the_error_body(abused, req, msg):
    status, headers, body = raw_exchange(abused.port, req % new_project().encode())
    assert status == 400, (status, body[:300])
    doc = parse_json(body)
    assert isinstance(doc, dict) and set(doc) == ERROR_KEYS, body
    assert headers.get("x-request-id") == doc["request_id"], headers
    assert doc["error_msg"] == msg, doc


def test_http_1_0_without_host_is_served(abused):
    req = b"GET /v5/%s/vpn/quotas HTTP/1.0\r\n\r\n" % new_project().encode()
    status, _, body = raw_exchange(abused.port, req)
    assert status == 200, (status, body[:300])


# ---- 2. slot exhaustion from a dozen addresses ----

def test_normal_client_is_answered_within_a_second_while_every_slot_is_attacked(
        vpnd_bin, tmp_path):
    """1/10 of the full probe: 100 idle + 20 dripping sockets from 127.0.0.2-13 against
    --max-connections 100, default timeouts; a client on 127.0.0.100 makes 8 requests."""
    srv = Server(vpnd_bin, str(tmp_path), POOL_ARGS + ["--max-connections", "100"])
    srv.start()
    try:
        path = b"/v5/%s/vpn/quotas" % new_project().encode()
        req = b"GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path
        addrs = ["127.0.0.%d" % i for i in range(2, 14)]
        with SlotAttack(srv.port, 100, 20, addrs) as attack:
            time.sleep(1.5)  # every slot taken, the rest of the attackers in the backlog
            took = []
            for _ in range(8):
                started = time.monotonic()
                status, _, body = raw_exchange(srv.port, req, source="127.0.0.100", timeout=5)
                took.append(time.monotonic() - started)
                assert status == 200, (status, body[:300])
                time.sleep(0.25)
            assert attack.reopened > 0, "the attack never filled the slots"
        assert max(took) < 1.0, ["%.3f" % t for t in took]
    finally:
        srv.stop()
