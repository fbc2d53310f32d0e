#!/bin/bash
# mysql-backup CronJob: dumps every application database on MYSQL_HOST (a replica) with
# mariadb-dump into BACKUP_DIR as <UTC time>.sql.gz and keeps the newest KEEP dumps. The password
# comes in MYSQL_PWD (from the Secret). restore.sh loads a dump back.
set -euo pipefail
dir=${BACKUP_DIR:-/backups}
keep=${KEEP:-7}
client=(--no-defaults --skip-ssl -h "$MYSQL_HOST" -P "${MYSQL_PORT:-3306}" -u "$MYSQL_USER")

# Not the system schemas, nor the proxy's heartbeat table (each server writes its own). A failed
# query fails the Job (not "nothing to back up"). (--connect-timeout is the mariadb client's;
# mariadb-dump has no such option.)
if ! list=$(mariadb "${client[@]}" --connect-timeout=10 -N -e "SELECT schema_name FROM information_schema.schemata
    WHERE schema_name NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys', 'mysql_proxy')
    ORDER BY schema_name"); then
  echo "backup: cannot list the databases on $MYSQL_HOST" >&2
  exit 1
fi
if [[ -z $list ]]; then
  echo "backup: no application database on $MYSQL_HOST, nothing to do"
  exit 0
fi
mapfile -t databases <<<"$list"

name=$(date -u +%Y%m%dT%H%M%SZ).sql.gz
# --single-transaction: a consistent snapshot without locking (InnoDB). Written under a temporary
# name, so restore.sh never picks up half a dump.
mariadb-dump "${client[@]}" --single-transaction --routines --events --triggers --hex-blob \
  --no-tablespaces --databases "${databases[@]}" | gzip >"$dir/.$name.partial"
mv "$dir/.$name.partial" "$dir/$name"
echo "backup: $dir/$name ($(du -h "$dir/$name" | cut -f1)): ${databases[*]}"

# The newest $keep stay.
find "$dir" -maxdepth 1 -name '*.sql.gz' -printf '%f\n' | sort | head -n -"$keep" |
  while read -r old; do rm -f -- "$dir/$old" && echo "backup: removed $old"; done
echo "backup: dumps kept in $dir:"
find "$dir" -maxdepth 1 -name '*.sql.gz' -printf '  %f %s bytes\n' | sort
