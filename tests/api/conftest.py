"""Fixtures of the black-box API suite (see vpnd_api.py for the helpers).

server        one vpnd per test module (tests stay independent through random project ids)
fresh_server  one vpnd per test, for tests that stop, restart or signal it
project       a random 32-hex project id
"""

import json
import os

import pytest

import openapi_check
import sdk_models
import vpnd_api
from vpnd_api import EIP_POOL, PRIVATE_POOL, Server, new_project, vpnd_binary
POOL_ARGS = ["--eip-pool", EIP_POOL, "--private-pool", PRIVATE_POOL]


@pytest.fixture(scope="session", autouse=True)
def vpnd_bin():
    path = vpnd_binary()
    if not os.access(path, os.X_OK):
        pytest.fail("vpnd binary not found at %s (set VPND_BIN or run `make api`)" % path,
                    pytrace=False)
    vpnd_api.ROUTES[:] = vpnd_api.server_routes(path)
    return path


def _serve(binary, workdir):
    srv = Server(binary, str(workdir), POOL_ARGS)
    srv.start()
    return srv


@pytest.fixture(scope="module")
def server(vpnd_bin, tmp_path_factory):
    srv = _serve(vpnd_bin, tmp_path_factory.mktemp("vpnd"))
    yield srv
    if srv.proc is not None:
        srv.stop()


@pytest.fixture
def fresh_server(vpnd_bin, tmp_path):
    srv = _serve(vpnd_bin, tmp_path)
    yield srv
    if srv.proc is not None:
        srv.stop()


@pytest.fixture
def project():
    return new_project()


def _full_run(config):
    """True when no -k/-m filter was given and every path argument is a directory."""
    if config.option.keyword or config.option.markexpr:
        return False
    return all(os.path.isdir(str(a).split("::")[0]) for a in config.args)


def _stale_departures():
    """Departures (spec/sdk-models/departures.json) that no response of this run showed."""
    models = sdk_models.default_models()
    return [d for i, d in enumerate(models.departures) if i not in vpnd_api.SDK_DEPARTURES_SEEN]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    checked, problems = openapi_check.session_problems()
    if problems:
        terminalreporter.write_sep("-", "responses that do not validate against spec/openapi.json")
        for p in problems:
            terminalreporter.write_line(json.dumps(p))
    elif checked and openapi_check.available():
        terminalreporter.write_line("openapi: %d responses validated against spec/openapi.json"
                                    % checked)
    missed = [r for r in vpnd_api.ROUTES if r not in vpnd_api.ROUTES_HIT]
    if missed:
        terminalreporter.write_sep("-", "routes never hit by the API suite")
        for method, pattern in missed:
            terminalreporter.write_line("%s %s" % (method, pattern))
    if vpnd_api.SDK_NEW_PROBLEMS:
        terminalreporter.write_sep("-", "responses that depart from the SDK models")
        for method, path, status, problem in vpnd_api.SDK_NEW_PROBLEMS:
            terminalreporter.write_line("%s %s -> %d: %s" % (method, path, status, problem))
    if _full_run(config) and not os.environ.get("VPND_SDK_RECORD"):
        stale = _stale_departures()
        if stale:
            terminalreporter.write_sep("-", "departures no response showed (fixed? delete them)")
            for d in stale:
                terminalreporter.write_line("%s.%s %s (%s)" % (
                    d["model"], d["field"], d["kind"], ", ".join(d["operations"])))
        unchecked = sorted(set(sdk_models.default_models().ops) - set(vpnd_api.SDK_RESPONSES_CHECKED))
        if unchecked:
            terminalreporter.write_sep("-", "SDK operations no response was checked for")
            terminalreporter.write_line(", ".join(unchecked))


def pytest_sessionfinish(session, exitstatus):
    missed = [r for r in vpnd_api.ROUTES if r not in vpnd_api.ROUTES_HIT]
    if missed and exitstatus == 0 and _full_run(session.config):
        session.exitstatus = 1
    # a model problem raised in a thread of a test may not have failed that test
    if vpnd_api.SDK_NEW_PROBLEMS and exitstatus == 0:
        session.exitstatus = 1
    # every response kept by send() validates against the OpenAPI document
    if openapi_check.session_problems()[1] and exitstatus == 0:
        session.exitstatus = 1
