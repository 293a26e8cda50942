"""vpnd with the strongSwan driver, IPv6 and dual stack through real tunnels, through its API
only: IPv6 gateways (ip_version ipv6, EIPs from --eip6-pool) whose IKE runs over IPv6 between
the namespaces, dual-stack connections whose one CHILD_SA carries IPv4 and IPv6, and IPv6 POLICY
connections (policy_rules_v6) with one CHILD_SA per rule. Addresses: 2001:2::/48 (RFC 5180)
and 198.18.0.0/15 only, inside the bed's namespaces. Proof that a packet went through ESP: the
SA's packet counters (ipsec-sa, list-sas) rise by what the pings sent. Each test is one
behaviour; the module shares one bed and one vpnd."""

import pytest

from vpnd_plane import PSK, Tunnel, net6, up, wait_for
import vpnd_api  # noqa: E402 (tests/api, on the path vpnd_plane sets)


def sa_of(cloud, t):
    """The IKE SA of tunnel t as the cloud charon lists it."""
    return cloud.bed.sas("cloud", ike=t.name)[t.name]


def child_of(sa, name):
    """The installed CHILD_SA whose configuration is name (list-sas keys them name-<id>)."""
    got = [c for c in sa.get("child-sas", {}).values() if c["name"] == name]
    assert len(got) == 1, sa
    assert got[0]["state"] == "INSTALLED", got[0]
    return got[0]


def counts(cloud, t):
    """{(source_ip_cidr, dest_ip_cidr): SaInfo} of t's ipsec-sa."""
    return {(s["source_ip_cidr"], s["dest_ip_cidr"]): s for s in cloud.sas(t.id)}


def test_an_ipv6_gateway_brings_a_connection_up_with_ike_over_ipv6(cloud, conn_n):
    t = up(cloud, conn_n, style="STATIC", ip_version="ipv6")
    assert t.gw["eip1"]["ip_address"].startswith("2001:2:0:ff"), t.gw["eip1"]
    sa = sa_of(cloud, t)
    assert sa["state"] == "ESTABLISHED"
    assert (sa["local-host"], sa["remote-host"]) == (t.gw["eip1"]["ip_address"], t.cgw_ip)
    child = child_of(sa, "tunnel")
    assert (child["local-ts"], child["remote-ts"]) == ([net6("cloud", conn_n)],
                                                       [net6("peer", conn_n)])


def test_a_ping6_crosses_an_ipv6_tunnel_and_ipsec_sa_counts_it(cloud, conn_n):
    t = up(cloud, conn_n, style="STATIC", ip_version="ipv6")
    key = (net6("cloud", conn_n), net6("peer", conn_n))
    before = counts(cloud, t)
    assert list(before) == [key]
    assert t.ping6(5) == 5
    after = counts(cloud, t)[key]
    assert after["packets_sent"] - before[key]["packets_sent"] >= 5
    assert after["packets_recv"] - before[key]["packets_recv"] >= 5
    assert after["traffic_sent"] > before[key]["traffic_sent"]


def test_a_dual_stack_connection_has_one_child_sa_selecting_both_families(cloud, conn_n):
    t = up(cloud, conn_n, style="STATIC", ip_version="ipv6", dual=True)
    child = child_of(sa_of(cloud, t), "tunnel")
    assert sorted(child["local-ts"]) == sorted(["198.19.%d.0/24" % conn_n, net6("cloud", conn_n)])
    assert sorted(child["remote-ts"]) == sorted(["198.19.%d.0/24" % (100 + conn_n),
                                                 net6("peer", conn_n)])


def test_ipv4_and_ipv6_pings_both_cross_a_dual_stack_tunnel_through_esp(cloud, conn_n):
    t = up(cloud, conn_n, style="STATIC", ip_version="ipv6", dual=True)
    (sa0,) = cloud.sas(t.id)
    assert t.ping(5) == 5
    (sa4,) = cloud.sas(t.id)
    assert t.ping6(5) == 5
    (sa6,) = cloud.sas(t.id)
    for before, after in ((sa0, sa4), (sa4, sa6)):
        assert after["packets_sent"] - before["packets_sent"] >= 5, (before, after)
        assert after["packets_recv"] - before["packets_recv"] >= 5, (before, after)


def test_an_ipv6_policy_connection_has_one_child_sa_per_rule_v6(cloud, conn_n):
    t = up(cloud, conn_n, ip_version="ipv6", rules6=3)
    sa = sa_of(cloud, t)
    assert len(sa["child-sas"]) == 3, sa
    for k in range(3):
        child = child_of(sa, "rule%d" % (k + 1))
        assert (child["local-ts"], child["remote-ts"]) == ([net6("cloud", conn_n, k)],
                                                           [net6("peer", conn_n, k)])
    assert sorted(counts(cloud, t)) == sorted((net6("cloud", conn_n, k), net6("peer", conn_n, k))
                                              for k in range(3))


def test_ipv6_traffic_matching_a_policy_rule_crosses_that_rules_child_sa(cloud, conn_n):
    t = up(cloud, conn_n, ip_version="ipv6", rules6=3)
    keys = [(net6("cloud", conn_n, k), net6("peer", conn_n, k)) for k in range(3)]
    for k in range(3):
        before = counts(cloud, t)
        assert t.ping6(3, rule=k) == 3, "rule %d" % (k + 1)
        after = counts(cloud, t)
        for j, key in enumerate(keys):
            sent = after[key]["packets_sent"] - before[key]["packets_sent"]
            recv = after[key]["packets_recv"] - before[key]["packets_recv"]
            if j == k:
                assert sent >= 3 and recv >= 3, (k, before, after)
            else:
                assert sent == 0 and recv == 0, (k, before, after)


def test_ipv6_traffic_matching_no_policy_rule_does_not_cross(cloud, conn_n):
    t = up(cloud, conn_n, ip_version="ipv6", rules6=2)
    before = counts(cloud, t)
    # rule 1 joins the /64s number 0, rule 2 those number 1: 0 -> 1 matches neither
    assert t.ping6(2, rule=0, peer_rule=1) == 0
    after = counts(cloud, t)
    assert [a["packets_sent"] for a in after.values()] == [
        b["packets_sent"] for b in before.values()]
    assert t.ping6(2, rule=1) == 2  # while rule 2's traffic does



def test_puts_adding_ipv4_subnets_make_an_ipv6_tunnel_dual_stack(cloud, conn_n):
    t = up(cloud, conn_n, style="STATIC", ip_version="ipv6")
    v4 = ("198.19.%d.0/24" % conn_n, "198.19.%d.0/24" % (100 + conn_n))
    r = cloud.request("PUT", vpnd_api.gw_path(cloud.project, t.gw["id"]),
                      {"vpn_gateway": {"local_subnets": [v4[0]]}})
    assert r.status == 200, r.raw
    vpnd_api.wait_gateway_active(cloud.server, cloud.project, t.gw["id"])
    cloud.update(t.id, peer_subnets=[v4[1]])
    t.peer_load()  # the customer follows the new export
    both = (sorted([v4[0], net6("cloud", conn_n)]), sorted([v4[1], net6("peer", conn_n)]))

    def dual():
        got = [(sorted(s["source_ip_cidr"].split(",")), sorted(s["dest_ip_cidr"].split(",")))
               for s in cloud.sas(t.id)]
        return got == [both]
    wait_for(dual, 5, "one CHILD_SA selecting both families")
    t.wait("ACTIVE", 5)
    assert (t.ping(), t.ping6()) == (3, 3)


def test_a_put_of_policy_rules_v6_brings_one_child_sa_per_new_rule(cloud, conn_n):
    t = up(cloud, conn_n, ip_version="ipv6", rules6=1)
    cloud.update(t.id, policy_rules_v6=[{"source": net6("cloud", conn_n, k),
                                         "destination": [net6("peer", conn_n, k)]}
                                        for k in range(3)])
    t.peer_load()
    wait_for(lambda: len(cloud.sas(t.id)) == 3, 5, "three CHILD_SAs")
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
    sa = sa_of(cloud, t)
    assert (sa["local-host"], sa["remote-host"]) == (ips[0], "2001:2::%x" % (conn_n + 1))
    assert t.ping6() == 3

@pytest.mark.parametrize("style,version", [("POLICY", "v1"), ("STATIC", "v1"), ("BGP", "v2")])
def test_every_style_and_ike_version_comes_up_over_ipv6_and_carries_a_ping6(cloud, conn_n,
                                                                          style, version):
    t = up(cloud, conn_n, style=style, ike_version=version, ip_version="ipv6")
    assert sa_of(cloud, t)["remote-host"] == t.cgw_ip
    assert t.ping6() == 3

