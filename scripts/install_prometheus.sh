#!/usr/bin/env bash
# Install Debian's `prometheus` package (prometheus + promtool) when missing; idempotent.
# Prints the directory holding the binaries. Used by tests/integration/test_prometheus.py.
set -euo pipefail

find_bin() {
    for d in /usr/bin /usr/local/bin; do
        if [ -x "$d/promtool" ] && [ -x "$d/prometheus" ]; then echo "$d"; return 0; fi
    done
    return 1
}

if find_bin; then exit 0; fi
echo "install_prometheus: prometheus/promtool not found; installing from apt" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install_prometheus: need root or sudo for apt-get" >&2; exit 3; }
    sudo="sudo"
fi
# No service is wanted (tests start their own server on loopback): keep the package's
# init scripts from starting one during the install.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then $sudo rm -f "$policy"; fi; }
trap cleanup EXIT
if ! apt-cache show prometheus >/dev/null 2>&1; then
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
fi
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >&2 \
    || { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
         $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >&2; }
find_bin || { echo "install_prometheus: installed, but promtool/prometheus are not on /usr/bin" >&2; exit 3; }
