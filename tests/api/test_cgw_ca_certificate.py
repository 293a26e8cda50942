"""A customer gateway's CA certificate (spec §4 ca_certificate {id?, content}; spec §2.2: a
connection on a GM gateway needs a customer gateway with one). The certificate is made with the
openssl command line for the run; the facts the server shows are checked against what
`openssl x509` says of it."""

import json
import subprocess
import time

import pytest

from test_gateway_extras import cert_body, cert_path, gm_gateway, pems, server  # noqa: F401
from test_import_export import export, new_db, run, write
from vpnd_api import (TIMESTAMP_RE, UUID_RE, assert_invalid, cgw_path, conn_body, conn_path,
                      create_cgw, create_conn, new_uuid, wait_gateway_active)


def _openssl(*args, cwd):
    return subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    """Two self-signed CA certificates (serials 0A1B and 5) and what openssl says of the first."""
    d = tmp_path_factory.mktemp("ca")
    for name, serial in (("ca1", "0x0A1B"), ("ca2", "0x5")):
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                 "-nodes", "-keyout", name + ".key", "-out", name + ".pem", "-days", "90",
                 "-set_serial", serial, "-subj", "/O=vpnd/CN=" + name, cwd=d)
    end = _openssl("x509", "-noout", "-enddate", "-in", "ca1.pem", cwd=d).strip()
    return {"ca1": (d / "ca1.pem").read_text(), "ca2": (d / "ca2.pem").read_text(),
            "ca1_end": time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                     time.strptime(end[len("notAfter="):],
                                                   "%b %d %H:%M:%S %Y GMT"))}


def with_ca(server, project, pem, **fields):
    return create_cgw(server, project, ca_certificate=dict({"content": pem}, **fields))


def put(server, project, cid, body):
    return server.request("PUT", cgw_path(project, cid), {"customer_gateway": body})


def test_a_created_ca_certificate_shows_its_facts(server, project, ca):
    c = with_ca(server, project, ca["ca1"])
    got = c["ca_certificate"]
    assert list(got) == ["id", "serial_number", "signature_algorithm", "issuer", "subject",
                         "expire_time", "is_updatable"], got
    assert UUID_RE.match(got["id"]), got
    assert got["serial_number"] == "0A1B"
    assert got["subject"] == got["issuer"] == "CN=ca1,O=vpnd"
    assert got["signature_algorithm"] == "ecdsa-with-SHA256"
    assert got["expire_time"] == ca["ca1_end"] and TIMESTAMP_RE.match(got["expire_time"])
    assert got["is_updatable"] is True
    keys = list(c)
    assert keys.index("bgp_asn") < keys.index("ca_certificate") < keys.index("created_at"), keys
    assert server.request("GET", cgw_path(project, c["id"])).json["customer_gateway"] == c
    listed = server.request("GET", cgw_path(project)).json["customer_gateways"]
    assert [x for x in listed if x["id"] == c["id"]] == [c]


def test_a_customer_gateway_without_one_shows_no_ca_certificate(server, project):
    assert "ca_certificate" not in create_cgw(server, project)


def test_a_given_ca_certificate_id_is_kept(server, project, ca):
    cid = new_uuid()
    assert with_ca(server, project, ca["ca1"], id=cid)["ca_certificate"]["id"] == cid


@pytest.mark.parametrize("ca_field,path,rule", [
    ({}, "customer_gateway.ca_certificate.content", "is required"),
    ({"content": ""}, "customer_gateway.ca_certificate.content", "must be 1 to 16384 characters"),
    ({"content": "PEM"}, "customer_gateway.ca_certificate.content", "must be a PEM certificate"),
    ({"content": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"},
     "customer_gateway.ca_certificate.content", "is not a valid PEM X.509 certificate"),
    ({"content": 7}, "customer_gateway.ca_certificate.content", "must be a string"),
    ("x", "customer_gateway.ca_certificate", "must be an object"),
    ({"content": "PEM", "id": "nope"}, "customer_gateway.ca_certificate.id", "must be a UUID"),
])
def test_a_bad_ca_certificate_is_refused_and_nothing_is_created(server, project, ca_field, path,
                                                                rule):
    r = server.request("POST", cgw_path(project),
                       {"customer_gateway": {"id_value": "88.1.1.164", "ca_certificate": ca_field}})
    assert_invalid(r, path, rule)
    assert server.request("GET", cgw_path(project)).json["total_count"] == 0


def test_an_update_replaces_the_ca_certificate_and_a_name_update_keeps_it(server, project, ca):
    c = with_ca(server, project, ca["ca1"])
    r = put(server, project, c["id"], {"ca_certificate": {"content": ca["ca2"]}})
    assert r.status == 200, r.raw
    new = r.json["customer_gateway"]["ca_certificate"]
    assert new["serial_number"] == "05" and new["subject"] == "CN=ca2,O=vpnd", new
    assert new["id"] != c["ca_certificate"]["id"] and UUID_RE.match(new["id"])
    r = put(server, project, c["id"], {"name": "renamed"})
    assert r.status == 200, r.raw
    assert r.json["customer_gateway"]["ca_certificate"] == new


def test_a_bad_ca_certificate_update_changes_nothing(server, project, ca):
    c = with_ca(server, project, ca["ca1"])
    assert_invalid(put(server, project, c["id"], {"ca_certificate": {"content": "PEM"}}),
                   "customer_gateway.ca_certificate.content")
    assert server.request("GET", cgw_path(project, c["id"])).json["customer_gateway"] == c


def gm_with_certificate(server, project, pems_dir):
    gw = gm_gateway(server, project)
    r = server.request("POST", cert_path(project, gw["id"]), cert_body(pems_dir))
    assert r.status == 201, r.raw
    return wait_gateway_active(server, project, gw["id"])


def test_a_gm_connection_needs_a_customer_gateway_with_a_ca_certificate(server, project, ca,
                                                                         pems):
    gw = gm_with_certificate(server, project, pems)
    bare = create_cgw(server, project)
    r = server.request("POST", conn_path(project), conn_body(gw, bare))
    msg = assert_invalid(r, "vpn_connection.cgw_id")
    assert msg == ('invalid request: vpn_connection.cgw_id: customer gateway %s has no CA '
                   'certificate, which a connection on GM gateway %s needs; set one first (PUT '
                   'customer-gateways/%s with ca_certificate.content), got "%s"'
                   % (bare["id"], gw["id"], bare["id"], bare["id"])), msg
    assert server.request("GET", conn_path(project)).json["total_count"] == 0
    assert put(server, project, bare["id"], {"ca_certificate": {"content": ca["ca1"]}}).status \
        == 200
    create_conn(server, project, conn_body(gw, bare))


def test_a_ca_certificate_survives_export_and_import(vpnd_bin, tmp_path, ca):
    project = "%032x" % 7
    rows = [{"project_id": project, "customer_gateway": {
        "id": new_uuid(), "id_value": "88.1.1.164", "ca_certificate": {"content": ca["ca1"]}}}]
    src = write(tmp_path, "in.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    a, b = new_db(tmp_path, "a"), new_db(tmp_path, "b")
    rc, _, err = run(vpnd_bin, "import", "--db", a, src)
    assert rc == 0, err
    first = export(vpnd_bin, a)
    stored = json.loads(first)["customer_gateway"]["ca_certificate"]
    assert stored["content"].startswith("-----BEGIN CERTIFICATE-----") and UUID_RE.match(
        stored["id"]), stored
    rc, _, err = run(vpnd_bin, "import", "--db", b, "--keep-ids",
                     write(tmp_path, "dump.jsonl", first))
    assert rc == 0, err
    assert export(vpnd_bin, b) == first
