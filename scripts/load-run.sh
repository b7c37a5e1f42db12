#!/usr/bin/env bash
# A bounded load run on this machine: starts the local stack (Azurite + handler + sandbox, as run-local.sh),
# drives whole TWINT payments through it and prints latency percentiles, then stops what it started (by PID).
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
dotnet build src/Payments.Host -c Release --nologo -v quiet >/dev/null
ensure_azurite
host_pid=""
stop_all() {
  if [ -n "$host_pid" ]; then
    kill "$host_pid" 2>/dev/null || true
    wait "$host_pid" 2>/dev/null || true
  fi
  stop_local_azurite
}
start_local_azurite
trap stop_all EXIT
export_local_settings

# The built handler itself (not `dotnet run`, whose child would outlive a kill of its PID).
dotnet src/Payments.Host/bin/Release/net10.0/Payments.Host.dll --urls http://localhost:7071 > /tmp/payments-load-run-server.log 2>&1 &
host_pid=$!
for _ in $(seq 300); do
  curl -fs http://localhost:7071/api/health >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs http://localhost:7071/api/health >/dev/null || { tail -n 30 /tmp/payments-load-run-server.log; exit 1; }

dotnet benchmarks/Payments.LoadRun/bin/Release/net10.0/Payments.LoadRun.dll --orders "$orders" --concurrency "$concurrency"
