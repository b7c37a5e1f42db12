#!/usr/bin/env bash
# The start-up benchmark: how long the published handler takes from process start to its first 200 on /api/health,
# next to a hello-world ASP.NET Core app (benchmarks/Payments.Hello, first 200 on /) published the same way
# (self-contained linux-x64, composite ReadyToRun, as scripts/publish.sh does). Starts its own disk-backed Azurite on a free
# loopback port, then starts each app `runs` times, alternating, and prints the medians and their ratio.
# With a git revision as second argument, that commit's handler is published too (in a temporary worktree) and
# measured in the same alternation: the before/after of a start-up change in one run.
# Each start is timed by Payments.LoadRun --mode startup, which starts the process in the app's own folder (as the
# Functions host starts a custom handler in the function app's root), polls the URL every 5 ms and stops that process
# (by its handle). Stops only the processes it started, by PID.
# Usage: bash scripts/bench-startup.sh [runs=5] [before-rev]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

runs=${1:-5}
before_rev=${2:-}

ensure_azurite
work_dir=$(mktemp -d "${TMPDIR:-/tmp}/payments-bench-startup.XXXXXX")
azurite_pid=""
before_tree=""
stop_all() {
  if [ -n "$azurite_pid" ]; then
    kill -INT "$azurite_pid" 2>/dev/null || true
    wait "$azurite_pid" 2>/dev/null || true
  fi
  if [ -n "$before_tree" ]; then
    git worktree remove --force "$before_tree" 2>/dev/null || true
  fi
  rm -rf "$work_dir"
}
trap stop_all EXIT

# The publish of scripts/publish.sh (lib.sh's publish_self_contained), for every app alike.
publish() { publish_self_contained "$1" "$2" >/dev/null; }
log "Publishing the handler and the hello-world app (self-contained linux-x64, composite ReadyToRun)"
publish src/Payments.Host/Payments.Host.csproj "$work_dir/handler"
publish benchmarks/Payments.Hello/Payments.Hello.csproj "$work_dir/hello"
apps=(hello handler)
if [ -n "$before_rev" ]; then
  before_tree="$work_dir/before-src"
  git worktree add -q --detach "$before_tree" "$before_rev"
  log "Publishing the handler of $before_rev"
  publish "$before_tree/src/Payments.Host/Payments.Host.csproj" "$work_dir/before"
  apps+=(before)
fi
dotnet build benchmarks/Payments.LoadRun -c Release --nologo -v quiet >/dev/null

table_port=$(free_port 21002)
mkdir -p "$work_dir/azurite"
"$AZURITE_TABLE_BIN" --tableHost 127.0.0.1 --tablePort "$table_port" --location "$work_dir/azurite" "${AZURITE_FLAGS[@]}" --silent \
  > "$work_dir/azurite.log" 2>&1 &
azurite_pid=$!
wait_for_port "$table_port"

# What a deployed handler is given: storage, the signing key, the allowed redirect origins, its URL. Logging at
# Warning for every app alike.
export Storage__ConnectionString="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$table_port/devstoreaccount1;"
Security__SigningKey="$(head -c 48 /dev/urandom | base64 | tr -d '\n')"
export Security__SigningKey
export Security__AllowedRedirectOrigins__0="https://shop.example"
export Logging__LogLevel__Default=Warning

declare -A times cpus
for i in $(seq "$runs"); do
  for app in "${apps[@]}"; do
    port=$(free_port 18071)
    if [ "$app" = hello ]; then exe="$work_dir/hello/Payments.Hello" path=/; else exe="$work_dir/$app/Payments.Host" path=/api/health; fi
    line=$(ASPNETCORE_URLS="http://127.0.0.1:$port" PublicBaseUrl="http://127.0.0.1:$port" \
      dotnet benchmarks/Payments.LoadRun/bin/Release/net10.0/Payments.LoadRun.dll --mode startup --exe "$exe" --url "http://127.0.0.1:$port$path")
    ms=$(sed -n 's/^startup: \([0-9]*\) ms.*/\1/p' <<<"$line")
    cpu=$(sed -n 's/.*, \([0-9]*\) ms of CPU.*/\1/p' <<<"$line")
    echo "  run $i $app: $ms ms ($cpu ms of CPU)" >&2
    times[$app]+="$ms "
    cpus[$app]+="$cpu "
  done
done

median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
hello=$(median <<<"${times[hello]}") hello_cpu=$(median <<<"${cpus[hello]}")
handler=$(median <<<"${times[handler]}") handler_cpu=$(median <<<"${cpus[handler]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo
echo "start-up benchmark: process start to first 200, $runs alternating starts each, self-contained linux-x64 composite ReadyToRun (medians;"
echo "CPU = the process's user+system time by then, steadier than wall time on a busy machine)"
printf '%-26s %8s %8s %s\n' app "wall ms" "CPU ms" "ratio to hello (wall, CPU)"
printf '%-26s %8s %8s\n' "hello world (/)" "$hello" "$hello_cpu"
printf '%-26s %8s %8s %s (target <= 1.2)\n' "handler (/api/health)" "$handler" "$handler_cpu" "$(ratio "$handler" "$hello"), $(ratio "$handler_cpu" "$hello_cpu")"
if [ -n "$before_rev" ]; then
  before=$(median <<<"${times[before]}") before_cpu=$(median <<<"${cpus[before]}")
  printf '%-26s %8s %8s %s\n' "handler at $before_rev" "$before" "$before_cpu" "$(ratio "$before" "$hello"), $(ratio "$before_cpu" "$hello_cpu")"
fi
