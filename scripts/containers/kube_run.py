#!/usr/bin/python3
"""Runs a rendered overlay's pods under Docker: scripts/containers.sh's engine.

usage: kube_run.py STATE_DIR up RENDER.yaml
       kube_run.py STATE_DIR status | wait-ready [POD...] [--timeout S]
       kube_run.py STATE_DIR recreate-pod POD          (a StatefulSet pod deleted and made again)
       kube_run.py STATE_DIR rollout-restart DEPLOYMENT (maxSurge/maxUnavailable as its strategy)
       kube_run.py STATE_DIR set-configmap NAME KEY FILE (the kubelet's refresh of mounted files)
       kube_run.py STATE_DIR create-job --from=cronjob/CRONJOB NAME (run to completion; prints its log)
       kube_run.py STATE_DIR down

What runs comes from the render only: each workload's pods (docker_pods.py), a svcproxy per
Service with a virtual address and the pods' own names for headless ones, nginx for the
Ingresses (ingress.py), and the controller (controller.py) that probes readiness and keeps the
Services' endpoints. A pod starts once the Services it names have ready pods
(manifests.start_order); a StatefulSet's pods start one at a time, each once the one before is
ready. Not run: the scheduler, CronJob schedules (create-job runs one by hand), HPA, PDB, NetworkPolicy, liveness probes (Docker restarts a
container whose process ends, as the kubelet does; it doesn't kill a hung one)."""

import datetime
import json
import os
import signal
import subprocess
import sys
import time

import yaml

from docker_pods import LABEL, DockerError, Runtime, docker
from ingress import nginx_conf
from manifests import Manifests, Pod, headless, start_order

HERE = os.path.dirname(os.path.abspath(__file__))
SERVICE_IMAGE = "python:3.11-slim"
INGRESS_IMAGE = "nginx:1.25-alpine"
NETWORK = "k8s-run"


class Stack:
    def __init__(self, state):
        self.state = os.path.abspath(state)
        self.render_path = os.path.join(self.state, "render.yaml")
        self.m = None
        if os.path.exists(self.render_path):
            self.load()

    def load(self):
        with open(self.render_path) as f:
            self.m = Manifests.load(f.read())
        self.rt = Runtime(self.m, self.state, NETWORK)

    def log(self, msg):
        print(f"[{datetime.datetime.now():%H:%M:%S}] {msg}", flush=True)

    # ------------------------------------------------------------------- up

    def up(self, render):
        os.makedirs(self.state, exist_ok=True)
        with open(render) as f, open(self.render_path, "w") as out:
            out.write(f.read())
        self.load()
        if docker("network", "inspect", NETWORK, check=False) in ("", "[]"):
            docker("network", "create", "--internal", "--label", self.rt.label, NETWORK)
        self.start_controller()
        for s in self.m.all("Service"):
            if not headless(s):
                self.start_service(s)
        if self.m.all("Ingress"):
            self.start_ingress()
        pods = self.m.pods()
        for i, tier in enumerate(start_order(self.m, pods), 1):
            self.log(f"tier {i}: {', '.join(p.name for p in tier)}")
            for p in tier:
                if p.kind == "Job":
                    continue
                self.create(p)
                if p.kind == "StatefulSet":  # OrderedReady: the next ordinal waits for this one
                    self.wait_ready([p.name])
            self.wait_ready([p.name for p in tier if p.kind != "Job"])
            for p in tier:
                if p.kind == "Job":
                    self.create(p)
        for p in pods:
            if p.kind == "Job":
                self.wait_job(p, self.m.get("Job", p.workload)["spec"].get("backoffLimit", 6))
        self.log("up: every pod ready, every Job complete")

    def create(self, pod):
        if self.rt.container_state(f"k8s-{pod.name}"):
            self.log(f"pod {pod.name}: already there")
            return
        self.log(f"pod {pod.name}: creating")
        self.rt.create(pod)

    def start_controller(self):
        pid_file = os.path.join(self.state, "controller.pid")
        if os.path.exists(pid_file):
            try:
                os.kill(int(open(pid_file).read()), 0)
                return
            except (OSError, ValueError):
                pass
        log = open(os.path.join(self.state, "controller.log"), "a")
        p = subprocess.Popen([sys.executable, os.path.join(HERE, "controller.py"), self.state, self.render_path, NETWORK],
                             stdout=log, stderr=log, start_new_session=True)
        with open(pid_file, "w") as f:
            f.write(str(p.pid))

    def start_service(self, s):
        name = s["metadata"]["name"]
        cname = f"k8s-svc-{name}"
        if self.rt.container_state(cname):
            return
        folder = os.path.join(self.state, "endpoints", name)
        os.makedirs(folder, exist_ok=True)
        if not os.path.exists(os.path.join(folder, "endpoints.json")):
            with open(os.path.join(folder, "endpoints.json"), "w") as f:
                f.write("{}")
        args = ["run", "-d", "--name", cname, "--label", self.rt.label, "--network", NETWORK, "--restart", "always",
                "--read-only", "--cap-drop", "ALL", "--user", "65534:65534",
                "--mount", f"type=bind,source={folder},target=/endpoints,readonly",
                "--mount", f"type=bind,source={HERE}/svcproxy.py,target=/svcproxy.py,readonly"]
        for a in self.rt.dns_names(name):
            args += ["--network-alias", a]
        ports = [str(p["port"]) for p in s["spec"].get("ports", [])]
        docker(*args, SERVICE_IMAGE, "python3", "/svcproxy.py", "/endpoints/endpoints.json", *ports)

    def start_ingress(self):
        folder = os.path.join(self.state, "ingress")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "nginx.conf"), "w") as f:
            f.write(nginx_conf(self.m))
        if self.rt.container_state("k8s-ingress"):
            docker("exec", "k8s-ingress", "nginx", "-s", "reload")
            return
        docker("run", "-d", "--name", "k8s-ingress", "--label", self.rt.label, "--network", NETWORK,
               "--network-alias", "ingress", "--restart", "always",
               "--mount", f"type=bind,source={folder},target=/etc/nginx/generated,readonly",
               INGRESS_IMAGE, "nginx", "-c", "/etc/nginx/generated/nginx.conf", "-g", "daemon off;")

    # ---------------------------------------------------------------- state

    def status(self):
        try:
            with open(os.path.join(self.state, "status.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def pods_on_disk(self):
        out = {}
        folder = os.path.join(self.state, "pods")
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            try:
                with open(os.path.join(folder, name, "pod.json")) as f:
                    out[name] = Pod.from_json(f.read())
            except OSError:
                pass
        return out

    def wait_ready(self, names, timeout=600):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st = self.status()
            if all(st.get(n, {}).get("ready") for n in names):
                return
            time.sleep(0.5)
        st = self.status()
        late = [n for n in names if not st.get(n, {}).get("ready")]
        raise DockerError(f"not ready after {timeout} s: {', '.join(late)} "
                          f"(logs: docker logs k8s-<pod>-<container>; {self.state}/controller.log)")

    def wait_job(self, pod, backoff_limit=6, timeout=900):
        """A Job's pod to completion. A failed pod is deleted and made again, up to the Job's
        backoffLimit times, as the Job controller does; the last pod's log is kept and the
        error carries its end."""
        deadline = time.monotonic() + timeout
        failures = 0
        while time.monotonic() < deadline:
            states = [self.rt.container_state(self.rt.container_name(pod, c)) for c in pod.spec["containers"]]
            if all(s and s.get("Status") == "exited" for s in states):
                log = self.save_job_log(pod)
                if all(s["ExitCode"] == 0 for s in states):
                    self.log(f"job {pod.workload}: complete")
                    return log
                failures += 1
                if failures > backoff_limit:
                    raise DockerError(f"job {pod.workload} failed {failures} times; its log ends:\n{log[-2000:]}")
                self.log(f"job {pod.workload}: pod failed ({failures}), made again")
                self.rt.delete(pod, grace=0)
                self.create(pod)
            time.sleep(1)
        raise DockerError(f"job {pod.workload} did not complete in {timeout} s")

    def save_job_log(self, pod):
        log = "".join(docker("logs", self.rt.container_name(pod, c), check=False, merge=True) + "\n"
                      for c in pod.spec["containers"])
        folder = os.path.join(self.state, "jobs")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{pod.workload}.log"), "w") as f:
            f.write(log)
        return log

    def create_job(self, cronjob, name):
        """`kubectl create job NAME --from=cronjob/CRONJOB`, run to completion; its pod is then
        deleted (its log stays in jobs/NAME.log). Prints the log."""
        job = self.m.job_from_cronjob(cronjob, name)
        pod = self.m.pods_of(job)[0]
        self.create(pod)
        try:
            return self.wait_job(pod, job["spec"].get("backoffLimit", 6))
        finally:
            self.rt.delete(pod, grace=0)

    # ----------------------------------------------------------- operations

    def recreate_pod(self, name):
        pod = self.pods_on_disk()[name]
        self.log(f"pod {name}: deleting")
        self.rt.delete(pod)
        self.wait_gone(name)
        self.create(pod)
        self.wait_ready([name])
        self.log(f"pod {name}: ready again")

    def wait_gone(self, name, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.status().get(name):
            time.sleep(0.5)

    def rollout_restart(self, deployment):
        """kubectl rollout restart: a new template revision, rolled out under the Deployment's
        strategy (new pods first when maxUnavailable is 0)."""
        d = self.m.get("Deployment", deployment)
        template = d["spec"]["template"]
        template.setdefault("metadata", {}).setdefault("annotations", {})[
            "kubectl.kubernetes.io/restartedAt"] = datetime.datetime.now().isoformat()
        self.save_render()
        old = [p for p in self.pods_on_disk().values() if p.kind == "Deployment" and p.workload == deployment]
        new = self.m.pods_of(d, replicas=len(old))
        for o, n in zip(old, new):
            self.create(n)
            self.wait_ready([n.name])
            self.log(f"rollout: {n.name} ready; {o.name} leaves")
            self.rt.delete(o)
        self.log(f"rollout of {deployment} done")

    def set_configmap(self, name, key, path):
        """Changes a key of a ConfigMap and rewrites the files of every pod volume that mounts
        it, as the kubelet does (without its delay)."""
        with open(path) as f:
            value = f.read()
        self.m.get("ConfigMap", name)["data"][key] = value
        self.save_render()
        for pod in self.pods_on_disk().values():
            for v in pod.spec.get("volumes", []):
                if v.get("configMap", {}).get("name") == name:
                    folder = os.path.join(self.rt.pod_dir(pod), "volumes", v["name"])
                    self.rt.write_files(folder, self.m.volume_files(v))
                    self.log(f"pod {pod.name}: {name} refreshed in volume {v['name']}")

    def save_render(self):
        with open(self.render_path + ".new", "w") as f:
            yaml.safe_dump_all(self.m.objects, f, sort_keys=False)
        os.replace(self.render_path + ".new", self.render_path)

    def down(self):
        pid_file = os.path.join(self.state, "controller.pid")
        if os.path.exists(pid_file):
            try:
                os.killpg(int(open(pid_file).read()), signal.SIGTERM)
            except (OSError, ValueError):
                pass
            os.remove(pid_file)
        label = f"{LABEL}={self.state}"
        ids = docker("ps", "-aq", "--filter", f"label={label}").split()
        if ids:
            docker("rm", "-f", *ids)
        vols = docker("volume", "ls", "-q", "--filter", f"label={label}").split()
        if vols:
            docker("volume", "rm", "-f", *vols)
        docker("network", "rm", NETWORK, check=False)
        for sub in ("pods", "endpoints", "ingress", "jobs"):
            subprocess.run(["rm", "-rf", os.path.join(self.state, sub)])
        for f in ("status.json", "render.yaml"):
            if os.path.exists(os.path.join(self.state, f)):
                os.remove(os.path.join(self.state, f))
        self.log("down: containers, volumes and the network removed")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    stack, cmd, args = Stack(argv[0]), argv[1], argv[2:]
    if cmd == "up":
        stack.up(args[0])
    elif cmd == "status":
        for name, s in sorted(stack.status().items()):
            print(f"{name:40} {'ready' if s['ready'] else 'not ready':10} {s.get('ip') or ''}")
    elif cmd == "wait-ready":
        timeout = 600
        if "--timeout" in args:
            i = args.index("--timeout")
            timeout = float(args[i + 1])
            args = args[:i] + args[i + 2:]
        stack.wait_ready(args or list(stack.pods_on_disk()), timeout)
    elif cmd == "recreate-pod":
        stack.recreate_pod(args[0])
    elif cmd == "rollout-restart":
        stack.rollout_restart(args[0])
    elif cmd == "create-job":
        print(stack.create_job(args[0].removeprefix("--from=cronjob/"), args[1]), end="")
    elif cmd == "set-configmap":
        stack.set_configmap(*args)
    elif cmd == "down":
        stack.down()
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except DockerError as e:
        print(f"kube_run: {e}", file=sys.stderr)
        sys.exit(1)
