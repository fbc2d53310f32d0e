#!/usr/bin/env bash
# Local MariaDB cluster for integration tests and the demo stack: a primary and
# two replicas on 127.0.0.1 with GTID replication, run as our own processes.
# See docs/local-cluster.md. Usage: scripts/cluster.sh <command> [args]
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(dirname "$SCRIPT_DIR")
# shellcheck source-path=SCRIPTDIR source=lib/cluster-lib.sh
source "$SCRIPT_DIR/lib/cluster-lib.sh"

usage() {
  cat <<'EOF'
usage: scripts/cluster.sh <command> [args]
  start                      init, start and replicate all nodes (idempotent)
  stop                       clean shutdown of all nodes
  reset                      stop and delete CLUSTER_DIR
  status                     one line per node
  env                        export lines for eval
  sql <node> <sql...>        run SQL as root on a node (tab-separated, no headers)
  delay <replica> <seconds>  set MASTER_DELAY (0 removes it)
  kill <node>                SIGKILL a node (crash)
  freeze|thaw <node>         SIGSTOP / SIGCONT a node: alive, sockets open, answering nothing
  stop-node|start-node|restart <node>
  stop-replication|start-replication <replica>
  stop-sql-thread|start-sql-thread <replica>
  wait-sync [timeout_s]      wait until running replicas replicate and applied the primary's binlog
nodes: primary replica1 replica2
env: CLUSTER_DIR (default <repo>/.state/cluster), CLUSTER_PORT_BASE (default 13306)
EOF
}

# Serialise commands that change the cluster (e.g. parallel test runners).
take_lock() {
  mkdir -p "$CLUSTER_DIR"
  exec 9>"$CLUSTER_DIR/.lock"
  flock -w 120 9 || die "another cluster.sh holds $CLUSTER_DIR/.lock"
}

init_missing_nodes() {
  local todo=() node
  # Replicas of a brand-new primary must start empty too, or their GTID
  # history conflicts with the new binlog.
  if ! is_initialized primary; then
    for node in "${REPLICAS[@]}"; do is_running "$node" && stop_node "$node"; done
    todo=("${NODES[@]}")
  else
    for node in "${REPLICAS[@]}"; do
      is_initialized "$node" || todo+=("$node")
    done
  fi
  ((${#todo[@]})) || return 0
  log "initialising datadirs: ${todo[*]}"
  for_nodes_parallel init_node "${todo[@]}" || die "initialisation failed"
}

cmd_start() {
  local t0=$SECONDS r pos
  check_socket_path
  take_lock
  [[ -f $CLUSTER_DIR/port-base ]] || echo "$CLUSTER_PORT_BASE" >"$CLUSTER_DIR/port-base"
  check_ports_free
  init_missing_nodes

  start_node primary
  [[ -f $(node_dir primary)/.users ]] || { create_users; log "primary: users and databases created"; }

  for_nodes_parallel start_node "${REPLICAS[@]}" || die "starting replicas failed"
  for r in "${REPLICAS[@]}"; do
    if [[ -f $(node_dir "$r")/.replication ]]; then
      resume_replication "$r"
    else
      configure_replica "$r"
    fi
  done

  pos=$(primary_gtid_pos)
  for r in "${REPLICAS[@]}"; do
    wait_threads_running "$r" "$SYNC_TIMEOUT"
    # A deliberately delayed replica is not expected to catch up now.
    if [[ $(field "$(slave_status "$r")" SQL_Delay) != 0 ]]; then
      log "$r: has MASTER_DELAY, not waiting for catch-up"
    elif ! wait_gtid "$r" "$pos" "$SYNC_TIMEOUT"; then
      error_tail "$r"
      die "$r: did not reach primary position $pos within ${SYNC_TIMEOUT}s"
    fi
  done
  log "cluster up in $((SECONDS - t0))s (primary $(node_port primary), replicas $(node_port replica1) $(node_port replica2); gtid $pos)"
}

cmd_stop() {
  [[ -d $CLUSTER_DIR ]] || { log "nothing to stop ($CLUSTER_DIR does not exist)"; return 0; }
  take_lock
  # Replicas first, so they do not log reconnect attempts to a vanished primary.
  for_nodes_parallel stop_node "${REPLICAS[@]}" || die "stopping replicas failed"
  stop_node primary
}

cmd_reset() {
  cmd_stop
  rm -rf -- "$CLUSTER_DIR"
  log "removed $CLUSTER_DIR"
}

cmd_status() {
  local node pid ro st line
  for node in "${NODES[@]}"; do
    line=$(printf '%-9s port=%-5s' "$node" "$(node_port "$node")")
    if ! pid=$(node_pid "$node"); then
      echo "$line down"; continue
    fi
    if ! ro=$(node_sql "$node" "SELECT @@read_only" 2>/dev/null); then
      echo "$line pid=$pid unreachable"; continue
    fi
    line+=" pid=$pid read_only=$ro"
    if [[ $node == primary ]]; then
      line+=" gtid_binlog_pos=$(primary_gtid_pos)"
    else
      st=$(slave_status "$node")
      if [[ -z $st ]]; then
        line+=" replication=not-configured"
      else
        line+=" io=$(field "$st" Slave_IO_Running) sql=$(field "$st" Slave_SQL_Running)"
        line+=" behind=$(field "$st" Seconds_Behind_Master) delay=$(field "$st" SQL_Delay)"
        line+=" gtid=$(node_sql "$node" "SELECT @@GLOBAL.gtid_slave_pos")"
        local err
        err=$(field "$st" Last_SQL_Error)$(field "$st" Last_IO_Error)
        [[ -n $err ]] && line+=" error=\"$err\""
      fi
    fi
    echo "$line"
  done
}

cmd_env() {
  local node upper
  printf 'export CLUSTER_DIR=%q\n' "$CLUSTER_DIR"
  printf 'export CLUSTER_TLS_DIR=%q\n' "$CLUSTER_DIR/tls"
  for node in "${NODES[@]}"; do
    upper=${node^^}
    printf 'export CLUSTER_%s_PORT=%q\n' "$upper" "$(node_port "$node")"
  done
  for node in "${NODES[@]}"; do
    upper=${node^^}
    printf 'export CLUSTER_%s_SOCKET=%q\n' "$upper" "$(node_sock "$node")"
  done
}

# sql <node> <sql...>; without SQL arguments, read statements from stdin.
cmd_sql() {
  (($# >= 1)) || die "usage: sql <node> <sql...>"
  local node=$1
  shift
  node_index "$node" >/dev/null
  is_running "$node" || die "$node is down"
  if (($#)); then
    node_sql "$node" "$*"
  else
    mariadb --defaults-file="$(node_cnf "$node")" --batch --skip-column-names
  fi
}

cmd_delay() {
  (($# == 2)) || die "usage: delay <replica> <seconds>"
  check_replica "$1"
  [[ $2 =~ ^[0-9]+$ ]] || die "delay must be a whole number of seconds, got '$2'"
  node_sql "$1" "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY=$2; START SLAVE;"
  log "$1: MASTER_DELAY=$2"
}

cmd_wait_sync() {
  local timeout=${1:-$SYNC_TIMEOUT} deadline pos r left
  [[ $timeout =~ ^[0-9]+$ ]] || die "timeout must be whole seconds, got '$timeout'"
  deadline=$(($(now_ms) + timeout * 1000))
  is_running primary || die "primary is down"
  pos=$(primary_gtid_pos)
  # One shared deadline for both replicas; MASTER_GTID_WAIT takes fractions.
  for r in "${REPLICAS[@]}"; do
    if ! is_running "$r"; then log "$r: down, skipped"; continue; fi
    left=$((deadline - $(now_ms))); ((left > 0)) || left=1
    # Caught up is not enough: an IO thread still reconnecting (after a primary restart) would
    # make the replica look broken to whatever checks it next.
    wait_threads_running "$r" "$((left / 1000 + 1))"
    left=$((deadline - $(now_ms))); ((left > 0)) || left=1
    wait_gtid "$r" "$pos" "$((left / 1000)).$(printf '%03d' $((left % 1000)))" ||
      die "$r: not at primary position '$pos' after ${timeout}s"
  done
  log "replicas in sync at '$pos'"
}

signal_node() {
  local pid
  pid=$(node_pid "$1") || die "$1 is not running"
  kill -s "$2" "$pid"
  log "$1: SIG$2 sent to $pid"
}

one_node_arg() { (($# == 1)) || die "usage: $CMD <node>"; node_index "$1" >/dev/null; }
one_replica_arg() { (($# == 1)) || die "usage: $CMD <replica>"; check_replica "$1"; }

main() {
  CMD=${1:-}
  (($#)) && shift
  case $CMD in
    "" | -h | --help | help) usage; return 0 ;;
  esac
  load_config "$REPO_DIR" "$([[ $CMD == reset || $CMD == stop ]] && echo 1 || echo 0)"

  case $CMD in
    start)  cmd_start ;;
    stop)   cmd_stop ;;
    reset)  cmd_reset ;;
    status) cmd_status ;;
    env)    cmd_env ;;
    sql)    cmd_sql "$@" ;;
    delay)  cmd_delay "$@" ;;
    kill)       one_node_arg "$@"; kill_node "$1" ;;
    freeze)     one_node_arg "$@"; signal_node "$1" STOP ;;
    thaw)       one_node_arg "$@"; signal_node "$1" CONT ;;
    stop-node)  one_node_arg "$@"; stop_node "$1" ;;
    start-node) one_node_arg "$@"; start_node "$1" ;;
    restart)    one_node_arg "$@"; stop_node "$1"; start_node "$1" ;;
    stop-replication)  one_replica_arg "$@"; node_sql "$1" "STOP SLAVE"; log "$1: replication stopped" ;;
    start-replication) one_replica_arg "$@"; node_sql "$1" "START SLAVE"; log "$1: replication started" ;;
    stop-sql-thread)   one_replica_arg "$@"; node_sql "$1" "STOP SLAVE SQL_THREAD"; log "$1: SQL thread stopped" ;;
    start-sql-thread)  one_replica_arg "$@"; node_sql "$1" "START SLAVE SQL_THREAD"; log "$1: SQL thread started" ;;
    wait-sync) cmd_wait_sync "$@" ;;
    *) usage >&2; die "unknown command '$CMD'" ;;
  esac
}

main "$@"
