# shellcheck shell=bash
# Sourced by the mariadb image's entrypoint on first boot. gtid_slave_pos is empty, so with
# MASTER_USE_GTID=slave_pos the replica replays the primary's binlog from its start: the
# accounts and databases of primary-init.sh included. The settings persist in the data
# directory; the server starts replicating again after every restart.
repl_pw=$(docker_sql_escape_string_literal "$REPLICATION_PASSWORD")
docker_process_sql <<EOSQL
CHANGE MASTER TO
  MASTER_HOST='${PRIMARY_HOST}', MASTER_PORT=3306,
  MASTER_USER='repl', MASTER_PASSWORD='${repl_pw}',
  MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=5;
START SLAVE;
EOSQL
unset repl_pw
