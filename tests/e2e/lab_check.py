#!/usr/bin/env python3
"""Compares gw502tui --report=json on a lab capture with its truth file.

usage: lab_check.py [--json REPORT] GW_BIN CAPTURE
       lab_check.py --json REPORT --same-as OTHER_REPORT
Reads CAPTURE's .truth.tsv and .syn.tsv (written by tests/lab from the
scenario and tshark, never from gw502tui) and prints ok/not ok lines.
With tshark installed, also checks request/response frame numbers.
--json: judge that report (e.g. a live capture's) instead of running
GW_BIN on CAPTURE; frame numbers are then not compared.
--same-as: the two reports give every request the same verdict.
"""
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys


def out(good, name, why=""):
    print(("ok - " if good else "not ok - ") + name)
    if not good and why:
        print("#   " + why)


def truth_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def tshark_frames(cap, display_filter):
    cmd = ["tshark", "-r", cap, "-d", "tcp.port==9090,http",
           "-d", "tcp.port==9091,http", "-Y", display_filter,
           "-T", "fields", "-e", "frame.number"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return sorted(int(x) for x in res.stdout.split())


def load_json(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def key_of(t):
    return (t["client"], t["client_port"], t["url"])


def same_as(a_path, b_path):
    a = {key_of(t): t for t in load_json(a_path)}
    b = {key_of(t): t for t in load_json(b_path)}
    out(set(a) == set(b), "same requests",
        f"only in first {sorted(set(a) - set(b))}, "
        f"only in second {sorted(set(b) - set(a))}")
    for k in sorted(set(a) & set(b)):
        want = (b[k]["status"], b[k]["verdict"], b[k]["cause"])
        got = (a[k]["status"], a[k]["verdict"], a[k]["cause"])
        out(got == want, f"{k[2]} from {k[0]}:{k[1]}", f"{got} vs {want}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--same-as")
    ap.add_argument("gw", nargs="?")
    ap.add_argument("cap", nargs="?")
    args = ap.parse_args()
    if args.same_as:
        same_as(args.json, args.same_as)
        return
    gw, cap = args.gw, args.cap
    base = cap.rsplit(".", 1)[0]
    name = os.path.basename(cap)
    if args.json:
        txns = load_json(args.json)
    else:
        res = subprocess.run([gw, "--report=json", "--all", cap],
                             capture_output=True, text=True, timeout=120)
        out(res.returncode == 0, f"{name}: report exits 0",
            f"exit {res.returncode}: {res.stderr[:300]}")
        txns = [json.loads(line) for line in res.stdout.splitlines()]
    by_key = {(t["client"], t["client_port"], t["url"]): t for t in txns}
    truth = truth_rows(base + ".truth.tsv")
    out(len(txns) == len(truth), f"{name}: {len(truth)} requests",
        f"report has {len(txns)}")
    for row in truth:
        key = (row["client"], int(row["client_port"]), row["url"])
        label = f"{name}: {row['scenario']} {row['method']} {row['url']} " \
                f"from {row['client']}:{row['client_port']}"
        t = by_key.get(key)
        if t is None:
            out(False, label, "not in the report")
            continue
        status = None if row["status"] == "-" else int(row["status"])
        got = (t["method"], t["status"], t["verdict"], t["cause"])
        want = (row["method"], status, row["verdict"], row["cause"])
        out(got == want, label, f"want {want} got {got}")
    if args.json:
        return
    check_syns(name, base + ".syn.tsv", by_key)
    if shutil.which("tshark"):
        check_frames(name, cap, txns)
    else:
        print(f"skip - {name}: frame numbers (tshark not installed)")


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
        got_iv = [round(x, 3) for x in c["intervals_ms"]]
        ok_frames = c["syn_frames"] == frames
        ok_iv = len(got_iv) == len(want_iv) and all(
            abs(a - b) <= 0.0011 for a, b in zip(got_iv, want_iv))
        out(ok_frames and ok_iv, label,
            f"frames want {frames} got {c['syn_frames']}; "
            f"intervals want {want_iv} got {got_iv}")


def check_shared(name, url, group, by_key):
    """Concurrent clients of one host: which series is whose is not in the
    capture, so the set of SYN series must match, not the pairing."""
    def series(rows):
        rows = sorted(rows, key=lambda r: int(r["frame"]))
        return tuple(int(r["frame"]) for r in rows)
    want = sorted(series(rows) for rows in group.values())
    got = sorted(tuple(by_key[k]["connect"]["syn_frames"])
                 for k in group if k in by_key and "connect" in by_key[k])
    out(got == want, f"{name}: SYN series of the {len(group)} concurrent "
        f"requests for {url}", f"want {want} got {got}")


def check_frames(name, cap, txns):
    """request_frame/response_frame are Wireshark's frame numbers."""
    ports = "(tcp.dstport==9090 or tcp.dstport==9091)"
    rports = "(tcp.srcport==9090 or tcp.srcport==9091)"
    want_req = tshark_frames(cap, f"http.request and {ports}")
    want_resp = tshark_frames(cap, f"http.response and {rports}")
    got_req = sorted(t["request_frame"] for t in txns)
    got_resp = sorted(t["response_frame"] for t in txns
                      if t["response_frame"] is not None)
    out(got_req == want_req, f"{name}: request frames equal tshark's",
        f"want {want_req} got {got_req}")
    out(got_resp == want_resp, f"{name}: response frames equal tshark's",
        f"want {want_resp} got {got_resp}")


if __name__ == "__main__":
    main()
