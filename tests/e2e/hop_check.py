#!/usr/bin/env python3
"""Checks gw502tui --peer on a next-hop lab pair against the lab's truth
(tests/lab/record_hop.sh, hop_truth.py: *.where.tsv), never against the
tool's own earlier output.

usage: hop_check.py GW_BIN GW.pcap PEER.pcap WHERE.tsv

Prints "ok - ..." / "not ok - ..." lines; exit 1 when any check failed.
"""
import json
import subprocess
import sys
from jsonlines import lines_rows


def main():
    gw_bin, gw, peer, truth = sys.argv[1:5]
    offset_s, rows = None, []
    for line in open(truth):
        f = line.rstrip("\n").split("\t")
        if f[0] == "#offset_s":
            offset_s = float(f[1])
        elif not line.startswith("#"):
            rows.append(dict(zip(["scenario", "url", "status", "where", "what", "nat",
                                  "dest", "gw_frames", "peer_frames", "nat_peer_frames",
                                  "diff_offset"], f)))
    res = subprocess.run([gw_bin, "--report=json", "--all", "--peer", peer, gw],
                         capture_output=True, text=True, timeout=60)
    by_url = {}
    for d in lines_rows(res.stdout.splitlines(), "gw502tui --peer"):
        by_url.setdefault(d["url"], d)
    fails = 0

    def check(name, good, why=""):
        nonlocal fails
        print(("ok - " if good else "not ok - ") + name)
        if not good:
            fails += 1
            print("#   " + why)

    check("hop: report exits 0", res.returncode == 0, res.stderr.strip())
    offsets = set()
    nat_seen = 0
    for r in rows:
        d = by_url.get(r["url"])
        name = "hop %s (%s)" % (r["scenario"], r["where"])
        if d is None:
            check(name, False, "no transaction for " + r["url"])
            continue
        hop = d.get("next_hop")
        if r["where"] == "-":
            check(name + ": a success is not placed", hop is None, json.dumps(hop))
            continue
        if hop is None:
            check(name, False, "no next_hop for " + r["url"])
            continue
        check(name, hop["where"] == r["where"],
              "where %s, lab says %s: %s" % (hop["where"], r["where"], hop["summary"]))
        check(name + ": what", hop["what"] == r["what"], hop["what"])
        offsets.add(hop["offset_ms"])
        truth_frames = set(int(x) for x in r["peer_frames"].split(",") if x != "-")
        ours = set(hop["peer_frames"])
        check(name + ": peer frames are the lab's", ours <= truth_frames and
              (bool(ours) == bool(truth_frames)),
              "ours %s, lab's %s" % (sorted(ours), sorted(truth_frames)))
        if r["nat"] == "yes":
            nat = set(int(x) for x in r["nat_peer_frames"].split(",") if x != "-")
            nat_seen += 1
            check(name + ": matched through NAT", bool(ours & nat),
                  "none of %s among the rewritten copies %s" % (sorted(ours), sorted(nat)))
        if r["where"] == "altered-after-hop":
            check(name + ": first differing byte", str(hop.get("diff_offset")) == r["diff_offset"],
                  "%s, lab says %s" % (hop.get("diff_offset"), r["diff_offset"]))
    check("hop: NAT scenarios present", nat_seen >= 1, "no NAT row in the truth")
    check("hop: one offset for the pair", len(offsets) == 1, str(offsets))
    if offsets and offset_s is not None:
        off = offsets.pop()
        check("hop: clock offset within 1 ms of the applied %.6f s (got %.3f ms)"
              % (offset_s, off), abs(off - offset_s * 1000) < 1.0,
              "%.3f ms vs %.3f ms" % (off, offset_s * 1000))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
