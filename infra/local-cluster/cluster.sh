#!/usr/bin/env bash
# Local Kubernetes ladder for Northstar, built offline from the Go module proxy.
#   cluster.sh build  [--rung N]   build binaries for rungs 1..N into the cache
#   cluster.sh up     [--rung N]   start rungs 1..N (builds first if needed)
#   cluster.sh down                stop everything started by `up`
#   cluster.sh status              show what runs
#   cluster.sh env                 print `export KUBECONFIG=...` (eval it)
#   cluster.sh test   [--rung N]   run the cluster tests against the running cluster
#   cluster.sh e2e    [--rung N]   up, test, down (what `make e2e-local` runs)
#   cluster.sh load-image TAR...   import OCI/docker image archives into the rung-3 node
#                                  (LOCAL_CLUSTER_IMAGES="a.tar b.tar" imports them at `up`)
#   cluster.sh restart-apiserver   stop and start kube-apiserver only (tests of clients that must survive it)
# Default rung: $LOCAL_CLUSTER_RUNG or 3.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
. "$LC_DIR/lib/oci-image.sh"
. "$LC_DIR/lib/build.sh"
. "$LC_DIR/lib/pki.sh"
. "$LC_DIR/lib/run.sh"
. "$LC_DIR/lib/node.sh"

components_for() { # components of rungs 1..N, in start order
  local c="etcd kube-apiserver"
  [ "$1" -ge 2 ] && c="$c kube-controller-manager kube-scheduler"
  [ "$1" -eq 2 ] && c="$c kwok"
  [ "$1" -ge 3 ] && c="$c containerd kubelet kube-proxy"
  [ "$1" -ge 3 ] && [ -z "${LOCAL_CLUSTER_NO_NETPOL:-}" ] && c="$c kube-router"
  echo "$c"
}

cmd_up() {
  local t0; t0=$(date +%s.%N)
  if [ -f "$LC_STATE/rung" ] && [ "$(cat "$LC_STATE/rung")" != "$RUNG" ]; then
    local running; running=$(cat "$LC_STATE/rung")
    is_running kube-apiserver && die "a rung-$running cluster is running; run 'cluster.sh down' first"
  fi
  build_rung "$RUNG"
  mkdir -p "$LC_STATE"; chmod 700 "$LC_STATE"
  echo "$RUNG" >"$LC_STATE/rung"
  log "starting rung $RUNG (state: $LC_STATE)"
  if [ "$RUNG" -ge 3 ]; then
    # Pods must reach the API server: it binds the host-only node IP instead of 127.0.0.1.
    node_preflight
    node_host_iface
    APISERVER_URL="https://$NODE_IP:$APISERVER_PORT"
  fi
  gen_pki "$RUNG" "$NODE_NAME" "$NODE_IP"
  start_etcd
  if [ "$RUNG" -ge 3 ]; then start_apiserver "$NODE_IP" "$NODE_IP" lease; else start_apiserver; fi
  if [ "$RUNG" -ge 2 ]; then
    start_controller_manager
    start_scheduler
    [ "$RUNG" -eq 2 ] && start_kwok
  fi
  [ "$RUNG" -ge 3 ] && start_node
  log "cluster rung $RUNG up in $(elapsed_since "$t0")s"
  log "use it with:  eval \"\$($0 env)\"   (KUBECONFIG=$KUBECONFIG_FILE)"
}

cmd_down() {
  local t0; t0=$(date +%s.%N)
  local rung; rung=$(cat "$LC_STATE/rung" 2>/dev/null || echo 0)
  step "stop cluster (rung $rung)"
  [ "$rung" -ge 3 ] && declare -F stop_node >/dev/null && stop_node
  stop_procs kwok kube-scheduler kube-controller-manager kube-apiserver
  stop_procs etcd
  # Wipe state (etcd data, certificates, kubeconfigs); keep the logs of the last run.
  if [ -d "$LC_STATE" ]; then
    find "$LC_STATE" -mindepth 1 -maxdepth 1 ! -name logs -exec rm -rf {} +
  fi
  step_done
  log "cluster down in $(elapsed_since "$t0")s (logs kept in $LOGS)"
}

cmd_status() {
  local rung c ok=0
  rung=$(cat "$LC_STATE/rung" 2>/dev/null || true)
  [ -n "$rung" ] || { echo "local cluster: not started (state: $LC_STATE)"; return 3; }
  echo "local cluster: rung $rung (state: $LC_STATE)"
  for c in $(components_for "$rung"); do
    if is_running "$c"; then printf '  %-24s running (pid %s)\n' "$c" "$(cat "$PIDS/$c.pid")"
    else printf '  %-24s NOT running\n' "$c"; ok=1; fi
  done
  if [ -x "$KUBECTL" ] && "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" get --raw /readyz >/dev/null 2>&1; then
    echo "  api: $APISERVER_URL ready; nodes:"
    "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" get nodes -o wide 2>/dev/null | sed 's/^/    /'
  else
    echo "  api: $APISERVER_URL NOT ready"; ok=1
  fi
  return $ok
}

cmd_env() {
  [ -f "$KUBECONFIG_FILE" ] || die "no cluster state at $LC_STATE; run 'cluster.sh up' first"
  echo "export KUBECONFIG=$KUBECONFIG_FILE"
  echo "export NORTHSTAR_CLUSTER_RUNG=$(cat "$LC_STATE/rung")"
  echo "export PATH=$K8S_HOME/bin:\$PATH"
}

cmd_test() {
  [ -f "$KUBECONFIG_FILE" ] || die "no cluster running; run 'cluster.sh up --rung $RUNG' first"
  cmd_status >/dev/null || { cmd_status || true; die "the cluster is not healthy (see above and $LOGS)"; }
  KUBECONFIG="$KUBECONFIG_FILE" KUBECTL="$KUBECTL" EXPECT_VERSION="$K8S_VERSION" NETPOL_ENFORCED="$(is_running kube-router && echo 1)" RUNG="$(cat "$LC_STATE/rung")" \
    "$LC_DIR/test/cluster-test.sh"
}

cmd_e2e() {
  local t0 rc=0; t0=$(date +%s.%N)
  # One cluster per machine (fixed ports, one state dir). e2e tears down what
  # it started, so it must not adopt a cluster someone else is using.
  if is_running kube-apiserver || is_running etcd; then
    die "a local cluster is already running (rung $(cat "$LC_STATE/rung" 2>/dev/null)); e2e will not tear down someone else's cluster. Use 'cluster.sh test', or 'cluster.sh down' first."
  fi
  if ! ( cmd_up ); then
    warn "cluster did not come up; tearing down (logs: $LOGS)"
    cmd_down || true
    return 1
  fi
  cmd_test || rc=$?
  if [ -n "${E2E_EXTRA:-}" ]; then
    log "running E2E_EXTRA: $E2E_EXTRA"
    ( eval "$(cmd_env)"; eval "$E2E_EXTRA" ) || rc=$?
  fi
  if [ -n "${KEEP_CLUSTER:-}" ]; then warn "KEEP_CLUSTER set: leaving the cluster up"; else cmd_down; fi
  log "e2e rung $RUNG finished in $(elapsed_since "$t0")s, rc=$rc"
  return $rc
}

cmd_restart_apiserver() {
  [ -f "$LC_STATE/rung" ] || die "no cluster running; run 'cluster.sh up' first"
  local t0 rung; t0=$(date +%s.%N); rung=$(cat "$LC_STATE/rung")
  is_running kube-apiserver || die "kube-apiserver is not running"
  step "stop kube-apiserver"
  stop_procs kube-apiserver
  step_done
  if [ "$rung" -ge 3 ]; then start_apiserver "$NODE_IP" "$NODE_IP" lease; else start_apiserver; fi
  log "kube-apiserver restarted in $(elapsed_since "$t0")s"
}

# Everything above is definitions; bash has read the whole file before main
# runs, so editing this script while a cluster command runs cannot derail it.
main() {
  local cmd="${1:-}"; shift || true
  RUNG="${LOCAL_CLUSTER_RUNG:-3}"
  ARGS=()
  while [ $# -gt 0 ]; do
    case "$1" in
      *.tar|*.tar.gz) ARGS+=("$1"); shift;;
      --rung) RUNG="$2"; shift 2;;
      --rung=*) RUNG="${1#--rung=}"; shift;;
      *) die "unknown argument: $1";;
    esac
  done
  case "$RUNG" in 1|2|3) ;; *) die "--rung must be 1, 2 or 3";; esac

  case "$cmd" in
    build) build_rung "$RUNG"; log "cache disk use: $(du -sh "$NORTHSTAR_CACHE" 2>/dev/null | cut -f1) in $NORTHSTAR_CACHE";;
    up) cmd_up;;
    down) cmd_down;;
    status) cmd_status;;
    env) cmd_env;;
    test) cmd_test;;
    e2e) cmd_e2e;;
    load-image)
      [ "$(cat "$LC_STATE/rung" 2>/dev/null)" = 3 ] && is_running containerd || die "load-image needs a running rung-3 cluster (cluster.sh up --rung 3)"
      [ ${#ARGS[@]} -gt 0 ] || die "usage: cluster.sh load-image IMAGE.tar..."
      for t in "${ARGS[@]}"; do
        [ -f "$t" ] || die "no such file: $t"
        ctr_k8s images import "$t" || die "ctr images import $t failed"
      done
      ctr_k8s images ls -q | grep -v '^sha256:';;
    restart-apiserver) cmd_restart_apiserver;;
    *) awk 'NR > 1 && /^#/ {print; next} NR > 1 {exit}' "$0"; exit 2;;
  esac
}

main "$@"; exit $?
