# shellcheck shell=bash
# shellcheck source-path=SCRIPTDIR
# Helpers shared by the deploy scripts (deploy.sh, kind.sh, port-forward.sh).
# Sourced, not executed.

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$DEPLOY_DIR/../.." && pwd)"
# shellcheck source=versions.env
. "$DEPLOY_DIR/versions.env"
HELM_VERSION_PIN="$(sed -n 's/^HELM_VERSION=//p' "$REPO_ROOT/infra/helm/versions.env")"
NORTHSTAR_CACHE="${NORTHSTAR_CACHE:-$HOME/.cache/northstar}"
# shellcheck disable=SC2034 # used by the scripts that source this file
RUN_DIR="${NORTHSTAR_RUN_DIR:-$REPO_ROOT/.run}"
LOG_TAG="${LOG_TAG:-deploy}"

if [ -t 2 ] && [ -z "${NO_COLOR:-}" ]; then
  _c_step=$'\033[1;34m' _c_err=$'\033[1;31m' _c_warn=$'\033[1;33m' _c_ok=$'\033[1;32m' _c_off=$'\033[0m'
else
  _c_step='' _c_err='' _c_warn='' _c_ok='' _c_off=''
fi
log()  { printf '%s[%s]%s %s\n' "$_c_step" "$LOG_TAG" "$_c_off" "$*" >&2; }
ok()   { printf '%s[%s]%s %s\n' "$_c_ok" "$LOG_TAG" "$_c_off" "$*" >&2; }
warn() { printf '%s[%s] warning:%s %s\n' "$_c_warn" "$LOG_TAG" "$_c_off" "$*" >&2; }
die()  { printf '%s[%s] error:%s %s\n' "$_c_err" "$LOG_TAG" "$_c_off" "$*" >&2; exit 1; }

# scratch VAR [-d]: a private temporary file (or directory) into VAR, removed when the script exits.
_scratch=()
scratch() {
  local _var="$1" _f; shift
  _f=$(umask 077; mktemp "$@")
  _scratch+=("$_f")
  printf -v "$_var" '%s' "$_f"
}
_cleanup_scratch() { [ ${#_scratch[@]} -eq 0 ] || rm -rf "${_scratch[@]}"; }
trap _cleanup_scratch EXIT

# step "what": announce a step; step_done prints how long it took.
_step_name='' _step_t0=0
step() { _step_name="$1"; _step_t0=$SECONDS; log "==> $1"; }
step_done() { log "    done: $_step_name ($((SECONDS - _step_t0))s)"; }

# How to get each tool, printed when it is missing.
tool_hint() {
  case "$1" in
    kind) echo "infra/deploy/install-tools.sh kind   (builds kind $KIND_VERSION from the Go module proxy into $NORTHSTAR_CACHE/bin, which the make targets search)
       or: go install sigs.k8s.io/kind@$KIND_VERSION   (puts it in \$(go env GOPATH)/bin; add that to PATH)";;
    kubectl) echo "infra/deploy/install-tools.sh kubectl   (builds kubectl $KUBECTL_VERSION from the Go module proxy into $NORTHSTAR_CACHE/bin)
       or: https://kubernetes.io/docs/tasks/tools/#kubectl";;
    helm) echo "infra/deploy/install-tools.sh helm   (builds helm $HELM_VERSION_PIN from the Go module proxy, the same as make helm)
       or: https://helm.sh/docs/intro/install/";;
    docker) echo "apt-get install docker.io (Debian/Ubuntu; make images starts dockerd when it is installed but stopped)
       or: https://docs.docker.com/engine/install/";;
    ctr) echo "apt-get install containerd   (ctr talks to the node's containerd)";;
    openssl) echo "apt-get install openssl";;
    node|npm) echo "Node.js >= 20.19 with npm: https://nodejs.org/en/download (or nvm install 20)";;
    go) echo "Go >= 1.24: https://go.dev/dl/";;
    curl) echo "apt-get install curl";;
    *) echo "install '$1' and retry";;
  esac
}

# find_tool NAME: prints the path of NAME. Order: $KIND/$KUBECTL/$HELM/... when
# set, then the pinned build in $NORTHSTAR_CACHE/bin (infra/deploy/install-tools.sh),
# then PATH. Returns 1 when there is none.
find_tool() {
  local name="$1" var override
  var=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')
  override="${!var:-}"
  if [ -n "$override" ]; then
    command -v "$override" 2>/dev/null && return 0
    return 1
  fi
  case "$name" in
    kind|kubectl|helm)
      if [ -x "$NORTHSTAR_CACHE/bin/$name" ]; then echo "$NORTHSTAR_CACHE/bin/$name"; return 0; fi;;
  esac
  command -v "$name" 2>/dev/null
}

# require_tools TOOL...: resolve every tool into a variable of its upper-case name
# (KUBECTL=/path/kubectl, ...), or list everything missing with how to get it,
# then exit 1. Nothing is started before this passes.
require_tools() {
  local t path var missing=()
  for t in "$@"; do
    var=$(printf '%s' "$t" | tr '[:lower:]' '[:upper:]')
    if path=$(find_tool "$t"); then
      printf -v "$var" '%s' "$path"
      export "${var?}"
    else
      missing+=("$t")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  printf '%s[%s] error:%s missing prerequisite%s: %s\n' "$_c_err" "$LOG_TAG" "$_c_off" \
    "$([ ${#missing[@]} -gt 1 ] && echo s)" "${missing[*]}" >&2
  for t in "${missing[@]}"; do
    printf '  %s: not found (looked in %s and PATH). Get it with:\n       %s\n' \
      "$t" "\$$(printf '%s' "$t" | tr '[:lower:]' '[:upper:]'), $NORTHSTAR_CACHE/bin" "$(tool_hint "$t")" >&2
  done
  printf '  All of kind, kubectl and helm at the pinned versions: infra/deploy/install-tools.sh\n' >&2
  exit 1
}

# require_docker: the client and a daemon that answers.
require_docker() {
  require_tools docker
  "$DOCKER" info >/dev/null 2>&1 && return 0
  die "docker is installed but its daemon does not answer ('docker info' fails). Start it (sudo systemctl start docker, or: nohup dockerd >/tmp/dockerd.log 2>&1 &), or run 'make images', which starts it"
}
