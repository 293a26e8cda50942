"""vpnd import in batches: records refused inside a batch (before or after a store write) give
exactly what a record-by-record import gives; the deferred index builds of an import into a
store without connections leave the schema as it was, also when the import is killed."""

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from vpnd_api import new_project, new_uuid, pg_base_url, pg_schema_url, sanitizer_report, server_env

PSK = "Abcd1234!x"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def new_db(tmp_path, name):
    base = pg_base_url()
    return pg_schema_url(base) if base else str(tmp_path / (name + ".db"))


def sqlite_only():
    if pg_base_url():
        pytest.skip("the schema and journal checks are SQLite's")


def run(vpnd_bin, *args, stdin=None):
    p = subprocess.run([vpnd_bin] + list(args), input=stdin, capture_output=True,
                       env=server_env(), timeout=120)
    err = p.stderr.decode("utf-8", "replace")
    assert sanitizer_report(err) is None, err
    return p.returncode, p.stdout.decode(), err


def write(tmp_path, name, rows):
    p = tmp_path / name
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(p)


def exported(vpnd_bin, db):
    rc, out, err = run(vpnd_bin, "export", "--db", db)
    assert rc == 0, err
    return [json.loads(line) for line in out.splitlines()]


def connect(db):
    """A connection closed at the end of the with block (sqlite3's own only commits), so that
    the import that follows has the store to itself (and runs on a rollback journal)."""
    return contextlib.closing(sqlite3.connect(db))


def schema(db):
    with connect(db) as c:
        return sorted(c.execute("SELECT type, name, tbl_name, coalesce(sql, '') "
                                "FROM sqlite_master").fetchall())


def gateway(project):
    gw, cgw = new_uuid(), new_uuid()
    eip1, eip2 = new_uuid(), new_uuid()
    rows = [
        {"project_id": project, "vpn_gateway": {
            "id": gw, "vpc_id": new_uuid(), "connect_subnet": new_uuid(),
            "local_subnets": ["10.0.0.0/24"], "flavor": "Professional2",
            "eip1": {"id": eip1}, "eip2": {"id": eip2}}},
        {"project_id": project, "customer_gateway": {"id": cgw, "id_value": "88.1.1.164"}},
    ]
    return rows, gw, cgw, eip1


def connection(project, gw, cgw, eip, i):
    return {"project_id": project, "vpn_connection": {
        "id": new_uuid(), "name": "vpn-%d" % i, "vgw_id": gw, "vgw_ip": eip, "cgw_id": cgw,
        "style": "POLICY", "peer_subnets": ["192.168.%d.0/24" % (i % 250)],
        "tunnel_local_address": "169.254.%d.%d/30" % (i // 64, (i % 64) * 4 + 1),
        "tunnel_peer_address": "169.254.%d.%d/30" % (i // 64, (i % 64) * 4 + 2),
        "policy_rules": [{"source": "10.0.0.0/24", "destination": ["192.168.%d.0/24" % (i % 250)]}],
        "psk": PSK}}


def refused_in_batches(project):
    """A gateway, its customer gateway and 40 connections (more than two batches), three of
    them refused: a taken id and a taken tunnel /30 (both refused by the store after it took a
    slot of the gateway), and a short psk (refused before any store write)."""
    rows, gw, cgw, eip = gateway(project)
    conns = [connection(project, gw, cgw, eip, i) for i in range(40)]
    conns[20]["vpn_connection"]["id"] = conns[10]["vpn_connection"]["id"]
    for key in ("tunnel_local_address", "tunnel_peer_address"):
        conns[27]["vpn_connection"][key] = conns[5]["vpn_connection"][key]
    conns[33]["vpn_connection"]["psk"] = "short"
    return rows + conns, gw, {20, 27, 33}


def test_records_refused_inside_batches_give_what_a_record_by_record_import_gives(
        vpnd_bin, tmp_path):
    project = new_project()
    rows, gw, bad = refused_in_batches(project)
    src = write(tmp_path, "in.jsonl", rows)
    db = new_db(tmp_path, "a")
    rc, _, err = run(vpnd_bin, "import", "--db", db, "--skip-invalid", "--stats", src)
    assert rc == 1
    lines = [line for line in err.splitlines() if " line " in line]
    assert len(lines) == 3, err  # each refused record is reported once
    assert "in.jsonl line 23: vpn_connection.id: must not be the id of an existing connection" \
        in lines[0], err
    assert "in.jsonl line 30: vpn_connection.tunnel_local_address: must be in a /30 no other " \
           "connection of VPN gateway %s uses" % gw in lines[1], err
    assert "in.jsonl line 36: vpn_connection.psk:" in lines[2] and "short" not in err, err
    assert "42 records read, 39 imported (1 gateways, 1 customer gateways, 37 connections), " \
           "3 refused" in err, err
    out = exported(vpnd_bin, db)
    want = [r["vpn_connection"]["name"] for i, r in enumerate(rows[2:]) if i not in bad]
    assert sorted(r["vpn_connection"]["name"] for r in out if "vpn_connection" in r) == \
        sorted(want)
    (g,) = [r["vpn_gateway"] for r in out if "vpn_gateway" in r]
    assert g["used_connection_number"] == 37  # the undone slots were given back

    db = new_db(tmp_path, "b")
    rc, _, err = run(vpnd_bin, "import", "--db", db, "--stats", src)
    assert rc == 1
    assert [line for line in err.splitlines() if " line " in line] == [lines[0]], err
    assert "23 records read, 0 imported" in err, err
    assert exported(vpnd_bin, db) == []


def test_an_import_into_a_store_with_connections_adds_to_it(vpnd_bin, tmp_path):
    project = new_project()
    rows, gw, cgw, eip = gateway(project)
    db = new_db(tmp_path, "a")
    first = rows + [connection(project, gw, cgw, eip, i) for i in range(3)]
    assert run(vpnd_bin, "import", "--db", db, write(tmp_path, "a.jsonl", first))[0] == 0
    before = None if pg_base_url() else schema(db)
    more = [connection(project, gw, cgw, eip, i) for i in range(3, 40)]
    more[5]["vpn_connection"]["id"] = first[2]["vpn_connection"]["id"]  # stored before
    rc, _, err = run(vpnd_bin, "import", "--db", db, "--skip-invalid",
                     write(tmp_path, "b.jsonl", more))
    assert rc == 1 and "b.jsonl line 6: vpn_connection.id: must not be the id of an existing " \
                       "connection" in err, err
    out = exported(vpnd_bin, db)
    names = [r["vpn_connection"]["name"] for r in out if "vpn_connection" in r]
    assert sorted(names) == sorted("vpn-%d" % i for i in range(40) if i != 8)
    assert [r["vpn_gateway"]["used_connection_number"] for r in out if "vpn_gateway" in r] == [39]
    if before is not None:
        assert schema(db) == before


def test_an_import_into_an_empty_store_leaves_its_indexes_as_they_were(vpnd_bin, tmp_path):
    sqlite_only()
    project = new_project()
    rows, gw, cgw, eip = gateway(project)
    db = new_db(tmp_path, "a")
    assert run(vpnd_bin, "import", "--db", db, "-", stdin=b"")[0] == 0  # creates the schema
    before = schema(db)
    assert any(t == "index" and n == "vpn_connection_by_created" for t, n, _, _ in before)
    rows += [connection(project, gw, cgw, eip, i) for i in range(40)]
    assert run(vpnd_bin, "import", "--db", db, write(tmp_path, "a.jsonl", rows))[0] == 0
    assert schema(db) == before
    with connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        plan = c.execute("EXPLAIN QUERY PLAN SELECT id FROM vpn_connection WHERE project_id = ? "
                         "ORDER BY created_at DESC, id DESC", (project,)).fetchall()
        assert "vpn_connection_by_created" in str(plan)
        n = c.execute("SELECT count(*) FROM vpn_connection INDEXED BY vpn_connection_by_created "
                      "WHERE project_id = ?", (project,)).fetchone()[0]
        assert n == 40


def test_a_killed_import_leaves_the_store_and_its_schema_as_they_were(vpnd_bin, tmp_path):
    sqlite_only()
    project = new_project()
    rows, gw, cgw, eip = gateway(project)
    db = new_db(tmp_path, "a")
    assert run(vpnd_bin, "import", "--db", db, write(tmp_path, "gw.jsonl", rows))[0] == 0
    before, before_schema = exported(vpnd_bin, db), schema(db)
    big = tmp_path / "big.jsonl"
    with open(big, "w") as out:
        subprocess.run([sys.executable, os.path.join(REPO, "bench", "gen.py"), "40000",
                        "--project", new_project()], stdout=out, check=True, timeout=120)
    p = subprocess.Popen([vpnd_bin, "import", "--db", db, "--no-progress", str(big)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=server_env())
    try:
        deadline = time.time() + 30
        while not os.path.exists(db + "-journal") and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(0.5)  # well inside the load: records written, indexes dropped
        assert p.poll() is None, "the import ended before it could be killed"
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
        p.stderr.close()
    assert os.path.exists(db + "-journal")  # a hot journal: the next open rolls it back
    assert exported(vpnd_bin, db) == before
    assert schema(db) == before_schema
    with connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    more = [connection(project, gw, cgw, eip, i) for i in range(3)]
    assert run(vpnd_bin, "import", "--db", db, write(tmp_path, "more.jsonl", more))[0] == 0
    assert len(exported(vpnd_bin, db)) == 5


def test_an_import_into_an_empty_store_counts_its_connections_per_project(vpnd_bin, tmp_path):
    sqlite_only()
    db = new_db(tmp_path, "a")
    rows, want = [], {}
    for p, n in ((new_project(), 5), (new_project(), 3)):
        gw_rows, gw, cgw, eip = gateway(p)
        rows += gw_rows + [connection(p, gw, cgw, eip, i) for i in range(n)]
        want[p] = n
    rows[-1]["vpn_connection"]["psk"] = "short"  # refused: not counted
    want[rows[-1]["project_id"]] -= 1
    rc, _, err = run(vpnd_bin, "import", "--db", db, "--skip-invalid",
                     write(tmp_path, "a.jsonl", rows))
    assert rc == 1 and "vpn_connection.psk:" in err, err
    with connect(db) as c:
        got = dict(c.execute("SELECT project_id, sum(n) FROM conn_count GROUP BY project_id"))
    assert got == want
    # a second import, into a store with connections, counts its own too
    p, gw_rows = rows[0]["project_id"], rows[:2]
    gw, cgw = gw_rows[0]["vpn_gateway"]["id"], gw_rows[1]["customer_gateway"]["id"]
    eip = gw_rows[0]["vpn_gateway"]["eip1"]["id"]
    more = [connection(p, gw, cgw, eip, i) for i in range(10, 12)]
    assert run(vpnd_bin, "import", "--db", db, write(tmp_path, "b.jsonl", more))[0] == 0
    with connect(db) as c:
        n = c.execute("SELECT sum(n) FROM conn_count WHERE project_id = ?", (p,)).fetchone()[0]
    assert n == 5 + 2


def test_a_refusal_early_in_a_long_file_stops_the_parse_ahead_and_imports_nothing(
        vpnd_bin, tmp_path):
    """The parse thread runs up to a ring's worth of records ahead of the store: the refused
    record is still the one reported, with its line, and nothing is stored."""
    project = new_project()
    rows, gw, cgw, eip = gateway(project)
    rows += [connection(project, gw, cgw, eip, i) for i in range(400)]
    rows[6]["vpn_connection"]["psk"] = "short"
    db = new_db(tmp_path, "a")
    rc, _, err = run(vpnd_bin, "import", "--db", db, "--stats", write(tmp_path, "a.jsonl", rows))
    assert rc == 1
    lines = [line for line in err.splitlines() if " line " in line]
    assert len(lines) == 1 and "a.jsonl line 7: vpn_connection.psk: " in lines[0], err
    assert "short" not in err, err
    assert "7 records read, 0 imported" in err, err
    assert exported(vpnd_bin, db) == []


def test_input_that_cannot_be_split_after_many_records_imports_nothing_even_with_skip_invalid(
        vpnd_bin, tmp_path):
    project = new_project()
    rows, gw, cgw, eip = gateway(project)
    rows += [connection(project, gw, cgw, eip, i) for i in range(300)]
    src = tmp_path / "a.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows) + '{"vpn_connection": {"name": "x"')
    db = new_db(tmp_path, "a")
    rc, _, err = run(vpnd_bin, "import", "--db", db, "--skip-invalid", "--stats", str(src))
    assert rc == 1
    assert "a.jsonl line 303: record is not valid JSON: the input ends inside this record" \
        in err, err
    assert exported(vpnd_bin, db) == []
