"""Tunnels between two real charons: the cloud side loaded through vpnd's VICI client from the
API's connection (create bodies -> model -> load-conn/load-shared), the customer side only from
the exported swanctl.conf. Events are read through the client (vici_tool watch)."""

import subprocess
import time

import pytest

from dataplane import BED, Conn, updown


def bring_up(bed, watch, conn, children=1, timeout=10):
    """Loads the cloud side, then the customer side; waits for every CHILD_SA up event and
    returns the seconds from the customer's load to the last one."""
    mark = watch.mark()
    conn.cloud_load(bed)
    t0 = time.monotonic()
    bed.peer_load(conn)
    last = None
    for k in range(children):
        last = watch.wait(updown("child-updown", conn.name, True), timeout,
                          "CHILD_SA %d of %s up" % (k + 1, conn.name), since=mark)
        mark = watch.lines.index(last) + 1
    return last["wall"] - t0


def child(bed, conn, name):
    """The cloud side's CHILD_SA of that name (list-sas through the client)."""
    ike = bed.sas("cloud", ike=conn.name)[conn.name]
    for sa in ike.get("child-sas", {}).values():
        if sa["name"] == name:
            return ike, sa
    raise AssertionError("no CHILD_SA %s in %s" % (name, ike))


def test_policy_ikev2_tunnel_comes_up_and_carries_pings(bed, watch, conn_n, tmp_path):
    conn = Conn(tmp_path, conn_n)
    bring_up(bed, watch, conn)
    assert bed.ping("cloud", conn.cloud_host, conn.peer_host, count=5) == 5


def test_sa_counters_rise_by_at_least_the_packets_sent(bed, watch, conn_n, tmp_path):
    conn = Conn(tmp_path, conn_n)
    bring_up(bed, watch, conn)
    _, before = child(bed, conn, "rule1")
    assert bed.ping("cloud", conn.cloud_host, conn.peer_host, count=4) == 4
    _, after = child(bed, conn, "rule1")
    assert int(after["packets-out"]) - int(before["packets-out"]) >= 4
    assert int(after["packets-in"]) - int(before["packets-in"]) >= 4
    assert int(after["bytes-out"]) > int(before["bytes-out"])


def test_static_connection_joins_local_and_peer_subnets(bed, watch, conn_n, tmp_path):
    conn = Conn(tmp_path, conn_n, style="STATIC")
    bring_up(bed, watch, conn)
    _, sa = child(bed, conn, "tunnel")
    assert sa["local-ts"] == ["198.19.%d.0/24" % conn_n]
    assert sa["remote-ts"] == ["198.19.%d.0/24" % (100 + conn_n)]
    assert bed.ping("cloud", conn.cloud_host, conn.peer_host) == 3


def test_bgp_connection_over_ikev1_comes_up_like_static(bed, watch, conn_n, tmp_path):
    conn = Conn(tmp_path, conn_n, style="BGP", ike_version="v1")
    bring_up(bed, watch, conn)
    ike, _ = child(bed, conn, "tunnel")
    assert ike["version"] == "1"
    assert bed.ping("peer", conn.peer_host, conn.cloud_host) == 3


def test_policy_ikev1_main_mode_tunnel_carries_pings(bed, watch, conn_n, tmp_path):
    conn = Conn(tmp_path, conn_n, ike_version="v1")
    bring_up(bed, watch, conn)
    ike, _ = child(bed, conn, "rule1")
    assert ike["version"] == "1"
    assert bed.ping("cloud", conn.cloud_host, conn.peer_host) == 3


def test_ikev1_aggressive_mode_with_fqdn_identities_comes_up(bed, watch, conn_n, tmp_path):
    conn = Conn(tmp_path, conn_n, ike_version="v1", ikepolicy={
        "phase1_negotiation_mode": "aggressive", "local_id_type": "fqdn",
        "local_id": "cloud.vpnd.test", "peer_id_type": "fqdn", "peer_id": "198.18.9.9"})
    bring_up(bed, watch, conn)
    ike, _ = child(bed, conn, "rule1")
    assert ike["local-id"] == "cloud.vpnd.test"
    assert ike["remote-id"] == "198.18.9.9"  # an FQDN that reads like an address


def test_each_policy_rule_gets_its_own_installed_child_sa(bed, watch, conn_n, tmp_path):
    conn = Conn(tmp_path, conn_n, rules=3)
    bring_up(bed, watch, conn, children=3)
    ike = bed.sas("cloud", ike=conn.name)[conn.name]
    got = sorted((sa["name"], sa["state"], tuple(sa["local-ts"]), tuple(sa["remote-ts"]))
                 for sa in ike["child-sas"].values())
    assert got == [("rule%d" % (k + 1), "INSTALLED", ("198.19.%d.%d/26" % (conn_n, 64 * k),),
                    ("198.19.%d.%d/26" % (100 + conn_n, 64 * k),)) for k in range(3)]
    for host in (1, 65, 129):
        assert bed.ping("cloud", "198.19.%d.%d" % (conn_n, host),
                        "198.19.%d.%d" % (100 + conn_n, host), count=1) == 1


def test_peer_any_identity_accepts_the_customer_address(bed, watch, conn_n, tmp_path):
    conn = Conn(tmp_path, conn_n, ikepolicy={"peer_id_type": "any"})
    bring_up(bed, watch, conn)
    ike, _ = child(bed, conn, "rule1")
    assert ike["remote-id"] == conn.cgw_ip


def test_unloading_removes_the_connection_its_key_and_its_sas(bed, watch, conn_n, tmp_path):
    conn = Conn(tmp_path, conn_n)
    bring_up(bed, watch, conn)
    mark = watch.mark()
    conn.cloud_unload(bed)
    watch.wait(updown("ike-updown", conn.name, False), 5, "IKE_SA down", since=mark)
    assert conn.name not in bed.conns("cloud")
    assert conn.name not in bed.sas("cloud")
    _, lines, _ = __import__("dataplane").tool("call", bed.uri("cloud"), "get-shared")
    assert conn.name not in [l for l in lines if l["kind"] == "reply"][0]["msg"].get("keys", [])
    bed.peer_unload(conn)


def test_reloading_a_changed_connection_renegotiates_with_the_new_proposal(bed, watch, conn_n,
                                                                             tmp_path):
    conn = Conn(tmp_path, conn_n)
    bring_up(bed, watch, conn)
    new = conn.variant(ipsecpolicy={"encryption_algorithm": "aes-256"})
    mark = watch.mark()
    new.cloud_load(bed)  # a PUT: same name, new settings
    bed.peer_load(new)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        ike = bed.sas("cloud", ike=conn.name).get(conn.name, {})
        sas = [sa for sa in ike.get("child-sas", {}).values() if sa["state"] == "INSTALLED"]
        if sas and all(sa["encr-keysize"] == "256" for sa in sas):
            break
        time.sleep(0.2)
    else:
        raise AssertionError("no CHILD_SA with AES-256 after the reload: %s" % ike)
    assert watch.mark() > mark
    assert bed.ping("cloud", conn.cloud_host, conn.peer_host) == 3


def test_child_rekey_keeps_pings_flowing_and_raises_child_rekey(bed, watch, conn_n, tmp_path):
    conn = Conn(tmp_path, conn_n)
    bring_up(bed, watch, conn)
    mark = watch.mark()
    ping = subprocess.Popen([BED, "exec", bed.dir, "cloud", "ping", "-n", "-q", "-c", "20", "-i",
                             "0.05", "-I", conn.cloud_host, conn.peer_host],
                            stdout=subprocess.PIPE, text=True)
    time.sleep(0.3)
    bed.swanctl("peer", "--rekey", "--child", "rule1", "--ike", conn.name)
    out, _ = ping.communicate(timeout=20)
    watch.wait(lambda l: l.get("name") == "child-rekey" and conn.name in l["msg"], 5,
               "child-rekey of %s" % conn.name, since=mark)
    assert " 20 received" in out, out
    downs = [l for l in watch.lines[mark:] if updown("child-updown", conn.name, False)(l)]
    assert downs == []


def test_ike_rekey_raises_ike_rekey_and_keeps_the_child(bed, watch, conn_n, tmp_path):
    conn = Conn(tmp_path, conn_n)
    bring_up(bed, watch, conn)
    mark = watch.mark()
    bed.swanctl("peer", "--rekey", "--ike", conn.name)
    ev = watch.wait(lambda l: l.get("name") == "ike-rekey" and conn.name in l["msg"], 5,
                    "ike-rekey of %s" % conn.name, since=mark)
    old, new = ev["msg"][conn.name]["old"], ev["msg"][conn.name]["new"]
    assert old["uniqueid"] != new["uniqueid"]
    assert bed.ping("cloud", conn.cloud_host, conn.peer_host) == 3
    assert [l for l in watch.lines[mark:] if updown("child-updown", conn.name, False)(l)] == []
