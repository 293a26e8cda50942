"""What a connection's data plane shows (spec §9): ipsec-sa, the peer configuration export and
its supported devices, on the simulated cloud (--driver sim, the default), and the strongSwan
driver's answers while no charon can be reached. Real tunnels: tests/dataplane."""
import os
import subprocess

from vpnd_api import (Server, active_gateways, assert_error, assert_invalid, conn_body,
                      conn_path, create_cgw, create_conn, gateway_body, server_env)
from vpnd_control import ctl

DEVICE = {"vendor": "strongSwan", "model": "swanctl", "version": "5.9"}


def setup_connection(server, project, **fields):
    (gw,) = active_gateways(server, project, [gateway_body(local_subnets=["10.0.0.0/24"])])
    cgw = create_cgw(server, project, id_value="88.1.1.9")
    return gw, create_conn(server, project, conn_body(gw, cgw, psk="Abcd1234!x", **fields))


def export(server, project, cid, body):
    return server.request("POST", conn_path(project, cid) + "/peer-configuration/export", body)


def test_ipsec_sa_of_the_simulated_cloud_lists_the_configured_selectors_with_zero_counters(
        server, project):
    _, c = setup_connection(server, project, peer_subnets=["192.168.0.0/24", "192.168.1.0/24"])
    r = server.request("GET", conn_path(project, c["id"]) + "/ipsec-sa")
    assert r.status == 200, r.raw
    (sa,) = r.json["sa_infos"]
    assert sa["source_ip_cidr"] == "10.0.0.0/24"
    assert sa["dest_ip_cidr"] == "192.168.0.0/24,192.168.1.0/24"
    assert [sa[k] for k in ("packets_sent", "packets_recv", "traffic_sent", "traffic_recv")] == \
        [0, 0, 0, 0]
    assert r.json["request_id"] == r.headers["X-Request-Id"]


def test_ipsec_sa_of_a_policy_connection_lists_one_sa_per_rule(server, project):
    rules = [{"source": "10.0.0.0/25", "destination": ["192.168.0.0/24"]},
             {"source": "10.0.0.128/25", "destination": ["192.168.1.0/24"]}]
    _, c = setup_connection(server, project, style="POLICY", policy_rules=rules)
    r = server.request("GET", conn_path(project, c["id"]) + "/ipsec-sa")
    assert r.status == 200, r.raw
    assert [(s["source_ip_cidr"], s["dest_ip_cidr"]) for s in r.json["sa_infos"]] == [
        ("10.0.0.0/25", "192.168.0.0/24"), ("10.0.0.128/25", "192.168.1.0/24")]


def test_ipsec_sa_of_an_unknown_connection_is_404(server, project):
    r = server.request("GET", conn_path(project, "3f6a9f3e-6d38-4a62-9bd4-0d3b5f1c2a10") +
                       "/ipsec-sa")
    assert_error(r, 404, "VPN.0004")


def test_supported_devices_are_the_strongswan_swanctl_device(server, project):
    r = server.request("GET", "/v5/%s/peer-configuration/supported-devices" % project)
    assert r.status == 200, r.raw
    assert r.json["supported_devices"] == [
        {"vendor": "strongSwan", "platform": "swanctl", "version": "5.9"}]


def test_export_answers_the_customer_sides_swanctl_conf_with_its_key(server, project):
    gw, c = setup_connection(server, project)
    r = export(server, project, c["id"], DEVICE)
    assert r.status == 200, r.raw
    text = r.json["peer_config"]
    assert ("vpnd-%s {" % c["id"]) in text
    assert "local_addrs = 88.1.1.9\n" in text
    assert ("remote_addrs = %s\n" % gw["eip1"]["ip_address"]) in text
    assert "local_ts = 192.168.0.0/24\n" in text and "remote_ts = 10.0.0.0/24\n" in text
    assert 'secret = "Abcd1234!x"\n' in text


def test_export_takes_vendor_and_model_in_any_case_and_an_optional_type(server, project):
    _, c = setup_connection(server, project)
    r = export(server, project, c["id"], {"vendor": "STRONGSWAN", "type": "ipsec",
                                          "model": "Swanctl", "version": "5.9"})
    assert r.status == 200, r.raw


def test_export_for_a_device_that_is_not_supported_is_refused_with_the_rule(server, project):
    _, c = setup_connection(server, project)
    assert_invalid(export(server, project, c["id"], dict(DEVICE, vendor="Cisco")), "vendor",
                   "must be a vendor of GET peer-configuration/supported-devices (strongSwan)",
                   '"Cisco"')
    assert_invalid(export(server, project, c["id"], dict(DEVICE, version="4.0")), "version",
                   "must be a version of strongSwan swanctl (5.9)", '"4.0"')


def test_export_without_a_model_is_refused(server, project):
    _, c = setup_connection(server, project)
    body = dict(DEVICE)
    del body["model"]
    assert_invalid(export(server, project, c["id"], body), "model", "is required")


def test_export_with_a_vendor_that_is_not_a_string_is_refused(server, project):
    _, c = setup_connection(server, project)
    assert_invalid(export(server, project, c["id"], dict(DEVICE, vendor=5)), "vendor",
                   "must be a string")


def test_export_of_an_unknown_connection_is_404(server, project):
    r = export(server, project, "3f6a9f3e-6d38-4a62-9bd4-0d3b5f1c2a10", DEVICE)
    assert_error(r, 404, "VPN.0004")


# ---- the strongSwan driver without a charon to reach ----

def nowhere_server(vpnd_bin, tmp_path):
    srv = Server(vpnd_bin, str(tmp_path), ["--eip-pool", "203.0.112.0/20", "--driver",
                                           "strongswan", "--vici",
                                           "unix://%s/no-charon.vici" % tmp_path])
    return srv.start()


def test_with_charon_unreachable_a_new_connection_stays_pending_create(vpnd_bin, tmp_path,
                                                                        project):
    srv = nowhere_server(vpnd_bin, tmp_path)
    try:
        _, c = setup_connection(srv, project)
        r = srv.request("GET", conn_path(project, c["id"]))
        assert r.json["vpn_connection"]["status"] == "PENDING_CREATE"
    finally:
        srv.stop()
    assert "event=dataplane_unreachable reason=\"no socket at the path\"" in srv.stderr_text()


def test_with_charon_unreachable_ipsec_sa_is_503_saying_so(vpnd_bin, tmp_path, project):
    srv = nowhere_server(vpnd_bin, tmp_path)
    try:
        _, c = setup_connection(srv, project)
        r = srv.request("GET", conn_path(project, c["id"]) + "/ipsec-sa")
        assert_error(r, 503, "VPN.0002")
        assert r.json["error_msg"] == ("server error: the data plane cannot be reached, please "
                                       "try again later")
    finally:
        srv.stop()


def test_a_vici_url_that_is_not_a_unix_socket_is_a_usage_error(vpnd_bin, tmp_path):
    p = subprocess.run([vpnd_bin, "serve", "--listen", "127.0.0.1:0", "--db",
                        os.path.join(str(tmp_path), "v.db"), "--driver", "strongswan",
                        "--vici", "tcp://127.0.0.1:4502"],
                       capture_output=True, text=True, timeout=30, env=server_env())
    assert p.returncode == 2, p.stderr
    assert ('vpnd: vici: must be a Unix socket URL like unix:///var/run/charon.vici, got '
            '"tcp://127.0.0.1:4502"') in p.stderr


def test_with_charon_unreachable_health_and_ready_say_the_data_plane_is_not_connected(
        vpnd_bin, tmp_path):
    srv = nowhere_server(vpnd_bin, tmp_path)
    try:
        h = ctl(srv, "GET", "health", want=200)
        assert h["driver"] == "strongswan" and h["dataplane"] == {"connected": False}, h
        # the API serves meanwhile: ready stays 200 and says it
        r = ctl(srv, "GET", "ready", want=200)
        assert r["status"] == "ready" and r["dataplane"] == {"connected": False}, r
    finally:
        srv.stop()


def test_the_simulated_cloud_has_no_data_plane_in_health_or_ready(server):
    assert "dataplane" not in ctl(server, "GET", "health", want=200)
    assert "dataplane" not in ctl(server, "GET", "ready", want=200)


def test_with_charon_unreachable_the_data_plane_series_show_it_not_connected(vpnd_bin, tmp_path):
    srv = nowhere_server(vpnd_bin, tmp_path)
    try:
        r = srv.request("GET", "/metrics")
        assert r.status == 200, r.raw
        m = dict(line.rsplit(" ", 1) for line in r.raw.decode().splitlines()
                 if line.startswith("vpnd_dataplane_"))
    finally:
        srv.stop()
    assert float(m["vpnd_dataplane_connected"]) == 0
    assert float(m["vpnd_dataplane_connects_total"]) == 0
    assert float(m["vpnd_dataplane_applies_total"]) == 0
    assert float(m['vpnd_dataplane_reconciles_total{pass="full"}']) == 0
    for name in ("events_total", "state_reports_total", "commands_total", "command_errors_total",
                 "refreshes_total", "refresh_last_seconds", "refresh_last_sas",
                 "reconcile_last_connections", "leases_held", "lease_failures_total",
                 "status_writes_total", "status_held_total", "removes_total"):
        assert "vpnd_dataplane_" + name in m, name
    assert 'vpnd_dataplane_reconcile_last_seconds{pass="periodic"}' in m
