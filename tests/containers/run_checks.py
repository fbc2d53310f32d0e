#!/usr/bin/python3
"""scripts/containers.sh test: the checks a platform engineer runs on a fresh cluster, against
the pods `up` started, from a tester container on the stack's network that uses Service names
only (in_cluster.py). Faults are made from outside, as on a node: kill -9 of a container's
process (Docker restarts it, as the kubelet would), a pod deleted and made again with its
volume claim, a rolling restart, a ConfigMap change.

usage: run_checks.py --state DIR [--artifacts DIR] [--only NAME...]
Exit status 0 when every check passed; each failure is printed with what was seen."""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts", "containers"))

from docker_pods import LABEL, docker  # noqa: E402
from manifests import Manifests  # noqa: E402

TESTER = "k8s-tester"
TESTER_IMAGE = "mysql-proxy/container-tester"
NETWORK = "k8s-run"


class CheckFailed(AssertionError):
    pass


def expect(cond, what, seen=None):
    if not cond:
        raise CheckFailed(what + (f"\n      seen: {json.dumps(seen, default=str)[:2000]}" if seen is not None else ""))


class Cluster:
    def __init__(self, state, artifacts):
        self.state, self.artifacts = state, artifacts
        with open(os.path.join(state, "render.yaml")) as f:
            self.m = Manifests.load(f.read())
        self.secret = self.m.secret_data("mysql-credentials")
        self.start_tester()

    def start_tester(self):
        docker("rm", "-f", TESTER, check=False)
        env = {"APP_PASSWORD": self.secret["app-password"], "ROOT_PASSWORD": self.secret["root-password"],
               "ADMIN_TOKEN": self.secret["admin-token"], "ADMIN_READ_TOKEN": self.secret["admin-read-token"]}
        args = ["run", "-d", "--name", TESTER, "--label", f"{LABEL}={self.state}", "--network", NETWORK,
                "--mount", f"type=bind,source={HERE},target=/checks,readonly"]
        for k, v in env.items():
            args += ["-e", f"{k}={v}"]
        docker(*args, TESTER_IMAGE, "sleep", "infinity")

    def client(self, *args, timeout=300):
        out = docker("exec", TESTER, "python3", "/checks/in_cluster.py", *args, timeout=timeout)
        return json.loads(out.splitlines()[-1])

    def sh(self, *args, timeout=120):
        return docker("exec", TESTER, *args, timeout=timeout, check=False)

    def kube(self, *args):
        """kube_run.py STATE ARGS; its output (also printed)."""
        r = subprocess.run([sys.executable, os.path.join(HERE, "..", "..", "scripts", "containers", "kube_run.py"),
                            self.state, *args], stdout=subprocess.PIPE, text=True)
        print(r.stdout, end="", flush=True)
        if r.returncode != 0:
            raise CheckFailed(f"kube_run.py {' '.join(args)} failed ({r.returncode})", r.stdout[-2000:])
        return r.stdout

    def status(self):
        with open(os.path.join(self.state, "status.json")) as f:
            return json.load(f)

    def pods(self, prefix):
        return sorted(n for n in self.status() if n.startswith(prefix))

    def server_ids(self, workload):
        return {self.client("server", f"{p}.{self.subdomain(workload)}")["server_id"] for p in self.pods(workload + "-")}

    def subdomain(self, workload):
        return self.m.get("StatefulSet", workload)["spec"]["serviceName"]

    def proxy_admin(self, path):
        ip = self.status()[self.pods("mysql-proxy-")[0]]["ip"]
        return self.client("http", f"http://{ip}:9180{path}", self.secret["admin-read-token"])

    def kill9(self, container):
        """kill -9 of the container's process from the host; Docker starts it again."""
        pid = docker("inspect", "-f", "{{.State.Pid}}", container)
        before = docker("inspect", "-f", "{{.State.StartedAt}}", container)
        subprocess.run(["kill", "-9", pid], check=True)
        return before

    def wait_restarted(self, container, before, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if docker("inspect", "-f", "{{.State.Running}} {{.State.StartedAt}}", container, check=False) != f"true {before}" \
                    and docker("inspect", "-f", "{{.State.Running}}", container, check=False) == "true":
                return
            time.sleep(0.5)
        raise CheckFailed(f"{container} not restarted within {timeout} s")

    def wait(self, what, cond, timeout=120):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                last = cond()
                if last is True:
                    return
            except Exception as e:  # noqa: BLE001 - retried until the deadline
                last = str(e)
            time.sleep(1)
        raise CheckFailed(f"{what} not reached within {timeout} s", last)


# ------------------------------------------------------------------- checks

def check_replication(c):
    primary = c.client("server", f"mysql-primary-0.{c.subdomain('mysql-primary')}")
    expect(str(primary["read_only"]) == "0" and primary["replication"] is None, "the primary is writable and replicates from no one", primary)
    for pod in c.pods("mysql-replica-"):
        s = c.client("server", f"{pod}.{c.subdomain('mysql-replica')}")
        r = s["replication"]
        expect(str(s["read_only"]) == "1", f"{pod} is read-only", s)
        expect(r and r["io"] == "Yes" and r["sql"] == "Yes" and r["master"] == "mysql-primary",
               f"{pod} replicates from mysql-primary", s)
    marker = f"repl-{time.time_ns()}"
    c.client("write-marker", marker)
    for pod in c.pods("mysql-replica-"):
        host = f"{pod}.{c.subdomain('mysql-replica')}"
        c.wait(f"the write reaching {pod}", lambda: c.client("find-marker", marker, host)["count"] == 1, 30)


def check_routing(c):
    r = c.client("routing")
    primary = c.server_ids("mysql-primary")
    replicas = c.server_ids("mysql-replica")
    expect(len(replicas) >= 2, "two replicas", replicas)
    for kind in ("fresh_reads", "kept_reads"):
        expect(set(r[kind]) <= replicas, f"plain reads ({kind}) go to replicas only", r)
        expect(set(r[kind]) == replicas, f"plain reads ({kind}) reach every replica", r)
    expect(set(r["tx_reads"]) <= primary, "reads in a transaction go to the primary", r)
    expect(r["write_server_id"] in primary, "the write lands on the primary", r)


def check_apps_through_ingress(c):
    front = c.client("http", "http://ingress/")
    expect(front["status"] == 200 and "<html" in front["body"].lower(), "the front page through the Ingress", front)
    vew = c.client("http", "http://ingress/vew/")
    expect(vew["status"] == 200 and "Development" in vew["body"], "vew lists the sample departments", vew)
    bucket = c.client("http", "http://ingress/bucket/depts")
    expect(bucket["status"] == 200 and "Development" in bucket["body"], "bucket's API lists them", bucket)
    # Apps are given Service names, never pod addresses.
    for d in c.m.all("Deployment"):
        text = json.dumps(d["spec"]["template"])
        expect("172." not in text and ".svc" not in text or "mysql-proxy" in text, f"{d['metadata']['name']} uses Service names")


def check_persistence(c):
    marker = f"persist-{time.time_ns()}"
    c.wait("a write through the proxy", lambda: "id" in c.client("write-marker", marker), 120)
    replica = c.pods("mysql-replica-")[0]
    replica_host = f"{replica}.{c.subdomain('mysql-replica')}"
    c.wait("the marker on the replica", lambda: c.client("find-marker", marker, replica_host)["count"] == 1, 30)
    for pod, host in (("mysql-primary-0", f"mysql-primary-0.{c.subdomain('mysql-primary')}"), (replica, replica_host)):
        c.kube("recreate-pod", pod)
        got = c.client("find-marker", marker, host)
        expect(got.get("count") == 1, f"the row survives {pod} being deleted and made again", got)
    c.wait("writes through the proxy after the primary's return",
           lambda: "id" in c.client("write-marker", f"after-{marker}"), 60)


def check_backup_restore(c):
    """The nightly backup and the documented restore, run as Jobs made from the CronJobs
    (kubectl create job --from=cronjob/...): a row the backup holds is deleted and another
    written after it; the restore brings back exactly the backed-up data on the primary, and
    the replicas replay it."""
    kept = f"backup-{time.time_ns()}"
    expect("id" in c.client("write-marker", kept), "a write through the proxy")
    primary = f"mysql-primary-0.{c.subdomain('mysql-primary')}"
    replicas = [f"{p}.{c.subdomain('mysql-replica')}" for p in c.pods("mysql-replica-")]
    backed_up = c.client("checksums", primary)
    expect(any(t.startswith("demo.") for t in backed_up), "the demo tables on the primary", backed_up)
    # The backup reads whichever replica answers: each must hold what the primary holds.
    for host in replicas:
        c.wait(f"{host} caught up", lambda: c.client("checksums", host) == backed_up, 60)
    run = f"{time.time_ns() // 10**9}"
    log = c.kube("create-job", "--from=cronjob/mysql-backup", f"mysql-backup-manual-{run}")
    expect("backup: /backups/" in log and "demo" in log, "the backup Job wrote a dump of demo", log[-1500:])
    # The loss a restore is for.
    expect(c.client("delete-marker", kept).get("deleted") == 1, "the backed-up row deleted")
    later = f"after-backup-{time.time_ns()}"
    expect("id" in c.client("write-marker", later), "a write after the backup")
    log = c.kube("create-job", "--from=cronjob/mysql-restore", f"mysql-restore-manual-{run}")
    expect("restore: done" in log, "the restore Job loaded the newest dump", log[-1500:])
    restored = c.client("checksums", primary)
    expect(restored == backed_up, "the primary holds exactly the backed-up data again",
           {t: (backed_up.get(t), restored.get(t)) for t in set(backed_up) | set(restored)
            if backed_up.get(t) != restored.get(t)})
    for host in replicas:
        c.wait(f"{host} replaying the restore", lambda: c.client("checksums", host) == backed_up, 60)
    expect(c.client("find-marker", kept).get("count") == 1 and c.client("find-marker", later).get("count") == 0,
           "through the proxy: the deleted row is back, the later one gone")


def check_replica_kill(c):
    replica = c.pods("mysql-replica-")[-1]
    box = {}
    t = threading.Thread(target=lambda: box.update(c.client("load", "20")))
    t.start()
    time.sleep(3)
    container = f"k8s-{replica}-mariadb"
    before = c.kill9(container)
    t.join()
    load = box
    expect(load.get("errors") == [] and load.get("lost") == [] and load.get("reads", 0) > 0,
           f"reads and writes go on while {replica} is killed", load)
    c.wait_restarted(container, before)
    host = f"{replica}.{c.subdomain('mysql-replica')}"
    c.wait(f"{replica} replicating again", lambda: (c.client("server", host)["replication"] or {}).get("sql") == "Yes", 120)
    c.wait(f"{replica} back in the proxy's pool",
           lambda: sum(b.get("state") == "up" and b.get("role") == "replica"
                       for b in json.loads(c.proxy_admin("/api/v1/pool")["body"])["backends"]) >= 2, 60)


def check_primary_kill(c):
    marker = f"before-kill-{time.time_ns()}"
    written = c.client("write-marker", marker)
    expect("id" in written, "a write through the proxy before the kill", written)
    container = "k8s-mysql-primary-0-mariadb"
    before = c.kill9(container)
    # Reads go on through the replicas while the primary is away.
    r = c.client("reads", "20")
    expect("error" not in r and set(r["server_ids"]) <= c.server_ids("mysql-replica"),
           "reads through the proxy go on while the primary is down", r)
    c.wait_restarted(container, before)
    c.wait("writes through the proxy after the primary's return",
           lambda: "id" in c.client("write-marker", f"after-kill-{marker}"), 120)
    got = c.client("find-marker", marker)
    expect(got.get("count") == 1, "a write acknowledged before the kill is still there", got)
    for pod in c.pods("mysql-replica-"):
        host = f"{pod}.{c.subdomain('mysql-replica')}"
        c.wait(f"{pod} replicating from the returned primary",
               lambda: (c.client("server", host)["replication"] or {}).get("io") == "Yes", 120)


def check_rolling_restart(c):
    box = {}
    t = threading.Thread(target=lambda: box.update(c.client("load", "45")))
    t.start()
    time.sleep(5)
    before = set(c.pods("mysql-proxy-"))
    c.kube("rollout-restart", "mysql-proxy")
    t.join()
    after = set(c.pods("mysql-proxy-"))
    expect(after and not (after & before), "every proxy pod replaced", {"before": sorted(before), "after": sorted(after)})
    expect(box.get("errors") == [] and box.get("lost") == [] and box.get("writes", 0) > 0,
           "no client error and no acknowledged write lost during the rolling restart", box)


def check_config_reload(c):
    # The ConfigMap the proxy Deployment mounts (its name carries the generator's hash).
    volumes = c.m.get("Deployment", "mysql-proxy")["spec"]["template"]["spec"]["volumes"]
    cm_name = next(v["configMap"]["name"] for v in volumes if "configMap" in v)
    cm = c.m.get("ConfigMap", cm_name)
    key = "proxy.yaml"
    text = cm["data"][key]
    expect("max_replication_lag: 5s" in text, "the proxy config sets max_replication_lag 5s", text[:400])
    changed = text.replace("max_replication_lag: 5s", "max_replication_lag: 7s")
    path = os.path.join(c.state, "proxy.yaml.changed")
    with open(path, "w") as f:
        f.write(changed)
    c.kube("set-configmap", cm_name, key, path)
    ip = c.status()[c.pods("mysql-proxy-")[0]]["ip"]
    reply = c.sh("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H",
                 f"Authorization: Bearer {c.secret['admin-token']}", f"http://{ip}:9180/api/v1/reload")
    expect(reply == "200", "POST /api/v1/reload accepts the changed file", reply)
    cfg = c.proxy_admin("/api/v1/config")
    lag = json.loads(cfg["body"]).get("health", {}).get("max_replication_lag_seconds") if cfg["status"] == 200 else None
    expect(lag == 7, "the reloaded config is in force (health.max_replication_lag 7 s)", cfg)


def check_browser(c):
    shot = "/tmp/front.png"
    out = c.sh("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--user-data-dir=/tmp/chromium", "--virtual-time-budget=5000", "--window-size=1280,900",
               f"--screenshot={shot}", "http://ingress/", timeout=120)
    dom = c.sh("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--user-data-dir=/tmp/chromium2",
               "--virtual-time-budget=5000", "--dump-dom", "http://ingress/", timeout=120)
    os.makedirs(c.artifacts, exist_ok=True)
    target = os.path.join(c.artifacts, "front.png")
    docker("cp", f"{TESTER}:{shot}", target, check=False)
    expect(os.path.exists(target) and os.path.getsize(target) > 10000, "a screenshot of the front page", out[-500:])
    expect("<body" in dom, "Chromium rendered the page behind the Ingress", dom[:500])


CHECKS = [check_replication, check_routing, check_apps_through_ingress, check_config_reload, check_browser,
          check_backup_restore, check_replica_kill, check_primary_kill, check_persistence, check_rolling_restart]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True)
    ap.add_argument("--artifacts", default=None)
    ap.add_argument("--only", nargs="*")
    a = ap.parse_args()
    c = Cluster(os.path.abspath(a.state), a.artifacts or os.path.join(a.state, "artifacts"))
    failed = []
    for check in CHECKS:
        name = check.__name__[len("check_"):]
        if a.only and name not in a.only:
            continue
        start = time.monotonic()
        try:
            check(c)
            print(f"PASS {name} ({time.monotonic() - start:.0f} s)", flush=True)
        except Exception as e:  # noqa: BLE001 - every check runs; each failure is reported
            failed.append(name)
            detail = str(e) if isinstance(e, CheckFailed) else traceback.format_exc()
            print(f"FAIL {name} ({time.monotonic() - start:.0f} s): {detail}", flush=True)
    docker("rm", "-f", TESTER, check=False)
    print(f"{len(failed)} failed: {' '.join(failed)}" if failed else "all container checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
