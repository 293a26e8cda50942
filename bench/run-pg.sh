#!/usr/bin/env bash
# GET and create benchmark on SQLite, on PostgreSQL with one vpnd node, and with two nodes on
# one PostgreSQL database. PostgreSQL is a private cluster (scripts/pg-test-cluster.sh) with its
# durable defaults (fsync on, synchronous_commit on), on a Unix socket, started for this run.
# Usage: bench/run-pg.sh [SECONDS] [CONNECTIONS]   (prints markdown tables)
# Two nodes are driven by two wrk processes at once (each with CONNECTIONS/2); req/s is summed.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}
conns=${2:-64}
if [ -z "${VPND_PG_URL:-}" ]; then
    scripts/setup.sh --bench
    make -s build/rel/vpnd
    VPND_PG_DURABLE=1 exec scripts/pg-test-cluster.sh run -- "$0" "$@"
fi
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
P=0605767dd1000ffd2f5cc0009a2d6d21
GWS=${GWS:-40} # gateways to spread creates over (1000 connections each)

uuid() { cat /proc/sys/kernel/random/uuid; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# start NAME DB: a release vpnd on DB; sets port_NAME
start() {
    build/rel/vpnd serve --listen 127.0.0.1:0 --db "$2" --status-delay 0 --log-level warn \
        --quota-vpn-gateway 100000 --quota-vpn-connection 100000000 \
        >"$work/$1.out" 2>"$work/$1.err" &
    echo $! >"$work/$1.pid"
    for _ in $(seq 200); do grep -q listening "$work/$1.out" && break; sleep 0.05; done
    eval "port_$1=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$work/$1.out")"
}
stop() { kill "$(cat "$work/$1.pid")"; wait "$(cat "$work/$1.pid")" 2>/dev/null || true; rm "$work/$1.pid"; }

# seed PORT: GWS gateways + a customer gateway; writes $work/bodies (one create body per
# gateway) and prints the id of one connection for the GET run
seed() {
    local base="http://127.0.0.1:$1/v5/$P" cgw gw eip
    : >"$work/bodies"
    cgw=$(curl -s -XPOST "$base/customer-gateways" -d '{"customer_gateway":{"id_value":"88.1.1.164"}}' | json '["customer_gateway"]["id"]')
    for _ in $(seq "$GWS"); do
        eip=$(uuid)
        gw=$(curl -s -XPOST "$base/vpn-gateways" -d "{\"vpn_gateway\":{\"flavor\":\"Professional2\",\"vpc_id\":\"$(uuid)\",\"connect_subnet\":\"$(uuid)\",\"local_subnets\":[\"10.0.0.0/24\"],\"eip1\":{\"id\":\"$eip\"},\"eip2\":{\"id\":\"$(uuid)\"}}}" | json '["vpn_gateway"]["id"]')
        echo "{\"vpn_connection\":{\"vgw_id\":\"$gw\",\"vgw_ip\":\"$eip\",\"cgw_id\":\"$cgw\",\"peer_subnets\":[\"192.168.0.0/24\"],\"psk\":\"Abcd1234!x\"}}" >>"$work/bodies"
    done
    sleep 0.3 # the gateways settle to ACTIVE (status delay 0, next engine tick)
    curl -s -XPOST "$base/vpn-connection" -d "$(head -n 1 "$work/bodies")" | json '["vpn_connection"]["id"]'
}

wrk_run() { # URL CONNS [create]: prints req/s p50 p99
    local extra=()
    [ "${3:-}" = create ] && extra=(-s bench/create.lua)
    BODIES="$work/bodies" wrk -t1 -c"$2" -d"${secs}s" --latency "${extra[@]}" "$1" |
        awk '/Requests\/sec/{r=$2} /^ +50%/{p50=$2} /^ +99%/{p99=$2} END{print r, p50, p99}'
}

row() { echo "| $1 | $2 | $3 | $4 | $5 |"; }

created() { curl -s "http://127.0.0.1:$1/v5/$P/vpn/quotas" | json '["quotas"]["resources"]' |
    python3 -c 'import ast,sys; print([r["used"] for r in ast.literal_eval(sys.stdin.read()) if r["type"]=="vpn_connection"][0])'; }

bench_one() { # LABEL DB
    start a "$2"
    local conn url r p50 p99 before after
    conn=$(seed "$port_a")
    url="http://127.0.0.1:$port_a/v5/$P/vpn-connection"
    read -r r p50 p99 < <(wrk_run "$url/$conn" "$conns")
    row "$1, 1 node" "GET" "$r" "$p50" "$p99"
    before=$(created "$port_a")
    read -r r p50 p99 < <(wrk_run "$url" "$conns" create)
    after=$(created "$port_a")
    row "$1, 1 node" "create ($((after - before)) made)" "$r" "$p50" "$p99"
    stop a
}

bench_two() { # LABEL DB
    start a "$2"
    start b "$2"
    local conn half=$((conns / 2)) ra rb before after
    conn=$(seed "$port_a")
    for kind in get create; do
        local ua="http://127.0.0.1:$port_a/v5/$P/vpn-connection" ub="http://127.0.0.1:$port_b/v5/$P/vpn-connection"
        [ "$kind" = get ] && { ua="$ua/$conn"; ub="$ub/$conn"; }
        before=$(created "$port_a")
        wrk_run "$ua" "$half" "$kind" >"$work/wa" &
        local wa=$!
        wrk_run "$ub" "$half" "$kind" >"$work/wb"
        wait "$wa"
        after=$(created "$port_a")
        read -r ra a50 a99 <"$work/wa"
        read -r rb b50 b99 <"$work/wb"
        local label=GET
        [ "$kind" = create ] && label="create ($((after - before)) made)"
        row "$1, 2 nodes" "$label" "$(python3 -c "print('%.2f' % ($ra + $rb))")" "$a50 / $b50" "$a99 / $b99"
    done
    stop a
    stop b
}

echo "| store | request | req/s | p50 | p99 |"
echo "|---|---|---|---|---|"
bench_one "SQLite" "$work/vpnd.db"
bench_one "PostgreSQL" "$VPND_PG_URL&options=-csearch_path%3Dbench1"
bench_two "PostgreSQL" "$VPND_PG_URL&options=-csearch_path%3Dbench2"
echo
echo "$conns connections, ${secs}s each, wrk -t1 (two nodes: two wrk, $((conns / 2)) connections each);"
echo "PostgreSQL $(psql -X -At "$VPND_PG_URL" -c 'show server_version'), fsync=$(psql -X -At "$VPND_PG_URL" -c 'show fsync'), synchronous_commit=$(psql -X -At "$VPND_PG_URL" -c 'show synchronous_commit'); release build"
