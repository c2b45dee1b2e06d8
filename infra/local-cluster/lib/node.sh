# shellcheck shell=bash
# Rung 3: one real node on this machine. containerd (Debian) + runc, the CNI
# bridge plugin, kubelet (cgroupfs, cgroup v1), kube-proxy, then CoreDNS and
# metrics-server as pods from FROM-scratch images built in lib/build.sh.
# See FINDINGS.md for why each setting is what it is.

NODE_NAME="${NODE_NAME:-lc-node-1}"
CTRD="$LC_STATE/containerd"
CTRD_SOCK="$CTRD/containerd.sock"
CNI_CONF_DIR="$LC_STATE/cni/net.d"
CNI_BIN_DIR="${CNI_BIN_DIR:-/usr/lib/cni}"
KUBELET_DIR="$LC_STATE/kubelet"
NODE_GUARD_COMMENT="northstar local-cluster: node IP is host-only"

ctr_k8s() { ctr --address "$CTRD_SOCK" -n k8s.io "$@"; }

node_preflight() {
  need_cmd containerd ctr runc iptables ip
  [ -n "${LOCAL_CLUSTER_NO_NETPOL:-}" ] || need_cmd ipset
  local p
  for p in bridge host-local loopback portmap firewall; do
    [ -x "$CNI_BIN_DIR/$p" ] || die "missing CNI plugin $CNI_BIN_DIR/$p — apt-get install containernetworking-plugins (or set CNI_BIN_DIR)"
  done
  [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && warn "cgroup v2 host: untested here (this ladder was built on cgroup v1 hybrid)"
  [ -d /sys/fs/cgroup/memory ] || [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || die "no memory cgroup mounted at /sys/fs/cgroup/memory"
  [ "$(id -u)" = 0 ] || die "rung 3 needs root (kubelet, containerd, iptables)"
}

# The node's IP lives on a port-less bridge: a host-only address that pods
# reach through their gateway and nothing outside this machine routes to.
# (The kernel has no `dummy` driver: CONFIG_DUMMY is not set.)
node_host_iface() {
  if ! ip link show "$NODE_IFACE" >/dev/null 2>&1; then
    ip link add "$NODE_IFACE" type bridge
  fi
  case "$(ip -4 -o addr show dev "$NODE_IFACE")" in *" $NODE_IP/"*) ;; *) ip addr add "$NODE_IP/32" dev "$NODE_IFACE";; esac
  ip link set "$NODE_IFACE" up
  sysctl -qw net.ipv4.ip_forward=1
  sysctl -qw net.bridge.bridge-nf-call-iptables=1 2>/dev/null || true
  # Refuse traffic to the node IP that arrives from outside the machine.
  local dev; dev=$(ip route show default | awk '{print $5; exit}')
  local rules; rules=$(iptables -S INPUT 2>/dev/null)
  if [ -n "$dev" ] && [[ "$rules" != *"$NODE_GUARD_COMMENT"* ]]; then
    iptables -w 5 -I INPUT -i "$dev" -d "$NODE_IP/32" -m comment --comment "$NODE_GUARD_COMMENT" -j DROP
  fi
}

write_node_configs() {
  mkdir -p "$CTRD" "$CNI_CONF_DIR" "$LC_STATE/cni/ipam" "$KUBELET_DIR"
  cat >"$CTRD/config.toml" <<EOF
version = 2
root = "$CTRD/root"
state = "$CTRD/state"
# Cannot go below 0 here: no CAP_SYS_RESOURCE (FINDINGS.md section 1).
oom_score = 0
[grpc]
  address = "$CTRD_SOCK"
[plugins."io.containerd.internal.v1.opt"]
  path = "$CTRD/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:$PAUSE_VERSION"
  # Clamp the sandbox's -998 and Guaranteed pods' -997 to containerd's own
  # score instead of failing in runc (FINDINGS.md section 1).
  restrict_oom_score_adj = true
  tolerate_missing_hugetlb_controller = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$CNI_CONF_DIR"
EOF
  # firewall: accepts pod traffic in FORWARD, whose policy may be DROP (Docker
  # sets that, and Docker has been run on these machines).
  cat >"$CNI_CONF_DIR/10-northstar.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "northstar-local",
  "plugins": [
    {
      "type": "bridge", "bridge": "nscni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$LC_STATE/cni/ipam",
        "ranges": [[{"subnet": "$NODE_POD_CIDR", "gateway": "${NODE_POD_CIDR%.0/*}.1"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "firewall", "backend": "iptables"}
  ]
}
EOF
  cat >"$KUBELET_DIR/config.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: "$PKI/ca.crt"}
authorization: {mode: Webhook}
tlsCertFile: "$PKI/kubelet-serving.crt"
tlsPrivateKeyFile: "$PKI/kubelet-serving.key"
containerRuntimeEndpoint: "unix://$CTRD_SOCK"
cgroupDriver: cgroupfs
cgroupRoot: /
failCgroupV1: false
failSwapOn: false
# kubelet's own default is -999; impossible without CAP_SYS_RESOURCE.
oomScoreAdj: 0
protectKernelDefaults: false
clusterDomain: cluster.local
clusterDNS: ["$CLUSTER_DNS_IP"]
resolvConf: /etc/resolv.conf
podCIDR: "$NODE_POD_CIDR"
maxPods: 60
serializeImagePulls: false
imageGCHighThresholdPercent: 95
imageGCLowThresholdPercent: 90
evictionHard: {memory.available: "200Mi", nodefs.available: "3%", imagefs.available: "3%"}
rotateCertificates: false
serverTLSBootstrap: false
syncFrequency: 10s
fileCheckFrequency: 10s
nodeStatusUpdateFrequency: 5s
EOF
  cat >"$LC_STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "$LC_STATE/kube-proxy.kubeconfig"}
mode: "$KUBE_PROXY_MODE"
hostnameOverride: $NODE_NAME
clusterCIDR: "$POD_CIDR"
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
oomScoreAdj: 0
conntrack: {maxPerCore: 0}
iptables: {localhostNodePorts: false}
nodePortAddresses: ["$NODE_IP/32"]
EOF
}

import_images() {
  local t
  for t in "$PAUSE_HOME/pause.tar" "$COREDNS_HOME/image.tar" "$METRICS_HOME/image.tar" "$NORTHSTAR_CACHE/test-image/busybox/image.tar" ${LOCAL_CLUSTER_IMAGES:-}; do
    [ -f "$t" ] || die "missing image archive $t"
    ctr_k8s images import --no-unpack=false "$t" >/dev/null || die "ctr images import $t failed"
  done
}

render_addon() { # render_addon <file>: substitute @VARS@ and apply
  sed -e "s|@COREDNS_IMAGE@|northstar.local/coredns:$COREDNS_VERSION|g" \
      -e "s|@METRICS_IMAGE@|northstar.local/metrics-server:$METRICS_SERVER_VERSION|g" \
      -e "s|@CLUSTER_DNS_IP@|$CLUSTER_DNS_IP|g" "$1" |
    "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" apply -f - >/dev/null
}

start_node() {
  node_preflight
  step "node network: $NODE_IFACE $NODE_IP (host-only), CNI bridge nscni0 $NODE_POD_CIDR"
  node_host_iface
  write_node_configs
  step_done

  step "start containerd $(containerd --version | awk '{print $3}') (overlayfs, runc)"
  start_proc containerd "$(command -v containerd)" --config "$CTRD/config.toml"
  wait_for "containerd socket" 30 ctr --address "$CTRD_SOCK" version
  import_images
  step_done

  step "start kubelet $K8S_VERSION (cgroupfs, cgroup v1)"
  start_proc kubelet "$K8S_HOME/bin/kubelet" \
    --config="$KUBELET_DIR/config.yaml" --kubeconfig="$LC_STATE/kubelet.kubeconfig" \
    --root-dir="$KUBELET_DIR" --hostname-override="$NODE_NAME" --node-ip="$NODE_IP" --v=1
  wait_for "kubelet /healthz" 60 _healthy kubelet "http://127.0.0.1:10248/healthz"
  wait_for "node $NODE_NAME Ready" 90 "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" wait --for=condition=Ready "node/$NODE_NAME" --timeout=2s
  step_done

  step "start kube-proxy ($KUBE_PROXY_MODE mode)"
  start_proc kube-proxy "$K8S_HOME/bin/kube-proxy" --config="$LC_STATE/kube-proxy.yaml" --v=1
  wait_for "kube-proxy /healthz" 60 _healthy kube-proxy "http://127.0.0.1:10256/healthz"
  step_done

  if [ -z "${LOCAL_CLUSTER_NO_NETPOL:-}" ]; then
    step "start kube-router $KUBE_ROUTER_VERSION (NetworkPolicy firewall only)"
    # Only the firewall controller: routing stays with the bridge CNI, services with kube-proxy.
    start_proc kube-router "$KUBE_ROUTER_HOME/bin/kube-router" \
      --kubeconfig="$LC_STATE/kube-router.kubeconfig" --hostname-override="$NODE_NAME" \
      --run-firewall=true --run-router=false --run-service-proxy=false --run-loadbalancer=false \
      --enable-cni=false --enable-ibgp=false --enable-overlay=false --enable-pod-egress=false \
      --service-cluster-ip-range="$SERVICE_CIDR" --health-port=0 --metrics-port=0 \
      --iptables-sync-period=30s --v=1
    sleep 1; proc_died kube-router && die "kube-router failed to start"
    step_done
  fi

  step "addons: CoreDNS $COREDNS_VERSION, metrics-server $METRICS_SERVER_VERSION"
  render_addon "$LC_DIR/manifests/coredns.yaml"
  render_addon "$LC_DIR/manifests/metrics-server.yaml"
  wait_for "CoreDNS rollout" 120 "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" -n kube-system rollout status deployment/coredns --timeout=2s
  if [ -z "${LOCAL_CLUSTER_NO_WAIT_METRICS:-}" ]; then
    wait_for "metrics-server rollout" 120 "$KUBECTL" --kubeconfig "$KUBECONFIG_FILE" -n kube-system rollout status deployment/metrics-server --timeout=2s
  fi
  step_done
}

# Pods were killed without a CNI DEL, so remove what the bridge (ipMasq) and
# firewall plugins added for our pod subnet: per-pod nat chains and FORWARD accepts.
cni_iptables_cleanup() {
  local rule chain net="${NODE_POD_CIDR%.0/*}."
  iptables -t nat -S POSTROUTING 2>/dev/null | grep -F 'name: \"northstar-local\"' | while read -r rule; do
    chain=$(echo "$rule" | sed -n 's/.* -j \(CNI-[0-9a-f]*\).*/\1/p')
    eval "iptables -t nat ${rule/-A /-D }" 2>/dev/null || true
    [ -n "$chain" ] && { iptables -t nat -F "$chain" 2>/dev/null; iptables -t nat -X "$chain" 2>/dev/null; }
  done
  iptables -S CNI-FORWARD 2>/dev/null | grep -F -- " $net" | while read -r rule; do
    eval "iptables ${rule/-A /-D }" 2>/dev/null || true
  done
  if [ "$(iptables -S CNI-FORWARD 2>/dev/null | grep -c -- '^-A')" -le 1 ]; then
    iptables -D FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD 2>/dev/null || true
    iptables -F CNI-FORWARD 2>/dev/null; iptables -X CNI-FORWARD 2>/dev/null
    iptables -F CNI-ADMIN 2>/dev/null; iptables -X CNI-ADMIN 2>/dev/null
  fi
  true
}

# kube-router v2.1.0's --cleanup-config leaves its netpol rules in place (and
# then panics in the ipvs cleanup), so remove its chains and ipsets here.
kube_router_cleanup() {
  local c chains rule
  chains=$(iptables -S 2>/dev/null | awk '/^-N (KUBE-ROUTER-|KUBE-POD-FW-|KUBE-NWPLCY-)/ {print $2}')
  [ -z "$chains" ] && return 0
  for c in INPUT FORWARD OUTPUT; do
    iptables -S "$c" 2>/dev/null | grep -F -- '-j KUBE-ROUTER-' | while read -r rule; do
      eval "iptables ${rule/-A /-D }" 2>/dev/null || true
    done
  done
  for c in $chains; do iptables -F "$c" 2>/dev/null || true; done
  for c in $chains; do iptables -X "$c" 2>/dev/null || true; done
  for c in $(ipset list -n 2>/dev/null | grep -E '^(KUBE-SRC-|KUBE-DST-|kube-router-)'); do ipset destroy "$c" 2>/dev/null || true; done
  true
}

stop_node() {
  local id m
  # Stop every pod's containers through containerd before stopping it, so no
  # shim, mount or veth outlives the cluster.
  stop_procs kube-router kube-proxy kubelet
  if is_running containerd; then
    for id in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true; done
    sleep 1
    for id in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks delete -f "$id" >/dev/null 2>&1 || true; done
    for id in $(ctr_k8s containers ls -q 2>/dev/null); do ctr_k8s containers delete "$id" >/dev/null 2>&1 || true; done
  fi
  stop_procs containerd
  # Pod network namespaces created by the CRI plugin, and the veths in them.
  for m in $(awk -v s="$LC_STATE" 'index($2, s) == 1 || $2 ~ "^/run/netns/cni-" {print $2}' /proc/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  rm -f /run/netns/cni-* 2>/dev/null || true   # our CRI plugin's pod netns files (the only CRI here)
  # Empty pod cgroups left by the kubelet.
  for m in /sys/fs/cgroup/*/kubepods; do
    [ -d "$m" ] && find "$m" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  # Service rules: kube-proxy --cleanup removes its iptables/nftables chains.
  [ -x "$K8S_HOME/bin/kube-proxy" ] && "$K8S_HOME/bin/kube-proxy" --cleanup >/dev/null 2>&1 || true
  ip link del nscni0 2>/dev/null || true
  cni_iptables_cleanup
  kube_router_cleanup
  # Chains the kubelet creates (KUBE-FIREWALL blocks non-local sources to 127/8).
  local t ipt
  for ipt in iptables ip6tables; do
    $ipt -D INPUT -j KUBE-FIREWALL 2>/dev/null || true
    $ipt -D OUTPUT -j KUBE-FIREWALL 2>/dev/null || true
    $ipt -F KUBE-FIREWALL 2>/dev/null && $ipt -X KUBE-FIREWALL 2>/dev/null || true
    for t in filter nat mangle; do
      $ipt -t "$t" -X KUBE-KUBELET-CANARY 2>/dev/null || true
      $ipt -t "$t" -X KUBE-IPTABLES-HINT 2>/dev/null || true
    done
  done
  # The host-only node address and its guard rule.
  local rule
  iptables -S INPUT 2>/dev/null | grep -F "$NODE_GUARD_COMMENT" | while read -r rule; do
    eval "iptables -w 5 ${rule/-A /-D }" 2>/dev/null || true
  done
  ip link del "$NODE_IFACE" 2>/dev/null || true
}
