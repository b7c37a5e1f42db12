# Shared helpers for the project's scripts. Sourced, not run.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
AZURITE_TABLE_BIN="$ROOT/.tools/node_modules/.bin/azurite-table"
export AZURITE_TABLE_BIN

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs the pinned Azurite from npm into .tools/ (package-lock.json pins the exact version).
ensure_azurite() {
  if [ -x "$AZURITE_TABLE_BIN" ]; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || { echo "npm is required to install Azurite (apt-get install nodejs npm)" >&2; return 1; }
  log "Installing Azurite into .tools/ (npm ci)"
  npm ci --prefix "$ROOT/.tools" --no-audit --no-fund --loglevel=error >&2
}

# True when something listens on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {
  local port=$1 tries=${2:-100}
  for _ in $(seq "$tries"); do
    port_open "$port" && return 0
    sleep 0.1
  done
  echo "nothing answered on 127.0.0.1:$port" >&2
  return 1
}
