#!/usr/bin/python3
"""Runs the sysbench matrix for bench/run.sh: every case against every target, targets
alternating within a round (A B C A B C ...) so machine drift spreads evenly, and writes one
row per run to runs.csv. Also checks that mysql-proxy sent read_write's writes to the primary
and its reads to replicas (routing.json); exits 1 if it did not, or if a run failed."""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

USER, PASSWORD, DB = "app", "app-pass", "sbtest"
CLK_TCK = os.sysconf("SC_CLK_TCK")

# (workload, client threads); each runs with --db-ps-mode=disable and auto.
FULL_CASES = [("oltp_point_select", 4), ("oltp_point_select", 16), ("oltp_point_select", 64),
              ("oltp_read_only", 8), ("oltp_read_write", 8)]
SMOKE_CASES = [("oltp_point_select", 4), ("oltp_read_write", 8)]
PS_MODES = ["disable", "auto"]
TARGETS = ["direct", "haproxy", "proxy"]
# Routing reasons under which a statement may write.
WRITE_REASONS = ["write", "in_transaction", "pinned", "session_state"]
FIELDS = ["round", "workload", "threads", "ps_mode", "target", "qps", "tps", "queries", "errors",
          "avg_ms", "p95_ms", "p99_ms", "cpu_us_per_query", "rss_kib", "exit_code"]


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--time", type=int, default=10)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--out", required=True)
    for name in ("direct-read", "direct-write", "haproxy-read", "haproxy-write", "haproxy-pid",
                 "proxy", "proxy-pid", "admin", "primary", "threads"):
        p.add_argument("--" + name, type=int, required=True)
    return p.parse_args()


def cpu_seconds(pid):
    """utime + stime of the whole process (all threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def sysbench_base(port, tables, table_size):
    return ["sysbench", "--db-driver=mysql", "--mysql-host=127.0.0.1", f"--mysql-port={port}",
            f"--mysql-user={USER}", f"--mysql-password={PASSWORD}", f"--mysql-db={DB}",
            f"--tables={tables}", f"--table-size={table_size}"]


def prepare(args, tables, table_size):
    """Creates the sysbench tables on the primary once, and waits until the replicas have them."""
    sql = ["mariadb", "-h127.0.0.1", f"-P{args.primary}", f"-u{USER}", f"-p{PASSWORD}", "-N", "-e"]
    subprocess.run(sql + [f"CREATE DATABASE IF NOT EXISTS {DB}"], check=True)
    have = subprocess.run(sql + [f"SELECT COUNT(*) FROM {DB}.sbtest{tables}"], capture_output=True, text=True)
    if have.returncode != 0 or int(have.stdout.strip() or 0) != table_size:
        subprocess.run(sql + [f"DROP DATABASE {DB}; CREATE DATABASE {DB}"], check=True)
        subprocess.run(sysbench_base(args.primary, tables, table_size) + ["oltp_read_write", "prepare"],
                       check=True, stdout=subprocess.DEVNULL)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([os.path.join(root, "scripts", "cluster.sh"), "wait-sync", "120"], check=True,
                   stdout=subprocess.DEVNULL)


HIST_LINE = re.compile(r"^\s*([0-9.]+)\s+\|[* ]*\s(\d+)\s*$")


def percentile(hist, q):
    total = sum(c for _, c in hist)
    if total == 0:
        return float("nan")
    seen = 0
    for value, count in hist:
        seen += count
        if seen >= q * total:
            return value
    return hist[-1][0]


def parse(output):
    def number(pattern):
        m = re.search(pattern, output)
        return float(m.group(1)) if m else float("nan")
    hist = sorted((float(m.group(1)), int(m.group(2)))
                  for m in (HIST_LINE.match(line) for line in output.splitlines()) if m)
    return {
        "queries": int(number(r"\n\s+queries:\s+(\d+)")) if "queries:" in output else 0,
        "qps": number(r"\n\s+queries:\s+\d+\s+\(([0-9.]+) per sec"),
        "tps": number(r"\n\s+transactions:\s+\d+\s+\(([0-9.]+) per sec"),
        "errors": int(number(r"ignored errors:\s+(\d+)")) if "ignored errors:" in output else -1,
        "avg_ms": number(r"\n\s+avg:\s+([0-9.]+)"),
        "p95_ms": percentile(hist, 0.95),
        "p99_ms": percentile(hist, 0.99),
    }


def scrape_routing(admin):
    """mysql_proxy_queries_total summed by (role, reason)."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{admin}/metrics", timeout=5).read().decode()
    out = {}
    for m in re.finditer(r'^mysql_proxy_queries_total\{([^}]*)\} (\S+)$', text, re.M):
        labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        key = f'{labels["role"]}/{labels["reason"]}'
        out[key] = out.get(key, 0) + float(m.group(2))
    return out


def main():
    args = parse_args()
    cases = SMOKE_CASES if args.smoke else FULL_CASES
    modes = PS_MODES[:1] if args.smoke else PS_MODES
    tables, table_size = (2, 1000) if args.smoke else (8, 10000)
    prepare(args, tables, table_size)

    ports = {"direct": (args.direct_read, args.direct_write),
             "haproxy": (args.haproxy_read, args.haproxy_write),
             "proxy": (args.proxy, args.proxy)}
    pids = {"direct": None, "haproxy": args.haproxy_pid, "proxy": args.proxy_pid}
    routing = {}
    failed = []
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump({"rounds": args.rounds, "time": args.time, "threads": args.threads}, f)
    with open(os.path.join(args.out, "runs.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for rnd in range(1, args.rounds + 1):
            for workload, threads in cases:
                for mode in modes:
                    for target in TARGETS:
                        writes = workload == "oltp_read_write"
                        port = ports[target][1 if writes else 0]
                        cmd = sysbench_base(port, tables, table_size) + [
                            f"--threads={threads}", f"--time={args.time}", "--histogram=on",
                            f"--db-ps-mode={mode}", "--rand-type=uniform"]
                        if writes:
                            # Autocommit statements, so a read/write-splitting proxy splits them;
                            # a DELETE+INSERT of one id racing another thread's is a duplicate key (the
                            # others are sysbench's default list: deadlock, lock wait, record changed).
                            cmd += ["--skip_trx=on", "--mysql-ignore-errors=1062,1213,1205,1020"]
                        cmd += [workload, "run"]
                        pid = pids[target]
                        before_routing = scrape_routing(args.admin) if target == "proxy" and writes else None
                        cpu0 = cpu_seconds(pid) if pid else 0.0
                        run = subprocess.run(cmd, capture_output=True, text=True)
                        cpu1 = cpu_seconds(pid) if pid else 0.0
                        row = {"round": rnd, "workload": workload, "threads": threads, "ps_mode": mode,
                               "target": target, "exit_code": run.returncode}
                        row.update(parse(run.stdout))
                        row["cpu_us_per_query"] = (cpu1 - cpu0) * 1e6 / row["queries"] if pid and row["queries"] else ""
                        row["rss_kib"] = rss_kib(pid) if pid else ""
                        if before_routing is not None:
                            after = scrape_routing(args.admin)
                            for k, v in after.items():
                                routing[k] = routing.get(k, 0) + v - before_routing.get(k, 0)
                        writer.writerow(row)
                        f.flush()
                        label = f"round {rnd} {workload}@{threads} ps={mode} {target}"
                        if run.returncode != 0 or row["queries"] == 0:
                            failed.append(label)
                            print(f"{label}: FAILED (exit {run.returncode})\n{run.stdout[-1500:]}{run.stderr[-1500:]}", file=sys.stderr)
                        else:
                            print(f"{label}: {row['qps']:.0f} qps, p95 {row['p95_ms']} ms", flush=True)
                        time.sleep(0.5)  # let connections close before the next run

    # read_write through the proxy: writes on the primary only, reads on replicas.
    writes_on_replica = sum(routing.get(f"replica/{reason}", 0) for reason in WRITE_REASONS)
    reads_on_replica = routing.get("replica/read", 0)
    writes_on_primary = routing.get("primary/write", 0)
    check = {"routed": routing, "ok": writes_on_replica == 0 and reads_on_replica > 0 and writes_on_primary > 0}
    with open(os.path.join(args.out, "routing.json"), "w") as f:
        json.dump(check, f, indent=2, sort_keys=True)
    print(f"read_write routing through mysql-proxy: {json.dumps(routing, sort_keys=True)}")
    if not check["ok"]:
        print("read_write routing check FAILED: writes must go to the primary and reads to replicas", file=sys.stderr)
    if failed:
        print(f"{len(failed)} runs failed: {failed}", file=sys.stderr)
    sys.exit(0 if check["ok"] and not failed else 1)


if __name__ == "__main__":
    main()
