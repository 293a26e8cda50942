"""Helpers of the data-plane suite: a test bed of two real charons (bed.sh), vpnd's VICI tool
(build/asan/tests/vici_tool: codec, client and mapping under ASan+UBSan), and connections built
from the API's own create bodies.

A connection n (1..40) uses its own customer gateway address 198.18.1.(n+1) on the peer side,
so connections never share an IKE address pair; its inner hosts are 198.19.n.1 (cloud) and
198.19.(100+n).1 (peer). Every tool run is checked for sanitizer reports.
"""

import copy
import json
import os
import subprocess
import threading
import time
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BED = os.path.join(ROOT, "tests", "dataplane", "bed.sh")
TOOL = os.environ.get("VICI_TOOL") or os.path.join(ROOT, "build", "asan", "tests", "vici_tool")
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")
EVENTS = ["ike-updown", "child-updown", "ike-rekey", "child-rekey", "log"]
PSK = "Vpnd-test-psk-1"
EIP1 = "198.18.1.1"
EIP2 = "198.18.1.254"


def no_sanitizer_report(text, what):
    for mark in SANITIZER_MARKS:
        assert mark not in text, "%s: sanitizer report:\n%s" % (what, text)


def tool(*args, check=True, timeout=60):
    """Runs vici_tool; returns (exit status, JSON lines of stdout, raw stdout)."""
    p = subprocess.run([TOOL] + [str(a) for a in args], capture_output=True, text=True,
                       timeout=timeout)
    no_sanitizer_report(p.stderr, "vici_tool %s" % args[0])
    lines = []
    for line in p.stdout.splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    if check and p.returncode != 0:
        raise AssertionError("vici_tool %s: exit %d\n%s%s" % (" ".join(map(str, args)),
                                                              p.returncode, p.stdout, p.stderr))
    return p.returncode, lines, p.stdout


class Bed:
    """Two namespaces joined by a veth pair, a charon in each (started on demand)."""

    def __init__(self, workdir):
        self.dir = str(workdir)
        os.makedirs(self.dir, exist_ok=True)
        subprocess.run([BED, "up", self.dir, str(os.getpid())], check=True)
        os.makedirs(os.path.join(self.dir, "peer", "conf.d"), exist_ok=True)
        with open(self.peer_master(), "w") as f:
            f.write("include conf.d/*.conf\n")

    def uri(self, side):
        return "unix://%s/%s/charon.vici" % (self.dir, side)

    def peer_master(self):
        return os.path.join(self.dir, "peer", "swanctl.conf")

    def start(self, side):
        subprocess.run([BED, "start", self.dir, side], check=True)

    def kill(self, side, sig="TERM"):
        subprocess.run([BED, "kill", self.dir, side, sig], check=True)

    def down(self):
        subprocess.run([BED, "down", self.dir], check=True)

    def exec(self, side, *cmd, check=True, timeout=30):
        return subprocess.run([BED, "exec", self.dir, side] + list(cmd), capture_output=True,
                              text=True, check=check, timeout=timeout)

    def swanctl(self, side, *args, check=True):
        return subprocess.run([BED, "swanctl", self.dir, side] + list(args),
                              capture_output=True, text=True, check=check, timeout=30)

    def ping(self, side, src, dst, count=3, deadline=None):
        """Pings dst from the inner address src (ping -6 for IPv6); returns the packets
        received. With a deadline (s), ping sends until count replies came or the deadline
        passed (a reply lost while charon replaces an SA is asked for again): the wait for
        many tests at once on shared cores."""
        family = ["-6"] if ":" in dst else ["-4"]
        wait = ["-i", "0.2", "-W", "1"] if deadline is None else ["-i", "0.1", "-w",
                                                                  str(deadline)]
        p = self.exec(side, "ping", *family, "-n", "-q", "-c", str(count), *wait, "-I", src,
                      dst, check=False)
        for line in p.stdout.splitlines():
            if "received" in line:
                return int(line.split(",")[1].split()[0])
        return 0

    def log(self, side):
        with open(os.path.join(self.dir, side, "charon.log"), errors="replace") as f:
            return f.read()

    def peer_load(self, conn):
        """The customer side, configured only from the exported swanctl.conf."""
        _, _, text = tool("map", conn.spec_file, "peer")
        with open(os.path.join(self.dir, "peer", "conf.d", conn.name + ".conf"), "w") as f:
            f.write(text)
        return self.swanctl("peer", "--load-all", "--file", self.peer_master())

    def peer_unload(self, conn):
        os.unlink(os.path.join(self.dir, "peer", "conf.d", conn.name + ".conf"))
        return self.swanctl("peer", "--load-all", "--file", self.peer_master())

    def sas(self, side, ike=None):
        """list-sas through the client: {ike name: IKE SA section} (the last of a name wins)."""
        args = ["call", self.uri(side), "list-sas", "--stream", "list-sa"]
        if ike:
            args.append("ike=" + ike)
        _, lines, _ = tool(*args)
        out = {}
        for line in lines:
            if line["kind"] == "stream":
                out.update(line["msg"])
        return out

    def conns(self, side):
        _, lines, _ = tool("call", self.uri(side), "get-conns")
        return [l for l in lines if l["kind"] == "reply"][0]["msg"].get("conns", [])


class Watch:
    """vici_tool watch: every event and connection report of one charon, as JSON lines."""

    def __init__(self, uri, events=EVENTS):
        self.proc = subprocess.Popen([TOOL, "watch", uri] + list(events), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.wait(lambda l: l["kind"] == "state" and l["up"], 10, "the watcher to connect")

    def _read(self):
        for raw in self.proc.stdout:
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            line["wall"] = time.monotonic()
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.lines)

    def wait(self, pred, timeout, what, since=0):
        """Waits for the first line from index since that matches pred; returns it."""
        end = time.monotonic() + timeout
        with self.cond:
            i = since
            while True:
                while i < len(self.lines):
                    if pred(self.lines[i]):
                        return self.lines[i]
                    i += 1
                left = end - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out after %.1f s waiting for %s; saw:\n%s" % (
                        timeout, what, "\n".join(brief(l) for l in self.lines[since:][-40:])))
                self.cond.wait(left)

    def logs(self, since=0, ike=None, until=None):
        """Texts of log events (optionally of one IKE SA name) from index since (to until)."""
        with self.cond:
            got = list(self.lines[since:until])
        return [l["msg"].get("msg", "") for l in got if l.get("name") == "log" and
                (ike is None or l["msg"].get("ikesa-name") == ike)]

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)
        no_sanitizer_report(self.proc.stderr.read(), "vici_tool watch")
        assert self.proc.returncode == 0


def brief(line):
    if line.get("name") == "log":
        return "log: %s" % line["msg"].get("msg")
    return json.dumps(line)[:300]


def updown(kind, conn_name, up):
    """Predicate: an ike-updown / child-updown event of conn_name going up or down."""
    def pred(line):
        if line.get("kind") != "event" or line.get("name") != kind:
            return False
        msg = line["msg"]
        return conn_name in msg and (msg.get("up") == "yes") == up
    return pred


class Conn:
    """A connection spec (API create bodies) for vici_tool."""

    def __init__(self, workdir, n, style="POLICY", ike_version="v2", ikepolicy=None,
                 ipsecpolicy=None, psk=PSK, rules=1, conn_extra=None):
        self.n = n
        self.id = str(uuid.uuid4())
        self.name = "vpnd-" + self.id
        self.cgw_ip = "198.18.1.%d" % (n + 1)
        self.cloud_host = "198.19.%d.1" % n
        self.peer_host = "198.19.%d.1" % (100 + n)
        vgw_id, eip1, eip2, cgw_id = (str(uuid.uuid4()) for _ in range(4))
        conn = {"vgw_id": vgw_id, "vgw_ip": eip1, "cgw_id": cgw_id, "style": style.lower(),
                "psk": psk, "peer_subnets": ["198.19.%d.0/24" % (100 + n)],
                "ikepolicy": dict({"ike_version": ike_version}, **(ikepolicy or {})),
                "ipsecpolicy": dict(ipsecpolicy or {})}
        if style == "POLICY" and rules == 1:
            conn["policy_rules"] = [{"source": "198.19.%d.0/24" % n,
                                     "destination": ["198.19.%d.0/24" % (100 + n)]}]
        elif style == "POLICY":
            # rule k joins the k-th /26 quarters (hosts .1, .65, .129 on both sides)
            conn["policy_rules"] = [{"source": "198.19.%d.%d/26" % (n, 64 * k),
                                     "destination": ["198.19.%d.%d/26" % (100 + n, 64 * k)]}
                                    for k in range(rules)]
        conn.update(conn_extra or {})
        self.spec = {
            "vgw_id": vgw_id,
            "vgw": {"vpn_gateway": {"vpc_id": str(uuid.uuid4()),
                                    "connect_subnet": str(uuid.uuid4()),
                                    "local_subnets": ["198.19.%d.0/24" % n],
                                    "eip1": {"id": eip1}, "eip2": {"id": eip2}}},
            "eip1_ip": EIP1, "eip2_ip": EIP2,
            "cgw_id": cgw_id, "cgw": {"customer_gateway": {"id_value": self.cgw_ip}},
            "conn_id": self.id, "conn": {"vpn_connection": conn},
        }
        self.workdir = str(workdir)
        self.spec_file = os.path.join(self.workdir, "spec-%s.json" % self.id)
        self.write()

    def write(self):
        with open(self.spec_file, "w") as f:
            json.dump(self.spec, f)

    def variant(self, **conn_changes):
        """A copy of this connection (same id) with members of vpn_connection replaced, as a
        PUT would change them."""
        other = copy.copy(self)
        other.spec = copy.deepcopy(self.spec)
        body = other.spec["conn"]["vpn_connection"]
        for k, v in conn_changes.items():
            if isinstance(v, dict) and isinstance(body.get(k), dict):
                body[k].update(v)
            else:
                body[k] = v
        other.spec_file = os.path.join(self.workdir, "spec-%s-%d.json" % (
            self.id, int(time.monotonic() * 1e6)))
        other.write()
        return other

    def cloud_load(self, bed, check=True):
        return tool("load", bed.uri("cloud"), self.spec_file, check=check)

    def cloud_unload(self, bed):
        return tool("unload", bed.uri("cloud"), self.name)
