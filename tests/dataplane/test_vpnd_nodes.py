"""Two data-plane nodes on one PostgreSQL database never both load a connection: each gateway's
connections are loaded only by the node holding the gateway's lease (store_leases_take). Node A
drives the bed's cloud charon, node B a second charon (namespace cloud2, no customer reachable:
its loads are what is watched). A sampler lists both charons' connections every 50 ms for the
whole story and no sample may find one connection in both.

The story: both nodes up, connections created through A's API on six gateways; A's host dies
(vpnd and charon kill -9): B takes its gateways over once their leases lapse; A comes back and
takes nothing B holds. PostgreSQL: $VPND_PG_URL (make check under scripts/pg-test-cluster.sh),
else a private cluster started for the module; skipped with one line where PostgreSQL is not
installed."""

import glob
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

import pytest

import vpnd_api
from vpnd_plane import Cloud, Tunnel, wait_for

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LEASE_MS = 2000


@pytest.fixture(scope="module")
def pg_url():
    url = os.environ.get("VPND_PG_URL") or vpnd_api.pg_base_url()
    if url:
        yield url
        return
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        pytest.skip("data plane on PostgreSQL: SKIPPED, PostgreSQL is not installed")
    d = tempfile.mkdtemp(prefix="vpnd-dp-pg-")
    os.chmod(d, 0o711)
    script = os.path.join(ROOT, "scripts", "pg-test-cluster.sh")
    p = subprocess.run([script, "start", os.path.join(d, "c")], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    try:
        yield p.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([script, "stop", os.path.join(d, "c")], capture_output=True, timeout=60)
        shutil.rmtree(d, ignore_errors=True)


def get_conns(path):
    """get-conns over VICI (its README's framing: 32-bit length, type, named packets; the
    answer's one list "conns"), kept minimal so the sampler can ask every 50 ms. The set of
    names, or an empty set when no charon answers there."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(path)
            name = b"get-conns"
            pkt = bytes([0, len(name)]) + name  # CMD_REQUEST, an empty message
            s.sendall(struct.pack(">I", len(pkt)) + pkt)
            head = b""
            while len(head) < 4:
                head += s.recv(4 - len(head))
            n = struct.unpack(">I", head)[0]
            body = b""
            while len(body) < n:
                body += s.recv(n - len(body))
    except OSError:
        return set()
    assert body[0] == 1, body  # CMD_RESPONSE
    out, i = set(), 1
    while i < len(body):
        kind = body[i]
        i += 1
        if kind in (1, 3, 4):  # section start, key/value, list start: a name
            i += 1 + body[i]
            if kind == 3:
                i += 2 + struct.unpack(">H", body[i:i + 2])[0]
        elif kind == 5:  # list item
            ln = struct.unpack(">H", body[i:i + 2])[0]
            item = body[i + 2:i + 2 + ln].decode()
            if item.startswith("vpnd-"):
                out.add(item)
            i += 2 + ln
    return out


class Sampler:
    """get-conns of both charons every 50 ms; records every connection seen in both."""

    def __init__(self, bed):
        self.bed = bed
        self.both = []
        self.samples = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def conns(self, side):
        return get_conns(os.path.join(self.bed.dir, side, "charon.vici"))

    def run(self):
        while not self.stop.is_set():
            a, b = self.conns("cloud"), self.conns("cloud2")
            self.both.extend(a & b)
            self.samples += 1
            time.sleep(0.05)

    def close(self):
        self.stop.set()
        self.thread.join(timeout=30)



@pytest.fixture(scope="module")
def story(bed, pg_url, tmp_path_factory):
    bed.start("cloud2")
    db = vpnd_api.pg_schema_url(pg_url)
    extra = ["--lease-time", str(LEASE_MS)]
    a = Cloud(bed, tmp_path_factory.mktemp("node-a"), node="node-a", db=db, extra=extra).start()
    b = Cloud(bed, tmp_path_factory.mktemp("node-b"), node="node-b", db=db,
              vici=bed.uri("cloud2"), extra=extra).start()
    b.project = a.project
    sampler = Sampler(bed)
    out = {"a": a, "b": b, "sampler": sampler}
    try:
        tunnels = [Tunnel(a, n) for n in range(1, 7)]
        names = {t.name for t in tunnels}
        out["names"] = names

        def loaded():
            return sampler.conns("cloud") | sampler.conns("cloud2")
        wait_for(lambda: names <= loaded(), 10, "every connection loaded on one node")
        out["split"] = (len(sampler.conns("cloud") & names), len(sampler.conns("cloud2") & names))
        # A's host dies: its vpnd and its charon
        a.stop(signal.SIGKILL)
        bed.kill("cloud", "KILL")
        t0 = time.monotonic()
        wait_for(lambda: names <= sampler.conns("cloud2"), LEASE_MS / 1000 + 10,
                 "node B to take every connection over")
        out["takeover"] = time.monotonic() - t0
        # A comes back: B holds every lease, A loads nothing
        bed.start("cloud")
        a.start()
        time.sleep(LEASE_MS / 1000 * 1.5)
        out["a_after"] = sampler.conns("cloud") & names
        out["b_after"] = sampler.conns("cloud2") & names
        print("\ntwo nodes: split %s, takeover %.2f s, %d samples" % (
            out["split"], out["takeover"], sampler.samples))
        yield out
    finally:
        sampler.close()
        for c in (a, b):
            if c.server.proc is not None:
                c.stop()


def test_no_sample_ever_finds_a_connection_loaded_on_both_nodes(story):
    assert story["sampler"].samples > 50
    assert story["sampler"].both == []


def test_every_connection_is_loaded_on_exactly_one_node_while_both_run(story):
    a, b = story["split"]
    assert a + b == len(story["names"]), story["split"]


def test_the_surviving_node_takes_over_once_the_dead_nodes_leases_lapse(story):
    assert story["takeover"] < LEASE_MS / 1000 + 5, story["takeover"]


def test_a_node_back_from_the_dead_loads_nothing_another_node_holds(story):
    assert story["a_after"] == set()
    assert story["b_after"] == story["names"]
