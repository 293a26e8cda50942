#!/bin/sh
# scripts/check-layers.sh: the include rule of STYLE.md §2, checked (make check): each module of
# src/ includes only the modules below it. main.c and server.{c,h} put everything together and
# may include any module. Prints every include that breaks the rule; exits 1 if there is one.
set -eu
cd "$(dirname "$0")/.."

# module: the modules it may include (itself always)
allowed() {
    case "$1" in
    util) echo "" ;;
    model) echo "util" ;;
    store) echo "model util" ;;
    auth) echo "util" ;;
    http) echo "util" ;;
    client) echo "util" ;;
    config) echo "model util" ;;
    driver) echo "model util" ;;
    service) echo "store driver model util" ;;
    engine) echo "service driver model util" ;;
    transfer) echo "service model util" ;;
    control) echo "transfer service model util" ;;
    api) echo "control service model auth http util" ;;
    *) echo "?" ;;
    esac
}

bad=0
for dir in src/*/; do
    m=$(basename "$dir")
    ok="$m $(allowed "$m")"
    case "$ok" in *"?"*)
        echo "check-layers: src/$m is not in scripts/check-layers.sh's table" >&2
        bad=1
        continue ;;
    esac
    for f in $(find "$dir" -name '*.[ch]' | sort); do
        for inc in $(sed -n 's/^#include "\([a-z_]*\)\/.*"/\1/p' "$f" | sort -u); do
            case " $ok " in
            *" $inc "*) ;;
            *) echo "check-layers: $f includes $inc/ (src/$m may include: $ok)" >&2; bad=1 ;;
            esac
        done
    done
done
[ "$bad" -eq 0 ] && echo "check-layers: every module includes only the modules below it"
exit "$bad"
