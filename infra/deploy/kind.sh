#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The kind path of Northstar (make deploy-kind, make kind-down).
#   kind.sh up     kind cluster from infra/kind/cluster.yaml if absent, make images,
#                  then deploy.sh --loader kind (helm, or DEPLOY=cdk8s)
#   kind.sh down   stop the port-forward, delete the kind cluster
# KIND_CLUSTER (default northstar), DEPLOY (helm|cdk8s), TAG, TIMEOUT pass through.
set -euo pipefail
LOG_TAG=deploy-kind
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KIND_CLUSTER="${KIND_CLUSTER:-northstar}"
DEPLOY="${DEPLOY:-helm}"
MAKE="${MAKE:-make}"
case "$DEPLOY" in helm|cdk8s) ;; *) die "DEPLOY must be helm or cdk8s, got '$DEPLOY'";; esac

up() {
  local t0=$SECONDS tools=(docker kind kubectl)
  [ "$DEPLOY" = helm ] && tools+=(helm)
  [ "$DEPLOY" = cdk8s ] && tools+=(node npm)
  # Everything is checked before anything starts: no half-made cluster.
  require_tools "${tools[@]}"
  require_docker

  if "$KIND" get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER"; then
    log "kind cluster '$KIND_CLUSTER': exists"
  else
    step "kind create cluster --name $KIND_CLUSTER --config infra/kind/cluster.yaml"
    "$KIND" create cluster --name "$KIND_CLUSTER" --config "$REPO_ROOT/infra/kind/cluster.yaml" --wait 180s ||
      die "kind could not create the cluster (above). kind needs privileged containers: inside a VM or container without them it cannot start; use make deploy-local (infra/local-cluster) instead"
    step_done
  fi

  step "make images (northstar/{gateway,roadmap,identity,postgres}:${TAG:-dev})"
  "$MAKE" --no-print-directory -C "$REPO_ROOT" images
  step_done

  if [ "$DEPLOY" = cdk8s ]; then
    step "npm run synth (cdk8s/dist/kind/northstar.yaml)"
    "$MAKE" --no-print-directory -C "$REPO_ROOT" build >&2
    (cd "$REPO_ROOT" && "$NPM" run --silent synth >&2)
    step_done
  fi

  "$DEPLOY_DIR/deploy.sh" deploy --context "kind-$KIND_CLUSTER" --loader kind --kind-cluster "$KIND_CLUSTER" --method "$DEPLOY"
  ok "deploy-kind finished in $((SECONDS - t0))s. Next:"
  printf '\n    make port-forward && make smoke\n\n' >&2
}

down() {
  require_tools kind
  "$DEPLOY_DIR/port-forward.sh" stop || true
  if "$KIND" get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER"; then
    step "kind delete cluster --name $KIND_CLUSTER"
    "$KIND" delete cluster --name "$KIND_CLUSTER"
    step_done
  else
    log "no kind cluster named '$KIND_CLUSTER': nothing to delete"
  fi
}

case "${1:-}" in
  up) up;;
  down) down;;
  *) sed -n '3,7p' "$0" >&2; exit 2;;
esac
