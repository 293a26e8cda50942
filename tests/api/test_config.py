"""The config file, precedence (flag > environment > file > default), vpnd check-config, the
reload on SIGHUP (what it applies, what it keeps when it fails) and readiness through
sd_notify (NOTIFY_SOCKET on a datagram socket the test owns)."""
import os
import re
import signal
import socket
import subprocess
import time

import pytest

from vpnd_api import Server, cgw_path, new_project, sanitizer_report, server_env

AK, SK = "CFGTESTAK000000000001", "CFGTESTsk000000000000000000000000000001"


def run(vpnd_bin, *args, env=None):
    p = subprocess.run([vpnd_bin] + list(args), stdin=subprocess.DEVNULL, capture_output=True,
                       env=server_env(env), timeout=30)
    err = p.stderr.decode("utf-8", "replace")
    assert sanitizer_report(err) is None, err
    return p.returncode, p.stdout.decode(), err


def write(path, text, mode=0o644):
    with open(str(path), "w") as f:
        f.write(text)
    os.chmod(str(path), mode)
    return str(path)


def effective(out):
    """check-config's output as {key: (value, source)}."""
    keys = {}
    for line in out.splitlines():
        m = re.match(r"^([a-z0-9-]+) = (.*?)  # (.*?)( \(live\))?$", line)
        if m:
            keys[m.group(1)] = (m.group(2), m.group(3))
    return keys


def test_a_flag_wins_over_the_environment_which_wins_over_the_config_file(vpnd_bin, tmp_path):
    conf = write(tmp_path / "vpnd.conf", "max-body = 100\nmax-header = 2000\nstatus-delay = 7\n")
    rc, out, err = run(vpnd_bin, "check-config", "--config", conf, "--max-body", "300",
                       env={"VPND_MAX_BODY": "200", "VPND_MAX_HEADER": "3000"})
    assert rc == 0, err
    keys = effective(out)
    assert keys["max-body"] == ("300", "--max-body")
    assert keys["max-header"] == ("3000", "VPND_MAX_HEADER")
    assert keys["status-delay"] == ("7", "%s line 3: status-delay" % conf)
    assert keys["max-connections"] == ("1000", "default")


def test_the_config_file_may_come_from_vpnd_config(vpnd_bin, tmp_path):
    conf = write(tmp_path / "vpnd.conf", "quota-vpn-gateway = 3\n")
    rc, out, err = run(vpnd_bin, "check-config", env={"VPND_CONFIG": conf})
    assert rc == 0, err
    assert effective(out)["quota-vpn-gateway"] == ("3", "%s line 1: quota-vpn-gateway" % conf)


def test_an_unknown_key_exits_2_naming_the_file_and_the_line(vpnd_bin, tmp_path):
    conf = write(tmp_path / "vpnd.conf", "# settings\nlisten = 127.0.0.1:0\n\nmax-bdy = 5\n")
    rc, _, err = run(vpnd_bin, "serve", "--config", conf)
    assert rc == 2
    assert err == 'vpnd: %s line 4: unknown key "max-bdy" (did you mean "max-body"?)\n' % conf


@pytest.mark.parametrize("where", ["flag", "env", "file"])
def test_an_out_of_range_value_exits_2_naming_where_it_came_from(vpnd_bin, tmp_path, where):
    conf = write(tmp_path / "vpnd.conf", "max-per-client = 0\n" if where == "file" else "")
    argv = ["serve", "--config", conf, "--listen", "127.0.0.1:0"]
    env = {}
    if where == "flag":
        argv += ["--max-per-client", "0"]
    elif where == "env":
        env["VPND_MAX_PER_CLIENT"] = "0"
    rc, _, err = run(vpnd_bin, *argv, env=env)
    source = {"flag": "--max-per-client", "env": "VPND_MAX_PER_CLIENT",
              "file": "%s line 1: max-per-client" % conf}[where]
    assert rc == 2
    assert err == 'vpnd: %s: must be an integer from 1 to 1000000, got "0"\n' % source


def test_a_bad_file_line_is_refused_even_when_a_flag_overrides_the_key(vpnd_bin, tmp_path):
    conf = write(tmp_path / "vpnd.conf", "settle-status = UP\n")
    rc, _, err = run(vpnd_bin, "check-config", "--config", conf, "--settle-status", "ACTIVE")
    assert rc == 2
    assert 'line 1: settle-status: must be one of DOWN, ACTIVE, got "UP"' in err, err


def test_check_config_of_a_missing_file_exits_3_naming_the_path(vpnd_bin, tmp_path):
    missing = str(tmp_path / "nope.conf")
    rc, _, err = run(vpnd_bin, "check-config", "--config", missing)
    assert rc == 3
    assert err == "vpnd: cannot read config file %s: No such file or directory\n" % missing


def test_check_config_lists_every_serve_key_and_opens_no_store(vpnd_bin, tmp_path):
    db = str(tmp_path / "never.db")
    rc, out, err = run(vpnd_bin, "check-config", "--db", db)
    assert rc == 0, err
    help_keys = re.findall(r"^  --([a-z0-9-]+)", run(vpnd_bin, "serve", "--help")[1], re.M)
    listed = set(effective(out)) | set(re.findall(r"^# ([a-z0-9-]+) is not set$", out, re.M))
    assert listed == set(help_keys) - {"config", "help"}
    assert not os.path.exists(db)
    assert err == "vpnd: configuration OK\n"


def test_check_config_hides_the_password_of_a_postgres_url(vpnd_bin):
    rc, out, _ = run(vpnd_bin, "check-config", "--db", "postgresql://u:hunter2@db/vpnd")
    assert rc == 0
    assert "db = postgresql://u:***@db/vpnd  # --db" in out
    assert "hunter2" not in out


def test_check_config_refuses_off_loopback_without_credentials_with_exit_2(vpnd_bin):
    rc, _, err = run(vpnd_bin, "check-config", "--listen", "0.0.0.0:8080")
    assert rc == 2
    assert "refusing to listen on 0.0.0.0:8080 without authentication" in err


def test_check_config_loads_the_credentials_file(vpnd_bin, tmp_path):
    bad = write(tmp_path / "creds", "ak onlytwo fields\n", 0o600)
    rc, _, err = run(vpnd_bin, "check-config", "--credentials", bad)
    assert rc == 2 and err.startswith("vpnd: cannot load credentials: %s:1: " % bad), err
    rc, _, err = run(vpnd_bin, "check-config", "--credentials", str(tmp_path / "missing"))
    assert rc == 3 and "cannot load credentials" in err, err
    good = write(tmp_path / "good", "ak %s %s %s\n" % (AK, SK, new_project()), 0o600)
    rc, out, err = run(vpnd_bin, "check-config", "--credentials", good, "--listen", "0.0.0.0:0")
    assert rc == 0, err
    assert SK not in out + err


def test_serve_takes_its_settings_from_the_config_file(vpnd_bin, tmp_path):
    srv = Server(vpnd_bin, str(tmp_path))
    conf = write(tmp_path / "vpnd.conf", "listen = localhost:0\ndb = %s\nquota-customer-gateway = 1\n"
                 % srv.db)
    srv.start(argv=[vpnd_bin, "serve", "--config", conf])
    try:
        project = new_project()
        assert srv.request("POST", cgw_path(project), {"customer_gateway": {"id_value": "1.2.3.4"}}).status == 201
        r = srv.request("POST", cgw_path(project), {"customer_gateway": {"id_value": "1.2.3.5"}})
        assert r.status == 400, r.raw  # the file's quota of 1 is in force
    finally:
        srv.stop()


# ---- SIGHUP ----

def wait_for_log(srv, needle, timeout=5.0):
    deadline = time.monotonic() + timeout
    while needle not in srv.stderr_text():
        assert time.monotonic() < deadline, "%r not logged; stderr=%s" % (needle, srv.stderr_tail())
        time.sleep(0.02)  # polling the log file


def hup(srv, needle):
    """SIGHUP, then waits until the log shows needle."""
    srv.send_signal(signal.SIGHUP)
    wait_for_log(srv, needle)


def authed_server(vpnd_bin, tmp_path, conf_text):
    creds = write(tmp_path / "creds", "token tok-one-%s %s\n" % ("a" * 20, "p" * 32), 0o600)
    conf = write(tmp_path / "vpnd.conf", conf_text + "credentials = %s\n" % creds)
    srv = Server(vpnd_bin, str(tmp_path), ["--config", conf])
    srv.start()
    return srv, conf, creds


def token_status(srv, token):
    return srv.request("GET", "/v5/%s/vpn-gateways" % ("p" * 32), headers={"X-Auth-Token": token}).status


def test_sighup_applies_a_new_log_level_from_the_config_file(vpnd_bin, tmp_path):
    srv, conf, creds = authed_server(vpnd_bin, tmp_path, "log-level = warn\n")
    try:
        write(conf, "log-level = debug\ncredentials = %s\n" % creds)
        hup(srv, "event=reload result=ok log_level=debug")
    finally:
        srv.stop()


def test_sighup_rereads_the_credentials_file(vpnd_bin, tmp_path):
    srv, _, creds = authed_server(vpnd_bin, tmp_path, "")
    try:
        assert token_status(srv, "tok-one-" + "a" * 20) == 200
        write(creds, "token tok-two-%s %s\n" % ("b" * 20, "p" * 32), 0o600)
        hup(srv, "event=reload result=ok")
        assert token_status(srv, "tok-two-" + "b" * 20) == 200
        assert token_status(srv, "tok-one-" + "a" * 20) == 401
    finally:
        srv.stop()


def test_a_failed_reload_changes_nothing_and_says_what_it_kept(vpnd_bin, tmp_path):
    srv, conf, creds = authed_server(vpnd_bin, tmp_path, "log-level = info\n")
    try:
        # a new log level and a broken credentials file: neither is applied
        write(conf, "log-level = error\ncredentials = %s\n" % creds)
        write(creds, "token\n", 0o600)
        hup(srv, "event=reload result=failed")
        line = [x for x in srv.stderr_text().splitlines() if "event=reload" in x][-1]
        assert 'kept="log-level=info credentials=%s (1 entries)"' % creds in line, line
        assert token_status(srv, "tok-one-" + "a" * 20) == 200
        # a bad config file line: same
        write(conf, "log-level = loud\n")
        hup(srv, "log-level: must be one of debug, info, warn, error, got 'loud'")
        assert token_status(srv, "tok-one-" + "a" * 20) == 200
    finally:
        srv.stop()


def test_sighup_names_a_changed_key_that_needs_a_restart(vpnd_bin, tmp_path):
    # max-body, the key this test used first, is live since issue 16 (test_reload.py)
    srv, conf, creds = authed_server(vpnd_bin, tmp_path, "status-delay = 1000\n")
    try:
        write(conf, "status-delay = 2000\ncredentials = %s\n" % creds)
        hup(srv, 'event=reload key=status-delay result=needs_restart running="1000"')
    finally:
        srv.stop()


# ---- sd_notify ----

@pytest.fixture
def notify_socket(tmp_path):
    path = str(tmp_path / "notify.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(10)
    yield s, path
    s.close()


def next_message(sock):
    return sock.recv(4096).decode()


def test_serve_sends_ready_to_the_notify_socket_once_it_listens(vpnd_bin, tmp_path, notify_socket):
    sock, path = notify_socket
    srv = Server(vpnd_bin, str(tmp_path))
    srv.start(env=server_env({"NOTIFY_SOCKET": path}))
    try:
        msg = next_message(sock)
        assert msg.split("\n")[0] == "READY=1", msg
        assert "STATUS=listening on http://127.0.0.1:%d" % srv.port in msg
    finally:
        srv.stop()
    assert next_message(sock) == "STOPPING=1"


def test_sighup_sends_reloading_then_ready(vpnd_bin, tmp_path, notify_socket):
    sock, path = notify_socket
    srv = Server(vpnd_bin, str(tmp_path))
    srv.start(env=server_env({"NOTIFY_SOCKET": path}))
    try:
        assert next_message(sock).startswith("READY=1")
        srv.send_signal(signal.SIGHUP)
        assert next_message(sock) == "RELOADING=1"
        assert next_message(sock) == "READY=1"
    finally:
        srv.stop()
