#!/usr/bin/env bash
# mysql-test-run.pl runs this in place of mariadb-test (MYSQL_TEST): it puts the target's server
# back in the state a test expects (reset_server.py), then runs the real mariadb-test. The reset
# goes straight to the server (FIDELITY_RESET_PORT), never through the proxy. A server that a test
# stopped after all (one the skip list missed) is started again first, so the run goes on.
reset() { /usr/bin/python3 "$(dirname "$0")/reset_server.py" reset "$FIDELITY_RESET_PORT" "$FIDELITY_BASELINE"; }
if ! reset 2>/dev/null; then
  if ! mariadb -h127.0.0.1 -P"$FIDELITY_RESET_PORT" -uroot -e "SELECT 1" >/dev/null 2>&1; then
    echo "fidelity: the server on $FIDELITY_RESET_PORT is down: starting it again" >&2
    mariadbd --defaults-file="$FIDELITY_SERVER_CNF" --user="$(id -un)" >/dev/null 2>&1 &
    for _ in $(seq 1 150); do
      mariadb -h127.0.0.1 -P"$FIDELITY_RESET_PORT" -uroot -e "SELECT 1" >/dev/null 2>&1 && break
      sleep 0.2
    done
  fi
  reset >&2 || exit 1
fi
exec /usr/bin/mariadb-test "$@"
