"""Helpers of the black-box API suite: run the vpnd binary, talk HTTP to it, build bodies.

Stdlib only. Servers are started on 127.0.0.1:0 with a database in a temporary directory; the
port is read from the readiness line "vpnd: listening on http://127.0.0.1:PORT". A server is
stopped by its PID (SIGTERM) and must then exit 0 with no sanitizer report on stderr.
"""

import collections
import copy
import http.client
import json
import os
import queue
import re
import secrets
import signal
import socket
import subprocess
import threading
import time
import uuid

import openapi_check
import sdk_models

READY_TIMEOUT = 15.0  # seconds to wait for the readiness line (ASan start-up included)
STOP_TIMEOUT = 20.0  # seconds to wait for exit after SIGTERM
REQUEST_TIMEOUT = 10.0
READY_RE = re.compile(r"^vpnd: listening on https?://127\.0\.0\.1:(\d+)$")
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
REQUEST_ID_RE = re.compile(r"^[0-9a-f]{32}$")
TIMESTAMP_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
IPV4_RE = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$")
ERROR_KEYS = {"error_code", "error_msg", "request_id"}

# Address pools every suite server is started with (conftest.py).
EIP_POOL = "203.0.112.0/20"
PRIVATE_POOL = "172.31.0.0/16"

# Documented connection statuses (seed, Table 3).
CONNECTION_STATUSES = {
    "ERROR", "ACTIVE", "DOWN", "PENDING_CREATE", "PENDING_UPDATE", "PENDING_DELETE",
    "FREEZED", "UNKNOWN",
}

Response = collections.namedtuple("Response", "status headers json raw")

def server_routes(binary):
    """Every route of the server, as `vpnd routes` prints its route table ("METHOD PATTERN OP
    FLAGS" lines): [(method, pattern)]. Each one must be hit by the suite; conftest.py lists the
    misses at the end of a full run and fails it."""
    p = subprocess.run([binary, "routes"], capture_output=True, timeout=30, env=server_env())
    assert p.returncode == 0 and sanitizer_report(p.stderr.decode()) is None, p.stderr
    return [tuple(line.split()[:2]) for line in p.stdout.decode().splitlines()]


ROUTES = []  # filled from the binary by conftest.py (vpnd_bin)
ROUTES_HIT = set()  # (method, pattern) answered with a status below 500

# Model check (sdk_models.py): every response send() receives is validated against the SDK model
# of its operation. A problem not named in spec/sdk-models/departures.json fails the request (and
# the session, in case it happened in a thread); departures seen are counted so a full run can
# list the ones that no longer happen. VPND_SDK_RECORD=FILE appends every problem to FILE (JSON
# lines) and fails nothing: the way to survey the departures after a change.
SDK_NEW_PROBLEMS = []  # (method, path, status, Problem) not named as departures
SDK_DEPARTURES_SEEN = set()  # indexes into sdk_models.default_models().departures
SDK_RESPONSES_CHECKED = collections.Counter()  # operation -> responses checked


def _route_of(method, path):
    """The route a request hits; literal segments win over parameters, as in the server
    ("GET vpn-connection/tags" is the project tag listing, not a connection named "tags")."""
    segs = path.split("?")[0].split("/")
    best = None
    for m, pattern in ROUTES:
        psegs = pattern.split("/")
        if m == method and len(psegs) == len(segs) and all(
                p.startswith("{") or p == s for p, s in zip(psegs, segs)):
            params = sum(p.startswith("{") for p in psegs)
            if best is None or params < best[0]:
                best = (params, (m, pattern))
    return best[1] if best else None


def vpnd_binary():
    """The binary under test: $VPND_BIN, else build/asan/vpnd of this tree."""
    path = os.environ.get("VPND_BIN")
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(here, "..", "..", "build", "asan", "vpnd")
    return os.path.abspath(path)


def server_env(extra=None):
    """The environment a server runs in: ours minus VPND_* settings, with sanitizer options."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VPND_")}
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    if extra:
        env.update(extra)
    return env


def sanitizer_report(text):
    """The first sanitizer marker found in text, or None."""
    for marker in SANITIZER_MARKERS:
        if marker in text:
            return marker
    return None


def pg_base_url():
    """The PostgreSQL URL the suite runs against ($VPND_TEST_DB_URL), or None for SQLite."""
    url = os.environ.get("VPND_TEST_DB_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def pg_schema_url(base, schema=None):
    """base with a fresh schema (created by vpnd on open) first in its search_path."""
    schema = schema or "a_" + secrets.token_hex(8)
    return "%s%soptions=-csearch_path%%3D%s" % (base, "&" if "?" in base else "?", schema)


def fresh_db(workdir):
    """A fresh database for one server: a schema of $VPND_TEST_DB_URL, else a SQLite file."""
    base = pg_base_url()
    return pg_schema_url(base) if base else os.path.join(workdir, "vpnd.db")


class Server:
    """One vpnd process (and its successors after restart) on one database."""

    def __init__(self, binary, workdir, args=(), db=None):
        self.binary = binary
        self.workdir = workdir
        self.db = db or fresh_db(workdir)
        self.args = list(args)
        self.proc = None
        self.port = None
        self.generation = 0
        self.stderr_path = None
        self.ssl_context = None  # set for a server started with --tls-cert (test_tls.py)

    # ---- process control ----

    def start(self, argv=None, env=None):
        """Starts the binary and waits for its readiness line; sets self.port."""
        assert self.proc is None, "server already running"
        self.generation += 1
        self.stderr_path = os.path.join(self.workdir, "stderr.%d.log" % self.generation)
        if argv is None:
            argv = [self.binary, "serve", "--listen", "127.0.0.1:0", "--db", self.db] + self.args
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=err, env=env if env is not None else server_env())
        lines = queue.Queue()
        threading.Thread(target=_pump, args=(self.proc.stdout, lines), daemon=True).start()
        deadline = time.monotonic() + READY_TIMEOUT
        seen = []
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = lines.get(timeout=max(remaining, 0.001)) if remaining > 0 else None
            except queue.Empty:
                line = None
            if line is None:
                self._abort()
                raise AssertionError("vpnd did not print its readiness line within %.0fs; "
                                     "stdout=%r stderr=%s" % (READY_TIMEOUT, seen, self.stderr_tail()))
            seen.append(line)
            m = READY_RE.match(line.rstrip("\r\n"))
            if m:
                self.port = int(m.group(1))
                return self

    def _abort(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.wait()
        self.proc = None

    def stop(self, sig=signal.SIGTERM):
        """Signals the process by PID, asserts exit code 0 and a clean stderr."""
        self.send_signal(sig)
        return self.wait_stopped(sig)

    def send_signal(self, sig=signal.SIGTERM):
        assert self.proc is not None, "server not running"
        self.proc.send_signal(sig)

    def wait_stopped(self, sig=signal.SIGTERM):
        """Waits for the exit that follows signal(); asserts exit 0 and a clean stderr."""
        proc, self.proc = self.proc, None
        try:
            rc = proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError("vpnd did not exit within %.0fs of %s; stderr=%s"
                                 % (STOP_TIMEOUT, signal.Signals(sig).name, self.stderr_tail()))
        self.assert_clean_stderr()
        assert rc == 0, "vpnd exited %d after %s; stderr=%s" % (
            rc, signal.Signals(sig).name, self.stderr_tail())
        return rc

    def restart(self):
        """Stops (asserting a clean exit) and starts again on the same database."""
        self.stop()
        return self.start()

    def stderr_text(self):
        if not self.stderr_path or not os.path.exists(self.stderr_path):
            return ""
        with open(self.stderr_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stderr_tail(self, n=4000):
        return repr(self.stderr_text()[-n:])

    def assert_clean_stderr(self):
        text = self.stderr_text()
        marker = sanitizer_report(text)
        assert marker is None, "sanitizer report (%s) on vpnd stderr:\n%s" % (marker, text[-8000:])

    # ---- HTTP ----

    def connection(self, timeout=REQUEST_TIMEOUT):
        if self.ssl_context is not None:
            return http.client.HTTPSConnection("localhost", self.port, timeout=timeout,
                                               context=self.ssl_context)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, timeout=REQUEST_TIMEOUT):
        """One request on a fresh connection. body: dict/list (sent as JSON), str or bytes.
        Returns Response(status, headers, parsed JSON or None, raw bytes)."""
        conn = self.connection(timeout)
        try:
            return send(conn, method, path, body, headers)
        finally:
            conn.close()


def _pump(stream, lines):
    """Forwards stdout lines to a queue (and keeps the pipe drained); None at EOF."""
    try:
        for raw in iter(stream.readline, b""):
            lines.put(raw.decode("utf-8", "replace"))
    finally:
        lines.put(None)


def closed_within(sock, seconds):
    """Seconds until the server closed sock (a read gives end of stream or a reset), or None
    when it is still open after seconds. Reads and drops what the server sends meanwhile."""
    start = time.monotonic()
    sock.settimeout(0.1)
    while time.monotonic() - start < seconds:
        try:
            if sock.recv(4096) == b"":
                return time.monotonic() - start
        except socket.timeout:
            continue
        except ConnectionResetError:
            return time.monotonic() - start
    return None


def send(conn, method, path, body=None, headers=None):
    """Sends one request on an http.client connection and reads the whole response."""
    hdrs = {}
    data = None
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode()
    elif isinstance(body, str):
        data = body.encode()
    elif body is not None:
        data = bytes(body)
    if data is not None:
        hdrs["Content-Type"] = "application/json"
    hdrs.update(headers or {})
    conn.request(method, path, body=data, headers=hdrs)
    resp = conn.getresponse()
    raw = resp.read()
    route = _route_of(method, path)
    if route and resp.status < 500:
        ROUTES_HIT.add(route)
    parsed = parse_json(raw)
    check_sdk_model(method, path, resp.status, parsed, raw)
    if route:  # checked against spec/openapi.json at the end of the run (conftest.py)
        openapi_check.record(route[0], route[1], resp.status, parsed, raw)
    return Response(resp.status, resp.headers, parsed, raw)


def check_sdk_model(method, path, status, parsed, raw):
    """Validates one response against the SDK model of its operation (see SDK_NEW_PROBLEMS);
    raises AssertionError naming every problem that is not a known departure."""
    models = sdk_models.default_models()
    if sdk_models.is_own(path):  # vpnd's own: only its error answers have a shape to keep
        if status >= 400 and raw:
            assert isinstance(parsed, dict) and set(parsed) == ERROR_KEYS, (
                "%s %s answered %d without the error body: %r" % (method, path, status, raw[:200]))
        return
    op = models.operation_of(method, path)
    if op is None:
        return
    SDK_RESPONSES_CHECKED[op] += 1
    problems = models.check_response(op, status, parsed, raw)
    record = os.environ.get("VPND_SDK_RECORD")
    if record:
        with open(record, "a", encoding="utf-8") as f:
            for p in problems:
                f.write(json.dumps({"operation": p.operation, "model": p.model,
                                    "field": p.field, "kind": p.kind, "where": p.where,
                                    "detail": p.detail, "status": status,
                                    "request": "%s %s" % (method, path)}) + "\n")
        return
    new = []
    for p in problems:
        d = models.departure_of(p)
        if d is None:
            new.append(p)
        else:
            SDK_DEPARTURES_SEEN.add(models.departures.index(d))
    if new:
        SDK_NEW_PROBLEMS.extend((method, path, status, p) for p in new)
        raise AssertionError("%s %s answered %d against the SDK model (%s):\n  %s" % (
            method, path, status, op, "\n  ".join(str(p) for p in new)))


def parse_json(raw):
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


# ---- raw sockets ----

def raw_exchange(port, data, source=None, timeout=5.0):
    """Sends raw bytes on a new socket and returns (status, headers dict lower-case, body)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                    source_address=(source, 0) if source else None)
    try:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything
        return read_raw_response(sock)
    finally:
        sock.close()


def read_all(sock, timeout=5.0):
    """Everything the server sends on sock until it closes (or resets, or the timeout)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return data


def read_raw_response(sock):
    """Reads one HTTP/1.1 response from sock: (status, headers, body bytes)."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines and lines[0].startswith("HTTP/1."), "no HTTP response: %r" % buf[:200]
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        want = int(headers["content-length"])
        while len(body) < want:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        body = body[:want]
    return status, headers, body


# ---- ids and paths ----

def new_project():
    """A fresh random project id (32 lower-case hex), so every test has its own namespace."""
    return secrets.token_hex(16)


def new_uuid():
    return str(uuid.uuid4())


def gw_path(project, gid=None):
    return "/v5/%s/vpn-gateways" % project + ("/%s" % gid if gid else "")


def cgw_path(project, cid=None):
    return "/v5/%s/customer-gateways" % project + ("/%s" % cid if cid else "")


def conn_path(project, cid=None):
    return "/v5/%s/vpn-connection" % project + ("/%s" % cid if cid else "")


def batch_path(project):
    return "/v5/%s/vpn-connections/batch-create" % project


def monitor_path(project, mid=None):
    return "/v5/%s/connection-monitors" % project + ("/%s" % mid if mid else "")


# ---- bodies ----

DELETE = object()  # marker for set_field: remove the key


def set_field(obj, dotted, value):
    """Sets (or with DELETE removes) a nested key "a.b.c", creating dicts on the way."""
    keys = dotted.split(".")
    for k in keys[:-1]:
        obj = obj.setdefault(k, {})
    if value is DELETE:
        obj.pop(keys[-1], None)
    else:
        obj[keys[-1]] = value


def gateway_body(**fields):
    """A valid public (active-active, Professional1) gateway create body; fields override."""
    g = {
        "vpc_id": new_uuid(),
        "local_subnets": ["10.0.0.0/24"],
        "connect_subnet": new_uuid(),
        "eip1": {"id": new_uuid()},
        "eip2": {"id": new_uuid()},
    }
    for k, v in fields.items():
        set_field(g, k, v)
    return {"vpn_gateway": g}


def private_gateway_body(**fields):
    g = {
        "network_type": "private",
        "vpc_id": new_uuid(),
        "local_subnets": ["10.0.0.0/24"],
        "connect_subnet": new_uuid(),
    }
    for k, v in fields.items():
        set_field(g, k, v)
    return {"vpn_gateway": g}


def create_gateway(server, project, body=None):
    """POSTs a gateway (default body if None); asserts 201 and returns the gateway as GET shows
    it (the create response, CreateResponseVpnGateway, has no EIPs, status or time stamps)."""
    r = server.request("POST", gw_path(project), body if body is not None else gateway_body())
    assert r.status == 201, (r.status, r.raw)
    assert UUID_RE.match(r.json["vpn_gateway"]["id"]), r.raw
    return get_gateway(server, project, r.json["vpn_gateway"]["id"])


def get_gateway(server, project, gid):
    r = server.request("GET", gw_path(project, gid))
    assert r.status == 200, (r.status, r.raw)
    return r.json["vpn_gateway"]


_activation = {"seen": False, "failed": False}


def wait_gateway_active(server, project, gid, timeout=5.0):
    """Polls GET vpn-gateways/{id} until status is ACTIVE; returns the gateway object.
    Once a gateway of this session failed to activate while none ever did (no status engine),
    later waits give up after 0.5 s so the suite stays fast; they still fail."""
    if _activation["failed"] and not _activation["seen"]:
        timeout = min(timeout, 0.5)
    deadline = time.monotonic() + timeout
    while True:
        g = get_gateway(server, project, gid)
        if g.get("status") == "ACTIVE":
            _activation["seen"] = True
            return g
        if time.monotonic() > deadline:
            _activation["failed"] = True
            raise AssertionError("gateway %s not ACTIVE after %.1fs: status=%r"
                                 % (gid, timeout, g.get("status")))
        time.sleep(0.02)  # polling interval, not a readiness guess


def active_gateways(server, project, bodies, timeout=5.0):
    """Creates all gateways first, then waits for each: their activations overlap."""
    ids = [create_gateway(server, project, b)["id"] for b in bodies]
    return [wait_gateway_active(server, project, gid, timeout) for gid in ids]


def create_cgw(server, project, id_value="88.1.1.164", **fields):
    body = {"customer_gateway": dict({"id_value": id_value}, **fields)}
    r = server.request("POST", cgw_path(project), body)
    assert r.status == 201, (r.status, r.raw)
    return r.json["customer_gateway"]


def conn_body(gw, cgw, eip="eip1", **fields):
    """A valid minimal STATIC connection create body on gateway gw (public) and CGW cgw."""
    c = {
        "vgw_id": gw["id"],
        "vgw_ip": gw[eip]["id"],
        "cgw_id": cgw["id"],
        "peer_subnets": ["192.168.0.0/24"],
        "psk": "Abcd1234!x",
    }
    for k, v in fields.items():
        set_field(c, k, v)
    return {"vpn_connection": c}


def with_fields(body, **dotted):
    """A deep copy of body with dotted fields (relative to the wrapper's content) set."""
    b = copy.deepcopy(body)
    (key,) = b.keys()
    for k, v in dotted.items():
        set_field(b[key], k, v)
    return b


def create_conn(server, project, body):
    r = server.request("POST", conn_path(project), body)
    assert r.status == 201, (r.status, r.raw)
    return r.json["vpn_connection"]


def get_conn(server, project, cid):
    r = server.request("GET", conn_path(project, cid))
    assert r.status == 200, (r.status, r.raw)
    return r.json["vpn_connection"]


def wait_gone(server, path, timeout=5.0):
    """Polls GET path until it answers 404 (as Terraform does after a delete); returns that
    response, or the last one after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        r = server.request("GET", path)
        if r.status == 404 or time.monotonic() > deadline:
            return r
        time.sleep(0.02)  # polling interval, not a readiness guess


def wait_conn_status(server, project, cid, want, timeout=5.0):
    """Polls GET vpn-connection/{id} until its status is want; returns the last object."""
    deadline = time.monotonic() + timeout
    while True:
        c = get_conn(server, project, cid)
        if c["status"] == want or time.monotonic() > deadline:
            return c
        time.sleep(0.02)  # polling interval, not a readiness guess


# ---- assertions ----

def assert_error(resp, status, code):
    """An error reply: the status, exactly the three error keys, the code, a matching header."""
    assert resp.status == status, "want %d %s, got %d %r" % (status, code, resp.status, resp.raw)
    assert isinstance(resp.json, dict), "error body is not JSON: %r" % resp.raw
    assert set(resp.json) == ERROR_KEYS, resp.json
    assert resp.json["error_code"] == code, resp.json
    assert isinstance(resp.json["error_msg"], str) and resp.json["error_msg"], resp.json
    assert REQUEST_ID_RE.match(resp.json["request_id"]), resp.json
    assert resp.headers.get("X-Request-Id") == resp.json["request_id"], dict(resp.headers)
    return resp.json["error_msg"]


def assert_invalid(resp, path, *needles):
    """400 VPN.0001 whose message starts "invalid request: <path>: " and contains needles."""
    msg = assert_error(resp, 400, "VPN.0001")
    prefix = "invalid request: %s: " % path
    assert msg.startswith(prefix), "want prefix %r, got %r" % (prefix, msg)
    for n in needles:
        assert str(n) in msg, "want %r in %r" % (str(n), msg)
    return msg


def doc_diff(got, want, path=""):
    """Differences between two JSON documents, key order included, as readable lines
    (pytest truncates its own diff of long dicts)."""
    out = []
    if isinstance(got, dict) and isinstance(want, dict):
        where = path or "<root>"
        extra = [k for k in got if k not in want]
        missing = [k for k in want if k not in got]
        if extra:
            out.append("%s: unexpected keys %s" % (where, extra))
        if missing:
            out.append("%s: missing keys %s" % (where, missing))
        common_got = [k for k in got if k in want]
        common_want = [k for k in want if k in got]
        if common_got != common_want:
            out.append("%s: key order %s, want %s" % (where, common_got, common_want))
        for k in want:
            if k in got:
                out.extend(doc_diff(got[k], want[k], "%s.%s" % (path, k) if path else k))
    elif isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        for i, (g, w) in enumerate(zip(got, want)):
            out.extend(doc_diff(g, w, "%s[%d]" % (path, i)))
    elif got != want or type(got) is not type(want):
        out.append("%s: got %r, want %r" % (path, got, want))
    return out


def ipv4_int(s):
    m = IPV4_RE.match(s)
    assert m, "not a dotted IPv4 address: %r" % s
    parts = [int(p) for p in m.groups()]
    assert all(0 <= p <= 255 for p in parts), s
    return (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]


def in_cidr(ip, cidr):
    net, _, prefix = cidr.partition("/")
    mask = (0xFFFFFFFF << (32 - int(prefix))) & 0xFFFFFFFF
    return ipv4_int(ip) & mask == ipv4_int(net) & mask


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far (/proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class SlotAttack:
    """Holds n_idle silent sockets and n_drip sockets that send a request head one byte per
    drip_s, spread over the source addresses addrs, against 127.0.0.1:port; every socket the
    server closes is opened again at once. A context manager: one thread, non-blocking sockets.
    `reopened` counts the sockets the server closed."""

    def __init__(self, port, n_idle, n_drip, addrs, drip_s=1.0):
        self.port, self.n_idle, self.n_drip, self.addrs = port, n_idle, n_drip, list(addrs)
        self.drip_s = drip_s
        self.stop = threading.Event()
        self.reopened = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=10)

    def _open(self, i):
        s = socket.socket()
        s.setblocking(False)
        s.bind((self.addrs[i % len(self.addrs)], 0))
        s.connect_ex(("127.0.0.1", self.port))
        return s

    def _alive(self, s, drip, started):
        """Drips one byte (or the start of a head) or checks for a close; False once closed."""
        try:
            if drip:
                s.send(b"a" if started else b"GET / HTTP/1.1\r\nHost: x\r\nX-Drip: ")
            elif s.recv(1) == b"":
                return False
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            return False
        return True

    def _run(self):
        socks = [[self._open(i), i >= self.n_idle, False]
                 for i in range(self.n_idle + self.n_drip)]
        try:
            while not self.stop.wait(min(self.drip_s, 0.05)):
                now = time.monotonic()
                for i, entry in enumerate(socks):
                    s, drip, started = entry
                    if drip and started and now < started:
                        continue
                    if self._alive(s, drip, started):
                        if drip:
                            entry[2] = now + self.drip_s
                        continue
                    s.close()
                    self.reopened += 1
                    try:
                        entry[0], entry[2] = self._open(i), False
                    except OSError:
                        entry[2] = now + 0.05  # out of ports or descriptors: retry soon
        finally:
            for s, _, _ in socks:
                s.close()
