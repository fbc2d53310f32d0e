#!/usr/bin/env bash
# Proves that tests/k8s/validate.sh catches what it claims to (CTest: k8s.validate-catches-breakage).
#
# usage: tests/k8s/selftest.sh [--work-dir DIR] MYSQL_PROXY_BINARY
#
# Copies k8s/ to a scratch directory under $TMPDIR (/tmp),
# checks the untouched copy passes, then for each case breaks one manifest in a fresh copy and
# expects validate.sh to fail with a given message. The source tree is never modified.
# Exit status: 0 every breakage caught; 1 one was not (or the clean copy failed); 2 usage;
# 77 kubectl missing.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=""
PROXY=""
while (($#)); do
  case $1 in
    --work-dir) WORK=$2; shift 2 ;;
    -*) echo "selftest.sh: unknown option $1" >&2; exit 2 ;;
    *) PROXY=$1; shift ;;
  esac
done
[[ -n $PROXY ]] || { echo "usage: selftest.sh [--work-dir DIR] MYSQL_PROXY_BINARY" >&2; exit 2; }
command -v kubectl >/dev/null || { echo "selftest.sh: SKIPPED: kubectl is not installed" >&2; exit 77; }
WORK=${WORK:-$ROOT/build/k8s-validate}
mkdir -p "$WORK/node"

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/k8s-selftest.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
mkdir -p "$SCRATCH/work"
# Share validate.sh's npm install (k8s.validate runs first and fills it).
ln -s "$(cd "$WORK/node" && pwd)" "$SCRATCH/work/node"

fresh_copy() {
  rm -rf "$SCRATCH/root"
  mkdir -p "$SCRATCH/root/k8s"
  local d
  for d in base overlays components monitoring; do cp -r "$ROOT/k8s/$d" "$SCRATCH/root/k8s/"; done
}

# mutate FILE OLD NEW: replace the first occurrence of OLD (literal text) in the scratch copy;
# an OLD that is not there is an error, so a case cannot go stale silently.
mutate() {
  python3 - "$SCRATCH/root/$1" "$2" "$3" <<'EOF'
import sys
path, old, new = sys.argv[1:4]
text = open(path).read()
if old not in text:
    sys.exit(f"selftest.sh: case is stale: {path} does not contain {old!r}")
open(path, "w").write(text.replace(old, new, 1))
EOF
}

run_validate() { # render...
  local only=() r
  for r; do only+=(--only "$r"); done
  bash "$HERE/validate.sh" --root "$SCRATCH/root" --work-dir "$SCRATCH/work" "${only[@]}" "$PROXY" 2>&1
}

failed=0
passed=0

# The untouched copy must pass, or every "caught" below would prove nothing.
fresh_copy
if ! out=$(run_validate base dev prod external-db); then
  echo "FAIL the unmodified copy does not pass validate.sh:"
  echo "$out"
  exit 1
fi
echo "ok   the unmodified copy passes"

# expect_caught DESCRIPTION RENDER EXPECTED-TEXT FILE OLD NEW [FILE OLD NEW]...
expect_caught() {
  local desc=$1 render=$2 expected=$3 out rc=0
  shift 3
  fresh_copy
  while (($#)); do
    mutate "$1" "$2" "$3" || { failed=$((failed + 1)); return; }
    shift 3
  done
  out=$(run_validate "$render") || rc=$?
  if ((rc == 0)); then
    echo "FAIL not caught: $desc (validate.sh passed)"
    failed=$((failed + 1))
  elif [[ $out != *"$expected"* ]]; then
    echo "FAIL $desc: validate.sh failed, but without the expected message: $expected"
    echo "$out" | sed 's/^/    /'
    failed=$((failed + 1))
  else
    echo "ok   caught: $desc"
    echo "$out" | grep -F -m1 -- "$expected" | sed 's/^/       /'
    passed=$((passed + 1))
  fi
}

P=k8s/base/proxy
M=k8s/base/mysql
D=k8s/base/demo

# --- rendering
expect_caught "kustomization names a missing file" base "kubectl kustomize k8s/base failed" \
  k8s/base/kustomization.yaml "- networkpolicies.yaml" "- networkpolicy.yaml"
expect_caught "overlay adds objects without a namespace" external-db "no metadata.namespace" \
  k8s/overlays/external-db/kustomization.yaml $'namespace: mysql-proxy-demo\n' ""

# --- schemas and fields
expect_caught "schema: a string where an integer belongs" base "must be integer" \
  $P/deployment.yaml "replicas: 2" 'replicas: "two"'
expect_caught "schema: required field missing (Ingress pathType)" base "must have required property pathType" \
  $D/ingress.yaml "pathType: Prefix" "pathTyp: Prefix"
expect_caught "unknown field (typo)" base 'readinesProbe: unknown field (did you mean "readinessProbe"?)' \
  $P/deployment.yaml "readinessProbe:" "readinesProbe:"
expect_caught "unknown field inside volumeClaimTemplates" base 'storageClassNme: unknown field' \
  $M/primary.yaml "storageClassName: local-path" "storageClassNme: local-path"
expect_caught "enum value not allowed" base '"Onfailure" is not one of' \
  k8s/base/sample-data/job.yaml "restartPolicy: OnFailure" "restartPolicy: Onfailure"

# --- workloads
expect_caught "container without a liveness probe" base 'container "vew": no livenessProbe' \
  $D/vew.yaml "livenessProbe:" "startupProbe:"
expect_caught "container without a CPU limit" base 'container "bucket": no resources.limits.cpu' \
  $D/bucket.yaml "limits: { cpu: 500m, memory: 256Mi }" "limits: { memory: 256Mi }"
expect_caught "pod allowed to run as root" base "runAsNonRoot is not true" \
  $M/replicas.yaml "runAsNonRoot: true" "runAsNonRoot: false"
expect_caught "privilege escalation allowed" base 'initContainer "generate": securityContext.allowPrivilegeEscalation must be false' \
  k8s/base/sample-data/job.yaml "allowPrivilegeEscalation: false" "allowPrivilegeEscalation: true"

# --- references
expect_caught "Service selector matches no pods" base 'Service/mysql-replicas: selector' \
  $M/services.yaml $'    app.kubernetes.io/name: mysql\n    app.kubernetes.io/component: replica\n  ports:' $'    app.kubernetes.io/name: mysql\n    app.kubernetes.io/component: replca\n  ports:'
expect_caught "Service targetPort names no container port" base "targetPort \"adm1n\" is not a container port" \
  $P/service.yaml "targetPort: admin" "targetPort: adm1n"
expect_caught "Ingress backend names a missing Service" base 'backend Service "buckets" is not in the render' \
  $D/ingress.yaml "name: bucket" "name: buckets"
expect_caught "Ingress backend port not on the Service" base 'Service "vew" has no port' \
  $D/ingress.yaml "number: 8081" "number: 8090"
expect_caught "Secret key that does not exist" base 'has no key "monitor-password"' \
  k8s/base/secret.yaml "monitor-password:" "monitoring-password:"
expect_caught "HPA targets a missing Deployment" base "scaleTargetRef Deployment/mysql-proxy2 is not in the render" \
  $P/hpa.yaml $'    kind: Deployment\n    name: mysql-proxy' $'    kind: Deployment\n    name: mysql-proxy2'
expect_caught "PDB with both minAvailable and maxUnavailable" prod "needs exactly one of minAvailable and maxUnavailable" \
  k8s/overlays/prod/kustomization.yaml $'      - op: remove\n        path: /spec/maxUnavailable\n' ""
expect_caught "ServiceMonitor scrapes a port the Service lacks" prod 'endpoint port "metrics" is not a port name' \
  k8s/components/servicemonitor/servicemonitor.yaml "- port: admin" "- port: metrics"
expect_caught "external-db: EndpointSlice for the wrong Service" external-db 'Service/mysql-replicas: has no selector and no EndpointSlice' \
  k8s/overlays/external-db/endpoints.yaml "kubernetes.io/service-name: mysql-replicas" "kubernetes.io/service-name: mysql-replica"
expect_caught "dashboard ConfigMap lost its Grafana label" base 'no ConfigMap labelled grafana_dashboard' \
  k8s/monitoring/kustomization.yaml $'      labels:\n        grafana_dashboard: "1"' $'      labels:\n        grafana_dashboard: "0"'

# --- network policies
expect_caught "no NetworkPolicy for the proxy pods" base "no NetworkPolicy selects the mysql-proxy pods" \
  k8s/base/networkpolicies.yaml $'  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: mysql-proxy' $'  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: proxy'
expect_caught "MariaDB policy shuts out the proxy" base "Deployment/mysql-proxy cannot reach StatefulSet/mysql-primary:3306" \
  k8s/base/networkpolicies.yaml "app.kubernetes.io/name: mysql-proxy" "app.kubernetes.io/name: mysql-proxyy"
expect_caught "proxy policy shuts out its clients" base "Deployment/vew cannot reach Deployment/mysql-proxy:3306" \
  k8s/base/networkpolicies.yaml 'mysql-proxy/client: "true"' 'mysql-proxy/client: "yes"'
expect_caught "proxy port 3306 open to every pod" base "can reach Deployment/mysql-proxy:3306" \
  k8s/base/networkpolicies.yaml $'      ports:\n        - protocol: TCP\n          port: 3306\n    - from:\n        - podSelector: {}' $'      ports:\n        - protocol: TCP\n          port: 3306\n    - from:\n        - podSelector: {}\n      ports:\n        - protocol: TCP\n          port: 3306\n    - from:\n        - podSelector: {}'
expect_caught "database client without the client label" base "lack the label mysql-proxy/client" \
  $D/vew.yaml $'        mysql-proxy/client: "true"\n' ""

# --- the proxy config
expect_caught "backend host that is not a Service" base 'backends[1].host "mysql-replica" is not a Service' \
  $P/proxy.yaml "host: mysql-replicas" "host: mysql-replica"
expect_caught "replica backend behind a ClusterIP Service" base "which is not headless" \
  $M/services.yaml $'  clusterIP: None\n' ""
expect_caught "config names an env var the pod does not set" base "names ADMIN_TOKEN, which the proxy container's env does not set" \
  $P/proxy.yaml "token_env: MYSQL_PROXY_ADMIN_TOKEN" "token_env: ADMIN_TOKEN"
expect_caught "drain longer than the grace period" base "must exceed preStop (5s) + timeouts.drain (60s)" \
  $P/proxy.yaml "drain: 25s" "drain: 60s"
expect_caught "admin API on the pod network without a read token" base "with no admin.read_token_env (nor token_env)" \
  $P/proxy.yaml $'  token_env: MYSQL_PROXY_ADMIN_TOKEN\n  read_token_env: MYSQL_PROXY_ADMIN_READ_TOKEN\n' ""
expect_caught "admin token written in the ConfigMap" base "admin.read_token is written in the ConfigMap" \
  $P/proxy.yaml "read_token_env: MYSQL_PROXY_ADMIN_READ_TOKEN" "read_token: plain-text-token"
expect_caught "admin token env var not from a Secret" base "which is not taken from a Secret" \
  $P/deployment.yaml $'            - name: MYSQL_PROXY_ADMIN_READ_TOKEN\n              valueFrom:\n                secretKeyRef: { name: mysql-credentials, key: admin-read-token }' $'            - name: MYSQL_PROXY_ADMIN_READ_TOKEN\n              value: in-the-manifest'
expect_caught "config names a read token env var the pod does not set" base "names MYSQL_PROXY_READ_TOKEN, which the proxy container's env does not set" \
  $P/proxy.yaml "read_token_env: MYSQL_PROXY_ADMIN_READ_TOKEN" "read_token_env: MYSQL_PROXY_READ_TOKEN"
expect_caught "demo app reads the pool without the read token" base 'container "bucket" reads the proxy'"'"'s admin API (PROXY_ADMIN_URL) without PROXY_ADMIN_TOKEN' \
  $D/bucket.yaml $'            - name: PROXY_ADMIN_TOKEN\n' $'            - name: PROXY_ADMIN_TOKEN_UNUSED\n'
expect_caught "admin API bound to loopback" base "admin.address 127.0.0.1" \
  $P/proxy.yaml $'  address: 0.0.0.0\n  port: 9180' $'  address: 127.0.0.1\n  port: 9180'
expect_caught "readiness probe on the wrong path" base "readinessProbe must GET /readyz" \
  $P/deployment.yaml "path: /readyz" "path: /ready"
expect_caught "config that mysql-proxy --check-config rejects" dev "mysql-proxy --check-config rejects" \
  $P/proxy.yaml "format: json" "format: jsn"

echo "$passed passed, $failed failed"
((failed == 0))
