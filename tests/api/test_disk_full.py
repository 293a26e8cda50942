"""A full disk under the SQLite store (issue 12): writes get a clear, documented error and change
nothing, reads keep being served, and when space comes back writes work again and keep working
without a restart (the WAL is checkpointed and cut back, so it does not stay full of frames
nobody copies). Nothing acknowledged is lost.

The store lives on a small tmpfs the test mounts (root only: CI runs as root); a filler file
takes the space away and gives it back."""
import os
import subprocess
import time

import pytest

from conftest import POOL_ARGS
from vpnd_api import ERROR_KEYS, Server, cgw_path, new_project, pg_base_url

pytestmark = pytest.mark.skipif(pg_base_url() is not None,
                                reason="SQLite only: PostgreSQL's disk is the database server's")

FS_MIB = 48
# What the README promises the store needs beyond its data (sq_checkpoint.c): the WAL grows to
# about 8 MiB plus one transaction before it starts over, and the database file grows by the
# pages a checkpoint copies into it.
WAL_LIMIT_BYTES = 9 * 1024 * 1024


@pytest.fixture
def small_fs(tmp_path):
    mnt = tmp_path / "fs"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm,mode=0700" % FS_MIB, "tmpfs",
                        str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root): %s" % r.stderr.strip())
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill(path, leave):
    """Takes all but `leave` bytes of the file system away with a filler file."""
    filler = os.path.join(path, "filler")
    want = max(free_bytes(path) - leave, 0)
    with open(filler, "wb") as f:
        chunk = b"\0" * (1 << 20)
        while want > 0:
            n = min(want, len(chunk))
            f.write(chunk[:n])
            want -= n
    return filler


class Writer:
    """Creates customer gateways, 90 per project (quota 100), remembering what was acknowledged."""

    def __init__(self, srv):
        self.srv = srv
        self.acked = []  # (project, id)
        self.project = None
        self.n = 0

    def create(self):
        if self.n % 90 == 0:
            self.project = new_project()
        self.n += 1
        body = {"customer_gateway": {"name": "disk-%d" % self.n, "id_type": "ip",
                                     "id_value": "88.1.%d.%d" % (self.n // 250 % 250,
                                                                 self.n % 250 + 1),
                                     "bgp_asn": 65000}}
        r = self.srv.request("POST", cgw_path(self.project), body)
        if r.status == 201:
            self.acked.append((self.project, r.json["customer_gateway"]["id"]))
        return r


def assert_all_present(srv, acked):
    for project, cid in acked:
        r = srv.request("GET", cgw_path(project, cid))
        assert r.status == 200, (project, cid, r.status, r.raw)


def test_a_full_disk_refuses_writes_clearly_serves_reads_and_recovers_without_restart(
        vpnd_bin, small_fs):
    srv = Server(vpnd_bin, str(small_fs.parent), POOL_ARGS,
                 db=os.path.join(str(small_fs), "vpnd.db"))
    srv.start()
    w = Writer(srv)
    for _ in range(50):
        assert w.create().status == 201
    filler = fill(str(small_fs), leave=2 * 1024 * 1024)

    # write until the disk is full: the refusal is the documented error, and says why
    refused = None
    for _ in range(20000):
        r = w.create()
        if r.status != 201:
            refused = r
            break
    assert refused is not None, "the disk never filled"
    assert refused.status == 503, (refused.status, refused.raw)
    assert set(refused.json) == ERROR_KEYS, refused.raw
    assert refused.json["error_code"] == "VPN.0002", refused.raw
    assert "no space left" in refused.json["error_msg"], refused.raw
    assert str(small_fs) not in refused.json["error_msg"], "a server path reached the client"
    # the server logs the refusal as it answers: the line may reach its stderr file after the
    # answer reached us (was read at once: failed when it had not yet)
    deadline = time.monotonic() + 5
    log = srv.stderr_text()
    while "no space left" not in log and time.monotonic() < deadline:
        time.sleep(0.02)  # polling interval, not a readiness guess
        log = srv.stderr_text()
    assert "no space left" in log and str(small_fs) in log, log[-2000:]

    # a second refused write changes nothing; reads are served meanwhile
    count_before = len(w.acked)
    again = w.create()
    assert again.status == 503, again.raw
    assert len(w.acked) == count_before
    assert_all_present(srv, w.acked[-20:])

    # space returns: writes work again, and keep working for several WAL cycles
    os.unlink(filler)
    for _ in range(3000):
        r = w.create()
        assert r.status == 201, (r.status, r.raw)
        wal = os.path.join(str(small_fs), "vpnd.db-wal")
        assert os.path.getsize(wal) <= WAL_LIMIT_BYTES + 1024 * 1024, os.path.getsize(wal)
    assert_all_present(srv, w.acked)
    srv.stop()
    srv.start()
    assert_all_present(srv, w.acked)
    srv.stop()
