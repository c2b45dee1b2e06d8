# shellcheck shell=bash
# Rung-3 cluster tests (a real node), sourced by cluster-test.sh: uses its
# check/eventually helpers, $NS and $KUBECTL.
TIMG=northstar.local/busybox:test

check "node is a real kubelet $EXPECT_VERSION on containerd" sh -c "'$KUBECTL' get nodes -o jsonpath='{.items[*].status.nodeInfo.kubeletVersion} {.items[*].status.nodeInfo.containerRuntimeVersion}' | grep -Eq 'v1\..* containerd://'"
check "web server Deployment + Service (nettool HTTP server, non-root, read-only root)" sh -c "cat <<EOF | '$KUBECTL' apply -f -
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpd, namespace: $NS}
spec:
  replicas: 2
  selector: {matchLabels: {app: httpd}}
  template:
    metadata: {labels: {app: httpd}}
    spec:
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: 2
      containers:
      - name: httpd
        image: $TIMG
        imagePullPolicy: Never
        command: [nettool, serve, ':8080']
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 2}
        resources: {requests: {cpu: 10m, memory: 8Mi}, limits: {cpu: 200m, memory: 32Mi}}
        volumeMounts: [{name: tmp, mountPath: /tmp}]
        securityContext: {runAsNonRoot: true, runAsUser: 65534, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}
      volumes: [{name: tmp, emptyDir: {}}]
---
apiVersion: v1
kind: Service
metadata: {name: httpd, namespace: $NS}
spec: {selector: {app: httpd}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: httpd-headless, namespace: $NS}
spec: {clusterIP: None, selector: {app: httpd}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: $NS}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: client
    image: $TIMG
    imagePullPolicy: Never
    command: [sleep, '3600']
    securityContext: {runAsNonRoot: true, runAsUser: 65534, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
EOF"
eventually 120 "containers run and pass their readiness probe" k -n "$NS" rollout status deployment/httpd --timeout=5s
eventually 60 "client pod Running" sh -c "[ \"\$('$KUBECTL' -n $NS get pod client -o jsonpath='{.status.phase}')\" = Running ]"
check "kubectl exec" sh -c "'$KUBECTL' -n $NS exec client -- id | grep -q 'uid=65534'"
check "kubectl logs" k -n "$NS" logs deploy/httpd
eventually 30 "pod -> pod IP over the CNI bridge" sh -c "ip=\$('$KUBECTL' -n $NS get pods -l app=httpd -o jsonpath='{.items[0].status.podIP}'); '$KUBECTL' -n $NS exec client -- nettool get http://\$ip:8080/ | grep -q httpd"
eventually 30 "DNS: CoreDNS resolves the Service name" sh -c "'$KUBECTL' -n $NS exec client -- nettool lookup httpd.$NS.svc.cluster.local | grep -q '^10\.96\.'"
eventually 30 "DNS: headless Service resolves to every pod IP" sh -c "[ \$('$KUBECTL' -n $NS exec client -- nettool lookup httpd-headless.$NS.svc.cluster.local | grep -c '^10\.244\.') -eq 2 ]"
eventually 30 "kube-proxy: ClusterIP Service by name reaches a pod" sh -c "'$KUBECTL' -n $NS exec client -- nettool get http://httpd/ | grep -q httpd"
check "kube-proxy: Service spreads connections over both pods" sh -c "for i in \$(seq 1 20); do '$KUBECTL' -n $NS exec client -- nettool get http://httpd/; done | sort -u | wc -l | grep -qx 2"
check "pod -> API server through the kubernetes Service (10.96.0.1:443)" sh -c "'$KUBECTL' -n $NS exec client -- nettool tcp kubernetes.default.svc.cluster.local:443"
PF_LOG=$(mktemp)
k -n "$NS" port-forward svc/httpd 18080:80 >"$PF_LOG" 2>&1 &
PF_PID=$!
eventually 30 "kubectl port-forward to the Service answers on localhost" sh -c "curl -fsS --max-time 3 http://127.0.0.1:18080/ | grep -q httpd"
kill "$PF_PID" 2>/dev/null; rm -f "$PF_LOG"
eventually 120 "metrics-server: node metrics (kubectl top node)" k top node
eventually 120 "metrics-server: pod metrics" sh -c "'$KUBECTL' -n $NS top pod -l app=httpd --no-headers | grep -c httpd | grep -qx 2"
if [ -n "${NETPOL_ENFORCED:-}" ]; then
  check "NetworkPolicy: only role=allowed may reach httpd" sh -c "cat <<EOF | '$KUBECTL' apply -f -
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: httpd-ingress, namespace: $NS}
spec:
  podSelector: {matchLabels: {app: httpd}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {role: allowed}}}], ports: [{port: 8080}]}]
EOF"
  eventually 60 "NetworkPolicy: the forbidden path (client -> httpd) is refused" sh -c "! '$KUBECTL' -n $NS exec client -- nettool get http://httpd/"
  check "NetworkPolicy: DNS (CoreDNS, no policy) still answers the client" sh -c "'$KUBECTL' -n $NS exec client -- nettool lookup httpd.$NS.svc.cluster.local"
  check "label the client role=allowed" k -n "$NS" label pod client role=allowed
  eventually 60 "NetworkPolicy: the allowed path works" sh -c "'$KUBECTL' -n $NS exec client -- nettool get http://httpd/ | grep -q httpd"
else
  echo "  skip NetworkPolicy enforcement (kube-router not running: the bridge CNI does not enforce policy)"
fi
check "HPA: CPU-burning Deployment with an HPA (1..3 replicas, 50% of 20m)" sh -c "cat <<EOF | '$KUBECTL' apply -f -
apiVersion: apps/v1
kind: Deployment
metadata: {name: burner, namespace: $NS}
spec:
  replicas: 1
  selector: {matchLabels: {app: burner}}
  template:
    metadata: {labels: {app: burner}}
    spec:
      automountServiceAccountToken: false
      terminationGracePeriodSeconds: 1
      containers:
      - name: burner
        image: $TIMG
        imagePullPolicy: Never
        command: [nettool, burn, '1']
        resources: {requests: {cpu: 20m, memory: 8Mi}, limits: {cpu: 100m, memory: 32Mi}}
        securityContext: {runAsNonRoot: true, runAsUser: 65534, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: burner, namespace: $NS}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: burner}
  minReplicas: 1
  maxReplicas: 3
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}]
  behavior: {scaleUp: {stabilizationWindowSeconds: 0}}
EOF"
eventually 180 "HPA scales the Deployment up on real CPU metrics" sh -c "[ \"\$('$KUBECTL' -n $NS get deploy burner -o jsonpath='{.status.replicas}')\" = 3 ]"
k -n "$NS" delete deployment burner --wait=false >/dev/null 2>&1
check "rollout restart with real containers" k -n "$NS" rollout restart deployment/httpd
eventually 120 "restart completes" k -n "$NS" rollout status deployment/httpd --timeout=5s
check "delete the workload" k -n "$NS" delete deployment httpd --timeout=60s
eventually 60 "its containers stop" sh -c "[ -z \"\$('$KUBECTL' -n $NS get pods -l app=httpd -o name)\" ]"
