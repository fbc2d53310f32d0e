#!/usr/bin/env bash
# MariaDB extended result-set metadata through the proxy: the mariadb CLI (libmariadb) sees the
# same type information as against the primary, and a client that did not negotiate it still gets
# plain column definitions from a pooled connection that served one that did.
#
# usage: tests/integration/extended_metadata_test.sh <path to mysql-proxy>
# Needs the cluster env (eval "$(scripts/cluster.sh env)"). Starts its own proxy (one worker, so
# every session shares one pool) and stops it on exit. MYSQLPROXY_TEST_DIRECT=1 talks to the
# primary instead.
set -uo pipefail
# shellcheck source=../../scripts/lib/proxy-config.sh
source "$(dirname "$0")/../../scripts/lib/proxy-config.sh"

PROXY_BIN=${1:-}
RAW_CLIENT="/usr/bin/python3 $(dirname "$0")/extended_metadata_client.py"
QUERY="SELECT JSON_OBJECT('a',1) AS j, POINT(1,2) AS p"
PASSED=0
FAILED=0
WORKDIR=$(mktemp -d /tmp/mysqlproxy-extmeta-XXXXXX)
PROXY_PID=

pass() { PASSED=$((PASSED + 1)); echo "PASS: $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $1" >&2; }
check_eq() {
  if [[ "$2" == "$3" ]]; then pass "$1"; else
    fail "$1"; printf '  expected: %q\n  actual:   %q\n' "$2" "$3" >&2
  fi
}

cleanup() {
  local rc=$?
  if [[ -n $PROXY_PID ]] && kill -0 "$PROXY_PID" 2>/dev/null; then
    kill -TERM "$PROXY_PID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$PROXY_PID" 2>/dev/null && kill -KILL "$PROXY_PID" 2>/dev/null
    wait "$PROXY_PID" 2>/dev/null
  fi
  if ((FAILED > 0 || rc != 0)) && [[ -f $WORKDIR/proxy.log ]]; then
    echo "---- last lines of the proxy log ($WORKDIR/proxy.log):" >&2
    tail -n 40 "$WORKDIR/proxy.log" | sed 's/^/  | /' >&2
  else
    rm -rf "$WORKDIR"
  fi
  exit "$rc"
}
trap cleanup EXIT

for v in CLUSTER_PRIMARY_PORT CLUSTER_REPLICA1_PORT CLUSTER_REPLICA2_PORT; do
  if [[ -z ${!v:-} ]]; then
    echo "FAIL: $v is not set: run scripts/cluster.sh start and eval \$(scripts/cluster.sh env)" >&2
    exit 1
  fi
done

type_lines() {
  mariadb --protocol=TCP -h127.0.0.1 -P"$1" -uapp -papp-pass --column-type-info -t -e "$2" 2>&1 |
    grep -E '^(Field|Type:)'
}

if [[ ${MYSQLPROXY_TEST_DIRECT:-} == 1 ]]; then
  PORT=$CLUSTER_PRIMARY_PORT
  echo "direct mode: talking to the primary on port $PORT"
else
  if [[ -z $PROXY_BIN || ! -x $PROXY_BIN ]]; then
    echo "FAIL: proxy binary '$PROXY_BIN' missing or not executable (build the mysql-proxy target)" >&2
    exit 1
  fi
  PROXY_PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  {
    cluster_proxy_config "$PROXY_PORT" 1
    cat <<YAML
timeouts: { connect: 2s, handshake: 10s, idle: 0, query: 0 }
logging: { level: debug, format: text }
admin: { enabled: false }
YAML
  } >"$WORKDIR/proxy.yaml"
  "$PROXY_BIN" --config "$WORKDIR/proxy.yaml" </dev/null >"$WORKDIR/proxy.log" 2>&1 &
  PROXY_PID=$!
  PORT=
  for _ in $(seq 100); do
    kill -0 "$PROXY_PID" 2>/dev/null || { echo "FAIL: proxy exited before accepting connections" >&2; exit 1; }
    if (exec 3<>"/dev/tcp/127.0.0.1/$PROXY_PORT") 2>/dev/null; then PORT=$PROXY_PORT; break; fi
    sleep 0.1
  done
  [[ -n $PORT ]] || { echo "FAIL: proxy did not accept connections on port $PROXY_PORT within 10 s" >&2; exit 1; }
  echo "proxy pid $PROXY_PID on port $PORT"
fi

# 1. The CLI prints the same types as against the primary (a read: it goes to a replica).
expected=$(type_lines "$CLUSTER_PRIMARY_PORT" "$QUERY")
check_eq "the primary itself names json and point" \
  $'Field   1:  `j`\nType:       VAR_STRING (format=json)\nField   2:  `p`\nType:       GEOMETRY (type=point)' "$expected"
check_eq "mariadb --column-type-info through the proxy" "$expected" "$(type_lines "$PORT" "$QUERY")"
check_eq "the same on the primary (hint)" "$expected" "$(type_lines "$PORT" "SELECT /* route=primary */ JSON_OBJECT('a',1) AS j, POINT(1,2) AS p")"

# 2. The greeting offers extended metadata the MariaDB way (CLIENT_MYSQL clear); a client asking
#    for it gets the block.
HINTED="SELECT /* route=primary */ JSON_OBJECT('a',1) AS j, POINT(1,2) AS p"
out=$($RAW_CLIENT "$PORT" extended "$HINTED" 2>&1)
greeting=$(head -n1 <<<"$out")
if [[ ${MYSQLPROXY_TEST_DIRECT:-} == 1 ]]; then
  check_eq "greeting" "greeting client_mysql=0 extended=0x1d" "$greeting"
else
  check_eq "greeting" "greeting client_mysql=0 extended=0x8" "$greeting"
fi
check_eq "an extended-metadata client" $'column j type= format=json\ncolumn p type=point format=' "$(tail -n +2 <<<"$out")"

# 3. Right after, on the same worker and backend: a client without it gets plain definitions,
#    then one with it the block again.
out=$($RAW_CLIENT "$PORT" plain "$HINTED" 2>&1)
check_eq "a plain client after an extended one" $'column j plain\ncolumn p plain' "$(tail -n +2 <<<"$out")"
out=$($RAW_CLIENT "$PORT" extended "$HINTED" 2>&1)
check_eq "an extended client after a plain one" $'column j type= format=json\ncolumn p type=point format=' "$(tail -n +2 <<<"$out")"
out=$($RAW_CLIENT "$PORT" plain "$QUERY" 2>&1)
check_eq "a plain client's read on a replica" $'column j plain\ncolumn p plain' "$(tail -n +2 <<<"$out")"

echo "extended metadata: $PASSED passed, $FAILED failed"
((FAILED == 0))
