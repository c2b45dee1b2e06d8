#!/usr/bin/env bash
# Builds northstar/postgres:dev from the host's Debian PostgreSQL packages (no image can be
# pulled here): the server binaries with the libraries they load, the share directory,
# time zones, a shell for the entrypoint, and user postgres with uid 70 (POSTGRES_UID in
# cdk8s/src/postgres.ts, the uid of the Alpine postgres image the public profile uses).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=infra/images/lib.sh
. "$here/lib.sh"

REF=${POSTGRES_REF:-northstar/postgres:dev}
PG_UID=70

if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_root=$(dirname "$pg_bin")
pg_major=$(basename "$pg_root")

pg_version=$("$pg_bin/postgres" --version | awk '{print $3}')
if [ -z "${FORCE:-}" ] && [ "$(docker image inspect -f '{{index .Config.Labels "northstar.postgres"}}' "$REF" 2>/dev/null || true)" = "$pg_version" ]; then
  echo "$REF is current ($pg_version)"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
rootfs_base "$root" "$PG_UID" postgres
rootfs_add_binary "$root" "$pg_bin"/{postgres,initdb,pg_ctl,pg_isready,psql} \
  /bin/dash /bin/mkdir /bin/chmod /bin/rm /bin/cat /bin/ls
# Every loadable module except the LLVM JIT, whose libLLVM alone is ~100 MB; without it
# the server simply does not JIT.
for so in "$pg_root"/lib/*.so; do
  case "$so" in */llvmjit.so) continue ;; esac
  rootfs_add_binary "$root" "$so"
done
ln -sf "$(readlink -f /bin/dash)" "$root/bin/sh"
cp -a "/usr/share/postgresql/$pg_major" "$root/usr/share/postgresql/" 2>/dev/null || {
  mkdir -p "$root/usr/share/postgresql" && cp -a "/usr/share/postgresql/$pg_major" "$root/usr/share/postgresql/"
}
rm -rf "$root/usr/share/postgresql/$pg_major/man"
mkdir -p "$root/usr/share"
cp -a /usr/share/zoneinfo "$root/usr/share/zoneinfo"
install -D -m 0755 "$here/postgres-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
mkdir -p "$root/var/lib/postgresql/data" "$root/var/run/postgresql" "$root/docker-entrypoint-initdb.d"
chown -R "$PG_UID:$PG_UID" "$root/var/lib/postgresql" "$root/var/run/postgresql"
chmod 700 "$root/var/lib/postgresql/data"
chmod 2775 "$root/var/run/postgresql"

image_import "$root" "$REF-rootfs" \
  "LABEL northstar.postgres=$pg_version" \
  "ENV PATH=/usr/local/bin:$pg_bin:/usr/bin:/bin" \
  'ENV PGDATA=/var/lib/postgresql/data' \
  "USER $PG_UID" \
  'EXPOSE 5432' \
  'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]'
# docker import cannot set a stop signal; SIGINT is PostgreSQL's fast shutdown (SIGTERM
# would wait for every pooled client to disconnect).
printf 'FROM %s\nSTOPSIGNAL SIGINT\n' "$REF-rootfs" | docker build -q -t "$REF" - >/dev/null
docker rmi "$REF-rootfs" >/dev/null
echo "built $REF"
