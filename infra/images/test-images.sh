#!/usr/bin/env bash
# `make test-images`: runs the built images the way the cluster does, on one Docker network
# under the cluster's DNS names (postgres, roadmap, identity, gateway), each with its
# synthesized kind ConfigMap, generated secrets and the restricted security posture, then
# drives the gateway through register -> items (infra/images/flow.mjs). KEEP=1 leaves the
# containers running for a look afterwards.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
TAG=${TAG:-dev}
net=northstar-test-$$
containers=()
scratch=$(mktemp -d)

cleanup() {
  local rc=$?
  if [ -n "${KEEP:-}" ]; then
    echo "KEEP set: leaving ${containers[*]} on network $net" >&2
    exit "$rc"
  fi
  if [ "$rc" -ne 0 ]; then
    for c in "${containers[@]}"; do
      echo "--- logs of $c" >&2
      docker logs --tail 30 "$c" >&2 || true
    done
  fi
  [ "${#containers[@]}" -gt 0 ] && docker rm -f "${containers[@]}" >/dev/null 2>&1
  docker network rm "$net" >/dev/null 2>&1 || true
  rm -rf "$scratch"
  exit "$rc"
}
trap cleanup EXIT

"$here/ensure-docker.sh"
(cd "$repo" && npm run --silent synth >/dev/null)
manifest="$repo/cdk8s/dist/kind/northstar.yaml"

password=$(node -p 'require("crypto").randomBytes(18).toString("base64url")')
webhook_secret=$(node -p 'require("crypto").randomBytes(32).toString("hex")')
jwt_key=$(node -e 'process.stdout.write(require("crypto").generateKeyPairSync("ec",{namedCurve:"P-256"}).privateKey.export({type:"pkcs8",format:"pem"}))')
initdb_dir="$scratch/initdb"
mkdir -p "$initdb_dir"
node "$here/manifest-config.mjs" "$manifest" postgres-init "$initdb_dir"
chmod -R a+rX "$initdb_dir"

docker network create "$net" >/dev/null
restricted=(--read-only --tmpfs /tmp:rw,size=64m --cap-drop ALL --security-opt no-new-privileges)

run() {
  local name="$1"; shift
  local id="$net-$name"
  containers+=("$id")
  docker run -d --name "$id" --network "$net" --network-alias "$name" --memory 512m "${restricted[@]}" "$@" >/dev/null
}

run postgres --tmpfs /var/run/postgresql:rw,size=16m,uid=70,gid=70 --tmpfs /var/lib/postgresql/data:rw,size=512m,uid=70,gid=70,mode=0700 \
  -e POSTGRES_PASSWORD="$password" -v "$initdb_dir:/docker-entrypoint-initdb.d:ro" "northstar/postgres:$TAG"

for svc in roadmap identity gateway; do
  env_file="$scratch/$svc.env"
  node "$here/manifest-config.mjs" "$manifest" "$svc-config" >"$env_file"
  case "$svc" in
    roadmap | identity) extra=(-e "DATABASE_URL=postgres://postgres:$password@postgres:5432/$svc") ;;
    gateway) extra=(-e "WEBHOOK_SECRET=$webhook_secret" -p 127.0.0.1::3001) ;;
  esac
  [ "$svc" = identity ] && extra+=(-e "JWT_SIGNING_KEYS=$jwt_key")
  run "$svc" --env-file "$env_file" "${extra[@]}" "northstar/$svc:$TAG"
done

port=$(docker port "$net-gateway" 3001/tcp | head -1 | sed 's/.*://')
base="http://127.0.0.1:$port"
node "$here/flow.mjs" "$base"

# Every probe the manifest declares answers 200 inside the running container.
while read -r svc port path; do
  docker exec "$net-$svc" node -e '
    fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))
  ' "http://127.0.0.1:$port$path" || { echo "probe $svc :$port$path did not answer 200" >&2; exit 1; }
  echo "probe $svc :$port$path answers 200"
done < <(node "$here/manifest-probes.mjs" "$manifest")

# SIGTERM reaches node as PID 1 and the service drains and exits 0 within the grace period.
docker stop -t 30 "$net-roadmap" >/dev/null
code=$(docker inspect -f '{{.State.ExitCode}}' "$net-roadmap")
if [ "$code" != 0 ]; then
  echo "roadmap exited $code on SIGTERM" >&2
  exit 1
fi
echo "roadmap drained and exited 0 on SIGTERM"
