#!/usr/bin/env python3
"""A/B of connection creates on a shared machine: two vpnd binaries (or one with two settings),
POST vpn-connection at 16 connections (wrk/post_create.lua) on a fresh copy of the same store,
interleaved round by round so that load from elsewhere hits both alike. Per run: creates/s, the
server's CPU microseconds per create (utime+stime, /proc), and the kill -9 check of bench.py
(the server is killed right after the run and restarted: every acknowledged create must be
there). Prints each round and the medians.

On PostgreSQL (--pg URL: a database whose server keeps its durable defaults, e.g. the cluster
bench/run-pg.sh starts): each run imports the same store into a fresh schema, and --nodes N
runs N vpnd on it at once, each driven by its own wrk with CONNS/N connections over its own
share of the spare gateways (creates/s summed; CPU summed over the nodes; the kill -9 check
kills every node). CPU is vpnd's only: PostgreSQL's backends are not counted.

Usage: /usr/bin/python3 bench/creates.py OLD_VPND NEW_VPND [--rounds 3] [--duration 5]
           [--size 1000] [--conns 16] [--old-args "..."] [--new-args "..."]
           [--pg URL [--nodes N]]
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "api"))
from vpnd_api import cpu_seconds  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def proc_io(pid):
    """/proc/PID/io: write syscalls and bytes written (WAL frames and responses alike)."""
    with open("/proc/%d/io" % pid) as f:
        io = dict(line.split(": ") for line in f.read().splitlines())
    return int(io["syscw"]), int(io["wchar"])


def fresh_db(args, store, work, tag):
    """The store of one run: a copy of the SQLite file, or an import into a fresh schema."""
    if not args.pg:
        db = os.path.join(work, "run.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
        shutil.copy(store["db"], db)
        return db
    db = "%s%soptions=-csearch_path%%3D%s" % (args.pg, "&" if "?" in args.pg else "?", tag)
    with open(store["records"]) as f:
        subprocess.run([args.vpnd, "import", "--db", db, "--no-progress", "-"], stdin=f,
                       check=True, capture_output=True)
    return db


def spare_parts(store, work, n):
    """The spare gateways split into n files, one per node (no two nodes share a gateway)."""
    with open(store["spare"]) as f:
        lines = f.read().splitlines()
    paths = []
    for k in range(n):
        path = os.path.join(work, "spare.%d" % k)
        with open(path, "w") as f:
            f.write("".join(line + "\n" for line in lines[k::n]))
        paths.append(path)
    return paths


def one_run(args, wrk, store, work, path, extra, tag):
    db = fresh_db(args, store, work, tag)
    base = "/v5/%s/vpn-connection" % bench.PROJECT
    cpus = [int(c) for c in args.node_cpus.split(",")] if args.node_cpus else [args.server_cpu]
    nodes = [bench.Vpnd(path, cpus[k % len(cpus)], db, extra.split()) for k in range(args.nodes)]
    for v in nodes:
        v.start()
    before_n = json.loads(nodes[0].get(base + "?limit=0"))["total_count"]
    before_cpu = [cpu_seconds(v.proc.pid) for v in nodes]
    before_io = [proc_io(v.proc.pid) for v in nodes]
    spares = spare_parts(store, work, args.nodes)
    results = [None] * args.nodes

    def drive(k):
        results[k] = wrk.run(nodes[k].url(base), args.conns // args.nodes, "post_create.lua",
                             {"BENCH_SPARE": spares[k], "BENCH_BASE": base})

    threads = [threading.Thread(target=drive, args=(k,)) for k in range(args.nodes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    requests = sum(r["requests"] for r in results)
    n = max(requests, 1)
    cpu_us = sum(cpu_seconds(v.proc.pid) - c for v, c in zip(nodes, before_cpu)) * 1e6 / n
    io = [sum(proc_io(v.proc.pid)[i] - b[i] for v, b in zip(nodes, before_io)) / n
          for i in range(2)]
    for v in nodes:
        v.stop(signal.SIGKILL)
    nodes[0].start()
    after_n = json.loads(nodes[0].get(base + "?limit=0"))["total_count"]
    nodes[0].stop()
    acked = requests - sum(r["errors"] for r in results)
    return sum(r["rps"] for r in results), cpu_us, io, acked, after_n - before_n


def build_pg_store(args, work):
    """The records (bench/gen.py) and spare gateways of the PostgreSQL runs, generated once."""
    records, spare = os.path.join(work, "records.jsonl"), os.path.join(work, "spare")
    with open(records, "w") as f:
        subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "gen.py"), str(args.size), "--project",
                        bench.PROJECT, "--spare", str(bench.SPARE_GATEWAYS), "--spare-file",
                        spare], stdout=f, check=True)
    return {"records": records, "spare": spare}


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
    ap.add_argument("--pg", help="a PostgreSQL URL: runs on fresh schemas of it")
    ap.add_argument("--nodes", type=int, default=1, help="vpnd nodes on the one store (--pg)")
    ap.add_argument("--node-cpus", default="", help="CPUs of the nodes, e.g. 0,1 (default: "
                    "--server-cpu for every node)")
    ap.add_argument("--own-stores", action="store_true",
                    help="each binary starts from a store it imported (formats that differ)")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="vpnd-creates-")
    args.vpnd, args.workdir = os.path.abspath(args.new), work
    wrk = bench.Wrk(args.client_cpu, args.duration)
    got = {"old": [], "new": []}
    try:
        if args.pg:
            stores = dict.fromkeys(("old", "new"), build_pg_store(args, work))
        elif args.own_stores:
            stores = bench.build_stores(args, work, args.size,
                                        {"old": os.path.abspath(args.old), "new": args.vpnd})
        else:
            stores = dict.fromkeys(("old", "new"), bench.build_store(args, work, args.size))
        for rnd in range(args.rounds):
            for name, path, extra in (("old", args.old, args.old_args),
                                      ("new", args.new, args.new_args)):
                tag = "creates_%d_%s_%d" % (os.getpid(), name, rnd)
                rps, cpu_us, io, acked, kept = one_run(args, wrk, stores[name], work,
                                                       os.path.abspath(path), extra, tag)
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
