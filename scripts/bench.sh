#!/usr/bin/env bash
# The benchmark of issue 12, in one run on this machine: Release builds of the four services
# and of the bare transcoded ceiling (tools/GoMicro.Ceiling), started as in production (the
# published binaries, ASPNETCORE_ENVIRONMENT=Production), then each scenario in turn with
# tools/GoMicro.LoadGen, ending with one table of GoMicro beside the ceiling.
#
#   scripts/bench.sh                 20 s per scenario after a 5 s warm-up
#   scripts/bench.sh --seconds 60    longer scenarios
#   scripts/bench.sh --smoke         3 s per scenario after 2 s of warm-up, checkout gently (5/s open, 4 buyers closed),
#                                    zero errors required, no thresholds (CI)
#   scripts/bench.sh --json DIR      also keep every scenario's JSON result and bench.json in DIR
#   scripts/bench.sh --serve MIN     start everything as a run does, print the addresses and the load
#                                    generator's command, and keep serving for MIN minutes (for profiling
#                                    with dotnet-trace, dotnet-counters or dotnet-stack); no scenario runs
#
# Scenarios: the ceiling's GET /products/{id}, GET /products?pageSize=20 and GET /basket, then
# GoMicro's (closed loop, 64 connections); checkout closed loop (32 buyers, paid/s at
# saturation), each checkout pair after 5 s of one buyer's unmeasured checkouts (the cold path
# compiles); checkout open loop at 200/s (p99 from the scheduled start, errors, misses) with
# the stock commit lag from products' gomicro_stock_commit_lag_seconds histogram; then the
# two checkout runs again with PostgreSQL on durable settings. Also start-to-ready per service
# (fresh database; warm database, idle; and, reported beside it, after the load) and resident
# memory (idle, after load).
#
# It runs its own PostgreSQL, Redis and RabbitMQ (scripts/deps.sh; the GOMICRO_* variables of
# deps.sh choose ports and directory, with defaults of its own below) and listens on
# 127.0.0.1:18180-18190 (BENCH_PORT_BASE), so it runs beside the tests, scripts/run-local.sh
# and scripts/chaos.sh. The scratch directory GOMICRO_DEPS_DIR is wiped at the start.
# Exits non-zero when a service or the ceiling does not start, or any request failed.
set -euo pipefail
cd "$(dirname "$0")/.."

MEASURE=20
WARMUP=5
OPEN_RATE=200
OPEN_INFLIGHT=64
CHECKOUT_BUYERS=32
CHECKOUT_WARMUP=5
SMOKE=0
SERVE_MINUTES=0
JSON_DIR=""
usage() { echo "usage: $0 [--seconds N] [--smoke] [--json DIR] [--serve MINUTES]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) [ $# -ge 2 ] || usage; MEASURE=$2; SECONDS_GIVEN=1; shift 2 ;;
    --smoke) SMOKE=1; shift ;;
    --json) [ $# -ge 2 ] || usage; JSON_DIR=$2; shift 2 ;;
    --serve) [ $# -ge 2 ] || usage; SERVE_MINUTES=$2; shift 2 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) usage ;;
  esac
done
if ! [[ "$MEASURE" =~ ^[0-9]+$ ]] || [ "$MEASURE" -lt 1 ] || [ "$MEASURE" -gt 600 ]; then echo "--seconds: 1 to 600" >&2; exit 2; fi
if ! [[ "$SERVE_MINUTES" =~ ^[0-9]+$ ]] || [ "$SERVE_MINUTES" -gt 240 ]; then echo "--serve: 1 to 240 minutes" >&2; exit 2; fi
if [ "$SMOKE" = 1 ]; then
  [ -n "${SECONDS_GIVEN:-}" ] || MEASURE=3
  WARMUP=2
  # The smoke run proves every path works (zero errors), not a figure: a gentle checkout load,
  # well under what a cold 2-core machine serves while it also builds and runs everything else.
  OPEN_RATE=5
  OPEN_INFLIGHT=8
  CHECKOUT_BUYERS=4
fi

BENCH_DIR=${BENCH_DIR:-/tmp/gomicro-bench}
export GOMICRO_DEPS_DIR=${GOMICRO_DEPS_DIR:-$BENCH_DIR/deps}
export GOMICRO_PG_PORT=${GOMICRO_PG_PORT:-54349} GOMICRO_REDIS_PORT=${GOMICRO_REDIS_PORT:-63819}
export GOMICRO_AMQP_PORT=${GOMICRO_AMQP_PORT:-56749} GOMICRO_RABBIT_MGMT_PORT=${GOMICRO_RABBIT_MGMT_PORT:-15699}
export GOMICRO_RABBIT_DIST_PORT=${GOMICRO_RABBIT_DIST_PORT:-25699} GOMICRO_EPMD_PORT=${GOMICRO_EPMD_PORT:-43719}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
unset GOMICRO_PG_DURABLE
BASE=${BENCH_PORT_BASE:-18180}
PUBLISH=$BENCH_DIR/publish
LOGS=$BENCH_DIR/logs
RESULTS=${JSON_DIR:-$BENCH_DIR/results}
PG="Host=127.0.0.1;Port=$GOMICRO_PG_PORT;Username=postgres;Password=gomicro"
AMQP="amqp://gomicro:gomicro@127.0.0.1:$GOMICRO_AMQP_PORT/"
ADMIN_EMAIL=admin@bench.local ADMIN_PASSWORD=bench-admin-password-1
SERVICE_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d " \n")   # the key payments presents to products
SERVICES="users products basket payments"
declare -A PROJECT=([users]=GoMicro.Users [products]=GoMicro.Products [basket]=GoMicro.Basket [payments]=GoMicro.Payments [ceiling]=GoMicro.Ceiling [loadgen]=GoMicro.LoadGen)
declare -A DIRS=([users]=services [products]=services [basket]=services [payments]=services [ceiling]=tools [loadgen]=tools)
declare -A HTTP=([users]=$BASE [products]=$((BASE + 2)) [basket]=$((BASE + 4)) [payments]=$((BASE + 6)) [ceiling]=$((BASE + 10)))
declare -A GRPC=([users]=$((BASE + 1)) [products]=$((BASE + 3)) [basket]=$((BASE + 5)) [payments]=$((BASE + 7)))
declare -A PID=() READY_FRESH=() READY_WARM=() READY_AFTER=() RSS_IDLE=() RSS_LOADED=()
declare -A RPS=() P50=() P99=() ERRORS=() MISSED=() PAID=()
LOADGEN=$PUBLISH/loadgen/GoMicro.LoadGen.dll
ceiling_url="http://127.0.0.1:${HTTP[ceiling]}"
url() { echo "http://127.0.0.1:${HTTP[$1]}"; }
log() { printf '%s bench: %s\n' "$(date +%T)" "$*" >&2; }
die() { log "$*"; exit 1; }

stop_process() {
  local name=$1 pid=${PID[$1]:-}
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  PID[$name]=""
}

cleanup() {
  set +e
  for name in payments basket products users ceiling; do stop_process "$name"; done
  scripts/deps.sh stop >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

env_for() {
  local s=$1
  echo "ASPNETCORE_ENVIRONMENT=Production Listen__Address=127.0.0.1 Listen__HttpPort=${HTTP[$s]} Listen__GrpcPort=${GRPC[$s]}"
  # The GC heap limit a service gets in a default pod: the operator's DOTNET_GCHeapHardLimitPercent
  # (50 %) of its 256Mi memory limit. There is no cgroup limit here, and without one the runtime
  # sizes its young generation from the CPU's cache (260 MB of L3 on this VM): 80-90 MB of garbage
  # waited for a collection after the load, which no pod would keep.
  echo "DOTNET_GCHeapHardLimit=0x8000000"
  echo "Jwt__JwksUrl=$(url users)/.well-known/jwks.json ServiceKeys__Payments=$SERVICE_KEY"
  case $s in
    # The load generator registers and logs in all its shoppers from one address: the
    # per-address credential rate limit is lifted for the run.
    users) echo "ConnectionStrings__Postgres=$PG;Database=gomicro_users Database__MigrateOnStartup=true" \
                "Jwt__SigningKeyPath=$BENCH_DIR/jwt.pem Jwt__CreateKeyIfMissing=true Admin__Email=$ADMIN_EMAIL Admin__Password=$ADMIN_PASSWORD" \
                "RateLimits__Credentials__TokenLimit=1000000 RateLimits__Credentials__TokensPerPeriod=1000000" ;;
    products) echo "ConnectionStrings__Postgres=$PG;Database=gomicro_products Database__MigrateOnStartup=true RabbitMq__Uri=$AMQP Products__SeedSampleData=true" ;;
    basket) echo "ConnectionStrings__Redis=127.0.0.1:$GOMICRO_REDIS_PORT RabbitMq__Uri=$AMQP Services__Products__Grpc=http://127.0.0.1:${GRPC[products]}" ;;
    payments) echo "ConnectionStrings__Postgres=$PG;Database=gomicro_payments Database__MigrateOnStartup=true RabbitMq__Uri=$AMQP" \
                   "Services__Products__Grpc=http://127.0.0.1:${GRPC[products]} Services__Basket__Grpc=http://127.0.0.1:${GRPC[basket]}" ;;
  esac
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# Starts a published binary and waits for /healthz/ready; READY_MS is the milliseconds it took.
READY_MS=0
start_and_time() {
  local s=$1 vars started pid
  started=$(now_ms)
  if [ "$s" = ceiling ]; then
    dotnet "$PUBLISH/ceiling/GoMicro.Ceiling.dll" --port "${HTTP[ceiling]}" >>"$LOGS/ceiling.log" 2>&1 &
  else
    vars=$(env_for "$s" | tr '\n' ' ')
    # shellcheck disable=SC2086 # the variables are words on purpose
    env $vars dotnet "$PUBLISH/$s/${PROJECT[$s]}.dll" >>"$LOGS/$s.log" 2>&1 &
  fi
  pid=$!
  PID[$s]=$pid
  for _ in $(seq 1200); do   # at most 120 s
    if curl -fsS -o /dev/null --max-time 2 "$(url "$s")/healthz/ready" 2>/dev/null; then
      READY_MS=$(( $(now_ms) - started )); return 0
    fi
    kill -0 "$pid" 2>/dev/null || { log "$s exited during start-up:"; tail -20 "$LOGS/$s.log" >&2; return 1; }
    sleep 0.1
  done
  log "$s did not become ready in 120 s (see $LOGS/$s.log)"; return 1
}

# Starts the four services one after the other (so each start is timed alone) into READY_<kind>.
start_services() {
  local kind=$1 s
  for s in $SERVICES; do
    start_and_time "$s" || exit 1
    case $kind in
      fresh) READY_FRESH[$s]=$READY_MS ;;
      warm) READY_WARM[$s]=$READY_MS ;;
      *) READY_AFTER[$s]=$READY_MS ;;
    esac
    log "$s ready in $READY_MS ms ($kind database)"
  done
}

rss_mb() { awk '/^VmRSS:/ { printf "%d", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

pg_settings() {
  PGPASSWORD=gomicro psql -h 127.0.0.1 -p "$GOMICRO_PG_PORT" -U postgres -d postgres -XAtq \
    -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')"
}

# The load generator against the four services, as the bench's admin.
# The load generator's arguments that point it at this run's services, as its admin.
shop_args() {
  echo --admin-email "$ADMIN_EMAIL" --admin-password "$ADMIN_PASSWORD" \
    --users "$(url users)" --products "$(url products)" --basket "$(url basket)" --payments "$(url payments)"
}
loadgen() {
  # shellcheck disable=SC2046 # the arguments are words without spaces
  dotnet "$LOADGEN" "$@" $(shop_args)
}

# run_load LABEL ROUTE LOADGEN-ARGS…: one scenario; keeps the ROUTE's figures under LABEL.
run_load() {
  local label=$1 route=$2 rc=0 line
  shift 2
  log "$label: ${WARMUP} s warm-up, ${MEASURE} s measured"
  loadgen "$@" --seconds "$MEASURE" --warmup "$WARMUP" --max-requests 50000000 \
    --json "$RESULTS/$label.json" >"$LOGS/load-$label.log" 2>&1 || rc=$?
  line=$(grep -F "result	$route	" "$LOGS/load-$label.log" | tail -1 || true)
  if [ -z "$line" ]; then
    log "$label: no result (exit $rc); see $LOGS/load-$label.log"; tail -5 "$LOGS/load-$label.log" >&2
    ERRORS[$label]="failed"; FAILED=1; return 0
  fi
  local _r count errors rps p50 _p90 p99 _p999 _max missed secs
  IFS=$'\t' read -r _r _r count errors rps p50 _p90 p99 _p999 _max missed secs <<<"$line"
  # Errors count on every route of the scenario (a checkout's basket refill as well as its
  # payment): a scenario is as good as its worst request.
  local all_errors
  all_errors=$(awk -F'\t' '$1 == "result" { s += $4 } END { print s + 0 }' "$LOGS/load-$label.log")
  RPS[$label]=$(one_decimal "$rps") P50[$label]=$(one_decimal "$p50") P99[$label]=$(one_decimal "$p99") ERRORS[$label]=$all_errors MISSED[$label]=$missed
  PAID[$label]=$(awk -v c="$count" -v e="$errors" -v s="$secs" 'BEGIN { printf "%.1f", (s > 0 ? (c - e) / s : 0) }')
  [ "$all_errors" = 0 ] || FAILED=1
  [ "$rc" = 0 ] || [ "$all_errors" != 0 ] || { log "$label: the load generator exited with $rc"; FAILED=1; }
  log "$label: $rps req/s, p50 $p50 ms, p99 $p99 ms, $all_errors errors ($errors on $route), $missed missed"
}

one_decimal() { awk -v v="$1" 'BEGIN { printf "%.1f", v }'; }

scrape() { curl -fsS --max-time 5 "$(url products)/metrics" >"$1" 2>/dev/null || : >"$1"; }

# The stock commit lag of the payments since the scrape in $1: waits (up to 20 s) until the
# histogram stops growing, so that the events of the last payments are counted too.
commit_lag() {
  local label=$1 before=$2 last="" current
  local after=$LOGS/metrics-after-$label.txt
  for _ in $(seq 20); do
    sleep 1
    scrape "$after"
    current=$(awk '/^gomicro_stock_commit_lag_seconds_count/ { s += $2 } END { print s + 0 }' "$after")
    [ "$current" = "$last" ] && break
    last=$current
  done
  LAG[$label]=$(dotnet "$LOADGEN" prometheus-quantiles --before "$before" --after "$after" --metric gomicro_stock_commit_lag_seconds -q 0.5 -q 0.99)
  log "commit lag ($label): ${LAG[$label]}"
}
declare -A LAG=()

# The first checkouts after a start compile the path (JIT, EF Core queries, connection pools):
# one buyer checks out for a few seconds, unmeasured, before the figures are taken.
warm_checkout() {
  local label=$1 rc=0
  loadgen --scenario checkout --shoppers 1 --seconds "$CHECKOUT_WARMUP" --warmup 0 --max-requests 2000 \
    >"$LOGS/load-$label-warmup.log" 2>&1 || rc=$?
  log "$label: warmed by one buyer for $CHECKOUT_WARMUP s (exit $rc): $(grep -F 'result	POST /payments	' "$LOGS/load-$label-warmup.log" | awk -F'\t' '{ printf "%s checkouts, %s errors, p50 %s ms", $3, $4, $6 }')"
}

checkout_pair() {
  local suffix=$1 before=$LOGS/metrics-before-$1.txt
  warm_checkout "checkout$suffix"
  # The open loop first: its steady rate takes the services' cold checkout path gently, where
  # 32 buyers at once would pile up on it.
  scrape "$before"
  run_load "checkout-open$suffix" "POST /payments" --scenario checkout --rate "$OPEN_RATE" --shoppers "$OPEN_INFLIGHT"
  commit_lag "checkout-open$suffix" "$before"
  run_load "checkout-closed$suffix" "POST /payments" --scenario checkout --shoppers "$CHECKOUT_BUYERS"
}

# --- build -----------------------------------------------------------------------------------
mkdir -p "$BENCH_DIR" "$LOGS" "$RESULTS"
rm -f "$LOGS"/*.log "$LOGS"/*.txt
FAILED=0
for port in "$GOMICRO_PG_PORT" "$GOMICRO_REDIS_PORT" "$GOMICRO_AMQP_PORT" "${HTTP[@]}" "${GRPC[@]}"; do
  port_free "$port" || die "port $port is in use: is another bench run going? (GOMICRO_*_PORT and BENCH_PORT_BASE choose others)"
done
log "dotnet publish -c Release, ReadyToRun (4 services, the ceiling, the load generator) into $PUBLISH"
for name in users products basket payments ceiling loadgen; do
  dotnet publish "${DIRS[$name]}/${PROJECT[$name]}/${PROJECT[$name]}.csproj" -c Release --use-current-runtime --self-contained false -o "$PUBLISH/$name" -nologo -v quiet \
    >"$LOGS/publish-$name.log" 2>&1 || { cat "$LOGS/publish-$name.log" >&2; die "publishing $name failed"; }
done
# The services run compiled ahead of time, as in their images (Directory.Build.targets). A
# property read too early once left that out without a word, so each service's own assembly
# must carry the ReadyToRun header's signature ("RTR").
for name in $SERVICES; do
  LC_ALL=C grep -q -a -F RTR "$PUBLISH/$name/${PROJECT[$name]}.dll" \
    || die "$name was published without ReadyToRun (see PublishReadyToRun in Directory.Build.targets)"
done

# --- dependencies and services ---------------------------------------------------------------
log "fresh dependencies (scripts/deps.sh in $GOMICRO_DEPS_DIR)"
scripts/deps.sh clean >/dev/null 2>&1 || true
scripts/deps.sh start >/dev/null 2>"$LOGS/deps.log" || { cat "$LOGS/deps.log" >&2; die "the dependencies did not start"; }
command -v psql >/dev/null || die "psql is missing (apt-get install postgresql-client)"
PG_FAST=$(pg_settings)
start_services fresh
# Start-up on a warm database is timed on an idle shop: after the load below, a restart also
# works off the events the load left queued (timed too, and reported beside it).
for s in payments basket products users; do stop_process "$s"; done
start_services warm
start_and_time ceiling || exit 1
log "ceiling ready in $READY_MS ms"
sleep 5
for s in $SERVICES; do RSS_IDLE[$s]=$(rss_mb "${PID[$s]}"); done
RSS_IDLE[ceiling]=$(rss_mb "${PID[ceiling]}")

if [ "$SERVE_MINUTES" -gt 0 ]; then
  for s in $SERVICES ceiling; do log "$s: pid ${PID[$s]}, ${HTTP[$s]:+http://127.0.0.1:${HTTP[$s]}}, log $LOGS/$s.log"; done
  log "load: dotnet $LOADGEN --scenario checkout --shoppers 32 --seconds 20 $(shop_args)"
  log "serving for $SERVE_MINUTES minutes (Ctrl-C stops everything)"
  sleep $((SERVE_MINUTES * 60)) &
  wait $!   # (a foreground sleep would hold off the INT/TERM trap, and the clean-up, until it ends)
  exit 0
fi

# --- scenarios -------------------------------------------------------------------------------
run_load ceiling-product "GET /products/{id}" --scenario product --shoppers 64 --no-setup --gateway "$ceiling_url"
run_load ceiling-list "GET /products" --scenario list --shoppers 64 --no-setup --gateway "$ceiling_url"
run_load ceiling-basket "GET /basket" --scenario basket --shoppers 64 --no-setup --gateway "$ceiling_url"
run_load gomicro-product "GET /products/{id}" --scenario product --shoppers 64
run_load gomicro-list "GET /products" --scenario list --shoppers 64
run_load gomicro-basket "GET /basket" --scenario basket --shoppers 64
checkout_pair ""
for s in $SERVICES; do RSS_LOADED[$s]=$(rss_mb "${PID[$s]}"); done

log "PostgreSQL with durable settings; the services start again (on a warm database)"
for s in payments basket products users; do stop_process "$s"; done
GOMICRO_PG_DURABLE=1 scripts/deps.sh restart-postgres >/dev/null 2>>"$LOGS/deps.log" || die "PostgreSQL did not restart"
PG_DURABLE=$(pg_settings)
start_services after-load
checkout_pair "-durable"

# --- the table -------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "—" }'; }
# met VALUE OP LIMIT: yes/no (— in a smoke run, which has no thresholds).
met() {
  [ "$SMOKE" = 1 ] && { echo "— (smoke)"; return; }
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { if (v !~ /^[0-9]+(\.[0-9]+)?$/) { print "n/a"; exit }
    ok = (op == ">=") ? (v + 0 >= l + 0) : (v + 0 <= l + 0); print (ok ? "yes" : "no") }'
}
seconds_of() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }
lag_of() {   # LABEL QUANTILE: the lag in ms, or a word saying why there is none
  local text=${LAG[$1]:-}
  case "$text" in
    "") echo "not measured" ;;
    *absent*) echo "absent" ;;
    *count=0*) echo "no events" ;;
    *) awk -v q="$2" '{ for (i = 1; i <= NF; i++) if ($i ~ "^" q "=") { split($i, kv, "="); printf "%.1f", kv[2] * 1000 } }' <<<"$text" ;;
  esac
}
rows=()
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 | $8 |"); }
read_row() {   # ROUTE LABEL CEILING-LABEL TARGET-RATIO
  local r; r=$(ratio "${RPS[$2]:-0}" "${RPS[$3]:-0}")
  row "$1" "${RPS[$2]:-failed}" "${P50[$2]:-}" "${P99[$2]:-}" "${RPS[$3]:-failed}" "$r" "≥ $4 ×" "$(met "$r" ">=" "$4")$(errors_note "$2")"
}
errors_note() { local e=${ERRORS[$1]:-failed}; [ "$e" = 0 ] && return; echo " ($e errors)"; }
checkout_rows() {
  local suffix=$1 settings=$2 open="checkout-open$1" lag99
  row "checkout, closed loop, $CHECKOUT_BUYERS buyers ($settings)" "${PAID[checkout-closed$suffix]:-failed} paid/s" "${P50[checkout-closed$suffix]:-}" "${P99[checkout-closed$suffix]:-}" "—" "—" "≥ 400 paid/s" \
    "$(met "${PAID[checkout-closed$suffix]:-0}" ">=" 400)$(errors_note "checkout-closed$suffix")"
  local open_met; open_met=$(met "${P99[$open]:-999999}" "<=" 100)
  [ "$SMOKE" = 1 ] || [ "${ERRORS[$open]:-failed}" = 0 ] || open_met="no"
  row "checkout, open loop $OPEN_RATE/s ($settings)" "${PAID[$open]:-failed} paid/s, ${MISSED[$open]:-?} missed" "${P50[$open]:-}" "${P99[$open]:-}" "—" "—" "p99 ≤ 100 ms, 0 errors" "$open_met$(errors_note "$open")"
  lag99=$(lag_of "$open" p99)
  row "stock commit lag at $OPEN_RATE/s ($settings)" "—" "$(lag_of "$open" p50)" "$lag99" "—" "—" "p99 ≤ 250 ms" "$(met "$lag99" "<=" 250)"
}
read_row 'GET /products/{id}' gomicro-product ceiling-product 0.5
read_row 'GET /products?pageSize=20' gomicro-list ceiling-list 0.3
read_row 'GET /basket' gomicro-basket ceiling-basket 0.5
checkout_rows "" "test-speed PostgreSQL"
checkout_rows "-durable" "durable PostgreSQL"
for s in $SERVICES; do
  row "$s: start → ready, fresh / warm database (after the load, durable PG)" "$(seconds_of "${READY_FRESH[$s]}") s / $(seconds_of "${READY_WARM[$s]:-0}") s ($(seconds_of "${READY_AFTER[$s]:-0}") s)" "" "" "—" "—" "≤ 2 s (warm)" "$(met "$(seconds_of "${READY_WARM[$s]:-99999}")" "<=" 2)"
done
for s in $SERVICES; do
  idle_ok=$(met "${RSS_IDLE[$s]}" "<=" 100); loaded_ok=$(met "${RSS_LOADED[$s]}" "<=" 150)
  if [ "$SMOKE" = 1 ]; then memory_ok=$idle_ok; elif [ "$idle_ok/$loaded_ok" = yes/yes ]; then memory_ok=yes; else memory_ok="no ($idle_ok / $loaded_ok)"; fi
  row "$s: resident memory, idle / after load" "${RSS_IDLE[$s]} MB / ${RSS_LOADED[$s]} MB" "" "" "${RSS_IDLE[ceiling]} MB (idle)" "—" "≤ 100 / ≤ 150 MB" \
    "$memory_ok"
done

cat <<TABLE

GoMicro benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r), .NET $(dotnet --version)$([ "$SMOKE" = 1 ] && echo ", SMOKE RUN (figures mean nothing)")
Method: closed loop with 64 connections for the reads; ${WARMUP} s warm-up then ${MEASURE} s measured per scenario (checkouts after ${CHECKOUT_WARMUP} s of one buyer's); latencies in ms
(HdrHistogram), open loop timed from each request's scheduled start; the load generator runs on the same machine.
Dependencies: PostgreSQL $PG_FAST (test-speed, scripts/deps.sh) and, for the durable rows,
$PG_DURABLE; Redis without persistence (save "", appendonly no); RabbitMQ defaults with
publisher confirms; the services in Production mode (JSON logs to a file), the credential rate limit lifted.

| route | GoMicro req/s | p50 ms | p99 ms | ceiling req/s | ratio | target | met? |
|---|---:|---:|---:|---:|---:|---|---|
$(printf '%s\n' "${rows[@]}")
TABLE

if [ -n "$JSON_DIR" ]; then
  {
    echo "{"
    echo "  \"smoke\": $([ "$SMOKE" = 1 ] && echo true || echo false), \"secondsPerScenario\": $MEASURE, \"warmupSeconds\": $WARMUP,"
    echo "  \"postgres\": {\"testSpeed\": \"$PG_FAST\", \"durable\": \"$PG_DURABLE\"},"
    echo "  \"scenarios\": {"
    first=1
    for label in "${!RPS[@]}"; do
      [ "$first" = 1 ] || echo ","
      first=0
      printf '    "%s": {"requestsPerSecond": %s, "okPerSecond": %s, "p50Ms": %s, "p99Ms": %s, "errors": %s, "missed": %s}' \
        "$label" "${RPS[$label]}" "${PAID[$label]}" "${P50[$label]}" "${P99[$label]}" "${ERRORS[$label]}" "${MISSED[$label]}"
    done
    echo; echo "  },"
    echo "  \"commitLag\": {\"testSpeed\": \"${LAG[checkout-open]:-}\", \"durable\": \"${LAG[checkout-open-durable]:-}\"},"
    echo "  \"services\": {"
    first=1
    for s in $SERVICES; do
      [ "$first" = 1 ] || echo ","
      first=0
      printf '    "%s": {"readyMsFresh": %s, "readyMsWarm": %s, "readyMsAfterLoad": %s, "rssMbIdle": %s, "rssMbAfterLoad": %s}' \
        "$s" "${READY_FRESH[$s]}" "${READY_WARM[$s]:-null}" "${READY_AFTER[$s]:-null}" "${RSS_IDLE[$s]}" "${RSS_LOADED[$s]}"
    done
    echo; echo "  }"
    echo "}"
  } >"$RESULTS/bench.json"
  log "results in $RESULTS (bench.json and one JSON per scenario)"
fi

if [ "$FAILED" != 0 ]; then
  echo "bench: FAILED (a scenario had errors or did not run; logs in $LOGS)"
  exit 1
fi
echo "bench: ok"
