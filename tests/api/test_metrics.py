"""GET /metrics: the Prometheus text of the whole server, and who may read it (an operator
surface: open in protected mode, an admin credential with credentials, never a tenant's).
One test runs Debian's Prometheus on loopback (its own config and data directory, on a free port
this test picks), lets it scrape vpnd with a bearer token from its own config, and reads the
series back through Prometheus's query API."""

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request

import pytest

from test_auth import sign
from vpnd_api import Server, cgw_path, gateway_body, new_project, wait_gateway_active
from vpnd_control import add_fault, ctl

ADMIN = "admin-token-" + "m" * 24
TENANT = "tenant-token-" + "t" * 24
ADMIN_AK, ADMIN_SK = "ADMINAK0000000001", "admin-sk-" + "s" * 24
TENANT_AK, TENANT_SK = "TENANTAK000000001", "tenant-sk-" + "s" * 24


def samples(text):
    """{'name{labels}': value} of a text exposition (comments skipped)."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            out[key] = float(value)
    return out


def metrics(srv, headers=None):
    r = srv.request("GET", "/metrics", headers=headers)
    assert r.status == 200, (r.status, r.raw)
    assert r.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return samples(r.raw.decode())


@pytest.fixture(scope="module")
def authed(vpnd_bin, tmp_path_factory):
    d = tmp_path_factory.mktemp("metrics")
    project = new_project()
    creds = d / "credentials"
    # "admin <TOKEN>" is the older form of "admin token <TOKEN>": still read
    creds.write_text("admin %s\ntoken %s %s\nadmin ak %s %s\nak %s %s %s\n"
                     % (ADMIN, TENANT, project, ADMIN_AK, ADMIN_SK, TENANT_AK, TENANT_SK, project))
    creds.chmod(0o600)
    srv = Server(vpnd_bin, str(d), ["--credentials", str(creds), "--status-delay", "100"])
    srv.project = project
    srv.start()
    yield srv
    srv.stop()


def test_metrics_are_open_in_protected_mode(server):
    m = metrics(server)
    assert any(k.startswith("vpnd_build_info{") for k in m)


def test_metrics_without_a_token_answer_401_when_credentials_are_configured(authed):
    r = authed.request("GET", "/metrics")
    assert r.status == 401 and r.json["error_code"] == "APIGW.0301", r.json
    assert "no admin token" in r.json["error_msg"]


def test_a_tenant_token_is_refused_403_on_the_operator_surface(authed):
    r = authed.request("GET", "/metrics", headers={"X-Auth-Token": TENANT})
    assert r.status == 403 and r.json["error_code"] == "APIGW.0302", r.json
    assert r.json["error_msg"] == (
        "The IAM user is not authorized to access the API: token#2 is not an admin credential "
        "(the operator surfaces need an \"admin\" line in the credentials file)")


def signed_get(srv, path, ak, sk):
    return srv.request("GET", path, headers=sign("GET", path, "", {
        "Host": "127.0.0.1:%d" % srv.port}, b"", ak=ak, sk=sk))


def test_a_tenant_aksk_signature_is_refused_403_on_the_operator_surface(authed):
    r = signed_get(authed, "/metrics", TENANT_AK, TENANT_SK)
    assert r.status == 403 and r.json["error_code"] == "APIGW.0302", r.json
    assert "access key \"%s\" is not an admin credential" % TENANT_AK in r.json["error_msg"]


def test_an_admin_aksk_signature_reads_metrics(authed):
    r = signed_get(authed, "/metrics", ADMIN_AK, ADMIN_SK)
    assert r.status == 200 and "vpnd_http_connections_open" in r.raw.decode(), r.raw


def test_an_admin_token_reads_metrics_as_bearer_or_x_auth_token(authed):
    assert "vpnd_http_connections_open" in metrics(authed, {"Authorization": "Bearer " + ADMIN})
    assert "vpnd_http_connections_open" in metrics(authed, {"X-Auth-Token": ADMIN})


def test_an_admin_token_does_not_open_the_tenant_api(authed):
    r = authed.request("GET", "/v5/%s/vpn-gateways" % authed.project,
                       headers={"X-Auth-Token": ADMIN})
    assert r.status == 403 and r.json["error_code"] == "APIGW.0302", r.json


def test_requests_are_counted_by_operation_and_status(fresh_server):
    project = new_project()
    fresh_server.request("GET", "/v5/%s/vpn-gateways" % project)
    fresh_server.request("GET", "/v5/%s/vpn-gateways/no-such-id" % project)
    fresh_server.request("GET", "/nowhere")
    m = metrics(fresh_server)
    assert m['vpnd_http_requests_total{operation="vpn_gateway.list",status="200"}'] == 1
    assert m['vpnd_http_requests_total{operation="vpn_gateway.show",status="404"}'] == 1
    assert m['vpnd_http_requests_total{operation="none",status="404"}'] == 1
    assert m['vpnd_http_request_duration_seconds_count{operation="vpn_gateway.list"}'] == 1
    assert m['vpnd_http_request_duration_seconds_bucket{operation="vpn_gateway.list",le="+Inf"}'] \
        == 1
    assert m["vpnd_store_call_duration_seconds_count"] >= 2
    assert m['vpnd_store_errors_total{error="io"}'] == 0


def test_auth_failures_are_counted_by_cause(authed):
    before = metrics(authed, {"X-Auth-Token": ADMIN})
    authed.request("GET", "/v5/%s/vpn-gateways" % authed.project)
    authed.request("GET", "/v5/%s/vpn-gateways" % authed.project,
                   headers={"X-Auth-Token": "wrong"})
    authed.request("GET", "/v5/%s/vpn-gateways" % new_project(),
                   headers={"X-Auth-Token": TENANT})
    after = metrics(authed, {"X-Auth-Token": ADMIN})
    for cause in ("missing", "unknown_token", "project"):
        key = 'vpnd_auth_failures_total{cause="%s"}' % cause
        assert after[key] - before[key] == 1, cause


def test_injected_faults_are_counted_by_effect(fresh_server):
    project = new_project()
    add_fault(fresh_server, operation="customer_gateway.list", status=503, count=1)
    add_fault(fresh_server, operation="customer_gateway.list", latency_ms=1, count=1)
    assert fresh_server.request("GET", cgw_path(project)).status == 503
    assert fresh_server.request("GET", cgw_path(project)).status == 200
    m = metrics(fresh_server)
    assert m["vpnd_control_faults_injected_total"] == 2
    assert m['vpnd_control_fault_effects_total{effect="error"}'] == 1
    assert m['vpnd_control_fault_effects_total{effect="latency"}'] == 1
    assert m['vpnd_control_fault_effects_total{effect="drop"}'] == 0


def test_without_the_control_surface_there_are_no_control_series(vpnd_bin, tmp_path):
    srv = Server(vpnd_bin, str(tmp_path), ["--control-api", "off"])
    srv.start()
    try:
        assert not [k for k in metrics(srv) if k.startswith("vpnd_control_")]
    finally:
        srv.stop()


def test_a_settled_gateway_counts_a_transition_to_active(fresh_server):
    project = new_project()
    gw = fresh_server.request("POST", "/v5/%s/vpn-gateways" % project, gateway_body()).json
    wait_gateway_active(fresh_server, project, gw["vpn_gateway"]["id"])
    m = metrics(fresh_server)
    assert m['vpnd_status_transitions_total{resource="vpn_gateway",to="ACTIVE"}'] == 1
    assert m["vpnd_engine_ticks_total"] >= 1 and "vpnd_engine_backlog" in m


# ---- a real Prometheus ----

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Prometheus:
    """Debian's prometheus on 127.0.0.1 with its own config and data directory, stopped by PID."""

    def __init__(self, workdir, target, token_file):
        self.dir = str(workdir)
        self.config = os.path.join(self.dir, "prometheus.yml")
        with open(self.config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: vpnd\n    metrics_path: /metrics\n"
                    "    authorization:\n      type: Bearer\n      credentials_file: %s\n"
                    "    static_configs:\n      - targets: ['%s']\n" % (token_file, target))
        self.proc = None
        self.port = None

    def start(self):
        binary = shutil.which("prometheus")
        assert binary, "prometheus is required (scripts/setup.sh --test installs it)"
        for _ in range(5):  # the port picked may be taken by someone else meanwhile
            self.port = free_port()
            log = open(os.path.join(self.dir, "prometheus.log"), "wb")
            self.proc = subprocess.Popen(
                [binary, "--config.file=" + self.config, "--web.listen-address=127.0.0.1:%d"
                 % self.port, "--storage.tsdb.path=" + os.path.join(self.dir, "data"),
                 "--log.level=warn"], stdout=log, stderr=log, stdin=subprocess.DEVNULL)
            log.close()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % self.port,
                                                timeout=2) as r:
                        if r.status == 200:
                            return self
                except OSError:
                    time.sleep(0.2)
            self.stop()
        raise AssertionError("prometheus did not start: %s" % self.log())

    def log(self):
        with open(os.path.join(self.dir, "prometheus.log"), errors="replace") as f:
            return f.read()[-3000:]

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def query(self, expr):
        url = "http://127.0.0.1:%d/api/v1/query?%s" % (
            self.port, urllib.parse.urlencode({"query": expr}))
        with urllib.request.urlopen(url, timeout=5) as r:
            body = json.loads(r.read())
        assert body["status"] == "success", body
        return body["data"]["result"]

    def value(self, expr, timeout=20):
        """The value of a one-series query once Prometheus has it (scrapes are every second)."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.query(expr)
            if result:
                return float(result[0]["value"][1])
            assert time.monotonic() < deadline, "no series for %s; log: %s" % (expr, self.log())
            time.sleep(0.5)


def test_prometheus_scrapes_vpnd_with_a_bearer_token_and_queries_its_series(authed, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(ADMIN + "\n")
    tok = {"X-Auth-Token": TENANT}
    base = "/v5/%s/vpn-gateways" % authed.project
    gw = authed.request("POST", base, gateway_body(), headers=tok)
    assert gw.status == 201, gw.json
    deadline = time.monotonic() + 10
    while authed.request("GET", base + "/" + gw.json["vpn_gateway"]["id"],
                         headers=tok).json["vpn_gateway"]["status"] != "ACTIVE":
        assert time.monotonic() < deadline, "the gateway did not become ACTIVE"
        time.sleep(0.05)
    authed.request("GET", "/v5/%s/vpn-gateways" % authed.project,
                   headers={"X-Auth-Token": "nope"})
    # an injected fault (set with the admin token: the control surface's rule is /metrics's)
    admin = {"X-Auth-Token": ADMIN}
    assert ctl(authed, "POST", "faults", {"operation": "customer_gateway.list", "status": 500,
                                          "count": 1}, headers=admin).status == 201
    assert authed.request("GET", cgw_path(authed.project), headers=tok).status == 500
    prom = Prometheus(tmp_path, "127.0.0.1:%d" % authed.port, token_file).start()
    try:
        assert prom.value('up{job="vpnd"}') == 1
        assert prom.value('vpnd_http_requests_total{operation="vpn_gateway.create",'
                          'status="201"}') == 1
        assert prom.value('vpnd_http_requests_total{operation="vpnd.metrics",status="200"}') >= 1
        assert prom.value('vpnd_http_request_duration_seconds_count{'
                          'operation="vpn_gateway.create"}') == 1
        assert prom.value('histogram_quantile(0.5, rate(vpnd_http_request_duration_seconds_bucket'
                          '{operation="vpnd.metrics"}[1m])) >= 0', timeout=30) >= 0
        assert prom.value('vpnd_auth_failures_total{cause="unknown_token"}') >= 1
        assert prom.value('vpnd_status_transitions_total{resource="vpn_gateway",to="ACTIVE"}') \
            == 1
        assert prom.value("vpnd_engine_backlog") >= 0
        assert prom.value("vpnd_store_call_duration_seconds_count") > 0
        assert prom.value('vpnd_store_errors_total{error="busy"}') >= 0
        assert prom.value("vpnd_http_connections_open") >= 1  # Prometheus's own
        assert prom.value('vpnd_build_info{tls="off"}') == 1
        assert prom.value("vpnd_control_faults_injected_total") == 1
        assert prom.value('vpnd_control_fault_effects_total{effect="error"}') == 1
        # the simulated cloud (--driver sim) has no data plane: none of its series, while the
        # scrapes above brought every other one
        assert prom.query('{__name__=~"vpnd_dataplane_.*"}') == []
    finally:
        prom.stop()
