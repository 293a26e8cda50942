"""VPN connection create validation (spec §2.2-2.4, STYLE.md "Validation errors"): every rejected
body gets 400 VPN.0001 "invalid request: <field path>: <rule with limits>, got <value>" (exact
rule texts are not pinned here, only the path prefix and the limits), unknown references get
404 VPN.0004, and a psk never appears in a reply.

All tests share one project whose gateways are created once (rejected requests change nothing;
the few accepted ones only add connections)."""

import pytest

from vpnd_api import (DELETE, active_gateways, assert_error, assert_invalid, conn_body,
                      conn_path, create_cgw, create_gateway, gateway_body, get_gateway,
                      new_project, new_uuid)

POLICY_RULE = {"source": "10.0.0.0/24", "destination": ["192.168.0.0/24"]}


class Env:
    pass


@pytest.fixture(scope="module")
def env(server):
    e = Env()
    e.server = server
    e.project = new_project()
    e.gw, e.gw_as = active_gateways(server, e.project, [
        gateway_body(local_subnets=["10.0.0.0/24"]),
        gateway_body(ha_mode="active-standby"),
    ])
    e.cgw = create_cgw(server, e.project, "88.1.1.164")
    e.other_project = new_project()
    e.other_gw = create_gateway(server, e.other_project)
    e.other_cgw = create_cgw(server, e.other_project)
    return e


def base(env, **fields):
    return conn_body(env.gw, env.cgw, **fields)


def policy_base(env, **fields):
    fields = dict({"style": "policy", "policy_rules": [dict(POLICY_RULE)]}, **fields)
    return conn_body(env.gw, env.cgw, **fields)


def post(env, body):
    return env.server.request("POST", conn_path(env.project), body)


def test_the_base_body_of_this_module_is_accepted(env):
    for body in (base(env), policy_base(env)):
        r = post(env, body)
        assert r.status == 201, r.raw


# ---- enums ----

ENUM_FIELDS = [
    "style", "ha_role",
    "ikepolicy.ike_version", "ikepolicy.phase1_negotiation_mode",
    "ikepolicy.authentication_algorithm", "ikepolicy.encryption_algorithm",
    "ikepolicy.dh_group", "ikepolicy.authentication_method", "ikepolicy.local_id_type",
    "ikepolicy.peer_id_type", "ikepolicy.dpd.msg",
    "ipsecpolicy.authentication_algorithm", "ipsecpolicy.encryption_algorithm",
    "ipsecpolicy.pfs", "ipsecpolicy.transform_protocol", "ipsecpolicy.encapsulation_mode",
]


@pytest.mark.parametrize("field", ENUM_FIELDS)
def test_enum_field_with_unknown_value_is_rejected_with_field_path(env, field):
    r = post(env, base(env, **{field: "bogus"}))
    assert_invalid(r, "vpn_connection." + field, "bogus")


@pytest.mark.parametrize("field", ENUM_FIELDS)
def test_enum_field_that_is_not_a_string_is_rejected_with_field_path(env, field):
    r = post(env, base(env, **{field: 7}))
    assert_invalid(r, "vpn_connection." + field, "got number")


# ---- integers ----

INT_FIELDS = [
    ("ikepolicy.lifetime_seconds", 60, 604800),
    ("ipsecpolicy.lifetime_seconds", 30, 604800),
    ("ikepolicy.dpd.timeout", 2, 60),
    ("ikepolicy.dpd.interval", 10, 3600),
]
INT_IDS = [f for f, _, _ in INT_FIELDS]


@pytest.mark.parametrize("field,lo,hi", INT_FIELDS, ids=INT_IDS)
def test_integer_field_below_its_minimum_is_rejected_with_limits(env, field, lo, hi):
    r = post(env, base(env, **{field: lo - 1}))
    assert_invalid(r, "vpn_connection." + field, "from %d to %d" % (lo, hi), "got %d" % (lo - 1))


@pytest.mark.parametrize("field,lo,hi", INT_FIELDS, ids=INT_IDS)
def test_integer_field_above_its_maximum_is_rejected_with_limits(env, field, lo, hi):
    r = post(env, base(env, **{field: hi + 1}))
    assert_invalid(r, "vpn_connection." + field, "from %d to %d" % (lo, hi), "got %d" % (hi + 1))


@pytest.mark.parametrize("value", ["100", 100.5, True, [100]],
                         ids=["string", "fraction", "bool", "array"])
@pytest.mark.parametrize("field,lo,hi", INT_FIELDS, ids=INT_IDS)
def test_integer_field_of_wrong_type_is_rejected_with_field_path(env, field, lo, hi, value):
    r = post(env, base(env, **{field: value}))
    assert_invalid(r, "vpn_connection." + field, "integer")


@pytest.mark.parametrize("field,lo,hi", INT_FIELDS, ids=INT_IDS)
def test_integer_field_at_its_limits_is_accepted(env, field, lo, hi):
    for v in (lo, hi):
        r = post(env, base(env, **{field: v}))
        assert r.status == 201, (v, r.raw)


def test_ike_lifetime_below_60_is_rejected_with_field_path(env):
    r = post(env, base(env, **{"ikepolicy.lifetime_seconds": 30}))
    assert_invalid(r, "vpn_connection.ikepolicy.lifetime_seconds", "60", "604800", "30")


# ---- wrapper, JSON, object types ----

def test_body_without_the_vpn_connection_wrapper_is_rejected(env):
    r = post(env, {"connection": base(env)["vpn_connection"]})
    assert_invalid(r, "vpn_connection", "required")


@pytest.mark.parametrize("value", [[], "x", 1], ids=["array", "string", "number"])
def test_vpn_connection_wrapper_that_is_not_an_object_is_rejected(env, value):
    assert_invalid(post(env, {"vpn_connection": value}), "vpn_connection", "object")


def test_vpn_connection_wrapper_that_is_null_is_rejected(env):
    assert_invalid(post(env, {"vpn_connection": None}), "vpn_connection")


def test_body_that_is_not_json_is_rejected_with_line_and_column(env):
    r = post(env, b'{\n  "vpn_connection": {\n    "name": x\n  }\n}')
    msg = assert_error(r, 400, "VPN.0001")
    assert msg.startswith("invalid request: "), msg
    assert "not valid JSON" in msg, msg
    assert "line 3" in msg and "column" in msg, msg


def test_truncated_json_is_rejected_as_not_valid_json(env):
    msg = assert_error(post(env, b'{"vpn_connection": {'), 400, "VPN.0001")
    assert "not valid JSON" in msg, msg


def test_empty_body_is_rejected(env):
    assert_error(post(env, b""), 400, "VPN.0001")


@pytest.mark.parametrize("field", ["ikepolicy", "ipsecpolicy", "ikepolicy.dpd"])
def test_nested_policy_that_is_not_an_object_is_rejected(env, field):
    assert_invalid(post(env, base(env, **{field: "x"})), "vpn_connection." + field, "object")


# ---- required references ----

@pytest.mark.parametrize("field", ["vgw_id", "vgw_ip", "cgw_id"])
def test_missing_mandatory_reference_is_rejected_as_required(env, field):
    r = post(env, base(env, **{field: DELETE}))
    assert_invalid(r, "vpn_connection." + field, "required")


def test_unknown_vgw_id_is_404_vpn_0004(env):
    assert_error(post(env, base(env, vgw_id=new_uuid())), 404, "VPN.0004")


def test_unknown_cgw_id_is_404_vpn_0004(env):
    assert_error(post(env, base(env, cgw_id=new_uuid())), 404, "VPN.0004")


def test_vgw_id_of_another_project_is_404_vpn_0004(env):
    body = base(env, vgw_id=env.other_gw["id"], vgw_ip=env.other_gw["eip1"]["id"])
    assert_error(post(env, body), 404, "VPN.0004")


def test_cgw_id_of_another_project_is_404_vpn_0004(env):
    assert_error(post(env, base(env, cgw_id=env.other_cgw["id"])), 404, "VPN.0004")


def test_vgw_ip_that_is_not_one_of_the_gateway_eip_ids_is_rejected(env):
    assert_invalid(post(env, base(env, vgw_ip=new_uuid())), "vpn_connection.vgw_ip")


def test_vgw_ip_that_is_the_eip_address_instead_of_its_id_is_rejected(env):
    r = post(env, base(env, vgw_ip=env.gw["eip1"]["ip_address"]))
    assert_invalid(r, "vpn_connection.vgw_ip")


def test_vgw_ip_of_another_gateway_is_rejected(env):
    assert_invalid(post(env, base(env, vgw_ip=env.gw_as["eip1"]["id"])), "vpn_connection.vgw_ip")


# ---- name and tags ----

@pytest.mark.parametrize("name", ["a" * 65, "bad name", "bad/name", "bad!", ""],
                         ids=["65-chars", "space", "slash", "bang", "empty"])
def test_bad_connection_name_is_rejected_with_field_path(env, name):
    assert_invalid(post(env, base(env, name=name)), "vpn_connection.name")


def test_name_of_65_characters_is_rejected_with_the_limit(env):
    assert_invalid(post(env, base(env, name="a" * 65)), "vpn_connection.name", "64")


def test_name_that_is_not_a_string_is_rejected(env):
    assert_invalid(post(env, base(env, name=5)), "vpn_connection.name", "string")


def test_more_than_20_tags_are_rejected(env):
    tags = [{"key": "k%d" % i, "value": "v"} for i in range(21)]
    assert_invalid(post(env, base(env, tags=tags)), "vpn_connection.tags", "20")


@pytest.mark.parametrize("key", ["a<b", "", "k" * 129], ids=["bad-char", "empty", "129-chars"])
def test_bad_tag_key_is_rejected_at_its_index(env, key):
    tags = [{"key": "ok", "value": "v"}, {"key": key, "value": "v"}]
    assert_invalid(post(env, base(env, tags=tags)), "vpn_connection.tags[1].key")


def test_tag_value_of_256_characters_is_rejected(env):
    tags = [{"key": "k", "value": "v" * 256}]
    assert_invalid(post(env, base(env, tags=tags)), "vpn_connection.tags[0].value", "255")


def test_tag_without_key_is_rejected(env):
    assert_invalid(post(env, base(env, tags=[{"value": "v"}])), "vpn_connection.tags[0].key",
                   "required")


# ---- peer_subnets ----

def test_missing_peer_subnets_is_rejected_as_required(env):
    r = post(env, base(env, peer_subnets=DELETE))
    assert_invalid(r, "vpn_connection.peer_subnets", "required")


def test_51_peer_subnets_are_rejected_with_the_limit(env):
    subnets = ["192.168.%d.0/24" % i for i in range(51)]
    assert_invalid(post(env, base(env, peer_subnets=subnets)), "vpn_connection.peer_subnets", "50")


def test_50_peer_subnets_are_accepted(env):
    subnets = ["192.168.%d.0/24" % i for i in range(50)]
    r = post(env, base(env, peer_subnets=subnets))
    assert r.status == 201, r.raw


@pytest.mark.parametrize("bad", ["192.168.1.0/33", "192.168.1/24", "192.168.1.1/24",
                                 "300.1.1.0/24", "192.168.1.0", "x"],
                         ids=["prefix-33", "three-octets", "host-bits", "octet-300", "no-prefix",
                              "word"])
def test_peer_subnet_that_is_not_a_cidr_is_rejected_at_its_index(env, bad):
    r = post(env, base(env, peer_subnets=["192.168.0.0/24", bad]))
    assert_invalid(r, "vpn_connection.peer_subnets[1]", bad)


@pytest.mark.parametrize("reserved", ["100.64.0.0/10", "100.64.0.0/12", "214.0.0.0/8",
                                      "100.64.1.0/24"])
def test_peer_subnet_in_a_reserved_block_is_rejected(env, reserved):
    r = post(env, base(env, peer_subnets=[reserved]))
    assert_invalid(r, "vpn_connection.peer_subnets[0]", reserved)


@pytest.mark.parametrize("subnet", ["10.0.0.0/25", "10.0.0.0/24", "10.0.0.0/16"],
                         ids=["inside", "equal", "containing"])
def test_peer_subnet_overlapping_a_gateway_local_subnet_is_rejected(env, subnet):
    r = post(env, base(env, peer_subnets=["192.168.0.0/24", subnet]))
    assert_invalid(r, "vpn_connection.peer_subnets[1]")


def test_peer_subnets_that_is_not_an_array_is_rejected(env):
    r = post(env, base(env, peer_subnets="192.168.0.0/24"))
    assert_invalid(r, "vpn_connection.peer_subnets", "array")


# ---- policy_rules ----

def test_policy_style_without_policy_rules_is_rejected_as_required(env):
    r = post(env, policy_base(env, policy_rules=DELETE))
    assert_invalid(r, "vpn_connection.policy_rules", "required")


def test_six_policy_rules_are_rejected_with_the_limit(env):
    rules = [{"source": "10.0.0.%d/29" % (8 * i), "destination": ["192.168.0.0/24"]}
             for i in range(6)]
    assert_invalid(post(env, policy_base(env, policy_rules=rules)),
                   "vpn_connection.policy_rules", "5")


def test_duplicate_policy_rule_source_is_rejected_at_the_second_rule(env):
    rules = [dict(POLICY_RULE), {"source": "10.0.0.0/24", "destination": ["192.168.1.0/24"]}]
    assert_invalid(post(env, policy_base(env, policy_rules=rules)),
                   "vpn_connection.policy_rules[1].source")


def test_51_policy_rule_destinations_are_rejected_with_the_limit(env):
    rules = [{"source": "10.0.0.0/24", "destination": ["192.168.%d.0/24" % i for i in range(51)]}]
    assert_invalid(post(env, policy_base(env, policy_rules=rules)),
                   "vpn_connection.policy_rules[0].destination", "50")


def test_policy_rule_source_that_is_not_a_cidr_is_rejected_with_the_style_guide_path(env):
    rules = [{"source": "10.0.1.0/24", "destination": ["192.168.0.0/24"]},
             {"source": "10.0.2.0/24", "destination": ["192.168.0.0/24"]},
             {"source": "10.0.0/24", "destination": ["192.168.0.0/24"]}]
    assert_invalid(post(env, policy_base(env, policy_rules=rules)),
                   "vpn_connection.policy_rules[2].source", '"10.0.0/24"')


def test_policy_rule_destination_that_is_not_a_cidr_is_rejected_at_its_index(env):
    rules = [{"source": "10.0.0.0/24", "destination": ["192.168.0.0/24", "192.168.1.0/99"]}]
    assert_invalid(post(env, policy_base(env, policy_rules=rules)),
                   "vpn_connection.policy_rules[0].destination[1]", "192.168.1.0/99")


def test_policy_rule_without_source_is_rejected_as_required(env):
    rules = [{"destination": ["192.168.0.0/24"]}]
    assert_invalid(post(env, policy_base(env, policy_rules=rules)),
                   "vpn_connection.policy_rules[0].source", "required")


# ---- tunnel addresses ----

def tunnel(env, local, peer):
    return post(env, base(env, tunnel_local_address=local, tunnel_peer_address=peer))


@pytest.mark.parametrize("local,peer", [
    ("10.0.0.1/30", "10.0.0.2/30"),            # not 169.254
    ("169.253.56.225/30", "169.253.56.226/30"),
    ("169.254.195.1/30", "169.254.195.2/30"),  # third octet 195
    ("169.254.56.225/29", "169.254.56.226/29"),  # not /30
    ("169.254.56.225", "169.254.56.226/30"),   # no mask
    ("169.254.56.224/30", "169.254.56.226/30"),  # network address
    ("169.254.56.227/30", "169.254.56.226/30"),  # broadcast address
    ("tunnel", "169.254.56.226/30"),           # not an address
], ids=["not-169-254", "169-253", "third-octet-195", "mask-29", "no-mask", "network", "broadcast",
        "word"])
def test_bad_tunnel_local_address_is_rejected_with_its_path(env, local, peer):
    assert_invalid(tunnel(env, local, peer), "vpn_connection.tunnel_local_address")


@pytest.mark.parametrize("local,peer", [
    ("169.254.56.225/30", "169.254.56.227/30"),  # broadcast address
    ("169.254.56.226/30", "169.254.56.224/30"),  # network address
    ("169.254.56.225/30", "169.254.56.226/29"),  # not /30
    ("169.254.56.225/30", "10.0.0.2/30"),        # not 169.254
], ids=["broadcast", "network", "mask-29", "not-169-254"])
def test_bad_tunnel_peer_address_is_rejected_with_its_path(env, local, peer):
    assert_invalid(tunnel(env, local, peer), "vpn_connection.tunnel_peer_address")


# Rules about the pair are reported at the second field of the pair (field order).
@pytest.mark.parametrize("local,peer", [
    ("169.254.56.225/30", "169.254.56.230/30"),  # different /30s
    ("169.254.56.225/30", "169.254.56.225/30"),  # equal
], ids=["different-slash30s", "equal"])
def test_bad_tunnel_address_pair_is_rejected_at_the_peer_address(env, local, peer):
    assert_invalid(tunnel(env, local, peer), "vpn_connection.tunnel_peer_address")


# ---- psk ----

@pytest.mark.parametrize("psk", ["Ab1!Ab1", "Ab1!" * 32 + "A", "abcdefgh1234", "ABCDEFGH!!!!",
                                 "Abcd1234&x", "Abcd 1234\u00e9"],
                         ids=["7-chars", "129-chars", "two-classes", "two-classes-special",
                              "bad-special", "non-ascii"])
def test_bad_psk_is_rejected_without_being_echoed(env, psk):
    r = post(env, base(env, psk=psk))
    assert_invalid(r, "vpn_connection.psk")
    assert psk.encode() not in r.raw and psk.encode("unicode_escape") not in r.raw, r.raw
    assert psk[:6].encode() not in r.raw, r.raw


@pytest.mark.parametrize("psk", ["Ab1!Ab1", "Ab1!" * 32 + "A"], ids=["7-chars", "129-chars"])
def test_psk_of_wrong_length_is_rejected_with_the_limits(env, psk):
    assert_invalid(post(env, base(env, psk=psk)), "vpn_connection.psk", "8", "128")


@pytest.mark.parametrize("psk", ["Abcdefg1", "Ab1!" * 32, "abc123!@#", "~!@#$%^*()-_+={},./:;aA"],
                         ids=["8-chars", "128-chars", "lower-digit-special", "every-special"])
def test_good_psk_is_accepted(env, psk):
    r = post(env, base(env, psk=psk))
    assert r.status == 201, r.raw
    assert psk.encode() not in r.raw


def test_psk_that_is_not_a_string_is_rejected(env):
    assert_invalid(post(env, base(env, psk=12345678)), "vpn_connection.psk", "string")


# ---- cross-field rules ----

def test_enable_nqa_true_with_policy_style_is_rejected(env):
    assert_invalid(post(env, policy_base(env, enable_nqa=True)), "vpn_connection.enable_nqa")


def test_enable_nqa_that_is_not_a_boolean_is_rejected(env):
    assert_invalid(post(env, base(env, enable_nqa="yes")), "vpn_connection.enable_nqa",
                   "boolean")


def test_slave_with_eip1_on_an_active_standby_gateway_is_rejected(env):
    body = conn_body(env.gw_as, env.cgw, eip="eip1", ha_role="slave")
    assert_invalid(post(env, body), "vpn_connection.ha_role")


def test_master_with_eip2_on_an_active_standby_gateway_is_rejected(env):
    body = conn_body(env.gw_as, env.cgw, eip="eip2", ha_role="master")
    assert_invalid(post(env, body), "vpn_connection.ha_role")


def test_default_master_with_eip2_on_an_active_standby_gateway_is_rejected(env):
    body = conn_body(env.gw_as, env.cgw, eip="eip2")
    assert_invalid(post(env, body), "vpn_connection.ha_role")


def test_first_failure_in_field_order_is_reported(env):
    body = base(env, name="bad name", **{"ikepolicy.lifetime_seconds": 1,
                                         "ipsecpolicy.pfs": "bogus"})
    assert_invalid(post(env, body), "vpn_connection.name")


def test_failed_creates_of_this_module_left_no_trace(env):
    """Runs last in this module: only the explicitly accepted bodies created connections."""
    g = get_gateway(env.server, env.project, env.gw_as["id"])
    assert g["used_connection_number"] == 0, g
