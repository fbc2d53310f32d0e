#!/usr/bin/env bash
# One driver's checks (java: MariaDB Connector/J, php: mysqli and PDO_mysql, ruby: mysql2) through
# a proxy of their own.
#
# usage: tests/integration/drivers/run.sh <java|php|ruby> <path to mysql-proxy>
# Needs the cluster env (eval "$(scripts/cluster.sh env)"). Creates the driver's login accounts on
# the servers, starts the proxy on a free port, runs the driver's program (which prints one
# PASS/FAIL line per check and "N passed, N failed") and stops the proxy. With
# MYSQLPROXY_TEST_DIRECT=1 the program talks to the primary directly instead (proves the checks
# are right); there the servers themselves require TLS of the *_tls account.
#
# What the program gets, in its environment:
#   DRIVER_HOST, DRIVER_PORT        where to connect (the proxy, or the primary)
#   DRIVER_DIRECT                   1 when that is the primary itself, else 0
#   DRIVER_PRIMARY_PORT, DRIVER_REPLICA_PORTS (comma-separated)   the cluster's nodes
#   DRIVER_TLS_CA, DRIVER_OTHER_CA  the cluster's CA and an unrelated one
#   DRIVER_SUFFIX                   for object names (this process's id)
#   DRIVER_METRICS_URL              the proxy's /metrics (empty in a direct run)
#   accounts (password in DRIVER_PASSWORD) <prefix>_sha2 and <prefix>_sha2_rsa: caching_sha2_password
#   at the proxy (the second for the RSA key exchange); <prefix>_tls: mysql_native_password, TLS
#   required; the user app (app-pass) is native.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
# shellcheck source=../../../scripts/lib/proxy-config.sh
source "$REPO/scripts/lib/proxy-config.sh"
# shellcheck source=../../../scripts/lib/test-proxy.sh
source "$REPO/scripts/lib/test-proxy.sh"

DRIVER=${1:-}
PROXY_BIN=${2:-}
WORKDIR=$(mktemp -d "/tmp/mysqlproxy-$DRIVER-XXXXXX")
PASSWORD=drv-pass
HOST=127.0.0.1

case $DRIVER in
  java) PREFIXES=(java) ;;
  php) PREFIXES=(mysqli pdo) ;;
  ruby) PREFIXES=(ruby) ;;
  *) echo "usage: $0 <java|php|ruby> <path to mysql-proxy>" >&2; exit 2 ;;
esac

failed_setup() {
  echo "FAIL: $1" >&2
  echo "0 passed, 1 failed"
  exit 1
}

# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  local rc=$?
  stop_test_proxy
  if ((rc != 0)); then show_proxy_log "$WORKDIR/proxy.log" 80; else rm -rf "$WORKDIR"; fi
  exit "$rc"
}
trap cleanup EXIT

require_cluster_env || failed_setup "the cluster's environment"
DIRECT=0
[[ ${MYSQLPROXY_TEST_DIRECT:-} == 1 ]] && DIRECT=1

# The accounts, on the servers (replicated to the replicas before the proxy logs in as them). The
# proxy reaches the servers without TLS, so only a direct run has the servers require it.
sql=
for p in "${PREFIXES[@]}"; do
  for u in "${p}_sha2" "${p}_sha2_rsa" "${p}_tls"; do
    require=NONE
    [[ $u == *_tls && $DIRECT == 1 ]] && require=SSL
    sql+="CREATE USER IF NOT EXISTS '$u'@'%' IDENTIFIED BY '$PASSWORD';"
    sql+="ALTER USER '$u'@'%' IDENTIFIED BY '$PASSWORD' REQUIRE $require;"
    sql+="GRANT SELECT ON proxytest.* TO '$u'@'%';"
  done
done
"$REPO/scripts/cluster.sh" sql primary "$sql" || failed_setup "creating the driver's accounts"
"$REPO/scripts/cluster.sh" wait-sync 30 >/dev/null || failed_setup "replicas did not catch up"

if ((DIRECT)); then
  PORT=$CLUSTER_PRIMARY_PORT
  echo "direct mode: talking to the primary on port $PORT"
else
  PROXY_PORT=$(free_port)
  ADMIN_PORT=$(free_port)
  [[ $ADMIN_PORT != "$PROXY_PORT" ]] || ADMIN_PORT=$(free_port)
  METRICS_URL=http://127.0.0.1:$ADMIN_PORT/metrics
  more_users=
  for p in "${PREFIXES[@]}"; do
    more_users+="  - { name: ${p}_sha2, password: $PASSWORD, auth_plugin: caching_sha2_password }"$'\n'
    more_users+="  - { name: ${p}_sha2_rsa, password: $PASSWORD, auth_plugin: caching_sha2_password }"$'\n'
    more_users+="  - { name: ${p}_tls, password: $PASSWORD, require_tls: true }"$'\n'
  done
  {
    cluster_proxy_config "$PROXY_PORT" 2 "$more_users"
    cat <<EOF
tls: { cert_file: $CLUSTER_DIR/tls/server.pem, key_file: $CLUSTER_DIR/tls/server-key.pem }
timeouts: { connect: 2s, handshake: 10s, idle: 0, query: 0 }
logging: { level: debug, format: text }
routing: { consistency: global, consistency_timeout: 5s }
admin: { enabled: true, address: 127.0.0.1, port: $ADMIN_PORT }
# The login checks fail logins on purpose (wrong passwords, no TLS, an unrelated CA): 8 in the
# PHP run, near the throttle's default of 10 a minute.
limits: { login_failures: 0 }
EOF
  } >"$WORKDIR/proxy.yaml"
  start_test_proxy "$PROXY_BIN" "$WORKDIR/proxy.yaml" "$WORKDIR/proxy.log" "$PROXY_PORT" || failed_setup "starting the proxy"
  PORT=$PROXY_PORT
fi

export DRIVER_HOST=$HOST DRIVER_PORT=$PORT DRIVER_DIRECT=$DIRECT DRIVER_PASSWORD=$PASSWORD DRIVER_SUFFIX=$$
export DRIVER_METRICS_URL=${METRICS_URL:-}
export DRIVER_PRIMARY_PORT=$CLUSTER_PRIMARY_PORT
export DRIVER_REPLICA_PORTS=$CLUSTER_REPLICA1_PORT,$CLUSTER_REPLICA2_PORT
export DRIVER_TLS_CA=$CLUSTER_DIR/tls/ca.pem DRIVER_OTHER_CA=$CLUSTER_DIR/tls/other-ca.pem

case $DRIVER in
  java)
    JAR=${MARIADB_JAVA_CLIENT_JAR:-/usr/share/java/mariadb-java-client.jar}
    [[ -r $JAR ]] || failed_setup "$JAR not found (Debian package libmariadb-java)"
    mkdir -p "$WORKDIR/classes"
    javac -encoding UTF-8 -d "$WORKDIR/classes" -cp "$JAR" "$HERE/ConnectorJTest.java" ||
      failed_setup "javac ConnectorJTest.java"
    java -Duser.timezone=UTC -Dfile.encoding=UTF-8 -cp "$JAR:$WORKDIR/classes" ConnectorJTest
    ;;
  php) php -d display_errors=stderr -d error_reporting=-1 -d memory_limit=1G "$HERE/php_test.php" ;;
  ruby) TZ=UTC ruby "$HERE/mysql2_test.rb" ;;
esac
rc=$?
if [[ -n $PROXY_PID ]] && ! kill -0 "$PROXY_PID" 2>/dev/null; then
  echo "FAIL: the proxy exited during the checks" >&2
  rc=1
fi
exit "$rc"
