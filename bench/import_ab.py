#!/usr/bin/env python3
"""`vpnd import` into an empty SQLite store: two or more binaries, alternately, on the same input.

Usage: bench/import_ab.py BINARY [BINARY ...] [--sizes 10k,100k,1m] [--rounds 2] [--workdir DIR]

For each size N: bench/gen.py N (the bench's own store: its project and spare gateways) is written
once to a file; then each round runs every binary in turn (`vpnd import --stats` of that file
into a fresh store in --workdir, the file read once before so it is in the page cache) and
prints one line per import: records/s as vpnd reports it, wall / user / sys seconds, peak RSS,
and the 1-minute load average before it started (the machine is shared: rates from one round
are comparable, rates from different moments are not). The last lines are the median
records/s per binary and size, and each one's ratio to the first binary's.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = "0605767dd1000ffd2f5cc0009a2d6d21"  # bench.py's
SPARE_GATEWAYS = 60
STATS = re.compile(r"(\d+) records read.*?([\d.]+) s, (\d+) records/s")


def size_of(s):
    s = s.strip().lower()
    mult = {"k": 1000, "m": 1000000}.get(s[-1:], 1)
    return int(s[:-1] if s[-1:] in "km" else s) * mult


def import_once(binary, src, work):
    db = os.path.join(work, "ab.db")
    for suffix in ("", "-journal", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    load = os.getloadavg()[0]
    err = os.path.join(work, "stderr")
    t0 = time.monotonic()
    with open(err, "w") as e:
        p = subprocess.Popen([binary, "import", "--db", db, "--stats", "--no-progress", src],
                             stdout=subprocess.DEVNULL, stderr=e)
        _, status, ru = os.wait4(p.pid, 0)  # this child's own rusage
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    with open(err) as e:
        stderr = e.read()
    if p.returncode != 0:
        raise SystemExit("%s: import failed: %s" % (binary, stderr))
    m = STATS.search(stderr)
    return {"rps": int(m.group(3)), "wall": wall, "user": ru.ru_utime, "sys": ru.ru_stime,
            "rss_mib": ru.ru_maxrss / 1024,
            "load": load, "bytes": os.path.getsize(db)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binaries", nargs="+")
    ap.add_argument("--sizes", default="10k,100k")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--workdir", default=None)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="vpnd-import-ab-", dir=args.workdir)
    rates = {}
    try:
        for label in args.sizes.split(","):
            n = size_of(label)
            src = os.path.join(work, "records.jsonl")
            with open(src, "w") as out:
                subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), str(n), "--project",
                                PROJECT, "--spare", str(SPARE_GATEWAYS), "--spare-file",
                                os.path.join(work, "spare")], stdout=out, check=True)
            with open(src, "rb") as f:
                while f.read(1 << 20):
                    pass
            for rnd in range(args.rounds):
                for b in args.binaries:
                    r = import_once(b, src, work)
                    rates.setdefault((label, b), []).append(r["rps"])
                    print("N=%s round %d %s: %d records/s, wall %.2f s, user %.2f s, sys %.2f s, "
                          "RSS %.0f MiB, store %.0f MiB, load %.2f" %
                          (label, rnd + 1, b, r["rps"], r["wall"], r["user"], r["sys"],
                           r["rss_mib"], r["bytes"] / 2**20, r["load"]), flush=True)
        for label in args.sizes.split(","):
            first = statistics.median(rates[(label, args.binaries[0])])
            for b in args.binaries:
                med = statistics.median(rates[(label, b)])
                print("N=%s %s: median %d records/s (%.2f x %s)" %
                      (label, b, med, med / first, args.binaries[0]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
