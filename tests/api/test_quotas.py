"""GET vpn/quotas (spec §5.3) and quota enforcement on create."""
from vpnd_api import Server, cgw_path, create_cgw, gateway_body, gw_path, new_project


def test_quotas_report_defaults_and_usage(server, project):
    create_cgw(server, project)
    r = server.request("GET", "/v5/%s/vpn/quotas" % project)
    assert r.status == 200, r.raw
    assert r.json["quotas"]["resources"] == [
        {"type": "vpn_gateway", "quota": 50, "used": 0},
        {"type": "customer_gateway", "quota": 100, "used": 1},
        {"type": "vpn_connection", "quota": 5000, "used": 0},
    ]
    assert r.headers["X-Request-Id"] == r.json["request_id"]


def test_create_beyond_the_quota_is_rejected_and_changes_nothing(vpnd_bin, tmp_path):
    srv = Server(vpnd_bin, str(tmp_path), ["--quota-customer-gateway", "1",
                                           "--quota-vpn-gateway", "0"])
    srv.start()
    try:
        project = new_project()
        create_cgw(srv, project)
        r = srv.request("POST", cgw_path(project), {"customer_gateway": {"id_value": "1.1.1.1"}})
        assert r.status == 400 and r.json["error_code"] == "VPN.0001", r.raw
        assert r.json["error_msg"] == ("invalid request: quota exceeded: the project may hold 1 "
                                       "customer_gateway resources and holds 1")
        r = srv.request("POST", gw_path(project), gateway_body())
        assert r.status == 400 and "quota exceeded" in r.json["error_msg"], r.raw
        used = srv.request("GET", "/v5/%s/vpn/quotas" % project).json["quotas"]["resources"]
        assert [u["used"] for u in used] == [0, 1, 0]
    finally:
        srv.stop()
