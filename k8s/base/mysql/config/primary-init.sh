# shellcheck shell=bash
# Sourced by the mariadb image's entrypoint on first boot (docker_process_sql and
# docker_sql_escape_string_literal are its functions). Runs with the binlog on, so the replicas
# replay these accounts and databases when they first replicate, as scripts/lib/cluster-lib.sh
# does for the local cluster.
repl_pw=$(docker_sql_escape_string_literal "$REPLICATION_PASSWORD")
monitor_pw=$(docker_sql_escape_string_literal "$MONITOR_PASSWORD")
app_pw=$(docker_sql_escape_string_literal "$APP_PASSWORD")
backup_pw=$(docker_sql_escape_string_literal "$BACKUP_PASSWORD")
docker_process_sql <<EOSQL
CREATE DATABASE IF NOT EXISTS demo;
-- home of the heartbeat table of the proxy (health.heartbeat)
CREATE DATABASE IF NOT EXISTS mysql_proxy;

CREATE USER IF NOT EXISTS 'repl'@'%' IDENTIFIED BY '${repl_pw}';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';

-- The health monitor of the proxy. REPLICATION CLIENT is BINLOG MONITOR in 10.5+;
-- SHOW SLAVE STATUS needs SLAVE MONITOR.
CREATE USER IF NOT EXISTS 'monitor'@'%' IDENTIFIED BY '${monitor_pw}';
GRANT REPLICATION CLIENT, SLAVE MONITOR, PROCESS, SELECT ON *.* TO 'monitor'@'%';
GRANT ALL PRIVILEGES ON mysql_proxy.* TO 'monitor'@'%';

-- The account of the applications, through the proxy. No SUPER / READ ONLY ADMIN: read_only holds
-- on the replicas.
CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY '${app_pw}';
GRANT ALL PRIVILEGES ON demo.* TO 'app'@'%';

-- The mysql-backup CronJob: mariadb-dump --single-transaction of every application database
-- (on a replica). Read-only rights; no RELOAD, so no FLUSH TABLES WITH READ LOCK.
CREATE USER IF NOT EXISTS 'backup'@'%' IDENTIFIED BY '${backup_pw}';
GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON *.* TO 'backup'@'%';
EOSQL
unset repl_pw monitor_pw app_pw backup_pw
