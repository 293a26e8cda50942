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
    ("vpnd", "vpnd's own: the operator surface and this document"),
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


def vpnd_operation(method, pattern, op, flags):
    """vpnd's own routes (no SDK operation)."""
    o = {"operationId": op, "tags": ["vpnd"], "security": security(flags)}
    if op == "vpnd.metrics":
        o["summary"] = "Prometheus metrics"
        o["description"] = (
            "The operator surface: requests by operation and status, latency, authentication "
            "failures by cause, status transitions, engine backlog, store latency and errors, "
            "connections, TLS (README \"Metrics\"). Open in protected mode (no credentials: "
            "loopback only); with credentials it takes an admin token.")
        o["responses"] = {"200": {"description": "Prometheus text exposition format 0.0.4",
                                  "content": {"text/plain": {"schema": {"type": "string"}}}},
                          **ERRORS}
    elif op == "vpnd.openapi":
        o["summary"] = "This document"
        o["responses"] = {"200": {"description": "The OpenAPI 3 document of everything vpnd "
                                                 "serves",
                                  "content": {"application/json": {
                                      "schema": {"type": "object"}}}},
                          **ERRORS}
    else:
        raise SystemExit("gen-openapi: route %s %s (%s) has no SDK operation and is not one of "
                         "vpnd's own; describe it in scripts/gen-openapi.py" % (method, pattern, op))
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
                          "description": "An admin line of the credentials file (operator "
                                         "surface); X-Auth-Token works too."},
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
