#!/usr/bin/env bash
# Offline checks of the Kubernetes manifests in k8s/ (run by CTest as k8s.validate).
#
# usage: tests/k8s/validate.sh [--root DIR] [--work-dir DIR] [--only NAME...] MYSQL_PROXY_BINARY
#   --root      repository root holding k8s/, docs/deployment.md, README.md and tests/k8s/renders/
#               (default: this script's repository); tests/k8s/selftest.sh points it at broken copies
#   --work-dir  where renders, the npm install and the extracted configs go (default:
#               build/k8s-validate); never the source tree
#   --only      check only these renders (base, dev, prod, external-db, ingress-tls, kind-local-path)
#
# For every kustomization (k8s/base, k8s/overlays/*, the kind StorageClass, and
# tests/k8s/renders/ingress-tls: dev with the ingress-tls component):
#   1. `kubectl kustomize` renders it;
#   2. validate-objects.mjs checks every object offline: Kubernetes schemas (npm
#      kubernetes-models) and unknown fields, probes, resources, Pod Security Standards
#      "restricted", Service/Ingress/Secret/ConfigMap/PVC/HPA/PDB/ServiceMonitor/Certificate
#      references (Secrets created by hand count when docs/deployment.md's kubectl create
#      secret lists them), NetworkPolicy reachability (ingress and egress), MariaDB (PDBs,
#      spread, binlog expiry, semi-sync), the proxy config's wiring (backends are Services,
#      ports, env vars, TLS files, drain vs. grace period), the mysql-write/mysql-read aliases,
#      the connection budget, backups, alert metric names (README's table), and for prod: no
#      demo, no placeholder Secret, TLS, alerts;
#   3. the proxy config from the render's ConfigMap goes through `mysql-proxy --check-config`
#      with the environment variables it names set to dummy values (and a throwaway
#      certificate where it names TLS files);
#   4. `promtool check rules` on each PrometheusRule's groups.
#
# Exit status: 0 all good; 1 a check failed (each failure is printed); 2 usage or set-up
# error (promtool, openssl, node or npm missing); 77 kubectl is missing (CTest reports the test
# as skipped).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=""
ONLY=()
PROXY=""
while (($#)); do
  case $1 in
    --root) ROOT=$(cd "$2" && pwd); shift 2 ;;
    --work-dir) WORK=$2; shift 2 ;;
    --only) ONLY+=("$2"); shift 2 ;;
    -h | --help) sed -n '2,31p' "$0"; exit 0 ;;
    -*) echo "validate.sh: unknown option $1" >&2; exit 2 ;;
    *) PROXY=$1; shift ;;
  esac
done
WORK=${WORK:-$ROOT/build/k8s-validate}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

die() { echo "validate.sh: $*" >&2; exit 2; }
[[ -n $PROXY ]] || die "usage: validate.sh [--root DIR] [--work-dir DIR] [--only NAME] MYSQL_PROXY_BINARY"
[[ -x $PROXY ]] || die "mysql-proxy binary '$PROXY' not found or not executable (build it: cmake --build build --target mysql-proxy)"
if ! command -v kubectl >/dev/null; then
  echo "validate.sh: SKIPPED: kubectl is not installed (it renders the kustomizations: kubectl kustomize)" >&2
  exit 77
fi
command -v node >/dev/null || die "node is not installed (scripts/setup.sh installs nodejs and npm)"
command -v npm >/dev/null || die "npm is not installed (scripts/setup.sh installs nodejs and npm)"
# No skipping these: the checks they run must not go missing quietly.
command -v promtool >/dev/null || die "promtool is not installed (Debian package prometheus; scripts/setup.sh installs it)"
command -v openssl >/dev/null || die "openssl is not installed (it makes the throwaway certificate for --check-config)"

# name:profiles:kustomization dir. "stack" renders deploy the stack and get every check; "prod"
# adds the production rules; "ingress-tls" wants HTTPS on every Ingress; "addon" ones
# (cluster-scoped extras) get only the generic checks.
TARGETS=(
  base:stack:k8s/base
  dev:stack:k8s/overlays/dev
  prod:prod:k8s/overlays/prod
  external-db:stack:k8s/overlays/external-db
  ingress-tls:stack,ingress-tls:tests/k8s/renders/ingress-tls
  kind-local-path:addon:k8s/overlays/dev/kind-local-path
)
if ((${#ONLY[@]})); then
  selected=()
  for t in "${TARGETS[@]}"; do
    for o in "${ONLY[@]}"; do
      if [[ ${t%%:*} == "$o" ]]; then selected+=("$t"); fi
    done
  done
  ((${#selected[@]})) || die "--only ${ONLY[*]}: no such render"
  TARGETS=("${selected[@]}")
fi

failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# ---------------------------------------------------------------- npm packages (cached)
# Installed from tests/k8s/package-lock.json into the work dir, again only when the lock
# file changes. validate-objects.mjs runs from there so Node finds the packages (ES modules
# ignore NODE_PATH).
NODE_DIR=$WORK/node
mkdir -p "$NODE_DIR"
lock_sum=$(sha256sum "$HERE/package-lock.json" "$HERE/package.json" | sha256sum | cut -d' ' -f1)
if [[ ! -d $NODE_DIR/node_modules || $(cat "$NODE_DIR/.installed" 2>/dev/null) != "$lock_sum" ]]; then
  echo "validate.sh: installing npm packages (kubernetes-models, yaml) into $NODE_DIR"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$NODE_DIR/"
  rm -f "$NODE_DIR/.installed"
  if ! (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error >"$NODE_DIR/npm.log" 2>&1); then
    cat "$NODE_DIR/npm.log" >&2
    die "npm ci failed in $NODE_DIR (the npm registry must be reachable on first run)"
  fi
  echo "$lock_sum" >"$NODE_DIR/.installed"
fi
cp "$HERE/validate-objects.mjs" "$NODE_DIR/"

# ---------------------------------------------------------------------------- 1. render
RENDER=$WORK/render
rm -rf "$RENDER"
mkdir -p "$RENDER"
node_args=()
for t in "${TARGETS[@]}"; do
  IFS=: read -r name profile dir <<<"$t"
  if [[ ! -f $ROOT/$dir/kustomization.yaml ]]; then
    fail "[$name] $dir/kustomization.yaml is missing"
    continue
  fi
  if ! kubectl kustomize "$ROOT/$dir" >"$RENDER/$name.yaml" 2>"$RENDER/$name.err"; then
    fail "[$name] kubectl kustomize $dir failed: $(tr '\n' ' ' <"$RENDER/$name.err")"
    continue
  fi
  node_args+=("$name:$profile:$RENDER/$name.yaml")
done

# --------------------------------------------------------------- 2. objects and wiring
if ((${#node_args[@]})); then
  if ! node "$NODE_DIR/validate-objects.mjs" --out "$RENDER" --docs "$ROOT/docs/deployment.md" \
    --readme "$ROOT/README.md" "${node_args[@]}"; then
    failures=$((failures + 1))
  fi
fi

# ----------------------------------------------------- 3. the proxy's own config check
for t in "${TARGETS[@]}"; do
  IFS=: read -r name profile _ <<<"$t"
  [[ ,$profile, == *,stack,* || ,$profile, == *,prod,* ]] || continue
  cfg=$RENDER/$name/proxy.yaml
  [[ -f $cfg ]] || continue # validate-objects.mjs already said why
  env_args=()
  while read -r var; do
    [[ -n $var ]] && env_args+=("$var=dummy-$var")
  done <"$RENDER/$name/proxy.env"
  # The config names TLS files (in the pod: a cert-manager Secret): a throwaway pair stands in.
  tls_files=()
  [[ -f $RENDER/$name/proxy.tls ]] && mapfile -t tls_files <"$RENDER/$name/proxy.tls"
  if ((${#tls_files[@]} == 2)); then
    mkdir -p "$(dirname "${tls_files[0]}")" "$(dirname "${tls_files[1]}")"
    if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
        -subj /CN=mysql-proxy -keyout "${tls_files[1]}" -out "${tls_files[0]}" >"$RENDER/$name/openssl.log" 2>&1; then
      die "openssl could not make a test certificate: $(tr '\n' ' ' <"$RENDER/$name/openssl.log")"
    fi
  fi
  if out=$(env -i PATH="$PATH" "${env_args[@]}" "$PROXY" --config "$cfg" --check-config 2>&1); then
    echo "ok   [$name] mysql-proxy --check-config: ${out##*: }"
  else
    fail "[$name] mysql-proxy --check-config rejects the proxy ConfigMap's proxy.yaml: $out"
  fi
done

# ------------------------------------------------------------ 4. the alerting rules
for t in "${TARGETS[@]}"; do
  IFS=: read -r name _ _ <<<"$t"
  rules=()
  for f in "$RENDER/$name"/rules/*.yaml; do [[ -f $f ]] && rules+=("$f"); done
  ((${#rules[@]})) || continue
  if out=$(promtool check rules "${rules[@]}" 2>&1); then
    echo "ok   [$name] promtool check rules: ${#rules[@]} file(s), $(grep -o '[0-9]* rules found' <<<"$out" | awk '{n += $1} END {print n + 0}') rules"
  else
    fail "[$name] promtool check rules rejects the PrometheusRule groups: $(tr '\n' ' ' <<<"$out")"
  fi
done

if ((failures)); then
  echo "validate.sh: FAILED (renders in $RENDER)"
  exit 1
fi
echo "validate.sh: all checks passed (${#TARGETS[@]} renders)"
