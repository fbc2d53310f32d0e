#!/bin/bash
# The stand-in image's entrypoint (see Dockerfile): on first boot (no mysql/ in the data
# directory) it initialises the data directory, sets up root and the health-check account on a
# server that listens on no network, runs /docker-entrypoint-initdb.d, then starts the server.
# Function names follow the official image, whose init scripts call them.
set -eo pipefail
shopt -s nullglob

mysql_note() { printf '%s [Note] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$*"; }
mysql_error() { printf '%s [ERROR] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$*" >&2; exit 1; }

# MARIADB_X, else MYSQL_X, else the default.
env_or() { local name=$1 default=${2:-} v; v=MARIADB_$name; [[ -n ${!v:-} ]] && { echo "${!v}"; return; }
  v=MYSQL_$name; [[ -n ${!v:-} ]] && { echo "${!v}"; return; }; echo "$default"; }

SOCKET=/run/mysqld/mysqld.sock
DATADIR=/var/lib/mysql

# A string literal's body, escaped for SQL ('' quoted).
docker_sql_escape_string_literal() {
  local newline=$'\n' escaped=${1//\\/\\\\}
  escaped=${escaped//$newline/\\n}
  echo "${escaped//\'/\\\'}"
}

_root_passfile() { printf '[client]\npassword="%s"\n' "${ROOT_PASSWORD//\"/\\\"}"; }

# SQL on stdin (or -e) to the local server as root, over the socket.
docker_process_sql() {
  local database=()
  [[ -n $DATABASE && ${1:-} != --dont-use-mysql-root-password ]] && database=(--database="$DATABASE")
  if [[ ${1:-} == --dont-use-mysql-root-password ]]; then
    shift
    mariadb --protocol=socket -uroot -hlocalhost --socket="$SOCKET" "${database[@]}" "$@"
  else
    mariadb --defaults-extra-file=<(_root_passfile) --protocol=socket -uroot -hlocalhost \
      --socket="$SOCKET" "${database[@]}" "$@"
  fi
}

docker_temp_server_start() {
  "$@" --skip-networking --default-time-zone=SYSTEM --socket="$SOCKET" --wsrep_on=OFF \
    --expire-logs-days=0 --skip-slave-start --loose-innodb_buffer_pool_load_at_startup=0 &
  TEMP_PID=$!
  mysql_note "waiting for the server to start"
  local i
  for ((i = 0; i < 60; i++)); do
    if mariadb-admin --protocol=socket --socket="$SOCKET" -uroot ${ROOT_SET:+--defaults-extra-file=<(_root_passfile)} \
        ping >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$TEMP_PID" 2>/dev/null || mysql_error "the server exited during initialisation"
    sleep 1
  done
  mysql_error "the server did not start in 60 s"
}

docker_temp_server_stop() {
  kill "$TEMP_PID"
  wait "$TEMP_PID" || true
}

docker_init_database_dir() {
  mysql_note "initialising the data directory"
  mariadb-install-db --datadir="$DATADIR" --rpm --auth-root-authentication-method=normal \
    --skip-test-db --default-time-zone=SYSTEM --skip-log-bin --expire-logs-days=0 \
    --loose-innodb_buffer_pool_load_at_startup=0 --loose-innodb_buffer_pool_dump_at_shutdown=0 \
    "${@:2}" >/dev/null
}

# Root's password, root@MARIADB_ROOT_HOST, the health-check account, the optional database and
# user: none of it goes to the binlog (replicas make their own).
docker_setup_db() {
  local root_host rootpw healthpw
  root_host=$(env_or ROOT_HOST %)
  rootpw=$(docker_sql_escape_string_literal "$ROOT_PASSWORD")
  healthpw=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf '[mariadb-client]\nport=3306\nsocket=%s\nuser=healthcheck\npassword=%s\n' "$SOCKET" "$healthpw" \
    >"$DATADIR/.my-healthcheck.cnf"
  chmod 600 "$DATADIR/.my-healthcheck.cnf"
  local create_root=""
  if [[ $root_host != localhost ]]; then
    create_root="CREATE USER 'root'@'${root_host}' IDENTIFIED BY '${rootpw}';
      GRANT ALL ON *.* TO 'root'@'${root_host}' WITH GRANT OPTION;
      GRANT PROXY ON ''@'%' TO 'root'@'${root_host}' WITH GRANT OPTION;"
  fi
  local create_db="" create_user=""
  [[ -n $DATABASE ]] && create_db="CREATE DATABASE IF NOT EXISTS \`$DATABASE\`;"
  local user password
  user=$(env_or USER) password=$(env_or PASSWORD)
  if [[ -n $user ]]; then
    create_user="CREATE USER '$user'@'%' IDENTIFIED BY '$(docker_sql_escape_string_literal "$password")';"
    [[ -n $DATABASE ]] && create_user+="GRANT ALL ON \`${DATABASE//_/\\_}\`.* TO '$user'@'%';"
  fi
  docker_process_sql --dont-use-mysql-root-password --binary-mode <<EOSQL
SET @@SESSION.SQL_LOG_BIN=0;
SET @@SESSION.SQL_MODE=REPLACE(@@SESSION.SQL_MODE, 'NO_BACKSLASH_ESCAPES', '');
DROP USER IF EXISTS root@'127.0.0.1', root@'::1';
EXECUTE IMMEDIATE CONCAT('DROP USER IF EXISTS root@\'', @@hostname, '\'');
SET PASSWORD FOR 'root'@'localhost'=PASSWORD('${rootpw}');
${create_root}
CREATE USER 'healthcheck'@'127.0.0.1' IDENTIFIED BY '${healthpw}';
CREATE USER 'healthcheck'@'::1' IDENTIFIED BY '${healthpw}';
CREATE USER 'healthcheck'@'localhost' IDENTIFIED BY '${healthpw}';
${create_db}
${create_user}
EOSQL
  ROOT_SET=1
}

docker_process_init_files() {
  local f
  for f in "$@"; do
    case $f in
      *.sh)
        if [[ -x $f ]]; then mysql_note "running $f"; "$f"; else mysql_note "sourcing $f"; . "$f"; fi ;;
      *.sql) mysql_note "running $f"; docker_process_sql <"$f" ;;
      *.sql.gz) mysql_note "running $f"; gunzip -c "$f" | docker_process_sql ;;
      *) mysql_note "ignoring $f" ;;
    esac
  done
}

_main() {
  [[ ${1:0:1} == - ]] && set -- mariadbd "$@"
  if [[ $1 != mariadbd && $1 != mysqld ]]; then exec "$@"; fi
  if [[ $(id -u) == 0 ]]; then
    # As root: the data directory becomes mysql's, and the rest runs as mysql.
    chown -R mysql:mysql "$DATADIR" /run/mysqld 2>/dev/null || true
    exec setpriv --reuid=mysql --regid=mysql --init-groups "${BASH_SOURCE[0]}" "$@"
  fi
  ROOT_PASSWORD=$(env_or ROOT_PASSWORD)
  DATABASE=$(env_or DATABASE)
  if [[ ! -d $DATADIR/mysql ]]; then
    if [[ -z $ROOT_PASSWORD && -z $(env_or ALLOW_EMPTY_ROOT_PASSWORD) ]]; then
      mysql_error "the database is uninitialised and MARIADB_ROOT_PASSWORD is not set"
    fi
    docker_init_database_dir "$@"
    docker_temp_server_start "$@"
    docker_setup_db
    docker_process_init_files /docker-entrypoint-initdb.d/*
    docker_temp_server_stop
    mysql_note "initialisation done; starting the server"
  fi
  exec "$@"
}

# Sourced (by a test, say): define the functions only.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then _main "$@"; fi
