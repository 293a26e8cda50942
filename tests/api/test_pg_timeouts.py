"""PostgreSQL sessions have limits (spec-silent robustness: vpnd serves every request from one
thread, so one statement waiting on a lock held elsewhere would stall them all). A request whose
statement waits on a lock past the lock-wait limit gets the documented busy answer (504
VPN.0014); the limit is
vpnd's default (10 s) unless the URL (or the role or database) sets its own; the next request
after the lock is gone is served."""
import subprocess
import time

import pytest

from conftest import POOL_ARGS
from vpnd_api import ERROR_KEYS, Server, cgw_path, create_cgw, pg_base_url, pg_schema_url

pytestmark = pytest.mark.skipif(pg_base_url() is None,
                                reason="needs VPND_TEST_DB_URL (a PostgreSQL URL)")


class Lock:
    """A psql session holding an ACCESS EXCLUSIVE lock on table of url's schema until closed."""

    def __init__(self, url, table):
        self.p = subprocess.Popen(["psql", "-X", "-q", "-At", url], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        self.p.stdin.write("BEGIN; LOCK TABLE %s IN ACCESS EXCLUSIVE MODE; SELECT 'locked';\n"
                           % table)
        self.p.stdin.flush()
        assert self.p.stdout.readline().strip() == "locked"

    def release(self):
        self.p.stdin.write("ROLLBACK;\n\\q\n")
        self.p.stdin.flush()
        self.p.wait(timeout=10)


def run_blocked(vpnd_bin, tmp_path, project, url):
    """Seconds a customer gateway GET waited behind a lock before its 504 (the next GET must be
    200). A customer gateway, not a gateway: the status engine polls the gateway table on every
    tick, and a tick queued before the GET would add a lock wait of its own."""
    srv = Server(vpnd_bin, str(tmp_path), POOL_ARGS, db=url)
    srv.start()
    try:
        cid = create_cgw(srv, project)["id"]
        lock = Lock(url, "customer_gateway")
        try:
            t0 = time.monotonic()
            r = srv.request("GET", cgw_path(project, cid), timeout=30)
            waited = time.monotonic() - t0
        finally:
            lock.release()
        assert r.status == 504, r.raw  # spec: 504 VPN.0014 "The system is busy"
        assert set(r.json) == ERROR_KEYS and r.json["error_code"] == "VPN.0014", r.raw
        assert srv.request("GET", cgw_path(project, cid)).status == 200
        return waited
    finally:
        srv.stop()


def test_a_lock_wait_past_the_urls_own_limit_gets_504_and_the_next_request_is_served(
        vpnd_bin, tmp_path, project):
    url = pg_schema_url(pg_base_url()) + "%20-clock_timeout%3D1000"
    waited = run_blocked(vpnd_bin, tmp_path, project, url)
    assert 0.9 <= waited < 5, waited


def test_without_a_limit_of_its_own_a_session_gives_up_a_lock_wait_after_10_s(
        vpnd_bin, tmp_path, project):
    waited = run_blocked(vpnd_bin, tmp_path, project, pg_schema_url(pg_base_url()))
    assert 9.5 <= waited < 14, waited
