#!/usr/bin/env python3
"""Truth for the next-hop lab (record_hop.sh): reads the gateway's capture,
the router's (merged, clock shifted) and the router's captures beyond it with
tshark, checks that every scenario left the traces its `where` says, and
writes the truth TSV. Exit status 1 on any disagreement.

usage: hop_truth.py --gw GW.pcap --peer PEER.pcap --beyond B1.pcap,B2.pcap
                    --requests REQ.tsv --offset S --nat-address A
                    --hop-address A --out TRUTH.tsv

REQ.tsv (written by record_hop.sh): scenario url status where what nat dest
"""
import argparse
import subprocess
import sys

FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "tcp.flags",
          "tcp.seq_raw", "tcp.ack_raw", "tcp.payload", "dns.id",
          "dns.flags.response", "icmp.type", "tcp.srcport", "tcp.dstport",
          "dns.qry.name"]


def read(path):
    """One dict per frame; multi-valued fields (ICMP quotes) as lists."""
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "occurrence=a",
           "-E", "aggregator=,", "-E", "separator=\t"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        vals = line.split("\t")
        vals += [""] * (len(FIELDS) - len(vals))
        r = {k: (v.split(",") if v else []) for k, v in zip(FIELDS, vals)}
        r["n"] = int(r["frame.number"][0])
        r["t"] = float(r["frame.time_epoch"][0])
        rows.append(r)
    return rows


def first(r, k):
    return r[k][0] if r[k] else ""


def syn_seqs(gw, dest):
    """The gateway's SYNs to dest: their raw sequence numbers."""
    return {first(r, "tcp.seq_raw") for r in gw
            if first(r, "ip.dst") == dest and first(r, "tcp.flags") == "0x0002"}


def dns_ids(gw, resolver, host):
    """The ids of the gateway's queries for host to resolver."""
    return {first(r, "dns.id") for r in gw
            if first(r, "ip.dst") == resolver and first(r, "dns.id")
            and first(r, "dns.qry.name") == host}


def main():
    ap = argparse.ArgumentParser()
    for a in ("--gw", "--peer", "--beyond", "--requests", "--offset",
              "--nat-address", "--hop-address", "--out"):
        ap.add_argument(a, required=True)
    a = ap.parse_args()
    gw, peer = read(a.gw), read(a.peer)
    beyond = [r for p in a.beyond.split(",") for r in read(p)]
    peer_start = min(r["t"] for r in peer) - float(a.offset)
    bad = []
    lines = ["#offset_s\t%s" % a.offset,
             "#scenario\turl\tclient_status\twhere\twhat\tnat\tdest\t"
             "gw_frames\tpeer_frames\tnat_peer_frames\tdiff_offset"]
    for req in open(a.requests):
        scen, url, status, where, what, nat, dest = req.rstrip("\n").split("\t")
        gwf, peerf, diff = [], [], "-"

        def fail(msg):
            bad.append("%s: %s" % (scen, msg))

        if what == "dns":
            ids = dns_ids(gw, dest, url.split("/")[2])
            gwf = [r["n"] for r in gw if first(r, "dns.id") in ids and
                   dest in r["ip.src"] + r["ip.dst"]]
            peerf = [r["n"] for r in peer if first(r, "dns.id") in ids]
            q_peer = [r for r in peer if first(r, "dns.id") in ids and
                      first(r, "dns.flags.response") in ("0", "False")]
            ans = lambda rows: [r for r in rows if first(r, "dns.id") in ids and
                                first(r, "dns.flags.response") in ("1", "True")]
            if not ids:
                fail("no query to %s in the gateway's capture" % dest)
            elif where == "lost-before-hop" and q_peer:
                fail("queries reached the hop")
            elif where == "beyond-hop" and (not q_peer or ans(peer)):
                fail("queries not forwarded, or answered")
            elif where == "lost-after-hop" and (not ans(peer) or ans(gw)):
                fail("answer not at the hop, or at the gateway")
            elif where == "from-beyond" and not (ans(gw) and ans(beyond)):
                fail("the answer did not come from beyond")
        elif where != "-":
            seqs = syn_seqs(gw, dest)
            acks = {str((int(s) + 1) % 2**32) for s in seqs}
            gwf = sorted(r["n"] for r in gw if first(r, "tcp.seq_raw") in seqs or
                         (dest in r["ip.src"] and set(r["tcp.seq_raw"] + r["tcp.ack_raw"]) & (seqs | acks)))
            syn_peer = [r for r in peer if first(r, "tcp.seq_raw") in seqs and
                        first(r, "tcp.flags") == "0x0002"]
            replies = lambda rows: [r for r in rows if first(r, "tcp.ack_raw") in acks or
                                    (first(r, "icmp.type") and dest in r["ip.dst"][1:])]
            peerf = sorted(r["n"] for r in syn_peer + replies(peer))
            if not seqs:
                fail("no SYN to %s in the gateway's capture" % dest)
            elif where == "not-in-peer":
                if any(r["n"] in gwf and r["t"] >= peer_start for r in gw) or peerf:
                    fail("the request is inside the peer capture")
            elif where == "lost-before-hop" and syn_peer:
                fail("SYNs reached the hop")
            elif where == "beyond-hop" and (not syn_peer or replies(peer)):
                fail("SYNs not forwarded, or answered")
            elif where == "lost-after-hop" and (not replies(beyond) or replies(gw)):
                fail("no reply beyond the hop, or a reply at the gateway")
            elif where == "hop-rejects" and (not replies(gw) or replies(beyond)):
                fail("no reject at the gateway, or one from beyond")
            elif where == "from-beyond" and not (replies(gw) and replies(beyond)):
                fail("the reject did not come from beyond")
            elif where == "altered-after-hop":
                # the first reply bytes, at the hop and at the gateway
                def reply(rows):
                    for r in rows:
                        if first(r, "tcp.srcport") == "80" and first(r, "tcp.payload") \
                                and first(r, "ip.src") == dest:
                            return bytes.fromhex(first(r, "tcp.payload"))
                    return b""
                h, g = reply(beyond), reply(gw)
                if not h or not g or h == g:
                    fail("replies missing or equal at hop and gateway")
                else:
                    diff = str(next(i for i in range(min(len(h), len(g))) if h[i] != g[i]))
                peerf += [r["n"] for r in peer if first(r, "ip.src") == dest and
                          first(r, "tcp.payload")][:2]
                peerf.sort()
        natf = [n for n in peerf if any(r["n"] == n and (a.nat_address in r["ip.src"] + r["ip.dst"])
                                        for r in peer)]
        if nat == "yes" and not natf:
            fail("NAT scenario with no rewritten copy in the peer capture")
        j = lambda v: ",".join(map(str, v)) or "-"
        lines.append("\t".join([scen, url, status, where, what, nat, dest,
                                j(gwf), j(peerf), j(natf), diff]))
    if bad:
        for b in bad:
            print("hop_truth: " + b, file=sys.stderr)
        return 1
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
