#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The deploy step against infra/local-cluster (make deploy-local), whatever its rung:
#   rung 1 (API server only)   deploy.sh --dry-run: every object validated by the API server
#   rung 2 (kwok nodes)        deploy.sh --loader none --no-wait: objects created and pods
#                              scheduled onto fake nodes, nothing really runs
#   rung 3 (a real node)       make images, a volume for PostgreSQL when the cluster has no
#                              StorageClass, deploy.sh --loader ctr, rollout wait
# Uses $KUBECONFIG when set (make e2e-local E2E_EXTRA='make deploy-local' sets it),
# else the running local cluster's. Extra arguments go to deploy.sh, e.g.
#   infra/deploy/local.sh --method cdk8s        (or DEPLOY=cdk8s make deploy-local)
set -euo pipefail
LOG_TAG=deploy-local
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LC="$REPO_ROOT/infra/local-cluster/cluster.sh"
MAKE="${MAKE:-make}"

if [ -z "${KUBECONFIG:-}" ] || [ -z "${NORTHSTAR_CLUSTER_RUNG:-}" ]; then
  env_out=$("$LC" env 2>/dev/null) || die "no local cluster is running: start one with make cluster-up (LOCAL_CLUSTER_RUNG=2 or 3), or run make e2e-local E2E_EXTRA='make deploy-local'"
  eval "$env_out"
fi
rung="${NORTHSTAR_CLUSTER_RUNG:-2}"
log "local cluster rung $rung (KUBECONFIG=$KUBECONFIG)"

# A hostPath PersistentVolume for PostgreSQL's claim when nothing provisions one. The
# node is this machine, so the directory lives in the cluster's state, owned by the
# image's postgres uid (70) because hostPath ignores fsGroup.
ensure_postgres_volume() {
  require_tools kubectl
  if [ -n "$("$KUBECTL" get storageclass -o jsonpath='{.items[?(@.metadata.annotations.storageclass\.kubernetes\.io/is-default-class=="true")].metadata.name}' 2>/dev/null)" ]; then
    log "a default StorageClass exists: PostgreSQL's claim is provisioned by it"; return
  fi
  local dir="${NORTHSTAR_CLUSTER_STATE:-$NORTHSTAR_CACHE/state/local-cluster}/volumes/northstar-postgres"
  # Data left by an earlier deploy whose Secrets were purged cannot be opened with the
  # password about to be generated: PostgreSQL would refuse every service. Start it afresh.
  if [ -n "$(find "$dir" -maxdepth 2 -name PG_VERSION 2>/dev/null)" ] && ! "$KUBECTL" -n northstar get secret northstar-db >/dev/null 2>&1; then
    log "PostgreSQL data at $dir belongs to purged credentials (no Secret northstar-db): wiping it"
    "$KUBECTL" delete pv northstar-postgres-data --ignore-not-found >/dev/null 2>&1 || true
    rm -rf "$dir"
  fi
  mkdir -p "$dir"; chown 70:70 "$dir"; chmod 700 "$dir"
  log "no default StorageClass: hostPath PersistentVolume northstar-postgres-data at $dir"
  "$KUBECTL" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: PersistentVolume
metadata:
  name: northstar-postgres-data
  labels: {app.kubernetes.io/part-of: northstar}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ""
  claimRef: {namespace: northstar, name: data-postgres-0}
  hostPath: {path: "$dir", type: DirectoryOrCreate}
YAML
  # A Released volume (claim deleted by an undeploy) binds again once its old claim uid is cleared.
  "$KUBECTL" patch pv northstar-postgres-data --type=json \
    -p '[{"op":"remove","path":"/spec/claimRef/uid"},{"op":"remove","path":"/spec/claimRef/resourceVersion"}]' >/dev/null 2>&1 || true
}

case "$rung" in
  1) exec "$DEPLOY_DIR/deploy.sh" deploy --dry-run "$@";;
  2) exec "$DEPLOY_DIR/deploy.sh" deploy --loader none --no-wait "$@";;
  3)
    if [ -z "${SKIP_IMAGES:-}" ]; then
      step "make images"
      "$MAKE" --no-print-directory -C "$REPO_ROOT" images
      step_done
    fi
    ensure_postgres_volume
    exec "$DEPLOY_DIR/deploy.sh" deploy --loader ctr "$@";;
  *) die "unknown rung '$rung'";;
esac
