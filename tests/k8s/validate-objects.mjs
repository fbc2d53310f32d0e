// Validates rendered Kubernetes manifests (the output of `kubectl kustomize`) offline.
//
// usage: node validate-objects.mjs --out DIR NAME:PROFILE:FILE...
//   PROFILE "stack": a full deployment of the demo (k8s/base and the overlays): every check.
//   PROFILE "addon": cluster-level extras (a StorageClass): the generic checks only.
//
// For each render:
//   - schema: every object against the Kubernetes OpenAPI schemas (npm kubernetes-models,
//     validate()), plus unknown fields, which validate() lets through but `kubectl apply`
//     rejects (checked against the models' TypeScript declarations); CRDs (ServiceMonitor)
//     by hand;
//   - names, namespaces, labels, duplicates;
//   - workloads: probes, resources, non-root security context, selectors, volume mounts;
//   - references: Service selectors -> pod templates and container ports, selector-less
//     Services -> EndpointSlices, Ingress -> Services, Secrets/ConfigMaps, HPA, PDB,
//     StatefulSet serviceName, ServiceMonitor -> Service port;
//   - NetworkPolicies: present for the mysql and proxy pods, and who can reach whom;
//   - the proxy's config (from its ConfigMap, found through the Deployment's --config and
//     volume mount): backends are Services (replicas headless), ports, probes, env vars,
//     drain time vs. grace period. Written to DIR/NAME/proxy.yaml, with the environment
//     variable names it needs in DIR/NAME/proxy.env, for `mysql-proxy --check-config`.
// Problems are printed as "FAIL [render] Kind/name: what"; exit status 1 if there are any.

import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NODE_MODULES = path.join(HERE, "node_modules");

// ------------------------------------------------------------------------------ arguments

let outDir = null;
const targets = [];
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") outDir = argv[++i];
    else {
      const m = /^([^:]+):(stack|addon):(.+)$/.exec(argv[i]);
      if (!m) usage(`bad target '${argv[i]}'`);
      targets.push({ name: m[1], profile: m[2], file: m[3] });
    }
  }
  if (!outDir || targets.length === 0) usage("need --out and at least one target");
}
function usage(msg) {
  console.error(`validate-objects: ${msg}\nusage: node validate-objects.mjs --out DIR NAME:stack|addon:FILE...`);
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

// ------------------------------------------------------------------------------ helpers

function isObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
const CLUSTER_SCOPED = new Set([
  "Namespace", "StorageClass", "ClusterRole", "ClusterRoleBinding", "PersistentVolume",
  "CustomResourceDefinition", "PriorityClass", "IngressClass", "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
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

    if (obj.kind === "ServiceMonitor") {
      checkServiceMonitor(obj, r);
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
      const svc = obj.spec?.serviceName;
      if (svc && !find("Service", svc)) r(`spec.serviceName "${svc}" is not a Service in the render`);
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
      const sc = c.securityContext ?? {};
      const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
      const uid = sc.runAsUser ?? psc.runAsUser;
      if (nonRoot !== true) cr("securityContext.runAsNonRoot is not true (container or pod)");
      if (uid === 0) cr("runs as uid 0");
      if (sc.allowPrivilegeEscalation !== false) cr("securityContext.allowPrivilegeEscalation must be false");
      if (sc.privileged === true) cr("privileged");
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) cr("securityContext.capabilities.drop must include ALL");
      const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
      if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") cr("no seccompProfile RuntimeDefault (container or pod)");
      for (const m of c.volumeMounts ?? [])
        if (!volumeNames.has(m.name)) cr(`volumeMount "${m.name}" names no volume`);
    }
    checkConfigRefs(obj, spec, find, r);
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

  if (target.profile !== "stack") return;

  // --- the demo stack: namespace, dashboard, NetworkPolicies, proxy config
  if (namespaces.length !== 1) report(null, `expected exactly one Namespace object, found ${namespaces.length}`);
  const ns = namespaces[0];

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

  const proxyTpl = templates.find((t) => t.labels["app.kubernetes.io/name"] === "mysql-proxy");
  if (!proxyTpl) return report(null, "no mysql-proxy pod template (label app.kubernetes.io/name: mysql-proxy)");
  checkNetworkPolicies(objects, templates, proxyTpl, ns, report);
  checkProxyConfig(objects, proxyTpl, find, target, report);
}

function checkConfigRefs(obj, spec, find, r) {
  const needKey = (kind, name, key, optional, where) => {
    if (optional) return;
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
  }
}

// NetworkPolicy semantics, ingress only: a pod selected by no policy accepts everything; a pod
// selected by some accepts what any of their rules allows.
function ingressAllowed(policies, dst, src, port) {
  const selecting = policies.filter(
    (p) => p.metadata.namespace === dst.ns && selectorMatches(p.spec?.podSelector ?? {}, dst.labels) &&
      (p.spec?.policyTypes ?? ["Ingress"]).includes("Ingress"),
  );
  if (selecting.length === 0) return true;
  const peerOk = (peer, policyNs) => {
    if (peer.ipBlock) return false;
    const nsOk = peer.namespaceSelector ? selectorMatches(peer.namespaceSelector, src.nsLabels) : src.ns === policyNs;
    const podOk = peer.podSelector ? selectorMatches(peer.podSelector, src.labels) : true;
    return nsOk && podOk;
  };
  const portOk = (rp) => {
    if ((rp.protocol ?? "TCP") !== "TCP") return false;
    if (rp.port === undefined) return true;
    if (typeof rp.port === "string") return (dst.ports[rp.port] ?? -1) === port;
    return rp.endPort !== undefined ? port >= rp.port && port <= rp.endPort : rp.port === port;
  };
  return selecting.some((p) =>
    (p.spec?.ingress ?? []).some(
      (rule) => ((rule.from ?? []).length === 0 || rule.from.some((peer) => peerOk(peer, p.metadata.namespace))) &&
        ((rule.ports ?? []).length === 0 || rule.ports.some(portOk)),
    ),
  );
}

function checkNetworkPolicies(objects, templates, proxyTpl, ns, report) {
  const policies = objects.filter((o) => o.kind === "NetworkPolicy");
  const pod = (t) => ({
    ns: t.owner.metadata.namespace, labels: t.labels, nsLabels: { "kubernetes.io/metadata.name": t.owner.metadata.namespace },
    ports: Object.fromEntries((t.spec.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => [p.name, p.containerPort]))),
    name: `${t.owner.kind}/${t.owner.metadata.name}`,
  });
  const stranger = (namespace, labels = { "app.kubernetes.io/name": "some-other-app" }) => ({
    ns: namespace, labels, nsLabels: { "kubernetes.io/metadata.name": namespace }, ports: {}, name: `a pod labelled ${JSON.stringify(labels)} in namespace ${namespace}`,
  });
  const selects = (t) => policies.some((p) => p.metadata.namespace === t.owner.metadata.namespace && selectorMatches(p.spec?.podSelector ?? {}, t.labels));
  const must = (src, dst, port, why) => {
    if (!ingressAllowed(policies, dst, src, port)) report(null, `NetworkPolicy: ${src.name} cannot reach ${dst.name}:${port} (${why})`);
  };
  const mustNot = (src, dst, port, why) => {
    if (ingressAllowed(policies, dst, src, port)) report(null, `NetworkPolicy: ${src.name} can reach ${dst.name}:${port} (${why})`);
  };

  const proxy = pod(proxyTpl);
  const mysql = templates.filter((t) => t.labels["app.kubernetes.io/name"] === "mysql");
  const primaries = mysql.filter((t) => t.labels["app.kubernetes.io/component"] === "primary");
  const replicas = mysql.filter((t) => t.labels["app.kubernetes.io/component"] === "replica");
  if (!selects(proxyTpl)) report(null, "no NetworkPolicy selects the mysql-proxy pods");
  for (const t of mysql) if (!selects(t)) report(null, `no NetworkPolicy selects the MariaDB pods of ${t.owner.kind}/${t.owner.metadata.name}`);

  for (const t of mysql) {
    must(proxy, pod(t), 3306, "the proxy's connections and health checks");
    mustNot(stranger(ns), pod(t), 3306, "only the proxy, the MariaDB pods and the sample-data Job may");
  }
  for (const p of primaries) {
    for (const r of replicas) must(pod(r), pod(p), 3306, "replication");
    for (const j of templates.filter((t) => t.owner.kind === "Job")) must(pod(j), pod(p), 3306, "the Job loads data into the primary");
  }
  for (const t of templates) {
    if (t === proxyTpl) continue;
    const isClient = t.labels["mysql-proxy/client"] === "true";
    // A pod configured to talk to the proxy must carry the client label, or the policy drops it.
    const usesProxy = (t.spec.containers ?? []).some((c) => (c.env ?? []).some((e) => /HOST/.test(e.name) && /^mysql-proxy(\.|:|$)/.test(String(e.value ?? ""))));
    if (usesProxy && !isClient) report(t.owner, 'points a *HOST variable at mysql-proxy but its pods lack the label mysql-proxy/client: "true"');
    if (isClient) must(pod(t), proxy, 3306, 'pods labelled mysql-proxy/client: "true" are the proxy\'s clients');
  }
  mustNot(stranger(ns), proxy, 3306, 'only pods labelled mysql-proxy/client: "true" may');
  must(stranger(ns), proxy, 9180, "the admin port is open within the namespace");
  must(stranger("monitoring", {}), proxy, 9180, "Prometheus in the monitoring namespace scrapes /metrics");
  mustNot(stranger("default"), proxy, 9180, "the admin port is for this namespace and monitoring only");
}

function checkProxyConfig(objects, proxyTpl, find, target, report) {
  const dep = proxyTpl.owner;
  const r = (msg) => report(dep, msg);
  const c = (proxyTpl.spec.containers ?? [])[0];
  if (!c) return;
  const args = [...(c.command ?? []), ...(c.args ?? [])];
  let cfgPath = null;
  args.forEach((a, i) => {
    if (a === "--config") cfgPath = args[i + 1];
    else if (a.startsWith("--config=")) cfgPath = a.slice(9);
  });
  if (!cfgPath) return r("the proxy container is given no --config (args)");
  const mount = (c.volumeMounts ?? []).find((m) => m.mountPath === path.posix.dirname(cfgPath));
  if (!mount) return r(`no volume is mounted at ${path.posix.dirname(cfgPath)} for --config ${cfgPath}`);
  const vol = (proxyTpl.spec.volumes ?? []).find((v) => v.name === mount.name);
  const cmName = vol?.configMap?.name;
  if (!cmName) return r(`volume "${mount.name}" (holding ${cfgPath}) is not a ConfigMap`);
  const cm = find("ConfigMap", cmName);
  const key = path.posix.basename(cfgPath);
  const text = cm?.data?.[key];
  if (typeof text !== "string") return r(`ConfigMap "${cmName}" has no key ${key} (the proxy's config)`);

  let cfg;
  try {
    cfg = YAML.parse(text);
  } catch (e) {
    return report(cm, `${key} is not valid YAML: ${e.message}`);
  }
  const cr = (msg) => report(cm, `${key}: ${msg}`);
  if (!isObject(cfg)) return cr("not a mapping");

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
  const svc = objects.find((o) => o.kind === "Service" && selectorMatches(o.spec?.selector ?? { "-": "-" }, proxyTpl.labels));
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

  const dir = path.join(outDir, target.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "proxy.yaml"), text);
  writeFileSync(path.join(dir, "proxy.env"), envNames.map(([, n]) => `${n}\n`).join(""));
}

// ----------------------------------------------------------------------------------- main

for (const t of targets) {
  const before = problemCount;
  await checkRender(t);
  if (problemCount === before) console.log(`ok   [${t.name}] ${t.count} objects: schemas, fields, workloads, references${t.profile === "stack" ? ", network policies, proxy config wiring" : ""}`);
}
if (UNRESOLVED.size) {
  // A type the walker could not find weakens the unknown-field check; say so, loudly.
  for (const u of UNRESOLVED) console.log(`FAIL [types] cannot resolve type declaration ${u}`);
  problemCount += UNRESOLVED.size;
}
if (process.env.VALIDATE_DEBUG_LEAVES) console.log([...LEAVES].sort().join("\n"));
process.exit(problemCount ? 1 : 0);
