"""The published Huawei Cloud Node.js SDK core signs real requests against the running binary."""
import json
import os
import shutil
import subprocess
import time

import pytest

from vpnd_api import Server, conn_body, conn_path, gateway_body, gw_path, new_project

SDK_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sdk")
AK, SK = "SDKTESTAK0000000001", "SDKTESTsk00000000000000000000000000001"
TOKEN = "sdk-token-" + "b" * 32
ADMIN_TOKEN = "sdk-admin-" + "c" * 32  # the control surface's (README "Testing against vpnd")


def sdk(srv, method, path, project, body=None, query=None, sk=SK, ak=AK):
    node = shutil.which("node")
    assert node, "node is required (scripts/setup.sh --test installs it)"
    argv = [node, os.path.join(SDK_DIR, "sdk_sign.js"), "http://127.0.0.1:%d" % srv.port, ak, sk,
            project, method, path, json.dumps(body) if body else "",
            json.dumps(query) if query else ""]
    p = subprocess.run(argv, capture_output=True, timeout=60, cwd=SDK_DIR)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.decode().strip().splitlines()[-1])


@pytest.fixture(scope="module")
def projects():
    return new_project(), new_project()


@pytest.fixture(scope="module")
def authed(vpnd_bin, tmp_path_factory, projects):
    a, b = projects
    d = tmp_path_factory.mktemp("sdk")
    creds = os.path.join(str(d), "credentials")
    with open(creds, "w") as f:
        f.write("ak %s %s %s\nak OTHERAK %s %s\ntoken %s %s,%s\nadmin token %s\n"
                % (AK, SK, a, SK, b, TOKEN, a, b, ADMIN_TOKEN))
    os.chmod(creds, 0o600)
    srv = Server(vpnd_bin, str(d), ["--credentials", creds])
    srv.start()
    yield srv
    srv.stop()


def test_sdk_signed_create_show_and_list_succeed(authed, projects):
    a, _ = projects
    r = sdk(authed, "POST", "/v5/{project_id}/customer-gateways", a,
            {"customer_gateway": {"id_value": "88.1.1.164"}})
    assert r["status"] == 201, r
    cid = r["body"]["customer_gateway"]["id"]
    r = sdk(authed, "GET", "/v5/{project_id}/customer-gateways/" + cid, a)
    assert r["status"] == 200 and r["body"]["customer_gateway"]["id"] == cid, r
    r = sdk(authed, "GET", "/v5/{project_id}/vpn-connection", a, query={"limit": 10})
    assert r["status"] == 200 and r["body"]["total_count"] == 0, r


def test_sdk_request_with_wrong_secret_key_gets_401(authed, projects):
    r = sdk(authed, "GET", "/v5/{project_id}/vpn-connection", projects[0], sk="WRONG" + SK)
    assert r["status"] == 401 and r["error_code"] == "APIGW.0301", r
    assert "verify aksk signature fail" in r["error_msg"]


def test_sdk_request_with_wrong_access_key_gets_401(authed, projects):
    r = sdk(authed, "GET", "/v5/{project_id}/vpn-connection", projects[0], ak="NOSUCHAK")
    assert r["status"] == 401 and r["error_code"] == "APIGW.0301", r


def test_sdk_credential_for_project_a_on_project_b_gets_403(authed, projects):
    r = sdk(authed, "GET", "/v5/{project_id}/vpn-connection", projects[1])
    assert r["status"] == 403 and r["error_code"] == "APIGW.0302", r


def test_project_a_connection_is_404_from_project_b(authed, projects):
    a, b = projects
    tok = {"X-Auth-Token": TOKEN}
    gw = create_gateway_with(authed, a, tok)
    cgw = authed.request("POST", "/v5/%s/customer-gateways" % a,
                         {"customer_gateway": {"id_value": "88.1.1.164"}}, tok).json
    body = conn_body(gw, cgw["customer_gateway"])
    r = authed.request("POST", conn_path(a), body, tok)
    assert r.status == 201, r.raw
    cid = r.json["vpn_connection"]["id"]
    r = sdk(authed, "GET", "/v5/{project_id}/vpn-connection/" + cid, b, ak="OTHERAK")
    assert r["status"] == 404 and r["error_code"] == "VPN.0004", r
    r = sdk(authed, "GET", "/v5/{project_id}/vpn-connection/" + cid, a)
    assert r["status"] == 200, r


def create_gateway_with(srv, project, headers):
    r = srv.request("POST", gw_path(project), gateway_body(), headers)
    assert r.status == 201, r.raw
    gid = r.json["vpn_gateway"]["id"]
    deadline = time.monotonic() + 5
    while True:
        g = srv.request("GET", gw_path(project, gid), None, headers).json["vpn_gateway"]
        if g["status"] == "ACTIVE" or time.monotonic() > deadline:
            return g
        time.sleep(0.02)  # polling interval


def test_sdk_signed_put_with_a_body_succeeds(authed, projects):
    a, _ = projects
    r = sdk(authed, "POST", "/v5/{project_id}/customer-gateways", a,
            {"customer_gateway": {"id_value": "88.1.1.165"}})
    assert r["status"] == 201, r
    cid = r["body"]["customer_gateway"]["id"]
    r = sdk(authed, "PUT", "/v5/{project_id}/customer-gateways/" + cid, a,
            {"customer_gateway": {"name": "renamed-by-sdk"}})
    assert r["status"] == 200 and r["body"]["customer_gateway"]["name"] == "renamed-by-sdk", r


def test_sdk_signed_tag_create_and_delete_answer_204(authed, projects):
    a, _ = projects
    r = sdk(authed, "POST", "/v5/{project_id}/customer-gateways", a,
            {"customer_gateway": {"id_value": "88.1.1.166"}})
    cid = r["body"]["customer_gateway"]["id"]
    path = "/v5/{project_id}/customer-gateway/" + cid + "/tags"
    r = sdk(authed, "POST", path + "/create", a, {"tags": [{"key": "env", "value": "ci"}]})
    assert r["status"] == 204, r
    r = sdk(authed, "GET", path, a)
    assert r["status"] == 200 and r["body"]["tags"] == [{"key": "env", "value": "ci"}], r
    r = sdk(authed, "POST", path + "/delete", a, {"tags": [{"key": "env"}]})
    assert r["status"] == 204, r


def test_sdk_follows_next_marker_with_its_colons_signed_as_the_sdk_encodes_them(authed, projects):
    """The marker is a timestamp ("…T13:41:34.626Z", with "|<id>" on ties): the SDK
    percent-encodes it in the canonical query; the server must verify that and page on."""
    _, b = projects
    for i in range(3):
        r = sdk(authed, "POST", "/v5/{project_id}/customer-gateways", b,
                {"customer_gateway": {"id_value": "88.2.1.%d" % (i + 1)}}, ak="OTHERAK")
        assert r["status"] == 201, r
    seen, query = [], {"limit": 1}
    for _ in range(5):
        r = sdk(authed, "GET", "/v5/{project_id}/customer-gateways", b, query=query, ak="OTHERAK")
        assert r["status"] == 200, r
        seen += [c["id"] for c in r["body"]["customer_gateways"]]
        marker = r["body"]["page_info"].get("next_marker")
        if not marker:
            break
        query = {"limit": 1, "marker": marker}
    assert len(seen) == 3 and len(set(seen)) == 3, seen


def test_sdk_signed_repeated_query_parameters_are_accepted(authed, projects):
    a, _ = projects
    r = sdk(authed, "GET", "/v5/{project_id}/vpn-connection", a,
            query={"enterprise_project_id": ["0", "4a2b6f3e-8f5c-4e2d-9a3b-1c2d3e4f5a6b"],
                   "limit": 5})
    assert r["status"] == 200, r


def test_sdk_signed_delete_answers_204_then_the_resource_is_404(authed, projects):
    a, _ = projects
    r = sdk(authed, "POST", "/v5/{project_id}/customer-gateways", a,
            {"customer_gateway": {"id_value": "88.1.1.167"}})
    cid = r["body"]["customer_gateway"]["id"]
    r = sdk(authed, "DELETE", "/v5/{project_id}/customer-gateways/" + cid, a)
    assert r["status"] == 204, r
    r = sdk(authed, "GET", "/v5/{project_id}/customer-gateways/" + cid, a)
    assert r["status"] == 404 and r["error_code"] == "VPN.0004", r


# ---- the SDK against injected faults (README "Testing against vpnd") ----

def add_fault(srv, **rule):
    r = srv.request("POST", "/_vpnd/faults", rule, {"X-Auth-Token": ADMIN_TOKEN})
    assert r.status == 201, r.raw
    return r.json["fault"]


def test_the_sdk_reports_an_injected_500_with_its_error_code(authed, projects):
    a, _ = projects
    add_fault(authed, operation="vpn_connection.list", project_id=a, status=500, count=1)
    r = sdk(authed, "GET", "/v5/{project_id}/vpn-connection", a)
    assert r["status"] == 500 and r["error_code"] == "VPN.0002", r
    assert r["error_msg"].startswith("fault injected by vpnd (rule "), r


def test_the_sdk_reports_an_injected_throttling_error_with_its_error_code(authed, projects):
    a, _ = projects
    add_fault(authed, operation="customer_gateway.list", project_id=a, status=429,
              error_msg="The throttling threshold has been reached: policy user over ratelimit",
              count=1)
    r = sdk(authed, "GET", "/v5/{project_id}/customer-gateways", a)
    assert r["status"] == 429 and r["error_code"] == "APIGW.0308", r
    assert r["error_msg"] == "The throttling threshold has been reached: policy user over " \
                             "ratelimit", r
    r = sdk(authed, "GET", "/v5/{project_id}/customer-gateways", a)
    assert r["status"] == 200, r


def test_injected_latency_shows_in_the_sdks_timing(authed, projects):
    a, _ = projects
    before = sdk(authed, "GET", "/v5/{project_id}/vpn/quotas", a)
    assert before["status"] == 200, before
    add_fault(authed, operation="quotas.show", project_id=a, latency_ms=1500, count=1)
    slow = sdk(authed, "GET", "/v5/{project_id}/vpn/quotas", a)
    assert slow["status"] == 200, slow
    assert slow["elapsed_ms"] >= 1500 > before["elapsed_ms"], (before, slow)
