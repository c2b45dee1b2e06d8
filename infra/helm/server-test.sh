#!/usr/bin/env bash
# The chart against a running API server (no kubelet needed). Uses $KUBECONFIG,
# or the local cluster of infra/local-cluster when one is running.
#  1. `kubectl apply --dry-run=server` of every values set: the real OpenAPI
#     schemas, defaulting and admission, including Pod Security `restricted`
#     (warnings count as errors).
#  2. A real install, upgrade, config change, uninstall and reinstall (no --wait):
#     generated Secrets survive upgrades and reinstalls unchanged (lookup, keep),
#     an upgrade with the same values rolls nothing, a config change rolls only
#     the service it belongs to.
# Everything happens in a scratch namespace labeled for `restricted`, deleted on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
chart="$root/charts/northstar"
ns="${HELM_DRYRUN_NAMESPACE:-northstar-helm-dryrun-$$}"
log() { printf 'helm-server-test: %s\n' "$*" >&2; }

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

snapshot() { # generated secret data, then each Deployment's checksums
  kubectl -n "$ns" get secret northstar-db northstar-jwt northstar-webhook -o jsonpath='{range .items[*]}{.data}{"\n"}{end}' | sha256sum
  kubectl -n "$ns" get deployment -o jsonpath='{range .items[*]}{.metadata.name} {.spec.template.metadata.annotations}{"\n"}{end}' | sort
}
check() { # check <what> <expected> <actual>
  if [ "$2" = "$3" ]; then log "ok   $1"; else log "FAIL $1"; diff <(echo "$2") <(echo "$3") >&2 || true; status=1; fi
}
kind=(--values "$chart/values-kind.yaml")
"$helm" install northstar "$chart" -n "$ns" "${kind[@]}" >/dev/null
installed="$(snapshot)"
"$helm" upgrade northstar "$chart" -n "$ns" "${kind[@]}" >/dev/null
check "upgrade with the same values: same Secrets, no pod rolled" "$installed" "$(snapshot)"
"$helm" upgrade northstar "$chart" -n "$ns" "${kind[@]}" --set roadmap.logLevel=info >/dev/null
changed="$(snapshot)"
check "config change: Secrets kept" "$(head -1 <<<"$installed")" "$(head -1 <<<"$changed")"
check "config change: only roadmap rolls" "$(grep -v '^roadmap' <<<"$installed")" "$(grep -v '^roadmap' <<<"$changed")"
[ "$(grep '^roadmap' <<<"$installed")" != "$(grep '^roadmap' <<<"$changed")" ] || { log "FAIL roadmap's checksum did not change"; status=1; }
"$helm" uninstall northstar -n "$ns" >/dev/null 2>&1
check "uninstall keeps the generated Secrets" "northstar-db northstar-jwt northstar-webhook" \
  "$(kubectl -n "$ns" get secret -o jsonpath='{.items[*].metadata.name}')"
"$helm" install northstar "$chart" -n "$ns" "${kind[@]}" >/dev/null
check "reinstall adopts the kept Secrets unchanged" "$(head -1 <<<"$installed")" "$(snapshot | head -1)"
"$helm" uninstall northstar -n "$ns" >/dev/null 2>&1 || true
exit $status
