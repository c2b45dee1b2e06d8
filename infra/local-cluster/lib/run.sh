# shellcheck shell=bash
# Process supervision for the local cluster: each component runs detached,
# with a pid file in $LC_STATE/pids and a log in $LC_STATE/logs.

PIDS="$LC_STATE/pids"
LOGS="$LC_STATE/logs"
KUBECTL="$K8S_HOME/bin/kubectl"

is_running() { # is_running <name>
  local f="$PIDS/$1.pid"
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

start_proc() { # start_proc <name> <binary> <args...>
  local name="$1"; shift
  mkdir -p "$PIDS" "$LOGS"
  if is_running "$name"; then log "$name already running (pid $(cat "$PIDS/$name.pid"))"; return; fi
  [ -x "$1" ] || die "missing binary $1"
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
  disown $! 2>/dev/null || true
}

stop_procs() { # stop_procs <name>...: SIGTERM all, wait up to 5s, SIGKILL the rest. Only our own pids.
  local n pid i alive pids=()
  for n in "$@"; do
    [ -f "$PIDS/$n.pid" ] || continue
    pid=$(cat "$PIDS/$n.pid")
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; pids+=("$n:$pid"); fi
  done
  for i in $(seq 1 25); do
    alive=0
    for n in "${pids[@]}"; do kill -0 "${n#*:}" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.2
  done
  for n in "${pids[@]}"; do
    if kill -0 "${n#*:}" 2>/dev/null; then
      log "    ${n%%:*} (pid ${n#*:}) still shutting down after 5s: SIGKILL (state is wiped anyway)"
      kill -KILL "${n#*:}" 2>/dev/null || true
    fi
  done
  for n in "$@"; do rm -f "$PIDS/$n.pid"; done
}

# wait_for <what> <timeout-s> <command...>: poll until the command succeeds.
wait_for() {
  local what="$1" timeout="$2"; shift 2
  local t0; t0=$(date +%s)
  until "$@" >/dev/null 2>&1; do
    if [ $(( $(date +%s) - t0 )) -ge "$timeout" ]; then
      die "timed out after ${timeout}s waiting for $what (logs: $LOGS)"
    fi
    sleep 0.3
  done
}

proc_died() { # fail fast with the log tail if a component exited
  is_running "$1" && return 1
  warn "$1 exited; last lines of $LOGS/$1.log:"; tail -20 "$LOGS/$1.log" >&2 || true
  return 0
}

_healthy() { # _healthy <name> <url> [curl args]: up, or die if the process died
  local name="$1" url="$2"; shift 2
  proc_died "$name" && die "$name failed to start"
  curl -fsS --max-time 2 "$@" "$url" >/dev/null
}

# --- rung 1: etcd + kube-apiserver -------------------------------------------
start_etcd() {
  step "start etcd $ETCD_VERSION on 127.0.0.1:$ETCD_CLIENT_PORT"
  mkdir -p "$LC_STATE/etcd"; chmod 700 "$LC_STATE/etcd"
  start_proc etcd "$ETCD_HOME/bin/etcd" \
    --name=northstar-local --data-dir="$LC_STATE/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --advertise-client-urls="http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="northstar-local=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync=true --quota-backend-bytes=$((2*1024*1024*1024)) \
    --log-level=warn
  wait_for "etcd health" 30 _healthy etcd "http://127.0.0.1:$ETCD_CLIENT_PORT/health"
  step_done
}

start_apiserver() {
  local bind="${1:-127.0.0.1}" adv="${2:-127.0.0.1}" reconciler="${3:-none}"
  step "start kube-apiserver $K8S_VERSION on https://$bind:$APISERVER_PORT"
  start_proc kube-apiserver "$K8S_HOME/bin/kube-apiserver" \
    --bind-address="$bind" --secure-port="$APISERVER_PORT" --advertise-address="$adv" \
    --endpoint-reconciler-type="$reconciler" \
    --etcd-servers="http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --client-ca-file="$PKI/ca.crt" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" \
    --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority="$PKI/ca.crt" \
    --kubelet-preferred-address-types=InternalIP,Hostname \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" \
    --service-account-signing-key-file="$PKI/sa.key" \
    --authorization-mode=Node,RBAC \
    --enable-admission-plugins=NodeRestriction \
    --allow-privileged=true \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-username-headers=X-Remote-User \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" \
    --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true \
    --profiling=false --v=1
  wait_for "kube-apiserver /readyz" 120 _healthy kube-apiserver "https://$bind:$APISERVER_PORT/readyz" \
    --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key"
  # /readyz is green before the bootstrap RBAC and the default namespace exist.
  wait_for "default namespace and service account admission" 60 \
    "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" get namespace default
  step_done
}

# --- rung 2: controller manager + scheduler + kwok ---------------------------
start_controller_manager() {
  step "start kube-controller-manager"
  start_proc kube-controller-manager "$K8S_HOME/bin/kube-controller-manager" \
    --kubeconfig="$LC_STATE/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$LC_STATE/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$LC_STATE/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$KCM_PORT" \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --use-service-account-credentials=true \
    --controllers='*,bootstrapsigner,tokencleaner' \
    --allocate-node-cidrs=true --cluster-cidr="$POD_CIDR" --node-cidr-mask-size=24 \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --horizontal-pod-autoscaler-sync-period=5s \
    --leader-elect=false --profiling=false --v=1
  wait_for "kube-controller-manager /healthz" 60 _healthy kube-controller-manager "https://127.0.0.1:$KCM_PORT/healthz" -k
  step_done
}

start_scheduler() {
  step "start kube-scheduler"
  start_proc kube-scheduler "$K8S_HOME/bin/kube-scheduler" \
    --kubeconfig="$LC_STATE/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$LC_STATE/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$LC_STATE/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$SCHEDULER_PORT" \
    --leader-elect=false --profiling=false --v=1
  wait_for "kube-scheduler /healthz" 60 _healthy kube-scheduler "https://127.0.0.1:$SCHEDULER_PORT/healthz" -k
  step_done
}

# kwok plays the kubelet for nodes annotated kwok.x-k8s.io/node=fake: they go
# Ready, and pods bound to them go Running (no containers run).
start_kwok() {
  local n="${KWOK_NODES:-2}" i
  step "start kwok with $n fake nodes"
  start_proc kwok "$KWOK_HOME/bin/kwok" \
    --kubeconfig="$LC_STATE/kwok.kubeconfig" \
    --manage-all-nodes=false \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --manage-nodes-with-label-selector= \
    --disregard-status-with-annotation-selector=kwok.x-k8s.io/status=custom \
    --disregard-status-with-label-selector= \
    --cidr=10.244.128.0/17 --node-ip=10.0.0.1 \
    --node-lease-duration-seconds=40
  for i in $(seq 1 "$n"); do
    "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations: {node.alpha.kubernetes.io/ttl: "0", kwok.x-k8s.io/node: fake}
  labels:
    type: kwok
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/role: agent
    node-role.kubernetes.io/agent: ""
    topology.kubernetes.io/zone: zone-$(( (i - 1) % 2 ))
status:
  allocatable: {cpu: "8", memory: 32Gi, pods: "110"}
  capacity: {cpu: "8", memory: 32Gi, pods: "110"}
  nodeInfo: {architecture: amd64, kubeletVersion: fake, kubeProxyVersion: fake, operatingSystem: linux}
  phase: Running
EOF
  done
  wait_for "kwok nodes Ready" 60 "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" wait --for=condition=Ready node -l type=kwok --timeout=2s
  step_done
}
