#!/usr/bin/python3
"""Compares the direct and proxied runs of tests/fidelity/run.sh.

usage: compare.py --results DIR --modes "text ps" --pool-mode statement --known FILE --summary OUT

Reads DIR/{direct,proxied}/<mode>.log (mysql-test-run.pl's output), prints and writes the table of
passes per suite and mode, and lists every fidelity failure: a test that passed direct and did not
pass proxied. Exits 1 when a fidelity failure is not a known difference for this pool mode (or
when a run produced no result at all), else 0.
"""
import argparse
import collections
import re
import sys

RESULT = re.compile(r"^(\S+(?: '[^']*')?)\s+(?:w\d+\s+)?\[ (pass|fail|skipped|disabled) \]")


def read_results(path):
    out = {}
    try:
        with open(path, errors="replace") as f:
            for line in f:
                m = RESULT.match(line)
                if m:
                    out[m.group(1)] = m.group(2)
    except FileNotFoundError:
        pass
    return out


def read_known(path, pool_mode):
    """Lines: test mode(text|ps|*) pool-mode(statement|session|*) cause..."""
    known = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            test, mode, pool, cause = line.split(None, 3)
            if pool in ("*", pool_mode):
                known[(test, mode)] = cause
    return known


def suite_of(test):
    return test.rsplit(".", 1)[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--modes", required=True)
    ap.add_argument("--pool-mode", required=True)
    ap.add_argument("--known", required=True)
    ap.add_argument("--summary", required=True)
    args = ap.parse_args()
    known = read_known(args.known, args.pool_mode)

    rows, failures, unexpected, empty = [], [], [], []
    for mode in args.modes.split():
        direct = read_results("%s/direct/%s.log" % (args.results, mode))
        proxied = read_results("%s/proxied/%s.log" % (args.results, mode))
        if not direct or not proxied:
            empty.append(mode)
        per_suite = collections.defaultdict(lambda: [0, 0, 0, 0])  # run, direct, proxied, lost
        for test in sorted(set(direct) | set(proxied)):
            d, p = direct.get(test), proxied.get(test)
            if d in ("skipped", "disabled") and p in ("skipped", "disabled", None):
                continue
            counts = per_suite[suite_of(test)]
            counts[0] += 1
            counts[1] += d == "pass"
            counts[2] += p == "pass"
            if d == "pass" and p != "pass":
                counts[3] += 1
                cause = known.get((test, mode)) or known.get((test, "*"))
                failures.append((mode, test, p or "missing", cause))
                if cause is None:
                    unexpected.append((mode, test))
        for suite, (run, d, p, lost) in sorted(per_suite.items()):
            rows.append((suite, mode, run, d, p, lost))

    lines = ["| suite | mode | tests run | pass direct | pass proxied | fidelity failures |",
             "|---|---|---:|---:|---:|---:|"]
    totals = collections.defaultdict(lambda: [0, 0, 0, 0])
    for suite, mode, run, d, p, lost in rows:
        lines.append("| %s | %s | %d | %d | %d | %d |" % (suite, mode, run, d, p, lost))
        for i, v in enumerate((run, d, p, lost)):
            totals[mode][i] += v
    for mode, (run, d, p, lost) in sorted(totals.items()):
        lines.append("| **all** | %s | %d | %d | %d | %d |" % (mode, run, d, p, lost))
    lines.append("")
    if failures:
        lines.append("Fidelity failures (pass direct, not proxied; pool mode %s):" % args.pool_mode)
        lines.append("")
        for mode, test, p, cause in failures:
            lines.append("- %s (%s): %s%s" % (test, mode, p, " — known: " + cause if cause else " — NEW"))
    else:
        lines.append("No fidelity failure (pool mode %s)." % args.pool_mode)
    text = "\n".join(lines) + "\n"
    with open(args.summary, "w") as f:
        f.write(text)
    print(text)
    if empty:
        print("fidelity: no results for mode(s) %s" % " ".join(empty), file=sys.stderr)
        return 1
    if unexpected:
        print("fidelity: %d new fidelity failure(s)" % len(unexpected), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
