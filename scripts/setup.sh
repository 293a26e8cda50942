#!/bin/sh
# Installs the Debian packages vpnd needs that are missing. With --test, also what the tests
# need. Quiet and fast when everything is already there.
set -eu

pkgs="build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libssl-dev"
if [ "${1:-}" = "--test" ]; then
    pkgs="$pkgs libcmocka-dev python3 python3-pytest"
fi
if [ "${1:-}" = "--bench" ]; then
    pkgs="$pkgs wrk nginx-light"
fi

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "setup: installing$missing" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >&2
