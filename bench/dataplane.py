"""bench/dataplane.py: data-plane timings with real charons (tests/dataplane test bed, root).

    /usr/bin/python3 bench/dataplane.py [--json bench/results/dataplane.json]

Measures, with vpnd's VICI client and mapping (build/asan/tests/vici_tool) on the cloud side
and the exported swanctl.conf on the customer side:

1. create -> CHILD_SA installed: the customer is configured first; the cloud's load-conn
   answer (charon accepted the configuration, start_action=start initiates) to the cloud's
   child-updown event, for IKEv2 and IKEv1, 10 connections each (timestamps of the same
   monotonic clock in the tool and the watcher);
2. 40 connections at once: the customer loads all 40 in one swanctl run; time to the 40th
   child-updown on the cloud;
3. dead peer detection vs DPD settings: kill -9 of the customer charon with connections of
   several (version, interval, timeout); seconds from the kill to each ike-updown down;
4. cloud charon restart: kill -9, start; seconds to the client's reconnect, then to all 40
   connections up again after one load of each (what vpnd's reconciler will do).
Prints a markdown table; --json also writes the figures."""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "dataplane"))
from dataplane import Bed, Conn, Watch, tool, updown  # noqa: E402

DPD_CASES = [("v2", 10, 15), ("v2", 20, 15), ("v2", 30, 15),
             ("v1", 10, 2), ("v1", 10, 10), ("v1", 20, 5), ("v1", 30, 15)]


def child_up_t(w, name, since, timeout=20):
    return w.wait(updown("child-updown", name, True), timeout, name + " up", since=since)["t"]


def create_latency(bed, w, tmp, version, numbers):
    out = []
    for n in numbers:
        c = Conn(tmp, n, ike_version=version)
        bed.peer_load(c)
        time.sleep(0.3)  # the customer's own attempt fails (no cloud config yet) and stops
        mark = w.mark()
        _, lines, _ = c.cloud_load(bed)
        accepted = [l for l in lines if l["kind"] == "reply"][-1]["t"]
        out.append((child_up_t(w, c.name, mark) - accepted) / 1000.0)
        c.cloud_unload(bed)
        bed.peer_unload(c)
    return out


def forty_at_once(bed, w, tmp):
    conns = [Conn(tmp, n) for n in range(1, 41)]
    tool("load", bed.uri("cloud"), *[c.spec_file for c in conns])
    time.sleep(1)  # the cloud's own attempts fail (no customer config yet)
    for c in conns:
        _, _, text = tool("map", c.spec_file, "peer")
        with open(os.path.join(bed.dir, "peer", "conf.d", c.name + ".conf"), "w") as f:
            f.write(text)
    mark = w.mark()
    t0 = time.monotonic()
    bed.swanctl("peer", "--load-all", "--file", bed.peer_master())
    last = max(w.wait(updown("child-updown", c.name, True), 30, c.name, since=mark)["wall"]
               for c in conns)
    return conns, last - t0


def restart_cloud(bed, w, conns):
    mark = w.mark()
    bed.kill("cloud", "KILL")
    w.wait(lambda l: l["kind"] == "state" and not l["up"], 5, "disconnect", since=mark)
    mark = w.mark()
    t0 = time.monotonic()
    bed.start("cloud")
    up = w.wait(lambda l: l["kind"] == "state" and l["up"], 10, "reconnect", since=mark)
    reconnect = up["wall"] - t0
    mark = w.mark()
    t1 = time.monotonic()
    tool("load", bed.uri("cloud"), *[c.spec_file for c in conns])
    last = max(w.wait(updown("child-updown", c.name, True), 60, c.name, since=mark)["wall"]
               for c in conns)
    return reconnect, last - t1


def dead_peer(bed, w, tmp):
    conns = []
    for i, (version, interval, timeout) in enumerate(DPD_CASES):
        conns.append(Conn(tmp, i + 1, ike_version=version,
                          ikepolicy={"dpd": {"interval": interval, "timeout": timeout}}))
    mark = w.mark()
    for c in conns:
        c.cloud_load(bed)
        bed.peer_load(c)
    for c in conns:
        w.wait(updown("child-updown", c.name, True), 20, c.name, since=mark)
    mark = w.mark()
    t0 = time.monotonic()
    bed.kill("peer", "KILL")
    out = []
    for c, case in zip(conns, DPD_CASES):
        line = w.wait(updown("ike-updown", c.name, False), 90, "DPD of " + c.name, since=mark)
        out.append(case + (line["wall"] - t0,))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    args = ap.parse_args()
    res = {"loadavg_at_start": os.getloadavg()[0]}
    tmp = tempfile.mkdtemp(prefix="vpnd-dp-bench-")
    try:
        run(res, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(res, args.json)


def run(res, tmp):
    bed = Bed(os.path.join(tmp, "bed1"))
    try:
        bed.start("cloud")
        bed.start("peer")
        w = Watch(bed.uri("cloud"))
        print("create latency ...", file=sys.stderr)
        res["create_v2_s"] = create_latency(bed, w, tmp, "v2", range(1, 11))
        res["create_v1_s"] = create_latency(bed, w, tmp, "v1", range(11, 21))
        print("40 at once ...", file=sys.stderr)
        conns, res["forty_up_s"] = forty_at_once(bed, w, tmp)
        print("cloud charon restart ...", file=sys.stderr)
        res["reconnect_s"], res["forty_reloaded_up_s"] = restart_cloud(bed, w, conns)
        w.close()
    finally:
        bed.down()
    bed = Bed(os.path.join(tmp, "bed2"))
    try:
        bed.start("cloud")
        bed.start("peer")
        w = Watch(bed.uri("cloud"))
        print("dead peer detection (up to 90 s) ...", file=sys.stderr)
        res["dpd"] = dead_peer(bed, w, tmp)
        w.close()
    finally:
        bed.down()
    res["loadavg_at_end"] = os.getloadavg()[0]


def report(res, json_path):
    def ms(v):
        return "%.0f ms" % (v * 1000)
    print("| measure | result |")
    print("|---|---|")
    for v in ("v2", "v1"):
        xs = res["create_%s_s" % v]
        print("| create -> CHILD_SA installed, IKE%s (10 runs) | median %s, max %s |" % (
            v, ms(statistics.median(xs)), ms(max(xs))))
    print("| 40 connections, customer loads all at once -> 40th CHILD_SA up | %s |" % ms(
        res["forty_up_s"]))
    print("| cloud charon kill -9 + start -> client reconnected | %s |" % ms(res["reconnect_s"]))
    print("| ... then 40 loads -> 40th CHILD_SA up again | %s |" % ms(res["forty_reloaded_up_s"]))
    for version, interval, timeout, t in res["dpd"]:
        print("| dead peer (kill -9) -> IKE_SA down, IKE%s interval %d timeout %d | %.1f s |" % (
            version, interval, timeout, t))
    print("\nload average %.2f at start, %.2f at end" % (res["loadavg_at_start"],
                                                      res["loadavg_at_end"]))
    if json_path:
        with open(json_path, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
