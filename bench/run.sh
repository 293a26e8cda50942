#!/usr/bin/env bash
# GET benchmark: nginx serving the seed-shaped body as a static file vs vpnd answering
# GET vpn-connection/{id} for the same kind of body, same load generator, same run.
# Usage: bench/run.sh [SECONDS] [CONNECTIONS]   (prints a markdown table with ratios)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
conns=${2:-64}
scripts/setup.sh --bench
make -s build/rel/vpnd
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# vpnd with one gateway, customer gateway and POLICY connection (the seed's shape)
build/rel/vpnd serve --listen 127.0.0.1:0 --db "$work/vpnd.db" --status-delay 0 --log-level warn \
    >"$work/vpnd.out" 2>"$work/vpnd.err" &
echo $! >"$work/vpnd.pid"
for _ in $(seq 100); do grep -q listening "$work/vpnd.out" && break; sleep 0.05; done
vport=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$work/vpnd.out")
base="http://127.0.0.1:$vport/v5/0605767dd1000ffd2f5cc0009a2d6d21"
uuid() { cat /proc/sys/kernel/random/uuid; }
eip=$(uuid)
gw=$(curl -s -XPOST "$base/vpn-gateways" -d "{\"vpn_gateway\":{\"vpc_id\":\"$(uuid)\",\"connect_subnet\":\"$(uuid)\",\"local_subnets\":[\"10.0.0.0/24\"],\"eip1\":{\"id\":\"$eip\"},\"eip2\":{\"id\":\"$(uuid)\"}}}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["vpn_gateway"]["id"])')
sleep 0.2
cgw=$(curl -s -XPOST "$base/customer-gateways" -d '{"customer_gateway":{"id_value":"88.1.1.164"}}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["customer_gateway"]["id"])')
conn=$(curl -s -XPOST "$base/vpn-connection" -d "{\"vpn_connection\":{\"name\":\"vpn-1655\",\"vgw_id\":\"$gw\",\"vgw_ip\":\"$eip\",\"cgw_id\":\"$cgw\",\"style\":\"policy\",\"peer_subnets\":[\"192.168.0.0/24\"],\"tunnel_local_address\":\"169.254.56.225/30\",\"tunnel_peer_address\":\"169.254.56.226/30\",\"policy_rules\":[{\"rule_index\":1,\"source\":\"10.0.0.0/24\",\"destination\":[\"192.168.0.0/24\"]}],\"psk\":\"Abcd1234!x\"}}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["vpn_connection"]["id"])')
curl -s "$base/vpn-connection/$conn" >"$work/body.json"
size=$(stat -c %s "$work/body.json")

# nginx, one worker, the same bytes as a static file
nport=$(free_port)
mkdir -p "$work/www"
cp "$work/body.json" "$work/www/conn.json"
cat >"$work/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $work/nginx.pid; error_log $work/nginx.err;
events { worker_connections 1024; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$nport; root $work/www; default_type application/json; } }
CONF
nginx -c "$work/nginx.conf" -e "$work/nginx.err" &
for _ in $(seq 100); do curl -s "http://127.0.0.1:$nport/conn.json" >/dev/null && break; sleep 0.05; done

run() { wrk -t1 -c"$conns" -d"${secs}s" --latency "$1" | awk '/Requests\/sec/{r=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} END{print r, p50, p99}'; }
echo "| target | body bytes | req/s | p50 | p99 | ratio to nginx |"
echo "|---|---|---|---|---|---|"
read -r nr n50 n99 < <(run "http://127.0.0.1:$nport/conn.json")
read -r vr v50 v99 < <(run "$base/vpn-connection/$conn")
echo "| nginx static file | $size | $nr | $n50 | $n99 | 1.00 |"
echo "| vpnd GET vpn-connection | $size | $vr | $v50 | $v99 | $(python3 -c "print('%.2f' % ($vr/$nr))") |"
echo
echo "vpnd RSS: $(ps -o rss= -p "$(cat "$work/vpnd.pid")") KiB; $conns connections, ${secs}s each, wrk -t1"
