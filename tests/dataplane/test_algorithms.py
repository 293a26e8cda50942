"""Every algorithm of the API that the mapping accepts negotiates between two real charons,
and charon reports the algorithm the API named. Ten connections cover each encryption,
integrity and DH value at least once for IKE and for ESP (PFS: checked on a CHILD_SA rekey for
IKEv2, whose first CHILD_SA has no key exchange; IKEv1 Quick Mode uses it at once)."""

import time

import pytest

from dataplane import Conn, updown

# API value -> what list-sas reports (encr-alg, encr-keysize) / integ-alg (/ prf-alg) / dh-group
ENC = {"aes-128": ("AES_CBC", "128"), "aes-192": ("AES_CBC", "192"), "aes-256": ("AES_CBC", "256"),
       "3des": ("3DES_CBC", None), "aes-128-gcm-16": ("AES_GCM_16", "128"),
       "aes-256-gcm-16": ("AES_GCM_16", "256"), "aes-128-gcm-128": ("AES_GCM_16", "128"),
       "aes-256-gcm-128": ("AES_GCM_16", "256")}
INTEG = {"md5": "HMAC_MD5_96", "sha1": "HMAC_SHA1_96", "sha2-256": "HMAC_SHA2_256_128",
         "sha2-384": "HMAC_SHA2_384_192", "sha2-512": "HMAC_SHA2_512_256"}
PRF = {"md5": "PRF_HMAC_MD5", "sha1": "PRF_HMAC_SHA1", "sha2-256": "PRF_HMAC_SHA2_256",
       "sha2-384": "PRF_HMAC_SHA2_384", "sha2-512": "PRF_HMAC_SHA2_512"}
DH = {"group1": "MODP_768", "group2": "MODP_1024", "group5": "MODP_1536",
      "group14": "MODP_2048", "group15": "MODP_3072", "group16": "MODP_4096",
      "group19": "ECP_256", "group20": "ECP_384", "group21": "ECP_521"}

# (ike enc, ike auth, dh group, esp enc, esp auth, pfs, version)
CASES = [
    ("aes-128", "md5", "group1", "aes-128-gcm-16", "sha1", "disable", "v2"),
    ("aes-192", "sha1", "group2", "aes-256-gcm-16", "sha2-256", "group1", "v2"),
    ("aes-256", "sha2-256", "group5", "aes-128-gcm-128", "sha2-384", "group2", "v2"),
    ("3des", "sha2-384", "group14", "aes-256-gcm-128", "sha2-512", "group5", "v2"),
    ("aes-128-gcm-16", "sha2-512", "group15", "aes-192", "md5", "group14", "v2"),
    ("aes-256-gcm-16", "sha2-256", "group16", "3des", "sha2-256", "group15", "v2"),
    ("aes-128-gcm-128", "sha1", "group19", "aes-256", "sha2-384", "group16", "v2"),
    ("aes-256-gcm-128", "sha2-384", "group20", "aes-128", "sha2-512", "group19", "v2"),
    ("aes-256", "sha2-512", "group21", "aes-128", "sha1", "group20", "v1"),
    ("aes-128", "sha2-256", "group14", "aes-256-gcm-16", "sha2-256", "group21", "v1"),
]


def check_alg(sa, enc, integ, prf=None, dh=None):
    want_alg, want_size = ENC[enc]
    assert sa["encr-alg"] == want_alg
    if want_size:
        assert sa["encr-keysize"] == want_size
    if want_alg == "AES_GCM_16":
        assert "integ-alg" not in sa
    else:
        assert sa["integ-alg"] == INTEG[integ]
    if prf:
        assert sa["prf-alg"] == PRF[prf]
    if dh:
        assert sa.get("dh-group") == DH[dh]


def installed(bed, conn):
    ike = bed.sas("cloud", ike=conn.name)[conn.name]
    sas = [sa for sa in ike.get("child-sas", {}).values() if sa["state"] == "INSTALLED"]
    return ike, sas


@pytest.mark.parametrize("case", CASES, ids=["-".join(c[:3] + c[6:]) for c in CASES])
def test_algorithms_negotiate_as_named(bed, watch, conn_n, tmp_path, case):
    ike_enc, ike_auth, dh, esp_enc, esp_auth, pfs, version = case
    conn = Conn(tmp_path, conn_n, ike_version=version,
                ikepolicy={"encryption_algorithm": ike_enc, "authentication_algorithm": ike_auth,
                           "dh_group": dh},
                ipsecpolicy={"encryption_algorithm": esp_enc,
                             "authentication_algorithm": esp_auth, "pfs": pfs})
    mark = watch.mark()
    conn.cloud_load(bed)
    bed.peer_load(conn)
    watch.wait(updown("child-updown", conn.name, True), 10, "CHILD_SA up", since=mark)
    ike, sas = installed(bed, conn)
    check_alg(ike, ike_enc, ike_auth, prf=ike_auth, dh=dh)
    if version == "v2" and pfs != "disable":
        mark = watch.mark()
        bed.swanctl("peer", "--rekey", "--child", "rule1", "--ike", conn.name)
        watch.wait(lambda l: l.get("name") == "child-rekey" and conn.name in l["msg"], 5,
                   "child-rekey", since=mark)
        time.sleep(0.2)
        ike, sas = installed(bed, conn)
    assert len(sas) == 1
    check_alg(sas[0], esp_enc, esp_auth, dh=None if pfs == "disable" else pfs)
    if pfs == "disable":
        assert "dh-group" not in sas[0]
    assert bed.ping("cloud", conn.cloud_host, conn.peer_host, count=1) == 1
