"""vpnd with the strongSwan driver when a process dies: vpnd's own charon (kill -9: every
connection UNKNOWN "data plane unreachable", then one load each when it is back) and vpnd
itself (kill -9 mid-flight: on restart the daemon is brought in line with the store, no
duplicate and no orphan)."""

import signal

import pytest

from dataplane import Conn
from vpnd_plane import Tunnel, charon_conns, charon_keys, tool, wait_for



@pytest.fixture(scope="module")
def pair(cloud):
    tunnels = [Tunnel(cloud, n) for n in (1, 2)]
    for t in tunnels:
        t.peer_load()
    for t in tunnels:
        t.wait("ACTIVE", 5)
    return tunnels


def test_a_killed_charon_makes_every_connection_unknown_with_data_plane_unreachable(
        cloud, pair):
    marks = [len(t.log()) for t in pair]
    cloud.bed.kill("cloud", "KILL")
    try:
        for t, m in zip(pair, marks):
            t.wait("UNKNOWN", 3)
            assert [l for l in t.log()[m:]] == [
                "status ACTIVE -> UNKNOWN (data plane unreachable: charon closed the "
                "connection)"], t.log()
    finally:
        cloud.bed.start("cloud")
    for t in pair:
        t.wait("ACTIVE", 10)


def test_charon_back_from_a_kill_gets_each_connection_loaded_once(cloud, pair):
    mark = len(cloud.bed.log("cloud"))
    cloud.bed.kill("cloud", "KILL")
    for t in pair:
        t.wait("UNKNOWN", 3)
    cloud.bed.start("cloud")
    for t in pair:
        t.wait("ACTIVE", 10)
    assert t.ping() == 3
    log = cloud.bed.log("cloud")[mark:]
    for t in pair:
        assert log.count("added vici connection: %s\n" % t.name) == 1, log


def test_a_killed_vpnd_restarted_leaves_no_orphan_and_no_duplicate(cloud, pair, tmp_path):
    bed = cloud.bed
    # in flight when vpnd dies: one created, one deleted
    fresh = Tunnel(cloud, 3)
    going = Tunnel(cloud, 4)
    going.wait("DOWN", 5)
    cloud.delete(going.id)
    cloud.stop(signal.SIGKILL)
    # meanwhile an orphan: a vpnd connection charon holds that the store does not have
    orphan = Conn(tmp_path, 30)
    orphan.cloud_load(bed)
    assert orphan.name in charon_conns(bed, "cloud")
    mark = len(bed.log("cloud"))
    cloud.start()
    fresh.peer_load()
    fresh.wait("ACTIVE", 10)

    def in_line():
        want = {t.name for t in pair + [fresh]}
        return (set(charon_conns(bed, "cloud")) == want and
                set(charon_keys(bed, "cloud")) == want)
    wait_for(in_line, 10, "charon to hold exactly the store's connections")
    # charon lets go of a deleted connection before the store's settle removes its row: under
    # load the GET can still see PENDING_DELETE for a moment, so the 404 is waited for too
    wait_for(lambda: cloud.request("GET", cloud.conn_path(going.id)).status == 404, 10,
             "the connection deleted before the kill to be gone")
    for t in pair + [fresh]:
        assert t.status() == "ACTIVE"
    # no duplicate: the restarted vpnd loads each connection into charon at most once. (The
    # IKE SAs are not counted: the cloud and the customer both initiate, and when they do at the
    # same moment charon keeps two IKE SAs of one connection; that is charon's, not a reload.)
    log = bed.log("cloud")[mark:]
    for t in pair + [fresh]:
        assert log.count("added vici connection: %s\n" % t.name) <= 1, log
    _, lines, _ = tool("call", bed.uri("cloud"), "list-sas", "--stream", "list-sa")
    names = [n for l in lines if l["kind"] == "stream" for n in l["msg"]]
    for t in pair + [fresh]:
        assert t.name in names, names
    assert orphan.name not in names


def test_a_restarted_vpnd_initiates_a_loaded_tunnel_that_is_down(cloud, tmp_path):
    t = Tunnel(cloud, 5)
    t.peer_load()
    t.wait("ACTIVE", 5)
    cloud.bed.swanctl("peer", "--terminate", "--ike", t.name)  # nobody initiates again
    t.wait("DOWN", 5)
    cloud.stop(signal.SIGKILL)
    cloud.start()
    # charon still holds the unchanged configuration: the reload alone would restart nothing
    t.wait("ACTIVE", 10)
