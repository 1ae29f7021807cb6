#!/usr/bin/env bash
# A bounded fault run under load: one fault at a time, each longer than every retry budget,
# while the load generator's checkout journey runs; after each, the money-path invariants are
# checked against the databases and the broker until they hold (or the wait runs out).
#
#   scripts/chaos.sh            every fault, each lasting 120 s   (about 40 minutes)
#   scripts/chaos.sh --short    four faults of 45 s each (longer than the old 36 s budget; CI)
#   scripts/chaos.sh --faults "rabbitmq-kill provider-down" --outage 60
#
# Faults: rabbitmq-kill users-db products-db payments-db hot-rows-lock redis-stop
#         provider-down kill-users kill-products kill-basket kill-payments
#
# It runs its own PostgreSQL, Redis and RabbitMQ (scripts/deps.sh on other ports, in
# $CHAOS_DIR) and the four services as built Release binaries in Production mode on
# 127.0.0.1:18080-18095, so it disturbs neither the tests nor scripts/run-local.sh.
# Ends with one line: `chaos: N faults, N invariants broken`; exits non-zero if any broke.
set -euo pipefail
cd "$(dirname "$0")/.."

OUTAGE=120
FAULTS="rabbitmq-kill users-db products-db payments-db hot-rows-lock redis-stop provider-down kill-users kill-products kill-basket kill-payments"
SHOPPERS=${CHAOS_SHOPPERS:-6}
CONVERGE_TIMEOUT=${CHAOS_CONVERGE_TIMEOUT:-240}
while [ $# -gt 0 ]; do
  case "$1" in
    --short) OUTAGE=45; FAULTS="rabbitmq-kill products-db provider-down kill-payments"; shift ;;
    --faults) FAULTS=$2; shift 2 ;;
    --outage) OUTAGE=$2; shift 2 ;;
    *) echo "usage: $0 [--short] [--faults \"…\"] [--outage SECONDS]" >&2; exit 2 ;;
  esac
done

export CHAOS_DIR=${CHAOS_DIR:-/tmp/gomicro-chaos}
export GOMICRO_DEPS_DIR=$CHAOS_DIR/deps GOMICRO_PG_PORT=54339 GOMICRO_REDIS_PORT=63809 GOMICRO_AMQP_PORT=56739 \
  GOMICRO_RABBIT_MGMT_PORT=15689 GOMICRO_RABBIT_DIST_PORT=25689 GOMICRO_EPMD_PORT=43709
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
PG="Host=127.0.0.1;Port=$GOMICRO_PG_PORT;Username=postgres;Password=gomicro"
AMQP="amqp://gomicro:gomicro@127.0.0.1:$GOMICRO_AMQP_PORT/"
MGMT="http://127.0.0.1:$GOMICRO_RABBIT_MGMT_PORT"
OUTAGE_FILE=$CHAOS_DIR/provider-down
ADMIN_EMAIL=admin@chaos.local ADMIN_PASSWORD=chaos-admin-password-1
SERVICE_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d " \n")   # the key payments presents to products
declare -A HTTP=([users]=18080 [products]=18090 [basket]=18092 [payments]=18094)
declare -A GRPC=([users]=18081 [products]=18091 [basket]=18093 [payments]=18095)
declare -A PROJECT=([users]=GoMicro.Users [products]=GoMicro.Products [basket]=GoMicro.Basket [payments]=GoMicro.Payments)
declare -A PID=()
SERVICES="users products basket payments"

log() { printf '%s chaos: %s\n' "$(date +%T)" "$*" >&2; }
psql_db() { PGPASSWORD=gomicro psql -h 127.0.0.1 -p "$GOMICRO_PG_PORT" -U postgres -d "$1" -XAtq -c "$2"; }
# A query whose database may be down right now: empty output instead of a failure.
try_db() { psql_db "$@" 2>/dev/null || true; }

cleanup() {
  set +e
  for s in $SERVICES; do [ -n "${PID[$s]:-}" ] && kill "${PID[$s]}" 2>/dev/null; done
  for _ in $(seq 40); do
    alive=0
    for s in $SERVICES; do [ -n "${PID[$s]:-}" ] && kill -0 "${PID[$s]}" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for s in $SERVICES; do [ -n "${PID[$s]:-}" ] && kill -9 "${PID[$s]}" 2>/dev/null; done
  wait 2>/dev/null
  rm -f "$OUTAGE_FILE"
  scripts/deps.sh stop >/dev/null 2>&1
}
trap cleanup EXIT

env_for() {
  local s=$1
  echo "ASPNETCORE_ENVIRONMENT=Production Listen__Address=127.0.0.1 Listen__HttpPort=${HTTP[$s]} Listen__GrpcPort=${GRPC[$s]}"
  echo "Jwt__JwksUrl=http://127.0.0.1:${HTTP[users]}/.well-known/jwks.json ServiceKeys__Payments=$SERVICE_KEY"
  case $s in
    users) echo "ConnectionStrings__Postgres=$PG;Database=gomicro_users Database__MigrateOnStartup=true" \
                "Jwt__SigningKeyPath=$CHAOS_DIR/jwt.pem Jwt__CreateKeyIfMissing=true Admin__Email=$ADMIN_EMAIL Admin__Password=$ADMIN_PASSWORD" ;;
    products) echo "ConnectionStrings__Postgres=$PG;Database=gomicro_products Database__MigrateOnStartup=true RabbitMq__Uri=$AMQP" ;;
    basket) echo "ConnectionStrings__Redis=127.0.0.1:$GOMICRO_REDIS_PORT RabbitMq__Uri=$AMQP Services__Products__Grpc=http://127.0.0.1:${GRPC[products]}" ;;
    payments) echo "ConnectionStrings__Postgres=$PG;Database=gomicro_payments Database__MigrateOnStartup=true RabbitMq__Uri=$AMQP" \
                   "Services__Products__Grpc=http://127.0.0.1:${GRPC[products]} Services__Basket__Grpc=http://127.0.0.1:${GRPC[basket]}" \
                   "Payments__TestProcessor__OutageFile=$OUTAGE_FILE Payments__Recovery__StaleAfter=00:00:20 Payments__Recovery__Interval=00:00:02" ;;
  esac
}

start_service() {
  local s=$1 vars
  vars=$(env_for "$s" | tr '\n' ' ')
  # shellcheck disable=SC2086 # the variables are words on purpose
  env $vars dotnet "services/${PROJECT[$s]}/bin/Release/net10.0/${PROJECT[$s]}.dll" >>"$CHAOS_DIR/$s.log" 2>&1 &
  PID[$s]=$!
}

ready() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:${HTTP[$1]}/healthz/ready" 2>/dev/null; }

wait_ready() {
  local s=$1
  for _ in $(seq 240); do ready "$s" && return 0; sleep 0.5; done
  log "$s did not become ready (see $CHAOS_DIR/$s.log)"; return 1
}

# --- faults: start_<fault> makes it happen, end_<fault> takes it away ---------------------
rabbit_pid() { cat "$GOMICRO_DEPS_DIR/rabbitmq/rabbit.pid" 2>/dev/null || pgrep -f "beam.*-noinput.*gomicro@localhost" | head -1; }
start_rabbitmq-kill() { kill -9 "$(rabbit_pid)"; }
end_rabbitmq-kill() { scripts/deps.sh start >/dev/null; }

db_off() { psql_db postgres "ALTER DATABASE $1 WITH ALLOW_CONNECTIONS false; SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$1';" >/dev/null; }
db_on() { psql_db postgres "ALTER DATABASE $1 WITH ALLOW_CONNECTIONS true;" >/dev/null; }
start_users-db() { db_off gomicro_users; }
end_users-db() { db_on gomicro_users; }
start_products-db() { db_off gomicro_products; }
end_products-db() { db_on gomicro_products; }
start_payments-db() { db_off gomicro_payments; }
end_payments-db() { db_on gomicro_payments; }

start_hot-rows-lock() {
  PGPASSWORD=gomicro psql -h 127.0.0.1 -p "$GOMICRO_PG_PORT" -U postgres -d gomicro_products -Xq \
    -c "BEGIN; SELECT count(*) FROM (SELECT id FROM products WHERE category = 'load' FOR UPDATE) locked; SELECT pg_sleep($OUTAGE); COMMIT;" >/dev/null 2>&1 &
  LOCK_PID=$!
}
end_hot-rows-lock() { wait "$LOCK_PID" 2>/dev/null || true; }

start_redis-stop() { redis-cli -p "$GOMICRO_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; }
end_redis-stop() { scripts/deps.sh start >/dev/null; }

start_provider-down() { touch "$OUTAGE_FILE"; }
end_provider-down() { rm -f "$OUTAGE_FILE"; }

for s in users products basket payments; do
  eval "start_kill-$s() { kill -9 \"\${PID[$s]}\"; }"
  eval "end_kill-$s() { start_service $s; wait_ready $s; }"
done

# --- invariants -----------------------------------------------------------------------------
# Each prints nothing when it holds, else one line saying what is broken.
check_invariants() {
  local kept committed n
  kept=$(try_db gomicro_payments "SELECT p.id || ' ' || l.product_id || ' ' || sum(l.quantity) FROM payments p JOIN payment_lines l ON l.payment_id = p.id WHERE p.status = 'Succeeded' GROUP BY p.id, l.product_id ORDER BY 1")
  committed=$(try_db gomicro_products "SELECT r.payment_id || ' ' || l.product_id || ' ' || sum(l.quantity) FROM stock_reservations r JOIN stock_reservation_lines l USING (payment_id) WHERE r.state = 'Committed' GROUP BY r.payment_id, l.product_id ORDER BY 1")
  if [ "$kept" != "$committed" ]; then
    echo "kept payments and committed stock differ: $(diff <(echo "$kept") <(echo "$committed") | grep -c '^[<>]') line(s)"
  fi
  n=$(try_db gomicro_payments "SELECT count(*) FROM test_processor.charges c LEFT JOIN payments p ON p.id = c.payment_id WHERE NOT ((p.status = 'Succeeded' AND c.refunded_at IS NULL) OR (p.status = 'Refunded' AND c.refunded_at IS NOT NULL))")
  [ "$n" = 0 ] || echo "charges neither kept nor refunded once: ${n:-database down}"
  n=$(try_db gomicro_products "SELECT count(*) FROM products p WHERE p.category = 'load' AND p.stock + coalesce((SELECT sum(l.quantity) FROM stock_reservation_lines l JOIN stock_reservations r USING (payment_id) WHERE l.product_id = p.id AND r.state IN ('Held', 'Committed')), 0) <> $CHAOS_STOCK OR p.stock < 0")
  [ "$n" = 0 ] || echo "stock not conserved or negative: ${n:-database down} product(s)"
  n=$(try_db gomicro_payments "SELECT count(*) FROM payments WHERE status IN ('Pending', 'RefundPending')")
  [ "$n" = 0 ] || echo "payments not settled: ${n:-database down}"
  n=$(try_db gomicro_products "SELECT count(*) FROM stock_reservations WHERE state = 'Held'")
  [ "$n" = 0 ] || echo "stock still held: ${n:-database down} reservation(s)"
  for db in gomicro_products gomicro_payments; do
    n=$(try_db "$db" "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL")
    [ "$n" = 0 ] || echo "$db outbox not drained: ${n:-database down}"
  done
  local queues
  queues=$(curl -fsS --max-time 3 -u gomicro:gomicro "$MGMT/api/queues/%2F?columns=name,messages" 2>/dev/null) || queues=""
  if [ -z "$queues" ]; then
    echo "broker unreachable: dead-letter queues unknown"
  else
    n=$(grep -oE '"messages":[0-9]+,"name":"[^"]*\.dead-letter"' <<<"$queues" | awk -F'[:,]' '{ s += $2 } END { print s + 0 }')
    [ "$n" = 0 ] || echo "dead-lettered messages: $n"
  fi
  for s in $SERVICES; do ready "$s" 2>/dev/null || echo "$s not ready"; done
}

# --- the run --------------------------------------------------------------------------------
mkdir -p "$CHAOS_DIR"
rm -f "$CHAOS_DIR"/*.log "$OUTAGE_FILE"
log "fresh dependencies (scripts/deps.sh in $GOMICRO_DEPS_DIR)"
scripts/deps.sh clean >/dev/null 2>&1 || true   # the invariants are about this run's data only
scripts/deps.sh start >/dev/null
command -v psql >/dev/null || { echo "psql is missing (apt-get install postgresql-client)" >&2; exit 1; }
for s in $SERVICES; do
  for port in "${HTTP[$s]}" "${GRPC[$s]}"; do
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
      echo "port $port (for $s) is already in use: is another chaos run still going?" >&2; exit 1
    fi
  done
done
log "Release build"
dotnet build GoMicro.sln -c Release -nologo -v quiet >"$CHAOS_DIR/build.log" 2>&1 || { cat "$CHAOS_DIR/build.log"; exit 1; }
for s in $SERVICES; do start_service "$s"; wait_ready "$s"; done
log "all four services ready"

CHAOS_STOCK=5000
results=()
broken_total=0
for fault in $FAULTS; do
  declare -F "start_$fault" >/dev/null || { echo "unknown fault: $fault" >&2; exit 2; }
  load_seconds=$((OUTAGE + 20))
  dotnet tools/GoMicro.LoadGen/bin/Release/net10.0/GoMicro.LoadGen.dll --scenario checkout --shoppers "$SHOPPERS" --catalog 5 --stock "$CHAOS_STOCK" \
    --seconds "$load_seconds" --max-requests 200000 --admin-email "$ADMIN_EMAIL" --admin-password "$ADMIN_PASSWORD" \
    --users "http://127.0.0.1:${HTTP[users]}" --products "http://127.0.0.1:${HTTP[products]}" \
    --basket "http://127.0.0.1:${HTTP[basket]}" --payments "http://127.0.0.1:${HTTP[payments]}" >"$CHAOS_DIR/load-$fault.log" 2>&1 &
  load=$!
  sleep 10
  log "$fault: on for ${OUTAGE}s"
  "start_$fault"
  sleep "$OUTAGE"
  "end_$fault"
  log "$fault: off; waiting for the load to finish"
  wait "$load" || true
  started=$(date +%s)
  broken="(not checked)"
  while :; do
    broken=$(check_invariants)
    [ -z "$broken" ] && break
    [ $(( $(date +%s) - started )) -ge "$CONVERGE_TIMEOUT" ] && break
    sleep 3
  done
  converged=$(( $(date +%s) - started ))
  statuses=$(grep -E '^statuses:' "$CHAOS_DIR/load-$fault.log" | tail -1 | sed 's/^statuses: //') || statuses=""
  if [ -z "$statuses" ]; then
    # Without load the fault proved nothing: that counts as broken.
    statuses="(no load)"
    broken=$(printf '%s\n%s' "the load generator failed: see $CHAOS_DIR/load-$fault.log" "$broken" | sed '/^$/d')
  fi
  if [ -z "$broken" ]; then
    count=0; verdict="all hold"
  else
    count=$(printf '%s\n' "$broken" | wc -l); verdict=$(printf '%s' "$broken" | paste -sd ';' -)
    log "$fault: still broken after ${CONVERGE_TIMEOUT}s: $verdict"
  fi
  broken_total=$((broken_total + count))
  results+=("| $fault | $OUTAGE | $statuses | $([ "$count" = 0 ] && echo "${converged}s" || echo "no") | $verdict |")
done

echo
echo "| fault | outage s | answers by HTTP status (0: none) | converged after | invariants |"
echo "|---|---:|---|---:|---|"
printf '%s\n' "${results[@]}"
echo
faults=$(echo "$FAULTS" | wc -w)
echo "chaos: $faults faults, $broken_total invariants broken"
[ "$broken_total" = 0 ]
