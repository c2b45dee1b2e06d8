# Shared helpers for the dev scripts. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# npm ci when node_modules is missing or older than the lock file.
ensure_deps() {
  command -v node >/dev/null || die "node is not installed: install Node.js 20 or 22 (https://nodejs.org) and run again"
  local major; major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || die "Node.js $major is too old: Northstar needs Node.js 20.19 or later"
  if [ ! -f "$ROOT/node_modules/.package-lock.json" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    log "installing dependencies (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund)
  fi
}

build() {
  log "building (tsc -b)"
  (cd "$ROOT" && npm run --silent build)
}

# Secrets for local runs are generated once into .data/secrets.env (git-ignored), never committed.
ensure_dev_secrets() {
  local dir="${NORTHSTAR_DATA_DIR:-$ROOT/.data}"
  local file="$dir/secrets.env"
  if [ ! -f "$file" ]; then
    log "generating local secrets into $file"
    mkdir -p "$dir"
    local key secret
    key="$(node "$ROOT/services/identity/dist/keys/generate-key.js")"
    secret="$(node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("hex"))')"
    umask 077
    {
      printf "JWT_SIGNING_KEYS='%s'\n" "$key"
      printf "WEBHOOK_SECRET='%s'\n" "$secret"
    } > "$file"
  fi
  set -a
  # shellcheck disable=SC1090
  . "$file"
  set +a
}
