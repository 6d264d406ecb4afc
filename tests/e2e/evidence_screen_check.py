#!/usr/bin/env python3
"""Screen equals report (issue 14): the numbers the evidence pane shows for
a transaction are the ones --report=json --all gives for it.

usage: evidence_screen_check.py REPORT.jsonl PANE_FILE...

Each PANE_FILE is a tmux capture of the TUI with one transaction selected.
Prints one "ok - " / "not ok - " line per transaction and comparison.
"""
import re
import sys

from jsonlines import rows

# A number printed with fewer decimals than the JSON's: equal when the JSON
# value rounds to it (half a unit of the last printed digit, and a hair).
def close(shown, exact, unit):
    return abs(shown - exact) <= unit / 2 + 1e-9


def pane_lines(path):
    """The evidence pane's lines: (label, text), wrapped lines joined."""
    out, inside = [], False
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if "Evidence" in line and line.startswith(("├", "┌")):
            inside = True
            continue
        if not inside:
            continue
        if line.startswith("└"):
            break
        cells = line.split("│")
        if len(cells) < 3:
            continue
        cell = cells[1]
        label, text = cell[:9].strip(), cell[10:].rstrip()
        if not label and not text.strip():
            continue
        if label or not out:
            out.append([label, text.strip()])
        else:
            out[-1][1] += " " + text.strip()
    return [(l, t) for l, t in out]


def frames_in(text):
    return [int(x) for x in re.findall(r"#(\d+)", text)]


def check_txn(pane, t, say):
    lines = pane_lines(pane)
    by, syn_seq = {}, []
    for label, text in lines:
        by.setdefault(re.sub(r" \d+$", "", label), []).append(text)
        if re.fullmatch(r"SYN \d+", label):
            syn_seq.append(int(label[4:]))
    name = "#%d" % t["id"]

    verdict = (by.get("Verdict") or [""])[0]
    say("(%s)" % t["cause"] in verdict, name + ": cause", verdict)

    ans = (by.get("Answer") or [""])[0]
    m = re.search(r"after ([0-9.]+) s\s+\(frame (\d+)\)", ans)
    if t["response_frame"] is None:
        m2 = re.search(r"\(([0-9.]+) s so far\)", ans)
        say(m2 is not None and close(float(m2.group(1)) * 1000,
                                     t["elapsed_ms"], 1),
            name + ": never answered, elapsed", "%s vs %s" % (ans, t["elapsed_ms"]))
    else:
        say(m is not None and int(m.group(2)) == t["response_frame"] and
            close(float(m.group(1)) * 1000, t["elapsed_ms"], 1),
            name + ": answer frame and elapsed",
            "screen [%s] json frame %s elapsed %s" % (ans, t["response_frame"], t["elapsed_ms"]))

    shown = [int(x) for x in " ".join(by.get("Frames", [])).split() if x.isdigit()]
    say(shown == t["evidence_frames"], name + ": evidence frames",
        "screen %s json %s" % (shown, t["evidence_frames"]))

    dns = by.get("DNS", [])
    want = t.get("dns", [])
    ok = len(dns) == len(want)
    for text, d in zip(dns, want):
        fr = frames_in(text)
        exp = [d["frame"]] + ([d["response_frame"]] if d["response_frame"] else [])
        ok &= fr == exp and text.startswith("%s %s " % (d["type"], d["name"]))
        rtt = re.search(r"rtt ([0-9.]+) ms", text)
        ok &= (rtt is None) == (d["rtt_ms"] is None)
        if rtt:
            ok &= close(float(rtt.group(1)), d["rtt_ms"], 0.1)
        ok &= ("no answer" in text) == (d["rcode"] is None)
    say(ok, name + ": DNS look-ups (frames, rtt, answered)",
        "screen %s json %s" % (dns, want))

    c = t.get("connect")
    syns = by.get("SYN", [])
    if c is None:
        say(not syns, name + ": no SYN", str(syns))
        return
    ok = len(syns) == len(c["syn_frames"]) == len(syn_seq)
    # "SYN 1" again: the host's next address, a series of its own (the
    # JSON's intervals_ms still runs across addresses)
    ok &= all(n == 1 or (i > 0 and n == syn_seq[i - 1] + 1)
              for i, n in enumerate(syn_seq))
    ivs = c["intervals_ms"]
    for i, text in enumerate(syns):
        if i >= len(c["syn_frames"]):
            break
        m = re.match(r"\S+ \+([0-9.]+) s(?: \(\+([0-9.]+) s(?: \S([0-9.]+))?\))?\s+#(\d+)(?: .*)?$", text)
        if not m:
            ok = False
            continue
        off, iv, fac, fr = m.groups()
        ok &= int(fr) == c["syn_frames"][i]
        ok &= close(float(off) * 1000, c["syn_times_ms"][i], 1)
        seq = syn_seq[i] if i < len(syn_seq) else 0
        ok &= (iv is None) == (seq == 1)
        if iv is not None:
            ok &= close(float(iv) * 1000, ivs[i - 1], 1)
        if seq < 3:
            ok &= fac is None
        elif ivs[i - 2] > 0:
            # the screen divides nanoseconds, the JSON gives µs: allow
            # for the JSON's rounding of both intervals
            ratio = ivs[i - 1] / ivs[i - 2]
            slack = ratio * (0.0005 / ivs[i - 1] + 0.0005 / ivs[i - 2])
            ok &= fac is not None and close(float(fac), ratio, 0.1 + 2 * slack)
    say(ok, name + ": SYNs (frames, offsets, intervals, factors)",
        "screen %s json %s %s %s" % (syns, c["syn_frames"], c["syn_times_ms"], ivs))

    icmp = [f for text in by.get("ICMP", []) for f in frames_in(text)]
    if "icmp" in c:
        say(c["icmp"]["frame"] in icmp and set(icmp) <= set(t["evidence_frames"]),
            name + ": ICMP errors", "screen %s json %s" % (icmp, c["icmp"]))
    if "synack_frame" in c:
        got = [f for text in by.get("SYN/ACK", []) for f in frames_in(text)]
        say(c["synack_frame"] in got, name + ": SYN/ACK", "screen %s" % got)
    if "rst_frame" in c:
        got = [f for text in by.get("RST", []) for f in frames_in(text)]
        say(c["rst_frame"] in got, name + ": RST", "screen %s" % got)
    up = t.get("upstream")
    if up:
        # a gateway that sent the request again on new connections: each
        # exchange is listed, the JSON's is the last
        ups, replies = by.get("Upstream", []), by.get("Reply", [])
        got = frames_in(" ".join(ups))
        reply = replies[-1] if replies else ""
        say(ups != [] and frames_in(ups[-1]) == [up["request_frame"]] and
            len(replies) == len(ups) and
            set(got) <= set(t["evidence_frames"]) and
            (frames_in(reply)[-1:] == [up["response_frame"]] if up["response_frame"]
             else reply.startswith("none")),
            name + ": upstream request and reply", "screen %s / %s json %s" % (got, reply, up))
        # a reverse proxy's earlier tries: each request listed, with
        # the server it went to
        for k, tr in enumerate(t.get("tries", [])):
            server = tr["server"] if ":" not in tr["server"] else \
                "[%s]" % tr["server"]
            hit = [u for u in ups if tr["request_frame"] in frames_in(u)]
            say(hit != [] and "%s:%d" % (server, tr["port"]) in hit[0],
                name + ": try %d" % (k + 1), "screen %s json %s" % (ups, tr))


def main():
    report, panes = sys.argv[1], sys.argv[2:]
    txns = {t["id"]: t for t in rows(report)}
    seen = set()
    for pane in panes:
        text = open(pane, encoding="utf-8", errors="replace").read()
        m = re.search(r"│Request\s+#(\d+) ", text)
        if not m:
            print("not ok - %s: a request is selected" % pane)
            continue
        tid = int(m.group(1))
        seen.add(tid)

        def say(cond, what, why):
            if cond:
                print("ok - " + what)
            else:
                print("not ok - " + what)
                print("#   " + why[:600])
        check_txn(pane, txns[tid], say)
    errors = {i for i, t in txns.items() if t["status"] in (502, 503, 504) or t["status"] is None}
    errors = {i for i in errors if txns[i]["verdict"] != "pending"}
    if errors <= seen:
        print("ok - every gateway error of the report was compared (%d)" % len(errors))
    else:
        print("not ok - every gateway error of the report was compared")
        print("#   not on screen: %s" % sorted(errors - seen))


main()
