#!/usr/bin/env python3
"""Writes N seed-shaped POLICY connections (plus the gateways and customer gateways they use) as
`vpnd import` records (JSON lines) to stdout, and optionally their ids to a file.

Usage: bench/gen.py N [--project ID] [--ids FILE] [--seed S] [--spare K --spare-file FILE]

--spare K adds K empty gateways (each with its own customer gateway) for create benchmarks and
writes "vgw_id eip_id cgw_id" lines for them to --spare-file.

Gateways are Professional2 (1000 connections each); each has its own customer gateway. Ids are
random UUIDs (so GETs spread over the whole index), tunnel /30s are numbered per gateway.
"""
import argparse
import random
import sys
import uuid

PER_GATEWAY = 1000
PROJECT = "0605767dd1000ffd2f5cc0009a2d6d21"


def rand_uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def tunnel(i):
    """The i-th /30 of 169.254.0.0/16 (i < 1000: third octet stays below 195)."""
    base = i * 4
    net = (base >> 8, base & 255)
    return ("169.254.%d.%d/30" % (net[0], net[1] + 1), "169.254.%d.%d/30" % (net[0], net[1] + 2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("--project", default=PROJECT)
    ap.add_argument("--ids")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--spare", type=int, default=0)
    ap.add_argument("--spare-file")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = sys.stdout
    ids = open(a.ids, "w") if a.ids else None
    gw_head = '{"project_id":"%s","vpn_gateway":{"id":"%s","name":"vpngw-%d","vpc_id":"%s",' \
              '"connect_subnet":"%s","local_subnets":["10.0.0.0/24"],"flavor":"Professional2",' \
              '"eip1":{"id":"%s"},"eip2":{"id":"%s"}}}\n'
    cgw_line = '{"project_id":"%s","customer_gateway":{"id":"%s","name":"cgw-%d",' \
               '"id_value":"88.%d.%d.164"}}\n'
    conn_line = ('{"project_id":"%s","vpn_connection":{"id":"%%s","name":"vpn-%%d","vgw_id":"%s",'
                 '"vgw_ip":"%s","cgw_id":"%s","style":"POLICY","peer_subnets":["192.168.0.0/24"],'
                 '"tunnel_local_address":"%%s","tunnel_peer_address":"%%s","policy_rules":'
                 '[{"rule_index":1,"source":"10.0.0.0/24","destination":["192.168.0.0/24"]}],'
                 '"psk":"Abcd1234!x"}}\n')
    done = 0
    g = 0
    while done < a.n:
        gw, eip1, eip2, cgw = (rand_uuid(rng) for _ in range(4))
        out.write(gw_head % (a.project, gw, g, rand_uuid(rng), rand_uuid(rng), eip1, eip2))
        out.write(cgw_line % (a.project, cgw, g, (g >> 8) & 255, g & 255))
        tmpl = conn_line % (a.project, gw, eip1, cgw)
        batch = []
        idb = []
        for i in range(min(PER_GATEWAY, a.n - done)):
            cid = rand_uuid(rng)
            local, peer = tunnel(i)
            batch.append(tmpl % (cid, done + i, local, peer))
            idb.append(cid)
        out.write("".join(batch))
        if ids:
            ids.write("\n".join(idb) + "\n")
        done += len(batch)
        g += 1
    if ids:
        ids.close()
    spare = open(a.spare_file, "w") if a.spare_file else None
    for k in range(a.spare):
        gw, eip1, eip2, cgw = (rand_uuid(rng) for _ in range(4))
        out.write(gw_head % (a.project, gw, g + k, rand_uuid(rng), rand_uuid(rng), eip1, eip2))
        out.write(cgw_line % (a.project, cgw, g + k, 200 + ((g + k) >> 8) % 50, (g + k) & 255))
        if spare:
            spare.write("%s %s %s\n" % (gw, eip1, cgw))
    if spare:
        spare.close()


if __name__ == "__main__":
    main()
