#!/usr/bin/env bash
# Cluster tests for the local-cluster ladder: prove that the rung that runs works.
#   KUBECONFIG=... RUNG=1|2|3 infra/local-cluster/test/cluster-test.sh
# (`cluster.sh test` sets both.) Last line: "N passed, N failed"; exit 1 on any failure.
set -uo pipefail

: "${KUBECONFIG:?set KUBECONFIG (eval \"\$(infra/local-cluster/cluster.sh env)\")}"
RUNG="${RUNG:-${NORTHSTAR_CLUSTER_RUNG:-1}}"
KUBECTL="${KUBECTL:-kubectl}"
NS="lc-test-$$"
EXPECT_VERSION="${EXPECT_VERSION:-}"
pass=0; fail=0
k() { "$KUBECTL" "$@"; }

ok()   { pass=$((pass+1)); printf '  \033[32mok\033[0m   %s\n' "$1"; }
bad()  { fail=$((fail+1)); printf '  \033[31mFAIL\033[0m %s\n' "$1"; [ -n "${2:-}" ] && printf '       %s\n' "$2"; }
# check "<name>" <command...>: pass if the command succeeds
check() { local n="$1"; shift; local out; if out=$("$@" 2>&1); then ok "$n"; else bad "$n" "$(echo "$out" | tail -3)"; fi; }
# eventually <timeout-s> "<name>" <command...>: pass once the command succeeds
eventually() {
  local t="$1" n="$2"; shift 2; local end=$(( $(date +%s) + t )) out
  while :; do
    if out=$("$@" 2>&1); then ok "$n"; return 0; fi
    [ "$(date +%s)" -ge "$end" ] && { bad "$n" "$(echo "$out" | tail -3)"; return 1; }
    sleep 0.5
  done
}
cleanup() { k delete namespace "$NS" --wait=false >/dev/null 2>&1 || true; k delete crd widgets.test.northstar.dev --wait=false >/dev/null 2>&1 || true; [ -n "${WATCH_PID:-}" ] && kill "$WATCH_PID" 2>/dev/null; rm -f "${WATCH_OUT:-}"; }
trap cleanup EXIT

echo "cluster tests, rung $RUNG, namespace $NS"

# --- rung 1: API server ------------------------------------------------------
echo "rung 1: etcd + kube-apiserver"
check "API server /readyz" k get --raw /readyz
check "API server /livez?verbose lists etcd" sh -c "'$KUBECTL' get --raw '/livez?verbose' | grep -q '\[+\]etcd ok'"
if [ -n "$EXPECT_VERSION" ]; then
  check "server version is $EXPECT_VERSION" sh -c "'$KUBECTL' version -o json | grep -q '\"gitVersion\": \"$EXPECT_VERSION\"'"
fi
check "create namespace" k create namespace "$NS"
manifest() {
  cat <<EOF
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config, namespace: $NS}
data: {greeting: hello}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: $NS, labels: {app: web}}
spec:
  replicas: ${1:-2}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      automountServiceAccountToken: false
      containers:
      - name: web
        image: ${TEST_IMAGE:-registry.k8s.io/pause:3.10}
        imagePullPolicy: IfNotPresent
        resources: {requests: {cpu: 10m, memory: 16Mi}, limits: {memory: 32Mi}}
        securityContext: {runAsNonRoot: true, runAsUser: 65535, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: $NS}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
EOF
}
check "server-side dry-run apply is accepted" sh -c "$(declare -f manifest); NS=$NS TEST_IMAGE=${TEST_IMAGE:-}; manifest | '$KUBECTL' apply --dry-run=server -f -"
check "server-side dry-run persisted nothing" sh -c "! '$KUBECTL' -n $NS get deployment web 2>/dev/null"
check "server-side dry-run rejects an invalid object" sh -c "echo '{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"bad\",\"namespace\":\"$NS\"},\"spec\":{\"replicas\":-1,\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":{\"a\":\"c\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}}}' | '$KUBECTL' apply --dry-run=server -f - 2>&1 | grep -q 'Invalid value'"
check "apply ConfigMap + Deployment + Service" sh -c "$(declare -f manifest); NS=$NS TEST_IMAGE=${TEST_IMAGE:-}; manifest | '$KUBECTL' apply -f -"
check "server-side apply (field manager) of the same objects" sh -c "$(declare -f manifest); NS=$NS TEST_IMAGE=${TEST_IMAGE:-}; manifest | '$KUBECTL' apply --server-side --force-conflicts --field-manager=lc-test -f -"
check "Service got a ClusterIP from ${SERVICE_CIDR:-the service range}" sh -c "'$KUBECTL' -n $NS get svc web -o jsonpath='{.spec.clusterIP}' | grep -Eq '^10\.96\.'"

WATCH_OUT=$(mktemp)
k -n "$NS" get configmap app-config --watch --output-watch-events -o 'jsonpath={.type} {.object.data.greeting}{"\n"}' >"$WATCH_OUT" 2>&1 &
WATCH_PID=$!
sleep 1
k -n "$NS" patch configmap app-config --type=merge -p '{"data":{"greeting":"watched"}}' >/dev/null
eventually 15 "watch delivers the MODIFIED event" grep -q 'MODIFIED watched' "$WATCH_OUT"
kill "$WATCH_PID" 2>/dev/null; WATCH_PID=

check "create a CustomResourceDefinition" sh -c "cat <<'EOF' | '$KUBECTL' apply -f -
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.test.northstar.dev}
spec:
  group: test.northstar.dev
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, required: [size], properties: {size: {type: integer, minimum: 1}}}
          status: {type: object, x-kubernetes-preserve-unknown-fields: true}
EOF"
eventually 30 "CRD becomes Established" k wait --for=condition=Established crd/widgets.test.northstar.dev --timeout=2s
eventually 30 "custom resource create" sh -c "echo '{\"apiVersion\":\"test.northstar.dev/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w1\",\"namespace\":\"$NS\"},\"spec\":{\"size\":2}}' | '$KUBECTL' apply -f -"
check "CRD schema validation rejects size=0" sh -c "! echo '{\"apiVersion\":\"test.northstar.dev/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w2\",\"namespace\":\"$NS\"},\"spec\":{\"size\":0}}' | '$KUBECTL' apply --dry-run=server -f - 2>/dev/null"
check "status subresource patch" k -n "$NS" patch widget w1 --subresource=status --type=merge -p '{"status":{"phase":"Ready"}}'
check "RBAC denies an unprivileged service account" sh -c "[ \"\$('$KUBECTL' auth can-i list secrets -n $NS --as=system:serviceaccount:$NS:nobody)\" = no ]"
check "create ServiceAccount and request a token (TokenRequest)" sh -c "'$KUBECTL' -n $NS create serviceaccount lc-sa >/dev/null && '$KUBECTL' -n $NS create token lc-sa --duration=10m | grep -q '^ey'"

# --- rung 2: control plane ---------------------------------------------------
if [ "$RUNG" -ge 2 ]; then
  echo "rung 2: kube-controller-manager + kube-scheduler (+ nodes)"
  eventually 30 "namespace gets its default ServiceAccount (controller-manager)" k -n "$NS" get serviceaccount default
  eventually 30 "Deployment creates a ReplicaSet" sh -c "'$KUBECTL' -n $NS get rs -l app=web -o name | grep -q replicaset"
  eventually 30 "ReplicaSet creates 2 Pods" sh -c "[ \$('$KUBECTL' -n $NS get pods -l app=web --no-headers | wc -l) -eq 2 ]"
  eventually 60 "scheduler binds the Pods to nodes" sh -c "[ \$('$KUBECTL' -n $NS get pods -l app=web -o jsonpath='{range .items[*]}{.spec.nodeName}{\"\n\"}{end}' | grep -c .) -eq 2 ]"
  eventually 120 "Deployment becomes Available (pods Ready)" k -n "$NS" rollout status deployment/web --timeout=5s
  eventually 60 "EndpointSlice lists the ready pods" sh -c "[ \$('$KUBECTL' -n $NS get endpointslice -l kubernetes.io/service-name=web -o jsonpath='{range .items[*].endpoints[*]}{.addresses[0]}{\"\n\"}{end}' | grep -c .) -eq 2 ]"
  check "scale to 3" k -n "$NS" scale deployment/web --replicas=3
  eventually 120 "3 replicas available" sh -c "[ \"\$('$KUBECTL' -n $NS get deploy web -o jsonpath='{.status.availableReplicas}')\" = 3 ]"
  check "rollout restart" k -n "$NS" rollout restart deployment/web
  eventually 180 "restart rolls out a second ReplicaSet" sh -c "[ \$('$KUBECTL' -n $NS get rs -l app=web --no-headers | wc -l) -eq 2 ] && '$KUBECTL' -n $NS rollout status deployment/web --timeout=5s"
  check "PodDisruptionBudget and HPA objects are accepted" sh -c "cat <<EOF | '$KUBECTL' apply -f -
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: $NS}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: $NS}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 4
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]
EOF"
  eventually 60 "PDB status computed by the disruption controller" sh -c "[ \"\$('$KUBECTL' -n $NS get pdb web -o jsonpath='{.status.currentHealthy}')\" = 3 ]"
  eventually 60 "HPA controller reconciles the HPA (condition set)" sh -c "'$KUBECTL' -n $NS get hpa web -o jsonpath='{.status.conditions[*].type}' | grep -q AbleToScale"
  check "delete the Deployment (foreground)" k -n "$NS" delete deployment web --cascade=foreground --timeout=120s
  eventually 120 "garbage collector removes its ReplicaSets and Pods" sh -c "[ -z \"\$('$KUBECTL' -n $NS get rs,pods -l app=web -o name)\" ]"
fi

# --- rung 3: a real node -----------------------------------------------------
if [ "$RUNG" -ge 3 ] && [ -f "$(dirname "$0")/node-test.sh" ]; then
  echo "rung 3: kubelet + containerd + CNI + kube-proxy + CoreDNS"
  # shellcheck source=/dev/null
  . "$(dirname "$0")/node-test.sh"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
