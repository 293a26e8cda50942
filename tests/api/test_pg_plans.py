"""On PostgreSQL, the list pages are walked through their order indexes (no sort, no scan of the
project), whatever the filter: O(limit) per page at any size.
The SQLite backend has its own plan tests (tests/unit/test_store_sqlite_plans.c)."""

import subprocess

import pytest

from vpnd_api import pg_base_url

pytestmark = pytest.mark.skipif(pg_base_url() is None,
                                reason="needs VPND_TEST_DB_URL (a PostgreSQL URL)")


def explain(server, sql):
    """The plan of sql in the server's schema; sequential scans are priced out, so the plan shows
    whether an index can serve the query in order (tables this small would be scanned)."""
    p = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", server.db,
                        "-c", "SET enable_seqscan = off", "-c", "EXPLAIN " + sql],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout


PAGE = ("SELECT doc FROM vpn_connection WHERE project_id = 'p' AND %s "
        "AND (created_at, id) < (9000000000000, '') ORDER BY created_at DESC, id DESC LIMIT 11")


@pytest.mark.parametrize("cond,index", [
    ("true", "vpn_connection_by_created"),
    ("vgw_id = 'g'", "vpn_connection_by_vgw_created"),
    ("vgw_ip = 'i'", "vpn_connection_by_vgw_ip_created"),
])
def test_connection_pages_walk_their_order_index(server, cond, index):
    plan = explain(server, PAGE % cond)
    assert index in plan and "Sort" not in plan, plan
    assert "ROW(created_at, id) <" in plan.split("Filter")[0], plan  # the marker bounds the scan


def test_customer_gateway_pages_walk_their_order_index(server):
    plan = explain(server, "SELECT spec FROM customer_gateway WHERE project_id = 'p' "
                           "AND (created_at, id) < (9000000000000, '') "
                           "ORDER BY created_at DESC, id DESC LIMIT 11")
    assert "customer_gateway_by_created" in plan and "Sort" not in plan, plan

