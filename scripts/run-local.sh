#!/usr/bin/env bash
# Runs the payments handler locally: Azurite as Table Storage, the in-process bus, and the provider
# sandbox (no provider accounts needed). Open http://localhost:7071/api/health when it is up.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_azurite
mkdir -p .azurite

if port_open 10002; then
  log "Table Storage already answers on 127.0.0.1:10002; using it"
else
  log "Starting Azurite (Table Storage) on 127.0.0.1:10002, data in .azurite/"
  "$AZURITE_TABLE_BIN" --tableHost 127.0.0.1 --tablePort 10002 --location .azurite "${AZURITE_FLAGS[@]}" --silent &
  azurite_pid=$!
  trap 'kill "$azurite_pid" 2>/dev/null || true' EXIT
  wait_for_port 10002
fi

# A local signing key for return URLs, made once per checkout and kept out of git.
if [ ! -s .azurite/dev-signing-key ]; then
  head -c 48 /dev/urandom | base64 | tr -d '\n' > .azurite/dev-signing-key
fi

export Storage__ConnectionString="UseDevelopmentStorage=true"
export Security__SigningKey="$(cat .azurite/dev-signing-key)"
export Security__AllowedRedirectOrigins__0="http://localhost:7071"
export Security__AllowedRedirectOrigins__1="https://shop.example"
export PublicBaseUrl="${PublicBaseUrl:-http://localhost:7071}"
export Sandbox__Enabled=true

log "Starting the handler on http://localhost:7071 (Ctrl-C stops it)"
dotnet run --project src/Payments.Host -c Release -- --urls http://localhost:7071
