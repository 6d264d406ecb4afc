#!/usr/bin/env python3
"""crowd_jitter.py GW_BIN CAPTURE.pcap [--runs N] [--seed S]

The lab's crowd scenario (three clients ask for one dropping host at
once; the gateway looks each up and connects for each) as a loaded
gateway would time it: the same frames, each request, look-up and first
SYN moved by a few milliseconds (seeded), the look-up after its request,
the connection after a look-up's answer. A loaded CI box once spread
them so that one look-up went to no request. Each run rewrites the
capture (classic pcap) with the new times, in time order, and checks
that gw502tui's JSON report lists every look-up and connection of the
crowd in some crowd request's evidence.

What belongs to the crowd comes from the capture's truth (truth.py, from
tshark) and tshark: the group's evidence frames, less the requests and
the answers. Prints TAP-style `ok - ` / `not ok - ` lines; exits 3 when
one failed.
"""
import argparse
import csv
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

FIELDS = ("frame.number", "tcp.stream", "udp.srcport", "udp.dstport",
          "dns.flags.response", "tcp.flags.syn", "tcp.flags.ack",
          "tcp.analysis.retransmission")


def read_pcap(path):
    """Header and [ts_us, data, orig_len] per record (classic pcap, µs)."""
    raw = open(path, "rb").read()
    if raw[:4] != b"\xd4\xc3\xb2\xa1":
        sys.exit("crowd_jitter.py: %s: not a little-endian µs pcap" % path)
    recs, off = [], 24
    while off + 16 <= len(raw):
        sec, usec, incl, orig = struct.unpack("<IIII", raw[off:off + 16])
        recs.append([sec * 1000000 + usec, raw[off + 16:off + 16 + incl], orig])
        off += 16 + incl
    return raw[:24], recs


def write_pcap(path, hdr, recs, order, ts):
    with open(path, "wb") as f:
        f.write(hdr)
        for i in order:
            f.write(struct.pack("<IIII", ts[i] // 1000000, ts[i] % 1000000,
                                len(recs[i][1]), recs[i][2]) + recs[i][1])


def tshark_rows(cap, lo, hi):
    out = subprocess.run(
        ["tshark", "-r", cap, "-Y", "frame.number >= %d && frame.number <= %d" % (lo, hi),
         "-T", "fields", "-E", "separator=\t"] + [a for f in FIELDS for a in ("-e", f)],
        capture_output=True, text=True, check=True).stdout
    rows = {}
    for line in out.splitlines():
        c = line.split("\t")
        rows[int(c[0])] = dict(zip(FIELDS, c))
    return rows


def crowd_plan(cap):
    """The crowd's blocks, as 0-based record indexes: per request its
    client frames up to the request's ACK; the look-ups (per resolver
    socket); the connections' first SYNs. And the frames to find."""
    truth = os.path.splitext(cap)[0] + ".truth.tsv"
    with open(truth) as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["group"] == "crowd"]
    if len(rows) < 2:
        sys.exit("crowd_jitter.py: %s has no crowd group" % truth)
    lo = min(int(r["frames"].split("-")[0]) for r in rows)
    hi = max(int(r["frames"].split("-")[1]) for r in rows)
    meta = tshark_rows(cap, lo - 20, hi)
    reqs = sorted(int(r["frames"].split("-")[0]) for r in rows)
    answers = {int(r["frames"].split("-")[1]) for r in rows}
    ev = set()
    for r in rows:
        ev |= {int(x) for x in r["evidence"].split(",") if x}
    ev -= set(reqs) | answers
    requests = []
    for rq in reqs:
        stream = meta[rq]["tcp.stream"]
        frames = [n for n in sorted(meta) if meta[n]["tcp.stream"] == stream and n <= rq + 1]
        # ARP or neighbour discovery just before the client's SYN goes too
        while frames[0] - 1 in meta and not meta[frames[0] - 1]["tcp.stream"] and \
                not meta[frames[0] - 1]["udp.srcport"]:
            frames.insert(0, frames[0] - 1)
        requests.append(frames)
    lookups = {}
    for n in sorted(ev):
        m = meta[n]
        if m["udp.srcport"]:
            sock = m["udp.dstport"] if m["dns.flags.response"] in ("1", "True") else m["udp.srcport"]
            lookups.setdefault(sock, []).append(n)
    first_syns = [n for n in sorted(ev) if meta[n]["tcp.flags.syn"] in ("1", "True") and
                  meta[n]["tcp.flags.ack"] not in ("1", "True") and
                  not meta[n]["tcp.analysis.retransmission"]]
    looks = sorted(lookups.values())
    if not (len(requests) == len(looks) == len(first_syns)):
        sys.exit("crowd_jitter.py: %d requests, %d look-ups, %d connections: not one each"
                 % (len(requests), len(looks), len(first_syns)))
    want = sorted(n for lk in looks for n in lk) + first_syns
    return ([[n - 1 for n in b] for b in requests], [[n - 1 for n in b] for b in looks],
            [[n - 1] for n in first_syns], [n - 1 for n in reqs], [n - 1 for n in want])


def jitter(recs, plan, rnd, scale):
    """New times: requests 0-8 ms apart, each look-up 0.05-6 ms after its
    request, each connection 0.03-5 ms after a look-up's answer (any
    pairing), all times `scale`."""
    requests, looks, conns, req_frames, _ = plan
    ts = [r[0] for r in recs]
    base = ts[requests[0][0]]

    def move(block, start):
        d = start - ts[block[0]]
        for i in block:
            ts[i] += d
    for b in requests:
        move(b, base + rnd.randint(0, 8000 * scale))
    for k, b in enumerate(looks):
        move(b, ts[req_frames[k]] + rnd.randint(50, 6000 * scale))
    pair = list(range(len(conns)))
    rnd.shuffle(pair)
    for k, b in enumerate(looks):
        move(conns[pair[k]], ts[b[-1]] + rnd.randint(30, 5000 * scale))
    return ts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gw")
    ap.add_argument("capture")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    hdr, recs = read_pcap(a.capture)
    plan = crowd_plan(a.capture)
    want_idx = plan[4]
    fails = 0
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "jitter.pcap")
        for run in range(a.runs):
            seed = a.seed + run
            scale = 1 if run % 2 == 0 else 4
            ts = jitter(recs, plan, random.Random(seed), scale)
            order = sorted(range(len(recs)), key=lambda i: (ts[i], i))
            number = {i: n + 1 for n, i in enumerate(order)}
            write_pcap(out, hdr, recs, order, ts)
            rep = subprocess.run([a.gw, "--report=json", out], capture_output=True, text=True)
            got = set()
            for line in rep.stdout.splitlines():
                t = json.loads(line)
                if "crowd" in t.get("url", ""):
                    got |= set(t.get("evidence_frames") or [])
            want = {number[i] for i in want_idx}
            ok = rep.returncode == 0 and want <= got
            fails += not ok
            print("%s - crowd timed as a loaded gateway (seed %d, x%d): every look-up and "
                  "connection in the evidence" % ("ok" if ok else "not ok", seed, scale))
            if not ok:
                print("#   exit %d, missing frames %s" % (rep.returncode, sorted(want - got)))
    return 3 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
