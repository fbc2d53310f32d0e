#!/bin/bash
# The stand-in image's health check (see Dockerfile), with the official image's flags the
# manifests use:
#   --connect             the server answers on its socket and is not the networkless server
#                         of first-boot initialisation
#   --innodb_initialized  InnoDB is up
# Checks run in order; the first that fails sets the exit status 1. It logs in as the
# health-check account the entrypoint made (.my-healthcheck.cnf in the data directory).
set -uo pipefail
CNF=/var/lib/mysql/.my-healthcheck.cnf
query() { mariadb --defaults-extra-file="$CNF" --protocol=socket --skip-column-names --batch -e "$1" 2>/dev/null; }
(($#)) || set -- --connect
for check in "$@"; do
  case $check in
    --connect)
      [[ -r $CNF ]] || exit 1
      [[ $(query 'SELECT @@skip_networking') == 0 ]] || exit 1 ;;
    --innodb_initialized)
      [[ $(query "SELECT 1 FROM information_schema.ENGINES WHERE engine='InnoDB' AND support IN ('YES','DEFAULT','ENABLED')") == 1 ]] || exit 1 ;;
    --su=* | --su-mysql | --defaults-file=* | --no-defaults) ;;  # accepted, not needed here
    *) echo "healthcheck.sh: unknown check $check" >&2; exit 1 ;;
  esac
done
exit 0
