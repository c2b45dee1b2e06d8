#!/usr/bin/env bash
# Builds the local base images from what this machine has, since no image can be pulled:
#   northstar/node-base:20   runtime: node, sleep (the preStop hook), libc, CA bundle, user 10001
#   northstar/node-build:20  build stage: the same plus npm and a minimal shell toolset
# Both go to the Dockerfile as NODE_IMAGE / BUILD_IMAGE; elsewhere the defaults are the
# public node:20-bookworm-slim.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=infra/images/lib.sh
. "$here/lib.sh"

NODE_BIN=${NODE_BIN:-$(command -v node)}
RUNTIME_REF=${RUNTIME_REF:-northstar/node-base:20}
BUILD_REF=${BUILD_REF:-northstar/node-build:20}
APP_UID=10001

major=$("$NODE_BIN" -p 'process.versions.node.split(".")[0]')
if [ "$major" != "20" ]; then
  echo "build-base: $NODE_BIN is Node $major; the images are tagged :20" >&2
  exit 1
fi

node_version=$("$NODE_BIN" -p process.version)
# Rebuilt only when the machine's Node changes, so the service builds keep their layer cache.
if [ -z "${FORCE:-}" ]; then
  have=$(docker image inspect -f '{{index .Config.Labels "northstar.node"}}' "$RUNTIME_REF" "$BUILD_REF" 2>/dev/null | sort -u || true)
  if [ "$have" = "$node_version" ]; then
    echo "$RUNTIME_REF and $BUILD_REF are current (Node $node_version)"
    exit 0
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

runtime="$work/runtime"
rootfs_base "$runtime" "$APP_UID" node
rootfs_add_binary "$runtime" "$NODE_BIN" "$(command -v sleep)"
env_path='ENV PATH=/usr/local/bin:/usr/bin:/bin'
label="LABEL northstar.node=$node_version"
image_import "$runtime" "$RUNTIME_REF" "$label" "$env_path" 'ENV NODE_ENV=production' "USER $APP_UID" 'WORKDIR /home/node' 'CMD ["node"]'

build="$work/build"
cp -a "$runtime" "$build"
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
mkdir -p "$build/usr/local/lib/node_modules" "$build/usr/local/bin"
cp -a "$npm_dir" "$build/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$build/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$build/usr/local/bin/npx"
rootfs_add_binary "$build" /bin/dash /bin/ls /bin/cat /bin/cp /bin/mv /bin/rm /bin/mkdir /bin/ln /usr/bin/env /usr/bin/find
ln -sf "$(readlink -f /bin/dash)" "$build/bin/sh"
chmod 1777 "$build/tmp"
image_import "$build" "$BUILD_REF" "$label" "$env_path" 'ENV NPM_CONFIG_CAFILE=/etc/ssl/certs/ca-certificates.crt' 'USER 0' 'WORKDIR /app' 'CMD ["node"]'
