"""The cloud charon goes away under vpnd's client: the client reports "disconnected" with a
reason, reconnects with back-off when charon is back, and finds nothing loaded (what vpnd's
reconciler must reload). One story per module (its own bed)."""

import time

import pytest

from dataplane import Conn, Watch, updown


@pytest.fixture(scope="module")
def story(bed, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("conns")
    w = Watch(bed.uri("cloud"))
    conn = Conn(tmp, 1)
    out = {"conn": conn, "watch": w}
    try:
        conn.cloud_load(bed)
        mark = w.mark()
        bed.peer_load(conn)
        w.wait(updown("child-updown", conn.name, True), 10, "up", since=mark)

        mark = w.mark()
        t0 = time.monotonic()
        bed.kill("cloud", "KILL")
        down = w.wait(lambda l: l["kind"] == "state" and not l["up"], 5, "disconnected",
                      since=mark)
        out["down_after"], out["down_why"] = down["wall"] - t0, down["why"]

        mark = w.mark()
        bed.start("cloud")
        t0 = time.monotonic()
        up = w.wait(lambda l: l["kind"] == "state" and l["up"], 5, "connected again", since=mark)
        out["up_after"] = up["wall"] - t0
        out["states_between"] = [l for l in w.lines[mark:] if l["kind"] == "state"]
        out["conns_after_restart"] = bed.conns("cloud")

        mark = w.mark()
        t0 = time.monotonic()
        conn.cloud_load(bed)
        w.wait(updown("child-updown", conn.name, True), 10, "up after the reload", since=mark)
        out["reloaded_up_after"] = time.monotonic() - t0
        out["ping"] = bed.ping("cloud", conn.cloud_host, conn.peer_host)
        print("\ncloud charon restart: disconnect seen %.3f s after kill -9, reconnected %.3f s "
              "after start, tunnel up %.3f s after the reload" % (
                  out["down_after"], out["up_after"], out["reloaded_up_after"]))
        yield out
    finally:
        w.close()


def test_kill_of_charon_is_reported_as_disconnected_at_once(story):
    assert story["down_after"] < 2
    assert story["down_why"] == "charon closed the connection"


def test_client_reconnects_within_its_back_off_once_charon_is_back(story):
    assert story["up_after"] < 2  # watch retries every 50..500 ms
    assert [s["up"] for s in story["states_between"]] == [True]


def test_restarted_charon_has_nothing_loaded(story):
    assert story["conns_after_restart"] == []


def test_reloaded_connection_is_up_and_carries_pings(story):
    assert story["reloaded_up_after"] < 5
    assert story["ping"] == 3
