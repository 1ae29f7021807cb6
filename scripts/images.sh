#!/usr/bin/env bash
# Proves the Dockerfile on a machine that can reach no container registry.
#
#   scripts/images.sh        (as root; CI runs it after the tests)
#
# 1. installs docker.io and debootstrap when missing and starts a throwaway Docker engine
#    bound to 127.0.0.1 (its data under $GOMICRO_IMAGES_DIR);
# 2. builds stand-in base images — Debian bookworm (debootstrap minbase) plus this machine's
#    .NET — tagged with the official names the Dockerfile uses, inside that engine only;
# 3. builds the four service images from the Dockerfile, unchanged;
# 4. runs each container (host network) against the native PostgreSQL, Redis and RabbitMQ of
#    scripts/deps.sh until /healthz/ready answers 200 and the image's own HEALTHCHECK says healthy;
# 5. prints the image sizes;
# 6. builds stand-in PostgreSQL, Redis and RabbitMQ images (tests/containers/) under the
#    official names and runs integration test classes through Testcontainers
#    (GOMICRO_TEST_CONTAINERS=1): users' AccountTests (PostgreSQL), users' PostgresImageTests
#    (the image as docker-compose.yml runs users-db, with its health check) and basket's
#    BasketTests (PostgreSQL, Redis, RabbitMQ). Ends with `container tests: N passed, N failed, N skipped`.
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${GOMICRO_IMAGES_DIR:-/tmp/gomicro-images}
DOTNET_DIR=$(dirname "$(readlink -f "$(command -v dotnet)")")
SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled
log() { echo "images: $*" >&2; }
mkdir -p "$DIR"

need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  setsid dockerd --ip 127.0.0.1 --data-root "$DIR/docker" >"$DIR/dockerd.log" 2>&1 < /dev/null &
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { tail -20 "$DIR/dockerd.log"; exit 1; }
fi

if ! docker image inspect gomicro-standin/bookworm:latest >/dev/null 2>&1; then
  if [ ! -x "$DIR/rootfs/bin/sh" ]; then
    log "debootstrap bookworm (minbase)"
    rm -rf "$DIR/rootfs"
    debootstrap --variant=minbase --include=ca-certificates bookworm "$DIR/rootfs" >"$DIR/debootstrap.log" 2>&1
  fi
  tar -C "$DIR/rootfs" -c . | docker import - gomicro-standin/bookworm:latest >/dev/null
fi
if ! docker image inspect "$SDK_IMAGE" >/dev/null 2>&1; then
  log "stand-in $SDK_IMAGE from $DOTNET_DIR"
  docker build -q -t gomicro-standin/sdk:latest -f - "$DOTNET_DIR" >/dev/null <<'DOCKERFILE'
FROM gomicro-standin/bookworm:latest
COPY . /usr/share/dotnet/
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_ROOT=/usr/share/dotnet DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 NUGET_CERT_REVOCATION_MODE=offline
DOCKERFILE
  # The stand-in trusts what this machine trusts (its egress proxy's CA), so restore reaches NuGet.
  if mkdir -p "$DIR/ca"; then cp /usr/local/share/ca-certificates/*.crt "$DIR/ca/" 2>/dev/null || true; fi
  docker build -q -t "$SDK_IMAGE" -f - "$DIR/ca" >/dev/null <<'DOCKERFILE'
FROM gomicro-standin/sdk:latest
COPY . /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null
DOCKERFILE
fi
if ! docker image inspect "$RUNTIME_IMAGE" >/dev/null 2>&1; then
  log "stand-in $RUNTIME_IMAGE from $DOTNET_DIR"
  docker build -q -t "$RUNTIME_IMAGE" -f - "$DOTNET_DIR" >/dev/null <<'DOCKERFILE'
FROM gomicro-standin/bookworm:latest
COPY dotnet /usr/share/dotnet/dotnet
COPY host /usr/share/dotnet/host
COPY shared /usr/share/dotnet/shared
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet && useradd --uid 1654 --no-create-home --shell /usr/sbin/nologin app
ENV DOTNET_ROOT=/usr/share/dotnet DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 APP_UID=1654
DOCKERFILE
fi

eval "$(scripts/deps.sh start)"
pg_host_port=$(sed -E 's/.*Host=([^;]+);Port=([0-9]+).*/\1:\2/' <<<"$GOMICRO_TEST_POSTGRES")
pg() { echo "Host=${pg_host_port%:*};Port=${pg_host_port#*:};Username=postgres;Password=gomicro;Database=gomicro_image_$1"; }
amqp=$GOMICRO_TEST_RABBITMQ

# name  project  HTTP gRPC — on the host network, away from the ports of run-local
services=(
  "users    GoMicro.Users    18080 18081"
  "products GoMicro.Products 18090 18091"
  "basket   GoMicro.Basket   18092 18093"
  "payments GoMicro.Payments 18094 18095"
)
for line in "${services[@]}"; do
  read -r name project _ _ <<<"$line"
  log "building gomicro/$name"
  docker build --network host -q --build-arg PROJECT="$project" -t "gomicro/$name:ci" . >"$DIR/build-$name.log" 2>&1 \
    || { tail -30 "$DIR/build-$name.log" >&2; exit 1; }
done

docker rm -f gomicro-users gomicro-products gomicro-basket gomicro-payments >/dev/null 2>&1 || true
common=(--network host -e Listen__Address=127.0.0.1
        -e Jwt__JwksUrl=http://127.0.0.1:18080/.well-known/jwks.json -e RabbitMq__Uri="$amqp"
        -e Services__Products__Grpc=http://127.0.0.1:18091 -e Services__Basket__Grpc=http://127.0.0.1:18093
        -e ServiceKeys__Payments="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d " \n")")
status=0
for line in "${services[@]}"; do
  read -r name _ http grpc <<<"$line"
  extra=()
  case $name in
    users) extra=(-e ConnectionStrings__Postgres="$(pg users)" -e Jwt__SigningKeyPath=/var/lib/gomicro/jwt.pem -e Jwt__CreateKeyIfMissing=true
                  -e Admin__Email=admin@gomicro.local -e Admin__Password=admin-password-1) ;;
    products) extra=(-e ConnectionStrings__Postgres="$(pg products)" -e Products__SeedSampleData=true) ;;
    basket) extra=(-e ConnectionStrings__Redis="$GOMICRO_TEST_REDIS") ;;
    payments) extra=(-e ConnectionStrings__Postgres="$(pg payments)") ;;
  esac
  docker run -d --name "gomicro-$name" "${common[@]}" -e Listen__HttpPort="$http" -e Listen__GrpcPort="$grpc" "${extra[@]}" "gomicro/$name:ci" >/dev/null
  ready=no
  for _ in $(seq 90); do
    if curl -fs "http://127.0.0.1:$http/healthz/ready" >/dev/null; then ready=yes; break; fi
    sleep 1
  done
  if [ $ready = yes ]; then
    health=unknown
    for _ in $(seq 60); do
      health=$(docker inspect -f '{{.State.Health.Status}}' "gomicro-$name")
      [ "$health" = healthy ] && break
      sleep 1
    done
    user=$(docker inspect -f '{{.Config.User}}' "gomicro/$name:ci")
    log "gomicro/$name: /healthz/ready 200, container $health, user $user"
    [ "$health" = healthy ] || status=1
  else
    log "gomicro/$name did not become ready:"; docker logs --tail 30 "gomicro-$name" >&2; status=1
  fi
done

# The operator image: it needs a cluster to reconcile, so here it proves it starts and that
# the CRD it carries is the one committed for the chart.
log "building gomicro/operator"
docker build --network host -q --build-arg PROJECT=GoMicro.Operator -t gomicro/operator:ci . >"$DIR/build-operator.log" 2>&1 \
  || { tail -30 "$DIR/build-operator.log" >&2; exit 1; }
if docker run --rm gomicro/operator:ci crd | cmp -s - charts/gomicro-operator/crds/gomicroshops.gomicro.io.yaml; then
  log "gomicro/operator: prints the committed CRD, user $(docker inspect -f '{{.Config.User}}' gomicro/operator:ci)"
else
  log "gomicro/operator: its CRD differs from charts/gomicro-operator/crds"; status=1
fi
services+=("operator GoMicro.Operator - -")

base=$(docker image inspect -f '{{.Size}}' "$RUNTIME_IMAGE")
echo
echo "| image | size (on the stand-in runtime) | our layers (the published service) |"
echo "|---|---|---|"
for line in "${services[@]}"; do
  read -r name _ _ _ <<<"$line"
  size=$(docker image inspect -f '{{.Size}}' "gomicro/$name:ci")
  printf '| gomicro/%s | %d MB | %d MB |\n' "$name" "$((size / 1000000))" "$(((size - base) / 1000000))"
done
docker rm -f gomicro-users gomicro-products gomicro-basket gomicro-payments >/dev/null 2>&1 || true
[ "${GOMICRO_KEEP_DEPS:-}" = 1 ] || scripts/deps.sh stop

for spec in "postgres postgres:15" "redis redis:7" "rabbitmq rabbitmq:3-management"; do
  read -r dir tag <<<"$spec"
  log "stand-in $tag"
  docker build --network host -q -t "$tag" "tests/containers/$dir" >"$DIR/build-$dir.log" 2>&1 || { tail -30 "$DIR/build-$dir.log" >&2; exit 1; }
done
results=$(mktemp -d)
(
  unset GOMICRO_TEST_POSTGRES GOMICRO_TEST_REDIS GOMICRO_TEST_RABBITMQ GOMICRO_TEST_RABBITMQ_MANAGEMENT
  export GOMICRO_TEST_CONTAINERS=1 DOCKER_API_VERSION=1.41 TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
  dotnet build GoMicro.sln -nologo -v quiet >/dev/null
  dotnet test tests/GoMicro.Users.Tests --no-build -nologo --filter "FullyQualifiedName~GoMicro.Users.Tests.AccountTests|FullyQualifiedName~GoMicro.Users.Tests.PostgresImageTests" --logger trx --results-directory "$results"
  dotnet test tests/GoMicro.Basket.Tests --no-build -nologo --filter "FullyQualifiedName~GoMicro.Basket.Tests.BasketTests" --logger trx --results-directory "$results"
) || status=1
# Without Ryuk nothing reaps the test containers: remove them here.
docker ps -aq --filter label=org.testcontainers=true | xargs -r docker rm -f >/dev/null
read -r passed failed skipped < <(scripts/trx-totals.sh "$results")
rm -rf "$results"
[ "$status" = 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "container tests: $passed passed, $failed failed, $skipped skipped"
exit $status
