#!/usr/bin/env python3
"""A DNS server that answers every query with an error RCODE (stdlib only).

usage: dnsrcode.py ADDR

The first label of the question picks the RCODE: "servfail" 2 (SERVFAIL),
"refused" 5 (REFUSED), anything else 2. The answer copies the id, the RD
flag and the question, sets QR and RA, and has no records. Used by the lab
as the resolver of one nginx server block, so the gateway itself receives
the error (a forwarding resolver in between might retry or rewrite it).
The process exits on SIGTERM/SIGINT; a malformed query is ignored.
"""
import signal
import socket
import struct
import sys

RCODES = {b"servfail": 2, b"refused": 5}


def question(query):
    """A query's (id, flags, labels, end of the question) or None: one
    question, not a response, labels only (shared with busydns.py)."""
    if len(query) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", query[:6])
    if flags & 0x8000 or qd != 1:
        return None                 # a response, or not one question
    # walk the question's name (labels only) to find its end
    i, labels = 12, []
    while i < len(query) and query[i] != 0:
        n = query[i]
        if n & 0xC0 or i + 1 + n > len(query):
            return None
        labels.append(query[i + 1:i + 1 + n])
        i += 1 + n
    end = i + 1 + 4                 # root label, QTYPE, QCLASS
    if end > len(query):
        return None
    return qid, flags, labels, end


def answer(query):
    q = question(query)
    if q is None:
        return None
    qid, flags, labels, end = q
    rcode = RCODES.get(labels[0].lower() if labels else b"", 2)
    rflags = 0x8000 | (flags & 0x7900) | 0x0080 | rcode
    return struct.pack("!HHHHHH", qid, rflags, 1, 0, 0, 0) + query[12:end]


def main():
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sys.argv[1], 53))
    print("dnsrcode listening on %s:53" % sys.argv[1], flush=True)
    while True:
        data, peer = s.recvfrom(4096)
        reply = answer(data)
        if reply is not None:
            s.sendto(reply, peer)


def run(main_fn):
    """Runs a server's main until SIGTERM or SIGINT (shared with busydns.py)."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        sys.exit(main_fn())
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    run(main)
