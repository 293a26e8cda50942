"""Checks API responses against the official SDK's VPN v5 models (spec/sdk-models/).

Stdlib only. The facts live in spec/sdk-models/vpn-v5.json (operations and models, see the
README next to it) and today's known departures of vpnd in spec/sdk-models/departures.json.

    op = operation_of("GET", "/v5/<p>/vpn-gateways/<id>")     # "ShowVgw", or None
    problems = check_response(op, status, body)                 # [Problem], departures included
    known, new = split_departures(problems)                     # named in departures.json or not

A Problem is (operation, where, kind, detail, model, field): `where` is the path in the body
("vpn_gateways[0].eip1.type"), `model`/`field` the model and field it is about ("ResponseEip",
"type"), which is what a departure names. Kinds: extra, missing, type, enum, range, status, body.
"""

import collections
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS_DIR = os.path.join(HERE, "..", "..", "spec", "sdk-models")
FACTS_PATH = os.path.join(MODELS_DIR, "vpn-v5.json")
DEPARTURES_PATH = os.path.join(MODELS_DIR, "departures.json")

KINDS = ("extra", "missing", "type", "enum", "range", "status", "body")
DATE_TIME_RE = re.compile(
    r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:?\d\d)?$")


# vpnd's own routes (health, readiness, the control surface: README "Testing against vpnd"): not
# the cloud API, so no SDK model describes them; their error answers still have the error body.
OWN_PREFIX = "/_vpnd/"


def is_own(path):
    return path.split("?", 1)[0].startswith(OWN_PREFIX)


class Problem(collections.namedtuple("Problem", "operation where kind detail model field")):
    def __str__(self):
        return "%s %s: %s (%s)" % (self.operation, self.where or "<body>", self.kind, self.detail)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class Models:
    """The facts file, indexed: operations by route, models by name."""

    def __init__(self, facts, departures=None):
        self.facts = facts
        self.ops = facts["operations"]
        self.models = facts["models"]
        self.overrides = facts.get("seed_overrides", {})
        self.departures = list((departures or {}).get("departures", []))
        self._routes = []
        for name, op in self.ops.items():
            segs = op["path"].strip("/").split("/")
            self._routes.append((op["method"], segs, name))

    # ---- routing ----

    def operation_of(self, method, path):
        """The SDK operation a request is for, or None. A literal segment beats a parameter;
        between two candidates the one whose literals sit later in the path wins (the server's
        rule: GET vpn-connection/tags lists project tags); enum-typed path parameters
        (resource_type) only match their values. vpnd's own routes (OWN_PREFIX: health and the
        control surface) are not the cloud's: never an operation."""
        if is_own(path):
            return None
        segs = path.split("?", 1)[0].strip("/").split("/")
        best = None
        for m, psegs, name in self._routes:
            if m != method or len(psegs) != len(segs):
                continue
            score = 0
            params = self.ops[name]["path_params"]
            for i, (p, s) in enumerate(zip(psegs, segs)):
                if p.startswith("{"):
                    enum = params.get(p[1:-1], {}).get("enum")
                    if enum is not None and s not in enum:
                        break
                elif p != s:
                    break
                else:
                    score += 1 << i
            else:
                if best is None or score > best[0]:
                    best = (score, name)
        return best[1] if best else None

    # ---- checking ----

    def check_response(self, op, status, body, raw=b""):
        """Problems of one response of operation op; [] when it obeys the model."""
        spec = self.ops[op]
        out = []
        if status >= 400:
            if not isinstance(body, dict):
                return [Problem(op, "", "body", "error answer %d is not a JSON object: %r"
                                % (status, raw[:80]), "ErrorBody", "")]
            self._check_object(op, "ErrorBody", body, "", out, {})
            return out
        if status != spec["status"]:
            out.append(Problem(op, "", "status", "answered %d, the model's status is %d"
                               % (status, spec["status"]), spec["response"] or "", ""))
        want = spec["response"]
        if want is None:
            if raw:
                out.append(Problem(op, "", "body", "the model has no body, got %d bytes"
                                   % len(raw), "", ""))
            return out
        if not isinstance(body, dict):
            out.append(Problem(op, "", "body", "not a JSON object: %r" % raw[:80], want, ""))
            return out
        extra_enums = self.overrides.get(op, {}).get("enum_additions", {})
        self._check_object(op, want, body, "", out, extra_enums)
        return out

    def _check_object(self, op, model_name, obj, where, out, extra_enums):
        fields = self.models[model_name]["fields"]
        for key in obj:
            if key not in fields:
                out.append(Problem(op, _join(where, key), "extra",
                                   "not a field of %s" % model_name, model_name, key))
        for key, fs in fields.items():
            path = _join(where, key)
            if key not in obj:
                if _required(fs, obj):
                    out.append(Problem(op, path, "missing", "%s %s" % (
                        model_name, _presence_text(fs)), model_name, key))
                continue
            self._check_value(op, fs, obj[key], path, out, extra_enums, (model_name, key))

    def _check_value(self, op, fs, value, path, out, extra_enums, owner):
        t = fs["type"]
        if not _type_ok(t, value):
            out.append(Problem(op, path, "type", "must be %s, got %s" % (
                _type_name(fs), _json_type(value)), *owner))
            return
        if t == "object" and "ref" in fs:
            self._check_object(op, fs["ref"], value, path, out, extra_enums)
        elif t == "array":
            for i, item in enumerate(value):
                self._check_value(op, fs["items"], item, "%s[%d]" % (path, i), out, extra_enums,
                                  owner)
        else:
            self._check_scalar(op, fs, value, path, out, extra_enums, owner)

    def _check_scalar(self, op, fs, value, path, out, extra_enums, owner):
        enum = fs.get("enum")
        if enum is not None:
            allowed = list(enum) + extra_enums.get(re.sub(r"\[\d+\]", "[]", path), [])
            if value not in allowed:
                out.append(Problem(op, path, "enum", "%r is not one of %s" % (value, allowed),
                                   *owner))
        if fs.get("format") == "date-time" and not DATE_TIME_RE.match(value):
            out.append(Problem(op, path, "type", "must be a date-time, got %r" % value, *owner))
        if fs["type"] == "integer":
            lo, hi = fs.get("minimum"), fs.get("maximum")
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                out.append(Problem(op, path, "range", "%d is outside %s..%s" % (value, lo, hi),
                                   *owner))

    # ---- departures ----

    def departure_of(self, problem):
        """The departures.json entry that names problem, or None."""
        for d in self.departures:
            if (problem.operation in d["operations"] and d["model"] == problem.model
                    and d["field"] == problem.field and d["kind"] == problem.kind):
                return d
        return None


def _join(where, key):
    return "%s.%s" % (where, key) if where else key


def _required(fs, obj):
    p = fs["presence"]
    if p in ("always", "required"):
        return True
    if isinstance(p, dict) and "when" in p:
        return all(obj.get(k) in vals for k, vals in p["when"].items())
    return False


def _presence_text(fs):
    p = fs["presence"]
    if isinstance(p, dict):
        return "needs it when " + " and ".join(
            "%s is %s" % (k, "/".join(map(str, v))) for k, v in p["when"].items())
    return "always has it"


def _type_ok(t, v):
    if t == "string":
        return isinstance(v, str)
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    if t == "boolean":
        return isinstance(v, bool)
    if t == "array":
        return isinstance(v, list)
    if t == "object":
        return isinstance(v, dict)
    return True


def _type_name(fs):
    if fs["type"] == "object" and "ref" in fs:
        return "an object (%s)" % fs["ref"]
    if fs["type"] == "array":
        return "an array"
    return {"integer": "an integer", "object": "an object"}.get(fs["type"], "a " + fs["type"])


def _json_type(v):
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if v is None:
        return "null"
    return {str: "string", list: "array", dict: "object"}.get(type(v), type(v).__name__)


_loaded = None


def default_models():
    """The repository's facts and departures, loaded once."""
    global _loaded
    if _loaded is None:
        _loaded = Models(load_json(FACTS_PATH), load_json(DEPARTURES_PATH))
    return _loaded
