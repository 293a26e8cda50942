"""vpnd import / vpnd export: records in the API's create shapes, validated as the API does,
stored in one transaction, written back so that they read back identically."""

import json
import os
import subprocess
import time

from vpnd_api import (EIP_POOL, PRIVATE_POOL, Server, conn_path, gw_path, new_project, new_uuid,
                      pg_base_url, pg_schema_url, sanitizer_report, server_env)

PSK = "Abcd1234!x"


def new_db(tmp_path, name):
    """A fresh store for one test: a SQLite file, or on the PostgreSQL pass a fresh schema of
    $VPND_TEST_DB_URL (so import and export run against a PostgreSQL URL there)."""
    base = pg_base_url()
    return pg_schema_url(base) if base else str(tmp_path / (name + ".db"))


def run(vpnd_bin, *args, stdin=None):
    """Runs a vpnd subcommand; returns (exit code, stdout, stderr) and checks for sanitizers."""
    p = subprocess.run([vpnd_bin] + list(args), input=stdin, capture_output=True,
                       env=server_env(), timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    assert sanitizer_report(err) is None, err
    return p.returncode, p.stdout.decode(), err


def records(project):
    """A gateway, a customer gateway and three connections (one with every default)."""
    gw, cgw, eip1, eip2 = new_uuid(), new_uuid(), new_uuid(), new_uuid()
    rows = [
        {"project_id": project, "vpn_gateway": {
            "id": gw, "vpc_id": new_uuid(), "connect_subnet": new_uuid(),
            "local_subnets": ["10.0.0.0/24"], "eip1": {"id": eip1}, "eip2": {"id": eip2}}},
        {"project_id": project, "customer_gateway": {"id": cgw, "id_value": "88.1.1.164"}},
    ]
    for i in range(2):
        rows.append({"project_id": project, "vpn_connection": {
            "id": new_uuid(), "name": "vpn-%d" % i, "vgw_id": gw, "vgw_ip": eip1, "cgw_id": cgw,
            "style": "POLICY", "peer_subnets": ["192.168.%d.0/24" % i],
            "tunnel_local_address": "169.254.56.%d/30" % (225 + 4 * i),
            "tunnel_peer_address": "169.254.56.%d/30" % (226 + 4 * i),
            "policy_rules": [{"source": "10.0.0.0/24", "destination": ["192.168.%d.0/24" % i]}],
            "psk": PSK}})
    rows.append({"project_id": project, "vpn_connection": {
        "vgw_id": gw, "vgw_ip": eip2, "cgw_id": cgw, "peer_subnets": ["192.168.9.0/24"],
        "psk": PSK}})
    return rows


def jsonl(rows):
    return "".join(json.dumps(r) + "\n" for r in rows)


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def export(vpnd_bin, db):
    rc, out, err = run(vpnd_bin, "export", "--db", db)
    assert rc == 0, err
    return out


def test_export_of_an_import_imports_back_identically(vpnd_bin, tmp_path):
    src = write(tmp_path, "in.jsonl", jsonl(records(new_project())))
    a, b = new_db(tmp_path, "a"), new_db(tmp_path, "b")
    rc, _, err = run(vpnd_bin, "import", "--db", a, src)
    assert rc == 0, err
    first = export(vpnd_bin, a)
    assert len(first.splitlines()) == 5
    dump = write(tmp_path, "dump.jsonl", first)
    rc, _, err = run(vpnd_bin, "import", "--db", b, "--keep-ids", dump)
    assert rc == 0, err
    assert export(vpnd_bin, b) == first


def test_a_dual_stack_gateway_and_its_connections_export_and_import_back_identically(
        vpnd_bin, tmp_path):
    project, gw, cgw, eip1 = new_project(), new_uuid(), new_uuid(), new_uuid()
    rows = [
        {"project_id": project, "vpn_gateway": {
            "id": gw, "ip_version": "ipv6", "vpc_id": new_uuid(), "connect_subnet": new_uuid(),
            "local_subnets": ["10.0.0.0/24"], "local_subnets_v6": ["2001:DB8:10::/48"],
            "eip1": {"id": eip1}, "eip2": {"id": new_uuid()}}},
        {"project_id": project, "customer_gateway": {"id": cgw, "id_value": "2001:db8:ff::1"}},
        {"project_id": project, "vpn_connection": {
            "vgw_id": gw, "vgw_ip": eip1, "cgw_id": cgw, "style": "POLICY",
            "peer_subnets_v6": ["2001:db8:20::/48"], "psk": PSK,
            "policy_rules_v6": [{"source": "2001:db8:10::/48",
                                 "destination": ["2001:db8:20::/48"]}]}},
    ]
    a, b = new_db(tmp_path, "a"), new_db(tmp_path, "b")
    rc, _, err = run(vpnd_bin, "import", "--db", a, write(tmp_path, "in.jsonl", jsonl(rows)))
    assert rc == 0, err
    first = export(vpnd_bin, a)
    got = [json.loads(line) for line in first.splitlines()]
    assert got[0]["vpn_gateway"]["local_subnets_v6"] == ["2001:db8:10::/48"], got[0]
    assert got[0]["vpn_gateway"]["eip1"]["ip_version"] == 6, got[0]
    assert got[2]["vpn_connection"]["policy_rules_v6"][0]["source"] == "2001:db8:10::/48", got[2]
    rc, _, err = run(vpnd_bin, "import", "--db", b, "--keep-ids",
                     write(tmp_path, "dump.jsonl", first))
    assert rc == 0, err
    assert export(vpnd_bin, b) == first


def test_export_carries_the_psk_and_the_generated_values(vpnd_bin, tmp_path):
    src = write(tmp_path, "in.jsonl", jsonl(records(new_project())))
    db = new_db(tmp_path, "a")
    assert run(vpnd_bin, "import", "--db", db, src)[0] == 0
    rows = [json.loads(line) for line in export(vpnd_bin, db).splitlines()]
    conns = [r["vpn_connection"] for r in rows if "vpn_connection" in r]
    assert all(c["psk"] == PSK for c in conns)
    (generated,) = [c for c in conns if c["name"] not in ("vpn-0", "vpn-1")]
    assert generated["tunnel_local_address"] == "169.254.0.1/30"  # lowest free /30
    assert generated["name"].startswith("vpn-") and generated["status"] == "DOWN"
    gw = rows[0]["vpn_gateway"]
    assert gw["status"] == "ACTIVE" and gw["used_connection_number"] == 3
    assert gw["eip1"]["ip_address"] and gw["eip2"]["ip_address"]


def test_imported_resources_are_served_settled_by_the_api(vpnd_bin, tmp_path):
    project = new_project()
    rows = records(project)
    src = write(tmp_path, "in.jsonl", jsonl(rows))
    srv = Server(vpnd_bin, str(tmp_path), ["--eip-pool", EIP_POOL, "--private-pool", PRIVATE_POOL])
    assert run(vpnd_bin, "import", "--db", srv.db, src)[0] == 0
    srv.start()
    try:
        cid = rows[2]["vpn_connection"]["id"]
        r = srv.request("GET", conn_path(project, cid))
        assert r.status == 200, r.raw
        c = r.json["vpn_connection"]
        assert c["status"] == "DOWN" and c["name"] == "vpn-0" and "psk" not in c
        assert c["ikepolicy"]["peer_id"] == "88.1.1.164"
        r = srv.request("GET", gw_path(project, rows[0]["vpn_gateway"]["id"]))
        assert r.json["vpn_gateway"]["status"] == "ACTIVE"
        assert r.json["vpn_gateway"]["used_connection_number"] == 3
        r = srv.request("GET", conn_path(project) + "?limit=10")
        assert r.json["total_count"] == 3
    finally:
        srv.stop()


def test_a_bad_record_names_its_line_and_field_and_nothing_is_imported(vpnd_bin, tmp_path):
    rows = records(new_project())
    rows[3]["vpn_connection"]["ikepolicy"] = {"lifetime_seconds": 30}
    src = write(tmp_path, "in.jsonl", jsonl(rows))
    db = new_db(tmp_path, "a")
    rc, _, err = run(vpnd_bin, "import", "--db", db, src)
    assert rc == 1
    assert "in.jsonl line 4: vpn_connection.ikepolicy.lifetime_seconds: must be an integer " \
           "from 60 to 604800, got 30" in err, err
    assert export(vpnd_bin, db) == ""


def test_skip_invalid_imports_the_other_records_and_still_exits_1(vpnd_bin, tmp_path):
    rows = records(new_project())
    rows[2]["vpn_connection"]["psk"] = "short"
    src = write(tmp_path, "in.jsonl", jsonl(rows))
    db = new_db(tmp_path, "a")
    rc, _, err = run(vpnd_bin, "import", "--db", db, "--skip-invalid", "--stats", src)
    assert rc == 1
    assert "line 3: vpn_connection.psk:" in err and "short" not in err, err
    assert "5 records read, 4 imported" in err, err
    assert len(export(vpnd_bin, db).splitlines()) == 4


def test_keep_ids_keeps_times_and_status_and_without_it_they_are_fresh(vpnd_bin, tmp_path):
    project = new_project()
    rows = records(project)
    c = rows[2]["vpn_connection"]
    c.update(created_at="2024-01-31T12:00:00.000Z", updated_at=1706702400123, status="ACTIVE")
    src = write(tmp_path, "in.jsonl", jsonl(rows))
    kept, fresh = new_db(tmp_path, "k"), new_db(tmp_path, "f")
    assert run(vpnd_bin, "import", "--db", kept, "--keep-ids", src)[0] == 0
    assert run(vpnd_bin, "import", "--db", fresh, src)[0] == 0
    byid = {}
    for db in (kept, fresh):
        for line in export(vpnd_bin, db).splitlines():
            r = json.loads(line)
            if r.get("vpn_connection", {}).get("id") == c["id"]:
                byid[db] = r["vpn_connection"]
    assert byid[kept]["created_at"] == 1706702400000
    assert byid[kept]["updated_at"] == 1706702400123
    assert byid[kept]["status"] == "ACTIVE"
    assert byid[fresh]["id"] == c["id"]  # ids are always kept: records refer to each other
    assert byid[fresh]["status"] == "DOWN"
    assert byid[fresh]["created_at"] > time.time() * 1000 - 600000


def test_a_json_array_is_read_and_errors_name_the_line_of_the_record(vpnd_bin, tmp_path):
    rows = records(new_project())
    rows[4]["vpn_connection"]["vgw_id"] = new_uuid()
    text = "[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n"
    db = new_db(tmp_path, "a")
    rc, _, err = run(vpnd_bin, "import", "--db", db, write(tmp_path, "a.json", text))
    assert rc == 1
    assert "a.json line 6: vpn_connection.vgw_id: must be a VPN gateway of project" in err, err
    del rows[4]
    text = "[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n"
    rc, _, err = run(vpnd_bin, "import", "--db", db, write(tmp_path, "b.json", text))
    assert rc == 0, err
    assert len(export(vpnd_bin, db).splitlines()) == 4


def test_stdin_is_read_and_records_need_a_project(vpnd_bin, tmp_path):
    rows = records(new_project())
    for r in rows:
        del r["project_id"]
    db = new_db(tmp_path, "a")
    rc, _, err = run(vpnd_bin, "import", "--db", db, "-", stdin=jsonl(rows).encode())
    assert rc == 1 and "- line 1: project_id: is required (or give --project-id)" in err, err
    rc, _, err = run(vpnd_bin, "import", "--db", db, "--project-id", new_project(),
                     stdin=jsonl(rows).encode())
    assert rc == 0, err


def test_malformed_json_pending_status_and_taken_ids_are_refused(vpnd_bin, tmp_path):
    db = new_db(tmp_path, "a")
    rows = records(new_project())
    text = jsonl(rows[:2]) + '{"vpn_connection": {"name": "x",}}\n'
    rc, _, err = run(vpnd_bin, "import", "--db", db, write(tmp_path, "a.jsonl", text))
    assert rc == 1 and "a.jsonl line 3: record is not valid JSON:" in err, err
    rows[2]["vpn_connection"]["status"] = "PENDING_CREATE"
    rc, _, err = run(vpnd_bin, "import", "--db", db, write(tmp_path, "b.jsonl", jsonl(rows)))
    assert rc == 1 and "line 3: vpn_connection.status: must be one of ACTIVE, DOWN" in err, err
    del rows[2]["vpn_connection"]["status"]
    src = write(tmp_path, "c.jsonl", jsonl(rows))
    assert run(vpnd_bin, "import", "--db", db, src)[0] == 0
    rc, _, err = run(vpnd_bin, "import", "--db", db, src)
    assert rc == 1 and "line 1: vpn_gateway.id: must not be the id of an existing gateway" in err
    assert len(export(vpnd_bin, db).splitlines()) == 5


def test_usage_errors_exit_2_and_unreadable_files_exit_3(vpnd_bin, tmp_path):
    db = new_db(tmp_path, "a")
    assert run(vpnd_bin, "import", "--db", db, "--bogus")[0] == 2
    rc, _, err = run(vpnd_bin, "import", "--db", db, "--project-id", "a/b", "-", stdin=b"")
    assert rc == 2 and "--project-id: must be 1 to 64 letters" in err, err
    assert run(vpnd_bin, "export", "--db", db, "--keep-ids")[0] == 2
    rc, _, err = run(vpnd_bin, "import", "--db", db, str(tmp_path / "missing.jsonl"))
    assert rc == 3 and "cannot open" in err


def test_a_record_over_1_mib_is_refused_without_reading_on(vpnd_bin, tmp_path):
    huge = '{"customer_gateway": {"name": "' + "x" * (1 << 20) + '"}}\n'
    db = new_db(tmp_path, "a")
    rc, _, err = run(vpnd_bin, "import", "--db", db, "--skip-invalid",
                     write(tmp_path, "huge.jsonl", huge))
    assert rc == 1 and "huge.jsonl line 1: record: must be at most 1048576 bytes" in err, err
    assert export(vpnd_bin, db) == ""


def test_truncated_or_malformed_input_is_refused_and_imports_nothing(vpnd_bin, tmp_path):
    rows = records(new_project())
    whole = [json.dumps(r) for r in rows]
    cases = {
        "open.json": "[\n" + ",\n".join(whole),                      # array never closed
        "tail.json": "[" + ",".join(whole) + "] extra",               # text after the array
        "sep.json": "[" + " ".join(whole) + "]",                      # no commas
        "cut.jsonl": "\n".join(whole)[:-20],                          # last record cut short
        "scalar.jsonl": "\n".join(whole[:2]) + "\n42\n",              # not an object
    }
    for name, text in cases.items():
        db = new_db(tmp_path, name)
        rc, _, err = run(vpnd_bin, "import", "--db", db, "--skip-invalid",
                         write(tmp_path, name, text))
        assert rc == 1 and name + " line " in err, (name, err)
        assert export(vpnd_bin, db) == "", name
