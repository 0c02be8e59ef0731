#!/usr/bin/env bash
# Starts the action server, Rasa (REST + socket.io, HTTP API with a token), the web chat page and
# scheduled retention under Lift's supervisor (lift.ops: a crashed process is restarted with
# back-off; /health on LIFT_HEALTH_PORT says what is degraded).
#   scripts/run.sh            make run
#   scripts/run.sh cluster    make run-cluster: PostgreSQL, Redis, nginx, 2 Rasa replicas and
#                             2 action servers behind nginx on the same public ports
# Ctrl-C or SIGTERM stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
PLAN=single
case "${1:-}" in
  ""|single) ;;
  cluster) PLAN=cluster ;;
  *) echo "usage: scripts/run.sh [single|cluster]" >&2; exit 2 ;;
esac

# Secrets come from the environment or .env; missing ones are generated into .env once.
touch .env
chmod 600 .env
# .env fills in what the environment does not set: an exported variable always wins.
while IFS='=' read -r key value; do
  [[ "$key" =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
  if [ -z "${!key:-}" ]; then export "$key=$value"; fi
done < <(cat .env; echo)
gen() { "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(32))'; }
for var in RASA_AUTH_TOKEN LIFT_ACTION_TOKEN LIFT_DASHBOARD_TOKEN; do
  if [ -z "${!var:-}" ]; then
    value=$(gen); echo "$var=$value" >> .env; export "$var=$value"
    echo "generated $var into .env"
  fi
done
export LIFT_RASA_PORT=${LIFT_RASA_PORT:-5005} LIFT_ACTION_PORT=${LIFT_ACTION_PORT:-5055} LIFT_WEB_PORT=${LIFT_WEB_PORT:-8080}
export LIFT_ACTION_URL=${LIFT_ACTION_URL:-http://127.0.0.1:${LIFT_ACTION_PORT}/webhook}

pg_started=0
if [ "$PLAN" = cluster ]; then
  scripts/install_cluster.sh
  # The replicas share one PostgreSQL: LIFT_DB_URL if it is one, else scripts/pg.sh's.
  if [[ "${LIFT_DB_URL:-}" != postgresql* ]]; then
    pg_err=$(mktemp)
    LIFT_DB_URL=$(scripts/pg.sh start 2>"$pg_err" | tail -1) || { cat "$pg_err" >&2; exit 3; }
    grep -q started "$pg_err" && pg_started=1
    rm -f "$pg_err"
    export LIFT_DB_URL
  fi
fi

# The HTTP API is only ever enabled with credentials; this refuses to go on without them.
"$VENV/bin/lift" web check-auth || exit 2
# Lift's tables at the current schema (Alembic); demo data is seeded by the action server.
"$VENV/bin/lift" db upgrade
# The supervisor starts, watches and stops the processes; this script stops PostgreSQL after it
# if it started it. Each process also logs to LIFT_LOG_DIR (masked by Lift's log redaction;
# `lift privacy erase` rewrites these files, and retention deletes old ones).
# Model canary (experiments.yml surface `model`, when live): the candidate from the registry in a
# second Rasa on loopback only; the front Rasa forwards the conversations assigned to it.
CANARY_MODEL=$("$VENV/bin/lift" model canary) || exit 2
canary_args=()
if [ -n "$CANARY_MODEL" ]; then
  canary_args=(--canary-model "$CANARY_MODEL" --canary-port "${LIFT_CANARY_PORT:-5006}")
fi
"$VENV/bin/lift" ops run --plan "$PLAN" "${canary_args[@]}" & sup=$!
stop() { kill -TERM "$sup" 2>/dev/null || true; }
trap stop INT TERM
status=0
wait "$sup" || status=$?
# a signal interrupts `wait`; wait again until the supervisor has stopped everything
while kill -0 "$sup" 2>/dev/null; do status=0; wait "$sup" || status=$?; done
if [ "$pg_started" = 1 ]; then scripts/pg.sh stop || true; fi
exit "$status"
