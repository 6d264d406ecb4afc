#!/usr/bin/env python3
"""Compares gw502tui's report on the busy lab's capture with its truth.

usage: busy_lab_check.py [--json REPORT] [--min CLASS=PCT ...] GW_BIN CAPTURE

The truth (CAPTURE's .truth.tsv) is tests/lab/busy_truth.py's: the
capture read with tshark, joined with the proxies' access logs and the
clients' own logs, never gw502tui's output. Runs `GW_BIN --report=json
--all -p 9091,9092 CAPTURE` (or reads REPORT) and matches every request by
client, client port and URL. Prints TAP lines:
  - the report is valid (doc/report.schema.json) and has every request;
  - per proxy: requests whose verdict and cause are the truth's, and the
    failures (truth verdict not ok) among them; the gateway's status and
    the masked mark as the truth says;
  - per proxy and failure class (cause): how many the report got right;
  - where the truth knows the upstream address (from the access log,
    confirmed by the packets): the report's connect.server is it;
  - for a request that waited on a silent look-up (dns-no-response), its
    DNS queries are every send of that look-up (its proxy's socket, one
    query ID: nginx resends it every 5 s), however long before the
    request the first went out;
  - for a request whose connects got no answer (syn-unanswered), its
    attempts begin with the truth's (the first attempt to the server the
    access log names, in the request's window, that went unanswered and
    no earlier request took): no other request's attempt taken for a
    retry of its own. Where requests waited on one server together, the
    truth gives their attempts out in request order, which
    the packets cannot confirm: the report's first SYN counts as right
    when the report marks the request ambiguous and the SYN is the
    truth's of another request waiting when it left (counted apart).
A line is `ok` when its share is at least the class's threshold: 100 %
unless --min proxy:cause=PCT (or cause=PCT, or proxy=PCT for the proxy's
totals) lowers it. Thresholds below 100 are for mismatches analysed and
documented (tests/e2e/test_busy_lab.sh says which and why); each wrong
request is listed under its class (the first 8) as `#` lines.
Exit status: 0 all ok, 3 some check failed, anything else: the checker
broke.
"""
import argparse
import collections
import csv
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tools"))
from jsonlines import line_row  # noqa: E402  (the one reader, schema included)

FAILED = []


def out(good, name, why=()):
    print(("ok - " if good else "not ok - ") + name)
    if not good:
        FAILED.append(name)
    for w in why:
        print("#   " + w)


def pct(n, d):
    return 100.0 * n / d if d else 100.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--min", action="append", default=[])
    ap.add_argument("--ports", default="9091,9092")
    ap.add_argument("gw")
    ap.add_argument("cap")
    a = ap.parse_args()
    mins = {}
    for m in a.min:
        k, v = m.rsplit("=", 1)
        mins[k] = float(v)

    def floor(proxy, what):
        return mins.get("%s:%s" % (proxy, what), mins.get(what, 100.0))

    name = os.path.basename(a.cap)
    if a.json:
        with open(a.json) as f:
            text = f.read()
    else:
        res = subprocess.run([a.gw, "--report=json", "--all", "-p", a.ports, a.cap],
                             capture_output=True, text=True, timeout=300)
        out(res.returncode == 0, f"{name}: report exits 0",
            [f"exit {res.returncode}: {res.stderr[:300]}"] if res.returncode else [])
        text = res.stdout
    report, bad = {}, []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        t, why = line_row(line, f"line {n}")
        if why:
            bad.append(why)
        else:
            report[(t["client"], t["client_port"], t["url"])] = t
    out(not bad, f"{name}: every report line is valid JSON matching the schema "
        f"({len(report)})", bad[:5])
    with open(os.path.splitext(a.cap)[0] + ".truth.tsv", newline="") as f:
        truth = list(csv.DictReader(f, delimiter="\t"))
    missing = [r for r in truth if (r["client"], int(r["client_port"]), r["url"]) not in report]
    out(not missing and len(report) == len(truth),
        f"{name}: the report has the truth's {len(truth)} requests",
        [f"report {len(report)} lines, {len(missing)} truth requests missing, e.g. "
         + ", ".join(f"{r['url']} from {r['client']}:{r['client_port']}" for r in missing[:5])]
        if missing or len(report) != len(truth) else [])

    tot = collections.Counter()          # (proxy, what) -> requests
    right = collections.Counter()
    wrong = collections.defaultdict(list)
    ties = collections.Counter()         # proxy -> first SYNs swapped in a tie
    first_syn = collections.defaultdict(list)   # server -> truth rows
    for r in truth:
        if r["cause"] == "syn-unanswered":
            first_syn[r["upstream"]].append(r)

    def tie_swap(r, t, syn):
        """Requests waiting on one server when the gateway's attempts to
        it left (one proxy's or both's): which attempt is whose the packets
        cannot tell (the truth gives them out in request order), and the
        report says so. The report's first SYN is then right when it is
        the truth's first SYN of another such request that was waiting
        when it left."""
        if not t.get("ambiguous"):
            return False
        return any(o is not r and int(o["evidence"].split(",")[0]) == syn and
                   int(o["request_frame"]) < syn < int(o["answer_frame"])
                   for o in first_syn[r["upstream"]])
    for r in truth:
        t = report.get((r["client"], int(r["client_port"]), r["url"]))
        p, cause = r["proxy"], r["cause"]
        if t and cause == "dns-no-response" and t["cause"] == cause:
            sends = sorted(int(x) for x in r["evidence"].split(","))
            got_sends = sorted(q["frame"] for q in t.get("dns", []))
            tot[(p, "lookup")] += 1
            right[(p, "lookup")] += got_sends == sends
            if got_sends != sends:
                wrong[(p, "lookup")].append(
                    f"{r['url']} from {r['client']}:{r['client_port']}: truth "
                    f"sends {sends}, report {got_sends}")
        if t and cause == "syn-unanswered" and t["cause"] == cause:
            # the truth's: the request's first attempt that failed so
            syn = int(r["evidence"].split(",")[0])
            got_syns = (t.get("connect") or {}).get("syn_frames") or [0]
            tot[(p, "first-syn")] += 1
            swapped = got_syns[0] != syn and tie_swap(r, t, got_syns[0])
            right[(p, "first-syn")] += got_syns[0] == syn or swapped
            ties[p] += swapped
            if got_syns[0] != syn and not swapped:
                wrong[(p, "first-syn")].append(
                    f"{r['url']} from {r['client']}:{r['client_port']}: truth "
                    f"SYN {syn}, report {got_syns}")
        got = (t["verdict"], t["cause"]) if t else ("(missing)", "-")
        good = got == (r["verdict"], cause)
        fail = r["verdict"] != "ok"
        for what in ["all"] + (["failures", cause] if fail else []):
            tot[(p, what)] += 1
            right[(p, what)] += good
        if not good:
            wrong[(p, cause)].append(
                f"{r['url']} from {r['client']}:{r['client_port']} (frame {r['request_frame']}, "
                f"status {r['status']}): truth {r['verdict']}/{cause}, report "
                f"{got[0]}/{got[1]}" + (f"; truth note: {r['note']}" if r["note"] != "-" else ""))
        if t:
            st = "-" if t["status"] is None else str(t["status"])
            tot[(p, "status")] += 1
            right[(p, "status")] += st == r["status"]
            tot[(p, "masked")] += 1
            right[(p, "masked")] += bool(t.get("masked")) == (r["masked"] == "1")
            if r["upstream"] != "-" and "connect" in t:
                tot[(p, "upstream")] += 1
                if t["connect"]["server"] == r["upstream"]:
                    right[(p, "upstream")] += 1
                else:
                    wrong[(p, "upstream")].append(
                        f"{r['url']} from {r['client']}:{r['client_port']}: truth "
                        f"{r['upstream']}, report {t['connect']['server']}")
    proxies = sorted({r["proxy"] for r in truth})
    for p in proxies:
        for what, label in (("all", "requests with the truth's verdict and cause"),
                            ("failures", "failures diagnosed as the truth says"),
                            ("status", "gateway status as in the capture"),
                            ("masked", "masked as the truth says"),
                            ("upstream", "upstream address (connect.server) as the "
                                         "access log and packets say"),
                            ("lookup", "silent look-ups with all their sends"),
                            ("first-syn", "unanswered connects from the "
                                          "truth's first SYN")):
            n, k = tot[(p, what)], right[(p, what)]
            if n == 0:
                continue
            lim = floor(p, what)
            ex = wrong.get((p, what), []) if what in (
                "upstream", "lookup", "first-syn") else []
            if what == "first-syn" and ties[p]:
                label += f", {ties[p]} of them swapped in ties the report marks ambiguous"

            out(pct(k, n) >= lim, f"{p}: {k}/{n} {label} ({pct(k, n):.2f} %"
                + (f", threshold {lim:g} %)" if lim < 100 else ")"), ex[:8])
        for cause in sorted(c for (q, c) in tot if q == p and c not in
                            ("all", "failures", "status", "masked", "upstream",
                             "lookup", "first-syn")):
            n, k = tot[(p, cause)], right[(p, cause)]
            lim = floor(p, cause)
            out(pct(k, n) >= lim, f"{p} {cause}: {k}/{n} as the truth says ({pct(k, n):.2f} %"
                + (f", threshold {lim:g} %)" if lim < 100 else ")"), wrong[(p, cause)][:8])
    n = sum(tot[(p, "failures")] for p in proxies)
    k = sum(right[(p, "failures")] for p in proxies)
    print(f"# {name}: {k}/{n} failures ({pct(k, n):.2f} %), "
          f"{sum(right[(p, 'all')] for p in proxies)}/{len(truth)} requests right")


if __name__ == "__main__":
    main()
    sys.exit(3 if FAILED else 0)
