#!/usr/bin/env bash
# Real PostgreSQL, Redis and RabbitMQ for tests and local runs, without Docker or systemd.
#
#   scripts/deps.sh start   install (apt, when missing) and start all three on 127.0.0.1,
#                           wait until each answers, print the environment to use (stdout)
#   scripts/deps.sh env     print that environment again
#   scripts/deps.sh stop    stop them (data stays in the scratch directory)
#   scripts/deps.sh clean   stop them and delete the scratch directory
#   scripts/deps.sh restart-postgres   restart PostgreSQL alone (to change its settings)
#
#   eval "$(scripts/deps.sh start)"
#
# Ports and the scratch directory can be changed through the variables below.
# PostgreSQL runs with test-speed settings (fsync=off, synchronous_commit=off,
# full_page_writes=off): a crash may lose data. GOMICRO_PG_DURABLE=1 starts it with the
# durable defaults instead (fsync, synchronous_commit and full_page_writes on).
set -euo pipefail

DIR=${GOMICRO_DEPS_DIR:-/tmp/gomicro-deps}
PG_PORT=${GOMICRO_PG_PORT:-54329}
REDIS_PORT=${GOMICRO_REDIS_PORT:-63799}
AMQP_PORT=${GOMICRO_AMQP_PORT:-56729}
RABBIT_MGMT_PORT=${GOMICRO_RABBIT_MGMT_PORT:-15679}
RABBIT_DIST_PORT=${GOMICRO_RABBIT_DIST_PORT:-25679}
EPMD_PORT=${GOMICRO_EPMD_PORT:-43699}
PG_DURABLE=${GOMICRO_PG_DURABLE:-0}
PG_PASSWORD=gomicro
RABBIT_USER=gomicro
RABBIT_PASSWORD=gomicro

log() { echo "deps: $*" >&2; }
die() { log "$*"; exit 1; }

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && { echo "$d"; return; }; done
  return 1
}

install_missing() {
  local want=()
  pg_bin >/dev/null || want+=(postgresql)
  command -v redis-server >/dev/null || want+=(redis-server)
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || want+=(rabbitmq-server)
  command -v curl >/dev/null || want+=(curl)
  [ ${#want[@]} -eq 0 ] && return
  [ "$(id -u)" = 0 ] || die "missing ${want[*]}: install them (apt-get install ${want[*]}) or run as root"
  log "installing ${want[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${want[@]}" >&2
  # The packages may start system-wide instances; ours run on their own ports, but free the CPU.
  pkill -f 'beam.*rabbit@' 2>/dev/null || true
}

rabbit_env() {
  export HOME="$DIR/rabbitmq"   # the Erlang cookie lives here, shared by server and CLI
  export RABBITMQ_NODENAME=gomicro@localhost
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT=$AMQP_PORT
  export RABBITMQ_DIST_PORT=$RABBIT_DIST_PORT
  export ERL_EPMD_PORT=$EPMD_PORT
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE="$DIR/rabbitmq/mnesia"
  export RABBITMQ_LOG_BASE="$DIR/rabbitmq/log"
  export RABBITMQ_CONFIG_FILE="$DIR/rabbitmq/rabbitmq"   # .conf is appended
  export RABBITMQ_ENABLED_PLUGINS_FILE="$DIR/rabbitmq/enabled_plugins"
  export RABBITMQ_PID_FILE="$DIR/rabbitmq/rabbit.pid"
  # Keep Erlang distribution (the CLI tools' channel) on loopback too.
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

start_postgres() {
  local bin; bin=$(pg_bin)
  local data="$DIR/postgres/data"
  mkdir -p "$DIR/postgres"
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$DIR/postgres"; run_pg() { su postgres -s /bin/sh -c "$*"; }
  else run_pg() { sh -c "$*"; }; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    echo "$PG_PASSWORD" > "$DIR/postgres/pwfile"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR/postgres/pwfile"
    run_pg "'$bin/initdb' -D '$data' -U postgres --pwfile='$DIR/postgres/pwfile' -A scram-sha-256 -E UTF8 --locale=C.UTF-8" >/dev/null
  fi
  if run_pg "'$bin/pg_ctl' -D '$data' status" >/dev/null 2>&1; then log "postgres already running on $PG_PORT"; return; fi
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off" kind="test-speed settings"
  [ "$PG_DURABLE" = 1 ] && durability="-c fsync=on -c synchronous_commit=on -c full_page_writes=on" kind="durable settings"
  run_pg "'$bin/pg_ctl' -D '$data' -w -l '$DIR/postgres/log' start -o \"-c listen_addresses=127.0.0.1 -p $PG_PORT -k '$DIR/postgres' -c max_connections=300 $durability\"" >/dev/null
  log "postgres ready on 127.0.0.1:$PG_PORT ($kind)"
}

start_redis() {
  mkdir -p "$DIR/redis"
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then log "redis already running on $REDIS_PORT"; return; fi
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --dir "$DIR/redis" \
    --pidfile "$DIR/redis/redis.pid" --logfile "$DIR/redis/log" --databases 64 --save "" --appendonly no
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$REDIS_PORT" ping >/dev/null || die "redis did not start: $DIR/redis/log"
  log "redis ready on 127.0.0.1:$REDIS_PORT"
}

start_rabbitmq() {
  rabbit_env
  mkdir -p "$DIR/rabbitmq/log" "$DIR/rabbitmq/mnesia"
  if /usr/lib/rabbitmq/bin/rabbitmq-diagnostics -q ping >/dev/null 2>&1; then log "rabbitmq already running on $AMQP_PORT"; return; fi
  cat > "$DIR/rabbitmq/rabbitmq.conf" <<CONF
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBIT_MGMT_PORT
default_user = $RABBIT_USER
default_pass = $RABBIT_PASSWORD
loopback_users = none
vm_memory_high_watermark.absolute = 1GB
disk_free_limit.absolute = 50MB
CONF
  echo "[rabbitmq_management]." > "$DIR/rabbitmq/enabled_plugins"
  /usr/lib/rabbitmq/bin/rabbitmq-server -detached >/dev/null 2>&1
  for _ in $(seq 120); do /usr/lib/rabbitmq/bin/rabbitmq-diagnostics -q ping >/dev/null 2>&1 && break; sleep 0.5; done
  /usr/lib/rabbitmq/bin/rabbitmqctl -q await_startup --timeout 60 >/dev/null || die "rabbitmq did not start: $DIR/rabbitmq/log"
  for _ in $(seq 60); do curl -fsS -u "$RABBIT_USER:$RABBIT_PASSWORD" "http://127.0.0.1:$RABBIT_MGMT_PORT/api/overview" >/dev/null 2>&1 && break; sleep 0.5; done
  log "rabbitmq ready on 127.0.0.1:$AMQP_PORT (management http://127.0.0.1:$RABBIT_MGMT_PORT)"
}

print_env() {
  cat <<ENV
export GOMICRO_TEST_POSTGRES='Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Password=$PG_PASSWORD'
export GOMICRO_TEST_REDIS='127.0.0.1:$REDIS_PORT'
export GOMICRO_TEST_RABBITMQ='amqp://$RABBIT_USER:$RABBIT_PASSWORD@127.0.0.1:$AMQP_PORT/'
export GOMICRO_TEST_RABBITMQ_MANAGEMENT='http://$RABBIT_USER:$RABBIT_PASSWORD@127.0.0.1:$RABBIT_MGMT_PORT/'
ENV
}

stop_postgres() {
  local bin; bin=$(pg_bin 2>/dev/null) || true
  if [ -n "${bin:-}" ] && [ -f "$DIR/postgres/data/PG_VERSION" ]; then
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "'$bin/pg_ctl' -D '$DIR/postgres/data' -m fast stop" >/dev/null 2>&1 || true
    else "$bin/pg_ctl" -D "$DIR/postgres/data" -m fast stop >/dev/null 2>&1 || true; fi
  fi
}

stop_all() {
  stop_postgres
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  if [ -x /usr/lib/rabbitmq/bin/rabbitmqctl ]; then
    rabbit_env
    /usr/lib/rabbitmq/bin/rabbitmqctl -q stop >/dev/null 2>&1 || true
    pkill -f "epmd.*-port $EPMD_PORT" 2>/dev/null || true
  fi
  log "stopped"
}

case "${1:-start}" in
  start)
    mkdir -p "$DIR"
    install_missing
    start_postgres
    start_redis
    start_rabbitmq
    print_env
    ;;
  env) print_env ;;
  stop) stop_all ;;
  clean) stop_all; rm -rf "$DIR" ;;
  restart-postgres) stop_postgres; start_postgres ;;
  *) die "usage: $0 start|env|stop|clean|restart-postgres" ;;
esac
