#!/usr/bin/env python3
"""Helpers for bench/pool_pressure.sh.

  pool_wait_report.py scrape ADMIN_PORT OUT.json     # saves the metrics the run needs
  pool_wait_report.py run LABEL RUN BEFORE.json AFTER.json SYSBENCH.txt RESULTS.tsv LOGINS FAILED
      # appends one row: the wait histogram's quantiles over the run (AFTER - BEFORE), sysbench's
      # qps and p99, errors, LOGINS (connections the replicas accepted during the run) and
      # FAILED (1: sysbench aborted)
  pool_wait_report.py summary RESULTS.tsv            # a Markdown table: each run, then medians

Quantiles of mysql_proxy_pool_wait_seconds are interpolated linearly inside the bucket that holds
the rank, as Prometheus' histogram_quantile() does (the first bucket starts at 0; a rank in the
+Inf bucket gives the highest finite bound).
"""
import json
import re
import statistics
import sys
import urllib.request

WAIT = "mysql_proxy_pool_wait_seconds"
FIELDS = ["label", "run", "acquires", "waited_share", "wait_p50_ms", "wait_p95_ms", "wait_p99_ms",
          "wait_mean_ms", "qps", "sysbench_p99_ms", "errors", "pool_timeouts", "backend_logins",
          "sysbench_failed"]


def scrape(port, out):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    buckets = {}
    for m in re.finditer(rf'^{WAIT}_bucket\{{le="([^"]+)"\}} (\S+)$', text, re.M):
        buckets[m.group(1)] = float(m.group(2))

    def value(pattern):
        m = re.search(pattern, text, re.M)
        return float(m.group(1)) if m else 0.0

    data = {
        "buckets": buckets,
        "sum": value(rf"^{WAIT}_sum (\S+)$"),
        "count": value(rf"^{WAIT}_count (\S+)$"),
        "pool_timeouts": value(r'^mysql_proxy_errors_total\{kind="pool_timeout"\} (\S+)$'),
    }
    with open(out, "w") as f:
        json.dump(data, f)


def histogram_quantile(q, cumulative):
    """cumulative: [(upper_bound, cumulative_count)], sorted, the last +Inf."""
    total = cumulative[-1][1]
    if total == 0:
        return float("nan")
    rank = q * total
    lower, below = 0.0, 0.0
    for i, (upper, count) in enumerate(cumulative):
        if count >= rank:
            if upper == float("inf"):
                return cumulative[i - 1][0] if i > 0 else float("nan")
            if count == below:
                return upper
            return lower + (upper - lower) * (rank - below) / (count - below)
        lower, below = upper, count
    return cumulative[-2][0]


def sysbench_numbers(text):
    def number(pattern):
        m = re.search(pattern, text)
        return float(m.group(1)) if m else float("nan")
    hist = sorted((float(m.group(1)), int(m.group(2))) for m in
                  (re.match(r"^\s*([0-9.]+)\s+\|[* ]*\s(\d+)\s*$", line) for line in text.splitlines()) if m)
    total = sum(c for _, c in hist)
    p99 = float("nan")
    seen = 0
    for value, count in hist:  # sysbench's own way: the first value at or above the rank
        seen += count
        if seen >= 0.99 * total:
            p99 = value
            break
    errors = number(r"ignored errors:\s+(\d+)")
    return number(r"\n\s+queries:\s+\d+\s+\(([0-9.]+) per sec"), p99, errors


def run_row(label, run, before_path, after_path, sysbench_path, results, logins, failed):
    with open(before_path) as f:
        before = json.load(f)
    with open(after_path) as f:
        after = json.load(f)
    bounds = sorted(after["buckets"], key=lambda le: float(le))
    cumulative = [(float(le), after["buckets"][le] - before["buckets"].get(le, 0.0)) for le in bounds]
    count = after["count"] - before["count"]
    waited = count - cumulative[0][1]  # over the first bucket (50 µs): took some wait
    with open(sysbench_path) as f:
        qps, p99, errors = sysbench_numbers(f.read())
    row = {
        "label": label, "run": run, "acquires": int(count),
        "waited_share": f"{waited / count:.3f}" if count else "nan",
        "wait_p50_ms": f"{histogram_quantile(0.50, cumulative) * 1e3:.3f}",
        "wait_p95_ms": f"{histogram_quantile(0.95, cumulative) * 1e3:.3f}",
        "wait_p99_ms": f"{histogram_quantile(0.99, cumulative) * 1e3:.3f}",
        "wait_mean_ms": f"{(after['sum'] - before['sum']) / count * 1e3:.3f}" if count else "nan",
        "qps": f"{qps:.0f}", "sysbench_p99_ms": f"{p99:.2f}", "errors": f"{errors:.0f}",
        "pool_timeouts": f"{after['pool_timeouts'] - before['pool_timeouts']:.0f}",
        "backend_logins": logins, "sysbench_failed": failed,
    }
    new = False
    try:
        open(results).close()
    except FileNotFoundError:
        new = True
    with open(results, "a") as f:
        if new:
            f.write("\t".join(FIELDS) + "\n")
        f.write("\t".join(str(row[k]) for k in FIELDS) + "\n")
    print("  ".join(f"{k}={row[k]}" for k in FIELDS), flush=True)


def summary(results):
    with open(results) as f:
        lines = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    head, rows = lines[0], [dict(zip(lines[0], r)) for r in lines[1:]]
    shown = FIELDS
    print("| " + " | ".join(shown) + " |")
    print("|" + "---|" * len(shown))
    for r in rows:
        print("| " + " | ".join(r[k] for k in shown) + " |")
    for label in dict.fromkeys(r["label"] for r in rows):
        mine = [r for r in rows if r["label"] == label and r["sysbench_failed"] == "0"]
        if not mine:
            continue
        cells = [label, f"median of {len(mine)}"]
        for k in shown[2:]:
            cells.append(f"{statistics.median(float(r[k]) for r in mine):g}")
        print("| **" + "** | **".join(cells) + "** |")


def main():
    cmd = sys.argv[1]
    if cmd == "scrape":
        scrape(sys.argv[2], sys.argv[3])
    elif cmd == "run":
        run_row(*sys.argv[2:10])
    elif cmd == "summary":
        summary(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
