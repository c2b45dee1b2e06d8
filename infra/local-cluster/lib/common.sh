# shellcheck shell=bash
# Shared helpers for infra/local-cluster scripts. Sourced, not executed.

LC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../versions.env
. "$LC_DIR/versions.env"

NORTHSTAR_CACHE="${NORTHSTAR_CACHE:-$HOME/.cache/northstar}"
# Runtime state (certs, keys, etcd data, logs, pids, kubeconfig). Never in git.
LC_STATE="${NORTHSTAR_CLUSTER_STATE:-$NORTHSTAR_CACHE/state/local-cluster}"
# Niceness for compiles: other engineers share this 2-core machine.
LC_NICE="${LC_NICE:-15}"

K8S_HOME="$NORTHSTAR_CACHE/k8s/$K8S_VERSION"
ETCD_HOME="$NORTHSTAR_CACHE/etcd/$ETCD_VERSION"
KWOK_HOME="$NORTHSTAR_CACHE/kwok/$KWOK_VERSION"
COREDNS_HOME="$NORTHSTAR_CACHE/coredns/$COREDNS_VERSION"
METRICS_HOME="$NORTHSTAR_CACHE/metrics-server/$METRICS_SERVER_VERSION"
PAUSE_HOME="$NORTHSTAR_CACHE/pause/$PAUSE_VERSION"
KUBE_ROUTER_HOME="$NORTHSTAR_CACHE/kube-router/$KUBE_ROUTER_VERSION"

KUBECONFIG_FILE="$LC_STATE/admin.kubeconfig"
APISERVER_URL="https://127.0.0.1:$APISERVER_PORT"
if [ "$(cat "$LC_STATE/rung" 2>/dev/null)" = 3 ]; then APISERVER_URL="https://$NODE_IP:$APISERVER_PORT"; fi

_t0_step=0
log()  { printf '\033[1;34m[local-cluster]\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33m[local-cluster] WARN:\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31m[local-cluster] ERROR:\033[0m %s\n' "$*" >&2; exit 1; }

# step "name": announce a step and remember when it started; step_done prints its duration.
step() { _step_name="$1"; _t0_step=$(date +%s.%N); log "==> $1"; }
step_done() {
  local t; t=$(awk -v a="$_t0_step" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  log "    done: $_step_name (${t}s)"
}

need_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "missing command '$c'. $(hint_for "$c")"
  done
}

hint_for() {
  case "$1" in
    go) echo "Install Go >= 1.24 (this ladder was measured with Go 1.26).";;
    openssl) echo "apt-get install openssl";;
    curl) echo "apt-get install curl";;
    containerd|ctr) echo "apt-get install containerd";;
    runc) echo "apt-get install runc";;
    iptables) echo "apt-get install iptables";;
    conntrack) echo "apt-get install conntrack";;
    ipset) echo "apt-get install ipset (or LOCAL_CLUSTER_NO_NETPOL=1 to run without NetworkPolicy enforcement)";;
    jq) echo "apt-get install jq";;
    *) echo "Install it and retry.";;
  esac
}

need_bin() { # need_bin path "what builds it"
  [ -x "$1" ] || die "missing binary $1 — run: infra/local-cluster/cluster.sh build --rung $2"
}

elapsed_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }

# Keep Go's module and build caches inside the northstar cache so that
# "cold" means one directory is absent, CI can cache one path, and `du` on it
# tells the whole disk cost. Set NORTHSTAR_GO_GLOBAL_CACHE=1 to use Go's defaults.
if [ -z "${NORTHSTAR_GO_GLOBAL_CACHE:-}" ]; then
  export GOMODCACHE="$NORTHSTAR_CACHE/go/mod"
  export GOCACHE="$NORTHSTAR_CACHE/go/build"
fi
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"
