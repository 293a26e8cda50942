#!/usr/bin/env python3
"""HTTP-front abuse probes of issue 12, at full size, against a vpnd binary: the figures of
docs/http-front.md. Loopback only; the server is started on 127.0.0.1:0 and stopped by its PID.

Usage: /usr/bin/python3 bench/abuse.py [--vpnd build/rel/vpnd] [spin] [slots] [length]

  spin     one chunked request whose chunk-size line carries a 20 KB extension, then close:
           server CPU seconds over the next 3 s (utime+stime from /proc/PID/stat)
  slots    1 000 idle + 200 dripping sockets from 12 addresses (127.0.0.2-13) against the
           default --max-connections 1000; a normal client on 127.0.0.200 makes 12 requests
           (one every 0.5 s, new connection each): latency of each (timeout 10 s)
  length   malformed Content-Length values: how many status lines come back, and whether the
           body is the documented {"error_code","error_msg","request_id"}
"""
import argparse
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "api"))
from vpnd_api import SlotAttack, cpu_seconds, read_all  # noqa: E402  (the tests' helpers)

PROJECT = "0605767dd1000ffd2f5cc0009a2d6d21"


def start(binary, work, extra=()):
    cmd = [binary, "serve", "--listen", "127.0.0.1:0", "--db", os.path.join(work, "vpnd.db"),
           "--log-level", "warn"] + list(extra)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VPND_")}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                            text=True)
    m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", proc.stdout.readline())
    if not m:
        raise SystemExit("vpnd did not start")
    return proc, int(m.group(1))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def probe_spin(port, pid):
    req = (b"POST /v5/%s/customer-gateways HTTP/1.1\r\nHost: x\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n2;" % PROJECT.encode() + b"e" * 20000 +
           b"\r\n{}\r\n0\r\n\r\n")
    before = cpu_seconds(pid)
    s = socket.create_connection(("127.0.0.1", port))
    try:
        s.sendall(req)
        s.settimeout(2)
        first = s.recv(200)
    except OSError as e:
        first = repr(e).encode()
    s.close()
    time.sleep(3)
    used = cpu_seconds(pid) - before
    print("spin: answer %r; server CPU over 3 s after the request: %.2f s"
          % (first.split(b"\r\n")[0], used))


def get(port, source, timeout=10.0):
    t0 = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                     source_address=(source, 0))
        s.sendall(b"GET /v5/%s/vpn/quotas HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                  % PROJECT.encode())
        data = read_all(s, timeout)
        s.close()
        ok = data.startswith(b"HTTP/1.1 200")
        return time.monotonic() - t0, ok
    except OSError:
        return time.monotonic() - t0, False


def probe_slots(port, pid, n_idle=1000, n_drip=200, n_addr=12, seconds=6.0):
    resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
    addrs = ["127.0.0.%d" % (2 + i) for i in range(n_addr)]
    rss_before = rss_kib(pid)
    with SlotAttack(port, n_idle, n_drip, addrs) as attack:
        time.sleep(seconds)  # let the attack fill the slots
        rss_during = rss_kib(pid)
        lat = []
        for _ in range(12):
            lat.append(get(port, "127.0.0.200"))
            time.sleep(0.5)
        reopened = attack.reopened
    times = sorted(t for t, _ in lat)
    print("slots: normal client, 12 requests: answered %d/12; latency s min %.3f median %.3f "
          "max %.3f" % (sum(ok for _, ok in lat), times[0], times[len(times) // 2], times[-1]))
    print("slots: each: %s" % ", ".join("%.2f%s" % (t, "" if ok else "!") for t, ok in lat))
    print("slots: server VmRSS %d KiB before the attack, %d KiB with every slot taken; the "
          "server closed %d attacking sockets" % (rss_before, rss_during, reopened))


def probe_length(port):
    for value in (b"+5", b"5, 5", b"0x2b", b"18446744073709551616", b"5\r\nContent-Length: 6"):
        req = (b"POST /v5/%s/customer-gateways HTTP/1.1\r\nHost: x\r\nContent-Length: %s\r\n"
               b"Connection: close\r\n\r\nhello!" % (PROJECT.encode(), value))
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(req)
        data = read_all(s)
        s.close()
        lines = data.count(b"HTTP/1.1 ")
        body = data.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in data else b""
        try:
            documented = set(json.loads(body)) == {"error_code", "error_msg", "request_id"}
        except ValueError:
            documented = False
        print("length %-28r status lines %d, first %r, documented body %s"
              % (value, lines, data.split(b"\r\n")[0], documented))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vpnd", default=os.path.join(os.path.dirname(__file__), "..", "build",
                                                    "rel", "vpnd"))
    ap.add_argument("probes", nargs="*", default=["spin", "slots", "length"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="vpnd-abuse-") as work:
        for probe in args.probes:
            proc, port = start(args.vpnd, work)
            try:
                if probe == "spin":
                    probe_spin(port, proc.pid)
                elif probe == "slots":
                    probe_slots(port, proc.pid)
                elif probe == "length":
                    probe_length(port)
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
            os.unlink(os.path.join(work, "vpnd.db"))


if __name__ == "__main__":
    sys.exit(main())
