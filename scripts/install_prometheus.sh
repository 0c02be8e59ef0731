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
"$(dirname "$0")/apt_install.sh" prometheus
find_bin || { echo "install_prometheus: installed, but promtool/prometheus are not on /usr/bin" >&2; exit 3; }
