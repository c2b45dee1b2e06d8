#!/bin/sh
# Entrypoint of northstar/postgres, following the official image's conventions so the
# same manifests run either: POSTGRES_PASSWORD, PGDATA, and *.sql files in
# /docker-entrypoint-initdb.d run once, on the first start with an empty data directory.
set -eu
PGDATA=${PGDATA:-/var/lib/postgresql/data}
socket_dir=/var/run/postgresql

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "postgres: POSTGRES_PASSWORD must be set to initialise $PGDATA" >&2
    exit 1
  fi
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  pwfile="$socket_dir/.pwfile"
  (umask 077 && printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile")
  initdb -D "$PGDATA" -U postgres --pwfile="$pwfile" -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"

  # A socket-only server, so nothing connects over TCP before the init scripts finish.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses= -k $socket_dir" -w start >/dev/null
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) echo "postgres: running $f"; psql -v ON_ERROR_STOP=1 -q -h "$socket_dir" -U postgres -d postgres -f "$f" ;;
      *) [ -e "$f" ] && echo "postgres: ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "postgres: initialised $PGDATA"
fi

exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories="$socket_dir"
