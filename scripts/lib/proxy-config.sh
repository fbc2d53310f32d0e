# shellcheck shell=bash
# The part of a proxy config that points mysql-proxy at the local cluster (scripts/cluster.sh),
# shared by the local stack and the tests that start a proxy of their own. Needs the cluster's
# env (CLUSTER_PRIMARY_PORT, CLUSTER_REPLICA1_PORT, CLUSTER_REPLICA2_PORT).
#   cluster_proxy_config PORT [WORKERS [MORE_USERS]]   prints listen, workers, backends, users
# (app, app2 and MORE_USERS: lines of "  - { name: ... }") and health; the caller appends the
# sections it wants (timeouts, logging, routing, admin).
cluster_proxy_config() {
  local port=$1 workers=${2:-0} more_users=${3:-}
  cat <<YAML
listen: { address: 127.0.0.1, port: $port }
workers: $workers
backends:
  - { name: primary, host: 127.0.0.1, port: $CLUSTER_PRIMARY_PORT, role: primary }
  - { name: replica1, host: 127.0.0.1, port: $CLUSTER_REPLICA1_PORT, role: replica }
  - { name: replica2, host: 127.0.0.1, port: $CLUSTER_REPLICA2_PORT, role: replica }
users:
  - { name: app, password: app-pass }
  - { name: app2, password: app2-pass }
${more_users}health: { user: monitor, password: monitor-pass }
YAML
}
