#!/usr/bin/env python3
"""check.py REPORT.jsonl TRUTH.json [TRUTH.tsv]: compares gw502tui's
--report=json --all output with the generator's truth: counts per verdict
and per cause; with the TSV also transaction by transaction. Prints one
line per mismatch and a last line 'verdicts: OK|MISMATCH ...'; exit 0 when
equal."""
import collections, json, sys

rep, truthp = sys.argv[1], sys.argv[2]
truth = json.load(open(truthp))
v = collections.Counter()
c = collections.Counter()
rows = []
with open(rep) as f:
    for line in f:
        o = json.loads(line)
        v[o["verdict"]] += 1
        c[o["cause"]] += 1
        rows.append(o)
bad = 0
for key, want in truth["verdicts"].items():
    if v.get(key, 0) != want:
        print(f"  verdict {key}: report {v.get(key, 0)}, truth {want}")
        bad += 1
for key, want in truth["causes"].items():
    if c.get(key, 0) != want:
        print(f"  cause {key}: report {c.get(key, 0)}, truth {want}")
        bad += 1
for key in set(v) - set(truth["verdicts"]):
    print(f"  verdict {key}: report {v[key]}, truth 0")
    bad += 1
if len(sys.argv) > 3:
    byid = {}
    for o in rows:
        byid[(o["client"], o["client_port"], o["url"])] = byid.get(
            (o["client"], o["client_port"], o["url"]), []) + [o]
    shown = 0
    with open(sys.argv[3]) as f:
        next(f)
        for line in f:
            cl, port, method, url, status, verdict, cause = line.rstrip("\n").split("\t")
            lst = byid.get((cl, int(port), url))
            if not lst:
                if shown < 20:
                    print(f"  missing in report: {cl}:{port} {method} {url}")
                shown += 1
                continue
            o = lst.pop(0)
            if (o["verdict"], o["cause"]) != (verdict, cause) and shown < 20:
                print(f"  {cl}:{port} {url} status {o['status']}: report "
                      f"{o['verdict']}/{o['cause']}, truth {verdict}/{cause}"
                      f" ({o['summary']})")
                shown += 1
n = sum(v.values())
print(f"verdicts: {'OK' if bad == 0 else 'MISMATCH'} ({n} transactions in "
      f"report, {truth['transactions']} generated)")
sys.exit(0 if bad == 0 else 1)
