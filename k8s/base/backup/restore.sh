#!/bin/bash
# Loads a dump written by backup.sh into MYSQL_HOST (the primary: the replicas replay it):
# BACKUP_FILE if set (a name in BACKUP_DIR or a path), else the newest dump in BACKUP_DIR. The
# dump drops and recreates each table it holds. The password comes in MYSQL_PWD.
set -euo pipefail
dir=${BACKUP_DIR:-/backups}
file=${BACKUP_FILE:-}
echo "restore: dumps in $dir:"
find "$dir" -maxdepth 1 -name '*.sql.gz' -printf '  %f %s bytes\n' | sort
if [[ -z $file ]]; then
  file=$(find "$dir" -maxdepth 1 -name '*.sql.gz' -printf '%f\n' | sort | tail -n 1)
  [[ -n $file ]] || { echo "restore: no dump (*.sql.gz) in $dir" >&2; exit 1; }
fi
[[ $file == /* ]] || file=$dir/$file
[[ -f $file ]] || { echo "restore: $file does not exist" >&2; exit 1; }
echo "restore: loading $file into $MYSQL_HOST"
gunzip -c "$file" | mariadb --no-defaults --skip-ssl --connect-timeout=10 \
  -h "$MYSQL_HOST" -P "${MYSQL_PORT:-3306}" -u "$MYSQL_USER"
echo "restore: done"
