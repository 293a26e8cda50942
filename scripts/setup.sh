#!/bin/sh
# Installs the Debian packages vpnd needs that are missing. With --test, also what the tests
# need. Quiet and fast when everything is already there.
set -eu

pkgs="build-essential pkg-config libhttp-parser-dev libjansson-dev libsqlite3-dev libssl-dev libpq-dev libsystemd-dev libzstd-dev"
if [ "${1:-}" = "--test" ]; then
    pkgs="$pkgs libcmocka-dev python3 python3-pytest postgresql"
    # the package test (dpkg-buildpackage, lintian, systemd-analyze), man page lint, the
    # README's quick start (curl, jq)
    pkgs="$pkgs debhelper lintian systemd mandoc groff-base curl jq"
    # store migration tests write an older schema's rows with the sqlite3 shell; the compact
    # test turns compressed rows back into an older vpnd's plain ones with the zstd CLI
    pkgs="$pkgs sqlite3 zstd"
    # the data-plane suite (tests/dataplane): charon with user-space ESP, swanctl, the openssl
    # and gcm plugins (AES-GCM, ECP groups), namespaces and ping
    pkgs="$pkgs strongswan-charon strongswan-swanctl libcharon-extra-plugins"
    pkgs="$pkgs libstrongswan-standard-plugins iproute2 iputils-ping"
    # the metrics test scrapes vpnd with a real Prometheus (started by the test on loopback);
    # the TLS tests make a private CA with the openssl CLI
    pkgs="$pkgs prometheus openssl"
    # the SDK black-box tests need Node.js; a machine that already has node keeps its own
    command -v node >/dev/null 2>&1 || pkgs="$pkgs nodejs npm"
fi
# make fuzz: clang with libFuzzer and the sanitizer runtimes (make check does not need them)
if [ "${1:-}" = "--fuzz" ]; then
    pkgs="$pkgs clang libclang-rt-14-dev"
fi
if [ "${1:-}" = "--bench" ]; then
    # bench/callgrind.py: instructions per request; gnuplot: the curve's PNG (bench/plot.sh)
    pkgs="$pkgs wrk nginx-light valgrind gnuplot-nox"
fi

# Test tools from npm, each into its own test directory (npm ci from the committed lock file):
# the official Node.js SDK core for the black-box signing tests (tests/sdk), ajv and
# @redocly/cli for the OpenAPI document (tests/openapi).
sdk_deps() {
    [ "${1:-}" = "--test" ] || return 0
    top="$(dirname "$0")/.."
    for pair in "sdk:@huaweicloud/huaweicloud-sdk-core" "openapi:@redocly/cli"; do
        dir="$top/tests/${pair%%:*}"
        [ -d "$dir/node_modules/${pair#*:}" ] && continue
        echo "setup: installing test tools in tests/${pair%%:*} (npm ci)" >&2
        (cd "$dir" && npm ci --no-audit --no-fund --silent >&2)
    done
}

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
if [ -z "$missing" ]; then
    sdk_deps "${1:-}"
    exit 0
fi

echo "setup: installing$missing" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >&2
sdk_deps "${1:-}"
