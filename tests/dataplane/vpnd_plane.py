"""Helpers of the data-plane tests that drive the real vpnd (build/asan/vpnd, $VPND_BIN) with
--driver strongswan on the bed's cloud charon, through its HTTP API only.

Cloud      one vpnd serving the API, its data plane on the cloud charon; gateways get their EIPs
           from 198.18.128.0/17 (IPv6 gateways from 2001:2:0:ff00::/56) and each EIP is added
           to the cloud namespace once the gateway is ACTIVE (bed.sh routes 198.18.0.0/15 and
           2001:2:0:ff00::/56 over the veth on the customer side)
Tunnel     one gateway + customer gateway + connection number n (1..40) of the bed's layout:
           customer 198.18.1.(n+1), inner hosts 198.19.n.1 (cloud) and 198.19.(100+n).1; on an
           IPv6 gateway customer 2001:2::<hex n+1>, inner hosts host6("cloud"|"peer", n, k) of
           the networks net6(side, n[, k]) (and the IPv4 ones too when dual stack); the customer
           side is configured only from the connection's exported swanctl.conf

Timing: the API's smallest DPD interval is 10 s; deadlines asserted derive from the DPD
settings a test configures and charon's retransmits in bed.sh (2 s x 3 sends), plus the
driver's grace before a down report (SW_DOWN_GRACE_MS, 0.5 s), plus 2 s of margin.
"""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "api"))

import vpnd_api  # noqa: E402
from dataplane import tool  # noqa: E402

EIP_POOL = "198.18.128.0/17"
EIP6_POOL = "2001:2:0:ff00::/56"  # inside vpnd's default 2001:2::/48, apart from the bed's hosts
PSK = "Vpnd-test-psk-1"
DEVICE = {"vendor": "strongSwan", "model": "swanctl", "version": "5.9"}
DOWN_GRACE = 0.5  # src/driver/strongswan/strongswan.h SW_DOWN_GRACE_MS
RETRANSMIT_SPAN = 6  # bed.sh: retransmit_timeout 2, base 1, tries 2


class Cloud:
    """vpnd with the strongSwan driver on the bed's cloud charon."""

    def __init__(self, bed, workdir, node="dp-node", db=None, vici=None, extra=()):
        self.bed = bed
        args = ["--driver", "strongswan", "--vici", vici or bed.uri("cloud"),
                "--eip-pool", EIP_POOL, "--eip6-pool", EIP6_POOL, "--node-id", node,
                "--log-level", "info"] + list(extra)
        self.server = vpnd_api.Server(vpnd_api.vpnd_binary(), str(workdir), args=args, db=db)
        self.project = vpnd_api.new_project()
        self.added = set()

    def start(self):
        self.server.start()
        return self

    def stop(self, sig=None):
        if sig is None:
            self.server.stop()
        else:
            self.server.send_signal(sig)
            self.server.proc.wait(timeout=20)
            self.server.proc = None

    def log_text(self):
        return self.server.stderr_text()

    def request(self, method, path, body=None):
        return self.server.request(method, path, body)

    # ---- resources ----

    def gateway(self, local_subnets, **fields):
        """A gateway (local_subnets None: without IPv4 subnets; fields: more of the create body),
        ACTIVE, its EIPs added to the cloud namespace."""
        p = self.project
        local = vpnd_api.DELETE if local_subnets is None else local_subnets
        gw = vpnd_api.create_gateway(self.server, p,
                                     vpnd_api.gateway_body(local_subnets=local, **fields))
        vpnd_api.wait_gateway_active(self.server, p, gw["id"])
        gw = vpnd_api.get_gateway(self.server, p, gw["id"])
        for e in ("eip1", "eip2"):
            self.add_address(gw[e]["ip_address"])
        return gw

    def add_address(self, ip):
        if ip not in self.added:
            if ":" in ip:
                self.bed.exec("cloud", "ip", "addr", "add", ip + "/128", "dev", "out", "nodad")
            else:
                self.bed.exec("cloud", "ip", "addr", "add", ip + "/32", "dev", "out")
            self.added.add(ip)

    def customer(self, address):
        return vpnd_api.create_cgw(self.server, self.project, id_value=address)

    def conn_path(self, cid):
        return vpnd_api.conn_path(self.project, cid)

    def get(self, cid):
        return vpnd_api.get_conn(self.server, self.project, cid)

    def status(self, cid):
        return self.get(cid)["status"]

    def wait_status(self, cid, want, timeout):
        """Polls until connection cid's status is want; returns the seconds it took."""
        t0 = time.monotonic()
        c = vpnd_api.wait_conn_status(self.server, self.project, cid, want, timeout)
        assert c["status"] == want, "connection %s is %s after %.1f s, want %s; log: %s" % (
            cid, c["status"], timeout, want, self.log(cid))
        return time.monotonic() - t0

    def log(self, cid):
        r = self.request("GET", self.conn_path(cid) + "/log")
        assert r.status == 200, r.raw
        return [e["raw_message"] for e in r.json["logs"]]

    def update(self, cid, **fields):
        body = {"vpn_connection": {}}
        for k, v in fields.items():
            vpnd_api.set_field(body["vpn_connection"], k, v)
        r = self.request("PUT", self.conn_path(cid), body)
        assert r.status == 200, (r.status, r.raw)

    def delete(self, cid):
        r = self.request("DELETE", self.conn_path(cid))
        assert r.status == 204, (r.status, r.raw)

    def export(self, cid):
        r = self.request("POST", self.conn_path(cid) + "/peer-configuration/export", DEVICE)
        assert r.status == 200, (r.status, r.raw)
        return r.json["peer_config"]

    def sas(self, cid):
        r = self.request("GET", self.conn_path(cid) + "/ipsec-sa")
        assert r.status == 200, (r.status, r.raw)
        return r.json["sa_infos"]


def net6(side, n, rule=None):
    """Connection n's IPv6 network on side ("cloud" or "peer", bed.sh): its /60, or the /64 of
    policy rule number rule (0..2)."""
    base = "2001:2:0:%d%02d" % (1 if side == "cloud" else 2, n)
    return base + "0::/60" if rule is None else "%s%d::/64" % (base, rule)


def host6(side, n, rule=0):
    """The inner host of net6(side, n, rule)."""
    return net6(side, n, rule).replace("::/64", "::1")


class Tunnel:
    """Connection n of the bed's layout, created through the API. ip_version "ipv6": an IPv6
    gateway and customer (IKE over IPv6), IPv6 subnets (rules6 policy rules, one per /64), and
    with dual the IPv4 subnets as well."""

    def __init__(self, cloud, n, style="POLICY", ike_version="v2", ikepolicy=None,
                 ipsecpolicy=None, psk=PSK, conn_extra=None, create=True, ip_version="ipv4",
                 dual=False, rules6=1):
        self.cloud = cloud
        self.n = n
        self.cloud_host = "198.19.%d.1" % n
        self.peer_host = "198.19.%d.1" % (100 + n)
        v6 = ip_version == "ipv6"
        v4_local = ["198.19.%d.0/24" % n] if not v6 or dual else None
        self.cgw_ip = "2001:2::%x" % (n + 1) if v6 else "198.18.1.%d" % (n + 1)
        if v6:
            self.gw = cloud.gateway(v4_local, ip_version="ipv6",
                                    local_subnets_v6=[net6("cloud", n)])
        else:
            self.gw = cloud.gateway(v4_local)
        self.cgw = cloud.customer(self.cgw_ip)
        fields = {"style": style, "psk": psk, "peer_subnets": ["198.19.%d.0/24" % (100 + n)],
                  "ikepolicy": dict({"ike_version": ike_version}, **(ikepolicy or {})),
                  "ipsecpolicy": dict(ipsecpolicy or {})}
        if v6:
            fields["peer_subnets_v6"] = [net6("peer", n)]
            if not dual:
                fields["peer_subnets"] = vpnd_api.DELETE
        if style == "POLICY" and v6:
            fields["policy_rules_v6"] = [{"source": net6("cloud", n, k),
                                          "destination": [net6("peer", n, k)]}
                                         for k in range(rules6)]
        elif style == "POLICY":
            fields["policy_rules"] = [{"source": "198.19.%d.0/24" % n,
                                       "destination": ["198.19.%d.0/24" % (100 + n)]}]
        fields.update(conn_extra or {})
        self.body = vpnd_api.conn_body(self.gw, self.cgw, **fields)
        self.id = vpnd_api.create_conn(cloud.server, cloud.project, self.body)["id"] \
            if create else None
        self.name = "vpnd-%s" % self.id

    @classmethod
    def of(cls, cloud, n, conn):
        """Connection n of the bed's layout that the test created itself (conn: its create
        response)."""
        t = cls.__new__(cls)
        t.cloud, t.n, t.id, t.name = cloud, n, conn["id"], "vpnd-%s" % conn["id"]
        t.cloud_host, t.peer_host = "198.19.%d.1" % n, "198.19.%d.1" % (100 + n)
        return t

    def peer_file(self):
        return os.path.join(self.cloud.bed.dir, "peer", "conf.d", "c%d.conf" % self.n)

    def peer_load(self, text=None, transform=None):
        """The customer side from the export only (optionally changed by transform: a test that
        wants the customer to differ), loaded with swanctl --load-all."""
        text = text if text is not None else self.cloud.export(self.id)
        if transform:
            text = transform(text)
        with open(self.peer_file(), "w") as f:
            f.write(text)
        return self.cloud.bed.swanctl("peer", "--load-all", "--file",
                                      self.cloud.bed.peer_master())

    def peer_unload(self):
        os.unlink(self.peer_file())
        return self.cloud.bed.swanctl("peer", "--load-all", "--file",
                                      self.cloud.bed.peer_master())

    def ping(self, count=3, deadline=None):
        return self.cloud.bed.ping("cloud", self.cloud_host, self.peer_host, count, deadline)

    def ping6(self, count=3, rule=0, peer_rule=None, deadline=5):
        """ping -6 from the cloud host of net6(cloud, n, rule) to the customer host of
        net6(peer, n, peer_rule, default rule) until count replies came, for at most deadline
        seconds; returns the packets received."""
        dst = host6("peer", self.n, rule if peer_rule is None else peer_rule)
        return self.cloud.bed.ping("cloud", host6("cloud", self.n, rule), dst, count, deadline)

    def status(self):
        return self.cloud.status(self.id)

    def wait(self, want, timeout):
        return self.cloud.wait_status(self.id, want, timeout)

    def log(self):
        return self.cloud.log(self.id)


def up(cloud, n, **kw):
    """Connection n created (Tunnel's keywords), its customer loaded from the export, ACTIVE."""
    t = Tunnel(cloud, n, **kw)
    t.peer_load()
    t.wait("ACTIVE", 5)
    return t


def wait_for(pred, timeout, what):
    """Polls pred until it is true; fails after timeout seconds naming what was awaited."""
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, "timed out after %.1f s waiting for %s" % (timeout,
                                                                                     what)
        time.sleep(0.05)


def charon_conns(bed, side):
    """vpnd- connection names charon of side holds (get-conns)."""
    return [n for n in bed.conns(side) if n.startswith("vpnd-")]


def charon_keys(bed, side):
    """vpnd- shared key ids charon of side holds (get-shared)."""
    _, lines, _ = tool("call", bed.uri(side), "get-shared")
    reply = [l for l in lines if l["kind"] == "reply"][0]["msg"]
    return [k for k in reply.get("keys", []) if k.startswith("vpnd-")]
