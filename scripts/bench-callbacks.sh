#!/usr/bin/env bash
# The callback benchmark: how close the shopper's return comes to the store's own speed, on this machine, in one run.
# Starts its own disk-backed Azurite and the handler (Release, sandbox, logging at Warning, storage round trips counted:
# Diagnostics:StorageRoundTrips), both on free loopback ports. Then, at 16 and at 32 concurrent, alternates
#   baseline: the raw store doing what a return truly needs, through Azure.Data.Tables against the same Azurite and in
#             the app's own orders table (in partitions of its own, with rows of the app's shape): 1 point read + 1 two-row
#             entity-group transaction per callback (Azurite's cost per write grows with the rows in the table and the
#             columns in a row, so the baseline shares the app's);
#   app:      N NEXT orders created and paid at the sandbox (not timed), then only their shoppers' returns, timed;
# `pairs` times each, so machine noise hits both: the runs of a pair are prepared first and then timed back to back, each
# right after one of Azurite's saves to disk. Prints returns/s, p50/p95, baseline ops/s, the median of the pairs'
# app/baseline ratios, and the storage round trips per return (before the 303, and in all with the work it started)
# and per create, as counted by the app's storage client. Loopback only; stops only the processes it started, by PID.
# PAYMENTS_BENCH_TELEMETRY=1 also measures what telemetry costs: a second handler, the same build, exports everything over
# OTLP to a local sink (scripts/otlp-sink.py, python3) and its returns are timed in the same alternation; prints its
# returns/s and the on/off ratio (target >= 0.9).
# Each handler is warmed up first (untimed rounds until its CPU per return settles), so the pairs time its steady state, not its JIT;
# the load tool runs without tiered compilation (its own JIT, which each fresh run would otherwise pay while timing,
# stays out of the timed phase), and every run prints the CPU milliseconds per operation of the app, Azurite and the load tool.
# Usage: [PAYMENTS_BENCH_TELEMETRY=1] bash scripts/bench-callbacks.sh [orders=300] [pairs=3, 9 with telemetry] [concurrencies="16 32"]
# (pairs a multiple of the runs in a pair, 2, or 3 with telemetry, gives each run the first turn equally often)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

orders=${1:-300}
telemetry=${PAYMENTS_BENCH_TELEMETRY:-0}
# With telemetry, 9 pairs by default: one pair's on/off ratio ranges from about 0.7 to 1.3 on a 2-core machine, and the
# median of 6 missed by that much in one run of five.
pairs=${2:-$([ "$telemetry" = 1 ] && echo 9 || echo 3)}
concurrencies=${3:-"16 32"}
if [ "$telemetry" = 1 ]; then
  command -v python3 >/dev/null || { echo "PAYMENTS_BENCH_TELEMETRY=1 needs python3 for the OTLP sink" >&2; exit 1; }
fi

ensure_azurite
log "Building the handler and the load tool (Release)"
dotnet build src/Payments.Host -c Release --nologo -v quiet >/dev/null
dotnet build benchmarks/Payments.LoadRun -c Release --nologo -v quiet >/dev/null

azurite_pid=""
host_pids=()
sink_pid=""
work_dir=$(mktemp -d "${TMPDIR:-/tmp}/payments-bench-callbacks.XXXXXX")
load_pids=()
stop_all() {
  for pid in "${load_pids[@]}" "${host_pids[@]}" $sink_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  host_pids=()
  sink_pid=""
  if [ -n "$azurite_pid" ]; then
    kill -INT "$azurite_pid" 2>/dev/null || true
    wait "$azurite_pid" 2>/dev/null || true
    azurite_pid=""
  fi
  rm -rf "$work_dir"
}
trap stop_all EXIT

table_port=$(free_port 20002)
log "Starting Azurite (Table Storage, data on disk in $work_dir) on 127.0.0.1:$table_port"
mkdir -p "$work_dir/azurite"
"$AZURITE_TABLE_BIN" --tableHost 127.0.0.1 --tablePort "$table_port" --location "$work_dir/azurite" "${AZURITE_FLAGS[@]}" --silent \
  > "$work_dir/azurite.log" 2>&1 &
azurite_pid=$!
wait_for_port "$table_port"
connection="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;"

# start_app <url> [VAR=value...]: the handler on <url> against this run's Azurite, with extra environment; waits for health.
start_app() {
  local url=$1
  shift
  (
    export Storage__ConnectionString="$connection"
    Security__SigningKey="$(head -c 48 /dev/urandom | base64 | tr -d '\n')"
    export Security__SigningKey
    export Security__AllowedRedirectOrigins__0="$url" Security__AllowedRedirectOrigins__1="https://shop.example"
    export PublicBaseUrl="$url" Sandbox__Enabled=true Diagnostics__StorageRoundTrips=true
    export Logging__LogLevel__Default=Warning
    exec env "$@" dotnet src/Payments.Host/bin/Release/net10.0/Payments.Host.dll --urls "$url"
  ) > "$work_dir/app-${url##*:}.log" 2>&1 &
  local pid=$!
  host_pids+=("$pid")
  for _ in $(seq 300); do
    curl -fs "$url/api/health" >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  curl -fs "$url/api/health" >/dev/null || { tail -n 30 "$work_dir/app-${url##*:}.log" >&2; exit 1; }
}

app_port=$(free_port 17071)
app_url="http://localhost:$app_port"
log "Starting the handler on $app_url"
start_app "$app_url"

traced_url=""
if [ "$telemetry" = 1 ]; then
  python3 scripts/otlp-sink.py "$work_dir/otlp-counts.json" > "$work_dir/otlp-port" &
  sink_pid=$!
  for _ in $(seq 100); do
    [ -s "$work_dir/otlp-port" ] && break
    sleep 0.1
  done
  otlp_endpoint="http://127.0.0.1:$(head -n 1 "$work_dir/otlp-port")"
  traced_url="http://localhost:$(free_port $((app_port + 1)))"
  log "Starting a second handler on $traced_url, exporting telemetry over OTLP to the sink on $otlp_endpoint"
  start_app "$traced_url" OTEL_EXPORTER_OTLP_ENDPOINT="$otlp_endpoint" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
fi

# Every timed run starts right after Azurite has saved its database (it serializes all of it every 5 s, stalling every
# request meanwhile, for up to a second as the data grows): so no run, of either arm, meets a save by chance.
loadrun=(dotnet benchmarks/Payments.LoadRun/bin/Release/net10.0/Payments.LoadRun.dll --after-save "$work_dir/azurite/__azurite_db_table__.json")
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
field() { sed -n "s|.* \([0-9.]*\) $1.*|\1|p" <<<"$2"; }

# Steady state, not start-up: each handler first serves untimed rounds of creates, payments and returns, at each
# concurrency in turn, until the app's CPU per return has settled (two rounds in a row within 10 % of each other, after at
# least two rounds at each concurrency; at most 10 rounds), each after a pause as long as a pair's baseline run gives it, so
# that what the round before left running (its publishes, the JIT's background compiles) is not counted. Its JIT tiers up
# over the first thousands of requests: with a fixed three rounds the first timed pairs still spent up to 2.5 times the CPU
# per return of the later ones. Start-up has its own benchmark.
host_index=0
for url in "$app_url" $traced_url; do
  pid=${host_pids[$host_index]}
  host_index=$((host_index + 1))
  log "Warming up $url until its CPU per return settles (rounds of $orders returns at ${concurrencies// /, } concurrent in turn, not timed)"
  set -- $concurrencies
  per_cycle=$#
  min_rounds=$((2 * per_cycle))
  previous="" round=0
  while [ "$round" -lt 10 ]; do
    round=$((round + 1))
    c=$(tr ' ' '\n' <<<"$concurrencies" | sed -n "$(( (round - 1) % per_cycle + 1 ))p")
    sleep 2
    out=$("${loadrun[@]}" --mode callbacks --base-url "$url" --orders "$orders" --concurrency "$c" --cpu "app=$pid")
    ms=$(sed -n 's/^cpu per return: app \([0-9.]*\) ms.*/\1/p' <<<"$out")
    echo "    warm-up round $round, $c concurrent: app cpu ${ms:-?} ms per return" >&2
    if [ -n "$previous" ] && [ -n "$ms" ] && [ "$round" -gt "$min_rounds" ] \
      && awk -v a="$ms" -v b="$previous" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d / b <= 0.10) }'; then
      break
    fi
    previous=$ms
  done
done

# Pairs outside, concurrencies inside: Azurite's data grows all run long (and with it the cost of its periodic save to
# disk, which stalls it), so every concurrency meets the same growth, not only the last one. Within a pair the runs take
# turns at going first (the order rotates from pair to pair): whichever run follows another meets the save of what that
# one wrote, and with a fixed order that always fell on the same one (the app right after the baseline ran 20-30 % slower
# than the same app one run later).
declare -A base_rates app_rates ratios p50s p95s traced_rates traced_ratios
round_trips=""
run_arm() {
  local arm=$1
  shift
  case $arm in
    baseline) "${loadrun[@]}" --mode baseline --connection-string "$connection" --table orders --orders "$orders" --concurrency "$c" --cpu "azurite=$azurite_pid" "$@" ;;
    app) "${loadrun[@]}" --mode callbacks --base-url "$app_url" --orders "$orders" --concurrency "$c" --cpu "app=${host_pids[0]} azurite=$azurite_pid" "$@" ;;
    traced) "${loadrun[@]}" --mode callbacks --base-url "$traced_url" --orders "$orders" --concurrency "$c" --cpu "app=${host_pids[1]} azurite=$azurite_pid" "$@" ;;
  esac
}
arms=(baseline app)
[ -n "$traced_url" ] && arms+=(traced)
for i in $(seq "$pairs"); do
  for c in $concurrencies; do
    # Every run of the pair prepares first (its orders created and paid, or its rows written: not timed), then they are
    # timed one right after the other, each right after one of Azurite's saves: seconds apart, not a preparation apart, so
    # what slows the whole machine for a while (it is shared) hits the runs of a pair alike.
    declare -A out=() arm_pids=()
    signals="$work_dir/pair-$i-$c"
    mkdir -p "$signals"
    for arm in "${arms[@]}"; do
      run_arm "$arm" --ready "$signals/$arm.ready" --go "$signals/$arm.go" > "$signals/$arm.out" &
      arm_pids[$arm]=$!
      load_pids+=("$!")
    done
    for arm in "${arms[@]}"; do
      while [ ! -e "$signals/$arm.ready" ] && kill -0 "${arm_pids[$arm]}" 2>/dev/null; do sleep 0.05; done
    done
    for k in $(seq 0 $((${#arms[@]} - 1))); do
      arm=${arms[$(( (k + i - 1) % ${#arms[@]} ))]}
      touch "$signals/$arm.go"
      wait "${arm_pids[$arm]}"
      out[$arm]=$(cat "$signals/$arm.out")
    done
    base_out=${out[baseline]} app_out=${out[app]}
    base_line=$(grep '^baseline:' <<<"$base_out")
    app_line=$(grep '^callbacks:' <<<"$app_out")
    round_trips=$(grep '^storage round trips:' <<<"$app_out" || true)
    echo "  $c concurrent, pair $i (first: ${arms[$(( (i - 1) % ${#arms[@]} ))]}): $base_line" >&2
    echo "  $c concurrent, pair $i: $app_line" >&2
    echo "    baseline $(grep '^cpu per' <<<"$base_out"); app $(grep '^cpu per' <<<"$app_out")" >&2
    base=$(field 'ops/s' "$base_line")
    rate=$(field 'returns/s' "$app_line")
    base_rates[$c]+="$base " app_rates[$c]+="$rate "
    p50s[$c]+="$(sed -n 's/.*p50 \([0-9.]*\) ms.*/\1/p' <<<"$app_line") " p95s[$c]+="$(sed -n 's/.*p95 \([0-9.]*\) ms.*/\1/p' <<<"$app_line") "
    ratios[$c]+="$(awk -v a="$rate" -v b="$base" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') "
    if [ -n "$traced_url" ]; then
      traced_out=${out[traced]}
      traced_line=$(grep '^callbacks:' <<<"$traced_out")
      echo "  $c concurrent, pair $i, telemetry on: $traced_line" >&2
      echo "    telemetry on $(grep '^cpu per' <<<"$traced_out")" >&2
      traced=$(field 'returns/s' "$traced_line")
      traced_rates[$c]+="$traced "
      traced_ratios[$c]+="$(awk -v a="$traced" -v b="$rate" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }') "
    fi
    unset out arm_pids
    load_pids=()
  done
done

med() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | median; }
summary=()
telemetry_summary=()
for c in $concurrencies; do
  if [ -n "$traced_url" ]; then
    telemetry_summary+=("$(printf '%-11s %-24s %-30s %s' "$c" "$(med "${traced_rates[$c]}")" "$(med "${traced_ratios[$c]}")" "${traced_ratios[$c]% }")")
  fi
  summary+=("$(printf '%-11s %-12s %-9s %-9s %-16s %-23s %s' "$c" "$(med "${app_rates[$c]}")" "$(med "${p50s[$c]}")" "$(med "${p95s[$c]}")" \
    "$(med "${base_rates[$c]}")" "$(med "${ratios[$c]}")" "${ratios[$c]% }")")
done

echo
echo "callback benchmark: $orders shopper returns of paid NEXT orders per run, $pairs alternating baseline/app pairs per concurrency (medians)"
printf '%-11s %-12s %-9s %-9s %-16s %-23s %s\n' concurrent "returns/s" "p50 ms" "p95 ms" "baseline ops/s" "ratio (target >= 0.8)" "pairs' ratios"
printf '%s\n' "${summary[@]}"
echo "${round_trips:-storage round trips: not counted} (target: 2 per return before the 303)"
if [ -n "$traced_url" ]; then
  echo
  echo "telemetry cost: the same build exporting traces, metrics and logs over OTLP to a local sink, in the same alternation (medians)"
  printf '%-11s %-24s %-30s %s\n' concurrent "returns/s telemetry on" "ratio on/off (target >= 0.9)" "pairs' ratios"
  printf '%s\n' "${telemetry_summary[@]}"
  curl -fs "$otlp_endpoint/summary" >/dev/null || true
  python3 - "$work_dir/otlp-counts.json" <<'PY' || echo "OTLP sink received: nothing"
import json, sys
counts = json.load(open(sys.argv[1]))
spans = counts.pop("spans", {})
print("OTLP sink received: " + ", ".join(f"{path} {c['requests']} requests, {c['bytes']} bytes" for path, c in counts.items() if isinstance(c, dict)))
print("spans exported, by scope and name (warm-up, creates and payments included): " + "; ".join(f"{n} {k}" for k, n in sorted(spans.items(), key=lambda kv: -kv[1])))
PY
fi
