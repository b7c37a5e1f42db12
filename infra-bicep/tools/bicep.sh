#!/usr/bin/env bash
# Runs the pinned Bicep CLI, restoring it first if needed (infra-bicep/tools/Bicep.proj), e.g.
#   bash infra-bicep/tools/bicep.sh build infra-bicep/main.bicep --stdout
#   bash infra-bicep/tools/bicep.sh lint infra-bicep/main.bicep
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
ensure_bicep
exec "$BICEP_BIN" "$@"
