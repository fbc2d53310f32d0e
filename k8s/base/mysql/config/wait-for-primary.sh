#!/bin/bash
# Init container of the replicas: on first boot (empty data directory) wait until the primary
# accepts the replication account, so the replica's first START SLAVE finds it. A replica that
# already has data starts at once: it must come up even while the primary is down.
set -euo pipefail
if [[ -d /var/lib/mysql/mysql ]]; then
  echo "wait-for-primary: data directory initialised, not waiting"
  exit 0
fi
export MYSQL_PWD=$REPLICATION_PASSWORD
for ((i = 1; ; i++)); do
  if mariadb --no-defaults --skip-ssl --connect-timeout=3 -h "$PRIMARY_HOST" -u repl \
      -e 'SELECT 1' >/dev/null 2>&1; then
    echo "wait-for-primary: $PRIMARY_HOST accepts the repl account"
    exit 0
  fi
  ((i % 15 == 1)) && echo "wait-for-primary: waiting for $PRIMARY_HOST (try $i)"
  sleep 2
done
