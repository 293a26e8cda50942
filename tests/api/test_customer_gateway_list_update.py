"""Customer gateway list (spec §1.6, §4: marker pagination, cgw_id filter) and update (spec §4:
name and ca_certificate only)."""

import sqlite3
import subprocess
import time

import pytest

from vpnd_api import (Server, TIMESTAMP_RE, active_gateways, assert_error, assert_invalid, cgw_path,
                      conn_body, create_cgw, create_conn, gateway_body, new_project, new_uuid,
                      pg_base_url)


def set_created_at(server, stamps):
    """Writes created_at of customer gateways {id: ms} straight into the server's database (a
    SQLite file, or its PostgreSQL schema through psql); the server is stopped."""
    if pg_base_url():
        sql = "".join("UPDATE customer_gateway SET created_at = %d WHERE id = '%s';" % (at, cid)
                      for cid, at in stamps.items())
        p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", server.db, "-c", sql],
                           capture_output=True, text=True, timeout=30)
        assert p.returncode == 0, p.stderr
        return
    db = sqlite3.connect(server.db)
    for cid, at in stamps.items():
        db.execute("UPDATE customer_gateway SET created_at = ? WHERE id = ?", (at, cid))
    db.commit()
    db.close()


def list_cgws(server, project, query=""):
    r = server.request("GET", cgw_path(project) + ("?" + query if query else ""))
    assert r.status == 200, r.raw
    return r.json


def all_pages(server, project, limit):
    """Follows next_marker to the end, as Terraform's pager does; returns (ids, pages)."""
    ids, pages, marker = [], [], None
    while True:
        q = "limit=%d" % limit + ("&marker=" + marker if marker else "")
        page = list_cgws(server, project, q)
        pages.append(page)
        ids += [c["id"] for c in page["customer_gateways"]]
        assert page["page_info"]["current_count"] == len(page["customer_gateways"]), page
        marker = page["page_info"].get("next_marker")
        if not marker:
            return ids, pages
        assert len(pages) < 100, "pager does not terminate"


def newest_first(cgws):
    """The documented order: created_at descending, ties (same millisecond) by id descending."""
    return [c["id"] for c in sorted(cgws, key=lambda c: (c["created_at"], c["id"]), reverse=True)]


def put(server, project, cid, body):
    return server.request("PUT", cgw_path(project, cid), body)


# ---- list ----

def test_list_returns_every_customer_gateway_newest_first_with_counts(server, project):
    made = [create_cgw(server, project, "10.0.0.%d" % i) for i in range(1, 4)]
    body = list_cgws(server, project)
    assert list(body) == ["customer_gateways", "page_info", "total_count", "request_id"], body
    assert [c["id"] for c in body["customer_gateways"]] == newest_first(made)
    assert body["page_info"] == {"current_count": 3}, body
    assert body["total_count"] == 3


def test_listed_customer_gateways_equal_their_show_object(server, project):
    c = create_cgw(server, project, "vpn.example.com", id_type="fqdn", name="n1",
                   tags=[{"key": "k", "value": "v"}])
    (listed,) = list_cgws(server, project)["customer_gateways"]
    shown = server.request("GET", cgw_path(project, c["id"])).json["customer_gateway"]
    assert listed == shown


def test_empty_project_lists_nothing(server, project):
    body = list_cgws(server, project)
    assert (body["customer_gateways"], body["page_info"], body["total_count"]) == (
        [], {"current_count": 0}, 0)


def test_pages_follow_next_marker_to_the_end_and_the_last_page_has_no_marker(server, project):
    made = [create_cgw(server, project, "10.0.1.%d" % i) for i in range(1, 6)]
    ids, pages = all_pages(server, project, 2)
    assert ids == newest_first(made)
    assert [p["page_info"]["current_count"] for p in pages] == [2, 2, 1]
    assert all(p["total_count"] == 5 for p in pages)
    assert "next_marker" not in pages[-1]["page_info"]
    assert TIMESTAMP_RE.match(pages[0]["page_info"]["next_marker"].split("|")[0])


def test_a_full_last_page_has_no_next_marker(server, project):
    for i in range(4):
        create_cgw(server, project, "10.0.2.%d" % (i + 1))
    _, pages = all_pages(server, project, 2)
    assert len(pages) == 2 and "next_marker" not in pages[1]["page_info"], pages


def test_limit_zero_returns_no_items_but_the_total(server, project):
    create_cgw(server, project)
    body = list_cgws(server, project, "limit=0")
    assert (body["customer_gateways"], body["page_info"], body["total_count"]) == (
        [], {"current_count": 0}, 1)


def test_default_limit_is_200(vpnd_bin, tmp_path):
    server = Server(vpnd_bin, str(tmp_path), ["--quota-customer-gateway", "300"]).start()
    try:
        project = new_project()
        for i in range(201):
            create_cgw(server, project, "10.1.%d.%d" % (i // 200, i % 200 + 1))
        body = list_cgws(server, project)
        assert body["page_info"]["current_count"] == 200 and body["total_count"] == 201
        rest = list_cgws(server, project, "marker=" + body["page_info"]["next_marker"])
        assert rest["page_info"] == {"current_count": 1}, rest["page_info"]
    finally:
        server.stop()


@pytest.mark.parametrize("raw,value", [
    ("201", "201"), ("-1", "-1"), ("x", "x"), ("", ""), ("1.5", "1.5"), ("%2B3", "+3"),
    ("+3", " 3"), ("99999999999999999999", "99999999999999999999")])
def test_limit_out_of_range_or_not_an_integer_is_rejected(server, project, raw, value):
    r = server.request("GET", cgw_path(project) + "?limit=" + raw)
    msg = assert_invalid(r, "limit")
    assert msg == 'invalid request: limit: must be an integer from 0 to 200, got "%s"' % value


@pytest.mark.parametrize("marker", ["yesterday", "2022-11-26T13:41:34.626Z|", "2022-13-26T13:41:34.626Z"])
def test_malformed_marker_is_rejected(server, project, marker):
    r = server.request("GET", cgw_path(project) + "?marker=" + marker)
    assert_invalid(r, "marker", "must be a next_marker from a previous page")


def test_cgw_id_filter_returns_only_that_customer_gateway(server, project):
    a = create_cgw(server, project, "10.0.3.1")
    create_cgw(server, project, "10.0.3.2")
    body = list_cgws(server, project, "cgw_id=" + a["id"])
    assert [c["id"] for c in body["customer_gateways"]] == [a["id"]]
    assert body["total_count"] == 1
    assert list_cgws(server, project, "cgw_id=" + new_uuid())["total_count"] == 0


def test_list_shows_no_customer_gateway_of_another_project(server, project):
    other = new_project()
    c = create_cgw(server, other)
    assert list_cgws(server, project)["total_count"] == 0
    assert list_cgws(server, project, "cgw_id=" + c["id"])["customer_gateways"] == []


def test_pages_are_complete_and_ordered_when_created_at_ties(fresh_server):
    """Ten customer gateways share three created_at values (set in the database, as a batch
    create within one millisecond would): paging by 3 sees each once, newest first, ties by
    id descending."""
    project = new_project()
    ids = [create_cgw(fresh_server, project, "10.0.4.%d" % (i + 1))["id"] for i in range(10)]
    fresh_server.stop()
    stamps = {cid: 1669470094000 + (i // 4) for i, cid in enumerate(ids)}
    set_created_at(fresh_server, stamps)
    fresh_server.start()
    want = sorted(ids, key=lambda c: (stamps[c], c), reverse=True)
    for limit in (1, 2, 3, 4):
        got, pages = all_pages(fresh_server, project, limit)
        assert got == want, (limit, got, want)
    _, pages = all_pages(fresh_server, project, 3)
    assert any("|" in p["page_info"].get("next_marker", "") for p in pages), pages


@pytest.mark.skipif(pg_base_url() is not None,
                    reason="reads SQLite's query plan from the .db file; PostgreSQL has the same "
                           "index (migration 6) and its own plan")
def test_list_page_uses_the_created_at_index(fresh_server):
    """The page query is served by customer_gateway_by_created, not a project scan."""
    project = new_project()
    create_cgw(fresh_server, project)
    fresh_server.stop()
    db = sqlite3.connect(fresh_server.db)
    names = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customer_gateway'")]
    plan = " ".join(r[-1] for r in db.execute(
        "EXPLAIN QUERY PLAN SELECT project_id, id, created_at, updated_at, spec "
        "FROM customer_gateway WHERE project_id = ?1 AND (created_at, id) < (?2, ?3) "
        "ORDER BY created_at DESC, id DESC LIMIT ?4", (project, 2**62, "", 3)))
    db.close()
    fresh_server.start()
    assert "customer_gateway_by_created" in names, names
    assert "customer_gateway_by_created" in plan and "TEMP B-TREE" not in plan, plan


# ---- update ----

def test_update_changes_the_name_and_moves_updated_at(server, project):
    c = create_cgw(server, project, name="before")
    time.sleep(0.005)
    r = put(server, project, c["id"], {"customer_gateway": {"name": "after"}})
    assert r.status == 200, r.raw
    assert list(r.json) == ["customer_gateway", "request_id"], r.json
    u = r.json["customer_gateway"]
    assert u["name"] == "after"
    assert u["updated_at"] > c["updated_at"] and u["created_at"] == c["created_at"], (c, u)
    assert {k: v for k, v in u.items() if k not in ("name", "updated_at")} == \
        {k: v for k, v in c.items() if k not in ("name", "updated_at")}
    shown = server.request("GET", cgw_path(project, c["id"])).json["customer_gateway"]
    assert shown == u


def test_update_with_an_empty_object_changes_only_updated_at(server, project):
    c = create_cgw(server, project, name="same")
    u = put(server, project, c["id"], {"customer_gateway": {}}).json["customer_gateway"]
    assert u["name"] == "same" and u["updated_at"] > c["updated_at"], u


def test_update_ca_certificate_content_must_be_a_pem_certificate(server, project):
    c = create_cgw(server, project)
    r = put(server, project, c["id"], {"customer_gateway": {"ca_certificate": {"content": "PEM"}}})
    assert_invalid(r, "customer_gateway.ca_certificate.content", "must be a PEM certificate")
    assert server.request("GET", cgw_path(project, c["id"])).json["customer_gateway"] == c


@pytest.mark.parametrize("field,value", [
    ("id_type", "fqdn"), ("id_value", "1.2.3.4"), ("bgp_asn", 65001), ("tags", []),
    ("id", "x"), ("ip", "1.2.3.4"), ("route_mode", "static")])
def test_a_field_other_than_name_and_ca_certificate_is_not_updatable(server, project, field, value):
    c = create_cgw(server, project, name="keep")
    r = put(server, project, c["id"], {"customer_gateway": {"name": "new", field: value}})
    msg = assert_invalid(r, "customer_gateway." + field)
    assert msg == ("invalid request: customer_gateway.%s: is not updatable (updatable: name, "
                   "ca_certificate)" % field), msg
    assert server.request("GET", cgw_path(project, c["id"])).json["customer_gateway"] == c


def test_update_name_follows_the_create_name_rule(server, project):
    c = create_cgw(server, project)
    for bad in ("", "a b", "x" * 65, 5):
        r = put(server, project, c["id"], {"customer_gateway": {"name": bad}})
        assert_invalid(r, "customer_gateway.name")
    assert server.request("GET", cgw_path(project, c["id"])).json["customer_gateway"] == c


def test_update_ca_certificate_must_be_an_object_with_string_content(server, project):
    c = create_cgw(server, project)
    assert_invalid(put(server, project, c["id"], {"customer_gateway": {"ca_certificate": "x"}}),
                   "customer_gateway.ca_certificate", "must be an object")
    assert_invalid(put(server, project, c["id"],
                       {"customer_gateway": {"ca_certificate": {"content": 1}}}),
                   "customer_gateway.ca_certificate.content", "must be a string")


def test_update_body_must_wrap_customer_gateway(server, project):
    c = create_cgw(server, project)
    assert_invalid(put(server, project, c["id"], {"name": "x"}), "customer_gateway", "is required")
    assert_invalid(put(server, project, c["id"], "{"), "request body is not valid JSON")


def test_update_of_an_unknown_customer_gateway_is_404(server, project):
    r = put(server, project, new_uuid(), {"customer_gateway": {"name": "x"}})
    assert_error(r, 404, "VPN.0004")


def test_update_through_another_project_is_404_and_changes_nothing(server, project):
    c = create_cgw(server, project, name="mine")
    r = put(server, new_project(), c["id"], {"customer_gateway": {"name": "theirs"}})
    assert_error(r, 404, "VPN.0004")
    assert server.request("GET", cgw_path(project, c["id"])).json["customer_gateway"] == c


def test_update_of_a_customer_gateway_in_use_keeps_its_connections(server, project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    c = create_cgw(server, project)
    conn = create_conn(server, project, conn_body(gw, c))
    assert put(server, project, c["id"], {"customer_gateway": {"name": "renamed"}}).status == 200
    r = server.request("GET", "/v5/%s/vpn-connection/%s" % (project, conn["id"]))
    assert r.status == 200 and r.json["vpn_connection"]["cgw_id"] == c["id"], r.raw
