#!/usr/bin/env python3
"""A/B of HTTP fronts on a shared machine: nginx (static file) and two vpnd binaries, the same
GET stream (wrk/get_random.lua over a 1k store), interleaved round by round so that load from
elsewhere hits all three alike. Per run: req/s and the server's CPU microseconds per request
(utime+stime of the server process and its children, /proc), which other load on the machine
disturbs far less than req/s. Prints each round and the medians. The figures of
docs/http-front.md.

Usage: /usr/bin/python3 bench/front.py OLD_VPND NEW_VPND [--rounds 5] [--duration 4]
           [--old-args "..."] [--new-args "..."] [--own-stores]
--own-stores: each binary imports and serves a store of its own (the same records), for two
binaries whose store formats differ; the import lines (rate, size) of both are printed.
--stores OLD_DB,NEW_DB,IDS: serve stores built before (e.g. 1M connections each, imported from
one `bench/gen.py N --ids IDS` file by each binary) instead of importing.
The same binary twice with other arguments compares settings, e.g. the access log's cost:
  bench/front.py build/rel/vpnd build/rel/vpnd --new-args "--log-level info"
(vpnd runs at --log-level warn by default here; its stderr goes to /dev/null.)
"""
import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "api"))
from vpnd_api import cpu_seconds  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def tree_cpu(pid):
    """CPU seconds of pid and its direct children (nginx: master and worker)."""
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        kids = [int(k) for k in f.read().split()]
    return cpu_seconds(pid) + sum(cpu_seconds(k) for k in kids)


def measure(wrk, url, c, env, pid):
    before = tree_cpu(pid)
    res = wrk.run(url, c, "get_random.lua", env)
    return res["rps"], (tree_cpu(pid) - before) * 1e6 / max(res["requests"], 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=int, default=4)
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--old-args", default="")
    ap.add_argument("--new-args", default="")
    ap.add_argument("--own-stores", action="store_true")
    ap.add_argument("--stores", help="OLD_DB,NEW_DB,IDS: stores built before")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="vpnd-front-")
    args.vpnd, args.workdir = args.new, work
    if args.stores:
        old_db, new_db, ids = args.stores.split(",")
        stores = {"old": {"db": old_db, "ids": ids}, "new": {"db": new_db, "ids": ids}}
        for db in (old_db, new_db):  # both in the page cache, as a store in use is
            bench.warm(db)
    elif args.own_stores:
        stores = bench.build_stores(args, work, args.size, {"old": os.path.abspath(args.old),
                                                            "new": os.path.abspath(args.new)})
        for name, st in stores.items():
            print("%s store: %d bytes, %.0f bytes per connection, import %d records/s" % (
                name, st["db_bytes"], st["db_bytes"] / args.size, st["import_rps"]), flush=True)
    else:
        stores = dict.fromkeys(("old", "new"), bench.build_store(args, work, args.size))
    store = stores["new"]
    base = "/v5/%s/vpn-connection" % bench.PROJECT
    env = {"BENCH_IDS": store["ids"], "BENCH_BASE": base + "/"}
    wrk = bench.Wrk(1, args.duration)
    servers = {name: bench.Vpnd(path, 0, stores[name]["db"], extra.split())
               for name, path, extra in
               (("old", args.old, args.old_args), ("new", args.new, args.new_args))}
    for v in servers.values():
        v.start()
    with open(store["ids"]) as f:
        body = servers["new"].get(base + "/" + f.readline().strip())
    ng, nport = bench.start_nginx(work, 0, body)
    urls = {"nginx": ("http://127.0.0.1:%d%s" % (nport, base), ng.pid)}
    urls.update({name: (v.url(base), v.proc.pid) for name, v in servers.items()})
    ratios = {(name, c): [] for name in servers for c in (8, 64)}
    cpu = {(name, c): [] for name in urls for c in (8, 64)}
    try:
        for rnd in range(args.rounds):
            for c in (8, 64):
                got = {name: measure(wrk, url, c, env, pid) for name, (url, pid) in urls.items()}
                for name in urls:
                    cpu[(name, c)].append(got[name][1])
                for name in servers:
                    ratios[(name, c)].append(got[name][0] / got["nginx"][0])
                print("round %d, %2d conns: %s" % (rnd + 1, c, ", ".join(
                    "%s %.0f req/s %.1f us" % (n, r, u) for n, (r, u) in got.items())),
                    flush=True)
    finally:
        ng.send_signal(signal.SIGQUIT)
        ng.wait(timeout=30)
        for v in servers.values():
            v.stop()
        shutil.rmtree(work, ignore_errors=True)
    for (name, c), r in sorted(ratios.items()):
        print("%s vpnd, %2d conns: req/s ratio to nginx median %.2f (min %.2f, max %.2f)"
              % (name, c, statistics.median(r), min(r), max(r)))
    for (name, c), u in sorted(cpu.items()):
        print("%s, %2d conns: server CPU per request median %.1f us (min %.1f, max %.1f)"
              % (name, c, statistics.median(u), min(u), max(u)))
    with open("/proc/loadavg") as f:
        print("load average at end: %s" % " ".join(f.read().split()[:3]))


if __name__ == "__main__":
    main()
