#!/usr/bin/env bash
# `make images`: Docker (Debian's docker.io) installed and running, the local base images,
# the three service images, the operator and PostgreSQL, then their sizes.
#   SERVICES="roadmap identity" infra/images/build-images.sh   builds a subset
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
TAG=${TAG:-dev}
SERVICES=${SERVICES:-gateway roadmap identity operator}

"$here/ensure-docker.sh"
"$here/build-base.sh"
"$here/build-postgres.sh"

for svc in $SERVICES; do
  echo "building northstar/$svc:$TAG"
  # Host networking: the build stage's npm ci reaches the registry the way this machine does.
  docker build --network host -q -f "$repo/infra/docker/Dockerfile" \
    --build-arg NODE_IMAGE=northstar/node-base:20 \
    --build-arg BUILD_IMAGE=northstar/node-build:20 \
    --build-arg SERVICE="$svc" --target "$svc" \
    -t "northstar/$svc:$TAG" "$repo" >/dev/null
done

echo
docker image ls --format '{{.Repository}}:{{.Tag}}\t{{.Size}}' | grep '^northstar/' | sort
