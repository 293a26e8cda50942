"""Tags of VPN gateways, customer gateways and VPN connections (spec §5.2, §2.3 VpnResourceTag).

Every endpoint for every resource type: tags/create, tags/delete, GET .../{id}/tags, GET .../tags
(project), resource-instances/filter and /count; their rules and error messages; tags given in
create bodies; tags shown by the resources' own GET; tags removed with the resource; projects
isolated from each other.
"""

import time

import pytest
import vpnd_api

from vpnd_api import (UUID_RE, active_gateways, assert_error, assert_invalid, cgw_path,
                      conn_body, conn_path, create_cgw, create_conn, gateway_body, gw_path,
                      new_project, new_uuid)

TYPES = ["vpn-gateway", "customer-gateway", "vpn-connection"]
LABEL = {"vpn-gateway": "vpn gateway", "customer-gateway": "customer gateway",
         "vpn-connection": "vpn connection"}
KEY_RULE = "must be 1 to 128 characters of letters, digits, spaces and _ . : = + - @"
VALUE_RULE = "must be 0 to 255 characters of letters, digits, spaces and _ . : = + - @"

_infra = {}  # (server port, project) -> (active gateway, customer gateway) for connections


def resource_path(project, rtype, rid):
    plural = {"vpn-gateway": gw_path, "customer-gateway": cgw_path,
              "vpn-connection": conn_path}[rtype]
    return plural(project, rid)


def make(server, project, rtype, name=None, tags=None):
    """Creates one resource of rtype in project; returns its id."""
    fields = {}
    if name is not None:
        fields["name"] = name
    if tags is not None:
        fields["tags"] = tags
    if rtype == "vpn-gateway":
        r = server.request("POST", gw_path(project), gateway_body(**fields))
        assert r.status == 201, r.raw
        return r.json["vpn_gateway"]["id"]
    if rtype == "customer-gateway":
        return create_cgw(server, project, **fields)["id"]
    key = (server.port, project)
    if key not in _infra:
        (gw,) = active_gateways(server, project, [gateway_body()])
        _infra[key] = (gw, create_cgw(server, project))
    gw, cgw = _infra[key]
    return create_conn(server, project, conn_body(gw, cgw, **fields))["id"]


def get_resource(server, project, rtype, rid):
    r = server.request("GET", resource_path(project, rtype, rid))
    assert r.status == 200, r.raw
    (obj,) = [v for k, v in r.json.items() if k != "request_id"]
    return obj


def tags_path(project, rtype, rid=None, action=None):
    p = "/v5/%s/%s" % (project, rtype)
    if rid:
        p += "/%s" % rid
    p += "/tags"
    if action:
        p += "/" + action
    return p


def add(server, project, rtype, rid, tags):
    return server.request("POST", tags_path(project, rtype, rid, "create"), {"tags": tags})


def remove(server, project, rtype, rid, tags):
    return server.request("POST", tags_path(project, rtype, rid, "delete"), {"tags": tags})


def show(server, project, rtype, rid):
    r = server.request("GET", tags_path(project, rtype, rid))
    assert r.status == 200, r.raw
    assert list(r.json) == ["tags"], r.json  # no request_id in tag bodies
    return r.json["tags"]


def project_tags(server, project, rtype):
    r = server.request("GET", tags_path(project, rtype))
    assert r.status == 200, r.raw
    assert list(r.json) == ["tags"], r.json
    return r.json["tags"]


def filter_path(project, rtype, action="filter", query=""):
    return "/v5/%s/%s/resource-instances/%s%s" % (project, rtype, action, query)


def filter_ids(server, project, rtype, body, query=""):
    r = server.request("POST", filter_path(project, rtype, "filter", query), body)
    assert r.status == 200, r.raw
    assert list(r.json) == ["resources", "total_count"], r.json
    return [x["resource_id"] for x in r.json["resources"]], r.json["total_count"]


def count(server, project, rtype, body):
    r = server.request("POST", filter_path(project, rtype, "count"), body)
    assert r.status == 200, r.raw
    assert list(r.json) == ["total_count"], r.json
    return r.json["total_count"]


def kv(*pairs):
    return [{"key": k, "value": v} for k, v in pairs]


# ---- tags/create, tags/delete, show ----

@pytest.mark.parametrize("rtype", TYPES)
def test_create_answers_204_without_a_body_and_show_lists_the_tags_by_key(server, project, rtype):
    rid = make(server, project, rtype)
    r = add(server, project, rtype, rid, kv(("zone", "b"), ("env", "prod"), ("team", "")))
    assert r.status == 204 and r.raw == b"", (r.status, r.raw)
    assert len(r.headers["X-Request-Id"]) == 32, dict(r.headers)
    assert show(server, project, rtype, rid) == kv(("env", "prod"), ("team", ""), ("zone", "b"))


@pytest.mark.parametrize("rtype", TYPES)
def test_create_overwrites_the_value_of_an_existing_key(server, project, rtype):
    rid = make(server, project, rtype)
    assert add(server, project, rtype, rid, kv(("env", "prod"), ("a", "1"))).status == 204
    assert add(server, project, rtype, rid, kv(("env", "dev"))).status == 204
    assert show(server, project, rtype, rid) == kv(("a", "1"), ("env", "dev"))


@pytest.mark.parametrize("rtype", TYPES)
def test_value_may_be_omitted_and_is_then_empty(server, project, rtype):
    rid = make(server, project, rtype)
    r = server.request("POST", tags_path(project, rtype, rid, "create"), {"tags": [{"key": "k"}]})
    assert r.status == 204, r.raw
    assert show(server, project, rtype, rid) == kv(("k", ""))


@pytest.mark.parametrize("rtype", TYPES)
def test_delete_removes_the_keys_and_an_absent_key_is_not_an_error(server, project, rtype):
    rid = make(server, project, rtype)
    add(server, project, rtype, rid, kv(("a", "1"), ("b", "2"), ("c", "3")))
    r = remove(server, project, rtype, rid, [{"key": "b"}, {"key": "never-set"}])
    assert r.status == 204 and r.raw == b"", r.raw
    assert show(server, project, rtype, rid) == kv(("a", "1"), ("c", "3"))
    # the key goes whatever value the body names
    assert remove(server, project, rtype, rid, kv(("a", "other"))).status == 204
    assert show(server, project, rtype, rid) == kv(("c", "3"))


@pytest.mark.parametrize("rtype", TYPES)
def test_an_untagged_resource_shows_an_empty_list(server, project, rtype):
    rid = make(server, project, rtype)
    assert show(server, project, rtype, rid) == []


@pytest.mark.parametrize("rtype", TYPES)
def test_tags_given_in_the_create_body_are_seen_by_the_tag_endpoints(server, project, rtype):
    rid = make(server, project, rtype, tags=kv(("owner", "ops"), ("cost", "42")))
    assert show(server, project, rtype, rid) == kv(("cost", "42"), ("owner", "ops"))
    assert project_tags(server, project, rtype) == [{"key": "cost", "values": ["42"]},
                                                    {"key": "owner", "values": ["ops"]}]
    assert filter_ids(server, project, rtype, {"tags": [{"key": "owner", "values": ["ops"]}]}) \
        == ([rid], 1)


@pytest.mark.parametrize("rtype", TYPES)
def test_the_resource_get_shows_the_current_tags(server, project, rtype):
    rid = make(server, project, rtype, tags=kv(("a", "1")))
    add(server, project, rtype, rid, kv(("b", "2"), ("a", "x")))
    assert get_resource(server, project, rtype, rid)["tags"] == kv(("a", "x"), ("b", "2"))
    remove(server, project, rtype, rid, [{"key": "a"}])
    assert get_resource(server, project, rtype, rid)["tags"] == kv(("b", "2"))


def test_a_connection_shows_no_tags_key_until_tagged_and_again_after_the_last_is_deleted(
        server, project):
    rid = make(server, project, "vpn-connection")
    assert "tags" not in get_resource(server, project, "vpn-connection", rid)
    add(server, project, "vpn-connection", rid, kv(("env", "prod")))
    assert get_resource(server, project, "vpn-connection", rid)["tags"] == kv(("env", "prod"))
    listed = server.request("GET", conn_path(project)).json["vpn_connections"]
    assert [c.get("tags") for c in listed if c["id"] == rid] == [kv(("env", "prod"))]
    remove(server, project, "vpn-connection", rid, [{"key": "env"}])
    assert "tags" not in get_resource(server, project, "vpn-connection", rid)


def test_a_connections_tags_survive_its_status_change(server, project):
    rid = make(server, project, "vpn-connection")
    add(server, project, "vpn-connection", rid, kv(("env", "prod")))
    deadline = time.monotonic() + 5
    while get_resource(server, project, "vpn-connection", rid)["status"] == "PENDING_CREATE":
        assert time.monotonic() < deadline, "connection did not settle"
        time.sleep(0.02)  # polling interval, not a readiness guess
    assert get_resource(server, project, "vpn-connection", rid)["tags"] == kv(("env", "prod"))
    assert show(server, project, "vpn-connection", rid) == kv(("env", "prod"))


def test_a_connection_update_keeps_its_tags(server, project):
    rid = make(server, project, "vpn-connection")
    add(server, project, "vpn-connection", rid, kv(("env", "prod")))
    r = server.request("PUT", conn_path(project, rid), {"vpn_connection": {"name": "renamed"}})
    assert r.status == 200, r.raw
    assert r.json["vpn_connection"]["tags"] == kv(("env", "prod"))
    assert show(server, project, "vpn-connection", rid) == kv(("env", "prod"))
    body = {"matches": [{"key": "resource_name", "value": "renamed"}]}
    assert filter_ids(server, project, "vpn-connection", body) == ([rid], 1)



@pytest.mark.parametrize("rtype,wrapper", [("vpn-gateway", "vpn_gateway"),
                                           ("customer-gateway", "customer_gateway")])
def test_a_renamed_gateway_is_found_by_its_new_name(server, project, rtype, wrapper):
    # regression: the gateway and customer-gateway updates did not re-index the name
    rid = make(server, project, rtype, name="before")
    if rtype == "vpn-gateway":
        vpnd_api.wait_gateway_active(server, project, rid)
    r = server.request("PUT", resource_path(project, rtype, rid), {wrapper: {"name": "after"}})
    assert r.status == 200, r.raw
    body = {"matches": [{"key": "resource_name", "value": "after"}]}
    assert filter_ids(server, project, rtype, body) == ([rid], 1)
    body = {"matches": [{"key": "resource_name", "value": "before"}]}
    assert filter_ids(server, project, rtype, body) == ([], 0)


# ---- limits and bad bodies ----

@pytest.mark.parametrize("rtype", TYPES)
def test_more_than_20_tags_on_a_resource_is_rejected_and_nothing_changes(server, project, rtype):
    rid = make(server, project, rtype)
    first = kv(*[("k%02d" % i, "v") for i in range(18)])
    assert add(server, project, rtype, rid, first).status == 204
    r = add(server, project, rtype, rid, kv(("k00", "new"), ("x", "1"), ("y", "2"), ("z", "3")))
    assert_invalid(r, "tags")
    assert r.json["error_msg"] == ("invalid request: tags: a resource may have at most 20 tags; "
                                   "it has 18 and 3 of these keys are new, which would make 21")
    assert show(server, project, rtype, rid) == first
    # exactly 20 is fine, and overwriting at 20 too
    assert add(server, project, rtype, rid, kv(("x", "1"), ("y", "2"))).status == 204
    assert add(server, project, rtype, rid, kv(("x", "again"))).status == 204
    assert len(show(server, project, rtype, rid)) == 20


def test_more_than_20_tags_in_one_body_is_rejected(server, project):
    rid = make(server, project, "customer-gateway")
    r = add(server, project, "customer-gateway", rid, kv(*[("k%d" % i, "") for i in range(21)]))
    assert assert_invalid(r, "tags") == "invalid request: tags: must have at most 20 items, got 21"
    assert show(server, project, "customer-gateway", rid) == []


BAD_BODIES = [
    ([1], "request body: must be an object, got array"),
    ({}, "tags: is required"),
    ({"tags": {"key": "a"}}, "tags: must be an array, got object"),
    ({"tags": []}, "tags: must have 1 to 20 items, got 0"),
    ({"tags": ["a"]}, "tags[0]: must be an object, got string"),
    ({"tags": [{"value": "v"}]}, "tags[0].key: is required"),
    ({"tags": [{"key": ""}]}, 'tags[0].key: %s, got ""' % KEY_RULE),
    ({"tags": [{"key": "a/b"}]}, 'tags[0].key: %s, got "a/b"' % KEY_RULE),
    ({"tags": [{"key": "k" * 129}]}, 'tags[0].key: %s, got "%s"...' % (KEY_RULE, "k" * 64)),
    ({"tags": [{"key": 7}]}, "tags[0].key: must be a string, got number"),
    ({"tags": [{"key": "ok", "value": "v" * 256}]},
     'tags[0].value: %s, got "%s"...' % (VALUE_RULE, "v" * 64)),
    ({"tags": [{"key": "ok", "value": "a<b"}]}, 'tags[0].value: %s, got "a<b"' % VALUE_RULE),
    ({"tags": [{"key": "ok", "value": True}]}, "tags[0].value: must be a string, got boolean"),
    ({"tags": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]},
     'tags[1].key: must not repeat tags[0].key, got "a"'),
]


@pytest.mark.parametrize("action", ["create", "delete"])
@pytest.mark.parametrize("body,msg", BAD_BODIES)
def test_a_bad_tag_body_is_rejected_with_a_precise_message_and_changes_nothing(
        server, project, action, body, msg):
    rid = make(server, project, "customer-gateway", tags=kv(("keep", "me")))
    r = server.request("POST", tags_path(project, "customer-gateway", rid, action), body)
    assert assert_invalid(r, msg.split(":")[0]) == "invalid request: " + msg
    assert show(server, project, "customer-gateway", rid) == kv(("keep", "me"))


def test_a_tag_body_that_is_not_json_is_rejected(server, project):
    rid = make(server, project, "vpn-gateway")
    r = server.request("POST", tags_path(project, "vpn-gateway", rid, "create"), "{nope")
    msg = assert_error(r, 400, "VPN.0001")
    assert msg.startswith("invalid request: request body is not valid JSON: "), msg


def test_tag_keys_and_values_allow_spaces_the_listed_signs_and_non_ascii_letters(server, project):
    rid = make(server, project, "customer-gateway")
    tags = kv(("a b_c.d:e=f+g-h@i", "ñandú São Paulo 東京"), ("k" * 128, "v" * 255))
    assert add(server, project, "customer-gateway", rid, tags).status == 204
    assert show(server, project, "customer-gateway", rid) == sorted(tags, key=lambda t: t["key"])


# ---- unknown resources and resource types ----

@pytest.mark.parametrize("rtype", TYPES)
def test_an_unknown_resource_id_is_404_on_every_per_resource_endpoint(server, project, rtype):
    rid = new_uuid()
    want = 'resource not found: %s "%s"' % (LABEL[rtype], rid)
    for method, action, body in [("POST", "create", {"tags": kv(("a", "b"))}),
                                 ("POST", "delete", {"tags": kv(("a", "b"))}),
                                 ("GET", None, None)]:
        r = server.request(method, tags_path(project, rtype, rid, action), body)
        assert assert_error(r, 404, "VPN.0004") == want


@pytest.mark.parametrize("path", ["/v5/%s/vpn-gateways/%s/tags/create",
                                  "/v5/%s/p2c-vpn-gateways/%s/tags/create",
                                  "/v5/%s/vpn-connections/%s/tags/create"])
def test_an_unknown_resource_type_is_an_unknown_api(server, project, path):
    r = server.request("POST", path % (project, new_uuid()), {"tags": kv(("a", "b"))})
    assert_error(r, 404, "APIGW.0101")
    r = server.request("GET", "/v5/%s/vpn-gatewayz/tags" % project)
    assert_error(r, 404, "APIGW.0101")
    r = server.request("POST", "/v5/%s/vpn-gatewayz/resource-instances/count" % project, {})
    assert_error(r, 404, "APIGW.0101")


# ---- project tags ----

@pytest.mark.parametrize("rtype", TYPES)
def test_project_tags_list_each_key_with_its_distinct_values(server, project, rtype):
    a = make(server, project, rtype, tags=kv(("env", "prod"), ("team", "x")))
    b = make(server, project, rtype)
    add(server, project, rtype, b, kv(("env", "dev"), ("solo", "")))
    make(server, project, rtype, tags=kv(("env", "prod")))
    assert a != b
    assert project_tags(server, project, rtype) == [
        {"key": "env", "values": ["dev", "prod"]},
        {"key": "solo", "values": [""]},
        {"key": "team", "values": ["x"]},
    ]


def test_project_tags_are_per_resource_type(server, project):
    make(server, project, "vpn-gateway", tags=kv(("gw", "1")))
    make(server, project, "customer-gateway", tags=kv(("cgw", "1")))
    assert project_tags(server, project, "vpn-gateway") == [{"key": "gw", "values": ["1"]}]
    assert project_tags(server, project, "customer-gateway") == [{"key": "cgw", "values": ["1"]}]
    assert project_tags(server, project, "vpn-connection") == []


# ---- filter and count ----

@pytest.fixture
def tagged(server):
    """Four customer gateways in a fresh project (created oldest first):
    red   env=prod team=a    | blue  env=dev team=a | green env=prod | plain (no tags)."""
    project = new_project()
    ids = {}
    ids["red"] = make(server, project, "customer-gateway", "cgw-Red",
                      kv(("env", "prod"), ("team", "a")))
    ids["blue"] = make(server, project, "customer-gateway", "cgw-blue",
                       kv(("env", "dev"), ("team", "a")))
    ids["green"] = make(server, project, "customer-gateway", "green-cgw", kv(("env", "prod")))
    ids["plain"] = make(server, project, "customer-gateway", "plain")
    created = {rid: get_resource(server, project, "customer-gateway", rid)["created_at"]
               for rid in ids.values()}
    ids["_created"] = created
    return project, ids


def names(ids, *which):
    """The ids of the named resources in the filter's order: newest first (created_at, then
    id, descending; two creates may share a millisecond)."""
    created = ids["_created"]
    return sorted((ids[w] for w in which), key=lambda rid: (created[rid], rid), reverse=True)


def test_filter_without_conditions_returns_every_resource_newest_first(server, tagged):
    project, ids = tagged
    r = server.request("POST", filter_path(project, "customer-gateway"), {})
    assert r.status == 200, r.raw
    assert [x["resource_id"] for x in r.json["resources"]] == names(
        ids, "plain", "green", "blue", "red")
    assert r.json["total_count"] == 4
    by_id = {x["resource_id"]: x for x in r.json["resources"]}
    assert by_id[ids["red"]] == {"resource_id": ids["red"], "resource_name": "cgw-Red",
                                 "resource_detail": {},
                                 "tags": kv(("env", "prod"), ("team", "a"))}
    assert by_id[ids["plain"]]["tags"] == []


def test_filter_with_an_empty_body_matches_everything(server, tagged):
    project, ids = tagged
    r = server.request("POST", filter_path(project, "customer-gateway"), b"")
    assert r.status == 200 and r.json["total_count"] == 4, r.raw


def test_filter_values_of_one_key_are_ored(server, tagged):
    project, ids = tagged
    body = {"tags": [{"key": "env", "values": ["dev", "prod"]}]}
    assert filter_ids(server, project, "customer-gateway", body) == (
        names(ids, "green", "blue", "red"), 3)
    body = {"tags": [{"key": "env", "values": ["dev"]}]}
    assert filter_ids(server, project, "customer-gateway", body) == (names(ids, "blue"), 1)


def test_filter_tags_are_anded(server, tagged):
    project, ids = tagged
    body = {"tags": [{"key": "env", "values": ["prod"]}, {"key": "team", "values": ["a"]}]}
    assert filter_ids(server, project, "customer-gateway", body) == (names(ids, "red"), 1)
    body = {"tags": [{"key": "env", "values": ["prod"]}, {"key": "nope", "values": []}]}
    assert filter_ids(server, project, "customer-gateway", body) == ([], 0)


def test_filter_empty_values_match_any_value_of_the_key(server, tagged):
    project, ids = tagged
    body = {"tags": [{"key": "team", "values": []}]}
    assert filter_ids(server, project, "customer-gateway", body) == (names(ids, "blue", "red"), 2)


def test_filter_value_match_is_exact(server, tagged):
    project, _ = tagged
    body = {"tags": [{"key": "env", "values": ["pro", "PROD"]}]}
    assert filter_ids(server, project, "customer-gateway", body) == ([], 0)


@pytest.mark.parametrize("flag", [True, "true"])
def test_without_any_tag_selects_untagged_resources_and_ignores_tags(server, tagged, flag):
    project, ids = tagged
    body = {"without_any_tag": flag, "tags": [{"key": "env", "values": ["prod"]}]}
    assert filter_ids(server, project, "customer-gateway", body) == (names(ids, "plain"), 1)
    assert count(server, project, "customer-gateway", body) == 1


@pytest.mark.parametrize("flag", [False, "false"])
def test_without_any_tag_false_is_no_condition(server, tagged, flag):
    project, _ = tagged
    assert count(server, project, "customer-gateway", {"without_any_tag": flag}) == 4


def test_matches_resource_name_is_a_case_insensitive_substring_match(server, tagged):
    project, ids = tagged
    body = {"matches": [{"key": "resource_name", "value": "CGW"}]}
    assert filter_ids(server, project, "customer-gateway", body) == (
        names(ids, "green", "blue", "red"), 3)
    body = {"matches": [{"key": "resource_name", "value": "red"}],
            "tags": [{"key": "team", "values": []}]}
    assert filter_ids(server, project, "customer-gateway", body) == (names(ids, "red"), 1)
    body = {"matches": [{"key": "resource_name", "value": ""}]}
    assert filter_ids(server, project, "customer-gateway", body) == ([], 0)


def test_matches_with_without_any_tag_both_apply(server, tagged):
    project, ids = tagged
    body = {"without_any_tag": True, "matches": [{"key": "resource_name", "value": "pla"}]}
    assert filter_ids(server, project, "customer-gateway", body) == (names(ids, "plain"), 1)
    body["matches"][0]["value"] = "cgw"
    assert filter_ids(server, project, "customer-gateway", body) == ([], 0)


def test_limit_and_offset_page_through_the_matches_and_total_count_ignores_them(server, tagged):
    project, ids = tagged
    every = names(ids, "plain", "green", "blue", "red")
    assert filter_ids(server, project, "customer-gateway", {}, "?limit=2") == (every[:2], 4)
    assert filter_ids(server, project, "customer-gateway", {}, "?limit=2&offset=2") == (
        every[2:], 4)
    assert filter_ids(server, project, "customer-gateway", {}, "?offset=3") == (every[3:], 4)
    assert filter_ids(server, project, "customer-gateway", {}, "?offset=4") == ([], 4)
    assert filter_ids(server, project, "customer-gateway", {}, "?limit=1000&offset=0") == (
        every, 4)


def test_count_equals_the_filters_total(server, tagged):
    project, _ = tagged
    for body in [{}, {"tags": [{"key": "env", "values": ["prod"]}]},
                 {"tags": [{"key": "team", "values": []}]}, {"without_any_tag": True}]:
        assert count(server, project, "customer-gateway", body) == \
            filter_ids(server, project, "customer-gateway", body)[1]


@pytest.mark.parametrize("rtype", TYPES)
def test_filter_and_count_work_for_every_resource_type(server, project, rtype):
    a = make(server, project, rtype, tags=kv(("role", "edge")))
    make(server, project, rtype)
    body = {"tags": [{"key": "role", "values": ["edge"]}]}
    assert filter_ids(server, project, rtype, body) == ([a], 1)
    assert count(server, project, rtype, body) == 1
    assert count(server, project, rtype, {"without_any_tag": "true"}) >= 1


@pytest.mark.parametrize("query,msg", [
    ("?limit=0", 'limit: must be an integer from 1 to 1000, got "0"'),
    ("?limit=1001", 'limit: must be an integer from 1 to 1000, got "1001"'),
    ("?limit=x", 'limit: must be an integer from 1 to 1000, got "x"'),
    ("?limit=", 'limit: must be an integer from 1 to 1000, got ""'),
    ("?offset=-1", 'offset: must be an integer of at least 0, got "-1"'),
    ("?offset=1e3", 'offset: must be an integer of at least 0, got "1e3"'),
])
def test_bad_limit_or_offset_is_rejected(server, project, query, msg):
    r = server.request("POST", filter_path(project, "vpn-gateway", "filter", query), {})
    assert assert_invalid(r, msg.split(":")[0]) == "invalid request: " + msg


FILTER_BAD_BODIES = [
    ([], "request body: must be an object, got array"),
    ({"without_any_tag": "yes"},
     'without_any_tag: must be true or false (a boolean or a string), got "yes"'),
    ({"without_any_tag": 1},
     "without_any_tag: must be true or false (a boolean or a string), got number"),
    ({"tags": "env"}, "tags: must be an array, got string"),
    ({"tags": [{"values": []}]}, "tags[0].key: is required"),
    ({"tags": [{"key": "a!"}]}, 'tags[0].key: %s, got "a!"' % KEY_RULE),
    ({"tags": [{"key": "env"}]}, "tags[0].values: is required (an empty array matches any value)"),
    ({"tags": [{"key": "env", "values": "prod"}]}, "tags[0].values: must be an array, got string"),
    ({"tags": [{"key": "env", "values": ["a", "a"]}]},
     'tags[0].values[1]: must not repeat values[0], got "a"'),
    ({"tags": [{"key": "env", "values": ["a#"]}]}, 'tags[0].values[0]: %s, got "a#"' % VALUE_RULE),
    ({"tags": [{"key": "env", "values": []}, {"key": "env", "values": []}]},
     'tags[1].key: must not repeat tags[0].key, got "env"'),
    ({"tags": [{"key": "k%d" % i, "values": []} for i in range(21)]},
     "tags: must have at most 20 items, got 21"),
    ({"tags": [{"key": "env", "values": ["v%d" % i for i in range(21)]}]},
     "tags[0].values: must have at most 20 items, got 21"),
    ({"matches": {"key": "resource_name"}}, "matches: must be an array, got object"),
    ({"matches": [{"key": "resource_id", "value": "x"}]},
     'matches[0].key: must be "resource_name", got "resource_id"'),
    ({"matches": [{"value": "x"}]}, "matches[0].key: is required"),
    ({"matches": [{"key": "resource_name"}]}, "matches[0].value: is required"),
    ({"matches": [{"key": "resource_name", "value": 3}]},
     "matches[0].value: must be a string, got number"),
    ({"matches": [{"key": "resource_name", "value": "x" * 256}]},
     'matches[0].value: must be at most 255 characters, got "%s"...' % ("x" * 64)),
    ({"matches": [{"key": "resource_name", "value": "a"}, {"key": "resource_name", "value": "b"}]},
     'matches[1].key: must not repeat matches[0].key, got "resource_name"'),
]


@pytest.mark.parametrize("action", ["filter", "count"])
@pytest.mark.parametrize("body,msg", FILTER_BAD_BODIES)
def test_a_bad_filter_body_is_rejected_with_a_precise_message(server, project, action, body, msg):
    r = server.request("POST", filter_path(project, "vpn-connection", action), body)
    assert assert_invalid(r, msg.split(":")[0]) == "invalid request: " + msg


# ---- lifecycle ----

@pytest.mark.parametrize("rtype", TYPES)
def test_tags_are_removed_with_the_resource(server, project, rtype):
    rid = make(server, project, rtype, tags=kv(("gone", "soon")))
    keep = make(server, project, rtype, tags=kv(("stays", "1")))
    r = server.request("DELETE", resource_path(project, rtype, rid))
    assert r.status == 204, r.raw
    # a connection is PENDING_DELETE (still there, tags included) until the engine removes it
    assert vpnd_api.wait_gone(server, resource_path(project, rtype, rid)).status == 404
    assert project_tags(server, project, rtype) == [{"key": "stays", "values": ["1"]}]
    assert filter_ids(server, project, rtype, {"tags": [{"key": "gone", "values": []}]}) == (
        [], 0)
    assert rid not in filter_ids(server, project, rtype, {})[0]
    assert keep in filter_ids(server, project, rtype, {})[0]
    r = server.request("GET", tags_path(project, rtype, rid))
    assert_error(r, 404, "VPN.0004")
    r = add(server, project, rtype, rid, kv(("a", "b")))
    assert_error(r, 404, "VPN.0004")


def test_tags_persist_across_a_restart(fresh_server):
    project = new_project()
    rid = make(fresh_server, project, "customer-gateway", "persist", kv(("a", "1")))
    add(fresh_server, project, "customer-gateway", rid, kv(("b", "2")))
    fresh_server.restart()
    assert show(fresh_server, project, "customer-gateway", rid) == kv(("a", "1"), ("b", "2"))
    assert count(fresh_server, project, "customer-gateway",
                 {"tags": [{"key": "b", "values": ["2"]}]}) == 1


# ---- tenancy ----

@pytest.mark.parametrize("rtype", TYPES)
def test_another_project_neither_sees_nor_changes_the_tags(server, rtype):
    a, b = new_project(), new_project()
    rid = make(server, a, rtype, "mine", kv(("secret", "a")))
    make(server, b, rtype, "theirs", kv(("other", "b")))
    for method, action, body in [("POST", "create", {"tags": kv(("x", "y"))}),
                                 ("POST", "delete", {"tags": kv(("secret", ""))}),
                                 ("GET", None, None)]:
        r = server.request(method, tags_path(b, rtype, rid, action), body)
        assert_error(r, 404, "VPN.0004")
    assert show(server, a, rtype, rid) == kv(("secret", "a"))
    assert project_tags(server, b, rtype) == [{"key": "other", "values": ["b"]}]
    ids, total = filter_ids(server, b, rtype, {"tags": [{"key": "secret", "values": []}]})
    assert (ids, total) == ([], 0)
    assert rid not in filter_ids(server, b, rtype, {})[0]
    assert count(server, b, rtype, {"matches": [{"key": "resource_name", "value": "mine"}]}) == 0
    assert all(UUID_RE.match(x) for x in filter_ids(server, b, rtype, {})[0])
