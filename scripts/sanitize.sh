#!/usr/bin/env bash
# The sanitizer build: the whole project with GCC and -DMYSQLPROXY_SANITIZE=ON (AddressSanitizer,
# LeakSanitizer, UBSan) into a build directory of its own, then the unit tests and the integration
# tests against a private MariaDB cluster, with every sanitizer finding fatal. Reports of processes
# the tests start (mysql-proxy, mysql-proxy-epoll) are collected too: any report fails the run.
#
#   scripts/sanitize.sh [arguments for the ctest of the fuzz replays and integration tests]
#
# Environment: BUILD_DIR (the normal build; this one goes to $BUILD_DIR-sanitize unless
# SANITIZE_BUILD_DIR says otherwise), SANITIZE_CLUSTER_PORT_BASE (53306), JOBS.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
SAN_BUILD_DIR=${SANITIZE_BUILD_DIR:-$BUILD_DIR-sanitize}

"$ROOT/scripts/setup.sh"

# -O0 -g1: line tables for the reports; without optimisation the instrumented build compiles as
# fast as the normal one (UBSan's checks make -O1 cost 40% more). No benchmarks.
BUILD_DIR=$SAN_BUILD_DIR "$ROOT/scripts/build.sh" -DMYSQLPROXY_SANITIZE=ON -DMYSQLPROXY_BUILD_BENCH=OFF \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O0 -g1 -DNDEBUG"

# Every finding ends the process that made it, and leaves a report in REPORTS.
REPORTS=$SAN_BUILD_DIR/sanitizer-reports
rm -rf "$REPORTS"
mkdir -p "$REPORTS"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:log_path=$REPORTS/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$REPORTS/ubsan"

export CLUSTER_DIR=$SAN_BUILD_DIR/test-cluster
export CLUSTER_PORT_BASE=${SANITIZE_CLUSTER_PORT_BASE:-53306}
cleanup() { "$ROOT/scripts/cluster.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
"$ROOT/scripts/cluster.sh" start
eval "$("$ROOT/scripts/cluster.sh" env)"

status=0
cd "$SAN_BUILD_DIR"
# Unit tests: each suite in one process. (CTest runs one process per test, and 1600 processes
# under ASan take over ten minutes of start-up and leak checks on two cores.)
for suite in protocol_tests config_tests proxy_tests; do
  echo "sanitize: tests/$suite"
  "tests/$suite" --gtest_brief=1 || status=1
done

# The seed corpora of the fuzz targets, and the integration tests. Left out, and why:
#   integration.demo_stack  checks the demo apps (Flask, FastAPI) behind nginx and a page in
#                           headless Chromium: Python, nginx and Chromium are not instrumented,
#                           and what its proxy does the other integration tests already do
#   k8s.*                   render and validate the Kubernetes manifests with kubectl and npm;
#                           no code of the project runs but `mysql-proxy --check-config`, which
#                           the unit and integration tests already cover
# (bench.smoke does not exist here: the benchmarks are not built.)
ctest --output-on-failure --timeout 600 -R '^(fuzz|integration)\.' -E '^integration\.demo_stack$' "$@" ||
  status=1

if compgen -G "$REPORTS/*" >/dev/null; then
  echo "sanitize: sanitizer reports in $REPORTS:" >&2
  for f in "$REPORTS"/*; do
    echo "---- $f" >&2
    cat "$f" >&2
  done
  status=1
fi
if ((status != 0)); then
  echo "sanitize: FAILED" >&2
  exit "$status"
fi
echo "sanitize: unit and integration tests passed under ASan, LSan and UBSan"
