"""The rendered manifests as the container run sees them: objects by kind and name, the pods
the workloads ask for, what each pod's containers are given (env, volumes), and which Services
each pod needs before it starts. Pure: no Docker here."""

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field

import yaml

WORKLOADS = ("StatefulSet", "Deployment", "Job")


@dataclass
class Pod:
    name: str
    kind: str  # the workload's kind
    workload: str
    labels: dict
    spec: dict
    subdomain: str = ""  # a StatefulSet's serviceName: <pod>.<subdomain> resolves
    ordinal: int = 0
    revision: str = ""  # hash of the pod template: a changed template makes new pods

    def to_json(self):
        return json.dumps(self.__dict__, sort_keys=True)

    @staticmethod
    def from_json(text):
        return Pod(**json.loads(text))


@dataclass
class Manifests:
    objects: list
    namespace: str = "default"
    by_kind: dict = field(default_factory=dict)

    @staticmethod
    def load(text):
        objects = [o for o in yaml.safe_load_all(text) if o]
        m = Manifests(objects)
        for o in objects:
            m.by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o
            ns = o["metadata"].get("namespace")
            if ns:
                m.namespace = ns
        return m

    def get(self, kind, name):
        return self.by_kind.get(kind, {}).get(name)

    def all(self, kind):
        return list(self.by_kind.get(kind, {}).values())

    # ------------------------------------------------------------------ pods

    def pods(self):
        """Every pod the workloads ask for, StatefulSets first (in ordinal order), then
        Deployments and Jobs, in the order the render lists them."""
        out = []
        for kind in WORKLOADS:
            for w in self.all(kind):
                out.extend(self.pods_of(w))
        return out

    def pods_of(self, w, replicas=None):
        kind, name, spec = w["kind"], w["metadata"]["name"], w["spec"]
        template = spec["template"]
        labels = dict(template.get("metadata", {}).get("labels", {}))
        revision = template_hash(template)
        n = replicas if replicas is not None else (1 if kind == "Job" else spec.get("replicas", 1))
        pods = []
        for i in range(n):
            if kind == "StatefulSet":
                pod_name, subdomain = f"{name}-{i}", spec.get("serviceName", "")
            elif kind == "Deployment":
                pod_name, subdomain = f"{name}-{revision[:8]}-{i}", ""
            else:
                pod_name, subdomain = f"{name}-{i}", ""
            pods.append(Pod(pod_name, kind, name, labels, template["spec"], subdomain, i, revision))
        return pods

    def job_from_cronjob(self, cronjob, name):
        """`kubectl create job NAME --from=cronjob/CRONJOB`: a Job with the CronJob's jobTemplate
        (a suspended CronJob too: suspend stops the schedule, not a Job made by hand)."""
        cj = self.get("CronJob", cronjob)
        if cj is None:
            raise KeyError(f"CronJob {cronjob} is not in the render")
        template = cj["spec"]["jobTemplate"]
        return {"apiVersion": "batch/v1", "kind": "Job",
                "metadata": {"name": name, "namespace": self.namespace,
                             "labels": dict(template.get("metadata", {}).get("labels", {})),
                             "annotations": {"cronjob.kubernetes.io/instantiate": "manual"}},
                "spec": json.loads(json.dumps(template["spec"]))}

    # -------------------------------------------------------------- services

    def services_selecting(self, pod):
        return [s for s in self.all("Service") if selects(s, pod.labels)]

    def dependencies(self, pod):
        """Services whose name the pod's containers are given (env, command, args, mounted
        ConfigMaps and Secrets), except the ones that select the pod itself: it needs them
        ready before it starts."""
        own = {s["metadata"]["name"] for s in self.services_selecting(pod)}
        text = json.dumps([{k: v for k, v in c.items() if k != "image"} for c in containers(pod.spec, init=True)])
        # The environment as the containers get it: values from envFrom and key references too.
        text += json.dumps([self.environment(pod, c) for c in containers(pod.spec, init=True)])
        for v in pod.spec.get("volumes", []):
            if "configMap" in v:
                cm = self.get("ConfigMap", v["configMap"]["name"]) or {}
                text += json.dumps(cm.get("data", {}))
        deps = []
        for s in self.all("Service"):
            name = s["metadata"]["name"]
            if name not in own and re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text):
                deps.append(name)
        return deps

    # ------------------------------------------------------ what containers get

    def secret_data(self, name):
        s = self.get("Secret", name)
        if s is None:
            raise KeyError(f"Secret {name} is not in the render")
        data = {k: base64.b64decode(v).decode() for k, v in (s.get("data") or {}).items()}
        data.update(s.get("stringData") or {})
        return data

    def configmap_data(self, name):
        cm = self.get("ConfigMap", name)
        if cm is None:
            raise KeyError(f"ConfigMap {name} is not in the render")
        return dict(cm.get("data") or {})

    def environment(self, pod, container):
        """The container's environment in Kubernetes' order: envFrom, then env, each value with
        $(VAR) expanded from what came before."""
        env = {}
        for src in container.get("envFrom", []):
            prefix = src.get("prefix", "")
            if "configMapRef" in src:
                data = self.configmap_data(src["configMapRef"]["name"])
            else:
                data = self.secret_data(src["secretRef"]["name"])
            env.update({prefix + k: v for k, v in data.items()})
        for e in container.get("env", []):
            if "value" in e:
                env[e["name"]] = expand(e["value"], env)
            elif "valueFrom" in e:
                vf = e["valueFrom"]
                if "secretKeyRef" in vf:
                    env[e["name"]] = self.secret_data(vf["secretKeyRef"]["name"])[vf["secretKeyRef"]["key"]]
                elif "configMapKeyRef" in vf:
                    env[e["name"]] = self.configmap_data(vf["configMapKeyRef"]["name"])[vf["configMapKeyRef"]["key"]]
                elif "fieldRef" in vf:
                    env[e["name"]] = field_ref(pod, self.namespace, vf["fieldRef"]["fieldPath"])
                else:
                    raise ValueError(f"env {e['name']}: unsupported valueFrom {sorted(vf)}")
            else:
                env[e["name"]] = ""
        return env

    def volume_files(self, volume):
        """A configMap or secret volume's files: {path: content}."""
        if "configMap" in volume:
            data, src = self.configmap_data(volume["configMap"]["name"]), volume["configMap"]
        else:
            data, src = self.secret_data(volume["secret"]["secretName"]), volume["secret"]
        items = src.get("items")
        if not items:
            return dict(data)
        return {i["path"]: data[i["key"]] for i in items}


def containers(spec, init=False):
    return (spec.get("initContainers", []) if init else []) + spec.get("containers", [])


def selects(service, labels):
    sel = service["spec"].get("selector") or {}
    return bool(sel) and all(labels.get(k) == v for k, v in sel.items())


def headless(service):
    return service["spec"].get("clusterIP") == "None"


def template_hash(template):
    return hashlib.sha256(json.dumps(template, sort_keys=True).encode()).hexdigest()


def expand(text, env):
    """Kubernetes' $(VAR) expansion: a defined variable is replaced, $$ escapes, anything else
    stays as written."""
    def one(m):
        if m.group(0) == "$$":
            return "$"
        name = m.group(1)
        return env[name] if name in env else m.group(0)
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)", one, text)


def field_ref(pod, namespace, path):
    if path == "metadata.name":
        return pod.name
    if path == "metadata.namespace":
        return namespace
    m = re.fullmatch(r"metadata\.labels\['(.+)'\]", path)
    if m:
        return pod.labels.get(m.group(1), "")
    raise ValueError(f"fieldRef {path} is not supported by the container run")


def port_number(pod_spec, port):
    """A probe's or Service's targetPort: a number, or a container port's name."""
    if isinstance(port, int) or str(port).isdigit():
        return int(port)
    for c in pod_spec.get("containers", []):
        for p in c.get("ports", []):
            if p.get("name") == port:
                return p["containerPort"]
    raise KeyError(f"no container port named {port}")


def start_order(manifests, pods):
    """Pods in tiers: a pod starts once every Service it names has ready pods. Within a tier
    the render's order holds (StatefulSets first)."""
    deps = {p.name: set(manifests.dependencies(p)) for p in pods}
    provided = {}
    for p in pods:
        for s in manifests.services_selecting(p):
            provided.setdefault(s["metadata"]["name"], set()).add(p.name)
    tiers, placed = [], set()
    remaining = list(pods)
    while remaining:
        tier = [p for p in remaining
                if all(provided.get(s, set()) <= placed for s in deps[p.name])]
        if not tier:  # a cycle: start the rest together rather than never
            tier = remaining
        tiers.append(tier)
        placed |= {p.name for p in tier}
        remaining = [p for p in remaining if p.name not in placed]
    return tiers
