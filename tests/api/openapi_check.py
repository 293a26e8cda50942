"""Validates responses against spec/openapi.json with ajv (tests/openapi/validate.js, Node.js).

Stdlib only on the Python side. send() (vpnd_api.py) keeps a bounded sample of the responses the
suite receives, by route and status (record); at the end of a run conftest.py validates them all
(problems) and fails the session on any problem, like the route coverage and SDK model checks.
tests/api/test_openapi.py uses the same validator on responses of its own.
"""

import collections
import json
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, "..", "..")
DOC = os.path.abspath(os.path.join(TOP, "spec", "openapi.json"))
TOOLS = os.path.abspath(os.path.join(TOP, "tests", "openapi"))
PER_KEY = 40  # responses kept per (method, pattern, status)

SAMPLES = collections.defaultdict(list)  # (method, pattern, status) -> [sample]


def available():
    """True when the test tools are installed (scripts/setup.sh --test)."""
    return os.path.isdir(os.path.join(TOOLS, "node_modules", "ajv"))


def sample(method, pattern, status, parsed, raw):
    return {"method": method, "pattern": pattern, "status": status,
            "body": parsed if raw else None, "empty": not raw}


def record(method, pattern, status, parsed, raw):
    """Keeps a response for the end-of-run check (at most PER_KEY per route and status)."""
    kept = SAMPLES[(method, pattern, status)]
    if len(kept) < PER_KEY:
        kept.append(sample(method, pattern, status, parsed, raw))


def validate(samples, doc=DOC):
    """The problems ajv finds in samples ([] when every one validates), as dicts."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for s in samples:
            f.write(json.dumps(s) + "\n")
        path = f.name
    try:
        p = subprocess.run(["node", os.path.join(TOOLS, "validate.js"), doc, path],
                           capture_output=True, text=True, timeout=300, cwd=TOOLS)
    finally:
        os.unlink(path)
    if p.returncode not in (0, 1):
        raise AssertionError("validate.js failed: %s" % p.stderr)
    return [json.loads(line) for line in p.stdout.splitlines() if line.strip()]


_result = None


def session_problems():
    """The end-of-run check, once: (number of responses checked, problems)."""
    global _result
    if _result is None:
        samples = [s for kept in SAMPLES.values() for s in kept]
        _result = (len(samples), validate(samples) if samples and available() else [])
    return _result
