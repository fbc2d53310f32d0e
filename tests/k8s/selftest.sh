#!/usr/bin/env bash
# Proves that tests/k8s/validate.sh catches what it claims to (CTest: k8s.validate-catches-breakage).
#
# usage: tests/k8s/selftest.sh [--work-dir DIR] MYSQL_PROXY_BINARY
#
# Copies k8s/ (and what the checks read beside it: docs/deployment.md, README.md,
# tests/k8s/renders/) to a scratch directory under $TMPDIR (/tmp), checks the untouched copy
# passes, then for each case breaks one file in a fresh copy and expects validate.sh to fail with
# a given message. The source tree is never modified.
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
  mkdir -p "$SCRATCH/root/k8s" "$SCRATCH/root/docs" "$SCRATCH/root/tests/k8s"
  local d
  for d in base overlays components monitoring; do cp -r "$ROOT/k8s/$d" "$SCRATCH/root/k8s/"; done
  cp "$ROOT/docs/deployment.md" "$SCRATCH/root/docs/"
  cp "$ROOT/README.md" "$SCRATCH/root/"
  cp -r "$ROOT/tests/k8s/renders" "$SCRATCH/root/tests/k8s/"
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
if ! out=$(run_validate base dev prod external-db ingress-tls); then
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
D=k8s/components/demo
B=k8s/base/backup
N=k8s/base/networkpolicies.yaml
PROD=k8s/overlays/prod
TLS=k8s/components/proxy-tls
ALERTS=k8s/components/alerts/prometheusrule.yaml

# --- rendering
expect_caught "kustomization names a missing file" base "kubectl kustomize k8s/base failed" \
  k8s/base/kustomization.yaml "- networkpolicies.yaml" "- networkpolicy.yaml"
expect_caught "overlay adds objects without a namespace" external-db "no metadata.namespace" \
  k8s/overlays/external-db/kustomization.yaml $'namespace: mysql-proxy-demo\n' ""

# --- schemas and fields
expect_caught "schema: a string where an integer belongs" base "must be integer" \
  $P/deployment.yaml "replicas: 2" 'replicas: "two"'
expect_caught "schema: required field missing (Ingress pathType)" dev "must have required property pathType" \
  $D/ingress.yaml "pathType: Prefix" "pathTyp: Prefix"
expect_caught "unknown field (typo)" base 'readinesProbe: unknown field (did you mean "readinessProbe"?)' \
  $P/deployment.yaml "readinessProbe:" "readinesProbe:"
expect_caught "unknown field inside volumeClaimTemplates" base 'storageClassNme: unknown field' \
  $M/primary.yaml "storageClassName: local-path" "storageClassNme: local-path"
expect_caught "enum value not allowed" dev '"Onfailure" is not one of' \
  k8s/base/sample-data/job.yaml "restartPolicy: OnFailure" "restartPolicy: Onfailure"
expect_caught "CRD: unknown field in a Certificate" prod 'Certificate/mysql-proxy-tls: spec.dnsName: unknown field' \
  $TLS/certificate.yaml "  dnsNames:" "  dnsName:"

# --- workloads and the restricted Pod Security Standard
expect_caught "container without a liveness probe" dev 'container "vew": no livenessProbe' \
  $D/vew.yaml "livenessProbe:" "startupProbe:"
expect_caught "container without a CPU limit" external-db 'container "bucket": no resources.limits.cpu' \
  $D/bucket.yaml "limits: { cpu: 500m, memory: 256Mi }" "limits: { memory: 256Mi }"
expect_caught "pod allowed to run as root" base "runAsNonRoot is not true" \
  $M/replicas.yaml "runAsNonRoot: true" "runAsNonRoot: false"
expect_caught "privilege escalation allowed" dev 'initContainer "generate": securityContext.allowPrivilegeEscalation must be false' \
  k8s/base/sample-data/job.yaml "allowPrivilegeEscalation: false" "allowPrivilegeEscalation: true"
expect_caught "namespace not labelled restricted" base 'label pod-security.kubernetes.io/enforce is "baseline"' \
  k8s/base/namespace.yaml "pod-security.kubernetes.io/enforce: restricted" "pod-security.kubernetes.io/enforce: baseline"
expect_caught "restricted: a hostPath volume" base 'volume "run" is a hostPath volume' \
  $M/primary.yaml $'        - name: run\n          emptyDir: {}' $'        - name: run\n          hostPath: { path: /run/mysqld }'
expect_caught "restricted: hostNetwork" base "hostNetwork: true is not allowed" \
  $P/deployment.yaml $'      automountServiceAccountToken: false\n' $'      automountServiceAccountToken: false\n      hostNetwork: true\n'
expect_caught "restricted: a capability added" base "capabilities.add NET_ADMIN" \
  $P/deployment.yaml $'              drop: ["ALL"]' $'              drop: ["ALL"]\n              add: ["NET_ADMIN"]'
expect_caught "restricted: init container keeps its capabilities" base 'initContainer "init-config": securityContext.capabilities.drop must include ALL' \
  $M/primary.yaml $'              drop: ["ALL"]' $'              drop: ["NET_RAW"]'
expect_caught "restricted: container seccomp Unconfined" base "seccompProfile Unconfined is not allowed" \
  $B/cronjobs.yaml $'                allowPrivilegeEscalation: false\n' $'                allowPrivilegeEscalation: false\n                seccompProfile: { type: Unconfined }\n'

# --- references
expect_caught "Service selector matches no pods" base 'Service/mysql-replicas: selector' \
  $M/services.yaml $'    app.kubernetes.io/name: mysql\n    app.kubernetes.io/component: replica\n  ports:' $'    app.kubernetes.io/name: mysql\n    app.kubernetes.io/component: replca\n  ports:'
expect_caught "Service targetPort names no container port" base "targetPort \"adm1n\" is not a container port" \
  $P/service.yaml "targetPort: admin" "targetPort: adm1n"
expect_caught "Ingress backend names a missing Service" dev 'backend Service "buckets" is not in the render' \
  $D/ingress.yaml "name: bucket" "name: buckets"
expect_caught "Ingress backend port not on the Service" dev 'Service "vew" has no port' \
  $D/ingress.yaml "number: 8081" "number: 8090"
expect_caught "Secret key that does not exist" dev 'has no key "monitor-password"' \
  k8s/components/demo-credentials/secret.yaml "monitor-password:" "monitoring-password:"
expect_caught "HPA targets a missing Deployment" base "scaleTargetRef Deployment/mysql-proxy2 is not in the render" \
  $P/hpa.yaml $'    kind: Deployment\n    name: mysql-proxy' $'    kind: Deployment\n    name: mysql-proxy2'
expect_caught "PDB with both minAvailable and maxUnavailable" prod "needs exactly one of minAvailable and maxUnavailable" \
  $PROD/kustomization.yaml $'      - op: remove\n        path: /spec/maxUnavailable\n' ""
expect_caught "ServiceMonitor scrapes a port the Service lacks" prod 'endpoint port "metrics" is not a port name' \
  k8s/components/servicemonitor/servicemonitor.yaml "- port: admin" "- port: metrics"
expect_caught "external-db: EndpointSlice for the wrong Service" external-db 'Service/mysql-replicas: has no selector and no EndpointSlice' \
  k8s/overlays/external-db/endpoints.yaml "kubernetes.io/service-name: mysql-replicas" "kubernetes.io/service-name: mysql-replica"
expect_caught "dashboard ConfigMap lost its Grafana label" base 'no ConfigMap labelled grafana_dashboard' \
  k8s/monitoring/kustomization.yaml $'      labels:\n        grafana_dashboard: "1"' $'      labels:\n        grafana_dashboard: "0"'
expect_caught "Certificate from an Issuer not in the render" prod 'spec.issuerRef: Issuer "mysql-proxy-ca2" is not in the render' \
  $TLS/certificate.yaml "    name: mysql-proxy-ca" "    name: mysql-proxy-ca2"

# --- 1. credentials: none in prod, the rest created by hand as documented
expect_caught "prod renders the placeholder Secret" prod "holds placeholder values (CHANGE-ME" \
  $PROD/kustomization.yaml $'  - ../../components/proxy-tls\n' $'  - ../../components/proxy-tls\n  - ../../components/demo-credentials\n'
expect_caught "a key the documented kubectl create secret lacks" base 'Secret "mysql-credentials" has no key "backup-password"' \
  docs/deployment.md $'  --from-literal=backup-password="$(openssl rand -hex 24)" \\\n' ""
expect_caught "a Secret neither rendered nor documented" prod 'is neither in the render, nor made by a Certificate, nor created by hand' \
  docs/deployment.md "create secret generic mysql-credentials" "create secret generic mysql-creds"

# --- 2. TLS at the Ingress and on the proxy's MySQL port
expect_caught "Ingress without the ssl-redirect annotation" ingress-tls 'no annotation nginx.ingress.kubernetes.io/ssl-redirect: "true"' \
  k8s/components/ingress-tls/kustomization.yaml 'nginx.ingress.kubernetes.io/ssl-redirect: "true"' 'nginx.ingress.kubernetes.io/ssl-redirect: "false"'
expect_caught "Ingress host without a tls entry" ingress-tls "host mysql-proxy-demo.example.com has no spec.tls entry" \
  k8s/components/ingress-tls/kustomization.yaml "- hosts: [mysql-proxy-demo.example.com]" "- hosts: [other.example.com]"
expect_caught "prod proxy without TLS" prod "prod: the proxy offers no TLS to clients" \
  $PROD/proxy.yaml $'tls:\n  cert_file: /etc/mysql-proxy-tls/tls.crt\n  key_file: /etc/mysql-proxy-tls/tls.key\n' ""
expect_caught "proxy TLS file that the Secret does not hold" prod 'Secret "mysql-proxy-tls" has no key "server.crt"' \
  $PROD/proxy.yaml "cert_file: /etc/mysql-proxy-tls/tls.crt" "cert_file: /etc/mysql-proxy-tls/server.crt"
expect_caught "certificate Secret mounted elsewhere" prod "tls.cert_file /etc/mysql-proxy-tls/tls.crt is on no mounted volume" \
  $TLS/kustomization.yaml "mountPath: /etc/mysql-proxy-tls" "mountPath: /etc/tls"
expect_caught "proxy certificate misses an alias" prod "dnsNames lack mysql-read" \
  $TLS/certificate.yaml $'    - mysql-read\n' ""

# --- 3. MariaDB StatefulSets
expect_caught "no PDB for the replicas" base "StatefulSet/mysql-replica: no PodDisruptionBudget covers its pods" \
  $M/pdb.yaml $'      app.kubernetes.io/component: replica\n---' $'      app.kubernetes.io/component: replica-gone\n---'
expect_caught "replica PDB lets them all go" base "lets every pod of StatefulSet/mysql-replica go at once" \
  $M/pdb.yaml "maxUnavailable: 1" "maxUnavailable: 2"
expect_caught "replicas not spread over nodes" base "StatefulSet/mysql-replica: its pods are not spread over nodes" \
  $M/replicas.yaml "topologyKey: kubernetes.io/hostname" "topologyKey: kubernetes.io/os"
expect_caught "governing Service not headless" base 'spec.serviceName "mysql-primary" is not headless' \
  $M/primary.yaml "serviceName: mysql-primary-headless" "serviceName: mysql-primary"
expect_caught "binlogs never expire" base "binlogs never expire" \
  $M/config/common.cnf "binlog_expire_logs_seconds=604800" "binlog_expire_logs_seconds=0"
expect_caught "semi-sync off on the primary" base "rpl_semi_sync_master_enabled is not ON" \
  $M/config/primary.cnf "rpl_semi_sync_master_enabled=ON" "rpl_semi_sync_master_enabled=OFF"
expect_caught "semi-sync off on the replicas" base "rpl_semi_sync_slave_enabled is not ON" \
  $M/config/replica.cnf "rpl_semi_sync_slave_enabled=ON" "rpl_semi_sync_slave_enabled=OFF"
expect_caught "semi-sync plugin loaded (built in since 10.3)" base "loads a semisync plugin" \
  $M/config/common.cnf "log-bin"$'\n' "log-bin"$'\n'"plugin_load_add=semisync_master"$'\n'
expect_caught "semi-sync timeout that stalls writes" base "rpl_semi_sync_master_timeout 600000 ms is outside" \
  $M/config/primary.cnf "rpl_semi_sync_master_timeout=5000" "rpl_semi_sync_master_timeout=600000"

# --- 4. the connection budget
expect_caught "HPA scaled past the connection budget" prod "connection budget: 21 proxy pods" \
  $PROD/kustomization.yaml $'        path: /spec/maxReplicas\n        value: 10' $'        path: /spec/maxReplicas\n        value: 20'
expect_caught "max_connections below the budget" base "> max_connections 300" \
  $M/config/common.cnf "max_connections=500" "max_connections=300"

# --- 5. backups
expect_caught "no backup CronJob" base "no backups: no CronJob runs mariadb-dump" \
  $B/kustomization.yaml $'  - cronjobs.yaml\n' ""
expect_caught "backups into an emptyDir" base 'container "backup" writes its dumps to no PersistentVolumeClaim' \
  $B/cronjobs.yaml $'            - name: backups\n              persistentVolumeClaim:\n                claimName: mysql-backups\n' $'            - name: backups\n              emptyDir: {}\n'
expect_caught "backup volume claim not rendered" base 'PersistentVolumeClaim "mysql-backup" is not in the render' \
  $B/cronjobs.yaml "claimName: mysql-backups" "claimName: mysql-backup"
expect_caught "backup password written in the manifest" base "the backup's credentials must come from a Secret" \
  $B/cronjobs.yaml $'                  valueFrom:\n                    secretKeyRef: { name: mysql-credentials, key: backup-password }' $'                  value: in-the-manifest'
expect_caught "restore on a schedule" base "runs a restore on a schedule" \
  $B/cronjobs.yaml $'  suspend: true\n' $'  suspend: false\n'

# --- 6. alerting
expect_caught "alert on a metric the proxy does not export" prod "metric mysql_proxy_backend_is_primary is not in README.md's metrics table" \
  $ALERTS "(mysql_proxy_backend_primary) == 0" "(mysql_proxy_backend_is_primary) == 0"
expect_caught "alert expression promtool rejects" prod "promtool check rules rejects" \
  $ALERTS "expr: sum by (namespace, pod) (mysql_proxy_backend_primary) == 0" "expr: sum by (namespace, pod) (mysql_proxy_backend_primary) =="
expect_caught "PrometheusRule without the release label" prod "PrometheusRule/mysql-proxy: no release label" \
  $ALERTS $'    release: kube-prometheus-stack\n' ""
expect_caught "no split-brain alert" prod "prod: no alert for two writable servers" \
  $ALERTS "increase(mysql_proxy_split_brain_detected_total[5m])" "increase(mysql_proxy_config_reloads_total[5m])"

# --- 7. network policies, egress included
expect_caught "no ingress NetworkPolicy for the proxy pods" base "no ingress NetworkPolicy selects the mysql-proxy pods" \
  $N $'  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: mysql-proxy' $'  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: proxy'
expect_caught "MariaDB policy shuts out the proxy" base "Deployment/mysql-proxy cannot reach StatefulSet/mysql-primary:3306" \
  $N $'    - from:\n        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: mysql-proxy\n' $'    - from:\n        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: mysql-proxyy\n'
expect_caught "proxy policy shuts out its clients" dev "Deployment/vew cannot reach Deployment/mysql-proxy:3306" \
  $N 'mysql-proxy/client: "true"' 'mysql-proxy/client: "yes"'
expect_caught "proxy port 3306 open to every pod" base "can reach Deployment/mysql-proxy:3306" \
  $N $'      ports:\n        - protocol: TCP\n          port: 3306\n    - from:\n        - podSelector: {}' $'      ports:\n        - protocol: TCP\n          port: 3306\n    - from:\n        - podSelector: {}\n      ports:\n        - protocol: TCP\n          port: 3306\n    - from:\n        - podSelector: {}'
expect_caught "database client without the client label" dev "lack the label mysql-proxy/client" \
  $D/vew.yaml $'        mysql-proxy/client: "true"\n' ""
expect_caught "egress open to everywhere" base "its pods can open connections anywhere" \
  $N $'  name: default-deny-egress\nspec:\n  podSelector: {}\n  policyTypes: ["Egress"]\n' $'  name: default-deny-egress\nspec:\n  podSelector: {}\n  policyTypes: ["Egress"]\n  egress:\n    - {}\n'
expect_caught "DNS egress blocked" base "cannot reach the cluster DNS (kube-system, k8s-app: kube-dns):53/UDP" \
  $N "k8s-app: kube-dns" "k8s-app: coredns"
expect_caught "proxy egress to MariaDB blocked" base "blocked by Deployment/mysql-proxy's egress policies" \
  $N $'  egress:\n    - to:\n        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: mysql\n' $'  egress:\n    - to:\n        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: mariadb\n'
expect_caught "backup egress to the replicas blocked" base "CronJob/mysql-backup cannot reach StatefulSet/mysql-replica:3306" \
  $N $'      app.kubernetes.io/component: backup\n  policyTypes: ["Egress"]' $'      app.kubernetes.io/component: backups\n  policyTypes: ["Egress"]'
expect_caught "sample-data Job cannot reach the primary" dev "Job/load-sample-data cannot reach StatefulSet/mysql-primary:3306" \
  k8s/components/sample-data/networkpolicy.yaml $'              app.kubernetes.io/component: primary\n      ports:' $'              app.kubernetes.io/component: replica\n      ports:'
expect_caught "external-db: no egress to a replica's address" external-db "cannot reach 192.0.2.12 (Service mysql-replicas):3306" \
  k8s/overlays/external-db/networkpolicy.yaml $'        - ipBlock:\n            cidr: 192.0.2.12/32\n' ""

# --- 8. the mysql-write / mysql-read aliases
expect_caught "mysql-read alias missing" base "no Service mysql-read" \
  $P/aliases.yaml "  name: mysql-read" "  name: mysql-reader"
expect_caught "mysql-write alias leads to MariaDB" base "Service/mysql-write: does not lead to the proxy pods alone" \
  $P/aliases.yaml $'  selector:\n    app.kubernetes.io/name: mysql-proxy' $'  selector:\n    app.kubernetes.io/name: mysql'
expect_caught "alias scraped as a second target" prod "scrapes the pods of Deployment/mysql-proxy 2 times" \
  $P/aliases.yaml $'    app.kubernetes.io/component: proxy-alias\nspec:' $'    app.kubernetes.io/name: mysql-proxy\nspec:' \
  $P/aliases.yaml $'      targetPort: mysql\n---' $'      targetPort: mysql\n    - name: admin\n      port: 9180\n      targetPort: admin\n---'

# --- 9. no demo in prod
expect_caught "prod includes the demo apps" prod "prod carries the demo (app.kubernetes.io/component: demo)" \
  $PROD/kustomization.yaml $'  - ../../components/proxy-tls\n' $'  - ../../components/proxy-tls\n  - ../../components/demo\n'
expect_caught "prod includes the sample-data Job" prod "prod carries the demo (app.kubernetes.io/component: sample-data)" \
  $PROD/kustomization.yaml $'  - ../../components/proxy-tls\n' $'  - ../../components/proxy-tls\n  - ../../components/sample-data\n'

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
expect_caught "demo app reads the pool without the read token" dev 'container "bucket" reads the proxy'"'"'s admin API (PROXY_ADMIN_URL) without PROXY_ADMIN_TOKEN' \
  $D/bucket.yaml $'            - name: PROXY_ADMIN_TOKEN\n' $'            - name: PROXY_ADMIN_TOKEN_UNUSED\n'
expect_caught "admin API bound to loopback" base "admin.address 127.0.0.1" \
  $P/proxy.yaml $'  address: 0.0.0.0\n  port: 9180' $'  address: 127.0.0.1\n  port: 9180'
expect_caught "readiness probe on the wrong path" base "readinessProbe must GET /readyz" \
  $P/deployment.yaml "path: /readyz" "path: /ready"
expect_caught "config that mysql-proxy --check-config rejects" dev "mysql-proxy --check-config rejects" \
  $P/proxy.yaml "format: json" "format: jsn"

echo "$passed passed, $failed failed"
((failed == 0))
