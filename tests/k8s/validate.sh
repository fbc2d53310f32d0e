#!/usr/bin/env bash
# Offline checks of the Kubernetes manifests in k8s/ (run by CTest as k8s.validate).
#
# usage: tests/k8s/validate.sh [--root DIR] [--work-dir DIR] [--only NAME...] MYSQL_PROXY_BINARY
#   --root      repository root holding k8s/ and scripts/ (default: this script's repository);
#               tests/k8s/selftest.sh points it at broken copies
#   --work-dir  where renders, the npm install and the extracted configs go (default:
#               build/k8s-validate); never the source tree
#   --only      check only these renders (base, dev, prod, external-db, kind-local-path)
#
# For every kustomization (k8s/base, k8s/overlays/*, the kind StorageClass):
#   1. `kubectl kustomize` renders it;
#   2. validate-objects.mjs checks every object offline: Kubernetes schemas (npm
#      kubernetes-models) and unknown fields, probes, resources, non-root security contexts,
#      Service/Ingress/Secret/ConfigMap/HPA/PDB/ServiceMonitor references, NetworkPolicy
#      reachability, and the proxy config's wiring (backends are Services, ports, env vars,
#      drain vs. grace period);
#   3. the proxy config from the render's ConfigMap goes through `mysql-proxy --check-config`
#      with the environment variables it names set to dummy values.
#
# Exit status: 0 all good; 1 a check failed (each failure is printed); 2 usage or set-up
# error; 77 kubectl is missing (CTest reports the test as skipped).
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
    -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
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

# name:profile:kustomization dir. "stack" renders deploy the demo and get every check;
# "addon" ones (cluster-scoped extras) only the generic ones.
TARGETS=(
  base:stack:k8s/base
  dev:stack:k8s/overlays/dev
  prod:stack:k8s/overlays/prod
  external-db:stack:k8s/overlays/external-db
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
  if ! node "$NODE_DIR/validate-objects.mjs" --out "$RENDER" "${node_args[@]}"; then
    failures=$((failures + 1))
  fi
fi

# ----------------------------------------------------- 3. the proxy's own config check
for t in "${TARGETS[@]}"; do
  IFS=: read -r name profile _ <<<"$t"
  [[ $profile == stack ]] || continue
  cfg=$RENDER/$name/proxy.yaml
  [[ -f $cfg ]] || continue # validate-objects.mjs already said why
  env_args=()
  while read -r var; do
    [[ -n $var ]] && env_args+=("$var=dummy-$var")
  done <"$RENDER/$name/proxy.env"
  if out=$(env -i PATH="$PATH" "${env_args[@]}" "$PROXY" --config "$cfg" --check-config 2>&1); then
    echo "ok   [$name] mysql-proxy --check-config: ${out##*: }"
  else
    fail "[$name] mysql-proxy --check-config rejects the proxy ConfigMap's proxy.yaml: $out"
  fi
done

if ((failures)); then
  echo "validate.sh: FAILED (renders in $RENDER)"
  exit 1
fi
echo "validate.sh: all checks passed (${#TARGETS[@]} renders)"
