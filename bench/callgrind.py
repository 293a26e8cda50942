#!/usr/bin/env python3
"""Instructions per request of one vpnd binary, counted by callgrind (repeatable to well under
1 %, unlike wall-clock figures on a shared machine).

Usage: bench/callgrind.py [BINARY ...] [--gets N] [--creates N] [--puts N]

For each binary (default build/rel/vpnd): a fresh SQLite store of 1000 seed-shaped connections
(bench/gen.py 1000, imported), then the binary under `valgrind --tool=callgrind` with
instrumentation off until the store is warm. Each phase switches it on (callgrind_control -i on),
sends its requests one after the other on one keep-alive connection, waits where it says, and
dumps (callgrind_control -d); the figure is the dump's total instructions divided by the
requests:
  get     GET vpn-connection/{id} of stored ids, round robin
  create  POST vpn-connection (seed-shaped, explicit tunnel /30) + the PENDING_CREATE -> DOWN
          settle --status-delay (50 ms) later: the phase ends 1 s after the last create, so the
          engine's ticks of that second are in it too (as in BENCHMARKS.md's earlier runs)
  put     PUT vpn-connection/{id} (one ikepolicy member) of those new connections + its settle
Prints one markdown row per binary.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = "0605767dd1000ffd2f5cc0009a2d6d21"
KEEP = {}  # --keep DIR: where each phase's dumps are copied ("dir"), the phase's name ("phase")
READY = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
CREATE = ('{"vpn_connection":{"vgw_id":"%s","vgw_ip":"%s","cgw_id":"%s","style":"POLICY",'
          '"peer_subnets":["192.168.0.0/24"],"tunnel_local_address":"169.254.%d.%d/30",'
          '"tunnel_peer_address":"169.254.%d.%d/30","policy_rules":[{"rule_index":1,'
          '"source":"10.0.0.0/24","destination":["192.168.0.0/24"]}],"psk":"Abcd1234!x"}}')


def build_store(binary, work, size=1000):
    db = os.path.join(work, "vpnd.db")
    ids = os.path.join(work, "ids")
    spare = os.path.join(work, "spare")
    gen = subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), str(size), "--ids", ids,
                          "--spare", "4", "--spare-file", spare],
                         check=True, stdout=subprocess.PIPE)
    subprocess.run([binary, "import", "--db", db, "--no-progress", "-"], input=gen.stdout,
                   check=True, stdout=subprocess.DEVNULL)
    with open(ids) as f:
        conn_ids = [line.split()[0] for line in f if line.strip()]
    with open(spare) as f:
        gws = [line.split() for line in f if line.strip()]
    return db, conn_ids, gws


def start(binary, db, work, extra=()):
    """vpnd under callgrind (instrumentation off) with extra serve arguments."""
    out = os.path.join(work, "callgrind.out")
    argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=" + out,
            binary, "serve", "--listen", "127.0.0.1:0", "--db", db, "--status-delay", "50",
            "--log-level", "warn", "--quota-vpn-connection", "100000000"] + list(extra)
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        m = READY.search(line)
        if m:
            return proc, int(m.group(1)), out
    raise SystemExit("vpnd did not start under valgrind")


def control(proc, *args):
    subprocess.run(["callgrind_control", *args, str(proc.pid)], check=True,
                   stdout=subprocess.DEVNULL)


def total_ir(path_prefix, before):
    """Instructions in the dump files written since `before` (a set of names)."""
    d, base = os.path.split(path_prefix)
    names = sorted(n for n in os.listdir(d) if n.startswith(base) and n not in before)
    ir = 0
    for n in names:
        with open(os.path.join(d, n)) as f:
            for line in f:
                if line.startswith("totals:"):
                    ir += int(line.split()[1])
                    break
    return ir, set(names) | before


def request(conn, method, path, body=None):
    conn.request(method, path, body=body,
                 headers={"Content-Type": "application/json"} if body else {})
    r = conn.getresponse()
    data = r.read()
    return r.status, data


def phase(proc, out, seen, conn, reqs, settle_s=0.0):
    control(proc, "-i", "on")
    for method, path, body, want in reqs:
        status, data = request(conn, method, path, body)
        if status != want:
            raise SystemExit("%s %s: %d %r" % (method, path, status, data[:300]))
    if settle_s:
        time.sleep(settle_s)
    control(proc, "-i", "off")
    control(proc, "-d")
    before = set(seen)
    ir, seen = total_ir(out, seen)
    if KEEP.get("dir"):  # --keep: the phase's dumps, for callgrind_annotate
        d = os.path.dirname(out)
        for i, n in enumerate(sorted(seen - before)):
            shutil.copy(os.path.join(d, n), os.path.join(KEEP["dir"], "%s.%d" % (KEEP["phase"], i)))
    return ir / len(reqs), seen


def measure(binary, gets, creates, puts, size=1000):
    with tempfile.TemporaryDirectory(prefix="vpnd-cg-") as work:
        db, ids, gws = build_store(binary, work, size)
        proc, port, out = start(binary, db, work)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            base = "/v5/%s/vpn-connection" % PROJECT
            for i in range(50):  # warm: statements prepared, pages cached
                request(conn, "GET", "%s/%s" % (base, ids[i % len(ids)]))
            seen = set()
            KEEP["phase"] = "get"
            get, seen = phase(proc, out, seen, conn,
                              [("GET", "%s/%s" % (base, ids[(i * 7919) % len(ids)]), None, 200)
                               for i in range(gets)])
            bodies = []
            for i in range(creates):
                g = gws[i % len(gws)]
                b = (i // len(gws)) * 4
                bodies.append(("POST", base, CREATE % (g[0], g[1], g[2], b >> 8, (b & 255) + 1,
                                                       b >> 8, (b & 255) + 2), 201))
            KEEP["phase"] = "create"
            create, seen = phase(proc, out, seen, conn, bodies, settle_s=1.0)
            # the ids of the new connections, for the PUTs
            status, data = request(conn, "GET", base + "?limit=%d" % creates)
            new_ids = [c["id"] for c in json.loads(data)["vpn_connections"]]
            upd = '{"vpn_connection":{"ikepolicy":{"lifetime_seconds":%d}}}'
            KEEP["phase"] = "put"
            put, seen = phase(proc, out, seen, conn,
                              [("PUT", "%s/%s" % (base, new_ids[i % len(new_ids)]),
                                upd % (3600 + i), 200) for i in range(min(puts, len(new_ids)))],
                              settle_s=1.0)
            conn.close()
        finally:
            proc.terminate()
            proc.wait(timeout=120)
    return get, create, put


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binaries", nargs="*", default=["build/rel/vpnd"])
    ap.add_argument("--gets", type=int, default=2000)
    ap.add_argument("--creates", type=int, default=200)
    ap.add_argument("--puts", type=int, default=200)
    ap.add_argument("--size", type=int, default=1000, help="connections in the store")
    ap.add_argument("--keep", help="copy each phase's callgrind dumps here (get.0, create.0, ...)")
    a = ap.parse_args()
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
    print("| binary | instructions per GET | per create + settle | per PUT + settle |")
    print("|---|---|---|---|")
    for b in a.binaries:
        if a.keep:
            KEEP["dir"] = os.path.join(a.keep, os.path.basename(os.path.dirname(
                os.path.dirname(os.path.abspath(b)))) or "bin")
            os.makedirs(KEEP["dir"], exist_ok=True)
        get, create, put = measure(os.path.abspath(b), a.gets, a.creates, a.puts, a.size)
        print("| %s | %.0f | %.0f | %.0f |" % (b, get, create, put), flush=True)


if __name__ == "__main__":
    main()
