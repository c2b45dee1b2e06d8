#!/usr/bin/env bash
# A throwaway PostgreSQL server for the integration tier: Debian's postgresql,
# installed when absent, a private cluster under $PG_DIR on $PG_PORT (loopback only).
#   postgres.sh start   prints the base URL (postgres://northstar:…@127.0.0.1:PORT)
#   postgres.sh stop
source "$(dirname "$0")/lib.sh"

PG_PORT="${PG_PORT:-55432}"
PG_DIR="${PG_DIR:-${TMPDIR:-/tmp}/northstar-pg-$PG_PORT}"
PG_PASSWORD_FILE="$PG_DIR.password"

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$dir" ] || [ ! -x "$dir/postgres" ]; then
    [ "$(id -u)" = 0 ] || die "PostgreSQL is not installed: run 'sudo apt-get install postgresql' (or set DATABASE_URL tests aside)"
    log "installing Debian's postgresql"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    dir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  echo "$dir"
}

# PostgreSQL refuses to run as root; run it as the 'postgres' user the package creates.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    bin="$(pg_bin)"
    if [ ! -f "$PG_DIR/PG_VERSION" ]; then
      log "initialising a PostgreSQL cluster in $PG_DIR"
      mkdir -p "$PG_DIR"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR"
      node -e 'process.stdout.write(require("node:crypto").randomBytes(18).toString("base64url"))' > "$PG_PASSWORD_FILE"
      chmod 644 "$PG_PASSWORD_FILE"
      as_pg "$bin/initdb" -D "$PG_DIR" -U northstar --pwfile="$PG_PASSWORD_FILE" -A scram-sha-256 >/dev/null
    fi
    if ! as_pg "$bin/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1; then
      log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
      as_pg "$bin/pg_ctl" -D "$PG_DIR" -l "$PG_DIR/server.log" -w -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null
    fi
    printf 'postgres://northstar:%s@127.0.0.1:%s\n' "$(cat "$PG_PASSWORD_FILE")" "$PG_PORT"
    ;;
  stop)
    bin="$(pg_bin)"
    as_pg "$bin/pg_ctl" -D "$PG_DIR" -m fast stop >/dev/null 2>&1 || true
    ;;
  *)
    die "usage: postgres.sh start|stop"
    ;;
esac
