#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The gateway Service on localhost, in the background (make port-forward).
#   port-forward.sh start    start it, or report the one already running
#   port-forward.sh stop     stop the one this script started
#   port-forward.sh status   exit 0 when a live forward answers
# Its pid and log: .run/port-forward.pid, .run/port-forward.log.
#   KUBE_CONTEXT, KUBECONFIG  the cluster (default: the current context)
#   NAMESPACE                 default northstar
#   LOCAL_PORT                default 3001 (what make smoke's BASE_URL expects)
set -euo pipefail
LOG_TAG=port-forward
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NAMESPACE="${NAMESPACE:-northstar}"
LOCAL_PORT="${LOCAL_PORT:-3001}"
GATEWAY_PORT=3001
PID_FILE="$RUN_DIR/port-forward.pid"
LOG_FILE="$RUN_DIR/port-forward.log"

# The pid in the file, if that process is still our kubectl port-forward.
live_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid=$(cat "$PID_FILE")
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'port-forward' || return 1
  echo "$pid"
}

port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$LOCAL_PORT") 2>/dev/null; }

start() {
  local pid
  require_tools kubectl
  if pid=$(live_pid); then
    if port_answers; then
      ok "already forwarding localhost:$LOCAL_PORT -> service/gateway (pid $pid); nothing to do"
      return 0
    fi
    warn "forward pid $pid is alive but localhost:$LOCAL_PORT does not answer; restarting it"
    kill "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  if port_answers; then
    die "localhost:$LOCAL_PORT is already in use by another process (make run? another forward?). Stop it, or choose another port: make port-forward LOCAL_PORT=3011 && make smoke BASE_URL=http://localhost:3011"
  fi
  local kargs=()
  [ -n "${KUBE_CONTEXT:-}" ] && kargs+=(--context "$KUBE_CONTEXT")
  "$KUBECTL" "${kargs[@]}" get --raw /readyz >/dev/null 2>&1 ||
    die "no Kubernetes API server answers (context ${KUBE_CONTEXT:-current}${KUBECONFIG:+, KUBECONFIG=$KUBECONFIG}). Deploy first: make deploy-kind (or make deploy-local)"
  "$KUBECTL" "${kargs[@]}" -n "$NAMESPACE" get service gateway >/dev/null 2>&1 ||
    die "no service/gateway in namespace $NAMESPACE: deploy first (make deploy-kind)"
  mkdir -p "$RUN_DIR"
  log "kubectl port-forward -n $NAMESPACE service/gateway $LOCAL_PORT:$GATEWAY_PORT (log: ${LOG_FILE#"$REPO_ROOT/"})"
  nohup "$KUBECTL" "${kargs[@]}" -n "$NAMESPACE" port-forward --address 127.0.0.1 \
    service/gateway "$LOCAL_PORT:$GATEWAY_PORT" >"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  local i
  for i in $(seq 1 50); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      die "kubectl port-forward exited: $(tail -n 5 "$LOG_FILE")"
    fi
    if port_answers; then
      ok "forwarding http://localhost:$LOCAL_PORT -> service/gateway (pid $pid, ${LOG_FILE#"$REPO_ROOT/"}). Next: make smoke"
      return 0
    fi
    [ "$i" = 1 ] || sleep 0.2
  done
  kill "$pid" 2>/dev/null || true; rm -f "$PID_FILE"
  die "localhost:$LOCAL_PORT did not open within 10s: $(tail -n 5 "$LOG_FILE")"
}

stop() {
  local pid
  if pid=$(live_pid); then
    kill "$pid"
    ok "stopped the port-forward (pid $pid)"
  else
    log "no port-forward running"
  fi
  rm -f "$PID_FILE"
}

status() {
  local pid
  if pid=$(live_pid) && port_answers; then ok "forwarding localhost:$LOCAL_PORT (pid $pid)"; else log "no live port-forward"; return 1; fi
}

case "${1:-}" in
  start) start;;
  stop) stop;;
  status) status;;
  *) sed -n '3,11p' "$0" >&2; exit 2;;
esac
