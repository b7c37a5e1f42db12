#!/usr/bin/env bash
# Runs every test. Integration tests start their own Azurite on free ports; this installs it (npm),
# Chromium (apt, for the browser tests) and the Bicep CLI (NuGet, for the infra tests) first.
# Extra arguments go to `dotnet test` (e.g. --filter).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ensure_azurite
ensure_chromium
ensure_bicep
dotnet test Functions.sln -c Release "$@"
