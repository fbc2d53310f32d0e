#!/usr/bin/env bash
# The demo stack end to end: its own mysql-proxy (admin API on) in front of the test cluster,
# scripts/demo-stack.sh on free ports, then both apps' test_app.py and the browser test through
# nginx. Everything it started is stopped on exit.
#
# usage: tests/integration/demo_stack_test.sh <path to mysql-proxy>
# Needs the cluster env (eval "$(scripts/cluster.sh env)") and the packages of scripts/setup.sh.
set -uo pipefail

PROXY_BIN=${1:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../../scripts/lib/proxy-config.sh
source "$ROOT/scripts/lib/proxy-config.sh"
PY=/usr/bin/python3
WORKDIR=$(mktemp -d /tmp/mysqlproxy-demo-XXXXXX)
export STATE=$WORKDIR/state
PROXY_PID=
PASSED=0
FAILED=0

cleanup() {
  local rc=$?
  "$ROOT/scripts/demo-stack.sh" stop >/dev/null 2>&1
  if [[ -n $PROXY_PID ]] && kill -0 "$PROXY_PID" 2>/dev/null; then
    kill -TERM "$PROXY_PID"
    for _ in $(seq 50); do kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PROXY_PID" 2>/dev/null
    wait "$PROXY_PID" 2>/dev/null
  fi
  if ((FAILED > 0 || rc != 0)); then
    local f
    for f in "$WORKDIR/proxy.log" "$STATE/vew.log" "$STATE/bucket.log" "$STATE/nginx/error.log"; do
      [[ -s $f ]] || continue
      echo "---- last lines of $f:" >&2
      tail -n 30 "$f" | sed 's/^/  | /' >&2
    done
  else
    rm -rf "$WORKDIR"
  fi
  exit "$rc"
}
trap cleanup EXIT

die() { echo "FAIL: $*" >&2; echo "$PASSED passed, $((FAILED + 1)) failed"; exit 1; }

for v in CLUSTER_DIR CLUSTER_PRIMARY_PORT CLUSTER_REPLICA1_PORT CLUSTER_REPLICA2_PORT; do
  [[ -n ${!v:-} ]] || die "$v is not set: run scripts/cluster.sh start and eval \$(scripts/cluster.sh env)"
done
[[ -n $PROXY_BIN && -x $PROXY_BIN ]] || die "proxy binary '$PROXY_BIN' missing or not executable"

# Five distinct free ports: proxy, admin API, nginx, vew, bucket.
read -r PROXY_PORT ADMIN_PORT DEMO_PORT VEW_PORT BUCKET_PORT < <("$PY" -c '
import socket
socks = [socket.socket() for _ in range(5)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
export PROXY_PORT ADMIN_PORT DEMO_PORT VEW_PORT BUCKET_PORT

{
  cluster_proxy_config "$PROXY_PORT" 2
  cat <<EOF
logging: { level: info, format: text }
admin: { address: 127.0.0.1, port: $ADMIN_PORT }
EOF
} >"$WORKDIR/proxy.yaml"
"$PROXY_BIN" --config "$WORKDIR/proxy.yaml" </dev/null >"$WORKDIR/proxy.log" 2>&1 &
PROXY_PID=$!

# Ready when the health monitor has seen the primary and both replicas up: only then do reads
# go to replicas, which the tests check.
"$PY" - "http://127.0.0.1:$ADMIN_PORT/api/v1/pool" <<'EOF' || die "proxy pool not all up within 20 s"
import json, sys, time, urllib.request
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    try:
        pool = json.load(urllib.request.urlopen(sys.argv[1], timeout=2))
        if len(pool["backends"]) == 3 and all(b["state"] == "up" for b in pool["backends"]):
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.2)
sys.exit(1)
EOF
echo "proxy pid $PROXY_PID on port $PROXY_PORT, admin on $ADMIN_PORT"

"$ROOT/scripts/demo-stack.sh" start || die "scripts/demo-stack.sh start failed"

export BASE_URL=http://127.0.0.1:$DEMO_PORT
export ARTIFACT_DIR=${ARTIFACT_DIR:-$ROOT/build/test-artifacts}
for suite in k8s/apps/vew/test_app.py k8s/apps/bucket/test_app.py tests/integration/browser_test.py; do
  echo "==== $suite (BASE_URL=$BASE_URL)"
  if "$PY" "$ROOT/$suite"; then
    PASSED=$((PASSED + 1)); echo "PASS: $suite"
  else
    FAILED=$((FAILED + 1)); echo "FAIL: $suite"
  fi
done
kill -0 "$PROXY_PID" 2>/dev/null || { FAILED=$((FAILED + 1)); echo "FAIL: the proxy exited during the tests"; }

echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
