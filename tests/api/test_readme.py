"""The README is true as written: its quick start runs from the README's own text against the
real binary (gateway, ACTIVE, customer gateway, connection, GET, list, PUT, DELETE, 404), so do
the control surface's examples, and its install commands do what they say. Change the README and
these tests follow it."""
import os
import re
import shlex
import subprocess

import pytest

from vpnd_api import READY_RE, Server, sanitizer_report, server_env

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def readme():
    with open(os.path.join(REPO, "README.md")) as f:
        return f.read()


def block(marker):
    """The ```sh block right after <!-- doc-test: marker -->."""
    m = re.search(r"<!-- doc-test: %s -->\n```sh\n(.*?)```" % re.escape(marker), readme(), re.S)
    assert m, "README.md has no <!-- doc-test: %s --> block" % marker
    return m.group(1)


def command(line):
    """A shell line without its comment and trailing '&', as argv."""
    argv = shlex.split(line, comments=True)
    if argv and argv[-1] == "&":
        argv.pop()
    return argv


@pytest.fixture
def readme_server(vpnd_bin, tmp_path):
    """The README's server line, run as written in a directory where build/rel/vpnd is the
    binary under test; VPND_LISTEN=127.0.0.1:0 (the line sets no --listen, and flags would win)
    gives it a free port instead of 8080."""
    lines = [x for x in block("server").splitlines() if x.strip()]
    assert len(lines) == 1, lines
    argv = command(lines[0])
    assert argv[:2] == ["build/rel/vpnd", "serve"] and "--listen" not in argv, argv
    os.makedirs(str(tmp_path / "build" / "rel"))
    os.symlink(vpnd_bin, str(tmp_path / "build" / "rel" / "vpnd"))
    srv = Server(vpnd_bin, str(tmp_path))
    cwd = os.getcwd()
    os.chdir(str(tmp_path))
    try:
        srv.start(argv=argv, env=server_env({"VPND_LISTEN": "127.0.0.1:0"}))
    finally:
        os.chdir(cwd)
    yield srv
    srv.stop()
    assert os.path.exists(str(tmp_path / "vpnd.db"))  # "store ./vpnd.db"


def run_block(marker, server, urls):
    """Runs the README block as written (bash -e, pipefail) against server, its urls
    localhost:8080 pointing there; returns its stdout lines."""
    text = block(marker)
    assert text.count("localhost:8080") == urls, text
    text = text.replace("localhost:8080", "localhost:%d" % server.port)
    p = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", text], capture_output=True,
                       text=True, timeout=120, cwd=server.workdir)
    assert p.returncode == 0, (p.stdout, p.stderr, server.stderr_tail())
    return p.stdout.splitlines()


def test_the_quick_start_runs_as_written_against_the_real_binary(readme_server):
    out = run_block("client", readme_server, 1)
    assert out == ["office-2", "deleted"], out


def test_the_control_examples_run_as_written_against_the_real_binary(readme_server):
    """README "Testing against vpnd": its curl examples, on a server started as the quick start
    starts it."""
    out = run_block("control", readme_server, 2)
    assert out == ["ok", "ACTIVE", "PENDING_CREATE", "ERROR", "FREEZED", "APIGW.0308", "429",
                   "FREEZED", "2"], out
    with open(os.path.join(readme_server.workdir, "fixture.jsonl")) as f:
        assert len(f.read().splitlines()) == 3  # the gateway, customer gateway and connection


def install_block():
    m = re.search(r"## Install.*?```sh\n(.*?)```", readme(), re.S)
    return [x for x in m.group(1).splitlines() if x.strip()]


def test_the_install_block_names_the_binary_first_and_its_help_runs(vpnd_bin):
    lines = install_block()
    assert "build/rel/vpnd" in lines[0], lines  # "the binary's path or install step first"
    argv = command(next(x for x in lines if x.startswith("build/rel/vpnd")))
    p = subprocess.run([vpnd_bin] + argv[1:], capture_output=True, text=True, env=server_env(),
                       timeout=30)
    assert p.returncode == 0 and p.stdout.startswith("Usage: vpnd"), p
    assert sanitizer_report(p.stderr) is None


@pytest.mark.skipif(not os.access(os.path.join(REPO, "build", "rel", "vpnd"), os.X_OK),
                    reason="make install installs build/rel/vpnd (make check builds it first)")
def test_make_install_installs_what_the_readme_says(tmp_path):
    line = next(x for x in install_block() if "make install" in x)
    assert command(line) == ["sudo", "make", "install"], line
    p = subprocess.run(["make", "-s", "-C", REPO, "install", "DESTDIR=%s" % tmp_path],
                       capture_output=True, text=True, timeout=300, env=dict(os.environ, MAKEFLAGS=""))
    assert p.returncode == 0, p.stderr
    for path in ("usr/local/bin/vpnd", "usr/local/etc/vpnd/vpnd.conf",
                 "usr/local/share/man/man8/vpnd.8", "usr/local/share/man/man5/vpnd.conf.5",
                 "usr/local/lib/systemd/system/vpnd.service"):
        assert os.path.exists(str(tmp_path / path)), path
    with open(str(tmp_path / "usr/local/lib/systemd/system/vpnd.service")) as f:
        assert "ExecStart=/usr/local/bin/vpnd serve --config /usr/local/etc/vpnd/vpnd.conf" in f.read()
    assert os.stat(str(tmp_path / "usr/local/bin/vpnd")).st_mode & 0o111
