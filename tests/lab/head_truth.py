#!/usr/bin/env python3
"""head_truth.py: the truth of the big-head lab (record_head.sh).

usage: head_truth.py --capture PCAP --client CLIENT.tsv --nginx-error LOG
                     --squid-log LOG --truth OUT.tsv

Every request the client made (proxy, path, status) is found in the
capture with tshark: its client port and, on the upstream side, the size
of the reply's head (the reply's bytes less its Content-Length). The
proxy's own log says whether it refused the head for its size: nginx's
error log ("upstream sent too big header", with the request line), squid's
access log (ERR_TOO_BIG). Refused: bad-response / http-invalid-response;
a 200: ok / none. Anything else, or the logs and statuses disagreeing
(a refusal answered with anything but 502, a 502 no log explains), fails
the recording. Writes one line per request: client, client_port, proxy,
url, status, verdict, cause, head_bytes (-: no upstream reply seen).
"""
import argparse
import subprocess
import sys

PORTS = {"nginx": 9093, "squid": 9098}
UP = "10.253.0.80"
CLIENT = "10.253.0.11"


def tshark(cap, flt, fields):
    cmd = ["tshark", "-r", cap, "-n", "-Y", flt, "-T", "fields",
           "-E", "separator=\t", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def main():
    ap = argparse.ArgumentParser()
    for a in ("capture", "client", "nginx_error", "squid_log", "truth"):
        ap.add_argument("--" + a.replace("_", "-"), required=True)
    o = ap.parse_args()

    # client side: the request of each path, through which proxy, from which port
    ports = {}
    for port, uri, dport in tshark(o.capture, "http.request && ip.src==" + CLIENT,
                                   ["tcp.srcport", "http.request.uri", "tcp.dstport"]):
        path = uri.split(UP, 1)[-1]
        ports[path] = (int(port), int(dport))
    # upstream side: each reply's head size, by the path it answers
    heads = {}
    for uri, reassembled, seglen, clen in tshark(
            o.capture, "http.response && ip.src==" + UP,
            ["http.response_for.uri", "tcp.reassembled.length", "tcp.len",
             "http.content_length_header"]):
        total = int(reassembled or seglen)
        path = uri.split(UP, 1)[-1]
        heads[path] = total - int(clen or 0)
    nginx_refused = set()
    for line in open(o.nginx_error, encoding="utf-8", errors="replace"):
        if "upstream sent too big header" in line and 'request: "' in line:
            req = line.split('request: "', 1)[1].split('"', 1)[0]
            nginx_refused.add(req.split(" ")[1].split(UP, 1)[-1])
    squid_refused = set()
    for line in open(o.squid_log, encoding="utf-8", errors="replace"):
        f = line.split()
        if len(f) >= 6 and f[5] == "ERR_TOO_BIG":
            squid_refused.add(f[3].split(UP, 1)[-1])

    bad = 0
    rows = []
    for line in open(o.client, encoding="utf-8"):
        proxy, path, status = line.rstrip("\n").split("\t")
        refused = path in (nginx_refused if proxy == "nginx" else squid_refused)
        if path not in ports or ports[path][1] != PORTS[proxy]:
            print(f"DISAGREE {proxy} {path}: no request in the capture", file=sys.stderr)
            bad += 1
            continue
        if refused and status != "502":
            print(f"DISAGREE {proxy} {path}: refused in the log, status {status}",
                  file=sys.stderr)
            bad += 1
        if not refused and status != "200":
            print(f"DISAGREE {proxy} {path}: status {status}, no refusal logged",
                  file=sys.stderr)
            bad += 1
        verdict, cause = ("bad-response", "http-invalid-response") if refused \
            else ("ok", "none")
        rows.append([CLIENT, str(ports[path][0]), proxy, f"http://{UP}{path}", status,
                     verdict, cause, str(heads.get(path, "-"))])
    if bad or not rows:
        return 1
    with open(o.truth, "w", encoding="utf-8") as f:
        f.write("client\tclient_port\tproxy\turl\tstatus\tverdict\tcause\thead_bytes\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
