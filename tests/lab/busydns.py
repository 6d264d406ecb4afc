#!/usr/bin/env python3
"""The busy lab's DNS server, authoritative for busy.test (stdlib only).

usage: busydns.py ADDR ZONEFILE FLIP_S

ZONEFILE has lines "NAME ADDR" (NAME without ".busy.test"), lines "NAME"
alone (a mute name: every query for it, of any type, is received and
logged but never answered, as by a dead authoritative server), lines
"NAME ADDR v4only" (the A answered, a query of any other type received
and never answered: a server or firewall that drops AAAA) and one line
"flip ADDR_A ADDR_B": flip.busy.test answers ADDR_A for FLIP_S seconds,
then ADDR_B for FLIP_S seconds, and so on (from the server's start), so
which cached answer a gateway used matters. Every answer has a TTL of 1 s
(the SOA's minimum too, the negative-caching TTL): a busy gateway asks
again every second. A query for an A record of a listed name gets its
address; AAAA (or another type) of a listed name NOERROR without an
answer; any other name in busy.test NXDOMAIN; a name outside it REFUSED.
Each query is logged to stdout: time, client, name, type, rcode, address
("-" and "no-answer" for a mute name's).
The process exits on SIGTERM/SIGINT; a malformed query is ignored.
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dnsrcode import question, run  # noqa: E402

TTL = 1
ZONE = (b"busy", b"test")


MUTE = object()   # a mute name's entry in the zone: never answered
V4ONLY = set()    # names whose queries other than A are never answered


def load(path):
    names, flip = {}, None
    with open(path) as f:
        for line in f:
            w = line.split()
            if len(w) == 3 and w[0] == "flip":
                flip = (socket.inet_aton(w[1]), socket.inet_aton(w[2]))
            elif len(w) == 2 or (len(w) == 3 and w[2] == "v4only"):
                names[w[0].lower().encode()] = socket.inet_aton(w[1])
                if len(w) == 3:
                    V4ONLY.add(w[0].lower().encode())
            elif len(w) == 1:
                names[w[0].lower().encode()] = MUTE
    return names, flip


def soa():
    """busy.test's SOA (authority section of negative answers), minimum 1 s."""
    mname = b"\x02ns\x04busy\x04test\x00"
    rname = b"\x0ahostmaster\x04busy\x04test\x00"
    rdata = mname + rname + struct.pack("!IIIII", 1, 60, 60, 600, TTL)
    owner = b"\x04busy\x04test\x00"
    return owner + struct.pack("!HHIH", 6, 1, TTL, len(rdata)) + rdata


def reply(query, names, flip, t0, flip_s):
    q = question(query)
    if q is None:
        return None, None
    qid, flags, labels, end = q
    qtype = struct.unpack("!H", query[end - 4:end - 2])[0]
    lower = [x.lower() for x in labels]
    name = b".".join(lower).decode("ascii", "replace")
    an, ns, rcode, addr = b"", b"", 0, None
    if tuple(lower[-2:]) != ZONE:
        rcode = 5                                    # REFUSED: not ours
    else:
        host = b".".join(lower[:-2])
        if host == b"flip" and flip:
            addr = flip[int((time.monotonic() - t0) // flip_s) % 2]
        else:
            addr = names.get(host)
        if addr is MUTE or (qtype != 1 and host in V4ONLY):   # never answered
            return None, "%s\t%d\t-\tno-answer" % (name, qtype)
        if addr is None:
            rcode, ns = 3, soa()                     # NXDOMAIN
        elif qtype != 1:
            addr, ns = None, soa()                   # NOERROR, no data
        else:
            # the answer's owner points at the question's name (offset 12)
            an = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, TTL, 4) + addr
    rflags = 0x8000 | 0x0400 | (flags & 0x0100) | rcode   # QR, AA, RD copied
    head = struct.pack("!HHHHHH", qid, rflags, 1, 1 if an else 0, 1 if ns else 0, 0)
    log = "%s\t%d\t%d\t%s" % (name, qtype, rcode,
                              socket.inet_ntoa(addr) if addr else "-")
    return head + query[12:end] + an + ns, log


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    names, flip = load(sys.argv[2])
    flip_s = float(sys.argv[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[1], 53))
    t0 = time.monotonic()
    print("busydns listening on %s:53" % sys.argv[1], flush=True)
    while True:
        data, peer = s.recvfrom(4096)
        out, log = reply(data, names, flip, t0, flip_s)
        if out is not None:
            s.sendto(out, peer)
        if log is not None:
            print("%.6f\t%s\t%s" % (time.time(), peer[0], log), flush=True)


if __name__ == "__main__":
    run(main)
