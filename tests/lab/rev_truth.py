#!/usr/bin/env python3
"""rev_truth.py: the truth of the reverse-proxy lab (record_rev.sh).

usage: rev_truth.py --capture PCAP --client CLIENT.tsv --backends FILE
                    --haproxy-log LOG --nginx-error LOG --truth OUT.tsv

CLIENT.tsv: scenario, proxy port, path, client port, curl's status (000:
no answer). FILE: scenario, backend address, backend port, mode.

What each proxy says of each request: HAProxy's log line (by client port
and path), its status and termination state: SC (the server refused or
errored on connect), sC (connect timeout), PH (the proxy refused the
server's head), SH (the server closed during the head), sH (server
timeout during the head), -- (a reply relayed), and SC with no
server (<NOSRV>: every backend of the host marked down by its health
checks, nothing tried: unknown, and the packets must show no attempt
to the backend in the request's time); nginx's error log (by
request line): connect() failed (111: refused; 113: no route, an ICMP
error), timed out while connecting, prematurely closed, timed out while
reading the head, no valid HTTP/1.0 header (it relays the bytes as they
are: no status), nothing (a reply relayed). A connect that failed or
timed out is tcp-rst, icmp-unreachable or syn-unanswered by what tshark
shows the backend sent (its RSTs, ICMP errors quoting it, or nothing):
a proxy's own word for it depends on its timers (HAProxy logs sC when
its connect timeout fires before the kernel gives up on SYNs an ICMP
error answered); every cause is checked against
the packets: the gateway's SYNs to the backend in the request's time for
a connect failure, with none answered for dropped SYNs; the path on one
of the gateway's connections to the backend otherwise. Writes one line
per request: client, client_port, proxy, scenario, path, status (0:
none), verdict, cause, backend, connections (the gateway's connections
to the backend in the request's time: the lab sends one request at a
time to each backend; - through the pooled nginx, whose requests go
over a connection opened before). Anything the logs, the statuses and the packets disagree on
fails the recording (exit 1, nothing written).
"""
import argparse
import sys

from reply_truth import tshark

CLIENT = "10.254.0.11"
GATEWAY = "10.254.0.1"
PROXIES = {80: "haproxy", 8081: "nginx", 8082: "nginx-pool"}
LOG_OF = {"haproxy": "haproxy", "nginx": "nginx", "nginx-pool": "nginx"}
VERDICT = {"tcp-rst": "cannot-connect", "icmp-unreachable": "cannot-connect",
           "syn-unanswered": "cannot-connect",
           "http-invalid-response": "bad-response",
           "upstream-closed": "bad-response", "upstream-timeout": "bad-response",
           "upstream-5xx": "relayed", "none": "ok",
           "no-upstream-evidence": "unknown"}
HAPROXY_STATE = {"SC": "connect", "sC": "connect",
                 "untried": "no-upstream-evidence",
                 "PH": "http-invalid-response", "SH": "upstream-closed",
                 "sH": "upstream-timeout"}
NGINX_ERROR = (("(111: Connection refused) while connecting", "connect"),
               ("(113: No route to host) while connecting", "connect"),
               ("(113: Host is unreachable) while connecting", "connect"),
               ("timed out (110: Connection timed out) while connecting",
                "connect"),
               ("prematurely closed connection while reading response header",
                "upstream-closed"),
               ("timed out (110: Connection timed out) while reading response "
                "header", "upstream-timeout"),
               ("upstream sent no valid HTTP/1.0 header", "raw"))


def proxy_said(o):
    """{(proxy, path): what}, from HAProxy's log and nginx's error log."""
    said = {}
    for line in open(o.haproxy_log, encoding="utf-8", errors="replace"):
        f = line.split()
        if len(f) < 15 or '"' not in line:
            continue
        path = line.split('"', 1)[1].split(" ")[1]
        status, state = f[5], f[9][:2]
        if f[3].endswith("/<NOSRV>") and state == "SC":
            state = "untried"
        said[("haproxy", path)] = (int(status),
                                   HAPROXY_STATE.get(state, "relayed"
                                                     if state == "--" else state))
    for line in open(o.nginx_error, encoding="utf-8", errors="replace"):
        if 'request: "' not in line:
            continue
        path = line.split('request: "', 1)[1].split(" ")[1]
        for text, what in NGINX_ERROR:
            if text in line:
                said[("nginx", path)] = (None, what)
    return said


def main():
    ap = argparse.ArgumentParser()
    for a in ("capture", "client", "backends", "haproxy_log", "nginx_error",
              "truth"):
        ap.add_argument("--" + a.replace("_", "-"), required=True)
    o = ap.parse_args()
    backends = {}
    for line in open(o.backends, encoding="utf-8"):
        name, addr, port, _ = line.split()
        backends[name] = (addr, int(port))
    said = proxy_said(o)

    # client side: each request's time and the answer's, by client port
    reqs = {}
    for port, uri, t in tshark(o.capture, f"http.request && ip.src=={CLIENT}",
                               ["tcp.srcport", "http.request.uri",
                                "frame.time_epoch"]):
        reqs[int(port)] = (uri, float(t))
    answers = {}
    for port, t in tshark(o.capture, f"tcp.len>0 && ip.dst=={CLIENT}",
                          ["tcp.dstport", "frame.time_epoch"]):
        answers.setdefault(int(port), float(t))
    closes = {}
    for port, t in tshark(o.capture, f"tcp.flags.fin==1 && ip.dst=={CLIENT}",
                          ["tcp.dstport", "frame.time_epoch"]):
        closes.setdefault(int(port), float(t))
    # the gateway's side: SYNs to each backend, what came back
    syns = tshark(o.capture, f"tcp.flags.syn==1 && tcp.flags.ack==0 && "
                  f"ip.src=={GATEWAY} && !(ip.dst=={CLIENT})",
                  ["ip.dst", "tcp.dstport", "tcp.srcport", "frame.time_epoch"])
    synacks = {(a, int(sp), int(dp)) for a, sp, dp in tshark(
        o.capture, f"tcp.flags.syn==1 && tcp.flags.ack==1 && ip.dst=={GATEWAY}",
        ["ip.src", "tcp.srcport", "tcp.dstport"])}
    rsts = {a for (a,) in tshark(o.capture, f"tcp.flags.reset==1 && "
                                 f"ip.dst=={GATEWAY} && tcp.len==0 && "
                                 f"!(ip.src=={CLIENT}) && tcp.seq==1",
                                 ["ip.src"])}
    icmps = {a for (a,) in tshark(o.capture, "icmp.type==3 && icmp.code==13",
                                  ["ip.src"])}
    carried = {(a, uri) for a, uri in tshark(
        o.capture, f"http.request && ip.src=={GATEWAY}",
        ["ip.dst", "http.request.uri"])}

    bad = 0
    rows = []
    for line in open(o.client, encoding="utf-8"):
        name, pport, path, cport, status = line.rstrip("\n").split("\t")
        proxy, cport, status = PROXIES[int(pport)], int(cport), int(status)
        addr, bport = backends[name]
        if cport not in reqs or reqs[cport][0] != path:
            print(f"DISAGREE {proxy} {name} {path}: no request from port "
                  f"{cport} in the capture", file=sys.stderr)
            bad += 1
            continue
        start = reqs[cport][1]
        end = answers.get(cport, closes.get(cport, start + 30))
        mine = [(int(sp), float(t)) for a, dp, sp, t in syns
                if a == addr and int(dp) == bport and start <= float(t) <= end]
        conns = sorted({sp for sp, _ in mine})
        code, what = said.get((LOG_OF[proxy], path), (None, "relayed"))
        if code is not None and code != status:
            print(f"DISAGREE {proxy} {name} {path}: curl {status}, log {code}",
                  file=sys.stderr)
            bad += 1
        # a connect that failed: how, the backend's packets say (a
        # proxy's words depend on its timers: HAProxy logs sC, a timeout,
        # when its timer fires before the kernel gives up on SYNs that an
        # ICMP error answered)
        if what == "connect":
            what = "tcp-rst" if addr in rsts else "icmp-unreachable" \
                if addr in icmps else "syn-unanswered"
        elif what == "relayed":
            what = "upstream-5xx" if status in (502, 503, 504) else \
                "none" if status == 200 else f"status {status}?"
        elif what == "raw":
            what = "http-invalid-response"
        # the packets must show it
        connected = any((addr, bport, sp) in synacks for sp in conns)
        if what == "no-upstream-evidence":
            ok = not conns and (addr, path) not in carried
        elif what in ("tcp-rst", "icmp-unreachable", "syn-unanswered"):
            ok = bool(conns) and not connected and not (
                what == "tcp-rst" and addr in icmps) and not (
                what == "icmp-unreachable" and addr in rsts) and not (
                what == "syn-unanswered" and (addr in rsts or addr in icmps))
        else:
            ok = (addr, path) in carried and what in VERDICT
        if not ok:
            print(f"DISAGREE {proxy} {name} {path}: the proxy says {what}, "
                  f"the packets do not ({len(conns)} connections to {addr}:"
                  f"{bport}, connected {connected})", file=sys.stderr)
            bad += 1
            continue
        # over a pooled connection: begun before the request, and
        # nginx's retry on a new one; the count is not the request's own
        rows.append([CLIENT, str(cport), proxy, name, path, str(status),
                     VERDICT[what], what, f"{addr}:{bport}",
                     "-" if proxy == "nginx-pool" else str(len(conns))])
    if bad or not rows:
        return 1
    with open(o.truth, "w", encoding="utf-8") as f:
        f.write("client\tclient_port\tproxy\tscenario\tpath\tstatus\tverdict"
                "\tcause\tbackend\tconnections\n")
        for r in rows:
            f.write("\t".join(r) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
