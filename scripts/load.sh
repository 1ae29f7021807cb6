#!/usr/bin/env bash
# A bounded load run: the platform from scripts/run-local.sh (Release build), then
# tools/GoMicro.LoadGen against it (by default the weighted shopper journeys), printed as a table.
#
#   scripts/load.sh [--scenario mixed|browse|product|list|basket|checkout] [--seconds 30]
#                   [--warmup 0] [--shoppers 16] [--rate R] [--max-requests 20000] [--json FILE]
#
# --rate R is the open loop (R steps started per second, timed from their scheduled start);
# without it, --shoppers shoppers in a closed loop. Every option:
#   dotnet run --project tools/GoMicro.LoadGen -- --help
# For GoMicro beside the bare transcoded ceiling, in production mode, see scripts/bench.sh.
# Exits non-zero when any request failed.
set -euo pipefail
cd "$(dirname "$0")/.."

export GOMICRO_CONFIGURATION=Release
scripts/run-local.sh >/tmp/gomicro-load-platform.log 2>&1 &
platform=$!
# run-local.sh stops the services and the dependencies on TERM.
trap 'kill -TERM $platform 2>/dev/null || true; wait $platform 2>/dev/null || true' EXIT
for _ in $(seq 300); do
  grep -q "Ctrl-C stops everything" /tmp/gomicro-load-platform.log 2>/dev/null && break
  kill -0 $platform 2>/dev/null || { cat /tmp/gomicro-load-platform.log; exit 1; }
  sleep 1
done
dotnet run -c Release --project tools/GoMicro.LoadGen -- "$@"
