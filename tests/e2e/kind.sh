#!/usr/bin/env bash
# The lifecycle of a shop on a real cluster, from images to uninstall, as a person would do it:
#
#   tests/e2e/kind.sh                  on a new kind cluster "gomicro-e2e", deleted at the end
#   tests/e2e/kind.sh --minikube       the same on a new minikube profile "gomicro-e2e"
#   tests/e2e/kind.sh --reuse          use the cluster of that name if it exists (else create it),
#                                      and leave the cluster itself in place at the end
#   tests/e2e/kind.sh --keep           leave the cluster and everything in it, to look around after
#   tests/e2e/kind.sh --cluster NAME   another kind cluster or minikube profile
#   tests/e2e/kind.sh --skip-build     use gomicro/<image>:e2e already built in the local Docker
#
# Needs docker, kind (or minikube), kubectl, helm, curl and jq. helm and kubectl may come from
# scripts/tools.sh (.deps/tools/bin is searched after PATH). Extra words for `kind create
# cluster` or `minikube start` go in GOMICRO_E2E_KIND_ARGS or GOMICRO_E2E_MINIKUBE_ARGS; the
# gateway is forwarded to 127.0.0.1:${GOMICRO_E2E_PORT:-18085}.
#
# Steps: build the five images (users, products, basket, payments, operator) and load them
# into the cluster; install charts/gomicro-operator and wait for a leader; install
# charts/gomicro (shop "shop", dataRetention Retain) with those images and wait for Ready;
# through the gateway: register, log in, as the bootstrap admin create a product, put it in
# the basket, pay with a test card (and replay the payment), see the stock go down and the
# basket empty; scale one child and delete another and wait for the operator to put them
# back; upgrade (every service to an image re-tagged e2e2, products to 2 replicas) and wait
# for Ready again; uninstall the shop and see its volumes and credentials kept; install a
# second shop with dataRetention Delete, uninstall it and see them go; uninstall the
# operator and fail if anything in the namespaces is left Terminating. Every wait is
# bounded. On exit the cluster is deleted (or, with --reuse, what the run made), unless --keep.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
PATH="$PATH:$ROOT/.deps/tools/bin"

driver=kind
cluster=gomicro-e2e
reuse=0
keep=0
build=1
usage() { echo "usage: $0 [--minikube] [--reuse] [--keep] [--cluster NAME] [--skip-build]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --minikube) driver=minikube; shift ;;
    --kind) driver=kind; shift ;;
    --reuse) reuse=1; shift ;;
    --keep) keep=1; shift ;;
    --cluster) [ $# -ge 2 ] || usage; cluster=$2; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) usage ;;
  esac
done

OPERATOR_NS=gomicro-e2e-system
SHOP_NS=gomicro-e2e
OPERATOR_RELEASE=gomicro-operator
SHOP=shop          # dataRetention Retain: bought from, edited, upgraded, uninstalled
SCRATCH=scratch    # dataRetention Delete: its stores only, uninstalled at the end
TAG=e2e
TAG2=e2e2
SERVICES="users products basket payments"
PORT=${GOMICRO_E2E_PORT:-18085}
API=http://127.0.0.1:$PORT
OURS=app.kubernetes.io/managed-by=gomicro-operator
CRD=gomicroshops.gomicro.io
FINALIZER=gomicro.io/data-retention

WORK=$(mktemp -d)
STEPS=12
step_no=0
current_step="start"
began=$SECONDS
created=0
cluster_up=0
crd_existed=0
forward_pid=""

step() {
  step_no=$((step_no + 1))
  current_step="$step_no/$STEPS $*"
  printf '\n==> [%s] %s   (%ss)\n' "$step_no/$STEPS" "$*" "$((SECONDS - began))"
}
note() { echo "    $*"; }
fail() { echo "e2e: FAILED: $*" >&2; exit 1; }

# Every kubectl and helm call names the context, so nothing lands on another cluster.
kc() { kubectl --context "$CONTEXT" "$@"; }
hm() { helm --kube-context "$CONTEXT" "$@"; }

# wait_for WHAT SECONDS COMMAND...: runs COMMAND every 3 s until it succeeds, fails after SECONDS.
wait_for() {
  local what=$1 timeout=$2 since=$SECONDS
  shift 2
  until "$@" >/dev/null 2>&1; do
    if [ $((SECONDS - since)) -ge "$timeout" ]; then
      fail "$what: not so after ${timeout}s"
    fi
    sleep 3
  done
  note "ok: $what ($((SECONDS - since))s)"
}

# json KIND NAME [NAMESPACE]: the object as JSON (fails when it is not there).
json() { kc -n "${3:-$SHOP_NS}" get "$1" "$2" -o json; }
# jq_true JQ_FILTER KIND NAME [NAMESPACE]: the filter is true of the object.
jq_true() { local filter=$1; shift; json "$@" | jq -e "$filter" >/dev/null; }
# count KIND SELECTOR: how many objects of KIND in the shop namespace carry the labels.
count() { kc -n "$SHOP_NS" get "$1" -l "$2" -o json | jq '.items | length'; }
gone() { local out; out=$(kc -n "${3:-$SHOP_NS}" get "$1" "$2" --ignore-not-found -o name) && [ -z "$out" ]; }
none_left() { [ "$(count "$1" "$2")" = 0 ]; }

# The shop is Ready for the generation of its spec that is there now (not an older one's).
shop_ready() {
  # shellcheck disable=SC2016 # $g is jq's
  jq_true '.metadata.generation as $g | (.status.observedGeneration == $g)
    and any(.status.conditions[]?; .type == "Ready" and .status == "True" and (.observedGeneration // $g) == $g)' gms "$1"
}
shop_observed() { jq_true '.status.observedGeneration == .metadata.generation' gms "$1"; }
wait_shop_ready() {
  local name=$1 timeout=$2
  wait_for "GoMicroShop $name has seen its current spec" 120 shop_observed "$name"
  if ! kc -n "$SHOP_NS" wait "gomicroshop/$name" --for=condition=Ready --timeout="${timeout}s"; then
    fail "GoMicroShop $name is not Ready after ${timeout}s: $(json gms "$name" | jq -c '.status.conditions')"
  fi
  shop_ready "$name" || fail "GoMicroShop $name answered Ready for an older generation"
  note "ok: GoMicroShop $name Ready ($(json gms "$name" | jq -r '[.status.components[] | "\(.name | sub("^[^-]+-"; "")) \(.readyReplicas // 0)/\(.replicas)"] | join(", ")'))"
}

# ---- the gateway, through kubectl port-forward ------------------------------------------
start_forward() {
  stop_forward
  kubectl --context "$CONTEXT" -n "$SHOP_NS" port-forward "svc/$SHOP-gateway" "$PORT:8085" >"$WORK/port-forward.log" 2>&1 &
  forward_pid=$!
  wait_for "the gateway answers on $API (port-forward to svc/$SHOP-gateway:8085)" 60 curl -fsS --max-time 5 -o /dev/null "$API/__health"
}
stop_forward() {
  if [ -n "$forward_pid" ]; then
    kill "$forward_pid" 2>/dev/null || true
    wait "$forward_pid" 2>/dev/null || true
    forward_pid=""
  fi
}

# call STATUS METHOD PATH [curl arguments...]: the response body; fails unless the status is STATUS.
call() {
  local expected=$1 method=$2 path=$3 status
  shift 3
  # 60 s: above the gateway's 30 s for a checkout, its slowest route.
  status=$(curl -sS --max-time 60 -o "$WORK/body" -w '%{http_code}' -X "$method" "$API$path" "$@") || fail "$method $path: no answer"
  [ "$status" = "$expected" ] || fail "$method $path answered $status, expected $expected: $(head -c 600 "$WORK/body")"
  cat "$WORK/body"
}
JSON=(-H "Content-Type: application/json")
bearer() { printf 'Authorization: Bearer %s' "$1"; }
login() {
  call 200 POST /users/login "${JSON[@]}" -d "$(jq -nc --arg e "$1" --arg p "$2" '{email: $e, password: $p}')" | jq -er '.accessToken'
}
product_stock() { call 200 GET "/products/$1" | jq -e --argjson n "$2" '(.stock // 0) == $n'; }
basket_empty() { call 200 GET /basket -H "$(bearer "$1")" | jq -e '(.lines // []) | length == 0'; }

# ---- on the way out ----------------------------------------------------------------------
diagnostics() {
  echo "---- what the cluster looked like (step $current_step) ----"
  kc -n "$SHOP_NS" get gms,deploy,sts,pods,svc,pvc,secrets -o wide 2>&1 | head -80
  kc -n "$SHOP_NS" get gms -o json 2>/dev/null | jq -c '.items[] | {name: .metadata.name, generation: .metadata.generation, status: .status}' 2>/dev/null
  kc -n "$OPERATOR_NS" get pods -o wide 2>&1
  echo "---- operator log (last 60 lines of each pod) ----"
  kc -n "$OPERATOR_NS" logs -l app.kubernetes.io/name=gomicro-operator --tail=60 --prefix 2>&1 | tail -120
  echo "---- pods not ready ----"
  kc -n "$SHOP_NS" get pods -o json 2>/dev/null \
    | jq -r '.items[] | select(any(.status.containerStatuses[]?; .ready | not)) | .metadata.name' 2>/dev/null \
    | while read -r pod; do
        kc -n "$SHOP_NS" describe pod "$pod" 2>&1 | tail -25
        kc -n "$SHOP_NS" logs "$pod" --all-containers --tail=40 2>&1
      done
  echo "---- events ----"
  kc -n "$SHOP_NS" get events --sort-by=.lastTimestamp 2>&1 | tail -40
  echo "---- port-forward ----"
  cat "$WORK/port-forward.log" 2>/dev/null
}

undo_in_reused_cluster() {
  # What this run made, shops first while the operator can still finalize them.
  local release
  for release in "$SHOP" "$SCRATCH"; do
    hm -n "$SHOP_NS" uninstall "$release" --wait --timeout 5m >/dev/null 2>&1 || true
  done
  hm -n "$OPERATOR_NS" uninstall "$OPERATOR_RELEASE" --wait --timeout 5m >/dev/null 2>&1 || true
  kc delete namespace "$SHOP_NS" "$OPERATOR_NS" --ignore-not-found --wait --timeout=300s >/dev/null 2>&1 \
    || echo "e2e: warning: namespaces $SHOP_NS, $OPERATOR_NS not gone after 300s" >&2
  if [ "$crd_existed" = 0 ] && [ "$(kc get gms -A -o name 2>/dev/null | wc -l)" -eq 0 ]; then
    kc delete crd "$CRD" --ignore-not-found >/dev/null 2>&1 || true
  fi
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT
  stop_forward
  if [ "$rc" != 0 ] && [ "$cluster_up" = 1 ]; then
    diagnostics
  fi
  if [ -n "${CONTEXT:-}" ]; then
    if [ "$keep" = 1 ]; then
      echo "e2e: kept cluster $cluster (context $CONTEXT), namespaces $SHOP_NS and $OPERATOR_NS"
    elif [ "$created" = 1 ]; then
      echo "e2e: deleting the $driver cluster $cluster"
      if [ "$driver" = kind ]; then kind delete cluster --name "$cluster" >/dev/null 2>&1; else minikube delete -p "$cluster" >/dev/null 2>&1; fi
    else
      echo "e2e: removing what this run made in the reused cluster $cluster"
      undo_in_reused_cluster
    fi
  fi
  rm -rf "$WORK"
  if [ "$rc" = 0 ]; then
    echo "e2e: PASSED in $((SECONDS - began))s"
  else
    echo "e2e: FAILED at step $current_step (exit $rc) after $((SECONDS - began))s" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. tools ----------------------------------------------------------------------------
step "tools"
for tool in docker "$driver" kubectl helm curl jq; do
  command -v "$tool" >/dev/null || fail "$tool is not on PATH (helm and kubectl: scripts/tools.sh; kind or minikube, docker, curl, jq: your package manager)"
done
docker info >/dev/null 2>&1 || fail "docker does not answer: is the Docker engine running?"
note "$(kubectl version --client 2>/dev/null | head -1); helm $(helm version --short); $driver $("$driver" version 2>/dev/null | head -1)"

# ---- 2. cluster --------------------------------------------------------------------------
step "cluster: $driver $cluster"
if [ "$driver" = kind ]; then
  CONTEXT=kind-$cluster
  if kind get clusters 2>/dev/null | grep -x "$cluster" >/dev/null; then
    [ "$reuse" = 1 ] || { CONTEXT=""; fail "a kind cluster $cluster exists: pass --reuse, or delete it (kind delete cluster --name $cluster)"; }
    note "reusing kind cluster $cluster"
    kubectl config get-contexts "$CONTEXT" >/dev/null 2>&1 || kind export kubeconfig --name "$cluster" >/dev/null
  else
    read -r -a extra <<<"${GOMICRO_E2E_KIND_ARGS:-}"
    created=1
    kind create cluster --name "$cluster" --wait 180s ${extra[@]+"${extra[@]}"}
  fi
else
  CONTEXT=$cluster
  if minikube profile list -o json 2>/dev/null | jq -e --arg n "$cluster" '[.valid[]?, .invalid[]?] | any(.Name == $n)' >/dev/null; then
    [ "$reuse" = 1 ] || { CONTEXT=""; fail "a minikube profile $cluster exists: pass --reuse, or delete it (minikube delete -p $cluster)"; }
    note "reusing minikube profile $cluster"
    minikube -p "$cluster" status >/dev/null 2>&1 || minikube start -p "$cluster"
    minikube -p "$cluster" update-context >/dev/null
  else
    read -r -a extra <<<"${GOMICRO_E2E_MINIKUBE_ARGS:-}"
    created=1
    minikube start -p "$cluster" ${extra[@]+"${extra[@]}"}
  fi
fi
wait_for "the API server of $CONTEXT answers" 120 kc get --raw /readyz
cluster_up=1
wait_for "a node is Ready" 180 kc wait node --all --for=condition=Ready --timeout=5s
for ns in "$SHOP_NS" "$OPERATOR_NS"; do
  if kc get namespace "$ns" >/dev/null 2>&1; then
    keep=1 # never remove what an earlier run left for someone to look at
    fail "namespace $ns is left from an earlier run: delete it first (kubectl --context $CONTEXT delete namespace $ns)"
  fi
done
kc get crd "$CRD" >/dev/null 2>&1 && crd_existed=1
note "context $CONTEXT, Kubernetes $(kc version -o json | jq -r '.serverVersion.gitVersion')"

# ---- 3. images ---------------------------------------------------------------------------
step "images: gomicro/{users,products,basket,payments,operator}:$TAG"
# Plain images, without attestation manifests: with Docker's containerd image store (the
# default of Docker 29), `docker save` leaves out the attestation manifest that the image's
# index names, and `kind load` then fails with "content digest ... not found" (kind #3795).
build_flags=()
docker buildx version >/dev/null 2>&1 && build_flags+=(--provenance=false --sbom=false)
IMAGES=""
for line in users:GoMicro.Users products:GoMicro.Products basket:GoMicro.Basket payments:GoMicro.Payments operator:GoMicro.Operator; do
  name=${line%%:*}
  project=${line#*:}
  IMAGES="$IMAGES gomicro/$name:$TAG"
  if [ "$build" = 0 ]; then
    docker image inspect "gomicro/$name:$TAG" >/dev/null 2>&1 || fail "--skip-build, but there is no gomicro/$name:$TAG in the local Docker"
    note "gomicro/$name:$TAG (already built)"
    continue
  fi
  note "building gomicro/$name:$TAG (--build-arg PROJECT=$project)"
  since=$SECONDS
  if ! docker build ${build_flags[@]+"${build_flags[@]}"} --build-arg PROJECT="$project" -t "gomicro/$name:$TAG" . >"$WORK/build-$name.log" 2>&1; then
    tail -40 "$WORK/build-$name.log" >&2
    fail "docker build of gomicro/$name failed"
  fi
  note "built gomicro/$name:$TAG in $((SECONDS - since))s"
done

# load_images IMAGE...: into every node of the cluster, so that nothing is pulled from a registry.
load_images() {
  if [ "$driver" = kind ]; then
    kind load docker-image --name "$cluster" "$@"
  else
    local image
    for image in "$@"; do minikube -p "$cluster" image load "$image"; done
  fi
}

# ---- 4. load -----------------------------------------------------------------------------
step "load the images into the cluster"
read -r -a image_list <<<"$IMAGES"
load_images "${image_list[@]}"

# ---- 5. operator -------------------------------------------------------------------------
step "install charts/gomicro-operator (release $OPERATOR_RELEASE in $OPERATOR_NS)"
if [ "$crd_existed" = 1 ]; then
  note "the CRD exists already: applying this repository's (helm never upgrades crds/)"
  kc apply --server-side --force-conflicts -f charts/gomicro-operator/crds/ >/dev/null
fi
hm install "$OPERATOR_RELEASE" charts/gomicro-operator -n "$OPERATOR_NS" --create-namespace \
  --set image.repository=gomicro/operator --set image.tag="$TAG" --set image.pullPolicy=IfNotPresent \
  --wait --timeout 5m
kc -n "$OPERATOR_NS" rollout status "deployment/$OPERATOR_RELEASE" --timeout=300s
wait_for "the CRD $CRD is Established" 60 kc wait crd "$CRD" --for=condition=Established --timeout=5s
lease_held() { [ -n "$(kc -n "$OPERATOR_NS" get lease gomicro-operator -o jsonpath='{.spec.holderIdentity}')" ]; }
wait_for "an operator pod holds the leader Lease" 120 lease_held
note "leader: $(kc -n "$OPERATOR_NS" get lease gomicro-operator -o jsonpath='{.spec.holderIdentity}')"

# ---- 6. shop -----------------------------------------------------------------------------
step "install charts/gomicro (shop $SHOP, dataRetention Retain) and wait for Ready"
hm install "$SHOP" charts/gomicro -n "$SHOP_NS" --create-namespace -f tests/e2e/values-small.yaml \
  --set spec.imageRegistry=gomicro --set spec.version="$TAG" --set spec.imagePullPolicy=IfNotPresent \
  --set spec.seedSampleData=true --set spec.dataRetention=Retain
wait_shop_ready "$SHOP" 900
for s in $SERVICES; do
  image=$(kc -n "$SHOP_NS" get deployment "$SHOP-$s" -o jsonpath='{.spec.template.spec.containers[0].image}')
  [ "$image" = "gomicro/$s:$TAG" ] || fail "$SHOP-$s runs $image, not gomicro/$s:$TAG"
done
note "the four services run the images just built"

# ---- 7. buy ------------------------------------------------------------------------------
step "buy through the gateway ($SHOP-gateway:8085)"
start_forward
admin_email=$(kc -n "$SHOP_NS" get secret "$SHOP-admin" -o jsonpath='{.data.email}' | base64 -d)
admin_password=$(kc -n "$SHOP_NS" get secret "$SHOP-admin" -o jsonpath='{.data.password}' | base64 -d)
if [ -z "$admin_email" ] || [ -z "$admin_password" ]; then fail "Secret $SHOP-admin has no email or password"; fi
email="e2e-$(date +%s)-$RANDOM@example.com"
password="e2e-pass-$RANDOM$RANDOM"
call 200 POST /users "${JSON[@]}" -d "$(jq -nc --arg e "$email" --arg p "$password" '{email: $e, password: $p, displayName: "E2E Buyer"}')" \
  | jq -e --arg e "$email" '.email == $e and (.roles | index("customer"))' >/dev/null || fail "the registration did not answer the new customer"
note "registered $email"
buyer=$(login "$email" "$password")
admin=$(login "$admin_email" "$admin_password")
note "logged in as $email and as the bootstrap admin $admin_email"
product=$(call 200 POST /products "${JSON[@]}" -H "$(bearer "$admin")" \
  -d '{"name":"E2E Espresso Cup","description":"made by tests/e2e/kind.sh","category":"e2e","price":{"amountCents":1200,"currency":"EUR"},"stock":5}' \
  | jq -er '.id')
product_stock "$product" 5 >/dev/null || fail "the new product $product does not have 5 in stock"
note "the admin created product $product with 5 in stock"
call 200 POST /basket "${JSON[@]}" -H "$(bearer "$buyer")" -d "$(jq -nc --arg id "$product" '{productId: $id, quantity: 2}')" \
  | jq -e --arg id "$product" 'any(.lines[]; .productId == $id and .quantity == 2)' >/dev/null || fail "the basket does not hold 2 of $product"
note "2 in the basket"
key="e2e-$(date +%s)-$RANDOM$RANDOM"
payment=$(call 200 POST /payments "${JSON[@]}" -H "$(bearer "$buyer")" -H "Idempotency-Key: $key" -d '{"paymentMethod":"tok_visa"}')
jq -e '.status == "PAYMENT_STATUS_SUCCEEDED" and (.amount.amountCents | tonumber) == 2400 and .amount.currency == "EUR"' <<<"$payment" >/dev/null \
  || fail "the payment did not succeed for 24.00 EUR: $payment"
payment_id=$(jq -er '.id' <<<"$payment")
note "paid: payment $payment_id SUCCEEDED, 24.00 EUR (tok_visa)"
replay=$(call 200 POST /payments "${JSON[@]}" -H "$(bearer "$buyer")" -H "Idempotency-Key: $key" -d '{"paymentMethod":"tok_visa"}' | jq -er '.id')
[ "$replay" = "$payment_id" ] || fail "the same Idempotency-Key answered another payment ($replay, not $payment_id)"
note "the same Idempotency-Key answers the same payment"
wait_for "the stock of $product is down to 3" 60 product_stock "$product" 3
wait_for "the basket is empty (PaymentSucceeded reached basket over RabbitMQ)" 120 basket_empty "$buyer"
call 200 GET /payments -H "$(bearer "$buyer")" | jq -e --arg id "$payment_id" 'any(.payments[]; .id == $id)' >/dev/null \
  || fail "GET /payments does not list $payment_id"
note "GET /payments lists it"
stop_forward

# ---- 8. drift ----------------------------------------------------------------------------
step "drift: scale $SHOP-users to 3, delete Service $SHOP-products; the operator puts them back"
kc -n "$SHOP_NS" scale deployment "$SHOP-users" --replicas=3 >/dev/null
note "scaled $SHOP-users to 3"
wait_for "the operator scales $SHOP-users back to 1" 120 jq_true '.spec.replicas == 1' deployment "$SHOP-users"
old_uid=$(kc -n "$SHOP_NS" get service "$SHOP-products" -o jsonpath='{.metadata.uid}')
kc -n "$SHOP_NS" delete service "$SHOP-products" --wait=true --timeout=60s >/dev/null
note "deleted Service $SHOP-products ($old_uid)"
recreated() { local uid; uid=$(kc -n "$SHOP_NS" get service "$SHOP-products" -o jsonpath='{.metadata.uid}') && [ -n "$uid" ] && [ "$uid" != "$old_uid" ]; }
wait_for "the operator creates Service $SHOP-products again" 120 recreated
wait_shop_ready "$SHOP" 300

# ---- 9. upgrade --------------------------------------------------------------------------
step "upgrade: every service to :$TAG2 (re-tagged), products to 2 replicas"
upgraded=""
for s in $SERVICES; do
  docker tag "gomicro/$s:$TAG" "gomicro/$s:$TAG2"
  upgraded="$upgraded gomicro/$s:$TAG2"
done
read -r -a image_list <<<"$upgraded"
load_images "${image_list[@]}"
generation=$(json gms "$SHOP" | jq -r '.metadata.generation')
hm upgrade "$SHOP" charts/gomicro -n "$SHOP_NS" --reuse-values --set spec.version="$TAG2" --set spec.services.products.replicas=2
[ "$(json gms "$SHOP" | jq -r '.metadata.generation')" -gt "$generation" ] \
  || fail "helm upgrade did not change the shop's spec (generation still $generation)"
wait_shop_ready "$SHOP" 600
for s in $SERVICES; do
  image=$(kc -n "$SHOP_NS" get deployment "$SHOP-$s" -o jsonpath='{.spec.template.spec.containers[0].image}')
  [ "$image" = "gomicro/$s:$TAG2" ] || fail "$SHOP-$s runs $image after the upgrade, not gomicro/$s:$TAG2"
  kc -n "$SHOP_NS" rollout status "deployment/$SHOP-$s" --timeout=60s >/dev/null || fail "$SHOP-$s has not rolled out"
done
jq_true '.spec.replicas == 2 and .status.readyReplicas == 2' deployment "$SHOP-products" || fail "$SHOP-products does not have 2 ready replicas"
note "the four services run :$TAG2; products has 2 ready replicas"
start_forward
call 200 GET /users/me -H "$(bearer "$buyer")" | jq -e --arg e "$email" '.email == $e' >/dev/null \
  || fail "GET /users/me with the token from before the upgrade"
buyer=$(login "$email" "$password")
product_stock "$product" 3 >/dev/null || fail "the stock of $product is not 3 after the upgrade"
call 200 GET "/payments/$payment_id" -H "$(bearer "$buyer")" | jq -e '.status == "PAYMENT_STATUS_SUCCEEDED"' >/dev/null \
  || fail "GET /payments/$payment_id after the upgrade"
note "after the upgrade: the old token is still accepted, the buyer logs in again, the stock and the payment are kept"
stop_forward

# ---- 10. retain --------------------------------------------------------------------------
step "uninstall shop $SHOP (dataRetention Retain): volumes and credentials stay"
sel="app.kubernetes.io/instance=$SHOP,$OURS"
[ "$(count pvc "$sel")" = 5 ] || fail "shop $SHOP should have 5 PersistentVolumeClaims, has $(count pvc "$sel")"
[ "$(count secrets "$sel")" = 8 ] || fail "shop $SHOP should have 8 Secrets, has $(count secrets "$sel")"
kc -n "$SHOP_NS" get pvc,secrets -l "$sel" -o json | jq -r '.items[] | .metadata.uid' | sort >"$WORK/kept-before"
json gms "$SHOP" | jq -e --arg f "$FINALIZER" '(.metadata.finalizers // []) | index($f) | not' >/dev/null || fail "a Retain shop should carry no $FINALIZER finalizer"
hm uninstall "$SHOP" -n "$SHOP_NS" --wait --timeout 5m
wait_for "GoMicroShop $SHOP is gone" 120 gone gms "$SHOP"
wait_for "its Deployments and StatefulSets are garbage-collected" 300 none_left deploy,sts "app.kubernetes.io/instance=$SHOP"
wait_for "its pods are gone" 300 none_left pods "app.kubernetes.io/instance=$SHOP"
kc -n "$SHOP_NS" get pvc,secrets -l "$sel" -o json | jq -r '.items[] | select(.metadata.deletionTimestamp | not) | .metadata.uid' | sort >"$WORK/kept-after"
cmp -s "$WORK/kept-before" "$WORK/kept-after" || fail "volumes or credentials of $SHOP went: $(kc -n "$SHOP_NS" get pvc,secrets -l "$sel" 2>&1)"
note "kept: 5 PersistentVolumeClaims and 7 Secrets of $SHOP, the same objects as before"

# ---- 11. delete: a second shop ------------------------------------------------------------
step "install shop $SCRATCH (dataRetention Delete, its stores only) and wait for Ready"
hm install "$SCRATCH" charts/gomicro -n "$SHOP_NS" -f tests/e2e/values-small.yaml \
  --set spec.imageRegistry=gomicro --set spec.version="$TAG" --set spec.imagePullPolicy=IfNotPresent \
  --set spec.seedSampleData=false --set spec.dataRetention=Delete \
  --set spec.services.users.replicas=0 --set spec.services.products.replicas=0 \
  --set spec.services.basket.replicas=0 --set spec.services.payments.replicas=0 --set spec.gateway.replicas=0
wait_shop_ready "$SCRATCH" 600
has_finalizer() { json gms "$1" | jq -e --arg f "$FINALIZER" '(.metadata.finalizers // []) | index($f)' >/dev/null; }
wait_for "GoMicroShop $SCRATCH carries the finalizer $FINALIZER" 60 has_finalizer "$SCRATCH"
scratch_sel="app.kubernetes.io/instance=$SCRATCH,$OURS"
[ "$(count pvc "$scratch_sel")" = 5 ] || fail "shop $SCRATCH should have 5 PersistentVolumeClaims, has $(count pvc "$scratch_sel")"
[ "$(count secrets "$scratch_sel")" = 8 ] || fail "shop $SCRATCH should have 8 Secrets, has $(count secrets "$scratch_sel")"
note "$SCRATCH has its 5 PersistentVolumeClaims and 7 Secrets"

# ---- 12. uninstall -----------------------------------------------------------------------
step "uninstall both releases, shop first: $SCRATCH's data goes, nothing is left Terminating"
hm uninstall "$SCRATCH" -n "$SHOP_NS" --wait --timeout 5m
wait_for "GoMicroShop $SCRATCH is gone (the operator finalized it)" 120 gone gms "$SCRATCH"
wait_for "the PersistentVolumeClaims of $SCRATCH are deleted" 300 none_left pvc "$scratch_sel"
wait_for "the Secrets of $SCRATCH are deleted" 120 none_left secrets "$scratch_sel"
[ -z "$(hm list -n "$SHOP_NS" -q)" ] || fail "releases left in $SHOP_NS: $(hm list -n "$SHOP_NS" -q)"
hm uninstall "$OPERATOR_RELEASE" -n "$OPERATOR_NS" --wait --timeout 5m
wait_for "the operator's Deployment is gone" 120 gone deployment "$OPERATOR_RELEASE" "$OPERATOR_NS"
# Every namespaced kind the API server lists (an aggregated API that is down only drops its own kinds).
kinds=$(kc api-resources --verbs=list --namespaced -o name 2>/dev/null | paste -sd, -) || true
[ -n "$kinds" ] || fail "kubectl api-resources listed no namespaced kinds"
terminating() {
  kc get "$kinds" -n "$1" --ignore-not-found -o json \
    | jq -r '.items[] | select(.metadata.deletionTimestamp) | "\(.kind)/\(.metadata.name) (finalizers: \(.metadata.finalizers // [] | join(", ")))"'
}
nothing_terminating() { local out; out=$(terminating "$SHOP_NS"; terminating "$OPERATOR_NS") && [ -z "$out" ]; }
wait_for "nothing in $SHOP_NS or $OPERATOR_NS is Terminating" 180 nothing_terminating
[ "$(count pvc "$sel")" = 5 ] || fail "the kept PersistentVolumeClaims of $SHOP went with the uninstall"
note "left on purpose: the 5 PersistentVolumeClaims and 7 Secrets of $SHOP (Retain); the namespaces go with the cleanup"
