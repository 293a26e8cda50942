"""The Debian package, built by the project's own recipe (debian/, dpkg-buildpackage), checked
by lintian and systemd-analyze, then unpacked (dpkg-deb -x) into a temporary root whose binary
serves a short API flow with the installed default config. CI machines run no systemd as PID 1,
so the unit is verified and scored, not started.

The build runs in a copy of the tree with build/rel copied along (make check builds it first),
so the package holds the release binary the rest of the check tested and nothing compiles twice.
"""
import os
import re
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "api"))

from vpnd_api import (Server, conn_body, conn_path, create_cgw, create_conn,  # noqa: E402
                      create_gateway, new_project, server_env, wait_gateway_active, wait_gone)

MAX_EXPOSURE = 2.0  # systemd-analyze security: 0 (locked down) .. 10 (UNSAFE); under 2 is "OK"


def sh(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=600, **kw)


@pytest.fixture(scope="module")
def pkg(tmp_path_factory):
    """Builds the package once; returns (dir with the .deb/.changes, unpacked root)."""
    if not os.access(os.path.join(REPO, "build", "rel", "vpnd"), os.X_OK):
        pytest.fail("build/rel/vpnd is missing (make check-package builds it)", pytrace=False)
    out = tmp_path_factory.mktemp("pkg")
    src = out / "src"
    shutil.copytree(REPO, str(src), symlinks=True, ignore=shutil.ignore_patterns(
        ".git", "build", "node_modules", "__pycache__", "*.db", "*.db-wal", "*.db-shm"))
    shutil.copytree(os.path.join(REPO, "build", "rel"), str(src / "build" / "rel"), symlinks=True)
    p = sh(["dpkg-buildpackage", "-b", "-us", "-uc", "-nc"], cwd=str(src))
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-4000:]
    root = out / "root"
    debs = [f for f in os.listdir(str(out)) if re.match(r"vpnd_.*\.deb$", f)]
    assert len(debs) == 1, os.listdir(str(out))
    p = sh(["dpkg-deb", "-x", str(out / debs[0]), str(root)])
    assert p.returncode == 0, p.stderr
    return out, root, out / debs[0]


def test_the_package_version_is_the_version_file(pkg):
    with open(os.path.join(REPO, "VERSION")) as f:
        version = f.read().strip()
    p = sh(["dpkg-deb", "-f", str(pkg[2]), "Version"])
    assert p.stdout.strip() == version


def test_lintian_finds_no_error_in_the_package(pkg):
    changes = [f for f in os.listdir(str(pkg[0])) if f.endswith(".changes")]
    p = sh(["lintian", "--fail-on", "error", str(pkg[0] / changes[0])])
    assert p.returncode == 0, p.stdout + p.stderr
    assert not re.search(r"^E: ", p.stdout, re.M), p.stdout


def test_the_package_installs_binary_unit_man_pages_config_and_user(pkg):
    root = pkg[1]
    for path in ("usr/bin/vpnd", "lib/systemd/system/vpnd.service", "etc/vpnd/vpnd.conf",
                 "usr/share/man/man8/vpnd.8.gz", "usr/share/man/man5/vpnd.conf.5.gz",
                 "usr/lib/sysusers.d/vpnd.conf", "usr/share/doc/vpnd/examples/vici.conf"):
        assert os.path.exists(str(root / path)), path
    with open(str(root / "usr/lib/sysusers.d/vpnd.conf")) as f:
        assert re.search(r"^u vpnd ", f.read(), re.M)


def test_the_package_does_not_enable_or_start_the_unit_on_install(pkg):
    p = sh(["dpkg-deb", "-e", str(pkg[2]), str(pkg[0] / "control")])
    assert p.returncode == 0, p.stderr
    with open(str(pkg[0] / "control" / "postinst")) as f:
        postinst = f.read()
    # without --no-enable dh_installsystemd enables the unit on a first install
    # ("deb-systemd-helper enable" outside the "was-enabled" branch of an upgrade); the start
    # goes through deb-systemd-invoke, which starts only enabled units
    first_install = re.sub(r"if deb-systemd-helper --quiet was-enabled.*?\n\t\tfi\n", "",
                           postinst, flags=re.S)
    assert "deb-systemd-helper enable" in postinst and "enable" not in first_install.replace(
        "was-enabled", ""), postinst
    assert "deb-systemd-invoke $_dh_action 'vpnd.service'" in postinst
    assert "systemd-sysusers" in postinst  # the vpnd user is created


def installed_unit(root, tmp_path):
    """The packaged unit with its /usr/bin/vpnd pointing into root (no install on this host)."""
    with open(str(root / "lib/systemd/system/vpnd.service")) as f:
        text = f.read().replace("/usr/bin/vpnd", str(root / "usr/bin/vpnd"))
    unit = tmp_path / "vpnd.service"
    unit.write_text(text)
    return unit


def test_systemd_analyze_verifies_the_unit(pkg, tmp_path):
    unit = installed_unit(pkg[1], tmp_path)
    env = dict(os.environ, MANPATH=str(pkg[1] / "usr/share/man"))
    p = sh(["systemd-analyze", "verify", str(unit)], env=env)
    assert p.returncode == 0, p.stdout + p.stderr


def test_the_unit_is_type_notify_hardened_and_reloads_with_sighup(pkg):
    with open(str(pkg[1] / "lib/systemd/system/vpnd.service")) as f:
        unit = f.read()
    for line in ("Type=notify", "ProtectSystem=strict", "NoNewPrivileges=yes", "User=vpnd",
                 "StateDirectory=vpnd", "ExecReload=/bin/kill -HUP $MAINPID",
                 "ExecStart=/usr/bin/vpnd serve --config /etc/vpnd/vpnd.conf"):
        assert re.search("^" + re.escape(line) + "$", unit, re.M), line


def test_systemd_analyze_security_rates_the_unit_ok(pkg, tmp_path):
    unit = installed_unit(pkg[1], tmp_path)
    p = sh(["systemd-analyze", "security", "--offline=true", str(unit)])
    m = re.search(r"Overall exposure level for vpnd.service: ([0-9.]+) (\w+)", p.stdout)
    assert m, p.stdout + p.stderr
    print("systemd-analyze security exposure: %s %s" % (m.group(1), m.group(2)))
    assert float(m.group(1)) < MAX_EXPOSURE, p.stdout


def test_the_installed_binary_accepts_the_installed_config(pkg, tmp_path):
    root = pkg[1]
    p = sh([str(root / "usr/bin/vpnd"), "check-config", "--config", str(root / "etc/vpnd/vpnd.conf")],
           env=server_env())
    assert p.returncode == 0, p.stderr
    assert "db = /var/lib/vpnd/vpnd.db  # %s line" % (root / "etc/vpnd/vpnd.conf") in p.stdout


def test_the_installed_binary_serves_a_flow_with_the_installed_config(pkg, tmp_path):
    root = pkg[1]
    binary = str(root / "usr/bin/vpnd")
    srv = Server(binary, str(tmp_path))
    # the packaged config names /var/lib/vpnd; flags win over it (vpnd.conf(5))
    argv = [binary, "serve", "--config", str(root / "etc/vpnd/vpnd.conf"), "--db", srv.db,
            "--listen", "127.0.0.1:0", "--status-delay", "50"]
    srv.start(argv=argv)
    try:
        project = new_project()
        gw = create_gateway(srv, project)
        wait_gateway_active(srv, project, gw["id"])
        cgw = create_cgw(srv, project)
        cid = create_conn(srv, project, conn_body(gw, cgw))["id"]
        assert srv.request("GET", conn_path(project, cid)).status == 200
        assert srv.request("DELETE", conn_path(project, cid)).status == 204
        wait_gone(srv, conn_path(project, cid))
    finally:
        srv.stop()
