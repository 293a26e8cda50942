#!/usr/bin/env bash
# The vpnd benchmark in one command (see bench/README.md):
#   bench/run.sh [--sizes 1k,100k,1m] [--duration SECONDS] [--json FILE] [--keep] ...
# Installs wrk and nginx if missing (scripts/setup.sh --bench), builds the release binary, then
# runs bench/bench.py: nginx and vpnd pinned to CPU 0, wrk to CPU 1 (--server-cpu/--client-cpu).
# Prints a markdown table on stdout; writes JSON to bench/results/latest.json by default.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --bench
make -s build/rel/vpnd build/rel/pread_probe
if [ "$(nproc)" -lt 2 ]; then
    echo "bench: needs 2 CPUs (server and load generator pinned apart)" >&2
    exit 1
fi
exec python3 bench/bench.py "$@"
