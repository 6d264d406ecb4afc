#!/usr/bin/env python3
"""Checks gw502tui's --access-log matching against a lab capture's truth.

usage: alog_check.py [--ports P] [--offset S --within W] GW_BIN CAPTURE TRUTH LOG...

The truth file (tests/lab/truth.py: from tshark and the scenario log, never
from gw502tui) names every client request; the log lines are read here with
regular expressions of our own (Combined/Common Log Format, squid's native
format, the Web Gateway's), never with gw502tui's parser. For every request
of the truth with a 5xx status:
  - the logs have exactly the lines naming its client, method, URL and
    status (found here), and gw502tui's JSON report gives the transaction of
    that client, client port, method and URL one of those lines as "log";
  - two transactions never get the same line;
and gw502tui reports no logged 5xx as "logged, not in the capture".
--offset S --within W: the report's log clock offset is S ± W seconds.
Prints ok / not ok lines; exit 0 when all passed, 3 when some failed.
"""
import argparse
import calendar
import json
import re
import subprocess
import sys
import time

CLF = re.compile(r'^(\S+) \S+ \S+ \[([^\]]+)\] "(\S+) (\S+)[^"]*" (\d{3}) ')
SQUID = re.compile(r'^(\d+\.\d{3})\s+\d+ (\S+) \S+/(\d{3}) \d+ (\S+) (\S+) ')
WG = re.compile(r'^\[([^\]]+)\] "[^"]*" (?:(\S+) )?(\d{3}) "(\S+) (\S+) [^"]*"')

FAILS = 0


def out(cond, name, why=""):
    global FAILS
    if cond:
        print("ok - " + name)
    else:
        FAILS += 1
        print("not ok - " + name)
        if why:
            print("#   " + why)


def clf_epoch(s):
    t = time.strptime(s[:20], "%d/%b/%Y:%H:%M:%S")
    zone = s[21:]
    off = (int(zone[1:3]) * 3600 + int(zone[3:5]) * 60) * (-1 if zone[0] == "-" else 1)
    return calendar.timegm(t) - off


def log_lines(paths):
    """[(file, line, client, method, url, status, epoch)]"""
    rows = []
    for p in paths:
        with open(p, encoding="utf-8", errors="replace") as f:
            for n, text in enumerate(f, 1):
                m = CLF.match(text)
                if m:
                    client = m.group(1)
                    if client.startswith("::ffff:") and "." in client:
                        client = client[7:]
                    rows.append((p, n, client, m.group(3), m.group(4), int(m.group(5)),
                                 clf_epoch(m.group(2))))
                    continue
                m = SQUID.match(text)
                if m:
                    rows.append((p, n, m.group(2), m.group(4), m.group(5), int(m.group(3)),
                                 float(m.group(1))))
                    continue
                m = WG.match(text)
                if m:
                    rows.append((p, n, m.group(2) or "", m.group(4), m.group(5), int(m.group(3)),
                                 clf_epoch(m.group(1))))
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ports", default="9090,9091,9092")
    ap.add_argument("--offset", type=float)
    ap.add_argument("--within", type=float, default=1.0)
    ap.add_argument("gw")
    ap.add_argument("capture")
    ap.add_argument("truth")
    ap.add_argument("logs", nargs="+")
    a = ap.parse_args()
    cmd = [a.gw, "-p", a.ports, "--report=json", "--all", a.capture]
    for p in a.logs:
        cmd += ["--access-log", p]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    out(res.returncode == 0, "gw502tui %s with %d log(s) exits 0" % (a.capture, len(a.logs)),
        res.stderr.strip()[-300:])
    objs = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
    txns = [o for o in objs if "id" in o]
    extra = [o for o in objs if "type" in o]
    by_key = {}
    for t in txns:
        by_key.setdefault((t["client"], str(t["client_port"]), t["method"], t["url"]), []).append(t)
    logs = log_lines(a.logs)
    with open(a.truth, encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        truth = [dict(zip(head, line.rstrip("\n").split("\t"))) for line in f]
    used = {}
    n5xx = 0
    for r in truth:
        if not r["status"].isdigit() or not 500 <= int(r["status"]) <= 599:
            continue
        n5xx += 1
        name = "%s %s from %s:%s (%s)" % (r["method"], r["url"], r["client"], r["client_port"],
                                           r["status"])
        want = [(p, n) for (p, n, c, m, u, st, _) in logs
                if (c == r["client"] or c == "") and m == r["method"] and u == r["url"]
                and st == int(r["status"])]
        if not want:
            out(False, name + ": the proxy's log has it", "no line in %s" % " ".join(a.logs))
            continue
        got = by_key.get((r["client"], r["client_port"], r["method"], r["url"]), [])
        if len(got) != 1:
            out(False, name + ": one transaction in the report", "found %d" % len(got))
            continue
        lg = got[0].get("log")
        ok = lg is not None and (lg["file"], lg["line"]) in want
        out(ok, name + ": its log line", "want one of %s, got %s" % (want, lg))
        if lg is not None:
            k = (lg["file"], lg["line"])
            out(k not in used, name + ": its log line is no other request's",
                "also #%s" % used.get(k))
            used[k] = got[0]["id"]
    out(n5xx > 0, "the truth has 5xx requests (%d)" % n5xx)
    nc = [o for o in extra if o["type"] == "logged-not-captured"]
    out(not nc, "no logged 5xx reported as not in the capture",
        "; ".join("%s:%s %s" % (o["log"]["file"], o["log"]["line"], o["reason"]) for o in nc))
    summary = [o for o in extra if o["type"] == "access-log"]
    out(len(summary) == 1, "one access-log summary record")
    if summary and a.offset is not None:
        off = summary[0]["offset_ms"] / 1000.0
        out(abs(off - a.offset) <= a.within,
            "clock offset %.3f s recovered (want %.3f ± %.3f)" % (off, a.offset, a.within))
    return 0 if FAILS == 0 else 3


if __name__ == "__main__":
    sys.exit(main())
