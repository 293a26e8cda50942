"""Group commit (both stores; README "Durability"): the writes of one event-loop turn share one commit
and their answers are held until it. What that must never change: a create acknowledged (201)
survives a kill -9 at any moment, also while many clients create at once; a create refused
inside the store among concurrent ones fails alone and the others are kept; an acknowledged
create is read back at once. With --store-sync full (the WAL synced before the answer) the same
holds; that it also survives power loss is SQLite's synchronous=FULL, not tested here. On
PostgreSQL (make check-pg) the group is one transaction with a savepoint per write: the same
holds (two nodes: test_multinode.py)."""
import signal
import threading

from test_racing_slots import race
from conftest import POOL_ARGS
from vpnd_api import (Server, active_gateways, assert_error, batch_path, conn_body, conn_path,
                      create_cgw, gateway_body, get_gateway, send)

CLIENTS = 16


def kill_9(server):
    server.send_signal(signal.SIGKILL)
    server.proc.wait(timeout=30)
    server.proc = None


def listed_ids(server, project):
    ids, marker = set(), ""
    while True:
        page = server.request("GET", conn_path(project) + "?limit=2000" + marker).json
        ids.update(c["id"] for c in page["vpn_connections"])
        nxt = page.get("page_info", {}).get("next_marker")
        if not nxt or not page["vpn_connections"]:
            return ids
        marker = "&marker=" + nxt


def create_until(server, project, gws, cgw, acked, stop, i):
    """Creates on one keep-alive connection until stop is set; records every 201's id."""
    conn = server.connection()
    n = 0
    try:
        while not stop.is_set():
            gw = gws[(i + n) % len(gws)]
            r = send(conn, "POST", conn_path(project),
                     conn_body(gw, cgw, eip="eip1" if n % 2 else "eip2"))
            n += 1
            if r.status == 201:
                acked.append(r.json["vpn_connection"]["id"])
    except OSError:
        pass  # the server was killed under this request: it was never acknowledged
    finally:
        conn.close()


def run_clients(fn, n, timeout=60):
    """Runs fn(i) for i in range(n), each on its own thread, and waits for them all."""
    threads = [threading.Thread(target=fn, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)


def kill_9_under_concurrent_creates(server, project):
    """Kills server with SIGKILL while CLIENTS create; returns the acknowledged ids lost."""
    gws = active_gateways(server, project, [gateway_body() for _ in range(4)])
    cgw = create_cgw(server, project)
    acked, stop = [], threading.Event()
    threads = [threading.Thread(target=create_until,
                                args=(server, project, gws, cgw, acked, stop, i))
               for i in range(CLIENTS)]
    for t in threads:
        t.start()
    while len(acked) < 300 and all(t.is_alive() for t in threads):
        threading.Event().wait(0.005)  # polling the acknowledgments, not a timing guess
    kill_9(server)  # mid-stream: creates are in flight on every connection
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acked) >= 300, "the clients stopped early"
    server.start()
    return sorted(set(acked) - listed_ids(server, project))


def test_every_create_acknowledged_to_concurrent_clients_survives_kill_9(fresh_server, project):
    lost = kill_9_under_concurrent_creates(fresh_server, project)
    assert not lost, "%d acknowledged creates lost by kill -9: %s" % (len(lost), lost[:5])


def test_with_store_sync_full_every_acknowledged_create_survives_kill_9(vpnd_bin, tmp_path,
                                                                        project):
    server = Server(vpnd_bin, str(tmp_path), POOL_ARGS + ["--store-sync", "full"]).start()
    try:
        lost = kill_9_under_concurrent_creates(server, project)
        assert not lost, "%d acknowledged creates lost by kill -9: %s" % (len(lost), lost[:5])
    finally:
        server.stop()


def test_a_create_refused_inside_the_store_among_concurrent_ones_fails_alone(fresh_server,
                                                                              project):
    (gw,) = active_gateways(fresh_server, project, [gateway_body(flavor="Basic")])
    cgw = create_cgw(fresh_server, project)
    body = conn_body(gw, cgw)["vpn_connection"]
    for _ in range(48):  # 96 of the gateway's 100 slots
        r = fresh_server.request("POST", batch_path(project), {"vpn_connections": [body] * 2})
        assert r.status == 201, r.raw
    path = conn_path(project)
    results = race(fresh_server, [("POST", path, conn_body(gw, cgw)) for _ in range(7)])
    won = [r.json["vpn_connection"]["id"] for r in results if r.status == 201]
    lost = [r for r in results if r.status != 201]
    assert len(won) == 4 and len(lost) == 3, [r.raw for r in results]
    for r in lost:
        assert "has no free connection capacity" in assert_error(r, 400, "VPN.0001"), r.raw
    kill_9(fresh_server)
    fresh_server.start()
    kept = listed_ids(fresh_server, project)
    assert set(won) <= kept and len(kept) == 100, (len(kept), won)
    assert get_gateway(fresh_server, project, gw["id"])["used_connection_number"] == 100


def test_a_create_acknowledged_among_concurrent_writes_is_read_back_at_once(fresh_server,
                                                                            project):
    gws = active_gateways(fresh_server, project, [gateway_body() for _ in range(2)])
    cgw = create_cgw(fresh_server, project)
    errors = []

    def create_then_read(i):
        conn = fresh_server.connection()
        try:
            for n in range(20):
                r = send(conn, "POST", conn_path(project), conn_body(gws[(i + n) % 2], cgw))
                if r.status != 201:
                    errors.append(r.raw)
                    continue
                cid = r.json["vpn_connection"]["id"]
                g = send(conn, "GET", conn_path(project, cid))
                if g.status != 200 or g.json["vpn_connection"]["id"] != cid:
                    errors.append(g.raw)
        finally:
            conn.close()

    run_clients(create_then_read, CLIENTS)
    assert not errors, errors[:3]
