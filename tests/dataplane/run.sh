#!/bin/sh
# tests/dataplane/run.sh: the data-plane suite (make check-dataplane). Each test module runs in
# its own pytest process with its own test bed (bed.sh), all modules at once: most of the wall
# time is waiting for charon timers (DPD), not CPU. Prints each module's report, then the wall
# time. Skipped with one line where network namespaces cannot be created.
set -u
cd "$(dirname "$0")/../.."
if ! tests/dataplane/bed.sh probe; then
    echo "check-dataplane: SKIPPED, cannot create network namespaces here (needs root and CONFIG_NET_NS)"
    exit 0
fi
out=$(mktemp -d /tmp/vpnd-dataplane.XXXXXX)
t0=$(date +%s)
jobs=""
for f in tests/dataplane/test_*.py; do
    n=$(basename "$f" .py)
    /usr/bin/python3 -m pytest -q -p no:cacheprovider "$f" >"$out/$n.log" 2>&1 &
    jobs="$jobs $!:$n"
done
rc=0
for j in $jobs; do
    pid=${j%%:*}
    n=${j#*:}
    if wait "$pid"; then
        echo "# tests/dataplane/$n.py: $(tail -n 1 "$out/$n.log")"
    else
        echo "# tests/dataplane/$n.py: FAILED"
        cat "$out/$n.log"
        rc=1
    fi
done
echo "check-dataplane: wall time $(($(date +%s) - t0)) s"
rm -rf "$out"
exit $rc
