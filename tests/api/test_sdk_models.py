"""The SDK model check itself (sdk_models.py) on good and bad samples: it must be able to fail.

No server: these feed bodies straight to the validator, with the repository's facts
(spec/sdk-models/vpn-v5.json) or a small facts document built here.
"""
import copy
import json

import pytest

import sdk_models
import vpnd_api
from test_connection_seed import SEED_EXAMPLE

P = "0605767dd1000ffd2f5cc0009a2d6d21"
U1 = "98c5af8a-0000-4000-8000-ae2280a6f4c3"
U2 = "b32d91a4-0000-4000-8000-e907174eb11d"
TS = "2022-11-26T13:41:34.626Z"

# The seed document's example response, verbatim (test_connection_seed.py holds it).
SEED_SHOW = json.loads(SEED_EXAMPLE)

# A small facts document exercising each rule of the schema language.
MINI = {
    "operations": {
        "ShowThing": {"method": "GET", "path": "/v5/{project_id}/things/{thing_id}",
                      "path_params": {"project_id": {"type": "string"},
                                      "thing_id": {"type": "string"}},
                      "query": {}, "request": None, "status": 200, "response": "ShowThingResponse"},
        "DeleteThing": {"method": "DELETE", "path": "/v5/{project_id}/things/{thing_id}",
                        "path_params": {"project_id": {"type": "string"},
                                        "thing_id": {"type": "string"}},
                        "query": {}, "request": None, "status": 204, "response": None},
    },
    "models": {
        "ErrorBody": {"source": "t", "fields": {
            "error_code": {"type": "string", "presence": "always"},
            "error_msg": {"type": "string", "presence": "always"},
            "request_id": {"type": "string", "presence": "always"}}},
        "ShowThingResponse": {"source": "t", "fields": {
            "thing": {"type": "object", "ref": "Thing", "presence": "always"},
            "request_id": {"type": "string", "presence": "always"}}},
        "Thing": {"source": "t", "fields": {
            "id": {"type": "string", "presence": "always"},
            "kind": {"type": "string", "enum": ["a", "b"], "presence": "always"},
            "size": {"type": "integer", "minimum": 1, "maximum": 10, "presence": "optional"},
            "er_id": {"type": "string", "presence": {"when": {"kind": ["b"]}}},
            "created_at": {"type": "string", "format": "date-time", "presence": "optional"},
            "parts": {"type": "array", "items": {"type": "object", "ref": "Part"},
                      "presence": "optional"}}},
        "Part": {"source": "t", "fields": {
            "name": {"type": "string", "presence": "always"}}},
    },
}


@pytest.fixture(scope="module")
def repo():
    return sdk_models.Models(sdk_models.load_json(sdk_models.FACTS_PATH),
                             sdk_models.load_json(sdk_models.DEPARTURES_PATH))


@pytest.fixture
def mini():
    return sdk_models.Models(copy.deepcopy(MINI))


def good_thing(**fields):
    t = {"id": "t1", "kind": "a"}
    t.update(fields)
    return {"thing": t, "request_id": "r"}


def kinds(problems):
    return sorted((p.where, p.kind) for p in problems)


def test_the_facts_list_the_43_site_to_site_operations(repo):
    assert len(repo.ops) == 43
    assert not set(repo.ops) & set(repo.facts["skipped_operations"]["names"])


def test_every_model_reference_in_the_facts_resolves(repo):
    def refs(fs):
        yield fs.get("ref")
        if fs["type"] == "array":
            yield from refs(fs["items"])
    for name, m in repo.models.items():
        for fname, fs in m["fields"].items():
            for r in refs(fs):
                assert r is None or r in repo.models, (name, fname, r)
    for name, op in repo.ops.items():
        for r in (op["request"], op["response"]):
            assert r is None or r in repo.models, (name, r)


def test_every_model_names_the_file_it_was_read_from(repo):
    for name, m in repo.models.items():
        assert m["source"], name


def test_every_departure_names_a_known_operation_model_field_kind_and_cause(repo):
    for d in repo.departures:
        assert set(d["operations"]) <= set(repo.ops), d
        assert d["model"] in repo.models, d
        assert d["kind"] in sdk_models.KINDS, d
        assert d["cause"] in ("vpnd-bug", "seed-wins"), d
        assert d["why"], d
        if d["kind"] != "extra":
            assert d["field"] in repo.models[d["model"]]["fields"], d


def test_the_seed_example_response_obeys_the_show_connection_model(repo):
    assert repo.check_response("ShowVpnConnection", 200, SEED_SHOW) == []


def test_the_seed_adds_policy_template_to_the_show_connection_style_only(repo):
    body = copy.deepcopy(SEED_SHOW)
    body["vpn_connection"]["style"] = "POLICY-TEMPLATE"
    del body["vpn_connection"]["policy_rules"]
    assert repo.check_response("ShowVpnConnection", 200, body) == []
    problems = repo.check_response("UpdateVpnConnection", 200, body)
    assert kinds(problems) == [("vpn_connection.style", "enum")]


def test_a_body_that_obeys_the_model_has_no_problems(mini):
    body = good_thing(size=3, created_at=TS, parts=[{"name": "p"}])
    assert mini.check_response("ShowThing", 200, body) == []


def test_an_extra_field_is_reported_with_its_path_model_and_field(mini):
    (p,) = mini.check_response("ShowThing", 200, good_thing(colour="red"))
    assert (p.where, p.kind, p.model, p.field) == ("thing.colour", "extra", "Thing", "colour")


def test_a_missing_always_present_field_is_reported(mini):
    body = good_thing()
    del body["thing"]["kind"]
    assert kinds(mini.check_response("ShowThing", 200, body)) == [("thing.kind", "missing")]


def test_a_field_required_by_a_sibling_is_missing_only_when_the_condition_holds(mini):
    assert mini.check_response("ShowThing", 200, good_thing(kind="a")) == []
    problems = mini.check_response("ShowThing", 200, good_thing(kind="b"))
    assert kinds(problems) == [("thing.er_id", "missing")]
    assert mini.check_response("ShowThing", 200, good_thing(kind="b", er_id="e")) == []


def test_a_wrong_json_type_is_reported(mini):
    problems = mini.check_response("ShowThing", 200, good_thing(size="3"))
    assert kinds(problems) == [("thing.size", "type")]
    assert "must be an integer, got string" in problems[0].detail


def test_a_boolean_is_not_an_integer(mini):
    assert kinds(mini.check_response("ShowThing", 200, good_thing(size=True))) == [
        ("thing.size", "type")]


def test_a_value_outside_an_enum_is_reported(mini):
    problems = mini.check_response("ShowThing", 200, good_thing(kind="c"))
    assert kinds(problems) == [("thing.kind", "enum")]


def test_an_integer_outside_its_range_is_reported(mini):
    assert kinds(mini.check_response("ShowThing", 200, good_thing(size=11))) == [
        ("thing.size", "range")]


def test_a_date_time_field_must_look_like_a_timestamp(mini):
    assert kinds(mini.check_response("ShowThing", 200, good_thing(created_at="yesterday"))) == [
        ("thing.created_at", "type")]


def test_wrong_nesting_is_reported_inside_arrays_with_the_index(mini):
    body = good_thing(parts=[{"name": "p"}, "p2", {"title": "x"}])
    assert kinds(mini.check_response("ShowThing", 200, body)) == [
        ("thing.parts[1]", "type"), ("thing.parts[2].name", "missing"),
        ("thing.parts[2].title", "extra")]


def test_an_object_where_a_list_belongs_is_a_type_problem(mini):
    assert kinds(mini.check_response("ShowThing", 200, good_thing(parts={"name": "p"}))) == [
        ("thing.parts", "type")]


def test_an_error_answer_must_have_exactly_the_three_error_keys(mini):
    good = {"error_code": "VPN.0004", "error_msg": "resource not found", "request_id": "r"}
    assert mini.check_response("ShowThing", 404, good) == []
    bad = {"code": "VPN.0004", "message": "resource not found"}
    assert kinds(mini.check_response("ShowThing", 404, bad)) == [
        ("code", "extra"), ("error_code", "missing"), ("error_msg", "missing"),
        ("message", "extra"), ("request_id", "missing")]


def test_an_error_answer_that_is_not_json_is_reported(mini):
    assert kinds(mini.check_response("ShowThing", 500, None, b"oops")) == [("", "body")]


def test_a_success_status_other_than_the_models_is_reported(mini):
    assert kinds(mini.check_response("ShowThing", 201, good_thing())) == [("", "status")]


def test_a_204_operation_answering_a_body_is_reported(mini):
    assert mini.check_response("DeleteThing", 204, None, b"") == []
    assert kinds(mini.check_response("DeleteThing", 204, {}, b"{}")) == [("", "body")]


def test_routes_prefer_literals_so_vpn_connection_tags_is_the_project_tag_listing(repo):
    assert repo.operation_of("GET", "/v5/%s/vpn-connection/tags" % P) == "ListProjectTags"
    assert repo.operation_of("GET", "/v5/%s/vpn-connection/%s" % (P, U1)) == "ShowVpnConnection"
    assert repo.operation_of("GET", "/v5/%s/vpn-gateways/jobs" % P) == "ListVpnGatewayJobs"
    assert repo.operation_of("GET", "/v5/%s/vpn-gateways/%s?x=1" % (P, U1)) == "ShowVgw"


def test_resource_type_path_parameters_only_match_their_enum(repo):
    assert repo.operation_of("GET", "/v5/%s/vpn-gateway/%s/tags" % (P, U1)) == "ShowResourceTags"
    assert repo.operation_of("GET", "/v5/%s/p2c-vpn-gateways/%s/tags" % (P, U1)) is None


def test_a_request_outside_the_sdk_operations_has_no_operation(repo):
    assert repo.operation_of("PATCH", "/v5/%s/vpn-gateways" % P) is None
    assert repo.operation_of("GET", "/v5/%s/nothing" % P) is None


def test_a_departure_matches_only_its_operation_model_field_and_kind(repo):
    (d,) = [d for d in repo.departures if d["field"] == "style"]
    p = sdk_models.Problem("CreateVpnConnection", "vpn_connection.style", "enum", "",
                           "CreateResponseVpnConnection", "style")
    assert repo.departure_of(p) is d
    assert repo.departure_of(p._replace(operation="ShowCgw")) is None
    assert repo.departure_of(p._replace(kind="type")) is None
    assert repo.departure_of(p._replace(field="name")) is None


def test_the_request_hook_fails_a_response_that_departs_from_the_model():
    before = len(vpnd_api.SDK_NEW_PROBLEMS)
    body = copy.deepcopy(SEED_SHOW)
    body["vpn_connection"]["status"] = "SLEEPING"
    try:
        with pytest.raises(AssertionError, match=r"vpn_connection\.status: enum"):
            vpnd_api.check_sdk_model("GET", "/v5/%s/vpn-connection/%s" % (P, U1), 200, body,
                                     b"{...}")
    finally:
        del vpnd_api.SDK_NEW_PROBLEMS[before:]  # a deliberate failure, not the server's


def test_the_request_hook_passes_a_named_departure():
    body = copy.deepcopy(SEED_SHOW)
    conn = body["vpn_connection"]
    for created_has_none in ("status", "connection_monitor_id"):
        conn.pop(created_has_none, None)
    conn["style"] = "POLICY-TEMPLATE"  # the seed-wins departure of CreateVpnConnection
    vpnd_api.check_sdk_model("POST", "/v5/%s/vpn-connection" % P, 201, body, b"{...}")


def test_vpnds_own_routes_are_no_sdk_operation(repo):
    models = sdk_models.default_models()
    for method, path in (("GET", "/_vpnd/health"), ("POST", "/_vpnd/faults"),
                         ("DELETE", "/_vpnd/transitions/x"), ("GET", "/_vpnd/state?x=1")):
        assert sdk_models.is_own(path)
        assert models.operation_of(method, path) is None
    assert not sdk_models.is_own("/v5/%s/vpn-connection" % P)


def test_an_error_answer_of_vpnds_own_routes_must_be_the_error_body(repo):
    vpnd_api.check_sdk_model("GET", "/_vpnd/faults", 404,
                             {"error_code": "APIGW.0101", "error_msg": "x", "request_id": "r"},
                             b"{}")
    with pytest.raises(AssertionError):
        vpnd_api.check_sdk_model("GET", "/_vpnd/faults", 500, {"oops": 1}, b"{\"oops\":1}")
