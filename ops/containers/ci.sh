#!/usr/bin/env bash
# The container steps of CI (called by .ci/run after `./mvnw verify`; runnable by hand as root):
#   1. a Docker engine of our own: Debian's docker.io, dockerd on a PRIVATE socket
#      (unix:///run/lapse-docker.sock, data under /var/lib/lapse-docker), host networking only
#      (--bridge=none, no iptables). /var/run/docker.sock is never created, so no other test,
#      Testcontainers' auto-detection included, finds this engine (docs/decisions/0022);
#   2. images from Debian's packages and Maven's jars, nothing pulled: a debootstrapped bookworm
#      base, a Java 17 runtime (apt), a Java 21+ runtime (a JDK of this machine), the Kafka
#      broker and Apicurio Registry (ops/containers/*.Dockerfile), the two services (Dockerfile);
#   3. broker-backed integration tests on a Testcontainers broker of that image
#      (LAPSE_TEST_KAFKA=container);
#   4. docker-compose.yml with those images, and the Twilio SDK walk-through against it.
# Then everything is stopped and the engine's data removed: nothing is cached between runs.
#
# Fail-soft only when no engine can be had on this machine (docker.io cannot be installed, or
# dockerd does not start): a loud warning and exit 0. Any failure once the engine answers fails CI.
#
# Ports of the compose stack: HTTP_PORT, LAPSE_KAFKA_PORT, LAPSE_REGISTRY_PORT,
# LAPSE_EXPIRY_HTTP_PORT, LAPSE_INTERNAL_PORT, LAPSE_KAFKA_CONTROLLER_PORT (defaults those of
# ./lapse up).
# LAPSE_CONTAINER_ITS: the Maven arguments of step 3 (default below); "skip" skips it.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)

SOCKET=/run/lapse-docker.sock
export DOCKER_HOST="unix://$SOCKET"
DATA_ROOT=/var/lib/lapse-docker
EXEC_ROOT=/run/lapse-docker
PIDFILE=/run/lapse-docker.pid
WORK=$(mktemp -d /tmp/lapse-containers.XXXXXX)
DOCKER=/usr/bin/docker # Debian's client, which matches its engine (another may be on PATH)
export DOCKER_BUILDKIT=1
PROJECT=lapse-ci
KAFKA_IMAGE=lapse/kafka:4.4.0
REGISTRY_IMAGE=lapse/schema-registry:3.3.3

say() { echo "containers: $*"; }
warn_loud() {
  {
    echo "############################################################################"
    echo "# WARNING: $*"
    echo "# The container steps (images, compose stack, Testcontainers ITs) were SKIPPED."
    echo "############################################################################"
  } >&2
}

# --- timing -----------------------------------------------------------------------------------
declare -a STEP_NAMES=() STEP_SECONDS=()
T_ALL=$(date +%s.%N)
since() { awk -v now="$(date +%s.%N)" -v t0="$1" 'BEGIN { printf "%.1f", now - t0 }'; }
step() { # step NAME COMMAND...: runs the command, records its wall time
  local name=$1
  shift
  local t0
  t0=$(date +%s.%N)
  say "== $name"
  "$@"
  STEP_NAMES+=("$name")
  STEP_SECONDS+=("$(since "$t0")")
}
print_times() {
  echo "containers: wall time of each step (s):"
  local i
  for i in "${!STEP_NAMES[@]}"; do
    printf '  %-44s %7.1f\n' "${STEP_NAMES[$i]}" "${STEP_SECONDS[$i]}"
  done
  printf '  %-44s %7.1f\n' "all container steps" "$(since "$T_ALL")"
}

# --- cleanup: everything this script started ---------------------------------------------------
compose() {
  docker-compose -p "$PROJECT" -f "$ROOT/docker-compose.yml" --env-file "$WORK/compose.env" "$@"
}
ENGINE_STARTED=0
cleanup() {
  local rc=$?
  set +e
  if [[ $ENGINE_STARTED == 1 ]]; then
    if [[ -f "$WORK/compose.env" ]]; then
      [[ $rc != 0 ]] && compose logs --no-color --tail=60 > "$WORK/compose.log" 2>&1 \
        && { echo "containers: last lines of the stack's logs:"; cat "$WORK/compose.log"; }
      compose down -v --remove-orphans >/dev/null 2>&1
    fi
    local ids
    ids=$($DOCKER ps -aq 2>/dev/null)
    [[ -n "$ids" ]] && $DOCKER rm -f $ids >/dev/null 2>&1
    stop_engine
    # The engine leaves its default network namespace mounted under its exec root.
    local ns
    for ns in $(awk -v r="$EXEC_ROOT/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
      umount -l "$ns"
    done
    rm -rf --one-file-system "$DATA_ROOT" "$EXEC_ROOT"
  fi
  # debootstrap mounts proc (and sys) in its root while it runs: unmount whatever is left under
  # $WORK, and never let rm cross into a mount.
  local mnt
  for mnt in $(awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$mnt"
  done
  rm -rf --one-file-system "$WORK"
  print_times
  exit $rc
}
trap cleanup EXIT

stop_engine() {
  local pid
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  [[ -z "$pid" ]] && return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { say "engine stopped"; return 0; }
    sleep 0.5
  done
  say "engine did not stop in 30 s; killing it"
  kill -9 "$pid" 2>/dev/null
}

# --- 1. the engine ----------------------------------------------------------------------------
install_tools() {
  local missing=()
  [[ -x /usr/sbin/dockerd && -x $DOCKER ]] || missing+=(docker.io)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  [[ ${#missing[@]} == 0 ]] && return 0
  say "installing ${missing[*]} from Debian"
  # policy-rc.d keeps the package from starting a dockerd on the usual socket.
  local policy_added=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  local ok=0
  { apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null \
      && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q \
        --no-install-recommends "${missing[@]}" >/dev/null; } || ok=1
  [[ $policy_added == 1 ]] && rm -f /usr/sbin/policy-rc.d
  return $ok
}

start_engine() {
  mkdir -p "$EXEC_ROOT"
  rm -rf "$DATA_ROOT" # a fresh engine: no image of an earlier run may hide a broken build
  # --bridge=none, --iptables=false: no docker0, no NAT rules on the machine; every container
  # runs with --network host and binds 127.0.0.1 itself.
  setsid /usr/sbin/dockerd --host="$DOCKER_HOST" --data-root="$DATA_ROOT" \
    --exec-root="$EXEC_ROOT" --pidfile="$PIDFILE" --bridge=none --iptables=false \
    --ip6tables=false --ip-masq=false --log-level=warn > "$WORK/dockerd.log" 2>&1 < /dev/null &
  ENGINE_STARTED=1
  for _ in $(seq 1 60); do
    if $DOCKER version >/dev/null 2>&1; then
      say "engine up on $DOCKER_HOST ($($DOCKER version --format '{{.Server.Version}}'))"
      return 0
    fi
    sleep 0.5
  done
  return 1
}

if ! [[ $(id -u) == 0 ]]; then
  warn_loud "not root: cannot start a Docker engine here"
  exit 0
fi
t0=$(date +%s.%N)
if ! install_tools; then
  warn_loud "could not install docker.io/docker-compose/debootstrap from Debian"
  exit 0
fi
if ! start_engine; then
  tail -20 "$WORK/dockerd.log" >&2 || true
  warn_loud "dockerd did not start on this machine (log above)"
  exit 0
fi
STEP_NAMES+=("engine (install if absent, start)")
STEP_SECONDS+=("$(since "$t0")")
# From here on every failure fails CI.

# --- 2. images --------------------------------------------------------------------------------
base_image() {
  local rootfs="$WORK/rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian \
    > "$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log"; return 1; }
  tar -C "$rootfs" -c . | $DOCKER import -c 'CMD ["/bin/bash"]' - lapse/debian:bookworm >/dev/null
  rm -rf --one-file-system "$rootfs"
}

build() { # build TAG DOCKERFILE CONTEXT [build args...]
  local tag=$1 file=$2 context=$3
  shift 3
  $DOCKER build -q --network host -f "$file" -t "$tag" "$@" "$context" >/dev/null
  say "built $tag"
}

jre17_image() {
  build lapse/jre:17 ops/containers/jre-apt.Dockerfile ops/containers
}

# Apicurio Registry 3.3 needs Java 21+, which bookworm does not package: copy this machine's.
jre21_image() {
  local jdk="" d feature
  for d in ${LAPSE_REGISTRY_JAVA_HOME:-} /usr/lib/jvm/*; do
    [[ -x "$d/bin/java" ]] || continue
    feature=$("$d/bin/java" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.specification.version = //p')
    if [[ -n "$feature" && $feature -ge 21 ]]; then jdk=$d; break; fi
  done
  [[ -n "$jdk" ]] || { echo "no JDK 21+ under /usr/lib/jvm for the registry image" >&2; return 1; }
  local ctx="$WORK/jre21"
  mkdir -p "$ctx/jdk"
  for part in bin conf legal lib release; do
    [[ -e "$jdk/$part" ]] && cp -a "$jdk/$part" "$ctx/jdk/"
  done
  rm -f "$ctx/jdk/lib/src.zip"
  cp ops/containers/jre-copy.Dockerfile "$ctx/Dockerfile"
  build lapse/jre:21plus "$ctx/Dockerfile" "$ctx"
  rm -rf "$ctx"
}

maven_inputs() {
  # Kafka's jars and the registry tarball (versions of the parent POM), and the services' jars
  # with their runtime dependencies (already compiled by the verify before this script).
  ./mvnw -q -B -ntp -f ops/containers/pom.xml package
  ./mvnw -q -B -ntp -DskipTests -Dspotless.check.skip=true \
    -pl expiry-processor,challenge-service,launcher -am package \
    dependency:copy-dependencies -DincludeScope=runtime -DexcludeTypes=tar.gz \
    -DoutputDirectory=target/runtime-lib
  local m
  for m in expiry-processor challenge-service; do
    rm -rf "ops/containers/target/services/$m"
    mkdir -p "ops/containers/target/services/$m/lib"
    cp "$m"/target/runtime-lib/*.jar "$m"/target/lapse-"$m"-*.jar "ops/containers/target/services/$m/lib/"
  done
}

service_images() {
  build "$KAFKA_IMAGE" ops/containers/kafka.Dockerfile ops/containers \
    --build-arg RUNTIME_IMAGE=lapse/jre:17
  build "$REGISTRY_IMAGE" ops/containers/registry.Dockerfile ops/containers \
    --build-arg RUNTIME_IMAGE=lapse/jre:21plus
  local m
  for m in expiry-processor challenge-service; do
    build "lapse/$m:ci" Dockerfile . --target "$m" \
      --build-arg RUNTIME_IMAGE=lapse/jre:17 --build-arg LIBS=prebuilt
  done
}

# --- 3. Testcontainers ------------------------------------------------------------------------
container_its() {
  # The broker-backed ITs of schemas (topics, registry round trips, contract registration) and
  # the test kit's broker checks (transactions, read_committed): small, and through the shared
  # broker that LAPSE_TEST_KAFKA chooses.
  local args=${LAPSE_CONTAINER_ITS:-"-pl schemas,testkit -am verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=TopicProvisionerIT,RegistryRoundTripIT,ContractRegistrationIT,KafkaBrokerIT -Dfailsafe.failIfNoSpecifiedTests=false"}
  [[ $args == skip ]] && { say "LAPSE_CONTAINER_ITS=skip"; return 0; }
  # shellcheck disable=SC2086
  # TESTCONTAINERS_HOST_OVERRIDE: inside a container (as CI may be), Testcontainers otherwise asks
  # the engine for its bridge network's gateway, which this engine does not have.
  LAPSE_TEST_KAFKA=container LAPSE_TEST_KAFKA_IMAGE="$KAFKA_IMAGE" \
    TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 \
    ./mvnw -B -ntp -Dspotless.check.skip=true $args 2>&1 | tee "$WORK/its.log" \
    | grep -E 'Tests run:|BUILD|ERROR|container \(|in-process' || true
  grep -q 'BUILD SUCCESS' "$WORK/its.log" || { say "the container ITs failed"; return 1; }
  # The switch must have been honoured: a container broker, never the in-process fallback.
  grep -q "starting Kafka in a container ($KAFKA_IMAGE)" "$WORK/its.log" \
    || { say "no test ran on a container broker"; return 1; }
}

# --- 4. compose and the walk-through ----------------------------------------------------------
compose_up() {
  rand_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
  rand_b64() { head -c "$1" /dev/urandom | base64 -w0; }
  ( umask 077
    cat > "$WORK/compose.env" <<EOF
LAPSE_ACCOUNT_SID=AC$(rand_hex 16)
LAPSE_AUTH_TOKEN=$(rand_hex 16)
LAPSE_SECRET_KEY=$(rand_b64 32)
LAPSE_CLUSTER_KEY=$(rand_b64 32)
LAPSE_RESPONSE_MAC_KEYS=k1:$(rand_b64 32)
KAFKA_ADMIN_PASSWORD=$(rand_hex 24)
KAFKA_SERVICE_PASSWORD=$(rand_hex 24)
KAFKA_PROCESSOR_PASSWORD=$(rand_hex 24)
LAPSE_KAFKA_IMAGE=$KAFKA_IMAGE
LAPSE_REGISTRY_IMAGE=$REGISTRY_IMAGE
LAPSE_IMAGE_TAG=ci
EOF
  )
  # Refuses to start without its secrets: checked before the real start.
  if docker-compose -p "$PROJECT" -f docker-compose.yml --env-file /dev/null config -q \
      >/dev/null 2>&1; then
    say "docker-compose.yml accepted an empty environment (default credentials?)"
    return 1
  fi
  compose up -d --no-build
  local api="http://127.0.0.1:${HTTP_PORT:-8080}"
  # The processor answers on its port only after its warm-up (decision 0019), which can end after
  # the challenge service is up: the port check below once ran in that gap and failed CI.
  local processor="http://127.0.0.1:${LAPSE_EXPIRY_HTTP_PORT:-8091}"
  local service_up=""
  for _ in $(seq 1 240); do
    if [[ -z "$service_up" ]] && curl -sf "$api/health" >/dev/null 2>&1; then
      service_up=1
      say "challenge service up at $api"
    fi
    if [[ -n "$service_up" ]] && curl -sf "$processor/health" >/dev/null 2>&1; then
      say "expiry processor up at $processor"
      return 0
    fi
    sleep 1
  done
  say "the challenge service and the expiry processor were not both healthy in 240 s"
  compose ps
  return 1
}

# Every port of the stack listens on loopback only, and Kafka refuses a wrong login.
exposure() {
  local port listeners
  command -v ss >/dev/null || { apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null \
    && apt-get -o DPkg::Lock::Timeout=600 install -y -q iproute2 >/dev/null; } || true
  if command -v ss >/dev/null; then
    for port in "${HTTP_PORT:-8080}" "${LAPSE_KAFKA_PORT:-9092}" "${LAPSE_REGISTRY_PORT:-8081}" \
        "${LAPSE_EXPIRY_HTTP_PORT:-8091}" "${LAPSE_KAFKA_CONTROLLER_PORT:-9093}" \
        "${LAPSE_INTERNAL_PORT:-8082}"; do
      listeners=$(ss -Hltn "sport = :$port" | awk '{print $4}')
      [[ -n "$listeners" ]] || { say "nothing listens on port $port"; return 1; }
      if grep -v -E '^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):' <<< "$listeners"; then
        say "port $port listens beyond loopback"
        return 1
      fi
    done
    say "every port of the stack is bound to 127.0.0.1 only"
  else
    say "WARNING: no ss (iproute2) here: the ports' addresses were not checked"
  fi
  # A login with a wrong password must be refused (fast, unlike an anonymous client, which the
  # SASL listener just disconnects until the tool's own timeout).
  if $DOCKER run --rm --network host --entrypoint /bin/bash "$KAFKA_IMAGE" -c "
      printf '%s\n' security.protocol=SASL_PLAINTEXT sasl.mechanism=PLAIN \
        'sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"admin\" password=\"not-the-password\";' \
        > /tmp/wrong.properties
      exec timeout 90 /opt/kafka/bin/kafka-topics.sh --list \
        --bootstrap-server 127.0.0.1:${LAPSE_KAFKA_PORT:-9092} --command-config /tmp/wrong.properties" \
      > "$WORK/wrong-login.txt" 2>&1; then
    say "Kafka listed its topics for a wrong password"
    return 1
  fi
  grep -q -i 'authentication failed' "$WORK/wrong-login.txt" \
    || { say "a wrong password failed, but not as an authentication failure:"; cat "$WORK/wrong-login.txt"; return 1; }
  say "Kafka refuses a wrong password"
}

walkthrough() {
  local api="http://127.0.0.1:${HTTP_PORT:-8080}" account token
  account=$(sed -n 's/^LAPSE_ACCOUNT_SID=//p' "$WORK/compose.env")
  token=$(sed -n 's/^LAPSE_AUTH_TOKEN=//p' "$WORK/compose.env")
  java -cp "launcher/target/lapse-launcher.jar:launcher/target/lib/*" \
    io.lapse.examples.SdkWalkthrough "$api" "$account" "$token" | tee "$WORK/walkthrough.txt"
  local expect
  for expect in 'factor status  verified' ' -> approved' 'ApiException code 60323, status 403' \
      ' -> expired'; do
    grep -qF -- "$expect" "$WORK/walkthrough.txt" \
      || { say "walk-through: expected \"$expect\""; return 1; }
  done
  say "walk-through passed against the compose stack"
}

compose_down() {
  compose down -v --remove-orphans
}

step "base image (debootstrap + import)" base_image
step "Java 17 runtime image (apt)" jre17_image
step "Java 21+ runtime image (this machine's JDK)" jre21_image
step "Maven: Kafka, registry and service jars" maven_inputs
step "broker, registry and service images" service_images
step "Testcontainers ITs (LAPSE_TEST_KAFKA=container)" container_its
step "compose up until healthy" compose_up
step "loopback only, wrong Kafka login refused" exposure
step "SDK walk-through against the stack" walkthrough
step "compose down" compose_down
