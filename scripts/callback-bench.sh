#!/usr/bin/env bash
# The callback benchmark: shopper returns of NEXT orders already paid at the sandbox (the path every payment ends on),
# measured for this checkout and for a baseline commit in one run on this machine. Builds both handlers (the baseline
# in a git worktree under .bench/), then alternates runs (baseline, current, baseline, current, ...), each on a fresh
# disk-backed Azurite, the handler in Release with logging at Warning. Prints each run's returns/s and the median of
# the current/baseline ratios. Stops only the processes it started, by PID.
# Usage: bash scripts/callback-bench.sh [baseline-rev=HEAD~1] [pairs=5] [orders=300] [concurrency=16]
#
# PAYMENTS_BENCH_TELEMETRY=1: the cost of telemetry instead. No baseline commit: this checkout's handler with no
# exporter (baseline) against the same build exporting traces, metrics and logs over OTLP/HTTP
# (OTEL_EXPORTER_OTLP_ENDPOINT) to a local sink (scripts/otlp-sink.py, python3), alternating as above; prints what the
# sink received, so an "on" run that exported nothing shows. The first argument is then ignored.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

baseline_rev=${1:-HEAD~1}
pairs=${2:-5}
orders=${3:-300}
concurrency=${4:-16}
for port in 7071 10002; do
  if port_open "$port"; then
    echo "something already listens on $port; stop it first" >&2
    exit 1
  fi
done

ensure_azurite
telemetry=${PAYMENTS_BENCH_TELEMETRY:-0}
if [ "$telemetry" = 1 ]; then
  command -v python3 >/dev/null || { echo "PAYMENTS_BENCH_TELEMETRY=1 needs python3 for the OTLP sink" >&2; exit 1; }
  baseline_dir="$ROOT"
  baseline_sha=$(git rev-parse HEAD)
  log "Building this checkout's handler (telemetry off vs OTLP on)"
else
  baseline_dir="$ROOT/.bench/baseline"
  baseline_sha=$(git rev-parse "$baseline_rev")
  if [ -d "$baseline_dir" ]; then
    git -C "$baseline_dir" checkout -q --detach "$baseline_sha"
  else
    git worktree add -q --detach "$baseline_dir" "$baseline_sha"
  fi
  log "Building the baseline handler ($(git rev-parse --short "$baseline_sha")) and this checkout's"
  dotnet build "$baseline_dir/src/Payments.Host" -c Release --nologo -v quiet >/dev/null
fi
dotnet build src/Payments.Host -c Release --nologo -v quiet >/dev/null
dotnet build benchmarks/Payments.LoadRun -c Release --nologo -v quiet >/dev/null

host_pid=""
data_dir=""
sink_pid=""
sink_dir=""
stop_sink() {
  if [ -n "$sink_pid" ]; then
    kill "$sink_pid" 2>/dev/null || true
    wait "$sink_pid" 2>/dev/null || true
    sink_pid=""
  fi
  if [ -n "$sink_dir" ]; then
    rm -rf "$sink_dir"
    sink_dir=""
  fi
}
stop_run() {
  if [ -n "$host_pid" ]; then
    kill "$host_pid" 2>/dev/null || true
    wait "$host_pid" 2>/dev/null || true
    host_pid=""
  fi
  stop_local_azurite
  if [ -n "$data_dir" ]; then
    rm -rf "$data_dir"
    data_dir=""
  fi
}
trap 'stop_run; stop_sink' EXIT
mkdir -p "$ROOT/.azurite"
export_local_settings
export Logging__LogLevel__Default=Warning

otlp_endpoint=""
if [ "$telemetry" = 1 ]; then
  sink_dir=$(mktemp -d)
  python3 "$ROOT/scripts/otlp-sink.py" "$sink_dir/counts.json" > "$sink_dir/port" &
  sink_pid=$!
  for _ in $(seq 100); do
    [ -s "$sink_dir/port" ] && break
    sleep 0.1
  done
  otlp_endpoint="http://127.0.0.1:$(head -n 1 "$sink_dir/port")"
  log "OTLP sink on $otlp_endpoint"
fi

# One measured run of the handler in $1 (a checkout root), with telemetry exported over OTLP when $2 is "otlp";
# prints its returns/s.
run_once() {
  local root=$1 otlp=${2:-}
  local -a env_otlp=()
  if [ "$otlp" = otlp ]; then
    env_otlp=(OTEL_EXPORTER_OTLP_ENDPOINT="$otlp_endpoint" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf)
  fi
  data_dir=$(mktemp -d)
  "$AZURITE_TABLE_BIN" --tableHost 127.0.0.1 --tablePort 10002 --location "$data_dir" "${AZURITE_FLAGS[@]}" --silent > /tmp/payments-callback-bench-azurite.log 2>&1 &
  azurite_pid=$!
  wait_for_port 10002
  env "${env_otlp[@]}" dotnet "$root/src/Payments.Host/bin/Release/net10.0/Payments.Host.dll" --urls http://localhost:7071 > /tmp/payments-callback-bench.log 2>&1 &
  host_pid=$!
  for _ in $(seq 300); do
    curl -fs http://localhost:7071/api/health >/dev/null 2>&1 && break
    sleep 0.2
  done
  local hz ready_ticks
  hz=$(getconf CLK_TCK)
  ready_ticks=$(awk '{ print $14 + $15 }' "/proc/$host_pid/stat")
  local line
  line=$(dotnet benchmarks/Payments.LoadRun/bin/Release/net10.0/Payments.LoadRun.dll --mode callbacks --orders "$orders" --concurrency "$concurrency" | tail -n 1)
  # The handler's CPU time from ready to done (the orders' setup and the returns; not its start-up): steadier than
  # throughput on a shared machine.
  local cpu
  cpu=$(awk -v hz="$hz" -v ready="$ready_ticks" '{ printf "%.2f", ($14 + $15 - ready) / hz }' "/proc/$host_pid/stat")
  stop_run
  echo "$line (handler CPU ${cpu} s)" >&2
  echo "$(sed -n 's/.*: \([0-9.]*\) returns\/s.*/\1/p' <<<"$line") $cpu"
}

ratios=()
if [ "$telemetry" = 1 ]; then
  printf '%-5s %-14s %-14s %s\n' pair "off r/s" "OTLP on r/s" ratio
else
  printf '%-5s %-14s %-14s %s\n' pair "baseline r/s" "current r/s" ratio
fi
cpu_ratios=()
for i in $(seq "$pairs"); do
  read -r base base_cpu <<<"$(run_once "$baseline_dir")"
  read -r current current_cpu <<<"$(run_once "$ROOT" "$([ "$telemetry" = 1 ] && echo otlp)")"
  ratio=$(awk -v a="$current" -v b="$base" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  cpu_ratio=$(awk -v a="$current_cpu" -v b="$base_cpu" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  ratios+=("$ratio")
  cpu_ratios+=("$cpu_ratio")
  printf '%-5s %-14s %-14s %-6s handler CPU %s s / %s s = %s\n' "$i" "$base" "$current" "$ratio" "$base_cpu" "$current_cpu" "$cpu_ratio"
done
median_of() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
median=$(median_of "${ratios[@]}")
cpu_median=$(median_of "${cpu_ratios[@]}")
echo "handler CPU time, current/baseline: median ratio $cpu_median"
if [ "$telemetry" = 1 ]; then
  echo "OTLP sink received: $(cat "$sink_dir/counts.json" 2>/dev/null || echo nothing)"
  echo "callback benchmark: $orders returns at $concurrency concurrent, $pairs alternating pairs; telemetry on (OTLP) / off median ratio $median"
  exit 0
fi
echo "callback benchmark: $orders returns at $concurrency concurrent, $pairs alternating pairs; current/baseline ($(git rev-parse --short "$baseline_sha")) median ratio $median"
