#!/usr/bin/env bash
# `kubectl apply --dry-run=server` of the rendered chart against a running API
# server: the real OpenAPI schemas, defaulting and admission, including Pod
# Security `restricted` (warnings count as errors). Uses $KUBECONFIG, or the
# local cluster of infra/local-cluster when one is running.
#
# The dry run needs an existing namespace; it creates a scratch one labeled for
# `restricted` and deletes it on exit. Nothing else is written to the cluster.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
chart="$root/charts/northstar"
ns="${HELM_DRYRUN_NAMESPACE:-northstar-helm-dryrun-$$}"
log() { printf 'server-dry-run: %s\n' "$*" >&2; }

helm="$("$root/infra/helm/install-helm.sh")"
if [ -z "${KUBECONFIG:-}" ]; then
  eval "$("$root/infra/local-cluster/cluster.sh" env)"
fi
command -v kubectl >/dev/null || { log "kubectl is not on PATH"; exit 1; }
if ! kubectl get --raw /readyz >/dev/null 2>&1; then
  log "no API server answers at KUBECONFIG=$KUBECONFIG: start one (make cluster-up) or point KUBECONFIG at a cluster"
  exit 1
fi
log "API server $(kubectl version -o json | sed -n 's/.*"gitVersion": "\(.*\)".*/\1/p' | tail -1), scratch namespace $ns"

kubectl create namespace "$ns" >/dev/null
trap 'kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true' EXIT
kubectl label namespace "$ns" >/dev/null \
  pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/warn=restricted

status=0
for values in "" values-kind.yaml ci/autoscaling-values.yaml ci/no-network-policy-values.yaml \
  ci/external-database-values.yaml ci/existing-secrets-values.yaml ci/ingress-values.yaml ci/production-values.yaml; do
  args=(template northstar "$chart" --namespace "$ns")
  [ -n "$values" ] && args+=(--values "$chart/$values")
  if out=$("$helm" "${args[@]}" | kubectl apply --dry-run=server --warnings-as-errors -n "$ns" -f - 2>&1); then
    log "ok   ${values:-default values} ($(grep -c 'server dry run' <<<"$out") objects)"
  else
    log "FAIL ${values:-default values}:"; printf '%s\n' "$out" | grep -v 'server dry run' >&2
    status=1
  fi
done
exit $status
