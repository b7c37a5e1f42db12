#!/usr/bin/env bash
# Lays out the deployable Function App: host.json, one folder per function (function.json), and the
# self-contained linux-x64 handler (composite ReadyToRun: publish_self_contained in lib.sh) with its run bit; then
# zips it for a Flex Consumption deployment. Output: artifacts/functionapp/ and artifacts/functionapp.zip.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

out="$ROOT/artifacts/functionapp"
rm -rf "$out" "$ROOT/artifacts/functionapp.zip"
mkdir -p "$out"

log "Publishing the handler (self-contained linux-x64, composite ReadyToRun)"
publish_self_contained src/Payments.Host/Payments.Host.csproj "$out"

cp host.json "$out/"
for dir in src/Payments.Host/functions/*/; do
  name=$(basename "$dir")
  mkdir -p "$out/$name"
  cp "$dir/function.json" "$out/$name/"
done
chmod +x "$out/Payments.Host"

if command -v zip >/dev/null 2>&1; then
  (cd "$out" && zip -qr -X "$ROOT/artifacts/functionapp.zip" .)
else
  # zip keeps the run bit in the archive's external attributes; python's zipfile is the fallback.
  python3 - "$out" "$ROOT/artifacts/functionapp.zip" <<'PY'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for base, _, files in os.walk(src):
        for f in files:
            path = os.path.join(base, f)
            info = zipfile.ZipInfo.from_file(path, os.path.relpath(path, src))
            with open(path, "rb") as fh:
                z.writestr(info, fh.read(), zipfile.ZIP_DEFLATED)
PY
fi
log "Function App folder: artifacts/functionapp  zip: artifacts/functionapp.zip"
