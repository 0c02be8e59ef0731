#!/usr/bin/env bash
# Throwaway PostgreSQL cluster on 127.0.0.1 for tests and benchmarks.
#
#   scripts/pg.sh [start]   install PostgreSQL from apt if missing, start the cluster (or
#                           reuse the running one) and print its URL on stdout
#   scripts/pg.sh url       print the URL if the cluster runs, exit 1 otherwise
#   scripts/pg.sh stop      stop the cluster (data dir kept; `purge` also deletes it)
#
# The data directory is LIFT_PG_DIR or /tmp/lift-pg-<hash of this checkout>; the port is a
# free one picked at first start and remembered in the data directory. Auth is `trust` on
# loopback only: the cluster holds test data and listens on nothing else.
# stderr tells whether this call started the cluster ("started") or found it ("running").
set -euo pipefail

cmd="${1:-start}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pgdir="${LIFT_PG_DIR:-/tmp/lift-pg-$(printf '%s' "$here" | cksum | cut -d' ' -f1)}"
pguser=lift
pgdb=lift

log() { echo "pg.sh: $*" >&2; }
die() { log "error: $*"; exit 1; }

find_bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
        [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    done
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"; return 0
    fi
    return 1
}

install_postgres() {
    log "PostgreSQL binaries not found; installing from apt"
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "need root or sudo to apt-get install postgresql"
        sudo="sudo"
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
}

# initdb/postgres refuse to run as root: as root, run them as the `postgres` system user.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Below Linux's ephemeral range (32768-60999): while the server is stopped, clients retrying
# 127.0.0.1:<port> from an ephemeral source port can connect to themselves when the two ports
# coincide, and that socket then holds the port, so the restart fails with "Address already
# in use" (seen once in CI, test_faults.py's 20-second outage).
free_port() {
    local p
    for p in $(shuf -i 20000-32000 -n 50); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
    done
    die "no free port found"
}

url() { echo "postgresql://${pguser}@127.0.0.1:$(cat "$pgdir/lift.port")/${pgdb}"; }

running() {
    [ -f "$pgdir/lift.port" ] && [ -f "$pgdir/PG_VERSION" ] || return 1
    as_owner "$bindir/pg_ctl" -D "$pgdir" status >/dev/null 2>&1 || return 1
    as_owner "$bindir/pg_isready" -q -h 127.0.0.1 -p "$(cat "$pgdir/lift.port")" 2>/dev/null
}

bindir="$(find_bindir || true)"

case "$cmd" in
start)
    if [ -z "$bindir" ]; then install_postgres; bindir="$(find_bindir)" || die "postgresql installed but pg_ctl not found"; fi
    if running; then log "running ($pgdir)"; url; exit 0; fi
    if [ ! -f "$pgdir/PG_VERSION" ]; then
        mkdir -p "$pgdir"
        [ "$(id -u)" = 0 ] && chown postgres: "$pgdir"
        chmod 700 "$pgdir"
        as_owner "$bindir/initdb" -D "$pgdir" -U "$pguser" --auth=trust -E UTF8 --no-locale >"$pgdir.initdb.log" 2>&1 \
            || { cat "$pgdir.initdb.log" >&2; die "initdb failed"; }
    fi
    # Same port as last time when it is free (a restarted server keeps its URL: clients
    # configured with it reconnect), else a new free one.
    port="$(cat "$pgdir/lift.port" 2>/dev/null || true)"
    if [ -z "$port" ] || (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then port="$(free_port)"; fi
    echo "$port" > "$pgdir/lift.port"
    [ "$(id -u)" = 0 ] && chown postgres: "$pgdir/lift.port"
    # fsync off: throwaway data, and tests create/drop many databases.
    as_owner "$bindir/pg_ctl" -D "$pgdir" -l "$pgdir/server.log" -w -t 30 \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $pgdir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >&2 || { tail -20 "$pgdir/server.log" >&2 || true; die "pg_ctl start failed"; }
    if ! as_owner "$bindir/psql" -h 127.0.0.1 -p "$port" -U "$pguser" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname='$pgdb'" | grep -q 1; then
        as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$pguser" "$pgdb"
    fi
    log "started ($pgdir)"
    url
    ;;
url)
    [ -n "$bindir" ] && running || exit 1
    url
    ;;
stop|purge)
    if [ -n "$bindir" ] && [ -f "$pgdir/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$pgdir" status >/dev/null 2>&1; then
        as_owner "$bindir/pg_ctl" -D "$pgdir" -m fast -w stop >&2
        log "stopped"
    else
        log "not running"
    fi
    if [ "$cmd" = purge ]; then rm -rf "$pgdir" "$pgdir.initdb.log"; log "removed $pgdir"; fi
    ;;
*)
    die "usage: scripts/pg.sh [start|url|stop|purge]"
    ;;
esac
