"""The SQLite store keeps connection specs and docs compressed (src/store/sqlite/sq_zip.c): what
the API serves is unchanged, and a stored document that no longer decompresses answers the
documented 500 error body, logged once, while vpnd keeps serving everything else. The plain
rows of an older vpnd's store are served the same, and `vpnd compact` compresses them."""
import os
import re
import sqlite3
import subprocess

import pytest

from conftest import POOL_ARGS
from vpnd_api import (Server, assert_error, conn_path, get_conn, pg_base_url, server_env,
                      wait_conn_status)
from vpnd_control import new_conn, ready_gateway

pytestmark = pytest.mark.skipif(pg_base_url() is not None,
                                reason="the compressed columns are the SQLite store's")


def stored(server, sql, *args):
    """Runs sql on the server's store file (a second connection, as an operator's shell)."""
    db = sqlite3.connect(server.db, timeout=10)
    try:
        with db:
            return db.execute(sql, args).fetchall()
    finally:
        db.close()


def test_a_connection_is_stored_compressed_and_served_as_written(fresh_server, project):
    gw, cgw = ready_gateway(fresh_server, project)
    cid = new_conn(fresh_server, project, gw, cgw)
    before = get_conn(fresh_server, project, cid)
    (row,) = stored(fresh_server, "SELECT typeof(spec), typeof(doc), length(doc) "
                    "FROM vpn_connection WHERE id = ?", cid)
    assert row[:2] == ("blob", "blob") and row[2] < 400, row
    listed = fresh_server.request("GET", conn_path(project)).json["vpn_connections"]
    assert [c for c in listed if c["id"] == cid] == [before]


def test_a_corrupt_stored_doc_answers_500_with_the_error_body_and_the_rest_is_served(
        fresh_server, project):
    gw, cgw = ready_gateway(fresh_server, project)
    bad = new_conn(fresh_server, project, gw, cgw, "192.168.1.0/24")
    good = new_conn(fresh_server, project, gw, cgw, "192.168.2.0/24")
    stored(fresh_server, "UPDATE vpn_connection SET doc = substr(doc, 1, length(doc) - 9) "
           "WHERE id = ?", bad)
    r = fresh_server.request("GET", conn_path(project, bad))
    assert_error(r, 500, "VPN.0002")
    assert_error(fresh_server.request("GET", conn_path(project)), 500, "VPN.0002")
    assert fresh_server.request("GET", conn_path(project, good)).status == 200
    fresh_server.stop()  # exit 0, no sanitizer report; its log is complete
    (line,) = [x for x in fresh_server.stderr_text().splitlines()
               if "request_id=%s" % r.json["request_id"] in x and "status=500" not in x]
    assert "compressed document" in line, line


def plain(db, tmp_path):
    """Turns every connection of db back into the plain JSON an older vpnd stored (TEXT), with
    the zstd CLI and the store's own dictionary (a row: a dictionary id byte, then a frame)."""
    con = sqlite3.connect(db)
    try:
        dicts = {}
        for did, blob in con.execute("SELECT id, dict FROM zdict"):
            dicts[did] = tmp_path / ("dict%d" % did)
            dicts[did].write_bytes(blob)
        rows = con.execute("SELECT rowid, spec, doc FROM vpn_connection").fetchall()
        for rowid, spec, doc in rows:
            text = []
            for blob in (spec, doc):
                frame = tmp_path / "frame"
                frame.write_bytes(blob[1:])
                text.append(subprocess.run(["zstd", "-q", "-d", "-c", "-D", str(dicts[blob[0]]),
                                            str(frame)], check=True,
                                           capture_output=True).stdout.decode())
            con.execute("UPDATE vpn_connection SET spec = ?, doc = ? WHERE rowid = ?",
                        (text[0], text[1], rowid))
        con.commit()
        return con.execute("SELECT DISTINCT typeof(spec) || typeof(doc) "
                           "FROM vpn_connection").fetchall()
    finally:
        con.close()


def served(srv, project, ids):
    """The bodies of each connection's GET and of the list, but their request_id."""
    bodies = [srv.request("GET", conn_path(project, i)) for i in ids]
    bodies.append(srv.request("GET", conn_path(project)))
    return [re.sub(rb',"request_id":"[0-9a-f]+"', b"", r.raw) for r in bodies]


def test_an_older_stores_plain_rows_are_served_the_same_and_vpnd_compact_compresses_them(
        vpnd_bin, tmp_path, project):
    srv = Server(vpnd_bin, str(tmp_path), POOL_ARGS)
    srv.start()
    gw, cgw = ready_gateway(srv, project)
    ids = [new_conn(srv, project, gw, cgw, "192.168.%d.0/24" % i) for i in range(3)]
    for cid in ids:
        wait_conn_status(srv, project, cid, "DOWN")  # settled: nothing changes them after
    want = served(srv, project, ids)
    srv.stop()
    assert plain(srv.db, tmp_path) == [("texttext",)]

    srv.start()
    assert served(srv, project, ids) == want
    srv.stop()
    p = subprocess.run([vpnd_bin, "compact", "--db", srv.db], capture_output=True, text=True,
                       env=server_env(), timeout=60)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    assert p.stdout.startswith("vpnd compact: 3 connections rewritten compressed, "), p.stdout
    assert stored(srv, "SELECT DISTINCT typeof(spec) || typeof(doc) FROM vpn_connection") == \
        [("blobblob",)]
    srv.start()
    assert served(srv, project, ids) == want
    srv.stop()


def test_vpnd_compact_refuses_a_store_that_does_not_exist_and_creates_none(vpnd_bin, tmp_path):
    db = str(tmp_path / "typo.db")
    p = subprocess.run([vpnd_bin, "compact", "--db", db], capture_output=True, text=True,
                       env=server_env(), timeout=60)
    assert p.returncode == 3
    assert p.stderr == ("vpnd: cannot open store %s: No such file or directory (compact reads "
                        "an existing store)\n" % db)
    assert not os.path.exists(db)
