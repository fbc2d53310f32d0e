#!/bin/bash
# Init container: writes this pod's server config into the emptyDir mounted at
# /etc/mysql/conf.d. server_id must be unique in the replication topology, so it is
# SERVER_ID_BASE (1 for the primary StatefulSet, 101 for the replicas) plus the pod ordinal.
set -euo pipefail
ordinal=${HOSTNAME##*-}
if [[ ! $ordinal =~ ^[0-9]+$ ]]; then
  echo "init-config: cannot take a StatefulSet ordinal from host name '$HOSTNAME'" >&2
  exit 1
fi
case ${MYSQL_ROLE:-} in
  primary | replica) ;;
  *) echo "init-config: MYSQL_ROLE must be primary or replica, got '${MYSQL_ROLE:-}'" >&2; exit 1 ;;
esac
server_id=$((SERVER_ID_BASE + ordinal))
cp /config/common.cnf /conf.d/10-common.cnf
cp "/config/$MYSQL_ROLE.cnf" /conf.d/20-role.cnf
printf '[mariadbd]\nserver_id=%d\n' "$server_id" >/conf.d/30-server-id.cnf
# Overlays may add an extra.cnf key to the ConfigMap (sizes for bigger servers); it wins.
if [[ -f /config/extra.cnf ]]; then cp /config/extra.cnf /conf.d/40-extra.cnf; fi
echo "init-config: $HOSTNAME is a $MYSQL_ROLE with server_id $server_id"
