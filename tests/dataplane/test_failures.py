"""Negotiation failures between real charons and the exact charon log texts that name their
causes (the next step maps them to "authentication failed", "no proposal chosen", ...). Texts
were recorded with strongSwan 5.9.8 (Debian 12); docs/strongswan-mapping.md lists them.

A failure the customer initiates is logged by the cloud under an unnamed IKE_SA: it is matched
to the connection through the customer's address ("<addr> is initiating an IKE_SA") and the
IKE_SA's unique id."""

import time

from dataplane import Conn, tool, updown


def initiate(bed, conn, child="rule1"):
    """initiate through the client with the control-log stream: (success, errmsg, log texts)."""
    code, lines, _ = tool("call", bed.uri("cloud"), "initiate", "--stream", "control-log",
                          "child=" + child, "ike=" + conn.name, "timeout=10000", check=False)
    reply = [l for l in lines if l["kind"] == "reply"][0]["msg"]
    logs = [l["msg"]["msg"] for l in lines if l["kind"] == "stream"]
    return reply.get("success") == "yes", reply.get("errmsg", ""), logs


def unnamed_logs(watch, since, peer_addr, timeout=5):
    """Log texts of the unnamed IKE_SA a customer at peer_addr started after index since."""
    first = watch.wait(lambda l: l.get("name") == "log" and l["msg"].get("msg", "").startswith(
        peer_addr + " is initiating"), timeout, "an IKE_SA from " + peer_addr, since=since)
    uid = first["msg"].get("ikesa-uniqueid")
    time.sleep(0.3)
    return [l["msg"]["msg"] for l in watch.lines[since:]
            if l.get("name") == "log" and l["msg"].get("ikesa-uniqueid") == uid]


def cloud_and_other_customer(bed, tmp_path, n, **customer_changes):
    """Loads connection n on the cloud side; returns it and a customer variant (not loaded)
    whose create body differs by customer_changes."""
    conn = Conn(tmp_path, n)
    conn.cloud_load(bed)
    return conn, conn.variant(**customer_changes)


def test_wrong_psk_from_the_customer_is_logged_as_mac_mismatch(bed, watch, conn_n, tmp_path):
    conn, customer = cloud_and_other_customer(bed, tmp_path, conn_n, psk="Other-psk-4567")
    mark = watch.mark()
    bed.peer_load(customer)
    msg = "tried 1 shared key for '198.18.1.1' - '%s', but MAC mismatched" % conn.cgw_ip
    watch.wait(lambda l: l.get("name") == "log" and l["msg"]["msg"] == msg and
               l["msg"].get("ikesa-name") == conn.name, 5, msg, since=mark)
    bed.peer_unload(customer)


def test_wrong_psk_at_the_customer_fails_a_cloud_initiate_with_authentication_failed(
        bed, watch, conn_n, tmp_path):
    conn, customer = cloud_and_other_customer(bed, tmp_path, conn_n, psk="Other-psk-4567")
    bed.peer_load(customer)
    ok, errmsg, logs = initiate(bed, conn)
    assert not ok
    assert errmsg == "establishing CHILD_SA 'rule1' failed"
    assert "received AUTHENTICATION_FAILED notify error" in logs
    bed.peer_unload(customer)


def test_psk_fixed_on_the_cloud_side_brings_the_tunnel_up_after_an_initiate(
        bed, watch, conn_n, tmp_path):
    conn, customer = cloud_and_other_customer(bed, tmp_path, conn_n, psk="Other-psk-4567")
    bed.peer_load(customer)
    mark = watch.mark()
    fixed = conn.variant(psk="Other-psk-4567")
    fixed.cloud_load(bed)  # load-shared replaces the key; the unchanged conn is not restarted
    ok, errmsg, _ = initiate(bed, fixed)
    assert ok, errmsg
    watch.wait(updown("child-updown", conn.name, True), 5, "CHILD_SA up", since=mark)
    assert bed.ping("cloud", conn.cloud_host, conn.peer_host) == 3


def test_ike_proposal_mismatch_from_the_customer_is_logged_as_proposals_unacceptable(
        bed, watch, conn_n, tmp_path):
    conn, customer = cloud_and_other_customer(bed, tmp_path, conn_n,
                                              ikepolicy={"encryption_algorithm": "aes-256"})
    mark = watch.mark()
    bed.peer_load(customer)
    logs = unnamed_logs(watch, mark, conn.cgw_ip)
    assert "received proposals: IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_3072" \
        in logs
    assert "configured proposals: IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_3072" \
        in logs
    assert "received proposals unacceptable" in logs
    bed.peer_unload(customer)


def test_ike_proposal_mismatch_fails_a_cloud_initiate_with_no_proposal_chosen(
        bed, watch, conn_n, tmp_path):
    conn = Conn(tmp_path, conn_n, ikepolicy={"dh_group": "group14"})
    customer = conn.variant(ikepolicy={"dh_group": "group19"})
    conn.cloud_load(bed)
    bed.peer_load(customer)
    ok, errmsg, logs = initiate(bed, conn)
    assert not ok
    assert "received NO_PROPOSAL_CHOSEN notify error" in logs
    bed.peer_unload(customer)


def test_esp_proposal_mismatch_keeps_the_ike_sa_and_fails_the_child(bed, watch, conn_n,
                                                                    tmp_path):
    conn, customer = cloud_and_other_customer(bed, tmp_path, conn_n,
                                              ipsecpolicy={"encryption_algorithm": "aes-256"})
    mark = watch.mark()
    bed.peer_load(customer)
    watch.wait(updown("ike-updown", conn.name, True), 5, "IKE_SA up", since=mark)
    msg = "failed to establish CHILD_SA, keeping IKE_SA"
    watch.wait(lambda l: l.get("name") == "log" and l["msg"]["msg"] == msg, 5, msg, since=mark)
    logs = watch.logs(mark, ike=conn.name)
    assert "no acceptable proposal found" in logs
    assert [l for l in watch.lines[mark:] if updown("child-updown", conn.name, True)(l)] == []
    bed.peer_unload(customer)


def test_unreachable_customer_is_logged_as_giving_up_after_retransmits(bed, watch, conn_n,
                                                                       tmp_path):
    conn = Conn(tmp_path, conn_n)
    conn.spec["cgw"]["customer_gateway"]["id_value"] = "198.18.2.1"  # nobody there
    conn.spec["conn"]["vpn_connection"]["ikepolicy"]["peer_id"] = "198.18.2.1"
    conn.write()
    mark = watch.mark()
    conn.cloud_load(bed)
    # 3 sends 2 s apart (bed.sh: retransmit_timeout 2, base 1, tries 2), then a new attempt
    watch.wait(lambda l: l.get("name") == "log" and
               l["msg"]["msg"] == "giving up after 2 retransmits", 10, "giving up", since=mark)
    watch.wait(lambda l: l.get("name") == "log" and
               l["msg"]["msg"].startswith("peer not responding, trying again (2/0)"), 2,
               "a new attempt (keyingtries 0: forever)", since=mark)
    conn.cloud_unload(bed)
