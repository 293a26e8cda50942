"""vpnd with the strongSwan driver, IPv6 and dual stack through real tunnels, through its API
only: IPv6 gateways (ip_version ipv6, EIPs from --eip6-pool) whose IKE runs over IPv6 between
the namespaces, dual-stack connections whose one CHILD_SA carries IPv4 and IPv6, and IPv6 POLICY
connections (policy_rules_v6) with one CHILD_SA per rule. Addresses: 2001:2::/48 (RFC 5180)
and 198.18.0.0/15 only, inside the bed's namespaces. Proof that a packet went through ESP: the
SA's packet counters (ipsec-sa, list-sas) rise by what the pings sent. Each test is one
behaviour; the module shares one bed and one vpnd."""

import pytest

from vpnd_plane import Tunnel, host6, net6, up


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
