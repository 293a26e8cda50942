"""vpnd with the strongSwan driver, IPv6 and dual stack through real tunnels, through its API
only: IPv6 gateways (ip_version ipv6, EIPs from --eip6-pool) whose IKE runs over IPv6 between
the namespaces, dual-stack connections whose one CHILD_SA carries IPv4 and IPv6, and IPv6 POLICY
connections (policy_rules_v6) with one CHILD_SA per rule. Addresses: 2001:2::/48 (RFC 5180)
and 198.18.0.0/15 only, inside the bed's namespaces. Proof that a packet went through ESP: the
SA's packet counters (ipsec-sa) rise by what the pings sent. Pings ask until every reply came
(5 s at most): both ends initiate, and an SA charon replaces may lose one. Each test is one
behaviour; the module shares one bed and one vpnd."""

import pytest

from dataplane import tool
from vpnd_plane import PSK, Tunnel, net6, up, wait_for
import vpnd_api  # noqa: E402 (tests/api, on the path vpnd_plane sets)


def ike_sas(cloud, t):
    """Every IKE SA of tunnel t the cloud charon lists: both ends initiate, so for a while (or,
    after both reloaded, for good) there may be two, each with CHILD SAs."""
    _, lines, _ = tool("call", cloud.bed.uri("cloud"), "list-sas", "--stream", "list-sa",
                       "ike=" + t.name)
    got = [l["msg"][t.name] for l in lines if l["kind"] == "stream" and t.name in l["msg"]]
    assert got, "no IKE SA of %s" % t.name
    return got


def children(cloud, t):
    """{CHILD SA configuration name: {(local selectors, remote selectors)}} of t's installed
    CHILD SAs, over all its IKE SAs."""
    out = {}
    for sa in ike_sas(cloud, t):
        for c in sa.get("child-sas", {}).values():
            if c["state"] == "INSTALLED":
                out.setdefault(c["name"], set()).add((tuple(sorted(c["local-ts"])),
                                                      tuple(sorted(c["remote-ts"]))))
    return out


def ts(*cidrs):
    """Selectors as children() and counts() key them."""
    return tuple(sorted(cidrs))


def counts(cloud, t):
    """{(source selectors, dest selectors): [packets_sent, packets_recv, traffic_sent]} of t's
    ipsec-sa, summed over SAs of the same selectors."""
    out = {}
    for s in cloud.sas(t.id):
        key = (ts(*s["source_ip_cidr"].split(",")), ts(*s["dest_ip_cidr"].split(",")))
        old = out.get(key, [0, 0, 0])
        out[key] = [old[0] + s["packets_sent"], old[1] + s["packets_recv"],
                    old[2] + s["traffic_sent"]]
    return out


def rose(before, after, key, n):
    """True when the SAs of key sent and received at least n packets more."""
    return (after[key][0] - before.get(key, [0, 0, 0])[0] >= n and
            after[key][1] - before.get(key, [0, 0, 0])[1] >= n)


def test_an_ipv6_gateway_brings_a_connection_up_with_ike_over_ipv6(cloud, conn_n):
    t = up(cloud, conn_n, style="STATIC", ip_version="ipv6")
    eip = t.gw["eip1"]["ip_address"]
    assert eip.startswith("2001:2:0:ff"), t.gw["eip1"]
    assert {(sa["local-host"], sa["remote-host"]) for sa in ike_sas(cloud, t)} == {
        (eip, t.cgw_ip)}
    assert children(cloud, t) == {"tunnel": {(ts(net6("cloud", conn_n)),
                                              ts(net6("peer", conn_n)))}}


def test_a_ping6_crosses_an_ipv6_tunnel_and_ipsec_sa_counts_it(cloud, conn_n):
    t = up(cloud, conn_n, style="STATIC", ip_version="ipv6")
    key = (ts(net6("cloud", conn_n)), ts(net6("peer", conn_n)))
    before = counts(cloud, t)
    assert list(before) == [key]
    assert t.ping6(5) == 5
    after = counts(cloud, t)
    assert rose(before, after, key, 5), (before, after)
    assert after[key][2] > before[key][2]


def dual_key(n):
    """The selectors of connection n's dual-stack CHILD SA."""
    return (ts("198.19.%d.0/24" % n, net6("cloud", n)),
            ts("198.19.%d.0/24" % (100 + n), net6("peer", n)))


def test_a_dual_stack_connection_has_one_child_sa_selecting_both_families(cloud, conn_n):
    t = up(cloud, conn_n, style="STATIC", ip_version="ipv6", dual=True)
    assert children(cloud, t) == {"tunnel": {dual_key(conn_n)}}


def test_ipv4_and_ipv6_pings_both_cross_a_dual_stack_tunnel_through_esp(cloud, conn_n):
    t = up(cloud, conn_n, style="STATIC", ip_version="ipv6", dual=True)
    key = dual_key(conn_n)
    c0 = counts(cloud, t)
    assert t.ping(5, deadline=5) == 5
    c4 = counts(cloud, t)
    assert t.ping6(5) == 5
    c6 = counts(cloud, t)
    assert rose(c0, c4, key, 5), (c0, c4)
    assert rose(c4, c6, key, 5), (c4, c6)


def rule_keys(n, rules):
    return [(ts(net6("cloud", n, k)), ts(net6("peer", n, k))) for k in range(rules)]


def test_an_ipv6_policy_connection_has_one_child_sa_per_rule_v6(cloud, conn_n):
    t = up(cloud, conn_n, ip_version="ipv6", rules6=3)
    assert children(cloud, t) == {"rule%d" % (k + 1): {key}
                                  for k, key in enumerate(rule_keys(conn_n, 3))}


def test_ipv6_traffic_matching_a_policy_rule_crosses_that_rules_child_sa(cloud, conn_n):
    t = up(cloud, conn_n, ip_version="ipv6", rules6=3)
    keys = rule_keys(conn_n, 3)
    for k in range(3):
        before = counts(cloud, t)
        assert t.ping6(3, rule=k) == 3, "rule %d" % (k + 1)
        after = counts(cloud, t)
        assert rose(before, after, keys[k], 3), (k, before, after)
        for other in keys[:k] + keys[k + 1:]:
            assert after[other][:2] == before[other][:2], (k, before, after)


def test_ipv6_traffic_matching_no_policy_rule_does_not_cross(cloud, conn_n):
    t = up(cloud, conn_n, ip_version="ipv6", rules6=2)
    before = counts(cloud, t)
    # rule 1 joins the /64s number 0, rule 2 those number 1: 0 -> 1 matches neither
    assert t.ping6(2, rule=0, peer_rule=1, deadline=1) == 0
    assert counts(cloud, t) == before
    assert t.ping6(2, rule=1) == 2  # while rule 2's traffic does


def test_puts_adding_ipv4_subnets_make_an_ipv6_tunnel_dual_stack(cloud, conn_n):
    t = up(cloud, conn_n, style="STATIC", ip_version="ipv6")
    r = cloud.request("PUT", vpnd_api.gw_path(cloud.project, t.gw["id"]),
                      {"vpn_gateway": {"local_subnets": ["198.19.%d.0/24" % conn_n]}})
    assert r.status == 200, r.raw
    vpnd_api.wait_gateway_active(cloud.server, cloud.project, t.gw["id"])
    cloud.update(t.id, peer_subnets=["198.19.%d.0/24" % (100 + conn_n)])
    t.peer_load()  # the customer follows the new export
    # both ends reload, both renegotiate: there may be two such SAs, and only such
    wait_for(lambda: list(counts(cloud, t)) == [dual_key(conn_n)], 5,
             "CHILD SAs selecting both families only")
    t.wait("ACTIVE", 5)
    assert (t.ping(deadline=5), t.ping6()) == (3, 3)


def test_ipsec_sa_lists_every_selector_of_a_rule_with_many_ipv6_destinations(cloud, conn_n):
    # 16 destinations: longer as text than the 256 bytes ipsec-sa once cut selectors at
    dests = [net6("peer", conn_n, 0)] + [
        net6("peer", conn_n, 1).replace("::/64", "::%x0/124" % i) for i in range(1, 16)]
    for d in dests[1:]:  # kernel-libipsec wants an address of each local selector
        cloud.bed.exec("peer", "ip", "addr", "add", d.replace("0/124", "1/124"), "dev", "in0",
                       "nodad")
    t = up(cloud, conn_n, ip_version="ipv6",
           conn_extra={"policy_rules_v6": [{"source": net6("cloud", conn_n, 0),
                                            "destination": dests}]})
    assert list(counts(cloud, t)) == [(ts(net6("cloud", conn_n, 0)), ts(*dests))]
    assert t.ping6() == 3


def test_a_put_of_policy_rules_v6_brings_one_child_sa_per_new_rule(cloud, conn_n):
    t = up(cloud, conn_n, ip_version="ipv6", rules6=1)
    cloud.update(t.id, policy_rules_v6=[{"source": net6("cloud", conn_n, k),
                                         "destination": [net6("peer", conn_n, k)]}
                                        for k in range(3)])
    t.peer_load()
    keys = rule_keys(conn_n, 3)
    wait_for(lambda: sorted(counts(cloud, t)) == sorted(keys), 5, "a CHILD SA per rule")
    t.wait("ACTIVE", 5)
    assert [t.ping6(rule=k) for k in range(3)] == [3, 3, 3]


def test_a_private_ipv6_gateway_spelled_loosely_brings_its_tunnel_up(cloud, conn_n):
    # access IPs and the customer's address in other RFC 4291 spellings than charon prints
    ips = ["2001:2:0:ff80::%x" % (2 * conn_n + k) for k in (0, 1)]
    gw = vpnd_api.create_gateway(cloud.server, cloud.project, vpnd_api.private_gateway_body(
        ip_version="ipv6", local_subnets=vpnd_api.DELETE,
        local_subnets_v6=[net6("cloud", conn_n)],
        access_private_ip_1=ips[0].upper().replace("::", ":0:0:0:"), access_private_ip_2=ips[1]))
    vpnd_api.wait_gateway_active(cloud.server, cloud.project, gw["id"])
    for ip in ips:
        cloud.add_address(ip)
    cgw = cloud.customer("2001:0002:0000:0000::%04X" % (conn_n + 1))
    vgw_ip = ips[0].replace("2001:2:", "2001:0002:")
    body = {"vpn_connection": {"vgw_id": gw["id"], "vgw_ip": vgw_ip, "cgw_id": cgw["id"],
                               "style": "STATIC", "psk": PSK,
                               "peer_subnets_v6": [net6("peer", conn_n)]}}
    t = Tunnel.of(cloud, conn_n, vpnd_api.create_conn(cloud.server, cloud.project, body))
    t.peer_load()
    t.wait("ACTIVE", 5)
    assert {(sa["local-host"], sa["remote-host"]) for sa in ike_sas(cloud, t)} == {
        (ips[0], "2001:2::%x" % (conn_n + 1))}
    assert t.ping6() == 3


@pytest.mark.parametrize("style,version", [("POLICY", "v1"), ("STATIC", "v1"), ("BGP", "v2")])
def test_every_style_and_ike_version_comes_up_over_ipv6_and_carries_a_ping6(cloud, conn_n,
                                                                          style, version):
    t = up(cloud, conn_n, style=style, ike_version=version, ip_version="ipv6")
    assert {sa["remote-host"] for sa in ike_sas(cloud, t)} == {t.cgw_ip}
    assert t.ping6() == 3
