#!/usr/bin/python3
"""Check a Grafana dashboard against a scrape of mysql-proxy's /metrics.

usage: check-dashboard.py DASHBOARD.json METRICS.txt

Collects every PromQL expression in the dashboard (targets[].expr of all
panels, including panels nested in rows; query template variables; Prometheus
annotation queries), pulls out the metric names they reference and checks that
each one is a metric family declared by a `# TYPE` line in METRICS.txt
(name_bucket, name_sum and name_count are accepted for a histogram family,
name_sum and name_count for a summary). Also fails on invalid JSON and on
duplicate panel ids.

Exit status: 0 when everything is found ("dashboard OK: N panels, M metrics"),
1 when a check fails (each problem printed on its own line), 2 on usage or
I/O errors. Standard library only.
"""

import json
import re
import sys

# PromQL functions (and Grafana's variable-query functions). Besides these, any identifier
# followed by "(" is taken for a call and skipped, so a newer PromQL function is never
# mistaken for a metric.
PROMQL_FUNCTIONS = frozenset("""
    abs absent absent_over_time acos acosh asin asinh atan atan2 atanh avg_over_time ceil changes clamp
    clamp_max clamp_min cos cosh count_over_time day_of_month day_of_week day_of_year days_in_month deg
    delta deriv double_exponential_smoothing exp floor histogram_avg histogram_count histogram_fraction
    histogram_quantile histogram_stddev histogram_stdvar histogram_sum holt_winters hour idelta increase
    info irate label_join label_replace last_over_time ln log10 log2 mad_over_time max_over_time
    min_over_time minute month pi predict_linear present_over_time quantile_over_time rad rate resets
    round scalar sgn sin sinh sort sort_by_label sort_by_label_desc sort_desc sqrt stddev_over_time
    stdvar_over_time sum_over_time tan tanh time timestamp vector year start end
    label_values label_names metrics query_result
""".split())

# PromQL keywords, binary and aggregation operators.
PROMQL_KEYWORDS = frozenset("""
    by without on ignoring group_left group_right bool offset and or unless atan2 inf nan
    sum min max avg group stddev stdvar count count_values bottomk topk quantile limitk limit_ratio
""".split())

NOT_METRICS = PROMQL_FUNCTIONS | PROMQL_KEYWORDS

# Grafana template-variable functions of the Prometheus data source.
GRAFANA_VAR_FUNCS = re.compile(r"^\s*(label_values|label_names|metrics|query_result)\s*\((.*)\)\s*$", re.S)

IDENT = re.compile(r"(?<![A-Za-z0-9_:$.])[A-Za-z_:][A-Za-z0-9_:]*")
GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
GRAFANA_VARS = re.compile(r"\$\{[^}]*\}|\$[A-Za-z0-9_]+|\[\[[^\]]*\]\]")


def strip_strings_and_comments(expr):
    """Blank out quoted strings and # comments (PromQL strings: "..", '..', `..`)."""
    out = []
    i, n = 0, len(expr)
    while i < n:
        c = expr[i]
        if c in "\"'`":
            j = i + 1
            while j < n and expr[j] != c:
                j += 2 if (expr[j] == "\\" and c != "`") else 1
            out.append('""')
            i = j + 1
        elif c == "#":
            while i < n and expr[i] != "\n":
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def metric_names(expr):
    """Metric names referenced by one PromQL expression."""
    text = strip_strings_and_comments(expr)
    text = GRAFANA_VARS.sub(" ", text)                     # $__rate_interval, ${var}, [[var]]
    text = re.sub(r"\{[^{}]*\}", "{}", text)               # label matchers
    text = re.sub(r"\[[^\[\]]*\]", "[]", text)             # range / subquery durations
    text = GROUPING.sub(" ", text)                         # by (le, role), on (...), group_left (...)
    names = set()
    for m in IDENT.finditer(text):
        name = m.group(0)
        if text[m.end():].lstrip().startswith("("):        # a function or aggregation call
            continue
        if name.lower() in NOT_METRICS:
            continue
        names.add(name)
    return names


def split_top_level(args):
    """Split a function's argument list on commas outside (), {}, [] and strings."""
    parts, depth, cur, quote = [], 0, [], None
    for c in args:
        if quote:
            cur.append(c)
            if c == quote:
                quote = None
            continue
        if c in "\"'`":
            quote = c
        elif c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        cur.append(c)
    parts.append("".join(cur))
    return [p.strip() for p in parts]


def variable_exprs(query):
    """PromQL inside a Prometheus template-variable query."""
    m = GRAFANA_VAR_FUNCS.match(query)
    if not m:
        return [query]                                      # a plain PromQL query
    func, args = m.group(1), split_top_level(m.group(2))
    if func == "label_values":
        return args[:-1]                                    # label_values([selector,] label)
    if func == "label_names":
        return [a for a in args if a]                      # label_names([selector])
    if func == "query_result":
        return [m.group(2)]
    return []                                               # metrics(regex)


def walk_panels(panels, found):
    for p in panels or []:
        if isinstance(p, dict):
            found.append(p)
            walk_panels(p.get("panels"), found)            # rows (collapsed or not)


def collect(dashboard):
    """Returns (panels, [(where, expr)])."""
    panels = []
    walk_panels(dashboard.get("panels"), panels)
    for r in dashboard.get("rows") or []:                  # pre-5.0 layout
        if isinstance(r, dict):
            walk_panels(r.get("panels"), panels)
    exprs = []
    for p in panels:
        where = "panel %s %r" % (p.get("id"), p.get("title", ""))
        for t in p.get("targets") or []:
            if isinstance(t, dict) and isinstance(t.get("expr"), str) and t["expr"].strip():
                exprs.append((where, t["expr"]))
    for v in (dashboard.get("templating") or {}).get("list") or []:
        if not isinstance(v, dict) or v.get("type") != "query":
            continue
        q = v.get("query")
        if isinstance(q, dict):
            q = q.get("query")
        if not isinstance(q, str) or not q.strip():
            q = v.get("definition") or ""
        for e in variable_exprs(q):
            exprs.append(("variable $%s" % v.get("name"), e))
    for a in (dashboard.get("annotations") or {}).get("list") or []:
        if isinstance(a, dict):
            for e in (a.get("expr"), (a.get("target") or {}).get("expr")):
                if isinstance(e, str) and e.strip():
                    exprs.append(("annotation %r" % a.get("name", ""), e))
    return panels, exprs


def read_families(path):
    """{family: type} from the `# TYPE name type` lines of a text-format scrape."""
    families = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 4 and parts[0] == "#" and parts[1] == "TYPE":
                families[parts[2]] = parts[3]
    return families


def known(name, families):
    if name in families:
        return True
    for suffix, types in (("_bucket", ("histogram",)), ("_sum", ("histogram", "summary")),
                          ("_count", ("histogram", "summary"))):
        if name.endswith(suffix) and families.get(name[: -len(suffix)]) in types:
            return True
    return False


def main(argv):
    if len(argv) != 3:
        print("usage: check-dashboard.py DASHBOARD.json METRICS.txt", file=sys.stderr)
        return 2
    dash_path, metrics_path = argv[1], argv[2]
    try:
        with open(dash_path, encoding="utf-8") as f:
            text = f.read()
        families = read_families(metrics_path)
    except OSError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2

    try:
        dashboard = json.loads(text)
    except ValueError as e:
        print("invalid JSON in %s: %s" % (dash_path, e))
        return 1
    if isinstance(dashboard, dict) and isinstance(dashboard.get("dashboard"), dict):
        dashboard = dashboard["dashboard"]                 # API export wrapper
    if not isinstance(dashboard, dict):
        print("invalid dashboard in %s: top level is not a JSON object" % dash_path)
        return 1
    if not families:
        print("no '# TYPE' lines in %s" % metrics_path)
        return 1

    problems = []
    panels, exprs = collect(dashboard)

    seen = {}
    for p in panels:
        pid = p.get("id")
        if pid is None:
            continue
        if pid in seen:
            problems.append("duplicate panel id %s: %r and %r" % (pid, seen[pid], p.get("title", "")))
        else:
            seen[pid] = p.get("title", "")

    used = {}
    for where, expr in exprs:
        for name in metric_names(expr):
            used.setdefault(name, []).append(where)
    for name in sorted(used):
        if not known(name, families):
            wheres = sorted(set(used[name]))
            problems.append("missing metric: %s (used in %s)" % (name, "; ".join(wheres)))

    if problems:
        for line in problems:
            print(line)
        return 1
    n_panels = sum(1 for p in panels if p.get("type") != "row")
    print("dashboard OK: %d panels, %d metrics" % (n_panels, len(used)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
