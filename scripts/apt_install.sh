#!/usr/bin/env bash
# apt-get install PACKAGE... without starting their system services (tests and run scripts
# start their own servers on loopback). Used by install_prometheus.sh and install_cluster.sh.
set -euo pipefail
[ "$#" -gt 0 ] || { echo "usage: scripts/apt_install.sh PACKAGE..." >&2; exit 2; }
sudo=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "apt_install: need root or sudo for apt-get" >&2; exit 3; }
    sudo="sudo"
fi
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then $sudo rm -f "$policy"; fi; }
trap cleanup EXIT
apt() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get "$@" >&2; }
if ! apt-cache show "$1" >/dev/null 2>&1; then apt update -qq; fi
apt install -y -qq --no-install-recommends "$@" || { apt update -qq && apt install -y -qq --no-install-recommends "$@"; }
