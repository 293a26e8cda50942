"""vpnd with the strongSwan driver, through its API only: connections created, used, rekeyed,
reset and deleted against a real customer charon configured only from the exported
swanctl.conf. Each test is one behaviour; the module shares one bed and one vpnd."""

import subprocess
import time

import pytest

from dataplane import BED
from vpnd_plane import Tunnel, charon_conns, charon_keys, up



def test_a_connection_is_active_within_5_s_of_the_customer_loading_its_export(cloud, conn_n):
    t = Tunnel(cloud, conn_n)
    t.peer_load()
    assert t.wait("ACTIVE", 5) < 5
    log = t.log()
    assert log[0] == "status PENDING_CREATE (created)"
    assert log[-1].startswith("status DOWN -> ACTIVE (tunnel up"), log


def test_pending_create_lasts_until_charon_accepted_the_configuration(cloud, conn_n):
    t = Tunnel(cloud, conn_n)
    t.wait("DOWN", 5)
    settled = [l for l in t.log() if l.startswith("status PENDING_CREATE -> DOWN")]
    # what charon said since (its own initiation meets a customer without a configuration)
    # may follow the semicolon
    assert len(settled) == 1 and settled[0].startswith(
        "status PENDING_CREATE -> DOWN (configuration loaded into the data plane; "), settled
    assert t.name in charon_conns(cloud.bed, "cloud")


def test_a_ping_crosses_the_tunnel_and_ipsec_sa_counts_it(cloud, conn_n):
    t = up(cloud, conn_n)
    before = cloud.sas(t.id)
    assert [(s["source_ip_cidr"], s["dest_ip_cidr"]) for s in before] == [
        ("198.19.%d.0/24" % conn_n, "198.19.%d.0/24" % (100 + conn_n))]
    assert t.ping(5) == 5
    after = cloud.sas(t.id)[0]
    assert after["packets_sent"] - before[0]["packets_sent"] >= 5
    assert after["packets_recv"] - before[0]["packets_recv"] >= 5
    assert after["traffic_sent"] > before[0]["traffic_sent"]


def test_ipsec_sa_of_a_connection_that_is_down_lists_no_sa(cloud, conn_n):
    t = Tunnel(cloud, conn_n)
    t.wait("DOWN", 5)
    assert cloud.sas(t.id) == []


@pytest.mark.parametrize("side", ["peer", "cloud"])
def test_a_child_rekey_keeps_the_status_and_writes_nothing_to_the_log(cloud, conn_n, side):
    t = up(cloud, conn_n)
    log = t.log()
    ping = subprocess.Popen([BED, "exec", cloud.bed.dir, "cloud", "ping", "-n", "-q", "-c", "20",
                             "-i", "0.05", "-I", t.cloud_host, t.peer_host],
                            stdout=subprocess.PIPE, text=True)
    time.sleep(0.3)
    cloud.bed.swanctl(side, "--rekey", "--child", "rule1", "--ike", t.name)
    out, _ = ping.communicate(timeout=20)
    assert " 20 received" in out, out
    time.sleep(1)  # past the driver's grace before a down report (0.5 s)
    assert t.status() == "ACTIVE"
    assert t.log() == log


def test_an_ike_rekey_keeps_the_status_and_writes_nothing_to_the_log(cloud, conn_n):
    t = up(cloud, conn_n)
    log = t.log()
    cloud.bed.swanctl("peer", "--rekey", "--ike", t.name)
    time.sleep(1.5)
    assert t.status() == "ACTIVE"
    assert t.log() == log
    assert t.ping() == 3


@pytest.mark.parametrize("style,version", [("POLICY", "v1"), ("STATIC", "v2"), ("STATIC", "v1"),
                                           ("BGP", "v2")])
def test_every_style_and_ike_version_comes_up_and_carries_packets(cloud, conn_n, style, version):
    t = up(cloud, conn_n, style=style, ike_version=version)
    assert t.ping() == 3


def test_a_put_that_changes_the_esp_proposal_renegotiates_and_ends_active(cloud, conn_n):
    t = up(cloud, conn_n)
    cloud.update(t.id, **{"ipsecpolicy.encryption_algorithm": "aes-256"})
    t.peer_load()  # the customer follows the new export
    t.wait("ACTIVE", 5)
    assert t.ping() == 3
    assert any(l.startswith("status PENDING_UPDATE -> ") for l in t.log())


def test_reset_renegotiates_the_tunnel(cloud, conn_n):
    t = up(cloud, conn_n)
    before = cloud.bed.sas("cloud", ike=t.name)[t.name]["uniqueid"]
    r = cloud.request("POST", cloud.conn_path(t.id) + "/reset")
    assert r.status == 200, r.raw
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        sa = cloud.bed.sas("cloud", ike=t.name).get(t.name)
        if sa and sa["uniqueid"] != before and sa["state"] == "ESTABLISHED":
            break
        time.sleep(0.05)
    else:
        raise AssertionError("no new IKE SA after reset")
    t.wait("ACTIVE", 5)
    assert t.ping() == 3


def test_delete_leaves_nothing_in_charon_before_the_row_goes(cloud, conn_n):
    t = up(cloud, conn_n)
    cloud.delete(t.id)
    deadline = time.monotonic() + 5
    while cloud.request("GET", cloud.conn_path(t.id)).status != 404:
        assert time.monotonic() < deadline, "still there"
        # while the row exists charon may hold it; once it is gone charon must not
        time.sleep(0.02)
    assert t.name not in charon_conns(cloud.bed, "cloud")
    assert t.name not in charon_keys(cloud.bed, "cloud")
    assert t.name not in cloud.bed.sas("cloud")
