#!/usr/bin/env bash
# The test command: installs what is missing, builds, starts a private MariaDB cluster (primary +
# two replicas with GTID replication) and runs every test, unit and integration, with CTest; then
# the dev overlay's pods under Docker with their checks (scripts/containers.sh build, up, test,
# down), a bounded fuzz run (scripts/fuzz.sh) and the sanitizer build with the unit and
# integration tests again (scripts/sanitize.sh). Any step failing fails the command. Arguments go
# to the first ctest. TEST_SKIP_CONTAINERS=1 / TEST_SKIP_FUZZ=1 / TEST_SKIP_SANITIZE=1 leave those
# steps out (for a quicker local run).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export BUILD_DIR=${BUILD_DIR:-$ROOT/build}

# How long each step took, printed at the end (also when a step failed).
TIMES=()
step_start=$SECONDS
step_done() {
  local s=$((SECONDS - step_start))
  TIMES+=("$(printf '%-26s %3dm%02ds' "$1" $((s / 60)) $((s % 60)))")
  step_start=$SECONDS
}
cluster_up=0
containers_up=0
on_exit() {
  if ((cluster_up)); then "$ROOT/scripts/cluster.sh" stop >/dev/null 2>&1 || true; fi
  if [[ -n ${images_pid:-} ]] && kill -0 "$images_pid" 2>/dev/null; then kill "$images_pid" 2>/dev/null || true; fi
  if ((containers_up)); then "$ROOT/scripts/containers.sh" down >/dev/null 2>&1 || true; fi
  if ((${#TIMES[@]})); then
    echo "test: time per step"
    printf '  %s\n' "${TIMES[@]}"
  fi
}
trap on_exit EXIT

"$ROOT/scripts/setup.sh"
# The container run's images (all but the proxy's) build in the background while the project
# compiles: mostly downloads from the apt mirror.
mkdir -p "$BUILD_DIR"
export CONTAINERS_STATE=${CONTAINERS_STATE:-$BUILD_DIR/containers}
images_pid=""
if [[ ${TEST_SKIP_CONTAINERS:-0} != 1 ]]; then
  "$ROOT/scripts/containers.sh" images >"$BUILD_DIR/containers-images.log" 2>&1 &
  images_pid=$!
  containers_up=1  # the engine it starts is stopped on the way out
fi
"$ROOT/scripts/build.sh"
step_done "setup + build"

# A cluster of its own, apart from the one the run command uses, so both can run side by side.
export CLUSTER_DIR=${TEST_CLUSTER_DIR:-$BUILD_DIR/test-cluster}
export CLUSTER_PORT_BASE=${TEST_CLUSTER_PORT_BASE:-23306}
cluster_up=1
"$ROOT/scripts/cluster.sh" start
eval "$("$ROOT/scripts/cluster.sh" env)"

(cd "$BUILD_DIR" && ctest --output-on-failure --timeout 600 "$@")
"$ROOT/scripts/cluster.sh" stop >/dev/null 2>&1 || true
cluster_up=0
step_done "tests"

# The dev overlay's pods under Docker, faults included (scripts/containers.sh, docs/containers.md).
if [[ -n $images_pid ]]; then
  wait "$images_pid" || { cat "$BUILD_DIR/containers-images.log"; exit 1; }
  cat "$BUILD_DIR/containers-images.log"
  "$ROOT/scripts/containers.sh" build
  "$ROOT/scripts/containers.sh" up
  "$ROOT/scripts/containers.sh" test
  "$ROOT/scripts/containers.sh" down
  containers_up=0
  step_done "containers (up + test)"
fi

if [[ ${TEST_SKIP_FUZZ:-0} != 1 ]]; then
  "$ROOT/scripts/fuzz.sh"
  step_done "fuzz (build + run)"
fi
if [[ ${TEST_SKIP_SANITIZE:-0} != 1 ]]; then
  "$ROOT/scripts/sanitize.sh"
  step_done "sanitizer (build + tests)"
fi
