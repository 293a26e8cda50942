"""Customer gateways (spec §4): create defaults, given fields, key validation rules, lookup."""

import re

import pytest

from vpnd_api import (TIMESTAMP_RE, UUID_RE, assert_error, assert_invalid, cgw_path,
                      create_cgw, new_project, new_uuid)


def post(server, project, cgw):
    return server.request("POST", cgw_path(project), {"customer_gateway": cgw})


def show(server, project, cid):
    r = server.request("GET", cgw_path(project, cid))
    assert r.status == 200, r.raw
    return r.json["customer_gateway"]


def test_create_returns_201_with_the_customer_gateway_and_a_request_id(server, project):
    r = post(server, project, {"id_value": "88.1.1.164"})
    assert r.status == 201, r.raw
    assert list(r.json) == ["customer_gateway", "request_id"], r.json
    assert UUID_RE.match(r.json["customer_gateway"]["id"]), r.json


def test_show_returns_what_create_returned(server, project):
    created = create_cgw(server, project)
    assert show(server, project, created["id"]) == created


def test_customer_gateway_defaults_are_filled(server, project):
    c = show(server, project, create_cgw(server, project, "88.1.1.164")["id"])
    assert re.match(r"^cgw-[0-9a-f]{4}$", c["name"]), c["name"]
    assert c["id_type"] == "ip"
    assert c["id_value"] == "88.1.1.164"
    assert c["bgp_asn"] == 65000
    assert TIMESTAMP_RE.match(c["created_at"]), c
    assert c["created_at"] == c["updated_at"], c


def test_given_customer_gateway_fields_are_returned(server, project):
    c = show(server, project, create_cgw(server, project, "1.2.3.4", name="cgw_x.1-2",
                                         bgp_asn=4294967295)["id"])
    assert (c["name"], c["id_value"], c["bgp_asn"]) == ("cgw_x.1-2", "1.2.3.4", 4294967295), c


def test_fqdn_customer_gateway_keeps_its_id_value(server, project):
    c = show(server, project, create_cgw(server, project, "vpn.example.com", id_type="fqdn")["id"])
    assert (c["id_type"], c["id_value"]) == ("fqdn", "vpn.example.com"), c


def test_customer_gateway_tags_are_returned(server, project):
    tags = [{"key": "env", "value": "prod"}, {"key": "team_a", "value": ""}]
    c = show(server, project, create_cgw(server, project, tags=tags)["id"])
    assert c["tags"] == tags, c


# ---- validation ----

def test_missing_id_value_is_rejected_as_required(server, project):
    assert_invalid(post(server, project, {"name": "c"}), "customer_gateway.id_value", "required")


@pytest.mark.parametrize("value", ["1.2.3", "256.1.1.1", "1.2.3.4/32", "01.2.3.4", "host"])
def test_ip_id_value_that_is_not_dotted_ipv4_is_rejected(server, project, value):
    assert_invalid(post(server, project, {"id_value": value}), "customer_gateway.id_value", value)


def test_fqdn_id_value_with_a_forbidden_character_is_rejected(server, project):
    r = post(server, project, {"id_type": "fqdn", "id_value": "a<b.example.com"})
    assert_invalid(r, "customer_gateway.id_value")


def test_fqdn_id_value_of_129_characters_is_rejected(server, project):
    r = post(server, project, {"id_type": "fqdn", "id_value": "a" * 129})
    assert_invalid(r, "customer_gateway.id_value", "128")


def test_unknown_id_type_is_rejected(server, project):
    r = post(server, project, {"id_type": "bogus", "id_value": "1.2.3.4"})
    assert_invalid(r, "customer_gateway.id_type", "bogus")


@pytest.mark.parametrize("value", [0, 4294967296])
def test_customer_gateway_bgp_asn_out_of_range_is_rejected_with_limits(server, project, value):
    r = post(server, project, {"id_value": "1.2.3.4", "bgp_asn": value})
    assert_invalid(r, "customer_gateway.bgp_asn", "4294967295", value)


def test_customer_gateway_bgp_asn_of_wrong_type_is_rejected(server, project):
    r = post(server, project, {"id_value": "1.2.3.4", "bgp_asn": "65000"})
    assert_invalid(r, "customer_gateway.bgp_asn", "integer")


def test_customer_gateway_bad_name_is_rejected(server, project):
    r = post(server, project, {"id_value": "1.2.3.4", "name": "bad name!"})
    assert_invalid(r, "customer_gateway.name")


def test_customer_gateway_with_21_tags_is_rejected(server, project):
    tags = [{"key": "k%d" % i, "value": "v"} for i in range(21)]
    r = post(server, project, {"id_value": "1.2.3.4", "tags": tags})
    assert_invalid(r, "customer_gateway.tags", "20")


def test_customer_gateway_body_without_wrapper_is_rejected(server, project):
    r = server.request("POST", cgw_path(project), {"id_value": "1.2.3.4"})
    assert_invalid(r, "customer_gateway", "required")


# ---- lookup ----

def test_unknown_customer_gateway_id_is_404_vpn_0004(server, project):
    assert_error(server.request("GET", cgw_path(project, new_uuid())), 404, "VPN.0004")


def test_customer_gateway_of_another_project_is_404_vpn_0004(server, project):
    cid = create_cgw(server, project)["id"]
    assert_error(server.request("GET", cgw_path(new_project(), cid)), 404, "VPN.0004")
