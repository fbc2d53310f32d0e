"""The part of the kubelet and the endpoints controller the container run needs: it runs each
pod's startup and readiness probes on their schedule, and writes, for every Service with a
virtual address, the ready pods' addresses that its svcproxy passes connections to. A container
that restarts (killed, crashed) starts over: not ready until its probes pass again.

Run in the background by `scripts/containers.sh up` until `down`; it reads the pods from the
state directory each round, so pods made later (a rolling restart) are picked up."""

import glob
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from docker_pods import Runtime
from manifests import Manifests, Pod, headless, port_number, selects


class Probe:
    def __init__(self, spec, container):
        self.spec, self.container = spec, container
        self.period = spec.get("periodSeconds", 10)
        self.timeout = spec.get("timeoutSeconds", 1)
        self.failures_allowed = spec.get("failureThreshold", 3)
        self.successes_needed = spec.get("successThreshold", 1)
        self.next_at = time.monotonic() + spec.get("initialDelaySeconds", 0)
        self.successes = self.failures = 0

    def due(self, now):
        return now >= self.next_at

    def record(self, ok, now):
        self.next_at = now + self.period
        if ok:
            self.successes, self.failures = self.successes + 1, 0
        else:
            self.successes, self.failures = 0, self.failures + 1


class PodWatch:
    """One pod's containers and their probes; started over when a container restarts."""

    def __init__(self, pod, started):
        self.pod, self.started = pod, started
        self.ready = False
        self.startup, self.readiness = {}, {}
        for c in pod.spec.get("containers", []):
            if "startupProbe" in c:
                self.startup[c["name"]] = Probe(c["startupProbe"], c)
            if "readinessProbe" in c:
                self.readiness[c["name"]] = Probe(c["readinessProbe"], c)


class Controller:
    def __init__(self, state_dir, render_path, network):
        with open(render_path) as f:
            self.m = Manifests.load(f.read())
        self.rt = Runtime(self.m, state_dir, network)
        self.state = state_dir
        self.watches = {}
        self.inspected = {}

    def pods(self):
        out = []
        for path in glob.glob(os.path.join(self.state, "pods", "*", "pod.json")):
            try:
                with open(path) as f:
                    out.append(Pod.from_json(f.read()))
            except (OSError, ValueError):
                pass  # being written or removed
        return out

    def run_probe(self, pod, probe, ip):
        spec = probe.spec
        try:
            if "exec" in spec:
                r = subprocess.run(["docker", "exec", self.rt.container_name(pod, probe.container),
                                    *spec["exec"]["command"]], capture_output=True, timeout=probe.timeout + 2)
                return r.returncode == 0
            if ip is None:
                return False
            if "httpGet" in spec:
                g = spec["httpGet"]
                url = f"http://{ip}:{port_number(pod.spec, g['port'])}{g.get('path', '/')}"
                with urllib.request.urlopen(url, timeout=probe.timeout) as r:
                    return 200 <= r.status < 400
            if "tcpSocket" in spec:
                with socket.create_connection((ip, port_number(pod.spec, spec["tcpSocket"]["port"])), probe.timeout):
                    return True
        except Exception:  # noqa: BLE001 - any failure is a failed probe, as the kubelet counts it
            return False
        return False

    def step(self):
        now = time.monotonic()
        seen = set()
        pods = self.pods()
        names = [f"k8s-{p.name}" for p in pods]
        names += [self.rt.container_name(p, c) for p in pods for c in p.spec.get("containers", [])]
        self.inspected = self.rt.inspect_many(names)
        for pod in pods:
            seen.add(pod.name)
            states = [(self.inspected.get(self.rt.container_name(pod, c)) or {}).get("State")
                      for c in pod.spec.get("containers", [])]
            running = all(s and s.get("Running") for s in states)
            started = tuple(s.get("StartedAt") if s else "" for s in states)
            w = self.watches.get(pod.name)
            if w is None or w.started != started:
                w = self.watches[pod.name] = PodWatch(pod, started)
            terminating = os.path.exists(os.path.join(self.rt.pod_dir(pod), "terminating"))
            if not running or terminating:
                w.ready = False
                continue
            ip = self.pod_ip(pod.name)
            started_ok = True
            for name, p in w.startup.items():
                if p.successes >= p.successes_needed:
                    continue
                started_ok = False
                if p.due(now):
                    p.record(self.run_probe(pod, p, ip), now)
            if not started_ok:
                w.ready = False
                continue
            for p in w.readiness.values():
                if p.due(now):
                    p.record(self.run_probe(pod, p, ip), now)
            ready = all(p.successes >= p.successes_needed for p in w.readiness.values())
            # Not ready only after failureThreshold failures in a row, as the kubelet does.
            if w.ready and not ready:
                ready = all(p.failures < p.failures_allowed for p in w.readiness.values())
            w.ready = ready
        for name in list(self.watches):
            if name not in seen:
                del self.watches[name]
        self.publish()

    def publish(self):
        status = {name: {"ready": w.ready, "ip": self.pod_ip(name)}
                  for name, w in self.watches.items()}
        write_json(os.path.join(self.state, "status.json"), status)
        for s in self.m.all("Service"):
            if headless(s):
                continue
            eps = {}
            for port in s["spec"].get("ports", []):
                targets = []
                for name, w in sorted(self.watches.items()):
                    if w.ready and selects(s, w.pod.labels) and status[name]["ip"]:  # ready pods only
                        target = port_number(w.pod.spec, port.get("targetPort", port["port"]))
                        targets.append(f"{status[name]['ip']}:{target}")
                eps[str(port["port"])] = targets
            write_json(os.path.join(self.state, "endpoints", s["metadata"]["name"], "endpoints.json"), eps)

    def pod_ip(self, name):
        nets = ((self.inspected.get(f"k8s-{name}") or {}).get("NetworkSettings") or {}).get("Networks") or {}
        return (nets.get(self.rt.network) or {}).get("IPAddress") or None

    def run(self):
        while True:
            try:
                self.step()
            except Exception as e:  # noqa: BLE001 - keep serving; say what went wrong
                print(f"controller: {e}", file=sys.stderr, flush=True)
            time.sleep(1)


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = json.dumps(value, sort_keys=True, indent=1)
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(path + ".new", "w") as f:
        f.write(text)
    os.replace(path + ".new", path)


if __name__ == "__main__":
    Controller(*sys.argv[1:4]).run()
