#!/usr/bin/env bash
# The deployment run for real, without a Kubernetes cluster: the images the manifests name are
# built here, and the dev overlay's pods run under Docker as the rendered YAML says.
#
#   scripts/containers.sh build   install what is missing, start a dockerd of its own if none
#                                 answers, make the Debian base image, build every image
#   scripts/containers.sh up      render k8s/overlays/dev and run its pods (scripts/containers/)
#   scripts/containers.sh test    the checks of tests/containers/ through the Service names
#   scripts/containers.sh down    remove every container, volume and network it made, and stop
#                                 the dockerd it started (its image cache stays)
#   scripts/containers.sh status  the pods and their readiness
#   scripts/containers.sh images  every image but the proxy's (the test command runs this while
#                                 the project compiles)
#
# Environment: CONTAINERS_STATE (build/containers: dockerd's data, the base file system, the
# pods' files), CONTAINERS_OVERLAY (k8s/overlays/dev), DOCKER_HOST (a Docker engine to use
# instead of starting one), PROXY_BINARIES: `prebuilt` (the default) puts the binaries of
# $BUILD_DIR (build/, built first when missing) in the proxy image; `build` compiles them in
# the Dockerfile's own build stage, as `docker build .` does (13 minutes on 2 cores).
# Traffic stays on an --internal Docker network and loopback.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${CONTAINERS_STATE:-$ROOT/build/containers}
OVERLAY=${CONTAINERS_OVERLAY:-$ROOT/k8s/overlays/dev}
PY=/usr/bin/python3
# Debian's docker client, the same version as its engine.
export PATH=/usr/bin:/usr/sbin:$PATH
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)

step() { printf '== containers: %s (%s)\n' "$*" "$(date +%T)"; }
elapsed() { printf '== containers: %s took %d s\n' "$1" $((SECONDS - $2)); }

install_missing() { "$ROOT/scripts/setup.sh" >/dev/null; }

# A dockerd of our own unless DOCKER_HOST (or the default socket) answers.
ensure_engine() {
  if [[ -n ${DOCKER_HOST:-} ]] && docker info >/dev/null 2>&1; then return; fi
  export DOCKER_HOST=unix://$STATE/docker.sock
  docker info >/dev/null 2>&1 && return
  step "starting dockerd (data in $STATE/docker)"
  (dockerd --data-root "$STATE/docker" --exec-root "$STATE/exec" -H "$DOCKER_HOST" \
    --pidfile "$STATE/dockerd.pid" >"$STATE/dockerd.log" 2>&1 &)
  local i
  for ((i = 0; i < 60; i++)); do
    docker info >/dev/null 2>&1 && return
    sleep 1
  done
  echo "containers: dockerd did not start; see $STATE/dockerd.log" >&2
  exit 1
}

# The apt sources this machine uses: the base image installs from the same mirror.
host_mirror() {
  local uri
  uri=$(grep -hs -m1 -E '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' || true)
  [[ -n $uri ]] || uri=$(grep -hs -m1 -E '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

base_image() {
  docker image inspect debian:bookworm >/dev/null 2>&1 && return
  local start=$SECONDS rootfs=$STATE/rootfs
  step "debootstrap bookworm (minbase) into $rootfs"
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$(host_mirror)" >"$STATE/debootstrap.log" 2>&1 ||
    { tail -20 "$STATE/debootstrap.log" >&2; exit 1; }
  # The host's suites (updates, security): packages in the images match the host's.
  rm -f "$rootfs/etc/apt/sources.list"
  cp /etc/apt/sources.list.d/*.sources "$rootfs/etc/apt/sources.list.d/" 2>/dev/null ||
    cp /etc/apt/sources.list "$rootfs/etc/apt/sources.list"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - debian:bookworm >/dev/null
  docker tag debian:bookworm debian:bookworm-slim
  rm -rf "$rootfs"
  elapsed "base image" "$start"
}

build_image() {
  local tag=$1 context=$2 file=${3:-$2/Dockerfile} start=$SECONDS
  step "image $tag"
  DOCKER_BUILDKIT=1 docker build -q -t "$tag" -f "$file" "${@:4}" "$context" >"$STATE/build-${tag//[\/:]/_}.log" 2>&1 ||
    { tail -30 "$STATE/build-${tag//[\/:]/_}.log" >&2; exit 1; }
  elapsed "image $tag" "$start"
}

# The proxy image from the root Dockerfile: its runtime stage always; the binaries from the
# test build (PROXY_BINARIES=prebuilt) or its own compile stage (build).
proxy_image() {
  local from=${PROXY_BINARIES:-prebuilt}
  if [[ $from == build ]]; then
    build_image mysql-proxy "$ROOT" "$ROOT/Dockerfile" --build-arg PROXY_BINARIES=build
    return
  fi
  local build_dir=${BUILD_DIR:-$ROOT/build} context=$STATE/proxy-context
  if [[ ! -x $build_dir/proxy/mysql-proxy || ! -x $build_dir/proxy/mysql-proxy-epoll ]]; then
    step "building mysql-proxy in $build_dir"
    "$ROOT/scripts/setup.sh"
    BUILD_DIR=$build_dir BUILD_TARGETS="mysql-proxy mysql-proxy-epoll" "$ROOT/scripts/build.sh"
  fi
  rm -rf "$context"
  mkdir -p "$context/build/proxy"
  strip -o "$context/build/proxy/mysql-proxy" "$build_dir/proxy/mysql-proxy"
  strip -o "$context/build/proxy/mysql-proxy-epoll" "$build_dir/proxy/mysql-proxy-epoll"
  build_image mysql-proxy "$context" "$ROOT/Dockerfile" --build-arg PROXY_BINARIES=prebuilt
}

# Every image but the proxy's: they need no build of the project, so the test command makes them
# while the project compiles.
images() {
  install_missing
  ensure_engine
  base_image
  local images=$ROOT/scripts/containers/images
  # Stand-ins for the public images the manifests and Dockerfiles name (no registry here).
  build_image mariadb:10.11 "$images/mariadb"
  build_image python:3.11-slim "$images/python"
  build_image nginx:1.25-alpine "$images/nginx"
  # The project's own images, from their Dockerfiles.
  build_image mysql-proxy/vew-demo "$ROOT/k8s/apps" "$ROOT/k8s/apps/vew/Dockerfile"
  build_image mysql-proxy/bucket-demo "$ROOT/k8s/apps" "$ROOT/k8s/apps/bucket/Dockerfile"
  build_image mysql-proxy/front-demo "$ROOT/k8s/apps/front"
  build_image mysql-proxy/container-tester "$images/tester"
}

build() {
  images
  proxy_image
}

# Stops the dockerd this script started (its images stay in $STATE/docker for the next build).
stop_engine() {
  [[ -f $STATE/dockerd.pid ]] || return 0
  local pid
  pid=$(<"$STATE/dockerd.pid")
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  rm -f "$STATE/dockerd.pid"
}

render() {
  kubectl kustomize "$OVERLAY" >"$STATE/render.in.yaml"
  echo "$STATE/render.in.yaml"
}

case ${1:-} in
  build)
    start=$SECONDS
    build
    elapsed build "$start"
    ;;
  images)
    start=$SECONDS
    images
    elapsed images "$start"
    ;;
  up)
    start=$SECONDS
    install_missing
    ensure_engine
    "$PY" "$ROOT/scripts/containers/kube_run.py" "$STATE/run" up "$(render)"
    elapsed up "$start"
    ;;
  test)
    start=$SECONDS
    ensure_engine
    "$PY" "$ROOT/tests/containers/run_checks.py" --state "$STATE/run" --artifacts "$STATE/artifacts"
    elapsed test "$start"
    ;;
  status)
    ensure_engine
    "$PY" "$ROOT/scripts/containers/kube_run.py" "$STATE/run" status
    ;;
  down)
    ensure_engine
    "$PY" "$ROOT/scripts/containers/kube_run.py" "$STATE/run" down
    if [[ ${DOCKER_HOST:-} == "unix://$STATE/docker.sock" ]]; then stop_engine; fi
    ;;
  *)
    sed -n '2,16p' "$0" >&2
    exit 2
    ;;
esac
