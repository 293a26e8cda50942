"""The remaining gateway operations of spec §3.1: the GM certificate (POST/GET/PUT
vpn-gateways/{id}/certificate), upgrade and its jobs (POST vpn-gateways/{id}/upgrade, GET/DELETE
vpn-gateways/jobs) and the routing table (GET vpn-gateways/{id}/routing-table).

Certificates are made with the openssl command line for each run; the server parses them with
libcrypto, so the facts it shows are checked against what `openssl x509` says."""

import subprocess
import time

import pytest

from vpnd_api import (EIP_POOL, PRIVATE_POOL, TIMESTAMP_RE, UUID_RE, Server, assert_error,
                      assert_invalid, conn_body, conn_path, create_cgw, create_conn,
                      create_gateway, gateway_body, get_gateway, gw_path, new_project, new_uuid,
                      private_gateway_body, sanitizer_report, server_env, wait_conn_status,
                      wait_gateway_active)

STATUS_DELAY_MS = 300
POOL_ARGS = ["--eip-pool", EIP_POOL, "--private-pool", PRIVATE_POOL]


@pytest.fixture(scope="module")
def server(vpnd_bin, tmp_path_factory):
    """Connections settle ACTIVE here, so BGP routes show."""
    srv = Server(vpnd_bin, str(tmp_path_factory.mktemp("vpnd")),
                 POOL_ARGS + ["--status-delay", str(STATUS_DELAY_MS),
                                      "--settle-status", "ACTIVE"])
    srv.start()
    yield srv
    if srv.proc is not None:
        srv.stop()


# ---- certificates made for the run ----

def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _read(path):
    with open(path) as f:
        return f.read()


@pytest.fixture(scope="module")
def pems(tmp_path_factory):
    """A CA, two certificates it signed (serials 1234AB and 77) with their keys, and a key of
    none of them."""
    d = tmp_path_factory.mktemp("pki")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "365",
             "-subj", "/O=vpnd/CN=test-ca", cwd=d)
    for name, serial in (("sign", "0x1234AB"), ("enc", "0x77")):
        _openssl("req", *ec, "-keyout", name + ".key", "-out", name + ".csr",
                 "-subj", "/O=vpnd/CN=" + name, cwd=d)
        _openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-set_serial", serial, "-days", "30", "-out", name + ".pem", cwd=d)
    _openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1",
             "-out", "other.key", cwd=d)
    _openssl("pkey", "-in", "sign.key", "-aes256", "-passout", "pass:secret", "-out",
             "locked.key", cwd=d)
    out = {n: _read(d / n) for n in ("ca.pem", "sign.pem", "sign.key", "enc.pem", "enc.key",
                                     "other.key", "locked.key")}
    end = subprocess.run(["openssl", "x509", "-noout", "-enddate", "-in", str(d / "sign.pem")],
                         check=True, capture_output=True, text=True).stdout
    out["sign_end"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                    time.strptime(end.strip()[len("notAfter="):],
                                                  "%b %d %H:%M:%S %Y GMT"))
    return out


def cert_body(pems, **fields):
    c = {"name": "gm-cert", "certificate": pems["sign.pem"], "private_key": pems["sign.key"],
         "certificate_chain": pems["ca.pem"], "enc_certificate": pems["enc.pem"],
         "enc_private_key": pems["enc.key"]}
    for k, v in fields.items():
        if v is None:
            c.pop(k)
        else:
            c[k] = v
    return {"certificate": c}


def cert_path(project, gid, cid=None):
    return gw_path(project, gid) + "/certificate" + ("/%s" % cid if cid else "")


def gm_gateway(server, project):
    gw = create_gateway(server, project, gateway_body(flavor="GM"))
    return wait_gateway_active(server, project, gw["id"])


def active_gateway(server, project, body=None):
    gw = create_gateway(server, project, body or gateway_body())
    return wait_gateway_active(server, project, gw["id"])


def with_certificate(server, project, pems):
    gw = gm_gateway(server, project)
    r = server.request("POST", cert_path(project, gw["id"]), cert_body(pems))
    assert r.status == 201, r.raw
    wait_gateway_active(server, project, gw["id"])
    return gw, r.json["certificate"]


CERT_KEYS = ["id", "name", "project_id", "vgw_id", "status", "issuer", "signature_algorithm",
             "certificate_serial_number", "certificate_subject", "certificate_expire_time",
             "certificate_chain_serial_number", "certificate_chain_subject",
             "certificate_chain_expire_time", "enc_certificate_serial_number",
             "enc_certificate_subject", "enc_certificate_expire_time", "created_at",
             "updated_at"]


def test_a_gm_gateway_takes_a_certificate_and_shows_the_facts_openssl_reads(server, project,
                                                                            pems):
    gw = gm_gateway(server, project)
    r = server.request("POST", cert_path(project, gw["id"]), cert_body(pems))
    assert r.status == 201, r.raw
    assert list(r.json) == ["certificate", "request_id"], r.json
    c = r.json["certificate"]
    assert list(c) == CERT_KEYS, list(c)
    assert UUID_RE.match(c["id"]) and c["vgw_id"] == gw["id"] and c["name"] == "gm-cert"
    assert c["status"] == "BINDING", c
    assert (c["certificate_serial_number"], c["enc_certificate_serial_number"]) == ("1234AB", "77")
    assert c["certificate_subject"] == "CN=sign,O=vpnd", c
    assert c["issuer"] == "CN=test-ca,O=vpnd" == c["certificate_chain_subject"], c
    assert c["enc_certificate_subject"] == "CN=enc,O=vpnd", c
    assert c["signature_algorithm"] == "ecdsa-with-SHA256", c
    assert c["certificate_expire_time"] == pems["sign_end"], (c, pems["sign_end"])
    for k in ("certificate_chain_expire_time", "enc_certificate_expire_time", "created_at"):
        assert TIMESTAMP_RE.match(c[k]), (k, c[k])
    # keys are write-only, and no PEM text comes back
    assert "PRIVATE" not in r.raw.decode() and "BEGIN" not in r.raw.decode(), r.raw
    assert get_gateway(server, project, gw["id"])["status"] == "PENDING_UPDATE"
    shown = wait_gateway_active(server, project, gw["id"])
    assert shown["certificate_id"] == c["id"], shown
    r = server.request("GET", cert_path(project, gw["id"]))
    assert r.status == 200, r.raw
    assert r.json["certificate"] == dict(c, status="BOUND"), r.json


def test_a_gateway_without_certificate_has_no_certificate_id_and_get_is_404(server, project):
    gw = gm_gateway(server, project)
    assert "certificate_id" not in gw, gw
    msg = assert_error(server.request("GET", cert_path(project, gw["id"])), 404, "VPN.0004")
    assert msg == "resource not found: vpn gateway %s has no certificate" % gw["id"], msg


def test_certificates_are_refused_on_gateways_that_are_not_gm(server, project, pems):
    gw = active_gateway(server, project)
    want = ("invalid request: vpn gateway %s: certificates are only for GM gateways, flavor "
            "is Professional1" % gw["id"])
    for method, path, body in (("POST", cert_path(project, gw["id"]), cert_body(pems)),
                               ("GET", cert_path(project, gw["id"]), None),
                               ("PUT", cert_path(project, gw["id"], new_uuid()), cert_body(pems))):
        assert assert_error(server.request(method, path, body), 400, "VPN.0001") == want
    assert "certificate_id" not in get_gateway(server, project, gw["id"])


def test_a_second_certificate_is_refused_naming_the_first(server, project, pems):
    gw, c = with_certificate(server, project, pems)
    msg = assert_error(server.request("POST", cert_path(project, gw["id"]), cert_body(pems)),
                       400, "VPN.0001")
    assert msg == ("invalid request: vpn gateway %s already has certificate %s; change it with "
                   "PUT vpn-gateways/%s/certificate/%s" % (gw["id"], c["id"], gw["id"], c["id"]))


@pytest.mark.parametrize("member", ["certificate", "private_key", "certificate_chain",
                                    "enc_certificate", "enc_private_key"])
def test_every_member_but_name_is_required_on_create(server, project, pems, member):
    gw = gm_gateway(server, project)
    r = server.request("POST", cert_path(project, gw["id"]), cert_body(pems, **{member: None}))
    msg = assert_invalid(r, "certificate." + member)
    assert msg.endswith(": is required"), msg
    assert get_gateway(server, project, gw["id"]) == gw


def test_a_certificate_without_name_gets_a_generated_one(server, project, pems):
    gw = gm_gateway(server, project)
    r = server.request("POST", cert_path(project, gw["id"]), cert_body(pems, name=None))
    assert r.status == 201, r.raw
    name = r.json["certificate"]["name"]
    assert name.startswith("vgw-certificate-") and len(name) == len("vgw-certificate-") + 4, name


def _garbled(pem):
    lines = pem.splitlines()
    lines[2] = "A" * len(lines[2])
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("member,value,rule", [
    ("certificate", "hello",
     'must be a PEM certificate starting with "-----BEGIN CERTIFICATE-----"'),
    ("certificate_chain", "", "must be 1 to 16384 characters of PEM text, got 0 characters"),
    ("enc_certificate", "-----BEGIN CERTIFICATE-----\n" + "A" * 20000,
     "must be 1 to 16384 characters of PEM text, got 20028 characters"),
    ("certificate", 42, "must be a string, got number"),
    ("private_key", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
     'must be a PEM private key starting with "-----BEGIN PRIVATE KEY-----" (or EC / RSA '
     'PRIVATE KEY)'),
    ("enc_private_key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
     "is not a valid unencrypted PEM private key"),
])
def test_pem_members_are_checked(server, project, pems, member, value, rule):
    gw = gm_gateway(server, project)
    r = server.request("POST", cert_path(project, gw["id"]), cert_body(pems, **{member: value}))
    msg = assert_invalid(r, "certificate." + member)
    assert msg == "invalid request: certificate.%s: %s" % (member, rule), msg


def test_a_pem_that_does_not_decode_is_not_a_certificate(server, project, pems):
    gw = gm_gateway(server, project)
    r = server.request("POST", cert_path(project, gw["id"]),
                       cert_body(pems, certificate_chain=_garbled(pems["ca.pem"])))
    msg = assert_invalid(r, "certificate.certificate_chain")
    assert msg.endswith(": is not a valid PEM X.509 certificate"), msg


def test_a_key_must_belong_to_its_certificate(server, project, pems):
    gw = gm_gateway(server, project)
    r = server.request("POST", cert_path(project, gw["id"]),
                       cert_body(pems, enc_private_key=pems["other.key"]))
    msg = assert_invalid(r, "certificate.enc_private_key")
    assert msg == ("invalid request: certificate.enc_private_key: does not belong to "
                   "certificate.enc_certificate (public keys differ)"), msg
    r = server.request("POST", cert_path(project, gw["id"]),
                       cert_body(pems, private_key=pems["enc.key"]))
    assert_invalid(r, "certificate.private_key", "does not belong to certificate.certificate")
    assert server.request("GET", cert_path(project, gw["id"])).status == 404


def test_an_encrypted_key_is_refused_without_asking_for_a_password(server, project, pems):
    gw = gm_gateway(server, project)
    assert pems["locked.key"].startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    r = server.request("POST", cert_path(project, gw["id"]),
                       cert_body(pems, private_key=pems["locked.key"]))
    msg = assert_invalid(r, "certificate.private_key")
    assert msg.endswith(": is not a valid unencrypted PEM private key"), msg


def test_a_certificate_on_a_gateway_still_creating_is_refused(server, project, pems):
    gw = create_gateway(server, project, gateway_body(flavor="GM"))
    msg = assert_error(server.request("POST", cert_path(project, gw["id"]), cert_body(pems)),
                       400, "VPN.0506")
    assert msg == ("The VPN gateway is being created, please try again later: gateway %s is "
                   "PENDING_CREATE" % gw["id"]), msg


def test_put_changes_only_what_is_sent_and_binds_again(server, project, pems):
    gw, c = with_certificate(server, project, pems)
    r = server.request("PUT", cert_path(project, gw["id"], c["id"]),
                       {"certificate": {"name": "renamed"}})
    assert r.status == 200, r.raw
    got = r.json["certificate"]
    assert (got["name"], got["status"], got["id"]) == ("renamed", "BINDING", c["id"]), got
    assert got["updated_at"] > c["updated_at"] and got["created_at"] == c["created_at"]
    skip = ("name", "status", "updated_at")
    assert {k: v for k, v in got.items() if k not in skip} == \
        {k: v for k, v in c.items() if k not in skip}
    wait_gateway_active(server, project, gw["id"])
    # the signing pair swapped for the encryption pair
    r = server.request("PUT", cert_path(project, gw["id"], c["id"]),
                       {"certificate": {"certificate": pems["enc.pem"],
                                        "private_key": pems["enc.key"]}})
    assert r.status == 200, r.raw
    got = r.json["certificate"]
    assert (got["certificate_serial_number"], got["certificate_subject"]) == \
        ("77", "CN=enc,O=vpnd"), got
    assert got["enc_certificate_serial_number"] == "77" and got["name"] == "renamed"


@pytest.mark.parametrize("fields,path,rule", [
    ({"private_key": "k"}, "certificate.certificate", "is required when private_key is given"),
    ({"enc_certificate": "c"}, "certificate.enc_private_key",
     "is required when enc_certificate is given"),
    ({}, "certificate", "must have at least one of name, certificate, private_key, "
                        "certificate_chain, enc_certificate, enc_private_key"),
    ({"vgw_id": "x"}, "certificate.vgw_id", "is not updatable"),
    ({"name": "bad name!"}, "certificate.name", ""),
])
def test_put_errors_are_precise_and_change_nothing(server, project, pems, fields, path, rule):
    gw, c = with_certificate(server, project, pems)
    r = server.request("PUT", cert_path(project, gw["id"], c["id"]), {"certificate": fields})
    assert_invalid(r, path, rule)
    assert server.request("GET", cert_path(project, gw["id"])).json["certificate"] == \
        dict(c, status="BOUND")
    assert get_gateway(server, project, gw["id"])["status"] == "ACTIVE"


def test_put_of_an_unknown_certificate_id_is_404(server, project, pems):
    gw, c = with_certificate(server, project, pems)
    other = new_uuid()
    msg = assert_error(server.request("PUT", cert_path(project, gw["id"], other),
                                      {"certificate": {"name": "x"}}), 404, "VPN.0004")
    assert msg == 'resource not found: certificate "%s" of vpn gateway %s' % (other, gw["id"])
    gm = gm_gateway(server, project)  # a GM gateway with no certificate at all
    assert_error(server.request("PUT", cert_path(project, gm["id"], c["id"]),
                                {"certificate": {"name": "x"}}), 404, "VPN.0004")


def test_put_while_the_gateway_is_updating_is_refused(server, project, pems):
    gw, c = with_certificate(server, project, pems)
    assert server.request("PUT", cert_path(project, gw["id"], c["id"]),
                          {"certificate": {"name": "a"}}).status == 200
    msg = assert_error(server.request("PUT", cert_path(project, gw["id"], c["id"]),
                                      {"certificate": {"name": "b"}}), 400, "VPN.0507")
    assert "gateway %s is PENDING_UPDATE" % gw["id"] in msg, msg


def test_a_gm_gateway_takes_connections_only_once_it_has_a_certificate(server, project, pems):
    gw = gm_gateway(server, project)
    cgw = create_cgw(server, project, ca_certificate={"content": pems["ca.pem"]})
    r = server.request("POST", conn_path(project), conn_body(gw, cgw))
    msg = assert_invalid(r, "vpn_connection.vgw_id")
    assert msg == ('invalid request: vpn_connection.vgw_id: GM gateway %s has no certificate; '
                   'upload one first (POST vpn-gateways/%s/certificate), got "%s"'
                   % (gw["id"], gw["id"], gw["id"])), msg
    r = server.request("POST", cert_path(project, gw["id"]), cert_body(pems))
    assert r.status == 201, r.raw
    wait_gateway_active(server, project, gw["id"])
    create_conn(server, project, conn_body(gw, cgw))


def test_certificates_of_another_project_are_not_found(server, project, pems):
    gw, c = with_certificate(server, project, pems)
    for p, gid in ((new_project(), gw["id"]), (project, new_uuid()), (project, "no-such-id")):
        for method, path, body in (("POST", cert_path(p, gid), cert_body(pems)),
                                   ("GET", cert_path(p, gid), None),
                                   ("PUT", cert_path(p, gid, c["id"]),
                                    {"certificate": {"name": "x"}})):
            msg = assert_error(server.request(method, path, body), 404, "VPN.0004")
            assert msg == 'resource not found: vpn gateway "%s"' % gid, msg
    assert server.request("GET", cert_path(project, gw["id"])).json["certificate"]["name"] == \
        "gm-cert"


# ---- the project's certificates (GET vpn-gateway-certificates) ----

def certificates(server, project, query=""):
    r = server.request("GET", "/v5/%s/vpn-gateway-certificates%s" % (project, query))
    assert r.status == 200, r.raw
    assert list(r.json) == ["vpn_gateway_certificates", "request_id"], r.json
    return r.json["vpn_gateway_certificates"]


def test_the_certificate_list_shows_each_gm_gateways_certificate_with_its_project(server,
                                                                              project, pems):
    gw, _ = with_certificate(server, project, pems)
    (listed,) = certificates(server, project)
    shown = server.request("GET", cert_path(project, gw["id"])).json["certificate"]
    assert listed == shown and listed["project_id"] == project, (listed, shown)
    assert certificates(server, new_project()) == []


def test_the_certificate_list_pages_newest_first_with_the_last_created_at_as_marker(server,
                                                                                    project,
                                                                                    pems):
    made = [with_certificate(server, project, pems)[1]["id"] for _ in range(3)]
    assert [c["id"] for c in certificates(server, project)] == made[::-1]
    first = certificates(server, project, "?limit=2")
    assert [c["id"] for c in first] == made[::-1][:2], first
    rest = certificates(server, project, "?limit=2&marker=" + first[-1]["created_at"])
    assert [c["id"] for c in rest] == made[:1], rest


def test_pre_expire_days_lists_the_certificates_that_expire_within_them(server, project, pems):
    with_certificate(server, project, pems)  # its certificates expire in 30 days, its CA in 365
    assert certificates(server, project, "?pre_expire_days=29") == []
    assert len(certificates(server, project, "?pre_expire_days=31")) == 1


@pytest.mark.parametrize("path,query,message", [
    ("vpn-gateway-certificates", "pre_expire_days=-1",
     'pre_expire_days: must be an integer from 0 to 3650, got "-1"'),
    ("vpn-gateway-certificates", "limit=x", 'limit: must be an integer from 0 to 1000, got "x"'),
    ("vpn-gateway-certificates", "marker=2024-01-31",
     'marker: must be the created_at of the last certificate of the previous page, like '
     '"2024-01-31T12:00:00.000Z", got "2024-01-31"'),
    ("vpn-gateways/jobs", "limit=1001", 'limit: must be an integer from 0 to 1000, got "1001"'),
    ("vpn-gateways/jobs", "marker=yesterday",
     'marker: must be the created_at of the last job of the previous page, like '
     '"2024-01-31T12:00:00.000Z", got "yesterday"'),
])
def test_bad_paging_of_the_certificate_and_job_lists_is_refused(server, project, path, query,
                                                                message):
    r = server.request("GET", "/v5/%s/%s?%s" % (project, path, query))
    assert assert_error(r, 400, "VPN.0001") == "invalid request: " + message


# ---- upgrade and jobs ----

def upgrade(server, project, gid, action):
    return server.request("POST", gw_path(project, gid) + "/upgrade", {"action": action})


def act(server, project, gid, action):
    """An upgrade action that must succeed; returns the job id it answers (UpgradeVpnGateway
    answers {job_id, request_id})."""
    r = upgrade(server, project, gid, action)
    assert r.status == 200, r.raw
    assert list(r.json) == ["job_id", "request_id"], r.json
    assert UUID_RE.match(r.json["job_id"]), r.json
    return r.json["job_id"]


def jobs(server, project, resource_id=None, query=""):
    """The jobs list (ListVpnGatewayJobs: {jobs, request_id}, no page_info or total)."""
    path = "/v5/%s/vpn-gateways/jobs" % project
    params = ([query] if query else []) + (["resource_id=%s" % resource_id] if resource_id else [])
    r = server.request("GET", path + ("?" + "&".join(params) if params else ""))
    assert r.status == 200, r.raw
    assert list(r.json) == ["jobs", "request_id"], r.json
    return r.json["jobs"]


def job_path(project, jid):
    return "/v5/%s/vpn-gateways/jobs/%s" % (project, jid)


JOB_KEYS = ["id", "resource_id", "job_type", "status", "created_at", "expected_time_seconds",
            "error_message", "sub_jobs"]
RUNNING = ("upgrading", "pending_upgrade_confirm")  # an upgrade not finished nor rolled back


def test_start_then_finish_runs_an_upgrade_job_to_success(server, project):
    gw = active_gateway(server, project)
    jid = act(server, project, gw["id"], "start")
    (job,) = jobs(server, project, gw["id"])
    assert get_gateway(server, project, gw["id"])["status"] == "PENDING_UPDATE"
    assert list(job) == JOB_KEYS, job
    assert (job["id"], job["resource_id"], job["job_type"], job["status"]) == (
        jid, gw["id"], "upgrade", "upgrading"), job
    assert TIMESTAMP_RE.match(job["created_at"]) and job["expected_time_seconds"] >= 0, job
    assert (job["error_message"], job["sub_jobs"]) == ("", [])
    wait_gateway_active(server, project, gw["id"])
    (waiting,) = jobs(server, project, gw["id"])
    assert waiting == dict(job, status="pending_upgrade_confirm", expected_time_seconds=0)
    assert act(server, project, gw["id"], "finish") == jid
    (done,) = jobs(server, project, gw["id"])
    assert (done["id"], done["status"]) == (jid, "success"), done
    assert done["finished_at"] >= done["created_at"] == job["created_at"]


def test_rollback_fails_the_upgrade_and_records_a_rollback_job(server, project):
    gw = active_gateway(server, project)
    started = act(server, project, gw["id"], "start")
    wait_gateway_active(server, project, gw["id"])
    rb = act(server, project, gw["id"], "rollback")
    listed = jobs(server, project, gw["id"])
    assert [j["id"] for j in listed] == [rb, started], listed  # newest first
    assert (listed[0]["job_type"], listed[0]["resource_id"]) == ("rollback", gw["id"]), listed
    assert listed[0]["status"] in ("rolling_back", "rollback_success"), listed
    assert listed[1]["status"] == "fail", listed
    assert listed[1]["error_message"] == "rolled back by job %s" % rb, listed
    wait_gateway_active(server, project, gw["id"])
    assert jobs(server, project, gw["id"])[0]["status"] == "rollback_success"


@pytest.mark.parametrize("action", ["finish", "rollback"])
def test_finish_or_rollback_without_a_running_upgrade_is_refused(server, project, action):
    gw = active_gateway(server, project)
    msg = assert_invalid(upgrade(server, project, gw["id"], action), "action")
    assert msg == ('invalid request: action: no upgrade of gateway %s is running; start one '
                   'first, got "%s"' % (gw["id"], action)), msg
    assert jobs(server, project, gw["id"]) == []
    assert get_gateway(server, project, gw["id"]) == gw


def test_a_second_start_is_refused_naming_the_running_job(server, project):
    gw = active_gateway(server, project)
    jid = act(server, project, gw["id"], "start")
    wait_gateway_active(server, project, gw["id"])
    msg = assert_invalid(upgrade(server, project, gw["id"], "start"), "action")
    assert msg == ('invalid request: action: an upgrade of gateway %s is already running (job '
                   '%s); finish or rollback it, got "start"' % (gw["id"], jid)), msg
    assert [(j["id"], j["status"]) for j in jobs(server, project, gw["id"])] == [
        (jid, "pending_upgrade_confirm")]


def test_an_action_while_the_gateway_is_updating_is_refused(server, project):
    gw = active_gateway(server, project)
    act(server, project, gw["id"], "start")
    msg = assert_error(upgrade(server, project, gw["id"], "finish"), 400, "VPN.0507")
    assert "gateway %s is PENDING_UPDATE" % gw["id"] in msg, msg
    assert jobs(server, project, gw["id"])[0]["status"] in RUNNING


@pytest.mark.parametrize("body,path,rule", [
    ({}, "action", "is required (start, finish or rollback)"),
    ({"action": "stop"}, "action", "start"),
    ({"action": 1}, "action", "must be one of start, finish, rollback, got number"),
])
def test_upgrade_bodies_are_validated(server, project, body, path, rule):
    gw = active_gateway(server, project)
    r = server.request("POST", gw_path(project, gw["id"]) + "/upgrade", body)
    assert_invalid(r, path, rule)
    assert get_gateway(server, project, gw["id"]) == gw


def test_a_gateway_keeps_its_ten_newest_jobs(server, project):
    gw = active_gateway(server, project)
    made = []
    for _ in range(6):
        made.append(act(server, project, gw["id"], "start"))
        wait_gateway_active(server, project, gw["id"])
        made.append(act(server, project, gw["id"], "rollback"))
        wait_gateway_active(server, project, gw["id"])
    listed = jobs(server, project, gw["id"])
    assert [j["id"] for j in listed] == made[::-1][:10], listed


def test_jobs_list_filters_by_resource_and_tolerates_unknown_ids(server, project):
    a, b = active_gateway(server, project), active_gateway(server, project)
    ja = act(server, project, a["id"], "start")
    jb = act(server, project, b["id"], "start")
    listed = jobs(server, project)
    assert {j["id"] for j in listed} == {ja, jb}, listed
    assert listed[0]["created_at"] >= listed[1]["created_at"], listed  # newest first
    assert [j["id"] for j in jobs(server, project, a["id"])] == [ja]
    assert jobs(server, project, new_uuid()) == []
    assert jobs(server, new_project()) == []


def test_the_jobs_list_pages_with_limit_and_the_last_created_at_as_marker(server, project):
    gw = active_gateway(server, project)
    made = []
    for action in ("start", "rollback", "start"):
        made.append(act(server, project, gw["id"], action))
        wait_gateway_active(server, project, gw["id"])
    newest_first = [j["id"] for j in jobs(server, project, gw["id"])]
    assert newest_first == made[::-1], newest_first
    first = jobs(server, project, gw["id"], "limit=2")
    assert [j["id"] for j in first] == newest_first[:2], first
    rest = jobs(server, project, gw["id"], "limit=2&marker=%s" % first[-1]["created_at"])
    assert [j["id"] for j in rest] == newest_first[2:], rest
    assert jobs(server, project, gw["id"], "limit=0") == []


def test_a_finished_job_can_be_deleted_but_not_a_running_one(server, project):
    gw = active_gateway(server, project)
    jid = act(server, project, gw["id"], "start")
    msg = assert_error(server.request("DELETE", job_path(project, jid)), 400, "VPN.0001")
    assert msg == ("invalid request: job %s is RUNNING; finish or rollback the upgrade of "
                   "gateway %s first" % (jid, gw["id"])), msg
    wait_gateway_active(server, project, gw["id"])
    assert upgrade(server, project, gw["id"], "finish").status == 200
    r = server.request("DELETE", job_path(project, jid))
    assert r.status == 204 and r.raw == b"", r.raw
    assert jobs(server, project, gw["id"]) == []
    # deleting a job leaves the gateway's status as it was
    assert get_gateway(server, project, gw["id"])["status"] == "PENDING_UPDATE"
    wait_gateway_active(server, project, gw["id"])


def test_unknown_and_foreign_jobs_are_not_found(server, project):
    gw = active_gateway(server, project)
    jid = act(server, project, gw["id"], "start")
    wait_gateway_active(server, project, gw["id"])
    upgrade(server, project, gw["id"], "finish")
    for p, j in ((project, new_uuid()), (project, "not-a-uuid"), (new_project(), jid)):
        msg = assert_error(server.request("DELETE", job_path(p, j)), 404, "VPN.0004")
        assert msg == 'resource not found: job "%s"' % j, msg
    assert [j["id"] for j in jobs(server, project, gw["id"])] == [jid]


def test_upgrade_of_an_unknown_or_foreign_gateway_is_404(server, project):
    gw = active_gateway(server, project)
    for p, gid in ((project, new_uuid()), (new_project(), gw["id"])):
        msg = assert_error(upgrade(server, p, gid, "start"), 404, "VPN.0004")
        assert msg == 'resource not found: vpn gateway "%s"' % gid, msg
    assert jobs(server, project) == []


def test_jobs_and_certificate_survive_a_gateway_update(server, project, pems):
    """Other writes of the gateway carry the state kept in its spec."""
    gw, c = with_certificate(server, project, pems)
    act(server, project, gw["id"], "start")
    wait_gateway_active(server, project, gw["id"])
    (job,) = jobs(server, project, gw["id"])
    r = server.request("PUT", gw_path(project, gw["id"]), {"vpn_gateway": {"name": "renamed"}})
    assert r.status == 200, r.raw
    assert r.json["vpn_gateway"]["certificate_id"] == c["id"]
    wait_gateway_active(server, project, gw["id"])
    assert jobs(server, project, gw["id"]) == [job]


# ---- routing table ----

def routes_path(project, gid, query=""):
    return gw_path(project, gid) + "/routing-table" + query


def routing_table(server, project, gid, query=""):
    r = server.request("GET", routes_path(project, gid, query))
    assert r.status == 200, r.raw
    assert list(r.json) == ["routing_table", "page_info", "total_count", "request_id"], r.json
    return r.json


def ip_of(cidr):
    return cidr.split("/")[0]


def test_static_connections_route_their_peer_subnets_through_their_tunnels(server, project):
    gw = active_gateway(server, project)
    cgw = create_cgw(server, project)
    a = create_conn(server, project, conn_body(gw, cgw, name="conn-a",
                                               peer_subnets=["192.168.9.0/24", "192.168.1.0/24"]))
    b = create_conn(server, project, conn_body(gw, cgw, eip="eip2", name="conn-b",
                                               peer_subnets=["172.16.0.0/16"]))
    for c in (a, b):
        wait_conn_status(server, project, c["id"], "ACTIVE")
    t = routing_table(server, project, gw["id"])
    assert t["total_count"] == 3 and t["page_info"] == {"current_count": 3}, t
    want = [("172.16.0.0/16", b), ("192.168.1.0/24", a), ("192.168.9.0/24", a)]
    assert t["routing_table"] == [
        {"destination": d, "nexthop": ip_of(c["tunnel_peer_address"]),
         "outbound_interface_ip": ip_of(c["tunnel_local_address"]), "origin": "static",
         "as_path": "", "med": 0} for d, c in want], t
    t = routing_table(server, project, gw["id"], "?is_include_nexthop_resource=true")
    assert [r["nexthop_resource"] for r in t["routing_table"]] == [
        {"id": c["id"], "name": c["name"], "type": "vpn_connection"} for _, c in want], t
    t = routing_table(server, project, gw["id"], "?is_include_nexthop_resource=false")
    assert all("nexthop_resource" not in r for r in t["routing_table"]), t


def test_bgp_routes_carry_the_customer_asn_and_policy_routes_lead_to_the_customer_gateway(
        server, project):
    gw = active_gateway(server, project)
    bgp_cgw = create_cgw(server, project, id_value="88.1.1.10", bgp_asn=65010)
    pol_cgw = create_cgw(server, project, id_value="88.1.1.20")
    bgp = create_conn(server, project, conn_body(gw, bgp_cgw, style="bgp",
                                                 peer_subnets=["192.168.20.0/24"]))
    pol = create_conn(server, project, conn_body(
        gw, pol_cgw, eip="eip2", style="policy", peer_subnets=["192.168.30.0/24"],
        policy_rules=[{"source": "10.0.0.0/24", "destination": ["192.168.30.0/24"]}]))
    for c in (bgp, pol):
        wait_conn_status(server, project, c["id"], "ACTIVE")
    got = routing_table(server, project, gw["id"])["routing_table"]
    assert got == [
        {"destination": "192.168.20.0/24", "nexthop": ip_of(bgp["tunnel_peer_address"]),
         "outbound_interface_ip": ip_of(bgp["tunnel_local_address"]), "origin": "bgp",
         "as_path": "65010", "med": 0},
        {"destination": "192.168.30.0/24", "nexthop": "88.1.1.20",
         "outbound_interface_ip": gw["eip2"]["ip_address"], "origin": "static", "as_path": "",
         "med": 0}], got


def test_the_routing_table_pages_by_offset_limit_and_marker(server, project):
    gw = active_gateway(server, project)
    cgw = create_cgw(server, project)
    subnets = ["192.168.%d.0/24" % i for i in range(5)]
    c = create_conn(server, project, conn_body(gw, cgw, peer_subnets=subnets))
    wait_conn_status(server, project, c["id"], "ACTIVE")
    t = routing_table(server, project, gw["id"], "?limit=2")
    assert [r["destination"] for r in t["routing_table"]] == subnets[:2]
    assert t["page_info"] == {"next_marker": "2", "current_count": 2} and t["total_count"] == 5
    t = routing_table(server, project, gw["id"], "?limit=2&marker=" + t["page_info"]["next_marker"])
    assert [r["destination"] for r in t["routing_table"]] == subnets[2:4]
    t = routing_table(server, project, gw["id"], "?offset=4&limit=2")
    assert [r["destination"] for r in t["routing_table"]] == subnets[4:]
    assert t["page_info"] == {"current_count": 1}, t
    t = routing_table(server, project, gw["id"], "?offset=9")
    assert t["routing_table"] == [] and t["total_count"] == 5
    assert routing_table(server, project, gw["id"], "?limit=0")["routing_table"] == []


@pytest.mark.parametrize("query,msg", [
    ("?limit=2001", 'limit: must be an integer from 0 to 2000, got "2001"'),
    ("?limit=-1", 'limit: must be an integer from 0 to 2000, got "-1"'),
    ("?offset=x", 'offset: must be an integer from 0 to 1000000, got "x"'),
    ("?marker=abc", 'marker: must be a next_marker from a previous page, got "abc"'),
    ("?marker=2&offset=1", "marker: cannot be combined with offset"),
    ("?is_include_nexthop_resource=yes",
     'is_include_nexthop_resource: must be true or false, got "yes"'),
])
def test_routing_table_query_errors_are_precise(server, project, query, msg):
    gw = active_gateway(server, project)
    got = assert_error(server.request("GET", routes_path(project, gw["id"], query)), 400,
                       "VPN.0001")
    assert got == "invalid request: " + msg, got


def test_a_gateway_without_connections_has_an_empty_table_and_others_are_404(server, project):
    gw = active_gateway(server, project, private_gateway_body())
    t = routing_table(server, project, gw["id"])
    assert (t["routing_table"], t["total_count"], t["page_info"]) == ([], 0, {"current_count": 0})
    for p, gid in ((project, new_uuid()), (new_project(), gw["id"])):
        msg = assert_error(server.request("GET", routes_path(p, gid)), 404, "VPN.0004")
        assert msg == 'resource not found: vpn gateway "%s"' % gid, msg


# ---- export / import ----

def _vpnd(vpnd_bin, *args):
    p = subprocess.run([vpnd_bin, *args], capture_output=True, env=server_env(), timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    assert sanitizer_report(err) is None, err
    assert p.returncode == 0, err
    return p.stdout.decode()


def test_export_and_import_carry_the_certificate_and_jobs_of_a_gm_gateway(vpnd_bin, tmp_path,
                                                                          pems):
    project = new_project()
    args = POOL_ARGS + ["--status-delay", "50"]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = Server(vpnd_bin, str(tmp_path / "a"), args)
    a.start()
    try:
        gw, cert = with_certificate(a, project, pems)
        cgw = create_cgw(a, project, ca_certificate={"content": pems["ca.pem"]})
        conn = create_conn(a, project, conn_body(gw, cgw))
        act(a, project, gw["id"], "start")
        wait_gateway_active(a, project, gw["id"])
        (job,) = jobs(a, project, gw["id"])
        cert = a.request("GET", cert_path(project, gw["id"])).json["certificate"]
    finally:
        a.stop()
    dump = _vpnd(vpnd_bin, "export", "--db", a.db)
    # no key and none of the gateway's certificates; only the customer gateway's public CA
    assert "PRIVATE" not in dump and dump.count("BEGIN") == 1, dump
    assert all(pems[n].split("\n")[1] not in dump for n in ("sign.pem", "enc.pem")), dump
    (tmp_path / "dump.jsonl").write_text(dump)
    b = Server(vpnd_bin, str(tmp_path / "b"), args)
    _vpnd(vpnd_bin, "import", "--db", b.db, "--keep-ids", str(tmp_path / "dump.jsonl"))
    b.start()
    try:
        assert b.request("GET", cert_path(project, gw["id"])).json["certificate"] == cert
        assert jobs(b, project, gw["id"]) == [job]
        assert b.request("GET", conn_path(project, conn["id"])).status == 200
    finally:
        b.stop()
