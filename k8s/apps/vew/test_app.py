#!/usr/bin/python3
"""Tests for vew against a running stack (the app behind nginx, or the app alone).

usage: BASE_URL=http://127.0.0.1:8080 /usr/bin/python3 k8s/apps/vew/test_app.py
BASE_URL is the origin the /vew paths hang off. The primary's server_id comes from
PRIMARY_SERVER_ID, or is asked of the primary directly at CLUSTER_PRIMARY_HOST (127.0.0.1):
CLUSTER_PRIMARY_PORT as MYSQL_USER/MYSQL_PASSWORD (app/app-pass).
"""

import json
import os
import re
import unittest
import urllib.error
import urllib.request
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from stack_probe import primary_server_id  # noqa: E402

BASE_URL = os.environ.get("BASE_URL", "").rstrip("/")


def get(path):
    """(status, content type, body text) of GET BASE_URL + path; error statuses too."""
    try:
        with urllib.request.urlopen(BASE_URL + path, timeout=15) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode(errors="replace")




def served_by(html):
    m = re.search(r'id="served-by"\s+data-server-id="(\d+)"\s+data-port="(\d+)"\s+data-hostname="([^"]*)"', html)
    if not m:
        raise AssertionError("no served-by block in the page:\n" + html[:2000])
    return {"server_id": int(m.group(1)), "port": int(m.group(2)), "hostname": m.group(3)}


class VewTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not BASE_URL:
            raise RuntimeError("BASE_URL is not set")
        cls.primary_id = primary_server_id()

    def test_healthz(self):
        status, ctype, body = get("/vew/healthz")
        self.assertEqual(status, 200)
        self.assertIn("application/json", ctype)
        self.assertEqual(json.loads(body)["status"], "ok")

    def test_page_lists_departments(self):
        status, ctype, body = get("/vew/")
        self.assertEqual(status, 200, body[:500])
        self.assertIn("text/html", ctype)
        rows = re.findall(r'<tr class="dept" data-dept-no="(d\d{3})"><td>\1</td><td>([^<]+)</td>'
                          r'<td class="num">(\d+)</td></tr>', body)
        self.assertGreaterEqual(len(rows), 9, "expected the nine sample departments")
        by_no = {no: (name, int(n)) for no, name, n in rows}
        self.assertEqual(by_no["d001"][0], "Marketing")
        self.assertEqual(by_no["d005"][0], "Development")
        self.assertGreater(sum(n for _, n in by_no.values()), 0, "no employees counted")

    def test_prefix_without_slash(self):
        status, _, body = get("/vew")
        self.assertEqual(status, 200)
        self.assertIn('data-dept-no="d001"', body)

    def test_reads_served_by_a_replica(self):
        seen = set()
        for _ in range(6):
            status, _, body = get("/vew/")
            self.assertEqual(status, 200, body[:500])
            s = served_by(body)
            self.assertNotEqual(s["server_id"], self.primary_id,
                                "read served by the primary (server_id %d)" % self.primary_id)
            self.assertGreater(s["port"], 0)
            seen.add(s["server_id"])
        print("vew reads served by server_ids %s (primary is %d)" % (sorted(seen), self.primary_id))

    def test_unknown_path(self):
        status, _, _ = get("/vew/no-such-page")
        self.assertEqual(status, 404)


if __name__ == "__main__":
    unittest.main(verbosity=2)
