#!/usr/bin/env bash
# Runs the payments handler locally: Azurite as Table Storage, the in-process bus, and the provider
# sandbox (no provider accounts needed). Open http://localhost:7071/api/health when it is up.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_azurite
start_local_azurite
trap stop_local_azurite EXIT
export_local_settings

log "Starting the handler on http://localhost:7071 (Ctrl-C stops it)"
dotnet run --project src/Payments.Host -c Release -- --urls http://localhost:7071
