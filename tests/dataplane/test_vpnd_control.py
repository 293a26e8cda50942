"""vpnd with the strongSwan driver and the control surface (README "Testing against vpnd"): a
status a tester holds wins over charon's reports, and once released charon's state is the
status; a reset unloads from charon what it deleted; health, ready and /metrics say charon is
connected. The module shares one bed and one vpnd; the reset test runs last (it empties the
module's project)."""

from vpnd_plane import Tunnel, charon_conns, up, wait_for  # first: puts tests/api on the path

from vpnd_control import advance, ctl, force  # noqa: E402


def metric(cloud, name):
    """The value of an unlabelled series of GET /metrics, or None."""
    r = cloud.request("GET", "/metrics")
    assert r.status == 200, r.raw
    for line in r.raw.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_health_ready_and_metrics_say_charon_is_connected(cloud):
    wait_for(lambda: metric(cloud, "vpnd_dataplane_connected") == 1, 5, "charon connected")
    assert ctl(cloud.server, "GET", "health", want=200)["dataplane"] == {"connected": True}
    assert ctl(cloud.server, "GET", "ready", want=200)["dataplane"] == {"connected": True}


def held_down_then_up(cloud, n):
    """Connection n settled DOWN, held DOWN by the control surface, then its customer loaded:
    returns once charon's report that the tunnel is up was held."""
    t = Tunnel(cloud, n)
    t.wait("DOWN", 5)
    force(cloud.server, "vpn_connection", cloud.project, t.id, "DOWN", hold=True)
    held = metric(cloud, "vpnd_dataplane_status_held_total")
    t.peer_load()
    # the up report itself (a new cause while down, charon's own initiation failing, is held too)
    line = "event=status_held kind=vpn_connection project_id=%s id=%s status=DOWN " \
        "reported=ACTIVE" % (cloud.project, t.id)
    wait_for(lambda: line in cloud.log_text(), 5, "charon's report that the tunnel is up, held")
    assert metric(cloud, "vpnd_dataplane_status_held_total") > held
    return t


def test_a_held_status_stays_when_the_tunnel_comes_up(cloud, conn_n):
    t = held_down_then_up(cloud, conn_n)
    assert cloud.sas(t.id), "the tunnel is up in charon"
    assert t.status() == "DOWN"


def test_a_released_hold_takes_the_state_charon_reported(cloud, conn_n):
    t = held_down_then_up(cloud, conn_n)
    assert advance(cloud.server, kind="vpn_connection", project_id=cloud.project, id=t.id) == 1
    t.wait("ACTIVE", 2)
    assert t.log()[-1].startswith("status DOWN -> ACTIVE (hold released; tunnel up"), t.log()


def test_a_project_reset_unloads_its_connections_from_charon(cloud, conn_n):
    t = up(cloud, conn_n)
    assert t.name in charon_conns(cloud.bed, "cloud")
    ctl(cloud.server, "POST", "reset", {"project_id": cloud.project}, want=200)
    wait_for(lambda: t.name not in charon_conns(cloud.bed, "cloud"), 5,
             "charon to unload the connection the reset deleted")
    assert metric(cloud, "vpnd_dataplane_leases_held") == 0
