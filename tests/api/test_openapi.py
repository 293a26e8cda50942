"""The OpenAPI document (spec/openapi.json): generated from the route table and the SDK models,
committed, served at /openapi.json, agreeing with `vpnd routes` both ways, linted by
@redocly/cli, and describing what vpnd answers (ajv, tests/openapi/validate.js). Every response
the rest of the suite receives is validated too, at the end of the run (conftest.py)."""

import json
import os
import subprocess

import pytest

import openapi_check
from vpnd_api import new_project, server_env

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GENERATOR = os.path.join(TOP, "scripts", "gen-openapi.py")


def committed():
    with open(openapi_check.DOC, "rb") as f:
        return f.read()


def routes(vpnd_bin):
    out = subprocess.run([vpnd_bin, "routes"], capture_output=True, text=True, check=True,
                         env=server_env()).stdout
    return [tuple(line.split(" ")) for line in out.splitlines()]


@pytest.fixture(scope="module")
def tools():
    if not openapi_check.available():
        pytest.fail("tests/openapi/node_modules is missing: run scripts/setup.sh --test",
                    pytrace=False)


def test_every_route_is_in_the_document_and_every_operation_of_the_document_is_a_route(vpnd_bin):
    doc = json.loads(committed())
    table = {(m, p): op for m, p, op, _ in routes(vpnd_bin)}
    documented = {(m.upper(), p): o["operationId"]
                  for p, ops in doc["paths"].items() for m, o in ops.items()}
    assert sorted(set(table) - set(documented)) == [], "routes missing from the document"
    assert sorted(set(documented) - set(table)) == [], "documented operations vpnd does not serve"
    assert table == documented, "operation ids differ from the route table's operation names"


def test_the_committed_document_is_what_the_generator_writes(vpnd_bin, tmp_path):
    out = tmp_path / "openapi.json"
    subprocess.run(["/usr/bin/python3", GENERATOR, "--vpnd", vpnd_bin, "--out", str(out)],
                   check=True, env=server_env(), timeout=60)
    assert out.read_bytes() == committed(), \
        "spec/openapi.json is stale: run `make openapi` and commit it"


def test_the_server_serves_the_committed_document_at_openapi_json(server):
    r = server.request("GET", "/openapi.json")
    assert r.status == 200 and r.headers["Content-Type"] == "application/json"
    assert r.raw == committed()


def test_redocly_lint_finds_no_problem_in_the_document(tools):
    p = subprocess.run(["npx", "--no-install", "redocly", "lint", "--config", "redocly.yaml",
                        openapi_check.DOC], cwd=openapi_check.TOOLS, capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Your API description is valid" in p.stdout + p.stderr, p.stdout + p.stderr
    assert "warning" not in (p.stdout + p.stderr).lower(), p.stdout + p.stderr


def test_answers_of_a_gateway_flow_validate_against_the_document(server, tools):
    project = new_project()
    base = "/v5/%s" % project
    r = server.request("POST", base + "/customer-gateways",
                       {"customer_gateway": {"name": "c", "id_value": "203.0.113.77"}})
    cgw = r.json["customer_gateway"]["id"]
    kept = [
        (r, "POST", "/v5/{project_id}/customer-gateways"),
        (server.request("GET", base + "/customer-gateways/" + cgw), "GET",
         "/v5/{project_id}/customer-gateways/{id}"),
        (server.request("GET", base + "/customer-gateways"), "GET",
         "/v5/{project_id}/customer-gateways"),
        (server.request("GET", base + "/customer-gateways/nope"), "GET",
         "/v5/{project_id}/customer-gateways/{id}"),
        (server.request("DELETE", base + "/customer-gateways/" + cgw), "DELETE",
         "/v5/{project_id}/customer-gateways/{id}"),
        (server.request("GET", "/metrics"), "GET", "/metrics"),
    ]
    samples = [openapi_check.sample(m, p, r.status, r.json, r.raw) for r, m, p in kept]
    assert [s["status"] for s in samples] == [201, 200, 200, 404, 204, 200]
    assert openapi_check.validate(samples) == []


def test_an_answer_that_departs_from_the_document_is_reported(tools):
    bad = [
        # a customer gateway without its id, with a field no model has
        openapi_check.sample("GET", "/v5/{project_id}/customer-gateways/{id}", 200,
                             {"customer_gateway": {"name": "c", "colour": "red"},
                              "request_id": "x"}, b"{}"),
        # an error body without error_code
        openapi_check.sample("GET", "/v5/{project_id}/vpn-gateways", 400,
                             {"error_msg": "x", "request_id": "y"}, b"{}"),
        # a status the operation never answers, and a body where there is none
        openapi_check.sample("DELETE", "/v5/{project_id}/vpn-gateways/{id}", 204, {}, b"{}"),
    ]
    problems = openapi_check.validate(bad)
    assert [(p["pattern"], p["why"]) for p in problems] == [
        ("/v5/{project_id}/customer-gateways/{id}", "the body does not validate"),
        ("/v5/{project_id}/vpn-gateways", "the body does not validate"),
        ("/v5/{project_id}/vpn-gateways/{id}",
         "the document has no body for this answer, one was sent"),
    ]
