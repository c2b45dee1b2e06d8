#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The deploy step on infra/local-cluster, both methods (helm, then cdk8s):
#   server dry run, deploy, the objects are there, a second deploy changes nothing
#   (same Secrets, no pod rolled), undeploy. On rung 2 the pods land on kwok nodes;
#   on rung 3 they really run, and port-forward + the smoke test run as well.
# Uses $KUBECONFIG when set, else the running local cluster (make cluster-up).
#   make test-deploy-local
#   make e2e-local E2E_EXTRA='make test-deploy-local'          (up, cluster tests, this, down)
#   METHODS=cdk8s make test-deploy-local
# Prints "N passed, N failed" last.
set -euo pipefail
LOG_TAG=test-deploy-local
# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
LC="$REPO_ROOT/infra/local-cluster/cluster.sh"
METHODS="${METHODS:-helm cdk8s}"
NS=northstar
passed=0 failed=0 t_all=$SECONDS

if [ -z "${KUBECONFIG:-}" ] || [ -z "${NORTHSTAR_CLUSTER_RUNG:-}" ]; then
  env_out=$("$LC" env 2>/dev/null) || die "no local cluster is running: make cluster-up (or make e2e-local E2E_EXTRA='make test-deploy-local')"
  eval "$env_out"
fi
rung="${NORTHSTAR_CLUSTER_RUNG:-2}"
require_tools kubectl helm
[ "$rung" -ge 2 ] || die "rung $rung has no scheduler; this test needs rung 2 or 3 (make deploy-local does a dry run on rung 1)"
k() { "$KUBECTL" "$@"; }

check() { # check NAME COMMAND...
  local name="$1" t0=$SECONDS out; shift
  if out=$("$@" 2>&1); then
    passed=$((passed + 1)); printf 'ok   %s (%ss)\n' "$name" "$((SECONDS - t0))"
  else
    failed=$((failed + 1)); printf 'FAIL %s (%ss)\n' "$name" "$((SECONDS - t0))"
    printf '%s\n' "$out" | tail -n 40 | while IFS= read -r l; do printf '       | %s\n' "$l"; done
  fi
}

deploy() { SKIP_IMAGES="${SKIP_IMAGES:-}" "$DEPLOY_DIR/local.sh" --method "$1"; }
state() { # Secret data, then each workload's pod template: equal before and after a re-deploy
  k -n "$NS" get secret northstar-db northstar-jwt northstar-webhook -o jsonpath='{range .items[*]}{.data}{"\n"}{end}' | sha256sum
  k -n "$NS" get deployment,statefulset -o jsonpath='{range .items[*]}{.metadata.name} {.spec.template}{"\n"}{end}' | sha256sum
}
objects_present() {
  local o
  for o in deployment/gateway deployment/roadmap deployment/identity statefulset/postgres service/gateway \
    service/roadmap service/identity service/postgres secret/northstar-db secret/northstar-jwt secret/northstar-webhook \
    networkpolicy/default-deny; do
    k -n "$NS" get "$o" >/dev/null || { echo "missing $o"; return 1; }
  done
  # The generated signing key is what identity accepts: an EC P-256 PKCS#8 PEM.
  k -n "$NS" get secret northstar-jwt -o jsonpath='{.data.JWT_SIGNING_KEYS}' | base64 -d | grep -q 'BEGIN .*PRIVATE KEY'
}
pods_scheduled() { # every pod of the three services is Running (kwok: faked; rung 3: real)
  for _ in $(seq 1 60); do
    if [ "$(k -n "$NS" get pods -l app.kubernetes.io/part-of=northstar -o jsonpath='{range .items[*]}{.status.phase}{"\n"}{end}' | grep -c Running)" -ge 3 ]; then
      k -n "$NS" get pods -o wide; return 0
    fi
    sleep 1
  done
  k -n "$NS" get pods -o wide; return 1
}
redeploy_is_noop() {
  local before after
  before=$(state); deploy "$1" || return 1; after=$(state)
  [ "$before" = "$after" ] || { echo "state changed on re-deploy:"; diff <(echo "$before") <(echo "$after"); return 1; }
}
smoke() {
  "$DEPLOY_DIR/port-forward.sh" start && "$DEPLOY_DIR/port-forward.sh" start &&
    (cd "$REPO_ROOT" && make --no-print-directory smoke)
  local rc=$?
  "$DEPLOY_DIR/port-forward.sh" stop
  return $rc
}
gone() {
  for _ in $(seq 1 120); do
    [ -z "$(k -n "$NS" get deployment,statefulset -o name 2>/dev/null)" ] && return 0
    sleep 1
  done
  k -n "$NS" get all; return 1
}

log "rung $rung, methods: $METHODS"
# Start from nothing: a release or manifest left by someone else would make this test lie.
"$DEPLOY_DIR/deploy.sh" undeploy --purge >/dev/null 2>&1 || true
for m in $METHODS; do
  check "$m: server dry run of every object" "$DEPLOY_DIR/deploy.sh" deploy --method "$m" --dry-run
  check "$m: deploy (rung $rung)" deploy "$m"
  check "$m: Deployments, StatefulSet, Services, generated Secrets, NetworkPolicies exist" objects_present
  check "$m: pods scheduled and Running" pods_scheduled
  check "$m: deploy again changes nothing (Secrets kept, no pod rolled)" redeploy_is_noop "$m"
  if [ "$rung" -ge 3 ]; then
    check "$m: port-forward (twice) + make smoke" smoke
    check "$m: make logs" "$DEPLOY_DIR/deploy.sh" logs --tail 5
  fi
  check "$m: undeploy" "$DEPLOY_DIR/deploy.sh" undeploy --method "$m" --purge
  check "$m: nothing left" gone
done
log "finished in $((SECONDS - t_all))s"
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
