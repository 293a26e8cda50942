#!/bin/sh
# A private, throw-away PostgreSQL cluster for the tests: a data directory and a Unix socket in a
# temporary directory, no TCP port, no system service, trust authentication (only the socket's
# directory permissions guard it). PostgreSQL refuses to run as root, so as root the server runs
# as the "postgres" system user (created by Debian's package), else as "nobody".
#
#   scripts/pg-test-cluster.sh start DIR     initdb + start in DIR (created); prints the URL
#   scripts/pg-test-cluster.sh stop DIR      stops it (the caller removes DIR)
#   scripts/pg-test-cluster.sh run -- CMD..  runs CMD with VPND_PG_URL set: the caller's URL if
#                                            VPND_PG_URL is already set, else a cluster started
#                                            in a temp dir and stopped (and removed) on exit;
#                                            VPND_PG_RESTART then holds a command restarting it
set -eu

pg_bin() {
    if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] || { echo "pg-test-cluster: PostgreSQL not installed (apt-get install postgresql)" >&2; exit 1; }
    echo "$d"
}

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$owner" -- "$@"
    else
        "$@"
    fi
}

pick_owner() {
    owner=$(id -un)
    if [ "$(id -u)" -eq 0 ]; then
        if id postgres >/dev/null 2>&1; then owner=postgres; else owner=nobody; fi
    fi
}

start() {
    dir=$1
    bin=$(pg_bin)
    pick_owner
    mkdir -p "$dir"
    [ "$(id -u)" -ne 0 ] || chown "$owner" "$dir"
    chmod 700 "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U vpnd --auth=trust --encoding=UTF8 --no-sync \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${VPND_PG_DURABLE:-}" != 1 ] || fast=""
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-c listen_addresses= -c unix_socket_directories=$dir $fast \
            -c max_connections=200 -c shared_buffers=32MB" start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h "$dir" -U vpnd vpnd_test
    echo "postgresql://vpnd@/vpnd_test?host=$dir"
}

stop() {
    dir=$1
    bin=$(pg_bin)
    pick_owner
    [ -d "$dir/data" ] || return 0
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
}

case "${1:-}" in
start) start "$2" ;;
stop) stop "$2" ;;
run)
    shift
    [ "${1:-}" = "--" ] && shift
    if [ -n "${VPND_PG_URL:-}" ]; then
        exec "$@"
    fi
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/vpnd-pg-XXXXXX")
    chmod 711 "$tmp" # the server's user must reach its directory inside
    child=""
    trap 'stop "$tmp/c"; rm -rf "$tmp"' EXIT
    trap '[ -z "$child" ] || kill "$child" 2>/dev/null; exit 143' INT TERM
    VPND_PG_URL=$(start "$tmp/c")
    pick_owner
    # how a test restarts the server (tests/api/test_multinode.py)
    VPND_PG_RESTART="$(pg_bin)/pg_ctl -D $tmp/c/data -l $tmp/c/server.log -w -t 30 -m fast restart"
    [ "$(id -u)" -ne 0 ] || VPND_PG_RESTART="runuser -u $owner -- $VPND_PG_RESTART"
    export VPND_PG_URL VPND_PG_RESTART
    "$@" </dev/null &
    child=$!
    rc=0
    wait "$child" || rc=$?
    exit "$rc"
    ;;
*)
    echo "usage: $0 start DIR | stop DIR | run -- CMD..." >&2
    exit 2
    ;;
esac
