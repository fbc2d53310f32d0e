#!/usr/bin/python3
"""Tests for bucket against a running stack (the app behind nginx, or the app alone).

usage: BASE_URL=http://127.0.0.1:8080 /usr/bin/python3 k8s/apps/bucket/test_app.py
BASE_URL is the origin the /bucket paths hang off. The primary's server_id comes from
PRIMARY_SERVER_ID, or is asked of the primary directly at CLUSTER_PRIMARY_HOST (127.0.0.1):
CLUSTER_PRIMARY_PORT as MYSQL_USER/MYSQL_PASSWORD (app/app-pass); with the latter, the
departments the tests add are deleted again at the end.
"""

import json
import os
import time
import unittest
import urllib.error
import urllib.request
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from stack_probe import primary_connection, primary_server_id  # noqa: E402

BASE_URL = os.environ.get("BASE_URL", "").rstrip("/")
CREATED = []  # dept_no of every department the tests added


def call(method, path, body=None):
    """(status, parsed JSON) of a request to BASE_URL + path; error statuses too."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE_URL + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=15) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw.decode(errors="replace")






def unique_name(tag):
    return "t-%s-%d-%d" % (tag, os.getpid(), time.time_ns() % 10**9)


class BucketTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not BASE_URL:
            raise RuntimeError("BASE_URL is not set")
        cls.primary_id = primary_server_id()

    @classmethod
    def tearDownClass(cls):
        conn = primary_connection() if CREATED else None
        if conn is not None:
            with conn.cursor() as cur:
                cur.executemany("DELETE FROM departments WHERE dept_no = %s", CREATED)
            conn.close()

    def create(self, name):
        status, body = call("POST", "/bucket/depts", {"dept_name": name})
        if status == 201:
            CREATED.append(body["dept_no"])
        return status, body

    def test_healthz(self):
        status, body = call("GET", "/bucket/healthz")
        self.assertEqual((status, body["status"]), (200, "ok"))

    def test_status(self):
        status, body = call("GET", "/bucket")
        self.assertEqual(status, 200, body)
        self.assertEqual((body["status"], body["app"]), ("ok", "bucket"))
        self.assertIsInstance(body["backend"]["served_by"]["server_id"], int)

    def test_list_served_by_a_replica(self):
        seen = set()
        for _ in range(6):
            status, body = call("GET", "/bucket/depts")
            self.assertEqual(status, 200, body)
            names = {d["dept_no"]: d["dept_name"] for d in body["departments"]}
            self.assertEqual(names.get("d001"), "Marketing")
            self.assertEqual(body["count"], len(body["departments"]))
            self.assertGreaterEqual(body["count"], 9)
            self.assertGreater(sum(d["employees"] for d in body["departments"]), 0)
            sid = body["served_by"]["server_id"]
            self.assertNotEqual(sid, self.primary_id, "read served by the primary")
            seen.add(sid)
        print("bucket reads served by server_ids %s (primary is %d)" % (sorted(seen), self.primary_id))

    def test_post_on_primary_then_listed(self):
        name = unique_name("post")
        status, body = self.create(name)
        self.assertEqual(status, 201, body)
        self.assertRegex(body["dept_no"], r"^d\d{3}$")
        self.assertEqual(body["dept_name"], name)
        self.assertEqual(body["served_by"]["server_id"], self.primary_id, "write not on the primary")
        # Replicas apply the insert a moment later.
        deadline = time.monotonic() + 10
        while True:
            status, listing = call("GET", "/bucket/depts")
            self.assertEqual(status, 200, listing)
            if {"dept_no": body["dept_no"], "dept_name": name, "employees": 0} in listing["departments"]:
                break
            self.assertLess(time.monotonic(), deadline, "%s not listed after 10 s" % body["dept_no"])
            time.sleep(0.2)
        self.assertNotEqual(listing["served_by"]["server_id"], self.primary_id)

    def test_duplicate_then_next_insert(self):
        name = unique_name("dup")
        self.assertEqual(self.create(name)[0], 201)
        status, body = self.create(name)
        self.assertEqual(status, 409, body)
        # The failed transaction must not leave locks behind that stall the next insert.
        t0 = time.monotonic()
        status, body = self.create(unique_name("after-dup"))
        self.assertEqual(status, 201, body)
        self.assertLess(time.monotonic() - t0, 5, "insert after a duplicate took too long")

    def test_invalid_names(self):
        for bad in ({"dept_name": ""}, {"dept_name": "   "}, {"dept_name": "x" * 41}, {}):
            status, body = call("POST", "/bucket/depts", bad)
            self.assertEqual(status, 422, (bad, body))

    def test_pool(self):
        status, pool = call("GET", "/bucket/pool")
        self.assertEqual(status, 200, pool)
        roles = {b["name"]: b["role"] for b in pool["backends"]}
        self.assertEqual(roles.get(pool["primary"]), "primary")
        self.assertIn("replica", roles.values())
        for b in pool["backends"]:
            self.assertIn(b["state"], ("up", "lagging", "down", "draining"))
            self.assertIsInstance(b["queries_routed"], int)

    def test_unknown_path(self):
        self.assertEqual(call("GET", "/bucket/no-such-thing")[0], 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
