"""bench/dataplane_vpnd.py: vpnd's own data plane measured (root; the tests/dataplane bed).

    /usr/bin/python3 bench/dataplane_vpnd.py [--binary build/rel/vpnd] [--json FILE] [--quick]

vpnd (--driver strongswan) on the bed's cloud charon, driven through its HTTP API only; the
customer charon is configured from the exports. Measures:

1. create -> ACTIVE: POST vpn-connection, then the customer loads the export at once; seconds
   from the POST (and from the customer's load) to GET showing ACTIVE (10 connections, IKEv2);
2. dead peer -> DOWN vs DPD settings: kill -9 of the customer with connections of several
   (version, interval, timeout); seconds from the kill to GET showing DOWN;
3. 200 connections on one gateway pair (one VPN gateway, one customer charon with 200
   addresses): created through the API, then the customer loads the 200 exports in one swanctl
   run; seconds to all ACTIVE; vpnd's CPU time over that window divided by the charon events
   it received (a watcher subscribed to the same events counts them);
4. reconciliation: vpnd restarted on the 200 (load of every connection, then one listing):
   vpnd's time in it and to the first listing's answer; the periodic listing of 200 IKE SAs
   (--reconcile-interval 1 s for 10 s against a run without) in CPU ms per listing; charon
   kill -9 and restart: seconds to all ACTIVE again;
5. GET with the driver on: instructions per GET (callgrind, bench/callgrind.py's phases) of
   the same store served with --driver sim and with --driver strongswan driving the 200 live
   tunnels.
Prints a markdown table; --json also writes the figures."""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "dataplane"))
sys.path.append(HERE)  # callgrind.py; after tests/dataplane (bench/dataplane.py shares a name)
import callgrind  # noqa: E402
from dataplane import Bed, Watch  # noqa: E402
from vpnd_plane import Cloud, Tunnel, vpnd_api  # noqa: E402

DPD_CASES = [("v2", 10, 10), ("v2", 20, 10), ("v2", 30, 10), ("v1", 10, 10), ("v1", 20, 20)]
N_PAIR = 200
TICK_S = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK_S


def stats_line(text):
    lines = [l for l in text.splitlines() if "event=dataplane_stats" in l]
    return dict(kv.split("=", 1) for kv in lines[-1].split() if "=" in kv) if lines else {}


def poll(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise SystemExit("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(0.02)
    return time.monotonic()


def statuses(cloud):
    r = cloud.request("GET", "/v5/%s/vpn-connection?limit=2000" % cloud.project)
    return [c["status"] for c in r.json["vpn_connections"]]


# ---- 1. create -> ACTIVE ----

def create_to_active(bed, cloud, made, n=10):
    from_post, from_load = [], []
    for i in range(n):
        t = Tunnel(cloud, i + 1, create=False)
        t0 = time.monotonic()
        t.id = vpnd_api.create_conn(cloud.server, cloud.project, t.body)["id"]
        t1 = time.monotonic()
        t.peer_load()
        t.wait("ACTIVE", 10)
        t2 = time.monotonic()
        from_post.append(t2 - t0)
        from_load.append(t2 - t1)
        made.append(t)
    return {"create_to_active_median_s": statistics.median(from_post),
            "create_to_active_max_s": max(from_post),
            "load_to_active_median_s": statistics.median(from_load)}


# ---- 2. dead peer -> DOWN ----

def dead_peer(bed, cloud, made):
    tunnels = {}
    for i, (v, interval, timeout) in enumerate(DPD_CASES):
        t = Tunnel(cloud, 11 + i, ike_version=v,
                   ikepolicy={"dpd": {"interval": interval, "timeout": timeout}})
        t.peer_load()
        tunnels[(v, interval, timeout)] = t
        made.append(t)
    for t in tunnels.values():
        t.wait("ACTIVE", 10)
    time.sleep(3)
    t0 = time.monotonic()
    bed.kill("peer", "KILL")
    out = {}
    pending = dict(tunnels)
    while pending:
        for k, t in list(pending.items()):
            if t.status() == "DOWN":
                out["%s interval %d timeout %d" % k] = time.monotonic() - t0
                del pending[k]
        if time.monotonic() - t0 > 90:
            raise SystemExit("no DOWN for %s" % list(pending))
        time.sleep(0.05)
    bed.start("peer")
    return out


# ---- 3. 200 connections on one gateway pair ----

def pair_addresses(bed):
    """The customer's 200 addresses and inner hosts, the cloud's inner host (ip -batch): added
    before the charons start (a charon that sees hundreds of addresses appear while it runs may
    not know them yet when a CHILD SA needs one: "error installing route with policy ...")."""
    peer = os.path.join(bed.dir, "pair-peer.ip")
    with open(peer, "w") as f:
        for k in range(N_PAIR):
            if k + 2 > 41:  # bed.sh has .2-.41
                f.write("addr add 198.18.1.%d/24 dev out\n" % (k + 2))
            f.write("addr add %s/28 dev in0\n" % peer_host(k))
    bed.exec("peer", "ip", "-batch", peer)
    bed.exec("cloud", "ip", "addr", "add", "198.19.0.1/24", "dev", "in0")


def peer_net(k):
    return "198.19.%d.%d/28" % (128 + k // 16, (k % 16) * 16)


def peer_host(k):
    return "198.19.%d.%d" % (128 + k // 16, (k % 16) * 16 + 1)


def pair(bed, cloud, workdir):
    gw = cloud.gateway(["198.19.0.0/24"])
    ids = []
    t0 = time.monotonic()
    for k in range(N_PAIR):
        cgw = cloud.customer("198.18.1.%d" % (k + 2))
        body = vpnd_api.conn_body(gw, cgw, style="POLICY", psk="Pair-psk-1234",
                                  peer_subnets=[peer_net(k)],
                                  policy_rules=[{"source": "198.19.0.0/24",
                                                 "destination": [peer_net(k)]}])
        ids.append(vpnd_api.create_conn(cloud.server, cloud.project, body)["id"])
    poll(lambda: statuses(cloud).count("DOWN") >= N_PAIR + 0, 120, "200 loaded")
    t_loaded = time.monotonic()
    confd = os.path.join(bed.dir, "peer", "conf.d")
    for f in os.listdir(confd):
        os.unlink(os.path.join(confd, f))
    for k, cid in enumerate(ids):
        with open(os.path.join(confd, "p%d.conf" % k), "w") as f:
            f.write(cloud.export(cid))
    w = Watch(bed.uri("cloud"))
    mark = w.mark()
    pid = cloud.server.proc.pid
    c0 = cpu_s(pid)
    t1 = time.monotonic()
    bed.swanctl("peer", "--load-all", "--file", bed.peer_master())
    try:
        t2 = poll(lambda: statuses(cloud).count("ACTIVE") == N_PAIR, 180, "200 ACTIVE")
    except SystemExit:
        st = statuses(cloud)
        print("statuses:", {x: st.count(x) for x in set(st)}, file=sys.stderr)
        for cid in ids:
            if cloud.status(cid) != "ACTIVE":
                print("not active:", cid, cloud.log(cid), file=sys.stderr)
                break
        print(bed.swanctl("peer", "--list-sas").stdout[-3000:], file=sys.stderr)
        print(bed.log("peer")[-6000:], file=sys.stderr)
        raise
    c1 = cpu_s(pid)
    events = len([l for l in w.lines[mark:] if l.get("kind") == "event"])
    w.close()
    return ids, {"pair_create_and_load_s": t_loaded - t0,
                 "pair_customer_load_to_all_active_s": t2 - t1,
                 "pair_events": events,
                 "pair_vpnd_cpu_s": c1 - c0,
                 "pair_cpu_us_per_event": (c1 - c0) * 1e6 / max(events, 1)}


# ---- 4. reconciliation ----

def idle_cpu(bed, cloud, interval_ms, seconds=10):
    cloud.server.args = [a for a in cloud.server.args]
    i = cloud.server.args.index("--reconcile-interval")
    cloud.server.args[i + 1] = str(interval_ms)
    cloud.stop()
    cloud.start()
    poll(lambda: statuses(cloud).count("ACTIVE") == N_PAIR, 60, "200 ACTIVE after a restart")
    time.sleep(2)
    pid = cloud.server.proc.pid
    c0 = cpu_s(pid)
    time.sleep(seconds)
    c1 = cpu_s(pid)
    cloud.stop()
    st = stats_line(cloud.log_text())
    cloud.start()
    return c1 - c0, st


def reconcile(bed, cloud):
    out = {}
    base, _ = idle_cpu(bed, cloud, 86400000)
    busy, st = idle_cpu(bed, cloud, 1000)
    refreshes = 10
    out["reconcile_start_vpnd_ms"] = int(st.get("reconcile_last_us", 0)) / 1000
    out["reconcile_start_loaded"] = int(st.get("reconcile_last_conns", 0))
    out["listing_200_sas_ms"] = int(st.get("refresh_last_us", 0)) / 1000
    out["listing_cpu_ms_each"] = max(busy - base, 0) * 1000 / refreshes
    out["idle_cpu_ms_per_s"] = base * 1000 / 10
    poll(lambda: statuses(cloud).count("ACTIVE") == N_PAIR, 60, "200 ACTIVE")
    bed.kill("cloud", "KILL")
    poll(lambda: statuses(cloud).count("UNKNOWN") == N_PAIR, 30, "200 UNKNOWN")
    t0 = time.monotonic()
    bed.start("cloud")
    t1 = poll(lambda: statuses(cloud).count("ACTIVE") == N_PAIR, 120, "200 ACTIVE again")
    out["charon_restart_to_all_active_s"] = t1 - t0
    return out


# ---- 5. GET instructions with the driver on ----

# the data plane's own work on the loop: the driver's socket and timer, the plane's tick
PLANE_FUNCS = ("server_on_watch", "plane_tick")


SUMMARY_RE = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+\S+:(\w+)(\s|$)")


def inclusive(dump, funcs):
    """Instructions callgrind_annotate counts inclusively under funcs in one dump (the summary
    lines only: the annotated sources repeat the calls)."""
    p = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100",
                        "--auto=no", dump], capture_output=True, text=True, check=True)
    seen = {}  # a function is listed once per file its inlined parts came from: the largest
    for line in p.stdout.splitlines():
        m = SUMMARY_RE.match(line)
        if m and m.group(2) in funcs:
            seen[m.group(2)] = max(seen.get(m.group(2), 0), int(m.group(1).replace(",", "")))
    return sum(seen.values())


def get_instructions(binary, bed, cloud, ids, gets=2000):
    """Callgrind's instructions per GET of the 200 stored connections: the store served with
    --driver sim, then with --driver strongswan on the live tunnels."""
    cloud.stop()
    work = tempfile.mkdtemp(prefix="vpnd-dp-cg-")
    out = {}
    try:
        for name, extra in (("sim", []),
                            ("strongswan", ["--driver", "strongswan", "--vici", bed.uri("cloud"),
                                            "--node-id", "dp-node"])):
            run = os.path.join(work, name)  # callgrind numbers each process's dumps from 1
            os.mkdir(run)
            db = os.path.join(run, "vpnd.db")
            shutil.copy(cloud.server.db, db)
            proc, port, path = callgrind.start(binary, db, run, extra)
            try:
                import http.client
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                base = "/v5/%s/vpn-connection" % cloud.project
                for i in range(50):
                    callgrind.request(conn, "GET", "%s/%s" % (base, ids[i % len(ids)]))
                time.sleep(15 if name == "strongswan" else 0)  # its reconciliation done
                before = set(os.listdir(run))
                ir, _ = callgrind.phase(proc, path, set(), conn,
                                        [("GET", "%s/%s" % (base, ids[(i * 7919) % len(ids)]),
                                          None, 200) for i in range(gets)])
                dumps = [os.path.join(run, n) for n in sorted(set(os.listdir(run)) - before)
                         if n.startswith("callgrind.out")]
                plane = sum(inclusive(d, PLANE_FUNCS) for d in dumps) / gets
                out["get_instructions_%s" % name] = ir
                out["get_instructions_%s_data_plane_part" % name] = plane
                conn.close()
            finally:
                proc.terminate()
                proc.wait(timeout=120)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    cloud.start()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "rel", "vpnd"))
    ap.add_argument("--json")
    ap.add_argument("--skip-dpd", action="store_true")
    ap.add_argument("--pair-only", action="store_true",
                    help="only the 200 connections, their reconciliation and GETs")
    a = ap.parse_args()
    os.environ["VPND_BIN"] = os.path.abspath(a.binary)
    tmp = tempfile.mkdtemp(prefix="vpnd-dp-bench-")
    bed = Bed(os.path.join(tmp, "bed"))
    figures = {}
    cloud = None
    try:
        pair_addresses(bed)
        bed.start("cloud")
        bed.start("peer")
        cloud = Cloud(bed, tmp, extra=["--reconcile-interval", "30000", "--log-level", "info",
                                       "--quota-customer-gateway", "1000"])
        cloud.start()
        made = []
        if not a.pair_only:
            figures.update(create_to_active(bed, cloud, made))
            print("create:", figures, file=sys.stderr)
        if not a.skip_dpd and not a.pair_only:
            figures["dead_peer_to_down_s"] = dead_peer(bed, cloud, made)
            print("dpd:", figures["dead_peer_to_down_s"], file=sys.stderr)
        for t in made:  # their customer addresses are the pair's first ones
            cloud.delete(t.id)
        for t in made:
            vpnd_api.wait_gone(cloud.server, cloud.conn_path(t.id), 10)
        # the pair in a project of its own
        cloud.project = vpnd_api.new_project()
        ids, f = pair(bed, cloud, tmp)
        figures.update(f)
        print("pair:", f, file=sys.stderr)
        f = reconcile(bed, cloud)
        figures.update(f)
        print("reconcile:", f, file=sys.stderr)
        figures.update(get_instructions(os.path.abspath(a.binary), bed, cloud, ids))
        cloud.stop()
    finally:
        if cloud and cloud.server.proc is not None:
            cloud.server.proc.kill()  # by its pid
            cloud.server.proc.wait()
        bed.down()
        shutil.rmtree(tmp, ignore_errors=True)
    print("| figure | value |")
    print("|---|---|")
    for k, v in figures.items():
        if isinstance(v, dict):
            for kk, vv in v.items():
                print("| %s: %s | %.2f |" % (k, kk, vv))
        else:
            print("| %s | %s |" % (k, ("%.3f" % v) if isinstance(v, float) else v))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(figures, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
