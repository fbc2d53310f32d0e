#!/usr/bin/env bash
# The test command: installs what is missing, builds, starts a private MariaDB cluster (primary +
# two replicas with GTID replication) and runs every test, unit and integration, with CTest.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export BUILD_DIR=${BUILD_DIR:-$ROOT/build}

"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build.sh"

# A cluster of its own, apart from the one the run command uses, so both can run side by side.
export CLUSTER_DIR=${TEST_CLUSTER_DIR:-$BUILD_DIR/test-cluster}
export CLUSTER_PORT_BASE=${TEST_CLUSTER_PORT_BASE:-23306}
cleanup() { "$ROOT/scripts/cluster.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
"$ROOT/scripts/cluster.sh" start
eval "$("$ROOT/scripts/cluster.sh" env)"

cd "$BUILD_DIR"
ctest --output-on-failure --timeout 600 "$@"
