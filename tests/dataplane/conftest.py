"""Fixtures of the data-plane suite (helpers in dataplane.py).

bed       one test bed (two namespaces, both charons running) per test module
watch     vici_tool watch on the cloud charon, one per test
conn_n    a connection number (1..40) not used before in this module's bed
cloud     vpnd (--driver strongswan) on the module's bed, stopped (exit 0, no sanitizer report)
          at the module's end

The whole suite is skipped with one line where network namespaces cannot be created (not root,
no CONFIG_NET_NS); `make check-dataplane` says so before running pytest at all.
"""

import os
import subprocess

import pytest

from dataplane import BED, TOOL, Bed, Watch
from vpnd_plane import Cloud


def _probe():
    return subprocess.run([BED, "probe"], capture_output=True).returncode == 0


def pytest_collection_modifyitems(config, items):
    if _probe():
        return
    skip = pytest.mark.skip(reason="data plane: cannot create network namespaces here "
                            "(needs root and CONFIG_NET_NS)")
    for item in items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def vici_tool():
    if not os.access(TOOL, os.X_OK):
        pytest.fail("vici_tool not found at %s (make build/asan/tests/vici_tool)" % TOOL,
                    pytrace=False)
    return TOOL


@pytest.fixture(scope="module")
def bed(vici_tool, tmp_path_factory):
    b = Bed(tmp_path_factory.mktemp("bed"))
    try:
        b.start("cloud")
        b.start("peer")
        yield b
    finally:
        b.down()


@pytest.fixture
def watch(bed):
    w = Watch(bed.uri("cloud"))
    yield w
    w.close()


@pytest.fixture(scope="module")
def numbers():
    return iter(range(1, 41))


@pytest.fixture
def conn_n(numbers):
    return next(numbers)


@pytest.fixture(scope="module")
def cloud(bed, tmp_path_factory):
    c = Cloud(bed, tmp_path_factory.mktemp("vpnd")).start()
    try:
        yield c
    finally:
        if c.server.proc is not None:
            c.stop()
