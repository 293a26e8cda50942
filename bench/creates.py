#!/usr/bin/env python3
"""A/B of connection creates on a shared machine: two vpnd binaries (or one with two settings),
POST vpn-connection at 16 connections (wrk/post_create.lua) on a fresh copy of the same store,
interleaved round by round so that load from elsewhere hits both alike. Per run: creates/s, the
server's CPU microseconds per create (utime+stime, /proc), and the kill -9 check of bench.py
(the server is killed right after the run and restarted: every acknowledged create must be
there). Prints each round and the medians.

Usage: /usr/bin/python3 bench/creates.py OLD_VPND NEW_VPND [--rounds 3] [--duration 5]
           [--size 1000] [--conns 16] [--old-args "..."] [--new-args "..."]
"""
import argparse
import json
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


def proc_io(pid):
    """/proc/PID/io: write syscalls and bytes written (WAL frames and responses alike)."""
    with open("/proc/%d/io" % pid) as f:
        io = dict(line.split(": ") for line in f.read().splitlines())
    return int(io["syscw"]), int(io["wchar"])


def one_run(args, wrk, store, work, path, extra):
    db = os.path.join(work, "run.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    shutil.copy(store["db"], db)
    base = "/v5/%s/vpn-connection" % bench.PROJECT
    v = bench.Vpnd(path, args.server_cpu, db, extra.split())
    v.start()
    before_n = json.loads(v.get(base + "?limit=0"))["total_count"]
    before_cpu, before_io = cpu_seconds(v.proc.pid), proc_io(v.proc.pid)
    res = wrk.run(v.url(base), args.conns, "post_create.lua",
                  {"BENCH_SPARE": store["spare"], "BENCH_BASE": base})
    n = max(res["requests"], 1)
    cpu_us = (cpu_seconds(v.proc.pid) - before_cpu) * 1e6 / n
    io = [(b - a) / n for a, b in zip(before_io, proc_io(v.proc.pid))]
    v.stop(signal.SIGKILL)
    v.start()
    after_n = json.loads(v.get(base + "?limit=0"))["total_count"]
    v.stop()
    acked = res["requests"] - res["errors"]
    return res["rps"], cpu_us, io, acked, after_n - before_n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--conns", type=int, default=16)
    ap.add_argument("--server-cpu", type=int, default=0)
    ap.add_argument("--client-cpu", type=int, default=1)
    ap.add_argument("--old-args", default="")
    ap.add_argument("--new-args", default="")
    ap.add_argument("--own-stores", action="store_true",
                    help="each binary starts from a store it imported (formats that differ)")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="vpnd-creates-")
    args.vpnd, args.workdir = os.path.abspath(args.new), work
    wrk = bench.Wrk(args.client_cpu, args.duration)
    got = {"old": [], "new": []}
    try:
        if args.own_stores:
            stores = bench.build_stores(args, work, args.size,
                                        {"old": os.path.abspath(args.old), "new": args.vpnd})
        else:
            stores = dict.fromkeys(("old", "new"), bench.build_store(args, work, args.size))
        for rnd in range(args.rounds):
            for name, path, extra in (("old", args.old, args.old_args),
                                      ("new", args.new, args.new_args)):
                rps, cpu_us, io, acked, kept = one_run(args, wrk, stores[name], work,
                                                       os.path.abspath(path), extra)
                got[name].append((rps, cpu_us))
                print("round %d %s: %.0f creates/s, %.0f us CPU, %.1f write calls and %.0f bytes "
                      "written per create, %d acknowledged, %d present after kill -9%s" % (
                          rnd + 1, name, rps, cpu_us, io[0], io[1], acked, kept,
                          "" if kept >= acked else " LOST"), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for name, runs in got.items():
        if runs:
            r = [x[0] for x in runs]
            u = [x[1] for x in runs]
            print("%s: creates/s median %.0f (min %.0f, max %.0f); CPU per create median %.0f us"
                  % (name, statistics.median(r), min(r), max(r), statistics.median(u)))
    with open("/proc/loadavg") as f:
        print("load average at end: %s" % " ".join(f.read().split()[:3]))


if __name__ == "__main__":
    main()
