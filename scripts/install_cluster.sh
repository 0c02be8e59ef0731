#!/usr/bin/env bash
# Install Debian's redis-server and nginx (the engines of `make run-cluster`) when missing;
# idempotent. PostgreSQL is scripts/pg.sh's. No system service is started: run.sh cluster and
# the tests start their own servers on loopback.
set -euo pipefail

have() { command -v redis-server >/dev/null 2>&1 && { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }; }
if have; then exit 0; fi
echo "install_cluster: redis-server/nginx not found; installing from apt" >&2
"$(dirname "$0")/apt_install.sh" redis-server nginx-light
have || { echo "install_cluster: installed, but redis-server/nginx are not on PATH" >&2; exit 3; }
