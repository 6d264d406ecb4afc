#!/usr/bin/env python3
"""Build the truth file of a lab capture from tshark's reading of it.

usage: truth.py --capture FILE --scenarios LOG --truth OUT.tsv --syn OUT.tsv
                [--ports 9090,9091] [--gateway 10.250.0.1,fd00:250::1]

The client side (client, client_port, method, url, status) is read from the
capture by tshark (`-T fields`), never from gw502tui. The verdict and cause
come from the scenario log written by record.sh (what the lab built), one line
per client request:

  client_ip client_port method url curl_status expected_status verdict cause scenario proxy_port dest [issue]

(expected_status, cause and dest may list alternatives "a|b": then the
capture decides, the last connection attempt's outcome for the cause; issue
is "12" for the scenarios of issue 12.)

Each scenario's expectation is then checked against the capture, again with
tshark's fields only: the status the proxy really sent, and the upstream
evidence the cause implies (an NXDOMAIN answer, unanswered DNS queries, an RST,
a SYN series without SYN/ACK, an ICMP error, a reply without status line, a
close without a byte, a request left unanswered). Any disagreement is printed
and the exit status is 1; no output file is written then.

Each truth row also carries, from tshark only, the complete evidence a
diagnosis must list, the elapsed time, the text report's frame range, the
concurrency group and the issue-12 mark (see full_evidence()), and "masked"
(1 or -): a failure the gateway answered with a status other than the
default gateway errors 502, 503 and 504 (DESIGN §7): a CONNECT it answered
200 before connecting and whose tunnel it closed once the upstream failed,
an invalid upstream reply relayed as 200, a DNS or connect failure answered
500 or 404. For such a CONNECT (a "tunnel"), the story runs from the
CONNECT to the gateway's close of the tunnel: the evidence, the elapsed
time and the frame range (which ends with the close) reach that far.

A request that asks no DNS of its own for a host whose look-up answered
NXDOMAIN shortly before (within --neg-ttl, the gateway's negative cache:
squid's negative_dns_ttl) has that look-up as its evidence (issue 12).

The .syn.tsv lists, for each syn-unanswered request, the SYNs of each
upstream connection attempt that belongs to it (frame numbers and times as
tshark shows them), so a test can compare the intervals a tool prints:
of concurrent requests to one destination each has one series; a request
alone with its destination has every attempt to it in its window, in time
order (a gateway that retries on new sockets).
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tools"))
from tshark_http import decode_as_http  # noqa: E402

FIELDS = [
    "frame.number", "frame.time_epoch",
    "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
    "tcp.srcport", "tcp.dstport", "tcp.stream", "tcp.len",
    "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.reset", "tcp.flags.fin",
    "http.request.method", "http.request.uri", "http.response.code", "http.request_in",
    "dns.flags.response", "dns.flags.rcode", "dns.qry.name", "dns.qry.type",
    "icmp.type", "icmp.code", "icmpv6.type", "icmpv6.code", "tcp.payload",
    "dns.id", "dns.a", "dns.aaaa",
]

HEADER = ("client\tclient_port\tmethod\turl\tstatus\tverdict\tcause\tscenario\t"
          "issue\tgroup\telapsed_ms\tframes\tevidence\tmasked")
# gw502tui's default --status: a failure answered otherwise is "masked"
DEFAULT_ERRORS = ("502", "503", "504")
SYN_HEADER = ("scenario\tclient\tclient_port\turl\tupstream\tgateway_port\tsyn\tframe\t"
              "time_epoch\tsince_first_s\tinterval_s\tshared")


class Frame:
    __slots__ = ["no", "t"] + [f.replace(".", "_") for f in FIELDS[2:]]


def run_tshark(capture, ports):
    cmd = ["tshark", "-n", "-r", capture, "-T", "fields",
           "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
           *decode_as_http(ports)]
    for f in FIELDS:
        cmd += ["-e", f]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         universal_newlines=True, check=False)
    if res.returncode != 0:
        sys.exit("truth.py: tshark failed on %s: %s" % (capture, res.stderr.strip()))
    frames = []
    for line in res.stdout.splitlines():
        v = line.split("\t")
        v += [""] * (len(FIELDS) - len(v))
        fr = Frame()
        fr.no = int(v[0])
        fr.t = float(v[1])
        for name, val in zip(FIELDS[2:], v[2:]):
            setattr(fr, name.replace(".", "_"), val.split(",") if val else [])
        frames.append(fr)
    return frames


def first(lst, default=""):
    return lst[0] if lst else default


def src(fr):
    return first(fr.ip_src) or first(fr.ipv6_src)


def dst(fr):
    return first(fr.ip_dst) or first(fr.ipv6_dst)


def flag(fr, name):
    return first(getattr(fr, name)) in ("1", "True")


def port(fr, name):
    v = first(getattr(fr, name))
    return int(v) if v else None


def load_log(path):
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            v = line.split("\t")
            if len(v) not in (11, 12):
                sys.exit("truth.py: %s:%d: expected 11 or 12 fields, got %d" % (path, n, len(v)))
            keys = ("client", "client_port", "method", "url", "curl_status", "expected",
                    "verdict", "cause", "scenario", "proxy_port", "dest", "issue")
            row = dict(zip(keys, v))
            row.setdefault("issue", "-")
            rows.append(row)
    return rows


def host_of(url):
    if "://" in url:
        rest = url.split("://", 1)[1]
        hostport = rest.split("/", 1)[0]
    else:
        hostport = url
    if hostport.startswith("["):
        return hostport[1:].split("]")[0]
    return hostport.rsplit(":", 1)[0] if ":" in hostport else hostport


def upstream_port(url):
    if "://" in url:
        return 80
    return int(url.rsplit(":", 1)[1])


# A piece of evidence seen this long after the gateway's answer (or the
# client leaving) still belongs to the request: an upstream's FIN or a DNS
# answer that crossed the answer on the wire. The tool's contract says the
# same (DESIGN §2, "small slack").
SEEN_SLACK_S = 0.2


def upstream_conns(frames, ports, gws):
    """Every TCP connection the gateway opened (not to a proxy port), by
    tcp.stream: its SYNs, first SYN/ACK, first RST (and who sent it), the
    server's first FIN, the gateway's HTTP requests on it, its payload."""
    conns = {}
    for fr in frames:
        if fr.icmp_type or fr.icmpv6_type or not fr.tcp_stream:
            continue
        sp, dp = port(fr, "tcp_srcport"), port(fr, "tcp_dstport")
        if sp in ports or dp in ports:
            continue
        s = first(fr.tcp_stream)
        c = conns.get(s)
        if c is None:
            if not (flag(fr, "tcp_flags_syn") and not flag(fr, "tcp_flags_ack")
                    and src(fr) in gws):
                continue     # a connection the capture saw start only
            c = conns[s] = {"server": dst(fr), "sport": sp, "dport": dp, "syns": [],
                            "synack": None, "rst": None, "rst_server": False,
                            "fin": None, "icmp": None, "icmp_last": None, "reqs": [],
                            "from_server": []}
        to_server = dst(fr) == c["server"] and dp == c["dport"]
        if flag(fr, "tcp_flags_syn") and not flag(fr, "tcp_flags_ack") and to_server:
            c["syns"].append(fr)
        elif flag(fr, "tcp_flags_syn") and flag(fr, "tcp_flags_ack") and not to_server:
            c["synack"] = c["synack"] or fr
        if flag(fr, "tcp_flags_reset") and c["rst"] is None:
            c["rst"], c["rst_server"] = fr, not to_server
        if flag(fr, "tcp_flags_fin") and not to_server and c["fin"] is None:
            c["fin"] = fr
        if to_server and fr.http_request_method:
            c["reqs"].append(fr)
        if not to_server and fr.tcp_len and int(fr.tcp_len[0]) > 0:
            c["from_server"].append(fr)
    # an ICMP error quotes the SYN: the quoted source port names the
    # connection; a retried SYN draws one of its own (the first and the
    # last are evidence, issue 14)
    for fr in frames:
        if first(fr.icmp_type) == "3" or first(fr.icmpv6_type) == "1":
            qsp = port(fr, "tcp_srcport")
            for c in conns.values():
                if c["sport"] == qsp and c["syns"] and c["syns"][0].t <= fr.t:
                    if c["icmp"] is None:
                        c["icmp"] = fr
                    c["icmp_last"] = fr
    return conns


def dns_lookups(frames):
    """Queries with their answer (same id, name and type, first after it)."""
    looks, open_q = [], {}
    for fr in frames:
        if not fr.dns_qry_name or not fr.dns_id:
            continue
        key = (first(fr.dns_id), fr.dns_qry_name[0].lower(), first(fr.dns_qry_type))
        if first(fr.dns_flags_response) in ("0", "False"):
            q = {"q": fr, "a": None, "name": key[1]}
            looks.append(q)
            open_q.setdefault(key, []).append(q)
        elif open_q.get(key):
            open_q[key].pop(0)["a"] = fr
    return looks


def story_end(r):
    """When a request's story ends: the answer; for a masked CONNECT the
    gateway's close of its tunnel; unanswered: its client leaving."""
    if r["tunnel"]:
        return r["gw_close_t"]
    return r["resp_t"] if r["resp_t"] is not None else r["end_t"]


def negative_cached(looks, host, t_req, neg_ttl):
    """The host's look-ups answered NXDOMAIN before t_req, within neg_ttl."""
    return [q for q in looks if q["name"] == host and q["a"] is not None
            and first(q["a"].dns_flags_rcode) == "3"
            and q["a"].t <= t_req and t_req - q["a"].t <= neg_ttl]


def full_evidence(frames, out, ports, gws, neg_ttl):
    """The frames a diagnosis of each request must list, from tshark only:
    the request and the answer; the gateway's DNS look-ups of the host (the
    queries, and the answers seen before the answer + slack); every upstream
    connection that carried the request (a gateway that retries sends it
    again on new connections: all of them) or tried to reach the planned
    destination (SYNs, SYN/ACK, the ICMP error, the server's RST and FIN);
    each upstream request and the first frame of its reply. Where the request
    has no look-up (or connection) of its own, the gateway reused one made
    earlier (DNS cache, pooled connection): the look-up whose answer gave the
    address, the connection that carried the request, and the row is marked
    issue 12 (correlation on a busy gateway). Sets r["full"], r["elapsed_ms"],
    r["range"], r["issue"], r["group"]."""
    conns = upstream_conns(frames, ports, gws)
    looks = dns_lookups(frames)
    streams = {}
    for fr in frames:
        if fr.tcp_stream:
            streams.setdefault(first(fr.tcp_stream), []).append(fr)
    def earlier_open(r, host, t):
        """Another request for host was waiting at t, which came before
        r itself: what started at t (within the 1 ms of capture skew before
        r) was done for that one, not for r."""
        return t < r["start_t"] and any(
            r2 is not r and host_of(r2["url"]).lower() == host and
            r2["start_t"] <= t <= story_end(r2)
            for r2, _ in out)

    for r, row in out:
        t_req = r["start_t"]
        end = story_end(r)
        seen = end + SEEN_SLACK_S + 1e-6
        host = host_of(r["url"]).lower()
        dests = set(row["dest"].split("|")) - {"-"}
        uport = upstream_port(r["url"])
        path = "/" + r["url"].split("://", 1)[1].split("/", 1)[1] \
            if "://" in r["url"] and "/" in r["url"].split("://", 1)[1] else "/"
        ev = {r["frame"]}
        if r["resp_frame"]:
            ev.add(r["resp_frame"])
        issue = row.get("issue", "-")
        # the connections: the one that carried the upstream request and
        # every new one the gateway sent it again on inside the window (ATS
        # retries a server that closed, sent no status line or nothing),
        # else every attempt to the planned destination inside the window
        used, up_req, again = [], None, []
        for c in conns.values():
            if c["server"] not in dests or c["dport"] != uport:
                continue
            for q in c["reqs"]:
                if not (t_req - 0.001 <= q.t <= end and r["method"] != "CONNECT" and
                        first(q.http_request_uri) == path):
                    continue
                if up_req is None:
                    used, up_req = [c], (c, q)
                elif c["syns"] and c["syns"][0].t >= t_req - 0.001 and \
                        not earlier_open(r, host, c["syns"][0].t):
                    # the gateway sent the request again on a new
                    # connection (ATS retries a reply it cannot use)
                    again.append((c, q))
                break
        used += [c for c, _ in again]
        if up_req is None:
            used = [c for c in conns.values() if c["server"] in dests and
                    c["dport"] == uport and c["syns"] and t_req - 0.001 <= c["syns"][0].t <= end
                    and not earlier_open(r, host, c["syns"][0].t)]
        elif up_req[0]["syns"][0].t < t_req - 0.001:
            issue = "12"     # a pooled connection
        for c in used:
            ev.update(fr.no for fr in c["syns"])
            for k in ("synack", "icmp", "icmp_last", "fin"):
                if c[k] is not None and c[k].t <= seen:
                    ev.add(c[k].no)
            if c["rst"] is not None and c["rst_server"] and c["rst"].t <= seen:
                ev.add(c["rst"].no)
        for c, q in ([up_req] if up_req is not None else []) + again:
            ev.add(q.no)
            reply = [fr for fr in c["from_server"] if fr.t >= q.t]
            if reply and reply[0].t <= seen:
                ev.add(reply[0].no)
        # the look-ups: the host's inside the window, else the one whose
        # answer gave the address the first connection went to
        mine = [q for q in looks if q["name"] == host and t_req - 0.001 <= q["q"].t <= end
                and not earlier_open(r, host, q["q"].t)]
        if not mine and used and used[0]["syns"]:
            first_syn = used[0]["syns"][0]
            gave = [q for q in looks if q["name"] == host and q["a"] is not None
                    and q["a"].t <= first_syn.t
                    and first(q["q"].dns_qry_type) in ("1", "28")
                    and answers_addr(q["a"], used[0]["server"])]
            if gave:
                mine = [gave[-1]]
                issue = "12"     # the gateway's DNS cache
        if not mine and not used and row["cause"] == "dns-nxdomain":
            mine = negative_cached(looks, host, t_req, neg_ttl)[-1:]
            if mine:
                issue = "12"     # the gateway's negative cache
        for q in mine:
            ev.add(q["q"].no)
            if q["a"] is not None and q["a"].t <= seen:
                ev.add(q["a"].no)
        r["full"] = sorted(ev)
        r["elapsed_ms"] = (end - t_req) * 1000.0
        last = r["resp_frame"] if r["resp_frame"] else max(ev)
        if r["tunnel"]:
            last = max(max(ev), r["gw_close_no"])
        r["range"] = (r["start_frame"], max(last, r["frame"]))
        r["issue"] = issue
    # requests for one host whose times overlap: which evidence is whose is
    # not in the capture, so they are checked as a group
    for r, row in out:
        host = host_of(r["url"]).lower()
        r_end = story_end(r)
        group = [r2 for r2, _ in out if host_of(r2["url"]).lower() == host and
                 r2["start_t"] <= r_end and story_end(r2) >= r["start_t"]]
        r["group"] = row["scenario"] if len(group) > 1 else "-"


def answers_addr(fr, addr):
    return addr in fr.dns_a or addr in fr.dns_aaaa


def last_attempt_cause(syns, synacks, rsts, icmps):
    """The outcome of the connection attempt whose first SYN came last."""
    if not syns:
        return "-"
    last = max(syns, key=lambda fr: fr.t)
    s = first(last.tcp_stream)
    if any(first(fr.tcp_stream) == s for fr in rsts):
        return "tcp-rst"
    if any(first(fr.tcp_srcport) == first(last.tcp_srcport) for fr in icmps):
        return "icmp-unreachable"
    if any(first(fr.tcp_stream) == s for fr in synacks):
        return "connected"
    return "syn-unanswered"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--capture", required=True)
    ap.add_argument("--scenarios", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--syn", required=True)
    ap.add_argument("--ports", default="9090")
    ap.add_argument("--gateway", default="10.250.0.1,fd00:250::1")
    ap.add_argument("--frames", help="also write a JSON-lines frame index (for the README)")
    ap.add_argument("--neg-ttl", type=float, default=30.0,
                    help="seconds the gateway caches an NXDOMAIN (squid's negative_dns_ttl)")
    a = ap.parse_args()
    ports = [int(p) for p in a.ports.split(",")]
    gws = set(a.gateway.split(","))

    frames = run_tshark(a.capture, ports)
    byno = {fr.no: fr for fr in frames}
    errors = []

    # --- client side: requests to the proxy and the proxy's answers ---------
    reqs = []
    for fr in frames:
        if fr.http_request_method and port(fr, "tcp_dstport") in ports and dst(fr) in gws:
            for m, u in zip(fr.http_request_method, fr.http_request_uri):
                reqs.append({"frame": fr.no, "t": fr.t, "client": src(fr),
                             "client_port": str(port(fr, "tcp_srcport")),
                             "stream": first(fr.tcp_stream), "method": m, "url": u,
                             "status": "-", "resp_t": None, "resp_frame": None,
                             "evidence": []})
    byframe = {}
    for r in reqs:
        byframe.setdefault(r["frame"], []).append(r)
    for fr in frames:
        if fr.http_response_code and port(fr, "tcp_srcport") in ports and src(fr) in gws:
            for code, rin in zip(fr.http_response_code, fr.http_request_in or [""]):
                for r in byframe.get(int(rin) if rin else -1, []):
                    if r["resp_t"] is None:
                        r["status"], r["resp_t"], r["resp_frame"] = code, fr.t, fr.no
                        break
    # end of each client connection (client FIN/RST), for unanswered requests
    conn_end, gw_close = {}, {}
    for fr in frames:
        if (flag(fr, "tcp_flags_fin") or flag(fr, "tcp_flags_reset")) and \
                port(fr, "tcp_dstport") in ports:
            conn_end.setdefault(first(fr.tcp_stream), fr.t)
        if (flag(fr, "tcp_flags_fin") or flag(fr, "tcp_flags_reset")) and \
                port(fr, "tcp_srcport") in ports and src(fr) in gws:
            gw_close.setdefault(first(fr.tcp_stream), fr)
    reqs.sort(key=lambda r: (r["t"], r["frame"]))
    # where each request starts (its first byte's frame: tshark marks the
    # frame that completes it) and when its client left (unanswered ones)
    client_data = {}
    for fr in frames:
        if port(fr, "tcp_dstport") in ports and dst(fr) in gws and fr.tcp_len and \
                int(fr.tcp_len[0]) > 0:
            client_data.setdefault(first(fr.tcp_stream), []).append(fr)
    proxy_data = {}
    for fr in frames:
        if port(fr, "tcp_srcport") in ports and src(fr) in gws and fr.tcp_len and \
                int(fr.tcp_len[0]) > 0:
            proxy_data.setdefault(first(fr.tcp_stream), []).append(fr)
    prev = {}
    for r in reqs:
        after = prev.get(r["stream"], 0)
        segs = [fr for fr in client_data.get(r["stream"], []) if after < fr.no <= r["frame"]]
        r["start_frame"] = segs[0].no if segs else r["frame"]
        r["start_t"] = segs[0].t if segs else r["t"]
        prev[r["stream"]] = r["frame"]
        r["end_t"] = conn_end.get(r["stream"], frames[-1].t)
        # the answer counts from its first byte
        if r["resp_frame"] is not None:
            segs = [fr for fr in proxy_data.get(r["stream"], [])
                    if r["frame"] < fr.no <= r["resp_frame"]]
            r["resp_t"] = segs[0].t if segs else r["resp_t"]

    # --- merge with the scenario log ------------------------------------------
    log = load_log(a.scenarios)
    pending = {}
    for row in log:
        pending.setdefault((row["client"], row["client_port"], row["method"], row["url"]),
                           []).append(row)
    out = []
    for r in reqs:
        key = (r["client"], r["client_port"], r["method"], r["url"])
        if not pending.get(key):
            errors.append("frame %d: request %s %s from %s:%s is in the capture but not in the "
                          "scenario log" % (r["frame"], r["method"], r["url"], r["client"],
                                            r["client_port"]))
            continue
        row = pending[key].pop(0)
        # a failure behind a success: a CONNECT answered 2xx before the
        # gateway connected, its tunnel closed by the gateway first
        r["tunnel"] = r["method"] == "CONNECT" and r["status"].startswith("2") and \
            row["verdict"] != "ok"
        if r["tunnel"]:
            close = gw_close.get(r["stream"])
            if close is None or close.t > r["end_t"]:
                errors.append("%s: CONNECT %s: the plan says the gateway closed the tunnel, "
                              "but the capture has %s" % (row["scenario"], r["url"],
                                                         "no close from the gateway"
                                                         if close is None else
                                                         "the client closing first"))
                r["tunnel"] = False
            else:
                r["gw_close_t"], r["gw_close_no"] = close.t, close.no
        # a failure behind any status but the default gateway errors: the
        # tunnel above, a 500 or 404 for a DNS or connect failure, an
        # invalid reply relayed as 200 (DESIGN §7)
        r["masked"] = r["tunnel"] or (row["verdict"] != "ok" and r["status"] != "-" and
                                      r["status"] not in DEFAULT_ERRORS)
        if r["status"] not in row["expected"].split("|"):
            errors.append("%s: %s %s from %s:%s: proxy sent %s in the capture, scenario expects %s"
                          % (row["scenario"], r["method"], r["url"], r["client"],
                             r["client_port"], r["status"], row["expected"]))
        if r["status"] != row["curl_status"]:
            errors.append("%s: %s %s: capture shows status %s, the client saw %s"
                          % (row["scenario"], r["method"], r["url"], r["status"], row["curl_status"]))
        out.append((r, row))
    for key, rows in pending.items():
        for row in rows:
            errors.append("%s: %s %s from %s:%s is in the scenario log but not in the capture"
                          % (row["scenario"], row["method"], row["url"], row["client"],
                             row["client_port"]))

    # --- upstream evidence for each expected cause -----------------------------
    syn_rows = []
    claimed_streams = set()
    for i, (r, row) in enumerate(out):
        # upstream evidence lies between the request and the answer (or the
        # client's FIN when there was no answer); 1 ms slack for timestamp jitter
        t0 = r["t"] - 0.001
        t1 = r["resp_t"] if r["resp_t"] is not None else conn_end.get(r["stream"], r["t"] + 120)
        if r["tunnel"]:
            t1 = r["gw_close_t"]     # the tunnel's story, up to its close
        t1 += 0.001
        win = [fr for fr in frames if t0 <= fr.t <= t1]
        host = host_of(r["url"]).lower()
        dests, uport = set(row["dest"].split("|")), upstream_port(r["url"])
        dest = row["dest"]
        what = "%s: %s %s (frame %d)" % (row["scenario"], r["method"], r["url"], r["frame"])

        def to_dest(fr):
            return dst(fr) in dests and port(fr, "tcp_dstport") == uport

        def from_dest(fr):
            return src(fr) in dests and port(fr, "tcp_srcport") == uport

        dnsq = [fr for fr in win if fr.dns_qry_name and fr.dns_qry_name[0].lower() == host]
        queries = [fr for fr in dnsq if first(fr.dns_flags_response) in ("0", "False")]
        answers = [fr for fr in dnsq if first(fr.dns_flags_response) in ("1", "True")]
        syns = [fr for fr in win if to_dest(fr) and flag(fr, "tcp_flags_syn")
                and not flag(fr, "tcp_flags_ack") and not fr.icmp_type and not fr.icmpv6_type]
        synacks = [fr for fr in win if from_dest(fr) and flag(fr, "tcp_flags_syn")
                   and flag(fr, "tcp_flags_ack")]
        rsts = [fr for fr in win if from_dest(fr) and flag(fr, "tcp_flags_reset")
                and not fr.icmp_type and not fr.icmpv6_type]
        icmps = [fr for fr in win if src(fr) in dests and
                 (first(fr.icmp_type) == "3" or first(fr.icmpv6_type) == "1")]
        payload_from = [fr for fr in win if from_dest(fr) and fr.tcp_len and int(fr.tcp_len[0]) > 0]
        payload_to = [fr for fr in win if to_dest(fr) and fr.tcp_len and int(fr.tcp_len[0]) > 0
                      and not fr.icmp_type and not fr.icmpv6_type]
        fins = [fr for fr in win if from_dest(fr) and
                (flag(fr, "tcp_flags_fin") or flag(fr, "tcp_flags_reset"))]
        # what came back once the request went out: on a pooled connection
        # the previous request's reply can fall in the 1 ms slack before
        # (a gateway that sends the next request within a millisecond)
        sent = min((fr.no for fr in payload_to), default=None)
        replies = [fr for fr in payload_from if sent is not None and fr.no > sent]
        # a pooled connection was set up before this request's window
        connected = bool(synacks) or bool(payload_to)
        cause = row["cause"]
        if "|" in cause:
            # the plan leaves it to the last connection attempt (a gateway
            # trying several addresses): its outcome, as tshark shows it
            cause = last_attempt_cause(syns, synacks, rsts, icmps)
            if cause not in row["cause"].split("|"):
                errors.append("%s: the last attempt ended %s, the plan allows %s"
                              % (what, cause, row["cause"]))
            row["cause"] = cause
            # the checks below look at that last attempt only
            if syns:
                last = max(syns, key=lambda fr: fr.t)
                s_no, s_port = first(last.tcp_stream), first(last.tcp_srcport)
                syns = [fr for fr in syns if first(fr.tcp_stream) == s_no]
                synacks = [fr for fr in synacks if first(fr.tcp_stream) == s_no]
                rsts = [fr for fr in rsts if first(fr.tcp_stream) == s_no]
                icmps = [fr for fr in icmps if first(fr.tcp_srcport) == s_port]

        def need(cond, msg):
            if not cond:
                errors.append("%s: expected %s but the capture has %s" % (what, cause, msg))

        def ev(*lists):
            r["evidence"] = sorted({fr.no for lst in lists for fr in lst})

        if r["tunnel"]:
            # nothing came back from the upstream, nothing was relayed
            need(not synacks and not payload_from, "%d SYN/ACKs, %d reply segments "
                 "from %s" % (len(synacks), len(payload_from), dest))
        if cause == "none":
            need(r["status"] == "200", "status %s" % r["status"])
            ev(payload_to, payload_from)
        elif cause == "dns-nxdomain" and not queries:
            # the gateway's negative cache: an earlier NXDOMAIN, no look-up
            cached = negative_cached(dns_lookups(frames), host, r["t"], a.neg_ttl)
            need(cached, "no look-up of %s and no NXDOMAIN for it in the last %g s"
                 % (host, a.neg_ttl))
            ev([q["q"] for q in cached[-1:]], [q["a"] for q in cached[-1:]])
        elif cause == "dns-nxdomain":
            need(any(first(fr.dns_flags_rcode) == "3" for fr in answers),
                 "no NXDOMAIN answer for %s" % host)
            ev(queries, answers)
        elif cause == "dns-error":
            need(answers and all(first(fr.dns_flags_rcode) not in ("0", "3") for fr in answers),
                 "answers with rcodes %s for %s"
                 % ([first(fr.dns_flags_rcode) for fr in answers], host))
            ev(queries, answers)
        elif cause == "no-upstream-evidence":
            need(not dnsq and not syns and not payload_to,
                 "%d DNS frames, %d SYNs, %d request segments for %s"
                 % (len(dnsq), len(syns), len(payload_to), host))
            ev()
        elif cause == "upstream-5xx":
            head = [fr for fr in payload_from
                    if bytes.fromhex(first(fr.tcp_payload).replace(":", "")).startswith(b"HTTP/")]
            code = bytes.fromhex(first(head[0].tcp_payload).replace(":", ""))[9:12] if head else b""
            need(connected and payload_to and code in (b"502", b"503", b"504"),
                 "no upstream reply with status 502/503/504 (%r)" % code)
            ev(payload_to, head[:1])
        elif cause == "dns-no-response":
            need(queries and not answers, "%d queries and %d answers for %s"
                 % (len(queries), len(answers), host))
            ev(queries)
        elif cause == "tcp-rst":
            need(syns and rsts and not synacks, "%d SYNs, %d RSTs, %d SYN/ACKs from %s:%d"
                 % (len(syns), len(rsts), len(synacks), dest, uport))
            ev(syns, rsts)
        elif cause == "syn-unanswered":
            need(len(syns) >= 2 and not synacks and not rsts and not icmps,
                 "%d SYNs, %d SYN/ACKs, %d RSTs, %d ICMP errors for %s:%d"
                 % (len(syns), len(synacks), len(rsts), len(icmps), dest, uport))
            ev(syns)
        elif cause == "icmp-unreachable":
            need(syns and icmps and not synacks, "%d SYNs, %d ICMP errors from %s"
                 % (len(syns), len(icmps), dest))
            ev(syns, icmps)
        elif cause == "http-invalid-response":
            bad = [fr for fr in payload_from
                   if not bytes.fromhex(first(fr.tcp_payload).replace(":", "")).startswith(b"HTTP/")]
            need(connected and bad, "no upstream reply lacking a status line")
            ev(payload_to, bad)
        elif cause == "upstream-closed":
            need(connected and payload_to and fins and not replies,
                 "%d SYN/ACKs, %d request segments, %d FIN/RST, %d reply segments"
                 % (len(synacks), len(payload_to), len(fins), len(replies)))
            ev(payload_to, fins)
        elif cause == "upstream-timeout":
            need(connected and payload_to and not replies,
                 "%d SYN/ACKs, %d request segments, %d reply segments"
                 % (len(synacks), len(payload_to), len(replies)))
            ev(payload_to)
        else:
            errors.append("%s: unknown cause %s" % (what, cause))

        if cause == "syn-unanswered" and len(dests) == 1:
            # group SYNs by upstream connection; give each request the earliest
            # connection not yet claimed by another request
            streams = {}
            for fr in syns:
                streams.setdefault(first(fr.tcp_stream), []).append(fr)
            cands = sorted((s for s in streams if s not in claimed_streams),
                           key=lambda s: streams[s][0].t)
            shared = sum(1 for (r2, row2) in out if row2["dest"] == dest and r2 is not r
                         and r2["t"] <= t1 and
                         (r2["resp_t"] or r2["t"]) >= t0) > 0
            if not cands:
                errors.append("%s: no SYN series left for this request" % what)
                continue
            # alone with its destination, every attempt is the request's
            # (Traffic Server tries an address four times, on new sockets)
            mine = cands if not shared else cands[:1]
            claimed_streams.update(mine)
            series = sorted((fr for s in mine for fr in streams[s]),
                            key=lambda fr: fr.t)
            for k, fr in enumerate(series):
                syn_rows.append("\t".join([
                    row["scenario"], r["client"], r["client_port"], r["url"],
                    "%s:%d" % (dest, uport), first(fr.tcp_srcport), str(k + 1), str(fr.no),
                    "%.6f" % fr.t, "%.6f" % (fr.t - series[0].t),
                    "-" if k == 0 else "%.6f" % (fr.t - series[k - 1].t),
                    "1" if shared else "0"]))

    full_evidence(frames, out, ports, gws, a.neg_ttl)

    if errors:
        for e in errors:
            sys.stderr.write("truth.py: %s: %s\n" % (a.capture, e))
        sys.stderr.write("truth.py: %s: %d disagreement(s); no truth written\n"
                         % (a.capture, len(errors)))
        return 1
    with open(a.truth, "w") as f:
        f.write(HEADER + "\n")
        for r, row in out:
            f.write("\t".join([r["client"], r["client_port"], r["method"], r["url"],
                               r["status"], row["verdict"], row["cause"], row["scenario"],
                               r["issue"], r["group"], "%.3f" % r["elapsed_ms"],
                               "%d-%d" % r["range"],
                               ",".join(str(n) for n in r["full"]),
                               "1" if r["masked"] else "-"]) + "\n")
    with open(a.syn, "w") as f:
        f.write(SYN_HEADER + "\n")
        for line in syn_rows:
            f.write(line + "\n")
    if a.frames:
        t_start = frames[0].t if frames else 0.0
        with open(a.frames, "w") as f:
            for r, row in out:
                f.write(json.dumps({
                    "scenario": row["scenario"], "client": r["client"],
                    "client_port": r["client_port"], "method": r["method"], "url": r["url"],
                    "status": r["status"], "verdict": row["verdict"], "cause": row["cause"],
                    "proxy_port": row["proxy_port"], "request_frame": r["frame"],
                    "response_frame": r["resp_frame"], "t": round(r["t"] - t_start, 3),
                    "elapsed": None if r["resp_t"] is None else round(r["resp_t"] - r["t"], 3),
                    "evidence": r["evidence"], "frames_total": len(frames)}) + "\n")
    sys.stderr.write("truth.py: %s: %d requests, %d SYN rows, all scenarios confirmed\n"
                     % (a.capture, len(out), len(syn_rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
