"""AK/SK and token authentication against the real binary (spec §7), signed here by an
independent implementation of the SDK-HMAC-SHA256 algorithm."""
import hashlib
import hmac
import os
import subprocess
import time
import urllib.parse

import pytest

from vpnd_api import Server, cgw_path, new_project, server_env

AK, SK = "TESTAK0000000001", "TESTsk000000000000000000000000000001"
TOKEN = "tok-" + "a" * 40


def _enc(s):
    return urllib.parse.quote(s, safe="-_.~")


def sign(method, path, query, headers, body, ak=AK, sk=SK, date=None):
    """Adds X-Sdk-Date and Authorization to headers the way the Python SDK does."""
    headers = dict(headers)
    headers["X-Sdk-Date"] = date or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    signed = sorted(k.lower() for k in headers)
    lower = {k.lower(): v.strip() for k, v in headers.items()}
    uri = "/".join(_enc(urllib.parse.unquote(seg)) for seg in path.split("/"))
    if not uri.endswith("/"):
        uri += "/"
    pairs = sorted((_enc(k), _enc(v)) for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True))
    canon = "\n".join([method, uri, "&".join("%s=%s" % p for p in pairs),
                       "".join("%s:%s\n" % (k, lower[k]) for k in signed), ";".join(signed),
                       hashlib.sha256(body).hexdigest()])
    sts = "SDK-HMAC-SHA256\n%s\n%s" % (headers["X-Sdk-Date"],
                                       hashlib.sha256(canon.encode()).hexdigest())
    sig = hmac.new(sk.encode(), sts.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = "SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s" % (
        ak, ";".join(signed), sig)
    return headers


@pytest.fixture(scope="module")
def held():
    return new_project()


@pytest.fixture(scope="module")
def authed(vpnd_bin, tmp_path_factory, held):
    d = tmp_path_factory.mktemp("auth")
    creds = os.path.join(str(d), "credentials")
    with open(creds, "w") as f:
        f.write("# test credentials\nak %s %s %s\ntoken %s %s\n" % (AK, SK, held, TOKEN, held))
    os.chmod(creds, 0o600)
    srv = Server(vpnd_bin, str(d), ["--credentials", creds])
    srv.start()
    yield srv
    srv.stop()


def cgw_post(srv, project, headers, body=b'{"customer_gateway":{"id_value":"1.2.3.4"}}'):
    return srv.request("POST", cgw_path(project), body, headers)


def signed_post(srv, project, **kw):
    body = b'{"customer_gateway":{"id_value":"1.2.3.4"}}'
    h = sign("POST", cgw_path(project), "", {"Content-Type": "application/json",
                                             "Host": "127.0.0.1:%d" % srv.port}, body, **kw)
    return cgw_post(srv, project, h, body)


def test_request_without_credentials_is_rejected_with_apigw_0301(authed, held):
    r = cgw_post(authed, held, {})
    assert r.status == 401 and r.json["error_code"] == "APIGW.0301", r.raw


def test_correctly_signed_request_is_served(authed, held):
    r = signed_post(authed, held)
    assert r.status == 201, r.raw


def test_request_signed_with_a_wrong_secret_key_is_rejected(authed, held):
    r = signed_post(authed, held, sk="WRONG" + SK)
    assert r.status == 401 and r.json["error_code"] == "APIGW.0301", r.raw
    assert SK not in r.raw.decode()


def test_request_with_an_unknown_access_key_is_rejected(authed, held):
    r = signed_post(authed, held, ak="NOSUCHAK")
    assert r.status == 401, r.raw


def test_request_with_a_skewed_date_is_rejected(authed, held):
    r = signed_post(authed, held, date="20200101T000000Z")
    assert r.status == 401, r.raw


def test_tampered_body_is_rejected(authed, held):
    body = b'{"customer_gateway":{"id_value":"1.2.3.4"}}'
    h = sign("POST", cgw_path(held), "", {"Host": "127.0.0.1:%d" % authed.port}, body)
    r = cgw_post(authed, held, h, body.replace(b"1.2.3.4", b"1.2.3.5"))
    assert r.status == 401, r.raw


def test_credential_used_on_a_project_it_does_not_hold_gets_403(authed):
    r = signed_post(authed, new_project())
    assert r.status == 403 and r.json["error_code"] == "APIGW.0302", r.raw


def test_configured_token_is_accepted(authed, held):
    r = cgw_post(authed, held, {"X-Auth-Token": TOKEN})
    assert r.status == 201, r.raw


def test_unknown_token_is_rejected(authed, held):
    r = cgw_post(authed, held, {"X-Auth-Token": TOKEN + "x"})
    assert r.status == 401, r.raw


def test_world_readable_credentials_file_is_refused_at_start(vpnd_bin, tmp_path):
    creds = tmp_path / "credentials"
    creds.write_text("ak %s %s %s\n" % (AK, SK, new_project()))
    os.chmod(str(creds), 0o644)
    p = subprocess.run([vpnd_bin, "serve", "--listen", "127.0.0.1:0", "--db",
                        str(tmp_path / "db"), "--credentials", str(creds)],
                       capture_output=True, timeout=30, env=server_env())
    assert p.returncode != 0
    assert b"credentials" in p.stderr


def test_non_loopback_listen_without_credentials_is_refused(vpnd_bin, tmp_path):
    p = subprocess.run([vpnd_bin, "serve", "--listen", "0.0.0.0:0", "--db", str(tmp_path / "db")],
                       capture_output=True, timeout=30, env=server_env())
    assert p.returncode == 2  # vpnd(8) EXIT STATUS: a configuration error
    assert b"refusing to listen on 0.0.0.0:0 without authentication" in p.stderr


def signed_headers_for(srv, method, path, query, body, extra=None):
    h = {"Host": "127.0.0.1:%d" % srv.port, "X-Project-Id": path.split("/")[2]}
    h.update(extra or {})
    return sign(method, path, query, h, body)


def test_tampered_method_is_rejected(authed, held):
    h = signed_headers_for(authed, "GET", conn_list_path(held), "", b"")
    r = authed.request("DELETE", conn_list_path(held) + "/00000000-0000-4000-8000-000000000000",
                       None, h)
    assert r.status == 401, r.raw


def test_tampered_path_is_rejected(authed, held):
    h = signed_headers_for(authed, "GET", conn_list_path(held), "", b"")
    r = authed.request("GET", "/v5/%s/vpn-gateways/00000000-0000-4000-8000-000000000000" % held,
                       None, h)
    assert r.status == 401, r.raw


def test_tampered_query_is_rejected(authed, held):
    h = signed_headers_for(authed, "GET", conn_list_path(held), "limit=10", b"")
    r = authed.request("GET", conn_list_path(held) + "?limit=11", None, h)
    assert r.status == 401, r.raw


def test_tampered_signed_header_is_rejected(authed, held):
    h = signed_headers_for(authed, "GET", conn_list_path(held), "", b"", {"X-Extra": "a"})
    h["X-Extra"] = "b"
    r = authed.request("GET", conn_list_path(held), None, h)
    assert r.status == 401, r.raw


def test_untampered_signed_list_is_served(authed, held):
    h = signed_headers_for(authed, "GET", conn_list_path(held), "limit=10", b"")
    r = authed.request("GET", conn_list_path(held) + "?limit=10", None, h)
    assert r.status == 200, r.raw


def conn_list_path(project):
    return "/v5/%s/vpn-connection" % project
