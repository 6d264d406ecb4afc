#!/usr/bin/env python3
"""The busy lab's truth: what happened to every request, from the world.

usage: busy_truth.py --capture PCAP --clients C1.tsv [C2.tsv ...]
           --nginx-log LOG --squid-log LOG --proxy nginx=9091 --proxy squid=9092
           --gateway ADDR --truth OUT.tsv

Joins three independent records of the same traffic -- the clients' own
logs (tests/lab/busyload.py), each proxy's access log (the client's
address:port and the request path join a line to a request; nginx's
$upstream_addr / squid's %<a name the server it connected to) and the
capture, read with tshark -- and never anything gw502tui computed. Per
request it finds, in the packets:
  - the client's request and the gateway's answer (status, or none: a
    relayed reply without a status line);
  - the gateway's own request upstream, by the request's unique path, and
    the upstream's reply on that connection: a status line (200: ok; 5xx:
    relayed), bytes without one (http-invalid-response), a close without a
    byte (upstream-closed), nothing until the gateway gave up
    (upstream-timeout); when the gateway retried, the last attempt decides;
  - when no upstream request carries the path: the connection attempts to
    the address the access log names, made while the request waited: RST
    (tcp-rst), ICMP unreachable (icmp-unreachable) or SYNs never answered
    (syn-unanswered); its own attempt is the first of those that failed
    so that no earlier request took (a proxy connects for each request in
    the order they came);
  - when the log names no address: the gateway's DNS look-ups of the host,
    answered NXDOMAIN (dns-nxdomain) or with another error (dns-error), no
    older than its 1 s cache; or not at all (dns-no-response): the look-up
    the request waited for is the newest query for the host from its
    proxy's resolver sockets (a socket is the proxy's whose requests for a
    name come just before that socket's fresh queries for it, by majority)
    sent at most LOOKUP_S before the request, with every send of that
    query ID from the proxy's sockets (a resend; nginx sends each to its
    resolvers in turn, a socket each); no answer to it before the gateway
    answered.
Writes one line per request (OUT.tsv) with the verdict and cause classes
gw502tui uses (doc/report.schema.json). Self-checks, each failure printed
on stderr and making the exit status 1: every request the clients logged
as answered is in the capture with the same status, every 5xx a client saw
is in the capture and in its proxy's log with that status, every proxy-log
line is a captured request, every address the log names was a DNS answer
for the host at most 3 s before it was used, the evidence found agrees
with the access log's account (DNS failure with no address, a connect
failure with squid's ERR_CONNECT_FAIL, ...), a request without an answer
from DNS waited on a query from its own proxy's socket that was not
answered before the gateway answered, and every request got a class.
"""
import argparse
import bisect
import collections
import csv
import os
import re
import subprocess
import sys
from urllib.parse import urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tools"))
from tshark_http import decode_as_http  # noqa: E402

FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "ip.dst",
          "tcp.srcport", "tcp.dstport", "tcp.stream", "tcp.flags.syn",
          "tcp.flags.ack", "tcp.flags.reset", "tcp.flags.fin", "tcp.len",
          "http.request.uri", "http.response.code",
          "dns.flags.response", "dns.flags.rcode", "dns.qry.name",
          "dns.qry.type", "dns.a", "icmp.type", "icmp.code",
          "udp.srcport", "udp.dstport", "dns.id"]
DNS_CACHE_S = 1.5   # both proxies keep an answer 1 s (TTL, valid=1s): plus slack
ADDR_AGE_S = 3.0    # an address used must have been a DNS answer this recently
# an unanswered look-up a request can join: nginx resends its query every
# 5 s while a request waits, squid gives a look-up up 5-6 s after its query
# (7.5 s once with IPv6 on, GWBUSY_DUAL)
LOOKUP_S = 8.0
# a dual-stack proxy's AAAA query follows its A query this closely
PAIR_S = 0.01
# squid keeps an A whose AAAA beside it was never answered (its server
# drops AAAA) past the TTL: 7 s in the lab's recordings
HALF_AGE_S = 10.0
RCODE = {"0": "NOERROR", "2": "SERVFAIL", "3": "NXDOMAIN", "5": "REFUSED"}

PROBLEMS = []


def problem(msg):
    PROBLEMS.append(msg)


class Pkt:
    __slots__ = ["no", "t", "src", "dst", "sport", "dport", "stream", "syn",
                 "ack", "rst", "fin", "len", "uri", "code", "dnsresp",
                 "rcode", "qname", "qtype", "a", "icmp", "icmpcode",
                 "inner_dst", "usport", "udport", "dnsid"]


def read_capture(cap, ports):
    cmd = ["tshark", "-n", "-r", cap, *decode_as_http(ports)]
    cmd += ["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a",
            "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if res.returncode != 0:
        sys.exit("busy_truth: tshark failed: " + res.stderr.strip()[:500])
    pkts = []
    for line in res.stdout.splitlines():
        c = line.split("\t")
        c += [""] * (len(FIELDS) - len(c))
        p = Pkt()
        p.no, p.t = int(c[0]), float(c[1])
        srcs, dsts = c[2].split(","), c[3].split(",")
        p.src, p.dst = srcs[0], dsts[0]
        p.inner_dst = dsts[-1] if len(dsts) > 1 else ""
        first = lambda s: s.split(",")[0]  # noqa: E731  (ICMP: the quoted header's)
        p.sport = int(first(c[4])) if c[4] else 0
        p.dport = int(first(c[5])) if c[5] else 0
        p.stream = int(first(c[6])) if c[6] else -1
        p.syn, p.ack, p.rst, p.fin = (first(c[i]) in ("1", "True") for i in (7, 8, 9, 10))
        p.len = int(first(c[11])) if c[11] else 0
        p.uri, p.code = c[12], c[13].split(",")[0]
        p.dnsresp = c[14] in ("1", "True")
        p.rcode, p.qname, p.qtype, p.a = c[15], c[16].lower(), c[17], c[18]
        p.icmp, p.icmpcode = c[19].split(",")[0], c[20].split(",")[0]
        p.usport = int(first(c[21])) if c[21] else 0
        p.udport = int(first(c[22])) if c[22] else 0
        p.dnsid = first(c[23])
        pkts.append(p)
    return pkts


def read_clients(paths):
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            rows += list(csv.DictReader(f, delimiter="\t"))
    return rows


NGINX_RE = re.compile(r'^(\S+):(\d+) (\S+) "(\S+) (\S+) [^"]*" (\S+) (\d+) "([^"]*)" "([^"]*)" (\S+)$')
SQUID_RE = re.compile(r'^(\S+) (\S+):(\d+) (\S+) (\S+) (\S+)/(\d+) (\S+)/(\S+) (\S+) (\d+)$')


def read_logs(nginx, squid):
    """{(proxy, client, port, path): {status, addr (or None), detail}}"""
    logs = {}
    for proxy, path, rx in (("nginx", nginx, NGINX_RE), ("squid", squid, SQUID_RE)):
        with open(path, errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = rx.match(line.rstrip("\n"))
                if not m:
                    problem("%s log line %d does not parse: %r" % (proxy, n, line[:200]))
                    continue
                if proxy == "nginx":
                    cl, port, _, _, url, _, st, ua, ust, _ = m.groups()
                    # the last address tried (nginx lists each, ", " apart)
                    last = ua.split(", ")[-1] if ua and ua != "-" else ""
                    addr = last.rsplit(":", 1)[0] if last else None
                    e = {"status": st, "addr": addr, "detail": "upstream_status " + ust}
                else:
                    _, cl, port, _, url, _, st, _, sa, err, _ = m.groups()
                    e = {"status": st, "addr": None if sa == "-" else sa, "detail": err}
                key = (proxy, cl, int(port), urlsplit(url).path)
                if key in logs:
                    problem("%s log: request %s twice" % (proxy, key[1:]))
                logs[key] = e
    return logs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--capture", required=True)
    ap.add_argument("--clients", nargs="+", required=True)
    ap.add_argument("--nginx-log", required=True)
    ap.add_argument("--squid-log", required=True)
    ap.add_argument("--proxy", action="append", required=True)
    ap.add_argument("--gateway", required=True)
    ap.add_argument("--truth", required=True)
    a = ap.parse_args()
    proxies = {}
    for p in a.proxy:
        name, port = p.split("=")
        proxies[int(port)] = name
    gw = a.gateway
    pkts = read_capture(a.capture, list(proxies))
    clients = read_clients(a.clients)
    logs = read_logs(a.nginx_log, a.squid_log)

    # --- the client leg: requests and answers, in order per connection ----
    creq = {}                                  # (client, port, path) -> info
    by_stream = collections.defaultdict(list)  # stream -> packets
    for p in pkts:
        if p.stream >= 0 and not p.icmp:
            by_stream[p.stream].append(p)
    for s, ps in by_stream.items():
        p0 = ps[0]
        if p0.dst == gw and p0.dport in proxies:
            client, cport, pport = p0.src, p0.sport, p0.dport
        elif p0.src == gw and p0.sport in proxies:
            client, cport, pport = p0.dst, p0.dport, p0.sport
        else:
            continue
        cur = None
        for p in ps:
            if p.dst == gw and p.uri:
                for uri in p.uri.split(","):
                    cur = {"proxy": proxies[pport], "frame": p.no, "t": p.t,
                           "url": uri, "answer": None, "t_answer": None, "status": "-"}
                    key = (client, cport, urlsplit(uri).path)
                    if key in creq:
                        problem("request %s twice in the capture" % (key,))
                    creq[key] = cur
            elif p.src == gw and cur is not None and p.len > 0:
                if cur["answer"] is None:
                    cur["answer"], cur["t_answer"] = p.no, p.t
                if p.code and cur["status"] == "-":
                    cur["status"] = p.code

    # --- the upstream leg: connections, their SYNs and outcomes --------------
    conns = {}     # stream -> {server, syns, outcome, frame (outcome), t}
    for s, ps in by_stream.items():
        p0 = ps[0]
        if not (p0.src == gw and p0.dport == 80 and p0.syn and not p0.ack):
            continue
        c = {"server": p0.dst, "syns": [p.no for p in ps if p.src == gw and p.syn and not p.ack],
             "t": p0.t, "outcome": "syn-unanswered", "frame": None, "reqs": []}
        for p in ps:
            if p.src == p0.dst and p.syn and p.ack:
                c["outcome"], c["frame"] = "connected", p.no
                break
            if p.src == p0.dst and p.rst:
                c["outcome"], c["frame"] = "tcp-rst", p.no
                break
        # the upstream's answers on this connection, per request (by path)
        cur = None
        for p in ps:
            if p.src == gw and p.uri:
                cur = {"path": p.uri, "frame": p.no, "t": p.t, "reply": None,
                       "code": "", "closed": None, "gw_closed": None}
                c["reqs"].append(cur)
            elif cur is None:
                continue
            elif p.src == c["server"]:
                if p.len > 0 and cur["reply"] is None and cur["closed"] is None:
                    cur["reply"] = p.no
                if p.code and not cur["code"]:
                    cur["code"] = p.code
                # the upstream closing first: a close after the gateway's
                # own (it gave up waiting) is only the end of the connection
                if (p.fin or p.rst) and cur["closed"] is None and cur["gw_closed"] is None:
                    cur["closed"] = p.no
            elif p.src == gw and (p.fin or p.rst) and cur["gw_closed"] is None:
                cur["gw_closed"] = p.no
        conns[s] = c
    for p in pkts:   # ICMP errors quote the SYN: their stream is the attempt's
        if p.icmp == "3" and p.stream in conns and conns[p.stream]["outcome"] == "syn-unanswered":
            conns[p.stream]["outcome"], conns[p.stream]["frame"] = "icmp-unreachable", p.no
    up_by_path = collections.defaultdict(list)   # path -> [(conn, req)]
    for c in conns.values():
        for r in c["reqs"]:
            up_by_path[r["path"]].append((c, r))
    attempts = collections.defaultdict(list)     # server -> conns by first SYN time
    for c in sorted(conns.values(), key=lambda c: c["t"]):
        attempts[c["server"]].append(c)
    attempt_t = {srv: [c["t"] for c in cs] for srv, cs in attempts.items()}

    # --- DNS: the gateway's questions and the answers -------------------------
    dns_q = collections.defaultdict(list)   # name -> [(t, frame, socket, id)] A queries
    dns_q6 = collections.defaultdict(list)  # name -> the same, AAAA queries
    dns_r = collections.defaultdict(list)   # name -> [(t, frame, rcode, [addrs])]
    answered = {}                           # (socket, id, name) -> first answer's time
    for p in pkts:
        if not p.qname or p.qtype.split(",")[0] not in ("1", "28"):
            continue
        name = p.qname.split(",")[0]
        if p.dnsresp and p.dst == gw:
            answered.setdefault((p.udport, p.dnsid, name), p.t)
        if p.qtype.split(",")[0] == "28":    # a dual-stack proxy's (GWBUSY_DUAL)
            if not p.dnsresp and p.src == gw:
                dns_q6[name].append((p.t, p.no, p.usport, p.dnsid))
            continue
        if p.dnsresp and p.dst == gw:
            dns_r[name].append((p.t, p.no, RCODE.get(p.rcode, p.rcode),
                                [x for x in p.a.split(",") if x]))
        elif not p.dnsresp and p.src == gw:
            dns_q[name].append((p.t, p.no, p.usport, p.dnsid))
    # which proxy asks from which socket: a fresh query (an ID not sent
    # before) follows the request that wanted it within milliseconds
    req_t = collections.defaultdict(list)   # host -> [(t, proxy)] client requests
    for r in creq.values():
        req_t[urlsplit(r["url"]).hostname].append((r["t"], r["proxy"]))
    for v in req_t.values():
        v.sort()
    votes = collections.defaultdict(collections.Counter)
    for name, qs in dns_q.items():
        seen_ids = set()
        ts = [x[0] for x in req_t.get(name, [])]
        for t, _, sock, qid in qs:
            if (sock, qid) in seen_ids:
                continue
            seen_ids.add((sock, qid))
            i = bisect.bisect_right(ts, t) - 1
            if i >= 0 and t - ts[i] <= 0.05:
                votes[sock][req_t[name][i][1]] += 1
    sock_proxy = {sock: c.most_common(1)[0][0] for sock, c in votes.items()}

    def aaaa_lost(host, t_answer):
        """Was the A query answered at t_answer sent beside an AAAA
        (same socket, within PAIR_S) that was never answered?"""
        for qa in dns_q.get(host, []):
            if answered.get((qa[2], qa[3], host)) != t_answer:
                continue
            for q in dns_q6.get(host, []):
                if q[2] == qa[2] and abs(q[0] - qa[0]) <= PAIR_S and \
                        (q[2], q[3], host) not in answered:
                    return True
        return False

    def half_lookup(proxy, host, t0, t1):
        """The proxy's look-up of host in flight at t0 whose A was
        answered with an address while the AAAA sent beside it (same
        socket, within PAIR_S) had no answer by t1, resent meanwhile
        (nginx waits for both and resends the AAAA alone): its A sends
        and AAAA sends up to t1, or None."""
        own6 = [q for q in dns_q6.get(host, []) if q[0] <= t1 and
                sock_proxy.get(q[2]) == proxy]
        if not own6 or own6[-1][0] < t0 - LOOKUP_S:
            return None
        qid6 = own6[-1][3]
        sends6 = [q for q in own6 if q[3] == qid6]
        if any(answered.get((q[2], qid6, host), t1 + 1) <= t1 for q in sends6):
            return None
        first6 = sends6[0]
        a = [q for q in dns_q.get(host, []) if q[2] == first6[2] and
             0 <= first6[0] - q[0] <= PAIR_S]
        if not a:
            return None
        ans = [r for r in dns_r.get(host, []) if r[3] and
               answered.get((a[-1][2], a[-1][3], host)) == r[0]]
        if not ans or ans[0][0] > t1:
            return None
        return [q for q in dns_q.get(host, []) if q[3] == a[-1][3] and
                q[0] <= t1] + sends6

    # --- one truth line per request -------------------------------------------
    out = []
    claims = []     # ((request time, frame, failed attempts), row in out)
    stale = 0
    counted = collections.Counter()
    for row in clients:
        key = (row["client"], int(row["client_port"]), row["path"])
        cap = creq.get(key)
        if cap is None:
            if row["status"] != "-":
                problem("client logged %s %s (status %s), not in the capture"
                        % (key, row["host"], row["status"]))
            else:
                counted["never reached a proxy"] += 1
            continue
        host = urlsplit(cap["url"]).hostname
        if cap["proxy"] != row["proxy"]:
            problem("%s: client says proxy %s, capture %s" % (key, row["proxy"], cap["proxy"]))
        if row["status"] != "-" and row["status"] != cap["status"]:
            problem("%s: client saw %s, capture has %s" % (key, row["status"], cap["status"]))
        log = logs.pop((cap["proxy"],) + key, None)
        if log is None:
            problem("%s via %s: not in the proxy's access log" % (key, cap["proxy"]))
            continue
        t0 = cap["t"]
        t1 = cap["t_answer"] if cap["t_answer"] is not None else t0 + 15
        verdict = cause = connect = None
        upstream, evidence, note, t_use = "-", [], "", t0
        ups = [(c, r) for c, r in up_by_path.get(row["path"], [])]
        if ups:
            c, r = ups[-1]        # a retried request: the last attempt decides
            upstream = c["server"]
            evidence = [r["frame"]] + [x for x in (r["reply"], r["closed"]) if x]
            if len(ups) > 1:
                note = "%d upstream attempts" % len(ups)
            if r["code"]:
                code = int(r["code"])
                verdict, cause = (("relayed", "upstream-5xx") if code >= 500
                                  else ("ok", "none") if code < 400 else (None, None))
            elif r["reply"]:
                verdict, cause = "bad-response", "http-invalid-response"
            elif r["closed"]:
                verdict, cause = "bad-response", "upstream-closed"
            elif r["gw_closed"] or cap["status"] == "504":
                verdict, cause = "bad-response", "upstream-timeout"
            if log["addr"] != upstream:
                problem("%s: log names %s, the capture's request went to %s"
                        % (key, log["addr"], upstream))
        elif log["addr"]:
            upstream = log["addr"]
            i = bisect.bisect_left(attempt_t.get(upstream, []), t0)
            tried = [c for c in attempts.get(upstream, [])[i:] if c["t"] <= t1]
            outcomes = collections.Counter(c["outcome"] for c in tried)
            if not tried:
                problem("%s: no connection attempt to %s while it waited" % (key, upstream))
            elif "connected" in outcomes and len(outcomes) == 1:
                problem("%s: log says %s failed, every attempt to %s connected"
                        % (key, cap["status"], upstream))
            else:
                fails = [o for o in outcomes if o != "connected"]
                if len(fails) > 1:
                    # attempts to one address with different outcomes at the
                    # same time: the packets cannot say which was this one's
                    note = "attempts in its window: %s" % dict(outcomes)
                verdict, cause = "cannot-connect", sorted(fails, key=lambda o: -outcomes[o])[0]
                connect = (t0, cap["frame"], [c for c in tried if c["outcome"] == cause])
                t_use = tried[0]["t"]
            if cap["proxy"] == "squid" and not log["detail"].startswith("ERR_CONNECT_FAIL"):
                problem("%s: a failed connect, squid logged %s" % (key, log["detail"]))
        elif (half := half_lookup(cap["proxy"], host, t0, t1)):
            # the A answered, the AAAA beside it not (GWBUSY_DUAL's
            # v4only): the proxy tried nothing, it waited for both
            verdict, cause = "host-not-resolvable", "dns-no-response"
            evidence = [q[1] for q in half]
            note = "A answered, AAAA beside it unanswered"
        else:
            answers = [r for r in dns_r.get(host, []) if t0 - DNS_CACHE_S <= r[0] <= t1]
            asked = [q for q in dns_q.get(host, []) if t0 - DNS_CACHE_S <= q[0] <= t1]
            if answers:
                last = answers[-1]
                evidence = [last[1]]
                if last[2] == "NXDOMAIN":
                    verdict, cause = "host-not-resolvable", "dns-nxdomain"
                elif last[2] != "NOERROR":
                    verdict, cause = "host-not-resolvable", "dns-error"
            else:
                # the look-up in flight: the newest query from the proxy's
                # sockets before the answer, and its resends (same ID; nginx
                # sends them to each of its resolvers in turn, a socket each)
                own = [q for q in dns_q.get(host, []) if q[0] <= t1 and
                       sock_proxy.get(q[2]) == cap["proxy"]]
                last = own[-1] if own else None
                if last and last[0] >= t0 - LOOKUP_S:
                    sends = [q for q in own if q[3] == last[3]]
                    t_ans = min([answered[k] for k in ((q[2], q[3], host) for q in sends)
                                 if k in answered], default=None)
                    # a dual-stack proxy asks AAAA beside the A, from the
                    # same socket at once (nginx waits for both answers,
                    # resending each unanswered one): the look-up's too
                    ids6 = {q[3] for q in dns_q6.get(host, []) if q[2] == sends[0][2]
                            and 0 <= q[0] - sends[0][0] <= PAIR_S}
                    sends += [q for q in dns_q6.get(host, []) if q[3] in ids6 and
                              q[0] <= t1 and sock_proxy.get(q[2]) == cap["proxy"]]
                    if t_ans is not None and t_ans <= t1:
                        problem("%s: its look-up (frame %d) was answered (%.3f) before the gateway's answer"
                                % (key, last[1], t_ans))
                    else:
                        verdict, cause = "host-not-resolvable", "dns-no-response"
                        evidence = [q[1] for q in sends]
                        note = "look-up from port %s id %s, %d send(s)" % (
                            "/".join(str(p) for p in sorted({q[2] for q in sends})), last[3], len(sends))
                elif asked:
                    problem("%s: no query from %s's resolver socket, other queries %s"
                            % (key, cap["proxy"], [q[1] for q in asked]))
        if verdict is None:
            problem("%s %s via %s status %s: no class from the packets (log %s)"
                    % (key, host, cap["proxy"], cap["status"], log))
            continue
        # the address a proxy used came from a DNS answer it had (cache <= TTL);
        # nginx's pool.busy.test is an upstream block with a fixed address
        if upstream != "-" and not (cap["proxy"] == "nginx" and host == "pool.busy.test"):
            if ups:
                t_use = ups[-1][1]["t"]
            seen = [r for r in dns_r.get(host, []) if r[0] <= t_use and upstream in r[3]]
            age = HALF_AGE_S if seen and aaaa_lost(host, seen[-1][0]) else ADDR_AGE_S
            if not seen or t_use - seen[-1][0] > age:
                problem("%s: %s used %s for %s, no such DNS answer in the %g s before"
                        % (key, cap["proxy"], upstream, host, ADDR_AGE_S))
            else:
                newest = [r for r in dns_r.get(host, []) if r[0] <= t_use and r[3]]
                if newest and upstream not in newest[-1][3]:
                    stale += 1
                    note = (note + "; " if note else "") + \
                        "cached answer (frame %d), the newest (frame %d) says %s" % (
                            seen[-1][1], newest[-1][1], ",".join(newest[-1][3]))
        masked = "1" if verdict != "ok" and cap["status"].startswith("2") else "0"
        # the access log's own account agrees with the packets'
        if verdict == "host-not-resolvable" and log["addr"]:
            problem("%s: a DNS failure, the log names %s" % (key, log["addr"]))
        if cap["status"] in ("502", "503", "504") and log["status"] != cap["status"]:
            problem("%s: answered %s, %s logged %s" % (key, cap["status"], cap["proxy"], log["status"]))
        counted[(cap["proxy"], verdict, cause)] += 1
        if connect:
            claims.append((connect, len(out)))
        out.append({"client": key[0], "client_port": key[1], "proxy": cap["proxy"],
                    "url": cap["url"], "host": host, "status": cap["status"],
                    "verdict": verdict, "cause": cause, "masked": masked,
                    "upstream": upstream, "request_frame": cap["frame"],
                    "answer_frame": cap["answer"] or "-",
                    "evidence": ",".join(str(x) for x in sorted(set(evidence))),
                    "log_status": log["status"], "note": note or "-"})
    # A failed connect's evidence: a proxy opens a connection for each
    # request it cannot serve from its pool, in the order the requests
    # came (one event loop), so of the attempts in a request's window
    # that failed as it did, the first no earlier request took is its own
    # (requests for one address at once each have theirs).
    taken = set()
    for (t0, frame, cands), n in sorted(claims, key=lambda x: x[0][:2]):
        first = next((c for c in cands if id(c) not in taken), cands[0])
        taken.add(id(first))
        evidence = first["syns"][:1] + ([first["frame"]] if first["frame"] else [])
        out[n]["evidence"] = ",".join(str(x) for x in sorted(set(evidence)))
    for k in logs:
        problem("%s log line for %s, no such request in the client logs" % (k[0], k[1:]))
    cols = ["client", "client_port", "proxy", "url", "host", "status", "verdict",
            "cause", "masked", "upstream", "request_frame", "answer_frame",
            "evidence", "log_status", "note"]
    out.sort(key=lambda r: r["request_frame"])
    with open(a.truth, "w") as f:
        f.write("\t".join(cols) + "\n")
        for r in out:
            f.write("\t".join(str(r[c]) for c in cols) + "\n")
    for k, v in sorted(counted.items(), key=str):
        sys.stderr.write("busy_truth: %5d  %s\n" % (v, " ".join(k) if isinstance(k, tuple) else k))
    sys.stderr.write("busy_truth: %d requests, %d used a cached DNS answer the "
                     "newest answer had changed\n" % (len(out), stale))
    for m in PROBLEMS[:40]:
        sys.stderr.write("busy_truth: DISAGREE: %s\n" % m)
    if PROBLEMS:
        sys.stderr.write("busy_truth: %d disagreements\n" % len(PROBLEMS))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
