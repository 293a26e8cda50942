#!/usr/bin/python3
"""Writes spec/openapi.json: the OpenAPI 3 document of everything vpnd serves.

Generated, never edited by hand (make openapi; tests/api/test_openapi.py fails when the committed
file is stale). Offline, from repository facts only:

  - the route table, as the binary prints it (`vpnd routes`: METHOD PATTERN OPERATION FLAGS);
  - spec/sdk-models/vpn-v5.json: the SDK's operations (query parameters, request and response
    models, statuses) and models, matched to the routes the way the API suite matches requests
    (tests/api/sdk_models.py operation_of);
  - spec/sdk-models/departures.json: where vpnd departs from those models today; the document
    describes vpnd, so a departing field is relaxed (not required, any type, any value) or added;
  - VERSION.

Usage: scripts/gen-openapi.py [--vpnd BINARY] [--out FILE]   (defaults: build/rel/vpnd, the spec)
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "api"))
import sdk_models  # noqa: E402  (the one matcher of requests to SDK operations)

OUT = os.path.join(TOP, "spec", "openapi.json")
ERROR = {"$ref": "#/components/responses/Error"}
ERRORS = {"4XX": ERROR, "5XX": ERROR}
TAGS = [
    ("vpn_connection", "VPN connections (spec §2)"),
    ("connection_monitor", "Connection monitors (spec §5.1)"),
    ("vpn_gateway", "VPN gateways (spec §3)"),
    ("customer_gateway", "Customer gateways (spec §4)"),
    ("quotas", "Quotas (spec §5.3)"),
    ("vpnd", "vpnd's own: metrics, this document, health and readiness"),
    ("control", "vpnd's control surface for tests (/_vpnd/; README \"Testing against vpnd\"): "
                "reset, seed, state, statuses, transitions, faults, the clock"),
]
# vpnd's path parameters (src/api/router.h): what they accept
VPND_PARAMS = {
    "project_id": ("1 to 64 of A-Z a-z 0-9 - _ (the cloud's are 32 lower-case hex digits)",
                   "^[A-Za-z0-9_-]{1,64}$"),
    "id": ("the resource's id (1 to 64 printable ASCII characters)", None),
    "sub_id": ("the sub-resource's id (1 to 64 printable ASCII characters)", None),
}


def routes_of(binary):
    out = subprocess.run([binary, "routes"], check=True, capture_output=True, text=True).stdout
    return [tuple(line.split(" ")) for line in out.splitlines()]


# ---- schemas ------------------------------------------------------------------------------

def relaxations(departures):
    """(model, field) -> set of departure kinds."""
    out = {}
    for d in departures:
        out.setdefault((d["model"], d["field"]), set()).add(d["kind"])
    return out


def enum_additions(models):
    """(model, field) -> extra enum values (seed_overrides: the seed document wins)."""
    out = {}
    for op, o in models.overrides.items():
        for path, values in o.get("enum_additions", {}).items():
            model = models.ops[op]["response"]
            parts = path.split(".")
            for name in parts[:-1]:
                fs = models.models[model]["fields"][name]
                fs = fs.get("items", fs) if fs["type"] == "array" else fs
                model = fs["ref"]
            out.setdefault((model, parts[-1]), []).extend(values)
    return out


def field_schema(fs, extra_enum=()):
    t = fs["type"]
    if t == "any":
        s = {}
    elif t == "object":
        s = {"$ref": "#/components/schemas/" + fs["ref"]} if "ref" in fs else {"type": "object"}
    elif t == "array":
        s = {"type": "array", "items": field_schema(fs["items"])}
    else:
        s = {"type": t}
    if "enum" in fs:
        s["enum"] = list(fs["enum"]) + [v for v in extra_enum if v not in fs["enum"]]
    for k in ("format", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"):
        if k in fs:
            s[k] = fs[k]
    if "note" in fs and "$ref" not in s:
        s["description"] = fs["note"]
    return s


def presence_text(p):
    if isinstance(p, dict):
        return "present when " + " and ".join(
            "%s is %s" % (k, " or ".join(map(str, v))) for k, v in p["when"].items())
    return None


def model_schema(name, model, relax, extra_enums):
    props, required = {}, []
    for key, fs in model["fields"].items():
        kinds = relax.get((name, key), set())
        s = field_schema(fs, extra_enums.get((name, key), ()))
        if "type" in kinds:
            s = {"description": "vpnd departs from the SDK's type here (departures.json)"}
        if "enum" in kinds:
            s.pop("enum", None)
            if fs["type"] == "array" and "enum" in s.get("items", {}):
                s["items"].pop("enum")
        if "range" in kinds:
            s.pop("minimum", None)
            s.pop("maximum", None)
        when = presence_text(fs["presence"])
        if when and "$ref" not in s:
            s["description"] = (s.get("description", "") + "; " + when).lstrip("; ")
        props[key] = s
        if fs["presence"] in ("always", "required") and "missing" not in kinds:
            required.append(key)
    for (m, key), kinds in sorted(relax.items()):
        if m == name and "extra" in kinds and key not in props:
            props[key] = {"description": "sent by vpnd, not in the SDK's model (departures.json)"}
    out = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        out["required"] = required
    desc = [model.get("note"), "Source: " + model["source"] if model.get("source") else None]
    desc = "; ".join(d for d in desc if d)
    if desc:
        out["description"] = desc
    return out


# ---- operations ---------------------------------------------------------------------------

def path_params(pattern, sdk_op):
    """The route's {params}, described with the SDK's name for the same position."""
    sdk_segs = sdk_op["path"].strip("/").split("/") if sdk_op else []
    out = []
    for i, seg in enumerate(pattern.strip("/").split("/")):
        if not seg.startswith("{"):
            continue
        name = seg[1:-1]
        desc, pat = VPND_PARAMS.get(name, ("", None))
        if i < len(sdk_segs) and sdk_segs[i].startswith("{") and sdk_segs[i][1:-1] != name:
            desc += " (the SDK's %s)" % sdk_segs[i][1:-1]
        schema = {"type": "string"}
        if pat:
            schema["pattern"] = pat
        out.append({"name": name, "in": "path", "required": True, "description": desc,
                    "schema": schema})
    return out


def query_params(sdk_op):
    out = []
    for name, p in (sdk_op or {}).get("query", {}).items():
        schema = {"type": p["type"]}
        for k in ("enum", "minimum", "maximum", "default", "pattern"):
            if k in p:
                schema[k] = p[k]
        if p.get("repeated"):
            schema = {"type": "array", "items": schema}
        q = {"name": name, "in": "query", "required": False, "schema": schema}
        if p.get("repeated"):
            q.update(style="form", explode=True)
        if "note" in p:
            q["description"] = p["note"]
        out.append(q)
    return out


def security(flags):
    if "no_auth" in flags:
        return []
    if "operator" in flags:
        return [{"admin": []}, {}]
    return [{"aksk": []}, {"token": []}, {}]


def api_operation(method, pattern, op, flags, sdk_name, sdk_op):
    o = {"operationId": op, "tags": [op.split(".")[0]], "security": security(flags),
         "parameters": path_params(pattern, sdk_op) + query_params(sdk_op)}
    if sdk_name:
        o["summary"] = sdk_name
        o["x-sdk-operation"] = sdk_name
    if sdk_op and sdk_op.get("note"):
        o["description"] = sdk_op["note"]
    if "json" in flags:
        body = {"schema": {"$ref": "#/components/schemas/" + sdk_op["request"]}} \
            if sdk_op and sdk_op.get("request") else {"schema": {"type": "object"}}
        o["requestBody"] = {"required": "empty_ok" not in flags,
                            "content": {"application/json": body}}
    status = str(sdk_op["status"]) if sdk_op else "200"
    resp = {"description": sdk_op["response"] if sdk_op and sdk_op["response"] else "No body"}
    if sdk_op and sdk_op["response"]:
        resp["content"] = {"application/json": {
            "schema": {"$ref": "#/components/schemas/" + sdk_op["response"]}}}
    o["responses"] = dict({status: resp}, **ERRORS)
    if not o["parameters"]:
        del o["parameters"]
    return o


# ---- vpnd's own routes --------------------------------------------------------------------
# Hand-written: no SDK describes them. Their bodies are vpnd's (src/api/control.c,
# src/model/control.c); the API suite's answers are validated against these schemas like the
# cloud API's.

KINDS = ["vpn_gateway", "vpn_connection", "connection_monitor"]
PENDING = ["PENDING_CREATE", "PENDING_UPDATE", "PENDING_DELETE"]


def obj(props, required=(), desc=None):
    o = {"type": "object", "properties": props, "additionalProperties": False}
    if required:
        o["required"] = list(required)
    if desc:
        o["description"] = desc
    return o


def ref(name):
    return {"$ref": "#/components/schemas/" + name}


S, I, B = {"type": "string"}, {"type": "integer", "format": "int64"}, {"type": "boolean"}
RID = {"request_id": S}
KIND = {"type": "string", "enum": KINDS}
MS = dict(I, description="Unix milliseconds (of the clock vpnd serves by)")

TRANSITION_RULE = {
    "kind": KIND, "project_id": S, "id": dict(S, description="one resource"),
    "vgw_id": dict(S, description="connections on this gateway"),
    "from": {"type": "string", "enum": PENDING},
    "progress": {"type": "string", "enum": ["delay", "manual", "reads"]},
    "delay_ms": dict(I, minimum=0), "reads": dict(I, minimum=1),
    "to": dict(S, description="how the transition ends instead of as usual"),
    "count": dict(I, minimum=1, description="the next count transitions only"),
}
FAULT_RULE = {
    "method": {"type": "string", "enum": ["GET", "POST", "PUT", "DELETE"]},
    "operation": dict(S, description="an operation name of `vpnd routes`"),
    "path": dict(S, description="a glob on the path: * within a segment"),
    "project_id": S, "resource_id": S,
    "probability": {"type": "number", "minimum": 0, "maximum": 1},
    "seed": dict(I, minimum=0), "count": dict(I, minimum=1),
    "status": {"type": "integer", "minimum": 400, "maximum": 599},
    "error_code": S, "error_msg": S, "latency_ms": dict(I, minimum=0), "drop": B, "apply": B,
}
USES = {"remaining": dict(I, description="with a count: how many are left"),
        "created_at": MS}

DATAPLANE = obj({"connected": B}, ["connected"],
                desc="with --driver strongswan only: whether charon's VICI socket answers now")

OWN_SCHEMAS = {
    "VpndHealth": obj(dict(status={"type": "string", "enum": ["ok"]}, version=S,
                           store={"type": "string", "enum": ["sqlite", "postgres"]},
                           driver={"type": "string", "enum": ["sim", "strongswan"]},
                           control_api=B, dataplane=DATAPLANE, **RID),
                      ["status", "version", "store", "driver", "control_api", "request_id"]),
    "VpndReady": obj(dict(status={"type": "string", "enum": ["ready"]},
                          store={"type": "string", "enum": ["sqlite", "postgres"]},
                          dataplane=DATAPLANE, **RID),
                     ["status", "store", "request_id"]),
    "VpndResetRequest": obj({"project_id": S}, desc="{}: everything; project_id: its resources"),
    "VpndReset": obj(dict(reset=dict(S, description="\"all\", or the project id"), **RID),
                     ["reset", "request_id"]),
    "VpndSeedResult": obj(dict(records=I, imported=I, vpn_gateways=I, customer_gateways=I,
                               vpn_connections=I, refused=I,
                               refusals={"type": "array", "items": S}, **RID),
                          ["records", "imported", "vpn_gateways", "customer_gateways",
                           "vpn_connections", "refused", "refusals", "request_id"]),
    "VpndStatusRequest": obj({"kind": KIND, "project_id": S, "id": S, "status": S, "hold": B},
                             ["kind", "project_id", "id", "status"]),
    "VpndStatusResult": obj(dict(resource=obj({"kind": KIND, "project_id": S, "id": S,
                                               "status": S, "from": S, "held": B},
                                              ["kind", "project_id", "id", "status", "from",
                                               "held"]), **RID),
                            ["resource", "request_id"]),
    "VpndTarget": obj({"kind": KIND, "project_id": S, "id": S},
                      desc="{}: every held transition; else those of the kind, project, id"),
    "VpndAdvanced": obj(dict(advanced=I, **RID), ["advanced", "request_id"]),
    "VpndTransitionRule": obj(TRANSITION_RULE, ["kind"]),
    "VpndTransition": obj(dict(TRANSITION_RULE, rule=S, applied=I, **USES),
                          ["rule", "kind", "progress", "created_at"]),
    "VpndHeld": obj({"kind": KIND, "project_id": S, "id": S, "status": S,
                     "progress": {"type": "string", "enum": ["delay", "manual", "reads", "hold"]},
                     "due": MS, "reads": I, "to": S, "rule": S, "since": MS},
                    ["kind", "project_id", "id", "status", "progress", "since"]),
    "VpndTransitionCreated": obj(dict(transition=ref("VpndTransition"), **RID),
                                 ["transition", "request_id"]),
    "VpndTransitions": obj(dict(transitions={"type": "array", "items": ref("VpndTransition")},
                                held={"type": "array", "items": ref("VpndHeld")}, **RID),
                           ["transitions", "held", "request_id"]),
    "VpndFaultRule": obj(FAULT_RULE),
    "VpndFault": obj(dict(FAULT_RULE, rule=S, injected=I, **USES), ["rule", "created_at"]),
    "VpndFaultCreated": obj(dict(fault=ref("VpndFault"), **RID), ["fault", "request_id"]),
    "VpndFaults": obj(dict(faults={"type": "array", "items": ref("VpndFault")},
                           node=obj({"injected": I, "errors": I, "latencies": I, "drops": I},
                                    ["injected", "errors", "latencies", "drops"],
                                    "this node's counts since it started (also in /metrics)"),
                           **RID),
                      ["faults", "node", "request_id"]),
    "VpndClockRequest": obj({"reset": B,
                             "set": {"oneOf": [dict(I, minimum=0),
                                               {"type": "string", "format": "date-time"}]},
                             "advance_ms": dict(I, minimum=0), "freeze": B},
                            desc="applied in this order: reset, set, advance_ms, freeze"),
    "VpndClock": obj(dict(clock=obj({"now": {"type": "string", "format": "date-time"},
                                     "now_ms": MS, "frozen": B, "offset_ms": I},
                                    ["now", "now_ms", "frozen", "offset_ms"]), **RID),
                     ["clock", "request_id"]),
}

NDJSON = {"application/x-ndjson": {"schema": {"type": "string"}}}


def json_body(name, required=True):
    return {"required": required, "content": {"application/json": {"schema": ref(name)}}}


def answer(status, desc, schema=None, content=None):
    r = {"description": desc}
    if schema:
        r["content"] = {"application/json": {"schema": ref(schema)}}
    elif content:
        r["content"] = content
    return {status: r}


def query(name, schema, desc):
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": desc}


# operation -> (summary, description, request body, answer)
OWN = {
    "vpnd.metrics": (
        "Prometheus metrics",
        "An operator surface: requests by operation and status, latency, authentication "
        "failures by cause, status transitions, engine backlog, store latency and errors, "
        "connections, TLS, injected faults (README \"Metrics\"). Open in protected mode (no "
        "credentials: loopback only); with credentials it takes an admin credential.",
        None,
        answer("200", "Prometheus text exposition format 0.0.4",
               content={"text/plain": {"schema": {"type": "string"}}})),
    "vpnd.openapi": (
        "This document", None, None,
        answer("200", "The OpenAPI 3 document of everything vpnd serves",
               content={"application/json": {"schema": {"type": "object"}}})),
    "vpnd.health": (
        "Liveness", "While vpnd runs; open to anyone who can connect (no data in it), also "
        "with --control-api off.", None, answer("200", "vpnd runs", "VpndHealth")),
    "vpnd.ready": (
        "Readiness", "When the store answers (a round trip to the database); else the store's "
        "error (500/503/504). A data plane whose charon cannot be reached is said (dataplane), "
        "not refused: the API serves meanwhile.", None,
        answer("200", "The store answers", "VpndReady")),
    "vpnd.reset": (
        "Delete everything", "Every resource, rule, hold and the virtual clock ({}), or one "
        "project's resources, in one transaction.", json_body("VpndResetRequest", False),
        answer("200", "Reset", "VpndReset")),
    "vpnd.seed": (
        "Load records", "The body is records in vpnd import's format (JSON lines or an array), "
        "stored by the same import: same validation and messages, ids, times and statuses kept "
        "unless keep_ids=false. No quota applies.",
        {"required": True, "content": dict(NDJSON, **{"application/json": {
            "schema": {"type": "array", "items": {"type": "object"}}}})},
        answer("200", "What was loaded (and, with skip_invalid, refused)", "VpndSeedResult")),
    "vpnd.state": (
        "Everything stored", "What vpnd export writes (each connection's psk included), read "
        "in one snapshot: seeding it reads back byte for byte.", None,
        answer("200", "Record lines", content=NDJSON)),
    "vpnd.status": (
        "Force a status", "Any documented status of the kind; with hold it stays until "
        "advanced or a tenant's write moves it.", json_body("VpndStatusRequest"),
        answer("200", "The resource, its new and former status", "VpndStatusResult")),
    "vpnd.advance": (
        "End held transitions", "To their rule's outcome, else as the status engine would, "
        "before the answer.", json_body("VpndTarget", False),
        answer("200", "How many were ended", "VpndAdvanced")),
    "vpnd.transitions.list": (
        "Transition rules and held resources", None, None,
        answer("200", "The rules and the held resources", "VpndTransitions")),
    "vpnd.transitions.add": (
        "Add a transition rule", "How resources entering a PENDING_* status move on (delay, "
        "manual, reads) and how they end; the most specific rule wins.",
        json_body("VpndTransitionRule"), answer("201", "The rule", "VpndTransitionCreated")),
    "vpnd.transitions.clear": (
        "Delete every transition rule", None, None, answer("204", "Deleted")),
    "vpnd.transitions.delete": (
        "Delete a transition rule", None, None, answer("204", "Deleted")),
    "vpnd.faults.list": (
        "Fault rules", "With how often each fired, and this node's counts.", None,
        answer("200", "The rules", "VpndFaults")),
    "vpnd.faults.add": (
        "Add a fault rule", "For requests of the cloud API (never vpnd's own): an error "
        "answer, a latency, a dropped connection; oldest rule first, the first that fires "
        "wins.", json_body("VpndFaultRule"), answer("201", "The rule", "VpndFaultCreated")),
    "vpnd.faults.clear": ("Delete every fault rule", None, None, answer("204", "Deleted")),
    "vpnd.faults.delete": ("Delete a fault rule", None, None, answer("204", "Deleted")),
    "vpnd.clock.show": ("The virtual clock", None, None, answer("200", "Now", "VpndClock")),
    "vpnd.clock.set": (
        "Move the virtual clock", "Time stamps, due times and the status engine run by it; "
        "what became due happens before the answer. Signatures keep the wall clock.",
        json_body("VpndClockRequest"), answer("200", "Now", "VpndClock")),
}
SEED_QUERY = [
    query("keep_ids", {"type": "boolean", "default": True},
          "keep the records' ids, time stamps and statuses"),
    query("project_id", {"type": "string"}, "the project of records without one"),
    query("skip_invalid", {"type": "boolean", "default": False},
          "load the valid records and list the others in refusals"),
]


def vpnd_operation(method, pattern, op, flags):
    """vpnd's own routes (no SDK operation)."""
    if op not in OWN:
        raise SystemExit("gen-openapi: route %s %s (%s) has no SDK operation and is not one of "
                         "vpnd's own; describe it in scripts/gen-openapi.py OWN"
                         % (method, pattern, op))
    summary, desc, body, answers = OWN[op]
    o = {"operationId": op, "tags": ["control" if "control" in flags else "vpnd"],
         "security": security(flags), "summary": summary}
    if desc:
        o["description"] = desc
    params = path_params(pattern, None) + (SEED_QUERY if op == "vpnd.seed" else [])
    if params:
        o["parameters"] = params
    if body:
        o["requestBody"] = body
    o["responses"] = dict(answers, **ERRORS)
    return o


# ---- the document -------------------------------------------------------------------------

def document(routes, models, version):
    relax = relaxations(models.departures)
    extra_enums = enum_additions(models)
    paths = {}
    served = set()
    for method, pattern, op, flags in routes:
        sdk_name = models.operation_of(method, pattern)
        sdk_op = models.ops.get(sdk_name)
        if sdk_name:
            served.add(sdk_name)
            o = api_operation(method, pattern, op, flags, sdk_name, sdk_op)
        else:
            o = vpnd_operation(method, pattern, op, flags)
        paths.setdefault(pattern, {})[method.lower()] = o
    used = set()

    def use(name):
        if name in used:
            return
        used.add(name)
        for key, fs in models.models[name]["fields"].items():
            if "type" in relax.get((name, key), set()):
                continue  # relaxed to any value: its model is not referred to
            fs = fs.get("items", fs) if fs["type"] == "array" else fs
            if fs.get("ref"):
                use(fs["ref"])
    use("ErrorBody")
    for name in served:
        for k in ("request", "response"):
            if models.ops[name].get(k):
                use(models.ops[name][k])
    schemas = {n: model_schema(n, models.models[n], relax, extra_enums) for n in sorted(used)}
    schemas.update(OWN_SCHEMAS)
    unserved = sorted(set(models.ops) - served)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "vpnd: the Huawei Cloud VPN v5 site-to-site API",
            "version": version,
            "description": (
                "Everything vpnd serves, generated by scripts/gen-openapi.py from vpnd's route "
                "table (`vpnd routes`) and the official SDK's models (spec/sdk-models/, where "
                "vpnd's departures from them are applied). Operation ids are vpnd's operation "
                "names (the access log's op=); x-sdk-operation names the SDK's. SDK operations "
                "vpnd does not serve: %s." % (", ".join(unserved) or "none")),
            "license": {"name": "Proprietary: all rights reserved (debian/copyright)",
                        "url": "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"},
        },
        "servers": [{"url": "http://127.0.0.1:8080", "description": "vpnd serve (default)"}],
        "tags": [{"name": n, "description": d} for n, d in TAGS],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "aksk": {"type": "apiKey", "in": "header", "name": "Authorization",
                         "description": "SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=..., "
                                        "Signature=... with X-Sdk-Date, as the official SDKs "
                                        "sign. Not needed without --credentials (loopback "
                                        "only)."},
                "token": {"type": "apiKey", "in": "header", "name": "X-Auth-Token",
                          "description": "A token line of the credentials file."},
                "admin": {"type": "http", "scheme": "bearer",
                          "description": "An admin line of the credentials file (the operator "
                                         "surfaces: metrics, the control surface): its token as "
                                         "a bearer token or in X-Auth-Token, or a signature by "
                                         "its AK/SK as the SDKs sign. Not needed without "
                                         "--credentials (loopback only)."},
            },
            "responses": {"Error": {
                "description": "The documented error body (README \"Errors\")",
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ErrorBody"}}}}},
            "schemas": schemas,
        },
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vpnd", default=os.path.join(TOP, "build", "rel", "vpnd"))
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    with open(os.path.join(TOP, "VERSION")) as f:
        version = f.read().strip()
    doc = document(routes_of(args.vpnd), sdk_models.default_models(), version)
    text = json.dumps(doc, indent=1, ensure_ascii=True) + "\n"
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
