#!/usr/bin/env bash
# Makes the certificates the local cluster and the tests use, in <dir> (once; kept afterwards):
#   ca.pem / ca-key.pem        a private CA
#   server.pem / server-key.pem  signed by it, for localhost and 127.0.0.1 (MariaDB and the proxy)
#   other-ca.pem               an unrelated CA: a client trusting only it must refuse the server
#   other-server.pem / -key.pem  signed by the unrelated CA (a renewed certificate, for reloads)
# Usage: scripts/gen-test-certs.sh <dir>
set -euo pipefail
dir=${1:?usage: gen-test-certs.sh <dir>}
mkdir -p "$dir"
cd "$dir"
# Nodes start in parallel: one of them makes the files, the others wait for it.
exec 8>.lock
flock -w 60 8 || { echo "gen-test-certs: $dir is locked" >&2; exit 1; }
[[ -s server.pem && -s other-server.pem ]] && exit 0

quiet() { "$@" >/dev/null 2>&1 || { echo "gen-test-certs: failed: $*" >&2; "$@"; exit 1; }; }

make_ca() {
  quiet openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$1" \
    -keyout "$2-key.pem" -out "$2.pem"
}
make_ca "mysql-proxy test CA" ca
make_ca "unrelated test CA" other-ca
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' >server.ext
make_server() {  # <name> <ca>
  quiet openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$1-key.pem" -out "$1.csr"
  quiet openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2-key.pem" -CAcreateserial -days 3650 \
    -extfile server.ext -out "$1.pem"
  rm -f "$1.csr" "$2.srl"
}
make_server server ca
make_server other-server other-ca
rm -f server.ext
chmod 600 ./*-key.pem
