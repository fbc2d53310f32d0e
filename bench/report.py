#!/usr/bin/python3
"""Turns bench/run.sh's raw results (runs.csv, routing.json, connections.json) into the report:
medians per case and target, ratios to direct and to HAProxy, the targets met or missed
(report.md, summary.csv) and gnuplot charts (qps.png, cpu.png, latency.png). With --readme, the
report replaces the part of that file between the bench-report markers."""
import argparse
import csv
import json
import math
import os
import platform
import statistics
import subprocess
import time

TARGETS = ["direct", "haproxy", "proxy"]
BEGIN, END = "<!-- bench-report:begin -->", "<!-- bench-report:end -->"
MICRO_BEGIN, MICRO_END = "<!-- micro:begin -->", "<!-- micro:end -->"
# The classifier's target: under this many ns per typical OLTP statement (the read_write mix).
CLASSIFIER_TARGET_NS = 300


def load_runs(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def median(rows, field):
    values = [float(r[field]) for r in rows if r[field] not in ("", "nan") and not math.isnan(float(r[field]))]
    return statistics.median(values) if values else float("nan")


def summarise(runs):
    """{(workload, threads, ps_mode): {target: {field: median}}} in the order the cases ran."""
    cases = {}
    for r in runs:
        key = (r["workload"], int(r["threads"]), r["ps_mode"])
        cases.setdefault(key, {}).setdefault(r["target"], []).append(r)
    out = {}
    for key, by_target in cases.items():
        out[key] = {}
        for target, rows in by_target.items():
            out[key][target] = {f: median(rows, f) for f in
                                ("qps", "p95_ms", "p99_ms", "cpu_us_per_query", "rss_kib")}
            out[key][target]["errors"] = sum(int(r["errors"]) for r in rows if r["errors"] not in ("", "-1"))
            out[key][target]["runs"] = len(rows)
    return out


def ratio(a, b):
    return a / b if b and not math.isnan(a) and not math.isnan(b) else float("nan")


def fmt(x, digits=0):
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.{digits}f}"


def case_name(key):
    workload, threads, mode = key
    return f"{workload.removeprefix('oltp_')} @{threads} ps={mode}"


def markdown(summary, connections, routing, meta):
    lines = [f"Run {meta['date']} on {meta['host']}: {meta['rounds']} alternating rounds of {meta['time']} s "
             f"per run, medians shown; mysql-proxy and HAProxy ran {meta['threads']} threads each. `direct` is a replica (the primary for read_write), `haproxy` "
             f"HAProxy in TCP mode (replicas round-robin; the primary for read_write), `proxy` mysql-proxy.",
             "",
             "| case | QPS direct | QPS HAProxy | QPS proxy | proxy/direct | proxy/HAProxy | p95 ms HAProxy | "
             "p95 ms proxy | p99 ms HAProxy | p99 ms proxy | CPU µs/query HAProxy | CPU µs/query proxy | "
             "CPU proxy/HAProxy | errors (d/h/p) | proxy RSS MiB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for key, t in summary.items():
        d, h, p = (t.get(x, {}) for x in TARGETS)
        g = lambda m, f: m.get(f, float("nan"))  # noqa: E731
        lines.append(
            f"| {case_name(key)} | {fmt(g(d, 'qps'))} | {fmt(g(h, 'qps'))} | {fmt(g(p, 'qps'))} | "
            f"{fmt(ratio(g(p, 'qps'), g(d, 'qps')), 2)} | {fmt(ratio(g(p, 'qps'), g(h, 'qps')), 2)} | "
            f"{fmt(g(h, 'p95_ms'), 2)} | {fmt(g(p, 'p95_ms'), 2)} | {fmt(g(h, 'p99_ms'), 2)} | {fmt(g(p, 'p99_ms'), 2)} | "
            f"{fmt(g(h, 'cpu_us_per_query'), 1)} | {fmt(g(p, 'cpu_us_per_query'), 1)} | "
            f"{fmt(ratio(g(p, 'cpu_us_per_query'), g(h, 'cpu_us_per_query')), 2)} | "
            f"{d.get('errors', '–')}/{h.get('errors', '–')}/{p.get('errors', '–')} | {fmt(g(p, 'rss_kib') / 1024, 1)} |")
    lines += ["", "**Targets**", "", "| target | measured | met |", "|---|---|---|"]
    for name, value, ok in targets(summary, connections):
        lines.append(f"| {name} | {value} | {'yes' if ok else '**no**'} |")
    if routing:
        lines += ["", f"read_write through mysql-proxy, statements by role/reason: "
                  f"`{json.dumps({k: int(v) for k, v in sorted(routing['routed'].items()) if v})}` — "
                  f"writes on the primary only and reads on replicas: {'yes' if routing['ok'] else '**no**'}."]
    if connections:
        c = connections
        lines += ["", f"Connection scale: {c['opened']:,} idle client connections opened in {c['connect_seconds']:.1f} s "
                  f"({c['connections_per_second']:,.0f}/s, one client thread), {c['answered']:,} answered a query afterwards; "
                  f"proxy RSS {c['rss_before_kib'] / 1024:.1f} MiB → {c['rss_idle_kib'] / 1024:.1f} MiB: "
                  f"**{c['rss_per_idle_connection_kib']:.1f} KiB per idle connection** "
                  f"({c['rss_per_connection_after_query_kib']:.1f} KiB after each ran a query)."]
    lines += ["", "![QPS](results/qps.png)", "![CPU per query](results/cpu.png)", "![p95 latency](results/latency.png)"]
    return "\n".join(lines) + "\n"


def targets(summary, connections):
    out = []
    for mode in ("disable", "auto"):
        s16 = summary.get(("oltp_point_select", 16, mode))
        if s16 and "haproxy" in s16 and "proxy" in s16:
            p, h, d = s16["proxy"], s16["haproxy"], s16.get("direct", {})
            r = ratio(p["qps"], h["qps"])
            out.append((f"point_select@16 ps={mode}: QPS ≥ 1.2× HAProxy", f"{r:.2f}×", r >= 1.2))
            r = ratio(p["qps"], d.get("qps", float("nan")))
            out.append((f"point_select@16 ps={mode}: QPS ≥ 0.45× direct", f"{r:.2f}×", r >= 0.45))
            r = ratio(p["cpu_us_per_query"], h["cpu_us_per_query"])
            out.append((f"point_select@16 ps={mode}: CPU/query ≤ 0.8× HAProxy",
                        f"{p['cpu_us_per_query']:.1f} vs {h['cpu_us_per_query']:.1f} µs = {r:.2f}×", r <= 0.8))
        s4 = summary.get(("oltp_point_select", 4, mode))
        if s4 and "haproxy" in s4 and "proxy" in s4:
            p, h = s4["proxy"]["p95_ms"], s4["haproxy"]["p95_ms"]
            out.append((f"point_select@4 ps={mode}: p95 ≤ HAProxy's", f"{p:.3f} vs {h:.3f} ms", p <= h))
    if connections:
        kib = connections["rss_per_idle_connection_kib"]
        out.append((f"idle connection ≤ 16 KiB RSS ({connections['opened']:,} held)", f"{kib:.1f} KiB", kib <= 16))
    return out


def load_micro(results):
    """Google Benchmark JSON files in results/micro/: [(program, benchmark entry)]."""
    folder = os.path.join(results, "micro")
    if not os.path.isdir(folder):
        return []
    out = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name)) as f:
            for b in json.load(f)["benchmarks"]:
                if b.get("run_type", "iteration") == "iteration":
                    out.append((name.removesuffix(".json"), b))
    return out


def ns_per_iteration(b):
    scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
    return b["cpu_time"] * scale


def micro_markdown(micro):
    lines = ["| program | benchmark | CPU time | items/s | bytes/s |", "|---|---|---:|---:|---:|"]
    for program, b in micro:
        ns = ns_per_iteration(b)
        t = f"{ns:,.1f} ns" if ns < 1e4 else f"{ns / 1e3:,.1f} µs"
        rate_of = b.get("items_per_second")
        items = "" if rate_of is None else f"{rate_of / 1e6:,.2f} M" if rate_of >= 1e5 else f"{rate_of:,.0f}"
        rate = f"{b['bytes_per_second'] / 2**30:,.2f} GiB" if "bytes_per_second" in b else ""
        lines.append(f"| {program} | {b['name']} | {t} | {items} | {rate} |")
    mix = [b for p, b in micro if p == "classifier_bench" and b["name"] == "oltp_read_write_mix"]
    if mix:
        per_statement = 1e9 / mix[0]["items_per_second"]
        lines += ["", f"Classifier over sysbench's read_write statement mix: **{per_statement:.0f} ns per "
                  f"statement** (target < {CLASSIFIER_TARGET_NS} ns: {'met' if per_statement < CLASSIFIER_TARGET_NS else '**missed**'})."]
    return "\n".join(lines) + "\n"


def replace_between(text, begin, end, content):
    start, stop = text.index(begin) + len(begin), text.index(end)
    return text[:start] + "\n" + content + text[stop:]


def write_summary_csv(summary, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["workload", "threads", "ps_mode", "target", "qps", "p95_ms", "p99_ms", "cpu_us_per_query",
                    "rss_kib", "errors", "runs", "qps_vs_direct", "qps_vs_haproxy", "cpu_vs_haproxy"])
        for key, by_target in summary.items():
            d, h = by_target.get("direct", {}), by_target.get("haproxy", {})
            for target in TARGETS:
                m = by_target.get(target)
                if not m:
                    continue
                w.writerow([*key, target, f"{m['qps']:.1f}", f"{m['p95_ms']:.3f}", f"{m['p99_ms']:.3f}",
                            "" if math.isnan(m["cpu_us_per_query"]) else f"{m['cpu_us_per_query']:.2f}",
                            "" if math.isnan(m["rss_kib"]) else int(m["rss_kib"]), m["errors"], m["runs"],
                            f"{ratio(m['qps'], d.get('qps', float('nan'))):.3f}",
                            f"{ratio(m['qps'], h.get('qps', float('nan'))):.3f}",
                            f"{ratio(m['cpu_us_per_query'], h.get('cpu_us_per_query', float('nan'))):.3f}"])


def plot(summary, out_dir):
    """Grouped bar charts with gnuplot (pngcairo or png terminal)."""
    data = os.path.join(out_dir, "chart-data.tsv")
    with open(data, "w") as f:
        # columns: case, direct/haproxy/proxy QPS, haproxy/proxy CPU µs per query, direct/haproxy/proxy p95
        for key, t in summary.items():
            g = lambda x, fld: t.get(x, {}).get(fld, float("nan"))  # noqa: E731
            cells = [g("direct", "qps"), g("haproxy", "qps"), g("proxy", "qps"),
                     g("haproxy", "cpu_us_per_query"), g("proxy", "cpu_us_per_query"),
                     g("direct", "p95_ms"), g("haproxy", "p95_ms"), g("proxy", "p95_ms")]
            name = case_name(key).replace(" ", "\\n", 1)
            f.write(f'"{name}"\t' + "\t".join("NaN" if math.isnan(c) else f"{c:.3f}" for c in cells) + "\n")
    terminals = subprocess.run(["gnuplot", "-e", "set terminal"], capture_output=True, text=True).stderr
    term = "pngcairo size 1200,520 font 'sans,10'" if "pngcairo" in terminals else "png size 1200,520"
    charts = [("qps.png", "Queries per second (median)", "QPS", "2:xtic(1) title 'direct', '' using 3 title 'HAProxy', '' using 4 title 'mysql-proxy'"),
              ("cpu.png", "Proxy CPU per query (median, user+system)", "µs per query", "5:xtic(1) title 'HAProxy', '' using 6 title 'mysql-proxy'"),
              ("latency.png", "p95 latency (median)", "ms", "7:xtic(1) title 'direct', '' using 8 title 'HAProxy', '' using 9 title 'mysql-proxy'")]
    for file, title, ylabel, series in charts:
        script = f"""set terminal {term}
set output '{os.path.join(out_dir, file)}'
set title '{title}'
set ylabel '{ylabel}'
set termoption noenhanced
set bmargin 5
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set datafile separator tab
set key top right
set grid ytics
set yrange [0:*]
set xtics font ',8'
plot '{data}' using {series}
"""
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--results", required=True)
    p.add_argument("--readme")
    args = p.parse_args()
    runs = load_runs(os.path.join(args.results, "runs.csv"))
    summary = summarise(runs)

    def optional_json(name):
        path = os.path.join(args.results, name)
        return json.load(open(path)) if os.path.exists(path) else None
    connections = optional_json("connections.json")
    routing = optional_json("routing.json")
    meta = {"date": time.strftime("%Y-%m-%d"), "host": f"{os.cpu_count()} cores, {platform.machine()}",
            "rounds": max(int(r["round"]) for r in runs), "time": "?", "threads": "?"}
    meta.update(optional_json("meta.json") or {})
    report = markdown(summary, connections, routing, meta)
    with open(os.path.join(args.results, "report.md"), "w") as f:
        f.write(report)
    write_summary_csv(summary, os.path.join(args.results, "summary.csv"))
    plot(summary, args.results)
    print(report)
    micro = load_micro(args.results)
    if micro:
        micro_report = micro_markdown(micro)
        print(micro_report)
    if args.readme:
        text = replace_between(open(args.readme).read(), BEGIN, END, report)
        if micro:
            text = replace_between(text, MICRO_BEGIN, MICRO_END, micro_report)
        with open(args.readme, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
