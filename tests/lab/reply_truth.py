#!/usr/bin/env python3
"""reply_truth.py: the truth of the refused-reply lab (record_reply.sh).

usage: reply_truth.py --capture PCAP --client CLIENT.tsv --nginx-error LOG
                      --squid-log LOG --truth OUT.tsv

Every request the client made (proxy, URL, status; 000: no answer) is
found in the capture with tshark: its client port and, on the upstream
side, the size of the reply's head (the reply's bytes less its
Content-Length). The proxy's own log says whether it refused the reply:
nginx's error log ("upstream sent too big header", "upstream sent
invalid header", "upstream sent invalid chunked response", with the
request line), squid's access log (ERR_TOO_BIG, ERR_INVALID_RESP). A
refused head: bad-response / http-invalid-response, answered 502; a
refused body: the same, with no answer (nginx closes the client's
connection); a status line nginx cannot find ("upstream sent no valid
HTTP/1.0 header"): the same, no status (it relays the bytes as they
are). A reply relayed: ok / none with the upstream's status, but
for the odd heads RFC 9112 makes invalid (a field line without a colon,
a space before the colon, a folded line, two Content-Lengths that
differ, one that is not a number, a NUL, an empty line before the
status line: what upstream.py's oddhead sends for those names), which are bad-response / http-invalid-response
with the status relayed (a masked failure). Anything else, or the logs
and statuses disagreeing, fails the recording. Writes one line per
request: client, client_port, proxy, url, status (0: none), verdict,
cause, head_bytes (-: no whole reply seen, a chunked one, or not a
sized head).
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tools"))
from tshark_http import decode_as_http  # noqa: E402

PORTS = {"nginx": 9093, "squid": 9098}
UPS = "(ip.src==10.253.0.80 || ip.src==10.253.0.81)"   # heads, chunks
CLIENT = "10.253.0.11"
# oddhead's replies (by the URL's first path segment) that RFC 9112
# makes invalid, and the status of each reply a proxy relays
INVALID = {"nocolon", "spacename", "fold", "twocl", "badcl", "nul",
           "leadcrlf"}
RELAYED_STATUS = {"s999": "999"}


def odd_name(url):
    """oddhead's name for the reply to url ("" for the other upstreams)."""
    if "//10.253.0.82/" not in url:
        return ""
    return url.split("//10.253.0.82/", 1)[1].split("/", 1)[0]


def tshark(cap, flt, fields, http_ports):
    """The fields of the frames flt picks, HTTP decoded on http_ports
    (tshark_http)."""
    cmd = ["tshark", "-r", cap, "-n", "-Y", flt, "-T", "fields",
           "-E", "separator=\t", "-E", "occurrence=f",
           *decode_as_http(http_ports)]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def read_backends(path):
    """{scenario: (address, port)} from a lab's backends file: one line a
    scenario, its address, its port and one more column."""
    backends = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            name, addr, port, _ = line.split()
            backends[name] = (addr, int(port))
    return backends


def haproxy_requests(path):
    """(client port, path, fields) of each request line in HAProxy's log
    (option httplog, raw): fields the line split on blanks (5 the
    status, 9 the termination state, 10 the connection counts)."""
    for line in open(path, encoding="utf-8", errors="replace"):
        f = line.split()
        if len(f) < 15 or '"' not in line:
            continue
        yield int(f[0].rsplit(":", 1)[1]), \
            line.split('"', 1)[1].split(" ")[1], f


def write_tsv(path, header, rows):
    """A truth file: its header's columns, then one line a row."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("\t".join(header) + "\n")
        for row in rows:
            f.write("\t".join(map(str, row)) + "\n")


def main():
    ap = argparse.ArgumentParser()
    for a in ("capture", "client", "nginx_error", "squid_log", "truth"):
        ap.add_argument("--" + a.replace("_", "-"), required=True)
    o = ap.parse_args()

    # client side: the request of each URL, through which proxy, from which port
    ports = {}
    for port, uri, dport in tshark(o.capture, "http.request && ip.src==" + CLIENT,
                                   ["tcp.srcport", "http.request.uri", "tcp.dstport"],
                                   PORTS.values()):
        ports[uri] = (int(port), int(dport))
    # upstream side: each reply's head size, by the URL it answers
    heads = {}
    for uri, reassembled, seglen, clen in tshark(
            o.capture, "http.response && " + UPS,
            ["http.response_for.uri", "tcp.reassembled.length", "tcp.len",
             "http.content_length_header"], PORTS.values()):
        if clen and uri.startswith("/h"):
            heads[uri] = int(reassembled or seglen) - int(clen)
    nginx_refused = {}
    for line in open(o.nginx_error, encoding="utf-8", errors="replace"):
        for why, what in (("upstream sent too big header", "head"),
                          ("upstream sent invalid header", "head"),
                          # it relays the bytes as HTTP/0.9: no status
                          ("upstream sent no valid HTTP/1.0 header", "raw"),
                          ("upstream sent invalid chunked response", "body")):
            if why in line and 'request: "' in line:
                req = line.split('request: "', 1)[1].split('"', 1)[0]
                nginx_refused[req.split(" ")[1]] = what
    squid_refused = {}
    for line in open(o.squid_log, encoding="utf-8", errors="replace"):
        f = line.split()
        if len(f) >= 6 and f[5] in ("ERR_TOO_BIG", "ERR_INVALID_RESP"):
            squid_refused[f[3]] = "head"

    bad = 0
    rows = []
    for line in open(o.client, encoding="utf-8"):
        proxy, url, status = line.rstrip("\n").split("\t")
        refused = (nginx_refused if proxy == "nginx" else squid_refused).get(url)
        odd = odd_name(url)
        want = {"head": "502", "body": "000", "raw": "000",
                None: RELAYED_STATUS.get(odd, "200")}[refused]
        if url not in ports or ports[url][1] != PORTS[proxy]:
            print(f"DISAGREE {proxy} {url}: no request in the capture", file=sys.stderr)
            bad += 1
            continue
        if status != want:
            print(f"DISAGREE {proxy} {url}: status {status}, the log says "
                  f"{refused or 'nothing'} refused ({want})", file=sys.stderr)
            bad += 1
        verdict, cause = ("bad-response", "http-invalid-response") \
            if refused or odd in INVALID else ("ok", "none")
        rows.append([CLIENT, str(ports[url][0]), proxy, url, str(int(status)),
                     verdict, cause, str(heads.get(url, "-"))])
    if bad or not rows:
        return 1
    with open(o.truth, "w", encoding="utf-8") as f:
        f.write("client\tclient_port\tproxy\turl\tstatus\tverdict\tcause\thead_bytes\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
