"""The SQLite store keeps connection specs and docs compressed (src/store/sqlite/sq_zip.c): what
the API serves is unchanged, and a stored document that no longer decompresses answers the
documented 500 error body, logged once, while vpnd keeps serving everything else."""
import sqlite3

import pytest

from vpnd_api import assert_error, conn_path, get_conn, pg_base_url
from vpnd_control import new_conn, ready_gateway

pytestmark = pytest.mark.skipif(pg_base_url() is not None,
                                reason="the compressed columns are the SQLite store's")


def stored(server, sql, *args):
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
    assert "request_id=%s" % r.json["request_id"] in fresh_server.stderr_text()
    assert "compressed document" in fresh_server.stderr_text()
    assert_error(fresh_server.request("GET", conn_path(project)), 500, "VPN.0002")
    assert fresh_server.request("GET", conn_path(project, good)).status == 200
    fresh_server.stop()  # exit 0, no sanitizer report
