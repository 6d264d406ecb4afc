#!/usr/bin/env python3
"""Compares gw502tui's reports on a lab capture with its truth file.

usage: lab_check.py [--json REPORT] [--ports P,...] [--status S,...] [--listed]
                    [--table OUT.tsv] GW_BIN CAPTURE
       lab_check.py --json REPORT --same-as OTHER_REPORT
Reads CAPTURE's .truth.tsv and .syn.tsv (written by tests/lab/truth.py from
the scenario plan and tshark, never from gw502tui) and prints ok/not ok
lines. For every request: method, status, verdict and cause; the evidence
frames (exactly; requests for one host that overlap in time are compared as
a group, since which evidence is whose is not in the capture); elapsed_ms
(within 1 ms); and the frame range the text report (`--report=text --all`)
prints; "masked" (a failure behind a success status) as the truth says.
With tshark installed, also request/response frame numbers.
--ports: the capture's proxy ports, passed to GW_BIN as -p and to tshark
(default: the lab's 9090-9093, and GW_BIN finds its proxy ports itself).
--status: passed to GW_BIN; the verdicts must stay the truth's, and a
failure is "masked" exactly when the gateway answered it with a status
outside S (the truth's masked column is for the default 502,503,504).
--listed: GW_BIN without --all (with --ports and --status) lists exactly
the truth's failures: one line for each failure answered outside the
gateway-error statuses (masked), one for the whole list.
--table: write scenario, status, verdict, cause, report's verdict and
cause, masked, right (1/0) per request to OUT.tsv (a measurement).
--json: judge that report (e.g. a live capture's) instead of running
GW_BIN on CAPTURE; frame numbers and times are then not compared (the
report comes from another capture of the same traffic).
--same-as: the two reports give every request the same verdict.
A row the truth marks issue 12 (cached DNS, pooled connections, several
addresses: correlation on a busy gateway) fails as `not ok - ... (issue 12)`.
Exit status: 0 all ok, 3 some check failed (each printed), anything else:
the checker itself broke (its stderr says where).
"""
import argparse
import csv
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tools"))
from jsonlines import line_row  # noqa: E402  (the one reader, schema included)
from tshark_http import decode_as_http  # noqa: E402

ELAPSED_TOL_MS = 1.0
FAILED = []


def out(good, name, why=""):
    print(("ok - " if good else "not ok - ") + name)
    if not good:
        FAILED.append(name)
        if why:
            print("#   " + why)


def truth_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


LAB_PORTS = [9090, 9091, 9092, 9093]   # record.sh's proxies (squid: its own capture)


def tshark_frames(cap, display_filter, ports):
    cmd = ["tshark", "-r", cap, *decode_as_http(ports)]
    cmd += ["-Y", display_filter, "-T", "fields", "-e", "frame.number"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if res.returncode != 0:
        raise RuntimeError("tshark -Y %r failed: %s" % (display_filter, res.stderr.strip()))
    return sorted(int(x) for x in res.stdout.split())


def parse_json_lines(text, what):
    """One object per line, each valid against doc/report.schema.json; a
    line that is not is a failure naming it."""
    txns, bad = [], 0
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        t, why = line_row(line, f"line {n}")
        if why:
            bad += 1
            out(False, f"{what}: line {n} is a valid report line", why)
        else:
            txns.append(t)
    if bad == 0:
        out(True, f"{what}: every line is valid JSON matching the schema ({len(txns)})")
    return txns


def load_json(path):
    with open(path) as f:
        return parse_json_lines(f.read(), os.path.basename(path))


def key_of(t):
    return (t.get("client"), t.get("client_port"), t.get("url"))


def same_as(a_path, b_path):
    a = {key_of(t): t for t in load_json(a_path)}
    b = {key_of(t): t for t in load_json(b_path)}
    out(set(a) == set(b), "same requests",
        f"only in first {sorted(set(a) - set(b), key=str)}, "
        f"only in second {sorted(set(b) - set(a), key=str)}")
    for k in sorted(set(a) & set(b), key=str):
        want = tuple(b[k].get(f) for f in ("status", "verdict", "cause"))
        got = tuple(a[k].get(f) for f in ("status", "verdict", "cause"))
        out(got == want, f"{k[2]} from {k[0]}:{k[1]}", f"{got} vs {want}")


def text_ranges(gw, cap, opts):
    """`--report=text --all`: each transaction's client, URL and frame range."""
    res = subprocess.run([gw, "--report=text", "--all"] + opts + [cap],
                         capture_output=True, text=True, timeout=120)
    name = os.path.basename(cap)
    out(res.returncode == 0, f"{name}: text report exits 0",
        f"exit {res.returncode}: {res.stderr[:300]}")
    ranges, cur = {}, None
    head = re.compile(r"^\s+(\[?[0-9a-fA-F.:]+?\]?):(\d+) \S+ \S+\s+(\S+) (\S+)\s*$")
    rng = re.compile(r"frames (\d+)(?:\u2013(\d+))?")
    for line in res.stdout.splitlines():
        if line.startswith("#"):
            cur = None
            continue
        m = head.match(line)
        if m and cur is None:
            cur = (m.group(1).strip("[]"), int(m.group(2)), m.group(4))
            continue
        m = rng.search(line)
        if m and cur is not None and cur not in ranges:
            lo = int(m.group(1))
            ranges[cur] = (lo, int(m.group(2) or lo))
    return ranges


def row_label(name, row):
    return (f"{name}: {row['scenario']} {row['method']} {row['url']} "
            f"from {row['client']}:{row['client_port']}")


def issue_suffix(row):
    return " (issue 12)" if row.get("issue") == "12" else ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--same-as")
    ap.add_argument("--ports")
    ap.add_argument("--status")
    ap.add_argument("--listed", action="store_true")
    ap.add_argument("--table")
    ap.add_argument("gw", nargs="?")
    ap.add_argument("cap", nargs="?")
    args = ap.parse_args()
    if args.same_as:
        same_as(args.json, args.same_as)
        return
    gw, cap = args.gw, args.cap
    base = cap.rsplit(".", 1)[0]
    name = os.path.basename(cap)
    opts = (["-p", args.ports] if args.ports else []) + \
        (["--status", args.status] if args.status else [])
    ports = [int(p) for p in args.ports.split(",")] if args.ports else LAB_PORTS
    if args.status:
        name += " --status " + args.status
    if args.json:
        txns = load_json(args.json)
    else:
        res = subprocess.run([gw, "--report=json", "--all"] + opts + [cap],
                             capture_output=True, text=True, timeout=120)
        out(res.returncode == 0, f"{name}: report exits 0",
            f"exit {res.returncode}: {res.stderr[:300]}")
        txns = parse_json_lines(res.stdout, f"{name}: JSON report")
    by_key = {}
    for t in txns:
        by_key[key_of(t)] = t
    truth = truth_rows(base + ".truth.tsv")
    out(len(txns) == len(truth), f"{name}: {len(truth)} requests",
        f"report has {len(txns)}")
    ranges = {} if args.json else text_ranges(gw, cap, opts)
    groups = {}
    table = []
    for row in truth:
        key = (row["client"], int(row["client_port"]), row["url"])
        label = row_label(name, row)
        sfx = issue_suffix(row)
        t = by_key.get(key)
        if t is None:
            out(False, label + sfx, "not in the report")
            continue
        status = None if row["status"] == "-" else int(row["status"])
        got = tuple(t.get(f) for f in ("method", "status", "verdict", "cause")) + \
            (bool(t.get("masked")),)
        # masked: a failure behind a success status (truth.py)
        want = (row["method"], status, row["verdict"], row["cause"],
                masked_under(row, args.status))
        out(got == want, label + sfx, f"want {want} got {got}")
        table.append([row["scenario"], row["status"], row["verdict"], row["cause"],
                      str(t.get("verdict")), str(t.get("cause")),
                      "1" if t.get("masked") else "-", "1" if got == want else "0"])
        if args.json or "evidence" not in row:
            continue
        want_ev = [int(x) for x in row["evidence"].split(",") if x]
        got_ev = t.get("evidence_frames")
        if row.get("group", "-") != "-":
            groups.setdefault(row["group"], []).append((row, t, want_ev))
            own = {t.get("request_frame"), t.get("response_frame")} - {None}
            out(isinstance(got_ev, list) and own <= set(got_ev),
                f"{label}: evidence has its own request and answer{sfx}",
                f"request/answer {sorted(own)} evidence {got_ev}")
        else:
            out(got_ev == want_ev, f"{label}: evidence frames{sfx}",
                f"want {want_ev} got {got_ev}; missing "
                f"{sorted(set(want_ev) - set(got_ev or []))}, extra "
                f"{sorted(set(got_ev or []) - set(want_ev))}")
        el = t.get("elapsed_ms")
        want_el = float(row["elapsed_ms"])
        out(isinstance(el, (int, float)) and abs(el - want_el) <= ELAPSED_TOL_MS,
            f"{label}: elapsed_ms within {ELAPSED_TOL_MS:g} ms{sfx}",
            f"want {want_el:.3f} got {el}")
        lo, hi = (int(x) for x in row["frames"].split("-"))
        got_rng = ranges.get((row["client"], int(row["client_port"]), row["url"]))
        out(got_rng == (lo, hi), f"{label}: text report frames {lo}\u2013{hi}{sfx}",
            f"text report says {got_rng}")
    for g, members in groups.items():
        want = sorted({f for _, _, ev in members for f in ev})
        got = sorted({f for _, t, _ in members for f in (t.get("evidence_frames") or [])})
        sfx = " (issue 12)" if any(r.get("issue") == "12" for r, _, _ in members) else ""
        out(got == want, f"{name}: evidence of the {len(members)} overlapping "
            f"requests of {g}, together{sfx}",
            f"missing {sorted(set(want) - set(got))}, extra {sorted(set(got) - set(want))}")
    if args.table:
        with open(args.table, "w") as f:
            f.write("scenario\tstatus\tverdict\tcause\treport_verdict\treport_cause\t"
                    "report_masked\tright\n")
            for r in table:
                f.write("\t".join(r) + "\n")
    if args.json:
        return
    if args.listed:
        check_listed(gw, cap, name, opts, truth, args.status)
    check_syns(name, base + ".syn.tsv", by_key)
    if shutil.which("tshark"):
        check_frames(name, cap, txns, ports)
    else:
        print(f"skip - {name}: frame numbers (tshark not installed)")


def masked_under(row, status):
    """Whether the report must mark row masked with --status status: the
    truth's column is for the default 502,503,504."""
    if not status:
        return row.get("masked") == "1"
    return (row["verdict"] != "ok" and row["status"] != "-"
            and row["status"] not in status.split(","))


def check_listed(gw, cap, name, opts, truth, status):
    """Without --all, the report lists the failures and nothing else."""
    res = subprocess.run([gw, "--report=json"] + opts + [cap],
                         capture_output=True, text=True, timeout=120)
    listed = {key_of(t) for t in parse_json_lines(res.stdout, f"{name}: errors-only report")}
    fails = [r for r in truth if r["verdict"] != "ok"]
    for r in fails:
        if masked_under(r, status):
            out((r["client"], int(r["client_port"]), r["url"]) in listed,
                f"{row_label(name, r)}: {r['status']} after {r['cause']} is listed "
                "as a gateway error", "not in the report without --all")
    want = {(r["client"], int(r["client_port"]), r["url"]) for r in fails}
    out(res.returncode == 0 and listed == want,
        f"{name}: without --all the report lists the {len(want)} failures and nothing else",
        f"exit {res.returncode}; missing {sorted(want - listed, key=str)[:5]}, "
        f"extra {sorted(listed - want, key=str)[:5]}")


def check_syns(name, path, by_key):
    """SYN frames and intervals equal the capture's (to the µs)."""
    if not os.path.exists(path):
        return
    series = {}
    shared = {}
    for r in truth_rows(path):
        key = (r["client"], int(r["client_port"]), r["url"])
        if r.get("shared") == "1":
            shared.setdefault(r["url"], {}).setdefault(key, []).append(r)
        else:
            series.setdefault(key, []).append(r)
    for url, group in shared.items():
        check_shared(name, url, group, by_key)
    for key, rows in series.items():
        rows.sort(key=lambda r: int(r["frame"]))
        t = by_key.get(key)
        label = f"{name}: SYN series of {key[2]} from {key[0]}:{key[1]}"
        if t is None or "connect" not in t:
            out(False, label, "no connect evidence in the report")
            continue
        c = t["connect"]
        frames = [int(r["frame"]) for r in rows]
        want_iv = [round(float(r["interval_s"]) * 1000, 3)
                   for r in rows if r["interval_s"] != "-"]
        # the attempt's SYNs: the truth lists the SYNs of its connections
        got_iv = [round(x, 3) for x in c.get("intervals_ms", [])]
        ok_frames = c.get("syn_frames") == frames
        ok_iv = len(got_iv) == len(want_iv) and all(
            abs(a - b) <= 0.0011 for a, b in zip(got_iv, want_iv))
        out(ok_frames and ok_iv, label,
            f"frames want {frames} got {c.get('syn_frames')}; "
            f"intervals want {want_iv} got {got_iv}")


def check_shared(name, url, group, by_key):
    """Concurrent clients of one host: which series is whose is not in the
    capture, so the set of SYN series must match, not the pairing."""
    def series(rows):
        rows = sorted(rows, key=lambda r: int(r["frame"]))
        return tuple(int(r["frame"]) for r in rows)
    want = sorted(series(rows) for rows in group.values())
    got = sorted(tuple(by_key[k]["connect"].get("syn_frames", []))
                 for k in group if k in by_key and "connect" in by_key[k])
    out(got == want, f"{name}: SYN series of the {len(group)} concurrent "
        f"requests for {url}", f"want {want} got {got}")


def check_frames(name, cap, txns, ports):
    """request_frame/response_frame are Wireshark's frame numbers."""
    dports = "(" + " or ".join(f"tcp.dstport=={p}" for p in ports) + ")"
    sports = "(" + " or ".join(f"tcp.srcport=={p}" for p in ports) + ")"
    want_req = tshark_frames(cap, f"http.request and {dports}", ports)
    want_resp = tshark_frames(cap, f"http.response and {sports}", ports)
    got_req = sorted(t.get("request_frame") or 0 for t in txns)
    got_resp = sorted(t["response_frame"] for t in txns
                      if t.get("response_frame") is not None)
    out(got_req == want_req, f"{name}: request frames equal tshark's",
        f"want {want_req} got {got_req}")
    out(got_resp == want_resp, f"{name}: response frames equal tshark's",
        f"want {want_resp} got {got_resp}")


if __name__ == "__main__":
    main()
    sys.exit(3 if FAILED else 0)
