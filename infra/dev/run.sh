#!/usr/bin/env bash
# make run: the three services on this machine, on embedded PostgreSQL (PGlite).
# Ctrl-C stops all three; if one dies, the others are stopped too.
source "$(dirname "$0")/lib.sh"

ensure_deps
build
ensure_dev_secrets

export SHUTDOWN_DELAY_MS="${SHUTDOWN_DELAY_MS:-0}"
export LOG_LEVEL="${LOG_LEVEL:-info}"
PORT="${PORT:-3001}"
export PORT
mkdir -p "$ROOT/.data"

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

log "starting roadmap (tcp :3002), identity (tcp :3003), gateway (http :$PORT)"
start roadmap DATA_DIR="$ROOT/.data/roadmap"
start identity DATA_DIR="$ROOT/.data/identity"
start gateway

for _ in $(seq 1 120); do
  if node -e "fetch('http://127.0.0.1:$PORT/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null; then
    log "Northstar is up: API http://localhost:$PORT  ·  Swagger UI http://localhost:$PORT/api  ·  Ctrl-C stops"
    break
  fi
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { stop_all; die "a service exited during start-up (see its log above)"; }; done
  sleep 0.5
done

# Whichever exits first brings the rest down.
status=0
wait -n "${pids[@]}" || status=$?
stop_all
exit "$status"
