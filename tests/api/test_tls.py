"""TLS (--tls-cert, --tls-key): a private CA made here with the openssl CLI; curl, Python's ssl
and the official Node.js SDK core (NODE_EXTRA_CA_CERTS) connect through it; hostile TLS input
(a stalled handshake, garbage, plain HTTP) is closed without pinning the loop; the certificate is
swapped on SIGHUP for new connections, and a failed swap keeps the old pair."""

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time

import pytest

from vpnd_api import Server, closed_within, new_project, server_env

SDK_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sdk")
AK, SK = "TLSTESTAK0000000001", "TLSTESTsk00000000000000000000000000001"


def openssl(*args, cwd):
    p = subprocess.run(["openssl"] + list(args), cwd=cwd, capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr


class Pki:
    """A private CA in dir and server certificates it signs (localhost, 127.0.0.1)."""

    def __init__(self, d):
        self.dir = str(d)
        self.ca = os.path.join(self.dir, "ca.pem")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=vpnd test CA",
                cwd=self.dir)

    def server(self, name, cn="localhost"):
        """Writes name.pem (certificate, then the CA: a chain) and name.key (mode 600)."""
        with open(os.path.join(self.dir, "ext"), "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn,
                cwd=self.dir)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", name + ".crt", "-days", "1", "-extfile", "ext",
                cwd=self.dir)
        cert, key = os.path.join(self.dir, name + ".pem"), os.path.join(self.dir, name + ".key")
        with open(cert, "w") as out:
            for part in (name + ".crt", "ca.pem"):
                with open(os.path.join(self.dir, part)) as f:
                    out.write(f.read())
        os.chmod(key, 0o600)
        return cert, key

    def context(self):
        return ssl.create_default_context(cafile=self.ca)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return Pki(tmp_path_factory.mktemp("pki"))


def tls_server(vpnd_bin, pki, workdir, name="srv", cn="localhost", args=()):
    cert, key = pki.server(name, cn)
    srv = Server(vpnd_bin, str(workdir), ["--tls-cert", cert, "--tls-key", key] + list(args))
    srv.ssl_context = pki.context()
    srv.start()
    return srv, cert, key


@pytest.fixture(scope="module")
def tls(vpnd_bin, pki, tmp_path_factory):
    srv, _, _ = tls_server(vpnd_bin, pki, tmp_path_factory.mktemp("tls"),
                           args=["--request-timeout", "1500"])
    yield srv
    srv.stop()


def peer_subject(port, pki):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with pki.context().wrap_socket(raw, server_hostname="localhost") as s:
            return dict(x[0] for x in s.getpeercert()["subject"])["commonName"]


def test_the_readiness_line_says_https(tls):
    # (stdout has "vpnd: listening on https://...", which the fixture read)
    assert "event=listening version=" in tls.stderr_text()
    assert "address=https://127.0.0.1:%d" % tls.port in tls.stderr_text()


def test_curl_lists_gateways_over_tls_with_the_private_ca(tls, pki):
    p = subprocess.run(["curl", "-sS", "--fail", "--cacert", pki.ca,
                        "https://localhost:%d/v5/%s/vpn-gateways" % (tls.port, new_project())],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["vpn_gateways"] == []


def test_curl_without_the_ca_refuses_the_certificate(tls):
    p = subprocess.run(["curl", "-sS", "https://localhost:%d/metrics" % tls.port],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 60, (p.returncode, p.stderr)  # peer certificate cannot be verified


def test_keep_alive_requests_share_one_tls_session(tls):
    conn = tls.connection()
    try:
        for _ in range(3):
            conn.request("GET", "/v5/%s/customer-gateways" % new_project())
            r = conn.getresponse()
            assert r.status == 200 and json.loads(r.read())["customer_gateways"] == []
    finally:
        conn.close()


def test_large_bodies_cross_tls_in_several_records_both_ways(tls):
    # a 70 KB request (five records) is read whole and refused for its content
    body = {"customer_gateway": {"name": "n" * 70000, "id_value": "203.0.113.9"}}
    r = tls.request("POST", "/v5/%s/customer-gateways" % new_project(), body)
    assert r.status == 400 and r.json["error_code"] == "VPN.0001", r.json
    # the OpenAPI document (over 100 KB) arrives byte for byte
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "spec", "openapi.json"),
              "rb") as f:
        assert tls.request("GET", "/openapi.json").raw == f.read()


def test_the_official_sdk_core_signs_over_tls_with_node_extra_ca_certs(vpnd_bin, pki, tmp_path):
    node = shutil.which("node")
    assert node, "node is required (scripts/setup.sh --test installs it)"
    project = new_project()
    creds = tmp_path / "credentials"
    creds.write_text("ak %s %s %s\n" % (AK, SK, project))
    creds.chmod(0o600)
    srv, _, _ = tls_server(vpnd_bin, pki, tmp_path, args=["--credentials", str(creds)])
    try:
        argv = [node, os.path.join(SDK_DIR, "sdk_sign.js"), "https://localhost:%d" % srv.port,
                AK, SK, project, "POST", "/v5/{project_id}/customer-gateways",
                json.dumps({"customer_gateway": {"id_value": "88.1.1.164"}}), ""]
        env = dict(os.environ, NODE_EXTRA_CA_CERTS=pki.ca)
        p = subprocess.run(argv, capture_output=True, timeout=60, cwd=SDK_DIR, env=env)
        assert p.returncode == 0, p.stderr
        r = json.loads(p.stdout.decode().strip().splitlines()[-1])
        assert r["status"] == 201 and r["body"]["customer_gateway"]["id_value"] == "88.1.1.164", r
        # without the CA the SDK refuses the server
        env.pop("NODE_EXTRA_CA_CERTS")
        p = subprocess.run(argv, capture_output=True, timeout=60, cwd=SDK_DIR, env=env)
        r = json.loads(p.stdout.decode().strip().splitlines()[-1])
        assert r["status"] == 0 and "certificate" in r["error_msg"], r
    finally:
        srv.stop()


def test_a_stalled_handshake_is_closed_at_the_handshake_deadline(tls):
    # a ClientHello record header announcing 512 bytes, then nothing: --request-timeout 1500
    with socket.create_connection(("127.0.0.1", tls.port)) as s:
        s.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
        took = closed_within(s, 5)
    assert took is not None and 1.0 < took < 3.0, took


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_garbage_and_plain_http_are_closed_at_once_and_do_not_pin_the_loop(tls):
    before = cpu_seconds(tls.proc.pid)
    started = time.monotonic()
    for payload in [os.urandom(4096), b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                    b"\x16\x03\x01\xff\xff" + os.urandom(300)] * 30:
        with socket.create_connection(("127.0.0.1", tls.port)) as s:
            s.sendall(payload)
            took = closed_within(s, 2)
            assert took is not None and took < 1.0, (payload[:16], took)
    # 90 hostile connections cost the server little CPU, and it still answers at once
    assert cpu_seconds(tls.proc.pid) - before < 0.25 * (time.monotonic() - started) + 0.5
    t = time.monotonic()
    assert tls.request("GET", "/metrics").status == 200
    assert time.monotonic() - t < 1.0


def test_a_client_gets_through_while_stalled_handshakes_hold_every_slot(vpnd_bin, pki, tmp_path):
    srv, _, _ = tls_server(vpnd_bin, pki, tmp_path, args=["--max-connections", "20"])
    stalled = []
    try:
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", srv.port))
            s.sendall(b"\x16\x03\x01")
            stalled.append(s)
        time.sleep(0.2)
        t = time.monotonic()
        r = srv.request("GET", "/v5/%s/vpn-gateways" % new_project(), timeout=10)
        took = time.monotonic() - t
        assert r.status == 200 and took < 2.5, took  # full: handshakes get 1 s, oldest first
    finally:
        for s in stalled:
            s.close()
        srv.stop()


def test_sighup_swaps_the_certificate_for_new_connections(vpnd_bin, pki, tmp_path):
    srv, cert, key = tls_server(vpnd_bin, pki, tmp_path, name="first", cn="localhost")
    try:
        assert peer_subject(srv.port, pki) == "localhost"
        kept = srv.connection()
        kept.request("GET", "/metrics")
        assert kept.getresponse().read()
        new_cert, new_key = pki.server("second", cn="renewed.localhost")
        shutil.copy(new_cert, cert)
        shutil.copy(new_key, key)
        srv.send_signal(signal.SIGHUP)
        wait_log(srv, 'event=reload result=ok')
        assert "CN = renewed.localhost" in srv.stderr_text().split("event=reload result=ok")[1] \
            or "CN=renewed.localhost" in srv.stderr_text()
        assert peer_subject(srv.port, pki) == "renewed.localhost"
        kept.request("GET", "/metrics")  # the connection made before keeps its session
        assert kept.getresponse().status == 200
        kept.close()
    finally:
        srv.stop()


def test_a_failed_certificate_reload_keeps_the_old_pair_and_says_so(vpnd_bin, pki, tmp_path):
    srv, cert, key = tls_server(vpnd_bin, pki, tmp_path, name="keep", cn="localhost")
    try:
        with open(cert, "w") as f:
            f.write("not a certificate\n")
        srv.send_signal(signal.SIGHUP)
        line = wait_log(srv, "event=reload result=failed")
        assert "not a PEM certificate chain" in line and cert in line, line
        assert 'kept_tls="/CN=localhost (expires ' in line, line
        assert peer_subject(srv.port, pki) == "localhost"
        assert srv.request("GET", "/metrics").status == 200
    finally:
        srv.stop()


def wait_log(srv, needle, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        lines = [x for x in srv.stderr_text().splitlines() if needle in x]
        if lines:
            return lines[-1]
        assert time.monotonic() < deadline, "%r not logged: %s" % (needle, srv.stderr_tail())
        time.sleep(0.05)


def run(vpnd_bin, *args):
    p = subprocess.run([vpnd_bin] + list(args), capture_output=True, text=True, timeout=30,
                       env=server_env())
    return p.returncode, p.stdout, p.stderr


def test_tls_cert_without_tls_key_exits_2(vpnd_bin, pki):
    cert, _ = pki.server("lonely")
    rc, _, err = run(vpnd_bin, "serve", "--listen", "127.0.0.1:0", "--tls-cert", cert)
    assert rc == 2 and "--tls-cert: TLS needs both --tls-cert and --tls-key" in err, err


def test_a_private_key_readable_by_others_is_refused_with_exit_3(vpnd_bin, pki, tmp_path):
    cert, key = pki.server("open")
    os.chmod(key, 0o644)
    rc, _, err = run(vpnd_bin, "check-config", "--tls-cert", cert, "--tls-key", key)
    assert rc == 3 and "permissions 0644 let other users read or write the private key" in err


def test_a_key_of_another_certificate_is_refused_with_exit_2(vpnd_bin, pki):
    cert, _ = pki.server("one")
    _, key = pki.server("two")
    rc, _, err = run(vpnd_bin, "check-config", "--tls-cert", cert, "--tls-key", key)
    assert rc == 2 and "the key does not belong to the certificate" in err, err


def test_credentials_served_off_loopback_without_tls_are_warned_about_loudly(vpnd_bin, pki,
                                                                             tmp_path):
    creds = tmp_path / "credentials"
    creds.write_text("token %s %s\n" % ("t" * 32, new_project()))
    creds.chmod(0o600)
    rc, _, err = run(vpnd_bin, "check-config", "--listen", "0.0.0.0:8443", "--credentials",
                     str(creds))
    assert rc == 0 and "level=warn event=insecure listen=0.0.0.0:8443" in err, err
    assert "WITHOUT TLS" in err
    cert, key = pki.server("warned")
    rc, _, err = run(vpnd_bin, "check-config", "--listen", "0.0.0.0:8443", "--credentials",
                     str(creds), "--tls-cert", cert, "--tls-key", key)
    assert rc == 0 and "event=insecure" not in err, err


def test_turning_tls_off_by_a_reload_needs_a_restart(vpnd_bin, pki, tmp_path):
    cert, key = pki.server("conf")
    conf = tmp_path / "vpnd.conf"
    conf.write_text("tls-cert = %s\ntls-key = %s\n" % (cert, key))
    srv = Server(vpnd_bin, str(tmp_path), ["--config", str(conf)])
    srv.ssl_context = pki.context()
    srv.start()
    try:
        conf.write_text("")
        srv.send_signal(signal.SIGHUP)
        line = wait_log(srv, "event=reload result=failed")
        assert "turning TLS off needs a restart" in line, line
        assert srv.request("GET", "/metrics").status == 200
    finally:
        srv.stop()


def test_tls_metrics_count_handshakes_and_failures(tls):
    with socket.create_connection(("127.0.0.1", tls.port)) as s:
        s.sendall(b"garbage that is no TLS record\r\n\r\n")
        closed_within(s, 2)
    text = tls.request("GET", "/metrics").raw.decode()
    values = {line.split(" ")[0]: float(line.split(" ")[1]) for line in text.splitlines()
              if line and not line.startswith("#")}
    assert values["vpnd_tls_handshakes_total"] >= 1
    assert values["vpnd_tls_handshake_failures_total"] >= 1
    assert values["vpnd_tls_certificate_expiry_timestamp_seconds"] > time.time()
    assert values['vpnd_build_info{version="%s",store="%s",tls="on"}' % (
        open(os.path.join(os.path.dirname(__file__), "..", "..", "VERSION")).read().strip(),
        "postgres" if tls.db.startswith("postgres") else "sqlite")] == 1

