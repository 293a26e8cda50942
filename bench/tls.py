#!/usr/bin/env python3
"""A TLS GET, vpnd against nginx serving the same body over TLS, in the same run: the same
certificate (ECDSA P-256, made here with the openssl CLI), the same GET stream (wrk over HTTPS,
wrk/get_random.lua on a 1k store; nginx answers every path with one connection's body), one
server core each, interleaved round by round so that load from elsewhere hits both alike.
Three loads: keep-alive with 8 and 64 connections (the record layer), and 8 connections that
close after every request (a full handshake per request). Prints each round, the median req/s
ratio vpnd/nginx of each load, and the servers' CPU microseconds per request.

Usage: /usr/bin/python3 bench/tls.py [VPND] [--rounds 5] [--duration 4]   (make bench-tls)
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
from front import tree_cpu  # noqa: E402

LOADS = (("keep-alive", 8, None), ("keep-alive", 64, None), ("handshake each", 8, "close"))


def make_cert(work):
    cert, key = os.path.join(work, "tls.crt"), os.path.join(work, "tls.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert, "-days",
                    "2", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    os.chmod(key, 0o600)
    return cert, key


def measure(wrk, url, conns, close, env, pid):
    before = tree_cpu(pid)
    e = dict(env, BENCH_CLOSE="1") if close else env
    res = wrk.run(url, conns, "get_random.lua", e)
    return res["rps"], (tree_cpu(pid) - before) * 1e6 / max(res["requests"], 1), res["errors"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vpnd", nargs="?", default=os.path.join(bench.HERE, "..", "build", "rel",
                                                            "vpnd"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=int, default=4)
    ap.add_argument("--size", type=int, default=1000)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="vpnd-tls-")
    args.workdir = work
    store = bench.build_store(args, work, args.size)
    cert, key = make_cert(work)
    base = "/v5/%s/vpn-connection" % bench.PROJECT
    env = {"BENCH_IDS": store["ids"], "BENCH_BASE": base + "/"}
    wrk = bench.Wrk(1, args.duration)
    vpnd = bench.Vpnd(args.vpnd, 0, store["db"], ["--tls-cert", cert, "--tls-key", key])
    vpnd.start()
    with open(store["ids"]) as f:
        body = vpnd.get(base + "/" + f.readline().strip())
    ng, nport = bench.start_nginx(work, 0, body, tls=(cert, key))
    urls = {"nginx": ("https://127.0.0.1:%d%s" % (nport, base), ng.pid),
            "vpnd": (vpnd.url(base), vpnd.proc.pid)}
    ratios = {load: [] for load in LOADS}
    cpu = {(name, load): [] for name in urls for load in LOADS}
    try:
        for rnd in range(args.rounds):
            for load in LOADS:
                got = {n: measure(wrk, u, load[1], load[2], env, pid)
                       for n, (u, pid) in urls.items()}
                for n in urls:
                    cpu[(n, load)].append(got[n][1])
                    if got[n][2]:
                        raise SystemExit("%s answered %d errors" % (n, got[n][2]))
                ratios[load].append(got["vpnd"][0] / got["nginx"][0])
                print("round %d, %s %2d conns: %s" % (rnd + 1, load[0], load[1], ", ".join(
                    "%s %.0f req/s %.1f us" % (n, r, u) for n, (r, u, _) in got.items())),
                    flush=True)
    finally:
        ng.send_signal(signal.SIGQUIT)
        ng.wait(timeout=30)
        vpnd.stop()
        shutil.rmtree(work, ignore_errors=True)
    for load, r in ratios.items():
        print("TLS GET, %s, %2d conns: vpnd/nginx req/s ratio median %.2f (min %.2f, max %.2f)"
              % (load[0], load[1], statistics.median(r), min(r), max(r)))
    for (name, load), u in sorted(cpu.items()):
        print("%s, %s %2d conns: server CPU per request median %.1f us"
              % (name, load[0], load[1], statistics.median(u)))
    with open("/proc/loadavg") as f:
        print("load average at end: %s" % " ".join(f.read().split()[:3]))


if __name__ == "__main__":
    main()
