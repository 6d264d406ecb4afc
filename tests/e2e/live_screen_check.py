#!/usr/bin/env python3
"""Checks the screens a live gw502tui showed during a lab run.

usage: live_screen_check.py DIR LAB_CHECK GW_BIN
DIR holds screens/<wall-clock-ns>.txt (tmux captures every 0.2 s), the lab's
gw502-lab.pcap and its truth file. Every gateway error of the truth must
appear on the screen (client, URL, status and verdict badge) within 1 s of
the gateway's response, whose time comes from the recorded capture.
Exit status: 0 all ok, 3 some check failed (each printed); anything else:
the checker itself broke.
"""
import csv
import datetime
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tools"))
from jsonlines import line_row  # noqa: E402  (the one reader, schema included)

# the verdict badge: short on narrow screens, whole words on wide ones
BADGE = {"host-not-resolvable": ("DNS", "HOST NOT RESOLVABLE"),
         "cannot-connect": ("CONNECT", "CANNOT CONNECT"),
         "bad-response": ("BAD RESP", "BAD RESPONSE"),
         "relayed": ("RELAYED",), "unknown": ("UNKNOWN",)}
LIMIT_S = 1.0


FAILED = []


def out(good, name, why=""):
    print(("ok - " if good else "not ok - ") + "live screen: " + name)
    if not good:
        FAILED.append(name)
        if why:
            print("#   " + why)


def iso_ns(text):
    t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    t = t.replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 10**9 + t.microsecond * 1000


def main():
    d, gw = sys.argv[1], sys.argv[3]
    shots = sorted((int(f[:-4]), os.path.join(d, "screens", f))
                   for f in os.listdir(os.path.join(d, "screens"))
                   if f.endswith(".txt"))
    out(len(shots) > 10, f"{len(shots)} screens sampled")
    screens = [(t, open(p, encoding="utf-8", errors="replace").read())
               for t, p in shots]
    with open(os.path.join(d, "gw502-lab.truth.tsv"), newline="") as f:
        truth = list(csv.DictReader(f, delimiter="\t"))
    res = subprocess.run([gw, "--report=json", "--all",
                          os.path.join(d, "gw502-lab.pcap")],
                         capture_output=True, text=True, timeout=120)
    out(res.returncode == 0, "report on the recorded capture exits 0",
        f"exit {res.returncode}: {res.stderr[:300]}")
    txns = {}
    for n, line in enumerate(res.stdout.splitlines(), 1):
        t, why = line_row(line, f"line {n}")
        if why:
            out(False, f"report line {n} is a valid transaction", why)
        else:
            txns[(t["client"], t["client_port"], t["url"])] = t
    for row in truth:
        if row["status"] in ("-", "200"):
            continue
        key = (row["client"], int(row["client_port"]), row["url"])
        t = txns.get(key)
        label = f"{row['scenario']} {row['url']} from {row['client']}"
        if t is None:
            out(False, label, "not in the recorded capture's report")
            continue
        answered = iso_ns(t["request_time"]) + int(t["elapsed_ms"] * 1e6)
        badge = BADGE.get(row["verdict"], (row["verdict"].upper(),))
        seen = None
        for ts, text in screens:
            for line in text.splitlines():
                if (row["client"] in line and row["url"] in line and
                        f" {row['status']} " in line and
                        any(b in line for b in badge)):
                    seen = ts
                    break
            if seen:
                break
        if seen is None:
            out(False, label, f"never shown with {row['status']} {badge[-1]}")
            continue
        lag = (seen - answered) / 1e9
        out(lag <= LIMIT_S, f"{label} shown {lag:.2f} s after the answer",
            f"limit {LIMIT_S} s")


if __name__ == "__main__":
    main()
    sys.exit(3 if FAILED else 0)
