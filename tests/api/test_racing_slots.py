"""Gateway capacity is exact under concurrency: two creates racing for the last free slot of a
gateway, each on its own HTTP connection, give exactly one 201 and one 400 VPN.0001 naming the
capacity, and used_connection_number equals the number of connections afterwards."""
import threading

from vpnd_api import (active_gateways, assert_error, batch_path, conn_body, conn_path,
                      create_cgw, gateway_body, get_gateway, send)

BASIC_CAPACITY = 100  # connection_number of a Basic gateway (model/vgw_flavor.c)
ROUNDS = 3


def fill_to_one_free_slot(server, project, gw, cgw):
    left = BASIC_CAPACITY - 1
    while left > 0:
        k = min(left, 2)
        r = server.request("POST", batch_path(project),
                           {"vpn_connections": [conn_body(gw, cgw)["vpn_connection"]] * k})
        assert r.status == 201, r.raw
        left -= k


def race(server, bodies):
    """Sends each (method, path, body) on its own connection, all released at once."""
    conns = [server.connection() for _ in bodies]
    for c in conns:
        c.connect()  # connected before the start line, so only the requests race
    start = threading.Barrier(len(bodies))
    results = [None] * len(bodies)

    def run(i):
        method, path, body = bodies[i]
        start.wait(timeout=10)
        results[i] = send(conns[i], method, path, body)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    for c in conns:
        c.close()
    assert all(r is not None for r in results), "a racing request did not finish"
    return results


def test_two_creates_for_the_last_slot_give_one_201_and_one_capacity_error(server, project):
    for _ in range(ROUNDS):
        (gw,) = active_gateways(server, project, [gateway_body(flavor="Basic")])
        cgw = create_cgw(server, project)
        fill_to_one_free_slot(server, project, gw, cgw)
        path = conn_path(project)
        results = race(server, [("POST", path, conn_body(gw, cgw)),
                                ("POST", path, conn_body(gw, cgw, eip="eip2"))])
        statuses = sorted(r.status for r in results)
        assert statuses == [201, 400], [r.raw for r in results]
        loser = next(r for r in results if r.status == 400)
        msg = assert_error(loser, 400, "VPN.0001")
        assert "has no free connection capacity" in msg and gw["id"] in msg, msg
        listed = server.request("GET", conn_path(project) + "?vgw_id=" + gw["id"]).json
        assert listed["total_count"] == BASIC_CAPACITY
        used = get_gateway(server, project, gw["id"])["used_connection_number"]
        assert used == listed["total_count"]


def test_a_single_create_racing_a_batch_for_the_last_slot_leaves_the_count_exact(server, project):
    (gw,) = active_gateways(server, project, [gateway_body(flavor="Basic")])
    cgw = create_cgw(server, project)
    fill_to_one_free_slot(server, project, gw, cgw)
    element = conn_body(gw, cgw)["vpn_connection"]
    results = race(server, [("POST", conn_path(project), conn_body(gw, cgw)),
                            ("POST", batch_path(project), {"vpn_connections": [element]})])
    assert sorted(r.status for r in results) == [201, 400], [r.raw for r in results]
    listed = server.request("GET", conn_path(project) + "?vgw_id=" + gw["id"]).json
    assert listed["total_count"] == BASIC_CAPACITY
    assert get_gateway(server, project, gw["id"])["used_connection_number"] == BASIC_CAPACITY
