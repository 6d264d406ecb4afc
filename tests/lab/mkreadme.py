#!/usr/bin/env python3
"""Write examples/README.md from the hand-written template and the frame
indexes truth.py produced for each capture (so the frame numbers in the README
always match the committed captures).

usage: mkreadme.py --template T.in --runinfo R.tsv --out README.md NAME=FRAMES.json...

The template's placeholders: @RUNINFO@ (a table of kernel/proxy versions and
SYN sysctls) and @FRAMES@ (one table per capture).
"""
import argparse
import json


def ranges(nums):
    """[1,2,3,7,9,10] -> '1-3, 7, 9-10'"""
    out, start, prev = [], None, None
    for n in nums:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append(str(start) if start == prev else "%d-%d" % (start, prev))
            start = prev = n
    if start is not None:
        out.append(str(start) if start == prev else "%d-%d" % (start, prev))
    return ", ".join(out) if out else "-"


def table(name, path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    total = rows[0]["frames_total"] if rows else 0
    lines = ["### %s (%d frames)" % (name, total), "",
             "| # | scenario | client | request | status | verdict / cause | "
             "request frame | response frame | upstream evidence frames | t (s) | took (s) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for i, r in enumerate(rows, 1):
        client = "%s:%s" % (r["client"] if ":" not in r["client"] else "[%s]" % r["client"],
                            r["client_port"])
        req = "`%s %s`%s" % (r["method"], r["url"],
                             "" if r["proxy_port"] == "9090" else " (port %s)" % r["proxy_port"])
        lines.append("| %d | %s | %s | %s | %s | %s / %s | %d | %s | %s | %.3f | %s |" % (
            i, r["scenario"], client, req, r["status"], r["verdict"], r["cause"],
            r["request_frame"], r["response_frame"] or "none", ranges(r["evidence"]),
            r["t"], "-" if r["elapsed"] is None else "%.3f" % r["elapsed"]))
    return "\n".join(lines) + "\n"


def syn_summary(path):
    series = {}
    order = []
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(head, line.rstrip("\n").split("\t")))
            key = (r["scenario"], r["client"], r["client_port"], r["url"], r["upstream"])
            if key not in series:
                series[key] = []
                order.append(key)
            series[key].append(r)
    out = []
    for key in order:
        rows = series[key]
        ivs = [r["interval_s"] for r in rows[1:]]
        out.append("- %s, `%s` from %s:%s to %s: %d SYNs (frames %s), intervals %s s"
                   % (key[0], key[3], key[1], key[2], key[4], len(rows),
                      ", ".join(r["frame"] for r in rows),
                      ", ".join("%.3f" % float(v) for v in ivs) or "-"))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--template", required=True)
    ap.add_argument("--runinfo", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--syn", help="a .syn.tsv to summarise at @SYNS@")
    ap.add_argument("captures", nargs="+", help="NAME=FRAMES.json")
    a = ap.parse_args()
    info = ["| what | value |", "|---|---|"]
    for line in open(a.runinfo):
        if "\t" in line:
            k, v = line.rstrip("\n").split("\t", 1)
            info.append("| %s | %s |" % (k, v))
    tables = [table(*c.split("=", 1)) for c in a.captures]
    text = open(a.template).read()
    text = text.replace("@RUNINFO@", "\n".join(info) + "\n")
    text = text.replace("@FRAMES@", "\n".join(tables))
    if a.syn:
        text = text.replace("@SYNS@", syn_summary(a.syn))
    with open(a.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
