"""VPN connection create + show (spec §2.2-2.6): defaults, generated values, presence rules,
inheritance from the gateway, and that a rejected create changes nothing."""

import re

import pytest

from vpnd_api import (CONNECTION_STATUSES, active_gateways, assert_error, conn_body, conn_path,
                      create_cgw, create_conn, gateway_body, get_conn, get_gateway,
                      in_cidr, ipv4_int, new_project, new_uuid, private_gateway_body,
                      with_fields)

STATIC_KEYS = ["id", "name", "status", "vgw_id", "vgw_ip", "style", "cgw_id", "peer_subnets",
               "tunnel_local_address", "tunnel_peer_address", "enable_nqa", "ikepolicy",
               "ipsecpolicy", "created_at", "updated_at", "enterprise_project_id", "ha_role"]

IPSEC_DEFAULTS = {
    "authentication_algorithm": "sha2-256",
    "encryption_algorithm": "aes-128",
    "pfs": "group15",
    "transform_protocol": "esp",
    "lifetime_seconds": 3600,
    "encapsulation_mode": "tunnel",
}

DPD_DEFAULTS = {"timeout": 15, "interval": 30, "msg": "seq-hash-notify"}


def ike_defaults(local_id, peer_id):
    return {
        "ike_version": "v2",
        "authentication_algorithm": "sha2-256",
        "encryption_algorithm": "aes-128",
        "dh_group": "group15",
        "authentication_method": "pre-share",
        "lifetime_seconds": 86400,
        "local_id_type": "ip",
        "local_id": local_id,
        "peer_id_type": "ip",
        "peer_id": peer_id,
        "dpd": dict(DPD_DEFAULTS),
    }


class Ctx:
    def __init__(self, server, project, gw, cgw):
        self.server, self.project, self.gw, self.cgw = server, project, gw, cgw

    def body(self, **fields):
        return conn_body(self.gw, self.cgw, **fields)

    def create(self, **fields):
        return create_conn(self.server, self.project, self.body(**fields))

    def post(self, body):
        return self.server.request("POST", conn_path(self.project), body)

    def get(self, cid):
        return get_conn(self.server, self.project, cid)


@pytest.fixture
def ctx(server, project):
    """A fresh project with an ACTIVE public active-active gateway and a customer gateway."""
    (gw,) = active_gateways(server, project, [gateway_body()])
    return Ctx(server, project, gw, create_cgw(server, project, "88.1.1.164"))


def minimal_body(ctx):
    """Only the mandatory fields: no name, style, tunnel addresses, psk or policies."""
    return {"vpn_connection": {"vgw_id": ctx.gw["id"], "vgw_ip": ctx.gw["eip1"]["id"],
                               "cgw_id": ctx.cgw["id"], "peer_subnets": ["192.168.0.0/24"]}}


@pytest.fixture
def minimal(ctx):
    return ctx.get(create_conn(ctx.server, ctx.project, minimal_body(ctx))["id"])


def split_tunnel(addr):
    ip, _, prefix = addr.partition("/")
    return ipv4_int(ip), prefix


# ---- defaults of a minimal create ----

def test_minimal_create_defaults_style_to_static(minimal):
    assert minimal["style"] == "STATIC"


def test_minimal_create_fills_the_ikepolicy_defaults(ctx, minimal):
    want = ike_defaults(ctx.gw["eip1"]["ip_address"], "88.1.1.164")
    assert minimal["ikepolicy"] == want
    assert list(minimal["ikepolicy"]) == list(want)


def test_minimal_create_fills_the_dpd_defaults(minimal):
    assert list(minimal["ikepolicy"]["dpd"].items()) == list(DPD_DEFAULTS.items())


def test_minimal_create_fills_the_ipsecpolicy_defaults(minimal):
    assert list(minimal["ipsecpolicy"].items()) == list(IPSEC_DEFAULTS.items())


def test_generated_connection_name_is_vpn_dash_four_hex(minimal):
    assert re.match(r"^vpn-[0-9a-f]{4}$", minimal["name"]), minimal["name"]


def test_omitted_tunnel_addresses_are_allocated_as_a_pair_in_one_slash30(minimal):
    local, lp = split_tunnel(minimal["tunnel_local_address"])
    peer, pp = split_tunnel(minimal["tunnel_peer_address"])
    assert (lp, pp) == ("30", "30"), minimal
    assert in_cidr(minimal["tunnel_local_address"].split("/")[0], "169.254.0.0/16"), minimal
    assert local >> 2 == peer >> 2, "not in the same /30: %r" % minimal
    assert {local & 3, peer & 3} == {1, 2}, "not the two host addresses: %r" % minimal
    assert (local >> 8) & 255 != 195, minimal


def test_two_connections_on_one_gateway_get_different_tunnel_slash30s(ctx):
    a = ctx.get(ctx.create()["id"])
    b = ctx.get(ctx.create()["id"])
    na = split_tunnel(a["tunnel_local_address"])[0] >> 2
    nb = split_tunnel(b["tunnel_local_address"])[0] >> 2
    assert na != nb, (a["tunnel_local_address"], b["tunnel_local_address"])


def test_static_connection_has_enable_nqa_false_and_no_policy_rules(minimal):
    assert minimal["enable_nqa"] is False
    assert "policy_rules" not in minimal


def test_static_connection_keys_follow_the_documented_order(minimal):
    assert list(minimal) == STATIC_KEYS


def test_connection_without_tags_has_no_tags_key_like_the_seed(minimal):
    assert "tags" not in minimal, minimal.get("tags")


def test_ha_role_defaults_to_master(minimal):
    assert minimal["ha_role"] == "master"


def test_enterprise_project_id_defaults_to_the_gateways_0(minimal):
    assert minimal["enterprise_project_id"] == "0"


def test_enterprise_project_id_is_inherited_from_the_gateway(server, project):
    epid = new_uuid()
    (gw,) = active_gateways(server, project, [gateway_body(enterprise_project_id=epid)])
    cgw = create_cgw(server, project)
    c = get_conn(server, project, create_conn(server, project, conn_body(gw, cgw))["id"])
    assert c["enterprise_project_id"] == epid


def test_local_id_is_the_eip_address_and_peer_id_the_cgw_id_value(ctx, minimal):
    assert minimal["ikepolicy"]["local_id"] == ctx.gw["eip1"]["ip_address"]
    assert minimal["ikepolicy"]["peer_id"] == ctx.cgw["id_value"]


def test_minimal_create_keeps_the_references_it_was_given(ctx, minimal):
    want = minimal_body(ctx)["vpn_connection"]
    for k in ("vgw_id", "vgw_ip", "cgw_id", "peer_subnets"):
        assert minimal[k] == want[k], k


# ---- status ----

def test_get_right_after_create_reports_pending_create(ctx):
    assert ctx.get(ctx.create()["id"])["status"] == "PENDING_CREATE"


def test_status_is_always_a_documented_one(ctx):
    cid = ctx.create()["id"]
    for _ in range(3):
        assert ctx.get(cid)["status"] in CONNECTION_STATUSES


def test_create_response_has_no_status(ctx):
    r = ctx.post(ctx.body())
    assert r.status == 201, r.raw
    assert list(r.json) == ["vpn_connection", "request_id"]
    assert "status" not in r.json["vpn_connection"], r.json


def test_create_increments_the_gateway_used_connection_number(ctx):
    ctx.create()
    ctx.create()
    assert get_gateway(ctx.server, ctx.project, ctx.gw["id"])["used_connection_number"] == 2


# ---- given values ----

@pytest.mark.parametrize("given,want", [("static", "STATIC"), ("STATIC", "STATIC"),
                                        ("Static", "STATIC"), ("Policy", "POLICY")])
def test_style_is_accepted_case_insensitively_and_returned_upper_case(ctx, given, want):
    fields = {"style": given}
    if want == "POLICY":
        fields["policy_rules"] = [{"source": "10.0.0.0/24", "destination": ["192.168.0.0/24"]}]
    assert ctx.get(ctx.create(**fields)["id"])["style"] == want


def test_policy_rule_index_is_generated_from_1_when_not_given(ctx):
    rules = [{"source": "10.0.0.0/25", "destination": ["192.168.0.0/24"]},
             {"source": "10.0.0.128/25", "destination": ["192.168.1.0/24"]}]
    c = ctx.get(ctx.create(style="policy", policy_rules=rules)["id"])
    assert [r["rule_index"] for r in c["policy_rules"]] == [1, 2], c["policy_rules"]
    assert [r["source"] for r in c["policy_rules"]] == ["10.0.0.0/25", "10.0.0.128/25"]


def test_ike_v1_response_includes_phase1_negotiation_mode_defaulting_to_main(ctx):
    ike = ctx.get(ctx.create(**{"ikepolicy.ike_version": "v1"})["id"])["ikepolicy"]
    assert ike["ike_version"] == "v1"
    assert ike["phase1_negotiation_mode"] == "main"
    assert list(ike)[:2] == ["ike_version", "phase1_negotiation_mode"], list(ike)


def test_ike_v2_response_omits_phase1_negotiation_mode_even_when_given(ctx):
    ike = ctx.get(ctx.create(**{"ikepolicy.phase1_negotiation_mode": "aggressive"})["id"])["ikepolicy"]
    assert "phase1_negotiation_mode" not in ike, ike


def test_given_policy_values_are_returned(ctx):
    c = ctx.get(ctx.create(**{
        "ikepolicy.authentication_algorithm": "sha2-512",
        "ikepolicy.encryption_algorithm": "aes-256-gcm-16",
        "ikepolicy.dh_group": "group21",
        "ikepolicy.lifetime_seconds": 604800,
        "ikepolicy.dpd.timeout": 2,
        "ikepolicy.dpd.interval": 3600,
        "ikepolicy.dpd.msg": "seq-notify-hash",
        "ipsecpolicy.pfs": "disable",
        "ipsecpolicy.lifetime_seconds": 30,
        "ipsecpolicy.authentication_algorithm": "md5",
        "ipsecpolicy.encryption_algorithm": "3des",
    })["id"])
    ike, ipsec = c["ikepolicy"], c["ipsecpolicy"]
    assert (ike["authentication_algorithm"], ike["encryption_algorithm"], ike["dh_group"],
            ike["lifetime_seconds"]) == ("sha2-512", "aes-256-gcm-16", "group21", 604800)
    assert ike["dpd"] == {"timeout": 2, "interval": 3600, "msg": "seq-notify-hash"}
    assert (ipsec["pfs"], ipsec["lifetime_seconds"], ipsec["authentication_algorithm"],
            ipsec["encryption_algorithm"]) == ("disable", 30, "md5", "3des")


def test_given_local_id_and_peer_id_are_returned(ctx):
    ike = ctx.get(ctx.create(**{"ikepolicy.local_id": "1.2.3.4",
                                "ikepolicy.peer_id": "5.6.7.8"})["id"])["ikepolicy"]
    assert (ike["local_id"], ike["peer_id"]) == ("1.2.3.4", "5.6.7.8")


def test_deprecated_ikepolicy_pfs_is_ignored(ctx):
    ike = ctx.get(ctx.create(**{"ikepolicy.pfs": "group14"})["id"])["ikepolicy"]
    assert "pfs" not in ike, ike


def test_enable_nqa_true_is_returned_for_static(ctx):
    assert ctx.get(ctx.create(enable_nqa=True)["id"])["enable_nqa"] is True


def test_given_tunnel_pair_is_kept(ctx):
    c = ctx.get(ctx.create(tunnel_local_address="169.254.10.1/30",
                           tunnel_peer_address="169.254.10.2/30")["id"])
    assert (c["tunnel_local_address"], c["tunnel_peer_address"]) == (
        "169.254.10.1/30", "169.254.10.2/30")


def test_given_tunnel_pair_with_local_at_offset_2_is_kept(ctx):
    c = ctx.get(ctx.create(tunnel_local_address="169.254.10.6/30",
                           tunnel_peer_address="169.254.10.5/30")["id"])
    assert (c["tunnel_local_address"], c["tunnel_peer_address"]) == (
        "169.254.10.6/30", "169.254.10.5/30")


def test_tunnel_slash30_already_used_on_the_gateway_is_rejected(ctx):
    pair = {"tunnel_local_address": "169.254.20.1/30", "tunnel_peer_address": "169.254.20.2/30"}
    ctx.create(**pair)
    r = ctx.post(ctx.body(**pair))
    assert r.status == 400, r.raw
    assert r.json["error_code"] in ("VPN.0001", "VPN.0012"), r.json


def test_same_tunnel_pair_on_another_gateway_is_accepted(server, project):
    gws = active_gateways(server, project, [gateway_body(), gateway_body()])
    cgw = create_cgw(server, project)
    pair = {"tunnel_local_address": "169.254.20.1/30", "tunnel_peer_address": "169.254.20.2/30"}
    for gw in gws:
        create_conn(server, project, conn_body(gw, cgw, **pair))


def test_tags_are_returned_after_ha_role(ctx):
    tags = [{"key": "env", "value": "prod"}, {"key": "a_b.c:d=e+f-g@h", "value": ""}]
    c = ctx.get(ctx.create(tags=tags)["id"])
    assert c["tags"] == tags
    assert list(c)[-2:] == ["ha_role", "tags"], list(c)


@pytest.mark.parametrize("name", ["a" * 64, "vpn_1.a-B", "连接-1"], ids=["64-chars", "charset",
                                                                      "cjk"])
def test_valid_connection_name_is_kept(ctx, name):
    assert ctx.get(ctx.create(name=name)["id"])["name"] == name


def test_psk_is_never_returned(ctx):
    psk = "Very-Secret-Psk-9"
    r = ctx.post(ctx.body(psk=psk))
    assert r.status == 201, r.raw
    g = ctx.server.request("GET", conn_path(ctx.project, r.json["vpn_connection"]["id"]))
    for raw in (r.raw, g.raw):
        assert psk.encode() not in raw and b'"psk"' not in raw, raw


# ---- other gateway kinds ----

def test_connection_on_a_private_gateway_uses_its_access_private_ip(server, project):
    (gw,) = active_gateways(server, project, [private_gateway_body()])
    cgw = create_cgw(server, project)
    body = {"vpn_connection": {"vgw_id": gw["id"], "vgw_ip": gw["access_private_ip_1"],
                               "cgw_id": cgw["id"], "peer_subnets": ["192.168.0.0/24"]}}
    c = get_conn(server, project, create_conn(server, project, body)["id"])
    assert c["vgw_ip"] == gw["access_private_ip_1"]
    assert c["ikepolicy"]["local_id"] == gw["access_private_ip_1"]


def test_slave_connection_on_active_standby_gateway_uses_eip2(server, project):
    (gw,) = active_gateways(server, project, [gateway_body(ha_mode="active-standby")])
    cgw = create_cgw(server, project)
    c = get_conn(server, project, create_conn(
        server, project, conn_body(gw, cgw, eip="eip2", ha_role="slave"))["id"])
    assert c["ha_role"] == "slave"
    assert c["ikepolicy"]["local_id"] == gw["eip2"]["ip_address"]


def test_slave_connection_with_eip2_on_active_active_gateway_is_accepted(ctx):
    c = ctx.get(create_conn(ctx.server, ctx.project,
                            conn_body(ctx.gw, ctx.cgw, eip="eip2", ha_role="slave"))["id"])
    assert c["ha_role"] == "slave"


# ---- lookup ----

def test_unknown_connection_id_is_404_vpn_0004(server, project):
    assert_error(server.request("GET", conn_path(project, new_uuid())), 404, "VPN.0004")


def test_connection_of_another_project_is_404_vpn_0004(ctx):
    cid = ctx.create()["id"]
    assert_error(ctx.server.request("GET", conn_path(new_project(), cid)), 404, "VPN.0004")


# ---- a rejected create changes nothing ----

def test_rejected_create_changes_nothing(ctx):
    pair = {"tunnel_local_address": "169.254.30.1/30", "tunnel_peer_address": "169.254.30.2/30"}
    bad = ctx.body(**pair, **{"ikepolicy.lifetime_seconds": 30})
    r = ctx.post(bad)
    assert r.status == 400, r.raw
    # bind-time failure too (needs the gateway): a vgw_ip that is not the gateway's
    r = ctx.post(with_fields(ctx.body(**pair), vgw_ip=new_uuid()))
    assert r.status == 400, r.raw
    assert get_gateway(ctx.server, ctx.project, ctx.gw["id"])["used_connection_number"] == 0
    # the /30 was not claimed by the failed creates
    c = ctx.get(ctx.create(**pair)["id"])
    assert c["tunnel_local_address"] == "169.254.30.1/30"
    assert get_gateway(ctx.server, ctx.project, ctx.gw["id"])["used_connection_number"] == 1


# ---- capacity ----

def test_connection_beyond_the_gateway_capacity_is_rejected(server, project):
    (gw,) = active_gateways(server, project, [gateway_body(flavor="Basic")])
    n = gw["connection_number"]
    if n > 200:
        pytest.skip("Basic capacity %d is too large to fill quickly" % n)
    cgw = create_cgw(server, project)
    body = conn_body(gw, cgw)
    for _ in range(n):
        create_conn(server, project, body)
    r = server.request("POST", conn_path(project), body)
    msg = assert_error(r, 400, "VPN.0001")
    assert str(n) in msg, msg
    assert get_gateway(server, project, gw["id"])["used_connection_number"] == n
