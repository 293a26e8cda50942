"""vpnd control: each control of the control surface from the command line, against the real
binary; its exit statuses (0 answered 2xx, 1 answered an error, 2 usage, 3 unreachable)."""
import json
import os
import re
import subprocess

from vpnd_api import cgw_path, new_project, sanitizer_report, server_env
from vpnd_control import new_conn, ready_gateway


def cli(vpnd_bin, server, *args, stdin=None, env=None):
    argv = [vpnd_bin, "control"] + (["--url", "http://127.0.0.1:%d" % server.port]
                                    if server else []) + list(args)
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=60,
                       env=server_env(env))
    assert sanitizer_report(p.stderr) is None, p.stderr
    return p.returncode, p.stdout, p.stderr


def test_health_and_ready_exit_0_while_vpnd_serves(vpnd_bin, server):
    rc, out, _ = cli(vpnd_bin, server, "health")
    assert rc == 0 and json.loads(out)["status"] == "ok"
    rc, out, _ = cli(vpnd_bin, server, "ready")
    assert rc == 0 and json.loads(out)["status"] == "ready"


def test_an_unreachable_server_exits_3(vpnd_bin):
    rc, _, err = cli(vpnd_bin, None, "--url", "http://127.0.0.1:1", "health")
    assert rc == 3 and err == "vpnd control: cannot connect to 127.0.0.1:1: Connection refused\n"


def test_the_url_may_come_from_vpnd_url(vpnd_bin, server):
    rc, _, _ = cli(vpnd_bin, None, "health", env={"VPND_URL": "http://127.0.0.1:%d" % server.port})
    assert rc == 0


def test_a_refused_control_exits_1_with_the_error_body(vpnd_bin, server, project):
    rc, _, err = cli(vpnd_bin, server, "status", "vpn_connection", project, "nope", "ERROR")
    assert rc == 1
    assert err.startswith('vpnd control: 404 {"error_code":"VPN.0004","error_msg":'), err


def test_unknown_commands_and_arguments_exit_2(vpnd_bin, server):
    assert cli(vpnd_bin, server, "bogus")[0] == 2
    assert cli(vpnd_bin, server, "clock", "advance", "soon")[0] == 2
    assert cli(vpnd_bin, server, "--colour")[0] == 2
    rc, _, err = cli(vpnd_bin, None, "--url", "https://x:1", "health")
    assert rc == 2 and err == 'vpnd control: URL "https://x:1" must start with http://\n', err


def test_every_control_has_its_command(vpnd_bin, fresh_server, tmp_path):
    project = new_project()
    gw, cgw = ready_gateway(fresh_server, project)
    cid = new_conn(fresh_server, project, gw, cgw)
    run = lambda *a, **kw: cli(vpnd_bin, fresh_server, *a, **kw)  # noqa: E731

    rc, out, _ = run("status", "vpn_connection", project, cid, "UNKNOWN", "hold")
    assert rc == 0 and json.loads(out)["resource"]["held"] is True
    rc, out, _ = run("advance", "vpn_connection", project, cid)
    assert rc == 0 and json.loads(out)["advanced"] == 1
    rc, out, _ = run("transitions", "add", '{"kind":"vpn_gateway","progress":"manual"}')
    rule = json.loads(out)["transition"]["rule"]
    assert run("transitions")[0] == 0 and run("transitions", "delete", rule)[0] == 0
    assert run("transitions", "clear")[0] == 0
    rc, out, _ = run("faults", "add", '{"status":503,"project_id":"%s"}' % project)
    fault = json.loads(out)["fault"]["rule"]
    assert fresh_server.request("GET", cgw_path(project)).status == 503
    assert run("faults", "delete", fault)[0] == 0 and run("faults", "clear")[0] == 0
    rc, out, _ = run("clock", "freeze")
    assert rc == 0 and json.loads(out)["clock"]["frozen"] is True
    assert run("clock", "set", "2030-01-01T00:00:00.000Z")[0] == 0
    assert run("clock", "advance", "1000")[0] == 0
    rc, out, _ = run("clock")
    assert json.loads(out)["clock"]["now"] == "2030-01-01T00:00:01.000Z"
    assert run("clock", "unfreeze")[0] == 0 and run("clock", "reset")[0] == 0
    rc, dump, _ = run("state")
    assert rc == 0 and len(dump.splitlines()) == 3
    assert run("reset")[0] == 0
    assert run("state")[1] == ""
    path = tmp_path / "dump.jsonl"
    path.write_text(dump)
    rc, out, _ = run("seed", str(path))
    assert rc == 0 and json.loads(out)["imported"] == 3
    rc, out, _ = run("seed", "-", "project_id=" + project, stdin='{"customer_gateway":'
                                                                  '{"id_value":"88.1.1.3"}}')
    assert rc == 0 and json.loads(out)["imported"] == 1
    assert run("reset", project)[0] == 0
    assert fresh_server.request("GET", cgw_path(project)).json["total_count"] == 0


def test_a_token_is_sent_as_x_auth_token(vpnd_bin, tmp_path):
    from vpnd_api import Server
    creds = tmp_path / "credentials"
    creds.write_text("admin token cli-admin-token\n")
    os.chmod(str(creds), 0o600)
    srv = Server(vpnd_bin, str(tmp_path), ["--credentials", str(creds)])
    srv.start()
    try:
        assert cli(vpnd_bin, srv, "faults")[0] == 1
        assert cli(vpnd_bin, srv, "--token", "cli-admin-token", "faults")[0] == 0
        rc, _, _ = cli(vpnd_bin, srv, "faults", env={"VPND_CONTROL_TOKEN": "cli-admin-token"})
        assert rc == 0
    finally:
        srv.stop()


def test_control_help_lists_every_command(vpnd_bin):
    rc, out, _ = cli(vpnd_bin, None, "--help")
    assert rc == 0 and out.startswith("Usage: vpnd control")
    for command in ("health", "ready", "reset", "seed", "state", "status", "advance",
                    "transitions", "faults", "clock"):
        assert re.search(r"^  (\S+ \| )?%s\b" % command, out, re.M), command
