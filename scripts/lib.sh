# Shared helpers for the project's scripts. Sourced, not run.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
AZURITE_TABLE_BIN="$ROOT/.tools/node_modules/.bin/azurite-table"
export AZURITE_TABLE_BIN
# Flags every Azurite we start gets: no telemetry (it would try to send some), any API version the client speaks.
AZURITE_FLAGS=(--disableTelemetry --skipApiVersionCheck)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The deployable publish of a web project (scripts/publish.sh; bench-startup.sh publishes its yardstick the same way):
# self-contained linux-x64, ReadyToRun as one composite image of the app and the framework. Per-assembly ReadyToRun
# cannot precompile generic code instantiated across assemblies (async state machines over the SDK's, Kestrel's and our
# types, collections of our types): the JIT compiled about 1 570 methods before the handler's first answer, against 530
# with the composite image. Costs a longer publish (minutes) and about 30 MB more on disk.
# Usage: publish_self_contained <project> <output dir>
publish_self_contained() {
  dotnet publish "$1" -c Release -r linux-x64 --self-contained true \
    -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -p:DebugType=none -o "$2" --nologo -v quiet
}

# Installs the npm packages a package-lock.json pins into <prefix>, unless <bin> is already there.
# Usage: npm_ci_pinned <bin> <prefix> <what>
npm_ci_pinned() {
  if [ -x "$1" ]; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || { echo "npm is required to install $3 (apt-get install nodejs npm)" >&2; return 1; }
  log "Installing $3 into ${2#"$ROOT"/}/ (npm ci)"
  # An install cut off half-way leaves node_modules/ without the binary; npm ci then fails on the leftovers (ENOTEMPTY).
  rm -rf "$2/node_modules"
  npm ci --prefix "$2" --no-audit --no-fund --loglevel=error >&2
}

# The pinned Azurite (.tools/package-lock.json pins the exact version).
ensure_azurite() { npm_ci_pinned "$AZURITE_TABLE_BIN" "$ROOT/.tools" Azurite; }

# Spectral (@stoplight/spectral-cli, pinned by openapi/lint/package-lock.json), which lints openapi/payments-v1.json.
SPECTRAL_BIN="$ROOT/openapi/lint/node_modules/.bin/spectral"
export SPECTRAL_BIN
ensure_spectral() { npm_ci_pinned "$SPECTRAL_BIN" "$ROOT/openapi/lint" Spectral; }

# Lints the committed OpenAPI document: errors fail, warnings are printed.
lint_openapi() {
  ensure_spectral
  "$SPECTRAL_BIN" lint "$ROOT/openapi/payments-v1.json" --ruleset "$ROOT/openapi/lint/.spectral.yaml" --fail-severity error
}

# The Bicep CLI: the NuGet package Azure.Bicep.CommandLine.linux-x64, downloaded by the restore-only project
# infra-bicep/tools/Bicep.proj (which pins the version) into the NuGet packages folder.
BICEP_PROJECT="$ROOT/infra-bicep/tools/Bicep.proj"
BICEP_VERSION=0.49.2

# The CLI's path in the packages folder the last restore of Bicep.proj used (its project.assets.json names it:
# NUGET_PACKAGES, NuGet.Config's globalPackagesFolder or ~/.nuget/packages); empty before the first restore.
restored_bicep_path() {
  local assets="$ROOT/infra-bicep/tools/obj/project.assets.json" packages
  [ -f "$assets" ] || return 0
  packages=$(grep -A1 '"packageFolders"' "$assets" | sed -n 's/^ *"\(.*\)": {}.*/\1/p' | head -n 1)
  [ -n "$packages" ] && echo "${packages%/}/azure.bicep.commandline.linux-x64/$BICEP_VERSION/tools/bicep"
  return 0
}

# Restores the Bicep CLI if it is missing and sets BICEP_BIN to a copy this user can run: the package ships it as
# rwxr--r--, so when another user restored it, it is copied (with the run bit) into a folder of this user's.
ensure_bicep() {
  local bin
  bin=$(restored_bicep_path)
  if [ -z "$bin" ] || [ ! -f "$bin" ]; then
    log "Restoring the Bicep CLI $BICEP_VERSION (dotnet restore infra-bicep/tools/Bicep.proj)"
    dotnet restore "$BICEP_PROJECT" --force --nologo --verbosity quiet >&2
    bin=$(restored_bicep_path)
    [ -n "$bin" ] && [ -f "$bin" ] || { echo "the Bicep CLI is not at '$bin' after the restore" >&2; return 1; }
  fi
  if [ ! -x "$bin" ]; then
    chmod +x "$bin" 2>/dev/null || true
  fi
  if [ ! -x "$bin" ]; then
    local copy="${TMPDIR:-/tmp}/payments-bicep-$BICEP_VERSION-$(id -un)/bicep"
    if [ ! -x "$copy" ] || [ "$(stat -c %s "$copy")" != "$(stat -c %s "$bin")" ]; then
      mkdir -p "$(dirname "$copy")"
      cp "$bin" "$copy.$$" && chmod 750 "$copy.$$" && mv -f "$copy.$$" "$copy"
    fi
    bin="$copy"
  fi
  BICEP_BIN="$bin"
  export BICEP_BIN
  # The CLI is a single-file bundle that unpacks native libraries under $HOME/.net on first run.
  if [ -z "${DOTNET_BUNDLE_EXTRACT_BASE_DIR:-}" ] && { [ -z "${HOME:-}" ] || [ ! -w "${HOME:-/nonexistent}" ]; }; then
    DOTNET_BUNDLE_EXTRACT_BASE_DIR="${TMPDIR:-/tmp}/payments-bicep-$BICEP_VERSION-$(id -un)/extract"
    mkdir -p "$DOTNET_BUNDLE_EXTRACT_BASE_DIR"
    export DOTNET_BUNDLE_EXTRACT_BASE_DIR
  fi
}

# Installs Debian's Chromium for the browser tests (tests/browser drives it with playwright-core).
ensure_chromium() {
  if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Chromium is needed for the browser tests: apt-get install chromium (or set CHROMIUM_PATH)" >&2
    return 1
  fi
  log "Installing Chromium (apt) for the browser tests"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

# Starts Azurite (Table Storage) on 127.0.0.1:10002 with its data in .azurite/, unless something answers there
# already. Sets azurite_pid to the process it started (empty when it used a running one): stop only that PID.
start_local_azurite() {
  azurite_pid=""
  mkdir -p "$ROOT/.azurite"
  if port_open 10002; then
    log "Table Storage already answers on 127.0.0.1:10002; using it"
    return 0
  fi
  log "Starting Azurite (Table Storage) on 127.0.0.1:10002, data in .azurite/"
  "$AZURITE_TABLE_BIN" --tableHost 127.0.0.1 --tablePort 10002 --location "$ROOT/.azurite" "${AZURITE_FLAGS[@]}" --silent &
  azurite_pid=$!
  wait_for_port 10002
}

# Stops Azurite with SIGINT (its table server saves its data only then), if start_local_azurite started it.
stop_local_azurite() {
  if [ -n "${azurite_pid:-}" ]; then
    kill -INT "$azurite_pid" 2>/dev/null || true
    wait "$azurite_pid" 2>/dev/null || true
    azurite_pid=""
  fi
}

# The settings of a local run: Azurite, the sandbox, a signing key made once per checkout (kept out of git).
export_local_settings() {
  if [ ! -s "$ROOT/.azurite/dev-signing-key" ]; then
    head -c 48 /dev/urandom | base64 | tr -d '\n' > "$ROOT/.azurite/dev-signing-key"
  fi
  export Storage__ConnectionString="UseDevelopmentStorage=true"
  Security__SigningKey="$(cat "$ROOT/.azurite/dev-signing-key")"
  export Security__SigningKey
  export Security__AllowedRedirectOrigins__0="http://localhost:7071"
  export Security__AllowedRedirectOrigins__1="https://shop.example"
  export PublicBaseUrl="${PublicBaseUrl:-http://localhost:7071}"
  export Sandbox__Enabled=true
}

# True when something listens on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The first port from $1 up that nothing listens on (other people's Azurites and apps may hold the usual ones).
free_port() {
  local port=$1
  while port_open "$port"; do
    port=$((port + 1))
  done
  echo "$port"
}

wait_for_port() {
  local port=$1 tries=${2:-100}
  for _ in $(seq "$tries"); do
    port_open "$port" && return 0
    sleep 0.1
  done
  echo "nothing answered on 127.0.0.1:$port" >&2
  return 1
}
