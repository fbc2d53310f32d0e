#!/usr/bin/python3
"""The demo stack as a person sees it: headless Chromium loads the pages through nginx.

usage: BASE_URL=http://127.0.0.1:8080 /usr/bin/python3 tests/integration/browser_test.py
Needs a running demo stack (scripts/demo-stack.sh) and the primary's server_id from
PRIMARY_SERVER_ID or, asked directly, CLUSTER_PRIMARY_PORT. Saves a screenshot of the front page
to ARTIFACT_DIR (default build/test-artifacts) as demo-front.png.
"""

import html
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time
import unittest
import urllib.request
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "k8s", "apps", "common"))
from stack_probe import primary_server_id  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE_URL = os.environ.get("BASE_URL", "").rstrip("/")
ARTIFACT_DIR = os.environ.get("ARTIFACT_DIR") or os.path.join(ROOT, "build", "test-artifacts")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
JS_BUDGET_MS = 6000  # virtual time for the front page: its first polls of /bucket/pool




class Browser:
    """One headless Chromium run per call, with a private profile."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="demo-chromium-")

    def close(self):
        shutil.rmtree(self.profile, ignore_errors=True)

    def run(self, url, *flags):
        # --no-sandbox: Chromium's sandbox refuses to run as root.
        cmd = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-dev-shm-usage", "--disable-extensions", "--disable-background-networking",
               "--user-data-dir=" + self.profile, "--enable-logging=stderr", "--v=0", *flags, url]
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=90)
        log = proc.stderr.decode(errors="replace")
        if proc.returncode != 0:
            raise AssertionError("chromium exited %d for %s:\n%s" % (proc.returncode, url, log[-3000:]))
        # Page errors show up as console lines; any uncaught one is a bug in the page.
        errors = [l for l in log.splitlines() if ":CONSOLE" in l and "Uncaught" in l]
        if errors:
            raise AssertionError("JavaScript errors on %s:\n%s" % (url, "\n".join(errors)))
        return proc.stdout.decode(errors="replace")

    def dom(self, path, js_budget_ms=None):
        flags = ["--virtual-time-budget=%d" % js_budget_ms] if js_budget_ms else []
        return self.run(BASE_URL + path, *flags, "--dump-dom")

    def json(self, path):
        # Chromium shows a JSON response as text in a <pre>.
        m = re.search(r"<pre[^>]*>(.*?)</pre>", self.dom(path), re.S)
        if not m:
            raise AssertionError("no <pre> with JSON in the page for %s" % path)
        return json.loads(html.unescape(m.group(1)))


def post_department(name):
    req = urllib.request.Request(BASE_URL + "/bucket/depts", method="POST",
                                 data=json.dumps({"dept_name": name}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=15) as resp:
        return resp.status, json.load(resp)


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise AssertionError("%s is not a PNG" % path)
    return struct.unpack(">II", head[16:24])


class BrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not BASE_URL:
            raise RuntimeError("BASE_URL is not set")
        if not os.access(CHROMIUM, os.X_OK):
            raise RuntimeError("chromium not found (scripts/setup.sh installs it)")
        cls.primary_id = primary_server_id()
        cls.browser = Browser()

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()

    def test_1_vew_lists_departments_from_a_replica(self):
        page = self.browser.dom("/vew/")
        names = re.findall(r'<tr class="dept" data-dept-no="d\d{3}"><td>d\d{3}</td><td>([^<]+)</td>', page)
        self.assertIn("Marketing", names)
        self.assertIn("Customer Service", names)
        m = re.search(r'data-server-id="(\d+)"', page)
        self.assertIsNotNone(m, "no served-by on /vew/")
        self.assertNotEqual(int(m.group(1)), self.primary_id, "/vew/ read served by the primary")
        self.assertRegex(page, r"Served by server_id <strong>\d+</strong>")

    def test_2_bucket_json_from_a_replica(self):
        body = self.browser.json("/bucket/depts")
        self.assertGreaterEqual(len(body["departments"]), 9)
        self.assertIn({"dept_no": "d001", "dept_name": "Marketing"},
                      [{k: d[k] for k in ("dept_no", "dept_name")} for d in body["departments"]])
        self.assertNotEqual(body["served_by"]["server_id"], self.primary_id)

    def test_3_post_on_primary_then_visible(self):
        name = "browser-%d" % (time.time_ns() % 10**9)
        status, created = post_department(name)
        self.assertEqual(status, 201)
        self.assertEqual(created["served_by"]["server_id"], self.primary_id, "insert not on the primary")
        deadline = time.monotonic() + 10  # replicas apply it a moment later
        while True:
            listing = self.browser.json("/bucket/depts")
            if any(d["dept_no"] == created["dept_no"] and d["dept_name"] == name
                   for d in listing["departments"]):
                break
            self.assertLess(time.monotonic(), deadline, "%s not listed after 10 s" % created["dept_no"])
            time.sleep(0.5)
        self.assertNotEqual(listing["served_by"]["server_id"], self.primary_id)

    def test_4_front_page_pool_panel(self):
        page = self.browser.dom("/", js_budget_ms=JS_BUDGET_MS)
        self.assertIn('href="/vew/"', page)
        self.assertIn('href="/bucket/depts"', page)
        self.assertRegex(page, r'<section class="card wide" id="pool" data-ready="1">',
                         "the pool panel was never filled")
        rows = re.findall(r'<tr class="backend" data-name="([^"]+)" data-role="(primary|replica)" '
                          r'data-state="(\w+)" data-queries="(\d+)">', page)
        roles = [r[1] for r in rows]
        self.assertEqual(roles.count("primary"), 1, rows)
        self.assertGreaterEqual(roles.count("replica"), 1, rows)
        replica_total = sum(int(r[3]) for r in rows if r[1] == "replica")
        # The tests before this one read through the proxy, so replicas have counted reads.
        self.assertGreater(replica_total, 0, rows)
        self.assertIn('<strong id="total-replica">%d</strong>' % replica_total, page)
        self.assertNotIn("cannot read the pool", page)

    def test_5_screenshot(self):
        os.makedirs(ARTIFACT_DIR, exist_ok=True)
        path = os.path.join(ARTIFACT_DIR, "demo-front.png")
        if os.path.exists(path):
            os.remove(path)
        self.browser.run(BASE_URL + "/", "--window-size=1280,900",
                         "--virtual-time-budget=%d" % JS_BUDGET_MS, "--screenshot=" + path)
        self.assertTrue(os.path.exists(path), "no screenshot written")
        self.assertEqual(png_size(path), (1280, 900))
        # A blank page compresses to a few KiB; the rendered page is much larger.
        self.assertGreater(os.path.getsize(path), 20000, "screenshot looks empty")
        print("screenshot: %s (%d bytes)" % (path, os.path.getsize(path)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
