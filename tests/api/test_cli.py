"""The command line behaves: --help on every command, one exit-code table (vpnd(8) EXIT STATUS),
localhost and [::1] for --listen, errors that name the path and the cause, export refusing a
store that does not exist, make run honouring VPND_LISTEN and ARGS and naming its store."""
import http.client
import os
import pwd
import re
import shutil
import signal
import subprocess

import pytest

from vpnd_api import READY_RE, new_project, sanitizer_report, server_env

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
COMMANDS = ["serve", "check-config", "import", "export", "compact", "routes"]


def run(vpnd_bin, *args, env=None, user=None):
    argv = [vpnd_bin] + list(args)
    if user:
        pw = pwd.getpwnam(user)
        argv = ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid,
                "--clear-groups"] + argv
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                       env=server_env(env), timeout=30)
    err = p.stderr.decode("utf-8", "replace")
    assert sanitizer_report(err) is None, err
    return p.returncode, p.stdout.decode(), err


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_answers_help_on_stdout_with_exit_0(vpnd_bin, command):
    rc, out, err = run(vpnd_bin, command, "--help")
    assert rc == 0, err
    assert out.startswith("Usage: vpnd %s " % command), out
    assert err == ""


def test_help_lists_the_commands_and_the_exit_codes(vpnd_bin):
    rc, out, _ = run(vpnd_bin, "--help")
    assert rc == 0
    for command in COMMANDS:
        assert re.search(r"^  %s " % command, out, re.M), command
    assert re.findall(r"^  ([0-9]) ", out, re.M) == ["0", "1", "2", "3"]


def test_an_unknown_command_exits_2_naming_it(vpnd_bin):
    rc, _, err = run(vpnd_bin, "srve")
    assert rc == 2
    assert err.startswith('vpnd: unknown command "srve" (commands: serve, check-config, import, '
                          'export')


def test_routes_prints_each_route_once_with_its_operation_and_flags(vpnd_bin):
    rc, out, err = run(vpnd_bin, "routes")
    assert rc == 0 and err == "", err
    lines = [line.split(" ") for line in out.splitlines()]
    assert all(len(f) == 4 for f in lines), out
    # the cloud API's routes, then vpnd's own (flag "own"): the metrics, the API's description,
    # health and the control surface
    cloud = [f for f in lines if "own" not in f[3].split(",")]
    own = [f for f in lines if "own" in f[3].split(",")]
    assert len(cloud) == 55 and len(own) == 19, out
    assert len({(f[0], f[1]) for f in lines}) == len(lines), "a route is listed twice"
    assert len({f[2] for f in lines}) == len(lines), "an operation name is used twice"
    assert [f for f in lines if re.match(r"/v5(\.1)?/{project_id}/", f[1])] == cloud, out
    for method, pattern, op, flags in cloud:
        assert method in ("GET", "POST", "PUT", "DELETE"), method
        assert flags == "-" or set(flags.split(",")) <= {"no_auth", "json", "empty_ok", "write"}
    assert sorted(f[1] for f in own if not f[1].startswith("/_vpnd/")) == \
        ["/metrics", "/openapi.json"], out
    assert len([f for f in own if f[1].startswith("/_vpnd/")]) == 17, out
    for method, pattern, op, flags in own:
        assert method in ("GET", "POST", "PUT", "DELETE"), method
        assert op.startswith("vpnd."), (pattern, op)
        assert set(flags.split(",")) <= {"no_auth", "json", "empty_ok", "write", "own",
                                         "operator", "control"}, flags
        assert ("no_auth" in flags) != ("operator" in flags), (pattern, flags)
        # the control surface is /_vpnd/ (less health and readiness); /metrics is no part of it
        assert ("control" in flags) == (pattern.startswith("/_vpnd/") and "operator" in flags), \
            (pattern, flags)


def test_routes_refuses_an_argument_with_exit_2(vpnd_bin):
    rc, out, err = run(vpnd_bin, "routes", "--all")
    assert rc == 2 and out == ""
    assert err == 'vpnd: unexpected argument "--all" for vpnd routes (see vpnd routes --help)\n'


def test_no_command_prints_the_usage_on_stderr_and_exits_2(vpnd_bin):
    rc, out, err = run(vpnd_bin)
    assert rc == 2 and out == "" and err.startswith("Usage: vpnd COMMAND")


@pytest.mark.parametrize("args,message", [
    (["--status-delay", "abc"], '--status-delay: must be an integer from 0 to 3600000, got "abc"'),
    (["--settle-status", "UP"], '--settle-status: must be one of DOWN, ACTIVE, got "UP"'),
    (["--listen", "localhost"], '--listen: must be IPV4:PORT, [IPV6]:PORT or localhost:PORT'),
    (["--log-level", "loud"], '--log-level: must be one of debug, info, warn, error, got "loud"'),
    (["--eip-pool", "10.0.0.0/31"], '--eip-pool: must be an IPv4 CIDR from /8 to /30, got'),
    (["--bogus"], 'unknown option "--bogus" for vpnd serve (see vpnd serve --help)'),
    (["extra"], 'unexpected argument "extra" for vpnd serve'),
    (["--max-body"], "--max-body: needs a value (BYTES)"),
])
def test_every_bad_setting_exits_2_with_its_rule(vpnd_bin, tmp_path, args, message):
    rc, _, err = run(vpnd_bin, "serve", "--db", str(tmp_path / "x.db"), *args)
    assert rc == 2, err
    assert message in err, err
    assert not os.path.exists(str(tmp_path / "x.db"))


def serve_lines(argv):
    """Starts vpnd; returns (proc, stdout lines up to and including the readiness line)."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env=server_env(), text=True)
    lines = []
    for line in p.stdout:
        lines.append(line)
        if line.startswith("vpnd: listening on "):
            return p, lines
    p.wait(timeout=30)
    raise AssertionError("vpnd did not get ready: %r" % lines)


def stop(p):
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=15) == 0


def test_listen_accepts_localhost_as_127_0_0_1(vpnd_bin, tmp_path):
    p, lines = serve_lines([vpnd_bin, "serve", "--listen", "localhost:0", "--db",
                            str(tmp_path / "x.db")])
    try:
        assert READY_RE.match(lines[-1].rstrip("\n")), lines
    finally:
        stop(p)


def test_listen_accepts_ipv6_loopback_in_brackets(vpnd_bin, tmp_path):
    p, lines = serve_lines([vpnd_bin, "serve", "--listen", "[::1]:0", "--db",
                            str(tmp_path / "x.db")])
    try:
        m = re.match(r"^vpnd: listening on http://\[::1\]:(\d+)$", lines[-1].rstrip("\n"))
        assert m, lines
        c = http.client.HTTPConnection("::1", int(m.group(1)), timeout=10)
        c.request("GET", "/v5/%s/vpn-gateways" % new_project())
        assert c.getresponse().status == 200
        c.close()
    finally:
        stop(p)


def test_listen_refuses_a_host_name_other_than_localhost(vpnd_bin):
    rc, _, err = run(vpnd_bin, "serve", "--listen", "example.com:80")
    assert rc == 2
    assert 'got "example.com:80"' in err


def test_listening_off_loopback_without_credentials_exits_2(vpnd_bin, tmp_path):
    rc, _, err = run(vpnd_bin, "serve", "--listen", "0.0.0.0:0", "--db", str(tmp_path / "x.db"))
    assert rc == 2
    assert "refusing to listen on 0.0.0.0:0 without authentication" in err


def test_an_address_in_use_exits_3(vpnd_bin, tmp_path, server):
    rc, _, err = run(vpnd_bin, "serve", "--listen", "127.0.0.1:%d" % server.port, "--db",
                     str(tmp_path / "x.db"))
    assert rc == 3
    assert "cannot listen on 127.0.0.1:%d: Address already in use" % server.port in err, err


def test_export_refuses_a_store_that_does_not_exist_and_creates_none(vpnd_bin, tmp_path):
    typo = str(tmp_path / "typo.db")
    rc, out, err = run(vpnd_bin, "export", "--db", typo)
    assert rc == 3
    assert out == ""
    assert err == ("vpnd: cannot open store %s: No such file or directory (export reads an "
                   "existing store)\n" % typo)
    assert os.listdir(str(tmp_path)) == []


def test_serve_prints_the_store_it_opens_and_whether_it_is_new(vpnd_bin, tmp_path):
    db = str(tmp_path / "s.db")
    for state in ("new", "existing"):
        p, lines = serve_lines([vpnd_bin, "serve", "--listen", "127.0.0.1:0", "--db", db])
        stop(p)
        assert lines[0] == "vpnd: store %s (%s)\n" % (db, state)


@pytest.fixture
def nobody_dir(tmp_path):
    """A directory the unprivileged user "nobody" may enter but not write, and a vpnd binary it
    may run (the worktree may not be readable by nobody)."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to run vpnd as nobody")
    d = tmp_path / "ro"
    d.mkdir()
    os.chmod(str(tmp_path), 0o755)
    os.chmod(str(d), 0o555)
    return d


def test_an_unwritable_store_directory_is_named_with_the_cause(vpnd_bin, nobody_dir):
    db = str(nobody_dir / "vpnd.db")
    binary = os.path.join(str(nobody_dir.parent), "vpnd")
    shutil.copy(vpnd_bin, binary)
    os.chmod(binary, 0o755)
    rc, _, err = run(binary, "serve", "--listen", "127.0.0.1:0", "--db", db, user="nobody",
                     env={"ASAN_OPTIONS": "detect_leaks=0"})
    assert rc == 3, err
    assert err.startswith("vpnd: cannot open store %s: directory %s: Permission denied"
                          % (db, str(nobody_dir))), err


def test_import_of_a_missing_file_exits_3_naming_it(vpnd_bin, tmp_path):
    missing = str(tmp_path / "in.jsonl")
    rc, _, err = run(vpnd_bin, "import", "--db", str(tmp_path / "x.db"), missing)
    assert rc == 3
    assert err == "vpnd: cannot open %s: No such file or directory\n" % missing


def make_run(tmp_path, env, args=None):
    """Starts `make -s run` in its own process group; returns (proc, [stdout lines to ready])."""
    argv = ["make", "-s", "--no-print-directory", "-C", REPO, "run"] + (args or [])
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=dict(server_env(env), MAKEFLAGS=""), start_new_session=True)
    lines = []
    for line in p.stdout:
        lines.append(line)
        if READY_RE.match(line.rstrip("\n")):
            return p, lines
    p.wait(timeout=60)
    raise AssertionError("make run did not get ready: %r %s" % (lines, p.stderr.read()))


def stop_group(p):
    """SIGTERM to the vpnd that make started (by its PID, a child of make); make then exits
    with vpnd's status."""
    with open("/proc/%d/task/%d/children" % (p.pid, p.pid)) as f:
        children = [int(x) for x in f.read().split()]
    assert len(children) == 1, children
    os.kill(children[0], signal.SIGTERM)
    assert p.wait(timeout=30) == 0


@pytest.mark.skipif(not os.access(os.path.join(REPO, "build", "rel", "vpnd"), os.X_OK),
                    reason="make run needs build/rel/vpnd built (make check builds it first)")
def test_make_run_honours_vpnd_listen_and_names_its_store(tmp_path):
    db = str(tmp_path / "run.db")
    p, lines = make_run(tmp_path, {"VPND_LISTEN": "127.0.0.1:0", "VPND_DB": db})
    try:
        assert "vpnd: store %s (new)\n" % db in lines, lines
        assert not lines[-1].rstrip().endswith(":8080"), lines
    finally:
        stop_group(p)


@pytest.mark.skipif(not os.access(os.path.join(REPO, "build", "rel", "vpnd"), os.X_OK),
                    reason="make run needs build/rel/vpnd built (make check builds it first)")
def test_make_run_passes_args_to_vpnd(tmp_path):
    db = str(tmp_path / "args.db")
    p, lines = make_run(tmp_path, {}, ["ARGS=--listen localhost:0 --db %s" % db])
    try:
        assert "vpnd: store %s (new)\n" % db in lines, lines
    finally:
        stop_group(p)
