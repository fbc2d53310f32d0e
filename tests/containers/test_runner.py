#!/usr/bin/python3
"""The container runner's pure parts (scripts/containers/): $(VAR) expansion, environments from
ConfigMaps and Secrets, start order from the Services a pod names, Jobs made from CronJobs, the Ingress as nginx
locations, and the Service forwarder's endpoint choice. No Docker needed.

    /usr/bin/python3 -m unittest tests/containers/test_runner.py   (ctest: containers.runner)"""

import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "containers"))

from ingress import nginx_conf  # noqa: E402
from manifests import Manifests, expand, start_order  # noqa: E402
from svcproxy import Endpoints  # noqa: E402

RENDER = """
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: demo}
data: {pw: c2VjcmV0}
stringData: {token: t0k}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app-config, namespace: demo}
data: {DB_HOST: db, proxy.yaml: "backends:\\n  - host: db-headless\\n"}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: demo}
spec: {selector: {app: db}, ports: [{port: 3306}]}
---
apiVersion: v1
kind: Service
metadata: {name: db-headless, namespace: demo}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 3306}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec: {selector: {app: web}, ports: [{name: http, port: 80, targetPort: http}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: demo}
spec:
  serviceName: db-headless
  replicas: 2
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: db-image}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo}
spec:
  replicas: 1
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: web-image
          ports: [{name: http, containerPort: 8080}]
          envFrom: [{configMapRef: {name: app-config}, prefix: CFG_}]
          env:
            - {name: PW, valueFrom: {secretKeyRef: {name: creds, key: pw}}}
            - {name: URL, value: "mysql://$(CFG_DB_HOST):3306/$(MISSING)"}
            - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: demo}
spec:
  rules:
    - http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
          - {path: /api, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
          - {path: /exact, pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: demo}
spec:
  suspend: true
  schedule: "0 2 * * *"
  jobTemplate:
    metadata: {labels: {job: nightly}}
    spec:
      backoffLimit: 1
      template:
        metadata: {labels: {app: nightly}}
        spec:
          restartPolicy: Never
          containers: [{name: dump, image: db-image, env: [{name: HOST, value: db}]}]
"""


class RunnerTest(unittest.TestCase):
    def setUp(self):
        self.m = Manifests.load(RENDER)

    def test_expand_replaces_defined_variables_and_keeps_the_rest(self):
        self.assertEqual(expand("$(A)-$(B)-$$(A)", {"A": "x"}), "x-$(B)-$(A)")

    def test_environment_in_kubernetes_order(self):
        pod = [p for p in self.m.pods() if p.workload == "web"][0]
        env = self.m.environment(pod, pod.spec["containers"][0])
        self.assertEqual(env["CFG_DB_HOST"], "db")
        self.assertEqual(env["PW"], "secret")
        self.assertEqual(env["URL"], "mysql://db:3306/$(MISSING)")
        self.assertEqual(env["POD"], pod.name)

    def test_statefulset_pods_are_ordinal_and_named_under_their_service(self):
        db = [p for p in self.m.pods() if p.workload == "db"]
        self.assertEqual([p.name for p in db], ["db-0", "db-1"])
        self.assertEqual({p.subdomain for p in db}, {"db-headless"})

    def test_a_pod_starts_after_the_services_it_names(self):
        tiers = start_order(self.m, self.m.pods())
        self.assertEqual([sorted(p.workload for p in t) for t in tiers], [["db", "db"], ["web"]])
        web = [p for p in self.m.pods() if p.workload == "web"][0]
        self.assertEqual(self.m.dependencies(web), ["db", "db-headless"])

    def test_a_job_made_from_a_cronjob_runs_its_template_even_when_suspended(self):
        job = self.m.job_from_cronjob("nightly", "nightly-now")
        self.assertEqual(job["kind"], "Job")
        self.assertEqual(job["metadata"]["labels"], {"job": "nightly"})
        self.assertEqual(job["spec"]["backoffLimit"], 1)
        pods = self.m.pods_of(job)
        self.assertEqual([p.name for p in pods], ["nightly-now-0"])
        self.assertEqual(pods[0].labels, {"app": "nightly"})
        self.assertEqual(self.m.dependencies(pods[0]), ["db"])
        # A copy: changing the Job leaves the CronJob as rendered.
        job["spec"]["backoffLimit"] = 5
        self.assertEqual(self.m.get("CronJob", "nightly")["spec"]["jobTemplate"]["spec"]["backoffLimit"], 1)
        with self.assertRaises(KeyError):
            self.m.job_from_cronjob("missing", "x")

    def test_ingress_paths_longest_first_with_whole_segments(self):
        conf = nginx_conf(self.m)
        self.assertLess(conf.index("location = /exact"), conf.index("location = /api"))
        self.assertIn("location /api/ {", conf)
        self.assertIn("location / {", conf)
        self.assertIn("http://web.demo.svc.cluster.local:80", conf)  # the named port resolved

    def test_forwarder_takes_ready_endpoints_in_turn_and_none_when_empty(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "endpoints.json")
            with open(path, "w") as f:
                json.dump({"3306": ["10.0.0.1:3306", "10.0.0.2:3306"], "80": []}, f)
            e = Endpoints(path)
            self.assertEqual([e.pick(3306) for _ in range(3)],
                             [("10.0.0.1", 3306), ("10.0.0.2", 3306), ("10.0.0.1", 3306)])
            self.assertIsNone(e.pick(80))


if __name__ == "__main__":
    unittest.main()
