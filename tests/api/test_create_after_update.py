"""A connection create checks the gateway as it is now: the parsed gateway a create reuses is
the one of the same stored spec (api/spec_cache.c), so an update of the gateway between two
creates, or creates over more gateways than the cache holds, never meet a stale gateway."""
from vpnd_api import (active_gateways, assert_invalid, conn_body, create_cgw, create_conn,
                      gateway_body, gw_path, new_project, wait_gateway_active)


def test_a_create_after_a_local_subnets_update_is_checked_against_the_new_subnets(server,
                                                                                  project):
    (gw,) = active_gateways(server, project, [gateway_body()])
    cgw = create_cgw(server, project)
    create_conn(server, project, conn_body(gw, cgw, peer_subnets=["172.16.0.0/24"]))
    r = server.request("PUT", gw_path(project, gw["id"]),
                       {"vpn_gateway": {"local_subnets": ["192.168.0.0/16"]}})
    assert r.status == 200, r.raw
    wait_gateway_active(server, project, gw["id"])
    r = server.request("POST", "/v5/%s/vpn-connection" % project,
                       conn_body(gw, cgw, peer_subnets=["192.168.0.0/24"]))
    assert_invalid(r, "vpn_connection.peer_subnets[0]",
                   "must not overlap gateway local subnet 192.168.0.0/16")
    # and a subnet clear of the new ones is accepted
    create_conn(server, project, conn_body(gw, cgw, peer_subnets=["10.0.0.0/24"]))


def test_creates_over_more_gateways_than_are_kept_parsed_each_bind_their_own(server, project):
    # more than SPEC_CACHE_SLOTS (64) gateways and customer gateways, over two projects (the
    # gateway quota is 50 per project)
    pairs = []
    for p in (project, new_project()):
        gws = active_gateways(server, p, [gateway_body(flavor="Basic") for _ in range(35)], timeout=30)
        pairs += [(p, gw, create_cgw(server, p, id_value="88.1.%d.%d" % (len(pairs), i)))
                  for i, gw in enumerate(gws)]
    for rnd in range(2):
        for p, gw, cgw in pairs:
            c = create_conn(server, p, conn_body(gw, cgw))
            assert c["vgw_id"] == gw["id"] and c["cgw_id"] == cgw["id"]
            # copied at bind: the local id from the gateway's eip1, the peer id from the CGW
            assert c["ikepolicy"]["local_id"] == gw["eip1"]["ip_address"], (rnd, c, gw)
            assert c["ikepolicy"]["peer_id"] == cgw["id_value"], (rnd, c, cgw)
