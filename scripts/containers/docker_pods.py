"""Pods under Docker, as a kubelet would run them: a pause container holds the pod's network
namespace and host name (and its DNS names), the init containers run to completion in order,
then the containers start with their environment, volumes, user and security settings.

Names: every object is called k8s-<pod>[-<container>|-<volume>], PVCs k8s-pvc-<claim>-<pod>,
and carries the label mysql-proxy.containers=<state dir> so `down` finds them all."""

import json
import os
import shutil
import subprocess
import time

from manifests import containers, expand, headless

PAUSE_IMAGE = "debian:bookworm-slim"
LABEL = "mysql-proxy.containers"


class DockerError(RuntimeError):
    pass


def docker(*args, check=True, capture=True, timeout=None, input=None, merge=False):
    """docker ARGS: its stdout, stripped (with stderr after it when merge)."""
    r = subprocess.run(["docker", *args], stdout=subprocess.PIPE if capture else None,
                       stderr=(subprocess.STDOUT if merge else subprocess.PIPE) if capture else None,
                       text=True, timeout=timeout, input=input)
    if check and r.returncode != 0:
        raise DockerError(f"docker {' '.join(args[:3])}...: {(r.stderr or r.stdout or '').strip() if capture else r.returncode}")
    return r.stdout.strip() if capture else ""


class Runtime:
    def __init__(self, manifests, state_dir, network):
        self.m = manifests
        self.state = state_dir
        self.network = network
        self.label = f"{LABEL}={state_dir}"

    # ---------------------------------------------------------------- names

    def pod_dir(self, pod):
        return os.path.join(self.state, "pods", pod.name)

    @staticmethod
    def container_name(pod, container):
        return f"k8s-{pod.name}-{container['name']}"

    def dns_names(self, name):
        ns = self.m.namespace
        return [name, f"{name}.{ns}", f"{name}.{ns}.svc", f"{name}.{ns}.svc.cluster.local"]

    # ------------------------------------------------------------- volumes

    def claim_volume(self, pod, claim):
        return f"k8s-pvc-{claim}-{pod.name}"

    def prepare_volumes(self, pod):
        """Docker volume names (or host folders) by pod volume name, made now: configMap and
        secret files written out, emptyDirs and claims created and given to fsGroup."""
        out = {}
        fs_group = pod.spec.get("securityContext", {}).get("fsGroup")
        claims = {t["metadata"]["name"] for t in self.workload_claims(pod)}
        for v in pod.spec.get("volumes", []) + [{"name": c, "persistentVolumeClaim": {}} for c in claims]:
            name = v["name"]
            if "configMap" in v or "secret" in v:
                folder = os.path.join(self.pod_dir(pod), "volumes", name)
                self.write_files(folder, self.m.volume_files(v))
                out[name] = ("bind", folder)
            elif "emptyDir" in v:
                out[name] = ("volume", self.make_volume(f"k8s-{pod.name}-{name}", fs_group))
            elif "persistentVolumeClaim" in v:
                claim = v["persistentVolumeClaim"].get("claimName") or name
                vol = self.claim_volume(pod, claim) if name in claims else f"k8s-pvc-{claim}"
                out[name] = ("volume", self.make_volume(vol, fs_group))
            else:
                raise ValueError(f"pod {pod.name}: volume {name}: only configMap, secret, emptyDir and PVCs run here")
        return out

    def workload_claims(self, pod):
        if pod.kind != "StatefulSet":
            return []
        return self.m.get("StatefulSet", pod.workload)["spec"].get("volumeClaimTemplates", [])

    @staticmethod
    def write_files(folder, files):
        """Writes a configMap's or secret's files: each replaced whole (a rename), so a
        container reading while it changes sees the old file or the new one."""
        os.makedirs(folder, exist_ok=True)
        for path, content in files.items():
            target = os.path.join(folder, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            tmp = target + ".new"
            with open(tmp, "w") as f:
                f.write(content)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        os.chmod(folder, 0o755)

    def make_volume(self, name, fs_group):
        if docker("volume", "inspect", name, check=False) in ("", "[]"):
            docker("volume", "create", "--label", self.label, name)
            # As the kubelet makes an emptyDir (and local-path a volume): writable by anyone;
            # with fsGroup, owned by that group, and new files inherit it.
            setup = "chmod 0777 /v" if fs_group is None else f"chgrp {fs_group} /v && chmod 2777 /v"
            docker("run", "--rm", "--network", "none", "-v", f"{name}:/v", PAUSE_IMAGE, "sh", "-c", setup)
        return name

    # ---------------------------------------------------------------- pods

    def create(self, pod):
        """The pod's pause container, then its init containers to completion, then its
        containers, started. Returns once they run (readiness is the controller's)."""
        os.makedirs(self.pod_dir(pod), exist_ok=True)
        with open(os.path.join(self.pod_dir(pod), "pod.json"), "w") as f:
            f.write(pod.to_json())
        volumes = self.prepare_volumes(pod)
        self.start_pause(pod)
        for c in pod.spec.get("initContainers", []):
            self.run_init(pod, c, volumes)
        for c in pod.spec.get("containers", []):
            docker("run", "-d", *self.run_args(pod, c, volumes, restart=True))

    def start_pause(self, pod):
        aliases = []
        for s in self.m.services_selecting(pod):
            if headless(s):  # a headless Service is DNS only: the pod's own address
                aliases += self.dns_names(s["metadata"]["name"])
        if pod.subdomain:
            aliases += self.dns_names(f"{pod.name}.{pod.subdomain}")
        args = ["run", "-d", "--name", f"k8s-{pod.name}", "--label", self.label, "--label", f"{LABEL}.pod={pod.name}",
                "--network", self.network, "--hostname", pod.name, "--restart", "always", "--read-only",
                "--cap-drop", "ALL", "--security-opt", "no-new-privileges"]
        for a in aliases:
            args += ["--network-alias", a]
        docker(*args, PAUSE_IMAGE, "sleep", "infinity")

    def run_init(self, pod, c, volumes, attempts=30):
        name = self.container_name(pod, c)
        for attempt in range(1, attempts + 1):
            docker("rm", "-f", name, check=False)
            r = subprocess.run(["docker", "run", *self.run_args(pod, c, volumes, restart=False)],
                               capture_output=True, text=True)
            log = os.path.join(self.pod_dir(pod), f"init-{c['name']}.log")
            with open(log, "a") as f:
                f.write(r.stdout + r.stderr)
            if r.returncode == 0:
                return
            time.sleep(min(2 * attempt, 10))
        raise DockerError(f"pod {pod.name}: init container {c['name']} failed {attempts} times (see {log})")

    def run_args(self, pod, c, volumes, restart):
        sc = dict(pod.spec.get("securityContext", {}))
        sc.update(c.get("securityContext", {}))
        args = ["--name", self.container_name(pod, c), "--label", self.label, "--label", f"{LABEL}.pod={pod.name}",
                "--network", f"container:k8s-{pod.name}"]
        if "runAsUser" in sc:
            args += ["--user", f"{sc['runAsUser']}:{sc.get('runAsGroup', sc['runAsUser'])}"]
        if "fsGroup" in sc:
            args += ["--group-add", str(sc["fsGroup"])]
        if sc.get("readOnlyRootFilesystem"):
            args.append("--read-only")
        if sc.get("allowPrivilegeEscalation") is False:
            args += ["--security-opt", "no-new-privileges"]
        for cap in sc.get("capabilities", {}).get("drop", []):
            args += ["--cap-drop", cap]
        limits = c.get("resources", {}).get("limits", {})
        if "memory" in limits:
            args += ["--memory", docker_memory(limits["memory"])]
        if "cpu" in limits:
            args += ["--cpus", str(cpu_cores(limits["cpu"]))]
        if restart:
            policy = pod.spec.get("restartPolicy", "Always")
            args += ["--restart", {"Always": "always", "OnFailure": "on-failure", "Never": "no"}[policy]]
        if "stopSignal" in c:
            args += ["--stop-signal", c["stopSignal"]]
        args += ["--stop-timeout", str(pod.spec.get("terminationGracePeriodSeconds", 30))]
        env = self.m.environment(pod, c)
        env.setdefault("HOSTNAME", pod.name)
        for k, v in env.items():
            args += ["-e", f"{k}={v}"]
        for vm in c.get("volumeMounts", []):
            kind, source = volumes[vm["name"]]
            if vm.get("subPath"):
                raise ValueError(f"pod {pod.name}: subPath mounts don't run here")
            ro = ",readonly" if vm.get("readOnly") else ""
            args += ["--mount", f"type={kind},source={source},target={vm['mountPath']}{ro}"]
        if c.get("workingDir"):
            args += ["-w", c["workingDir"]]
        # command replaces the image's ENTRYPOINT and args its CMD, as in Kubernetes, both with
        # $(VAR) expanded from the container's environment.
        command = [expand(x, env) for x in c.get("command", [])]
        rest = [expand(x, env) for x in c.get("args", [])]
        if command:
            args += ["--entrypoint", command[0]]
        return args + [c["image"], *command[1:], *rest]

    # --------------------------------------------------------------- state

    def container_state(self, name):
        out = docker("inspect", "-f", "{{json .State}}", name, check=False)
        return json.loads(out) if out else None

    @staticmethod
    def inspect_many(names):
        """docker inspect of many containers in one call: {name: inspect object}; missing
        names are left out."""
        if not names:
            return {}
        r = subprocess.run(["docker", "inspect", *names], capture_output=True, text=True)
        try:
            found = json.loads(r.stdout or "[]")
        except ValueError:
            return {}
        return {o["Name"].lstrip("/"): o for o in found}

    def pod_ip(self, pod_name):
        out = docker("inspect", "-f", "{{json .NetworkSettings.Networks}}", f"k8s-{pod_name}", check=False)
        if not out:
            return None
        nets = json.loads(out)
        return (nets.get(self.network) or {}).get("IPAddress") or None

    def delete(self, pod, grace=None):
        """As a pod deletion: preStop hooks, then SIGTERM and up to the grace period, then the
        pod's containers, pause container and emptyDirs go (claims stay)."""
        spec = pod.spec
        grace = spec.get("terminationGracePeriodSeconds", 30) if grace is None else grace
        # Terminating: out of its Services' endpoints at once, before the preStop hook runs,
        # as the endpoints controller does (controller.py reads this).
        with open(os.path.join(self.pod_dir(pod), "terminating"), "w"):
            pass
        time.sleep(1.5)  # the controller's next round
        for c in spec.get("containers", []):
            hook = c.get("lifecycle", {}).get("preStop", {}).get("exec")
            if hook:
                docker("exec", self.container_name(pod, c), *hook["command"], check=False, timeout=grace + 5)
        for c in spec.get("containers", []):
            docker("stop", "-t", str(grace), self.container_name(pod, c), check=False, timeout=grace + 30)
        names = [self.container_name(pod, c) for c in containers(spec, init=True)] + [f"k8s-{pod.name}"]
        docker("rm", "-f", *names, check=False)
        for v in spec.get("volumes", []):
            if "emptyDir" in v:
                docker("volume", "rm", "-f", f"k8s-{pod.name}-{v['name']}", check=False)
        shutil.rmtree(self.pod_dir(pod), ignore_errors=True)


def docker_memory(q):
    units = {"Ki": "k", "Mi": "m", "Gi": "g", "K": "k", "M": "m", "G": "g"}
    for suffix, d in units.items():
        if q.endswith(suffix):
            return q[: -len(suffix)] + d
    return q


def cpu_cores(q):
    return float(q[:-1]) / 1000 if str(q).endswith("m") else float(q)
