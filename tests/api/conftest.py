"""Fixtures of the black-box API suite (see vpnd_api.py for the helpers).

server        one vpnd per test module (tests stay independent through random project ids)
fresh_server  one vpnd per test, for tests that stop, restart or signal it
project       a random 32-hex project id
"""

import os

import pytest

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


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    missed = [r for r in vpnd_api.ROUTES if r not in vpnd_api.ROUTES_HIT]
    if not missed:
        return
    terminalreporter.write_sep("-", "routes never hit by the API suite")
    for method, pattern in missed:
        terminalreporter.write_line("%s %s" % (method, pattern))


def pytest_sessionfinish(session, exitstatus):
    missed = [r for r in vpnd_api.ROUTES if r not in vpnd_api.ROUTES_HIT]
    if missed and exitstatus == 0 and _full_run(session.config):
        session.exitstatus = 1
