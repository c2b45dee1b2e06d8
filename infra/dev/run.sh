#!/usr/bin/env bash
# make run: the three services on this machine, on embedded PostgreSQL (PGlite).
# Ctrl-C stops all three; if one dies, the others are stopped too.
source "$(dirname "$0")/lib.sh"

ensure_deps
build
ensure_dev_secrets

export SHUTDOWN_DELAY_MS="${SHUTDOWN_DELAY_MS:-0}"
export LOG_LEVEL="${LOG_LEVEL:-info}"
# Ports and the data directory can be moved, e.g. to run a second copy beside the first.
export PORT="${PORT:-3001}"
export MS_ONE_HOST="${MS_ONE_HOST:-127.0.0.1}" MS_ONE_PORT="${MS_ONE_PORT:-3002}"
export MS_TWO_HOST="${MS_TWO_HOST:-127.0.0.1}" MS_TWO_PORT="${MS_TWO_PORT:-3003}"
ROADMAP_HEALTH_PORT="${ROADMAP_HEALTH_PORT:-3102}"
IDENTITY_HEALTH_PORT="${IDENTITY_HEALTH_PORT:-3103}"
DATA="${NORTHSTAR_DATA_DIR:-$ROOT/.data}"
mkdir -p "$DATA"

pids=()
start() {
  local name="$1"
  shift
  (cd "$ROOT" && exec env "$@" node "services/$name/dist/main.js") &
  pids+=("$!")
}

stop_all() {
  trap - INT TERM
  log "stopping services"
  kill -INT "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap 'stop_all; exit 0' INT TERM

log "starting roadmap (tcp :$MS_ONE_PORT), identity (tcp :$MS_TWO_PORT), gateway (http :$PORT)"
start roadmap MS_HOST=127.0.0.1 MS_PORT="$MS_ONE_PORT" HEALTH_PORT="$ROADMAP_HEALTH_PORT" DATA_DIR="$DATA/roadmap"
start identity MS_HOST=127.0.0.1 MS_PORT="$MS_TWO_PORT" HEALTH_PORT="$IDENTITY_HEALTH_PORT" DATA_DIR="$DATA/identity"
start gateway

ready() { node -e "fetch('http://127.0.0.1:$1/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null; }
up=0
for _ in $(seq 1 240); do
  if ready "$ROADMAP_HEALTH_PORT" && ready "$IDENTITY_HEALTH_PORT" && ready "$PORT"; then
    up=1
    log "Northstar is up: API http://localhost:$PORT  ·  Swagger UI http://localhost:$PORT/api  ·  Ctrl-C stops"
    break
  fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { stop_all; die "a service exited during start-up (see its log above)"; }; done
  sleep 0.5
done
[ "$up" = 1 ] || { stop_all; die "services were not ready within 120 s (see the logs above)"; }

# Whichever exits first brings the rest down.
status=0
wait -n "${pids[@]}" || status=$?
stop_all
exit "$status"
