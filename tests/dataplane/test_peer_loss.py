"""A customer gateway that goes away: gracefully (its DELETE arrives at once) and by kill -9
(dead peer detection), for IKEv2 and IKEv1, then comes back. One story per module (its own
bed); each test checks one outcome of it.

Timing model (bed.sh charons): IKEv2 sends a DPD after `interval` s without inbound traffic,
then retransmits (2 s apart, 3 sends: charon's global retransmit settings, IKEv2 has no
per-connection DPD timeout). IKEv1 (dpd_delay = interval, dpd_timeout = interval + timeout)
sends an R_U_THERE after `interval` s of silence and, at each later probe instant, declares the
peer dead once nothing came in for interval + timeout s: with timeout <= interval that is the
second probe, 2 * interval after the last packet."""

import time

import pytest

from dataplane import Conn, Watch, updown

V2_INTERVAL = 10
V1_INTERVAL, V1_TIMEOUT = 10, 2
RETRANSMIT_SPAN = 6  # bed.sh: retransmit_timeout 2, base 1, tries 2


def timed(w, conns, action, up, timeout):
    """Runs action, then waits for each connection's CHILD_SA up (up) or IKE_SA down event;
    returns ({name: seconds after the action}, the watch index before it)."""
    mark = w.mark()
    t0 = time.monotonic()
    action()
    kind = "child-updown" if up else "ike-updown"
    return {c.name: w.wait(updown(kind, c.name, up), timeout, "%s of %s" % (kind, c.name),
                           since=mark)["wall"] - t0 for c in conns}, mark


@pytest.fixture(scope="module")
def story(bed, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("conns")
    w = Watch(bed.uri("cloud"))
    v2 = Conn(tmp, 1, ikepolicy={"dpd": {"interval": V2_INTERVAL}})
    v1 = Conn(tmp, 2, ike_version="v1",
              ikepolicy={"dpd": {"interval": V1_INTERVAL, "timeout": V1_TIMEOUT}})
    conns = (v2, v1)
    out = {"v2": v2, "v1": v1, "watch": w}
    try:
        for c in conns:
            c.cloud_load(bed)

        def reload_peer():
            bed.swanctl("peer", "--load-all", "--file", bed.peer_master())

        out["up"], _ = timed(w, conns, lambda: [bed.peer_load(c) for c in conns], True, 10)
        # charon's vici logger sends log lines from its own queue: one can reach the watch after
        # the event it explains, so each phase's logs are read once the next phase has begun
        out["term"], term = timed(w, conns, lambda: bed.kill("peer", "TERM"), False, 5)
        bed.start("peer")
        out["back"], back = timed(w, conns, reload_peer, True, 10)
        out["term_logs"] = {c.name: w.logs(term, ike=c.name, until=back) for c in conns}

        # idle for more than two DPD intervals with a live peer: nothing may go down
        mark = w.mark()
        time.sleep(2 * V1_INTERVAL + 3)
        out["idle_downs"] = [l for l in w.lines[mark:] if l.get("kind") == "event" and
                             l["name"] in ("ike-updown", "child-updown") and
                             l["msg"].get("up") != "yes"]

        out["dead"], dead = timed(w, conns, lambda: bed.kill("peer", "KILL"), False, 30)
        bed.start("peer")
        out["revived"], revived = timed(w, conns, reload_peer, True, 10)
        out["dead_logs"] = {c.name: w.logs(dead, ike=c.name, until=revived) for c in conns}
        print("\ndata plane timings (s): %s" % {k: {("v2" if n == v2.name else "v1"): round(t, 3)
                                                   for n, t in out[k].items()}
                                              for k in ("up", "term", "back", "dead", "revived")})
        yield out
    finally:
        w.close()


# Deadlines below are the functional ones of the issue (ACTIVE within 5 s, a graceful delete
# "at once": 2 s); measured figures are in BENCHMARKS.md (bench/dataplane.py).

def test_both_versions_come_up_within_5_s_of_the_customer_load(story):
    assert all(t < 5 for t in story["up"].values()), story["up"]


def test_graceful_customer_shutdown_is_seen_within_2_s(story):
    assert all(t < 2 for t in story["term"].values()), story["term"]


def test_graceful_shutdown_is_logged_as_a_delete_from_the_peer(story):
    for c in (story["v2"], story["v1"]):
        logs = story["term_logs"][c.name]
        assert any(m.startswith("received DELETE for IKE_SA %s[" % c.name) for m in logs), logs


def test_restarted_customer_is_up_again_within_5_s(story):
    assert all(t < 5 for t in story["back"].values()), story["back"]


def test_live_peer_is_never_declared_dead_while_idle(story):
    assert story["idle_downs"] == []


def test_ikev2_dead_peer_is_down_after_interval_plus_retransmits(story):
    t = story["dead"][story["v2"].name]
    assert t <= V2_INTERVAL + RETRANSMIT_SPAN + 2, t


def test_ikev2_dead_peer_is_logged_as_giving_up_after_retransmits(story):
    assert "giving up after 2 retransmits" in story["dead_logs"][story["v2"].name]


def test_ikev1_dead_peer_is_down_at_the_first_probe_after_interval_plus_timeout(story):
    t = story["dead"][story["v1"].name]
    assert t <= 2 * V1_INTERVAL + 2, t


def test_ikev1_dead_peer_is_logged_as_dpd_check_timed_out(story):
    assert "DPD check timed out, enforcing DPD action" in story["dead_logs"][story["v1"].name]


def test_killed_customer_is_up_again_within_5_s_of_its_restart(story):
    assert all(t < 5 for t in story["revived"].values()), story["revived"]
