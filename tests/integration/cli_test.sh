#!/usr/bin/env bash
# The mariadb command-line client through the proxy.
#
# usage: tests/integration/cli_test.sh <path to mysql-proxy>
# Needs the cluster env (eval "$(scripts/cluster.sh env)"). Starts its own
# proxy on a free port and stops it on exit. With MYSQLPROXY_TEST_DIRECT=1 it
# talks to the primary directly instead (proves the checks are right).
set -uo pipefail
# shellcheck source=../../scripts/lib/proxy-config.sh
source "$(dirname "$0")/../../scripts/lib/proxy-config.sh"
# shellcheck source=../../scripts/lib/test-proxy.sh
source "$(dirname "$0")/../../scripts/lib/test-proxy.sh"

PROXY_BIN=${1:-}
PASSED=0
FAILED=0
WORKDIR=$(mktemp -d /tmp/mysqlproxy-cli-XXXXXX)
TABLE="it_cli_$$"
HOST=127.0.0.1
PORT=

pass() { PASSED=$((PASSED + 1)); echo "PASS: $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $1" >&2; }

# check <name> <expected> <actual>
check_eq() {
  if [[ "$2" == "$3" ]]; then pass "$1"; else
    fail "$1"; printf '  expected: %q\n  actual:   %q\n' "$2" "$3" >&2
  fi
}

# check_contains <name> <needle> <haystack>
check_contains() {
  if [[ "$3" == *"$2"* ]]; then pass "$1"; else
    fail "$1"; printf '  expected to contain: %q\n  actual: %q\n' "$2" "$3" >&2
  fi
}

cli() { mariadb --protocol=TCP -h"$HOST" -P"$PORT" "$@"; }
app() { cli -uapp -papp-pass "$@"; }

cleanup() {
  local rc=$?
  if [[ -n $PORT ]]; then
    app proxytest -e "DROP TABLE IF EXISTS $TABLE" >/dev/null 2>&1 || true
  fi
  stop_test_proxy
  if ((FAILED > 0 || rc != 0)); then show_proxy_log "$WORKDIR/proxy.log" 60; else rm -rf "$WORKDIR"; fi
  exit "$rc"
}
trap cleanup EXIT

require_cluster_env || exit 1

if [[ ${MYSQLPROXY_TEST_DIRECT:-} == 1 ]]; then
  PORT=$CLUSTER_PRIMARY_PORT
  echo "direct mode: talking to the primary on port $PORT"
else
  PROXY_PORT=$(free_port)
  {
    cluster_proxy_config "$PROXY_PORT" 2
    cat <<EOF
timeouts: { connect: 2s, handshake: 10s, idle: 0, query: 0 }
logging: { level: debug, format: text }
routing: { consistency: global, consistency_timeout: 5s }
admin: { enabled: false }
tls: { cert_file: $CLUSTER_DIR/tls/server.pem, key_file: $CLUSTER_DIR/tls/server-key.pem }
EOF
  } >"$WORKDIR/proxy.yaml"
  start_test_proxy "$PROXY_BIN" "$WORKDIR/proxy.yaml" "$WORKDIR/proxy.log" "$PROXY_PORT" || exit 1
  PORT=$PROXY_PORT
  # CLI_TEST_EXPECT_IO: the network I/O the proxy must say it runs on (io_uring, or epoll when
  # MYSQL_PROXY_IO=epoll makes it hand over to mysql-proxy-epoll).
  if [[ -n ${CLI_TEST_EXPECT_IO:-} ]]; then
    check_contains "network I/O on ${CLI_TEST_EXPECT_IO}" "network I/O on ${CLI_TEST_EXPECT_IO}" "$(cat "$WORKDIR/proxy.log")"
  fi
fi

# 1. A query.
out=$(app -N -B -e "SELECT CURRENT_USER(), 6 * 7" 2>&1)
check_eq "simple query" $'app@%\t42' "$out"

# 2. Two statements in one -e (the CLI splits them and sends each) and a
#    default database.
out=$(app -N -B proxytest -e "SELECT DATABASE(); SELECT 'second'" 2>&1)
check_eq "two statements, default database" $'proxytest\nsecond' "$out"

# 3. source of a file with several statements.
cat >"$WORKDIR/script.sql" <<EOF
DROP TABLE IF EXISTS $TABLE;
CREATE TABLE $TABLE (id INT PRIMARY KEY, name VARCHAR(20));
INSERT INTO $TABLE VALUES (1, 'one'), (2, 'two');
INSERT INTO $TABLE VALUES (3, 'three');
UPDATE $TABLE SET name = UPPER(name) WHERE id = 2;
SELECT COUNT(*), SUM(id) FROM $TABLE;
SELECT name FROM $TABLE ORDER BY id;
EOF
out=$(app -N -B proxytest -e "source $WORKDIR/script.sql" 2>&1)
check_eq "source of a SQL file" $'3\t6\none\nTWO\nthree' "$out"
out=$(app -N -B proxytest <"$WORKDIR/script.sql" 2>&1)
check_eq "SQL file on stdin" $'3\t6\none\nTWO\nthree' "$out"

# 4. utf8mb4 round trip (the CLI's own default is utf8mb3).
text='héllo wörld 😀 日本語'
hex=$(printf '%s' "$text" | od -An -tx1 | tr -d ' \n' | tr 'a-f' 'A-F')
out=$(app -N -B --default-character-set=utf8mb4 proxytest -e \
  "INSERT INTO $TABLE VALUES (4, '$text'); SELECT name, HEX(name), CHAR_LENGTH(name) FROM $TABLE WHERE id = 4" 2>&1)
check_eq "utf8mb4 round trip" "$text"$'\t'"$hex"$'\t'"17" "$out"

# 5. Bad SQL: exit code and message.
out=$(app -N -B -e "SELEC 1" 2>&1); rc=$?
check_eq "bad SQL exits 1" 1 "$rc"
check_contains "bad SQL reports 1064" "ERROR 1064 (42000)" "$out"

# 6. Bad password.
# TLS, the certificate checked against the cluster's CA (the servers present one from the same CA).
out=$(cli -uapp -papp-pass --ssl --ssl-ca="$CLUSTER_DIR/tls/ca.pem" --ssl-verify-server-cert -e "status" 2>&1); rc=$?
check_eq "TLS login exits 0" 0 "$rc"
check_contains "TLS in use" "Cipher in use is TLS" "$out"
out=$(cli -uapp -papp-pass --ssl --ssl-ca="$CLUSTER_DIR/tls/other-ca.pem" -e "SELECT 1" 2>&1); rc=$?
check_eq "TLS with an unrelated CA exits 1" 1 "$rc"
check_contains "TLS with an unrelated CA reports 2026" "ERROR 2026 (HY000)" "$out"

out=$(cli -uapp -pwrong-pass -e "SELECT 1" 2>&1); rc=$?
check_eq "bad password exits 1" 1 "$rc"
check_contains "bad password reports 1045" "ERROR 1045 (28000)" "$out"
check_contains "bad password message" "Access denied for user 'app'" "$out"

# 7. Unknown database.
out=$(app no_such_db_xyz -e "SELECT 1" 2>&1); rc=$?
check_eq "unknown database exits 1" 1 "$rc"
check_contains "unknown database reports 1049" "ERROR 1049 (42000)" "$out"

# 8. --force (batch from stdin) continues after an error on the same session.
out=$(printf "SET @x = 'kept';\nSELECT 'a';\nSELEC 'b';\nSELECT 'c', @x;\n" |
  app -N -B --force proxytest 2>"$WORKDIR/stderr"); rc=$?
check_eq "--force runs the statements around the error" $'a\nc\tkept' "$out"
check_contains "--force reports the error" "ERROR 1064 (42000) at line 3" "$(cat "$WORKDIR/stderr")"

# 9. The compressed protocol (--compress): the same kinds of exchange, compressed both ways.
out=$(app --compress -e "status" 2>&1)
check_contains "--compress is negotiated" $'Protocol:\t\tCompressed' "$out"
out=$(app --compress -N -B proxytest -e "SELECT 6 * 7; SELECT LENGTH(REPEAT('abc', 100000)), MD5(REPEAT('abc', 100000))" 2>&1)
check_eq "--compress queries" $'42\n300000\t'"$(printf 'abc%.0s' $(seq 100000) | md5sum | cut -d' ' -f1)" "$out"
out=$(app --compress -N -B proxytest <<EOF 2>&1
DROP PROCEDURE IF EXISTS ${TABLE}_p;
DELIMITER //
CREATE PROCEDURE ${TABLE}_p() BEGIN SELECT 'first'; SELECT REPEAT('x', 70000) = REPEAT('x', 70000); END //
DELIMITER ;
CALL ${TABLE}_p();
DROP PROCEDURE ${TABLE}_p;
EOF
)
check_eq "--compress multi-result (CALL)" $'first\n1' "$out"
out=$(app --compress -N -B -e "SELEC 1" 2>&1); rc=$?
check_eq "--compress bad SQL exits 1" 1 "$rc"
check_contains "--compress bad SQL reports 1064" "ERROR 1064 (42000)" "$out"
# LOAD DATA LOCAL: 300000 rows, about 4.5 MB of data packets after the server's request, in
# compressed packets that continue its sequence ids.
seq 1 300000 | awk '{ print $1 "\tname" $1 }' >"$WORKDIR/rows.tsv"
out=$(app --compress --local-infile=1 -N -B proxytest -e "
  DROP TABLE IF EXISTS ${TABLE}_load;
  CREATE TABLE ${TABLE}_load (id INT PRIMARY KEY, name VARCHAR(20));
  LOAD DATA LOCAL INFILE '$WORKDIR/rows.tsv' INTO TABLE ${TABLE}_load;
  SELECT COUNT(*), SUM(id), MAX(name) FROM ${TABLE}_load;
  DROP TABLE ${TABLE}_load" 2>&1)
check_eq "--compress LOAD DATA LOCAL" $'300000\t45000150000\tname99999' "$out"

echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
