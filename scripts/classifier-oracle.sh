#!/usr/bin/env bash
# The classifier's differential test, the server as the oracle (tests/classifier_oracle/README.md):
# starts a private MariaDB in a temporary directory (Unix socket only, no TCP port, binary log on),
# runs the classifier_oracle binary against it, stops the server. Exit status: the oracle's (0: no
# bug, 1: bugs, printed with their statement and mode; 2: the oracle could not run).
#
#   scripts/classifier-oracle.sh [oracle binary] [more oracle arguments]
#   ORACLE_SECONDS=600 scripts/classifier-oracle.sh     # a long run
#
# Environment: ORACLE_SECONDS (run time, default 20), ORACLE_SEED (default 1; the seed also picks
# which test files the corpus comes from), ORACLE_CORPUS (colon-separated mysqltest directories,
# default the mariadb-test package's suites), BUILD_DIR (where the binary is, default build/),
# ORACLE_KEEP=1 (keep the temporary directory and the server's error log).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
ORACLE=${1:-$BUILD_DIR/tests/classifier_oracle/classifier_oracle}
(($#)) && shift
SECONDS_TO_RUN=${ORACLE_SECONDS:-20}
SEED=${ORACLE_SEED:-1}
MARIADBD=${MARIADBD:-$(command -v mariadbd || echo /usr/sbin/mariadbd)}

log() { echo "classifier-oracle: $*" >&2; }
[[ -x $ORACLE ]] || { log "no oracle binary at $ORACLE (build the classifier_oracle target)"; exit 2; }
[[ -x $MARIADBD ]] || { log "mariadbd not found (run scripts/setup.sh)"; exit 2; }

corpus_args=()
if [[ -n ${ORACLE_CORPUS:-} ]]; then
  IFS=: read -r -a dirs <<<"$ORACLE_CORPUS"
else
  dirs=()
  for d in /usr/share/mysql/mysql-test/main /usr/share/mysql/mysql-test/suite /usr/share/mariadb/mariadb-test/main \
           /usr/share/mariadb/mariadb-test/suite; do
    [[ -d $d ]] && dirs+=("$d")
  done
  ((${#dirs[@]})) || log "no MariaDB test suites found (package mariadb-test): generated statements only"
fi
for d in "${dirs[@]}"; do corpus_args+=(--corpus "$d"); done

DIR=$(mktemp -d /tmp/classifier-oracle.XXXXXX)
USER_NAME=$(id -un)
as_user=()
((EUID == 0)) && as_user=(--user="$USER_NAME")
SERVER_PID=
stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    mariadb-admin --no-defaults --socket="$DIR/sock" --user="$USER_NAME" shutdown >/dev/null 2>&1 ||
      kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ ${ORACLE_KEEP:-0} == 1 ]]; then log "kept $DIR"; else rm -rf -- "$DIR"; fi
}
trap stop_server EXIT

mkdir -p "$DIR/data" "$DIR/tmp"
cat >"$DIR/my.cnf" <<EOF
[mysqld]
datadir=$DIR/data
socket=$DIR/sock
pid-file=$DIR/mysqld.pid
tmpdir=$DIR/tmp
log-error=$DIR/error.log
skip-networking
server-id=1
log-bin=oracle-bin
binlog-format=ROW
log-bin-trust-function-creators=1
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
innodb_buffer_pool_size=32M
innodb_log_file_size=16M
innodb_flush_log_at_trx_commit=2
sync_binlog=0
performance_schema=OFF
EOF
if ! mariadb-install-db --defaults-file="$DIR/my.cnf" "${as_user[@]}" --auth-root-authentication-method=socket \
    --auth-root-socket-user="$USER_NAME" --skip-test-db >"$DIR/install.log" 2>&1; then
  tail -n 20 "$DIR/install.log" >&2
  log "mariadb-install-db failed"
  exit 2
fi
"$MARIADBD" --defaults-file="$DIR/my.cnf" "${as_user[@]}" </dev/null >>"$DIR/stdout.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  mariadb-admin --no-defaults --socket="$DIR/sock" --user="$USER_NAME" ping >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$DIR/error.log" >&2; log "mariadbd exited"; exit 2; }
  sleep 0.1
done

log "running for ${SECONDS_TO_RUN}s, seed $SEED ($("$MARIADBD" --version | awk '{print $3}'))"
status=0
"$ORACLE" --socket "$DIR/sock" --admin-user "$USER_NAME" --seconds "$SECONDS_TO_RUN" --seed "$SEED" \
  "${corpus_args[@]}" "$@" || status=$?
exit "$status"
