#!/usr/bin/env python3
"""The vpnd benchmark: nginx (static file) vs vpnd (no auth, AK/SK) in one run, same wrk and
CPU pinning for every server. Run through bench/run.sh (which installs wrk/nginx and builds the
release binary); see bench/README.md for what is measured and how to read it.

Usage: bench/bench.py [--sizes 1k,10k,100k,1m] [--duration S] [--json FILE] [--png FILE] [--vpnd PATH]
                      [--server-cpu N] [--client-cpu N] [--replot JSON]
"""
import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = "0605767dd1000ffd2f5cc0009a2d6d21"
AK, SK = "BENCHAK000000001", "BENCHsk0000000000000000000000000001"
SPARE_GATEWAYS = 60  # empty Professional2 gateways for the create run: 60 000 slots


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def parse_size(s):
    s = s.strip().lower()
    mult = {"k": 1000, "m": 1000000}.get(s[-1], 1)
    return int(float(s[:-1] if s[-1] in "km" else s) * mult)


def size_label(n):
    return "%dM" % (n // 1000000) if n % 1000000 == 0 else "%dk" % (n // 1000) if n % 1000 == 0 \
        else str(n)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def to_ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)$", v)
    f = float(m.group(1))
    return {"us": f / 1000, "ms": f, "s": f * 1000}[m.group(2)]


class Wrk:
    def __init__(self, cpu, duration):
        self.cpu, self.duration = cpu, duration

    def run(self, url, conns, script=None, env=None):
        cmd = ["taskset", "-c", str(self.cpu), "wrk", "-t1", "-c%d" % conns,
               "-d%ds" % self.duration, "--latency", "--timeout", "10s"]
        if script:
            cmd += ["-s", os.path.join(HERE, "wrk", script)]
        out = subprocess.run(cmd + [url], capture_output=True, text=True,
                             env=dict(os.environ, **(env or {})), check=True).stdout
        res = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
               "p50_ms": to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
               "p99_ms": to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
               "requests": int(re.search(r"(\d+) requests in", out).group(1)),
               "errors": 0}
        m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if m:
            res["errors"] = int(m.group(1))
        m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
        if m:
            res["errors"] += sum(int(x) for x in m.groups())
        return res


def sampled(pid, run):
    """run() while sampling pid's VmRSS: (run's result, the highest VmRSS in KiB)."""
    s = RssSampler(pid)
    s.start()
    try:
        return run(), s.peak_kib
    finally:
        s.stop.set()


class RssSampler(threading.Thread):
    """Highest VmRSS of pid while running."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak_kib, self.stop = pid, 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                with open("/proc/%d/status" % self.pid) as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            self.peak_kib = max(self.peak_kib, int(line.split()[1]))
            except OSError:
                return
            self.stop.wait(0.2)


class Vpnd:
    def __init__(self, binary, cpu, db, extra=()):
        self.binary, self.cpu, self.db, self.extra = binary, cpu, db, list(extra)
        self.proc, self.port = None, None

    def start(self):
        """Starts and returns the seconds from exec to the readiness line."""
        cmd = ["taskset", "-c", str(self.cpu), self.binary, "serve", "--listen", "127.0.0.1:0",
               "--db", self.db, "--log-level", "warn", "--max-connections", "10000",
               "--max-per-client", "10000", "--quota-vpn-connection", "100000000",
               "--quota-vpn-gateway", "1000000", "--quota-customer-gateway", "1000000"] + self.extra
        env = {k: v for k, v in os.environ.items() if not k.startswith("VPND_")}
        t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     env=env, text=True)
        seen = []
        while True:  # "vpnd: store ... (new)" comes first
            line = self.proc.stdout.readline()
            seen.append(line)
            m = re.search(r"listening on (https?)://127\.0\.0\.1:(\d+)", line)
            if m or not line:
                break
        took = time.monotonic() - t0
        if not m:
            raise SystemExit("vpnd did not start: %r" % seen)
        self.scheme, self.port = m.group(1), int(m.group(2))
        return took

    def url(self, path):
        return "%s://127.0.0.1:%d%s" % (self.scheme, self.port, path)

    def get(self, path, headers=None):
        req = urllib.request.Request(self.url(path), headers=headers or {})
        ctx = ssl._create_unverified_context() if self.scheme == "https" else None
        with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
            return r.read()

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        self.proc.wait(timeout=60)
        self.proc = None


def build_store(args, work, n):
    ids, spare = os.path.join(work, "ids"), os.path.join(work, "spare")
    db = os.path.join(work, "vpnd.db")
    t0 = time.monotonic()
    gen = subprocess.Popen([sys.executable, os.path.join(HERE, "gen.py"), str(n), "--ids", ids,
                            "--project", PROJECT, "--spare", str(SPARE_GATEWAYS),
                            "--spare-file", spare], stdout=subprocess.PIPE)
    imp = subprocess.run([args.vpnd, "import", "--db", db, "--stats", "--no-progress", "-"],
                         stdin=gen.stdout, capture_output=True, text=True)
    gen.stdout.close()
    gen.wait()
    if imp.returncode != 0 or gen.returncode != 0:
        raise SystemExit("import failed: %s" % imp.stderr)
    m = re.search(r"(\d+) records read.*?([\d.]+) s, (\d+) records/s", imp.stderr)
    log(imp.stderr.strip())
    return {"db": db, "ids": ids, "spare": spare, "records": int(m.group(1)),
            "import_s": float(m.group(2)), "import_rps": int(m.group(3)),
            "wall_s": time.monotonic() - t0, "db_bytes": os.path.getsize(db)}


def build_stores(args, work, n, binaries):
    """build_store once per binary ({name: path}), each by its own binary in work/<name>: two
    binaries whose store formats differ (a newer schema) each serve a store they wrote. The
    ids are the same in each (gen.py's seed)."""
    stores = {}
    for name, path in binaries.items():
        sub = os.path.join(work, name)
        os.makedirs(sub, exist_ok=True)
        stores[name] = build_store(argparse.Namespace(**dict(vars(args), vpnd=path)), sub, n)
    return stores


def start_nginx(work, cpu, body, tls=None):
    """nginx (one worker) serving body for every path; tls=(cert, key): over HTTPS only."""
    www = os.path.join(work, "www")
    os.makedirs(www, exist_ok=True)
    with open(os.path.join(www, "conn.json"), "wb") as f:
        f.write(body)
    port = free_port()
    conf = os.path.join(work, "nginx.conf")
    listen = "127.0.0.1:%d" % port
    if tls:
        listen += " ssl; ssl_certificate %s; ssl_certificate_key %s; " \
                  "ssl_protocols TLSv1.2 TLSv1.3" % tls
    with open(conf, "w") as f:
        f.write("worker_processes 1; daemon off; pid %s/nginx.pid; error_log %s/nginx.err;\n"
                "events { worker_connections 4096; }\n"
                "http { access_log off; keepalive_requests 10000000;\n"
                "  client_body_temp_path %s; proxy_temp_path %s; fastcgi_temp_path %s;\n"
                "  uwsgi_temp_path %s; scgi_temp_path %s;\n"
                "  server { listen %s; root %s; default_type application/json;\n"
                "    location / { try_files /conn.json =404; } } }\n"
                % ((work, work) + (work,) * 5 + (listen, www)))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"  # /usr/sbin is not on every PATH
    proc = subprocess.Popen(["taskset", "-c", str(cpu), nginx, "-c", conf, "-e",
                             os.path.join(work, "nginx.err")], stderr=subprocess.DEVNULL)
    ctx = ssl._create_unverified_context() if tls else None
    for _ in range(100):
        try:
            urllib.request.urlopen("%s://127.0.0.1:%d/conn.json" % ("https" if tls else "http",
                                                                    port),
                                   timeout=1, context=ctx).read()
            return proc, port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("nginx did not start")


def warm(path):
    """Reads path once, so its pages are in the page cache."""
    subprocess.run(["cat", path], stdout=subprocess.DEVNULL, check=True)


def pread_probe(path, cpu):
    """Microseconds per random 4 KiB pread from the page cache, over the whole store file and
    over its first 1000 pages (bench/pread_probe.c): what the one cold page a GET at N reads
    costs on this machine."""
    probe = os.path.join(HERE, "..", "build", "rel", "pread_probe")
    warm(path)
    out = subprocess.run(["taskset", "-c", str(cpu), probe, path], capture_output=True,
                         text=True, check=True).stdout.split()
    return {"pread_us_whole_file": float(out[0]), "pread_us_1000_pages": float(out[1])}


def run_size(args, wrk, n):
    work = tempfile.mkdtemp(prefix="vpnd-bench-", dir=args.workdir)
    log("N=%d: building the store (bench/gen.py | vpnd import)" % n)
    store = build_store(args, work, n)
    rows = []
    base = "/v5/%s/vpn-connection" % PROJECT
    env_get = {"BENCH_IDS": store["ids"], "BENCH_BASE": base + "/"}
    env_signed = dict(env_get, BENCH_AK=AK, BENCH_SK=SK)

    v = Vpnd(args.vpnd, args.server_cpu, store["db"])
    starts = [v.start()]
    with open(store["ids"]) as f:
        first_id = f.readline().strip()
    body = v.get(base + "/" + first_id)
    v.stop()

    ng, nport = start_nginx(work, args.server_cpu, body)
    nginx = {}
    try:
        for c in (8, 64):
            log("N=%d: nginx static, %d connections" % (n, c))
            # the same random-id request stream as vpnd gets: every path serves the file
            nginx[c] = wrk.run("http://127.0.0.1:%d%s" % (nport, base), c, "get_random.lua",
                               env_get)
            rows.append(dict(size=n, target="nginx static file", conns=c, ratio=1.0, **nginx[c]))
        for c in (8, 64):
            # and the signed stream the AK/SK run gets, so wrk's signing work is in both
            log("N=%d: nginx static, signed requests, %d connections" % (n, c))
            nginx[("signed", c)] = wrk.run("http://127.0.0.1:%d%s" % (nport, base), c,
                                           "get_signed.lua", env_signed)
            rows.append(dict(size=n, target="nginx static file, signed requests", conns=c,
                             ratio=1.0, **nginx[("signed", c)]))
    finally:
        ng.send_signal(signal.SIGQUIT)
        ng.wait(timeout=30)

    def measured(target, c, res, rss, ref):
        r = dict(size=n, target=target, conns=c, rss_mib=round(rss / 1024, 1), **res)
        r["ratio"] = round(res["rps"] / nginx[ref]["rps"], 2) if ref in nginx else None
        r["p99_ratio"] = round(res["p99_ms"] / nginx[ref]["p99_ms"], 2) if ref in nginx else None
        rows.append(r)

    # vpnd without authentication; the store file read once first: on these VMs the kernel
    # reclaims a multi-GB file's cold pages within minutes (DAMON), and nginx's one file is hot
    warm(store["db"])
    starts.append(v.start())
    for c in (8, 64):
        log("N=%d: vpnd GET random ids, no auth, %d connections" % (n, c))
        res, rss = sampled(v.proc.pid,
                           lambda: wrk.run(v.url(base), c, "get_random.lua", env_get))
        measured("vpnd GET (random id), no auth", c, res, rss, c)
    log("N=%d: vpnd list page of 100, 64 connections" % n)
    res, rss = sampled(v.proc.pid, lambda: wrk.run(v.url(base + "?limit=100"), 64))
    measured("vpnd GET list limit=100", 64, res, rss, None)
    v.stop()

    # vpnd with AK/SK: wrk signs every request (random ids, as the no-auth run). Before the
    # creates: a server started after their kill -9 spends its first seconds settling them
    creds = os.path.join(work, "credentials")
    with open(creds, "w") as f:
        f.write("ak %s %s %s\n" % (AK, SK, PROJECT))
    os.chmod(creds, 0o600)
    warm(store["db"])
    va = Vpnd(args.vpnd, args.server_cpu, store["db"], ["--credentials", creds])
    starts.append(va.start())
    for c in (8, 64):
        log("N=%d: vpnd GET random ids, AK/SK, %d connections" % (n, c))
        res, rss = sampled(va.proc.pid,
                           lambda: wrk.run(va.url(base), c, "get_signed.lua", env_signed))
        measured("vpnd GET (random id), AK/SK", c, res, rss, c)
        rows[-1]["ratio_signed"] = round(res["rps"] / nginx[("signed", c)]["rps"], 2)
    va.stop()

    # creates last (each leaves a PENDING_CREATE connection for the engine), then kill -9
    starts.append(v.start())
    log("N=%d: vpnd POST creates, 16 connections" % n)
    before = json.loads(v.get(base + "?limit=0"))["total_count"]
    env_create = {"BENCH_SPARE": store["spare"], "BENCH_BASE": base}
    res, rss = sampled(v.proc.pid,
                       lambda: wrk.run(v.url(base), 16, "post_create.lua", env_create))
    acked = res["requests"] - res["errors"]
    v.stop(signal.SIGKILL)  # right after the last acknowledged create
    starts.append(v.start())
    after = json.loads(v.get(base + "?limit=0"))["total_count"]
    v.stop()
    res["acked"], res["survived"] = acked, after - before
    measured("vpnd POST create (kill -9 after)", 16, res, rss, None)

    starts.sort()
    info = {"size": n, "import": {k: store[k] for k in ("records", "import_s", "import_rps",
                                                         "db_bytes")},
            "start_to_ready_ms": [round(t * 1000, 1) for t in starts],
            "start_to_ready_median_ms": round(starts[len(starts) // 2] * 1000, 1),
            "body_bytes": len(body), "pread_probe": pread_probe(store["db"], args.server_cpu)}
    if not args.keep:
        subprocess.run(["rm", "-rf", work])
    return rows, info


def fmt(v, unit=""):
    return "" if v is None else ("%g%s" % (v, unit))


def markdown(rows, infos):
    out = ["| N | target | conns | req/s | p50 ms | p99 ms | vpnd RSS MiB | req/s ratio | "
           "p99 ratio | errors |", "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append("| %s | %s | %d | %.0f | %.3f | %.3f | %s | %s | %s | %d |" % (
            size_label(r["size"]), r["target"], r["conns"], r["rps"], r["p50_ms"], r["p99_ms"],
            fmt(r.get("rss_mib")), fmt(r.get("ratio")), fmt(r.get("p99_ratio")), r["errors"]))
    out.append("")
    for i in infos:
        imp = i["import"]
        out.append("- N=%s: import %d records in %.2f s (%d records/s), store %.0f MiB; start "
                   "to ready %s ms (median of %d: %s); body %d bytes" % (
                       size_label(i["size"]), imp["records"], imp["import_s"], imp["import_rps"],
                       imp["db_bytes"] / 1048576, i["start_to_ready_median_ms"],
                       len(i["start_to_ready_ms"]), i["start_to_ready_ms"], i["body_bytes"]))
    for i in infos:
        p = i["pread_probe"]
        out.append("- N=%s: a random 4 KiB pread from the page cache costs %.2f us over the whole "
                   "store file, %.2f us over its first 1000 pages" % (
                       size_label(i["size"]), p["pread_us_whole_file"], p["pread_us_1000_pages"]))
    for r in rows:
        if "ratio_signed" in r:
            out.append("- N=%s: AK/SK at %d connections against nginx fed the same signed "
                       "requests: %.2f" % (size_label(r["size"]), r["conns"], r["ratio_signed"]))
    for r in rows:
        if "acked" in r:
            out.append("- N=%s: %d creates acknowledged, %d present after kill -9 and restart" % (
                size_label(r["size"]), r["acked"], r["survived"]))
    return "\n".join(out)


def curve(rows, infos):
    """The run as one row per size: what grows (or should not) with the store."""
    def pick(n, target, conns, key="rps"):
        r = next((r for r in rows if r["size"] == n and r["target"] == target and
                  r["conns"] == conns), None)
        return r.get(key) if r else None

    out = ["| N | GET/s 8 c (x nginx) | GET/s 64 c (x nginx) | AK/SK 64 c (x nginx signed) | "
           "list/s 64 c | creates/s 16 c | import rec/s | store B/conn | RSS MiB | "
           "start ms |", "|---|---|---|---|---|---|---|---|---|---|"]
    for i in infos:
        n = i["size"]
        get, auth = "vpnd GET (random id), no auth", "vpnd GET (random id), AK/SK"
        rss = max((r.get("rss_mib") or 0) for r in rows if r["size"] == n)
        out.append("| %s | %.0f (%s) | %.0f (%s) | %.0f (%s) | %.0f | %.0f | %d | %.0f | %s | %s |" % (
            size_label(n), pick(n, get, 8), fmt(pick(n, get, 8, "ratio")), pick(n, get, 64),
            fmt(pick(n, get, 64, "ratio")), pick(n, auth, 64),
            fmt(pick(n, auth, 64, "ratio_signed")), pick(n, "vpnd GET list limit=100", 64),
            pick(n, "vpnd POST create (kill -9 after)", 16), i["import"]["import_rps"],
            i["import"]["db_bytes"] / n, fmt(rss), fmt(i["start_to_ready_median_ms"])))
    return "\n".join(out)


def plot(rows, infos, png, title):
    """The curve as a PNG (gnuplot): req/s against the store's size, and vpnd/nginx."""
    if not shutil.which("gnuplot"):
        log("gnuplot not found (scripts/setup.sh --bench): no PNG")
        return
    cols = [("nginx static file", 8, "rps"), ("nginx static file", 64, "rps"),
            ("vpnd GET (random id), no auth", 8, "rps"),
            ("vpnd GET (random id), no auth", 64, "rps"),
            ("vpnd GET (random id), AK/SK", 64, "rps"), ("vpnd GET list limit=100", 64, "rps"),
            ("vpnd POST create (kill -9 after)", 16, "rps"),
            ("vpnd GET (random id), no auth", 8, "ratio"),
            ("vpnd GET (random id), no auth", 64, "ratio"),
            ("vpnd GET (random id), AK/SK", 64, "ratio_signed")]
    fd, data = tempfile.mkstemp(prefix="vpnd-curve-", suffix=".dat")
    with os.fdopen(fd, "w") as f:
        f.write("# N import_rps bytes_per_conn " + " ".join(
            "%s/%d/%s" % (t.replace(" ", "_"), c, k) for t, c, k in cols) + "\n")
        for i in infos:
            vals = []
            for t, c, k in cols:
                r = next((r for r in rows if r["size"] == i["size"] and r["target"] == t and
                          r["conns"] == c), {})
                vals.append("%s" % (r.get(k) if r.get(k) is not None else "NaN"))
            f.write("%d %d %.0f %s\n" % (i["size"], i["import"]["import_rps"],
                                         i["import"]["db_bytes"] / i["size"], " ".join(vals)))
    script = """
set terminal pngcairo size 1200,900 font ",10"
set output '%s'
set multiplot layout 2,1 title '%s'
set logscale x; set grid; set key outside right; set format x "%%.0s%%c"
set xlabel 'connections in the store'; set ylabel 'req/s (records/s for import)'
set logscale y
plot '%s' u 1:4 w lp t 'nginx GET 8 c', '' u 1:5 w lp t 'nginx GET 64 c', \
     '' u 1:6 w lp lw 2 t 'vpnd GET 8 c', '' u 1:7 w lp lw 2 t 'vpnd GET 64 c', \
     '' u 1:8 w lp t 'vpnd AK/SK 64 c', '' u 1:9 w lp t 'vpnd list page 64 c', \
     '' u 1:10 w lp lw 2 t 'vpnd creates 16 c', '' u 1:2 w lp t 'vpnd import'
unset logscale y
set ylabel 'vpnd / nginx (req/s)'; set yrange [0:*]
plot '%s' u 1:11 w lp lw 2 t 'GET 8 c', '' u 1:12 w lp lw 2 t 'GET 64 c', \
     '' u 1:13 w lp t 'AK/SK 64 c (nginx signed)', 1 w l dt 2 lc rgb 'black' t 'nginx'
unset multiplot
""" % (png, title.replace("'", ""), data, data)
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    os.unlink(data)
    if r.returncode != 0:
        log("gnuplot failed: %s" % r.stderr.strip())
    else:
        log("plot written to %s" % png)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1k,10k,100k,1m")
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--json", default=os.path.join(HERE, "results", "latest.json"))
    ap.add_argument("--vpnd", default=os.path.join(HERE, "..", "build", "rel", "vpnd"))
    ap.add_argument("--server-cpu", type=int, default=0)
    ap.add_argument("--client-cpu", type=int, default=1)
    ap.add_argument("--workdir", default=None, help="where stores are built (default $TMPDIR)")
    ap.add_argument("--keep", action="store_true", help="keep the stores")
    ap.add_argument("--png", help="the curve's plot (default: the JSON's name with .png)")
    ap.add_argument("--replot", metavar="JSON", help="only print the curve and plot a saved run")
    args = ap.parse_args()
    args.vpnd = os.path.abspath(args.vpnd)
    if args.replot:
        with open(args.replot) as f:
            run = json.load(f)
        print(curve(run["rows"], run["sizes"]))
        plot(run["rows"], run["sizes"], args.png or os.path.splitext(args.replot)[0] + ".png",
             "vpnd vs nginx, %s, load average %.2f at the end" % (
                 run["date"], run["machine"]["loadavg_at_end"][0]))
        return
    wrk = Wrk(args.client_cpu, args.duration)
    rows, infos = [], []
    for n in [parse_size(s) for s in args.sizes.split(",")]:
        r, i = run_size(args, wrk, n)
        rows += r
        infos.append(i)
    md = markdown(rows, infos)
    print(md)
    print()
    print(curve(rows, infos))
    machine = {"cpus": os.cpu_count(), "kernel": platform.release(),
               "cpu_model": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                                  if l.startswith("model name")), "?"),
               "loadavg_at_end": os.getloadavg(), "server_cpu": args.server_cpu,
               "client_cpu": args.client_cpu}
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "duration_s": args.duration, "machine": machine, "rows": rows,
                   "sizes": infos}, f, indent=1)
    log("JSON written to %s" % args.json)
    plot(rows, infos, args.png or os.path.splitext(args.json)[0] + ".png",
         "vpnd vs nginx, %s, load average %.2f at the end" % (
             time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), os.getloadavg()[0]))


if __name__ == "__main__":
    main()
