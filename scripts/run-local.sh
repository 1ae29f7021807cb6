#!/usr/bin/env bash
# The whole platform without Docker: PostgreSQL, Redis and RabbitMQ from scripts/deps.sh,
# the four services with `dotnet run` (Development settings) on 127.0.0.1, and KrakenD when
# a `krakend` binary is on PATH. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(scripts/deps.sh start)"
logs=$(mktemp -d -t gomicro-run-XXXX)
pids=()
stop() {
  echo; echo "stopping…"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/deps.sh stop
}
trap stop EXIT INT TERM

config=${GOMICRO_CONFIGURATION:-Debug}   # Release for load runs
dotnet build GoMicro.sln -c "$config" -nologo -v quiet
# name  project             HTTP  gRPC   (the ports of each service's appsettings.Development.json)
services=(
  "users    GoMicro.Users     8080 8081"
  "products GoMicro.Products  8090 8091"
  "basket   GoMicro.Basket    8092 8093"
  "payments GoMicro.Payments  8094 8095"
)
for line in "${services[@]}"; do
  read -r name project http _ <<<"$line"
  dotnet run --no-build -c "$config" --project "services/$project" >"$logs/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 120); do curl -fs "http://127.0.0.1:$http/healthz/ready" >/dev/null && break; sleep 0.5; done
  curl -fs "http://127.0.0.1:$http/healthz/ready" >/dev/null || { echo "$name did not become ready; see $logs/$name.log"; exit 1; }
done

gateway="no krakend binary on PATH: call the services directly"
if command -v krakend >/dev/null; then
  config="$logs/krakend.json"
  sed -e 's#http://users:8080#http://127.0.0.1:8080#g' -e 's#http://products:8080#http://127.0.0.1:8090#g' \
      -e 's#http://basket:8080#http://127.0.0.1:8092#g' -e 's#http://payments:8080#http://127.0.0.1:8094#g' \
      krakend/krakend.json >"$config"
  krakend run -c "$config" >"$logs/krakend.log" 2>&1 &
  pids+=($!)
  gateway="http://127.0.0.1:8085 (KrakenD)"
fi

cat <<INFO

GoMicro is running (logs in $logs):
  gateway   $gateway
  users     http://127.0.0.1:8080   gRPC 127.0.0.1:8081   admin@gomicro.local / admin-password-1
  products  http://127.0.0.1:8090   gRPC 127.0.0.1:8091
  basket    http://127.0.0.1:8092   gRPC 127.0.0.1:8093
  payments  http://127.0.0.1:8094   gRPC 127.0.0.1:8095
  RabbitMQ management  http://127.0.0.1:15679 (gomicro / gomicro)
Ctrl-C stops everything.
INFO
wait
