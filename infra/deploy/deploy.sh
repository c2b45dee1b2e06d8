#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Deploy Northstar to any Kubernetes cluster: kind, infra/local-cluster, a real one.
#
#   deploy.sh [deploy] [options]   load the images, install or upgrade, wait for the rollout
#   deploy.sh undeploy [options]   helm uninstall, or delete the cdk8s objects (--purge: the namespace too)
#   deploy.sh logs [options]       recent logs of every Northstar pod
#   deploy.sh diagnose [options]   pods, events and last logs (what a failed rollout prints)
#
# Options (each also read from the environment variable in brackets):
#   --kubeconfig PATH      [KUBECONFIG]     kubeconfig to use
#   --context NAME         [KUBE_CONTEXT]   kube context (default: the current one)
#   --loader L             [LOADER]         how the images reach the nodes (default: none)
#                            kind      kind load docker-image into --kind-cluster
#                            ctr       docker save | ctr -n k8s.io images import - (the node's containerd)
#                            registry  docker tag + push to --registry; the manifests name that registry
#                            none      the cluster can already pull them (or fakes pods: kwok)
#   --method M             [DEPLOY]         helm (default) or cdk8s (the synthesized kind profile, kubectl apply)
#   --kind-cluster NAME    [KIND_CLUSTER]   kind cluster for --loader kind (default: northstar)
#   --ctr-address SOCK     [CTR_ADDRESS]    containerd socket for --loader ctr (default: the running
#                                           infra/local-cluster node's, else /run/containerd/containerd.sock)
#   --registry HOST[/PATH] [REGISTRY]       for --loader registry, e.g. localhost:5001/northstar
#   --tag TAG              [TAG]            image tag (default: dev, what make images builds)
#   --namespace NS         [NAMESPACE]      default: northstar (the cdk8s manifests fix it)
#   --release NAME         [RELEASE]        helm release (default: northstar)
#   --values FILE                           extra helm values, repeatable (after charts/northstar/values-kind.yaml)
#   --set KEY=VALUE                         extra helm --set, repeatable
#   --manifest FILE        [MANIFEST]       cdk8s manifest (default: cdk8s/dist/kind/northstar.yaml)
#   --timeout DURATION     [TIMEOUT]        rollout wait (default: 300s)
#   --no-wait              [NO_WAIT=1]      skip the rollout wait (kwok nodes, or to wait elsewhere)
#   --dry-run              [DRY_RUN=1]      validate every object with the API server (kubectl apply
#                                           --dry-run=server); persists only the namespace
#   --purge                [PURGE=1]        undeploy: also delete the namespace (Secrets, PostgreSQL volume)
#   --tail N               [TAIL]           logs: lines per container (default: 100)
#
# Idempotent: a second run upgrades in place. Generated Secrets are created once and
# kept; images re-loaded under the same tag roll the pods that run them.
set -euo pipefail
LOG_TAG=deploy
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { sed -n '3,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

cmd=deploy
case "${1:-}" in deploy|undeploy|logs|diagnose) cmd="$1"; shift;; -h|--help|help) usage; exit 0;; esac

KIND_CLUSTER="${KIND_CLUSTER:-northstar}"
LOADER="${LOADER:-none}"
METHOD="${DEPLOY:-helm}"
CTR_ADDRESS="${CTR_ADDRESS:-}"
REGISTRY="${REGISTRY:-}"
TAG="${TAG:-dev}"
NAMESPACE="${NAMESPACE:-northstar}"
RELEASE="${RELEASE:-northstar}"
MANIFEST="${MANIFEST:-$REPO_ROOT/cdk8s/dist/kind/northstar.yaml}"
TIMEOUT="${TIMEOUT:-300s}"
NO_WAIT="${NO_WAIT:-}"
DRY_RUN="${DRY_RUN:-}"
PURGE="${PURGE:-}"
TAIL="${TAIL:-100}"
CHART="$REPO_ROOT/charts/northstar"
HELM_VALUES=("$CHART/values-kind.yaml")
HELM_SETS=()
method_given=""
[ -n "${DEPLOY:-}" ] && method_given=1

need_arg() { if [ $# -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value (see deploy.sh --help)"; fi; }
while [ $# -gt 0 ]; do
  case "$1" in
    --kubeconfig) need_arg "$@"; export KUBECONFIG="$2"; shift 2;;
    --context) need_arg "$@"; KUBE_CONTEXT="$2"; shift 2;;
    --loader) need_arg "$@"; LOADER="$2"; shift 2;;
    --method) need_arg "$@"; METHOD="$2"; method_given=1; shift 2;;
    --kind-cluster) need_arg "$@"; KIND_CLUSTER="$2"; shift 2;;
    --ctr-address) need_arg "$@"; CTR_ADDRESS="$2"; shift 2;;
    --registry) need_arg "$@"; REGISTRY="$2"; shift 2;;
    --tag) need_arg "$@"; TAG="$2"; shift 2;;
    --namespace) need_arg "$@"; NAMESPACE="$2"; shift 2;;
    --release) need_arg "$@"; RELEASE="$2"; shift 2;;
    --values) need_arg "$@"; HELM_VALUES+=("$2"); shift 2;;
    --set) need_arg "$@"; HELM_SETS+=(--set "$2"); shift 2;;
    --manifest) need_arg "$@"; MANIFEST="$2"; shift 2;;
    --timeout) need_arg "$@"; TIMEOUT="$2"; shift 2;;
    --no-wait) NO_WAIT=1; shift;;
    --dry-run) DRY_RUN=1; shift;;
    --purge) PURGE=1; shift;;
    --tail) need_arg "$@"; TAIL="$2"; shift 2;;
    -h|--help) usage; exit 0;;
    *) die "unknown argument '$1' (see deploy.sh --help)";;
  esac
done

case "$METHOD" in helm|cdk8s) ;; *) die "--method must be helm or cdk8s, got '$METHOD'";; esac
case "$LOADER" in kind|ctr|registry|none) ;; *) die "--loader must be kind, ctr, registry or none, got '$LOADER'";; esac
[[ "$TIMEOUT" =~ ^([0-9]+)(s|m)?$ ]] || die "--timeout must look like 300s or 5m, got '$TIMEOUT'"
timeout_s=${BASH_REMATCH[1]}; [ "${BASH_REMATCH[2]}" = m ] && timeout_s=$((timeout_s * 60))
[ "$LOADER" != registry ] || [ -n "$REGISTRY" ] || die "--loader registry needs --registry HOST[/PATH] (or REGISTRY=...)"

IMAGES=(gateway roadmap identity postgres)
LABEL="app.kubernetes.io/part-of=northstar"

# --- the cluster ---------------------------------------------------------------
k() { "$KUBECTL" "${KARGS[@]}" "$@"; }
connect() {
  require_tools kubectl
  KARGS=()
  [ -n "${KUBE_CONTEXT:-}" ] && KARGS+=(--context "$KUBE_CONTEXT")
  local where="context ${KUBE_CONTEXT:-$("$KUBECTL" config current-context 2>/dev/null || echo '(none)')}"
  where+="${KUBECONFIG:+, KUBECONFIG=$KUBECONFIG}"
  if ! k get --raw /readyz >/dev/null 2>&1; then
    die "no Kubernetes API server answers ($where). Start a cluster (make deploy-kind creates one; make cluster-up starts infra/local-cluster) or pick one with --context/--kubeconfig"
  fi
  log "cluster: $where, server $(k version -o json 2>/dev/null | sed -n '/serverVersion/,$ s/.*"gitVersion": "\(.*\)".*/\1/p' | head -1), kubectl $KUBECTL"
}
helm_() {
  local a=()
  [ -n "${KUBE_CONTEXT:-}" ] && a+=(--kube-context "$KUBE_CONTEXT")
  "$HELM" "${a[@]}" "$@"
}

# --- images --------------------------------------------------------------------
image_refs() { local i; for i in "${IMAGES[@]}"; do echo "northstar/$i:$TAG"; done; }
check_local_images() {
  require_docker
  local ref missing=()
  while read -r ref; do "$DOCKER" image inspect "$ref" >/dev/null 2>&1 || missing+=("$ref"); done < <(image_refs)
  [ ${#missing[@]} -eq 0 ] || die "images not built: ${missing[*]}. Build them with: make images${TAG:+ TAG=$TAG}"
}

default_ctr_address() {
  local lc="${NORTHSTAR_CLUSTER_STATE:-$NORTHSTAR_CACHE/state/local-cluster}/containerd/containerd.sock"
  if [ -S "$lc" ]; then echo "$lc"; else echo /run/containerd/containerd.sock; fi
}

load_images() {
  local refs; mapfile -t refs < <(image_refs)
  case "$LOADER" in
    none) log "images: not loaded (--loader none); the cluster must find ${refs[*]}"; return;;
    kind)
      require_tools kind
      check_local_images
      step "load ${#refs[@]} images into kind cluster '$KIND_CLUSTER'"
      "$KIND" get clusters 2>/dev/null | grep -qx "$KIND_CLUSTER" ||
        die "no kind cluster named '$KIND_CLUSTER' (kind get clusters). Create it: make deploy-kind, or kind create cluster --name $KIND_CLUSTER --config infra/kind/cluster.yaml"
      "$KIND" load docker-image --name "$KIND_CLUSTER" "${refs[@]}"
      step_done;;
    ctr)
      require_tools ctr
      check_local_images
      [ -n "$CTR_ADDRESS" ] || CTR_ADDRESS=$(default_ctr_address)
      [ -S "$CTR_ADDRESS" ] || die "no containerd socket at $CTR_ADDRESS (--ctr-address). On infra/local-cluster, rung 3 runs containerd: make cluster-up LOCAL_CLUSTER_RUNG=3"
      step "import ${#refs[@]} images into containerd at $CTR_ADDRESS (namespace k8s.io)"
      "$DOCKER" save "${refs[@]}" | "$CTR" --address "$CTR_ADDRESS" -n k8s.io images import -
      step_done;;
    registry)
      check_local_images
      step "push ${#refs[@]} images to $REGISTRY"
      local ref
      for ref in "${refs[@]}"; do
        "$DOCKER" tag "$ref" "$REGISTRY/${ref#northstar/}"
        "$DOCKER" push -q "$REGISTRY/${ref#northstar/}"
      done
      step_done;;
  esac
}

# Image IDs of what was just loaded, to roll pods when a tag now names a new build.
loaded_image_id() { [ "$LOADER" != none ] && "$DOCKER" image inspect -f '{{.Id}}' "northstar/$1:$TAG" 2>/dev/null; }
ANNOTATION=northstar.dev/loaded-image-id
declare -A PREVIOUS_IDS=()
remember_image_ids() {
  local name id
  while read -r name id; do [ -n "$name" ] && PREVIOUS_IDS[$name]="${id:-}"; done < <(
    k -n "$NAMESPACE" get deployment,statefulset -l "$LABEL" --ignore-not-found \
      -o jsonpath="{range .items[*]}{.metadata.name} {.metadata.annotations.northstar\.dev/loaded-image-id}{\"\n\"}{end}" 2>/dev/null)
}
roll_changed_images() {
  [ "$LOADER" != none ] || return 0
  local w name id
  for w in $(k -n "$NAMESPACE" get deployment,statefulset -l "$LABEL" -o name); do
    name=${w#*/}
    id=$(loaded_image_id "$name") || continue
    if [ -n "${PREVIOUS_IDS[$name]+set}" ] && [ -n "${PREVIOUS_IDS[$name]}" ] && [ "${PREVIOUS_IDS[$name]}" != "$id" ]; then
      log "$w: northstar/$name:$TAG is a new build; restarting its pods"
      k -n "$NAMESPACE" rollout restart "$w" >/dev/null
    fi
    k -n "$NAMESPACE" annotate --overwrite "$w" "$ANNOTATION=$id" >/dev/null
  done
}

# --- namespace and Secrets -----------------------------------------------------
ensure_namespace() {
  if k get namespace "$NAMESPACE" >/dev/null 2>&1; then
    log "namespace $NAMESPACE: exists"
  else
    [ -n "$DRY_RUN" ] && log "dry run: creating namespace $NAMESPACE so the API server can validate the objects in it"
    k create namespace "$NAMESPACE" >/dev/null
    log "namespace $NAMESPACE: created"
  fi
  # Every pod meets Pod Security "restricted"; have the namespace enforce it.
  k label namespace "$NAMESPACE" --overwrite >/dev/null "$LABEL" \
    pod-security.kubernetes.io/enforce=restricted pod-security.kubernetes.io/audit=restricted \
    pod-security.kubernetes.io/warn=restricted
}

# No trailing newline: the Secret's value is the file's bytes, and PostgreSQL and the
# webhook HMAC would otherwise see a password and a key ending in "\n".
rand_hex() { if [ -n "${OPENSSL:-}" ]; then "$OPENSSL" rand -hex "$1" | tr -d '\n'; else "$NODE" -e "process.stdout.write(require('crypto').randomBytes($1).toString('hex'))"; fi; }
ec_p256_pem() {
  if [ -n "${OPENSSL:-}" ]; then "$OPENSSL" genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null
  else "$NODE" -e "const {generateKeyPairSync}=require('crypto');process.stdout.write(generateKeyPairSync('ec',{namedCurve:'P-256'}).privateKey.export({type:'pkcs8',format:'pem'}))"
  fi
}

# The Secrets the cdk8s manifests reference (cdk8s/src/secrets.ts) but never contain:
# generated here on first deploy, kept on later ones (like the chart's lookup), never in git.
ensure_secrets() {
  if ! OPENSSL=$(find_tool openssl); then
    OPENSSL=''
    require_tools node
  fi
  local dir existing; scratch dir -d
  existing=$(k -n "$NAMESPACE" get secret northstar-jwt northstar-webhook northstar-db --ignore-not-found -o name)
  local dry=(); [ -n "$DRY_RUN" ] && dry=(--dry-run=server)
  make_secret() { # make_secret NAME KEY=FILE...
    local name="$1"; shift
    if grep -qx "secret/$name" <<<"$existing"; then log "secret $name: exists, kept"; return; fi
    local args=() kv
    for kv in "$@"; do args+=(--from-file="$kv"); done
    k -n "$NAMESPACE" create secret generic "$name" "${args[@]}" "${dry[@]}" >/dev/null
    k -n "$NAMESPACE" label secret "$name" "$LABEL" app.kubernetes.io/managed-by=northstar-deploy "${dry[@]}" >/dev/null 2>&1 || true
    log "secret $name: generated${DRY_RUN:+ (dry run)}"
  }
  (umask 077
   ec_p256_pem >"$dir/jwt"
   rand_hex 24 >"$dir/webhook"
   rand_hex 16 >"$dir/pg")
  grep -q 'BEGIN PRIVATE KEY' "$dir/jwt" || die "could not generate an EC P-256 key (openssl genpkey / node crypto)"
  local pw; pw=$(cat "$dir/pg")
  printf 'postgres://postgres:%s@postgres:5432/roadmap' "$pw" >"$dir/roadmap"
  printf 'postgres://postgres:%s@postgres:5432/identity' "$pw" >"$dir/identity"
  make_secret northstar-jwt "JWT_SIGNING_KEYS=$dir/jwt"
  make_secret northstar-webhook "WEBHOOK_SECRET=$dir/webhook"
  make_secret northstar-db "POSTGRES_PASSWORD=$dir/pg" "ROADMAP_DATABASE_URL=$dir/roadmap" "IDENTITY_DATABASE_URL=$dir/identity"
}

# --- the two methods -------------------------------------------------------------
helm_values_args() {
  local a=() f
  for f in "${HELM_VALUES[@]}"; do [ -f "$f" ] || die "values file $f not found"; a+=(--values "$f"); done
  if [ "$LOADER" = registry ]; then
    a+=(--set "image.registry=$REGISTRY" --set "postgresql.image.registry=$REGISTRY")
  fi
  a+=(--set "image.tag=$TAG" --set "postgresql.image.tag=$TAG")
  printf '%s\n' "${a[@]}" "${HELM_SETS[@]}"
}

deploy_helm() {
  require_tools helm
  local vals; mapfile -t vals < <(helm_values_args)
  ensure_namespace
  if [ -n "$DRY_RUN" ]; then
    step "helm template | kubectl apply --dry-run=server (release $RELEASE, namespace $NAMESPACE)"
    helm_ template "$RELEASE" "$CHART" -n "$NAMESPACE" "${vals[@]}" | k apply --dry-run=server -n "$NAMESPACE" -f - >&2
    step_done
    return
  fi
  local verb=install
  helm_ status "$RELEASE" -n "$NAMESPACE" >/dev/null 2>&1 && verb=upgrade
  local wait=()
  [ -z "$NO_WAIT" ] && wait=(--wait --timeout "${timeout_s}s")
  step "helm $verb $RELEASE charts/northstar -n $NAMESPACE ($(printf '%s ' "${HELM_VALUES[@]#"$REPO_ROOT/"}")${wait[*]:+, --wait ${timeout_s}s})"
  if ! helm_ upgrade --install "$RELEASE" "$CHART" -n "$NAMESPACE" "${vals[@]}" "${wait[@]}" >&2; then
    warn "helm $verb failed"
    diagnose
    exit 1
  fi
  step_done
}

manifest_namespace() {
  local ns; ns=$(sed -n 's/^  namespace: //p' "$1" | sort -u)
  if [ -z "$ns" ] || [ "$(wc -l <<<"$ns")" != 1 ]; then
    die "$1 does not put every object in one namespace (found: ${ns:-none})"
  fi
  echo "$ns"
}

deploy_cdk8s() {
  [ -f "$MANIFEST" ] || die "no manifest at $MANIFEST. Synthesize it: npm run synth (make deploy-kind DEPLOY=cdk8s does it)"
  local ns manifest="$MANIFEST"; ns=$(manifest_namespace "$MANIFEST")
  [ "$ns" = "$NAMESPACE" ] || { log "namespace: $ns (fixed by the manifest)"; NAMESPACE="$ns"; }
  if [ "$LOADER" = registry ] || [ "$TAG" != dev ]; then
    scratch manifest
    local reg="${REGISTRY:-northstar}"
    sed -E "s#^( +image: )northstar/([a-z0-9-]+):dev\$#\1$reg/\2:$TAG#" "$MANIFEST" >"$manifest"
    log "images: $reg/<service>:$TAG (rewritten from the synthesized northstar/<service>:dev)"
  fi
  ensure_namespace
  step "secrets the manifests reference (northstar-jwt, northstar-webhook, northstar-db)"
  ensure_secrets
  step_done
  local dry=(); [ -n "$DRY_RUN" ] && dry=(--dry-run=server)
  step "kubectl apply -f ${MANIFEST#"$REPO_ROOT/"}${DRY_RUN:+ --dry-run=server}"
  k apply "${dry[@]}" -f "$manifest" >&2
  step_done
}

# --- waiting and diagnosing --------------------------------------------------------
wait_rollout() {
  if [ -n "$NO_WAIT" ]; then log "rollout wait skipped (--no-wait)"; return; fi
  step "wait for the rollout (timeout ${timeout_s}s)"
  local deadline=$((SECONDS + timeout_s)) w left
  local workloads; workloads=$(k -n "$NAMESPACE" get deployment,statefulset -l "$LABEL" -o name)
  [ -n "$workloads" ] || die "no Northstar Deployment or StatefulSet in namespace $NAMESPACE"
  for w in $workloads; do
    left=$((deadline - SECONDS)); [ "$left" -gt 0 ] || left=1
    if ! k -n "$NAMESPACE" rollout status "$w" --timeout="${left}s" >&2; then
      warn "$w did not roll out within ${timeout_s}s"
      diagnose
      exit 1
    fi
  done
  step_done
}

diagnose() {
  local p
  log "---- diagnostics: namespace $NAMESPACE ----"
  log "workloads:"; k -n "$NAMESPACE" get deployment,statefulset,pvc -o wide >&2 || true
  log "pods:"; k -n "$NAMESPACE" get pods -o wide >&2 || true
  log "events (most recent last):"
  k -n "$NAMESPACE" get events --sort-by=.lastTimestamp 2>/dev/null | tail -n 40 >&2 || true
  for p in $(k -n "$NAMESPACE" get pods -o name 2>/dev/null); do
    log "$p: state"
    k -n "$NAMESPACE" get "$p" -o jsonpath='{range .status.conditions[*]}  {.type}={.status} {.reason} {.message}{"\n"}{end}{range .status.containerStatuses[*]}  container {.name}: ready={.ready} restarts={.restartCount} state={.state} last={.lastState}{"\n"}{end}' >&2 || true
    log "$p: last logs"
    k -n "$NAMESPACE" logs "$p" --all-containers --prefix --tail=50 >&2 2>&1 || true
    if k -n "$NAMESPACE" get "$p" -o jsonpath='{.status.containerStatuses[*].restartCount}' 2>/dev/null | grep -q '[1-9]'; then
      log "$p: logs of the previous (crashed) container"
      k -n "$NAMESPACE" logs "$p" --all-containers --prefix --previous --tail=50 >&2 2>&1 || true
    fi
  done
  log "---- end of diagnostics ----"
}

# --- commands ------------------------------------------------------------------
cmd_deploy() {
  local t0=$SECONDS
  log "deploy: method $METHOD, loader $LOADER, images northstar/*:$TAG, namespace $NAMESPACE${DRY_RUN:+, DRY RUN}"
  connect
  [ -n "$DRY_RUN" ] || load_images
  [ -n "$DRY_RUN" ] || remember_image_ids
  case "$METHOD" in helm) deploy_helm;; cdk8s) deploy_cdk8s;; esac
  if [ -n "$DRY_RUN" ]; then ok "dry run passed: the API server accepts every object ($((SECONDS - t0))s)"; return; fi
  roll_changed_images
  wait_rollout
  log "pods:"; k -n "$NAMESPACE" get pods -o wide >&2
  ok "Northstar deployed with $METHOD in $((SECONDS - t0))s"
}

cmd_undeploy() {
  connect
  if ! k get namespace "$NAMESPACE" >/dev/null 2>&1; then log "namespace $NAMESPACE does not exist: nothing to undeploy"; return; fi
  local how="$METHOD"
  if [ -z "$method_given" ]; then
    # Helm keeps its release records as Secrets labeled owner=helm.
    if [ -n "$(k -n "$NAMESPACE" get secret -l "owner=helm,name=$RELEASE" -o name 2>/dev/null)" ]; then how=helm; else how=cdk8s; fi
  fi
  if [ "$how" = helm ]; then
    require_tools helm
    step "helm uninstall $RELEASE -n $NAMESPACE"
    if helm_ status "$RELEASE" -n "$NAMESPACE" >/dev/null 2>&1; then
      helm_ uninstall "$RELEASE" -n "$NAMESPACE" --wait >&2
    else
      log "no helm release $RELEASE in $NAMESPACE"
    fi
    step_done
    [ -n "$PURGE" ] || log "kept: the generated Secrets and the PostgreSQL volume (make undeploy PURGE=1 deletes the namespace with them)"
  else
    [ -f "$MANIFEST" ] || die "no manifest at $MANIFEST to delete by; synthesize it (npm run synth) or use --purge"
    step "kubectl delete -f ${MANIFEST#"$REPO_ROOT/"} (the namespace, its Secrets and volume go with it)"
    k delete -f "$MANIFEST" --ignore-not-found --wait=true --timeout="${timeout_s}s" >&2
    step_done
  fi
  if [ -n "$PURGE" ] && k get namespace "$NAMESPACE" >/dev/null 2>&1; then
    step "delete namespace $NAMESPACE (--purge)"
    k delete namespace "$NAMESPACE" --wait=true --timeout="${timeout_s}s" >&2
    step_done
  fi
  ok "Northstar undeployed"
}

cmd_logs() {
  connect
  local pods; pods=$(k -n "$NAMESPACE" get pods -l "$LABEL" -o name 2>/dev/null)
  [ -n "$pods" ] || die "no Northstar pods in namespace $NAMESPACE (deployed? make deploy-kind)"
  local p
  for p in $pods; do
    log "==> $p (last $TAIL lines)"
    k -n "$NAMESPACE" logs "$p" --all-containers --prefix --tail="$TAIL" 2>&1 || true
  done
}

case "$cmd" in
  deploy) cmd_deploy;;
  undeploy) cmd_undeploy;;
  logs) cmd_logs;;
  diagnose) connect; diagnose;;
esac
