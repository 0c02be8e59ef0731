#!/usr/bin/env bash
# Starts the action server, Rasa (REST + socket.io, HTTP API with a token) and the web chat page.
# Ctrl-C or SIGTERM stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv

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

# The HTTP API is only ever enabled with credentials; this refuses to go on without them.
"$VENV/bin/lift" web check-auth || exit 2
# Lift's tables at the current schema (Alembic); demo data is seeded by the action server.
"$VENV/bin/lift" db upgrade
jwt_args=()
if [ -n "${LIFT_JWT_SECRET:-}" ]; then jwt_args=(--jwt-secret "$LIFT_JWT_SECRET" --jwt-method HS256); fi

pids=()   # the servers: if one exits, everything stops
aux=()    # helpers (scheduled retention): stopped with the servers
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}" "${aux[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped."
}
trap cleanup INT TERM EXIT

# Each process also logs to LIFT_LOG_DIR (masked by Lift's log redaction; `lift privacy erase`
# rewrites these files, and retention deletes old ones).
LOG_DIR=${LIFT_LOG_DIR:-var/log}
mkdir -p "$LOG_DIR"
# The model `lift model promote|rollback` chose, else the latest training.
MODEL=models/current.tar.gz
if [ -e models/promoted.tar.gz ]; then MODEL=$(readlink -f models/promoted.tar.gz); echo "serving the promoted model $MODEL"; fi
setsid "$VENV/bin/rasa" run actions --actions actions --port "$LIFT_ACTION_PORT" \
  > >(tee -a "$LOG_DIR/actions.log") 2>&1 & pids+=($!)
# Model canary (experiments.yml surface `model`, when live): the candidate from the registry in a
# second Rasa on loopback only; the front Rasa forwards the conversations assigned to it.
CANARY_MODEL=$("$VENV/bin/lift" model canary) || exit 2
if [ -n "$CANARY_MODEL" ]; then
  export LIFT_CANARY_PORT=${LIFT_CANARY_PORT:-5006}
  echo "model canary: $CANARY_MODEL on 127.0.0.1:$LIFT_CANARY_PORT"
  LIFT_CANARY_URL= LIFT_METRICS_PORT=0 setsid "$VENV/bin/rasa" run --model "$CANARY_MODEL" -i 127.0.0.1 \
    --port "$LIFT_CANARY_PORT" --endpoints endpoints.yml --credentials credentials.yml \
    --enable-api "--auth-token=$RASA_AUTH_TOKEN" > >(tee -a "$LOG_DIR/rasa-canary.log") 2>&1 & pids+=($!)
  export LIFT_CANARY_URL=http://127.0.0.1:$LIFT_CANARY_PORT
fi
setsid "$VENV/bin/rasa" run --model "$MODEL" --port "$LIFT_RASA_PORT" \
  --endpoints endpoints.yml --credentials credentials.yml \
  --enable-api "--auth-token=$RASA_AUTH_TOKEN" "${jwt_args[@]}" --cors "*" \
  > >(tee -a "$LOG_DIR/rasa.log") 2>&1 & pids+=($!)
setsid "$VENV/bin/lift" web serve --port "$LIFT_WEB_PORT" > >(tee -a "$LOG_DIR/web.log") 2>&1 & pids+=($!)
# Retention (governance.yml) now and every LIFT_PURGE_INTERVAL seconds; audited each time.
setsid "$VENV/bin/lift" privacy purge --schedule >>"$LOG_DIR/purge.log" 2>&1 & aux+=($!)

echo "waiting for Rasa on :$LIFT_RASA_PORT ..."
for _ in $(seq 1 180); do
  if curl -fs "http://127.0.0.1:$LIFT_RASA_PORT/status?token=$RASA_AUTH_TOKEN" >/dev/null 2>&1 && { [ -z "$CANARY_MODEL" ] ||
     curl -fs "http://127.0.0.1:$LIFT_CANARY_PORT/status?token=$RASA_AUTH_TOKEN" >/dev/null 2>&1; }; then break; fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "a server exited during start-up; see the log above" >&2; exit 1; }; done
  sleep 1
done
echo
echo "Lift is running:"
echo "  web chat:       http://localhost:$LIFT_WEB_PORT/   (open this in a browser)"
echo "  REST channel:   http://localhost:$LIFT_RASA_PORT/webhooks/rest/webhook"
echo "  action server:  http://localhost:$LIFT_ACTION_PORT/health"
echo "Ctrl-C stops everything."
wait -n "${pids[@]}"
