#!/usr/bin/env bash
# Fidelity: MariaDB's own regression tests (Debian's mariadb-test), run with mysql-test-run.pl
# --extern twice, side by side: straight at a private MariaDB server ("direct"), and through
# mysql-proxy whose only backend is a second, identical server ("proxied"). A test that passes
# direct and fails proxied is a fidelity failure. See tests/fidelity/README.md.
#
# usage: tests/fidelity/run.sh [--subset] [--suites "compat/oracle json ..."] [--modes "text ps"]
#                              [--out DIR] [--proxy PATH]
#   --subset   only the tests listed in tests/fidelity/subset.txt (the test command's bounded run)
#   --tests    only these tests ("suite.test ..."), e.g. to look at one difference
#   --quiet-proxy  the proxy sends nothing of its own to the server while the tests run: the
#              accounts are declared (tests/fidelity/accounts.txt) instead of read from the
#              server, and the health check runs at start only. For the tests that count the
#              server's sessions and connection ids (tests/fidelity/quiet.txt); session pool mode.
#   --out      where servers, logs and results go (default $BUILD_DIR/fidelity)
# env: FIDELITY_PORT_BASE (43306: direct server, +1 proxied server, +4 proxy, +5 admin),
#      FIDELITY_POOL_MODE (statement), BUILD_DIR
# Exit status: 0 when no test fails proxied that passes direct, except the known differences
# listed in tests/fidelity/known-differences.txt for the pool mode in use.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
MTR_DIR=/usr/share/mysql/mysql-test
PY=/usr/bin/python3
PORT_BASE=${FIDELITY_PORT_BASE:-43306}
POOL_MODE=${FIDELITY_POOL_MODE:-statement}
SUITES="compat/oracle json versioning period funcs_1 client"
MODES="text ps"
SUBSET=0
QUIET=0
TESTS=""
OUT=$BUILD_DIR/fidelity
PROXY=$BUILD_DIR/proxy/mysql-proxy

while (($#)); do
  case $1 in
    --subset) SUBSET=1 ;;
    --quiet-proxy) QUIET=1 ;;
    --tests) TESTS=$2; shift ;;
    --suites) SUITES=$2; shift ;;
    --modes) MODES=$2; shift ;;
    --out) OUT=$2; shift ;;
    --proxy) PROXY=$2; shift ;;
    *) echo "fidelity: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
[[ $OUT == /* ]] || OUT=$PWD/$OUT

log() { echo "fidelity: $*"; }
die() { echo "fidelity: error: $*" >&2; exit 1; }

[[ -x $MTR_DIR/mysql-test-run.pl ]] || die "mariadb-test is not installed (scripts/setup.sh installs it)"
[[ -x $PROXY ]] || die "no proxy binary at $PROXY (build first)"

DIRECT_PORT=$PORT_BASE
PROXIED_PORT=$((PORT_BASE + 1))
PROXY_PORT=$((PORT_BASE + 4))
ADMIN_PORT=$((PORT_BASE + 5))

# ------------------------------------------------------------------ servers
# One MariaDB server per target, with the options mysql-test-run.pl gives the servers it starts
# (include/default_mysqld.cnf), so tests see what they expect.
server_dir() { echo "$OUT/servers/$1"; }

write_cnf() {
  local name=$1 port=$2 dir
  dir=$(server_dir "$name")
  mkdir -p "$dir/data" "$dir/tmp" "$OUT/var-$name"
  cat >"$dir/my.cnf" <<EOF
[mysqld]
datadir=$dir/data
socket=$dir/mysqld.sock
pid-file=$dir/mysqld.pid
tmpdir=$dir/tmp
log-error=$dir/error.log
port=$port
bind-address=127.0.0.1
server-id=1
log-bin=$name-bin
binlog-format=MIXED
character-set-server=latin1
collation-server=latin1_swedish_ci
local-infile
secure-file-priv=$OUT/var-$name
log-bin-trust-function-creators=1
key_buffer_size=1M
sort_buffer_size=256K
max_heap_table_size=1M
default-storage-engine=myisam
use_stat_tables=preferably
histogram_type=json_hb
binlog-direct-non-transactional-updates
connect-timeout=60
max_allowed_packet=64M
innodb_buffer_pool_size=32M
innodb_log_file_size=16M
innodb_flush_log_at_trx_commit=2
sync_binlog=0
max_connections=300
loose-performance-schema=ON
loose-ssl-ca=$MTR_DIR/std_data/cacert.pem
loose-ssl-cert=$MTR_DIR/std_data/server-cert.pem
loose-ssl-key=$MTR_DIR/std_data/server-key.pem
EOF
}

server_pid() { cat "$(server_dir "$1")/mysqld.pid" 2>/dev/null || true; }

start_server() {
  local name=$1 port=$2 dir
  dir=$(server_dir "$name")
  # Something else on the port would answer in our server's place.
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is taken (FIDELITY_PORT_BASE moves the ports)"; fi
  write_cnf "$name" "$port"
  if [[ ! -f $dir/.initialized ]]; then
    rm -rf "$dir/data"; mkdir -p "$dir/data"
    mariadb-install-db --defaults-file="$dir/my.cnf" --user="$(id -un)" \
      --auth-root-authentication-method=normal >"$dir/install.log" 2>&1 ||
      { tail -n 20 "$dir/install.log" >&2; die "mariadb-install-db failed for $name"; }
    touch "$dir/.initialized"
  fi
  mariadbd --defaults-file="$dir/my.cnf" --user="$(id -un)" >>"$dir/stdout.log" 2>&1 &
  local deadline=$((SECONDS + 60))
  until mariadb -h127.0.0.1 -P"$port" -uroot -e "SELECT 1" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { tail -n 20 "$dir/error.log" >&2; die "$name server did not start"; }
    sleep 0.3
  done
  # The schema mysql-test-run.pl gives the servers it starts: mtr.add_suppression() and friends.
  if [[ ! -f $dir/.mtr-schema ]]; then
    mariadb -h127.0.0.1 -P"$port" -uroot -e "DROP DATABASE IF EXISTS mtr; CREATE DATABASE mtr"
    # Written for mysqltest ("delimiter ||;"); the client takes "delimiter ||".
    sed -E '/^\s*--/d; s/^delimiter (.*);$/delimiter \1/; s/^delimiter ;(\|\|)$/delimiter ;/' "$MTR_DIR/include/mtr_warnings.sql" |
      mariadb -h127.0.0.1 -P"$port" -uroot --database=mtr >/dev/null ||
      die "loading mtr_warnings.sql into the $name server failed"
    touch "$dir/.mtr-schema"
  fi
}

stop_server() {
  local pid
  pid=$(server_pid "$1")
  [[ -n $pid ]] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
}

# ------------------------------------------------------------------ proxy
proxy_pid=""
# Where the proxy's accounts come from, and how often it checks the server.
proxy_accounts() {
  if ((QUIET)); then
    echo "users:"
    awk '!/^[[:space:]]*#/ && NF { printf "  - { name: %s, password: \"%s\" }\n", $1, $2 }' "$HERE/accounts.txt"
    echo "auth: { backend_users: false }"
    echo "health: { user: root, interval: 24h, keep_connection: false }"
  else
    cat <<'YAML'
users:
  - { name: root, password: "" }
# The accounts the tests make (CREATE USER, GRANT) log in through the proxy as on the server.
auth: { backend_users: true, backend_users_refresh: 0s }
# Each check logs in and out again: between checks the processlist shows the tests' sessions only.
health: { user: root, interval: 500ms, keep_connection: false }
YAML
  fi
}

start_proxy() {
  local dir=$OUT/proxy port
  mkdir -p "$dir"
  for port in "$PROXY_PORT" "$ADMIN_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is taken (FIDELITY_PORT_BASE moves the ports)"; fi
  done
  cat >"$dir/proxy.yaml" <<EOF
listen: { address: 127.0.0.1, port: $PROXY_PORT }
workers: 2
max_packet_size: 64MiB
backends:
  - { name: primary, host: 127.0.0.1, port: $PROXIED_PORT, role: primary }
$(proxy_accounts)
$( [[ $POOL_MODE == statement ]] || echo "pool: { mode: $POOL_MODE }" )
admin: { address: 127.0.0.1, port: $ADMIN_PORT }
logging: { level: ${FIDELITY_LOG_LEVEL:-warn} }
EOF
  "$PROXY" --config "$dir/proxy.yaml" >"$dir/proxy.log" 2>&1 &
  proxy_pid=$!
  local deadline=$((SECONDS + 30))
  until kill -0 "$proxy_pid" 2>/dev/null && mariadb -h127.0.0.1 -P"$PROXY_PORT" -uroot -e "SELECT 1" >/dev/null 2>&1; do
    kill -0 "$proxy_pid" 2>/dev/null || { tail -n 20 "$dir/proxy.log" >&2; die "the proxy exited"; }
    ((SECONDS < deadline)) || { tail -n 20 "$dir/proxy.log" >&2; die "the proxy did not answer"; }
    sleep 0.3
  done
}

cleanup() {
  [[ -n $proxy_pid ]] && kill "$proxy_pid" 2>/dev/null || true
  stop_server direct
  stop_server proxied
}
trap cleanup EXIT

# ------------------------------------------------------------------ tests
# mysql-test-run.pl over every suite and mode, one target: the tests' own connections go to
# host:port; before each test mysqltest-wrapper.sh resets the target's server (reset_server.py),
# so a failed test does not fail the next one (--extern has no check-testcase of its own).
# skip.txt, plus every test of the suites that restarts, kills or shuts down its server: against
# --extern, mysql-test-run.pl cannot bring the server back, and the test would stop it for all.
write_skip_list() {
  local out=$1 s f
  awk '!/^[[:space:]]*#/ && NF' "$HERE/skip.txt" >"$out"
  for s in $SUITES; do
    for f in "$MTR_DIR"/suite/"$s"/t/*.test "$MTR_DIR"/suite/"$s"/*.test; do
      [[ -f $f ]] || continue
      if grep -qE 'include/(restart_mysqld|shutdown_mysqld|kill_mysqld|kill_and_restart_mysqld|start_mysqld|restart_abort|force_restart|mysqladmin_shutdown)\.inc|^\s*--?shutdown_server' "$f"; then
        echo "$s.$(basename "$f" .test) : restarts its server" >>"$out"
      fi
    done
  done
}

run_target() {
  local name=$1 port=$2 server_port=$3 mode args=()
  local var=$OUT/var-$name results=$OUT/results/$name
  mkdir -p "$results"
  if [[ -n $TESTS ]]; then
    read -ra args <<<"$TESTS"
  elif ((QUIET)); then
    mapfile -t args < <(awk '!/^[[:space:]]*#/ && NF { print $1 }' "$HERE/quiet.txt")
  elif ((SUBSET)); then
    mapfile -t args < <(awk '!/^[[:space:]]*#/ && NF { print $1 }' "$HERE/subset.txt")
  else
    args=("--suite=$(tr ' ' ',' <<<"$SUITES")")
  fi
  for mode in $MODES; do
    local extra=()
    [[ $mode == ps ]] && extra=(--ps-protocol)
    rm -rf "$var/mtr"; mkdir -p "$var/mtr/log"
    (cd "$MTR_DIR" &&
      FIDELITY_RESET_PORT=$server_port FIDELITY_BASELINE=$OUT/baseline-$name.tsv \
      FIDELITY_SERVER_CNF=$(server_dir "$name")/my.cnf \
      MYSQL_TEST=$HERE/mysqltest-wrapper.sh \
      perl mysql-test-run.pl --extern host=127.0.0.1 --extern port="$port" --extern user=root \
        --extern protocol=tcp --vardir="$var/mtr" --tmpdir="$var/mtr/tmp" \
        --force --max-test-fail=0 --retry=0 --testcase-timeout=3 --suite-timeout=120 \
        --skip-test-list="$OUT/skip.txt" "${extra[@]}" "${args[@]}") \
      >"$results/$mode.log" 2>&1 || true
    log "$name $mode: $(grep -cE '\[ pass \]' "$results/$mode.log" || true) passed"
  done
}

rm -rf "$OUT/results" "$OUT/var-direct" "$OUT/var-proxied"
mkdir -p "$OUT/results"
write_skip_list "$OUT/skip.txt"
log "servers on $DIRECT_PORT (direct) and $PROXIED_PORT (behind the proxy on $PROXY_PORT, pool mode $POOL_MODE)"
start_server direct "$DIRECT_PORT"
start_server proxied "$PROXIED_PORT"
for t in direct:$DIRECT_PORT proxied:$PROXIED_PORT; do
  "$PY" "$HERE/reset_server.py" baseline "${t#*:}" "$OUT/baseline-${t%%:*}.tsv"
done
start_proxy

t0=$SECONDS
run_target direct "$DIRECT_PORT" "$DIRECT_PORT" &
direct_job=$!
run_target proxied "$PROXY_PORT" "$PROXIED_PORT"
wait "$direct_job"
log "tests took $((SECONDS - t0)) s"
kill -0 "$proxy_pid" 2>/dev/null || die "the proxy died during the run (log: $OUT/proxy/proxy.log)"

# A quiet proxy is held to the server's own results: no known difference excuses it.
known_mode=$POOL_MODE
((QUIET)) && known_mode=$POOL_MODE-quiet
"$PY" "$HERE/compare.py" --results "$OUT/results" --modes "$MODES" --pool-mode "$known_mode" \
  --known "$HERE/known-differences.txt" --summary "$OUT/summary.md"
