#!/usr/bin/env bash
# Install every Debian package the project needs (build, tests, demo stack).
# Idempotent: when everything is present it only runs dpkg-query and exits.
set -euo pipefail

PACKAGES=(
  # C++ toolchain and build
  g++ cmake make pkg-config git ccache
  # libraries the proxy links against (no libboost-dev: it conflicts with 1.81)
  libboost1.81-dev libboost-json1.81-dev libssl-dev default-libmysqlclient-dev
  libyaml-cpp-dev libspdlog-dev libfmt-dev liburing-dev zlib1g-dev libzstd-dev
  # unit tests and micro-benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # fuzzing (scripts/fuzz.sh): clang with libFuzzer and the sanitizer runtimes
  clang-14 libclang-rt-14-dev
  # local MariaDB cluster for integration tests (scripts/cluster.sh)
  mariadb-server mariadb-client
  # MariaDB's own regression suites, run through the proxy (tests/fidelity)
  mariadb-test
  # benchmarks (bench/run.sh) and the demo stack
  sysbench haproxy prometheus gnuplot-nox
  # test clients
  python3-pymysql python3-mysqldb python3-cryptography nodejs npm zstd
  # more drivers (tests/integration/drivers): Connector/J on the JDK, PHP mysqli/PDO, Ruby mysql2
  libmariadb-java openjdk-17-jdk-headless php-cli php-mysql ruby ruby-mysql2
  # demo apps (k8s/apps) and their local stack: web server, app servers, headless browser test
  nginx gunicorn python3-flask python3-fastapi python3-uvicorn chromium
  # tools the scripts use (ps/pgrep, ss, certificates)
  procps iproute2 openssl
  # the deployment run under Docker (scripts/containers.sh): engine, base image, manifests
  docker.io debootstrap python3-yaml iptables
)

# One dpkg-query call: "name<TAB>status<TAB>provides" for every known package.
# A package counts as present when it is installed, or when an installed
# package Provides it (e.g. NodeSource's nodejs provides and conflicts with npm).
PRESENT=$(dpkg-query -W -f='${Package}\t${db:Status-Abbrev}\t${Provides}\n' 2>/dev/null |
  awk -F'\t' '$2 ~ /^ii/ { print $1; if ($3 != "") print $3 }' |
  tr ',' '\n' | sed -E 's/^ *//; s/ *\(.*$//; s/:.*$//; s/ *$//' | sort -u)

is_present() { grep -qxF -- "$1" <<<"$PRESENT"; }

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_present "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=()
if ((EUID != 0)); then
  command -v sudo >/dev/null || { echo "setup: not root and no sudo; cannot install: ${missing[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi

# Keep package postinst scripts (mariadb-server, haproxy, prometheus, nginx, php) from
# starting system services: our tests run their own processes.
POLICY=/usr/sbin/policy-rc.d
created_policy=0
cleanup() { if ((created_policy)); then "${SUDO[@]}" rm -f "$POLICY"; fi; }
trap cleanup EXIT
if [[ ! -e $POLICY ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee "$POLICY" >/dev/null
  "${SUDO[@]}" chmod 755 "$POLICY"
  created_policy=1
fi

echo "setup: installing: ${missing[*]}"
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: installed: ${missing[*]}"
