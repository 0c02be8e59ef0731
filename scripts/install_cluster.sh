#!/usr/bin/env bash
# Install Debian's redis-server and nginx (the engines of `make run-cluster`) when missing;
# idempotent. PostgreSQL is scripts/pg.sh's. No system service is started: run_cluster and
# the tests start their own servers on loopback.
set -euo pipefail

have() { command -v redis-server >/dev/null 2>&1 && { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }; }
if have; then exit 0; fi
echo "install_cluster: redis-server/nginx not found; installing from apt" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "install_cluster: need root or sudo for apt-get" >&2; exit 3; }
    sudo="sudo"
fi
# Keep the packages' init scripts from starting system-wide services during the install.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod +x "$policy" && created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then $sudo rm -f "$policy"; fi; }
trap cleanup EXIT
install() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server nginx-light >&2 ||
            $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server nginx >&2; }
if ! apt-cache show redis-server >/dev/null 2>&1; then $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2; fi
install || { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 && install; }
have || { echo "install_cluster: installed, but redis-server/nginx are not on PATH" >&2; exit 3; }
