#!/usr/bin/env bash
# Installs Debian's docker.io when dockerd is missing and starts the daemon when it is not
# answering; no systemd here, so dockerd runs in the background with its log in /tmp.
set -euo pipefail
if ! command -v dockerd >/dev/null 2>&1; then
  echo "installing docker.io"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi
if docker info >/dev/null 2>&1; then
  exit 0
fi
echo "starting dockerd (log: /tmp/dockerd.log)"
nohup dockerd >/tmp/dockerd.log 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    exit 0
  fi
  sleep 1
done
echo "dockerd did not come up; see /tmp/dockerd.log" >&2
exit 1
