#!/usr/bin/env python3
"""reply_lab_check.py GW_BIN CAPTURE: the refused-reply lab against its truth.

Runs `GW_BIN -p 9093,9098 --report=json --all CAPTURE` and compares each
request with CAPTURE's .truth.tsv (tests/lab/reply_truth.py, from the
proxies' logs and tshark): status, verdict and cause; where the truth
knows the head's size and it is within what gw502tui parses (32 KB), the
summary must give it; a refused transfer coding's summary names it; an
invalid reply relayed as a 200 is "masked". Prints ok / not ok lines; exit 0 all passed, 3 some
check failed.
"""
import csv
import json
import subprocess
import sys


def truth_and_report(gw, cap, options):
    """CAPTURE's truth (its .truth.tsv, one dict a request) and
    `GW_BIN OPTIONS --report=json --all CAPTURE`, one object a
    transaction."""
    with open(cap.rsplit(".", 1)[0] + ".truth.tsv", encoding="utf-8") as f:
        truth = list(csv.DictReader(f, delimiter="\t"))
    out = subprocess.run([gw, *options, "--report=json", "--all", cap],
                         check=True, capture_output=True, text=True).stdout
    return truth, [json.loads(line) for line in out.splitlines()]


def mixed(what, n, total):
    """A recording must show both kinds: the not ok line when not, else
    None."""
    if 0 < n < total:
        return None
    return f"not ok - the recording has {what} ({n} of {total})"


def main():
    gw, cap = sys.argv[1], sys.argv[2]
    truth, report = truth_and_report(gw, cap, ["-p", "9093,9098"])
    # a client port is not a request's own: the kernel gives one out again
    # to another proxy at once, and to the same one once the server's side
    # closed first; each request asks its own URL (/rN)
    got = {(o["client_port"], o["url"]): o for o in report}
    bad = 0
    refused = 0
    for r in truth:
        o = got.get((int(r["client_port"]), r["url"]))
        name = f"{r['proxy']} {r['url']} ({r['status']})"
        if o is None:
            print(f"not ok - {name}: not in the report")
            bad += 1
            continue
        want = (int(r["status"]) or None, r["verdict"], r["cause"])
        have = (o["status"], o["verdict"], o["cause"])
        words_ok = True
        if r["verdict"] != "ok":
            refused += 1
            n = r["head_bytes"]
            if n != "-" and int(n) < 32768:
                words_ok = f"a {n}-byte head" in o["summary"]
        # a refused coding is named; an invalid reply relayed is masked
        if "/tegzip/" in r["url"] and r["verdict"] != "ok":
            words_ok = words_ok and '"Transfer-Encoding: gzip"' in o["summary"]
        if r["verdict"] != "ok" and int(r["status"]) == 200:
            words_ok = words_ok and o.get("masked") is True
        if have == want and words_ok:
            print(f"ok - {name}: {o['verdict']}/{o['cause']}")
        else:
            print(f"not ok - {name}: {have}, truth {want}; {o['summary']}")
            bad += 1
    # the lab must have shown both: refusals (nginx, squid) and successes
    line = mixed("refused and relayed replies", refused, len(truth))
    if line:
        print(line)
        bad += 1
    return 3 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
