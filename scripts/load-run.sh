#!/usr/bin/env bash
# A bounded load run on this machine: starts the local stack (Azurite + handler + sandbox, as run-local.sh),
# drives whole TWINT payments through it and prints latency percentiles, then stops everything.
# Usage: bash scripts/load-run.sh [orders=200] [concurrency=16]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

orders=${1:-200}
concurrency=${2:-16}
if port_open 7071; then
  echo "something already listens on 7071; stop it first" >&2
  exit 1
fi

dotnet build benchmarks/Payments.LoadRun -c Release --nologo -v quiet >/dev/null
bash scripts/run-local.sh > /tmp/payments-load-run-server.log 2>&1 &
server=$!
trap 'pkill -P "$server" 2>/dev/null || true; kill "$server" 2>/dev/null || true; pkill -f "Payments.Host" 2>/dev/null || true' EXIT
for _ in $(seq 300); do
  curl -fs http://localhost:7071/api/health >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs http://localhost:7071/api/health >/dev/null || { tail -n 30 /tmp/payments-load-run-server.log; exit 1; }

dotnet benchmarks/Payments.LoadRun/bin/Release/net10.0/Payments.LoadRun.dll --orders "$orders" --concurrency "$concurrency"
