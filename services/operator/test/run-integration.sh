#!/usr/bin/env bash
# Brings up a private rung-2 local cluster, runs the operator's integration tests
# against it, and tears it down whatever happened.
#
# The cluster's ports are fixed (infra/local-cluster/versions.env), and other engineers
# may run their own on this machine. As root, the cluster and the tests run in a network
# namespace of their own (127.0.0.1 there is nobody else's), with their own state directory.
# Without root, they use the host network, and a cluster already running there is an error.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

if [ "${OPERATOR_IT_INNER:-}" != 1 ]; then
  export OPERATOR_IT_INNER=1
  export NORTHSTAR_CLUSTER_STATE="${NORTHSTAR_CLUSTER_STATE:-${TMPDIR:-/tmp}/northstar-operator-it-$$}"
  if [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
    exec unshare --net "$0" "$@"
  fi
  exec "$0" "$@"
fi

ip link set lo up 2>/dev/null || true
cluster="$root/infra/local-cluster/cluster.sh"
t0=$(date +%s)
cleanup() {
  "$cluster" down >/dev/null 2>&1 || true
  rm -rf "$NORTHSTAR_CLUSTER_STATE"
}
trap cleanup EXIT
"$cluster" up --rung 2
eval "$("$cluster" env)"
export LOCAL_CLUSTER_SH="$cluster"
cd "$root"
rc=0
NODE_OPTIONS=--experimental-vm-modules node_modules/.bin/jest --selectProjects cluster --runInBand \
  --testPathPatterns 'services/operator/test/' "$@" || rc=$?
echo "[operator-it] finished in $(( $(date +%s) - t0 ))s, rc=$rc" >&2
exit $rc
