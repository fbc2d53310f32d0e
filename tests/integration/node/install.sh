#!/usr/bin/env bash
# Installs the Node client packages (package-lock.json) into <dir>/node_modules, once per lock file.
# Usage: tests/integration/node/install.sh <dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: install.sh <dir>}
mkdir -p "$dir"
if [[ -d $dir/node_modules/mysql2 ]] && cmp -s "$here/package-lock.json" "$dir/package-lock.json"; then
  exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dir/"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >"$dir/npm.log" 2>&1) ||
  { echo "install.sh: npm ci failed (see $dir/npm.log):" >&2; tail -20 "$dir/npm.log" >&2; exit 1; }
