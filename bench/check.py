#!/usr/bin/env python3
"""check.py REPORT.jsonl TRUTH.json [TRUTH.tsv] [--min-all PCT] [--min-fail PCT]

Compares gw502tui's `--report=json --all` output with a generator's truth
(bench/gen or bench/busy), never with anything gw502tui computed.

Without the TSV: the counts per verdict and per cause must be equal.
With the TSV (one line per transaction: id, client, client_port, method,
url, status, verdict, cause): every transaction is matched by client,
client port and URL, in request order, and is right when its status,
verdict and cause are the truth's. Prints the accuracy for all transactions
and for the failures (truth verdict not ok), the confusion per cause, up to
20 wrong transactions, and a last line:
  verdicts: OK ...    nothing wrong
  verdicts: PASS ...  some wrong, within the thresholds (listed above)
  verdicts: FAIL ...  below a threshold, or a line that does not parse
Exit status 0 for OK and PASS, 1 for FAIL, 2 for unusable arguments or
files. Defaults: at least 99.9 % of all and 99 % of failures right.
"""
import argparse, collections, json, sys


def fail(msg):
    print(f"verdicts: FAIL ({msg})")
    sys.exit(1)


def read_report(path):
    rows = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            try:
                o = json.loads(line)
                for k in ("client", "client_port", "url", "status",
                          "verdict", "cause"):
                    o[k]
            except (ValueError, KeyError, TypeError) as e:
                fail(f"{path}:{n}: not a report line ({e}): {line[:200]!r}")
            rows.append(o)
    return rows


def read_truth_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        for n, line in enumerate(f, 2):
            cols = line.rstrip("\n").split("\t")
            if len(cols) != len(head):
                fail(f"{path}:{n}: {len(cols)} columns, header has {len(head)}")
            rows.append(dict(zip(head, cols)))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("report")
    ap.add_argument("truth")
    ap.add_argument("tsv", nargs="?")
    ap.add_argument("--min-all", type=float, default=99.9)
    ap.add_argument("--min-fail", type=float, default=99.0)
    a = ap.parse_args()
    try:
        truth = json.load(open(a.truth))
        rows = read_report(a.report)
        tsv = read_truth_tsv(a.tsv) if a.tsv else None
    except OSError as e:
        print(f"check.py: {e}", file=sys.stderr)
        sys.exit(2)

    v = collections.Counter(o["verdict"] for o in rows)
    c = collections.Counter(o["cause"] for o in rows)
    count_bad = []
    for key in sorted(set(truth["verdicts"]) | set(v)):
        if v.get(key, 0) != truth["verdicts"].get(key, 0):
            count_bad.append(f"verdict {key}: report {v.get(key, 0)}, "
                             f"truth {truth['verdicts'].get(key, 0)}")
    for key in sorted(set(truth["causes"]) | set(c)):
        if c.get(key, 0) != truth["causes"].get(key, 0):
            count_bad.append(f"cause {key}: report {c.get(key, 0)}, "
                             f"truth {truth['causes'].get(key, 0)}")
    for line in count_bad:
        print("  " + line)
    n = len(rows)
    if tsv is None:
        if count_bad:
            fail(f"{len(count_bad)} counts differ; {n} transactions in "
                 f"report, {truth['transactions']} generated")
        print(f"verdicts: OK ({n} transactions in report, "
              f"{truth['transactions']} generated)")
        return

    # the report prints a transaction when its story is final, an error
    # after the requests a cache may have answered with it: request order
    byid = collections.defaultdict(collections.deque)
    for o in sorted(rows, key=lambda o: o.get("request_frame") or 0):
        byid[(o["client"], int(o["client_port"]), o["url"])].append(o)
    right = fright = nfail = 0
    wrong = []
    confusion = collections.defaultdict(collections.Counter)
    for t in tsv:
        failure = t["verdict"] != "ok"
        nfail += failure
        q = byid.get((t["client"], int(t["client_port"]), t["url"]))
        if not q:
            got = "missing"
            wrong.append(f"#{t['id']} {t['client']}:{t['client_port']} "
                         f"{t['method']} {t['url']}: missing in report")
        else:
            o = q.popleft()
            status = "-" if o["status"] is None else str(o["status"])
            got = f"{o['verdict']}/{o['cause']}"
            if status != t["status"]:
                got += f" (status {status})"
            if (status, o["verdict"], o["cause"]) == (
                    t["status"], t["verdict"], t["cause"]):
                right += 1
                fright += failure
            else:
                wrong.append(f"#{t['id']} (report #{o.get('id')}) "
                             f"{t['client']}:{t['client_port']} {t['url']} "
                             f"status {status}: report {got}, truth "
                             f"{t['verdict']}/{t['cause']} status "
                             f"{t['status']} ({o.get('summary', '')})")
        confusion[t["cause"]][got] += 1
    extra = sum(len(q) for q in byid.values())
    for q in byid.values():
        for o in q:
            wrong.append(f"report #{o.get('id')} {o['client']}:"
                         f"{o['client_port']} {o['url']}: not in the truth")
    total = len(tsv) + extra
    pall = 100.0 * right / total if total else 100.0
    pfail = 100.0 * fright / nfail if nfail else 100.0
    print(f"  all: {right}/{total} right = {pall:.2f} %; failures: "
          f"{fright}/{nfail} right = {pfail:.2f} %"
          + (f"; {extra} report lines not in the truth" if extra else ""))
    for cause in sorted(confusion, key=lambda k: -sum(confusion[k].values())):
        cnt = confusion[cause]
        tot = sum(cnt.values())
        ok = sum(x for g, x in cnt.items()
                 if g.split(" ")[0].endswith("/" + cause))
        others = ", ".join(f"{x} {g}" for g, x in cnt.most_common()
                           if not g.split(" ")[0].endswith("/" + cause))
        print(f"  {cause:<22} {tot:>6}: {ok:>6} as {cause}"
              + (f"; {others}" if others else ""))
    for w in wrong[:20]:
        print("  " + w)
    if len(wrong) > 20:
        print(f"  … {len(wrong) - 20} more wrong")
    what = (f"all {pall:.2f} % right (min {a.min_all} %), failures "
            f"{pfail:.2f} % (min {a.min_fail} %); {len(wrong)} wrong, "
            f"{len(count_bad)} counts differ; {n} transactions in report, "
            f"{truth['transactions']} generated")
    if pall < a.min_all or pfail < a.min_fail:
        fail(what)
    print(f"verdicts: {'OK' if not wrong and not count_bad else 'PASS'} "
          f"({what})")


main()
