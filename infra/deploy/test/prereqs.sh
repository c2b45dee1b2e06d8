#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Prerequisite checks of the deploy targets: with kind, kubectl and helm (and, in one
# case, docker) hidden from PATH and from the tool cache, each target must exit
# non-zero with a message naming what is missing and how to get it: no stack
# trace, no "command not found", nothing started. Prints "N passed, N failed" last.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

# shadow_path TAG HIDDEN...: PATH where each directory holding one of HIDDEN is
# replaced by a copy made of symlinks, minus HIDDEN.
shadow_path() {
  local tag="$1"; shift
  local out=() d f h i=0 dirs
  IFS=: read -ra dirs <<<"$PATH"
  for d in "${dirs[@]}"; do
    [ -d "$d" ] || continue
    local hit=""
    for h in "$@"; do [ -e "$d/$h" ] && hit=1; done
    if [ -z "$hit" ]; then out+=("$d"); continue; fi
    i=$((i + 1)); mkdir -p "$work/$tag$i"
    for f in "$d"/*; do
      case " $* " in *" ${f##*/} "*) continue;; esac
      ln -s "$f" "$work/$tag$i/"
    done
    out+=("$work/$tag$i")
  done
  (IFS=:; echo "${out[*]}")
}
no_k8s_tools=$(shadow_path a kind kubectl helm)
no_tools_no_docker=$(shadow_path b kind kubectl helm docker)

# check NAME PATH EXPECTED-REGEX... -- COMMAND...: non-zero exit, every regex in the
# output, no sign of a crash.
check() {
  local name="$1" path="$2"; shift 2
  local expect=()
  while [ "$1" != -- ]; do expect+=("$1"); shift; done; shift
  local out rc=0 problems=() re
  out=$(cd "$root" && env -u KIND -u KUBECTL -u HELM -u KUBECONFIG PATH="$path" \
    NORTHSTAR_CACHE="$work/empty-cache" NORTHSTAR_RUN_DIR="$work/run" NO_COLOR=1 \
    timeout 60 "$@" 2>&1) || rc=$?
  [ "$rc" -ne 0 ] || problems+=("exited 0")
  [ "$rc" -ne 124 ] || problems+=("timed out")
  for re in "${expect[@]}"; do grep -Eq -- "$re" <<<"$out" || problems+=("no match for /$re/"); done
  if grep -Eq 'Traceback|^[[:space:]]+at |panic:|command not found|unbound variable|line [0-9]+:' <<<"$out"; then
    problems+=("crash-like output")
  fi
  if grep -Eq 'building northstar/|kind create cluster|helm (install|upgrade)' <<<"$out"; then
    problems+=("started work before checking its tools")
  fi
  if [ ${#problems[@]} -eq 0 ]; then
    passed=$((passed + 1)); printf 'ok   %s\n' "$name"
  else
    failed=$((failed + 1)); printf 'FAIL %s: %s\n' "$name" "${problems[*]}"
    while IFS= read -r line; do printf '       | %s\n' "$line"; done <<<"$out"
  fi
}

check "make deploy-kind: kind, kubectl, helm missing" "$no_k8s_tools" \
  'missing prerequisites: kind kubectl helm' 'go install sigs.k8s.io/kind@v' 'install-tools.sh kubectl' \
  'install-tools.sh helm' -- make --no-print-directory deploy-kind
check "make deploy-kind DEPLOY=cdk8s: helm not needed" "$no_k8s_tools" \
  'missing prerequisites: kind kubectl$' -- make --no-print-directory deploy-kind DEPLOY=cdk8s
check "make deploy-kind: docker missing too" "$no_tools_no_docker" \
  'missing prerequisites: docker kind kubectl helm' 'apt-get install docker.io' -- make --no-print-directory deploy-kind
check "make port-forward: kubectl missing" "$no_k8s_tools" \
  'missing prerequisite: kubectl' 'install-tools.sh kubectl' -- make --no-print-directory port-forward
check "make undeploy: kubectl missing" "$no_k8s_tools" \
  'missing prerequisite: kubectl' -- make --no-print-directory undeploy
check "make logs: kubectl missing" "$no_k8s_tools" \
  'missing prerequisite: kubectl' -- make --no-print-directory logs
check "make kind-down: kind missing" "$no_k8s_tools" \
  'missing prerequisite: kind' 'go install sigs.k8s.io/kind@v' -- make --no-print-directory kind-down
check "make deploy-local: kubectl missing or no cluster" "$no_k8s_tools" \
  'missing prerequisite: kubectl|no local cluster is running' -- make --no-print-directory deploy-local
check "deploy.sh --loader registry without a registry" "$PATH" \
  '--loader registry needs --registry' -- infra/deploy/deploy.sh --loader registry
check "deploy.sh: unknown option" "$PATH" \
  "unknown argument '--frobnicate'" -- infra/deploy/deploy.sh --frobnicate
check "deploy.sh: no API server" "$PATH" \
  'no Kubernetes API server answers' -- env KUBECONFIG=/nonexistent infra/deploy/deploy.sh --no-wait

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
