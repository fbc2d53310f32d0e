# shellcheck shell=bash
# A proxy of a shell test's own: started on a free port, waited for, stopped, its log shown when
# the test failed. Sets PROXY_PID.
#   require_cluster_env                    returns 1 (saying why) unless scripts/cluster.sh env is in force
#   free_port                              prints a free TCP port on 127.0.0.1
#   start_test_proxy BIN CONFIG LOG PORT   starts BIN and waits up to 10 s for PORT; returns 1, saying
#                                          why on stderr, if it exits or does not listen
#   stop_test_proxy                        SIGTERM, then SIGKILL after 5 s
#   show_proxy_log LOG LINES               the log's last lines, indented, on stderr
PROXY_PID=${PROXY_PID:-}

require_cluster_env() {
  local v
  for v in CLUSTER_PRIMARY_PORT CLUSTER_REPLICA1_PORT CLUSTER_REPLICA2_PORT CLUSTER_DIR; do
    if [[ -z ${!v:-} ]]; then
      echo "FAIL: $v is not set: run scripts/cluster.sh start and eval \$(scripts/cluster.sh env)" >&2
      return 1
    fi
  done
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_test_proxy() {
  local bin=$1 config=$2 log=$3 port=$4
  if [[ -z $bin || ! -x $bin ]]; then
    echo "FAIL: proxy binary '$bin' missing or not executable (build the mysql-proxy target)" >&2
    return 1
  fi
  "$bin" --config "$config" </dev/null >"$log" 2>&1 &
  PROXY_PID=$!
  for _ in $(seq 100); do
    if ! kill -0 "$PROXY_PID" 2>/dev/null; then
      echo "FAIL: proxy exited before accepting connections" >&2
      return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "proxy pid $PROXY_PID on port $port"
      return 0
    fi
    sleep 0.1
  done
  echo "FAIL: proxy did not accept connections on port $port within 10 s" >&2
  return 1
}

stop_test_proxy() {
  [[ -n $PROXY_PID ]] && kill -0 "$PROXY_PID" 2>/dev/null || return 0
  kill -TERM "$PROXY_PID" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$PROXY_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$PROXY_PID" 2>/dev/null; then
    echo "proxy did not stop within 5 s of SIGTERM; SIGKILL" >&2
    kill -KILL "$PROXY_PID" 2>/dev/null
  fi
  wait "$PROXY_PID" 2>/dev/null
  return 0
}

show_proxy_log() {
  [[ -f $1 ]] || return 0
  echo "---- last lines of the proxy log ($1):" >&2
  tail -n "$2" "$1" | sed 's/^/  | /' >&2
  echo "----" >&2
}
