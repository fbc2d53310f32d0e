// Validates rendered Kubernetes manifests (the output of `kubectl kustomize`) offline.
//
// usage: node validate-objects.mjs --out DIR [--docs FILE] [--readme FILE] NAME:PROFILES:FILE...
//   PROFILES, comma-separated:
//   "stack": a deployment of the stack (k8s/base and the overlays): every generic check plus the
//            stack's own (network policies, proxy config, MariaDB, backups, connection budget);
//   "prod": also what production needs: no demo, no placeholder Secret, external credentials
//           left alone, TLS to the proxy and at the Ingress, alerts for the failure modes;
//   "ingress-tls": every Ingress serves HTTPS (cert-manager Certificate, ssl-redirect);
//   "addon": cluster-level extras (a StorageClass): the generic checks only.
//   --docs   docs/deployment.md: Secrets created by hand (`kubectl create secret generic NAME
//            --from-literal=KEY=...`) count as present for the references.
//   --readme README.md: its metrics table lists the metric names alerts may use.
//
// For each render:
//   - schema: every object against the Kubernetes OpenAPI schemas (npm kubernetes-models,
//     validate()), plus unknown fields, which validate() lets through but `kubectl apply`
//     rejects (checked against the models' TypeScript declarations); CRDs (ServiceMonitor,
//     PrometheusRule, cert-manager Issuer and Certificate) by hand;
//   - names, namespaces, labels, duplicates; the namespace's Pod Security Standards labels;
//   - workloads: probes, resources, the Pod Security Standards "restricted" profile (containers
//     and init containers), selectors, volume mounts;
//   - references: Service selectors -> pod templates and container ports, selector-less
//     Services -> EndpointSlices, Ingress -> Services, Secrets (rendered, made by a Certificate,
//     or documented as created by hand) / ConfigMaps / PersistentVolumeClaims, HPA, PDB,
//     StatefulSet serviceName (a headless Service selecting its pods), ServiceMonitor ->
//     Service port, Certificate -> Issuer;
//   - NetworkPolicies: present for the mysql and proxy pods, default-deny egress, and who can
//     reach whom (ingress and egress both, DNS included);
//   - MariaDB: disruption budgets, spreading over nodes, binlog expiry, semi-synchronous
//     replication (from the rendered my.cnf pieces);
//   - the proxy's config (from its ConfigMap, found through the Deployment's --config and
//     volume mount): backends are Services (replicas headless), ports, probes, env vars, TLS
//     files in a mounted Secret, drain time vs. grace period, the mysql-write/mysql-read
//     aliases, and the connection budget (proxy pods x pool + monitor + reserve <= the servers'
//     max_connections). Written to DIR/NAME/proxy.yaml (TLS paths pointed at DIR/NAME/tls/),
//     with the environment variable names it needs in DIR/NAME/proxy.env and the TLS files to
//     make in DIR/NAME/proxy.tls, for `mysql-proxy --check-config`;
//   - backups: the CronJob, its volume claim and Secret, a restore that never runs by itself;
//   - alerts: each PrometheusRule's groups go to DIR/NAME/rules/*.yaml for `promtool check
//     rules`; the metric names they use must be in README's metrics table.
// Problems are printed as "FAIL [render] Kind/name: what"; exit status 1 if there are any.

import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NODE_MODULES = path.join(HERE, "node_modules");

// ------------------------------------------------------------------------------ arguments

let outDir = null;
let docsFile = null;
let readmeFile = null;
const targets = [];
const PROFILES = new Set(["stack", "addon", "prod", "ingress-tls"]);
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") outDir = argv[++i];
    else if (argv[i] === "--docs") docsFile = argv[++i];
    else if (argv[i] === "--readme") readmeFile = argv[++i];
    else {
      const m = /^([^:]+):([a-z,-]+):(.+)$/.exec(argv[i]);
      if (!m) usage(`bad target '${argv[i]}'`);
      const flags = new Set(m[2].split(","));
      for (const f of flags) if (!PROFILES.has(f)) usage(`unknown profile '${f}' in '${argv[i]}'`);
      if (flags.has("prod")) flags.add("stack").add("ingress-tls");
      targets.push({ name: m[1], profile: flags.has("stack") ? "stack" : "addon", flags, file: m[3] });
    }
  }
  if (!outDir || targets.length === 0) usage("need --out and at least one target");
}
function usage(msg) {
  console.error(`validate-objects: ${msg}\nusage: node validate-objects.mjs --out DIR [--docs FILE] [--readme FILE] NAME:PROFILES:FILE...`);
  process.exit(2);
}

// --------------------------------------------------------------------------------- report

let problemCount = 0;
function reporter(render) {
  return (obj, msg) => {
    problemCount++;
    const what = obj ? `${obj.kind ?? "?"}/${obj.metadata?.name ?? "?"}` : "render";
    console.log(`FAIL [${render}] ${what}: ${msg}`);
  };
}

// ---------------------------------------------------------------------- schema (validate())

const modelCache = new Map();
async function modelFor(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let model = null;
  if (/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) && /^[A-Za-z]+$/.test(kind)) {
    try {
      const mod = await import(`kubernetes-models/${apiVersion}`);
      model = typeof mod[kind] === "function" ? mod[kind] : null;
    } catch {
      model = null; // an API group the models do not have
    }
  }
  modelCache.set(key, model);
  return model;
}

function schemaErrors(Model, obj) {
  try {
    new Model(structuredClone(obj)).validate();
    return [];
  } catch (e) {
    const errs = e?.errors ?? e?.details;
    if (Array.isArray(errs) && errs.length) {
      return errs.map((x) => `${x.instancePath || x.dataPath || "/"} ${x.message}`);
    }
    return [String(e?.message ?? e)];
  }
}

// ------------------------------------------------- unknown fields (TypeScript declarations)

// The models' .d.ts files declare each API type as an interface with quoted field names, e.g.
//   export interface IContainer { "args"?: Array<string>; "env"?: Array<IIoK8sApiCoreV1EnvVar>; ... }
// with imports for the referenced types. That is enough to walk an object and find fields the
// API does not have (a typo such as "readinesProbe" is otherwise silently dropped).
const dtsCache = new Map();
function parseDts(file) {
  if (dtsCache.has(file)) return dtsCache.get(file);
  let parsed = null;
  if (existsSync(file)) {
    const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
    const imports = {};
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)";/g)) {
      const spec = m[2];
      const target = spec.startsWith(".")
        ? path.resolve(path.dirname(file), `${spec}.d.ts`)
        : path.join(NODE_MODULES, `${spec}.d.ts`);
      for (const name of m[1].split(",").map((s) => s.trim()).filter(Boolean)) imports[name] = target;
    }
    const iface = /export interface (\w+)(?:\s+extends[^{]*)?\s*\{([\s\S]*?)\n\}/.exec(text);
    if (iface) {
      parsed = { kind: "interface", name: iface[1], fields: splitMembers(iface[2]), imports, file };
    } else if (/export declare type \w+ =/.test(text)) {
      parsed = { kind: "alias" }; // IntOrString, Quantity, Time, ...: scalars
    }
  }
  dtsCache.set(file, parsed);
  return parsed;
}

// Members of an interface body, split at ";" outside braces and angle brackets.
function splitMembers(body) {
  const fields = {};
  let depth = 0;
  let cur = "";
  for (const ch of body) {
    if (ch === "{" || ch === "<") depth++;
    if (ch === "}" || ch === ">") depth--;
    if (ch === ";" && depth === 0) {
      addMember(fields, cur);
      cur = "";
    } else cur += ch;
  }
  addMember(fields, cur);
  return fields;
}
function addMember(fields, text) {
  const m = /^\s*"([^"]+)"\??\s*:\s*([\s\S]+?)\s*$/.exec(text);
  if (m) fields[m[1]] = m[2].replace(/\s+/g, " ");
}

const UNRESOLVED = new Set();
const LEAVES = new Set(); // VALIDATE_DEBUG_LEAVES=1: the scalar types met, to see what the walk skips
function checkFields(value, type, ctx, where, report) {
  if (value === null || value === undefined) return;
  type = type.trim();
  let m;
  if ((m = /^Array<(.+)>$/.exec(type))) {
    if (Array.isArray(value)) value.forEach((v, i) => checkFields(v, m[1], ctx, `${where}[${i}]`, report));
    return;
  }
  if ((m = /^\{ ?\[key: string\]: (.+?);? ?\}$/.exec(type))) {
    if (isObject(value)) for (const [k, v] of Object.entries(value)) checkFields(v, m[1], ctx, `${where}.${k}`, report);
    return;
  }
  let decl;
  if ((m = /^\{(.*)\}$/.exec(type))) {
    // an inline object type, e.g. volumeClaimTemplates: Array<{ "metadata"?: ...; "spec"?: ... }>
    decl = { kind: "interface", fields: splitMembers(m[1]), imports: ctx.imports, file: ctx.file, name: ctx.name };
  } else if (/^I\w+$/.test(type)) {
    const file = type === ctx.name || type === `I${ctx.name}` ? ctx.file : ctx.imports[type];
    decl = file ? parseDts(file) : null;
    if (!decl) {
      UNRESOLVED.add(`${type} (from ${path.relative(NODE_MODULES, ctx.file)})`);
      return;
    }
  } else {
    if (process.env.VALIDATE_DEBUG_LEAVES) LEAVES.add(type);
    // An enum ("Always" | "IfNotPresent" | "Never"): the value must be one of them.
    if (/^"[^"]*"( \| "[^"]*")*$/.test(type) && typeof value === "string") {
      const allowed = [...type.matchAll(/"([^"]*)"/g)].map((x) => x[1]);
      if (!allowed.includes(value)) report(`${where}: "${value}" is not one of ${allowed.join(", ")}`);
    }
    return; // string, number, boolean, any
  }
  if (decl.kind !== "interface" || !isObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (!(k in decl.fields)) {
      const hint = suggest(k, Object.keys(decl.fields));
      report(`${where ? `${where}.` : ""}${k}: unknown field${hint ? ` (did you mean "${hint}"?)` : ""}`);
      continue;
    }
    checkFields(v, decl.fields[k], decl, where ? `${where}.${k}` : k, report);
  }
}

function rootDecl(apiVersion, kind) {
  return parseDts(path.join(NODE_MODULES, "kubernetes-models", apiVersion, `${kind}.d.ts`));
}

function suggest(word, candidates) {
  let best = null;
  let bestD = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}
function editDistance(a, b) {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return dp[a.length][b.length];
}

// ------------------------------------------------------------------- CRDs checked by hand

const SERVICEMONITOR_SPEC_KEYS = new Set([
  "attachMetadata", "bodySizeLimit", "endpoints", "fallbackScrapeProtocol", "jobLabel",
  "keepDroppedTargets", "labelLimit", "labelNameLengthLimit", "labelValueLengthLimit",
  "namespaceSelector", "podTargetLabels", "sampleLimit", "scrapeClass", "scrapeProtocols",
  "selector", "selectorMechanism", "targetLabels", "targetLimit",
]);
const SERVICEMONITOR_ENDPOINT_KEYS = new Set([
  "authorization", "basicAuth", "bearerTokenFile", "bearerTokenSecret", "enableHttp2",
  "filterRunning", "followRedirects", "honorLabels", "honorTimestamps", "interval",
  "metricRelabelings", "noProxy", "oauth2", "params", "path", "port", "proxyConnectHeader",
  "proxyFromEnvironment", "proxyUrl", "relabelings", "scheme", "scrapeTimeout", "targetPort",
  "tlsConfig", "trackTimestampsStaleness",
]);
const PROM_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;

function checkServiceMonitor(obj, report) {
  const spec = obj.spec;
  if (obj.apiVersion !== "monitoring.coreos.com/v1") report(`apiVersion must be monitoring.coreos.com/v1, got ${obj.apiVersion}`);
  if (!isObject(spec)) return report("spec is required");
  for (const k of Object.keys(spec)) if (!SERVICEMONITOR_SPEC_KEYS.has(k)) report(`spec.${k}: unknown field`);
  if (!isObject(spec.selector)) report("spec.selector is required (a label selector for the Services)");
  if (!Array.isArray(spec.endpoints) || spec.endpoints.length === 0) return report("spec.endpoints must list at least one endpoint");
  spec.endpoints.forEach((ep, i) => {
    if (!isObject(ep)) return report(`spec.endpoints[${i}] must be a mapping`);
    for (const k of Object.keys(ep)) if (!SERVICEMONITOR_ENDPOINT_KEYS.has(k)) report(`spec.endpoints[${i}].${k}: unknown field`);
    if (ep.port === undefined && ep.targetPort === undefined) report(`spec.endpoints[${i}] needs port (a Service port name) or targetPort`);
    if (ep.port !== undefined && typeof ep.port !== "string") report(`spec.endpoints[${i}].port must be a port name (string)`);
    if (ep.path !== undefined && !String(ep.path).startsWith("/")) report(`spec.endpoints[${i}].path must start with /`);
    for (const k of ["interval", "scrapeTimeout"])
      if (ep[k] !== undefined && !PROM_DURATION.test(String(ep[k]))) report(`spec.endpoints[${i}].${k}: not a Prometheus duration: ${ep[k]}`);
  });
}

const PROMETHEUSRULE_GROUP_KEYS = new Set(["name", "interval", "rules", "limit", "partial_response_strategy", "query_offset", "labels"]);
const PROMETHEUSRULE_RULE_KEYS = new Set(["alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"]);

function checkPrometheusRule(obj, report) {
  if (obj.apiVersion !== "monitoring.coreos.com/v1") report(`apiVersion must be monitoring.coreos.com/v1, got ${obj.apiVersion}`);
  const spec = obj.spec;
  if (!isObject(spec)) return report("spec is required");
  for (const k of Object.keys(spec)) if (k !== "groups") report(`spec.${k}: unknown field`);
  if (!Array.isArray(spec.groups) || spec.groups.length === 0) return report("spec.groups must list at least one group");
  const names = new Set();
  spec.groups.forEach((g, i) => {
    const at = `spec.groups[${i}]`;
    if (!isObject(g)) return report(`${at} must be a mapping`);
    for (const k of Object.keys(g)) if (!PROMETHEUSRULE_GROUP_KEYS.has(k)) report(`${at}.${k}: unknown field`);
    if (typeof g.name !== "string" || !g.name) report(`${at}.name is required`);
    else if (names.has(g.name)) report(`${at}: group name "${g.name}" used twice`);
    names.add(g.name);
    if (!Array.isArray(g.rules) || g.rules.length === 0) return report(`${at}.rules must list at least one rule`);
    g.rules.forEach((r, j) => {
      const rat = `${at}.rules[${j}]`;
      if (!isObject(r)) return report(`${rat} must be a mapping`);
      for (const k of Object.keys(r)) if (!PROMETHEUSRULE_RULE_KEYS.has(k)) report(`${rat}.${k}: unknown field`);
      if ((r.alert === undefined) === (r.record === undefined)) report(`${rat} needs exactly one of alert and record`);
      if (typeof r.expr !== "string" || !r.expr.trim()) report(`${rat}.expr must be a non-empty string`);
      for (const k of ["labels", "annotations"])
        for (const [lk, lv] of Object.entries(r[k] ?? {})) if (typeof lv !== "string") report(`${rat}.${k}.${lk} must be a string`);
    });
  });
}

// cert-manager.io/v1: the fields these manifests may use, checked by hand (no CRD schemas here).
const CERTIFICATE_SPEC_KEYS = new Set([
  "additionalOutputFormats", "commonName", "dnsNames", "duration", "emailAddresses", "encodeUsagesInRequest",
  "ipAddresses", "isCA", "issuerRef", "keystores", "literalSubject", "nameConstraints", "otherNames",
  "privateKey", "renewBefore", "renewBeforePercentage", "revisionHistoryLimit", "secretName", "secretTemplate",
  "subject", "uris", "usages",
]);
const CERTIFICATE_PRIVATEKEY_KEYS = new Set(["algorithm", "encoding", "rotationPolicy", "size"]);
const ISSUER_KINDS = ["acme", "ca", "selfSigned", "vault", "venafi"];
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(h|m|s|ms|us|ns))+$/;
// The keys cert-manager writes into a Certificate's Secret.
const CERTIFICATE_SECRET_KEYS = ["tls.crt", "tls.key", "ca.crt"];

function checkCertificate(obj, report) {
  if (obj.apiVersion !== "cert-manager.io/v1") report(`apiVersion must be cert-manager.io/v1, got ${obj.apiVersion}`);
  const spec = obj.spec;
  if (!isObject(spec)) return report("spec is required");
  for (const k of Object.keys(spec)) if (!CERTIFICATE_SPEC_KEYS.has(k)) report(`spec.${k}: unknown field`);
  if (typeof spec.secretName !== "string" || !DNS1123_SUBDOMAIN.test(spec.secretName)) report("spec.secretName must name the Secret to write");
  if (!isObject(spec.issuerRef) || typeof spec.issuerRef.name !== "string") report("spec.issuerRef.name is required");
  else if (spec.issuerRef.kind !== undefined && !["Issuer", "ClusterIssuer"].includes(spec.issuerRef.kind))
    report(`spec.issuerRef.kind "${spec.issuerRef.kind}" is not Issuer or ClusterIssuer`);
  if (!spec.commonName && !(spec.dnsNames ?? []).length && !(spec.ipAddresses ?? []).length && !(spec.uris ?? []).length)
    report("names nothing: set dnsNames (or commonName)");
  for (const k of ["duration", "renewBefore"])
    if (spec[k] !== undefined && !GO_DURATION.test(String(spec[k]))) report(`spec.${k}: not a duration: ${spec[k]}`);
  for (const k of Object.keys(spec.privateKey ?? {})) if (!CERTIFICATE_PRIVATEKEY_KEYS.has(k)) report(`spec.privateKey.${k}: unknown field`);
}

function checkIssuer(obj, report) {
  if (obj.apiVersion !== "cert-manager.io/v1") report(`apiVersion must be cert-manager.io/v1, got ${obj.apiVersion}`);
  const spec = obj.spec;
  if (!isObject(spec)) return report("spec is required");
  for (const k of Object.keys(spec)) if (!ISSUER_KINDS.includes(k)) report(`spec.${k}: unknown field`);
  const kinds = ISSUER_KINDS.filter((k) => spec[k] !== undefined);
  if (kinds.length !== 1) report(`needs exactly one of spec.${ISSUER_KINDS.join(", spec.")}`);
  if (spec.ca && typeof spec.ca.secretName !== "string") report("spec.ca.secretName is required");
  if (spec.acme) {
    const a = spec.acme;
    if (!/^https:\/\//.test(String(a.server ?? ""))) report("spec.acme.server must be the ACME directory's https URL");
    if (!a.privateKeySecretRef?.name) report("spec.acme.privateKeySecretRef.name is required");
    if (!Array.isArray(a.solvers) || a.solvers.length === 0) report("spec.acme.solvers must list at least one solver");
  }
}

// ------------------------------------------------------------------ documents and configs

// Secrets created by hand, as docs/deployment.md says: `kubectl create secret generic NAME
// --from-literal=KEY=... [--from-file=KEY=...]` (a command continued over lines with "\").
function documentedSecrets() {
  const out = new Map(); // name -> Set of keys
  if (!docsFile) return out;
  let text;
  try {
    text = readFileSync(docsFile, "utf8");
  } catch {
    return out;
  }
  for (const line of text.replace(/\\\n/g, " ").split("\n")) {
    const m = /\bcreate secret generic\s+([a-z0-9][-a-z0-9.]*)/.exec(line);
    if (!m) continue;
    const keys = out.get(m[1]) ?? new Set();
    for (const k of line.matchAll(/--from-(?:literal|file)=([-._a-zA-Z0-9]+)=/g)) keys.add(k[1]);
    out.set(m[1], keys);
  }
  return out;
}

// README.md's "## Metrics" table: the metric names in its first column. A cell may shorten
// siblings (`mysql_proxy_backend_connections_open` / `_in_use`): a name starting with "_" is
// taken as any "_"-cut of the cell's full name plus it; `process_*` is a prefix.
function readmeMetrics() {
  if (!readmeFile) return null;
  let text;
  try {
    text = readFileSync(readmeFile, "utf8");
  } catch (e) {
    return { error: `cannot read ${readmeFile}: ${e.message}` };
  }
  const start = text.search(/^## Metrics\s*$/m);
  if (start < 0) return { error: `${readmeFile} has no "## Metrics" section` };
  const rest = text.slice(start + 3);
  const end = rest.search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  const names = new Set();
  const prefixes = [];
  for (const line of section.split("\n")) {
    if (!line.startsWith("|")) continue;
    let full = null;
    for (const m of (line.split("|")[1] ?? "").matchAll(/`([^`]+)`/g)) {
      const tok = m[1].replace(/\{.*$/, "").trim();
      if (tok.endsWith("*")) prefixes.push(tok.slice(0, -1));
      else if (tok.startsWith("_") && full) {
        const parts = full.split("_");
        for (let i = 1; i < parts.length; i++) names.add(parts.slice(0, i).join("_") + tok);
      } else if (/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(tok)) {
        names.add(tok);
        full = tok;
      }
    }
  }
  return { names, prefixes };
}
function metricKnown(name, known) {
  if (known.names.has(name) || known.prefixes.some((p) => name.startsWith(p))) return true;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name); // a histogram's series
  return !!m && known.names.has(m[1]);
}

// The metric names a PromQL expression reads (as scripts/check-dashboard.py finds them).
const PROMQL_WORDS = new Set(`
  abs absent absent_over_time acos acosh asin asinh atan atan2 atanh avg_over_time ceil changes clamp
  clamp_max clamp_min cos cosh count_over_time day_of_month day_of_week day_of_year days_in_month deg
  delta deriv exp floor histogram_avg histogram_count histogram_fraction histogram_quantile
  histogram_stddev histogram_stdvar histogram_sum holt_winters hour idelta increase irate label_join
  label_replace last_over_time ln log10 log2 max_over_time min_over_time minute month pi predict_linear
  present_over_time quantile_over_time rad rate resets round scalar sgn sin sinh sort sort_desc sqrt
  stddev_over_time stdvar_over_time sum_over_time tan tanh time timestamp vector year
  by without on ignoring group_left group_right bool offset and or unless inf nan
  sum min max avg group stddev stdvar count count_values bottomk topk quantile limitk limit_ratio
`.split(/\s+/).filter(Boolean));
function promqlMetricNames(expr) {
  let text = "";
  for (let i = 0; i < expr.length; i++) { // strings and comments out
    const c = expr[i];
    if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === "\\" && c !== "`" ? 2 : 1;
      text += '""';
      i = j;
    } else if (c === "#") {
      while (i < expr.length && expr[i] !== "\n") i++;
    } else text += c;
  }
  text = text.replace(/\{[^{}]*\}/g, "{}").replace(/\[[^\[\]]*\]/g, "[]")
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)/g, " ");
  const names = new Set();
  for (const m of text.matchAll(/(?<![A-Za-z0-9_:$.])[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    if (/^\s*\(/.test(text.slice(m.index + m[0].length))) continue; // a function call
    if (PROMQL_WORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return names;
}

// A my.cnf piece: the server sections' options, names normalised (- -> _, loose_ dropped).
// plugin-load(-add) may repeat: collected in plugins.
function parseCnf(text) {
  const options = new Map();
  const plugins = [];
  let section = null;
  for (const raw of String(text ?? "").split("\n")) {
    const line = raw.replace(/(^|\s)[#;].*$/, "").trim();
    if (!line) continue;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) {
      section = sec[1].trim().toLowerCase();
      continue;
    }
    if (!/^(mariadbd|mysqld|server|mariadb)(-[0-9.]+)?$/.test(section ?? "")) continue;
    const m = /^([A-Za-z0-9_-]+)\s*(?:=\s*(.*))?$/.exec(line);
    if (!m) continue;
    const key = m[1].toLowerCase().replace(/-/g, "_").replace(/^loose_/, "");
    const value = m[2] === undefined ? "ON" : m[2].trim().replace(/^(["'])(.*)\1$/, "$2");
    if (key === "plugin_load" || key === "plugin_load_add") plugins.push(value);
    options.set(key, value);
  }
  return { options, plugins };
}
function cnfOn(v) {
  return v !== undefined && ["on", "1", "true", "yes", "force", "force_plus_permanent"].includes(String(v).toLowerCase());
}

function ipv4(ip) {
  const p = String(ip).split(".");
  if (p.length !== 4 || p.some((x) => !/^[0-9]{1,3}$/.test(x) || Number(x) > 255)) return null;
  return p.reduce((a, x) => a * 256 + Number(x), 0);
}
function cidrContains(cidr, ip) {
  const [net, bitsText = "32"] = String(cidr).split("/");
  const n = ipv4(net);
  const i = ipv4(ip);
  const bits = Number(bitsText);
  if (n === null || i === null || !(bits >= 0 && bits <= 32)) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(n / size) === Math.floor(i / size);
}

// ------------------------------------------------------------------------------ helpers

function isObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
const CLUSTER_SCOPED = new Set([
  "Namespace", "StorageClass", "ClusterRole", "ClusterRoleBinding", "PersistentVolume",
  "CustomResourceDefinition", "PriorityClass", "IngressClass", "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration", "ClusterIssuer",
]);
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function labelKeyOk(key) {
  const parts = key.split("/");
  if (parts.length > 2) return false;
  const [prefix, name] = parts.length === 2 ? parts : [null, parts[0]];
  if (prefix !== null && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

// Kubernetes label selector semantics (matchLabels + matchExpressions); a plain map (Service
// selector) is matchLabels.
function selectorMatches(selector, labels = {}) {
  if (!isObject(selector)) return false;
  const ml = "matchLabels" in selector || "matchExpressions" in selector ? selector.matchLabels ?? {} : selector;
  for (const [k, v] of Object.entries(ml)) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const val = labels[e.key];
    switch (e.operator) {
      case "In": if (!has || !(e.values ?? []).includes(val)) return false; break;
      case "NotIn": if (has && (e.values ?? []).includes(val)) return false; break;
      case "Exists": if (!has) return false; break;
      case "DoesNotExist": if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

function podTemplateOf(obj) {
  switch (obj.kind) {
    case "Deployment": case "StatefulSet": case "DaemonSet": case "ReplicaSet": case "Job":
      return obj.spec?.template;
    case "CronJob":
      return obj.spec?.jobTemplate?.spec?.template;
    default:
      return undefined;
  }
}

// Duration in the proxy's format (config/README.md): "25s", "1.5s", "500ms", "5m", "8h", "0".
function proxyDurationMs(text) {
  if (text === undefined || text === null) return null;
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$/.exec(String(text).trim());
  if (String(text).trim() === "0") return 0;
  if (!m) return null;
  return Number(m[1]) * { ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2]];
}

function containerPortByNameOrNumber(containers, port) {
  for (const c of containers)
    for (const p of c.ports ?? [])
      if ((typeof port === "string" && p.name === port) || (typeof port === "number" && p.containerPort === port)) return p;
  return null;
}

// --------------------------------------------------------------------------- the checks

async function checkRender(target) {
  const report = reporter(target.name);
  let text;
  try {
    text = readFileSync(target.file, "utf8");
  } catch (e) {
    report(null, `cannot read ${target.file}: ${e.message}`);
    return;
  }
  const docs = YAML.parseAllDocuments(text);
  const objects = [];
  for (const doc of docs) {
    if (doc.errors.length) {
      report(null, `YAML: ${doc.errors[0].message}`);
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    if (!isObject(obj)) {
      report(null, "a document that is not a mapping");
      continue;
    }
    objects.push(obj);
  }
  if (objects.length === 0) return report(null, "renders no objects");
  target.count = objects.length;

  const byKind = (kind) => objects.filter((o) => o.kind === kind);
  const find = (kind, name) => objects.find((o) => o.kind === kind && o.metadata?.name === name);
  const namespaces = byKind("Namespace").map((n) => n.metadata?.name);

  // --- identity, schema, unknown fields
  const seen = new Set();
  for (const obj of objects) {
    const r = (msg) => report(obj, msg);
    if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
      r("apiVersion and kind are required");
      continue;
    }
    const name = obj.metadata?.name;
    if (typeof name !== "string" || !name) r("metadata.name is required");
    else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) r(`metadata.name "${name}" is not a DNS-1123 subdomain`);
    if (obj.kind === "Service" && name && (name.length > 63 || !DNS1035_LABEL.test(name)))
      r(`a Service name must be a DNS-1035 label (it becomes a host name), got "${name}"`);
    const group = obj.apiVersion.includes("/") ? obj.apiVersion.split("/")[0] : "";
    const id = `${group}/${obj.kind}/${obj.metadata?.namespace ?? ""}/${name}`;
    if (seen.has(id)) r("defined twice in the render");
    seen.add(id);

    if (CLUSTER_SCOPED.has(obj.kind)) {
      if (obj.metadata?.namespace) r("cluster-scoped, yet has a namespace");
    } else if (target.profile === "stack") {
      if (!obj.metadata?.namespace) r("no metadata.namespace: `kubectl apply` would put it in the current namespace (set namespace: in the kustomization that adds it)");
      else if (!namespaces.includes(obj.metadata.namespace)) r(`namespace "${obj.metadata.namespace}" is not created by this render (${namespaces.join(", ") || "none"})`);
    }
    for (const where of ["metadata", "spec.template.metadata"]) {
      const meta = where === "metadata" ? obj.metadata : obj.spec?.template?.metadata;
      for (const [k, v] of Object.entries(meta?.labels ?? {})) {
        if (!labelKeyOk(k)) r(`${where}.labels: invalid key "${k}"`);
        if (typeof v !== "string" || v.length > 63 || !LABEL_VALUE.test(v)) r(`${where}.labels["${k}"]: invalid value ${JSON.stringify(v)} (a string of at most 63 characters)`);
      }
      for (const [k, v] of Object.entries(meta?.annotations ?? {}))
        if (typeof v !== "string") r(`${where}.annotations["${k}"] must be a string, got ${JSON.stringify(v)}`);
    }

    const handChecked = { ServiceMonitor: checkServiceMonitor, PrometheusRule: checkPrometheusRule,
      Certificate: checkCertificate, Issuer: checkIssuer, ClusterIssuer: checkIssuer }[obj.kind];
    if (handChecked) {
      handChecked(obj, r);
      continue;
    }
    const Model = await modelFor(obj.apiVersion, obj.kind);
    if (!Model) {
      r(`no schema for ${obj.apiVersion} ${obj.kind} (not a Kubernetes API type; add a hand check for a CRD)`);
      continue;
    }
    for (const e of schemaErrors(Model, obj)) r(`schema: ${e}`);
    const decl = rootDecl(obj.apiVersion, obj.kind);
    if (!decl) r(`no type declaration for ${obj.apiVersion} ${obj.kind} in kubernetes-models`);
    else {
      const { status, ...rest } = obj; // status is the server's
      checkFields(rest, `I${obj.kind}`, decl, "", (msg) => r(msg));
    }
  }

  // --- where each Secret comes from: the render, a cert-manager Certificate (spec.secretName),
  // or created by hand as docs/deployment.md says (kubectl create secret generic)
  const documented = documentedSecrets();
  const secretSource = (name) => {
    const s = find("Secret", name);
    if (s) return { from: "render", keys: new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})]) };
    const cert = byKind("Certificate").find((c) => c.spec?.secretName === name);
    if (cert) return { from: `Certificate/${cert.metadata.name}`, keys: new Set(CERTIFICATE_SECRET_KEYS) };
    if (documented.has(name)) return { from: "docs", keys: documented.get(name) };
    return null;
  };
  const ctx = { objects, byKind, find, secretSource, documented, target, report };

  // --- workloads
  const templates = []; // { owner, labels, spec }
  for (const obj of objects) {
    const tpl = podTemplateOf(obj);
    if (!tpl) continue;
    const r = (msg) => report(obj, msg);
    const labels = tpl.metadata?.labels ?? {};
    const spec = tpl.spec ?? {};
    templates.push({ owner: obj, labels, spec });

    if (obj.kind !== "Job" && obj.kind !== "CronJob") {
      if (!obj.spec?.selector) r("spec.selector is required");
      else if (!selectorMatches(obj.spec.selector, labels)) r(`spec.selector ${JSON.stringify(obj.spec.selector)} does not match the pod template's labels ${JSON.stringify(labels)}`);
    }
    if (obj.kind === "StatefulSet") {
      // The governing Service gives each pod its DNS name: headless, and selecting these pods.
      const name = obj.spec?.serviceName;
      const svc = name && find("Service", name);
      if (!name) r("spec.serviceName is required (the headless Service that gives the pods their DNS names)");
      else if (!svc) r(`spec.serviceName "${name}" is not a Service in the render`);
      else {
        if (svc.spec?.clusterIP !== "None") r(`spec.serviceName "${name}" is not headless (clusterIP: None): the pods get no DNS names of their own`);
        if (!svc.spec?.selector || !selectorMatches(svc.spec.selector, labels)) r(`spec.serviceName "${name}": the Service does not select this StatefulSet's pods`);
      }
    }

    const needsProbes = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].includes(obj.kind);
    const psc = spec.securityContext ?? {};
    const volumeNames = new Set([
      ...(spec.volumes ?? []).map((v) => v.name),
      ...(obj.kind === "StatefulSet" ? (obj.spec?.volumeClaimTemplates ?? []).map((v) => v.metadata?.name) : []),
    ]);
    const all = [
      ...(spec.initContainers ?? []).map((c) => ({ c, init: true })),
      ...(spec.containers ?? []).map((c) => ({ c, init: false })),
    ];
    if ((spec.containers ?? []).length === 0) r("the pod template has no containers");
    for (const { c, init } of all) {
      const cr = (msg) => r(`${init ? "initContainer" : "container"} "${c.name}": ${msg}`);
      if (!c.image) cr("no image");
      if (needsProbes && !init) {
        for (const probe of ["readinessProbe", "livenessProbe"]) {
          if (!isObject(c[probe])) cr(`no ${probe}`);
          else {
            const port = c[probe].httpGet?.port ?? c[probe].tcpSocket?.port ?? c[probe].grpc?.port;
            if (port !== undefined && !containerPortByNameOrNumber([c], port)) cr(`${probe} port ${JSON.stringify(port)} is not one of the container's ports`);
          }
        }
      }
      for (const kind of ["requests", "limits"])
        for (const res of ["cpu", "memory"])
          if (c.resources?.[kind]?.[res] === undefined) cr(`no resources.${kind}.${res}`);
      checkRestrictedContainer(c, psc, cr);
      for (const m of c.volumeMounts ?? [])
        if (!volumeNames.has(m.name)) cr(`volumeMount "${m.name}" names no volume`);
    }
    checkRestrictedPod(spec, r);
    checkConfigRefs(obj, spec, ctx, r);
  }

  // --- Services -> pods / EndpointSlices
  for (const svc of byKind("Service")) {
    const r = (msg) => report(svc, msg);
    const sel = svc.spec?.selector;
    if (svc.spec?.type === "ExternalName") continue;
    if (sel && Object.keys(sel).length) {
      const pods = templates.filter((t) => selectorMatches(sel, t.labels));
      if (pods.length === 0) {
        r(`selector ${JSON.stringify(sel)} matches no pod template in the render`);
        continue;
      }
      for (const p of svc.spec?.ports ?? []) {
        const tp = p.targetPort ?? p.port;
        const ok = pods.some((t) => containerPortByNameOrNumber(t.spec.containers ?? [], tp));
        if (!ok) r(`port ${p.name ?? p.port}: targetPort ${JSON.stringify(tp)} is not a container port of the selected pods (${pods.map((t) => t.owner.metadata.name).join(", ")})`);
      }
    } else {
      // No selector: endpoints come from EndpointSlices labelled with the Service's name.
      const slices = byKind("EndpointSlice").filter((s) => s.metadata?.labels?.["kubernetes.io/service-name"] === svc.metadata.name);
      if (slices.length === 0) {
        r("has no selector and no EndpointSlice (label kubernetes.io/service-name) gives it endpoints");
        continue;
      }
      const addresses = slices.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses ?? []));
      if (addresses.length === 0) r("its EndpointSlices list no address");
      for (const p of svc.spec?.ports ?? []) {
        const ok = slices.every((s) => (s.ports ?? []).some((sp) => (sp.name ?? "") === (p.name ?? "")));
        if (!ok) r(`port "${p.name ?? ""}" has no EndpointSlice port of the same name (traffic would have nowhere to go)`);
      }
    }
  }
  for (const s of byKind("EndpointSlice")) {
    const svc = s.metadata?.labels?.["kubernetes.io/service-name"];
    if (!svc) report(s, "no kubernetes.io/service-name label: it belongs to no Service");
    else if (!find("Service", svc)) report(s, `belongs to Service "${svc}", which is not in the render`);
    if (s.metadata?.labels?.["endpointslice.kubernetes.io/managed-by"] === "endpointslice-controller.k8s.io")
      report(s, "a hand-made EndpointSlice must not claim the EndpointSlice controller as its manager");
  }

  // --- Ingress -> Services
  for (const ing of byKind("Ingress")) {
    const backends = [];
    if (ing.spec?.defaultBackend) backends.push(["defaultBackend", ing.spec.defaultBackend]);
    for (const rule of ing.spec?.rules ?? [])
      for (const p of rule.http?.paths ?? []) backends.push([`path ${p.path}`, p.backend]);
    if (backends.length === 0) report(ing, "routes nothing");
    for (const [where, b] of backends) {
      const s = b?.service;
      if (!s) continue;
      const svc = find("Service", s.name);
      if (!svc) {
        report(ing, `${where}: backend Service "${s.name}" is not in the render`);
        continue;
      }
      const ports = svc.spec?.ports ?? [];
      const ok = s.port?.number !== undefined ? ports.some((p) => p.port === s.port.number) : ports.some((p) => p.name === s.port?.name);
      if (!ok) report(ing, `${where}: Service "${s.name}" has no port ${JSON.stringify(s.port)} (it has ${ports.map((p) => `${p.name}:${p.port}`).join(", ")})`);
    }
  }

  // --- HPA, PDB, ServiceMonitor
  for (const hpa of byKind("HorizontalPodAutoscaler")) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    const tgt = find(ref.kind, ref.name);
    if (!tgt) {
      report(hpa, `scaleTargetRef ${ref.kind}/${ref.name} is not in the render`);
      continue;
    }
    if ((hpa.spec.minReplicas ?? 1) > hpa.spec.maxReplicas) report(hpa, "minReplicas > maxReplicas");
    for (const m of hpa.spec.metrics ?? []) {
      const res = m.resource?.name;
      if (m.type === "Resource" && m.resource?.target?.type === "Utilization")
        for (const c of podTemplateOf(tgt)?.spec?.containers ?? [])
          if (c.resources?.requests?.[res] === undefined) report(hpa, `scales on ${res} utilisation, but container "${c.name}" has no ${res} request`);
    }
  }
  for (const pdb of byKind("PodDisruptionBudget")) {
    const both = pdb.spec?.minAvailable !== undefined && pdb.spec?.maxUnavailable !== undefined;
    const none = pdb.spec?.minAvailable === undefined && pdb.spec?.maxUnavailable === undefined;
    if (both || none) report(pdb, "needs exactly one of minAvailable and maxUnavailable");
    if (!templates.some((t) => selectorMatches(pdb.spec?.selector, t.labels))) report(pdb, "selector matches no pod template");
  }
  for (const sm of byKind("ServiceMonitor")) {
    const svcs = byKind("Service").filter((s) => selectorMatches(sm.spec?.selector, s.metadata?.labels ?? {}));
    if (svcs.length === 0) {
      report(sm, "spec.selector matches no Service's labels");
      continue;
    }
    for (const ep of sm.spec?.endpoints ?? [])
      if (typeof ep.port === "string" && !svcs.some((s) => (s.spec?.ports ?? []).some((p) => p.name === ep.port)))
        report(sm, `endpoint port "${ep.port}" is not a port name of ${svcs.map((s) => s.metadata.name).join(", ")}`);
  }

  checkCertManagerRefs(ctx);
  checkScrapedOnce(ctx, templates);
  checkAlerts(ctx);
  if (target.flags.has("ingress-tls")) checkIngressTls(ctx);

  if (target.profile !== "stack") return;

  // --- the stack: namespace, dashboard, MariaDB, NetworkPolicies, proxy config, budget, backups
  if (namespaces.length !== 1) report(null, `expected exactly one Namespace object, found ${namespaces.length}`);
  const ns = namespaces[0];
  checkNamespaceSecurity(ctx);

  const dashboards = byKind("ConfigMap").filter((c) => c.metadata?.labels?.grafana_dashboard === "1");
  if (dashboards.length === 0) report(null, 'no ConfigMap labelled grafana_dashboard: "1" (the Grafana dashboard)');
  for (const d of dashboards)
    for (const [k, v] of Object.entries(d.data ?? {})) {
      try {
        JSON.parse(v);
      } catch (e) {
        report(d, `${k} is not valid JSON: ${e.message}`);
      }
    }

  const servers = checkMariaDB(ctx, templates);
  checkBackups(ctx, templates);
  const proxyTpl = templates.find((t) => t.labels["app.kubernetes.io/name"] === "mysql-proxy");
  if (!proxyTpl) return report(null, "no mysql-proxy pod template (label app.kubernetes.io/name: mysql-proxy)");
  const cfg = checkProxyConfig(ctx, proxyTpl);
  checkNetworkPolicies(ctx, templates, proxyTpl, cfg, ns);
  checkAliases(ctx, templates, proxyTpl, cfg);
  if (cfg) checkConnectionBudget(ctx, templates, proxyTpl, cfg, servers);
  if (target.flags.has("prod")) checkProd(ctx, templates, proxyTpl, cfg);
}

// Pod Security Standards, "restricted" profile (which includes "baseline"), as the API server
// enforces it with pod-security.kubernetes.io/enforce: restricted: for containers and init
// containers alike. https://kubernetes.io/docs/concepts/security/pod-security-standards/
const RESTRICTED_VOLUME_TYPES = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = new Set(["container_t", "container_init_t", "container_kvm_t", "container_engine_t"]);

function checkSeLinuxAndOthers(sc, where, r) {
  const se = sc.seLinuxOptions;
  if (se) {
    if (se.type !== undefined && se.type !== "" && !SELINUX_TYPES.has(se.type)) r(`${where}seLinuxOptions.type "${se.type}" is not allowed (restricted)`);
    if (se.user || se.role) r(`${where}seLinuxOptions.user/role must not be set (restricted)`);
  }
  if (sc.windowsOptions?.hostProcess === true) r(`${where}windowsOptions.hostProcess must not be true (restricted)`);
  if (sc.appArmorProfile?.type === "Unconfined") r(`${where}appArmorProfile Unconfined is not allowed (restricted)`);
  if (sc.seccompProfile?.type === "Unconfined") r(`${where}seccompProfile Unconfined is not allowed (restricted)`);
}

function checkRestrictedPod(spec, r) {
  for (const f of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[f] === true) r(`${f}: true is not allowed (restricted)`);
  for (const v of spec.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== "name");
    if (!RESTRICTED_VOLUME_TYPES.has(type)) r(`volume "${v.name}" is a ${type} volume: restricted allows only ${[...RESTRICTED_VOLUME_TYPES].join(", ")}`);
  }
  const psc = spec.securityContext ?? {};
  if (psc.runAsUser === 0) r("securityContext.runAsUser 0 (root) is not allowed (restricted)");
  for (const s of psc.sysctls ?? []) if (!SAFE_SYSCTLS.has(s.name)) r(`sysctl ${s.name} is not in the safe set (restricted)`);
  checkSeLinuxAndOthers(psc, "securityContext.", r);
}

function checkRestrictedContainer(c, psc, cr) {
  const sc = c.securityContext ?? {};
  const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
  const uid = sc.runAsUser ?? psc.runAsUser;
  if (nonRoot !== true) cr("securityContext.runAsNonRoot is not true (container or pod)");
  if (uid === 0) cr("runs as uid 0");
  if (sc.allowPrivilegeEscalation !== false) cr("securityContext.allowPrivilegeEscalation must be false");
  if (sc.privileged === true) cr("privileged");
  if (!(sc.capabilities?.drop ?? []).includes("ALL")) cr("securityContext.capabilities.drop must include ALL");
  for (const cap of sc.capabilities?.add ?? [])
    if (cap !== "NET_BIND_SERVICE") cr(`securityContext.capabilities.add ${cap}: restricted allows NET_BIND_SERVICE only`);
  const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
  if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") cr("no seccompProfile RuntimeDefault (container or pod)");
  if (sc.procMount !== undefined && sc.procMount !== "Default") cr(`securityContext.procMount ${sc.procMount} is not allowed (restricted)`);
  checkSeLinuxAndOthers(sc, "securityContext.", cr);
  for (const p of c.ports ?? []) if (p.hostPort) cr(`port ${p.name ?? p.containerPort}: hostPort is not allowed (restricted)`);
}

function checkConfigRefs(obj, spec, ctx, r) {
  const { find, secretSource } = ctx;
  const needKey = (kind, name, key, optional, where) => {
    if (optional) return;
    if (kind === "Secret") {
      const src = secretSource(name);
      if (!src) return r(`${where}: Secret "${name}" is neither in the render, nor made by a Certificate, nor created by hand in docs/deployment.md (kubectl create secret generic ${name} ...)`);
      if (key !== undefined && !src.keys.has(key))
        r(`${where}: Secret "${name}" has no key "${key}" (${src.from === "docs" ? "docs/deployment.md's kubectl create secret generic gives it" : src.from === "render" ? "it has" : `${src.from} gives it`} ${[...src.keys].join(", ")})`);
      return;
    }
    const o = find(kind, name);
    if (!o) return r(`${where}: ${kind} "${name}" is not in the render`);
    if (key === undefined) return;
    const keys = new Set([...Object.keys(o.data ?? {}), ...Object.keys(o.stringData ?? {}), ...Object.keys(o.binaryData ?? {})]);
    if (!keys.has(key)) r(`${where}: ${kind} "${name}" has no key "${key}" (it has ${[...keys].join(", ")})`);
  };
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const e of c.env ?? []) {
      const sk = e.valueFrom?.secretKeyRef;
      const ck = e.valueFrom?.configMapKeyRef;
      if (sk) needKey("Secret", sk.name, sk.key, sk.optional, `container "${c.name}" env ${e.name}`);
      if (ck) needKey("ConfigMap", ck.name, ck.key, ck.optional, `container "${c.name}" env ${e.name}`);
    }
    for (const ef of c.envFrom ?? []) {
      if (ef.secretRef) needKey("Secret", ef.secretRef.name, undefined, ef.secretRef.optional, `container "${c.name}" envFrom`);
      if (ef.configMapRef) needKey("ConfigMap", ef.configMapRef.name, undefined, ef.configMapRef.optional, `container "${c.name}" envFrom`);
    }
  }
  for (const v of spec.volumes ?? []) {
    const where = `volume "${v.name}"`;
    if (v.configMap) {
      needKey("ConfigMap", v.configMap.name, undefined, v.configMap.optional, where);
      for (const it of v.configMap.items ?? []) needKey("ConfigMap", v.configMap.name, it.key, v.configMap.optional, where);
    }
    if (v.secret) {
      needKey("Secret", v.secret.secretName, undefined, v.secret.optional, where);
      for (const it of v.secret.items ?? []) needKey("Secret", v.secret.secretName, it.key, v.secret.optional, where);
    }
    if (v.persistentVolumeClaim && !find("PersistentVolumeClaim", v.persistentVolumeClaim.claimName))
      r(`${where}: PersistentVolumeClaim "${v.persistentVolumeClaim.claimName}" is not in the render`);
  }
}

// NetworkPolicy semantics. An endpoint is a pod ({ ns, labels, nsLabels, ports, name }) or an
// address outside the cluster ({ ip, name }). A pod selected by no policy of a direction
// (policyTypes; Egress is implied by egress rules) allows everything that way; one selected by
// some allows what any of their rules allows. A connection needs the source's egress and the
// destination's ingress.
function policyTypes(p) {
  return p.spec?.policyTypes ?? (p.spec?.egress ? ["Ingress", "Egress"] : ["Ingress"]);
}
function peerMatches(peer, policyNs, other) {
  if (peer.ipBlock) {
    // Pod addresses are not known here: an ipBlock stands for a pod only when it is everything.
    if (other.ip === undefined) return /\/0$/.test(peer.ipBlock.cidr ?? "");
    return cidrContains(peer.ipBlock.cidr, other.ip) && !(peer.ipBlock.except ?? []).some((e) => cidrContains(e, other.ip));
  }
  if (other.ip !== undefined) return false; // pod and namespace selectors name pods only
  const nsOk = peer.namespaceSelector ? selectorMatches(peer.namespaceSelector, other.nsLabels) : other.ns === policyNs;
  const podOk = peer.podSelector ? selectorMatches(peer.podSelector, other.labels) : true;
  return nsOk && podOk;
}
function portMatches(rp, dst, port, protocol) {
  if ((rp.protocol ?? "TCP") !== protocol) return false;
  if (rp.port === undefined) return true;
  if (typeof rp.port === "string") return (dst.ports?.[rp.port] ?? -1) === port;
  return rp.endPort !== undefined ? port >= rp.port && port <= rp.endPort : rp.port === port;
}
function directionAllows(policies, self, other, dst, port, protocol, type) {
  const [field, peersField] = type === "Ingress" ? ["ingress", "from"] : ["egress", "to"];
  const selecting = policies.filter(
    (p) => p.metadata.namespace === self.ns && selectorMatches(p.spec?.podSelector ?? {}, self.labels) && policyTypes(p).includes(type),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    (p.spec?.[field] ?? []).some(
      (rule) => ((rule[peersField] ?? []).length === 0 || rule[peersField].some((peer) => peerMatches(peer, p.metadata.namespace, other))) &&
        ((rule.ports ?? []).length === 0 || rule.ports.some((rp) => portMatches(rp, dst, port, protocol))),
    ),
  );
}
function ingressAllowed(policies, dst, src, port, protocol = "TCP") {
  return directionAllows(policies, dst, src, dst, port, protocol, "Ingress");
}
function egressAllowed(policies, src, dst, port, protocol = "TCP") {
  return directionAllows(policies, src, dst, dst, port, protocol, "Egress");
}

function checkNetworkPolicies(ctx, templates, proxyTpl, proxyCfg, ns) {
  const { objects, find, byKind, report } = ctx;
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const pod = (t) => ({
    ns: t.owner.metadata.namespace, labels: t.labels, nsLabels: { "kubernetes.io/metadata.name": t.owner.metadata.namespace },
    ports: Object.fromEntries((t.spec.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => [p.name, p.containerPort]))),
    name: `${t.owner.kind}/${t.owner.metadata.name}`,
  });
  const stranger = (namespace, labels = { "app.kubernetes.io/name": "some-other-app" }) => ({
    ns: namespace, labels, nsLabels: { "kubernetes.io/metadata.name": namespace }, ports: {}, name: `a pod labelled ${JSON.stringify(labels)} in namespace ${namespace}`,
  });
  const kubeDns = { ns: "kube-system", labels: { "k8s-app": "kube-dns" }, nsLabels: { "kubernetes.io/metadata.name": "kube-system" }, ports: { dns: 53 }, name: "the cluster DNS (kube-system, k8s-app: kube-dns)" };
  const outside = { ip: "198.51.100.7", name: "198.51.100.7 (an address outside the cluster)" };
  // An ingress fence of its own (the egress defaults select every pod).
  const fenced = (t) => policies.some((p) => p.metadata.namespace === t.owner.metadata.namespace &&
    policyTypes(p).includes("Ingress") && selectorMatches(p.spec?.podSelector ?? {}, t.labels));
  // must: both ends allow it. mustNot: the destination's ingress alone keeps it out (a pod of
  // another namespace is not bound by this namespace's egress policies).
  const must = (src, dst, port, why, protocol = "TCP") => {
    const out = egressAllowed(policies, src, dst, port, protocol);
    const inn = dst.ip !== undefined || ingressAllowed(policies, dst, src, port, protocol);
    if (!out || !inn)
      report(null, `NetworkPolicy: ${src.name} cannot reach ${dst.name}:${port}${protocol === "TCP" ? "" : `/${protocol}`} (${why}; blocked by ${!out ? `${src.name}'s egress` : `${dst.name}'s ingress`} policies)`);
  };
  // For made-up pods (no egress policy of theirs to honour): the destination's ingress alone.
  const mustIngress = (src, dst, port, why) => {
    if (!ingressAllowed(policies, dst, src, port)) report(null, `NetworkPolicy: ${src.name} cannot reach ${dst.name}:${port} (${why})`);
  };
  const mustNot = (src, dst, port, why) => {
    if (ingressAllowed(policies, dst, src, port)) report(null, `NetworkPolicy: ${src.name} can reach ${dst.name}:${port} (${why})`);
  };
  // Where a Service name leads: its pods (selector) or its EndpointSlices' addresses.
  const serviceTargets = (host, port) => {
    const svc = find("Service", String(host).split(".")[0]);
    if (!svc) return [];
    const sp = (svc.spec?.ports ?? []).find((p) => p.port === port) ?? ((svc.spec?.ports ?? []).length === 1 ? svc.spec.ports[0] : null);
    if (!sp) return [];
    if (svc.spec?.selector && Object.keys(svc.spec.selector).length) {
      return templates.filter((t) => selectorMatches(svc.spec.selector, t.labels)).flatMap((t) => {
        const tp = sp.targetPort ?? sp.port;
        const n = typeof tp === "string" ? containerPortByNameOrNumber(t.spec.containers ?? [], tp)?.containerPort : tp;
        return n ? [{ dst: pod(t), port: n }] : [];
      });
    }
    return byKind("EndpointSlice")
      .filter((s) => s.metadata?.labels?.["kubernetes.io/service-name"] === svc.metadata.name)
      .flatMap((s) => {
        const n = (s.ports ?? []).find((x) => (x.name ?? "") === (sp.name ?? ""))?.port ?? sp.targetPort ?? sp.port;
        return (s.endpoints ?? []).flatMap((e) => e.addresses ?? []).map((ip) => ({ dst: { ip, name: `${ip} (Service ${svc.metadata.name})` }, port: n }));
      });
  };

  const proxy = pod(proxyTpl);
  const mysql = templates.filter((t) => t.labels["app.kubernetes.io/name"] === "mysql");
  const primaries = mysql.filter((t) => t.labels["app.kubernetes.io/component"] === "primary");
  const replicas = mysql.filter((t) => t.labels["app.kubernetes.io/component"] === "replica");
  if (!fenced(proxyTpl)) report(null, "no ingress NetworkPolicy selects the mysql-proxy pods");
  for (const t of mysql) if (!fenced(t)) report(null, `no ingress NetworkPolicy selects the MariaDB pods of ${t.owner.kind}/${t.owner.metadata.name}`);

  // Egress: denied by default (an outside address is out of reach), DNS allowed.
  for (const t of templates) {
    const src = pod(t);
    if (egressAllowed(policies, src, outside, 443))
      report(t.owner, `NetworkPolicy: its pods can open connections anywhere (${outside.name}:443): no default-deny egress policy selects them`);
    must(src, kubeDns, 53, "name lookups", "UDP");
    must(src, kubeDns, 53, "name lookups over TCP (large answers)", "TCP");
  }

  // The proxy reaches every backend of its config, wherever the Service leads.
  for (const [i, b] of (proxyCfg?.backends ?? []).entries())
    for (const { dst, port } of serviceTargets(b?.host, b?.port ?? 3306)) must(proxy, dst, port, `backends[${i}] of the proxy's config`);
  for (const t of mysql) {
    must(proxy, pod(t), 3306, "the proxy's connections and health checks");
    mustNot(stranger(ns), pod(t), 3306, "only the proxy, the MariaDB pods and the backup and sample-data Jobs may");
  }
  for (const p of primaries) for (const r of replicas) must(pod(r), pod(p), 3306, "replication");
  // Whoever is configured to connect somewhere (a *HOST variable naming a Service of the render,
  // PROXY_ADMIN_URL) gets there.
  for (const t of templates) {
    for (const c of [...(t.spec.initContainers ?? []), ...(t.spec.containers ?? [])]) {
      const env = Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, String(e.value)]));
      for (const [name, value] of Object.entries(env)) {
        if (!/(^|_)HOST$/.test(name) || !find("Service", value.split(".")[0])) continue;
        const portVar = name.replace(/HOST$/, "PORT");
        const port = Number(env[portVar] ?? 3306);
        for (const { dst, port: p } of serviceTargets(value, port)) must(pod(t), dst, p, `container "${c.name}" connects to ${name}=${value}`);
      }
      const url = /^https?:\/\/([^:/]+)(?::([0-9]+))?/.exec(env.PROXY_ADMIN_URL ?? "");
      if (url) for (const { dst, port } of serviceTargets(url[1], Number(url[2] ?? 80))) must(pod(t), dst, port, `container "${c.name}" reads PROXY_ADMIN_URL`);
    }
  }
  const proxyNames = /^(mysql-proxy|mysql-write|mysql-read)(\.|:|$)/;
  for (const t of templates) {
    if (t === proxyTpl) continue;
    const isClient = t.labels["mysql-proxy/client"] === "true";
    // A pod configured to talk to the proxy must carry the client label, or the policy drops it.
    const usesProxy = (t.spec.containers ?? []).some((c) => (c.env ?? []).some((e) => /HOST/.test(e.name) && proxyNames.test(String(e.value ?? ""))));
    if (usesProxy && !isClient) report(t.owner, 'points a *HOST variable at mysql-proxy but its pods lack the label mysql-proxy/client: "true"');
    if (isClient) must(pod(t), proxy, 3306, 'pods labelled mysql-proxy/client: "true" are the proxy\'s clients');
  }
  mustNot(stranger(ns), proxy, 3306, 'only pods labelled mysql-proxy/client: "true" may');
  mustIngress(stranger(ns), proxy, 9180, "the admin port is open within the namespace");
  mustIngress(stranger("monitoring", {}), proxy, 9180, "Prometheus in the monitoring namespace scrapes /metrics");
  mustNot(stranger("default"), proxy, 9180, "the admin port is for this namespace and monitoring only");
}

// Checks the proxy's config and returns it (parsed), or null when it cannot be read.
function checkProxyConfig(ctx, proxyTpl) {
  const { objects, find, target, report, secretSource } = ctx;
  const dep = proxyTpl.owner;
  const r = (msg) => report(dep, msg);
  const c = (proxyTpl.spec.containers ?? [])[0];
  if (!c) return null;
  const args = [...(c.command ?? []), ...(c.args ?? [])];
  let cfgPath = null;
  args.forEach((a, i) => {
    if (a === "--config") cfgPath = args[i + 1];
    else if (a.startsWith("--config=")) cfgPath = a.slice(9);
  });
  if (!cfgPath) {
    r("the proxy container is given no --config (args)");
    return null;
  }
  const mount = (c.volumeMounts ?? []).find((m) => m.mountPath === path.posix.dirname(cfgPath));
  if (!mount) {
    r(`no volume is mounted at ${path.posix.dirname(cfgPath)} for --config ${cfgPath}`);
    return null;
  }
  const vol = (proxyTpl.spec.volumes ?? []).find((v) => v.name === mount.name);
  const cmName = vol?.configMap?.name;
  if (!cmName) {
    r(`volume "${mount.name}" (holding ${cfgPath}) is not a ConfigMap`);
    return null;
  }
  const cm = find("ConfigMap", cmName);
  const key = path.posix.basename(cfgPath);
  const text = cm?.data?.[key];
  if (typeof text !== "string") {
    r(`ConfigMap "${cmName}" has no key ${key} (the proxy's config)`);
    return null;
  }

  let cfg;
  try {
    cfg = YAML.parse(text);
  } catch (e) {
    report(cm, `${key} is not valid YAML: ${e.message}`);
    return null;
  }
  const cr = (msg) => report(cm, `${key}: ${msg}`);
  if (!isObject(cfg)) {
    cr("not a mapping");
    return null;
  }

  // Backends: Services of the render; a replica host is a headless Service, so its DNS name
  // gives the proxy one address per replica.
  const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]+:[0-9a-fA-F:]*)$/;
  for (const [i, b] of (cfg.backends ?? []).entries()) {
    const host = String(b?.host ?? "");
    if (IP.test(host)) continue;
    const [svcName, svcNs] = host.split(".");
    if (svcNs && svcNs !== dep.metadata.namespace && !host.endsWith(".svc") && !/\.svc\./.test(host)) {
      cr(`backends[${i}].host "${host}" is not a Service of this namespace`);
      continue;
    }
    const svc = find("Service", svcName);
    if (!svc) {
      cr(`backends[${i}].host "${host}" is not a Service in the render`);
      continue;
    }
    const port = b.port ?? 3306;
    if (!(svc.spec?.ports ?? []).some((p) => p.port === port)) cr(`backends[${i}] port ${port} is not a port of Service "${svcName}"`);
    if ((b.role ?? "replica") === "replica" && svc.spec?.clusterIP !== "None")
      cr(`backends[${i}] (replicas) uses Service "${svcName}", which is not headless (clusterIP: None): its one virtual IP would hide the replicas from the proxy's discovery and health checks`);
  }

  // Ports, probes and the Service in front.
  const listenPort = cfg.listen?.port ?? 3306;
  const adminPort = cfg.admin?.port ?? 9180;
  const adminAddr = cfg.admin?.address ?? "127.0.0.1";
  if (cfg.admin?.enabled === false) cr("admin is disabled: the probes and /metrics need it");
  if (adminAddr === "127.0.0.1" || adminAddr === "localhost" || adminAddr === "::1")
    cr(`admin.address ${adminAddr}: the kubelet's probes and Prometheus come from outside the pod (use 0.0.0.0)`);
  const listenCp = containerPortByNameOrNumber([c], listenPort);
  const adminCp = containerPortByNameOrNumber([c], adminPort);
  if (!listenCp) r(`listen.port ${listenPort} is not a containerPort of the proxy container`);
  if (!adminCp) r(`admin.port ${adminPort} is not a containerPort of the proxy container`);
  const probePort = (p) => p?.httpGet?.port;
  const isAdmin = (port) => port === adminPort || (adminCp && port === adminCp.name);
  if (c.readinessProbe?.httpGet?.path !== "/readyz" || !isAdmin(probePort(c.readinessProbe)))
    r(`readinessProbe must GET /readyz on the admin port ${adminPort}`);
  if (c.livenessProbe?.httpGet?.path !== "/healthz" || !isAdmin(probePort(c.livenessProbe)))
    r(`livenessProbe must GET /healthz on the admin port ${adminPort}`);
  const ann = proxyTpl.owner.spec?.template?.metadata?.annotations ?? {};
  if (ann["prometheus.io/scrape"] !== "true" || ann["prometheus.io/port"] !== String(adminPort) || ann["prometheus.io/path"] !== "/metrics")
    r(`pod annotations prometheus.io/scrape "true", port "${adminPort}", path /metrics are expected`);
  const fronting = objects.filter((o) => o.kind === "Service" && selectorMatches(o.spec?.selector ?? { "-": "-" }, proxyTpl.labels));
  const svc = fronting.find((s) => s.metadata.name === "mysql-proxy") ?? fronting[0];
  if (!svc) r("no Service selects the proxy pods");
  else {
    const tp = (p) => (typeof p.targetPort === "string" ? containerPortByNameOrNumber([c], p.targetPort)?.containerPort : p.targetPort ?? p.port);
    if (!(svc.spec.ports ?? []).some((p) => tp(p) === listenPort)) report(svc, `no port reaches the proxy's listen.port ${listenPort}`);
    if (!(svc.spec.ports ?? []).some((p) => tp(p) === adminPort)) report(svc, `no port reaches the proxy's admin.port ${adminPort}`);
  }

  // Every environment variable the config names must be set in the container.
  const envNames = [];
  for (const [i, u] of (cfg.users ?? []).entries()) if (u?.password_env) envNames.push([`users[${i}].password_env`, u.password_env]);
  if (cfg.health?.password_env) envNames.push(["health.password_env", cfg.health.password_env]);
  if (cfg.admin?.token_env) envNames.push(["admin.token_env", cfg.admin.token_env]);
  if (cfg.admin?.read_token_env) envNames.push(["admin.read_token_env", cfg.admin.read_token_env]);
  const envSet = new Set((c.env ?? []).map((e) => e.name));
  for (const [field, name] of envNames) if (!envSet.has(name)) r(`${field} names ${name}, which the proxy container's env does not set`);
  const files = [];
  for (const [i, u] of (cfg.users ?? []).entries()) if (u?.password_file) files.push([`users[${i}].password_file`, u.password_file]);
  if (cfg.health?.password_file) files.push(["health.password_file", cfg.health.password_file]);
  if (cfg.admin?.token_file) files.push(["admin.token_file", cfg.admin.token_file]);
  if (cfg.admin?.read_token_file) files.push(["admin.read_token_file", cfg.admin.read_token_file]);
  if (cfg.tls?.cert_file) files.push(["tls.cert_file", cfg.tls.cert_file]);
  if (cfg.tls?.key_file) files.push(["tls.key_file", cfg.tls.key_file]);

  // The admin API's tokens: from a Secret, never in the ConfigMap; and with the API on the pod
  // network, a token for /api/v1 (users, backends, client addresses), which answers only
  // loopback peers without one. The probes and /metrics need none (checked above: /readyz,
  // /healthz, /metrics).
  for (const field of ["token", "read_token"])
    if (cfg.admin?.[field] !== undefined)
      cr(`admin.${field} is written in the ConfigMap, where anyone who may read ConfigMaps sees it: use admin.${field}_env with a Secret`);
  for (const field of ["token_env", "read_token_env"]) {
    const name = cfg.admin?.[field];
    const e = name && (c.env ?? []).find((x) => x.name === name);
    if (e && !e.valueFrom?.secretKeyRef) r(`admin.${field} names ${name}, which is not taken from a Secret (valueFrom.secretKeyRef)`);
  }
  const hasReadToken = ["token", "token_env", "token_file", "read_token", "read_token_env", "read_token_file"].some(
    (f) => cfg.admin?.[f] !== undefined);
  if (!["127.0.0.1", "localhost", "::1"].includes(adminAddr) && !hasReadToken)
    cr(`admin.address ${adminAddr} with no admin.read_token_env (nor token_env): /api/v1 answers nothing but loopback; set a read token from a Secret`);
  // Whoever reads /api/v1 (the demo's bucket: PROXY_ADMIN_URL) sends a token from a Secret.
  for (const o of objects) {
    for (const ct of o.spec?.template?.spec?.containers ?? []) {
      const env = ct.env ?? [];
      if (!env.some((e) => e.name === "PROXY_ADMIN_URL")) continue;
      const tok = env.find((e) => e.name === "PROXY_ADMIN_TOKEN");
      if (!tok?.valueFrom?.secretKeyRef)
        report(o, `container "${ct.name}" reads the proxy's admin API (PROXY_ADMIN_URL) without PROXY_ADMIN_TOKEN from a Secret: /api/v1 needs the read token`);
    }
  }
  for (const [field, f] of files) {
    const abs = path.posix.resolve(path.posix.dirname(cfgPath), f);
    if (!(c.volumeMounts ?? []).some((m) => abs.startsWith(`${m.mountPath.replace(/\/$/, "")}/`))) r(`${field} ${abs} is on no mounted volume`);
  }
  // TLS to clients: the certificate and key come from a Secret volume (cert-manager writes
  // tls.crt and tls.key), mounted whole so renewed files reach the pod (subPath mounts never
  // change), and the Secret has the keys the paths name.
  for (const field of ["cert_file", "key_file"]) {
    const f = cfg.tls?.[field];
    if (!f) continue;
    const abs = path.posix.resolve(path.posix.dirname(cfgPath), f);
    const m = (c.volumeMounts ?? []).find((x) => abs.startsWith(`${x.mountPath.replace(/\/$/, "")}/`));
    if (!m) continue; // said above
    const vol = (proxyTpl.spec.volumes ?? []).find((v) => v.name === m.name);
    if (!vol?.secret) {
      r(`tls.${field} ${abs} is in volume "${m.name}", which is not a Secret volume (the certificate's Secret must be mounted)`);
      continue;
    }
    if (m.subPath || m.subPathExpr) r(`tls.${field}: volume "${m.name}" is mounted with subPath, so renewed certificates never reach the pod`);
    const rel = abs.slice(m.mountPath.replace(/\/$/, "").length + 1);
    const items = vol.secret.items;
    const secretKey = items ? items.find((it) => it.path === rel)?.key : rel;
    const src = secretSource(vol.secret.secretName);
    if (!secretKey) r(`tls.${field} ${abs}: volume "${m.name}" maps no Secret key to ${rel} (items)`);
    else if (src && !src.keys.has(secretKey))
      r(`tls.${field} ${abs}: Secret "${vol.secret.secretName}" has no key "${secretKey}" (${src.from === "render" ? "it has" : `${src.from} gives it`} ${[...src.keys].join(", ")})`);
  }

  // SIGTERM drain must end before the kubelet's SIGKILL.
  const drain = cfg.timeouts?.drain === undefined ? 30000 : proxyDurationMs(cfg.timeouts.drain);
  const grace = (proxyTpl.spec.terminationGracePeriodSeconds ?? 30) * 1000;
  const pre = c.lifecycle?.preStop;
  let preMs = 0;
  if (pre?.exec?.command?.[0] === "sleep") preMs = Number(pre.exec.command[1]) * 1000;
  else if (pre?.sleep?.seconds !== undefined) preMs = pre.sleep.seconds * 1000;
  if (!pre) r("no preStop hook: new connections may still arrive after SIGTERM closes the listener");
  if (drain === null) cr(`timeouts.drain "${cfg.timeouts.drain}" is not a duration`);
  else if (preMs + drain >= grace)
    r(`terminationGracePeriodSeconds (${grace / 1000}s) must exceed preStop (${preMs / 1000}s) + timeouts.drain (${drain / 1000}s)`);

  // For --check-config, which loads the certificate: the TLS paths point at a throwaway pair
  // validate.sh makes (DIR/NAME/tls/, listed in proxy.tls).
  const dir = path.join(outDir, target.name);
  mkdirSync(dir, { recursive: true });
  let checkText = text;
  const tlsFiles = [];
  if (cfg.tls?.cert_file && cfg.tls?.key_file) {
    const local = { cert_file: path.join(dir, "tls", "tls.crt"), key_file: path.join(dir, "tls", "tls.key") };
    for (const field of ["cert_file", "key_file"]) checkText = checkText.split(String(cfg.tls[field])).join(local[field]);
    tlsFiles.push(local.cert_file, local.key_file);
  }
  writeFileSync(path.join(dir, "proxy.yaml"), checkText);
  writeFileSync(path.join(dir, "proxy.env"), envNames.map(([, n]) => `${n}\n`).join(""));
  writeFileSync(path.join(dir, "proxy.tls"), tlsFiles.map((f) => `${f}\n`).join(""));
  return cfg;
}

// ------------------------------------------------------------------ cert-manager, TLS, scraping

function checkCertManagerRefs(ctx) {
  const { byKind, find, secretSource, report } = ctx;
  for (const cert of byKind("Certificate")) {
    const ref = cert.spec?.issuerRef ?? {};
    if ((ref.kind ?? "Issuer") === "Issuer" && ref.name && !find("Issuer", ref.name))
      report(cert, `spec.issuerRef: Issuer "${ref.name}" is not in the render`);
  }
  for (const iss of [...byKind("Issuer"), ...byKind("ClusterIssuer")]) {
    const name = iss.spec?.ca?.secretName;
    if (!name) continue;
    const src = secretSource(name);
    if (!src) report(iss, `spec.ca.secretName "${name}": no Certificate in the render makes it (nor is it rendered or documented)`);
    else for (const k of ["tls.crt", "tls.key"]) if (!src.keys.has(k)) report(iss, `spec.ca.secretName "${name}" has no key ${k}`);
  }
}

// Each Service a ServiceMonitor selects is a set of targets: two Services in front of the same
// pods, both with the endpoint's port, scrape every pod twice (doubled rates in every sum).
function checkScrapedOnce(ctx, templates) {
  const { byKind, report } = ctx;
  for (const sm of byKind("ServiceMonitor")) {
    const ports = (sm.spec?.endpoints ?? []).map((e) => e.port).filter((p) => typeof p === "string");
    const svcs = byKind("Service").filter((s) => selectorMatches(sm.spec?.selector, s.metadata?.labels ?? {}) &&
      (s.spec?.ports ?? []).some((p) => ports.includes(p.name)) && s.spec?.selector);
    for (const t of templates) {
      const via = svcs.filter((s) => selectorMatches(s.spec.selector, t.labels)).map((s) => s.metadata.name);
      if (via.length > 1) report(sm, `scrapes the pods of ${t.owner.kind}/${t.owner.metadata.name} ${via.length} times, through Services ${via.join(", ")}: label only one of them for the ServiceMonitor`);
    }
  }
}

// HTTPS at every Ingress: tls entries for each rule's host from a Certificate of the render, and
// HTTP redirected (ingress-nginx).
function checkIngressTls(ctx) {
  const { byKind, report } = ctx;
  for (const ing of byKind("Ingress")) {
    const ann = ing.metadata?.annotations ?? {};
    if (ann["nginx.ingress.kubernetes.io/ssl-redirect"] !== "true" && ann["nginx.ingress.kubernetes.io/force-ssl-redirect"] !== "true")
      report(ing, 'no annotation nginx.ingress.kubernetes.io/ssl-redirect: "true": plain HTTP is answered instead of redirected to HTTPS');
    const tls = ing.spec?.tls ?? [];
    if (tls.length === 0) report(ing, "serves plain HTTP only: no spec.tls (add k8s/components/ingress-tls)");
    for (const rule of ing.spec?.rules ?? []) {
      if (!rule.host) report(ing, "a rule without host: TLS needs the host name (SNI) and a certificate for it");
      else if (!tls.some((x) => (x.hosts ?? []).includes(rule.host))) report(ing, `host ${rule.host} has no spec.tls entry`);
    }
    for (const x of tls) {
      if (!x.secretName) {
        report(ing, "a spec.tls entry without secretName");
        continue;
      }
      const certs = byKind("Certificate").filter((c) => c.spec?.secretName === x.secretName);
      const shim = ann["cert-manager.io/issuer"] || ann["cert-manager.io/cluster-issuer"];
      if (certs.length === 0 && !shim) report(ing, `tls secret "${x.secretName}" is made by no Certificate in the render (nor a cert-manager.io/issuer annotation)`);
      for (const h of x.hosts ?? [])
        if (certs.length && !certs.some((c) => (c.spec?.dnsNames ?? []).some((d) => d === h || (d.startsWith("*.") && h.endsWith(d.slice(1))))))
          report(ing, `tls host ${h}: Certificate ${certs.map((c) => c.metadata.name).join(", ")} does not name it (dnsNames)`);
    }
  }
}

// ---------------------------------------------------------------------------------- alerts

const REQUIRED_ALERTS = [
  ["no primary", /\bmysql_proxy_backend_primary\b/],
  ["a replica lagging", /\bmysql_proxy_backend_replication_lag_seconds\b|state\s*=\s*"lagging"/],
  ["a replica down", /state\s*=\s*"down"/],
  ["all replicas down", /\bmysql_proxy_reads_fallback_to_primary\b/],
  ["the error rate", /\bmysql_proxy_errors_total\b/],
  ["pool saturation", /\bmysql_proxy_pool_wait_seconds|\bmysql_proxy_backend_connections_in_use\b|kind\s*=\s*"pool_timeout"/],
  ["two writable servers (split brain)", /\bmysql_proxy_split_brain_detected_total\b/],
];

function checkAlerts(ctx) {
  const { byKind, target, report } = ctx;
  const rules = byKind("PrometheusRule");
  let known = rules.length ? readmeMetrics() : null;
  if (known?.error) {
    report(null, `the alerts' metric names cannot be checked: ${known.error}`);
    known = null;
  }
  const dir = path.join(outDir, target.name, "rules");
  const exprs = [];
  for (const pr of rules) {
    if (!Array.isArray(pr.spec?.groups)) continue;
    mkdirSync(dir, { recursive: true });
    // What promtool check rules reads: the groups as a rule file.
    writeFileSync(path.join(dir, `${pr.metadata.name}.yaml`), YAML.stringify({ groups: pr.spec.groups }));
    for (const g of pr.spec.groups)
      for (const r of g?.rules ?? []) {
        if (typeof r?.expr !== "string") continue;
        exprs.push(r.expr);
        if (!known) continue;
        for (const m of promqlMetricNames(r.expr))
          if (!metricKnown(m, known)) report(pr, `${r.alert ? `alert ${r.alert}` : `record ${r.record}`}: metric ${m} is not in README.md's metrics table (no such series is exported)`);
      }
  }
  // kube-prometheus-stack picks up ServiceMonitors and PrometheusRules by its release label.
  const monitoring = [...byKind("ServiceMonitor"), ...rules];
  for (const o of monitoring)
    if (!o.metadata?.labels?.release)
      report(o, "no release label: kube-prometheus-stack's default serviceMonitorSelector/ruleSelector match release: <its Helm release name>");
  const releases = new Set(monitoring.map((o) => o.metadata?.labels?.release).filter(Boolean));
  if (releases.size > 1) report(null, `ServiceMonitor and PrometheusRule carry different release labels (${[...releases].join(", ")}): one Prometheus picks up only one of them`);
  if (target.flags.has("prod")) {
    if (byKind("ServiceMonitor").length === 0) report(null, "prod: no ServiceMonitor scrapes the proxy (k8s/components/servicemonitor)");
    if (rules.length === 0) report(null, "prod: no PrometheusRule (k8s/components/alerts)");
    else for (const [what, re] of REQUIRED_ALERTS) if (!exprs.some((e) => re.test(e))) report(null, `prod: no alert for ${what} (an expr matching ${re})`);
  }
}

// ------------------------------------------------------------------------ the stack itself

function checkNamespaceSecurity(ctx) {
  for (const ns of ctx.byKind("Namespace"))
    for (const mode of ["enforce", "audit", "warn"]) {
      const v = ns.metadata?.labels?.[`pod-security.kubernetes.io/${mode}`];
      if (v !== "restricted") ctx.report(ns, `label pod-security.kubernetes.io/${mode} is ${v === undefined ? "missing" : `"${v}"`}: Pod Security Standards "restricted" is expected`);
    }
}

// MariaDB StatefulSets: disruption budgets, spread, and the my.cnf pieces init-config.sh puts
// together (common.cnf, then <role>.cnf, then an overlay's extra.cnf). Returns the servers.
const SPREAD_KEYS = new Set(["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
const SEMI_SYNC_TIMEOUT_MS = [1000, 30000];
function checkMariaDB(ctx, templates) {
  const { byKind, find } = ctx;
  const servers = [];
  for (const t of templates.filter((x) => x.owner.kind === "StatefulSet" && x.labels["app.kubernetes.io/name"] === "mysql")) {
    const sts = t.owner;
    const r = (msg) => ctx.report(sts, msg);
    const role = t.labels["app.kubernetes.io/component"];
    const replicas = sts.spec?.replicas ?? 1;

    const pdbs = byKind("PodDisruptionBudget").filter((p) => selectorMatches(p.spec?.selector, t.labels));
    if (pdbs.length === 0)
      r(`no PodDisruptionBudget covers its pods: a node drain may evict ${role === "primary" ? "the primary (every write stops)" : "all of them at once"}`);
    if (role !== "primary")
      for (const p of pdbs) {
        const mu = p.spec?.maxUnavailable;
        const ma = p.spec?.minAvailable;
        if ((typeof mu === "number" && mu >= replicas) || mu === "100%" || ma === 0 || ma === "0%")
          ctx.report(p, `lets every pod of StatefulSet/${sts.metadata.name} go at once`);
      }

    const aa = t.spec.affinity?.podAntiAffinity ?? {};
    const terms = [
      ...(aa.requiredDuringSchedulingIgnoredDuringExecution ?? []),
      ...(aa.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((x) => x.podAffinityTerm),
      ...(t.spec.topologySpreadConstraints ?? []),
    ];
    if (!terms.some((x) => SPREAD_KEYS.has(x?.topologyKey) && x.labelSelector && selectorMatches(x.labelSelector, t.labels)))
      r("its pods are not spread over nodes: no podAntiAffinity or topologySpreadConstraints on kubernetes.io/hostname (or a zone) whose labelSelector matches them");

    const cm = (t.spec.volumes ?? []).map((v) => v.configMap && find("ConfigMap", v.configMap.name)).find((c) => c?.data?.["common.cnf"] !== undefined);
    if (!cm) {
      r("cannot find its my.cnf pieces (a ConfigMap volume with common.cnf)");
      continue;
    }
    const options = new Map();
    const plugins = [];
    for (const piece of ["common.cnf", `${role}.cnf`, "extra.cnf"]) {
      const parsed = parseCnf(cm.data[piece]);
      for (const [k, v] of parsed.options) options.set(k, v);
      plugins.push(...parsed.plugins);
    }
    const cr = (msg) => r(`my.cnf (ConfigMap ${cm.metadata.name}, ${role}): ${msg}`);
    if (options.has("log_bin")) {
      const seconds = Number(options.get("binlog_expire_logs_seconds") ?? 0);
      const days = Number(options.get("expire_logs_days") ?? 0);
      if (!(seconds > 0 || days > 0)) cr("binlogs never expire (binlog_expire_logs_seconds or expire_logs_days unset or 0): they fill the volume");
    }
    if (plugins.some((p) => /semisync/i.test(p)))
      cr("loads a semisync plugin: MariaDB 10.3+ has semi-synchronous replication built in (there is no plugin to load)");
    if (role === "primary") {
      if (!cnfOn(options.get("rpl_semi_sync_master_enabled")))
        cr("rpl_semi_sync_master_enabled is not ON: a commit can be acknowledged before any replica has it");
      const timeout = options.get("rpl_semi_sync_master_timeout");
      const [lo, hi] = SEMI_SYNC_TIMEOUT_MS;
      if (timeout === undefined) cr("set rpl_semi_sync_master_timeout (ms): how long a commit waits for a replica before the primary goes on asynchronously");
      else if (!(Number(timeout) >= lo && Number(timeout) <= hi))
        cr(`rpl_semi_sync_master_timeout ${timeout} ms is outside ${lo}..${hi}: shorter falls back to asynchronous at every hiccup, longer stalls every write while no replica answers`);
      if (String(options.get("rpl_semi_sync_master_wait_point") ?? "AFTER_COMMIT").toUpperCase() !== "AFTER_SYNC")
        cr("rpl_semi_sync_master_wait_point is not AFTER_SYNC: other sessions may read a commit no replica has yet");
    } else if (!cnfOn(options.get("rpl_semi_sync_slave_enabled"))) {
      cr("rpl_semi_sync_slave_enabled is not ON: this replica never acknowledges, so semi-sync waits on the others (or times out)");
    }
    servers.push({ t, role, replicas, maxConnections: Number(options.get("max_connections") ?? 151) });
  }
  return servers;
}

// Proxy pods at full scale x (pool per server + the monitor's own) + a reserve must fit each
// server's max_connections, or logins fail with ERR 1040 when the HPA scales out.
const BUDGET_RESERVE = 10; // backups, restore, sample data, probes' logins, an admin or two
function checkConnectionBudget(ctx, templates, proxyTpl, cfg, servers) {
  const { byKind, target, report } = ctx;
  const dep = proxyTpl.owner;
  const hpa = byKind("HorizontalPodAutoscaler").find((h) => h.spec?.scaleTargetRef?.kind === dep.kind && h.spec?.scaleTargetRef?.name === dep.metadata.name);
  const maxPods = hpa ? hpa.spec.maxReplicas : dep.spec?.replicas ?? 1;
  let surge = 0;
  if ((dep.spec?.strategy?.type ?? "RollingUpdate") === "RollingUpdate") {
    const raw = dep.spec?.strategy?.rollingUpdate?.maxSurge ?? "25%";
    surge = typeof raw === "string" && raw.endsWith("%") ? Math.ceil((maxPods * Number(raw.slice(0, -1))) / 100) : Number(raw);
  }
  const pods = maxPods + surge;
  const pool = cfg?.pool?.max_connections_per_backend ?? 200;
  const queryKill = cfg?.timeouts?.query !== undefined && proxyDurationMs(cfg.timeouts.query) > 0 ? 1 : 0;
  const usersLoader = cfg?.auth?.backend_users === true ? 1 : 0;
  const side = 1 + queryKill + usersLoader;
  const replication = servers.filter((s) => s.role !== "primary").reduce((a, s) => a + s.replicas, 0);
  const reserve = replication + BUDGET_RESERVE;
  const need = pods * (pool + side) + reserve;
  const how = `${pods} proxy pods (${hpa ? "HPA maxReplicas" : "replicas"} ${maxPods} + maxSurge ${surge}) x ` +
    `(pool.max_connections_per_backend ${pool} + ${side} for the health monitor${queryKill ? ", query kills" : ""}${usersLoader ? ", the accounts loader" : ""}) + ` +
    `${reserve} reserved (${replication} replication, ${BUDGET_RESERVE} backups and admin) = ${need}`;
  if (servers.length === 0) {
    console.log(`ok   [${target.name}] connection budget: the external servers need max_connections >= ${need}: ${how}`);
    return;
  }
  for (const s of servers)
    if (need > s.maxConnections)
      report(s.t.owner, `connection budget: ${how} > max_connections ${s.maxConnections}: at full scale the server refuses logins (ERR 1040)`);
}

// What a container runs: its command and args, and the ConfigMap scripts they name.
function runText(t, c, find) {
  const words = [...(c.command ?? []), ...(c.args ?? [])];
  let text = words.join(" ");
  for (const w of words) {
    const m = (c.volumeMounts ?? []).find((x) => w.startsWith(`${x.mountPath.replace(/\/$/, "")}/`));
    const vol = m && (t.spec.volumes ?? []).find((v) => v.name === m.name);
    const cm = vol?.configMap && find("ConfigMap", vol.configMap.name);
    if (cm) text += `\n${cm.data?.[w.slice(m.mountPath.replace(/\/$/, "").length + 1)] ?? ""}`;
  }
  return text;
}

function checkBackups(ctx, templates) {
  const { find, byKind, report } = ctx;
  const cronjobs = templates.filter((t) => t.owner.kind === "CronJob");
  const runs = (t, re) => (t.spec.containers ?? []).some((c) => re.test(runText(t, c, find)));
  const backups = cronjobs.filter((t) => t.owner.spec?.suspend !== true && runs(t, /\b(mariadb-dump|mariadb-backup|mysqldump)\b/));
  if (backups.length === 0) report(null, "no backups: no CronJob runs mariadb-dump (or mariadb-backup) on a schedule");
  for (const t of backups) {
    const r = (msg) => report(t.owner, msg);
    for (const c of t.spec.containers ?? []) {
      const claims = (c.volumeMounts ?? []).filter((m) => (t.spec.volumes ?? []).some((v) => v.name === m.name && v.persistentVolumeClaim));
      if (claims.length === 0) r(`container "${c.name}" writes its dumps to no PersistentVolumeClaim: they would go with the pod`);
      const env = c.env ?? [];
      const dir = env.find((e) => e.name === "BACKUP_DIR")?.value;
      if (dir && claims.length && !claims.some((m) => dir === m.mountPath || dir.startsWith(`${m.mountPath.replace(/\/$/, "")}/`)))
        r(`container "${c.name}": BACKUP_DIR ${dir} is not on the PersistentVolumeClaim's mount`);
      const creds = env.filter((e) => /PWD|PASSWORD|TOKEN/.test(e.name));
      if (creds.length === 0) r(`container "${c.name}" has no database credentials (MYSQL_PWD from the Secret)`);
      for (const e of creds)
        if (!e.valueFrom?.secretKeyRef) r(`container "${c.name}" env ${e.name}: the backup's credentials must come from a Secret (valueFrom.secretKeyRef)`);
      const host = env.find((e) => e.name === "MYSQL_HOST")?.value;
      if (!host || !find("Service", String(host).split(".")[0])) r(`container "${c.name}": MYSQL_HOST ${host ?? "(unset)"} is not a Service of the render`);
    }
  }
  // A restore overwrites live data: only ever by hand (kubectl create job --from=cronjob/...).
  const restores = cronjobs.filter((t) => /restore/.test(t.owner.metadata.name) ||
    (t.spec.containers ?? []).some((c) => [...(c.command ?? []), ...(c.args ?? [])].some((w) => /(^|\/)restore[^/\s]*\.sh$/.test(w))));
  for (const t of restores)
    if (t.owner.spec?.suspend !== true) report(t.owner, "runs a restore on a schedule: keep it suspend: true and start it by hand (kubectl create job --from=cronjob/...)");
  if (!byKind("ConfigMap").some((c) => /\bmariadb\b/.test(c.data?.["restore.sh"] ?? "")))
    report(null, "no restore.sh (k8s/base/backup/restore.sh: the newest dump into the mariadb client) in any ConfigMap");
}

// mysql-write and mysql-read: Services leading to the proxy pods' MySQL port, for applications
// written for a primary/replica pair.
function checkAliases(ctx, templates, proxyTpl, cfg) {
  const { find, report } = ctx;
  const listenPort = cfg?.listen?.port ?? 3306;
  const c = (proxyTpl.spec.containers ?? [])[0] ?? {};
  for (const name of ["mysql-write", "mysql-read"]) {
    const svc = find("Service", name);
    if (!svc) {
      report(null, `no Service ${name}: applications written for a primary/replica pair connect to mysql-write and mysql-read (both lead to the proxy, which splits by statement)`);
      continue;
    }
    if (svc.spec?.type === "ExternalName") {
      if (String(svc.spec.externalName ?? "").split(".")[0] !== "mysql-proxy") report(svc, `externalName ${svc.spec.externalName} is not the mysql-proxy Service`);
      continue;
    }
    const sel = svc.spec?.selector;
    const pods = sel ? templates.filter((t) => selectorMatches(sel, t.labels)) : [];
    if (!pods.includes(proxyTpl) || pods.length !== 1)
      report(svc, `does not lead to the proxy pods alone (selector ${JSON.stringify(sel ?? null)} selects ${pods.map((t) => `${t.owner.kind}/${t.owner.metadata.name}`).join(", ") || "nothing"})`);
    const tp = (p) => (typeof p.targetPort === "string" ? containerPortByNameOrNumber([c], p.targetPort)?.containerPort : p.targetPort ?? p.port);
    if (!(svc.spec?.ports ?? []).some((p) => p.port === 3306 && tp(p) === listenPort))
      report(svc, `no port 3306 reaching the proxy's listen.port ${listenPort}`);
  }
}

// What production must and must not carry.
const PLACEHOLDER = /CHANGE[-_ ]?ME|PLACEHOLDER|REPLACE[-_ ]?ME|\bchangeme\b/i;
function checkProd(ctx, templates, proxyTpl, cfg) {
  const { objects, byKind, documented, report } = ctx;
  for (const o of objects) {
    const comp = o.metadata?.labels?.["app.kubernetes.io/component"];
    if (comp === "demo" || comp === "sample-data")
      report(o, `prod carries the demo (app.kubernetes.io/component: ${comp}): the demo apps and sample data belong to the dev overlay`);
  }
  for (const t of templates)
    for (const c of [...(t.spec.initContainers ?? []), ...(t.spec.containers ?? [])])
      if (/(^|\/)[^/:@]*-demo(:|@|$)/.test(c.image ?? "")) report(t.owner, `prod runs the demo image ${c.image}`);
  for (const s of byKind("Secret")) {
    const values = [
      ...Object.values(s.stringData ?? {}).map(String),
      ...Object.values(s.data ?? {}).map((v) => Buffer.from(String(v), "base64").toString("utf8")),
    ];
    if (values.some((v) => PLACEHOLDER.test(v)))
      report(s, 'holds placeholder values (CHANGE-ME...): create real credentials by hand instead (docs/deployment.md, "Credentials")');
    if (documented.has(s.metadata.name))
      report(s, "is created by hand (docs/deployment.md, kubectl create secret generic): rendering it here lets every kubectl apply overwrite the real one");
  }
  const dep = proxyTpl.owner;
  if (!cfg?.tls?.cert_file || !cfg?.tls?.key_file) {
    report(dep, "prod: the proxy offers no TLS to clients (tls.cert_file and tls.key_file from a mounted certificate Secret: k8s/components/proxy-tls)");
    return;
  }
  // The certificate cert-manager keeps renewed, naming every Service in front of the proxy.
  const c = (proxyTpl.spec.containers ?? [])[0] ?? {};
  const m = (c.volumeMounts ?? []).find((x) => String(cfg.tls.cert_file).startsWith(`${x.mountPath.replace(/\/$/, "")}/`));
  const secretName = m && (proxyTpl.spec.volumes ?? []).find((v) => v.name === m.name)?.secret?.secretName;
  if (!secretName) return; // checkProxyConfig said why
  const cert = byKind("Certificate").find((x) => x.spec?.secretName === secretName);
  if (!cert) {
    report(dep, `prod: the proxy's certificate Secret "${secretName}" is made by no Certificate: nothing renews it`);
    return;
  }
  const names = new Set(cert.spec?.dnsNames ?? []);
  for (const svc of byKind("Service").filter((s) => s.spec?.selector && selectorMatches(s.spec.selector, proxyTpl.labels)))
    if ((svc.spec?.ports ?? []).some((p) => p.port === (cfg.listen?.port ?? 3306)) && !names.has(svc.metadata.name))
      report(cert, `dnsNames lack ${svc.metadata.name}: clients that verify the host name of Service ${svc.metadata.name} would refuse the certificate`);
}

// ----------------------------------------------------------------------------------- main

for (const t of targets) {
  const before = problemCount;
  await checkRender(t);
  if (problemCount === before)
    console.log(`ok   [${t.name}] ${t.count} objects: schemas, fields, workloads (restricted), references${t.profile === "stack" ? ", MariaDB, network policies, proxy config wiring, connection budget, backups, aliases" : ""}${t.flags.has("ingress-tls") ? ", Ingress TLS" : ""}${t.flags.has("prod") ? ", production rules" : ""}`);
}
if (UNRESOLVED.size) {
  // A type the walker could not find weakens the unknown-field check; say so, loudly.
  for (const u of UNRESOLVED) console.log(`FAIL [types] cannot resolve type declaration ${u}`);
  problemCount += UNRESOLVED.size;
}
if (process.env.VALIDATE_DEBUG_LEAVES) console.log([...LEAVES].sort().join("\n"));
process.exit(problemCount ? 1 : 0);
