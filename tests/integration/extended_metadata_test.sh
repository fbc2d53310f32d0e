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
# shellcheck source=../../scripts/lib/test-proxy.sh
source "$(dirname "$0")/../../scripts/lib/test-proxy.sh"

PROXY_BIN=${1:-}
RAW_CLIENT="/usr/bin/python3 $(dirname "$0")/extended_metadata_client.py"
QUERY="SELECT JSON_OBJECT('a',1) AS j, POINT(1,2) AS p"
PASSED=0
FAILED=0
WORKDIR=$(mktemp -d /tmp/mysqlproxy-extmeta-XXXXXX)

pass() { PASSED=$((PASSED + 1)); echo "PASS: $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $1" >&2; }
check_eq() {
  if [[ "$2" == "$3" ]]; then pass "$1"; else
    fail "$1"; printf '  expected: %q\n  actual:   %q\n' "$2" "$3" >&2
  fi
}

cleanup() {
  local rc=$?
  stop_test_proxy
  if ((FAILED > 0 || rc != 0)); then show_proxy_log "$WORKDIR/proxy.log" 40; else rm -rf "$WORKDIR"; fi
  exit "$rc"
}
trap cleanup EXIT

require_cluster_env || exit 1

type_lines() {
  mariadb --protocol=TCP -h127.0.0.1 -P"$1" -uapp -papp-pass --column-type-info -t -e "$2" 2>&1 |
    grep -E '^(Field|Type:)'
}

if [[ ${MYSQLPROXY_TEST_DIRECT:-} == 1 ]]; then
  PORT=$CLUSTER_PRIMARY_PORT
  echo "direct mode: talking to the primary on port $PORT"
else
  PROXY_PORT=$(free_port)
  {
    cluster_proxy_config "$PROXY_PORT" 1
    cat <<YAML
timeouts: { connect: 2s, handshake: 10s, idle: 0, query: 0 }
logging: { level: debug, format: text }
admin: { enabled: false }
YAML
  } >"$WORKDIR/proxy.yaml"
  start_test_proxy "$PROXY_BIN" "$WORKDIR/proxy.yaml" "$WORKDIR/proxy.log" "$PROXY_PORT" || exit 1
  PORT=$PROXY_PORT
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
